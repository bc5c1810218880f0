use crate::diag::Diagnostic;
use crate::rule;
use crate::rules::{Checker, Rule, RuleMeta};

rule! {
    /// ## What it does
    /// Reports served certificates (leaf and intermediates) with an RSA key under the profile's
    /// minimum (2048 bits) or an EC key under 256 bits, or signed with MD5 or SHA-1.
    ///
    /// ## Why is this bad?
    /// Small keys can be factored or solved, and MD5/SHA-1 signatures can be forged by chosen-prefix
    /// collisions; browsers reject both.
    ///
    /// ## Example
    /// ```text
    /// https://app.test:443: CRT104 error the served certificate (CN=app.test) has a 1024-bit RSA key (minimum 2048)
    /// ```
    ///
    /// ## Use instead
    /// ```text
    /// a new key and certificate: `nginx-audit gen cert --cn app.test` (RSA 2048 or ECDSA P-256, SHA-256)
    /// ```
    ///
    /// ## References
    /// - [NIST SP 800-131A Rev. 2: Transitioning the Use of Cryptographic Algorithms and Key Lengths](https://csrc.nist.gov/pubs/sp/800/131/a/r2/final)
    pub struct ServedCertificateWeak;
    code = "CRT104", name = "served-certificate-weak", severity = Error,
    summary = "A served certificate has a small key or a SHA-1/MD5 signature",
}

impl Rule for ServedCertificateWeak {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    /// A live finding: emitted by the probe (src/probe/), never by `check`.
    fn check(&self, _cx: &Checker<'_>, _out: &mut Vec<Diagnostic>) {}
}
