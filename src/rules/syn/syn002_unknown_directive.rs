use crate::diag::Diagnostic;
use crate::rule;
use crate::rules::{Checker, Rule, RuleMeta};

rule! {
    /// ## What it does
    /// Reports directives that no nginx module defines (`unknown directive "foo"`),
/// with a "did you mean" suggestion when a known directive is close. The
/// directive table comes from nginx 1.31's source, njs, nginx-otel and
/// nginx-acme; third-party modules (lua, headers-more, brotli, …) are unknown
/// unless nginx loads them.
    ///
    /// ## Why is this bad?
    /// A typo makes nginx refuse the whole configuration; a directive from a
/// module that is not loaded does the same after an upgrade or on another
/// host. Suppress the finding with a reason when the module is loaded.
    ///
    /// ## Example
    /// ```nginx
    /// location / {
///     proxy_pas http://127.0.0.1:5000;
/// }
    /// ```
    ///
    /// ## Use instead
    /// ```nginx
    /// location / {
///     proxy_pass http://127.0.0.1:5000;
/// }
    /// ```
    ///
    /// ## References
    /// - [nginx: directive index](https://nginx.org/en/docs/dirindex.html)
    pub struct UnknownDirective;
    code = "SYN002", name = "unknown-directive", severity = Error,
    summary = "A directive nginx does not know",
}

impl Rule for UnknownDirective {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    /// Emitted by the parser and validator, not here.
    fn check(&self, _cx: &Checker<'_>, _out: &mut Vec<Diagnostic>) {}
}
