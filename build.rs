//! Lays out the directive-name table of `src/syntax/names.rs` from
//! `grammar/directives.tsv` at compile time: a static array of names, a
//! static open-addressing table of their numbers, and a constant per name.
//! Static, so naming a directive by number costs no lazy initialisation.

use std::fmt::Write as _;

include!("src/syntax/name_slot.rs");

fn main() {
    println!("cargo:rerun-if-changed=grammar/directives.tsv");
    println!("cargo:rerun-if-changed=src/syntax/name_slot.rs");
    let tsv = std::fs::read_to_string("grammar/directives.tsv").expect("grammar/directives.tsv");
    let mut names: Vec<&str> = Vec::new();
    let mut slots = vec![u16::MAX; SLOTS];
    for line in tsv.lines().skip(1) {
        let name = line.split('\t').next().unwrap_or("");
        let mut i = slot(name.as_bytes());
        while slots[i] != u16::MAX && names[slots[i] as usize] != name {
            i = (i + 1) & (SLOTS - 1);
        }
        if name.is_empty() || slots[i] != u16::MAX {
            continue;
        }
        assert!(names.len() < SLOTS / 4, "the name table is full");
        slots[i] = names.len() as u16;
        names.push(name);
    }
    let mut out = String::new();
    writeln!(out, "pub(crate) static NAMES: [&str; {}] = [", names.len()).unwrap();
    for n in &names {
        writeln!(out, "    {n:?},").unwrap();
    }
    writeln!(out, "];").unwrap();
    writeln!(out, "static TABLE: [u16; {SLOTS}] = {slots:?};").unwrap();
    writeln!(
        out,
        "/// One constant per known name, e.g. `ids::PROXY_PASS`."
    )
    .unwrap();
    writeln!(out, "pub mod ids {{\n    use super::NameId;").unwrap();
    for (i, n) in names.iter().enumerate() {
        // Names are identifiers already (a-z, 0-9, _).
        if n.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
            writeln!(
                out,
                "    pub const {}: NameId = NameId({i});",
                n.to_uppercase()
            )
            .unwrap();
        }
    }
    writeln!(out, "}}").unwrap();
    let path = std::path::Path::new(&std::env::var("OUT_DIR").unwrap()).join("names.rs");
    std::fs::write(path, out).expect("write names.rs");
}
