use crate::diag::Diagnostic;
use crate::rule;
use crate::rules::crt::files::password_files;
use crate::rules::{Checker, Rule, RuleMeta};

rule! {
    /// ## What it does
    /// Reports an `ssl_password_file` that its group or others may read.
    ///
    /// ## Why is this bad?
    /// The password file holds the passphrases of the encrypted private keys
    /// in plain text: whoever reads it can decrypt the keys, so it needs the
    /// same protection as an unencrypted key. nginx reads it as root while
    /// loading its configuration, so `root:root` mode `600` is enough.
    ///
    /// ## Example
    /// ```sh
    /// -rw-r--r-- 1 root root 32 /etc/nginx/ssl/app.pass
    /// ```
    ///
    /// ## Use instead
    /// ```sh
    /// chmod 600 /etc/nginx/ssl/app.pass
    /// ```
    ///
    /// ## References
    /// - [nginx: ssl_password_file](https://nginx.org/en/docs/http/ngx_http_ssl_module.html#ssl_password_file)
    pub struct PasswordFilePermissions;
    code = "KEY003", name = "password-file-permissions", severity = Warning,
    summary = "The ssl_password_file is readable by group or others",
}

impl Rule for PasswordFilePermissions {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Checker<'_>, out: &mut Vec<Diagnostic>) {
        for file in password_files(cx) {
            let Some(mode) = cx.file(&file.path).mode else {
                continue;
            };
            if mode.mode & 0o044 == 0 {
                continue;
            }
            let who = match (mode.mode & 0o040 != 0, mode.mode & 0o004 != 0) {
                (true, true) => "its group and others",
                (true, false) => "its group",
                _ => "others",
            };
            let message = format!(
                "ssl_password_file {} has mode {:04o}, so {who} can read the key passphrases",
                file.path.display(),
                mode.mode
            );
            let help = format!("`chmod 600 {}`", file.path.display());
            out.push(file.report(&Self::META, message).with_help(help));
        }
    }
}
