//! The directive names nginx knows, as small integers.
//!
//! The parser looks each directive's name up once and keeps its number: a
//! large config has a million directives, and a number is 2 bytes where an
//! inline name was 40. Validation then finds the directive's table rows by
//! number, without hashing the name again. Names nginx does not know (typos,
//! third-party modules, the keys of `map` and `types` blocks) keep their text
//! in the directive itself ([`super::Directive::name`]).

use rustc_hash::FxHashMap;
use std::sync::OnceLock;

/// The directive table (`grammar/directives.tsv`), embedded in the binary;
/// [`crate::config::directives`] reads its other columns.
pub(crate) const DIRECTIVES_TSV: &str = include_str!("../../grammar/directives.tsv");

/// A known directive name: its position among the table's distinct names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct NameId(pub u16);

struct KnownNames {
    names: Vec<&'static str>,
    ids: FxHashMap<&'static str, NameId>,
}

fn known() -> &'static KnownNames {
    static KNOWN: OnceLock<KnownNames> = OnceLock::new();
    KNOWN.get_or_init(|| {
        let mut names = Vec::new();
        let mut ids = FxHashMap::default();
        for line in DIRECTIVES_TSV.lines().skip(1) {
            let name = line.split('\t').next().unwrap_or("");
            if name.is_empty() || ids.contains_key(name) {
                continue;
            }
            let id = NameId(u16::try_from(names.len()).expect("under 65,536 directive names"));
            ids.insert(name, id);
            names.push(name);
        }
        KnownNames { names, ids }
    })
}

impl NameId {
    /// The number of a name the table knows.
    pub fn of(name: &str) -> Option<NameId> {
        known().ids.get(name).copied()
    }

    pub fn as_str(self) -> &'static str {
        known().names[self.0 as usize]
    }

    /// How many names the table knows (ids are `0..count()`).
    pub fn count() -> usize {
        known().names.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_table_name_has_a_number_and_back() {
        let distinct: std::collections::BTreeSet<&str> = DIRECTIVES_TSV
            .lines()
            .skip(1)
            .filter_map(|l| l.split('\t').next())
            .collect();
        // 1,029 rows, of which 140 repeat a name in another module's context.
        assert_eq!(NameId::count(), distinct.len());
        assert!(NameId::count() > 800);
        for name in distinct {
            assert_eq!(NameId::of(name).unwrap().as_str(), name);
        }
        assert_eq!(NameId::of("server_name").unwrap().as_str(), "server_name");
        assert_eq!(NameId::of("nosuch"), None);
        assert_eq!(NameId::of(""), None);
        // Case matters: nginx compares names byte for byte.
        assert_eq!(NameId::of("Server_Name"), None);
    }
}
