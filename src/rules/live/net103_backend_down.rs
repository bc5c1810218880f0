use crate::diag::Diagnostic;
use crate::rule;
use crate::rules::{Checker, Rule, RuleMeta};

rule! {
    /// ## What it does
    /// Reports a 502 Bad Gateway, 503 Service Unavailable or 504 Gateway Timeout answer to the HTTPS
    /// request for the target's path.
    ///
    /// ## Why is this bad?
    /// nginx itself is up but the upstream (`proxy_pass` target, e.g. gunicorn on 127.0.0.1:5000)
    /// refuses, times out or is missing; users see an error page.
    ///
    /// ## Example
    /// ```text
    /// https://app.test:443: NET103 error the HTTPS request answered 502 Bad Gateway: the application behind the proxy is down
    /// ```
    ///
    /// ## Use instead
    /// ```text
    /// systemctl status gunicorn   # and check proxy_pass points at where it listens
    /// ```
    ///
    /// ## References
    /// - [nginx: proxy_pass](https://nginx.org/en/docs/http/ngx_http_proxy_module.html#proxy_pass)
    pub struct BackendDown;
    code = "NET103", name = "backend-down", severity = Error,
    summary = "The proxy answers 502, 503 or 504: the application behind it is down",
}

impl Rule for BackendDown {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    /// A live finding: emitted by the probe (src/probe/), never by `check`.
    fn check(&self, _cx: &Checker<'_>, _out: &mut Vec<Diagnostic>) {}
}
