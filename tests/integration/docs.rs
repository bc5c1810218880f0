//! docs/rules/*.md are generated from the rules' doc comments; this test
//! fails when a page is stale or missing. `UPDATE_DOCS=1` rewrites them.

use nginx_audit::rules::{all_rules, docs};

use crate::util::root;

#[test]
fn rule_pages_are_current() {
    let dir = root().join("docs/rules");
    let update = std::env::var_os("UPDATE_DOCS").is_some();
    let mut expected: Vec<(String, String)> = all_rules()
        .iter()
        .map(|r| (format!("{}.md", r.meta().code), docs::page(r.meta())))
        .collect();
    expected.push(("README.md".into(), docs::index()));
    let mut stale = Vec::new();
    for (name, text) in &expected {
        let path = dir.join(name);
        if update {
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(&path, text).unwrap();
        } else if std::fs::read_to_string(&path).ok().as_deref() != Some(text.as_str()) {
            stale.push(name.clone());
        }
    }
    // Pages for codes that no longer exist are stale too.
    for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if !expected.iter().any(|(n, _)| *n == name) {
            stale.push(format!("{name} (no such rule)"));
        }
    }
    assert!(
        stale.is_empty(),
        "stale docs/rules pages (run UPDATE_DOCS=1 cargo test --test integration docs): {stale:?}"
    );
}

#[test]
fn every_page_links_nginx_docs_or_an_rfc() {
    for r in all_rules() {
        let m = r.meta();
        assert!(
            m.doc.contains("## References"),
            "{} has no References section",
            m.code
        );
    }
}
