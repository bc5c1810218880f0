use crate::diag::Diagnostic;
use crate::rule;
use crate::rules::{Checker, Rule, RuleMeta};

rule! {
    /// ## What it does
    /// Reports an `include` that closes a cycle (a.conf includes b.conf, which
/// includes a.conf), naming the whole chain. The cycle is cut there so the
/// rest of the configuration is still checked.
    ///
    /// ## Why is this bad?
    /// nginx follows includes without a cycle check and fails only when it runs
/// out of file descriptors or memory.
    ///
    /// ## Example
    /// ```nginx
    /// # a.conf
/// include b.conf;
/// # b.conf
/// include a.conf;
    /// ```
    ///
    /// ## Use instead
    /// ```nginx
    /// # a.conf
/// include b.conf;
    /// ```
    ///
    /// ## References
    /// - [nginx: include](https://nginx.org/en/docs/ngx_core_module.html#include)
    pub struct IncludeCycle;
    code = "SYN011", name = "include-cycle", severity = Error,
    summary = "Files include each other in a cycle",
}

impl Rule for IncludeCycle {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    /// Emitted by the parser and validator, not here.
    fn check(&self, _cx: &Checker<'_>, _out: &mut Vec<Diagnostic>) {}
}
