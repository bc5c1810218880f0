use crate::diag::Diagnostic;
use crate::rule;
use crate::rules::{Checker, Rule, RuleMeta};

rule! {
    /// ## What it does
    /// Reads the prime size from the ServerKeyExchange of the DHE suites the server accepts and
    /// reports a group under 2048 bits.
    ///
    /// ## Why is this bad?
    /// A 1024-bit group can be precomputed against by a well-funded attacker (Logjam), which
    /// then breaks every session using it; 512-bit export groups are broken outright.
    ///
    /// ## Example
    /// ```text
    /// https://app.test:443: TLS104 error DHE key exchange uses a 1024-bit group (minimum 2048)
    /// ```
    ///
    /// ## Use instead
    /// ```nginx
    /// ssl_dhparam /etc/nginx/ffdhe2048.pem;   # RFC 7919 group, or drop the DHE suites
    /// ```
    ///
    /// ## References
    /// - [nginx: ssl_dhparam](https://nginx.org/en/docs/http/ngx_http_ssl_module.html#ssl_dhparam)
    /// - [weakdh.org: the Logjam attack](https://weakdh.org/)
    pub struct WeakDheGroup;
    code = "TLS104", name = "weak-dhe-group", severity = Error,
    summary = "DHE suites on the live server use a Diffie-Hellman group smaller than 2048 bits",
}

impl Rule for WeakDheGroup {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    /// A live finding: emitted by the probe (src/probe/), never by `check`.
    fn check(&self, _cx: &Checker<'_>, _out: &mut Vec<Diagnostic>) {}
}
