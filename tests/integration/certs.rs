//! Certificate and key material for rule fixtures, made once per test run
//! with the `openssl` CLI (and rcgen where openssl 3.0 cannot set dates).
//! Nothing secret is committed: every key is generated here, in a tempdir.
//!
//! Fixtures reference these files relative to the prefix, e.g.
//! `ssl_certificate certs/leaf.crt;`; the harness passes `--prefix` = [`dir`].

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use crate::util::require_tool;

/// The passphrase of the encrypted keys (also in `certs/guide.pass`).
pub const PASSPHRASE: &str = "correct horse battery staple";

/// The directory holding `certs/…`; made on first use.
pub fn dir() -> &'static Path {
    static DIR: OnceLock<tempfile::TempDir> = OnceLock::new();
    DIR.get_or_init(|| {
        let d = tempfile::tempdir().unwrap();
        make_all(&d.path().join("certs"));
        d
    })
    .path()
}

fn openssl(args: &[&str], cwd: &Path) {
    let bin = require_tool("openssl");
    let out = Command::new(bin)
        .args(args)
        .current_dir(cwd)
        .env("OPENSSL_CONF", "/dev/null")
        .output()
        .expect("run openssl");
    assert!(
        out.status.success(),
        "openssl {} failed: {}",
        args.join(" "),
        String::from_utf8_lossy(&out.stderr)
    );
}

fn chmod(path: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

/// A self-signed certificate with `subj`, optional SAN, days and key options.
fn self_signed(dir: &Path, name: &str, key_args: &[&str], extra: &[&str]) {
    let key = format!("{name}.key");
    let crt = format!("{name}.crt");
    let mut args = vec!["req", "-x509", "-newkey"];
    args.extend(key_args);
    args.extend([
        "-nodes",
        "-keyout",
        &key,
        "-out",
        &crt,
        "-subj",
        "/CN=localhost",
    ]);
    args.extend(extra);
    openssl(&args, dir);
    chmod(&dir.join(&key), 0o600);
}

fn make_all(dir: &Path) {
    std::fs::create_dir_all(dir).unwrap();
    let san = "subjectAltName=DNS:localhost,DNS:app.test,DNS:*.app.test,IP:127.0.0.1";

    // The guide's way: encrypted PKCS#8 key, CSR, self-signed x509 -req, no SAN.
    std::fs::write(dir.join("guide.pass"), format!("{PASSPHRASE}\n")).unwrap();
    chmod(&dir.join("guide.pass"), 0o600);
    openssl(
        &[
            "genpkey",
            "-algorithm",
            "RSA",
            "-pkeyopt",
            "rsa_keygen_bits:2048",
            "-aes256",
            "-pass",
            "file:guide.pass",
            "-out",
            "guide.key",
        ],
        dir,
    );
    chmod(&dir.join("guide.key"), 0o600);
    openssl(
        &[
            "req",
            "-new",
            "-key",
            "guide.key",
            "-passin",
            "file:guide.pass",
            "-subj",
            "/CN=localhost",
            "-out",
            "guide.csr",
        ],
        dir,
    );
    openssl(
        &[
            "x509",
            "-req",
            "-days",
            "365",
            "-in",
            "guide.csr",
            "-signkey",
            "guide.key",
            "-passin",
            "file:guide.pass",
            "-out",
            "guide.crt",
        ],
        dir,
    );

    // Self-signed with SAN (the corrected guide), and a plain copy without SAN.
    self_signed(dir, "san", &["rsa:2048"], &["-days", "365", "-addext", san]);
    self_signed(dir, "nosan", &["rsa:2048"], &["-days", "365"]);
    self_signed(
        dir,
        "rsa1024",
        &["rsa:1024"],
        &["-days", "365", "-addext", san],
    );
    self_signed(
        dir,
        "sha1",
        &["rsa:2048"],
        &["-days", "365", "-sha1", "-addext", san],
    );
    self_signed(
        dir,
        "long",
        &["rsa:2048"],
        &["-days", "3650", "-addext", san],
    );
    self_signed(
        dir,
        "expiring",
        &["rsa:2048"],
        &["-days", "10", "-addext", san],
    );
    self_signed(
        dir,
        "ec",
        &["ec", "-pkeyopt", "ec_paramgen_curve:P-256"],
        &["-days", "365", "-addext", san],
    );

    // A local CA and a leaf it signs: the healthy case (not self-signed).
    self_signed(
        dir,
        "ca",
        &["ec", "-pkeyopt", "ec_paramgen_curve:P-256"],
        &[
            "-days",
            "365",
            "-addext",
            "basicConstraints=critical,CA:TRUE",
        ],
    );
    openssl(
        &[
            "req",
            "-new",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-nodes",
            "-keyout",
            "leaf.key",
            "-subj",
            "/CN=app.test",
            "-out",
            "leaf.csr",
        ],
        dir,
    );
    std::fs::write(dir.join("leaf.ext"), format!("{san}\n")).unwrap();
    openssl(
        &[
            "x509",
            "-req",
            "-in",
            "leaf.csr",
            "-CA",
            "ca.crt",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-days",
            "365",
            "-extfile",
            "leaf.ext",
            "-out",
            "leaf.crt",
        ],
        dir,
    );
    chmod(&dir.join("leaf.key"), 0o600);
    // The full chain, as nginx wants it: leaf first.
    let chain = [
        std::fs::read(dir.join("leaf.crt")).unwrap(),
        std::fs::read(dir.join("ca.crt")).unwrap(),
    ]
    .concat();
    std::fs::write(dir.join("leaf-chain.crt"), chain).unwrap();

    // Keys with problems.
    std::fs::copy(dir.join("san.key"), dir.join("world-readable.key")).unwrap();
    chmod(&dir.join("world-readable.key"), 0o644);
    openssl(
        &[
            "rsa",
            "-in",
            "san.key",
            "-aes256",
            "-traditional",
            "-passout",
            "file:guide.pass",
            "-out",
            "legacy-encrypted.key",
        ],
        dir,
    );
    chmod(&dir.join("legacy-encrypted.key"), 0o600);
    std::fs::copy(dir.join("guide.pass"), dir.join("world-readable.pass")).unwrap();
    chmod(&dir.join("world-readable.pass"), 0o644);
    std::fs::write(dir.join("wrong.pass"), "not the passphrase\n").unwrap();
    chmod(&dir.join("wrong.pass"), 0o600);
    std::fs::write(dir.join("not-pem.crt"), "this is not a certificate\n").unwrap();

    // Dates openssl 3.0's CLI cannot set: expired and not yet valid.
    dated(dir, "expired", -400, -30);
    dated(dir, "notyet", 30, 400);

    // DH parameters (DSA-style generation is fast).
    openssl(&["dhparam", "-dsaparam", "-out", "dh1024.pem", "1024"], dir);
    openssl(&["dhparam", "-dsaparam", "-out", "dh2048.pem", "2048"], dir);
}

/// A self-signed ECDSA certificate valid from `from` to `to` days from now.
fn dated(dir: &Path, name: &str, from: i64, to: i64) {
    let key = rcgen::KeyPair::generate().unwrap();
    let mut params =
        rcgen::CertificateParams::new(vec!["localhost".into(), "app.test".into()]).unwrap();
    let now = ::time::OffsetDateTime::now_utc();
    params.not_before = now + ::time::Duration::days(from);
    params.not_after = now + ::time::Duration::days(to);
    params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "localhost");
    let cert = params.self_signed(&key).unwrap();
    std::fs::write(dir.join(format!("{name}.crt")), cert.pem()).unwrap();
    let key_path: PathBuf = dir.join(format!("{name}.key"));
    std::fs::write(&key_path, key.serialize_pem()).unwrap();
    chmod(&key_path, 0o600);
}
