use crate::diag::Diagnostic;
use crate::rule;
use crate::rules::{Checker, Rule, RuleMeta};

rule! {
    /// ## What it does
    /// Reports a `Location` whose host differs from the requested one. The probe never follows it:
    /// it only checks the hosts and ports it was told.
    ///
    /// ## Why is this bad?
    /// Sometimes intended (`www` to the apex), often a hard-coded or copy-pasted host, or `$server_name`
    /// where `$host` was meant; each request for the name lands elsewhere, and that host's
    /// certificate must cover it.
    ///
    /// ## Example
    /// ```text
    /// http://app.test:80: RED104 warning the redirect goes to another host: https://other.test/ (not followed)
    /// ```
    ///
    /// ## Use instead
    /// ```nginx
    /// return 301 https://$host$request_uri;
    /// ```
    ///
    /// ## References
    /// - [nginx: $host](https://nginx.org/en/docs/http/ngx_http_core_module.html#var_host)
    pub struct RedirectOffHost;
    code = "RED104", name = "redirect-off-host", severity = Warning,
    summary = "The live redirect sends plain-HTTP clients to another host (not followed)",
}

impl Rule for RedirectOffHost {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    /// A live finding: emitted by the probe (src/probe/), never by `check`.
    fn check(&self, _cx: &Checker<'_>, _out: &mut Vec<Diagnostic>) {}
}
