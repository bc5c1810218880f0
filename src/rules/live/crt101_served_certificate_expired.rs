use crate::diag::Diagnostic;
use crate::rule;
use crate::rules::{Checker, Rule, RuleMeta};

rule! {
    /// ## What it does
    /// Parses the leaf certificate from a real handshake and reports it when the current time is
    /// after its notAfter or before its notBefore.
    ///
    /// ## Why is this bad?
    /// Every client rejects an expired certificate; users see a full-page warning. A renewed file
    /// on disk does not help until nginx is reloaded (see CRT105).
    ///
    /// ## Example
    /// ```text
    /// https://app.test:443: CRT101 error the served certificate (CN=app.test) expired 3 days ago
    /// ```
    ///
    /// ## Use instead
    /// ```text
    /// certbot renew && systemctl reload nginx
    /// ```
    ///
    /// ## References
    /// - [RFC 5280 §4.1.2.5: Validity](https://www.rfc-editor.org/rfc/rfc5280#section-4.1.2.5)
    pub struct ServedCertificateExpired;
    code = "CRT101", name = "served-certificate-expired", severity = Error,
    summary = "The certificate the server presents has expired (or is not valid yet)",
}

impl Rule for ServedCertificateExpired {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    /// A live finding: emitted by the probe (src/probe/), never by `check`.
    fn check(&self, _cx: &Checker<'_>, _out: &mut Vec<Diagnostic>) {}
}
