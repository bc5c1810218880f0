use crate::diag::Diagnostic;
use crate::rule;
use crate::rules::{Checker, Rule, RuleMeta};

rule! {
    /// ## What it does
    /// Enumerates the suites the server accepts for every protocol version it speaks (offer all,
    /// note the choice, remove it, offer the rest again) and reports those with a known-broken
    /// property, by name.
    ///
    /// ## Why is this bad?
    /// A NULL suite sends the traffic in clear, an anonymous one lets anybody in the middle
    /// impersonate the server, and export, DES, RC4, 3DES (Sweet32) and MD5 suites are broken. A
    /// client that offers one (or an attacker who strips the others) gets it.
    ///
    /// ## Example
    /// ```text
    /// https://app.test:443: TLS103 error the server accepts weak suites: AECDH-AES256-SHA (no authentication), NULL-SHA256 (no encryption)
    /// ```
    ///
    /// ## Use instead
    /// ```nginx
    /// ssl_ciphers HIGH:!aNULL:!MD5;
    /// ```
    ///
    /// ## References
    /// - [nginx: ssl_ciphers](https://nginx.org/en/docs/http/ngx_http_ssl_module.html#ssl_ciphers)
    /// - [RFC 7525: Recommendations for Secure Use of TLS](https://www.rfc-editor.org/rfc/rfc7525)
    pub struct WeakSuiteAccepted;
    code = "TLS103", name = "weak-suite-accepted", severity = Error,
    summary = "The live server accepts NULL, anonymous, export, DES, RC4, 3DES or MD5 cipher suites",
}

impl Rule for WeakSuiteAccepted {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    /// A live finding: emitted by the probe (src/probe/), never by `check`.
    fn check(&self, _cx: &Checker<'_>, _out: &mut Vec<Diagnostic>) {}
}
