use crate::diag::{Applicability, Diagnostic, Fix};
use crate::rule;
use crate::rules::{Checker, Rule, RuleMeta};

rule! {
    /// ## What it does
    /// Reports a TLS server on which `ssl_protocols` is set at no level
    /// (neither in the `server` nor in `http`) when nginx's built-in default
    /// for the configured nginx version enables a protocol the profile does
    /// not allow.
    ///
    /// ## Why is this bad?
    /// Without `ssl_protocols` nginx uses a default that changed over time:
    ///
    /// | nginx | default |
    /// |---|---|
    /// | before 1.23.4 | `TLSv1 TLSv1.1 TLSv1.2` |
    /// | 1.23.4 – 1.27.2 | `TLSv1 TLSv1.1 TLSv1.2 TLSv1.3` |
    /// | 1.27.3 and later | `TLSv1.2 TLSv1.3` |
    ///
    /// So a config that looks harmless still offers the deprecated TLS 1.0
    /// and 1.1 (RFC 8996) on most distribution packages — Debian 12 ships
    /// nginx 1.22.1 — and, before 1.23.4, does not even offer TLS 1.3.
    /// The version comes from `--nginx-version` or the installed `nginx -v`;
    /// when neither is known the rule assumes the oldest default.
    ///
    /// On nginx 1.27.3 and later the default is what the `guide` and
    /// `intermediate` profiles ask for, and the rule reports nothing (stating
    /// the protocols explicitly is still good practice, but it is not a
    /// finding). Under `modern` the default still enables TLS 1.2, which is
    /// reported.
    ///
    /// ## Example
    /// ```nginx
    /// server {
    ///     listen 443 ssl;
    ///     ssl_certificate     /etc/ssl/app.crt;
    ///     ssl_certificate_key /etc/ssl/app.key;
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```nginx
    /// server {
    ///     listen 443 ssl;
    ///     ssl_certificate     /etc/ssl/app.crt;
    ///     ssl_certificate_key /etc/ssl/app.key;
    ///     ssl_protocols TLSv1.2 TLSv1.3;
    /// }
    /// ```
    ///
    /// ## Fix safety
    /// The fix inserts `ssl_protocols` with the profile's protocols after the
    /// server's last `listen` or `ssl_certificate_key` line, with the same
    /// indentation. It is safe: it removes only the protocols this rule
    /// reports. No fix is offered when the server has no such line written
    /// in its own block.
    ///
    /// ## References
    /// - [nginx: ssl_protocols](https://nginx.org/en/docs/http/ngx_http_ssl_module.html#ssl_protocols)
    /// - [nginx 1.23.4 changes: TLSv1.3 enabled by default](https://nginx.org/en/CHANGES)
    /// - [RFC 8996: Deprecating TLS 1.0 and TLS 1.1](https://www.rfc-editor.org/rfc/rfc8996)
    pub struct ProtocolsUnset;
    code = "TLS002", name = "protocols-unset", severity = Error,
    summary = "ssl_protocols is not set and nginx's default enables legacy protocols",
    fix = Sometimes,
}

impl Rule for ProtocolsUnset {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Checker<'_>, out: &mut Vec<Diagnostic>) {
        // Ask nginx for its version only when some TLS server relies on
        // the default (`nginx -v` is a process start, 4 ms of a check).
        let mut unset = super::tls_sites(cx)
            .filter(|site| site.settings.get("ssl_protocols").is_none())
            .peekable();
        if unset.peek().is_none() {
            return;
        }
        let version = cx.nginx_version();
        let default = super::default_protocols(version);
        let bad: Vec<&str> = default
            .iter()
            .copied()
            .filter(|p| !cx.spec.protocols.contains(p))
            .collect();
        if bad.is_empty() {
            return;
        }
        let wanted = cx.spec.protocols.join(" ");
        for site in unset {
            let Some(span) = super::site_span(site) else {
                continue;
            };
            let message = format!(
                "ssl_protocols is not set, so {} uses its default `{}`, which enables {} (the {} \
                 profile allows only {})",
                super::version_label(version),
                default.join(" "),
                super::name_list(&bad, bad.len()),
                cx.spec.name,
                cx.spec.protocols.join(" and "),
            );
            let mut diag = Self::META.at(span, message);
            if let Some(edit) =
                super::insert_in_server(cx, site, &format!("ssl_protocols {wanted};"))
            {
                diag = diag.with_fix(Fix {
                    message: format!("add `ssl_protocols {wanted};`"),
                    applicability: Applicability::Safe,
                    edits: vec![edit],
                });
            }
            out.push(diag);
        }
    }
}
