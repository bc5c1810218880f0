use crate::diag::Diagnostic;
use crate::rule;
use crate::rules::{Checker, Rule, RuleMeta};

rule! {
    /// ## What it does
    /// Reports an endpoint whose answer to a ClientHello is not TLS: typically `HTTP/1.1 400` from
    /// a plain-HTTP listener on the port meant for HTTPS, or garbage.
    ///
    /// ## Why is this bad?
    /// The classic cause is `listen 443;` without `ssl`: nginx then speaks plain HTTP on 443, and
    /// every browser fails.
    ///
    /// ## Example
    /// ```text
    /// https://app.test:443: NET102 error the server does not speak TLS on this port; it answered: HTTP/1.1 400 Bad Request
    /// ```
    ///
    /// ## Use instead
    /// ```nginx
    /// listen 443 ssl;
    /// ```
    ///
    /// ## References
    /// - [nginx: configuring HTTPS servers](https://nginx.org/en/docs/http/configuring_https_servers.html)
    pub struct NotTls;
    code = "NET102", name = "not-tls", severity = Error,
    summary = "Something that does not speak TLS answers on the TLS port",
}

impl Rule for NotTls {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    /// A live finding: emitted by the probe (src/probe/), never by `check`.
    fn check(&self, _cx: &Checker<'_>, _out: &mut Vec<Diagnostic>) {}
}
