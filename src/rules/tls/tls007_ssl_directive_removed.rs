use rustc_hash::FxHashSet as HashSet;

use crate::diag::{Applicability, Diagnostic, Edit, Fix, Severity};
use crate::nginx_version::NginxVersion;
use crate::rule;
use crate::rules::{Checker, Rule, RuleMeta};
use crate::source::Span;
use crate::syntax::names::ids;
use crate::syntax::Directive;

/// The release that removed the `ssl` directive.
const REMOVED_IN: NginxVersion = NginxVersion::new(1, 25, 1);

rule! {
    /// ## What it does
    /// Reports the `ssl` directive (`ssl on;` or `ssl off;`) in `http` or
    /// `server`. It was deprecated in nginx 1.15.0 and removed in 1.25.1:
    /// a warning for older versions, an error from 1.25.1 on (the version
    /// comes from `--nginx-version` or the installed `nginx -v`; unknown
    /// counts as older).
    ///
    /// ## Why is this bad?
    /// From 1.25.1 nginx refuses to start: `unknown directive "ssl"`. Before
    /// that it warns `the "ssl" directive is deprecated, use the "listen ...
    /// ssl" directive instead`, and `ssl on` has a trap of its own: it turns
    /// on TLS for *every* listen of the server, so a server that should also
    /// answer plain HTTP on port 80 (to redirect) cannot, and at `http`
    /// level it makes every server TLS-only. `listen … ssl` states TLS per
    /// socket.
    ///
    /// ## Example
    /// ```nginx
    /// server {
    ///     listen 443;
    ///     ssl on;
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```nginx
    /// server {
    ///     listen 443 ssl;
    /// }
    /// ```
    ///
    /// ## Fix safety
    /// The fix deletes the directive and, for `ssl on`, adds `ssl` to every
    /// `listen` of each server it applied to (what nginx did anyway). It is
    /// unsafe: it touches every listen of those servers, and a listen that
    /// was shared with servers not using `ssl on` becomes TLS for them too.
    /// No fix is offered when such a server has no `listen` at all.
    ///
    /// ## References
    /// - [nginx: ssl (removed)](https://nginx.org/en/docs/http/ngx_http_ssl_module.html#ssl)
    /// - [nginx: listen](https://nginx.org/en/docs/http/ngx_http_core_module.html#listen)
    /// - [nginx 1.25.1 changes](https://nginx.org/en/CHANGES)
    pub struct SslDirectiveRemoved;
    code = "TLS007", name = "ssl-directive-removed", severity = Warning,
    summary = "The ssl directive is deprecated and removed in nginx 1.25.1; use listen ... ssl",
    fix = Sometimes,
}

impl Rule for SslDirectiveRemoved {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Checker<'_>, out: &mut Vec<Diagnostic>) {
        let mut seen = HashSet::default();
        for d in cx.sites.iter().flat_map(|s| s.settings.all("ssl")) {
            if !seen.insert(d.span) {
                continue;
            }
            // Asked here, not up front: most configs have no `ssl` directive
            // and need no `nginx -v` (asked once, then cached).
            let version = cx.nginx_version();
            let removed = version.is_some_and(|v| v >= REMOVED_IN);
            let value = d.arg(0).unwrap_or("");
            let consequence = if removed {
                format!(
                    "{} refuses to start (`unknown directive \"ssl\"`)",
                    super::version_label(version)
                )
            } else {
                format!(
                    "{} warns that it is deprecated, and 1.25.1 and later refuse to start",
                    super::version_label(version)
                )
            };
            let message = format!(
                "`ssl {value}` was removed in nginx {REMOVED_IN}: {consequence}; use `listen … \
                 ssl` instead"
            );
            let mut diag = Self::META.at(d.head_span(), message);
            if removed {
                diag.severity = Severity::Error;
            }
            if let Some(fix) = fix(cx, d) {
                diag = diag.with_fix(fix);
            }
            out.push(diag);
        }
    }
}

fn fix(cx: &Checker<'_>, d: &Directive) -> Option<Fix> {
    let mut edits = vec![super::remove_directive(cx, d)];
    let turns_on = d.arg(0).is_some_and(|v| v.eq_ignore_ascii_case("on"));
    if turns_on {
        let mut seen = HashSet::default();
        for site in cx.sites {
            if site.settings.get("ssl").map(|e| e.span) != Some(d.span) {
                continue;
            }
            for listen in &site.listens {
                if listen.implicit {
                    return None;
                }
                if listen.ssl || listen.quic || !seen.insert(listen.span) {
                    continue;
                }
                let addr = site
                    .own
                    .iter()
                    .find(|o| o.span == listen.span)
                    .and_then(|o| o.args().first())?;
                edits.push(Edit {
                    span: Span {
                        file: addr.span.file,
                        start: addr.span.end,
                        end: addr.span.end,
                    },
                    replacement: " ssl".to_string(),
                });
            }
        }
    }
    Some(Fix {
        message: if turns_on {
            "remove `ssl on;` and add `ssl` to the server's listens".to_string()
        } else {
            "remove the directive".to_string()
        },
        // Deleting `ssl off` is a no-op unless it overrides an inherited `ssl on`.
        applicability: if turns_on || any_ssl_on(cx) {
            Applicability::Unsafe
        } else {
            Applicability::Safe
        },
        edits,
    })
}

fn any_ssl_on(cx: &Checker<'_>) -> bool {
    cx.sites.iter().any(|s| {
        s.own
            .iter()
            .chain(s.settings.all("ssl"))
            .any(|d| d.is(ids::SSL) && d.arg(0).is_some_and(|v| v.eq_ignore_ascii_case("on")))
    })
}
