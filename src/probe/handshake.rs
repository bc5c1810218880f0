//! One real TLS handshake with tokio-rustls (ring), each step under its own
//! timeout, and the certificate checks on the chain it returns.
//!
//! The handshake answers what a modern client gets: version, suite, ALPN and
//! the served chain (parsed with x509-parser through `crate::tls::cert`), and
//! the same certificate checks as the static CRT rules, but on what the
//! server really presents.

use std::fmt;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use rustls::pki_types::ServerName;
use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;
use tokio::time::timeout;
use tokio_rustls::TlsConnector;

use super::danger::{client_config, RecordingVerifier, Trust, Verdict};
use super::scan::{suite_name, TlsProtocol};
use crate::diag::{Diagnostic, Severity};
use crate::rules::live::{
    ServedCertificateExpired, ServedCertificateExpiring, ServedCertificateNameMismatch,
    ServedCertificateUntrusted, ServedCertificateWeak,
};
use crate::rules::RuleMeta;
use crate::tls::cert::{parse_der, CertificateInfo, PublicKeyInfo, WeakHash};

/// A network step, named in findings about what failed or hung.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    Resolve,
    Connect,
    Handshake,
    HttpResponse,
}

impl fmt::Display for Step {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Step::Resolve => "name resolution",
            Step::Connect => "connect",
            Step::Handshake => "TLS handshake",
            Step::HttpResponse => "HTTP response",
        })
    }
}

/// Why the handshake did not complete.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    /// Nothing could be connected to (every address tried).
    Connect { error: String, timed_out: bool },
    /// Connected, but no handshake within the timeout.
    HandshakeTimeout,
    /// The peer closed or reset the connection during the handshake.
    Closed(String),
    /// The peer's bytes are not TLS (rustls could not even frame them).
    Corrupt(String),
    /// A TLS-level refusal: an alert, no common parameters, a bad signature.
    Refused(String),
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Failure::Connect {
                error,
                timed_out: true,
            } => write!(f, "connect timed out: {error}"),
            Failure::Connect { error, .. } => write!(f, "connect failed: {error}"),
            Failure::HandshakeTimeout => f.write_str("no handshake within the timeout"),
            Failure::Closed(why) => write!(f, "closed during the handshake: {why}"),
            Failure::Corrupt(why) => write!(f, "not TLS: {why}"),
            Failure::Refused(why) => write!(f, "refused: {why}"),
        }
    }
}

/// What a handshake showed, complete or not.
#[derive(Debug, Clone, Default)]
pub struct TlsFacts {
    /// The address that accepted the TCP connection.
    pub addr: Option<SocketAddr>,
    pub version: Option<TlsProtocol>,
    /// OpenSSL's name for the negotiated suite.
    pub suite: Option<String>,
    pub alpn: Option<String>,
    /// Leaf first; recorded even when the handshake failed after the
    /// Certificate message.
    pub chain: Vec<CertificateInfo>,
    /// DER, in the same order.
    pub chain_der: Vec<Vec<u8>>,
    pub verdict: Option<Verdict>,
    pub failure: Option<Failure>,
}

impl TlsFacts {
    pub fn completed(&self) -> bool {
        self.failure.is_none()
    }

    pub fn leaf(&self) -> Option<&CertificateInfo> {
        self.chain.first()
    }
}

/// Connects to the first of `addrs` that accepts, then runs a handshake
/// with SNI `host` (none for an IP literal), offering ALPN h2 and http/1.1.
pub async fn handshake(
    addrs: &[SocketAddr],
    host: &str,
    trust: &Arc<Trust>,
    step_timeout: Duration,
) -> TlsFacts {
    let mut facts = TlsFacts::default();
    let mut last = None;
    let mut stream = None;
    for addr in addrs {
        match timeout(step_timeout, TcpStream::connect(addr)).await {
            Ok(Ok(s)) => {
                facts.addr = Some(*addr);
                stream = Some(s);
                break;
            }
            Ok(Err(e)) => {
                last = Some(Failure::Connect {
                    error: format!("connect to {addr} failed: {}", io_text(&e)),
                    timed_out: false,
                })
            }
            Err(_) => {
                last = Some(Failure::Connect {
                    error: format!(
                        "connect to {addr} timed out after {}",
                        super::target::show_duration(step_timeout)
                    ),
                    timed_out: true,
                })
            }
        }
    }
    let Some(stream) = stream else {
        facts.failure = Some(last.unwrap_or(Failure::Connect {
            error: "no address to connect to".into(),
            timed_out: false,
        }));
        return facts;
    };
    let _ = stream.set_nodelay(true);

    let verifier = RecordingVerifier::new(Some(trust.clone()));
    let config = client_config(verifier.clone(), &[b"h2", b"http/1.1"]);
    let name = match host.parse::<std::net::IpAddr>() {
        Ok(ip) => ServerName::IpAddress(ip.into()),
        Err(_) => match ServerName::try_from(host.to_string()) {
            Ok(n) => n,
            Err(e) => {
                facts.failure = Some(Failure::Refused(format!("\"{host}\": {e}")));
                return facts;
            }
        },
    };
    let connector = TlsConnector::from(Arc::new(config));
    let result = timeout(step_timeout, connector.connect(name, stream)).await;

    let recorded = verifier.recorded();
    facts.verdict = recorded.verdict;
    facts.chain_der = recorded.chain.iter().map(|c| c.to_vec()).collect();
    facts.chain = recorded
        .chain
        .iter()
        .filter_map(|c| parse_der(c.as_ref()).ok())
        .collect();

    match result {
        Err(_) => facts.failure = Some(Failure::HandshakeTimeout),
        Ok(Err(e)) => facts.failure = Some(classify(&e)),
        Ok(Ok(mut tls)) => {
            {
                let (_, conn) = tls.get_ref();
                facts.version = conn
                    .protocol_version()
                    .and_then(|v| TlsProtocol::from_wire(u16::from(v)));
                facts.suite = conn
                    .negotiated_cipher_suite()
                    .map(|s| suite_name(u16::from(s.suite())));
                facts.alpn = conn
                    .alpn_protocol()
                    .map(|p| String::from_utf8_lossy(p).into_owned());
            }
            // Best effort: a close_notify, without waiting long for it.
            let _ = timeout(Duration::from_millis(200), tls.shutdown()).await;
        }
    }
    facts
}

fn io_text(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::ConnectionRefused => "connection refused".into(),
        _ => e.to_string(),
    }
}

/// Sorts a rustls/IO error into what the probe reports.
fn classify(e: &std::io::Error) -> Failure {
    use std::io::ErrorKind as K;
    if matches!(
        e.kind(),
        K::UnexpectedEof | K::ConnectionReset | K::ConnectionAborted | K::BrokenPipe
    ) {
        return Failure::Closed(match e.kind() {
            K::UnexpectedEof => "the server closed the connection during the handshake".into(),
            _ => format!(
                "the connection was reset during the handshake ({})",
                e.kind()
            ),
        });
    }
    let text = e
        .get_ref()
        .map(|inner| inner.to_string())
        .unwrap_or_else(|| e.to_string());
    if let Some(rustls::Error::InvalidMessage(_)) = e
        .get_ref()
        .and_then(|inner| inner.downcast_ref::<rustls::Error>())
    {
        return Failure::Corrupt(text);
    }
    Failure::Refused(text)
}

/// What the certificate checks need besides the chain.
pub struct CertCheck<'a> {
    /// The name the client asked for (SNI), or None when it did not come
    /// from the user or the config (nothing to match).
    pub name: Option<&'a str>,
    pub now: i64,
    pub expiry_days: i64,
    pub min_rsa_bits: u32,
    /// Whether `--ca` was given (a self-signed cert is then judged in full).
    pub explicit_trust: bool,
}

const MIN_EC_BITS: u32 = 256;

fn finding(meta: &RuleMeta, target: &str, message: String) -> Diagnostic {
    Diagnostic::at_target(meta.code, meta.severity, target, message)
}

/// `CN=app.test` or the subject.
pub fn who(c: &CertificateInfo) -> String {
    match &c.subject_cn {
        Some(cn) => format!("CN={cn}"),
        None if c.subject.is_empty() => "with an empty subject".into(),
        None => c.subject.clone(),
    }
}

fn days(n: i64) -> String {
    if n == 1 {
        "1 day".into()
    } else {
        format!("{n} days")
    }
}

/// CRT101–CRT104 and CRT106 on a served chain.
pub fn certificate_findings(facts: &TlsFacts, target: &str, ck: &CertCheck<'_>) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let Some(leaf) = facts.leaf() else {
        return out;
    };
    let subject = who(leaf);
    if leaf.is_expired(ck.now) {
        out.push(finding(
            &ServedCertificateExpired::META,
            target,
            format!(
                "the served certificate ({subject}) expired {} ago",
                days((ck.now - leaf.not_after).div_euclid(86_400))
            ),
        ));
    } else if leaf.is_not_yet_valid(ck.now) {
        out.push(finding(
            &ServedCertificateExpired::META,
            target,
            format!(
                "the served certificate ({subject}) is not valid for another {}",
                days((leaf.not_before - ck.now).div_euclid(86_400) + 1)
            ),
        ));
    } else {
        let left = leaf.days_until_expiry(ck.now);
        if left < ck.expiry_days {
            out.push(finding(
                &ServedCertificateExpiring::META,
                target,
                format!(
                    "the served certificate ({subject}) expires in {}",
                    days(left)
                ),
            ));
        }
    }

    if let Some(name) = ck.name {
        if !leaf.covers_name_browser(name) {
            let presented = if !leaf.has_san_extension {
                format!(
                    "has no subjectAltName{}; browsers ignore the CN",
                    leaf.subject_cn
                        .as_deref()
                        .map(|cn| format!(" (CN={cn})"))
                        .unwrap_or_default()
                )
            } else {
                let sans: Vec<String> = leaf
                    .san_dns
                    .iter()
                    .cloned()
                    .chain(leaf.san_ip.iter().map(|ip| ip.to_string()))
                    .collect();
                format!("names {}", crate::rules::tls::name_list(&sans, 5))
            };
            out.push(finding(
                &ServedCertificateNameMismatch::META,
                target,
                format!("the served certificate does not cover {name}: it {presented}"),
            ));
        }
    }

    match &facts.verdict {
        Some(Verdict::Untrusted(why)) => {
            let self_signed = leaf.self_signed && facts.chain.len() == 1;
            let mut d = finding(
                &ServedCertificateUntrusted::META,
                target,
                if self_signed {
                    format!("the served certificate ({subject}) is self-signed and not in the trust store")
                } else {
                    format!("the served certificate ({subject}) is not trusted: {why}")
                },
            );
            if self_signed && !ck.explicit_trust {
                d.severity = Severity::Info;
                d = d.with_help(
                    "pass --ca with the certificate (or the local CA that issued it) to check trust",
                );
            }
            out.push(d);
        }
        Some(Verdict::Trusted | Verdict::Pinned | Verdict::NoTrustStore) | None => {}
    }

    let mut weak = Vec::new();
    for (i, c) in facts.chain.iter().enumerate() {
        // A root someone appended is the client's own copy: not checked.
        if i > 0 && c.self_signed {
            continue;
        }
        let which = if i == 0 {
            format!("the served certificate ({})", who(c))
        } else {
            format!("chain certificate #{} ({})", i + 1, c.subject)
        };
        match &c.key {
            PublicKeyInfo::Rsa { bits } if *bits < ck.min_rsa_bits => weak.push(format!(
                "{which} has a {bits}-bit RSA key (minimum {})",
                ck.min_rsa_bits
            )),
            PublicKeyInfo::Ec { curve, bits } if *bits < MIN_EC_BITS => weak.push(format!(
                "{which} has a {bits}-bit EC key ({curve}; minimum {MIN_EC_BITS})"
            )),
            _ => {}
        }
        if let Some(hash) = c.weak_signature {
            let hash = match hash {
                WeakHash::Md2 => "MD2",
                WeakHash::Md4 => "MD4",
                WeakHash::Md5 => "MD5",
                WeakHash::Sha1 => "SHA-1",
            };
            weak.push(format!(
                "{which} is signed with {hash} ({})",
                c.signature_algorithm
            ));
        }
    }
    if !weak.is_empty() {
        out.push(finding(
            &ServedCertificateWeak::META,
            target,
            weak.join("; "),
        ));
    }
    out
}

/// `AB:CD:…` (the first `n` bytes), for messages.
pub fn fingerprint(fp: &[u8; 32], n: usize) -> String {
    let hex: Vec<String> = fp.iter().take(n).map(|b| format!("{b:02X}")).collect();
    let more = if n < fp.len() { ":…" } else { "" };
    format!("{}{more}", hex.join(":"))
}
