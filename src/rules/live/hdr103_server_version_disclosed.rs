use crate::diag::Diagnostic;
use crate::rule;
use crate::rules::{Checker, Rule, RuleMeta};

rule! {
    /// ## What it does
    /// Reports a `Server` response header with a version number, such as `nginx/1.22.1`.
    ///
    /// ## Why is this bad?
    /// The version tells an attacker which known vulnerabilities to try first; hiding it costs
    /// nothing.
    ///
    /// ## Example
    /// ```text
    /// https://app.test:443: HDR103 info the Server header discloses a version: nginx/1.22.1
    /// ```
    ///
    /// ## Use instead
    /// ```nginx
    /// server_tokens off;
    /// ```
    ///
    /// ## References
    /// - [nginx: server_tokens](https://nginx.org/en/docs/http/ngx_http_core_module.html#server_tokens)
    pub struct ServerVersionDisclosed;
    code = "HDR103", name = "server-version-disclosed", severity = Info,
    summary = "The Server header discloses the software version",
}

impl Rule for ServerVersionDisclosed {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    /// A live finding: emitted by the probe (src/probe/), never by `check`.
    fn check(&self, _cx: &Checker<'_>, _out: &mut Vec<Diagnostic>) {}
}
