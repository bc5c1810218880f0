use crate::diag::Diagnostic;
use crate::rule;
use crate::rules::{Checker, Rule, RuleMeta};

use super::files::{checked_certificates, days, describe, readable_certificates};

rule! {
    /// ## What it does
    /// Reports an `ssl_certificate` file whose certificate, or one of whose
    /// intermediate certificates, is past its `notAfter` date.
    ///
    /// ## Why is this bad?
    /// nginx does not look at validity dates: it loads an expired certificate
    /// without a word and serves it. Every client then refuses the connection
    /// (`NET::ERR_CERT_DATE_INVALID`, `certificate has expired`), so the site
    /// is down for everyone although `nginx -t` passes.
    ///
    /// An expired intermediate breaks the chain just as surely as an expired
    /// leaf. A self-signed root appended after the leaf is not checked: clients
    /// use their own copy of a root, never the one the server sends.
    ///
    /// ## Example
    /// ```nginx
    /// ssl_certificate /etc/ssl/certs/app.crt;   # expired last month
    /// ```
    ///
    /// ## Use instead
    /// Renew the certificate (`certbot renew`, your CA's portal, or
    /// `nginx-audit gen cert` for a development certificate), then
    /// `nginx -s reload`: nginx reads certificate files only when it loads its
    /// configuration.
    ///
    /// ## References
    /// - [nginx: ssl_certificate](https://nginx.org/en/docs/http/ngx_http_ssl_module.html#ssl_certificate)
    /// - [RFC 5280 §4.1.2.5: Validity](https://www.rfc-editor.org/rfc/rfc5280#section-4.1.2.5)
    pub struct CertificateExpired;
    code = "CRT002", name = "certificate-expired", severity = Error,
    summary = "The certificate has expired",
}

impl Rule for CertificateExpired {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Checker<'_>, out: &mut Vec<Diagnostic>) {
        let now = cx.options.now;
        for (file, read) in readable_certificates(cx) {
            let Ok(chain) = &read.result else { continue };
            let expired: Vec<String> = checked_certificates(chain)
                .filter(|(_, c)| c.is_expired(now))
                .map(|(i, c)| {
                    let ago = (now - c.not_after).div_euclid(86_400);
                    let when = if ago == 0 {
                        "less than a day ago".to_string()
                    } else {
                        format!("{} ago", days(ago))
                    };
                    format!("{} expired {when}", describe(&file.path, i, c))
                })
                .collect();
            if expired.is_empty() {
                continue;
            }
            let message = format!(
                "{}; nginx serves it anyway and every client rejects it",
                expired.join("; ")
            );
            out.push(file.report(&Self::META, message));
        }
    }
}
