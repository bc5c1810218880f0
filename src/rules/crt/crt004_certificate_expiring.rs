use crate::diag::Diagnostic;
use crate::rule;
use crate::rules::{Checker, Rule, RuleMeta};

use super::files::{checked_certificates, days, describe, readable_certificates};

rule! {
    /// ## What it does
    /// Reports an `ssl_certificate` file whose certificate, or one of whose
    /// intermediate certificates, expires within the warning window (30 days
    /// unless configured otherwise).
    ///
    /// ## Why is this bad?
    /// nginx keeps serving a certificate after it expires, and from that
    /// moment every client refuses the site. Automated renewal (certbot,
    /// acme.sh) normally renews 30 days ahead, so a certificate this close to
    /// its end usually means renewal has stopped working — or that nginx was
    /// never reloaded after it: nginx reads certificate files only when it
    /// loads its configuration.
    ///
    /// The guide's self-signed certificate is valid for 365 days and nothing
    /// renews it.
    ///
    /// ## Example
    /// ```nginx
    /// ssl_certificate /etc/ssl/certs/app.crt;   # expires in 10 days
    /// ```
    ///
    /// ## Use instead
    /// Renew now, then `nginx -s reload`; make sure the renewal job reloads
    /// nginx (certbot: `--deploy-hook "systemctl reload nginx"`).
    ///
    /// ## References
    /// - [nginx: ssl_certificate](https://nginx.org/en/docs/http/ngx_http_ssl_module.html#ssl_certificate)
    /// - [Certbot: renewing certificates](https://eff-certbot.readthedocs.io/en/stable/using.html#renewing-certificates)
    pub struct CertificateExpiring;
    code = "CRT004", name = "certificate-expiring", severity = Warning,
    summary = "The certificate expires soon",
}

impl Rule for CertificateExpiring {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Checker<'_>, out: &mut Vec<Diagnostic>) {
        let now = cx.options.now;
        let window = cx.options.expiry_warning_days;
        for (file, read) in readable_certificates(cx) {
            let Ok(chain) = &read.result else { continue };
            let soon: Vec<String> = checked_certificates(chain)
                .filter(|(_, c)| !c.is_expired(now) && c.not_after - now < window * 86_400)
                .map(|(i, c)| {
                    let left = c.days_until_expiry(now);
                    let when = if left == 0 {
                        "within a day".to_string()
                    } else {
                        format!("in {}", days(left))
                    };
                    format!("{} expires {when}", describe(&file.path, i, c))
                })
                .collect();
            if soon.is_empty() {
                continue;
            }
            let message = format!(
                "{} (warning window: {}); renew it and reload nginx",
                soon.join("; "),
                days(window)
            );
            out.push(file.report(&Self::META, message));
        }
    }
}
