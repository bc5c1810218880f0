use std::os::unix::fs::MetadataExt;

use crate::config::Context;
use crate::diag::Diagnostic;
use crate::rule;
use crate::rules::crt::files::key_files;
use crate::rules::{Checker, Rule, RuleMeta};
use crate::syntax::names::ids;

/// Who runs nginx's workers when the main config has no `user` directive:
/// the build default (`nobody`) or the distribution's packaging user.
const DEFAULT_NGINX_USERS: &[&str] = &["www-data", "nginx", "nobody"];

rule! {
    /// ## What it does
    /// Reports an `ssl_certificate_key` file that group or others may access
    /// (mode wider than `600`), or that is owned by someone other than root,
    /// the nginx user, or the account running the audit.
    ///
    /// ## Why is this bad?
    /// Whoever can read the private key can impersonate the server and, for
    /// key exchanges without forward secrecy, decrypt recorded traffic. nginx
    /// does not need a readable key: the master process reads every key as
    /// root while loading its configuration, *before* the workers drop to
    /// the unprivileged `user`, so `root:root` mode `600` is enough. Anything
    /// wider lets other local accounts — a compromised web app, a shell user,
    /// a backup agent — copy the key. (Debian's `640 root:ssl-cert` convention
    /// is for other daemons; nginx does not need the group.)
    ///
    /// The guide sets `chmod 600` on its key, which is right. The owner is
    /// accepted when it is root, the `user` of the main config (or, without
    /// one, `www-data`, `nginx` or `nobody`), or the account running this
    /// audit (on a workstation the developer's own files; on a server, run
    /// the audit as root to check owners).
    ///
    /// ## Example
    /// ```sh
    /// -rw-r--r-- 1 deploy deploy 1704 app.key
    /// ```
    ///
    /// ## Use instead
    /// ```sh
    /// chown root:root app.key && chmod 600 app.key
    /// ```
    ///
    /// ## References
    /// - [nginx: ssl_certificate_key](https://nginx.org/en/docs/http/ngx_http_ssl_module.html#ssl_certificate_key)
    /// - [nginx: user](https://nginx.org/en/docs/ngx_core_module.html#user)
    pub struct KeyFilePermissions;
    code = "KEY001", name = "key-file-permissions", severity = Warning,
    summary = "The private key file is readable by others or has an unexpected owner",
}

impl Rule for KeyFilePermissions {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Checker<'_>, out: &mut Vec<Diagnostic>) {
        let passwd = std::fs::read_to_string("/etc/passwd").unwrap_or_default();
        let nginx_users = nginx_users(cx);
        let mut owners: Vec<u32> = vec![0];
        owners.extend(nginx_users.iter().filter_map(|u| uid_of(&passwd, u)));
        owners.extend(current_uid());
        for file in key_files(cx) {
            let read = cx.key(&file.path);
            // A missing file or one without a key is KEY004's.
            let (Ok(_), Some(mode)) = (&read.result, read.mode) else {
                continue;
            };
            let mut problems = Vec::new();
            if mode.is_wider_than_600() {
                problems.push(format!(
                    "has mode {:04o}, so {} can access it",
                    mode.mode,
                    who(mode.mode)
                ));
            }
            let bad_owner = !owners.contains(&mode.uid);
            if bad_owner {
                let name = name_of(&passwd, mode.uid)
                    .map(|n| format!(" ({n})"))
                    .unwrap_or_default();
                problems.push(format!(
                    "is owned by uid {}{name}, neither root nor the nginx user ({})",
                    mode.uid,
                    nginx_users.join(", ")
                ));
            }
            if problems.is_empty() {
                continue;
            }
            let message = format!(
                "private key {} {}; nginx reads keys as root before dropping privileges, so \
                 root-owned mode 600 is enough",
                file.path.display(),
                problems.join(" and ")
            );
            let path = file.path.display();
            let help = if bad_owner {
                format!("`chown root:root {path} && chmod 600 {path}`")
            } else {
                format!("`chmod 600 {path}`")
            };
            out.push(file.report(&Self::META, message).with_help(help));
        }
    }
}

/// `group`, `others` or both, from the permission bits.
fn who(mode: u32) -> &'static str {
    match (mode & 0o070 != 0, mode & 0o007 != 0) {
        (true, true) => "its group and others",
        (true, false) => "its group",
        _ => "others",
    }
}

/// The worker user from the main config's `user` directive, else the usual defaults.
fn nginx_users(cx: &Checker<'_>) -> Vec<String> {
    let configured = cx
        .cfg
        .roots
        .iter()
        .filter(|r| r.context == Context::Main)
        .flat_map(|r| cx.cfg.root_directives(r))
        .find(|d| d.is(ids::USER))
        .and_then(|d| d.arg(0))
        .map(str::to_string);
    match configured {
        Some(user) => vec![user],
        None => DEFAULT_NGINX_USERS.iter().map(|u| u.to_string()).collect(),
    }
}

/// The uid of `name` in an `/etc/passwd` text; a numeric name is taken as a uid.
fn uid_of(passwd: &str, name: &str) -> Option<u32> {
    if let Ok(uid) = name.parse() {
        return Some(uid);
    }
    passwd_entries(passwd)
        .find(|(n, _)| *n == name)
        .map(|(_, uid)| uid)
}

fn name_of(passwd: &str, uid: u32) -> Option<&str> {
    passwd_entries(passwd)
        .find(|(_, u)| *u == uid)
        .map(|(n, _)| n)
}

fn passwd_entries(passwd: &str) -> impl Iterator<Item = (&str, u32)> {
    passwd.lines().filter_map(|line| {
        let mut fields = line.split(':');
        let name = fields.next()?;
        let uid = fields.nth(1)?.parse().ok()?;
        Some((name, uid))
    })
}

/// The effective uid of this process (Linux: the owner of `/proc/self`).
fn current_uid() -> Option<u32> {
    std::fs::metadata("/proc/self").ok().map(|m| m.uid())
}

#[cfg(test)]
mod tests {
    use super::*;

    const PASSWD: &str = "root:x:0:0:root:/root:/bin/bash\n\
        www-data:x:33:33:www-data:/var/www:/usr/sbin/nologin\n\
        nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n\
        broken line\n";

    #[test]
    fn users_resolve_through_passwd() {
        assert_eq!(uid_of(PASSWD, "www-data"), Some(33));
        assert_eq!(uid_of(PASSWD, "nginx"), None);
        assert_eq!(uid_of(PASSWD, "101"), Some(101));
        assert_eq!(name_of(PASSWD, 65534), Some("nobody"));
        assert_eq!(name_of(PASSWD, 1000), None);
    }

    #[test]
    fn who_names_the_classes() {
        assert_eq!(who(0o644), "its group and others");
        assert_eq!(who(0o640), "its group");
        assert_eq!(who(0o604), "others");
    }
}
