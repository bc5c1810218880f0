//! `probe` against real servers on 127.0.0.1 only: in-process tokio-rustls
//! servers for precise certificate and protocol cases, raw-socket fakes for
//! hostile peers, and real nginx setups whose protocol and suite lists must
//! equal what `openssl s_client` establishes. Every probe runs under the
//! test's own time bound, so a hang fails the test instead of stalling it.

use std::collections::BTreeSet;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use nginx_audit::diag::Severity;
use nginx_audit::probe::danger::{provider, Trust};
use nginx_audit::probe::run::{probe_target, runtime, Plan, ProbeOptions, TargetReport};
use nginx_audit::probe::scan::{suite_name, TlsProtocol};
use nginx_audit::probe::target::Target;
use nginx_audit::rules::live::LIVE_CODES;
use rcgen::{CertificateParams, DnType, IsCa, Issuer, KeyPair};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::version::{TLS12, TLS13};
use rustls::SupportedProtocolVersion;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

use crate::servers::{
    free_port, http_backend, openssl_oracle, refusing_addr, test_cert, NginxServer,
};
use crate::util::{bin, require_tool, root};

// ---------------------------------------------------------------- helpers

fn options(timeout: Duration, ca: Option<&Path>) -> ProbeOptions {
    let mut o = ProbeOptions::new(Trust::load(ca).expect("trust store"));
    o.timeout = timeout;
    o
}

/// Runs `f` on the probe's own runtime (ring provider installed), then shuts
/// the runtime down without waiting for connections a fake keeps open.
fn on_runtime<F: std::future::Future>(f: F) -> F::Output {
    let rt = runtime().unwrap();
    let out = rt.block_on(f);
    rt.shutdown_timeout(Duration::from_millis(100));
    out
}

/// Probes `https://host:port/path` at `addr`, failing the test if the probe
/// itself takes longer than `bound`.
async fn probe_at(
    addr: SocketAddr,
    host: &str,
    path: &str,
    http_port: Option<u16>,
    opts: &ProbeOptions,
    bound: Duration,
) -> TargetReport {
    let target = Target::parse(&format!("https://{host}:{}{path}", addr.port())).unwrap();
    let plan = Plan {
        target,
        address: Some(addr.ip()),
        http_port,
        check_name: true,
    };
    tokio::time::timeout(bound, probe_target(&plan, opts))
        .await
        .unwrap_or_else(|_| panic!("the probe of {addr} did not finish within {bound:?}"))
}

fn codes(r: &TargetReport) -> BTreeSet<&'static str> {
    r.diagnostics.iter().map(|d| d.code).collect()
}

fn message<'a>(r: &'a TargetReport, code: &str) -> &'a str {
    r.diagnostics
        .iter()
        .find(|d| d.code == code)
        .map(|d| d.message.as_str())
        .unwrap_or_else(|| panic!("no {code} in {:#?}", r.diagnostics))
}

fn severity(r: &TargetReport, code: &str) -> Severity {
    r.diagnostics
        .iter()
        .find(|d| d.code == code)
        .unwrap()
        .severity
}

// ----------------------------------------------- in-process rustls servers

/// A certificate made with rcgen (ECDSA P-256), with its key and PEM.
struct Material {
    der: CertificateDer<'static>,
    key: Vec<u8>,
    pem: String,
}

fn days(n: i64) -> time::OffsetDateTime {
    time::OffsetDateTime::now_utc() + time::Duration::days(n)
}

fn params(sans: &[&str], cn: &str, from: i64, to: i64) -> CertificateParams {
    let mut p =
        CertificateParams::new(sans.iter().map(|s| s.to_string()).collect::<Vec<_>>()).unwrap();
    p.distinguished_name.push(DnType::CommonName, cn);
    p.not_before = days(from);
    p.not_after = days(to);
    p
}

fn self_signed(sans: &[&str], cn: &str, from: i64, to: i64) -> Material {
    let key = KeyPair::generate().unwrap();
    let cert = params(sans, cn, from, to).self_signed(&key).unwrap();
    Material {
        der: cert.der().clone(),
        key: key.serialize_der(),
        pem: cert.pem(),
    }
}

/// A local CA and a leaf it signs.
fn ca_and_leaf(sans: &[&str]) -> (Material, Material) {
    let ca_key = KeyPair::generate().unwrap();
    let mut ca_params = params(&[], "nginx-audit test CA", -1, 30);
    ca_params.is_ca = IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    let ca_cert = ca_params.self_signed(&ca_key).unwrap();
    let ca = Material {
        der: ca_cert.der().clone(),
        key: ca_key.serialize_der(),
        pem: ca_cert.pem(),
    };
    let issuer = Issuer::new(ca_params, ca_key);
    let leaf_key = KeyPair::generate().unwrap();
    let leaf = params(sans, sans[0], -1, 30)
        .signed_by(&leaf_key, &issuer)
        .unwrap();
    let leaf = Material {
        der: leaf.der().clone(),
        key: leaf_key.serialize_der(),
        pem: leaf.pem(),
    };
    (ca, leaf)
}

/// A TLS server speaking only `versions`, answering every request with 200
/// (with HSTS when asked), on a loopback port.
async fn rustls_server(
    chain: Vec<CertificateDer<'static>>,
    key: Vec<u8>,
    versions: &[&'static SupportedProtocolVersion],
    hsts: bool,
) -> SocketAddr {
    let key = PrivateKeyDer::try_from(key).unwrap();
    let config = rustls::ServerConfig::builder_with_provider(provider())
        .with_protocol_versions(versions)
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .unwrap();
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                let Ok(Ok(mut tls)) =
                    tokio::time::timeout(Duration::from_secs(5), acceptor.accept(stream)).await
                else {
                    return;
                };
                let mut seen = Vec::new();
                let mut buf = [0u8; 2048];
                while !seen.windows(4).any(|w| w == b"\r\n\r\n") {
                    match tls.read(&mut buf).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => seen.extend_from_slice(&buf[..n]),
                    }
                }
                let extra = if hsts {
                    "Strict-Transport-Security: max-age=31536000\r\n"
                } else {
                    ""
                };
                let response = format!(
                    "HTTP/1.1 200 OK\r\n{extra}Content-Length: 2\r\nConnection: close\r\n\r\nok"
                );
                let _ = tls.write_all(response.as_bytes()).await;
                let _ = tls.shutdown().await;
            });
        }
    });
    addr
}

async fn serve(m: &Material, versions: &[&'static SupportedProtocolVersion]) -> SocketAddr {
    rustls_server(vec![m.der.clone()], m.key.clone(), versions, false).await
}

fn write_pem(dir: &Path, name: &str, pem: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, pem).unwrap();
    p
}

const T: Duration = Duration::from_secs(2);
const BOUND: Duration = Duration::from_secs(20);

#[test]
fn tls13_only_server_facts() {
    let m = self_signed(&["localhost"], "localhost", -1, 365);
    let r = on_runtime(async {
        let addr = serve(&m, &[&TLS13]).await;
        probe_at(addr, "localhost", "/", None, &options(T, None), BOUND).await
    });
    let tls = r.facts.tls.as_ref().unwrap();
    assert_eq!(tls.version, Some(TlsProtocol::Tls13));
    assert!(
        tls.suite.as_deref().unwrap().starts_with("TLS_"),
        "{:?}",
        tls.suite
    );
    assert_eq!(tls.alpn, None, "the server offers no ALPN");
    assert_eq!(r.facts.accepted_protocols(), [TlsProtocol::Tls13]);
    assert_eq!(r.facts.accepted_suites(TlsProtocol::Tls13).len(), 3);
    assert_eq!(tls.chain.len(), 1);
    assert_eq!(tls.chain[0].subject_cn.as_deref(), Some("localhost"));
    // Self-signed and no --ca: notes only. No HSTS: a note too (self-signed).
    assert_eq!(codes(&r), BTreeSet::from(["CRT103", "HDR101"]));
    assert_eq!(severity(&r, "CRT103"), Severity::Info);
    assert_eq!(severity(&r, "HDR101"), Severity::Info);
    assert!(message(&r, "CRT103").contains("self-signed"));
}

#[test]
fn tls12_only_server_lacks_tls13_and_lets_the_client_choose() {
    let m = self_signed(&["localhost"], "localhost", -1, 365);
    let dir = tempfile::tempdir().unwrap();
    let ca = write_pem(dir.path(), "self.pem", &m.pem);
    let r = on_runtime(async {
        let addr = serve(&m, &[&TLS12]).await;
        probe_at(addr, "localhost", "/", None, &options(T, Some(&ca)), BOUND).await
    });
    assert_eq!(
        r.facts.tls.as_ref().unwrap().version,
        Some(TlsProtocol::Tls12)
    );
    assert_eq!(r.facts.accepted_protocols(), [TlsProtocol::Tls12]);
    // rustls' default: the client's order (`ignore_client_order` is false).
    assert_eq!(
        codes(&r),
        BTreeSet::from(["HDR101", "TLS102", "TLS107"]),
        "{:#?}",
        r.diagnostics
    );
    assert_eq!(severity(&r, "TLS102"), Severity::Info);
    // Pinned with --ca: trusted, so the missing HSTS is a real warning.
    assert_eq!(severity(&r, "HDR101"), Severity::Warning);
    assert!(message(&r, "TLS107").contains("TLSv1.2"));
}

#[test]
fn certificate_without_san_expired_and_misnamed() {
    let no_san = self_signed(&[], "localhost", -1, 365);
    let expired = self_signed(&["localhost"], "localhost", -400, -35);
    let misnamed = self_signed(&["other.test"], "other.test", -1, 365);
    let expiring = self_signed(&["localhost"], "localhost", -1, 5);
    let (r1, r2, r3, r4) = on_runtime(async {
        let o = options(T, None);
        let a1 = serve(&no_san, &[&TLS13, &TLS12]).await;
        let a2 = serve(&expired, &[&TLS13, &TLS12]).await;
        let a3 = serve(&misnamed, &[&TLS13, &TLS12]).await;
        let a4 = serve(&expiring, &[&TLS13, &TLS12]).await;
        tokio::join!(
            probe_at(a1, "localhost", "/", None, &o, BOUND),
            probe_at(a2, "localhost", "/", None, &o, BOUND),
            probe_at(a3, "localhost", "/", None, &o, BOUND),
            probe_at(a4, "localhost", "/", None, &o, BOUND),
        )
    });
    assert!(codes(&r1).contains("CRT102"), "{:#?}", r1.diagnostics);
    assert!(message(&r1, "CRT102").contains("no subjectAltName (CN=localhost)"));
    assert!(codes(&r2).contains("CRT101"), "{:#?}", r2.diagnostics);
    assert_eq!(
        message(&r2, "CRT101"),
        "the served certificate (CN=localhost) expired 35 days ago"
    );
    assert!(!codes(&r2).contains("CRT102"));
    assert!(codes(&r3).contains("CRT102"));
    assert!(message(&r3, "CRT102").contains("names other.test"));
    assert!(codes(&r4).contains("CRT106"));
    let expiring = message(&r4, "CRT106");
    // Five days ahead, give or take the second it took to get here.
    assert!(
        expiring.ends_with("expires in 4 days") || expiring.ends_with("expires in 5 days"),
        "{expiring}"
    );
    for r in [&r1, &r2, &r3, &r4] {
        // The handshake completed regardless: the verifier records, it does not refuse.
        assert!(r.facts.tls.as_ref().unwrap().completed());
    }
}

#[test]
fn trust_against_a_ca_bundle() {
    let (ca, leaf) = ca_and_leaf(&["localhost"]);
    let stranger = self_signed(&["localhost"], "localhost", -1, 30);
    let dir = tempfile::tempdir().unwrap();
    let ca_file = write_pem(dir.path(), "ca.pem", &ca.pem);
    let wrong_ca = write_pem(dir.path(), "other.pem", &stranger.pem);
    let (trusted, untrusted, no_ca) = on_runtime(async {
        let addr = rustls_server(
            vec![leaf.der.clone(), ca.der.clone()],
            leaf.key.clone(),
            &[&TLS13],
            true,
        )
        .await;
        let (with_ca, with_wrong_ca, system) = (
            options(T, Some(&ca_file)),
            options(T, Some(&wrong_ca)),
            options(T, None),
        );
        tokio::join!(
            probe_at(addr, "localhost", "/", None, &with_ca, BOUND),
            probe_at(addr, "localhost", "/", None, &with_wrong_ca, BOUND),
            probe_at(addr, "localhost", "/", None, &system, BOUND),
        )
    });
    assert!(codes(&trusted).is_empty(), "{:#?}", trusted.diagnostics);
    assert_eq!(trusted.facts.tls.as_ref().unwrap().chain.len(), 2);
    // Not self-signed, so not merely a note.
    assert_eq!(codes(&untrusted), BTreeSet::from(["CRT103"]));
    assert_eq!(severity(&untrusted, "CRT103"), Severity::Warning);
    assert!(message(&untrusted, "CRT103").contains("unknown issuer"));
    assert_eq!(severity(&no_ca, "CRT103"), Severity::Warning);
}

#[test]
fn sha1_signed_certificate_is_weak() {
    // rcgen cannot sign with SHA-1; the openssl CLI can.
    let dir = tempfile::tempdir().unwrap();
    let (cert, key) = (dir.path().join("c.pem"), dir.path().join("k.pem"));
    let out = std::process::Command::new(require_tool("openssl"))
        .args([
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-sha1", "-days", "60",
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
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let der = CertificateDer::from_pem_file(&cert).unwrap();
    let key = PrivateKeyDer::from_pem_file(&key).unwrap();
    let r = on_runtime(async {
        let addr = rustls_server(vec![der], key.secret_der().to_vec(), &[&TLS13], true).await;
        probe_at(addr, "localhost", "/", None, &options(T, None), BOUND).await
    });
    assert!(codes(&r).contains("CRT104"), "{:#?}", r.diagnostics);
    assert!(message(&r, "CRT104").contains("signed with SHA-1"));
}

// ------------------------------------------------------- hostile peers

#[derive(Clone, Copy)]
enum Fake {
    /// Accepts and never answers.
    Silent,
    /// Answers with bytes that are not TLS.
    Garbage,
    /// Starts a TLS record, then closes.
    ClosesMidHandshake,
    /// A plain-HTTP server on the TLS port.
    PlainHttp,
    /// A ServerHello header, one byte a second.
    Drip,
}

async fn fake(kind: Fake) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((mut s, _)) = listener.accept().await {
            tokio::spawn(async move {
                let mut buf = [0u8; 4096];
                let _ = s.read(&mut buf).await;
                match kind {
                    Fake::Silent => tokio::time::sleep(Duration::from_secs(60)).await,
                    Fake::Garbage => {
                        let _ = s
                            .write_all(b"\x00\x07\xffgarbage, not TLS at all\r\n")
                            .await;
                        tokio::time::sleep(Duration::from_secs(60)).await;
                    }
                    Fake::ClosesMidHandshake => {
                        let _ = s
                            .write_all(&[0x16, 0x03, 0x03, 0x00, 0x40, 0x02, 0x00])
                            .await;
                    }
                    Fake::PlainHttp => {
                        let _ = s
                            .write_all(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
                            .await;
                    }
                    Fake::Drip => {
                        for b in [0x16u8, 0x03, 0x03, 0x00, 0x4a, 0x02, 0x00, 0x00, 0x46, 0x03] {
                            if s.write_all(&[b]).await.is_err() {
                                return;
                            }
                            tokio::time::sleep(Duration::from_secs(1)).await;
                        }
                    }
                }
            });
        }
    });
    addr
}

#[test]
fn hostile_peers_give_clear_findings_within_the_timeout() {
    let t = Duration::from_secs(1);
    let started = Instant::now();
    let reports = on_runtime(async {
        let o = options(t, None);
        let (_bound, refused) = refusing_addr();
        let kinds = [
            Fake::Silent,
            Fake::Garbage,
            Fake::ClosesMidHandshake,
            Fake::PlainHttp,
            Fake::Drip,
        ];
        let mut addrs = Vec::new();
        for k in kinds {
            addrs.push(fake(k).await);
        }
        addrs.push(refused);
        let probes = addrs.iter().map(|a| {
            let o = &o;
            async move {
                let t0 = Instant::now();
                let r = probe_at(*a, "localhost", "/", None, o, Duration::from_secs(10)).await;
                (r, t0.elapsed())
            }
        });
        let mut out = Vec::new();
        for p in probes {
            out.push(p.await);
        }
        out
    });
    let expect = [
        ("silent", "NET101", "TLS handshake timed out"),
        ("garbage", "NET102", "does not speak TLS"),
        ("closes mid-handshake", "TLS105", "closed the connection"),
        ("plain HTTP", "NET102", "HTTP/1.1 400 Bad Request"),
        ("drip", "NET101", "TLS handshake timed out"),
        ("refused", "NET101", "connection refused"),
    ];
    for ((r, took), (what, code, text)) in reports.iter().zip(expect) {
        assert_eq!(
            codes(r),
            BTreeSet::from([code]),
            "{what}: {:#?}",
            r.diagnostics
        );
        assert!(
            message(r, code).contains(text),
            "{what}: {}",
            message(r, code)
        );
        // connect + handshake + one scan round + slack, never the peer's pace.
        assert!(*took < Duration::from_secs(4), "{what} took {took:?}");
    }
    assert!(started.elapsed() < Duration::from_secs(25));
}

// ------------------------------------------------------------ real nginx

fn legacy_env() -> [(&'static str, &'static str); 1] {
    [(
        "OPENSSL_CONF",
        test_cert().legacy_openssl_conf.to_str().unwrap(),
    )]
}

/// The probe's protocol and suite lists must equal s_client's.
fn assert_scan_equals_openssl(label: &str, r: &TargetReport, port: u16) {
    let oracle = openssl_oracle(port);
    assert_eq!(
        r.facts.accepted_protocols(),
        oracle.protocols,
        "{label}: protocols"
    );
    for (version, expected) in &oracle.suites {
        let got: BTreeSet<u16> = r.facts.accepted_suites(*version).into_iter().collect();
        let names = |s: &BTreeSet<u16>| s.iter().map(|c| suite_name(*c)).collect::<Vec<_>>();
        assert_eq!(names(&got), names(expected), "{label}: {version} suites");
    }
}

const GUIDE: &str = "
server {
    listen 127.0.0.1:{PORT} ssl;
    server_name localhost;
    ssl_certificate {CERT};
    ssl_certificate_key {KEY};
    ssl_protocols TLSv1.2 TLSv1.3;
    ssl_ciphers HIGH:!aNULL:!MD5;
    ssl_prefer_server_ciphers on;
    add_header Strict-Transport-Security \"max-age=31536000; includeSubDomains\" always;
    location / {
        proxy_pass http://127.0.0.1:BACKEND;
        proxy_set_header Host $host;
        proxy_set_header X-Real-IP $remote_addr;
        proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
        proxy_set_header X-Forwarded-Proto $scheme;
    }
}
server {
    listen 127.0.0.1:{HTTP_PORT};
    server_name localhost;
    return 301 https://$host:{PORT}$request_uri;
}";

#[test]
fn nginx_guide_setup() {
    let backend = http_backend();
    let nginx = NginxServer::start(&GUIDE.replace("BACKEND", &backend.to_string()), &[]);
    let mut o = options(T, None);
    o.expiry_days = 1; // the shared test certificate lives two days
    let r = on_runtime(probe_at(
        nginx.addr(),
        "localhost",
        "/",
        Some(nginx.http_port),
        &o,
        BOUND,
    ));
    // Only notes: the self-signed certificate and nginx's default server_tokens.
    assert_eq!(
        codes(&r),
        BTreeSet::from(["CRT103", "HDR103"]),
        "{:#?}",
        r.diagnostics
    );
    assert!(r.diagnostics.iter().all(|d| d.severity == Severity::Info));
    let tls = r.facts.tls.as_ref().unwrap();
    assert_eq!(tls.alpn.as_deref(), Some("http/1.1"));
    assert_eq!(
        r.facts.https.as_ref().unwrap().as_ref().unwrap().status,
        200
    );
    let redirect = r
        .facts
        .redirect
        .as_ref()
        .unwrap()
        .response
        .as_ref()
        .unwrap();
    assert_eq!(redirect.status, 301);
    assert_scan_equals_openssl("nginx guide", &r, nginx.port);
}

const BAD: &str = "
server {
    listen 127.0.0.1:{PORT} ssl;
    server_name localhost;
    ssl_certificate {CERT};
    ssl_certificate_key {KEY};
    ssl_protocols TLSv1 TLSv1.1 TLSv1.2;
    ssl_ciphers 'ALL:COMPLEMENTOFALL:@SECLEVEL=0';
    ssl_dhparam {DH1024};
    location / {
        proxy_pass http://127.0.0.1:DEAD;
    }
}
server {
    listen 127.0.0.1:{HTTP_PORT};
    server_name localhost;
    location / { return 200 'plain http'; }
}";

#[test]
fn nginx_bad_setup() {
    let dead = free_port();
    let nginx = NginxServer::start(&BAD.replace("DEAD", &dead.to_string()), &legacy_env());
    let mut o = options(T, None);
    o.expiry_days = 1;
    let r = on_runtime(probe_at(
        nginx.addr(),
        "localhost",
        "/",
        Some(nginx.http_port),
        &o,
        BOUND,
    ));
    let found = codes(&r);
    for code in [
        "TLS101", "TLS102", "TLS103", "TLS104", "TLS107", "RED101", "NET103", "HDR101", "HDR103",
        "CRT103",
    ] {
        assert!(found.contains(code), "{code} missing: {:#?}", r.diagnostics);
    }
    assert_eq!(
        message(&r, "TLS101"),
        "the server accepts TLSv1 and TLSv1.1"
    );
    assert_eq!(severity(&r, "TLS102"), Severity::Info);
    let weak = message(&r, "TLS103");
    assert!(
        weak.contains("(no encryption)") && weak.contains("(no authentication)"),
        "{weak}"
    );
    assert!(message(&r, "TLS104").contains("1024-bit"));
    assert!(message(&r, "NET103").contains("502"));
    assert!(message(&r, "RED101").contains("answered 200"));
    assert_scan_equals_openssl("nginx bad", &r, nginx.port);
}

const REDIRECTS: &str = "
server {
    listen 127.0.0.1:{PORT} ssl;
    server_name localhost;
    ssl_certificate {CERT};
    ssl_certificate_key {KEY};
    ssl_protocols TLSv1.2 TLSv1.3;
    ssl_prefer_server_ciphers on;
    add_header Strict-Transport-Security \"max-age=31536000\";
    location /r/ { return 200 ok; }
    location / { return 404; }
}
server {
    listen 127.0.0.1:{HTTP_PORT};
    server_name localhost;
    location /r/ok/ { return 301 https://$host:{PORT}$request_uri; }
    location /r/temp/ { return 302 https://$host:{PORT}$request_uri; }
    location /r/drop/ { return 301 https://$host:{PORT}/; }
    location /r/off/ { return 301 https://elsewhere.test$request_uri; }
}";

#[test]
fn nginx_redirect_and_header_variants() {
    let nginx = NginxServer::start(REDIRECTS, &[]);
    let mut o = options(T, Some(&test_cert().cert));
    o.expiry_days = 1;
    let paths = [
        "/r/ok/x?q=1",
        "/r/temp/x?q=1",
        "/r/drop/x?q=1",
        "/r/off/x?q=1",
    ];
    let reports = on_runtime(async {
        let mut out = Vec::new();
        for p in paths {
            let r = probe_at(
                nginx.addr(),
                "localhost",
                p,
                Some(nginx.http_port),
                &o,
                BOUND,
            )
            .await;
            out.push(r);
        }
        out
    });
    let red = |r: &TargetReport| -> BTreeSet<&'static str> {
        codes(r)
            .into_iter()
            .filter(|c| c.starts_with("RED"))
            .collect()
    };
    assert!(red(&reports[0]).is_empty(), "{:#?}", reports[0].diagnostics);
    assert_eq!(red(&reports[1]), BTreeSet::from(["RED102"]));
    assert_eq!(red(&reports[2]), BTreeSet::from(["RED103"]));
    assert!(message(&reports[2], "RED103").contains("path / instead of /r/drop/x"));
    assert!(message(&reports[2], "RED103").contains("query ?q=1 dropped"));
    assert_eq!(red(&reports[3]), BTreeSet::from(["RED104"]));
    assert!(message(&reports[3], "RED104").contains("elsewhere.test"));
    // HSTS without `always`: on the 200, not on the 404. Trusted via --ca, so
    // no CRT103; nginx's default server_tokens shows the version.
    let first = &reports[0];
    assert_eq!(codes(first), BTreeSet::from(["HDR102", "HDR103"]));
    assert!(message(first, "HDR103").starts_with("the Server header discloses a version: nginx/"));

    // An http:// target: only its redirect.
    let url = format!("http://localhost:{}/r/temp/x?q=1", nginx.http_port);
    let r = on_runtime(async {
        let plan = Plan::new(Target::parse(&url).unwrap());
        tokio::time::timeout(BOUND, probe_target(&plan, &o))
            .await
            .unwrap()
    });
    assert_eq!(codes(&r), BTreeSet::from(["RED102"]));
    assert!(r.facts.tls.is_none());
}

#[test]
fn cli_probe_json_and_exit_codes() {
    let nginx = NginxServer::start(REDIRECTS, &[]);
    let ok = format!("https://localhost:{}/r/ok/x?q=1", nginx.port);
    let temp = format!("https://localhost:{}/r/temp/x?q=1", nginx.port);
    let out = bin()
        .args([
            "probe",
            "--format",
            "json",
            "--timeout",
            "2s",
            "--expiry-days",
            "1",
        ])
        .args([
            "--http-port",
            &nginx.http_port.to_string(),
            "--concurrency",
            "2",
        ])
        .arg("--ca")
        .arg(&test_cert().cert)
        .args(["--resolve", "localhost:*:127.0.0.1"])
        .args([&ok, &temp])
        .timeout(Duration::from_secs(60))
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.stderr.is_empty(),
        "no progress bar off a TTY: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let diags = json["diagnostics"].as_array().unwrap();
    let red102: Vec<_> = diags.iter().filter(|d| d["code"] == "RED102").collect();
    assert_eq!(red102.len(), 1);
    assert_eq!(
        red102[0]["target"],
        format!("http://localhost:{}", nginx.http_port)
    );
    assert!(red102[0]["location"].is_null());
    assert!(diags.iter().any(
        |d| d["code"] == "HDR102" && d["target"] == format!("https://localhost:{}", nginx.port)
    ));

    // The endpoint facts: one per target, in target order, checked against
    // the config (protocols, redirect statuses) and openssl (fingerprint).
    let endpoints = json["endpoints"].as_array().expect("an endpoints array");
    assert_eq!(endpoints.len(), 2);
    let fingerprint = crate::util::openssl_sha256(&test_cert().cert);
    for (e, status) in endpoints.iter().zip([301, 302]) {
        assert_eq!(e["target"], format!("https://localhost:{}", nginx.port));
        assert_eq!(e["protocols"], serde_json::json!(["TLSv1.2", "TLSv1.3"]));
        assert_eq!(e["handshake"]["version"], "TLSv1.3");
        assert_eq!(e["handshake"]["alpn"], "http/1.1");
        assert_eq!(e["trust"], "pinned");
        assert_eq!(e["certificates"][0]["sha256"], fingerprint.as_str());
        assert_eq!(e["https_status"], 200);
        assert_eq!(e["redirect"]["status"], status);
        let tls12 = &e["suites"][0];
        assert_eq!(tls12["protocol"], "TLSv1.2");
        assert_eq!(tls12["server_order"], true, "ssl_prefer_server_ciphers on");
        assert!(!tls12["accepted"].as_array().unwrap().is_empty());
    }

    // --fail-on error: only warnings and notes here, so exit 0.
    bin()
        .args([
            "probe",
            "--timeout",
            "2s",
            "--fail-on",
            "error",
            "--no-http",
        ])
        .arg("--ca")
        .arg(&test_cert().cert)
        .arg(&ok)
        .timeout(Duration::from_secs(60))
        .assert()
        .code(0);
    // A bad target is a usage error.
    bin().args(["probe", "ftp://x"]).assert().code(2);
    bin()
        .args(["probe", "--http-port", "8080", "--no-http", "x"])
        .assert()
        .code(2);
}

#[test]
fn cli_probe_unreachable_target_is_a_finding() {
    let port = free_port();
    let out = bin()
        .args(["probe", "--timeout", "1s", "--no-http", "--format", "json"])
        .arg(format!("127.0.0.1:{port}"))
        .timeout(Duration::from_secs(30))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["diagnostics"][0]["code"], "NET101");
    assert_eq!(
        json["diagnostics"][0]["target"],
        format!("https://127.0.0.1:{port}")
    );
}

/// Live codes have no fixtures (no static config can raise them); each
/// must instead be asserted by a probe or verify test.
#[test]
fn every_live_code_is_exercised_by_a_probe_test() {
    let sources: String = ["tests/integration/probe.rs", "tests/integration/verify.rs"]
        .iter()
        .map(|p| std::fs::read_to_string(root().join(p)).unwrap())
        .collect();
    let missing: Vec<&str> = LIVE_CODES
        .iter()
        .copied()
        .filter(|c| !sources.contains(&format!("\"{c}\"")))
        .collect();
    assert!(
        missing.is_empty(),
        "live codes no probe/verify test asserts: {missing:?}"
    );
}
