//! SEC rules: gixy's classic nginx misconfigurations, reported with exact
//! positions — alias path traversal, `valid_referers none`, and response
//! splitting through URL-decoded variables.
//!
//! These rules judge single directives in the light of the blocks around
//! them (the location an `alias` sits in, the regex that defines `$1`), not
//! inherited settings, so they walk the configuration tree — every file,
//! includes expanded, location-context snippets too — rather than the Site
//! model. [`walk_http`] is that walk; the HDR rules use it as well.

pub(crate) mod pcre;

mod sec001_alias_traversal;
mod sec002_valid_referers_none;
mod sec003_response_splitting;

pub use sec001_alias_traversal::AliasTraversal;
pub use sec002_valid_referers_none::ValidReferersNone;
pub use sec003_response_splitting::ResponseSplitting;

use super::{Checker, Rule};
use crate::config::{Config, Context, Expanded};
use crate::source::Span;
use crate::syntax::ast::{Quote, Word};
use crate::syntax::names::{ids, NameId};
use crate::syntax::Directive;

/// Every SEC rule, in code order.
pub fn rules() -> Vec<&'static dyn Rule> {
    vec![&AliasTraversal, &ValidReferersNone, &ResponseSplitting]
}

/// One block on the way down to a directive: the block (None for a root
/// file), the context inside it, and its `set` directives (includes expanded).
#[derive(Debug, Clone)]
pub struct Level<'a> {
    pub block: Option<&'a Directive>,
    pub context: Context,
    /// The level's `set` directives: where variables are looked up.
    pub sets: Box<[&'a Directive]>,
}

/// The directive names rules walk for. The tree records visits of these
/// only: a large config has over a million directives, and keeping every
/// one, indexed by name, made the tree a large part of a check's memory.
/// By number: the tree asks of every directive, and a number compare is
/// cheaper than eleven string compares. (`more_set_headers` and
/// `more_set_input_headers` are not in nginx's table, so they have no
/// number and are looked for by name.)
const WALKED: &[NameId] = &[
    ids::ADD_HEADER,
    ids::ADD_TRAILER,
    ids::ALIAS,
    ids::PROXY_PASS,
    ids::PROXY_SET_HEADER,
    ids::RETURN,
    ids::REWRITE,
    ids::SERVER_TOKENS,
    ids::VALID_REFERERS,
];
const WALKED_UNKNOWN: &[&str] = &["more_set_headers", "more_set_input_headers"];

/// Which of the walked names a directive has: its index in [`WALKED`],
/// then [`WALKED_UNKNOWN`] after it (one bit each in [`walked_mask`]).
fn walked_index(id: Option<NameId>, name: &str) -> Option<u8> {
    let i = match id {
        Some(id) => WALKED.iter().position(|w| *w == id)?,
        None => WALKED.len() + WALKED_UNKNOWN.iter().position(|w| *w == name)?,
    };
    Some(i as u8)
}

/// [`walked_index`] of every name nginx knows, by its number
/// ([`NOT_WALKED`] for the others).
fn walked_by_id() -> &'static [u8] {
    static TABLE: std::sync::OnceLock<Box<[u8]>> = std::sync::OnceLock::new();
    TABLE.get_or_init(|| {
        let mut table = vec![NOT_WALKED; NameId::count()];
        for (i, id) in WALKED.iter().enumerate() {
            table[id.0 as usize] = i as u8;
        }
        table.into()
    })
}

const NOT_WALKED: u8 = u8::MAX;

/// The walked names among `names`, one bit per [`walked_index`].
fn walked_mask(names: &[&str]) -> u16 {
    const _: () = assert!(
        WALKED.len() + WALKED_UNKNOWN.len() <= 16,
        "one bit each in a u16"
    );
    let mut mask = 0;
    for n in names {
        let i = walked_index(NameId::of(n), n);
        debug_assert!(i.is_some(), "walk_http({n:?}): add the name to WALKED");
        mask |= i.map_or(0, |i| 1 << i);
    }
    mask
}

/// Contexts of the http module, where these rules look.
pub fn is_http_context(ctx: Context) -> bool {
    matches!(
        ctx,
        Context::Http
            | Context::Server
            | Context::Location
            | Context::IfInServer
            | Context::IfInLocation
            | Context::LimitExcept
    )
}

/// Call `visit` for every directive named one of `names` in an http-module
/// context of every root file (includes expanded), in file order, with the
/// levels that enclose it — the last level holds the directive. A file
/// included from several places is visited once per place, so rules dedupe
/// their findings by span.
pub fn walk_http<'a>(
    cx: &Checker<'a>,
    names: &[&str],
    mut visit: impl FnMut(&'a Directive, &[&Level<'a>]),
) {
    let tree = cx.facts.http_tree.get_or_init(|| {
        let start = std::time::Instant::now();
        let tree = HttpTree::build(cx.cfg);
        crate::timing::report("http-tree", start);
        tree
    });
    // In walk order, by each visit's name byte: no list per name to
    // build, and no sort to merge the lists of several names.
    let mask = walked_mask(names);
    let order = (0..tree.visits.len()).filter(|&i| mask & (1 << tree.visit_name[i]) != 0);
    let mut stack: Vec<&Level<'a>> = Vec::new();
    let mut current = usize::MAX;
    for i in order {
        let (d, node) = (tree.visits[i], tree.visit_level[i] as usize);
        if node != current {
            stack.clear();
            let mut at = Some(node);
            while let Some(n) = at {
                stack.push(&tree.levels[n]);
                at = tree.parent[n].map(|p| p as usize);
            }
            stack.reverse();
            current = node;
        }
        visit(d, &stack);
    }
}

/// The walk of [`walk_http`], done once per check: every level (block with
/// includes expanded) and every visit in order, with its name as a byte.
/// Several rules walk the tree for a few names each; expanding it anew for
/// each, or stepping through every directive, was most of their time.
pub(crate) struct HttpTree<'a> {
    levels: Vec<Level<'a>>,
    /// Indices as u32 and the visits' two halves apart: half a million
    /// visits on a large config, 12 bytes each rather than 16.
    parent: Vec<Option<u32>>,
    /// The directives visited, in walk order, the level holding each, and
    /// which walked name each has (see [`walked_index`]).
    visits: Vec<&'a Directive>,
    visit_level: Vec<u32>,
    visit_name: Vec<u8>,
}

impl<'a> HttpTree<'a> {
    fn build(cfg: &'a Config) -> HttpTree<'a> {
        // Room for every directive once (more only when a file is included
        // from several places): growing by doubling copied each list and
        // touched fresh pages for every copy; room never used is never
        // touched, and shrinking gives it back.
        let directives: usize = cfg.files.iter().map(|f| f.directive_count).sum();
        let mut tree = HttpTree {
            levels: Vec::with_capacity(directives / 4),
            parent: Vec::with_capacity(directives / 4),
            visits: Vec::with_capacity(directives),
            visit_level: Vec::with_capacity(directives),
            visit_name: Vec::with_capacity(directives),
        };
        for root in &cfg.roots {
            let root_directives = Expanded::Spliced(cfg.root_directives(root));
            tree.add(cfg, None, root.context, root_directives, None, 0);
        }
        // Grown by pushing; kept for the whole check.
        tree.levels.shrink_to_fit();
        tree.parent.shrink_to_fit();
        tree.visits.shrink_to_fit();
        tree.visit_level.shrink_to_fit();
        tree.visit_name.shrink_to_fit();
        tree
    }

    fn add(
        &mut self,
        cfg: &'a Config,
        block: Option<&'a Directive>,
        context: Context,
        directives: Expanded<'a>,
        parent: Option<usize>,
        depth: usize,
    ) {
        let id = self.levels.len();
        // Its `set`s are filled in below, after the walk that also adds the
        // nested levels (after this one).
        self.levels.push(Level {
            block,
            context,
            sets: Box::default(),
        });
        self.parent.push(parent.map(|p| p as u32));
        let http = is_http_context(context);
        let walked_by_id = walked_by_id();
        let mut sets = Vec::new();
        for d in directives.iter() {
            // By the name's number: a table lookup, not a scan of WALKED
            // (this runs for every directive of the http block).
            let name = match d.name_id() {
                Some(id) => Some(walked_by_id[id.0 as usize]).filter(|&i| i != NOT_WALKED),
                None => walked_index(None, d.name()),
            };
            if d.is(ids::SET) {
                sets.push(d);
            }
            if let Some(name) = name.filter(|_| http) {
                self.visits.push(d);
                self.visit_level.push(id as u32);
                self.visit_name.push(name);
            }
            if d.block.is_none() || depth >= 64 {
                continue;
            }
            let child = context.child_of(d.name_id());
            if is_http_context(child) {
                self.add(
                    cfg,
                    Some(d),
                    child,
                    cfg.expanded(d.children()),
                    Some(id),
                    depth + 1,
                );
            }
        }
        self.levels[id].sets = sets.into();
    }
}

/// A location's modifier and path: `location ^~ /a` → (`^~`, `/a`);
/// nginx also accepts the modifier glued to the path (`location =/a`).
pub fn location_parts(d: &Directive) -> Option<(Option<&str>, Word<'_>)> {
    if !d.is(ids::LOCATION) {
        return None;
    }
    match d.arg_count() {
        2 => Some((d.arg(0), d.args().get(1)?)),
        1 => {
            let w = d.args().first()?;
            let glued = ["=", "^~", "~*", "~"]
                .into_iter()
                .find(|m| w.value.len() > m.len() && w.value.starts_with(m));
            Some((glued, w))
        }
        _ => None,
    }
}

/// The regex a block matches with when it can set captures:
/// `location ~ re`, `location ~* re`, `if ($var ~ re)`, `if ($var ~* re)`.
pub fn block_regex(d: &Directive) -> Option<&str> {
    match d.name_id()? {
        ids::LOCATION => {
            let (modifier, path) = location_parts(d)?;
            match modifier {
                Some(m @ ("~" | "~*")) if d.arg_count() == 1 => Some(&path.value[m.len()..]),
                Some("~" | "~*") => Some(path.value),
                _ => None,
            }
        }
        ids::IF => {
            // `if ($v ~ re)`, parentheses glued or apart, empty words
            // dropped. Without collecting: this runs for every `if` around
            // every header a rule looks at.
            let n = d.arg_count();
            let mut kept = d.args().iter().enumerate().filter_map(|(i, a)| {
                let mut v = a.value;
                if i == 0 {
                    v = v.strip_prefix('(').unwrap_or(v);
                }
                if i + 1 == n {
                    v = if v == ")" {
                        ""
                    } else {
                        v.strip_suffix(')').unwrap_or(v)
                    };
                }
                (!v.is_empty()).then_some(v)
            });
            match (kept.next(), kept.next(), kept.next(), kept.next()) {
                (Some(_), Some("~" | "~*"), Some(re), None) => Some(re),
                _ => None,
            }
        }
        _ => None,
    }
}

/// The innermost enclosing block whose regex sets `$1`…`$9` and named
/// captures, with that regex.
pub fn capturing_block<'a>(levels: &[&Level<'a>]) -> Option<(&'a Directive, &'a str)> {
    levels
        .iter()
        .rev()
        .filter_map(|l| l.block)
        .find_map(|b| block_regex(b).map(|re| (b, re)))
}

/// The span of `needle` inside a word as written (quotes and escapes
/// included), when it occurs there exactly once.
pub fn sub_span(cx: &Checker<'_>, word: Word<'_>, needle: &str) -> Option<Span> {
    let raw = cx.cfg.sources.get(word.span.file).text(word.span);
    let first = raw.find(needle)?;
    if raw[first + 1..].contains(needle) {
        return None;
    }
    let start = word.span.start as usize + first;
    Some(Span::new(word.span.file, start, start + needle.len()))
}

/// Whether the word's source text is its value plus the quotes (no escape
/// sequences), so offsets in the value map to offsets in the file.
pub fn written_verbatim(cx: &Checker<'_>, word: Word<'_>) -> bool {
    let raw = cx.cfg.sources.get(word.span.file).text(word.span);
    let inner = match word.quote {
        Quote::None => raw.as_str(),
        _ if raw.len() >= 2 => &raw[1..raw.len() - 1],
        _ => return false,
    };
    inner == word.value
}

/// Byte offset in the file where the word's value starts (after a quote).
pub fn value_start(word: Word<'_>) -> usize {
    word.span.start as usize + usize::from(word.quote != Quote::None)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::FileId;

    /// `block_regex` of the one block directive in `src`.
    fn regex_of(src: &str) -> Option<String> {
        let file = crate::syntax::parse(FileId(0), src.as_bytes());
        assert!(file.errors.is_empty(), "{src}: {:?}", file.errors);
        block_regex(&file.directives[0]).map(str::to_string)
    }

    #[test]
    fn block_regex_reads_if_and_location_as_nginx_writes_them() {
        let re = |s: &str| Some(s.to_string());
        assert_eq!(regex_of("if ($uri ~ ^/a(.*)$) {}"), re("^/a(.*)$"));
        assert_eq!(regex_of("if ( $uri ~* x ) {}"), re("x"));
        assert_eq!(regex_of("if ($uri ~ x ) {}"), re("x"));
        // Empty quoted words are dropped, wherever they are.
        assert_eq!(regex_of("if ( $v ~ re \"\" ) {}"), re("re"));
        assert_eq!(regex_of("if ($request_method !~ ^GET$) {}"), None);
        assert_eq!(regex_of("if ($a) {}"), None);
        assert_eq!(regex_of("if ($a = b) {}"), None);
        assert_eq!(regex_of("if ($a ~ b c) {}"), None);
        assert_eq!(regex_of("location ~ \\.php$ {}"), re("\\.php$"));
        assert_eq!(regex_of("location ~*\\.(js)$ {}"), re("\\.(js)$"));
        assert_eq!(regex_of("location /a {}"), None);
        assert_eq!(regex_of("location ^~ /a {}"), None);
    }
}
