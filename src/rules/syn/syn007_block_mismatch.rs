use crate::diag::Diagnostic;
use crate::rule;
use crate::rules::{Checker, Rule, RuleMeta};

rule! {
    /// ## What it does
    /// Reports `directive "server" has no opening "{"` and `directive "listen" is
/// not terminated by ";"`.
    ///
    /// ## Why is this bad?
    /// nginx refuses the configuration.
    ///
    /// ## Example
    /// ```nginx
    /// http {
///     server;
/// }
    /// ```
    ///
    /// ## Use instead
    /// ```nginx
    /// http {
///     server {
///         listen 80;
///     }
/// }
    /// ```
    ///
    /// ## References
    /// - [nginx: configuration structure](https://nginx.org/en/docs/beginners_guide.html#conf_structure)
    pub struct BlockMismatch;
    code = "SYN007", name = "block-mismatch", severity = Error,
    summary = "A block directive without a block, or a simple directive with one",
}

impl Rule for BlockMismatch {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    /// Emitted by the parser and validator, not here.
    fn check(&self, _cx: &Checker<'_>, _out: &mut Vec<Diagnostic>) {}
}
