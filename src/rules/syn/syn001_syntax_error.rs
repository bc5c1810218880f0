use crate::diag::Diagnostic;
use crate::rule;
use crate::rules::{Checker, Rule, RuleMeta};

rule! {
    /// ## What it does
    /// Reports tokenizer and block-structure errors, in nginx's own words:
/// `unexpected "}"`, `unexpected ";"`, `unexpected end of file, expecting ";" or "}"`,
/// `unexpected end of file, expecting "}"`, and `unexpected "x"` after a closing quote.
    ///
    /// ## Why is this bad?
    /// nginx refuses to start (or reload) on the first syntax error, and an
/// editor rarely shows that a quote or brace is unbalanced. nginx-audit keeps
/// parsing after the error, so one run lists every problem; the first one is
/// where nginx itself stops.
///
/// Tokenizer rules that surprise people (nginx's `ngx_conf_read_token`):
/// quotes and `#` are special only where a token starts (`a#b` is one word),
/// an unquoted word ends at whitespace, `;` or `{` but not at `}`, and a
/// closing quote must be followed by whitespace, `;`, `{` or `)`.
    ///
    /// ## Example
    /// ```nginx
    /// location / {
///     return 200 "ok"
/// }
    /// ```
    ///
    /// ## Use instead
    /// ```nginx
    /// location / {
///     return 200 "ok";
/// }
    /// ```
    ///
    /// ## References
    /// - [nginx: configuration file syntax](https://nginx.org/en/docs/beginners_guide.html#conf_structure)
    pub struct SyntaxError;
    code = "SYN001", name = "syntax-error", severity = Error,
    summary = "The file does not follow nginx's configuration syntax",
}

impl Rule for SyntaxError {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    /// Emitted by the parser and validator, not here.
    fn check(&self, _cx: &Checker<'_>, _out: &mut Vec<Diagnostic>) {}
}
