use crate::diag::Diagnostic;
use crate::rule;
use crate::rules::{Checker, Rule, RuleMeta};

rule! {
    /// ## What it does
    /// Reports codes in suppression comments that are not nginx-audit codes
/// (see `nginx-audit rules`).
    ///
    /// ## Why is this bad?
    /// A misspelt code suppresses nothing, so the finding it was meant to silence
/// still shows — or worse, the comment gives a false sense that it was
/// reviewed.
    ///
    /// ## Example
    /// ```nginx
    /// # nginx-audit: ignore TSL001 -- legacy clients
    /// ```
    ///
    /// ## Use instead
    /// ```nginx
    /// # nginx-audit: ignore TLS001 -- legacy clients
    /// ```
    ///
    /// ## References
    /// - [nginx-audit: suppression comments](../usage.md)
    pub struct UnknownSuppressionCode;
    code = "SUP002", name = "unknown-suppression-code", severity = Warning,
    summary = "A suppression comment names a code that does not exist",
}

impl Rule for UnknownSuppressionCode {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    /// Emitted by suppression handling (src/suppress.rs), not here.
    fn check(&self, _cx: &Checker<'_>, _out: &mut Vec<Diagnostic>) {}
}
