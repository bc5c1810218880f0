use rustc_hash::FxHashSet as HashSet;

use super::servers::{name_kind, select, sockets, NameKind, Selected, Socket};
use super::{outcome, Outcome};
use crate::config::site::Site;
use crate::diag::{Applicability, Diagnostic, Edit, Fix};
use crate::rule;
use crate::rules::prx::{before, indent_of};
use crate::rules::{Checker, Rule, RuleMeta};
use crate::source::Span;
use crate::syntax::names::ids;
use crate::syntax::Directive;

rule! {
    /// ## What it does
    /// Reports a TLS server whose names are not redirected to HTTPS when
    /// asked over plain HTTP: no server listens for plain HTTP at all, or
    /// the server nginx picks for `http://name/` serves content (or an
    /// error) instead of redirecting.
    ///
    /// The server is found the way nginx finds it: among the servers on
    /// each plain-HTTP listen socket (usually port 80), the exact
    /// `server_name`, else the longest leading wildcard (`*.app.test`), else
    /// the longest trailing wildcard (`www.app.*`), else the regex names,
    /// else the socket's default server (`default_server`, or the first
    /// server listening there). Redirects are recognised at server level,
    /// in `location /`, and inside `if` blocks — including certbot's
    /// `if ($host = name) { return 301 https://$host$request_uri; }`
    /// followed by `return 404;`, which redirects only the names it lists.
    ///
    /// ## Why is this bad?
    /// Users type `app.test`, and old links and bookmarks say `http://`.
    /// Without a redirect those requests are served in clear text (cookies,
    /// credentials and the page open to anyone on the path) or fail, and
    /// HSTS never gets a chance to take over: a browser learns HSTS only
    /// from an HTTPS response.
    ///
    /// ## Example
    /// ```nginx
    /// server {
    ///     listen 443 ssl;
    ///     server_name app.test;
    ///     ...
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```nginx
    /// server {
    ///     listen 80;
    ///     server_name app.test;
    ///     return 301 https://$host$request_uri;
    /// }
    /// server {
    ///     listen 443 ssl;
    ///     server_name app.test;
    ///     ...
    /// }
    /// ```
    ///
    /// ## Fix safety
    /// When no plain-HTTP server answers these names by name, the fix
    /// inserts the redirect server above the TLS server. It is unsafe:
    /// everything served over plain HTTP (an API used by old clients, a
    /// health check) starts redirecting. No fix is offered when a server
    /// already answers the names on port 80 (change that server instead),
    /// or when the TLS server listens on port 80 itself.
    ///
    /// ## References
    /// - [nginx: How nginx processes a request](https://nginx.org/en/docs/http/request_processing.html)
    /// - [nginx: server_name](https://nginx.org/en/docs/http/server_names.html)
    /// - [nginx: return](https://nginx.org/en/docs/http/ngx_http_rewrite_module.html#return)
    /// - [Mozilla web security: HTTP redirections](https://infosec.mozilla.org/guidelines/web_security#http-redirections)
    pub struct MissingHttpsRedirect;
    code = "RED001", name = "missing-https-redirect", severity = Warning,
    summary = "A TLS site's names are not redirected from plain HTTP to HTTPS",
    fix = Sometimes,
}

/// Who answers `http://name/` when it is not a redirect.
struct Answer<'s, 'a> {
    site: &'s Site<'a>,
    by_name: bool,
    what: Option<&'a Directive>,
}

impl Rule for MissingHttpsRedirect {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Checker<'_>, out: &mut Vec<Diagnostic>) {
        let all = sockets(cx);
        let plain: Vec<&Socket> = all.iter().filter(|s| !s.tls).collect();
        let mut fixed: HashSet<String> = HashSet::default();
        for site in cx
            .sites
            .iter()
            .filter(|s| s.is_tls() && s.directive.is_some())
        {
            let mut uncovered: Vec<(&str, Span)> = Vec::new();
            let mut answers: Vec<Answer> = Vec::new();
            for (name, span) in &site.server_names {
                let probes = probes(name);
                if probes.is_empty() {
                    continue;
                }
                let mut answer = None;
                let covered = probes.iter().all(|host| covered(&plain, host, &mut answer));
                if !covered {
                    uncovered.push((name, *span));
                    answers.extend(answer);
                }
            }
            let Some(&(_, span)) = uncovered.first() else {
                continue;
            };
            let urls: Vec<String> = uncovered
                .iter()
                .map(|(n, _)| format!("http://{n}/"))
                .collect();
            let urls = crate::rules::prx::list(&urls);
            let verb = if uncovered.len() == 1 { "is" } else { "are" };
            let mut diag = match answers.first() {
                None => Self::META.at(
                    span,
                    format!("no server listens for plain HTTP, so {urls} {verb} not redirected to HTTPS"),
                ),
                Some(a) => {
                    let (line, _) = cx.cfg.sources.line_col(a.site.span().unwrap_or(span));
                    let who = if std::ptr::eq(a.site, site) {
                        "this server itself, which also listens for plain HTTP,".to_string()
                    } else {
                        format!("the plain-HTTP server at line {line}")
                    };
                    let mut d = Self::META.at(
                        span,
                        format!("{urls} {verb} answered by {who} without a redirect to HTTPS"),
                    );
                    if let Some(s) = a.site.span() {
                        d = d.with_related(
                            s,
                            if a.by_name {
                                "this server answers the name over plain HTTP"
                            } else {
                                "this default server answers unknown names over plain HTTP"
                            },
                        );
                    }
                    if let Some(w) = a.what {
                        let what = if w.is(ids::LOCATION) {
                            "and serves `location /` from here instead of redirecting"
                        } else {
                            "and answers with this instead of redirecting"
                        };
                        d = d.with_related(w.head_span(), what);
                    }
                    d
                }
            };
            diag = diag.with_help("add a `listen 80` server for these names with `return 301 https://$host$request_uri;`");
            let fixable = !site.listens_plain_http()
                && answers.iter().all(|a| !a.by_name)
                && uncovered
                    .iter()
                    .all(|(n, _)| !fixed.contains(&n.to_ascii_lowercase()));
            if fixable {
                if let Some(fix) = fix(cx, site, &uncovered) {
                    fixed.extend(uncovered.iter().map(|(n, _)| n.to_ascii_lowercase()));
                    diag = diag.with_fix(fix);
                }
            }
            out.push(diag);
        }
    }
}

/// Host names to try for a `server_name`: the name itself, or one host a
/// wildcard covers. Regex and placeholder names are not judged.
fn probes(name: &str) -> Vec<String> {
    let n = name.to_ascii_lowercase();
    match name_kind(&n) {
        NameKind::Exact => vec![n],
        NameKind::LeadingWildcard => match n.strip_prefix('.') {
            Some(base) => vec![base.to_string(), format!("www.{base}")],
            None => vec![format!("www{}", &n[1..])],
        },
        NameKind::TrailingWildcard => vec![format!("{}com", &n[..n.len() - 1])],
        NameKind::Regex | NameKind::Special => Vec::new(),
    }
}

/// Whether `http://host/` is redirected. Where servers name the host, each
/// of them must redirect (clients may connect to any of those sockets);
/// where none does, some socket's default server must.
fn covered<'s, 'a>(
    plain: &[&Socket<'s, 'a>],
    host: &str,
    answer: &mut Option<Answer<'s, 'a>>,
) -> bool {
    let by_name: Vec<&&Socket> = plain
        .iter()
        .filter(|s| matches!(select(s, host), Selected::ByName(_)))
        .collect();
    if by_name.is_empty() {
        plain.iter().any(|s| redirected(s, host, answer))
    } else {
        by_name.iter().all(|s| redirected(s, host, answer))
    }
}

/// Whether `http://host/` on this socket ends in a redirect; else remember who answers.
fn redirected<'s, 'a>(s: &Socket<'s, 'a>, host: &str, answer: &mut Option<Answer<'s, 'a>>) -> bool {
    let sel = select(s, host);
    match outcome(sel.site(), host) {
        Outcome::Redirects(_) => true,
        Outcome::Serves(what) => {
            let by_name = matches!(sel, Selected::ByName(_));
            // A regex-named server on the socket may match first: give it the benefit of the doubt.
            if !by_name
                && s.regex_servers()
                    .any(|x| matches!(outcome(x, host), Outcome::Redirects(_)))
            {
                return true;
            }
            if answer.is_none() {
                *answer = Some(Answer {
                    site: sel.site(),
                    by_name,
                    what,
                });
            }
            false
        }
    }
}

/// Insert the redirect server above the TLS server, indented like it.
fn fix(cx: &Checker<'_>, site: &Site<'_>, names: &[(&str, Span)]) -> Option<Fix> {
    let server = site.directive?;
    let indent = indent_of(cx, server.span)?;
    let tls_ports: Vec<u16> = site
        .listens
        .iter()
        .filter(|l| l.ssl)
        .map(|l| l.port)
        .collect();
    let target = match tls_ports.first() {
        Some(p) if !tls_ports.contains(&443) => format!("https://$host:{p}$request_uri"),
        _ => "https://$host$request_uri".to_string(),
    };
    let mut listens = vec!["listen 80;".to_string()];
    if site
        .listens
        .iter()
        .any(|l| l.address.as_deref().is_some_and(|a| a.starts_with('[')))
    {
        listens.push("listen [::]:80;".to_string());
    }
    let names: Vec<&str> = names.iter().map(|(n, _)| *n).collect();
    let i = &indent;
    let mut text = "server {\n".to_string();
    for l in &listens {
        text.push_str(&format!("{i}    {l}\n"));
    }
    text.push_str(&format!(
        "{i}    server_name {};\n{i}    return 301 {target};\n{i}}}\n\n{i}",
        names.join(" ")
    ));
    Some(Fix {
        message: format!(
            "add a plain-HTTP server redirecting {} to HTTPS",
            names.join(" ")
        ),
        applicability: Applicability::Unsafe,
        edits: vec![Edit {
            span: before(server),
            replacement: text,
        }],
    })
}
