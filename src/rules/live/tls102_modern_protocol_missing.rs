use crate::diag::Diagnostic;
use crate::rule;
use crate::rules::{Checker, Rule, RuleMeta};

rule! {
    /// ## What it does
    /// Reports an endpoint that completes no TLSv1.2 and no TLSv1.3 hello (a warning: modern
    /// clients cannot connect at all), and, as an info note, one that accepts TLSv1.2 but not TLSv1.3.
    ///
    /// ## Why is this bad?
    /// Browsers and current TLS libraries refuse anything older than TLSv1.2, so a server without
    /// it is unreachable for them. TLSv1.3 saves a round trip, removes every legacy suite and encrypts
    /// the certificate; nginx enables it by default since 1.23.4 when OpenSSL supports it.
    ///
    /// ## Example
    /// ```text
    /// https://app.test:443: TLS102 info the server accepts TLSv1.2 but not TLSv1.3
    /// ```
    ///
    /// ## Use instead
    /// ```nginx
    /// ssl_protocols TLSv1.2 TLSv1.3;
    /// ```
    ///
    /// ## References
    /// - [nginx: ssl_protocols](https://nginx.org/en/docs/http/ngx_http_ssl_module.html#ssl_protocols)
    /// - [RFC 8446: TLS 1.3](https://www.rfc-editor.org/rfc/rfc8446)
    pub struct ModernProtocolMissing;
    code = "TLS102", name = "modern-protocol-missing", severity = Warning,
    summary = "The live server accepts neither TLSv1.2 nor TLSv1.3 (an info note when only TLSv1.3 is missing)",
}

impl Rule for ModernProtocolMissing {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    /// A live finding: emitted by the probe (src/probe/), never by `check`.
    fn check(&self, _cx: &Checker<'_>, _out: &mut Vec<Diagnostic>) {}
}
