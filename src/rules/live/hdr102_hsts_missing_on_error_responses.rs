use crate::diag::Diagnostic;
use crate::rule;
use crate::rules::{Checker, Rule, RuleMeta};

rule! {
    /// ## What it does
    /// Requests a path that does not exist and reports a 4xx/5xx answer without
    /// `Strict-Transport-Security` when the normal response has it.
    ///
    /// ## Why is this bad?
    /// nginx adds `add_header` headers only to 2xx/3xx answers unless the directive says `always`;
    /// a first visit that lands on an error page then leaves the browser without HSTS.
    ///
    /// ## Example
    /// ```text
    /// https://app.test:443: HDR102 warning the 404 response has no Strict-Transport-Security header although the 200 response has
    /// ```
    ///
    /// ## Use instead
    /// ```nginx
    /// add_header Strict-Transport-Security "max-age=31536000; includeSubDomains" always;
    /// ```
    ///
    /// ## References
    /// - [nginx: add_header … always](https://nginx.org/en/docs/http/ngx_http_headers_module.html#add_header)
    pub struct HstsMissingOnErrorResponses;
    code = "HDR102", name = "hsts-missing-on-error-responses", severity = Warning,
    summary = "HSTS is served on normal responses but not on error responses (no `always`)",
}

impl Rule for HstsMissingOnErrorResponses {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    /// A live finding: emitted by the probe (src/probe/), never by `check`.
    fn check(&self, _cx: &Checker<'_>, _out: &mut Vec<Diagnostic>) {}
}
