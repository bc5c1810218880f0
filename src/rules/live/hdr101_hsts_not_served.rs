use crate::diag::Diagnostic;
use crate::rule;
use crate::rules::{Checker, Rule, RuleMeta};

rule! {
    /// ## What it does
    /// Requests the target's path over HTTPS (redirects not followed) and reports a response without
    /// `Strict-Transport-Security`. With a self-signed certificate it is only an info note, as for
    /// the static HDR001.
    ///
    /// ## Why is this bad?
    /// Without HSTS a network attacker can keep a user on plain HTTP (SSL stripping) on every visit
    /// that starts from an http:// link or a typed name.
    ///
    /// ## Example
    /// ```text
    /// https://app.test:443: HDR101 warning the HTTPS response has no Strict-Transport-Security header
    /// ```
    ///
    /// ## Use instead
    /// ```nginx
    /// add_header Strict-Transport-Security "max-age=31536000; includeSubDomains" always;
    /// ```
    ///
    /// ## References
    /// - [RFC 6797: HTTP Strict Transport Security](https://www.rfc-editor.org/rfc/rfc6797)
    /// - [nginx: add_header](https://nginx.org/en/docs/http/ngx_http_headers_module.html#add_header)
    pub struct HstsNotServed;
    code = "HDR101", name = "hsts-not-served", severity = Warning,
    summary = "The HTTPS response carries no Strict-Transport-Security header",
}

impl Rule for HstsNotServed {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    /// A live finding: emitted by the probe (src/probe/), never by `check`.
    fn check(&self, _cx: &Checker<'_>, _out: &mut Vec<Diagnostic>) {}
}
