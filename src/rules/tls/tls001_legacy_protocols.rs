use crate::diag::{Applicability, Diagnostic, Edit, Fix};
use crate::rule;
use crate::rules::{Checker, Rule, RuleMeta};
use crate::syntax::Directive;

rule! {
    /// ## What it does
    /// Reports `ssl_protocols` values that enable SSLv2, SSLv3, TLSv1 or
    /// TLSv1.1 (and, under the `modern` profile, TLSv1.2) on a TLS server.
    ///
    /// ## Why is this bad?
    /// SSLv3, TLS 1.0 and TLS 1.1 are deprecated (RFC 8996): they rely on
    /// SHA-1/MD5 in the handshake and CBC constructions open to BEAST and
    /// POODLE-style attacks, and no current browser needs them. An enabled
    /// legacy version is also a downgrade target for an active attacker.
    ///
    /// nginx applies `ssl_protocols` from `http` to every `server` that does
    /// not set its own, so one line at `http` level affects every site.
    ///
    /// ## Example
    /// ```nginx
    /// ssl_protocols TLSv1 TLSv1.1 TLSv1.2;
    /// ```
    ///
    /// ## Use instead
    /// ```nginx
    /// ssl_protocols TLSv1.2 TLSv1.3;
    /// ```
    ///
    /// ## Fix safety
    /// The fix rewrites the directive's arguments to the profile's protocols.
    /// It is safe: clients that can only speak the removed versions are the
    /// problem the rule reports.
    ///
    /// ## References
    /// - [nginx: ssl_protocols](https://nginx.org/en/docs/http/ngx_http_ssl_module.html#ssl_protocols)
    /// - [RFC 8996: Deprecating TLS 1.0 and TLS 1.1](https://www.rfc-editor.org/rfc/rfc8996)
    pub struct LegacyProtocols;
    code = "TLS001", name = "legacy-protocols", severity = Error,
    summary = "Legacy protocol versions are enabled in ssl_protocols",
    fix = Always,
}

impl Rule for LegacyProtocols {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Checker<'_>, out: &mut Vec<Diagnostic>) {
        for d in super::effective_protocol_directives(cx) {
            let bad: Vec<&str> = d
                .args()
                .iter()
                .map(|a| a.value)
                .filter(|v| super::PROTOCOLS.contains(v) && !cx.spec.protocols.contains(v))
                .collect();
            if bad.is_empty() {
                continue;
            }
            let first_bad = d.args().iter().find(|a| bad.contains(&a.value)).unwrap();
            let message = format!(
                "ssl_protocols enables {} (the {} profile allows only {})",
                bad.join(", "),
                cx.spec.name,
                cx.spec.protocols.join(" and ")
            );
            out.push(
                Self::META
                    .at(first_bad.span, message)
                    .with_fix(fix(d, cx.spec.protocols)),
            );
        }
    }
}

/// Replace the arguments (not the directive), so comments and layout stay.
fn fix(d: &Directive, protocols: &[&str]) -> Fix {
    let span = d
        .args()
        .span()
        .expect("protocols were found in the arguments");
    Fix {
        message: format!("set `ssl_protocols {}`", protocols.join(" ")),
        applicability: Applicability::Safe,
        edits: vec![Edit {
            span,
            replacement: protocols.join(" "),
        }],
    }
}
