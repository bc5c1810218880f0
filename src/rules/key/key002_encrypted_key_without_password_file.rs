use crate::diag::Diagnostic;
use crate::rule;
use crate::rules::crt::files::{group, pairs};
use crate::rules::{Checker, Rule, RuleMeta};
use crate::tls::key::KeyFormat;

rule! {
    /// ## What it does
    /// Reports an encrypted `ssl_certificate_key` (PKCS#8 `ENCRYPTED PRIVATE
    /// KEY`, or a legacy PEM key with `Proc-Type: 4,ENCRYPTED`) on a server
    /// where no `ssl_password_file` is in effect.
    ///
    /// ## Why is this bad?
    /// Without `ssl_password_file`, OpenSSL asks for the passphrase on the
    /// terminal (`Enter PEM pass phrase:`) each time nginx loads its
    /// configuration. That works once, by hand, in a shell; it cannot work
    /// unattended. Started by systemd at boot there is no terminal, so nginx
    /// fails (`cannot load certificate key … bad decrypt`); a reload or
    /// `nginx -t` fails the same way. The site goes down at the next reboot.
    ///
    /// This is the guide's defect: it creates the key with
    /// `openssl genpkey … -aes256` and never sets `ssl_password_file`.
    ///
    /// ## Example
    /// ```nginx
    /// ssl_certificate     /etc/nginx/ssl/flask_app.crt;
    /// ssl_certificate_key /etc/nginx/ssl/flask_app.key;   # -aes256
    /// ```
    ///
    /// ## Use instead
    /// Either give nginx the passphrase in a root-only file (one passphrase
    /// per line; nginx tries each):
    /// ```nginx
    /// ssl_certificate_key /etc/nginx/ssl/flask_app.key;
    /// ssl_password_file   /etc/nginx/ssl/flask_app.pass;   # chmod 600
    /// ```
    /// or store the key unencrypted with mode 600, which protects it just as
    /// well when the passphrase would sit on the same disk:
    /// `openssl pkey -in flask_app.key -out flask_app.plain.key`.
    ///
    /// ## References
    /// - [nginx: ssl_password_file](https://nginx.org/en/docs/http/ngx_http_ssl_module.html#ssl_password_file)
    /// - [nginx: ssl_certificate_key](https://nginx.org/en/docs/http/ngx_http_ssl_module.html#ssl_certificate_key)
    pub struct EncryptedKeyWithoutPasswordFile;
    code = "KEY002", name = "encrypted-key-without-password-file", severity = Error,
    summary = "The private key is encrypted and no ssl_password_file is set",
}

impl Rule for EncryptedKeyWithoutPasswordFile {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Checker<'_>, out: &mut Vec<Diagnostic>) {
        let without_password = pairs(cx)
            .iter()
            .filter(|p| p.password_file.is_none())
            .filter_map(|p| p.key.clone());
        for file in group(without_password) {
            let read = cx.key(&file.path);
            let Ok(info) = &read.result else { continue };
            if !info.encrypted {
                continue;
            }
            let how = match info.format {
                KeyFormat::LegacyEncrypted => "with legacy PEM encryption (Proc-Type: 4,ENCRYPTED)",
                _ => "(BEGIN ENCRYPTED PRIVATE KEY)",
            };
            let message = format!(
                "private key {} is encrypted {how} and no ssl_password_file is set: nginx \
                 prompts for the passphrase at startup, so it cannot start unattended \
                 (systemd, reload, reboot)",
                file.path.display()
            );
            let path = file.path.display();
            out.push(file.report(&Self::META, message).with_help(format!(
                "add `ssl_password_file` with the passphrase (mode 600), or decrypt the key: \
                 `openssl pkey -in {path} -out {path}.plain` and point ssl_certificate_key at it"
            )));
        }
    }
}
