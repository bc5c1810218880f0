use crate::diag::Diagnostic;
use crate::rule;
use crate::rules::{Checker, Rule, RuleMeta};

rule! {
    /// ## What it does
    /// Offers the accepted TLSv1.2-and-older suites in two orders and sees whether the server's
    /// choice follows the client. Under the `guide` profile (which sets `ssl_prefer_server_ciphers on`)
    /// a server that follows the client is reported; under `intermediate` and `modern` one that
    /// imposes its own order is.
    ///
    /// ## Why is this bad?
    /// With the client choosing, an old or downgraded client gets the weakest suite both enable;
    /// the guide therefore wants the server's order. Mozilla's profiles enable only strong suites and
    /// let the client pick (a phone without AES hardware picks ChaCha20). The static TLS005 checks the
    /// directive; this checks the server.
    ///
    /// ## Example
    /// ```text
    /// https://app.test:443: TLS107 warning the server lets the client choose the cipher suite (TLSv1.2)
    /// ```
    ///
    /// ## Use instead
    /// ```nginx
    /// ssl_prefer_server_ciphers on;   # guide profile
    /// ```
    ///
    /// ## References
    /// - [nginx: ssl_prefer_server_ciphers](https://nginx.org/en/docs/http/ngx_http_ssl_module.html#ssl_prefer_server_ciphers)
    /// - [Mozilla: Server Side TLS](https://wiki.mozilla.org/Security/Server_Side_TLS)
    pub struct ServerCipherOrder;
    code = "TLS107", name = "server-cipher-order", severity = Warning,
    summary = "The live server's cipher-order behaviour differs from the profile's choice",
}

impl Rule for ServerCipherOrder {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    /// A live finding: emitted by the probe (src/probe/), never by `check`.
    fn check(&self, _cx: &Checker<'_>, _out: &mut Vec<Diagnostic>) {}
}
