//! PRX rules: what nginx sends to the backend behind `proxy_pass` — the
//! forwarding headers, their values, and where it connects.

mod prx001_missing_proxy_headers;
mod prx002_proxy_headers_lost_by_inheritance;
mod prx003_forwarded_proto_hardcoded;
mod prx004_host_from_http_host;
mod prx005_proxy_pass_variable_host;
pub(crate) mod script;

pub use prx001_missing_proxy_headers::MissingProxyHeaders;
pub use prx002_proxy_headers_lost_by_inheritance::ProxyHeadersLostByInheritance;
pub use prx003_forwarded_proto_hardcoded::ForwardedProtoHardcoded;
pub use prx004_host_from_http_host::HostFromHttpHost;
pub use prx005_proxy_pass_variable_host::ProxyPassVariableHost;

use super::{Checker, Rule};
use crate::config::site::{BlockKind, Location, Site};
use crate::source::Span;
use crate::syntax::names::{ids, NameId};
use crate::syntax::Directive;

/// Every PRX rule, in code order.
pub fn rules() -> Vec<&'static dyn Rule> {
    vec![
        &MissingProxyHeaders,
        &ProxyHeadersLostByInheritance,
        &ForwardedProtoHardcoded,
        &HostFromHttpHost,
        &ProxyPassVariableHost,
    ]
}

/// The guide's four forwarding headers: lowercased name, spelling, value.
pub const REQUIRED: &[(&str, &str, &str)] = &[
    ("host", "Host", "$host"),
    ("x-real-ip", "X-Real-IP", "$remote_addr"),
    (
        "x-forwarded-for",
        "X-Forwarded-For",
        "$proxy_add_x_forwarded_for",
    ),
    ("x-forwarded-proto", "X-Forwarded-Proto", "$scheme"),
];

pub const PSH: NameId = ids::PROXY_SET_HEADER;

/// A block that holds a `proxy_pass`, with the blocks around it
/// (outermost first, the block itself last).
pub struct ProxyPass<'s, 'a> {
    pub site: &'s Site<'a>,
    pub chain: Vec<&'s Location<'a>>,
    pub directive: &'a Directive,
}

impl<'s, 'a> ProxyPass<'s, 'a> {
    pub fn block(&self) -> &'s Location<'a> {
        self.chain.last().unwrap()
    }
}

/// Every `proxy_pass` of every server, once per directive (a location in a
/// snippet included by several servers is judged once).
pub fn proxy_passes<'s, 'a>(cx: &'s Checker<'a>) -> &'s [ProxyPass<'a, 'a>] {
    cx.facts.proxy_passes.get_or_init(|| {
        let start = std::time::Instant::now();
        let found = find_proxy_passes(cx);
        crate::timing::report("proxies", start);
        found
    })
}

fn find_proxy_passes<'a>(cx: &Checker<'a>) -> Vec<ProxyPass<'a, 'a>> {
    let mut out: Vec<ProxyPass> = Vec::new();
    for site in cx.sites {
        let mut chain = Vec::new();
        for l in &site.locations {
            collect(site, l, &mut chain, &mut out);
        }
    }
    let mut seen = rustc_hash::FxHashSet::default();
    out.retain(|p| seen.insert(p.directive.span));
    out
}

fn collect<'s, 'a>(
    site: &'s Site<'a>,
    l: &'s Location<'a>,
    chain: &mut Vec<&'s Location<'a>>,
    out: &mut Vec<ProxyPass<'s, 'a>>,
) {
    chain.push(l);
    // From the block's settings (grouped by name), not by reading each of
    // its directives: most blocks have no proxy_pass, and on many servers
    // touching every directive was most of this walk's time.
    for d in l.settings.own(ids::PROXY_PASS) {
        out.push(ProxyPass {
            site,
            chain: chain.clone(),
            directive: d,
        });
    }
    for c in &l.children {
        collect(site, c, chain, out);
    }
    chain.pop();
}

/// Whether a block around the proxy_pass includes a file that could not be
/// read: its `proxy_set_header` lines (Debian's `include proxy_params;`)
/// are unknown, so the header rules stay silent rather than guess.
/// `server_unknown` is [`missing_include`] of the server block, which
/// callers work out once per server rather than once per proxy_pass.
fn unknown_include(cx: &Checker<'_>, p: &ProxyPass<'_, '_>, server_unknown: bool) -> bool {
    server_unknown
        || p.chain
            .iter()
            .any(|l| missing_include(cx, l.directive.children()))
}

/// Whether `dirs` (one block's, so of one file) include a plain path that
/// could not be read.
fn missing_include(cx: &Checker<'_>, dirs: &[Directive]) -> bool {
    // Asked for every block around every proxy_pass: skip reading the
    // block when its file includes nothing at all.
    let Some(first) = dirs.first() else {
        return false;
    };
    if cx.cfg.file(first.span.file).include_count == 0 {
        return false;
    }
    dirs.iter().any(|d| {
        d.is(ids::INCLUDE)
            && d.arg(0).is_some_and(|a| !a.contains(['*', '?', '[']))
            && cx.cfg.includes.get(&d.span).is_none_or(|v| v.is_empty())
    })
}

/// One configuration level's own `proxy_set_header` directives.
#[derive(Debug, Clone)]
pub struct Level<'a> {
    pub what: &'static str,
    /// Borrowed from the Site model's settings: a list per level per
    /// proxy_pass was tens of thousands of copies on a large config.
    pub directives: &'a [&'a Directive],
}

/// The `proxy_set_header` directives written at each level above and at a
/// proxy_pass block: http, server, each enclosing location, the block.
pub fn header_levels<'a>(p: &ProxyPass<'a, 'a>) -> Vec<Level<'a>> {
    let mut levels = Vec::with_capacity(2 + p.chain.len());
    levels.extend([
        Level {
            what: "http",
            directives: p.site.http_settings.all(PSH),
        },
        Level {
            what: "server",
            directives: p.site.settings.own(PSH),
        },
    ]);
    for l in &p.chain {
        levels.push(Level {
            what: match l.kind {
                BlockKind::Location => "location",
                BlockKind::If => "if",
                BlockKind::LimitExcept => "limit_except",
            },
            directives: l.settings.own(PSH),
        });
    }
    levels
}

/// What a proxy_pass block sends, and what it lost on the way.
pub struct HeaderState<'a> {
    pub levels: Vec<Level<'a>>,
    /// The `proxy_set_header` directives in effect (from the Site model,
    /// borrowed); compare names ignoring case.
    pub effective: &'a [&'a Directive],
    /// Headers set at an outer level and dropped by a later level's own
    /// `proxy_set_header`: (index of the dropping level, the outer directive).
    pub lost: Vec<(usize, &'a Directive)>,
}

impl HeaderState<'_> {
    /// Which of `names` (at most 64) are sent, as bits in `names` order:
    /// each header name is read once, not once per name asked about.
    pub fn sends_each(&self, names: &[&str]) -> u64 {
        debug_assert!(names.len() <= 64);
        let mut sent = 0;
        for h in self.effective.iter().filter_map(|d| d.arg(0)) {
            for (i, name) in names.iter().enumerate() {
                if h.eq_ignore_ascii_case(name) {
                    sent |= 1 << i;
                }
            }
        }
        sent
    }

    pub fn lost(&self, name: &str) -> bool {
        self.lost.iter().any(|(_, d)| sets_header(d, name))
    }

    /// The innermost level with its own `proxy_set_header` (the one in effect).
    pub fn defining(&self) -> Option<usize> {
        self.levels.iter().rposition(|l| !l.directives.is_empty())
    }
}

/// Whether a `proxy_set_header` sets header `name` (names ignore case).
fn sets_header(d: &Directive, name: &str) -> bool {
    d.arg(0).is_some_and(|h| h.eq_ignore_ascii_case(name))
}

/// The header state of each of [`proxy_passes`] (same order), None where
/// a surrounding `include` could not be read (`unknown_include`). PRX001
/// and PRX002 both need it; it is worked out once.
pub fn header_states<'s, 'a>(cx: &'s Checker<'a>) -> &'s [Option<HeaderState<'a>>] {
    cx.facts.proxy_headers.get_or_init(|| {
        // Proxy passes come server by server: judge each server's includes once.
        let mut server: Option<(&Site<'a>, bool)> = None;
        proxy_passes(cx)
            .iter()
            .map(|p| {
                let server_unknown = match server {
                    Some((s, unknown)) if std::ptr::eq(s, p.site) => unknown,
                    _ => {
                        let unknown = p
                            .site
                            .directive
                            .is_some_and(|d| missing_include(cx, d.children()));
                        server = Some((p.site, unknown));
                        unknown
                    }
                };
                (!unknown_include(cx, p, server_unknown)).then(|| header_state(p))
            })
            .collect()
    })
}

fn header_state<'a>(p: &ProxyPass<'a, 'a>) -> HeaderState<'a> {
    let levels = header_levels(p);
    let effective = p.block().settings.all(PSH);
    let defining: Vec<usize> = (0..levels.len())
        .filter(|i| !levels[*i].directives.is_empty())
        .collect();
    let mut lost = Vec::new();
    // A header set at level m and missing in the end was dropped by the
    // next level after m that sets its own headers.
    for (n, &m) in defining.iter().enumerate() {
        let Some(&dropper) = defining.get(n + 1) else {
            break;
        };
        for d in levels[m].directives {
            let Some(h) = d.arg(0) else {
                continue;
            };
            let later = defining[n + 1..]
                .iter()
                .any(|&k| levels[k].directives.iter().any(|o| sets_header(o, h)));
            if !later && !effective.iter().any(|e| sets_header(e, h)) {
                lost.push((dropper, *d));
            }
        }
    }
    HeaderState {
        levels,
        effective,
        lost,
    }
}

/// Shared with the TLS fixes: one definition of a line's indentation.
pub use crate::rules::tls::indent_of;

/// The whole directive's source text (`proxy_set_header X-A $b;`).
pub fn source_text(cx: &Checker<'_>, d: &Directive) -> String {
    cx.cfg.sources.text(d.span)
}

/// An empty span just after `d` (after its `;`).
pub fn after(d: &Directive) -> Span {
    Span {
        file: d.span.file,
        start: d.span.end,
        end: d.span.end,
    }
}

/// An empty span at the start of `d`.
pub fn before(d: &Directive) -> Span {
    Span {
        file: d.span.file,
        start: d.span.start,
        end: d.span.start,
    }
}

/// `a, b and c`.
pub fn list(items: &[String]) -> String {
    match items.len() {
        0 => String::new(),
        1 => items[0].clone(),
        n => format!("{} and {}", items[..n - 1].join(", "), items[n - 1]),
    }
}

#[cfg(test)]
mod gixy;
