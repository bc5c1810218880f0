use crate::diag::Diagnostic;
use crate::rule;
use crate::rules::{Checker, Rule, RuleMeta};

rule! {
    /// ## What it does
    /// Reports `"proxy_pass" directive is not allowed here`: a known directive in
/// a block where its module does not accept it (e.g. `proxy_pass` directly in
/// `server`, `ssl_protocols` in `location`). The help text lists where it
/// belongs.
    ///
    /// ## Why is this bad?
    /// nginx refuses the configuration. Moving a directive to a nearby block is
/// also a common way to change its meaning by accident, so the allowed
/// contexts are worth knowing.
    ///
    /// ## Example
    /// ```nginx
    /// server {
///     proxy_pass http://127.0.0.1:5000;
/// }
    /// ```
    ///
    /// ## Use instead
    /// ```nginx
    /// server {
///     location / {
///         proxy_pass http://127.0.0.1:5000;
///     }
/// }
    /// ```
    ///
    /// ## References
    /// - [nginx: proxy_pass](https://nginx.org/en/docs/http/ngx_http_proxy_module.html#proxy_pass)
    pub struct NotAllowedHere;
    code = "SYN003", name = "directive-not-allowed-here", severity = Error,
    summary = "A directive used in a context where nginx does not accept it",
}

impl Rule for NotAllowedHere {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    /// Emitted by the parser and validator, not here.
    fn check(&self, _cx: &Checker<'_>, _out: &mut Vec<Diagnostic>) {}
}
