use rustc_hash::FxHashSet as HashSet;

use super::servers::{name_kind, name_match, select, sockets, NameIndex, NameKind};
use super::{all_redirects, unconditional_redirects, Redirect, Scheme};
use crate::config::site::Site;
use crate::diag::{Applicability, Diagnostic, Edit, Fix, Severity};
use crate::rule;
use crate::rules::prx::script::{render, segments, Seg};
use crate::rules::{Checker, Rule, RuleMeta};

rule! {
    /// ## What it does
    /// Reports an HTTP→HTTPS redirect that goes to the wrong place:
    /// - **error**: to `http://` (or `$scheme://`, which is `http` there) on
    ///   the same host — a redirect loop — or away from a TLS site's names
    ///   over plain HTTP, so the client never reaches HTTPS;
    /// - **error**: an unconditional redirect to the same host over HTTPS in
    ///   a server that also listens with `ssl`: HTTPS requests are
    ///   redirected to themselves, forever;
    /// - **warning**: to a fixed host that is none of the server's names
    ///   (nor a subdomain or parent of one) and no TLS server of this
    ///   configuration serves, e.g. `https://example.com$request_uri` from a
    ///   server named `app.test` — usually a copied snippet;
    /// - **warning**: to `https://$http_host…`, the raw `Host` header: it
    ///   keeps a port the client sent (`Host: app.test:80` redirects to
    ///   `https://app.test:80/`, which is not TLS), is empty for HTTP/1.0
    ///   clients, and can be anything the client wants;
    /// - **warning**: to `https://$server_name…` when the first
    ///   `server_name` is `_`, a wildcard, a regex or missing.
    ///
    /// `$host` is the right variable: the request's host name without a
    /// port, never empty.
    ///
    /// ## Why is this bad?
    /// A redirect loop makes the site unreachable over `http://`, a redirect
    /// to another host sends users (and their `Referer`) somewhere they did
    /// not ask for, and a redirect to plain HTTP means the connection is
    /// never encrypted.
    ///
    /// ## Example
    /// ```nginx
    /// server {
    ///     listen 80;
    ///     server_name app.test;
    ///     return 301 http://$host$request_uri;
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
    /// ```
    ///
    /// ## Fix safety
    /// `$http_host` is replaced by `$host`, and a `$server_name` that is not
    /// a real name by `$host`: safe, the redirect goes to the host the
    /// client asked for. A loop over `http://` gets `https://` instead: unsafe,
    /// as it assumes the host has a TLS server. Other cases need a decision
    /// and have no fix.
    ///
    /// ## References
    /// - [nginx: $host](https://nginx.org/en/docs/http/ngx_http_core_module.html#var_host),
    ///   [$http_name](https://nginx.org/en/docs/http/ngx_http_core_module.html#var_http_),
    ///   [$server_name](https://nginx.org/en/docs/http/ngx_http_core_module.html#var_server_name)
    /// - [nginx: return](https://nginx.org/en/docs/http/ngx_http_rewrite_module.html#return)
    /// - [nginx: Server names](https://nginx.org/en/docs/http/server_names.html)
    pub struct RedirectWrongTarget;
    code = "RED004", name = "redirect-wrong-target", severity = Error,
    summary = "The HTTP to HTTPS redirect loops, stays on plain HTTP or goes to another host",
    fix = Sometimes,
}

impl Rule for RedirectWrongTarget {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Checker<'_>, out: &mut Vec<Diagnostic>) {
        let tls_names: Vec<&str> = cx
            .sites
            .iter()
            .filter(|s| s.is_tls())
            .flat_map(|s| s.names())
            .filter(|n| {
                matches!(
                    name_kind(n),
                    NameKind::Exact | NameKind::LeadingWildcard | NameKind::TrailingWildcard
                )
            })
            .collect();
        let answerers = tls_name_answerers(cx, &tls_names);
        let tls_index = NameIndex::from_names(tls_names.iter().map(|n| (*n, 0)));
        let tls = TlsNames {
            index: &tls_index,
            answerers: &answerers,
        };
        for (site, r) in all_redirects(cx) {
            if let Some(d) = judge(site, r, &tls) {
                out.push(d);
            }
        }
        let mut seen = HashSet::default();
        for site in cx.sites {
            for r in unconditional_redirects(site) {
                if r.scheme() == Scheme::Https
                    && same_host(site, &r)
                    && seen.insert(r.directive.span)
                {
                    out.push(Self::META.at(
                        r.url.span,
                        "this server also serves HTTPS: the unconditional redirect to https:// on the same \
                         host redirects HTTPS requests to themselves (a loop)",
                    ).with_help("move the redirect into a separate `listen 80` server, or into `if ($scheme = http) { … }`"));
                }
            }
        }
    }
}

/// The names TLS servers answer, for judging redirect targets.
struct TlsNames<'t> {
    index: &'t NameIndex,
    /// The plain-HTTP servers nginx picks for one of them.
    answerers: &'t HashSet<*const ()>,
}

fn judge(site: &Site<'_>, r: &Redirect<'_>, tls: &TlsNames<'_>) -> Option<Diagnostic> {
    let meta = &RedirectWrongTarget::META;
    let parts = r.parts();
    let host_vars: Vec<String> = parts
        .host
        .iter()
        .filter_map(|s| match s {
            Seg::Var(v) => Some(v.to_ascii_lowercase()),
            Seg::Lit(_) => None,
        })
        .collect();
    if r.scheme() != Scheme::Https {
        let shown = if r.scheme() == Scheme::Http {
            "http://"
        } else {
            "$scheme:// (http here)"
        };
        if same_host(site, r) {
            let d = meta
                .at(
                    r.url.span,
                    format!("redirects plain HTTP to {shown} on the same host: a redirect loop"),
                )
                .with_help("redirect to https://$host$request_uri");
            return Some(d.with_fix(to_https(r, Applicability::Unsafe)));
        }
        if tls.answerers.contains(&(site as *const Site as *const ())) {
            return Some(
                meta.at(
                    r.url.span,
                    format!("redirects to {shown} instead of https://: this server answers names of a TLS site, whose clients never reach HTTPS"),
                )
                .with_help("redirect to https://"),
            );
        }
        return None;
    }
    let warn = |msg: String| {
        let mut d = meta.at(r.url.span, msg);
        d.severity = Severity::Warning;
        d
    };
    if host_vars.iter().any(|v| v == "http_host") {
        return Some(
            warn("redirects to $http_host, the raw Host header: it keeps a port the client sent, is empty for HTTP/1.0 and can be anything".into())
                .with_help("use $host")
                .with_fix(replace_var(r, "http_host", Applicability::Safe)),
        );
    }
    if host_vars.iter().any(|v| v == "server_name") {
        let first = site.names().next();
        let broken = first.is_none_or(|n| name_kind(n) != NameKind::Exact);
        if broken {
            let shown = first.map_or("empty (no server_name)".to_string(), |n| format!("`{n}`"));
            return Some(
                warn(format!("redirects to $server_name, which is {shown} here: not a host name clients can reach"))
                    .with_help("use $host")
                    .with_fix(replace_var(r, "server_name", Applicability::Safe)),
            );
        }
        return None;
    }
    if !host_vars.is_empty() || parts.host.is_empty() {
        return None;
    }
    let host = render(&parts.host).to_ascii_lowercase();
    let host = strip_port(&host);
    let own: Vec<&str> = site
        .names()
        .filter(|n| {
            matches!(
                name_kind(n),
                NameKind::Exact | NameKind::LeadingWildcard | NameKind::TrailingWildcard
            )
        })
        .collect();
    if own.is_empty() && tls.index.is_empty() {
        return None;
    }
    let related = |n: &str| {
        let n = n
            .trim_start_matches("*.")
            .trim_start_matches('.')
            .to_ascii_lowercase();
        host.ends_with(&format!(".{n}")) || n.ends_with(&format!(".{host}"))
    };
    let known = own
        .iter()
        .any(|n| name_match(n, host).is_some() || related(n))
        || tls.index.lookup(host).is_some();
    if known {
        return None;
    }
    let names = if own.is_empty() {
        "(none)".to_string()
    } else {
        own.join(" ")
    };
    Some(warn(format!(
        "redirects to {host}, which is not one of this server's names ({names}) nor served over TLS by this configuration"
    )))
}

fn strip_port(h: &str) -> &str {
    if h.starts_with('[') {
        return h.find(']').map_or(h, |e| &h[..=e]);
    }
    h.split(':').next().unwrap_or(h)
}

/// The target's host is the request's own host (a variable for it, or one of the server's names).
fn same_host(site: &Site<'_>, r: &Redirect<'_>) -> bool {
    let parts = r.parts();
    let mut vars = parts.host.iter().filter_map(|s| match s {
        Seg::Var(v) => Some(v.to_ascii_lowercase()),
        Seg::Lit(_) => None,
    });
    // `$host`, `$host:80`: the request's own host (not `www.$host`).
    let one_var = parts
        .host
        .iter()
        .filter(|s| matches!(s, Seg::Var(_)))
        .count()
        == 1;
    let port_only = parts.host.iter().all(|s| match s {
        Seg::Lit(l) => l.starts_with(':') && l[1..].chars().all(|c| c.is_ascii_digit()),
        Seg::Var(_) => true,
    });
    if one_var && port_only {
        return vars.all(|v| matches!(v.as_str(), "host" | "http_host" | "server_name"));
    }
    if parts.host.iter().all(|s| matches!(s, Seg::Lit(_))) && !parts.host.is_empty() {
        let host = render(&parts.host).to_ascii_lowercase();
        return site
            .names()
            .any(|n| name_match(n, strip_port(&host)).is_some());
    }
    false
}

/// The plain-HTTP servers nginx picks for `http://name/` of some TLS site
/// (by address), computed once: asking per redirect is quadratic.
fn tls_name_answerers(cx: &Checker<'_>, tls_names: &[&str]) -> HashSet<*const ()> {
    let mut out = HashSet::default();
    for s in sockets(cx).iter().filter(|s| !s.tls) {
        for n in tls_names.iter().filter(|n| name_kind(n) == NameKind::Exact) {
            out.insert(select(s, n).site() as *const Site as *const ());
        }
    }
    out
}

fn to_https(r: &Redirect<'_>, applicability: Applicability) -> Fix {
    let parts = r.parts();
    let mut url = "https://".to_string();
    url.push_str(&render(&parts.host));
    url.push_str(&render(&parts.rest));
    Fix {
        message: format!("redirect to {url}"),
        applicability,
        edits: vec![Edit {
            span: r.url.span,
            replacement: url,
        }],
    }
}

fn replace_var(r: &Redirect<'_>, var: &str, applicability: Applicability) -> Fix {
    let segs: Vec<Seg> = segments(r.url.value)
        .map(|s| match s {
            Seg::Var(v) if v.eq_ignore_ascii_case(var) => Seg::Var("host"),
            s => s,
        })
        .collect();
    let url = render(&segs);
    Fix {
        message: format!("redirect to {url}"),
        applicability,
        edits: vec![Edit {
            span: r.url.span,
            replacement: url,
        }],
    }
}
