use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

use crate::diag::{Applicability, Diagnostic, Edit, Fix};
use crate::rule;
use crate::rules::{Checker, Rule, RuleMeta};
use crate::source::Span;
use crate::syntax::Directive;

rule! {
    /// ## What it does
    /// Reports a `proxy_set_header` that silently drops headers set at an
    /// outer level (`http`, `server` or an enclosing `location`) for a
    /// location that proxies requests. The finding points at the first
    /// `proxy_set_header` of the level that drops them and names the lost
    /// headers; the outer definitions are shown beside it.
    ///
    /// ## Why is this bad?
    /// nginx inherits `proxy_set_header` (like `add_header`) from the
    /// previous level *if and only if* the current level sets none. One
    /// `proxy_set_header` in a location therefore replaces the whole
    /// inherited list, it does not add to it:
    ///
    /// ```nginx
    /// server {
    ///     proxy_set_header Host $host;
    ///     proxy_set_header X-Forwarded-Proto $scheme;
    ///
    ///     location /ws/ {
    ///         proxy_set_header Upgrade $http_upgrade;   # Host and
    ///         proxy_set_header Connection "upgrade";    # X-Forwarded-Proto
    ///         proxy_pass http://app;                    # are gone here
    ///     }
    /// }
    /// ```
    ///
    /// The configuration looks right when read top to bottom and `nginx -t`
    /// accepts it, but the backend of `/ws/` now receives `Host: app` and
    /// no `X-Forwarded-Proto`. This is one of the most common nginx
    /// surprises; it is why the rule reports every header lost this way, not
    /// just the four forwarding headers.
    ///
    /// ## Example
    /// ```nginx
    /// server {
    ///     proxy_set_header Host $host;
    ///     proxy_set_header X-Real-IP $remote_addr;
    ///     location /api/ {
    ///         proxy_set_header X-Request-Id $request_id;
    ///         proxy_pass http://127.0.0.1:5000;
    ///     }
    /// }
    /// ```
    ///
    /// ## Use instead
    /// Repeat the outer headers in the inner level (or keep every
    /// `proxy_set_header` at one level, for example in a snippet that each
    /// location includes):
    /// ```nginx
    /// location /api/ {
    ///     proxy_set_header Host $host;
    ///     proxy_set_header X-Real-IP $remote_addr;
    ///     proxy_set_header X-Request-Id $request_id;
    ///     proxy_pass http://127.0.0.1:5000;
    /// }
    /// ```
    ///
    /// ## Fix safety
    /// The fix copies the lost `proxy_set_header` lines into the inner level,
    /// before its own. It is unsafe: a header may have been left out on
    /// purpose, and the backend starts receiving it.
    ///
    /// ## References
    /// - [nginx: proxy_set_header](https://nginx.org/en/docs/http/ngx_http_proxy_module.html#proxy_set_header)
    ///   ("inherited from the previous configuration level if and only if
    ///   there are no proxy_set_header directives defined on the current level")
    /// - [gixy: add_header_redefinition](https://github.com/yandex/gixy/blob/master/docs/en/plugins/addheaderredefinition.md) (the same trap for `add_header`)
    pub struct ProxyHeadersLostByInheritance;
    code = "PRX002", name = "proxy-headers-lost-by-inheritance", severity = Warning,
    summary = "A proxy_set_header in a block drops every proxy_set_header inherited from outer levels",
    fix = Always,
}

impl Rule for ProxyHeadersLostByInheritance {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Checker<'_>, out: &mut Vec<Diagnostic>) {
        // The dropping level's first proxy_set_header → (level name, lost directives).
        let mut found: Vec<(&Directive, &'static str, Vec<&Directive>)> = Vec::new();
        let mut index: HashMap<Span, usize> = HashMap::default();
        for state in super::header_states(cx).iter().flatten() {
            for (level, lost) in &state.lost {
                let inner = state.levels[*level].directives[0];
                let i = *index.entry(inner.span).or_insert_with(|| {
                    found.push((inner, state.levels[*level].what, Vec::new()));
                    found.len() - 1
                });
                if !found[i].2.iter().any(|d| d.span == lost.span) {
                    found[i].2.push(lost);
                }
            }
        }
        for (inner, what, lost) in found {
            let mut names: Vec<String> = Vec::new();
            let mut seen = HashSet::default();
            for d in &lost {
                let h = d.arg(0).unwrap_or("");
                if seen.insert(h.to_ascii_lowercase()) {
                    names.push(h.to_string());
                }
            }
            let message = format!(
                "this {what}'s proxy_set_header replaces all inherited ones: {} {} not sent to the backend",
                super::list(&names),
                if names.len() == 1 { "is" } else { "are" },
            );
            let mut diag = Self::META.at(inner.head_span(), message);
            for d in &lost {
                diag = diag.with_related(
                    d.head_span(),
                    format!("{} set here is not inherited", d.arg(0).unwrap_or("header")),
                );
            }
            diag = diag.with_help(
                "nginx inherits proxy_set_header only into levels that set none; repeat the outer headers here",
            );
            out.push(diag.with_fix(fix(cx, inner, &lost, &names)));
        }
    }
}

fn fix(cx: &Checker<'_>, inner: &Directive, lost: &[&Directive], names: &[String]) -> Fix {
    let sep = match super::indent_of(cx, inner.span) {
        Some(indent) => format!("\n{indent}"),
        None => " ".to_string(),
    };
    let replacement: String = lost
        .iter()
        .map(|d| format!("{}{sep}", super::source_text(cx, d)))
        .collect();
    Fix {
        message: format!("repeat proxy_set_header {} here", super::list(names)),
        applicability: Applicability::Unsafe,
        edits: vec![Edit {
            span: super::before(inner),
            replacement,
        }],
    }
}
