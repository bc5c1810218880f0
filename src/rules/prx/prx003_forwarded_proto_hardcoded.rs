use rustc_hash::FxHashSet as HashSet;

use crate::diag::{Applicability, Diagnostic, Edit, Fix};
use crate::rule;
use crate::rules::{Checker, Rule, RuleMeta};

rule! {
    /// ## What it does
    /// Reports `proxy_set_header X-Forwarded-Proto http;` (the literal word
    /// `http`) in effect on a server that serves TLS.
    ///
    /// ## Why is this bad?
    /// The backend learns the scheme the client used from
    /// `X-Forwarded-Proto`. Hard-coded to `http` on an HTTPS site, it tells
    /// the application that every request came over plain HTTP, so the
    /// application
    /// - builds `http://` links and redirects (mixed content, or a downgrade
    ///   that HSTS then has to catch);
    /// - redirects "to HTTPS" forever when it enforces HTTPS itself (Django
    ///   `SECURE_SSL_REDIRECT`, Rails `force_ssl`, Flask-Talisman): nginx
    ///   forwards the HTTPS retry as `http` again, an endless redirect loop;
    /// - may refuse to set `Secure` cookies.
    ///
    /// `$scheme` is what the client really used, and it stays right when the
    /// same location serves both HTTP and HTTPS.
    ///
    /// ## Example
    /// ```nginx
    /// server {
    ///     listen 443 ssl;
    ///     location / {
    ///         proxy_set_header X-Forwarded-Proto http;
    ///         proxy_pass http://127.0.0.1:5000;
    ///     }
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```nginx
    /// proxy_set_header X-Forwarded-Proto $scheme;
    /// ```
    ///
    /// ## Fix safety
    /// The fix replaces the value with `$scheme`. It is safe: on a TLS server
    /// `$scheme` is `https` for the requests the literal got wrong and stays
    /// `http` for plain-HTTP requests the same server may also accept.
    ///
    /// ## References
    /// - [nginx: proxy_set_header](https://nginx.org/en/docs/http/ngx_http_proxy_module.html#proxy_set_header)
    /// - [nginx: $scheme](https://nginx.org/en/docs/http/ngx_http_core_module.html#var_scheme)
    /// - [MDN: X-Forwarded-Proto](https://developer.mozilla.org/en-US/docs/Web/HTTP/Reference/Headers/X-Forwarded-Proto)
    pub struct ForwardedProtoHardcoded;
    code = "PRX003", name = "forwarded-proto-hardcoded", severity = Warning,
    summary = "X-Forwarded-Proto is hard-coded to http on a TLS server",
    fix = Always,
}

impl Rule for ForwardedProtoHardcoded {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Checker<'_>, out: &mut Vec<Diagnostic>) {
        let mut seen = HashSet::default();
        for site in cx.sites.iter().filter(|s| s.is_tls()) {
            for headers in site.lists_in_effect(super::PSH) {
                for d in headers {
                    // Name and value first, as plain strings: the whole word
                    // (for its span) only for the rare header reported.
                    let (Some(name), Some(value)) = (d.arg(0), d.arg(1)) else {
                        continue;
                    };
                    if !name.eq_ignore_ascii_case("x-forwarded-proto")
                        || !value.eq_ignore_ascii_case("http")
                        || !seen.insert(d.span)
                    {
                        continue;
                    }
                    let Some(value) = d.args().get(1) else {
                        continue;
                    };
                    out.push(
                        Self::META
                            .at(
                                value.span,
                                "X-Forwarded-Proto is always `http` on this TLS server: \
                                 the backend thinks HTTPS requests are plain HTTP",
                            )
                            .with_help("use $scheme, the scheme the client really used")
                            .with_fix(Fix {
                                message: "set X-Forwarded-Proto to $scheme".into(),
                                applicability: Applicability::Safe,
                                edits: vec![Edit {
                                    span: value.span,
                                    replacement: "$scheme".into(),
                                }],
                            }),
                    );
                }
            }
        }
    }
}
