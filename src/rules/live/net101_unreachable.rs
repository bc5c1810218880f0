use crate::diag::Diagnostic;
use crate::rule;
use crate::rules::{Checker, Rule, RuleMeta};

rule! {
    /// ## What it does
    /// Reports which network step failed: name resolution, TCP connect (refused or timed out), the
    /// TLS handshake or the HTTP response not arriving within `--timeout` (each step has its own).
    ///
    /// ## Why is this bad?
    /// Nothing else can be checked. A timeout after the connect usually means a firewall, a
    /// wrong port or a server that is stuck; a refused connect means nothing listens there.
    ///
    /// ## Example
    /// ```text
    /// https://app.test:443: NET101 error connect to 127.0.0.1:443 failed: connection refused
    /// ```
    ///
    /// ## Use instead
    /// ```text
    /// check that nginx runs (`systemctl status nginx`) and listens on that address and port (`ss -ltnp`)
    /// ```
    ///
    /// ## References
    /// - [nginx: listen](https://nginx.org/en/docs/http/ngx_http_core_module.html#listen)
    pub struct Unreachable;
    code = "NET101", name = "unreachable", severity = Error,
    summary = "The endpoint cannot be reached: name not resolved, connection refused, or a step timed out",
}

impl Rule for Unreachable {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    /// A live finding: emitted by the probe (src/probe/), never by `check`.
    fn check(&self, _cx: &Checker<'_>, _out: &mut Vec<Diagnostic>) {}
}
