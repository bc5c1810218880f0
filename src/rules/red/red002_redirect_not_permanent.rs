use super::{all_redirects, Redirect, Scheme};
use crate::diag::{Applicability, Diagnostic, Edit, Fix};
use crate::rule;
use crate::rules::{Checker, Rule, RuleMeta};
use crate::source::Span;

rule! {
    /// ## What it does
    /// Reports an HTTP→HTTPS redirect that is temporary: `return 302`,
    /// `303` or `307`, `return https://…` without a code (nginx answers
    /// 302), `rewrite … redirect`, or `rewrite` to an `https://` URL without
    /// a flag (also 302). Only the site-wide redirects of servers that accept
    /// plain HTTP are judged (server level, `if` blocks, `location /`).
    ///
    /// ## Why is this bad?
    /// A temporary redirect tells browsers and search engines that the
    /// `http://` URL is still the real one: browsers ask the plain-HTTP
    /// server again on every visit (each time exposing the first request,
    /// cookies included, to anyone on the path), search engines keep the
    /// `http://` URLs, and the HSTS preload list refuses sites whose HTTP
    /// redirect is not permanent. 301 and 308 are permanent.
    ///
    /// ## Example
    /// ```nginx
    /// server {
    ///     listen 80;
    ///     return 302 https://$host$request_uri;
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```nginx
    /// server {
    ///     listen 80;
    ///     return 301 https://$host$request_uri;
    /// }
    /// ```
    ///
    /// ## Fix safety
    /// The fix makes the redirect permanent: 302 and 303 become 301, 307
    /// becomes 308 (its permanent twin, which like 307 keeps the method and
    /// body of a POST), `rewrite … redirect` becomes `rewrite … permanent`.
    /// It is safe: the target does not change, only how long clients
    /// remember it.
    ///
    /// ## References
    /// - [nginx: return](https://nginx.org/en/docs/http/ngx_http_rewrite_module.html#return)
    /// - [nginx: rewrite](https://nginx.org/en/docs/http/ngx_http_rewrite_module.html#rewrite)
    /// - [hstspreload.org: submission requirements](https://hstspreload.org/#submission-requirements)
    /// - [RFC 9110 §15.4: Redirection 3xx](https://www.rfc-editor.org/rfc/rfc9110#section-15.4)
    pub struct RedirectNotPermanent;
    code = "RED002", name = "redirect-not-permanent", severity = Warning,
    summary = "The HTTP to HTTPS redirect is temporary (302/303/307)",
    fix = Always,
}

impl Rule for RedirectNotPermanent {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Checker<'_>, out: &mut Vec<Diagnostic>) {
        for (_, r) in all_redirects(cx) {
            if r.scheme() != Scheme::Https || r.is_permanent() {
                continue;
            }
            let (span, how) = where_code(r);
            let code = if how.is_empty() {
                r.code.to_string()
            } else {
                format!("{} {how}", r.code)
            };
            let message = format!(
                "the redirect to HTTPS is temporary ({code}): browsers do not remember it \
                 and HSTS preload requires a permanent one"
            );
            out.push(
                Self::META
                    .at(span, message)
                    .with_help("use 301 (or 308)")
                    .with_fix(fix(r)),
            );
        }
    }
}

/// The word that decides the code, and how it is spelled.
fn where_code(r: &Redirect<'_>) -> (Span, &'static str) {
    let d = r.directive;
    if r.rewrite {
        match d.args().get(2) {
            Some(flag) if flag.value == "redirect" => (flag.span, "from `rewrite … redirect`"),
            Some(flag) => (flag.span, "from a rewrite to an absolute URL"),
            None => (r.url.span, "from a rewrite to an absolute URL"),
        }
    } else if d.args().len() == 1 {
        (r.url.span, "from `return URL` without a code")
    } else {
        (code_word(r), "")
    }
}

/// The code of `return CODE URL` (the word before the URL).
fn code_word(r: &Redirect<'_>) -> Span {
    r.directive.args().first().map_or(r.url.span, |w| w.span)
}

fn fix(r: &Redirect<'_>) -> Fix {
    let d = r.directive;
    let (span, replacement, message) = if r.rewrite {
        match d.args().get(2) {
            Some(flag) => (flag.span, "permanent".to_string(), "use `permanent`"),
            None => (
                Span {
                    start: r.url.span.end,
                    ..r.url.span
                },
                " permanent".to_string(),
                "add `permanent`",
            ),
        }
    } else if d.args().len() == 1 {
        (
            Span {
                end: r.url.span.start,
                ..r.url.span
            },
            "301 ".to_string(),
            "answer 301",
        )
    } else if r.code == 307 {
        (code_word(r), "308".to_string(), "answer 308")
    } else {
        (code_word(r), "301".to_string(), "answer 301")
    };
    Fix {
        message: message.to_string(),
        applicability: Applicability::Safe,
        edits: vec![Edit { span, replacement }],
    }
}
