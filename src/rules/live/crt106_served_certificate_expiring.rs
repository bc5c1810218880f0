use crate::diag::Diagnostic;
use crate::rule;
use crate::rules::{Checker, Rule, RuleMeta};

rule! {
    /// ## What it does
    /// Reports a served leaf that expires within `--expiry-days` days (default 30).
    ///
    /// ## Why is this bad?
    /// Automated renewal normally renews 30 days ahead; a certificate this close to expiry means
    /// renewal or the reload after it is failing.
    ///
    /// ## Example
    /// ```text
    /// https://app.test:443: CRT106 warning the served certificate (CN=app.test) expires in 6 days
    /// ```
    ///
    /// ## Use instead
    /// ```text
    /// certbot renew && systemctl reload nginx
    /// ```
    ///
    /// ## References
    /// - [Let's Encrypt: certificate lifetimes and renewal](https://letsencrypt.org/docs/faq/)
    pub struct ServedCertificateExpiring;
    code = "CRT106", name = "served-certificate-expiring", severity = Warning,
    summary = "The served certificate expires soon",
}

impl Rule for ServedCertificateExpiring {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    /// A live finding: emitted by the probe (src/probe/), never by `check`.
    fn check(&self, _cx: &Checker<'_>, _out: &mut Vec<Diagnostic>) {}
}
