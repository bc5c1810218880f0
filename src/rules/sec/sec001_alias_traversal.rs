use rustc_hash::FxHashSet as HashSet;

use super::{location_parts, walk_http};
use crate::diag::{Applicability, Diagnostic, Edit, Fix};
use crate::rule;
use crate::rules::{Checker, Rule, RuleMeta};
use crate::source::Span;
use crate::syntax::ast::{Quote, Word};
use crate::syntax::names::ids;

rule! {
    /// ## What it does
    /// Reports `alias` in a prefix location whose path does not end with `/`
    /// while the alias does: `location /files { alias /data/files/; }`.
    /// This is gixy's `alias_traversal` check.
    ///
    /// ## Why is this bad?
    /// With `alias`, nginx replaces the part of the URI that matched the
    /// location prefix with the alias path and keeps the rest as it is. The
    /// prefix `/files` also matches `/files../secret.txt`; the rest, `../secret.txt`,
    /// is appended to `/data/files/`, giving `/data/files/../secret.txt` —
    /// `/data/secret.txt`. nginx normalises `..` in the URI before matching,
    /// but here the `..` is glued to the prefix (`files..`), so it is not a
    /// path segment of the URI and survives. Every file one level above the
    /// alias directory can be downloaded (often the application's source
    /// and its secrets).
    ///
    /// When neither ends with `/` (`location /files { alias /data/files; }`)
    /// there is no `..` step — `/files../x` maps to `/data/files../x`, a
    /// different name — so that case is not reported (gixy reports it as
    /// low severity: sibling names sharing the prefix, like `/files.bak`,
    /// are reachable; the form is common for single files such as
    /// `location /favicon.ico { alias /srv/icons/favicon.ico; }`).
    ///
    /// Only prefix locations (no modifier, or `^~`) are affected; regex and
    /// exact locations do not map a prefix this way.
    ///
    /// ## Example
    /// ```nginx
    /// location /files {
    ///     alias /data/files/;
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```nginx
    /// location /files/ {
    ///     alias /data/files/;
    /// }
    /// ```
    ///
    /// ## Fix safety
    /// The fix adds the trailing `/` to the location path. It is safe: the only request that stops
    /// matching is `/files` itself, which nginx then answers with a redirect
    /// to `/files/` if no other location takes it, and the escaping requests
    /// are the problem.
    ///
    /// ## References
    /// - [nginx: alias](https://nginx.org/en/docs/http/ngx_http_core_module.html#alias)
    /// - [nginx: location](https://nginx.org/en/docs/http/ngx_http_core_module.html#location)
    /// - [gixy: alias_traversal](https://github.com/yandex/gixy/blob/master/docs/en/plugins/aliastraversal.md)
    pub struct AliasTraversal;
    code = "SEC001", name = "alias-traversal", severity = Error,
    summary = "A prefix location without a trailing slash uses alias: requests can escape the aliased directory",
    fix = Always,
}

impl Rule for AliasTraversal {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Checker<'_>, out: &mut Vec<Diagnostic>) {
        let mut seen = HashSet::default();
        walk_http(cx, &["alias"], |d, levels| {
            if d.name() != "alias" {
                return;
            }
            let Some(alias) = d.args().first() else {
                return;
            };
            // The nearest enclosing location decides (alias is not allowed
            // in `if`, so that is the block it sits in).
            let Some(location) = levels
                .iter()
                .rev()
                .filter_map(|l| l.block)
                .find(|b| b.is(ids::LOCATION))
            else {
                return;
            };
            let Some((modifier, path)) = location_parts(location) else {
                return;
            };
            if !matches!(modifier, None | Some("^~"))
                || path.value.ends_with('/')
                || path.value.is_empty()
                || !alias.value.ends_with('/')
                || !seen.insert(d.span)
            {
                return;
            }
            let prefix = path.value.strip_prefix("^~").unwrap_or(path.value);
            let message = format!(
                "location {prefix} has no trailing slash but its alias {} has one: \
                 {prefix}../x is served from {}../x, outside the aliased directory",
                alias.value, alias.value
            );
            let diag = Self::META.at(alias.span, message);
            let fix = Fix {
                message: format!("use `location {prefix}/`"),
                applicability: Applicability::Safe,
                edits: vec![append_slash(path)],
            };
            out.push(
                diag.with_related(path.span, "the location prefix, without a trailing slash")
                    .with_help("end the location path with `/` too")
                    .with_fix(fix),
            );
        });
    }
}

/// Insert `/` at the end of a word's value (inside its closing quote).
fn append_slash(w: Word<'_>) -> Edit {
    let end = w.span.end as usize - usize::from(w.quote != Quote::None);
    Edit {
        span: Span::new(w.span.file, end, end),
        replacement: "/".into(),
    }
}
