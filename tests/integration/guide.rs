//! The hardening guide's own example (fixtures/guide), with its certificate
//! made the guide's way, must report exactly the guide's real defects.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::util::{bin, require_tool, root};

/// A throwaway copy of fixtures/guide with a certificate made by make-cert.sh.
fn guide_copy(make_cert_args: &[&str]) -> (tempfile::TempDir, PathBuf) {
    require_tool("openssl");
    let tmp = tempfile::tempdir().unwrap();
    let dst = tmp.path().join("guide");
    let status = Command::new("cp")
        .arg("-a")
        .arg(root().join("fixtures/guide"))
        .arg(&dst)
        .status()
        .unwrap();
    assert!(status.success());
    let _ = std::fs::remove_dir_all(dst.join("ssl"));
    let out = Command::new("bash")
        .arg(dst.join("make-cert.sh"))
        .args(make_cert_args)
        .arg(dst.join("ssl"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "make-cert.sh: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    (tmp, dst)
}

fn findings(dir: &Path, extra: &[&str]) -> Vec<(String, String)> {
    let out = bin()
        .args(["--format", "json", "--nginx-version", "1.22.1"])
        .args(extra)
        .arg(dir)
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "bad JSON ({e}): {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    let mut f: Vec<(String, String)> = v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["code"].as_str().unwrap().to_string(),
                d["severity"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    f.sort();
    f
}

fn pairs(v: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut p: Vec<_> = v
        .iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect();
    p.sort();
    p
}

#[test]
fn the_guide_as_written_reports_exactly_its_defects() {
    let (_tmp, dir) = guide_copy(&[]);
    assert_eq!(
        findings(&dir, &[]),
        pairs(&[
            ("CRT005", "warning"), // no subjectAltName
            ("CRT010", "info"),    // self-signed
            ("HDR001", "info"),    // no HSTS; info because the cert is self-signed
            ("KEY002", "error"),   // encrypted key, no ssl_password_file
        ])
    );
}

#[test]
fn the_corrected_guide_reports_nothing_at_warning_level() {
    let (_tmp, dir) = guide_copy(&["--san", "--plain-key"]);
    let f = findings(&dir, &[]);
    assert!(f.iter().all(|(_, sev)| sev == "info"), "{f:?}");
    bin()
        .arg(&dir)
        .args(["--nginx-version", "1.22.1"])
        .assert()
        .code(0);
}

#[test]
fn a_password_file_also_corrects_the_guide() {
    let (_tmp, dir) = guide_copy(&["--san"]);
    let site = dir.join("sites-available/flask_app");
    let text = std::fs::read_to_string(&site).unwrap();
    let fixed = text.replace(
        "    ssl_certificate_key ssl/flask_app.key;\n",
        "    ssl_certificate_key ssl/flask_app.key;\n    ssl_password_file ssl/flask_app.pass;\n",
    );
    assert_ne!(text, fixed);
    std::fs::write(&site, fixed).unwrap();
    let f = findings(&dir, &[]);
    assert!(f.iter().all(|(_, sev)| sev == "info"), "{f:?}");
}
