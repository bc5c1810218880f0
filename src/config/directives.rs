//! The directive table (`grammar/directives.tsv`, extracted from nginx's
//! `ngx_command_t` arrays and the nginx.org docs), embedded in the binary.
//!
//! It answers the questions nginx's `ngx_conf_handler` asks of every
//! directive: is the name known, is it allowed in this context, does it take
//! a block, how many arguments.

use std::sync::OnceLock;

use crate::syntax::names::{NameId, DIRECTIVES_TSV, ROW_STARTS};

/// Where a directive appears, as the table's `contexts` column names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Context {
    Main,
    Events,
    Http,
    Server,
    Location,
    Upstream,
    IfInServer,
    IfInLocation,
    LimitExcept,
    Mail,
    MailServer,
    Stream,
    StreamServer,
    StreamUpstream,
    /// Bodies with their own parser (`map`, `geo`, `types`, …): key/value data.
    Map,
    Geo,
    Types,
    StreamMap,
    StreamGeo,
    /// `split_clients`, `charset_map`, `match` and unknown blocks: not checked.
    Opaque,
    OtelExporter,
    AcmeIssuer,
    OidcProvider,
    Mgmt,
}

impl Context {
    pub fn parse(s: &str) -> Option<Context> {
        Some(match s {
            "main" => Context::Main,
            "events" => Context::Events,
            "http" => Context::Http,
            "server" => Context::Server,
            "location" => Context::Location,
            "upstream" => Context::Upstream,
            "if-in-server" => Context::IfInServer,
            "if-in-location" => Context::IfInLocation,
            "limit_except" => Context::LimitExcept,
            "mail" => Context::Mail,
            "mail-server" => Context::MailServer,
            "stream" => Context::Stream,
            "stream-server" => Context::StreamServer,
            "stream-upstream" => Context::StreamUpstream,
            "map" => Context::Map,
            "geo" => Context::Geo,
            "types" => Context::Types,
            "stream-map" => Context::StreamMap,
            "stream-geo" => Context::StreamGeo,
            "otel_exporter" => Context::OtelExporter,
            "acme_issuer" => Context::AcmeIssuer,
            "oidc_provider" => Context::OidcProvider,
            "mgmt" => Context::Mgmt,
            _ => return None,
        })
    }

    /// Bodies whose lines are data (`key value;`), not directives.
    pub fn is_data_block(self) -> bool {
        matches!(
            self,
            Context::Map
                | Context::Geo
                | Context::Types
                | Context::StreamMap
                | Context::StreamGeo
                | Context::Opaque
        )
    }

    /// The context inside the block that the name numbered `name` opens
    /// here (None: a name nginx does not know, which opens no context it
    /// knows either). By number: the walks over every block of a large
    /// config ask it for each block.
    pub fn child_of(self, name: Option<NameId>) -> Context {
        use crate::syntax::names::ids;
        use Context::*;
        let Some(id) = name else {
            return Opaque;
        };
        match (self, id) {
            (Main, ids::EVENTS) => Events,
            (Main, ids::HTTP) => Http,
            (Main, ids::MAIL) => Mail,
            (Main, ids::STREAM) => Stream,
            (Http, ids::SERVER) => Server,
            (Http, ids::UPSTREAM) => Upstream,
            (Http, ids::MAP) => Map,
            (Http, ids::GEO) => Geo,
            (Http | Server | Location, ids::TYPES) => Types,
            (Server | Location, ids::LOCATION) => Location,
            (Server, ids::IF) => IfInServer,
            (Location | IfInLocation, ids::IF) => IfInLocation,
            (Location, ids::LIMIT_EXCEPT) => LimitExcept,
            (Mail, ids::SERVER) => MailServer,
            (Stream, ids::SERVER) => StreamServer,
            (Stream, ids::UPSTREAM) => StreamUpstream,
            (Stream, ids::MAP) => StreamMap,
            (Stream, ids::GEO) => StreamGeo,
            (_, ids::OTEL_EXPORTER) => OtelExporter,
            (_, ids::ACME_ISSUER) => AcmeIssuer,
            (_, ids::OIDC_PROVIDER) => OidcProvider,
            (_, ids::MGMT) => Mgmt,
            _ => Opaque,
        }
    }

    /// Whether this is an http-level context (for the Site model).
    pub fn name(self) -> &'static str {
        use Context::*;
        match self {
            Main => "main",
            Events => "events",
            Http => "http",
            Server => "server",
            Location => "location",
            Upstream => "upstream",
            IfInServer => "if-in-server",
            IfInLocation => "if-in-location",
            LimitExcept => "limit_except",
            Mail => "mail",
            MailServer => "mail-server",
            Stream => "stream",
            StreamServer => "stream-server",
            StreamUpstream => "stream-upstream",
            Map => "map",
            Geo => "geo",
            Types => "types",
            StreamMap => "stream-map",
            StreamGeo => "stream-geo",
            Opaque => "block",
            OtelExporter => "otel_exporter",
            AcmeIssuer => "acme_issuer",
            OidcProvider => "oidc_provider",
            Mgmt => "mgmt",
        }
    }
}

/// Where a row comes from: nginx's own source, or only from the docs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    Source,
    /// NGINX Plus (commercial) only.
    Plus,
    /// The docs say it was removed from nginx.
    Removed,
    /// A module from another repository (njs, otel, acme).
    External,
}

/// Argument-count flags, as `ngx_conf_handler` checks them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Arity {
    /// Bit n set: n arguments allowed (NOARGS = bit 0, TAKE1 = bit 1, …).
    pub counts: u16,
    pub flag: bool,
    pub any: bool,
    pub one_more: bool,
    pub two_more: bool,
}

impl Arity {
    fn parse(flags: &str) -> (Arity, bool) {
        let mut a = Arity::default();
        let mut block = false;
        for f in flags.split(',') {
            match f {
                "BLOCK" => block = true,
                "DIRECT_CONF" => {}
                "NOARGS" => a.counts |= 1,
                "FLAG" => a.flag = true,
                "ANY" => a.any = true,
                "1MORE" => a.one_more = true,
                "2MORE" => a.two_more = true,
                "TAKE12" => a.counts |= 0b110,
                "TAKE13" => a.counts |= 0b1010,
                "TAKE23" => a.counts |= 0b1100,
                "TAKE123" => a.counts |= 0b1110,
                "TAKE1234" => a.counts |= 0b11110,
                t if t.starts_with("TAKE") => {
                    if let Ok(n) = t[4..].parse::<u32>() {
                        a.counts |= 1 << n;
                    }
                }
                _ => {}
            }
        }
        (a, block)
    }

    /// nginx's own check, in its order: ANY, FLAG, 1MORE, 2MORE, then TAKEn.
    pub fn accepts(&self, nargs: usize) -> bool {
        if self.any {
            true
        } else if self.flag {
            nargs == 1
        } else if self.one_more {
            nargs >= 1
        } else if self.two_more {
            nargs >= 2
        } else {
            nargs < 8 && self.counts & (1 << nargs) != 0
        }
    }
}

#[derive(Debug, Clone)]
pub struct DirectiveSpec {
    pub name: &'static str,
    pub module: &'static str,
    pub contexts: Vec<Context>,
    pub any_context: bool,
    pub arity: Arity,
    pub block: bool,
    pub default: &'static str,
    /// Relative to <https://nginx.org/en/docs/>.
    pub doc: &'static str,
    pub origin: Origin,
    /// Whether nginx refuses a second occurrence in one block
    /// (`validate::refuses_duplicates`), worked out once here.
    pub refuses_duplicates: bool,
}

impl DirectiveSpec {
    pub fn allowed_in(&self, ctx: Context) -> bool {
        self.any_context || self.contexts.contains(&ctx)
    }

    pub fn doc_url(&self) -> Option<String> {
        (!self.doc.is_empty()).then(|| format!("https://nginx.org/en/docs/{}", self.doc))
    }
}

pub struct DirectiveTable {
    /// Indexed by [`NameId`] (the parser numbers names the same way): each
    /// name's rows, read from the TSV when first asked for. A check asks
    /// for the few dozen names its config uses; reading all 1,029 rows up
    /// front cost every run 0.7 ms, a quarter of a check of a small file
    /// (docs/performance.md).
    by_id: Box<[OnceLock<Box<[DirectiveSpec]>>]>,
}

impl DirectiveTable {
    pub fn get() -> &'static DirectiveTable {
        static TABLE_CELL: OnceLock<DirectiveTable> = OnceLock::new();
        TABLE_CELL.get_or_init(|| DirectiveTable {
            by_id: (0..NameId::count()).map(|_| OnceLock::new()).collect(),
        })
    }

    /// One row of the TSV: the line starting at byte `start`.
    fn parse_row(start: u32) -> DirectiveSpec {
        let line = DIRECTIVES_TSV[start as usize..]
            .lines()
            .next()
            .expect("build.rs records where rows start");
        let cols: Vec<&'static str> = line.split('\t').collect();
        let col = |i: usize| cols.get(i).copied().unwrap_or("");
        let (arity, block) = Arity::parse(col(3));
        let module = col(1);
        let origin = if module.starts_with("plus:") {
            Origin::Plus
        } else if module.starts_with("removed:") {
            Origin::Removed
        } else if module.contains(':') {
            Origin::External
        } else {
            Origin::Source
        };
        DirectiveSpec {
            name: cols[0],
            module,
            contexts: col(2).split(',').filter_map(Context::parse).collect(),
            any_context: col(2).split(',').any(|c| c == "any"),
            arity,
            block,
            default: col(4),
            doc: col(5),
            origin,
            refuses_duplicates: super::validate::refuses_duplicates(cols[0], arity.flag),
        }
    }

    pub fn lookup(&self, name: &str) -> &[DirectiveSpec] {
        NameId::of(name).map_or(&[], |id| self.rows(id))
    }

    /// The rows of a numbered name (see [`crate::syntax::Directive::name_id`]).
    pub fn rows(&self, id: NameId) -> &[DirectiveSpec] {
        self.by_id[id.0 as usize].get_or_init(|| {
            ROW_STARTS[id.0 as usize]
                .iter()
                .map(|&start| DirectiveTable::parse_row(start))
                .collect()
        })
    }

    /// The row that applies to `name` in `ctx`, if any.
    pub fn find(&self, name: &str, ctx: Context) -> Option<&DirectiveSpec> {
        self.lookup(name).iter().find(|s| s.allowed_in(ctx))
    }

    /// The closest known name, for "did you mean" (edit distance ≤ 2, or a
    /// distance under a third of the name's length).
    pub fn suggest(&self, name: &str, ctx: Context) -> Option<&'static str> {
        let limit = (name.len() / 3).clamp(1, 3);
        let chars = name.chars().count();
        (0..NameId::count())
            .map(|i| self.rows(NameId(i as u16)))
            // The distance is at least the difference in length: most names
            // are ruled out without working it out.
            // (Names in the table are ASCII: bytes are characters.)
            .filter(|specs| {
                specs
                    .first()
                    .is_some_and(|s| s.name.len().abs_diff(chars) <= limit)
            })
            .filter(|specs| specs.iter().any(|s| s.allowed_in(ctx)))
            .map(|specs| (edit_distance(name, specs[0].name), specs[0].name))
            .filter(|(d, _)| *d <= limit)
            .min()
            .map(|(_, n)| n)
    }
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != *cb);
            cur[j + 1] = sub.min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_knows_the_guides_directives() {
        let t = DirectiveTable::get();
        let listen = t.find("listen", Context::Server).unwrap();
        assert!(listen.arity.accepts(1) && listen.arity.accepts(3));
        assert!(!listen.arity.accepts(0));
        assert!(t.find("proxy_pass", Context::Server).is_none());
        assert!(t.find("proxy_pass", Context::Location).is_some());
        assert!(t.find("proxy_pass", Context::IfInLocation).is_some());
        let spf = t.find("ssl_prefer_server_ciphers", Context::Http).unwrap();
        assert!(spf.arity.flag && spf.arity.accepts(1) && !spf.arity.accepts(2));
        assert!(t.find("include", Context::Location).is_some());
        let server = t.find("server", Context::Http).unwrap();
        assert!(server.block && server.arity.accepts(0));
        assert!(!t.find("server", Context::Upstream).unwrap().block);
    }

    #[test]
    fn blocks_open_the_contexts_nginx_gives_them() {
        use Context::*;
        let cases = [
            (Main, "http", Http),
            (Main, "stream", Stream),
            (Http, "server", Server),
            (Stream, "server", StreamServer),
            (Mail, "server", MailServer),
            (Stream, "upstream", StreamUpstream),
            (Server, "location", Location),
            (Location, "location", Location),
            (Server, "if", IfInServer),
            (Location, "if", IfInLocation),
            (IfInLocation, "if", IfInLocation),
            (Location, "limit_except", LimitExcept),
            (Location, "types", Types),
            (Http, "mgmt", Mgmt),
            // Not where nginx opens them, or not blocks at all.
            (Main, "server", Opaque),
            (Http, "location", Opaque),
            (Server, "limit_except", Opaque),
            (Location, "proxy_pass", Opaque),
            (Location, "no_such_block", Opaque),
        ];
        for (outer, name, inner) in cases {
            assert_eq!(
                outer.child_of(NameId::of(name)),
                inner,
                "{name} in {outer:?}"
            );
        }
    }

    #[test]
    fn every_row_of_the_tsv_is_read_under_its_name() {
        // Rows are read lazily from offsets build.rs recorded: each name's
        // rows must be that name's lines, and together every data line.
        let t = DirectiveTable::get();
        let mut rows = 0;
        for i in 0..NameId::count() {
            let id = NameId(i as u16);
            for spec in t.rows(id) {
                assert_eq!(spec.name, id.as_str());
                rows += 1;
            }
        }
        let lines = DIRECTIVES_TSV.lines().skip(1).filter(|l| !l.is_empty());
        assert_eq!(rows, lines.count());
        // A name in several modules has a row for each (ssl: http and mail).
        let ssl = t.lookup("ssl");
        assert!(ssl.len() >= 2, "{ssl:?}");
        assert!(ssl.iter().all(|s| s.name == "ssl"));
    }

    #[test]
    fn suggestions_are_close_names() {
        let t = DirectiveTable::get();
        assert_eq!(
            t.suggest("proxy_pas", Context::Location),
            Some("proxy_pass")
        );
        assert_eq!(
            t.suggest("ssl_protocol", Context::Server),
            Some("ssl_protocols")
        );
        assert_eq!(t.suggest("zzzzzzzz", Context::Server), None);
    }
}
