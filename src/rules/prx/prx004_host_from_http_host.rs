use rustc_hash::FxHashSet as HashSet;

use super::script::{builtin_taint, segments, Seg, Taint};
use crate::diag::{Applicability, Diagnostic, Edit, Fix};
use crate::rule;
use crate::rules::sec::walk_http;
use crate::rules::{Checker, Rule, RuleMeta};

rule! {
    /// ## What it does
    /// Reports `proxy_set_header Host` whose value is the client's raw
    /// `Host` header (`$http_host`) or another value the client chooses
    /// (`$arg_…`, `$cookie_…`, other `$http_…` headers). This is gixy's
    /// `host_spoofing` check.
    ///
    /// ## Why is this bad?
    /// `$http_host` is the `Host` request header exactly as the client sent
    /// it. nginx picks the `server` block from the host in the request line
    /// when the client sends an absolute URI (`GET http://app.test/ HTTP/1.1`),
    /// so the `Host` header can then say anything (`Host: evil.example`) and
    /// still reach your server; it may also be missing altogether (HTTP/1.0)
    /// or carry a port. Applications use the `Host` they receive to build
    /// password-reset links, redirects, cache keys and absolute URLs: a
    /// spoofed value becomes phishing links in e-mails, cache poisoning or
    /// SSRF in the application.
    ///
    /// `$host` is the host from the request line if there is one, else the
    /// `Host` header lowercased and without the port, else the matched
    /// `server_name`, so it never is empty. It is what nginx itself routed the
    /// request by.
    ///
    /// ## Example
    /// ```nginx
    /// proxy_set_header Host $http_host;
    /// ```
    ///
    /// ## Use instead
    /// ```nginx
    /// proxy_set_header Host $host;
    /// ```
    ///
    /// ## Fix safety
    /// The fix replaces `$http_host` with `$host` (only that exact value; other
    /// request-derived values need a decision). It is safe for sites on the
    /// default ports. `$host` has no port: an application on a non-default
    /// port that builds absolute URLs from `Host` needs `$host:$server_port`.
    ///
    /// ## References
    /// - [nginx: $host](https://nginx.org/en/docs/http/ngx_http_core_module.html#var_host)
    ///   and [$http_name](https://nginx.org/en/docs/http/ngx_http_core_module.html#var_http_)
    /// - [nginx: proxy_set_header](https://nginx.org/en/docs/http/ngx_http_proxy_module.html#proxy_set_header)
    /// - [gixy: host_spoofing](https://github.com/yandex/gixy/blob/master/docs/en/plugins/hostspoofing.md)
    pub struct HostFromHttpHost;
    code = "PRX004", name = "host-from-http-host", severity = Warning,
    summary = "The proxied Host header is taken from the client's raw Host header or another request value",
    fix = Sometimes,
}

impl Rule for HostFromHttpHost {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Checker<'_>, out: &mut Vec<Diagnostic>) {
        // Every proxy_set_header written in an http context, once, so an
        // http-level one is judged once even when no server (or many)
        // inherit it. From the shared tree walk: stepping through every
        // directive of every file was most of this rule's time.
        let mut seen = HashSet::default();
        walk_http(cx, &["proxy_set_header"], |d, _| {
            // The name first: the whole value word only for Host headers.
            if !d.arg(0).is_some_and(|n| n.eq_ignore_ascii_case("host")) {
                return;
            }
            let Some(value) = d.args().get(1) else {
                return;
            };
            let Some(var) = segments(value.value).find_map(|s| match s {
                Seg::Var(v) if builtin_taint(v) == Taint::Untrusted => Some(v),
                _ => None,
            }) else {
                return;
            };
            // Once per directive (a file included twice is walked twice);
            // only for the ones reported, not every Host header.
            if !seen.insert(d.span) {
                return;
            }
            let message = if var.eq_ignore_ascii_case("http_host") {
                "Host is passed on as the client sent it ($http_host): it may be spoofed, \
                 carry a port or be missing"
                    .to_string()
            } else {
                format!("Host is taken from ${var}, which the client chooses: the backend sees a spoofed host")
            };
            let mut diag = Self::META
                .at(value.span, message)
                .with_help("use $host: the host nginx routed the request by, never empty");
            if segments(value.value).eq([Seg::Var("http_host")]) {
                diag = diag.with_fix(Fix {
                    message: "use $host".into(),
                    applicability: Applicability::Safe,
                    edits: vec![Edit {
                        span: value.span,
                        replacement: "$host".into(),
                    }],
                });
            }
            out.push(diag);
        });
    }
}
