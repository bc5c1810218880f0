use rustc_hash::FxHashSet as HashSet;

use crate::config::site::Site;
use crate::diag::Diagnostic;
use crate::rule;
use crate::rules::{Checker, Rule, RuleMeta};
use crate::source::Span;

rule! {
    /// ## What it does
    /// Reports a TLS server (a `listen … ssl`/`quic`, or the removed
    /// `ssl on`) with no `ssl_certificate` in effect, and an
    /// `ssl_certificate` without a matching `ssl_certificate_key` (nginx
    /// pairs them by position, so two certificates need two keys).
    ///
    /// A server with `ssl_reject_handshake on` (nginx 1.19.4+) needs no
    /// certificate: it refuses every handshake, the usual catch-all default
    /// server for unknown names.
    ///
    /// ## Why is this bad?
    /// nginx checks the *default* server of each TLS socket at startup:
    /// without a certificate `nginx -t` fails with `no "ssl_certificate" is
    /// defined for the "listen ... ssl" directive`, and a certificate without
    /// a key fails with `no "ssl_certificate_key" is defined for certificate`.
    /// Another server on the same socket that lacks a certificate does not
    /// stop nginx: the handshake silently uses the default server's
    /// certificate, so clients see a name mismatch. (If the default server
    /// rejects handshakes, such a server does stop nginx.)
    ///
    /// ## Example
    /// ```nginx
    /// server {
    ///     listen 443 ssl;
    ///     server_name app.example;
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```nginx
    /// server {
    ///     listen 443 ssl;
    ///     server_name app.example;
    ///     ssl_certificate     /etc/ssl/app.crt;
    ///     ssl_certificate_key /etc/ssl/app.key;
    /// }
    /// ```
    ///
    /// ## References
    /// - [nginx: ssl_certificate](https://nginx.org/en/docs/http/ngx_http_ssl_module.html#ssl_certificate)
    /// - [nginx: ssl_certificate_key](https://nginx.org/en/docs/http/ngx_http_ssl_module.html#ssl_certificate_key)
    /// - [nginx: ssl_reject_handshake](https://nginx.org/en/docs/http/ngx_http_ssl_module.html#ssl_reject_handshake)
    pub struct MissingCertificate;
    code = "TLS008", name = "missing-certificate", severity = Error,
    summary = "A TLS server has no ssl_certificate or no matching ssl_certificate_key",
}

impl Rule for MissingCertificate {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Checker<'_>, out: &mut Vec<Diagnostic>) {
        let sockets = super::sockets(cx);
        let mut seen = HashSet::default();
        for site in super::tls_sites(cx) {
            if site.settings.flag("ssl_reject_handshake") == Some(true) {
                continue;
            }
            let certs = site.settings.all("ssl_certificate");
            let keys = site.settings.all("ssl_certificate_key");
            if certs.is_empty() {
                let Some((span, how)) = tls_span(site) else {
                    continue;
                };
                let ssl_sockets: Vec<_> = sockets
                    .iter()
                    .filter(|s| s.is_ssl() && s.servers.iter().any(|(x, _)| std::ptr::eq(*x, site)))
                    .collect();
                let is_default = how != "listen … ssl"
                    || ssl_sockets.is_empty()
                    || ssl_sockets.iter().any(|s| s.is_default(site));
                let message = if is_default {
                    format!(
                        "no ssl_certificate is defined for this server's `{how}`: `nginx -t` fails"
                    )
                } else {
                    let (default, _) = ssl_sockets[0].default_server();
                    if default.settings.flag("ssl_reject_handshake") == Some(true) {
                        format!(
                            "no ssl_certificate is in effect for this server, and the default \
                             server of {} rejects handshakes: `nginx -t` fails",
                            ssl_sockets[0].key
                        )
                    } else {
                        format!(
                            "no ssl_certificate is in effect for this server: clients asking for \
                             its names get the certificate of the default server of {}",
                            ssl_sockets[0].key
                        )
                    }
                };
                out.push(Self::META.at(span, message));
                continue;
            }
            for cert in certs.iter().skip(keys.len()) {
                if !seen.insert(cert.span) {
                    continue;
                }
                let Some(arg) = cert.args().first() else {
                    continue;
                };
                let message = format!(
                    "no ssl_certificate_key is in effect for certificate \"{}\": `nginx -t` fails",
                    arg.value
                );
                out.push(Self::META.at(arg.span, message));
            }
        }
    }
}

/// What makes the server TLS: the `ssl`/`quic` word of its first such
/// listen, or the `ssl on` directive.
fn tls_span(site: &Site<'_>) -> Option<(Span, &'static str)> {
    for listen in site.listens.iter().filter(|l| l.ssl || l.quic) {
        let word = if listen.ssl { "ssl" } else { "quic" };
        let arg = site
            .own
            .iter()
            .find(|d| d.span == listen.span)
            .and_then(|d| d.args().iter().skip(1).find(|a| a.value == word));
        if let Some(arg) = arg {
            return Some((
                arg.span,
                if listen.ssl {
                    "listen … ssl"
                } else {
                    "listen … quic"
                },
            ));
        }
    }
    site.settings.get("ssl").map(|d| (d.head_span(), "ssl on"))
}
