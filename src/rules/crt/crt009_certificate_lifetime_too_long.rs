use crate::diag::Diagnostic;
use crate::rule;
use crate::rules::{Checker, Rule, RuleMeta};

use super::files::{days, readable_certificates};

rule! {
    /// ## What it does
    /// Reports a server certificate whose validity period (`notBefore` to
    /// `notAfter`) is longer than the profile allows: 825 days under `guide`,
    /// 366 under `intermediate`, 90 under `modern`.
    ///
    /// ## Why is this bad?
    /// A long-lived certificate keeps a compromised key usable for years and
    /// makes renewal a rare, forgotten chore. Publicly trusted certificates
    /// may not exceed 398 days (CA/Browser Forum, since September 2020), and
    /// since iOS 13 and macOS 10.15 Apple platforms reject any TLS server
    /// certificate valid for more than 825 days, even one trusted locally —
    /// so a ten-year self-signed development certificate fails on a Mac.
    /// Mozilla's guideline 6.0 recommends 366 days (intermediate) and 90 days
    /// (modern).
    ///
    /// The guide's certificate is valid for 365 days, within every limit but
    /// `modern`'s. Only the server certificate is checked: CA certificates
    /// are long-lived by design.
    ///
    /// ## Example
    /// ```sh
    /// openssl req -x509 -days 3650 …
    /// ```
    ///
    /// ## Use instead
    /// ```sh
    /// openssl req -x509 -days 365 …    # and automate renewal
    /// ```
    ///
    /// ## References
    /// - [nginx: ssl_certificate](https://nginx.org/en/docs/http/ngx_http_ssl_module.html#ssl_certificate)
    /// - [Apple: requirements for trusted certificates in iOS 13 and macOS 10.15](https://support.apple.com/en-us/103769)
    /// - [Mozilla Server Side TLS: certificate lifespan](https://wiki.mozilla.org/Security/Server_Side_TLS)
    pub struct CertificateLifetimeTooLong;
    code = "CRT009", name = "certificate-lifetime-too-long", severity = Info,
    summary = "The certificate is valid for longer than the profile recommends",
}

impl Rule for CertificateLifetimeTooLong {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Checker<'_>, out: &mut Vec<Diagnostic>) {
        let max = cx.spec.max_certificate_days;
        for (file, read) in readable_certificates(cx) {
            let Some(leaf) = read.result.as_ref().ok().and_then(|c| c.first()) else {
                continue;
            };
            let lifetime = leaf.validity_days();
            if lifetime <= max {
                continue;
            }
            let message = format!(
                "certificate {} is valid for {}; the {} profile recommends at most {}",
                file.path.display(),
                days(lifetime),
                cx.spec.name,
                days(max)
            );
            out.push(file.report(&Self::META, message));
        }
    }
}
