//! Rule fixtures: `fixtures/rules/<CODE>/bad/*.conf` must report what their
//! hand-written `# expect: CODE[,CODE…]` line says; `good/*.conf` must not
//! report CODE and must be valid nginx. Each fixture's rendered output is an
//! insta snapshot (reviewed, never blindly accepted).
//!
//! Optional header lines: `# profile: intermediate`, `# nginx-version: 1.22.1`,
//! `# context: server`, `# prefix: here` (relative paths resolve in the
//! fixture's own folder instead). Certificates are referenced as `certs/NAME` and
//! resolve against the generated material in [`crate::certs::dir`].

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use nginx_audit::check::{check, CheckOptions, Report};
use nginx_audit::config::{Context, LoadOptions};
use nginx_audit::rules::live::is_live;
use nginx_audit::rules::{all_rules, is_known_code, Profile, RuleOptions};

use crate::certs;
use crate::util::root;

/// The nginx version fixtures are judged against unless they say otherwise.
const DEFAULT_VERSION: &str = "1.22.1";

#[derive(Debug)]
pub struct Fixture {
    pub path: PathBuf,
    pub code: String,
    pub bad: bool,
    pub expect: Vec<String>,
    pub profile: Profile,
    pub nginx_version: String,
    pub context: Option<Context>,
    /// `# prefix: here` resolves relative paths against the fixture's folder.
    pub prefix_here: bool,
}

fn header<'a>(text: &'a str, key: &str) -> Option<&'a str> {
    text.lines()
        .take_while(|l| l.starts_with('#'))
        .find_map(|l| {
            l.strip_prefix('#')
                .map(str::trim)
                .and_then(|l| l.strip_prefix(key))
        })
        .map(str::trim)
}

pub fn fixtures() -> Vec<Fixture> {
    let mut out = Vec::new();
    let base = root().join("fixtures/rules");
    let mut codes: Vec<_> = std::fs::read_dir(&base)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    codes.sort();
    for code_dir in codes {
        let code = code_dir.file_name().unwrap().to_string_lossy().into_owned();
        for kind in ["bad", "good"] {
            let Ok(entries) = std::fs::read_dir(code_dir.join(kind)) else {
                continue;
            };
            let mut files: Vec<_> = entries
                .map(|e| e.unwrap().path())
                .filter(|p| p.extension().is_some_and(|e| e == "conf"))
                .collect();
            files.sort();
            for path in files {
                let text = std::fs::read_to_string(&path).unwrap();
                let expect = header(&text, "expect:")
                    .map(|l| {
                        l.split(',')
                            .map(|c| c.trim().to_string())
                            .filter(|c| !c.is_empty())
                            .collect()
                    })
                    .unwrap_or_default();
                let profile = match header(&text, "profile:") {
                    Some("intermediate") => Profile::Intermediate,
                    Some("modern") => Profile::Modern,
                    Some("guide") | None => Profile::Guide,
                    Some(p) => panic!("{}: unknown profile {p}", path.display()),
                };
                out.push(Fixture {
                    code: code.clone(),
                    bad: kind == "bad",
                    expect,
                    profile,
                    nginx_version: header(&text, "nginx-version:")
                        .unwrap_or(DEFAULT_VERSION)
                        .to_string(),
                    prefix_here: header(&text, "prefix:") == Some("here"),
                    context: header(&text, "context:")
                        .map(|c| Context::parse(c).unwrap_or_else(|| panic!("bad context {c}"))),
                    path: path.strip_prefix(root()).unwrap().to_path_buf(),
                });
            }
        }
    }
    out
}

pub fn run(f: &Fixture) -> Report {
    let opts = CheckOptions {
        load: LoadOptions {
            prefix: Some(if f.prefix_here {
                root().join(&f.path).parent().unwrap().to_path_buf()
            } else {
                certs::dir().to_path_buf()
            }),
            context: f.context,
        },
        profile: f.profile,
        rules: RuleOptions {
            nginx_version: Some(f.nginx_version.parse().unwrap()),
            detect_nginx_version: false,
            ..RuleOptions::default()
        },
        ..CheckOptions::default()
    };
    check(&[root().join(&f.path)], &opts)
}

/// Rendered text, with machine-specific paths replaced.
pub fn render(report: &Report) -> String {
    colored::control::set_override(false);
    let mut buf = Vec::new();
    nginx_audit::render::text::render(report, &mut buf).unwrap();
    let text = String::from_utf8(buf).unwrap();
    let text = text
        .replace(&certs::dir().display().to_string(), "[PREFIX]")
        .replace(&root().display().to_string(), "[ROOT]");
    day_counts_masked(&text)
}

/// Certificates are made relative to "now" a few seconds before the check,
/// so a count like "in 30 days" can round to 29 from one run to the next:
/// snapshots show `N days` (the day arithmetic has its own unit tests).
fn day_counts_masked(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find(" day") {
        let (head, tail) = rest.split_at(i);
        let digits = head.len() - head.trim_end_matches(|c: char| c.is_ascii_digit()).len();
        if digits > 0 {
            out.push_str(&head[..head.len() - digits]);
            out.push('N');
        } else {
            out.push_str(head);
        }
        out.push_str(" day");
        rest = &tail[" day".len()..];
    }
    out.push_str(rest);
    out
}

fn counts<'a>(codes: impl Iterator<Item = &'a str>) -> BTreeMap<String, usize> {
    let mut m = BTreeMap::new();
    for c in codes {
        *m.entry(c.to_string()).or_insert(0) += 1;
    }
    m
}

#[test]
fn every_fixture_reports_what_it_expects() {
    let mut failures = Vec::new();
    for f in fixtures() {
        let report = run(&f);
        let reported: Vec<&str> = report.diagnostics.iter().map(|d| d.code).collect();
        let syn: Vec<_> = reported.iter().filter(|c| c.starts_with("SYN")).collect();
        if !syn.is_empty() && !f.expect.iter().any(|e| e.starts_with("SYN")) {
            failures.push(format!(
                "{}: not valid nginx: {syn:?}\n{}",
                f.path.display(),
                render(&report)
            ));
            continue;
        }
        if f.bad {
            // Every code the expect line names must be reported exactly as often.
            let want = counts(f.expect.iter().map(String::as_str));
            let got = counts(
                reported
                    .iter()
                    .copied()
                    .filter(|c| want.contains_key(*c) || *c == f.code),
            );
            if want != got {
                failures.push(format!(
                    "{}: expected {want:?}, got {got:?}\n{}",
                    f.path.display(),
                    render(&report)
                ));
            }
        } else if reported.contains(&f.code.as_str()) {
            failures.push(format!(
                "{}: good fixture reports {}\n{}",
                f.path.display(),
                f.code,
                render(&report)
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} fixture(s) failed:\n\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn fixture_output_snapshots() {
    for f in fixtures() {
        let name = f
            .path
            .to_string_lossy()
            .replace("fixtures/rules/", "")
            .replace(['/', '.'], "_");
        let text = render(&run(&f));
        insta::with_settings!({ snapshot_path => "snapshots/rules", prepend_module_to_snapshot => false, omit_expression => true }, {
            insta::assert_snapshot!(name, text);
        });
    }
}

#[test]
fn every_rule_has_bad_and_good_fixtures_and_every_folder_a_rule() {
    let fx = fixtures();
    let mut missing = Vec::new();
    for r in all_rules() {
        let code = r.meta().code;
        // Live codes cannot come from a static config: tests/integration/probe.rs
        // requires each to appear in a probe or verify test instead.
        if is_live(code) {
            continue;
        }
        if !fx.iter().any(|f| f.code == code && f.bad) {
            missing.push(format!("{code}: no bad fixture"));
        }
        if !fx.iter().any(|f| f.code == code && !f.bad) {
            missing.push(format!("{code}: no good fixture"));
        }
    }
    for f in &fx {
        if !is_known_code(&f.code) {
            missing.push(format!(
                "{}: folder names no registered rule",
                f.path.display()
            ));
        }
        if f.bad && !f.expect.contains(&f.code) {
            missing.push(format!(
                "{}: bad fixture without `# expect: {}`",
                f.path.display(),
                f.code
            ));
        }
    }
    assert!(missing.is_empty(), "{}", missing.join("\n"));
}

/// Fixture paths are relative to the project root; keep them so.
#[test]
fn fixtures_live_under_the_project() {
    assert!(Path::new(&root().join("fixtures/rules")).is_dir());
}
