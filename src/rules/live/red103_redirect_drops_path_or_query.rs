use crate::diag::Diagnostic;
use crate::rule;
use crate::rules::{Checker, Rule, RuleMeta};

rule! {
    /// ## What it does
    /// Compares the `Location` of the plain-HTTP answer with the URL that was requested: it must be
    /// `https://` on the same host (and, for an `https://` target, the probed port), with the same path
    /// and query.
    ///
    /// ## Why is this bad?
    /// A redirect to `https://host/` sends every deep link to the home page; one that drops the
    /// query breaks search and tracking links; one that stays on `http://` or names another port
    /// loops or lands on the wrong service.
    ///
    /// ## Example
    /// ```text
    /// http://app.test:80: RED103 warning http://app.test/nginx-audit/probe?q=1 redirects to https://app.test/ (path and query dropped)
    /// ```
    ///
    /// ## Use instead
    /// ```nginx
    /// return 301 https://$host$request_uri;
    /// ```
    ///
    /// ## References
    /// - [nginx: $request_uri](https://nginx.org/en/docs/http/ngx_http_core_module.html#var_request_uri)
    pub struct RedirectDropsPathOrQuery;
    code = "RED103", name = "redirect-drops-path-or-query", severity = Warning,
    summary = "The live redirect loses the path or query, or points at the wrong scheme or port",
}

impl Rule for RedirectDropsPathOrQuery {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    /// A live finding: emitted by the probe (src/probe/), never by `check`.
    fn check(&self, _cx: &Checker<'_>, _out: &mut Vec<Diagnostic>) {}
}
