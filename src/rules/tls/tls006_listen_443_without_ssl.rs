use rustc_hash::FxHashSet as HashSet;

use crate::diag::{Applicability, Diagnostic, Edit, Fix};
use crate::rule;
use crate::rules::{Checker, Rule, RuleMeta};
use crate::source::Span;
use crate::syntax::names::ids;

rule! {
    /// ## What it does
    /// Reports a `listen` on port 443 without the `ssl` (or `quic`)
    /// parameter, and one on port 8443 in a server that otherwise serves TLS
    /// (it has its own `ssl_certificate` or another `listen … ssl`).
    ///
    /// Not reported: a listen whose address:port another server already
    /// declares with `ssl` (nginx applies `ssl` to the whole socket, so the
    /// listen does speak TLS), and servers using the removed `ssl on;`
    /// (reported by `TLS007`).
    ///
    /// ## Why is this bad?
    /// `ssl` on `listen` is what turns TLS on; the port number means nothing
    /// to nginx. Without it nginx answers plain HTTP on 443: browsers fail
    /// with `ERR_SSL_PROTOCOL_ERROR` ("SSL received a record that exceeded
    /// the maximum permissible length"), and `http://host:443/` works in the
    /// clear. The certificate directives in the server are silently unused.
    ///
    /// ## Example
    /// ```nginx
    /// server {
    ///     listen 443;
    ///     ssl_certificate     /etc/ssl/app.crt;
    ///     ssl_certificate_key /etc/ssl/app.key;
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```nginx
    /// server {
    ///     listen 443 ssl;
    ///     ssl_certificate     /etc/ssl/app.crt;
    ///     ssl_certificate_key /etc/ssl/app.key;
    /// }
    /// ```
    ///
    /// ## Fix safety
    /// The fix adds ` ssl` after the listen address. It is safe when the
    /// server has a certificate and key in effect; without them nginx would
    /// refuse to start (`TLS008`), so the fix is then marked unsafe.
    ///
    /// ## References
    /// - [nginx: listen](https://nginx.org/en/docs/http/ngx_http_core_module.html#listen)
    /// - [nginx: Configuring HTTPS servers](https://nginx.org/en/docs/http/configuring_https_servers.html)
    pub struct Listen443WithoutSsl;
    code = "TLS006", name = "listen-443-without-ssl", severity = Error,
    summary = "listen on port 443 without ssl: nginx speaks plain HTTP there",
    fix = Always,
}

impl Rule for Listen443WithoutSsl {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Checker<'_>, out: &mut Vec<Diagnostic>) {
        let sockets = super::sockets(cx);
        let mut seen = HashSet::default();
        for site in cx.sites {
            if site.settings.flag("ssl") == Some(true) {
                continue;
            }
            let looks_tls = site.own.iter().any(|d| d.is(ids::SSL_CERTIFICATE))
                || site.listens.iter().any(|l| l.ssl || l.quic);
            let has_cert = site.settings.get("ssl_certificate").is_some()
                && site.settings.get("ssl_certificate_key").is_some();
            for listen in &site.listens {
                if listen.implicit || listen.unix || listen.ssl || listen.quic {
                    continue;
                }
                if !(listen.port == 443 || (listen.port == 8443 && looks_tls)) {
                    continue;
                }
                let socket_is_ssl = sockets
                    .iter()
                    .any(|s| s.key == listen.socket() && s.is_ssl());
                if socket_is_ssl || !seen.insert(listen.span) {
                    continue;
                }
                let Some(addr) = site
                    .own
                    .iter()
                    .find(|d| d.span == listen.span)
                    .and_then(|d| d.args().first())
                else {
                    continue;
                };
                let message = format!(
                    "`listen {}` has no `ssl` parameter: nginx speaks plain HTTP on port {}",
                    addr.value, listen.port
                );
                out.push(Self::META.at(addr.span, message).with_fix(Fix {
                    message: "add `ssl` to the listen".to_string(),
                    applicability: if has_cert {
                        Applicability::Safe
                    } else {
                        Applicability::Unsafe
                    },
                    edits: vec![Edit {
                        span: Span {
                            file: addr.span.file,
                            start: addr.span.end,
                            end: addr.span.end,
                        },
                        replacement: " ssl".to_string(),
                    }],
                }));
            }
        }
    }
}
