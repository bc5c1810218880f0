use rustc_hash::FxHashSet as HashSet;

use crate::config::site::BlockKind;
use crate::diag::{Applicability, Diagnostic, Edit, Fix};
use crate::rule;
use crate::rules::{Checker, Rule, RuleMeta};
use crate::source::Span;
use crate::syntax::Directive;

rule! {
    /// ## What it does
    /// Reports a `proxy_pass` whose request to the backend lacks any of the
    /// four forwarding headers: `Host`, `X-Real-IP`, `X-Forwarded-For` and
    /// `X-Forwarded-Proto`. The headers nginx really sends are read after
    /// inheritance, so headers set at `server` or `http` level count. A
    /// location that includes a file that cannot be read (Debian's
    /// `include proxy_params;` linted on another machine) is not judged.
    ///
    /// ## Why is this bad?
    /// Without `proxy_set_header`, nginx sends the backend `Host: $proxy_host`
    /// (the upstream's own address, such as `127.0.0.1:5000`) and nothing
    /// about the client. The application behind the proxy then
    /// - builds absolute URLs and redirects for `127.0.0.1:5000` instead of
    ///   the site's name (missing `Host`);
    /// - logs, rate-limits and audits every request as coming from nginx
    ///   itself (missing `X-Real-IP` / `X-Forwarded-For`);
    /// - believes the request arrived over plain HTTP, so it generates
    ///   `http://` links, marks cookies non-`Secure` or redirects to HTTPS in
    ///   a loop (missing `X-Forwarded-Proto`).
    ///
    /// Headers lost because a location sets its own `proxy_set_header` are
    /// reported by PRX002 instead.
    ///
    /// ## Example
    /// ```nginx
    /// location / {
    ///     proxy_pass http://127.0.0.1:5000;
    ///     proxy_set_header Host $host;
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```nginx
    /// location / {
    ///     proxy_pass http://127.0.0.1:5000;
    ///     proxy_set_header Host $host;
    ///     proxy_set_header X-Real-IP $remote_addr;
    ///     proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
    ///     proxy_set_header X-Forwarded-Proto $scheme;
    /// }
    /// ```
    ///
    /// ## Fix safety
    /// The fix adds the missing `proxy_set_header` lines: after `proxy_pass`
    /// when the location has its own headers (or none are set anywhere),
    /// otherwise beside the inherited ones at the level that sets them, so
    /// adding a header never drops the inherited ones. It is unsafe: the
    /// backend starts receiving headers it may trust (an application that
    /// trusts `X-Forwarded-For` from any peer should restrict that first),
    /// and a header added at `server` level reaches every location of it.
    /// No fix is offered for a `proxy_pass` inside `if` or `limit_except`,
    /// where `proxy_set_header` is not allowed.
    ///
    /// ## References
    /// - [nginx: proxy_set_header](https://nginx.org/en/docs/http/ngx_http_proxy_module.html#proxy_set_header)
    /// - [nginx: $proxy_add_x_forwarded_for](https://nginx.org/en/docs/http/ngx_http_proxy_module.html#var_proxy_add_x_forwarded_for)
    /// - [MDN: X-Forwarded-Proto](https://developer.mozilla.org/en-US/docs/Web/HTTP/Reference/Headers/X-Forwarded-Proto)
    pub struct MissingProxyHeaders;
    code = "PRX001", name = "missing-proxy-headers", severity = Warning,
    summary = "A proxy_pass location does not send Host, X-Real-IP, X-Forwarded-For and X-Forwarded-Proto",
    fix = Sometimes,
}

impl Rule for MissingProxyHeaders {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Checker<'_>, out: &mut Vec<Diagnostic>) {
        let mut fixed_at = HashSet::default();
        let required: Vec<&str> = super::REQUIRED.iter().map(|(h, _, _)| *h).collect();
        for (p, state) in super::proxy_passes(cx).iter().zip(super::header_states(cx)) {
            let Some(state) = state else {
                continue;
            };
            let sent = state.sends_each(&required);
            let missing: Vec<&(&str, &str, &str)> = super::REQUIRED
                .iter()
                .enumerate()
                .filter(|&(i, (h, _, _))| sent & (1 << i) == 0 && !state.lost(h))
                .map(|(_, r)| r)
                .collect();
            if missing.is_empty() {
                continue;
            }
            let names: Vec<String> = missing.iter().map(|(_, n, _)| n.to_string()).collect();
            let mut message = format!(
                "proxy_pass sends no {} header to the backend",
                super::list(&names).replace(" and ", " or ")
            );
            if missing.iter().any(|(h, _, _)| *h == "host") {
                message
                    .push_str(" (without Host nginx sends the upstream's own name, $proxy_host)");
            }
            let mut diag = Self::META.at(p.directive.head_span(), message).with_help(
                "forward Host $host, X-Real-IP $remote_addr, \
                 X-Forwarded-For $proxy_add_x_forwarded_for and X-Forwarded-Proto $scheme",
            );
            // Where to add them: after proxy_pass when this block's own headers
            // (or none at all) are in effect, else beside the inherited ones.
            let anchor: Option<&Directive> = match state.defining() {
                Some(k) if k + 1 != state.levels.len() => {
                    state.levels[k].directives.last().copied()
                }
                _ if p.block().kind == BlockKind::Location => Some(p.directive),
                _ => None,
            };
            if let Some(anchor) = anchor {
                if fixed_at.insert(anchor.span) {
                    diag = diag.with_fix(fix(cx, anchor, &missing));
                }
            }
            out.push(diag);
        }
    }
}

fn fix(cx: &Checker<'_>, anchor: &Directive, missing: &[&(&str, &str, &str)]) -> Fix {
    let sep = match super::indent_of(cx, anchor.span) {
        Some(indent) => format!("\n{indent}"),
        None => " ".to_string(),
    };
    let replacement: String = missing
        .iter()
        .map(|(_, name, value)| format!("{sep}proxy_set_header {name} {value};"))
        .collect();
    let names: Vec<String> = missing.iter().map(|(_, n, _)| n.to_string()).collect();
    Fix {
        message: format!("add proxy_set_header {}", super::list(&names)),
        applicability: Applicability::Unsafe,
        edits: vec![Edit {
            span: Span {
                file: anchor.span.file,
                start: anchor.span.end,
                end: anchor.span.end,
            },
            replacement,
        }],
    }
}
