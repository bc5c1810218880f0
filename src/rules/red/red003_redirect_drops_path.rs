use super::{all_redirects, Redirect, Scheme};
use crate::diag::{Applicability, Diagnostic, Edit, Fix};
use crate::rule;
use crate::rules::prx::script::{render, Seg};
use crate::rules::{Checker, Rule, RuleMeta};

rule! {
    /// ## What it does
    /// Reports an HTTP→HTTPS redirect whose target loses part of the URL the
    /// client asked for:
    /// - no path at all: `return 301 https://$host;`, `https://$host/`,
    ///   `https://$server_name`, a fixed page, or `rewrite ^ https://$host`;
    /// - no query string: `https://$host$uri` (and `$uri` is decoded, see
    ///   below), or a `rewrite` replacement ending in `?` after `$1`;
    /// - a doubled query string: `rewrite ^ https://$host$request_uri
    ///   permanent;` — `rewrite` appends the query string to a replacement
    ///   that already holds it (`?a=1` becomes `?a=1?a=1`).
    ///
    /// Accepted: `$request_uri` in `return`, `rewrite ^ https://$host$request_uri?`
    /// and `rewrite ^(.*)$ https://$host$1` (the query string is appended by
    /// `rewrite` itself unless the replacement ends with `?`).
    ///
    /// ## Why is this bad?
    /// Every `http://` link, bookmark and search result then lands on the
    /// home page (or loses its query: search terms, tracking and sign-in
    /// tokens), which users experience as broken links.
    ///
    /// `$uri` is worse than incomplete: it is the *decoded, normalised* path,
    /// so a request for `/%0d%0aSet-Cookie:%20a=b` puts a real line break
    /// into the `Location` header — HTTP response splitting. `$request_uri`
    /// is the path and query exactly as the client sent them, still encoded.
    ///
    /// ## Example
    /// ```nginx
    /// return 301 https://$host;
    /// return 301 https://$host$uri;
    /// rewrite ^ https://$host$request_uri permanent;
    /// ```
    ///
    /// ## Use instead
    /// ```nginx
    /// return 301 https://$host$request_uri;
    /// ```
    ///
    /// ## Fix safety
    /// The fix rewrites the target to the same scheme and host followed by
    /// `$request_uri` (`$request_uri?` in a `rewrite`, so the query string
    /// is not appended twice). It is safe: the redirect still goes to the
    /// same host, now to the page that was asked for.
    ///
    /// ## References
    /// - [nginx: $request_uri](https://nginx.org/en/docs/http/ngx_http_core_module.html#var_request_uri)
    ///   and [$uri](https://nginx.org/en/docs/http/ngx_http_core_module.html#var_uri)
    /// - [nginx: rewrite](https://nginx.org/en/docs/http/ngx_http_rewrite_module.html#rewrite)
    ///   ("If a replacement string includes the new request arguments, the previous request
    ///   arguments are appended after them")
    /// - [gixy: http_splitting](https://github.com/yandex/gixy/blob/master/docs/en/plugins/httpsplitting.md)
    pub struct RedirectDropsPath;
    code = "RED003", name = "redirect-drops-path", severity = Warning,
    summary = "The HTTP to HTTPS redirect drops the path or query string",
    fix = Always,
}

enum Problem {
    DropsPath { query_too: bool },
    DropsQueryUri,
    DropsQueryMark,
    DoublesQuery,
}

impl Rule for RedirectDropsPath {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Checker<'_>, out: &mut Vec<Diagnostic>) {
        for (_, r) in all_redirects(cx) {
            if r.scheme() != Scheme::Https {
                continue;
            }
            let Some(problem) = judge(r) else {
                continue;
            };
            let message = match problem {
                Problem::DropsPath { query_too: true } => {
                    "the redirect to HTTPS drops the path and query string: every http:// URL lands on one page".to_string()
                }
                Problem::DropsPath { query_too: false } => {
                    "the redirect to HTTPS drops the path: every http:// URL lands on one page".to_string()
                }
                Problem::DropsQueryUri => "the redirect to HTTPS uses $uri, which drops the query string and is \
                     decoded: %0d%0a in a request becomes a line break in the Location header (response splitting)"
                    .to_string(),
                Problem::DropsQueryMark => {
                    "the `?` that ends this rewrite target drops the query string".to_string()
                }
                Problem::DoublesQuery => "rewrite appends the query string to $request_uri, which already holds it: \
                     ?a=1 becomes ?a=1?a=1"
                    .to_string(),
            };
            out.push(
                Self::META
                    .at(r.url.span, message)
                    .with_help("redirect to https://$host$request_uri")
                    .with_fix(fix(r)),
            );
        }
    }
}

fn judge(r: &Redirect<'_>) -> Option<Problem> {
    let parts = r.parts();
    let vars: Vec<String> = parts
        .rest
        .iter()
        .filter_map(|s| match s {
            Seg::Var(v) => Some(v.to_ascii_lowercase()),
            Seg::Lit(_) => None,
        })
        .collect();
    let has = |names: &[&str]| vars.iter().any(|v| names.contains(&v.as_str()));
    let query_vars = ["args", "query_string", "is_args"];
    let path_vars = vars
        .iter()
        .any(|v| !query_vars.contains(&v.as_str()) && v != "request_uri");
    if r.rewrite {
        let mark = r.url.value.ends_with('?');
        if has(&["request_uri"]) {
            return (!mark).then_some(Problem::DoublesQuery);
        }
        if path_vars {
            return mark.then_some(Problem::DropsQueryMark);
        }
        return Some(Problem::DropsPath { query_too: mark });
    }
    if has(&["request_uri"]) {
        return None;
    }
    if has(&["uri", "document_uri"]) {
        return (!has(&query_vars)).then_some(Problem::DropsQueryUri);
    }
    if path_vars {
        // Captures or other values: the path may well be there.
        return None;
    }
    Some(Problem::DropsPath {
        query_too: !has(&query_vars),
    })
}

fn fix(r: &Redirect<'_>) -> Fix {
    let parts = r.parts();
    let mut target = render(&parts.scheme);
    target.push_str(&render(&parts.host));
    target.push_str("$request_uri");
    if r.rewrite {
        target.push('?');
    }
    Fix {
        message: format!("redirect to {target}"),
        applicability: Applicability::Safe,
        edits: vec![Edit {
            span: r.url.span,
            replacement: target,
        }],
    }
}
