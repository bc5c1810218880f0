use crate::diag::Diagnostic;
use crate::rule;
use crate::rules::{Checker, Rule, RuleMeta};

use super::files::readable_certificates;

rule! {
    /// ## What it does
    /// Notes that a server certificate is self-signed: it is its own issuer,
    /// signed with its own key.
    ///
    /// ## Why is this bad?
    /// It is not, for development — it is what the guide sets up. But no
    /// client trusts a self-signed certificate by default: each browser,
    /// `curl` and every other client must be told to trust this very
    /// certificate (or skip verification, which defeats TLS), and every
    /// regenerated certificate has to be trusted again. In production, use a
    /// certificate from a public CA (e.g. Let's Encrypt).
    ///
    /// For several local sites, a small local CA is less work: trust the CA
    /// once, and every certificate it signs is trusted
    /// (`nginx-audit gen cert --ca` makes both).
    ///
    /// Because clients must trust it explicitly, HSTS on a self-signed site
    /// is a trap (a browser that has not trusted it yet cannot click through);
    /// the HDR rules take that into account.
    ///
    /// ## Example
    /// ```sh
    /// openssl x509 -req -days 365 -in app.csr -signkey app.key -out app.crt
    /// ```
    ///
    /// ## Use instead
    /// ```sh
    /// nginx-audit gen cert --ca --cn app.test --out certs/   # trust certs/ca.crt once
    /// ```
    ///
    /// ## References
    /// - [nginx: ssl_certificate](https://nginx.org/en/docs/http/ngx_http_ssl_module.html#ssl_certificate)
    /// - [Let's Encrypt: certificates for localhost](https://letsencrypt.org/docs/certificates-for-localhost/)
    pub struct CertificateSelfSigned;
    code = "CRT010", name = "certificate-self-signed", severity = Info,
    summary = "The certificate is self-signed",
}

impl Rule for CertificateSelfSigned {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Checker<'_>, out: &mut Vec<Diagnostic>) {
        for (file, read) in readable_certificates(cx) {
            let Some(leaf) = read.result.as_ref().ok().and_then(|c| c.first()) else {
                continue;
            };
            if !leaf.self_signed {
                continue;
            }
            let message = format!(
                "certificate {} is self-signed: fine for development, but every client must \
                 be told to trust it explicitly",
                file.path.display()
            );
            out.push(file.report(&Self::META, message).with_help(
                "for production use a CA-issued certificate; for several local sites, a local \
                 CA trusted once is simpler (`nginx-audit gen cert --ca`)",
            ));
        }
    }
}
