//! All rules, in one table. A code is never reused: a retired rule keeps
//! its code (marked removed in its docs) so old suppressions stay meaningful.

use std::sync::OnceLock;

use super::{crt, hdr, key, live, prx, red, sec, sup, syn, tls, Rule};

pub fn all_rules() -> &'static [&'static dyn Rule] {
    static ALL: OnceLock<Vec<&'static dyn Rule>> = OnceLock::new();
    ALL.get_or_init(|| {
        let mut v: Vec<&'static dyn Rule> = Vec::new();
        v.extend(tls::rules());
        v.extend(crt::rules());
        v.extend(key::rules());
        v.extend(red::rules());
        v.extend(prx::rules());
        v.extend(hdr::rules());
        v.extend(sec::rules());
        v.extend(sup::rules());
        v.extend(syn::rules());
        v.extend(live::rules());
        v.sort_by_key(|r| r.meta().code);
        v
    })
}

pub fn find_rule(code: &str) -> Option<&'static dyn Rule> {
    all_rules()
        .iter()
        .copied()
        .find(|r| r.meta().code.eq_ignore_ascii_case(code))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_and_well_formed() {
        let rules = all_rules();
        for pair in rules.windows(2) {
            assert_ne!(pair[0].meta().code, pair[1].meta().code, "duplicate code");
        }
        for r in rules {
            let m = r.meta();
            assert_eq!(m.code.len(), 6, "{}", m.code);
            assert!(
                m.code[3..].chars().all(|c| c.is_ascii_digit()),
                "{}",
                m.code
            );
            assert!(m.doc.contains("## What it does"), "{} lacks docs", m.code);
            assert!(
                m.doc.contains("## Why is this bad?"),
                "{} lacks rationale",
                m.code
            );
        }
    }
}
