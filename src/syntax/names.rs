//! The directive names nginx knows, as small integers.
//!
//! The parser looks each directive's name up once and keeps its number: a
//! large config has a million directives, and a number is 2 bytes where an
//! inline name was 40. Validation then finds the directive's table rows by
//! number, without hashing the name again. Names nginx does not know (typos,
//! third-party modules, the keys of `map` and `types` blocks) keep their text
//! in the directive itself ([`super::Directive::name`]).
//!
//! `build.rs` lays the table out from `grammar/directives.tsv` at compile
//! time: `NAMES` in table order, an open-addressing table of their numbers
//! keyed by `name_slot::slot`, a constant per name in [`ids`], and
//! `ROW_STARTS`, the byte offset of each of a name's rows in the TSV.

/// The directive table (`grammar/directives.tsv`), embedded in the binary;
/// [`crate::config::directives`] reads its other columns.
pub(crate) const DIRECTIVES_TSV: &str = include_str!("../../grammar/directives.tsv");

#[path = "name_slot.rs"]
mod name_slot;
use name_slot::{slot, SLOTS};

/// A known directive name: its position among the table's distinct names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct NameId(pub u16);

include!(concat!(env!("OUT_DIR"), "/names.rs"));

impl NameId {
    /// The number of a name the table knows.
    pub fn of(name: &str) -> Option<NameId> {
        let mut i = slot(name.as_bytes());
        loop {
            let id = TABLE[i];
            if id == u16::MAX {
                return None;
            }
            if same_bytes(NAMES[id as usize].as_bytes(), name.as_bytes()) {
                return Some(NameId(id));
            }
            i = (i + 1) & (SLOTS - 1);
        }
    }

    pub fn as_str(self) -> &'static str {
        NAMES[self.0 as usize]
    }

    /// How many names the table knows (ids are `0..count()`).
    pub fn count() -> usize {
        NAMES.len()
    }
}

/// `a == b`, inline: a name is 2 to 40 bytes, and for these a call to
/// `memcmp` cost more than the comparing (this runs for every directive
/// the parser reads). Eight bytes at a time, the last eight overlapping.
#[inline]
fn same_bytes(a: &[u8], b: &[u8]) -> bool {
    let n = a.len();
    if n != b.len() {
        return false;
    }
    if n < 8 {
        return a.iter().zip(b).all(|(x, y)| x == y);
    }
    let word =
        |s: &[u8], at: usize| u64::from_ne_bytes(s[at..at + 8].try_into().expect("eight bytes"));
    let mut at = 0;
    while at + 8 < n {
        if word(a, at) != word(b, at) {
            return false;
        }
        at += 8;
    }
    word(a, n - 8) == word(b, n - 8)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_bytes_is_equality_at_every_length_and_position() {
        for n in 0..40usize {
            let a: Vec<u8> = (0..n as u8).map(|i| b'a' + i % 26).collect();
            assert!(same_bytes(&a, &a.clone()), "{n}");
            for at in 0..n {
                let mut b = a.clone();
                b[at] ^= 0x20;
                assert!(!same_bytes(&a, &b), "{n} bytes, differing at {at}");
            }
            let mut longer = a.clone();
            longer.push(b'a');
            assert!(!same_bytes(&a, &longer) && !same_bytes(&longer, &a), "{n}");
        }
    }

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
        assert_eq!(ids::SERVER_NAME.as_str(), "server_name");
        assert_eq!(NameId::of("proxy_pass"), Some(ids::PROXY_PASS));
        assert_eq!(NameId::of("nosuch"), None);
        assert_eq!(NameId::of(""), None);
        // Case matters: nginx compares names byte for byte.
        assert_eq!(NameId::of("Server_Name"), None);
        assert_eq!(NameId::of("server_nam"), None);
        assert_eq!(NameId::of("server_namex"), None);
    }

    #[test]
    fn probes_stay_short() {
        // The hash reads five bytes: check no pile-up makes lookups slow.
        let longest = NAMES
            .iter()
            .map(|n| {
                let mut i = slot(n.as_bytes());
                let mut steps = 1;
                while NAMES[TABLE[i] as usize] != *n {
                    i = (i + 1) & (SLOTS - 1);
                    steps += 1;
                }
                steps
            })
            .max()
            .unwrap();
        assert!(longest <= 8, "a name takes {longest} probes");
    }
}
