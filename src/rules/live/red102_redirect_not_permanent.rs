use crate::diag::Diagnostic;
use crate::rule;
use crate::rules::{Checker, Rule, RuleMeta};

rule! {
    /// ## What it does
    /// Reports a redirect to HTTPS answered with 302, 303 or 307 instead of 301 or 308.
    ///
    /// ## Why is this bad?
    /// Temporary redirects are not cached, so every visit starts over plain HTTP, and search engines
    /// keep indexing the http:// URL.
    ///
    /// ## Example
    /// ```text
    /// http://app.test:80: RED102 warning the redirect to HTTPS uses status 302; use 301 or 308
    /// ```
    ///
    /// ## Use instead
    /// ```nginx
    /// return 301 https://$host$request_uri;
    /// ```
    ///
    /// ## References
    /// - [RFC 9110 §15.4: Redirection 3xx](https://www.rfc-editor.org/rfc/rfc9110#section-15.4)
    pub struct RedirectNotPermanent;
    code = "RED102", name = "redirect-not-permanent", severity = Warning,
    summary = "The live HTTP→HTTPS redirect is not permanent (302, 303 or 307)",
}

impl Rule for RedirectNotPermanent {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    /// A live finding: emitted by the probe (src/probe/), never by `check`.
    fn check(&self, _cx: &Checker<'_>, _out: &mut Vec<Diagnostic>) {}
}
