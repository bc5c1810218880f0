//! gixy's own test configs for the checks PRX004 (`host_spoofing`) and
//! PRX005 (`ssrf`) mirror: every file gixy reports must be reported exactly
//! once, and none of its `_fp` files. The corpus (`../shared/corpus`, see
//! its MANIFEST.tsv) marks them `gixy:<check>:expect-finding|expect-none`.
//! Deliberate differences are written up in docs/gixy-comparison.md.

use std::path::PathBuf;

use crate::check::{check, CheckOptions};
use crate::config::{Context, LoadOptions};
use crate::rules::RuleOptions;

fn corpus() -> PathBuf {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus");
    assert!(
        p.join("MANIFEST.tsv").is_file(),
        "../shared/corpus is missing next to the checkout ({})",
        p.display()
    );
    p
}

/// (file, context, expect a finding) for one gixy check.
fn cases(check_name: &str) -> Vec<(PathBuf, Context, bool)> {
    let base = corpus();
    let manifest = std::fs::read_to_string(base.join("MANIFEST.tsv")).unwrap();
    let mut out = Vec::new();
    for line in manifest.lines().skip(1) {
        let cols: Vec<&str> = line.split('\t').collect();
        let (Some(file), Some(ctx), Some(note)) = (cols.first(), cols.get(5), cols.get(7)) else {
            continue;
        };
        let Some(rest) = note.strip_prefix(&format!("gixy:{check_name}:")) else {
            continue;
        };
        // The fragment is wrapped in the first context it is valid in.
        let context = ctx
            .split(',')
            .find_map(Context::parse)
            .unwrap_or(Context::Http);
        out.push((base.join(file), context, rest.starts_with("expect-finding")));
    }
    assert!(
        !out.is_empty(),
        "no gixy {check_name} cases in the manifest"
    );
    out
}

fn run(check_name: &str, code: &str) {
    let mut failures = Vec::new();
    for (path, context, expect) in cases(check_name) {
        let opts = CheckOptions {
            load: LoadOptions {
                prefix: None,
                context: Some(context),
            },
            rules: RuleOptions {
                detect_nginx_version: false,
                select: vec![code.to_string()],
                ..RuleOptions::default()
            },
            ..CheckOptions::default()
        };
        let report = check(std::slice::from_ref(&path), &opts);
        let n = report.diagnostics.iter().filter(|d| d.code == code).count();
        let want = usize::from(expect);
        if n != want {
            failures.push(format!(
                "{} ({context:?}): {code} reported {n} time(s), gixy expects {want}",
                path.display()
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn host_spoofing_matches_gixy() {
    run("host_spoofing", "PRX004");
}

#[test]
fn ssrf_matches_gixy() {
    run("ssrf", "PRX005");
}
