use crate::diag::Diagnostic;
use crate::rule;
use crate::rules::{Checker, Rule, RuleMeta};

rule! {
    /// ## What it does
    /// Reports codes in `# nginx-audit: ignore CODE -- reason` comments that no
/// finding on the comment's line or the next line matched.
    ///
    /// ## Why is this bad?
    /// A stale suppression hides the next real problem on that line. Remove it
/// once the problem is fixed.
    ///
    /// ## Example
    /// ```nginx
    /// ssl_protocols TLSv1.2 TLSv1.3; # nginx-audit: ignore TLS001
    /// ```
    ///
    /// ## Use instead
    /// ```nginx
    /// ssl_protocols TLSv1.2 TLSv1.3;
    /// ```
    ///
    /// ## References
    /// - [ruff: unused-noqa (RUF100), the same idea](https://docs.astral.sh/ruff/rules/unused-noqa/)
    pub struct UnusedSuppression;
    code = "SUP001", name = "unused-suppression", severity = Warning,
    summary = "A suppression comment that silences nothing",
}

impl Rule for UnusedSuppression {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    /// Emitted by suppression handling (src/suppress.rs), not here.
    fn check(&self, _cx: &Checker<'_>, _out: &mut Vec<Diagnostic>) {}
}
