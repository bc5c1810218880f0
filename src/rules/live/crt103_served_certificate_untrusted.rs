use crate::diag::Diagnostic;
use crate::rule;
use crate::rules::{Checker, Rule, RuleMeta};

rule! {
    /// ## What it does
    /// Verifies the served chain with webpki against `--ca FILE` (a CA bundle, or the self-signed
    /// certificate itself) or, without it, against the system bundle (`SSL_CERT_FILE`,
    /// `/etc/ssl/certs/ca-certificates.crt`). A self-signed certificate without `--ca` is only an
    /// info note: that is the guide's setup, and trust is then a local decision.
    ///
    /// ## Why is this bad?
    /// Clients that do not trust the chain show a warning or refuse to connect; a missing
    /// intermediate in `ssl_certificate` is the classic cause on a CA-issued certificate.
    ///
    /// ## Example
    /// ```text
    /// https://app.test:443: CRT103 warning the served certificate is not trusted: invalid peer certificate: UnknownIssuer
    /// ```
    ///
    /// ## Use instead
    /// ```nginx
    /// ssl_certificate /etc/nginx/tls/fullchain.pem;   # leaf followed by the intermediates
    /// ```
    ///
    /// ## References
    /// - [nginx: ssl_certificate](https://nginx.org/en/docs/http/ngx_http_ssl_module.html#ssl_certificate)
    /// - [RFC 5280 §6: Certification Path Validation](https://www.rfc-editor.org/rfc/rfc5280#section-6)
    pub struct ServedCertificateUntrusted;
    code = "CRT103", name = "served-certificate-untrusted", severity = Warning,
    summary = "The served certificate chain does not verify against the trust store (an info note for a self-signed certificate without --ca)",
}

impl Rule for ServedCertificateUntrusted {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    /// A live finding: emitted by the probe (src/probe/), never by `check`.
    fn check(&self, _cx: &Checker<'_>, _out: &mut Vec<Diagnostic>) {}
}
