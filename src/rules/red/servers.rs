//! How nginx picks the `server` block for a request: by listen socket, then
//! by `server_name` (exact name, longest leading wildcard, longest trailing
//! wildcard, regexes in order), else the socket's default server (the one
//! marked `default_server`, else the first one listening there).
//!
//! Regex names are not evaluated (no regex engine); callers treat a regex
//! server as "may match".

use crate::config::site::{Listen, Site};
use crate::rules::Checker;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NameKind {
    Exact,
    /// `*.example.com` or `.example.com` (which also matches `example.com`).
    LeadingWildcard,
    /// `www.example.*`.
    TrailingWildcard,
    Regex,
    /// `""` (requests without Host) and `_` style placeholders, which match
    /// no real host name.
    Special,
}

pub fn name_kind(name: &str) -> NameKind {
    if name.starts_with('~') {
        NameKind::Regex
    } else if name.starts_with("*.") || (name.starts_with('.') && name.len() > 1) {
        NameKind::LeadingWildcard
    } else if name.ends_with(".*") {
        NameKind::TrailingWildcard
    } else if name.is_empty() || name == "_" || !name.chars().any(|c| c.is_ascii_alphanumeric()) {
        NameKind::Special
    } else {
        NameKind::Exact
    }
}

/// Whether a non-regex `server_name` matches `host` (case-insensitive), and
/// how strongly: (0 exact | 1 leading wildcard | 2 trailing wildcard, length).
pub fn name_match(pattern: &str, host: &str) -> Option<(u8, usize)> {
    let p = pattern.to_ascii_lowercase();
    let h = host.to_ascii_lowercase();
    match name_kind(&p) {
        NameKind::Exact | NameKind::Special => (p == h).then_some((0, p.len())),
        NameKind::LeadingWildcard => {
            let suffix = p.strip_prefix('*').unwrap_or(&p); // ".example.com"
            if h.ends_with(suffix) && h.len() > suffix.len() {
                Some((1, suffix.len()))
            } else if p.starts_with('.') && h == p[1..] {
                Some((0, h.len()))
            } else {
                None
            }
        }
        NameKind::TrailingWildcard => {
            let prefix = &p[..p.len() - 1]; // "www.example."
            (h.starts_with(prefix) && h.len() > prefix.len()).then_some((2, prefix.len()))
        }
        NameKind::Regex => None,
    }
}

/// A plain-HTTP or TLS listen socket and the servers on it, in config order.
pub struct Socket<'s, 'a> {
    pub key: String,
    pub tls: bool,
    pub servers: Vec<&'s Site<'a>>,
    /// Index into `servers` of the default server.
    pub default: usize,
}

/// Every listen socket of the config.
pub fn sockets<'s, 'a>(cx: &'s Checker<'a>) -> Vec<Socket<'s, 'a>> {
    let mut out: Vec<Socket> = Vec::new();
    let mut defaults: Vec<Option<usize>> = Vec::new();
    for site in cx.sites.iter().filter(|s| s.directive.is_some()) {
        for l in site.listens.iter().filter(|l| !l.unix) {
            let key = l.socket();
            let i = match out.iter().position(|s| s.key == key) {
                Some(i) => i,
                None => {
                    out.push(Socket {
                        key,
                        tls: false,
                        servers: Vec::new(),
                        default: 0,
                    });
                    defaults.push(None);
                    out.len() - 1
                }
            };
            let s = &mut out[i];
            // nginx: the ssl parameter of any listen on the socket applies to all.
            s.tls |= l.ssl || l.quic;
            if !s.servers.iter().any(|x| std::ptr::eq(*x, site)) {
                s.servers.push(site);
            }
            if l.default_server && defaults[i].is_none() {
                defaults[i] = Some(s.servers.len() - 1);
            }
        }
    }
    for (s, d) in out.iter_mut().zip(defaults) {
        s.default = d.unwrap_or(0);
    }
    out
}

/// How nginx picks the server on a socket for a host.
pub enum Selected<'s, 'a> {
    /// By an exact or wildcard `server_name`.
    ByName(&'s Site<'a>),
    /// No name matched (regex servers aside): the default server.
    Default(&'s Site<'a>),
}

impl<'s, 'a> Selected<'s, 'a> {
    pub fn site(&self) -> &'s Site<'a> {
        match self {
            Selected::ByName(s) | Selected::Default(s) => s,
        }
    }
}

pub fn select<'s, 'a>(socket: &Socket<'s, 'a>, host: &str) -> Selected<'s, 'a> {
    let mut best: Option<((u8, usize), usize)> = None;
    for (i, site) in socket.servers.iter().enumerate() {
        for n in site.names() {
            if let Some((rank, len)) = name_match(n, host) {
                let better = match best {
                    None => true,
                    // Lower rank wins; within wildcards the longer one; ties: first.
                    Some(((r, l), _)) => rank < r || (rank == r && rank > 0 && len > l),
                };
                if better {
                    best = Some(((rank, len), i));
                }
            }
        }
    }
    match best {
        Some((_, i)) => Selected::ByName(socket.servers[i]),
        None => Selected::Default(socket.servers[socket.default]),
    }
}

/// Whether any request host can reach `site`: it is the default server of
/// one of its sockets, or it has wildcard, regex or placeholder names.
/// False only when every name is exact and nginx would pick another server
/// for unknown hosts. Unknown (a server-context fragment) counts as open.
pub fn accepts_any_host(cx: &Checker<'_>, site: &Site<'_>) -> bool {
    if site.directive.is_none() || site.server_names.is_empty() {
        return true;
    }
    if site.names().any(|n| name_kind(n) != NameKind::Exact) {
        return true;
    }
    sockets(cx).iter().any(|s| {
        site.listens.iter().any(|l: &Listen| l.socket() == s.key)
            && std::ptr::eq(s.servers[s.default], site)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn name_kinds() {
        assert_eq!(name_kind("app.test"), NameKind::Exact);
        assert_eq!(name_kind("*.app.test"), NameKind::LeadingWildcard);
        assert_eq!(name_kind(".app.test"), NameKind::LeadingWildcard);
        assert_eq!(name_kind("www.app.*"), NameKind::TrailingWildcard);
        assert_eq!(name_kind("~^(?<sub>.+)\\.app\\.test$"), NameKind::Regex);
        assert_eq!(name_kind("_"), NameKind::Special);
        assert_eq!(name_kind(""), NameKind::Special);
    }

    #[test]
    fn names_match_like_nginx() {
        assert_eq!(name_match("App.Test", "app.test"), Some((0, 8)));
        assert_eq!(name_match("*.app.test", "www.app.test"), Some((1, 9)));
        assert_eq!(name_match("*.app.test", "app.test"), None);
        // `.app.test` is both `app.test` and `*.app.test`.
        assert_eq!(name_match(".app.test", "app.test"), Some((0, 8)));
        assert_eq!(name_match(".app.test", "a.b.app.test"), Some((1, 9)));
        assert_eq!(name_match("www.app.*", "www.app.org"), Some((2, 8)));
        assert_eq!(name_match("www.app.*", "app.org"), None);
        assert_eq!(name_match("~app", "app"), None);
        assert_eq!(name_match("_", "app.test"), None);
    }
}
