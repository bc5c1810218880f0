//! Lays out the directive-name table of `src/syntax/names.rs` from
//! `grammar/directives.tsv` at compile time: a static array of names, a
//! static open-addressing table of their numbers, a constant per name, and
//! where each name's rows start in the TSV (`config::directives` reads a
//! name's rows when first asked). Static, so naming a directive by number
//! costs no lazy initialisation.

use std::fmt::Write as _;

include!("src/syntax/name_slot.rs");

fn main() {
    println!("cargo:rerun-if-changed=grammar/directives.tsv");
    println!("cargo:rerun-if-changed=src/syntax/name_slot.rs");
    let tsv = std::fs::read_to_string("grammar/directives.tsv").expect("grammar/directives.tsv");
    let mut names: Vec<&str> = Vec::new();
    // Where each name's rows start in the TSV, by the name's number.
    let mut rows: Vec<Vec<usize>> = Vec::new();
    let mut slots = vec![u16::MAX; SLOTS];
    let mut at = 0;
    for (n, line) in tsv.split_inclusive('\n').enumerate() {
        let start = at;
        at += line.len();
        if n == 0 {
            continue; // the header
        }
        let row = line.trim_end_matches(['\n', '\r']);
        let name = row.split('\t').next().unwrap_or("");
        if name.is_empty() {
            continue;
        }
        let mut i = slot(name.as_bytes());
        while slots[i] != u16::MAX && names[slots[i] as usize] != name {
            i = (i + 1) & (SLOTS - 1);
        }
        if slots[i] == u16::MAX {
            assert!(names.len() < SLOTS / 4, "the name table is full");
            slots[i] = names.len() as u16;
            names.push(name);
            rows.push(Vec::new());
        }
        // A row without its arity column says nothing to check against.
        if row.split('\t').count() >= 4 {
            rows[slots[i] as usize].push(start);
        }
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
        "pub(crate) static ROW_STARTS: [&[u32]; {}] = [",
        rows.len()
    )
    .unwrap();
    for r in &rows {
        writeln!(out, "    &{r:?},").unwrap();
    }
    writeln!(out, "];").unwrap();
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
