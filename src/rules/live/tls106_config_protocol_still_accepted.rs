use crate::diag::Diagnostic;
use crate::rule;
use crate::rules::{Checker, Rule, RuleMeta};

rule! {
    /// ## What it does
    /// `nginx-audit verify` reads the effective `ssl_protocols` of every TLS server and reports a
    /// version the live endpoint still accepts although the config no longer lists it. The finding
    /// points at the `ssl_protocols` line.
    ///
    /// ## Why is this bad?
    /// The usual cause is a config that was edited but never reloaded (or a reload that failed
    /// because `nginx -t` failed), so the weaker setting is still what clients get. Another is a
    /// different server block being the default for the socket: for one listen address OpenSSL's
    /// protocol settings come from the default server.
    ///
    /// ## Example
    /// ```text
    /// nginx.conf:12:5: TLS106 error the config enables TLSv1.2 and TLSv1.3 but https://app.test:443 still accepts TLSv1
    /// ```
    ///
    /// ## Use instead
    /// ```text
    /// nginx -t && systemctl reload nginx
    /// ```
    ///
    /// ## References
    /// - [nginx: ssl_protocols](https://nginx.org/en/docs/http/ngx_http_ssl_module.html#ssl_protocols)
    /// - [nginx: controlling nginx (reload)](https://nginx.org/en/docs/control.html)
    pub struct ConfigProtocolStillAccepted;
    code = "TLS106", name = "config-protocol-still-accepted", severity = Error,
    summary = "`verify`: the server accepts a protocol version its configuration does not enable",
}

impl Rule for ConfigProtocolStillAccepted {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    /// A live finding: emitted by `verify` (src/probe/verify.rs), never by `check`.
    fn check(&self, _cx: &Checker<'_>, _out: &mut Vec<Diagnostic>) {}
}
