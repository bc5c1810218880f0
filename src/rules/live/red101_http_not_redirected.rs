use crate::diag::Diagnostic;
use crate::rule;
use crate::rules::{Checker, Rule, RuleMeta};

rule! {
    /// ## What it does
    /// Requests `http://host/<path>?q=1` on the plain-HTTP port (80, `--http-port N`, or the URL of
    /// an `http://` target) without following redirects and reports an answer that is not a redirect,
    /// or a port where nothing listens.
    ///
    /// ## Why is this bad?
    /// Users and links that type the bare name reach the plain-HTTP side first; if it serves the
    /// site (or nothing), they either use it unencrypted or never find the HTTPS one. HSTS only helps
    /// after the first HTTPS visit.
    ///
    /// ## Example
    /// ```text
    /// http://app.test:80: RED101 warning http://app.test/nginx-audit/probe?q=1 answered 200 instead of redirecting to HTTPS
    /// ```
    ///
    /// ## Use instead
    /// ```nginx
    /// server {
    ///     listen 80;
    ///     server_name app.test;
    ///     return 301 https://$host$request_uri;
    /// }
    /// ```
    ///
    /// ## References
    /// - [nginx: return](https://nginx.org/en/docs/http/ngx_http_rewrite_module.html#return)
    /// - [RFC 6797 §7.2: HTTP request type](https://www.rfc-editor.org/rfc/rfc6797#section-7.2)
    pub struct HttpNotRedirected;
    code = "RED101", name = "http-not-redirected", severity = Warning,
    summary = "Plain HTTP on the probed port is not redirected to HTTPS",
}

impl Rule for HttpNotRedirected {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    /// A live finding: emitted by the probe (src/probe/), never by `check`.
    fn check(&self, _cx: &Checker<'_>, _out: &mut Vec<Diagnostic>) {}
}
