//! gixy's own test configs, judged by the rules that share a check with it.
//!
//! `../shared/corpus` holds the plugin test files of yandex/gixy and of its
//! maintained fork dvershinin/gixy. gixy's convention: `<check>/*.conf` must
//! be reported, `*_fp.conf` must not (the MANIFEST `note` column says which).
//! For every check we share, each file must get our code at least once when
//! gixy expects a finding, and never when gixy expects none — except the
//! deliberate differences listed below, each with its reason. The list is
//! mirrored in `docs/gixy-comparison.md`; an entry that starts agreeing, or
//! that the document does not mention, fails the test.

use std::collections::BTreeMap;
use std::path::PathBuf;

use nginx_audit::check::{check, CheckOptions};
use nginx_audit::config::{Context, LoadOptions};
use nginx_audit::rules::RuleOptions;

use crate::util::{root, shared};

/// gixy check → our code.
const SHARED: &[(&str, &str)] = &[
    ("add_header_redefinition", "HDR004"),
    ("host_spoofing", "PRX004"),
    ("ssrf", "PRX005"),
    ("alias_traversal", "SEC001"),
    ("valid_referers", "SEC002"),
    ("http_splitting", "SEC003"),
    ("add_header_multiline", "HDR006"),
    ("version_disclosure", "HDR005"),
];

/// Files (below `shared/corpus`) where we deliberately disagree with gixy.
const DIFFERENCES: &[(&str, &str)] = &[
    (
        "yandex__gixy/tests/plugins/simply/add_header_redefinition/not_secure_both_fp.conf",
        "yandex/gixy only reports dropped headers from a fixed security list; the file drops \
         X-Bar, which we report at info severity (warning only for security headers), as \
         dvershinin/gixy does with its identical not_secure_dropped.conf",
    ),
    (
        "yandex__gixy/tests/plugins/simply/add_header_redefinition/not_secure_outer_fp.conf",
        "same as not_secure_both_fp.conf: the location drops X-Bar, reported at info severity \
         (dvershinin/gixy reports its identical not_secure_outer.conf)",
    ),
    (
        "yandex__gixy/tests/plugins/simply/alias_traversal/not_slashed_alias.conf",
        "`location /files { alias /home; }` has no `..` step (/files../x maps to /home../x, a \
         sibling name); SEC001 reports only an alias ending in `/`, the traversal, since the \
         unslashed form is common and intended for single files (gixy: low severity)",
    ),
    (
        "dvershinin__gixy/tests/plugins/simply/alias_traversal/not_slashed_alias.conf",
        "as yandex__gixy's not_slashed_alias.conf: no `..` escape without a slash on the alias",
    ),
];

struct Case {
    file: String,
    check: String,
    code: &'static str,
    expect_finding: bool,
    context: Context,
}

/// The manifest rows of the shared checks.
fn cases() -> Vec<Case> {
    let manifest = std::fs::read_to_string(shared().join("corpus/MANIFEST.tsv")).unwrap();
    let mut out = Vec::new();
    for line in manifest.lines().skip(1) {
        let cols: Vec<&str> = line.split('\t').collect();
        let (file, ctx_guess, note) = (cols[0], cols[5], cols[7]);
        let mut parts = note.split(':');
        if parts.next() != Some("gixy") {
            continue;
        }
        let check = parts.next().unwrap_or("");
        let Some(&(_, code)) = SHARED.iter().find(|(c, _)| *c == check) else {
            continue;
        };
        let verdict = parts.next().unwrap_or("");
        out.push(Case {
            file: file.to_string(),
            check: check.to_string(),
            code,
            expect_finding: verdict.starts_with("expect-finding"),
            context: context(ctx_guess),
        });
    }
    out
}

/// The context to lint a fragment in: the widest http-module one it allows
/// (so there is a server or location around it), http when unknown.
fn context(ctx_guess: &str) -> Context {
    let allowed: Vec<&str> = ctx_guess.split(',').collect();
    ["http", "server", "main", "location", "if-in-location"]
        .into_iter()
        .find(|c| allowed.contains(c))
        .and_then(Context::parse)
        .unwrap_or(Context::Http)
}

fn reports(case: &Case) -> usize {
    let path: PathBuf = shared().join("corpus").join(&case.file);
    let opts = CheckOptions {
        load: LoadOptions {
            context: Some(case.context),
            prefix: None,
        },
        rules: RuleOptions {
            nginx_version: Some("1.22.1".parse().unwrap()),
            detect_nginx_version: false,
            ..Default::default()
        },
        ..Default::default()
    };
    check(&[path], &opts)
        .diagnostics
        .iter()
        .filter(|d| d.code == case.code)
        .count()
}

#[test]
fn shared_checks_agree_with_gixy() {
    let cases = cases();
    assert!(
        cases.len() > 100,
        "only {} gixy cases found in the manifest",
        cases.len()
    );
    let mut failures = Vec::new();
    // check → (files, agree, deliberate differences)
    let mut tally: BTreeMap<&str, (usize, usize, usize)> = BTreeMap::new();
    for case in &cases {
        let n = reports(case);
        let agrees = (n > 0) == case.expect_finding;
        let deliberate = DIFFERENCES.iter().any(|(f, _)| *f == case.file);
        let t = tally.entry(case.code).or_default();
        t.0 += 1;
        match (agrees, deliberate) {
            (true, false) => t.1 += 1,
            (false, true) => t.2 += 1,
            (false, false) => failures.push(format!(
                "{} ({} → {}): gixy expects {}, we report {} {n} time(s)",
                case.file,
                case.check,
                case.code,
                if case.expect_finding {
                    "a finding"
                } else {
                    "none"
                },
                case.code
            )),
            (true, true) => failures.push(format!(
                "{}: listed as a deliberate difference but agrees with gixy now; remove it",
                case.file
            )),
        }
    }
    for (file, _) in DIFFERENCES {
        if !cases.iter().any(|c| c.file == *file) {
            failures.push(format!(
                "{file}: listed as a difference but not a gixy case"
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} disagreement(s) with gixy:\n{}\n\ntally (files, agree, deliberate): {tally:?}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn differences_are_documented() {
    let doc = std::fs::read_to_string(root().join("docs/gixy-comparison.md"))
        .expect("docs/gixy-comparison.md");
    for (file, reason) in DIFFERENCES {
        assert!(!reason.is_empty());
        assert!(
            doc.contains(file),
            "docs/gixy-comparison.md does not mention the deliberate difference {file}"
        );
    }
}
