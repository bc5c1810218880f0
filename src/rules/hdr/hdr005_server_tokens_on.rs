use rustc_hash::FxHashSet as HashSet;

use crate::config::Context;
use crate::diag::{Applicability, Diagnostic, Edit, Fix};
use crate::rule;
use crate::rules::sec::walk_http;
use crate::rules::tls::indent_of;
use crate::rules::{Checker, Profile, Rule, RuleMeta};
use crate::source::Span;
use crate::syntax::names::ids;
use crate::syntax::Directive;

rule! {
    /// ## What it does
    /// Reports `server_tokens on` (and `build`), which make nginx announce
    /// its version. This is gixy's `version_disclosure` check.
    ///
    /// Under the `intermediate` and `modern` profiles it also reports
    /// configurations that leave `server_tokens` unset — nginx's default is
    /// `on` — once per `http` block (or per linted file of servers), not
    /// once per server. The `guide` profile, whose guide does not ask for
    /// it, reports only the explicit setting.
    ///
    /// ## Why is this bad?
    /// With `server_tokens on`, every response carries `Server:
    /// nginx/1.22.1` and nginx's own error pages print the version in their
    /// footer. The exact version tells an attacker which published
    /// vulnerabilities apply without any probing, and lets scanners
    /// fingerprint unpatched servers in bulk. Hiding it does not fix an old
    /// nginx, but it costs nothing and takes the easiest signal away.
    /// (`off` still sends `Server: nginx`, without the version.)
    ///
    /// ## Example
    /// ```nginx
    /// http {
    ///     server_tokens on;
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```nginx
    /// http {
    ///     server_tokens off;
    /// }
    /// ```
    ///
    /// ## Fix safety
    /// The fix sets `server_tokens off` (for an unset value, it inserts
    /// `server_tokens off;` at the top of the `http` block). It is safe: only
    /// the version string disappears from the `Server` header and error
    /// pages.
    ///
    /// ## References
    /// - [nginx: server_tokens](https://nginx.org/en/docs/http/ngx_http_core_module.html#server_tokens)
    /// - [gixy (dvershinin/gixy): version_disclosure](https://github.com/dvershinin/gixy)
    pub struct ServerTokensOn;
    code = "HDR005", name = "server-tokens-on", severity = Info,
    summary = "server_tokens is on (explicitly, or by default under the stricter profiles): nginx discloses its version",
    fix = Sometimes,
}

impl Rule for ServerTokensOn {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Checker<'_>, out: &mut Vec<Diagnostic>) {
        let mut seen = HashSet::default();
        walk_http(cx, &["server_tokens"], |d, _| {
            if d.name() != "server_tokens" || !seen.insert(d.span) {
                return;
            }
            let Some(arg) = d.args().first() else {
                return;
            };
            let value = arg.value.to_ascii_lowercase();
            if value != "on" && value != "build" {
                return;
            }
            let message = format!(
                "server_tokens {value} sends nginx's version in the Server header and on error pages"
            );
            out.push(Self::META.at(arg.span, message).with_fix(Fix {
                message: "set `server_tokens off`".into(),
                applicability: Applicability::Safe,
                edits: vec![Edit {
                    span: arg.span,
                    replacement: "off".into(),
                }],
            }));
        });
        if cx.profile != Profile::Guide {
            unset(cx, out);
        }
    }
}

/// Report `http` blocks (and files of servers) that leave server_tokens at
/// its default for some server.
fn unset(cx: &Checker<'_>, out: &mut Vec<Diagnostic>) {
    let message = "server_tokens is not set: nginx's default `on` sends its version in the \
                   Server header and on error pages";
    for root in &cx.cfg.roots {
        let top = cx.cfg.root_directives(root);
        let levels: Vec<(Option<&Directive>, Vec<&Directive>)> = match root.context {
            Context::Main => top
                .iter()
                .filter(|d| d.is(ids::HTTP) && d.block.is_some())
                .map(|d| (Some(*d), cx.cfg.expand(d.children())))
                .collect(),
            Context::Http => vec![(None, top)],
            _ => continue,
        };
        for (http, dirs) in levels {
            if dirs.iter().any(|d| d.is(ids::SERVER_TOKENS)) {
                continue;
            }
            // The first server of this level that uses the default.
            let Some(server) = cx
                .sites
                .iter()
                .filter(|s| s.settings.get("server_tokens").is_none())
                .filter_map(|s| s.directive)
                .find(|s| dirs.iter().any(|d| d.span == s.span))
            else {
                continue;
            };
            let diag = match http {
                Some(http) => {
                    let mut diag = ServerTokensOn::META.at(http.name_span(), message);
                    if let Some(fix) = insert_first(cx, http) {
                        diag = diag.with_fix(fix);
                    }
                    diag
                }
                None => ServerTokensOn::META
                    .at(server.name_span(), message)
                    .with_help(
                        "set `server_tokens off;` in the http block that includes this file",
                    ),
            };
            out.push(diag);
        }
    }
}

/// `server_tokens off;` before the first line of an http block.
fn insert_first(cx: &Checker<'_>, http: &Directive) -> Option<Fix> {
    let first = http.children().first()?;
    let indent = indent_of(cx, first.span)?;
    let start = first.span.start as usize;
    Some(Fix {
        message: "add `server_tokens off;`".into(),
        applicability: Applicability::Safe,
        edits: vec![Edit {
            span: Span::new(first.span.file, start, start),
            replacement: format!("server_tokens off;\n{indent}"),
        }],
    })
}
