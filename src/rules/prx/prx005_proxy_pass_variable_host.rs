use rustc_hash::FxHashMap as HashMap;

use super::script::{
    builtin_taint, can_contain_dot, groups, segments, split_url, starts_with_slash, Seg, Taint,
};
use super::ProxyPass;
use crate::config::site::BlockKind;
use crate::diag::Diagnostic;
use crate::rule;
use crate::rules::red::servers::{accepts_any_host, sockets, Socket};
use crate::rules::{Checker, Rule, RuleMeta};
use crate::source::Span;
use crate::syntax::names::ids;
use crate::syntax::Directive;

rule! {
    /// ## What it does
    /// Reports a `proxy_pass` whose scheme or host comes from a value the
    /// client controls: request headers (`$http_…`), query arguments
    /// (`$arg_…`, `$args`), cookies, the body, a regex capture of the URI
    /// that can spell a host name, or `$host` on a server that accepts any
    /// host. Variables are followed through `set` and `map`. This is gixy's
    /// `ssrf` check.
    ///
    /// ## Why is this bad?
    /// With a variable in `proxy_pass`, nginx decides per request where to
    /// connect. If the client chooses the host, nginx becomes an open proxy
    /// into your network: `GET /proxy/169.254.169.254/latest/meta-data/`
    /// reads cloud credentials, `?backend=127.0.0.1:6379` talks to Redis,
    /// and internal admin interfaces trust the request because it comes from
    /// the proxy (server-side request forgery, SSRF).
    ///
    /// What is *not* reported, as in gixy:
    /// - variables after the host: `proxy_pass http://backend/$1;` or
    ///   `http://backend$request_uri` (`$request_uri` and `$uri` always start
    ///   with `/`, so the host has ended);
    /// - captures that cannot hold a dot (`(https?)`, `(\d+)`, `([a-z]+)`);
    /// - `map`/`set` values written in the config, `$server_name`,
    ///   `$scheme` and other values nginx sets itself;
    /// - locations marked `internal` (reached only through nginx's own
    ///   redirects such as `X-Accel-Redirect`, which the backend controls).
    ///
    /// `$host` is reported only where any host can arrive: on a default
    /// server, or one with wildcard or regex names. On a server whose names
    /// are all exact (and that is not the default), nginx only routes
    /// requests for those names to it.
    ///
    /// ## Example
    /// ```nginx
    /// location ~ ^/proxy/(?<target>[^/]+)/(.*)$ {
    ///     proxy_pass http://$target/$2;
    /// }
    /// ```
    ///
    /// ## Use instead
    /// Choose among known backends with `map`, and reject the rest:
    /// ```nginx
    /// map $arg_backend $backend {
    ///     default "";
    ///     eu      eu.backend.internal;
    ///     us      us.backend.internal;
    /// }
    /// server {
    ///     location /proxy/ {
    ///         if ($backend = "") { return 404; }
    ///         proxy_pass http://$backend;
    ///     }
    /// }
    /// ```
    ///
    /// ## References
    /// - [nginx: proxy_pass](https://nginx.org/en/docs/http/ngx_http_proxy_module.html#proxy_pass)
    ///   ("parameter value can contain variables")
    /// - [nginx: internal](https://nginx.org/en/docs/http/ngx_http_core_module.html#internal)
    /// - [gixy: ssrf](https://github.com/yandex/gixy/blob/master/docs/en/plugins/ssrf.md)
    /// - [OWASP: Server-Side Request Forgery](https://owasp.org/www-community/attacks/Server_Side_Request_Forgery)
    pub struct ProxyPassVariableHost;
    code = "PRX005", name = "proxy-pass-variable-host", severity = Warning,
    summary = "proxy_pass takes its host from the request (SSRF)",
}

impl Rule for ProxyPassVariableHost {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Checker<'_>, out: &mut Vec<Diagnostic>) {
        // Read the maps only once a proxy_pass uses a variable: most name
        // their upstream, and the maps are a walk of every directive.
        let maps = std::cell::OnceCell::new();
        let sockets = sockets(cx);
        for p in super::proxy_passes(cx) {
            let Some(url) = p.directive.args().first() else {
                continue;
            };
            if !url.value.contains('$') || internal(p) {
                continue;
            }
            let scope = Scope::new(sockets, p, maps.get_or_init(|| map_values(cx)));
            let Some(found) = scope.tainted_host(url.value) else {
                continue;
            };
            let message = format!(
                "proxy_pass takes its {} from {}: a client can make nginx connect to any host (SSRF)",
                if found.in_scheme { "scheme" } else { "host" },
                found.what
            );
            let mut diag = Self::META.at(url.span, message).with_help(
                "pick the backend from a fixed list (map … { default \"\"; name host; }) \
                 or mark the location `internal`",
            );
            for (span, why) in found.related {
                diag = diag.with_related(span, why);
            }
            out.push(diag);
        }
    }
}

/// Inside an `internal` location (or a block nested in one).
fn internal(p: &ProxyPass<'_, '_>) -> bool {
    p.chain
        .iter()
        .any(|l| l.own.iter().any(|d| d.is(ids::INTERNAL)))
}

/// `map` output variables → their values (with the map directive).
fn map_values<'a>(cx: &Checker<'a>) -> HashMap<String, Vec<(&'a str, &'a Directive)>> {
    let mut out: HashMap<String, Vec<(&'a str, &'a Directive)>> = HashMap::default();
    for file in &cx.cfg.files {
        for d in file.walk().filter(|d| d.is(ids::MAP) && d.block.is_some()) {
            let Some(var) = d.arg(1).and_then(|v| v.strip_prefix('$')) else {
                continue;
            };
            let entry = out.entry(var.to_ascii_lowercase()).or_default();
            for e in d.children() {
                if let Some(v) = e.arg(0) {
                    if !matches!(e.name(), "hostnames" | "volatile" | "include") {
                        entry.push((v, d));
                    }
                }
            }
        }
    }
    out
}

/// One way a proxy_pass value can read after `set`/`map` expansion, with
/// the directives that led there.
type Alternative<'a> = (Vec<Seg<'a>>, Vec<(Span, String)>);

struct Found {
    what: String,
    in_scheme: bool,
    related: Vec<(Span, String)>,
}

/// What is known at one proxy_pass: `set` values on its path, captures of
/// the regexes around it, maps, and whether `$host` is open.
struct Scope<'a> {
    sets: HashMap<String, Vec<&'a Directive>>,
    /// Numbered captures come from the innermost regex location.
    numbered: Option<&'a Directive>,
    /// Regex locations and `if` regexes on the path (for named captures).
    regexes: Vec<&'a Directive>,
    maps: &'a HashMap<String, Vec<(&'a str, &'a Directive)>>,
    host_open: bool,
}

impl<'a> Scope<'a> {
    fn new(
        sockets: &[Socket<'_, '_>],
        p: &ProxyPass<'_, 'a>,
        maps: &'a HashMap<String, Vec<(&'a str, &'a Directive)>>,
    ) -> Scope<'a> {
        let mut sets: HashMap<String, Vec<&'a Directive>> = HashMap::default();
        let mut regexes = Vec::new();
        let mut numbered = None;
        let mut add_sets = |ds: &[&'a Directive]| {
            for d in ds.iter().filter(|d| d.is(ids::SET)) {
                if let Some(v) = d.arg(0).and_then(|v| v.strip_prefix('$')) {
                    sets.entry(v.to_ascii_lowercase()).or_default().push(d);
                }
            }
        };
        add_sets(&p.site.own);
        for i in &p.site.ifs {
            add_sets(&i.own);
        }
        for l in &p.chain {
            add_sets(&l.own);
            for c in l.children.iter().filter(|c| c.kind == BlockKind::If) {
                add_sets(&c.own);
                if c.directive.args().iter().any(|a| a.value.starts_with('~')) {
                    regexes.push(c.directive);
                }
            }
            if l.kind == BlockKind::Location && matches!(l.modifier(), Some("~" | "~*")) {
                regexes.push(l.directive);
                numbered = Some(l.directive);
            }
        }
        Scope {
            sets,
            numbered,
            regexes,
            maps,
            host_open: accepts_any_host(sockets, p.site),
        }
    }

    /// The regex source of a location or `if` directive.
    fn regex_of(d: &'a Directive) -> &'a str {
        if d.is(ids::LOCATION) {
            d.args().last().map(|a| a.value).unwrap_or("")
        } else {
            // if ($var ~ regex) — the word after the operator, without ')'.
            let i = d.args().iter().position(|a| a.value.starts_with('~'));
            let w = i.and_then(|i| {
                let op = d.args().get(i)?.value;
                let rest = op.trim_start_matches(['~', '*']);
                if rest.is_empty() {
                    d.args().get(i + 1).map(|a| a.value)
                } else {
                    Some(rest)
                }
            });
            w.map(|w| w.strip_suffix(')').unwrap_or(w)).unwrap_or("")
        }
    }

    /// The capture a variable names, with the directive that defines it.
    fn capture(&self, var: &str) -> Option<(&'a str, &'a Directive)> {
        if var.len() == 1 && var.as_bytes()[0].is_ascii_digit() {
            let d = self.numbered?;
            let n: usize = var.parse().ok()?;
            return groups(Self::regex_of(d))
                .into_iter()
                .find(|g| g.index == n)
                .map(|g| (g.body, d));
        }
        self.regexes.iter().rev().find_map(|d| {
            groups(Self::regex_of(d))
                .into_iter()
                .find(|g| g.name.is_some_and(|n| n.eq_ignore_ascii_case(var)))
                .map(|g| (g.body, *d))
        })
    }

    fn taint(&self, var: &str) -> Taint {
        if let Some((body, _)) = self.capture(var) {
            return if starts_with_slash(body) {
                Taint::Path
            } else if can_contain_dot(body) {
                Taint::Untrusted
            } else {
                Taint::Trusted
            };
        }
        if var.eq_ignore_ascii_case("host") {
            return if self.host_open {
                Taint::Untrusted
            } else {
                Taint::Trusted
            };
        }
        builtin_taint(var)
    }

    /// Expand `set` and `map` variables into their values (every
    /// alternative, bounded), then look at the scheme and host.
    fn tainted_host(&self, value: &'a str) -> Option<Found> {
        let mut alternatives: Vec<Alternative<'a>> = Vec::new();
        self.expand(
            &segments(value).collect::<Vec<_>>(),
            Vec::new(),
            Vec::new(),
            0,
            &mut alternatives,
        );
        for (segs, related) in alternatives {
            let parts = split_url(&segs, |v| self.taint(v) == Taint::Path);
            let scheme_vars = parts.scheme.iter().map(|s| (true, s));
            let host_vars = parts.host.iter().map(|s| (false, s));
            for (in_scheme, seg) in scheme_vars.chain(host_vars) {
                let Seg::Var(v) = seg else { continue };
                if self.taint(v) != Taint::Untrusted {
                    continue;
                }
                let mut related = related.clone();
                let what = match self.capture(v) {
                    Some((body, d)) => {
                        related.push((
                            d.head_span(),
                            format!("${v} is the capture ({body}) of this regex"),
                        ));
                        format!("${v}, a capture of the request path that can spell any host name")
                    }
                    None if v.eq_ignore_ascii_case("host") => {
                        "$host, and this server answers requests for any host name".to_string()
                    }
                    None => format!("${v}, a value from the request"),
                };
                return Some(Found {
                    what,
                    in_scheme,
                    related,
                });
            }
        }
        None
    }

    fn expand(
        &self,
        segs: &[Seg<'a>],
        prefix: Vec<Seg<'a>>,
        related: Vec<(Span, String)>,
        depth: usize,
        out: &mut Vec<Alternative<'a>>,
    ) {
        const MAX: usize = 32;
        if out.len() >= MAX {
            return;
        }
        let Some(i) = segs.iter().position(|s| match s {
            Seg::Var(v) => depth < 8 && self.definitions(v).is_some(),
            Seg::Lit(_) => false,
        }) else {
            let mut all = prefix;
            all.extend_from_slice(segs);
            out.push((all, related));
            return;
        };
        let Seg::Var(v) = segs[i] else { unreachable!() };
        let mut head = prefix;
        head.extend_from_slice(&segs[..i]);
        for (value, d, why) in self.definitions(v).unwrap_or_default() {
            let mut inner: Vec<Seg> = segments(value).collect();
            inner.extend_from_slice(&segs[i + 1..]);
            let mut related = related.clone();
            related.push((d.head_span(), why));
            self.expand(&inner, head.clone(), related, depth + 1, out);
        }
    }

    /// Values a `set` or `map` gives the variable (None when neither does).
    fn definitions(&self, var: &str) -> Option<Vec<(&'a str, &'a Directive, String)>> {
        let key = var.to_ascii_lowercase();
        if let Some(ds) = self.sets.get(&key) {
            return Some(
                ds.iter()
                    .filter_map(|d| d.arg(1).map(|v| (v, *d, format!("${var} is set here"))))
                    .collect(),
            );
        }
        self.maps.get(&key).map(|vs| {
            vs.iter()
                .map(|(v, d)| (*v, *d, format!("${var} is mapped here")))
                .collect()
        })
    }
}
