use rustc_hash::FxHashSet as HashSet;

use crate::diag::{Applicability, Diagnostic, Edit, Fix};
use crate::rule;
use crate::rules::{Checker, Rule, RuleMeta};

rule! {
    /// ## What it does
    /// Reports `ssl_prefer_server_ciphers` set (or left at nginx's default,
    /// `off`) differently from what the profile asks for: `on` under the
    /// `guide` profile, which sets it so; `off` under Mozilla's
    /// `intermediate` and `modern` profiles.
    ///
    /// The directive decides only the TLS 1.2-and-older suite choice, so a
    /// server whose effective `ssl_protocols` is `TLSv1.3` alone is not
    /// reported.
    ///
    /// ## Why is this bad?
    /// With `off` the client's preference order picks the suite among those
    /// both sides enable; with `on` the order of `ssl_ciphers` does. When
    /// the cipher string mixes strong and weaker suites (the guide's
    /// `HIGH:!aNULL:!MD5` enables CBC and static-RSA suites too), letting the
    /// client choose means an old or downgraded client gets a weaker suite
    /// than the server would have picked, so the guide turns it on. Mozilla's
    /// profiles enable only strong suites, where the client's choice is
    /// better informed (a phone without AES hardware picks ChaCha20), so
    /// they turn it off.
    ///
    /// ## Example
    /// ```nginx
    /// # guide profile
    /// ssl_ciphers HIGH:!aNULL:!MD5;
    /// ssl_prefer_server_ciphers off;
    /// ```
    ///
    /// ## Use instead
    /// ```nginx
    /// ssl_ciphers HIGH:!aNULL:!MD5;
    /// ssl_prefer_server_ciphers on;
    /// ```
    ///
    /// ## Fix safety
    /// The fix sets the value the profile asks for, or, when the directive is
    /// unset and the profile wants `on`, inserts it after the server's last
    /// `listen`/`ssl_certificate_key` line. It is safe: the same suites stay
    /// enabled, only who picks among them changes.
    ///
    /// ## References
    /// - [nginx: ssl_prefer_server_ciphers](https://nginx.org/en/docs/http/ngx_http_ssl_module.html#ssl_prefer_server_ciphers)
    /// - [Mozilla: Server Side TLS](https://wiki.mozilla.org/Security/Server_Side_TLS)
    pub struct PreferServerCiphers;
    code = "TLS005", name = "prefer-server-ciphers", severity = Warning,
    summary = "ssl_prefer_server_ciphers differs from the profile's choice",
    fix = Sometimes,
}

impl Rule for PreferServerCiphers {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Checker<'_>, out: &mut Vec<Diagnostic>) {
        let want = cx.spec.prefer_server_ciphers;
        let want_text = if want { "on" } else { "off" };
        let why = if want {
            "the server's ssl_ciphers order should pick the TLS 1.2 suite"
        } else {
            "every suite it enables is strong, so the client may pick"
        };
        let mut seen = HashSet::default();
        for site in super::tls_sites(cx) {
            if !super::enables_pre_tls13(&super::effective_protocols(cx, site)) {
                continue;
            }
            match site.settings.get("ssl_prefer_server_ciphers") {
                Some(d) => {
                    let Some(arg) = d.args().first() else {
                        continue;
                    };
                    if arg.value.eq_ignore_ascii_case("on") == want || !seen.insert(d.span) {
                        continue;
                    }
                    let message = format!(
                        "ssl_prefer_server_ciphers is {}; the {} profile wants {want_text}: {why}",
                        arg.value, cx.spec.name
                    );
                    out.push(Self::META.at(arg.span, message).with_fix(Fix {
                        message: format!("set `ssl_prefer_server_ciphers {want_text}`"),
                        applicability: Applicability::Safe,
                        edits: vec![Edit {
                            span: arg.span,
                            replacement: want_text.to_string(),
                        }],
                    }));
                }
                // nginx's default is off.
                None if want => {
                    let Some(span) = super::site_span(site) else {
                        continue;
                    };
                    let message = format!(
                        "ssl_prefer_server_ciphers is not set (nginx's default is off); the {} \
                         profile wants on: {why}",
                        cx.spec.name
                    );
                    let mut diag = Self::META.at(span, message);
                    let text = "ssl_prefer_server_ciphers on;";
                    if let Some(edit) = super::insert_in_server(cx, site, text) {
                        diag = diag.with_fix(Fix {
                            message: format!("add `{text}`"),
                            applicability: Applicability::Safe,
                            edits: vec![edit],
                        });
                    }
                    out.push(diag);
                }
                None => {}
            }
        }
    }
}
