use crate::diag::Diagnostic;
use crate::rule;
use crate::rules::{Checker, Rule, RuleMeta};

use super::files::{checked_certificates, days, describe, readable_certificates};

rule! {
    /// ## What it does
    /// Reports an `ssl_certificate` file whose certificate, or one of whose
    /// intermediate certificates, is not valid yet: its `notBefore` date is in
    /// the future.
    ///
    /// ## Why is this bad?
    /// nginx serves the certificate without looking at its dates, and clients
    /// reject it (`NET::ERR_CERT_DATE_INVALID`, `certificate is not yet
    /// valid`) until that date. It usually means the certificate was issued on
    /// a machine whose clock is ahead, or that this server's clock is behind —
    /// which also breaks OCSP stapling and session ticket rotation.
    ///
    /// ## Example
    /// ```nginx
    /// ssl_certificate /etc/ssl/certs/app.crt;   # valid from next month
    /// ```
    ///
    /// ## Use instead
    /// Check the clocks (`timedatectl`), and reissue the certificate with a
    /// start date in the past.
    ///
    /// ## References
    /// - [nginx: ssl_certificate](https://nginx.org/en/docs/http/ngx_http_ssl_module.html#ssl_certificate)
    /// - [RFC 5280 §4.1.2.5: Validity](https://www.rfc-editor.org/rfc/rfc5280#section-4.1.2.5)
    pub struct CertificateNotYetValid;
    code = "CRT003", name = "certificate-not-yet-valid", severity = Error,
    summary = "The certificate is not valid yet",
}

impl Rule for CertificateNotYetValid {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Checker<'_>, out: &mut Vec<Diagnostic>) {
        let now = cx.options.now;
        for (file, read) in readable_certificates(cx) {
            let Ok(chain) = &read.result else { continue };
            let early: Vec<String> = checked_certificates(chain)
                .filter(|(_, c)| c.is_not_yet_valid(now))
                .map(|(i, c)| {
                    let wait = (c.not_before - now).div_euclid(86_400);
                    let when = if wait == 0 {
                        "within a day".to_string()
                    } else {
                        format!("in {}", days(wait))
                    };
                    format!("{} becomes valid only {when}", describe(&file.path, i, c))
                })
                .collect();
            if early.is_empty() {
                continue;
            }
            let message = format!(
                "{}; until then every client rejects it (is a clock wrong?)",
                early.join("; ")
            );
            out.push(file.report(&Self::META, message));
        }
    }
}
