use crate::diag::Diagnostic;
use crate::rule;
use crate::rules::{Checker, Rule, RuleMeta};

use super::files::readable_certificates;

rule! {
    /// ## What it does
    /// Reports a server certificate that has no subjectAltName extension, so
    /// that its only name is the subject's Common Name (CN).
    ///
    /// ## Why is this bad?
    /// Browsers take a server's names from the subjectAltName extension only
    /// and ignore the CN entirely (RFC 6125, RFC 9525; Chrome since version
    /// 58, Firefox and Safari likewise). A certificate without it matches *no*
    /// name: even after you trust it explicitly — the usual step with a
    /// self-signed certificate — the browser still shows
    /// `NET::ERR_CERT_COMMON_NAME_INVALID`. Only legacy tools (curl, OpenSSL
    /// without host-name flags) still fall back to the CN.
    ///
    /// The guide creates its certificate with `openssl req -new` and
    /// `openssl x509 -req -signkey`, which copies no extensions, so the
    /// certificate has `CN=localhost` and no subjectAltName.
    ///
    /// nginx itself does not care: it serves the certificate as it is.
    ///
    /// ## Example
    /// ```sh
    /// openssl req -new -key app.key -subj /CN=localhost -out app.csr
    /// openssl x509 -req -days 365 -in app.csr -signkey app.key -out app.crt
    /// ```
    ///
    /// ## Use instead
    /// ```sh
    /// openssl req -x509 -key app.key -days 365 -subj /CN=localhost \
    ///     -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" -out app.crt
    /// # or
    /// nginx-audit gen cert --cn localhost --out certs/
    /// ```
    ///
    /// ## References
    /// - [nginx: ssl_certificate](https://nginx.org/en/docs/http/ngx_http_ssl_module.html#ssl_certificate)
    /// - [RFC 9525 §6.3: the CN-ID is not used](https://www.rfc-editor.org/rfc/rfc9525#section-6.3)
    /// - [Chrome 58 removes support for commonName matching](https://developer.chrome.com/blog/chrome-58-deprecations/#remove_support_for_commonname_matching_in_certificates)
    pub struct CertificateWithoutSan;
    code = "CRT005", name = "certificate-without-san", severity = Warning,
    summary = "The certificate has no subjectAltName; browsers ignore its CN",
}

impl Rule for CertificateWithoutSan {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Checker<'_>, out: &mut Vec<Diagnostic>) {
        for (file, read) in readable_certificates(cx) {
            let Some(leaf) = read.result.as_ref().ok().and_then(|c| c.first()) else {
                continue;
            };
            if leaf.has_san_extension {
                continue;
            }
            let cn = match &leaf.subject_cn {
                Some(cn) => format!("only the subject CN `{cn}`"),
                None => "no name at all".to_string(),
            };
            let message = format!(
                "certificate {} has no subjectAltName extension, {cn}: browsers ignore the CN, \
                 so even a trusted copy shows a name error",
                file.path.display()
            );
            let example = leaf.subject_cn.as_deref().unwrap_or("localhost");
            out.push(file.report(&Self::META, message).with_help(format!(
                "regenerate it with a SAN: `openssl req -x509 … -addext \
                 subjectAltName=DNS:{example}` or `nginx-audit gen cert --cn {example}`"
            )));
        }
    }
}
