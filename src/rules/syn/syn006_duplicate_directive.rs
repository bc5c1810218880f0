use crate::diag::Diagnostic;
use crate::rule;
use crate::rules::{Checker, Rule, RuleMeta};

rule! {
    /// ## What it does
    /// Reports `"ssl_protocols" directive is duplicate`: a second occurrence in the
/// same block (includes expanded) of a directive whose handler accepts one
/// value per level — on/off flags, sizes, times, `root`, `proxy_pass`,
/// `ssl_protocols`, `ssl_ciphers` and the like. The related location points
/// at the first one.
    ///
    /// ## Why is this bad?
    /// nginx refuses the configuration. Duplicates usually come from an included
/// snippet that sets what the including block sets too.
    ///
    /// ## Example
    /// ```nginx
    /// server {
///     include snippets/ssl.conf;   # sets ssl_protocols
///     ssl_protocols TLSv1.2 TLSv1.3;
/// }
    /// ```
    ///
    /// ## Use instead
    /// ```nginx
    /// server {
///     include snippets/ssl.conf;
/// }
    /// ```
    ///
    /// ## References
    /// - [nginx: ssl_protocols](https://nginx.org/en/docs/http/ngx_http_ssl_module.html#ssl_protocols)
    pub struct DuplicateDirective;
    code = "SYN006", name = "duplicate-directive", severity = Error,
    summary = "A directive set twice in one block where nginx refuses that",
}

impl Rule for DuplicateDirective {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    /// Emitted by the parser and validator, not here.
    fn check(&self, _cx: &Checker<'_>, _out: &mut Vec<Diagnostic>) {}
}
