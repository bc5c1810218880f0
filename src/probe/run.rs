//! One probe of one target, and many with bounded concurrency.
//!
//! For an `https://` target: resolve → handshake (rustls) → protocol scan →
//! suite scans per accepted version (concurrently) → HTTPS requests, plus the
//! plain-HTTP redirect on the HTTP port. Every network step has its own
//! timeout, a failed step skips what depends on it, and every outcome is a
//! finding, never a panic or a hang. For an `http://` target only the
//! redirect is checked.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use indicatif::ProgressBar;
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

use super::danger::{Trust, Verdict};
use super::findings::scan_findings;
use super::handshake::{certificate_findings, handshake, CertCheck, Failure, Step, TlsFacts};
use super::http::{self, HttpsCheck, RedirectCheck, Response};
use super::scan::{self, HelloOutcome, ProtocolScan, ScanOptions, SuiteScan, TlsProtocol};
use super::target::{addresses, show_duration, Scheme, Target};
use crate::diag::Diagnostic;
use crate::rules::live::{HandshakeFailed, HttpNotRedirected, NotTls, Unreachable};
use crate::rules::{Profile, RuleMeta};

/// Settings shared by every target of a run.
#[derive(Debug, Clone)]
pub struct ProbeOptions {
    /// Per network step (connect, handshake, each hello's answer, each HTTP response).
    pub timeout: Duration,
    /// Targets probed at once.
    pub concurrency: usize,
    pub trust: Arc<Trust>,
    /// Warn when the served certificate expires within this many days.
    pub expiry_days: i64,
    pub profile: Profile,
    /// Unix time the certificate checks treat as now.
    pub now: i64,
}

impl ProbeOptions {
    pub fn new(trust: Trust) -> ProbeOptions {
        ProbeOptions {
            timeout: Duration::from_secs(5),
            concurrency: 20,
            trust: Arc::new(trust),
            expiry_days: 30,
            profile: Profile::Guide,
            now: std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_secs() as i64)
                .unwrap_or(0),
        }
    }
}

/// One target and how to reach it.
#[derive(Debug, Clone)]
pub struct Plan {
    pub target: Target,
    /// Connect here instead of resolving the host (`--resolve`, `--address`, a listen address).
    pub address: Option<IpAddr>,
    /// For `https://` targets: the plain-HTTP port whose redirect to check (None: skip).
    pub http_port: Option<u16>,
    /// Whether the host is a name the certificate must cover (false when
    /// `verify` had to invent one for a server without `server_name`).
    pub check_name: bool,
}

impl Plan {
    pub fn new(target: Target) -> Plan {
        Plan {
            target,
            address: None,
            http_port: None,
            check_name: true,
        }
    }
}

/// The plain-HTTP request and its answer.
#[derive(Debug, Clone)]
pub struct RedirectFacts {
    pub url: String,
    pub response: Result<Response, http::HttpError>,
}

/// Everything learnt about one target.
#[derive(Debug, Clone, Default)]
pub struct Facts {
    /// Resolved addresses tried.
    pub addrs: Vec<SocketAddr>,
    pub tls: Option<TlsFacts>,
    pub protocols: Option<ProtocolScan>,
    /// One per accepted protocol, oldest first.
    pub suites: Vec<SuiteScan>,
    pub https: Option<Result<Response, http::HttpError>>,
    pub https_missing: Option<Result<Response, http::HttpError>>,
    pub redirect: Option<RedirectFacts>,
}

impl Facts {
    pub fn accepted_protocols(&self) -> Vec<TlsProtocol> {
        self.protocols
            .as_ref()
            .map(|p| p.accepted.clone())
            .unwrap_or_default()
    }

    /// The suites accepted for `version`, in the order the server chose them.
    pub fn accepted_suites(&self, version: TlsProtocol) -> Vec<u16> {
        self.suites
            .iter()
            .find(|s| s.version == version)
            .map(|s| s.accepted.clone())
            .unwrap_or_default()
    }
}

#[derive(Debug, Clone)]
pub struct TargetReport {
    pub plan: Plan,
    /// `https://host:port`, as findings name it.
    pub label: String,
    pub facts: Facts,
    pub diagnostics: Vec<Diagnostic>,
}

fn finding(meta: &RuleMeta, target: &str, message: impl Into<String>) -> Diagnostic {
    Diagnostic::at_target(meta.code, meta.severity, target, message)
}

/// Probes one target. Never panics on what the network does, and finishes
/// within a bounded number of timeouts.
pub async fn probe_target(plan: &Plan, opts: &ProbeOptions) -> TargetReport {
    let t = &plan.target;
    let label = t.label();
    let mut facts = Facts::default();
    let mut out = Vec::new();

    let addrs = match addresses(&t.host, t.port, plan.address, opts.timeout).await {
        Ok(a) => a,
        Err(e) => {
            out.push(finding(
                &Unreachable::META,
                &label,
                format!("{} failed: {e}", Step::Resolve),
            ));
            return TargetReport {
                plan: plan.clone(),
                label,
                facts,
                diagnostics: out,
            };
        }
    };
    facts.addrs = addrs.clone();

    match t.scheme {
        Scheme::Http => {
            let r = plain_http(plan, &addrs, t.port, opts).await;
            match &r.response {
                Err(e) => out.push(finding(
                    &Unreachable::META,
                    &label,
                    format!("{}: {}", r.url, e.message),
                )),
                Ok(resp) => out.extend(http::redirect_findings(
                    &label,
                    resp,
                    &RedirectCheck {
                        requested: &r.url,
                        host: &t.host,
                        path: &request_path(t),
                        https_port: None,
                    },
                )),
            }
            facts.redirect = Some(r);
        }
        Scheme::Https => {
            let (tls_part, redirect) =
                tokio::join!(tls_side(plan, &addrs, opts, &mut facts), async {
                    match plan.http_port {
                        Some(port) => Some(plain_http(plan, &addrs, port, opts).await),
                        None => None,
                    }
                });
            out.extend(tls_part);
            if let Some(r) = redirect {
                let http_label =
                    format!("http://{}:{}", t.url_host(), plan.http_port.unwrap_or(80));
                match &r.response {
                    Err(e) => out.push(finding(
                        &HttpNotRedirected::META,
                        &http_label,
                        if e.refused {
                            format!(
                                "nothing listens for plain HTTP on port {} ({}): visitors who type the bare name get no redirect to HTTPS",
                                plan.http_port.unwrap_or(80),
                                r.url
                            )
                        } else {
                            format!("{}: {}; no redirect to HTTPS", r.url, e.message)
                        },
                    )),
                    Ok(resp) => out.extend(http::redirect_findings(
                        &http_label,
                        resp,
                        &RedirectCheck {
                            requested: &r.url,
                            host: &t.host,
                            path: &request_path(t),
                            https_port: Some(t.port),
                        },
                    )),
                }
                facts.redirect = Some(r);
            }
        }
    }
    out.retain(|d| {
        crate::rules::find_rule(d.code).is_none_or(|r| r.meta().applies_to(opts.profile))
    });
    TargetReport {
        plan: plan.clone(),
        label,
        facts,
        diagnostics: out,
    }
}

/// Path and query for the redirect check: the target's, else [`http::PROBE_PATH`].
fn request_path(t: &Target) -> String {
    if t.explicit_path || t.path.contains('?') {
        t.path.clone()
    } else {
        http::PROBE_PATH.to_string()
    }
}

async fn plain_http(
    plan: &Plan,
    addrs: &[SocketAddr],
    port: u16,
    opts: &ProbeOptions,
) -> RedirectFacts {
    let t = &plan.target;
    let path = request_path(t);
    let port_part = if port == 80 {
        String::new()
    } else {
        format!(":{port}")
    };
    let url = format!("http://{}{port_part}{path}", t.url_host());
    let addr = addrs.first().map(|a| SocketAddr::new(a.ip(), port));
    let client = http::client(&t.host, addr, opts.timeout);
    let response = http::get(&client, &url, opts.timeout).await;
    RedirectFacts { url, response }
}

/// Handshake, scans and HTTPS checks; fills `facts`.
async fn tls_side(
    plan: &Plan,
    addrs: &[SocketAddr],
    opts: &ProbeOptions,
    facts: &mut Facts,
) -> Vec<Diagnostic> {
    let t = &plan.target;
    let label = t.label();
    let mut out = Vec::new();
    let tls = handshake(addrs, &t.host, &opts.trust, opts.timeout).await;
    let addr = match (&tls.failure, tls.addr) {
        (_, Some(addr)) => addr,
        (failure, None) => {
            let why = match failure {
                Some(Failure::Connect { error, .. }) => error.clone(),
                _ => "no address accepted the connection".into(),
            };
            out.push(finding(
                &Unreachable::META,
                &label,
                format!("{}: {why}", Step::Connect),
            ));
            facts.tls = Some(tls);
            return out;
        }
    };
    if tls.failure == Some(Failure::HandshakeTimeout) {
        out.push(finding(
            &Unreachable::META,
            &label,
            format!(
                "{addr} accepted the connection but sent no TLS handshake within {} ({} timed out)",
                show_duration(opts.timeout),
                Step::Handshake
            ),
        ));
        facts.tls = Some(tls);
        return out;
    }

    let scan_opts = ScanOptions {
        timeout: opts.timeout,
        sni: (!t.is_ip()).then(|| t.host.clone()),
    };
    let protocols = scan::scan_protocols(addr, &scan_opts).await;
    let not_tls = protocols.outcomes.iter().find_map(|(_, o)| match o {
        HelloOutcome::NotTls(head) => Some(head.clone()),
        _ => None,
    });

    match (&tls.failure, &not_tls) {
        (Some(_), Some(head)) | (None, Some(head)) if protocols.accepted.is_empty() => {
            out.push(finding(
                &NotTls::META,
                &label,
                format!("the server does not speak TLS on this port; it answered: {head}"),
            ));
        }
        (Some(Failure::Corrupt(e)), _) => out.push(finding(
            &NotTls::META,
            &label,
            format!("the server's answer is not TLS ({e})"),
        )),
        (Some(f), _) => {
            let why = match f {
                Failure::Closed(w) | Failure::Refused(w) => w.clone(),
                _ => format!("{f:?}"),
            };
            let mut d = finding(
                &HandshakeFailed::META,
                &label,
                format!("the TLS handshake failed: {why}"),
            );
            if !protocols.accepted.is_empty() {
                let names: Vec<&str> = protocols.accepted.iter().map(|p| p.as_str()).collect();
                d = d.with_help(format!(
                    "the server accepts {} but nothing a modern client (TLSv1.2/1.3 with ECDHE and AEAD suites) can use",
                    names.join(", ")
                ));
            }
            out.push(d);
        }
        (None, _) => {}
    }

    // Suite scans for every accepted version, concurrently.
    let mut jobs = JoinSet::new();
    for (i, version) in protocols.accepted.iter().copied().enumerate() {
        let o = scan_opts.clone();
        jobs.spawn(async move { (i, scan::scan_suites(addr, version, &o).await) });
    }
    let mut suites: Vec<(usize, SuiteScan)> = Vec::new();
    while let Some(r) = jobs.join_next().await {
        if let Ok(s) = r {
            suites.push(s);
        }
    }
    suites.sort_by_key(|(i, _)| *i);
    facts.suites = suites.into_iter().map(|(_, s)| s).collect();
    if !protocols
        .outcomes
        .iter()
        .all(|(_, o)| matches!(o, HelloOutcome::NotTls(_)))
    {
        out.extend(scan_findings(
            &label,
            &protocols,
            &facts.suites,
            opts.profile,
        ));
    }
    facts.protocols = Some(protocols);

    let self_signed_untrusted = tls.leaf().is_some_and(|l| l.self_signed)
        && !matches!(tls.verdict, Some(Verdict::Trusted | Verdict::Pinned));
    out.extend(certificate_findings(
        &tls,
        &label,
        &CertCheck {
            name: plan.check_name.then_some(t.host.as_str()),
            now: opts.now,
            expiry_days: opts.expiry_days,
            min_rsa_bits: opts.profile.spec().min_rsa_bits,
            explicit_trust: opts.trust.is_explicit(),
        },
    ));

    if tls.completed() {
        let client = http::client(&t.host, Some(addr), opts.timeout);
        let base = format!("https://{}:{}", t.url_host(), t.port);
        let main_url = format!("{base}{}", t.path);
        let missing_url = format!("{base}{}", http::MISSING_PATH);
        let (main, missing) = tokio::join!(
            http::get(&client, &main_url, opts.timeout),
            http::get(&client, &missing_url, opts.timeout)
        );
        match &main {
            Ok(resp) => out.extend(http::https_findings(
                &label,
                resp,
                missing.as_ref().ok(),
                &HttpsCheck {
                    self_signed: self_signed_untrusted,
                },
            )),
            Err(e) => out.push(finding(
                &Unreachable::META,
                &label,
                format!("GET {main_url}: {}", e.message),
            )),
        }
        facts.https = Some(main);
        facts.https_missing = Some(missing);
    }
    facts.tls = Some(tls);
    out
}

/// Probes every plan, at most `opts.concurrency` at once; reports come back
/// in plan order. `progress` (a TTY bar) advances per finished target.
pub async fn probe_all(
    plans: Vec<Plan>,
    opts: &ProbeOptions,
    progress: Option<ProgressBar>,
) -> Vec<TargetReport> {
    let permits = Arc::new(Semaphore::new(opts.concurrency.max(1)));
    let opts = Arc::new(opts.clone());
    let mut jobs = JoinSet::new();
    for (i, plan) in plans.into_iter().enumerate() {
        let permits = permits.clone();
        let opts = opts.clone();
        let progress = progress.clone();
        jobs.spawn(async move {
            let _permit = permits
                .acquire_owned()
                .await
                .expect("semaphore is never closed");
            if let Some(p) = &progress {
                p.set_message(plan.target.label());
            }
            let report = probe_target(&plan, &opts).await;
            if let Some(p) = &progress {
                p.inc(1);
            }
            (i, report)
        });
    }
    let mut reports = Vec::new();
    while let Some(r) = jobs.join_next().await {
        match r {
            Ok(r) => reports.push(r),
            // A panic in one target must not lose the others' results.
            Err(e) => eprintln!("nginx-audit: a probe task failed: {e}"),
        }
    }
    reports.sort_by_key(|(i, _)| *i);
    reports.into_iter().map(|(_, r)| r).collect()
}

/// A multi-threaded runtime for the CLI (reqwest needs the rustls provider
/// installed once per process).
pub fn runtime() -> std::io::Result<tokio::runtime::Runtime> {
    let _ = rustls::crypto::ring::default_provider().install_default();
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
}

/// One human line about a target's facts, for text output.
pub fn summary(r: &TargetReport) -> String {
    let f = &r.facts;
    let mut parts = Vec::new();
    if let Some(tls) = &f.tls {
        if let Some(addr) = tls.addr {
            parts.push(format!("{addr}"));
        }
        if let (Some(v), Some(s)) = (tls.version, &tls.suite) {
            let alpn = tls
                .alpn
                .as_deref()
                .map(|a| format!(", ALPN {a}"))
                .unwrap_or_default();
            parts.push(format!("{v} {s}{alpn}"));
        }
    }
    if f.protocols.is_some() {
        let list: Vec<String> = f
            .suites
            .iter()
            .map(|s| format!("{} ({} suites)", s.version, s.accepted.len()))
            .collect();
        parts.push(if list.is_empty() {
            "no protocol accepted".into()
        } else {
            format!("accepts {}", list.join(", "))
        });
    }
    if let Some(leaf) = f.tls.as_ref().and_then(|t| t.leaf()) {
        parts.push(format!("certificate {}", super::handshake::who(leaf)));
    }
    if let Some(Ok(resp)) = &f.https {
        parts.push(format!("HTTPS {}", resp.status));
    }
    if let Some(rd) = &f.redirect {
        match &rd.response {
            Ok(resp) => parts.push(format!(
                "{} → {}{}",
                rd.url,
                resp.status,
                resp.header("location")
                    .map(|l| format!(" {l}"))
                    .unwrap_or_default()
            )),
            Err(e) => parts.push(format!("{}: {}", rd.url, e.message)),
        }
    }
    format!("{}: {}", r.label, parts.join("; "))
}
