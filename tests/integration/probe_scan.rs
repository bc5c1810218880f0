//! The raw-ClientHello scanner against real servers on loopback, with
//! `openssl s_client` as the oracle: for every setup, the protocols and the
//! suites per protocol the scanner reports must equal what OpenSSL's own
//! client can establish, one protocol and one suite at a time. The servers
//! use the same OpenSSL as the oracle, so the oracle covers every suite the
//! server could possibly pick; suites OpenSSL does not build are still
//! offered by the scanner and must simply never show up.

use std::collections::BTreeSet;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use nginx_audit::probe::scan::{
    self, suite_name, HelloOutcome, Phase, ProtocolScan, ScanOptions, SuiteScan, TlsProtocol,
};
use nginx_audit::tls::ciphers;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

use crate::servers::{
    loopback, openssl_oracle, refusing_addr, s_client_accepts, s_client_flags, s_client_session,
    test_cert, NginxServer, SServer,
};

fn options() -> ScanOptions {
    ScanOptions {
        timeout: Duration::from_secs(5),
        sni: Some("localhost".into()),
    }
}

fn block_on<F: std::future::Future>(future: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(future)
}

/// Everything the scanner says about one server.
struct Scanned {
    protocols: ProtocolScan,
    suites: Vec<SuiteScan>,
    took: Duration,
}

impl Scanned {
    fn suites(&self, version: TlsProtocol) -> Option<&SuiteScan> {
        self.suites.iter().find(|s| s.version == version)
    }
}

fn scan(addr: SocketAddr) -> Scanned {
    let started = Instant::now();
    let opts = options();
    block_on(async {
        let protocols = scan::scan_protocols(addr, &opts).await;
        let mut suites = Vec::new();
        for version in &protocols.accepted {
            suites.push(scan::scan_suites(addr, *version, &opts).await);
        }
        Scanned {
            protocols,
            suites,
            took: started.elapsed(),
        }
    })
}

/// The s_client flags offering exactly `suites` (OpenSSL names) in `version`.
fn oracle_flags(version: TlsProtocol, suites: &str) -> Vec<String> {
    s_client_flags(version, suites).expect("no SSLv3 in this OpenSSL")
}

fn s_client(port: u16, flags: &[String]) -> Option<String> {
    let flags: Vec<&str> = flags.iter().map(String::as_str).collect();
    s_client_accepts(port, &flags)
}

fn names(codes: &BTreeSet<u16>) -> Vec<String> {
    codes.iter().map(|c| suite_name(*c)).collect()
}

/// Scans `port`, runs the oracle, asserts equality, and prints one summary line.
fn scan_equals_oracle(label: &str, port: u16) -> Scanned {
    let scanned = scan(loopback(port));
    let started = Instant::now();
    let oracle = openssl_oracle(port);
    let oracle_took = started.elapsed();
    assert_eq!(
        scanned.protocols.accepted, oracle.protocols,
        "{label}: protocols (scanner outcomes: {:?})",
        scanned.protocols.outcomes
    );
    let mut summary = Vec::new();
    for (version, expected) in &oracle.suites {
        let found: BTreeSet<u16> = scanned
            .suites(*version)
            .map(|s| s.accepted.iter().copied().collect())
            .unwrap_or_default();
        assert_eq!(
            names(&found),
            names(expected),
            "{label}: {version} suites (scan ended by {:?})",
            scanned.suites(*version).and_then(|s| s.ended_by.as_ref())
        );
        summary.push(format!("{version}: {} suites", found.len()));
    }
    println!(
        "{label}: protocols {:?} equal; {} equal; scan {:?}, oracle {:?}",
        oracle
            .protocols
            .iter()
            .map(|p| p.as_str())
            .collect::<Vec<_>>(),
        summary.join(", "),
        scanned.took,
        oracle_took
    );
    scanned
}

/// Whether the server picks by its own order, asked the s_client way: offer
/// two accepted suites in both orders and see whether the choice moves.
fn oracle_server_order(port: u16, version: TlsProtocol, a: u16, b: u16) -> bool {
    let name = |c| ciphers::by_code(c).unwrap().openssl;
    let ab = s_client(
        port,
        &oracle_flags(version, &format!("{}:{}", name(a), name(b))),
    );
    let ba = s_client(
        port,
        &oracle_flags(version, &format!("{}:{}", name(b), name(a))),
    );
    assert!(ab.is_some() && ba.is_some());
    ab == ba
}

fn assert_order_matches_oracle(label: &str, port: u16, scan: &SuiteScan, expected: bool) {
    assert!(scan.accepted.len() >= 2, "{label}: need two suites");
    let (a, b) = (scan.accepted[0], scan.accepted[1]);
    assert_eq!(oracle_server_order(port, scan.version, a, b), expected);
    assert_eq!(
        scan.server_order,
        Some(expected),
        "{label}: {}",
        scan.version
    );
}

#[test]
fn s_server_default_tls12_and_13() {
    let server = SServer::start(&[], &[]);
    let scanned = scan_equals_oracle("s_server default", server.port);
    assert_eq!(
        scanned.protocols.accepted,
        [TlsProtocol::Tls12, TlsProtocol::Tls13]
    );
}

#[test]
fn s_server_tls12_two_suites() {
    let server = SServer::start(
        &[
            "-tls1_2",
            "-cipher",
            "ECDHE-RSA-AES128-GCM-SHA256:AES256-SHA",
        ],
        &[],
    );
    let scanned = scan_equals_oracle("s_server -tls1_2 two suites", server.port);
    assert_eq!(scanned.protocols.accepted, [TlsProtocol::Tls12]);
    let tls12 = scanned.suites(TlsProtocol::Tls12).unwrap();
    assert_eq!(
        tls12.accepted.iter().copied().collect::<BTreeSet<_>>(),
        BTreeSet::from([0xc02f, 0x0035])
    );
    // The offer after the last accepted suite ends in a handshake_failure alert.
    assert_eq!(tls12.ended_by, Some(HelloOutcome::Alert(40)));
    let tls13 = &scanned.protocols.outcomes[4].1;
    assert!(!tls13.is_accepted(), "{tls13}");
}

fn legacy_env() -> [(&'static str, &'static str); 1] {
    let conf = test_cert().legacy_openssl_conf.to_str().unwrap();
    [("OPENSSL_CONF", conf)]
}

#[test]
fn s_server_legacy_client_order() {
    let server = SServer::start(&["-cipher", "ALL:@SECLEVEL=0"], &legacy_env());
    let scanned = scan_equals_oracle("s_server legacy", server.port);
    for version in [TlsProtocol::Tls10, TlsProtocol::Tls11, TlsProtocol::Tls12] {
        let suites = scanned.suites(version).unwrap();
        assert_order_matches_oracle("s_server legacy", server.port, suites, false);
    }
}

#[test]
fn s_server_legacy_server_order() {
    let server = SServer::start(
        &["-cipher", "ALL:@SECLEVEL=0", "-serverpref"],
        &legacy_env(),
    );
    let scanned = scan_equals_oracle("s_server legacy -serverpref", server.port);
    for version in [TlsProtocol::Tls10, TlsProtocol::Tls12] {
        let suites = scanned.suites(version).unwrap();
        assert_order_matches_oracle("s_server -serverpref", server.port, suites, true);
    }
}

#[test]
fn s_server_dhe_1024() {
    let dh = test_cert().dh1024.to_str().unwrap();
    let server = SServer::start(
        &[
            "-dhparam",
            dh,
            "-cipher",
            "DHE-RSA-AES128-GCM-SHA256:@SECLEVEL=0",
        ],
        &[],
    );
    let scanned = scan_equals_oracle("s_server DHE 1024", server.port);
    let tls12 = scanned.suites(TlsProtocol::Tls12).unwrap();
    assert_eq!(tls12.accepted, [0x009e]);
    assert_eq!(tls12.dh_bits, Some(1024));
    let session = s_client_session(
        server.port,
        &[
            "-tls1_2",
            "-cipher",
            "DHE-RSA-AES128-GCM-SHA256:@SECLEVEL=0",
        ],
    )
    .expect("s_client establishes DHE");
    assert_eq!(session.server_temp_key.as_deref(), Some("DH, 1024 bits"));
}

const NGINX_TLS_SERVER: &str = "server {
    listen 127.0.0.1:{PORT} ssl;
    server_name localhost;
    ssl_certificate {CERT};
    ssl_certificate_key {KEY};
    PROTOCOLS_AND_CIPHERS
    return 200 ok;
}
server {
    listen 127.0.0.1:{HTTP_PORT};
    return 301 https://$host$request_uri;
}";

#[test]
fn nginx_bad_setup_serves_tls10_and_weak_suites() {
    let body = NGINX_TLS_SERVER.replace(
        "PROTOCOLS_AND_CIPHERS",
        "ssl_protocols TLSv1 TLSv1.1 TLSv1.2;\n    ssl_ciphers 'ALL:@SECLEVEL=0';",
    );
    let nginx = NginxServer::start(&body, &legacy_env());
    let scanned = scan_equals_oracle("nginx bad setup", nginx.port);
    assert_eq!(
        scanned.protocols.accepted,
        [TlsProtocol::Tls10, TlsProtocol::Tls11, TlsProtocol::Tls12]
    );
    // ALL includes the anonymous suites: the scanner must see them.
    let tls10 = scanned.suites(TlsProtocol::Tls10).unwrap();
    assert!(tls10
        .accepted
        .iter()
        .any(|c| ciphers::by_code(*c).is_some_and(|s| s.au == ciphers::Au::Null)));
    // nginx's default: ssl_prefer_server_ciphers off.
    assert_order_matches_oracle("nginx bad", nginx.port, tls10, false);

    // The plain-HTTP port answers a ClientHello with an HTTP error.
    let plain = block_on(scan::hello(
        loopback(nginx.http_port),
        TlsProtocol::Tls12,
        &[0xc02f],
        &options(),
    ));
    assert!(
        matches!(&plain, HelloOutcome::NotTls(head) if head.starts_with("HTTP/1.1 400")),
        "{plain:?}"
    );
}

#[test]
fn nginx_guide_setup() {
    let body = NGINX_TLS_SERVER.replace(
        "PROTOCOLS_AND_CIPHERS",
        "ssl_protocols TLSv1.2 TLSv1.3;\n    ssl_ciphers HIGH:!aNULL:!MD5;",
    );
    let nginx = NginxServer::start(&body, &[]);
    let scanned = scan_equals_oracle("nginx guide setup", nginx.port);
    assert_eq!(
        scanned.protocols.accepted,
        [TlsProtocol::Tls12, TlsProtocol::Tls13]
    );
    for suite in &scanned.suites(TlsProtocol::Tls12).unwrap().accepted {
        let facts = ciphers::by_code(*suite).unwrap();
        assert!(facts.weakness().is_none(), "{} is weak", facts.openssl);
    }
}

/// A one-connection TCP server that reads the hello, then does `answer`.
async fn fake_server(answer: &'static [u8], close: bool) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let (mut stream, _) = listener.accept().await.unwrap();
        let mut buf = [0u8; 4096];
        let _ = stream.read(&mut buf).await;
        let _ = stream.write_all(answer).await;
        if close {
            return;
        }
        // Hold the connection open without answering further.
        tokio::time::sleep(Duration::from_secs(30)).await;
    });
    addr
}

#[test]
fn non_tls_silent_and_closing_peers() {
    let opts = ScanOptions {
        timeout: Duration::from_millis(300),
        sni: None,
    };
    block_on(async {
        let tls12 = TlsProtocol::Tls12;
        let http = fake_server(b"HTTP/1.1 400 Bad Request\r\n\r\n", true).await;
        let outcome = scan::hello(http, tls12, &[0xc02f], &opts).await;
        assert_eq!(
            outcome,
            HelloOutcome::NotTls(r"HTTP/1.1 400 Bad Request\r\n\r\n".into())
        );

        let silent = fake_server(b"", false).await;
        let started = Instant::now();
        let outcome = scan::hello(silent, tls12, &[0xc02f], &opts).await;
        assert_eq!(outcome, HelloOutcome::Timeout(Phase::ReadServerHello));
        assert!(started.elapsed() < Duration::from_secs(2));

        let closing = fake_server(b"", true).await;
        assert_eq!(
            scan::hello(closing, tls12, &[0xc02f], &opts).await,
            HelloOutcome::Closed
        );

        let oversized = fake_server(&[22, 3, 3, 0xff, 0xff, 0], true).await;
        let outcome = scan::hello(oversized, tls12, &[0xc02f], &opts).await;
        assert!(matches!(outcome, HelloOutcome::Malformed(_)), "{outcome:?}");

        let alert = fake_server(&[21, 3, 3, 0, 2, 2, 70], true).await;
        assert_eq!(
            scan::hello(alert, tls12, &[0xc02f], &opts).await,
            HelloOutcome::Alert(70)
        );

        let (_bound, nobody) = refusing_addr();
        let outcome = scan::hello(nobody, tls12, &[0xc02f], &opts).await;
        assert!(matches!(outcome, HelloOutcome::Io(_)), "{outcome:?}");

        let scanned = scan::scan_protocols(silent_or_closed().await, &opts).await;
        assert!(scanned.accepted.is_empty());
    });
}

/// A server that closes every connection at once, for a whole protocol scan.
async fn silent_or_closed() -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            drop(stream);
        }
    });
    addr
}
