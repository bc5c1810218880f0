use rustc_hash::FxHashSet as HashSet;

use super::{insert_after, sends_hsts, HSTS};
use crate::config::site::Site;
use crate::diag::{Applicability, Diagnostic, Fix, Severity};
use crate::rule;
use crate::rules::tls::{site_span, written_in_server};
use crate::rules::{Checker, Rule, RuleMeta};
use crate::syntax::names::ids;
use crate::syntax::Directive;

rule! {
    /// ## What it does
    /// Reports TLS servers that send no `Strict-Transport-Security` header
    /// (no `add_header Strict-Transport-Security …` in effect at server
    /// level, set there or inherited from `http`). Locations that lose the
    /// header to their own `add_header` are HDR004.
    ///
    /// When the server's certificate is self-signed the finding is only
    /// `info`: see below.
    ///
    /// ## Why is this bad?
    /// Without HSTS a browser asked for `example.com` tries `http://` first,
    /// and a network attacker can answer that plain request and keep the
    /// user on HTTP (SSL stripping) — the redirect to HTTPS never arrives.
    /// With `Strict-Transport-Security: max-age=…` the browser remembers, for
    /// that many seconds, to use only HTTPS for the site, and it refuses to
    /// let the user click through certificate errors.
    ///
    /// That second effect is why HSTS on a *self-signed* certificate is a
    /// trap: the browser shows its certificate warning and, because of HSTS,
    /// offers no "proceed anyway" — users (and you) are locked out of the
    /// site until the max-age runs out, even after the certificate is
    /// trusted locally in some browsers but not others. On a self-signed
    /// development site the missing header is therefore reported as `info`:
    /// add HSTS once a trusted certificate (a CA, or a local CA every client
    /// trusts) is in place.
    ///
    /// ## Example
    /// ```nginx
    /// server {
    ///     listen 443 ssl;
    ///     server_name example.com;
    ///     ssl_certificate     example.com.crt;
    ///     ssl_certificate_key example.com.key;
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```nginx
    /// server {
    ///     listen 443 ssl;
    ///     server_name example.com;
    ///     ssl_certificate     example.com.crt;
    ///     ssl_certificate_key example.com.key;
    ///     add_header Strict-Transport-Security "max-age=31536000; includeSubDomains" always;
    /// }
    /// ```
    ///
    /// ## Fix safety
    /// The fix inserts `add_header Strict-Transport-Security
    /// "max-age=<the profile's minimum>; includeSubDomains" always;` after the
    /// server's last `ssl_*` or `server_name` directive. It is unsafe:
    /// browsers will refuse plain HTTP for the site *and every subdomain* for
    /// that long, and the header cannot be taken back before it expires —
    /// make sure every subdomain serves HTTPS with a trusted certificate.
    /// A location with its own `add_header` will not send it (HDR004).
    ///
    /// ## References
    /// - [nginx: add_header](https://nginx.org/en/docs/http/ngx_http_headers_module.html#add_header)
    /// - [RFC 6797: HTTP Strict Transport Security](https://www.rfc-editor.org/rfc/rfc6797)
    ///   (§12.1: no user recourse on certificate errors)
    /// - [Mozilla: Strict-Transport-Security](https://developer.mozilla.org/en-US/docs/Web/HTTP/Headers/Strict-Transport-Security)
    pub struct HstsMissing;
    code = "HDR001", name = "hsts-missing", severity = Warning,
    summary = "A TLS server sends no Strict-Transport-Security header",
    fix = Sometimes,
}

impl Rule for HstsMissing {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Checker<'_>, out: &mut Vec<Diagnostic>) {
        let mut seen = HashSet::default();
        for site in cx.sites.iter().filter(|s| s.is_tls()) {
            if sends_hsts(&site.settings) {
                continue;
            }
            let Some(span) = site_span(site) else {
                continue;
            };
            if !seen.insert(span) {
                continue;
            }
            let self_signed = self_signed_certificate(cx, site);
            let mut diag = match &self_signed {
                Some(cert) => {
                    let mut d = Self::META.at(
                        span,
                        format!(
                            "this TLS server sends no {HSTS} header; only a note because its \
                             certificate {cert} is self-signed: with HSTS, browsers refuse to let \
                             users click through the certificate warning, which locks them out"
                        ),
                    );
                    d.severity = Severity::Info;
                    d.with_help("add HSTS once the site has a certificate every client trusts")
                }
                None => Self::META
                    .at(
                        span,
                        format!(
                            "this TLS server sends no {HSTS} header: browsers try http:// first, \
                             where a network attacker can keep them off HTTPS"
                        ),
                    )
                    .with_help(format!(
                        "add `add_header {HSTS} \"max-age={}; includeSubDomains\" always;`",
                        cx.spec.hsts_min_age
                    )),
            };
            let text = format!(
                "add_header {HSTS} \"max-age={}; includeSubDomains\" always;",
                cx.spec.hsts_min_age
            );
            if let Some(edit) = anchor(site).and_then(|a| insert_after(cx, a, &text)) {
                diag = diag.with_fix(Fix {
                    message: format!("add `{text}`"),
                    applicability: Applicability::Unsafe,
                    edits: vec![edit],
                });
            }
            out.push(diag);
        }
    }
}

/// The certificate file, when every certificate the server uses is
/// self-signed (as nginx resolves `ssl_certificate`).
fn self_signed_certificate(cx: &Checker<'_>, site: &Site<'_>) -> Option<String> {
    let mut names = Vec::new();
    for d in site.settings.all("ssl_certificate") {
        let arg = d.arg(0)?;
        let path = cx.resolve(site, arg)?;
        let read = cx.certificate(&path);
        let leaf = read.result.as_ref().ok()?.first()?;
        if !leaf.self_signed {
            return None;
        }
        names.push(arg.to_string());
    }
    (!names.is_empty()).then(|| names.join(", "))
}

/// Where the fix inserts: after the last `ssl_*` or `server_name` written
/// in the server block itself, else after its last `listen`.
fn anchor<'a>(site: &Site<'a>) -> Option<&'a Directive> {
    let written = |d: &&&'a Directive| written_in_server(site, d) && d.terminated;
    site.own
        .iter()
        .filter(|d| d.name().starts_with("ssl_") || d.is(ids::SERVER_NAME))
        .filter(written)
        .max_by_key(|d| d.span.start)
        .or_else(|| {
            site.own
                .iter()
                .filter(|d| d.is(ids::LISTEN))
                .filter(written)
                .max_by_key(|d| d.span.start)
        })
        .copied()
}
