use rustc_hash::FxHashSet as HashSet;

use crate::diag::Diagnostic;
use crate::rule;
use crate::rules::crt::files::{pairs, password_files};
use crate::rules::{Checker, Rule, RuleMeta};
use crate::tls::key::{open_with_password_file, password_file_lines, KeyError, KeyFormat};

rule! {
    /// ## What it does
    /// Reports an `ssl_password_file` that cannot open the encrypted
    /// `ssl_certificate_key` it is meant for: no line of it decrypts the key,
    /// or the file itself cannot be read.
    ///
    /// ## Why is this bad?
    /// nginx reads the password file when it parses the directive (a missing
    /// or unreadable file fails `nginx -t` right there), then tries each line
    /// as the key's passphrase in turn. If none fits, loading fails with
    /// `cannot load certificate key "…" … bad decrypt` and nginx does not
    /// start. A stale password file after re-keying, a passphrase saved with
    /// a stray space, or the wrong file are the usual causes. (Trailing
    /// carriage returns and empty lines are ignored, as nginx ignores them.)
    ///
    /// Only PKCS#8 `ENCRYPTED PRIVATE KEY` files are checked; legacy
    /// `Proc-Type` encrypted keys and unsupported encryption schemes are
    /// skipped.
    ///
    /// ## Example
    /// ```nginx
    /// ssl_certificate_key ssl/app.key;
    /// ssl_password_file   ssl/old.pass;   # passphrase of the previous key
    /// ```
    ///
    /// ## Use instead
    /// Put the key's passphrase on a line of the password file; check it with
    /// `openssl pkey -in ssl/app.key -passin file:ssl/app.pass -noout`.
    ///
    /// ## References
    /// - [nginx: ssl_password_file](https://nginx.org/en/docs/http/ngx_http_ssl_module.html#ssl_password_file)
    pub struct PasswordFileDoesNotOpenKey;
    code = "KEY005", name = "password-file-does-not-open-key", severity = Error,
    summary = "The ssl_password_file does not decrypt the private key",
}

impl Rule for PasswordFileDoesNotOpenKey {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Checker<'_>, out: &mut Vec<Diagnostic>) {
        let mut unreadable = HashSet::default();
        for file in password_files(cx) {
            let Err(reason) = &cx.file(&file.path).result else {
                continue;
            };
            unreadable.insert(file.path.clone());
            let message = format!(
                "cannot read ssl_password_file {}: {reason} (`nginx -t` fails, and no key \
                 passphrase can be read)",
                file.path.display()
            );
            out.push(file.report(&Self::META, message));
        }

        let mut seen = HashSet::default();
        for pair in pairs(cx) {
            let (Some(key), Some(password_file)) = (&pair.key, &pair.password_file) else {
                continue;
            };
            if unreadable.contains(&password_file.path)
                || !seen.insert((key.path.clone(), password_file.path.clone()))
            {
                continue;
            }
            let info = cx.key(&key.path);
            let Ok(info) = &info.result else { continue };
            if info.format != KeyFormat::EncryptedPkcs8 {
                continue;
            }
            let (Ok(key_pem), Ok(passwords)) = (
                &cx.file(&key.path).result,
                &cx.file(&password_file.path).result,
            ) else {
                continue;
            };
            if !matches!(
                open_with_password_file(key_pem, passwords),
                Err(KeyError::WrongPassphrase)
            ) {
                continue;
            }
            let (tried, verb) = match password_file_lines(passwords).len() {
                1 => ("the passphrase in".to_string(), "does not decrypt"),
                n => (format!("none of the {n} passphrases in"), "decrypts"),
            };
            let message = format!(
                "{tried} ssl_password_file {} {verb} private key {}: nginx fails with \
                 \"bad decrypt\"",
                password_file.path.display(),
                key.path.display()
            );
            out.push(
                Self::META
                    .at(password_file.arg.span, message)
                    .with_related(key.arg.span, "the encrypted key is named here"),
            );
        }
    }
}
