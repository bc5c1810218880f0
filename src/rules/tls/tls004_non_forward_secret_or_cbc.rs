use rustc_hash::FxHashSet as HashSet;

use crate::diag::{Applicability, Diagnostic, Edit, Fix};
use crate::rule;
use crate::rules::profile::MOZILLA_INTERMEDIATE_CIPHERS;
use crate::rules::{Checker, Rule, RuleMeta};
use crate::tls::ciphers::{evaluate, CipherSuite};

rule! {
    /// ## What it does
    /// Under the `intermediate` and `modern` profiles, reports an
    /// `ssl_ciphers` string (or nginx's default, `HIGH:!aNULL:!MD5`, when it
    /// is unset) that enables TLS 1.2 suites without forward secrecy (static
    /// RSA key exchange, `kRSA`) or with CBC-mode encryption.
    ///
    /// Suites that `TLS003` already reports as weak (NULL, anonymous, RC4, …)
    /// are left to it, and PSK/SRP suites are not counted: nginx configures
    /// neither, so OpenSSL never offers them. `ssl_ciphers` governs only TLS
    /// 1.2 and older, so a server whose effective `ssl_protocols` is
    /// `TLSv1.3` alone is not reported.
    ///
    /// The `guide` profile does not run this rule: its `HIGH:!aNULL:!MD5`
    /// enables both kinds, and the guide accepts that.
    ///
    /// ## Why is this bad?
    /// With static RSA key exchange the session keys are sent encrypted to
    /// the certificate's key: whoever obtains that key later can decrypt
    /// every recorded session (no forward secrecy), and the mechanism is the
    /// one Bleichenbacher-style oracles (ROBOT) attack. CBC suites use
    /// MAC-then-encrypt, the construction behind Lucky13 and the padding
    /// oracles; TLS 1.3 dropped both. Mozilla's intermediate configuration
    /// enables only ECDHE key exchange with AES-GCM or ChaCha20-Poly1305.
    ///
    /// ## Example
    /// ```nginx
    /// ssl_protocols TLSv1.2 TLSv1.3;
    /// ssl_ciphers HIGH:!aNULL:!MD5;
    /// ```
    ///
    /// ## Use instead
    /// ```nginx
    /// ssl_protocols TLSv1.2 TLSv1.3;
    /// ssl_ciphers ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305;
    /// ```
    ///
    /// ## Fix safety
    /// The fix replaces the string with Mozilla's intermediate suite list
    /// (or, when `ssl_ciphers` is unset, inserts it after the server's last
    /// `listen`/`ssl_certificate_key` line). It is unsafe: old clients that
    /// speak only CBC or RSA key exchange (IE 11 on Windows 7, Java 7) can no
    /// longer connect.
    ///
    /// ## References
    /// - [nginx: ssl_ciphers](https://nginx.org/en/docs/http/ngx_http_ssl_module.html#ssl_ciphers)
    /// - [Mozilla: Server Side TLS, intermediate compatibility](https://wiki.mozilla.org/Security/Server_Side_TLS#Intermediate_compatibility_.28recommended.29)
    /// - [Lucky Thirteen](https://www.isg.rhul.ac.uk/tls/Lucky13.html) · [ROBOT](https://robotattack.org/)
    pub struct NonForwardSecretOrCbc;
    code = "TLS004", name = "non-forward-secret-or-cbc", severity = Warning,
    summary = "ssl_ciphers enables suites without forward secrecy or with CBC",
    profiles = [Intermediate, Modern],
    fix = Sometimes,
}

impl Rule for NonForwardSecretOrCbc {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Checker<'_>, out: &mut Vec<Diagnostic>) {
        let mut seen = HashSet::default();
        for site in super::tls_sites(cx) {
            if !super::enables_pre_tls13(&super::effective_protocols(cx, site)) {
                continue;
            }
            let (ciphers, directive) = super::effective_ciphers(site);
            if let Some(d) = directive {
                if !seen.insert(d.span) {
                    continue;
                }
            }
            let Some(message) = describe(ciphers) else {
                continue;
            };
            let wanted =
                "use Mozilla's intermediate suites (ECDHE with AES-GCM or ChaCha20)".to_string();
            match directive.and_then(|d| d.args().first()) {
                Some(arg) => {
                    let replacement = super::requote(arg, MOZILLA_INTERMEDIATE_CIPHERS);
                    out.push(
                        Self::META
                            .at(arg.span, format!("ssl_ciphers {message}"))
                            .with_fix(Fix {
                                message: wanted,
                                applicability: Applicability::Unsafe,
                                edits: vec![Edit {
                                    span: arg.span,
                                    replacement,
                                }],
                            }),
                    );
                }
                None => {
                    let Some(span) = super::site_span(site) else {
                        continue;
                    };
                    let text = format!(
                        "ssl_ciphers is not set, so nginx uses its default `{}`, which {message}",
                        super::DEFAULT_CIPHERS
                    );
                    let mut diag = Self::META.at(span, text);
                    let directive = format!("ssl_ciphers {MOZILLA_INTERMEDIATE_CIPHERS};");
                    if let Some(edit) = super::insert_in_server(cx, site, &directive) {
                        diag = diag.with_fix(Fix {
                            message: wanted,
                            applicability: Applicability::Unsafe,
                            edits: vec![edit],
                        });
                    }
                    out.push(diag);
                }
            }
        }
    }
}

/// `enables 9 suites without forward secrecy (…) and 24 CBC suites (…)`, or
/// None when the string enables neither kind.
fn describe(cipher_string: &str) -> Option<String> {
    let suites: Vec<&'static CipherSuite> = evaluate(cipher_string)
        .ok()?
        .suites
        .into_iter()
        .filter(|s| super::negotiable(s) && s.weakness().is_none())
        .collect();
    let names = |f: &dyn Fn(&CipherSuite) -> bool| -> Vec<&'static str> {
        suites.iter().filter(|s| f(s)).map(|s| s.openssl).collect()
    };
    let static_rsa = names(&|s| !s.is_forward_secret());
    let cbc = names(&|s| s.is_forward_secret() && s.is_cbc());
    let part = |names: &[&str], what: &str| {
        format!(
            "{} suite{} {what} ({})",
            names.len(),
            if names.len() == 1 { "" } else { "s" },
            super::name_list(names, 3)
        )
    };
    let parts: Vec<String> = [
        (!static_rsa.is_empty()).then(|| part(&static_rsa, "without forward secrecy")),
        (!cbc.is_empty()).then(|| part(&cbc, "with CBC encryption")),
    ]
    .into_iter()
    .flatten()
    .collect();
    (!parts.is_empty()).then(|| format!("enables {}", parts.join(" and ")))
}
