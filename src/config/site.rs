//! The Site model: each http `server` block with its listens, names and the
//! settings nginx will really apply after inheritance.
//!
//! nginx merges configuration level by level (http → server → location →
//! nested location / `if` / `limit_except`). For every directive the rule is
//! the same: a level that sets it — even once — replaces everything
//! inherited. That is harmless for `ssl_protocols` and surprising for
//! `add_header` and `proxy_set_header`, where one header set in a location
//! silently drops all the server's headers. Rules read only this model, so
//! they see what nginx does rather than what the file seems to say.

use std::sync::Arc;

use super::directives::Context;
use super::load::{Config, Root};
use crate::source::Span;
use crate::syntax::names::ids;
use crate::syntax::{Directive, NameId};

/// Directives that act where they are written and are never inherited
/// (rewrite-module statements, content handlers, block openers).
fn not_inherited(key: NameKey) -> bool {
    // By number, not text: this runs on every lookup. Every such name is
    // one nginx knows, so a hashed key is never one.
    key.key < HASHED_KEYS
        && matches!(
            NameId(key.key as u16),
            ids::ALIAS
                | ids::BREAK
                | ids::FASTCGI_PASS
                | ids::GRPC_PASS
                | ids::IF
                | ids::LIMIT_EXCEPT
                | ids::LOCATION
                | ids::MEMCACHED_PASS
                | ids::PROXY_PASS
                | ids::RETURN
                | ids::REWRITE
                | ids::SCGI_PASS
                | ids::SERVER
                | ids::SET
                | ids::TRY_FILES
                | ids::UWSGI_PASS
        )
}

/// The directives in effect at one level, by name.
///
/// A cheap handle on a chain of levels (http → server → location → …):
/// each level keeps only its own directives and a pointer to its parent,
/// and a lookup walks up until a level sets the name. Copying every
/// inherited directive into every location, as a map per level, made the
/// model the largest part of a check's time and memory on big configs.
#[derive(Debug, Clone, Default)]
pub struct Settings<'a>(Option<Arc<Level<'a>>>);

#[derive(Debug)]
struct Level<'a> {
    /// This level's directives except blocks, grouped by name (file order
    /// within a name), the groups ordered by [`NameKey`].
    own: Box<[&'a Directive]>,
    /// The key of each of `own`'s names, same order: a lookup binary-searches
    /// these integers instead of following every probe into the syntax tree
    /// to compare strings (on a large config each probe was a cache miss).
    keys: Box<[u32]>,
    /// `add_header` as this level sees it when `add_header_inherit` is
    /// `merge` or `off` changed it (outer headers first for `merge`; this
    /// level's only, possibly none, for `off`).
    headers: Option<Box<[&'a Directive]>>,
    parent: Option<Arc<Level<'a>>>,
    /// A one-word Bloom filter of the names in `own` (and `add_header`
    /// when `headers` is set): most lookups miss at most levels, and a bit
    /// test is much cheaper than a search. (Levels hold a few names; one
    /// word rather than two keeps a level per location 16 bytes smaller.)
    names: u64,
}

/// A directive name to look settings up by: its text, or the number of a
/// name nginx knows (`ids::PROXY_PASS`), which spares hashing the text on
/// lookups made for every location of every server.
#[derive(Debug, Clone, Copy)]
pub enum SettingName<'n> {
    Text(&'n str),
    Known(NameId),
}

impl<'n> From<&'n str> for SettingName<'n> {
    fn from(name: &'n str) -> SettingName<'n> {
        SettingName::Text(name)
    }
}

impl From<NameId> for SettingName<'static> {
    fn from(id: NameId) -> SettingName<'static> {
        SettingName::Known(id)
    }
}

impl<'n> SettingName<'n> {
    fn keyed(self) -> (&'n str, NameKey) {
        match self {
            SettingName::Text(name) => (name, NameKey::of(name)),
            SettingName::Known(id) => (id.as_str(), NameKey::from_key(u32::from(id.0))),
        }
    }
}

/// A directive name as an integer sort key, and two Bloom filter bits of
/// 64. Names nginx knows are keyed by their number, which no other name
/// shares; other names by a hash at or above [`HASHED_KEYS`], which two
/// names can share.
#[derive(Clone, Copy)]
struct NameKey {
    key: u32,
    bits: u64,
}

/// Keys from here up are hashes: their groups may mix names.
const HASHED_KEYS: u32 = 1 << 16;

impl NameKey {
    fn of(name: &str) -> NameKey {
        match NameId::of(name) {
            Some(id) => NameKey::from_key(u32::from(id.0)),
            None => NameKey::hashed(name),
        }
    }

    /// The key of a directive's own name: its number needs no lookup.
    fn of_directive(d: &Directive) -> NameKey {
        match d.name_id() {
            Some(id) => NameKey::from_key(u32::from(id.0)),
            None => NameKey::hashed(d.name()),
        }
    }

    fn hashed(name: &str) -> NameKey {
        use std::hash::{BuildHasher, BuildHasherDefault};
        let h = BuildHasherDefault::<rustc_hash::FxHasher>::default().hash_one(name);
        NameKey::from_key(((h >> 32) as u32).max(HASHED_KEYS))
    }

    fn from_key(key: u32) -> NameKey {
        let h = u64::from(key).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        NameKey {
            key,
            bits: (1u64 << (h >> 58)) | (1u64 << ((h >> 52) & 63)),
        }
    }
}

impl<'a> Level<'a> {
    /// Sorts `own` into groups by name and builds the keys and filter.
    fn new(mut own: Vec<&'a Directive>, parent: Option<Arc<Level<'a>>>) -> Level<'a> {
        let mut names = 0;
        let mut keyed: Vec<(u32, &'a Directive)> = own
            .iter()
            .map(|d| {
                let k = NameKey::of_directive(d);
                names |= k.bits;
                (k.key, *d)
            })
            .collect();
        // Stable, and by name after a hashed key: two names sharing one
        // still form two contiguous groups. Sorting keyed copies beats
        // working the keys out in each comparison (+2.8 M instructions at
        // 2,000 servers, measured twice: sessions 4 and 6).
        keyed.sort_by(|a, b| {
            a.0.cmp(&b.0).then_with(|| {
                if a.0 < HASHED_KEYS {
                    std::cmp::Ordering::Equal // one name per number
                } else {
                    a.1.name().cmp(b.1.name())
                }
            })
        });
        // In place: `own` arrives at its exact size (Settings::merge).
        for (slot, &(_, d)) in own.iter_mut().zip(&keyed) {
            *slot = d;
        }
        Level {
            keys: keyed.iter().map(|&(k, _)| k).collect(),
            own: own.into_boxed_slice(),
            headers: None,
            parent,
            names,
        }
    }

    /// This level's own entries for `name` (whose key is `k`), None when it
    /// does not set it.
    fn get(&self, name: &str, k: NameKey) -> Option<&[&'a Directive]> {
        if self.names & k.bits != k.bits {
            return None;
        }
        if k.key == u32::from(ids::ADD_HEADER.0) {
            if let Some(h) = &self.headers {
                return Some(h);
            }
        }
        let start = self.keys.partition_point(|&x| x < k.key);
        let len = self.keys[start..]
            .iter()
            .take_while(|&&x| x == k.key)
            .count();
        let group = &self.own[start..start + len];
        match group {
            [] => None,
            // A number names one name: no need to look at the directives.
            _ if k.key < HASHED_KEYS => Some(group),
            // One name under this key (all but always): two string compares.
            [first, .., last] | [first @ last] if first.name() == name && last.name() == name => {
                Some(group)
            }
            _ => {
                let from = group.partition_point(|d| d.name() < name);
                let n = group[from..]
                    .iter()
                    .take_while(|d| d.name() == name)
                    .count();
                (n > 0).then(|| &group[from..from + n])
            }
        }
    }
}

impl<'a> Settings<'a> {
    /// Merge a level's own directives over the inherited settings.
    pub fn merge(parent: &Settings<'a>, own: &[&'a Directive]) -> Settings<'a> {
        // Blocks (`server`, `location`, `if`, …) are structure, not
        // settings; leaving them out keeps the http level small.
        // At its exact size: a large config has a level per location.
        let is_setting = |d: &&&'a Directive| d.block.is_none();
        let mut settings = Vec::with_capacity(own.iter().filter(is_setting).count());
        settings.extend(own.iter().filter(is_setting).copied());
        let mut level = Level::new(settings, parent.0.clone());
        let inherit = NameKey::from_key(u32::from(ids::ADD_HEADER_INHERIT.0));
        let add_header = NameKey::from_key(u32::from(ids::ADD_HEADER.0));
        let header_mode = level
            .get("add_header_inherit", inherit)
            .or_else(|| Some(parent.all_keyed("add_header_inherit", inherit)))
            .and_then(|v| v.last())
            .and_then(|d| d.arg(0))
            .unwrap_or("on");
        match header_mode {
            // `off`: nothing from outer levels, even when this level sets none.
            "off" => {
                level.headers = Some(level.get("add_header", add_header).unwrap_or(&[]).into())
            }
            // `merge`: outer headers first, then this level's.
            "merge" => {
                if let Some(inner) = level.get("add_header", add_header) {
                    let outer = parent.all("add_header");
                    if !outer.is_empty() {
                        level.headers = Some(outer.iter().chain(inner).copied().collect());
                    }
                }
            }
            _ => {}
        }
        if level.headers.is_some() {
            level.names |= add_header.bits;
        }
        Settings(Some(Arc::new(level)))
    }

    /// Every occurrence in effect, in order.
    pub fn all<'n>(&self, name: impl Into<SettingName<'n>>) -> &[&'a Directive] {
        let (name, key) = name.into().keyed();
        self.all_keyed(name, key)
    }

    /// [`Settings::all`] with the name's key already known.
    fn all_keyed(&self, name: &str, key: NameKey) -> &[&'a Directive] {
        let mut level = self.0.as_deref();
        let inherited = !not_inherited(key);
        while let Some(l) = level {
            if let Some(found) = l.get(name, key) {
                return found;
            }
            if !inherited {
                break;
            }
            level = l.parent.as_deref();
        }
        &[]
    }

    /// The occurrences written at this level itself (includes expanded),
    /// in order; none inherited. For `add_header`, as `add_header_inherit`
    /// leaves this level's list.
    pub fn own<'n>(&self, name: impl Into<SettingName<'n>>) -> &[&'a Directive] {
        let (name, key) = name.into().keyed();
        self.0
            .as_deref()
            .and_then(|l| l.get(name, key))
            .unwrap_or(&[])
    }

    /// The occurrence nginx uses for a single-valued directive (the first;
    /// nginx refuses or ignores later ones).
    pub fn get<'n>(&self, name: impl Into<SettingName<'n>>) -> Option<&'a Directive> {
        self.all(name).first().copied()
    }

    /// First argument of [`Settings::get`].
    pub fn value<'n>(&self, name: impl Into<SettingName<'n>>) -> Option<&'a str> {
        self.get(name).and_then(|d| d.arg(0))
    }

    /// `on`/`off` directives; None when unset at every level.
    pub fn flag<'n>(&self, name: impl Into<SettingName<'n>>) -> Option<bool> {
        self.value(name).map(|v| v.eq_ignore_ascii_case("on"))
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listen {
    pub span: Span,
    /// None for `*` / a bare port.
    pub address: Option<String>,
    pub port: u16,
    pub unix: bool,
    pub ssl: bool,
    pub default_server: bool,
    pub http2: bool,
    pub quic: bool,
    /// True when there is no `listen` directive: nginx listens on *:80.
    pub implicit: bool,
}

impl Listen {
    pub fn parse(d: &Directive) -> Listen {
        let addr = d.arg(0).unwrap_or("80");
        let (address, port, unix) = parse_listen_address(addr);
        let mut listen = Listen {
            span: d.span,
            address,
            port,
            unix,
            ssl: false,
            default_server: false,
            http2: false,
            quic: false,
            implicit: false,
        };
        // One pass over the parameters (every server has a listen or two).
        for i in 1..d.arg_count() {
            match d.arg(i) {
                Some("ssl") => listen.ssl = true,
                Some("default_server" | "default") => listen.default_server = true,
                Some("http2") => listen.http2 = true,
                Some("quic") => listen.quic = true,
                _ => {}
            }
        }
        listen
    }

    /// Normalised `address:port` for grouping servers that share a socket.
    pub fn socket(&self) -> String {
        match &self.address {
            Some(a) => format!("{a}:{}", self.port),
            None => format!("*:{}", self.port),
        }
    }
}

/// `80`, `*:80`, `127.0.0.1:8443`, `[::]:443`, `localhost`, `unix:/path`.
fn parse_listen_address(s: &str) -> (Option<String>, u16, bool) {
    if s.starts_with("unix:") {
        return (Some(s.to_string()), 0, true);
    }
    if let Ok(port) = s.parse::<u16>() {
        return (None, port, false);
    }
    let (host, port) = if let Some(rest) = s.strip_prefix('[') {
        match rest.split_once(']') {
            Some((h, p)) => (
                format!("[{h}]"),
                p.strip_prefix(':').and_then(|p| p.parse().ok()),
            ),
            None => (s.to_string(), None),
        }
    } else {
        match s.rsplit_once(':') {
            Some((h, p)) => (h.to_string(), p.parse().ok()),
            None => (s.to_string(), None),
        }
    };
    let address = (host != "*").then_some(host);
    (address, port.unwrap_or(80), false)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BlockKind {
    Location,
    If,
    LimitExcept,
}

/// A `location`, `if` or `limit_except` block with its effective settings.
#[derive(Debug, Clone)]
pub struct Location<'a> {
    pub directive: &'a Directive,
    pub kind: BlockKind,
    /// This block's own directives, includes expanded.
    pub own: Box<[&'a Directive]>,
    pub settings: Settings<'a>,
    pub children: Box<[Location<'a>]>,
}

impl<'a> Location<'a> {
    /// `=`, `~`, `~*`, `^~` or `@` (named) for locations. Read from the
    /// directive when asked rather than stored: a location per 200 bytes of
    /// a large config, and two string slices each.
    pub fn modifier(&self) -> Option<&'a str> {
        self.parts().0
    }

    /// The location's path or regex (the condition of an `if`, the first
    /// method of a `limit_except`).
    pub fn pattern(&self) -> &'a str {
        self.parts().1
    }

    fn parts(&self) -> (Option<&'a str>, &'a str) {
        let d = self.directive;
        match (self.kind, d.arg_count()) {
            (BlockKind::Location, 2) => (d.arg(0), d.arg(1).unwrap_or("")),
            (BlockKind::Location, _) => match d.arg(0) {
                Some(p) if p.starts_with('@') => (Some("@"), p),
                Some(p) => (None, p),
                None => (None, ""),
            },
            _ => (None, d.arg(0).unwrap_or("")),
        }
    }

    /// This block and every nested one, level by level.
    pub fn walk(&self) -> Vec<&Location<'a>> {
        let mut out = Vec::new();
        self.walk_into(&mut out);
        out
    }

    fn walk_into<'s>(&'s self, out: &mut Vec<&'s Location<'a>>) {
        let mut i = out.len();
        out.push(self);
        while i < out.len() {
            let l = out[i];
            out.extend(l.children.iter());
            i += 1;
        }
    }
}

/// One http `server` block (or a server-context fragment linted alone).
#[derive(Debug, Clone)]
pub struct Site<'a> {
    /// nginx's prefix for this server's file: where relative paths
    /// (`ssl_certificate`, `ssl_password_file`, …) resolve.
    pub prefix: &'a std::path::Path,
    /// None for a server-context fragment (a snippet file).
    pub directive: Option<&'a Directive>,
    pub listens: Box<[Listen]>,
    pub server_names: Box<[(&'a str, Span)]>,
    /// Server-level settings in effect (http-level ones inherited).
    pub settings: Settings<'a>,
    /// What the http level itself sets (shared by every server of that
    /// http block; empty for fragments without one). A clone is one
    /// reference count: `Settings` is a handle on shared levels.
    pub http_settings: Settings<'a>,
    /// The server block's own directives, includes expanded.
    pub own: Box<[&'a Directive]>,
    pub locations: Box<[Location<'a>]>,
    /// `if` blocks directly in the server.
    pub ifs: Box<[Location<'a>]>,
    /// [`Site::is_tls`] and [`Site::listens_plain_http`], worked out once:
    /// most rules ask, for every server.
    tls: bool,
    plain_http: bool,
}

impl<'a> Site<'a> {
    /// Serves TLS: a `listen … ssl` or `quic`, or the removed `ssl on;`.
    pub fn is_tls(&self) -> bool {
        self.tls
    }

    pub fn listens_plain_http(&self) -> bool {
        self.plain_http
    }

    /// Where to point for a finding about the whole server.
    pub fn span(&self) -> Option<Span> {
        self.directive.map(|d| d.name_span())
    }

    /// Every list of `name` (`add_header`, `proxy_set_header`: directives
    /// a block inherits only when it sets none) in effect somewhere on this
    /// server: the server's, inherited ones included, then the lists its
    /// blocks set themselves. A block that sets none sends its parent's,
    /// already given; looking each block's list up walked every level above
    /// it. (With `add_header_inherit`, a block's own list is the one it
    /// sends, merged headers included.)
    pub fn lists_in_effect(&self, name: NameId) -> impl Iterator<Item = &[&'a Directive]> + '_ {
        let blocks = self.all_locations().into_iter();
        std::iter::once(self.settings.all(name)).chain(blocks.map(move |l| l.settings.own(name)))
    }

    /// Every location-like block: each block of the server, then the blocks
    /// nested in it, level by level.
    pub fn all_locations(&self) -> Vec<&Location<'a>> {
        // One vector, not one per location: rules call this for every
        // server. Counted first, so it is allocated once at its size.
        fn count(l: &Location<'_>) -> usize {
            1 + l.children.iter().map(count).sum::<usize>()
        }
        let n = self
            .locations
            .iter()
            .chain(self.ifs.iter())
            .map(count)
            .sum();
        let mut out = Vec::with_capacity(n);
        for l in self.locations.iter().chain(self.ifs.iter()) {
            l.walk_into(&mut out);
        }
        out
    }

    pub fn names(&self) -> impl Iterator<Item = &'a str> + '_ {
        self.server_names.iter().map(|(n, _)| *n)
    }
}

/// Build the Site model for every http server in the loaded config.
pub fn sites(cfg: &Config) -> Vec<Site<'_>> {
    let mut out = Vec::new();
    for root in &cfg.roots {
        sites_in_root(cfg, root, &mut out);
    }
    out
}

fn sites_in_root<'a>(cfg: &'a Config, root: &'a Root, out: &mut Vec<Site<'a>>) {
    let top = cfg.root_directives(root);
    match root.context {
        Context::Main => {
            for http in top.iter().filter(|d| d.is(ids::HTTP) && d.block.is_some()) {
                let own = cfg.expand(http.children());
                let settings = Settings::merge(&Settings::default(), &own);
                servers(cfg, root, &own, &settings, out);
            }
        }
        Context::Http => {
            let settings = Settings::merge(&Settings::default(), &top);
            servers(cfg, root, &top, &settings, out);
        }
        Context::Server => out.push(build_site(cfg, root, None, top, &Settings::default())),
        _ => {}
    }
}

fn servers<'a>(
    cfg: &'a Config,
    root: &'a Root,
    http: &[&'a Directive],
    inherited: &Settings<'a>,
    out: &mut Vec<Site<'a>>,
) {
    let servers: Vec<&'a Directive> = http
        .iter()
        .copied()
        .filter(|d| d.is(ids::SERVER) && d.block.is_some())
        .collect();
    // Servers are modelled independently: on every core when there are many.
    out.extend(crate::parallel::map(
        &servers,
        |_| 1,
        256,
        |d| build_site(cfg, root, Some(d), cfg.expand(d.children()), inherited),
    ));
}

fn build_site<'a>(
    cfg: &'a Config,
    root: &'a Root,
    directive: Option<&'a Directive>,
    own: Vec<&'a Directive>,
    inherited: &Settings<'a>,
) -> Site<'a> {
    let settings = Settings::merge(inherited, &own);
    let mut listens: Vec<Listen> = own
        .iter()
        .filter(|d| d.is(ids::LISTEN))
        .map(|d| Listen::parse(d))
        .collect();
    if listens.is_empty() {
        if let Some(d) = directive {
            listens.push(Listen {
                span: d.name_span(),
                address: None,
                port: 80,
                unix: false,
                ssl: false,
                default_server: false,
                http2: false,
                quic: false,
                implicit: true,
            });
        }
    }
    let server_names: Vec<(&str, Span)> = own
        .iter()
        .filter(|d| d.is(ids::SERVER_NAME))
        .flat_map(|d| d.args().iter().map(|a| (a.value, a.span)))
        .collect();
    let locations = blocks(cfg, &own, &settings, 0);
    // Boxed below, at their exact size: grown by pushing, up to half of
    // each list was slack.
    let (ifs, locations): (Vec<_>, Vec<_>) =
        locations.into_iter().partition(|l| l.kind == BlockKind::If);
    let ssl_on = settings.flag("ssl") == Some(true);
    Site {
        tls: listens.iter().any(|l| l.ssl || l.quic) || ssl_on,
        plain_http: listens.iter().any(|l| !l.ssl && !l.quic && !l.unix) && !ssl_on,
        prefix: &root.prefix,
        http_settings: inherited.clone(),
        directive,
        listens: listens.into(),
        server_names: server_names.into(),
        settings,
        own: own.into(),
        locations: locations.into(),
        ifs: ifs.into(),
    }
}

/// Nested location-like blocks of one level, with inheritance applied.
fn blocks<'a>(
    cfg: &'a Config,
    own: &[&'a Directive],
    parent: &Settings<'a>,
    depth: usize,
) -> Vec<Location<'a>> {
    if depth > 64 {
        return Vec::new();
    }
    own.iter()
        .filter(|d| d.block.is_some())
        .filter_map(|d| {
            let kind = match d.name() {
                "location" => BlockKind::Location,
                "if" => BlockKind::If,
                "limit_except" => BlockKind::LimitExcept,
                _ => return None,
            };
            let inner = cfg.expand(d.children());
            let settings = Settings::merge(parent, &inner);
            let children = blocks(cfg, &inner, &settings, depth + 1);
            Some(Location {
                directive: d,
                kind,
                own: inner.into(),
                settings,
                children: children.into(),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::load_files;

    fn config(text: &str) -> (tempfile::TempDir, Config) {
        crate::config::load_text(text)
    }

    /// The header names `proxy_set_header` or `add_header` set, lowercased.
    fn header_names(s: &Settings, directive: &str) -> Vec<String> {
        s.all(directive)
            .iter()
            .filter_map(|d| d.arg(0).map(str::to_ascii_lowercase))
            .collect()
    }

    #[test]
    fn names_sharing_a_key_stay_apart() {
        // Hashed keys (names nginx does not know) never collided in any
        // corpus, but a lookup must not mix two names when they do: force it
        // with one key for all.
        let parsed = crate::syntax::parse(crate::source::FileId(0), b"b 1; a 2; b 3; c 4;");
        let own: Vec<&Directive> = parsed.directives.iter().collect();
        let mut level = Level::new(own.clone(), None);
        let mut sorted = own;
        sorted.sort_by(|x, y| x.name().cmp(y.name()));
        level.keys = vec![HASHED_KEYS + 7; 4].into();
        level.own = sorted.into();
        level.names = u64::MAX;
        let key = |name| NameKey {
            key: HASHED_KEYS + 7,
            bits: NameKey::of(name).bits,
        };
        let args = |name| -> Vec<&str> {
            level
                .get(name, key(name))
                .unwrap_or(&[])
                .iter()
                .map(|d| d.arg(0).unwrap())
                .collect()
        };
        assert_eq!(args("b"), ["1", "3"]);
        assert_eq!(args("a"), ["2"]);
        assert_eq!(args("c"), ["4"]);
        assert!(args("d").is_empty());
        // Under its real keys, the same lookups.
        let level = Level::new(parsed.directives.iter().collect(), None);
        let got = level.get("b", NameKey::of("b")).unwrap();
        assert_eq!(
            got.iter().map(|d| d.arg(0).unwrap()).collect::<Vec<_>>(),
            ["1", "3"]
        );
        assert!(level.get("d", NameKey::of("d")).is_none());
    }

    #[test]
    fn known_names_are_keyed_by_number_and_others_above() {
        let parsed = crate::syntax::parse(
            crate::source::FileId(0),
            b"root /a; my_module on; root /b; listen 80; text/html html;",
        );
        let keys: Vec<u32> = parsed
            .directives
            .iter()
            .map(|d| NameKey::of_directive(d).key)
            .collect();
        let root = u32::from(NameId::of("root").unwrap().0);
        assert_eq!(keys[0], root);
        assert_eq!(keys[2], root);
        assert_eq!(keys[3], u32::from(NameId::of("listen").unwrap().0));
        assert!(keys[1] >= HASHED_KEYS && keys[4] >= HASHED_KEYS);
        // A lookup by text finds the same key as the directive carries.
        assert_eq!(NameKey::of("my_module").key, keys[1]);
        let level = Level::new(parsed.directives.iter().collect(), None);
        let roots = level.get("root", NameKey::of("root")).unwrap();
        assert_eq!(
            roots.iter().map(|d| d.arg(0).unwrap()).collect::<Vec<_>>(),
            ["/a", "/b"]
        );
        assert_eq!(
            level
                .get("text/html", NameKey::of("text/html"))
                .unwrap()
                .len(),
            1
        );
        assert!(level
            .get("server_name", NameKey::of("server_name"))
            .is_none());
    }

    const GUIDE: &str = r#"
        server { listen 80; server_name app.test; return 301 https://$host$request_uri; }
        server {
            listen 443 ssl http2 default_server;
            listen [::]:443 ssl;
            server_name app.test www.app.test;
            ssl_protocols TLSv1.2 TLSv1.3;
            add_header Strict-Transport-Security "max-age=31536000" always;
            add_header X-Frame-Options DENY;
            proxy_set_header Host $host;
            proxy_set_header X-Real-IP $remote_addr;
            location / {
                proxy_pass http://127.0.0.1:5000;
            }
            location /static/ {
                add_header Cache-Control public;
                location ~ \.css$ { }
            }
            location /api {
                proxy_set_header X-Forwarded-Proto $scheme;
                proxy_pass http://127.0.0.1:5000;
                if ($request_method = POST) { add_header X-Post 1; }
            }
            location @fallback { return 404; }
        }
    "#;

    #[test]
    fn listens_and_names() {
        let (_d, cfg) = config(GUIDE);
        let sites = sites(&cfg);
        assert_eq!(sites.len(), 2);
        let (plain, tls) = (&sites[0], &sites[1]);
        assert!(!plain.is_tls() && plain.listens_plain_http());
        assert!(tls.is_tls() && !tls.listens_plain_http());
        assert_eq!(tls.listens[0].port, 443);
        assert!(tls.listens[0].http2 && tls.listens[0].default_server);
        assert_eq!(tls.listens[1].address.as_deref(), Some("[::]"));
        assert_eq!(tls.listens[1].socket(), "[::]:443");
        assert_eq!(
            tls.names().collect::<Vec<_>>(),
            ["app.test", "www.app.test"]
        );
        assert_eq!(plain.settings.get("return").unwrap().arg(0), Some("301"));
    }

    #[test]
    fn headers_are_replaced_not_merged() {
        let (_d, cfg) = config(GUIDE);
        let tls = &sites(&cfg)[1];
        let by_pattern = |p: &str| {
            tls.all_locations()
                .into_iter()
                .find(|l| l.pattern() == p)
                .unwrap()
                .clone()
        };
        // `/` sets no headers: inherits both add_headers and both proxy headers.
        let root = by_pattern("/");
        assert_eq!(
            header_names(&root.settings, "add_header"),
            ["strict-transport-security", "x-frame-options"]
        );
        assert_eq!(
            header_names(&root.settings, "proxy_set_header"),
            ["host", "x-real-ip"]
        );
        // `/static/` adds Cache-Control: HSTS and X-Frame-Options are gone there…
        let stat = by_pattern("/static/");
        assert_eq!(
            header_names(&stat.settings, "add_header"),
            ["cache-control"]
        );
        // …and in the nested regex location, which inherits from /static/.
        let css = by_pattern("\\.css$");
        assert_eq!(css.modifier(), Some("~"));
        assert_eq!(header_names(&css.settings, "add_header"), ["cache-control"]);
        // `/api` sets one proxy header: Host and X-Real-IP are lost.
        let api = by_pattern("/api");
        assert_eq!(
            header_names(&api.settings, "proxy_set_header"),
            ["x-forwarded-proto"]
        );
        // The `if` inside /api inherits /api's settings but its own add_header replaces.
        let iff = by_pattern("($request_method");
        assert_eq!(iff.kind, BlockKind::If);
        assert_eq!(header_names(&iff.settings, "add_header"), ["x-post"]);
        assert_eq!(
            header_names(&iff.settings, "proxy_set_header"),
            ["x-forwarded-proto"]
        );
        // proxy_pass acts where written: not inherited into the if.
        assert!(iff.settings.get("proxy_pass").is_none());
        // `own` is what a level writes itself, nothing inherited.
        fn own_names<'a>(l: &Location<'a>) -> Vec<&'a str> {
            l.settings
                .own("proxy_set_header")
                .iter()
                .map(|d| d.arg(0).unwrap())
                .collect()
        }
        assert!(own_names(&root).is_empty());
        assert_eq!(own_names(&api), ["X-Forwarded-Proto"]);
        assert!(own_names(&iff).is_empty());
        let server_own: Vec<&str> = tls
            .settings
            .own("proxy_set_header")
            .iter()
            .map(|d| d.arg(0).unwrap())
            .collect();
        assert_eq!(server_own, ["Host", "X-Real-IP"]);
        let named = by_pattern("@fallback");
        assert_eq!(named.modifier(), Some("@"));
    }

    #[test]
    fn http_level_settings_inherit_into_servers() {
        let (_d, cfg) = config(
            "events {}\nhttp {\n ssl_protocols TLSv1 TLSv1.2;\n add_header X-A 1;\n server { listen 443 ssl; }\n server { listen 8443 ssl; ssl_protocols TLSv1.3; add_header X-B 2; }\n}\n",
        );
        let s = sites(&cfg);
        assert_eq!(s.len(), 2);
        assert_eq!(s[0].settings.get("ssl_protocols").unwrap().args().len(), 2);
        assert_eq!(s[1].settings.value("ssl_protocols"), Some("TLSv1.3"));
        assert_eq!(header_names(&s[0].settings, "add_header"), ["x-a"]);
        assert_eq!(header_names(&s[1].settings, "add_header"), ["x-b"]);
    }

    #[test]
    fn add_header_inherit_merge_and_off() {
        let (_d, cfg) = config(
            "server { add_header X-A 1;\n location /m { add_header_inherit merge; add_header X-B 2; }\n location /o { add_header_inherit off; }\n}\n",
        );
        let s = &sites(&cfg)[0];
        assert_eq!(
            header_names(&s.locations[0].settings, "add_header"),
            ["x-a", "x-b"]
        );
        assert!(header_names(&s.locations[1].settings, "add_header").is_empty());
    }

    #[test]
    fn lists_in_effect_cover_every_block_once_each_list() {
        let (_d, cfg) = config(
            "server { add_header X-A 1;\n location /a { }\n location /b { add_header X-B 2; location /b/c { } }\n location /m { add_header_inherit merge; add_header X-M 3; }\n location /o { add_header_inherit off; }\n}\n",
        );
        let s = &sites(&cfg)[0];
        let names = |list: &[&Directive]| -> Vec<String> {
            list.iter()
                .map(|d| d.arg(0).unwrap().to_ascii_lowercase())
                .collect()
        };
        let lists: Vec<Vec<String>> = s
            .lists_in_effect(ids::ADD_HEADER)
            .map(names)
            .filter(|l| !l.is_empty())
            .collect();
        assert_eq!(lists, [vec!["x-a"], vec!["x-b"], vec!["x-a", "x-m"]]);
        // Every block's list in effect is one of them (or empty).
        for l in s.all_locations() {
            let sent = names(l.settings.all(ids::ADD_HEADER));
            assert!(sent.is_empty() || lists.contains(&sent), "{sent:?}");
        }
    }

    #[test]
    fn rewrite_statements_and_handlers_are_not_inherited() {
        // The directives nginx runs where they are written (rewrite module,
        // content handlers) and the block openers.
        let acting = "alias break fastcgi_pass grpc_pass if limit_except location \
                      memcached_pass proxy_pass return rewrite scgi_pass server set \
                      try_files uwsgi_pass";
        for name in acting.split_whitespace() {
            assert!(not_inherited(NameKey::of(name)), "{name}");
        }
        for name in [
            "root",
            "add_header",
            "proxy_set_header",
            "ssl_protocols",
            "my_module",
        ] {
            assert!(!not_inherited(NameKey::of(name)), "{name}");
        }
    }

    #[test]
    fn lookups_by_number_find_what_lookups_by_text_find() {
        let (_d, cfg) = config(
            "server { add_header X-A 1; proxy_pass http://a;\n location /m { add_header_inherit merge; add_header X-B 2; }\n location /o { add_header_inherit off; proxy_pass http://b; }\n}\n",
        );
        let s = &sites(&cfg)[0];
        let spans = |ds: &[&Directive]| ds.iter().map(|d| d.span).collect::<Vec<_>>();
        for settings in [
            &s.settings,
            &s.locations[0].settings,
            &s.locations[1].settings,
        ] {
            for (id, text) in [
                (ids::ADD_HEADER, "add_header"),
                (ids::PROXY_PASS, "proxy_pass"),
                (ids::ROOT, "root"),
            ] {
                assert_eq!(spans(settings.all(id)), spans(settings.all(text)), "{text}");
                assert_eq!(spans(settings.own(id)), spans(settings.own(text)), "{text}");
            }
        }
        // What the lookups find, written out: merged headers at /m, none at
        // /o; proxy_pass is not inherited, so /m has none.
        assert_eq!(s.locations[0].settings.all(ids::ADD_HEADER).len(), 2);
        assert!(s.locations[1].settings.all(ids::ADD_HEADER).is_empty());
        assert!(s.locations[0].settings.all(ids::PROXY_PASS).is_empty());
        assert_eq!(s.locations[1].settings.own(ids::PROXY_PASS).len(), 1);
    }

    #[test]
    fn implicit_listen_and_ssl_on() {
        let (_d, cfg) = config("server { server_name a; ssl on; }\nserver { }\n");
        let s = sites(&cfg);
        assert!(s[0].is_tls());
        assert!(s[1].listens[0].implicit && s[1].listens[0].port == 80);
    }

    #[test]
    fn includes_are_part_of_the_block() {
        let (_dir, cfg) = load_files(&[
            (
                "site.conf",
                "server { listen 80; location / { include headers.conf; proxy_pass http://x; } }\n",
            ),
            ("headers.conf", "proxy_set_header Host $host;\n"),
        ]);
        let s = &sites(&cfg)[0];
        assert_eq!(
            header_names(&s.locations[0].settings, "proxy_set_header"),
            ["host"]
        );
    }
}
