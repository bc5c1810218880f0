//! What a probe learnt about one endpoint, as machine output: the `endpoints`
//! array of `--format json` (docs/json-output.md). Findings say what is
//! wrong; these facts say what is served, so a deploy script can record or
//! compare them (negotiated version, suites per protocol, the certificate's
//! fingerprint and dates).

use serde::Serialize;

use super::danger::Verdict;
use super::run::TargetReport;
use super::scan::suite_name;
use crate::tls::cert::{CertificateInfo, PublicKeyInfo};

#[derive(Debug, Clone, Serialize)]
pub struct Endpoint {
    /// The target as findings name it, e.g. `https://app.test:443`.
    pub target: String,
    /// Addresses the name resolved to (or `--resolve` gave), tried in order.
    pub addresses: Vec<String>,
    /// The rustls handshake; None when no TLS was attempted (`http://` targets).
    pub handshake: Option<Handshake>,
    /// Accepted protocol versions, oldest first (None: the scan did not run).
    pub protocols: Option<Vec<String>>,
    /// Accepted suites per protocol version up to TLS 1.2.
    pub suites: Vec<Suites>,
    /// The served chain, leaf first.
    pub certificates: Vec<Certificate>,
    /// `trusted`, `pinned` (`--ca` names the leaf), `untrusted: why`, or
    /// `no trust store`.
    pub trust: Option<String>,
    /// Status of `GET /` (or the target's path) over HTTPS.
    pub https_status: Option<u16>,
    /// The plain-HTTP request and its answer.
    pub redirect: Option<Redirect>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Handshake {
    pub address: Option<String>,
    pub version: Option<String>,
    /// OpenSSL's name of the negotiated suite.
    pub suite: Option<String>,
    pub alpn: Option<String>,
    /// Why the handshake failed, when it did.
    pub error: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Suites {
    pub protocol: String,
    /// OpenSSL names, in the order the server chose them.
    pub accepted: Vec<String>,
    /// true: the server enforces its own order; false: it follows the
    /// client's; null: not decidable (fewer than two suites).
    pub server_order: Option<bool>,
    /// Bits of the smallest DHE group seen.
    pub dh_bits: Option<u32>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Certificate {
    pub subject: String,
    pub issuer: String,
    pub dns_names: Vec<String>,
    pub ip_addresses: Vec<String>,
    /// Unix seconds.
    pub not_before: i64,
    pub not_after: i64,
    /// `RSA 2048`, `EC P-256`, `Ed25519`, …
    pub key: String,
    pub signature_algorithm: String,
    pub self_signed: bool,
    /// SHA-256 of the DER, lowercase hex: compare with
    /// `openssl x509 -noout -fingerprint -sha256`.
    pub sha256: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Redirect {
    pub url: String,
    pub status: Option<u16>,
    pub location: Option<String>,
    pub error: Option<String>,
}

impl Endpoint {
    pub fn of(report: &TargetReport) -> Endpoint {
        let f = &report.facts;
        let handshake = f.tls.as_ref().map(|t| Handshake {
            address: t.addr.map(|a| a.to_string()),
            version: t.version.map(|v| v.to_string()),
            suite: t.suite.clone(),
            alpn: t.alpn.clone(),
            error: t.failure.as_ref().map(|f| f.to_string()),
        });
        let certificates = f
            .tls
            .as_ref()
            .map(|t| t.chain.iter().map(certificate).collect())
            .unwrap_or_default();
        let trust = f
            .tls
            .as_ref()
            .and_then(|t| t.verdict.as_ref())
            .map(|v| match v {
                Verdict::Trusted => "trusted".to_string(),
                Verdict::Pinned => "pinned".to_string(),
                Verdict::Untrusted(why) => format!("untrusted: {why}"),
                Verdict::NoTrustStore => "no trust store".to_string(),
            });
        Endpoint {
            target: report.label.clone(),
            addresses: f.addrs.iter().map(|a| a.to_string()).collect(),
            handshake,
            protocols: f
                .protocols
                .as_ref()
                .map(|p| p.accepted.iter().map(|v| v.to_string()).collect()),
            suites: f
                .suites
                .iter()
                .map(|s| Suites {
                    protocol: s.version.to_string(),
                    accepted: s.accepted.iter().map(|&c| suite_name(c)).collect(),
                    server_order: s.server_order,
                    dh_bits: s.dh_bits,
                })
                .collect(),
            certificates,
            trust,
            https_status: f
                .https
                .as_ref()
                .and_then(|r| r.as_ref().ok())
                .map(|r| r.status),
            redirect: f.redirect.as_ref().map(|r| Redirect {
                url: r.url.clone(),
                status: r.response.as_ref().ok().map(|x| x.status),
                location: r
                    .response
                    .as_ref()
                    .ok()
                    .and_then(|x| x.header("location"))
                    .map(str::to_string),
                error: r
                    .response
                    .as_ref()
                    .err()
                    .map(|e| format!("{}: {}", e.step, e.message)),
            }),
        }
    }
}

fn certificate(c: &CertificateInfo) -> Certificate {
    Certificate {
        subject: c.subject.clone(),
        issuer: c.issuer.clone(),
        dns_names: c.san_dns.clone(),
        ip_addresses: c.san_ip.iter().map(|a| a.to_string()).collect(),
        not_before: c.not_before,
        not_after: c.not_after,
        key: match &c.key {
            PublicKeyInfo::Rsa { bits } => format!("RSA {bits}"),
            PublicKeyInfo::Ec { curve, .. } => format!("EC {curve}"),
            PublicKeyInfo::Ed25519 => "Ed25519".into(),
            PublicKeyInfo::Other(name) => name.clone(),
        },
        signature_algorithm: c.signature_algorithm.clone(),
        self_signed: c.self_signed,
        sha256: c
            .sha256_fingerprint
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect(),
    }
}
