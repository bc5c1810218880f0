//! Any bytes: the lexer and parser never panic, the token printer gives the
//! input back, an error-free parse prints back from its tree, and the whole
//! `check` pipeline (includes, validation, site model, rules, rendering) on
//! the bytes as a file never panics.

#![no_main]

use std::path::PathBuf;
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use nginx_audit::check::{check, CheckOptions};
use nginx_audit::config::LoadOptions;
use nginx_audit::render::{render, Format};
use nginx_audit::source::FileId;
use nginx_audit::syntax::{parse, print_tokens, print_tree};

/// One scratch directory per fuzzing process; relative includes resolve in it.
fn scratch() -> &'static PathBuf {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| tempfile::tempdir().unwrap().keep())
}

fuzz_target!(|data: &[u8]| {
    let parsed = parse(FileId(0), data);
    assert_eq!(print_tokens(data), data, "print_tokens is not the identity");
    let tree = print_tree(&parsed, data);
    if parsed.errors.is_empty() {
        assert_eq!(
            tree.as_deref(),
            Some(data),
            "error-free parse does not print back"
        );
    }

    let dir = scratch();
    let path = dir.join("fuzz.conf");
    std::fs::write(&path, data).unwrap();
    let opts = CheckOptions {
        load: LoadOptions {
            prefix: Some(dir.clone()),
            ..LoadOptions::default()
        },
        ..CheckOptions::default()
    };
    let report = check(&[path], &opts);
    render(&report, Format::Text, &mut std::io::sink()).unwrap();
});
