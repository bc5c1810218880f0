use crate::diag::Diagnostic;
use crate::rule;
use crate::rules::{Checker, Rule, RuleMeta};

rule! {
    /// ## What it does
    /// Runs a complete handshake with rustls, offering TLSv1.2 and TLSv1.3 with ECDHE and AEAD
    /// suites, and reports the alert or error when it fails although the port speaks TLS.
    ///
    /// ## Why is this bad?
    /// What rustls refuses, current browsers refuse too: a server that only has CBC/static-RSA
    /// suites, only legacy versions, a broken certificate chain message or a signature it cannot
    /// verify. The server's facts (certificate, HTTP headers) are then unknown as well.
    ///
    /// ## Example
    /// ```text
    /// https://app.test:443: TLS105 error the TLS handshake failed: received fatal alert: HandshakeFailure
    /// ```
    ///
    /// ## Use instead
    /// ```nginx
    /// ssl_protocols TLSv1.2 TLSv1.3;
    /// ssl_ciphers HIGH:!aNULL:!MD5;
    /// ```
    ///
    /// ## References
    /// - [nginx: ngx_http_ssl_module](https://nginx.org/en/docs/http/ngx_http_ssl_module.html)
    /// - [rustls: supported protocol features](https://docs.rs/rustls/latest/rustls/manual/_04_features/index.html)
    pub struct HandshakeFailed;
    code = "TLS105", name = "handshake-failed", severity = Error,
    summary = "A modern TLS client (rustls: TLSv1.2/1.3, AEAD suites) cannot complete a handshake",
}

impl Rule for HandshakeFailed {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    /// A live finding: emitted by the probe (src/probe/), never by `check`.
    fn check(&self, _cx: &Checker<'_>, _out: &mut Vec<Diagnostic>) {}
}
