use crate::diag::Diagnostic;
use crate::rule;
use crate::rules::{Checker, Rule, RuleMeta};

rule! {
    /// ## What it does
    /// Reports `invalid number of arguments in "listen" directive`, checked the way
/// nginx's `ngx_conf_handler` checks its argument flags (TAKE1…TAKE7, FLAG,
/// 1MORE, 2MORE, ANY).
    ///
    /// ## Why is this bad?
    /// nginx refuses the configuration. A missing `;` often shows up this way: the
/// next line's words become extra arguments.
    ///
    /// ## Example
    /// ```nginx
    /// ssl_protocols;
    /// ```
    ///
    /// ## Use instead
    /// ```nginx
    /// ssl_protocols TLSv1.2 TLSv1.3;
    /// ```
    ///
    /// ## References
    /// - [nginx: configuration syntax](https://nginx.org/en/docs/beginners_guide.html#conf_structure)
    pub struct InvalidArgumentCount;
    code = "SYN004", name = "invalid-argument-count", severity = Error,
    summary = "A directive with the wrong number of arguments",
}

impl Rule for InvalidArgumentCount {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    /// Emitted by the parser and validator, not here.
    fn check(&self, _cx: &Checker<'_>, _out: &mut Vec<Diagnostic>) {}
}
