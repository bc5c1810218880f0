//! Speed benchmark for the probe (issue 4).
//!
//! `cargo bench --bench probe` starts a loopback nginx (the guide's setup:
//! TLSv1.2/1.3, `HIGH:!aNULL:!MD5`, 301 redirect) answering 200 server names,
//! and times, in one run:
//!
//! * one full probe of one endpoint (handshake, protocol scan, suite
//!   enumeration per version, certificate, HTTPS requests, plain-HTTP
//!   redirect), in process, median of `BENCH_RUNS`;
//! * the same through the release binary when one is available;
//! * 200 targets (200 SNI names on the one nginx, pinned like `--resolve`)
//!   with `--concurrency 50`;
//! * an `openssl s_client` loop doing the same protocol and suite
//!   enumeration for one endpoint (one process per question, sequential, as a
//!   shell loop would), and for 200 endpoints extrapolated from it;
//! * `sslyze` (protocols + certificate) and `testssl.sh` (`-p -e`: protocols
//!   and each cipher) on one endpoint when installed, and sslyze on all 200.
//!
//! Environment: `BENCH_RUNS` (default 5), `BENCH_TARGETS` (default 200),
//! `BENCH_PEERS=0` skips s_client/sslyze/testssl, `NGINX_AUDIT_BIN` names the
//! binary (default `target/release/nginx-audit` if it exists).
//! Only 127.0.0.1 is ever contacted.

#[path = "../tests/integration/util.rs"]
mod util;

#[path = "../tests/integration/servers.rs"]
mod servers;

use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use nginx_audit::probe::danger::Trust;
use nginx_audit::probe::run::{probe_all, probe_target, runtime, Plan, ProbeOptions};
use nginx_audit::probe::scan::{suites_for, TlsProtocol};
use nginx_audit::probe::target::Target;

use servers::{openssl_known_suites, s_client_accepts, s_client_flags, NginxServer};

fn env_num(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn main() {
    // `cargo bench` passes `--bench`; nothing else is accepted.
    let runs = env_num("BENCH_RUNS", 5).max(1);
    let n = env_num("BENCH_TARGETS", 200).max(1);
    let peers = std::env::var("BENCH_PEERS").map_or(true, |v| v != "0");

    let names: Vec<String> = (0..n).map(|i| format!("n{i}.test")).collect();
    let conf = format!(
        "daemon off;\nmaster_process off;\nworker_processes 1;\n\
         pid {{PREFIX}}/nginx.pid;\nerror_log stderr error;\n\
         worker_rlimit_nofile 8192;\n\
         events {{ worker_connections 4096; }}\n\
         http {{\n\
         access_log off;\n\
         client_body_temp_path {{PREFIX}}/client_body;\nproxy_temp_path {{PREFIX}}/proxy;\n\
         fastcgi_temp_path {{PREFIX}}/fastcgi;\nuwsgi_temp_path {{PREFIX}}/uwsgi;\n\
         scgi_temp_path {{PREFIX}}/scgi;\n\
         server_names_hash_max_size 4096;\n\
         server {{\n\
           listen 127.0.0.1:{{PORT}} ssl;\n\
           server_name localhost {names};\n\
           ssl_certificate {{CERT}};\n\
           ssl_certificate_key {{KEY}};\n\
           ssl_protocols TLSv1.2 TLSv1.3;\n\
           ssl_ciphers HIGH:!aNULL:!MD5;\n\
           ssl_prefer_server_ciphers on;\n\
           add_header Strict-Transport-Security \"max-age=31536000; includeSubDomains\" always;\n\
           return 200 ok;\n\
         }}\n\
         server {{\n\
           listen 127.0.0.1:{{HTTP_PORT}};\n\
           server_name localhost {names};\n\
           return 301 https://$host:{{PORT}}$request_uri;\n\
         }}\n}}\n",
        names = names.join(" ")
    );
    let nginx = NginxServer::start_main(&conf, &[]);
    let (port, http_port) = (nginx.port, nginx.http_port);
    println!("# Probe benchmark: nginx on 127.0.0.1:{port} (HTTP {http_port}), {n} names");
    println!(
        "machine: {} cores",
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );

    let rt = runtime().unwrap();
    let mut opts = ProbeOptions::new(Trust::system());
    opts.timeout = Duration::from_secs(5);
    opts.concurrency = 50;
    let plan = |host: &str| Plan {
        target: Target::parse(&format!("https://{host}:{port}/")).unwrap(),
        address: Some("127.0.0.1".parse().unwrap()),
        http_port: Some(http_port),
        check_name: true,
    };

    // One endpoint, in process.
    let mut one = Vec::new();
    let mut hellos = 0;
    for _ in 0..runs {
        let t0 = Instant::now();
        let r = rt.block_on(probe_target(&plan("localhost"), &opts));
        one.push(t0.elapsed());
        let suites: usize = r.facts.suites.iter().map(|s| s.accepted.len()).sum();
        hellos = 5 + r
            .facts
            .suites
            .iter()
            .map(|s| s.accepted.len() + 1 + 2)
            .sum::<usize>();
        assert!(
            suites > 0 && r.facts.redirect.is_some(),
            "probe incomplete: {:?}",
            r.diagnostics
        );
    }
    println!(
        "one endpoint, in process: median {} ({} runs, ~{hellos} ClientHellos + 1 handshake + 3 HTTP requests)",
        ms(median(&mut one)),
        runs
    );

    // One endpoint, the binary.
    if let Some(bin) = binary() {
        let mut cli = Vec::new();
        for _ in 0..runs {
            let t0 = Instant::now();
            let out = Command::new(&bin)
                .args([
                    "probe",
                    "--format",
                    "json",
                    "--http-port",
                    &http_port.to_string(),
                ])
                .arg(format!("https://localhost:{port}/"))
                .args(["--resolve", &format!("localhost:{port}:127.0.0.1")])
                .stdout(Stdio::null())
                .status()
                .unwrap();
            assert!(out.code().is_some());
            cli.push(t0.elapsed());
        }
        println!(
            "one endpoint, {}: median {}",
            bin.display(),
            ms(median(&mut cli))
        );
    }

    // Many targets, --concurrency 50.
    let plans: Vec<Plan> = names.iter().map(|h| plan(h)).collect();
    let t0 = Instant::now();
    let reports = rt.block_on(probe_all(plans, &opts, None));
    let many = t0.elapsed();
    let failed = reports
        .iter()
        .filter(|r| {
            r.facts.suites.is_empty() || r.diagnostics.iter().any(|d| d.code.starts_with("NET"))
        })
        .count();
    println!(
        "{n} targets, --concurrency 50, in process: {} ({:.1} targets/s, {failed} incomplete)",
        ms(many),
        n as f64 / many.as_secs_f64()
    );
    drop(rt);

    if !peers {
        return;
    }

    // openssl s_client, one process per question, sequential.
    let t0 = Instant::now();
    let (protocols, questions) = s_client_enumeration(port);
    let s_client = t0.elapsed();
    println!(
        "openssl s_client loop, one endpoint: {} ({questions} s_client runs; protocols {:?})",
        ms(s_client),
        protocols.iter().map(|p| p.as_str()).collect::<Vec<_>>()
    );
    println!(
        "openssl s_client loop, {n} endpoints (extrapolated, sequential): {}",
        ms(s_client * n as u32)
    );

    if let Some(sslyze) = which("sslyze") {
        let target = format!("localhost:{port}{{127.0.0.1}}");
        let t0 = Instant::now();
        let ok = Command::new(&sslyze)
            .args([
                "--quiet",
                "--sslv3",
                "--tlsv1",
                "--tlsv1_1",
                "--tlsv1_2",
                "--tlsv1_3",
                "--certinfo",
            ])
            .arg(&target)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .map(|s| s.success())
            .unwrap_or(false);
        println!(
            "sslyze (protocols + suites + certinfo), one endpoint: {} (ok: {ok})",
            ms(t0.elapsed())
        );
        let file = std::env::temp_dir().join(format!("nginx-audit-bench-targets-{port}.txt"));
        let list: Vec<String> = names
            .iter()
            .map(|h| format!("{h}:{port}{{127.0.0.1}}"))
            .collect();
        std::fs::write(&file, list.join("\n")).unwrap();
        let t0 = Instant::now();
        let ok = Command::new(&sslyze)
            .args([
                "--quiet",
                "--sslv3",
                "--tlsv1",
                "--tlsv1_1",
                "--tlsv1_2",
                "--tlsv1_3",
                "--certinfo",
            ])
            .arg("--targets_in")
            .arg(&file)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .map(|s| s.success())
            .unwrap_or(false);
        println!(
            "sslyze, {n} targets (its own concurrency): {} (ok: {ok})",
            ms(t0.elapsed())
        );
        let _ = std::fs::remove_file(file);
    } else {
        println!("sslyze: not installed (pip install sslyze)");
    }

    if let Some(testssl) = which("testssl").or_else(|| which("testssl.sh")) {
        let t0 = Instant::now();
        let ok = Command::new(&testssl)
            .args([
                "--quiet",
                "--color",
                "0",
                "-p",
                "-e",
                "--ip",
                "127.0.0.1",
                "--warnings",
                "off",
            ])
            .arg(format!("localhost:{port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .map(|s| s.code().is_some())
            .unwrap_or(false);
        println!(
            "testssl.sh -p -e (protocols + each cipher), one endpoint: {} (ran: {ok})",
            ms(t0.elapsed())
        );
    } else {
        println!("testssl.sh: not installed (apt-get install testssl.sh)");
    }
}

/// The s_client enumeration a shell loop would do: each protocol with every
/// suite, then each suite this OpenSSL builds alone per accepted protocol.
fn s_client_enumeration(port: u16) -> (Vec<TlsProtocol>, usize) {
    let mut questions = 0;
    let known = |v: TlsProtocol| -> Vec<String> {
        let applicable = suites_for(v);
        openssl_known_suites()
            .iter()
            .filter(|(c, _)| applicable.contains(c))
            .map(|(_, n)| n.clone())
            .collect()
    };
    let ask = |flags: Vec<String>, q: &mut usize| {
        *q += 1;
        let flags: Vec<&str> = flags.iter().map(String::as_str).collect();
        s_client_accepts(port, &flags)
    };
    let mut protocols = Vec::new();
    for v in TlsProtocol::ALL {
        let offer = match v {
            TlsProtocol::Tls13 => known(v).join(":"),
            _ => "ALL:COMPLEMENTOFALL".into(),
        };
        if let Some(flags) = s_client_flags(v, &offer) {
            if ask(flags, &mut questions).is_some() {
                protocols.push(v);
            }
        }
    }
    for v in &protocols {
        for name in known(*v) {
            ask(s_client_flags(*v, &name).unwrap(), &mut questions);
        }
    }
    (protocols, questions)
}

fn binary() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("NGINX_AUDIT_BIN") {
        return Some(PathBuf::from(p));
    }
    let p = util::root().join("target/release/nginx-audit");
    p.is_file().then_some(p)
}

fn which(name: &str) -> Option<PathBuf> {
    std::env::var("PATH")
        .unwrap_or_default()
        .split(':')
        .map(|d| PathBuf::from(d).join(name))
        .find(|p| p.is_file())
}

fn median(v: &mut [Duration]) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn ms(d: Duration) -> String {
    if d >= Duration::from_secs(10) {
        format!("{:.1} s", d.as_secs_f64())
    } else {
        format!("{:.0} ms", d.as_secs_f64() * 1000.0)
    }
}
