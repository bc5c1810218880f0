use crate::diag::Diagnostic;
use crate::rule;
use crate::rules::{Checker, Rule, RuleMeta};

rule! {
    /// ## What it does
    /// Reports an `ssl_certificate` file that is missing, unreadable, holds no
    /// PEM certificate, or holds a block that is not a valid X.509
    /// certificate.
    ///
    /// ## Why is this bad?
    /// nginx loads every certificate while it reads the configuration, before
    /// it accepts a single connection. If the file cannot be opened or parsed,
    /// `nginx -t` fails with `cannot load certificate "…"` and a reload is
    /// refused, so the server keeps running the old configuration (or does not
    /// start at all after a reboot).
    ///
    /// The file must hold the server certificate first, then any intermediate
    /// certificates, all PEM-encoded. A common slip is pointing
    /// `ssl_certificate` at the key, at a DER file, or at a CSR.
    ///
    /// Relative paths are resolved against nginx's prefix (the directory of
    /// `nginx.conf`, or `--prefix`), as nginx does. Paths holding variables are
    /// loaded per handshake and are not checked.
    ///
    /// ## Example
    /// ```nginx
    /// ssl_certificate     /etc/ssl/private/app.key;   # the key, not the certificate
    /// ssl_certificate_key /etc/ssl/private/app.key;
    /// ```
    ///
    /// ## Use instead
    /// ```nginx
    /// ssl_certificate     /etc/ssl/certs/app.fullchain.pem;
    /// ssl_certificate_key /etc/ssl/private/app.key;
    /// ```
    ///
    /// ## References
    /// - [nginx: ssl_certificate](https://nginx.org/en/docs/http/ngx_http_ssl_module.html#ssl_certificate)
    /// - [nginx: Configuring HTTPS servers](https://nginx.org/en/docs/http/configuring_https_servers.html)
    pub struct CertificateUnreadable;
    code = "CRT001", name = "certificate-unreadable", severity = Error,
    summary = "The ssl_certificate file cannot be loaded",
}

impl Rule for CertificateUnreadable {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Checker<'_>, out: &mut Vec<Diagnostic>) {
        for file in super::files::certificate_files(cx) {
            let read = cx.certificate(&file.path);
            let Err(reason) = &read.result else {
                continue;
            };
            let message = format!(
                "cannot load certificate {}: {reason} (`nginx -t` fails with \"cannot load \
                 certificate\")",
                file.path.display()
            );
            out.push(file.report(&Self::META, message));
        }
    }
}
