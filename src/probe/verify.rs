//! `verify`: after a deploy, probe every TLS server a config declares and
//! tie what is live back to the config lines.
//!
//! Endpoints come from each TLS `server`: its `listen … ssl` ports and each
//! concrete `server_name` (SNI = the name). The address is `--resolve`, else
//! `--address`, else the listen address, else 127.0.0.1 (a wildcard listen:
//! `verify` runs on the host it checks). The plain-HTTP port is the one of
//! the plain server nginx would pick for the name.
//!
//! Relations only a config can give (the rest are the probe's own findings):
//! - CRT105: the served leaf is not the configured `ssl_certificate` (SHA-256).
//! - TLS106: the server accepts a version the config does not enable.
//! - RED105: the config redirects plain HTTP to HTTPS, the server does not.

use std::collections::HashSet;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, ToSocketAddrs};

use super::handshake::{fingerprint, who};
use super::run::{Plan, TargetReport};
use super::scan::TlsProtocol;
use super::target::{resolve_override, Resolve, Target};
use crate::check::{CheckOptions, Report};
use crate::config::site::{self, Listen, Site};
use crate::diag::Diagnostic;
use crate::rules::live::{
    ConfigProtocolStillAccepted, RedirectConfiguredNotServed, ServedCertificateDiffersFromConfig,
};
use crate::rules::red::{self, servers, Outcome};
use crate::rules::{tls, Checker, RuleMeta};
use crate::source::Span;
use crate::tls::cert::{names_to_check, CertificateInfo};

/// How `verify` reaches the servers.
#[derive(Debug, Clone, Default)]
pub struct VerifyOptions {
    pub resolve: Vec<Resolve>,
    /// Connect here for every name (overrides listen addresses).
    pub address: Option<IpAddr>,
    /// Skip the plain-HTTP redirect checks.
    pub no_http: bool,
}

/// A configured `ssl_certificate` file and its leaf.
#[derive(Debug, Clone)]
pub struct ConfiguredCert {
    pub span: Span,
    pub path: std::path::PathBuf,
    pub leaf: Result<CertificateInfo, String>,
}

/// A plain-HTTP redirect the config declares for a name.
#[derive(Debug, Clone)]
pub struct ConfiguredRedirect {
    pub span: Span,
    pub code: u16,
}

/// One endpoint to probe, with what the config says about it (owned, so the
/// config can be dropped or kept independently of the async probe).
#[derive(Debug, Clone)]
pub struct Endpoint {
    pub plan: Plan,
    /// The `server` directive (for findings without a better line).
    pub server_span: Option<Span>,
    pub certificates: Vec<ConfiguredCert>,
    /// Effective `ssl_protocols` of the socket's default server (OpenSSL
    /// negotiates the version before SNI picks a server), and its line.
    pub protocols: Vec<String>,
    pub protocols_span: Option<Span>,
    pub redirect: Option<ConfiguredRedirect>,
}

/// The endpoints of every TLS server in the linted config.
pub fn endpoints(report: &Report, opts: &CheckOptions, v: &VerifyOptions) -> Vec<Endpoint> {
    let cfg = &report.config;
    let sites = site::sites(cfg);
    let cx = Checker::new(cfg, &sites, opts.profile, &opts.rules);
    let tls_sockets = tls::sockets(&cx);
    let plain_sockets: Vec<&servers::Socket> =
        servers::sockets(&cx).iter().filter(|s| !s.tls).collect();
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    for site in sites.iter().filter(|s| s.directive.is_some() && s.is_tls()) {
        let ssl_on = site.settings.flag("ssl") == Some(true);
        let listens = site
            .listens
            .iter()
            .filter(|l| !l.unix && (l.ssl || (ssl_on && !l.quic)));
        let names: Vec<String> = {
            let mut n: Vec<String> = site
                .names()
                .flat_map(names_to_check)
                .filter(|n| !n.starts_with("*."))
                .collect();
            n.dedup();
            n
        };
        let certificates = configured_certificates(&cx, site);
        for listen in listens {
            let (protocols, protocols_span) = socket_protocols(&cx, tls_sockets, site, listen);
            let hosts: Vec<(String, bool)> = if names.is_empty() {
                vec![(address_for(None, listen, v).to_string(), false)]
            } else {
                names.iter().map(|n| (n.clone(), true)).collect()
            };
            for (host, check_name) in hosts {
                if !seen.insert((host.clone(), listen.port)) {
                    continue;
                }
                let address = address_for(Some(&host), listen, v);
                let (http_port, redirect) = if v.no_http {
                    (None, None)
                } else {
                    plain_side(&plain_sockets, &host)
                };
                out.push(Endpoint {
                    plan: Plan {
                        target: Target::https(&host, listen.port),
                        address: Some(address),
                        http_port,
                        check_name,
                    },
                    server_span: site.span(),
                    certificates: certificates.clone(),
                    protocols: protocols.clone(),
                    protocols_span,
                    redirect,
                });
            }
        }
    }
    out
}

/// `--resolve` for the name, else `--address`, else the listen address
/// (wildcards → loopback), else 127.0.0.1.
fn address_for(host: Option<&str>, listen: &Listen, v: &VerifyOptions) -> IpAddr {
    if let Some(ip) = host.and_then(|h| resolve_override(&v.resolve, h, listen.port)) {
        return ip;
    }
    if let Some(ip) = v.address {
        return ip;
    }
    let Some(addr) = &listen.address else {
        return IpAddr::V4(Ipv4Addr::LOCALHOST);
    };
    let bare = addr.trim_start_matches('[').trim_end_matches(']');
    match bare.parse::<IpAddr>() {
        Ok(ip) if ip.is_unspecified() && ip.is_ipv6() => IpAddr::V6(Ipv6Addr::LOCALHOST),
        Ok(ip) if ip.is_unspecified() => IpAddr::V4(Ipv4Addr::LOCALHOST),
        Ok(ip) => ip,
        // `listen localhost:8443`: what nginx itself resolved it to.
        Err(_) => (bare, listen.port)
            .to_socket_addrs()
            .ok()
            .and_then(|mut a| a.next())
            .map(|a| a.ip())
            .unwrap_or(IpAddr::V4(Ipv4Addr::LOCALHOST)),
    }
}

fn configured_certificates(cx: &Checker<'_>, site: &Site<'_>) -> Vec<ConfiguredCert> {
    site.settings
        .all("ssl_certificate")
        .iter()
        .filter_map(|d| {
            let path = cx.resolve(site, d.arg(0)?)?;
            let read = cx.certificate(&path);
            let leaf = match &read.result {
                Ok(chain) => chain
                    .first()
                    .cloned()
                    .ok_or_else(|| "no certificate".to_string()),
                Err(e) => Err(e.clone()),
            };
            Some(ConfiguredCert {
                span: d.span,
                path,
                leaf,
            })
        })
        .collect()
}

/// The protocols in effect on `listen`'s socket: those of its default server.
fn socket_protocols(
    cx: &Checker<'_>,
    sockets: &[tls::Socket<'_, '_>],
    site: &Site<'_>,
    listen: &Listen,
) -> (Vec<String>, Option<Span>) {
    let owner = sockets
        .iter()
        .find(|s| s.key == listen.socket())
        .map(|s| s.default_server().0)
        .unwrap_or(site);
    let protocols = tls::effective_protocols(cx, owner)
        .into_iter()
        .map(str::to_string)
        .collect();
    let span = owner
        .settings
        .get("ssl_protocols")
        .map(|d| d.span)
        .or_else(|| owner.span());
    (protocols, span)
}

/// The plain-HTTP port nginx would answer `host` on, and the redirect its
/// config declares there: a server naming the host first, else the default
/// server of a port-80 socket.
fn plain_side(
    sockets: &[&servers::Socket<'_, '_>],
    host: &str,
) -> (Option<u16>, Option<ConfiguredRedirect>) {
    let port_of = |s: &servers::Socket| {
        s.key
            .rsplit_once(':')
            .and_then(|(_, p)| p.parse::<u16>().ok())
    };
    let chosen = sockets
        .iter()
        .find_map(|s| match servers::select(s, host) {
            servers::Selected::ByName(site) => Some((s, site)),
            servers::Selected::Default(_) => None,
        })
        .or_else(|| {
            sockets
                .iter()
                .find(|s| port_of(s) == Some(80))
                .map(|s| (s, servers::select(s, host).site()))
        });
    let Some((socket, site)) = chosen else {
        return (None, None);
    };
    let redirect = match red::outcome(site, host) {
        Outcome::Redirects(r) if r.scheme() != red::Scheme::Http => Some(ConfiguredRedirect {
            span: r.directive.span,
            code: r.code,
        }),
        _ => None,
    };
    (port_of(socket), redirect)
}

fn related(meta: &RuleMeta, span: Span, target: &str, message: String) -> Diagnostic {
    let mut d = Diagnostic::new(meta.code, meta.severity, span, message);
    d.target = Some(target.to_string());
    d
}

/// CRT105, TLS106 and RED105 for each endpoint; also drops the probe's
/// RED101 where RED105 says the same thing with a config line.
pub fn relate(endpoints: &[Endpoint], reports: &mut [TargetReport]) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for (ep, report) in endpoints.iter().zip(reports.iter_mut()) {
        let label = report.label.clone();
        let facts = &report.facts;

        // CRT105: the served leaf against every configured file.
        let served = facts.tls.as_ref().and_then(|t| t.leaf());
        let readable: Vec<(&ConfiguredCert, &CertificateInfo)> = ep
            .certificates
            .iter()
            .filter_map(|c| c.leaf.as_ref().ok().map(|l| (c, l)))
            .collect();
        if let (Some(served), Some((first, _))) = (served, readable.first()) {
            let matches = readable
                .iter()
                .any(|(_, l)| l.sha256_fingerprint == served.sha256_fingerprint);
            if !matches {
                let files: Vec<String> = readable
                    .iter()
                    .map(|(c, l)| {
                        format!(
                            "{} holds {} (SHA-256 {})",
                            c.path.display(),
                            who(l),
                            fingerprint(&l.sha256_fingerprint, 4)
                        )
                    })
                    .collect();
                out.push(
                    related(
                        &ServedCertificateDiffersFromConfig::META,
                        first.span,
                        &label,
                        format!(
                            "{label} serves {} (SHA-256 {}), but {}: a stale reload (or another server block answered)",
                            who(served),
                            fingerprint(&served.sha256_fingerprint, 4),
                            files.join("; ")
                        ),
                    )
                    .with_help("reload nginx (`nginx -t && nginx -s reload`) after replacing certificate files"),
                );
            }
        }

        // TLS106: accepted but not configured.
        let accepted = facts.accepted_protocols();
        let extra: Vec<TlsProtocol> = accepted
            .iter()
            .copied()
            .filter(|p| !ep.protocols.iter().any(|c| c == p.as_str()))
            .collect();
        if let (false, Some(span)) = (extra.is_empty(), ep.protocols_span.or(ep.server_span)) {
            let names: Vec<&str> = extra.iter().map(|p| p.as_str()).collect();
            out.push(
                related(
                    &ConfigProtocolStillAccepted::META,
                    span,
                    &label,
                    format!(
                        "the config enables {} but {label} still accepts {}",
                        ep.protocols.join(" "),
                        tls::name_list(&names, 5)
                    ),
                )
                .with_help("the running nginx has an older config: run `nginx -t` and reload"),
            );
        }

        // RED105: a configured redirect that is not served.
        if let (Some(cfg), Some(rd)) = (&ep.redirect, &facts.redirect) {
            let served = match &rd.response {
                Ok(r) if matches!(r.status, 301 | 302 | 303 | 307 | 308) => None,
                Ok(r) => Some(format!("answered {}", r.status_line())),
                Err(e) => Some(e.message.clone()),
            };
            if let Some(what) = served {
                out.push(related(
                    &RedirectConfiguredNotServed::META,
                    cfg.span,
                    &label,
                    format!(
                        "the config redirects plain HTTP ({}) to HTTPS but {} {what}",
                        cfg.code, rd.url
                    ),
                ));
                report.diagnostics.retain(|d| d.code != "RED101");
            }
        }
    }
    out
}
