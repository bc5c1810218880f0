//! How nginx picks the `server` block for a request: by listen socket, then
//! by `server_name` (exact name, longest leading wildcard, longest trailing
//! wildcard, regexes in order), else the socket's default server (the one
//! marked `default_server`, else the first one listening there).
//!
//! Regex names are not evaluated (no regex engine); callers treat a regex
//! server as "may match".

use compact_str::CompactString;
use rustc_hash::FxHashMap as HashMap;

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
    name_match_lower(&pattern.to_ascii_lowercase(), &host.to_ascii_lowercase())
}

/// [`name_match`] for a pattern and host already in lowercase.
fn name_match_lower(p: &str, h: &str) -> Option<(u8, usize)> {
    match name_kind(p) {
        NameKind::Exact | NameKind::Special => (p == h).then_some((0, p.len())),
        NameKind::LeadingWildcard => {
            let suffix = p.strip_prefix('*').unwrap_or(p); // ".example.com"
            if h.ends_with(suffix) && h.len() > suffix.len() {
                Some((1, suffix.len()))
            } else if p.starts_with('.') && h == &p[1..] {
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
    names: NameIndex,
}

/// The socket's `server_name`s, indexed so that picking a server is a hash
/// lookup: thousands of servers share port 80 and 443 in large configs,
/// and a linear scan per name makes every RED rule quadratic.
#[derive(Default)]
pub struct NameIndex {
    /// Lowercased exact (and special) names, and the bare name of
    /// `.app.test`, to the first server that has them. Inline strings: most
    /// names fit in 24 bytes, and a socket can hold a hundred thousand.
    exact: HashMap<CompactString, usize>,
    /// Wildcard names (lowercased) in config order.
    wildcards: Vec<(CompactString, usize)>,
    /// Servers with a regex name, in config order.
    regex: Vec<usize>,
}

/// `s` in lowercase: names are lowercase in nearly every config, so copy
/// only when they are not.
fn lowercase(s: &str) -> std::borrow::Cow<'_, str> {
    if s.bytes().any(|b| b.is_ascii_uppercase()) {
        s.to_ascii_lowercase().into()
    } else {
        s.into()
    }
}

impl NameIndex {
    /// Names and what they stand for (a server's index), in config order.
    pub fn from_names<'n>(names: impl IntoIterator<Item = (&'n str, usize)>) -> NameIndex {
        let names = names.into_iter();
        let mut index = NameIndex::with_capacity(names.size_hint().0);
        for (n, i) in names {
            index.add(n, i);
        }
        index
    }

    /// Room for `names` names: grown from empty, rehashing thousands of
    /// them was most of building an index.
    pub fn with_capacity(names: usize) -> NameIndex {
        NameIndex {
            exact: HashMap::with_capacity_and_hasher(names, Default::default()),
            ..NameIndex::default()
        }
    }

    pub fn is_empty(&self) -> bool {
        self.exact.is_empty() && self.wildcards.is_empty() && self.regex.is_empty()
    }

    /// What nginx picks for `host` by name: the exact name, else the longest
    /// leading wildcard, else the longest trailing one (regexes aside).
    pub fn lookup(&self, host: &str) -> Option<usize> {
        let host = lowercase(host);
        if let Some(&i) = self.exact.get(host.as_ref()) {
            return Some(i);
        }
        let mut best: Option<((u8, usize), usize)> = None;
        for (pattern, i) in &self.wildcards {
            if let Some((rank, len)) = name_match_lower(pattern, &host) {
                let better = match best {
                    None => true,
                    // Leading wildcards before trailing ones; the longer one; ties: first.
                    Some(((r, l), _)) => rank < r || (rank == r && len > l),
                };
                if better {
                    best = Some(((rank, len), *i));
                }
            }
        }
        best.map(|(_, i)| i)
    }

    pub fn add(&mut self, name: &str, server: usize) {
        let name = CompactString::from(lowercase(name).as_ref());
        match name_kind(&name) {
            NameKind::Exact | NameKind::Special => {
                self.exact.entry(name).or_insert(server);
            }
            NameKind::LeadingWildcard => {
                if let Some(bare) = name.strip_prefix('.') {
                    self.exact
                        .entry(CompactString::from(bare))
                        .or_insert(server);
                }
                self.wildcards.push((name, server));
            }
            NameKind::TrailingWildcard => self.wildcards.push((name, server)),
            NameKind::Regex => {
                if self.regex.last() != Some(&server) {
                    self.regex.push(server);
                }
            }
        }
    }
}

impl<'s, 'a> Socket<'s, 'a> {
    /// The servers on this socket with a regex `server_name`.
    pub fn regex_servers(&self) -> impl Iterator<Item = &'s Site<'a>> + '_ {
        self.names.regex.iter().map(|&i| self.servers[i])
    }
}

/// Every listen socket of the config, with its server-name index: built
/// once per check and shared by the rules that pick servers (RED001,
/// RED004, PRX005).
pub fn sockets<'s, 'a>(cx: &'s Checker<'a>) -> &'s [Socket<'a, 'a>] {
    cx.facts.red_sockets.get_or_init(|| build_sockets(cx.sites))
}

/// Linear in the number of servers.
fn build_sockets<'a>(sites: &'a [Site<'a>]) -> Vec<Socket<'a, 'a>> {
    let mut out: Vec<Socket> = Vec::new();
    let mut defaults: Vec<Option<usize>> = Vec::new();
    // By address and port: the key text is made once per socket, not per listen.
    let mut by_key: HashMap<(Option<&str>, u16), usize> = HashMap::default();
    for site in sites.iter().filter(|s| s.directive.is_some()) {
        for l in site.listens.iter().filter(|l| !l.unix) {
            let i = *by_key
                .entry((l.address.as_deref(), l.port))
                .or_insert_with(|| {
                    out.push(Socket {
                        key: l.socket(),
                        tls: false,
                        servers: Vec::new(),
                        default: 0,
                        names: NameIndex::default(),
                    });
                    defaults.push(None);
                    out.len() - 1
                });
            let s = &mut out[i];
            // nginx: the ssl parameter of any listen on the socket applies to all.
            s.tls |= l.ssl || l.quic;
            // Sites are visited one at a time, so a repeat can only be the last entry.
            if !s.servers.last().is_some_and(|x| std::ptr::eq(*x, site)) {
                s.servers.push(site);
            }
            if l.default_server && defaults[i].is_none() {
                defaults[i] = Some(s.servers.len() - 1);
            }
        }
    }
    for (s, d) in out.iter_mut().zip(defaults) {
        s.default = d.unwrap_or(0);
        // Once the socket's servers are known, so the index is sized once.
        let count = s.servers.iter().map(|x| x.server_names.len()).sum();
        let mut names = NameIndex::with_capacity(count);
        for (i, x) in s.servers.iter().enumerate() {
            for n in x.names() {
                names.add(n, i);
            }
        }
        s.names = names;
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
    match socket.names.lookup(host) {
        Some(i) => Selected::ByName(socket.servers[i]),
        None => Selected::Default(socket.servers[socket.default]),
    }
}

/// Whether any request host can reach `site`: it is the default server of
/// one of its sockets, or it has wildcard, regex or placeholder names.
/// False only when every name is exact and nginx would pick another server
/// for unknown hosts. Unknown (a server-context fragment) counts as open.
pub fn accepts_any_host(sockets: &[Socket<'_, '_>], site: &Site<'_>) -> bool {
    if site.directive.is_none() || site.server_names.is_empty() {
        return true;
    }
    if site.names().any(|n| name_kind(n) != NameKind::Exact) {
        return true;
    }
    sockets.iter().any(|s| {
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
