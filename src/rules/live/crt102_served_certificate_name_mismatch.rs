use crate::diag::Diagnostic;
use crate::rule;
use crate::rules::{Checker, Rule, RuleMeta};

rule! {
    /// ## What it does
    /// Checks the requested host name (the SNI the probe sent) against the served leaf's
    /// subjectAltName entries, as browsers do: the subject CN is never consulted, so a certificate
    /// without subjectAltName covers no name at all.
    ///
    /// ## Why is this bad?
    /// A name mismatch is a hard error in every browser. It also shows when nginx picked another
    /// server block (and its certificate) than intended, e.g. because `server_name` lacks the name.
    ///
    /// ## Example
    /// ```text
    /// https://www.app.test:443: CRT102 error the served certificate (SAN: app.test) does not cover www.app.test
    /// ```
    ///
    /// ## Use instead
    /// ```text
    /// a certificate whose subjectAltName lists every server_name, e.g. `nginx-audit gen cert --cn app.test --san www.app.test`
    /// ```
    ///
    /// ## References
    /// - [RFC 6125: Representation and Verification of Domain-Based Application Service Identity](https://www.rfc-editor.org/rfc/rfc6125)
    /// - [RFC 2818 §3.1: Server Identity](https://www.rfc-editor.org/rfc/rfc2818#section-3.1)
    pub struct ServedCertificateNameMismatch;
    code = "CRT102", name = "served-certificate-name-mismatch", severity = Error,
    summary = "The served certificate does not cover the host name that was requested",
}

impl Rule for ServedCertificateNameMismatch {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    /// A live finding: emitted by the probe (src/probe/), never by `check`.
    fn check(&self, _cx: &Checker<'_>, _out: &mut Vec<Diagnostic>) {}
}
