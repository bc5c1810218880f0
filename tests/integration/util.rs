//! Shared test helpers: paths and running the real binary.

#![allow(dead_code)]

use std::path::PathBuf;

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The project's `shared/` folder sits beside the checkout (as in CI).
pub fn shared() -> PathBuf {
    let p = root().join("../shared");
    assert!(
        p.join("corpus/MANIFEST.tsv").is_file(),
        "../shared/corpus is missing next to the checkout ({}): the corpus tests need it",
        p.display()
    );
    p
}

pub fn bin() -> assert_cmd::Command {
    let mut cmd = assert_cmd::Command::cargo_bin("nginx-audit").unwrap();
    // Not a TTY, so no colour; NO_COLOR makes sure of it without adding
    // flags that would stop clap from seeing a subcommand.
    cmd.env("NO_COLOR", "1");
    cmd
}

/// Fail (never skip) when an external tool the suite needs is missing.
pub fn require_tool(name: &str) -> PathBuf {
    for dir in std::env::var("PATH")
        .unwrap_or_default()
        .split(':')
        .chain(["/usr/sbin", "/sbin"])
    {
        let p = PathBuf::from(dir).join(name);
        if p.is_file() {
            return p;
        }
    }
    panic!("`{name}` is not installed; .ci/run installs it (apt-get install nginx openssl)");
}

/// A certificate file's SHA-256 fingerprint as `openssl x509 -fingerprint`
/// prints it, lowercased and without colons: the oracle for the probe's own.
pub fn openssl_sha256(cert: &std::path::Path) -> String {
    let out = std::process::Command::new(require_tool("openssl"))
        .args(["x509", "-noout", "-fingerprint", "-sha256", "-in"])
        .arg(cert)
        .output()
        .unwrap();
    assert!(out.status.success(), "openssl x509 failed on {cert:?}");
    String::from_utf8(out.stdout)
        .unwrap()
        .trim()
        .rsplit('=')
        .next()
        .unwrap()
        .replace(':', "")
        .to_ascii_lowercase()
}
