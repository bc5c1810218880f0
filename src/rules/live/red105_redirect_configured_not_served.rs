use crate::diag::Diagnostic;
use crate::rule;
use crate::rules::{Checker, Rule, RuleMeta};

rule! {
    /// ## What it does
    /// `nginx-audit verify` finds the plain-HTTP server block that answers a TLS server's name, and
    /// when its config redirects to HTTPS but the live answer is no redirect, reports the `return`
    /// line.
    ///
    /// ## Why is this bad?
    /// The running nginx is not running this config: a reload is pending or failed, another
    /// process owns port 80, or a different server block is the default for the socket.
    ///
    /// ## Example
    /// ```text
    /// nginx.conf:20:5: RED105 error the config redirects http://app.test to HTTPS but the server answered 200
    /// ```
    ///
    /// ## Use instead
    /// ```text
    /// nginx -t && systemctl reload nginx
    /// ```
    ///
    /// ## References
    /// - [nginx: controlling nginx (reload)](https://nginx.org/en/docs/control.html)
    pub struct RedirectConfiguredNotServed;
    code = "RED105", name = "redirect-configured-not-served", severity = Error,
    summary = "`verify`: the config redirects plain HTTP to HTTPS but the live server does not",
}

impl Rule for RedirectConfiguredNotServed {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    /// A live finding: emitted by `verify` (src/probe/verify.rs), never by `check`.
    fn check(&self, _cx: &Checker<'_>, _out: &mut Vec<Diagnostic>) {}
}
