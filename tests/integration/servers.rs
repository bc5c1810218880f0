//! Real TLS servers on loopback for the probe tests, and `openssl s_client`
//! as the oracle for what they accept.
//!
//! Every server listens on 127.0.0.1 only, on a port found by binding port 0,
//! logs into its own tempdir, and is killed when its handle drops (also when
//! the test panics), so no test leaves a process behind.
//!
//! - [`SServer::start`]: `openssl s_server -www` with extra arguments/env.
//! - [`NginxServer::start`]: the system nginx with a generated `-p` prefix.
//! - [`s_client_accepts`] / [`s_client_session`]: what OpenSSL's own client
//!   establishes, run with `OPENSSL_CONF=/dev/null` so the system config
//!   cannot stop it from speaking TLS 1.0 or weak suites.

#![allow(dead_code)]

use std::collections::HashSet;
use std::fs::{self, File};
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Mutex, OnceLock};
use std::thread;
use std::time::{Duration, Instant};

use tempfile::TempDir;

use crate::util::require_tool;

/// How long a server may take to start listening.
const START_TIMEOUT: Duration = Duration::from_secs(15);

/// How long one `s_client` run may take (a handshake on loopback takes ms).
const S_CLIENT_TIMEOUT: Duration = Duration::from_secs(20);

/// RFC 2409's 1024-bit MODP group ("Oakley group 2"), PKCS#3 PEM: the classic
/// weak DH group (Logjam). Fixed instead of `openssl dhparam 1024`, which
/// takes seconds and a random amount of them.
pub const OAKLEY_GROUP2_1024_PEM: &str = "-----BEGIN DH PARAMETERS-----
MIGHAoGBAP//////////yQ/aoiFowjTExmKLgNwc0SkCTgiKZ8x0Agu+pjsTmyJR
Sgh5jjQE3e+VGbPNOkMbMCsKbfJfFDdP4TVtbVHCReSFtXZiXn7G9ExC6aY37WsL
/1y29Aa37e44a/taiZ+lrp8kEXxLH+ZJKGZR7OZTgf//////////AgEC
-----END DH PARAMETERS-----
";

/// A loopback port nobody listens on. Ports handed out are remembered so two
/// tests in this binary never get the same one between the probe bind and the
/// server's own bind; a clash with another process is retried by the starters.
pub fn free_port() -> u16 {
    static HANDED_OUT: OnceLock<Mutex<HashSet<u16>>> = OnceLock::new();
    let handed_out = HANDED_OUT.get_or_init(Default::default);
    loop {
        let port = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
            .and_then(|l| l.local_addr())
            .expect("bind 127.0.0.1:0")
            .port();
        if handed_out.lock().unwrap().insert(port) {
            return port;
        }
    }
}

/// A loopback address that refuses connections while the returned socket
/// lives: bound, not listening. A port from [`free_port`] is released at
/// once, and another test's `bind(0)` could take it before the connection
/// that should be refused.
pub fn refusing_addr() -> (tokio::net::TcpSocket, SocketAddr) {
    let socket = tokio::net::TcpSocket::new_v4().expect("a TCP socket");
    socket
        .bind(loopback(0))
        .expect("bind 127.0.0.1:0 without listening");
    let addr = socket.local_addr().expect("its address");
    (socket, addr)
}

pub fn loopback(port: u16) -> SocketAddr {
    SocketAddr::from((Ipv4Addr::LOCALHOST, port))
}

/// A self-signed RSA-2048 certificate for CN=localhost, made once per run.
pub struct TestCert {
    pub cert: PathBuf,
    pub key: PathBuf,
    /// [`OAKLEY_GROUP2_1024_PEM`] as a file, for `-dhparam` / `ssl_dhparam`.
    pub dh1024: PathBuf,
    /// An `OPENSSL_CONF` that lowers `MinProtocol` to TLSv1 and the security
    /// level to 0: Debian's OpenSSL 3 serves TLS 1.0/1.1 only with both this
    /// and `@SECLEVEL=0` in the server's own cipher string.
    pub legacy_openssl_conf: PathBuf,
}

pub fn test_cert() -> &'static TestCert {
    static CERT: OnceLock<(TempDir, TestCert)> = OnceLock::new();
    &CERT
        .get_or_init(|| {
            let dir = tempfile::tempdir().unwrap();
            let cert = dir.path().join("cert.pem");
            let key = dir.path().join("key.pem");
            let out = Command::new(require_tool("openssl"))
                .args([
                    "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                ])
                .args([
                    "-subj",
                    "/CN=localhost",
                    "-addext",
                    "subjectAltName=DNS:localhost",
                ])
                .arg("-keyout")
                .arg(&key)
                .arg("-out")
                .arg(&cert)
                .env("OPENSSL_CONF", "/dev/null")
                .output()
                .expect("run openssl req");
            assert!(
                out.status.success(),
                "openssl req: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            let dh1024 = dir.path().join("dh1024.pem");
            fs::write(&dh1024, OAKLEY_GROUP2_1024_PEM).unwrap();
            let legacy_openssl_conf = dir.path().join("legacy-openssl.cnf");
            fs::write(
                &legacy_openssl_conf,
                "openssl_conf = openssl_init\n\
                 [openssl_init]\nssl_conf = ssl_sect\n\
                 [ssl_sect]\nsystem_default = system_default_sect\n\
                 [system_default_sect]\nMinProtocol = TLSv1\nCipherString = DEFAULT:@SECLEVEL=0\n",
            )
            .unwrap();
            let paths = TestCert {
                cert,
                key,
                dh1024,
                legacy_openssl_conf,
            };
            (dir, paths)
        })
        .1
}

/// A child process listening on `port` (and maybe on `second_port`), killed on drop.
struct Listening {
    child: Child,
    port: u16,
    second_port: u16,
    log: PathBuf,
}

impl Listening {
    /// Starts `command(port, second_port)` until one binds (another process
    /// may take a port between [`free_port`] and the server's bind) and
    /// answers a connect on `port`.
    fn spawn(what: &str, log: &Path, command: impl Fn(u16, u16) -> Command) -> Listening {
        let mut last_log = String::new();
        for _attempt in 0..3 {
            let (port, second_port) = (free_port(), free_port());
            let log_file = File::create(log).unwrap();
            let child = command(port, second_port)
                .stdin(Stdio::null())
                .stdout(log_file.try_clone().unwrap())
                .stderr(log_file)
                .spawn()
                .unwrap_or_else(|e| panic!("start {what}: {e}"));
            let mut server = Listening {
                child,
                port,
                second_port,
                log: log.to_path_buf(),
            };
            match server.wait_until_listening() {
                Ok(()) => return server,
                Err(log_text) => last_log = log_text, // dropped: killed
            }
        }
        panic!("{what} did not start listening:\n{last_log}");
    }

    /// Ok once the port accepts and the child is still alive after it did
    /// (a child that lost the bind race exits while someone else listens).
    fn wait_until_listening(&mut self) -> Result<(), String> {
        let deadline = Instant::now() + START_TIMEOUT;
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return Err(fs::read_to_string(&self.log).unwrap_or_default());
            }
            let addr = loopback(self.port);
            if TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_ok() {
                thread::sleep(Duration::from_millis(50));
                if let Ok(None) = self.child.try_wait() {
                    return Ok(());
                }
            }
            thread::sleep(Duration::from_millis(25));
        }
        Err(format!(
            "not listening after {START_TIMEOUT:?}\n{}",
            fs::read_to_string(&self.log).unwrap_or_default()
        ))
    }
}

impl Drop for Listening {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `openssl s_server -www` on a loopback port.
pub struct SServer {
    pub port: u16,
    process: Listening,
    _dir: TempDir,
}

impl SServer {
    /// `args` are appended to `s_server -accept 127.0.0.1:PORT -www -cert … -key …`
    /// (e.g. `["-tls1_2", "-cipher", "AES256-SHA"]`); `env` is added to the
    /// inherited environment (e.g. `OPENSSL_CONF`).
    pub fn start(args: &[&str], env: &[(&str, &str)]) -> SServer {
        let openssl = require_tool("openssl");
        let cert = test_cert();
        let dir = tempfile::tempdir().unwrap();
        let process = Listening::spawn(
            "openssl s_server",
            &dir.path().join("s_server.log"),
            |port, _| {
                let mut cmd = Command::new(&openssl);
                cmd.arg("s_server")
                    .args(["-accept", &format!("127.0.0.1:{port}"), "-www"])
                    .arg("-cert")
                    .arg(&cert.cert)
                    .arg("-key")
                    .arg(&cert.key)
                    .args(args)
                    .envs(env.iter().copied());
                cmd
            },
        );
        SServer {
            port: process.port,
            process,
            _dir: dir,
        }
    }

    pub fn addr(&self) -> SocketAddr {
        loopback(self.port)
    }

    pub fn log(&self) -> String {
        fs::read_to_string(&self.process.log).unwrap_or_default()
    }
}

/// The system nginx, in the foreground, with its own prefix in a tempdir.
pub struct NginxServer {
    /// Substituted for `{PORT}`; the server waits until this one accepts.
    pub port: u16,
    /// Substituted for `{HTTP_PORT}`, e.g. for a plain-HTTP redirect server.
    pub http_port: u16,
    pub prefix: PathBuf,
    process: Listening,
    _dir: TempDir,
}

impl NginxServer {
    /// `conf_body` goes inside `http { }`. Placeholders: `{PORT}` (the loopback
    /// port to listen on, usually with `ssl`), `{HTTP_PORT}` (a second free
    /// port), `{CERT}`, `{KEY}`, `{DH1024}` (from [`test_cert`]) and `{PREFIX}`. `env` reaches nginx at startup, which is when OpenSSL
    /// reads `OPENSSL_CONF`.
    pub fn start(conf_body: &str, env: &[(&str, &str)]) -> NginxServer {
        let nginx = require_tool("nginx");
        let cert = test_cert();
        let dir = tempfile::tempdir().unwrap();
        let prefix = dir.path().to_path_buf();
        fs::create_dir_all(prefix.join("logs")).unwrap();
        let conf = prefix.join("nginx.conf");
        let process = Listening::spawn(
            "nginx",
            &prefix.join("logs/stderr.log"),
            |port, http_port| {
                let p = prefix.display().to_string();
                let body = conf_body
                    .replace("{PORT}", &port.to_string())
                    .replace("{HTTP_PORT}", &http_port.to_string())
                    .replace("{CERT}", &cert.cert.display().to_string())
                    .replace("{KEY}", &cert.key.display().to_string())
                    .replace("{DH1024}", &cert.dh1024.display().to_string())
                    .replace("{PREFIX}", &p);
                fs::write(
                    &conf,
                    format!(
                        "daemon off;\nmaster_process off;\nworker_processes 1;\n\
                     pid {p}/nginx.pid;\nerror_log stderr notice;\n\
                     events {{ worker_connections 64; }}\n\
                     http {{\n\
                     access_log off;\n\
                     client_body_temp_path {p}/client_body;\nproxy_temp_path {p}/proxy;\n\
                     fastcgi_temp_path {p}/fastcgi;\nuwsgi_temp_path {p}/uwsgi;\n\
                     scgi_temp_path {p}/scgi;\n\
                     {body}\n}}\n"
                    ),
                )
                .unwrap();
                let mut cmd = Command::new(&nginx);
                // `-e stderr`: the compiled-in error log under /var/log is not ours.
                cmd.arg("-p")
                    .arg(&prefix)
                    .arg("-c")
                    .arg(&conf)
                    .args(["-e", "stderr"])
                    .envs(env.iter().copied());
                cmd
            },
        );
        NginxServer {
            port: process.port,
            http_port: process.second_port,
            prefix,
            process,
            _dir: dir,
        }
    }

    pub fn addr(&self) -> SocketAddr {
        loopback(self.port)
    }

    pub fn log(&self) -> String {
        fs::read_to_string(&self.process.log).unwrap_or_default()
    }
}

/// What `openssl s_client` established.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SClientSession {
    /// `TLSv1`, `TLSv1.2`, ... as OpenSSL prints it.
    pub protocol: String,
    /// OpenSSL's suite name (IANA-style for TLS 1.3).
    pub cipher: String,
    /// The `Server Temp Key:` line's value, e.g. `DH, 1024 bits`.
    pub server_temp_key: Option<String>,
}

/// The suite `openssl s_client` negotiates with `flags` against a loopback
/// port, or `None` when the handshake fails.
pub fn s_client_accepts(port: u16, flags: &[&str]) -> Option<String> {
    s_client_session(port, flags).map(|s| s.cipher)
}

/// Runs `openssl s_client -connect 127.0.0.1:PORT FLAGS </dev/null` with
/// `OPENSSL_CONF=/dev/null` and a timeout, and reads the session it reports.
pub fn s_client_session(port: u16, flags: &[&str]) -> Option<SClientSession> {
    let mut child = Command::new(require_tool("openssl"))
        .arg("s_client")
        .args([
            "-connect",
            &format!("127.0.0.1:{port}"),
            "-servername",
            "localhost",
        ])
        // Loading the system CA bundle is ~100 ms of every run, and s_client
        // does not enforce verification anyway.
        .args(["-no-CAfile", "-no-CApath", "-no-CAstore"])
        .args(flags)
        .env("OPENSSL_CONF", "/dev/null")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("run openssl s_client");
    // Its output is a few KiB, well under a pipe buffer, so waiting before
    // reading cannot deadlock.
    let deadline = Instant::now() + S_CLIENT_TIMEOUT;
    loop {
        match child.try_wait() {
            Ok(Some(_)) => break,
            Ok(None) if Instant::now() < deadline => thread::sleep(Duration::from_millis(5)),
            _ => {
                let _ = child.kill();
                let _ = child.wait();
                panic!("openssl s_client {flags:?} against port {port} hung");
            }
        }
    }
    let out = child.wait_with_output().expect("s_client output");
    parse_s_client(&String::from_utf8_lossy(&out.stdout))
}

/// Reads `New, TLSv1.2, Cipher is X` (`New, (NONE), Cipher is (NONE)` on failure).
fn parse_s_client(stdout: &str) -> Option<SClientSession> {
    let (protocol, cipher) = stdout.lines().find_map(|line| {
        let rest = line.strip_prefix("New, ")?;
        let (protocol, cipher) = rest.split_once(", Cipher is ")?;
        Some((protocol.trim().to_string(), cipher.trim().to_string()))
    })?;
    if cipher == "(NONE)" || protocol == "(NONE)" {
        return None;
    }
    let server_temp_key = stdout.lines().find_map(|line| {
        line.strip_prefix("Server Temp Key: ")
            .map(|v| v.trim().to_string())
    });
    Some(SClientSession {
        protocol,
        cipher,
        server_temp_key,
    })
}

/// The suites this machine's OpenSSL builds, as (code point, OpenSSL name),
/// from `openssl ciphers -V ALL:COMPLEMENTOFALL:@SECLEVEL=0` (TLS 1.3 included).
pub fn openssl_known_suites() -> &'static [(u16, String)] {
    static KNOWN: OnceLock<Vec<(u16, String)>> = OnceLock::new();
    KNOWN.get_or_init(|| {
        let out = Command::new(require_tool("openssl"))
            .args(["ciphers", "-V", "ALL:COMPLEMENTOFALL:@SECLEVEL=0"])
            .env("OPENSSL_CONF", "/dev/null")
            .output()
            .expect("run openssl ciphers");
        assert!(out.status.success());
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .filter_map(|line| {
                // `0xC0,0x2C - ECDHE-ECDSA-AES256-GCM-SHA384 TLSv1.2 Kx=...`
                let mut words = line.split_whitespace();
                let (hi, lo) = words.next()?.split_once(',')?;
                let byte = |b: &str| u8::from_str_radix(b.strip_prefix("0x")?, 16).ok();
                let code = u16::from_be_bytes([byte(hi)?, byte(lo)?]);
                let name = words.nth(1)?.to_string();
                Some((code, name))
            })
            .collect()
    })
}

/// Runs `job` over `items` on a few threads (s_client runs are process-bound).
pub fn parallel_map<T: Sync, R: Send>(items: &[T], job: impl Fn(&T) -> R + Sync) -> Vec<R> {
    const WORKERS: usize = 8;
    let next = Mutex::new(0usize);
    let results: Mutex<Vec<Option<R>>> = Mutex::new(items.iter().map(|_| None).collect());
    thread::scope(|scope| {
        for _ in 0..WORKERS.min(items.len()) {
            scope.spawn(|| loop {
                let i = {
                    let mut n = next.lock().unwrap();
                    let i = *n;
                    *n += 1;
                    i
                };
                let Some(item) = items.get(i) else { break };
                let r = job(item);
                results.lock().unwrap()[i] = Some(r);
            });
        }
    });
    results
        .into_inner()
        .unwrap()
        .into_iter()
        .map(|r| r.expect("every item ran"))
        .collect()
}

#[test]
fn s_client_output_is_parsed() {
    let ok = "CONNECTED(00000003)\n---\nNew, TLSv1.2, Cipher is ECDHE-RSA-AES128-GCM-SHA256\n\
              Server Temp Key: X25519, 253 bits\n";
    let s = parse_s_client(ok).unwrap();
    assert_eq!(s.protocol, "TLSv1.2");
    assert_eq!(s.cipher, "ECDHE-RSA-AES128-GCM-SHA256");
    assert_eq!(s.server_temp_key.as_deref(), Some("X25519, 253 bits"));
    assert_eq!(parse_s_client("New, (NONE), Cipher is (NONE)\n"), None);
}

// ---- Added for the probe/verify tests and the probe benchmark ----

/// What OpenSSL's own client establishes against a loopback port: the
/// protocols (each offered alone with every suite), then for each accepted
/// protocol every suite this OpenSSL builds, offered alone.
pub struct Oracle {
    pub protocols: Vec<nginx_audit::probe::scan::TlsProtocol>,
    pub suites: Vec<(
        nginx_audit::probe::scan::TlsProtocol,
        std::collections::BTreeSet<u16>,
    )>,
}

/// `s_client`'s flags offering exactly `suites` (OpenSSL names) in `version`;
/// None for SSLv3, which this OpenSSL cannot speak at all.
pub fn s_client_flags(
    version: nginx_audit::probe::scan::TlsProtocol,
    suites: &str,
) -> Option<Vec<String>> {
    use nginx_audit::probe::scan::TlsProtocol as P;
    let flag = match version {
        P::Ssl3 => return None,
        P::Tls10 => "-tls1",
        P::Tls11 => "-tls1_1",
        P::Tls12 => "-tls1_2",
        P::Tls13 => "-tls1_3",
    };
    Some(if version == P::Tls13 {
        vec![flag.into(), "-ciphersuites".into(), suites.into()]
    } else {
        vec![
            flag.into(),
            "-cipher".into(),
            format!("{suites}:@SECLEVEL=0"),
        ]
    })
}

/// Runs the s_client enumeration (parallel processes) against `port`.
pub fn openssl_oracle(port: u16) -> Oracle {
    use nginx_audit::probe::scan::{suites_for, TlsProtocol};
    let known = |v: TlsProtocol| -> Vec<(u16, String)> {
        let applicable = suites_for(v);
        openssl_known_suites()
            .iter()
            .filter(|(c, _)| applicable.contains(c))
            .cloned()
            .collect()
    };
    let run = |flags: Vec<String>| {
        let flags: Vec<&str> = flags.iter().map(String::as_str).collect();
        s_client_accepts(port, &flags)
    };
    let testable: Vec<TlsProtocol> = TlsProtocol::ALL
        .into_iter()
        .filter(|v| s_client_flags(*v, "").is_some())
        .collect();
    let ok = parallel_map(&testable, |v| {
        let offer = match v {
            TlsProtocol::Tls13 => known(*v)
                .into_iter()
                .map(|(_, n)| n)
                .collect::<Vec<_>>()
                .join(":"),
            _ => "ALL:COMPLEMENTOFALL".to_string(),
        };
        run(s_client_flags(*v, &offer).unwrap()).is_some()
    });
    let protocols: Vec<TlsProtocol> = testable
        .iter()
        .zip(ok)
        .filter(|(_, ok)| *ok)
        .map(|(v, _)| *v)
        .collect();
    let jobs: Vec<(TlsProtocol, u16, String)> = protocols
        .iter()
        .flat_map(|v| known(*v).into_iter().map(|(c, n)| (*v, c, n)))
        .collect();
    let accepted = parallel_map(&jobs, |(v, _, name)| {
        run(s_client_flags(*v, name).unwrap()).as_deref() == Some(name.as_str())
    });
    let suites = protocols
        .iter()
        .map(|v| {
            let set = jobs
                .iter()
                .zip(&accepted)
                .filter(|((jv, _, _), ok)| jv == v && **ok)
                .map(|((_, c, _), _)| *c)
                .collect();
            (*v, set)
        })
        .collect();
    Oracle { protocols, suites }
}

impl NginxServer {
    /// Like [`NginxServer::start`], but `main_conf` is the whole nginx.conf
    /// (same placeholders, its own `events` block), for setups the fixed
    /// frame cannot express, such as a benchmark needing more than 64
    /// connections.
    pub fn start_main(main_conf: &str, env: &[(&str, &str)]) -> NginxServer {
        let nginx = require_tool("nginx");
        let cert = test_cert();
        let dir = tempfile::tempdir().unwrap();
        let prefix = dir.path().to_path_buf();
        fs::create_dir_all(prefix.join("logs")).unwrap();
        let conf = prefix.join("nginx.conf");
        let process = Listening::spawn(
            "nginx",
            &prefix.join("logs/stderr.log"),
            |port, http_port| {
                let text = main_conf
                    .replace("{PORT}", &port.to_string())
                    .replace("{HTTP_PORT}", &http_port.to_string())
                    .replace("{CERT}", &cert.cert.display().to_string())
                    .replace("{KEY}", &cert.key.display().to_string())
                    .replace("{DH1024}", &cert.dh1024.display().to_string())
                    .replace("{PREFIX}", &prefix.display().to_string());
                fs::write(&conf, text).unwrap();
                let mut cmd = Command::new(&nginx);
                cmd.arg("-p")
                    .arg(&prefix)
                    .arg("-c")
                    .arg(&conf)
                    .args(["-e", "stderr"])
                    .envs(env.iter().copied());
                cmd
            },
        );
        NginxServer {
            port: process.port,
            http_port: process.second_port,
            prefix,
            process,
            _dir: dir,
        }
    }

    /// The generated main config (rewrite it to make the running server stale).
    pub fn conf_path(&self) -> PathBuf {
        self.prefix.join("nginx.conf")
    }
}

/// A plain-HTTP backend on a loopback port answering every request with
/// `200 backend ok`, on a thread, until the process ends.
pub fn http_backend() -> u16 {
    use std::io::{Read, Write};
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).expect("bind backend");
    let port = listener.local_addr().unwrap().port();
    thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            thread::spawn(move || {
                let mut stream = stream;
                let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
                let mut buf = [0u8; 4096];
                let mut seen = Vec::new();
                while !seen.windows(4).any(|w| w == b"\r\n\r\n") {
                    match stream.read(&mut buf) {
                        Ok(0) | Err(_) => return,
                        Ok(n) => seen.extend_from_slice(&buf[..n]),
                    }
                }
                let _ = stream.write_all(
                    b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\nConnection: close\r\n\r\nbackend ok",
                );
            });
        }
    });
    port
}
