use crate::diag::Diagnostic;
use crate::rule;
use crate::rules::{Checker, Rule, RuleMeta};

rule! {
    /// ## What it does
    /// Reports `invalid value "yes" in "gzip" directive, it must be "on" or "off"`
/// for directives that take a flag.
    ///
    /// ## Why is this bad?
    /// nginx refuses the configuration; `yes`, `true` and `1` are not flags to nginx.
    ///
    /// ## Example
    /// ```nginx
    /// ssl_prefer_server_ciphers yes;
    /// ```
    ///
    /// ## Use instead
    /// ```nginx
    /// ssl_prefer_server_ciphers on;
    /// ```
    ///
    /// ## References
    /// - [nginx: ssl_prefer_server_ciphers](https://nginx.org/en/docs/http/ngx_http_ssl_module.html#ssl_prefer_server_ciphers)
    pub struct InvalidFlagValue;
    code = "SYN005", name = "invalid-flag-value", severity = Error,
    summary = "An on/off directive with another value",
}

impl Rule for InvalidFlagValue {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    /// Emitted by the parser and validator, not here.
    fn check(&self, _cx: &Checker<'_>, _out: &mut Vec<Diagnostic>) {}
}
