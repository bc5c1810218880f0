use crate::diag::Diagnostic;
use crate::rule;
use crate::rules::crt::files::key_files;
use crate::rules::{Checker, Rule, RuleMeta};

rule! {
    /// ## What it does
    /// Reports an `ssl_certificate_key` file that is missing, unreadable, or
    /// holds no usable PEM private key (a certificate, a public key, a
    /// corrupt block, an OpenSSH-format key).
    ///
    /// ## Why is this bad?
    /// nginx loads every key while it reads the configuration; if it cannot,
    /// `nginx -t` fails with `cannot load certificate key "…"` and a reload
    /// is refused. The usual slips: a path relative to the wrong directory
    /// (relative paths resolve against nginx's prefix, not the including
    /// file), the key and certificate paths swapped, or a key converted to
    /// another format.
    ///
    /// Paths holding variables and `engine:` keys are loaded at run time and
    /// are not checked.
    ///
    /// ## Example
    /// ```nginx
    /// ssl_certificate_key ssl/app.crt;   # the certificate, not the key
    /// ```
    ///
    /// ## Use instead
    /// ```nginx
    /// ssl_certificate_key ssl/app.key;
    /// ```
    ///
    /// ## References
    /// - [nginx: ssl_certificate_key](https://nginx.org/en/docs/http/ngx_http_ssl_module.html#ssl_certificate_key)
    pub struct KeyUnreadable;
    code = "KEY004", name = "key-unreadable", severity = Error,
    summary = "The ssl_certificate_key file cannot be loaded",
}

impl Rule for KeyUnreadable {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Checker<'_>, out: &mut Vec<Diagnostic>) {
        for file in key_files(cx) {
            let read = cx.key(&file.path);
            let reason = match &read.result {
                Err(reason) => reason.clone(),
                // OpenSSL cannot read OpenSSH's own container.
                Ok(info) if info.pem_label == "OPENSSH PRIVATE KEY" => {
                    "an OpenSSH-format key, which OpenSSL cannot read (convert it with \
                     `ssh-keygen -p -m PEM`)"
                        .to_string()
                }
                Ok(_) => continue,
            };
            let message = format!(
                "cannot load private key {}: {reason} (`nginx -t` fails with \"cannot load \
                 certificate key\")",
                file.path.display()
            );
            out.push(file.report(&Self::META, message));
        }
    }
}
