use crate::diag::Diagnostic;
use crate::rule;
use crate::rules::{Checker, Rule, RuleMeta};

rule! {
    /// ## What it does
    /// `nginx-audit verify` compares the SHA-256 fingerprint of the served leaf with the first
    /// certificate of every `ssl_certificate` file the server block names, and reports the
    /// `ssl_certificate` line when none matches.
    ///
    /// ## Why is this bad?
    /// nginx reads certificate files only at start and reload. A renewal that replaced the file
    /// without a reload keeps serving the old certificate until it expires; so does a reload that
    /// failed. It can also mean that another server block answered the name.
    ///
    /// ## Example
    /// ```text
    /// nginx.conf:9:5: CRT105 error https://app.test:443 serves SHA-256 3F:A1:… but /etc/nginx/tls/app.crt holds 9C:02:…
    /// ```
    ///
    /// ## Use instead
    /// ```text
    /// nginx -t && systemctl reload nginx   # certbot: --deploy-hook 'systemctl reload nginx'
    /// ```
    ///
    /// ## References
    /// - [nginx: ssl_certificate](https://nginx.org/en/docs/http/ngx_http_ssl_module.html#ssl_certificate)
    /// - [nginx: controlling nginx (reload)](https://nginx.org/en/docs/control.html)
    pub struct ServedCertificateDiffersFromConfig;
    code = "CRT105", name = "served-certificate-differs-from-config", severity = Error,
    summary = "`verify`: the certificate the server presents is not the one the config names (a stale reload)",
}

impl Rule for ServedCertificateDiffersFromConfig {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    /// A live finding: emitted by `verify` (src/probe/verify.rs), never by `check`.
    fn check(&self, _cx: &Checker<'_>, _out: &mut Vec<Diagnostic>) {}
}
