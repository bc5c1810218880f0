use crate::diag::Diagnostic;
use crate::rule;
use crate::rules::{Checker, Rule, RuleMeta};

rule! {
    /// ## What it does
    /// Reports `include` paths that cannot be read, in nginx's wording
/// (`open() "/etc/nginx/snippets/ssl.conf" failed (2: No such file or
/// directory)`): missing files, permission denied, symlink loops, directories,
/// FIFOs and devices. Relative paths resolve against the prefix — the main
/// config's directory, or `--prefix`. A glob that matches nothing is not an
/// error (nginx accepts it).
    ///
    /// ## Why is this bad?
    /// nginx refuses to start. On a deploy this is often a snippet that was not
/// copied, or a relative path that resolves against a different prefix.
    ///
    /// ## Example
    /// ```nginx
    /// include snippets/ssl-params.conf;   # not deployed
    /// ```
    ///
    /// ## Use instead
    /// ```nginx
    /// include /etc/nginx/snippets/ssl-params.conf;
    /// ```
    ///
    /// ## References
    /// - [nginx: include](https://nginx.org/en/docs/ngx_core_module.html#include)
    pub struct IncludeUnreadable;
    code = "SYN010", name = "include-unreadable", severity = Error,
    summary = "An include names a file that is missing or unreadable",
}

impl Rule for IncludeUnreadable {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    /// Emitted by the parser and validator, not here.
    fn check(&self, _cx: &Checker<'_>, _out: &mut Vec<Diagnostic>) {}
}
