use crate::diag::Diagnostic;
use crate::rule;
use crate::rules::{Checker, Rule, RuleMeta};

rule! {
    /// ## What it does
    /// Offers each of SSLv3, TLSv1 and TLSv1.1 to the endpoint in a hand-built ClientHello (rustls
    /// cannot speak them) and reports every version the server answers with a ServerHello for that
    /// same version. A downgrade to another version, an alert or a closed connection counts as refused.
    ///
    /// ## Why is this bad?
    /// These versions lack AEAD suites and modern signature schemes, and are open to BEAST and
    /// POODLE-style attacks; PCI DSS and every browser dropped them. The static TLS001 reads
    /// `ssl_protocols`, but OpenSSL's system configuration, another server block that is the default
    /// for the socket, or a config that was never reloaded can make the live answer differ.
    ///
    /// ## Example
    /// ```text
    /// https://app.test:443: TLS101 error the server accepts TLSv1 and TLSv1.1
    /// ```
    ///
    /// ## Use instead
    /// ```text
    /// ssl_protocols TLSv1.2 TLSv1.3;   # then: nginx -t && systemctl reload nginx
    /// ```
    ///
    /// ## References
    /// - [nginx: ssl_protocols](https://nginx.org/en/docs/http/ngx_http_ssl_module.html#ssl_protocols)
    /// - [RFC 8996: Deprecating TLS 1.0 and TLS 1.1](https://www.rfc-editor.org/rfc/rfc8996)
    pub struct LegacyProtocolAccepted;
    code = "TLS101", name = "legacy-protocol-accepted", severity = Error,
    summary = "The live server accepts SSLv3, TLSv1 or TLSv1.1",
}

impl Rule for LegacyProtocolAccepted {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    /// A live finding: emitted by the probe (src/probe/), never by `check`.
    fn check(&self, _cx: &Checker<'_>, _out: &mut Vec<Diagnostic>) {}
}
