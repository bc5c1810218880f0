//! `verify` against a real nginx whose files changed after it started: the
//! config on disk says one thing, the running server serves another, and the
//! findings point at the config lines that disagree.

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use serde_json::Value;

use crate::servers::{test_cert, NginxServer};
use crate::util::{bin, openssl_sha256, require_tool};

/// `verify --format json` on `conf`; exit code and diagnostics.
fn verify(conf: &Path, extra: &[&str]) -> (i32, Vec<Value>) {
    let (code, json) = verify_json(conf, extra);
    (code, json["diagnostics"].as_array().unwrap().clone())
}

/// The whole JSON report (diagnostics and endpoints) and the exit code.
fn verify_json(conf: &Path, extra: &[&str]) -> (i32, Value) {
    let out = bin()
        .args([
            "verify",
            "--format",
            "json",
            "--no-config",
            "--nginx-version",
            "1.22.1",
        ])
        .args(["--timeout", "2s", "--expiry-days", "1"])
        .args(extra)
        .arg(conf)
        .timeout(Duration::from_secs(120))
        .output()
        .unwrap();
    let json: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (out.status.code().unwrap(), json)
}

fn with_code<'a>(diags: &'a [Value], code: &str) -> Vec<&'a Value> {
    diags.iter().filter(|d| d["code"] == code).collect()
}

/// 1-based line of the first line containing `needle`.
fn line_of(conf: &Path, needle: &str) -> u64 {
    let text = std::fs::read_to_string(conf).unwrap();
    text.lines()
        .position(|l| l.contains(needle))
        .unwrap_or_else(|| panic!("{needle} not in {}", conf.display())) as u64
        + 1
}

fn make_cert(dir: &Path, cn: &str) {
    let out = Command::new(require_tool("openssl"))
        .args([
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "30",
        ])
        .args([
            "-subj",
            &format!("/CN={cn}"),
            "-addext",
            "subjectAltName=DNS:localhost",
        ])
        .arg("-keyout")
        .arg(dir.join("key.pem"))
        .arg("-out")
        .arg(dir.join("cert.pem"))
        .env("OPENSSL_CONF", "/dev/null")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

const SITE: &str = "
server {
    listen 127.0.0.1:{PORT} ssl;
    server_name localhost;
    ssl_certificate CERTDIR/cert.pem;
    ssl_certificate_key CERTDIR/key.pem;
    ssl_protocols TLSv1.2 TLSv1.3;
    ssl_prefer_server_ciphers on;
    add_header Strict-Transport-Security \"max-age=31536000\" always;
    return 200 ok;
}
server {
    listen 127.0.0.1:{HTTP_PORT};
    server_name localhost;
    return 301 https://$host:{PORT}$request_uri;
}";

#[test]
fn replaced_certificate_without_reload_is_crt105() {
    let certs = tempfile::tempdir().unwrap();
    make_cert(certs.path(), "first");
    let body = SITE.replace("CERTDIR", &certs.path().display().to_string());
    let nginx = NginxServer::start(&body, &[]);
    let conf = nginx.conf_path();
    let ca = certs.path().join("cert.pem").display().to_string();

    // In sync: no live finding tied to the config, the redirect works.
    let (_, diags) = verify(&conf, &["--ca", &ca]);
    let live: Vec<&Value> = diags.iter().filter(|d| !d["target"].is_null()).collect();
    assert!(
        live.iter().all(|d| d["severity"] == "info"),
        "in sync, yet: {live:#?}"
    );
    assert!(with_code(&diags, "CRT105").is_empty());

    // Renewed on disk, not reloaded.
    let first = openssl_sha256(&certs.path().join("cert.pem"));
    make_cert(certs.path(), "second");
    let second = openssl_sha256(&certs.path().join("cert.pem"));
    assert_ne!(first, second);
    let (code, json) = verify_json(&conf, &[]);
    let diags = json["diagnostics"].as_array().unwrap().clone();
    assert_eq!(code, 1);
    // What is served is still the first certificate.
    let endpoints = json["endpoints"].as_array().expect("an endpoints array");
    assert_eq!(endpoints.len(), 1, "{endpoints:#?}");
    assert_eq!(endpoints[0]["certificates"][0]["sha256"], first.as_str());
    let stale = with_code(&diags, "CRT105");
    assert_eq!(stale.len(), 1, "{diags:#?}");
    let d = stale[0];
    assert_eq!(d["target"], format!("https://localhost:{}", nginx.port));
    assert_eq!(d["location"]["line"], line_of(&conf, "ssl_certificate "));
    let msg = d["message"].as_str().unwrap();
    assert!(
        msg.contains("serves CN=first") && msg.contains("holds CN=second"),
        "{msg}"
    );
}

const LEGACY: &str = "
server {
    listen 127.0.0.1:{PORT} ssl;
    server_name localhost;
    ssl_certificate {CERT};
    ssl_certificate_key {KEY};
    ssl_protocols TLSv1 TLSv1.1 TLSv1.2;
    ssl_ciphers 'DEFAULT:@SECLEVEL=0';
    return 200 ok;
}
server {
    listen 127.0.0.1:{HTTP_PORT};
    server_name localhost;
    return 200 'no redirect yet';
}";

#[test]
fn edited_config_without_reload_is_tls106_and_red105() {
    let env = [(
        "OPENSSL_CONF",
        test_cert().legacy_openssl_conf.to_str().unwrap(),
    )];
    let nginx = NginxServer::start(LEGACY, &env);
    let conf = nginx.conf_path();
    // The operator hardens the config but never reloads.
    let text = std::fs::read_to_string(&conf).unwrap();
    let hardened = text
        .replace(
            "ssl_protocols TLSv1 TLSv1.1 TLSv1.2;",
            "ssl_protocols TLSv1.2 TLSv1.3;",
        )
        .replace(
            "return 200 'no redirect yet';",
            &format!("return 301 https://$host:{}$request_uri;", nginx.port),
        );
    assert_ne!(text, hardened);
    std::fs::write(&conf, hardened).unwrap();

    let (code, diags) = verify(&conf, &[]);
    assert_eq!(code, 1);
    let tls106 = with_code(&diags, "TLS106");
    assert_eq!(tls106.len(), 1, "{diags:#?}");
    assert_eq!(
        tls106[0]["location"]["line"],
        line_of(&conf, "ssl_protocols")
    );
    assert_eq!(
        tls106[0]["message"],
        format!(
            "the config enables TLSv1.2 TLSv1.3 but https://localhost:{} still accepts TLSv1 and TLSv1.1",
            nginx.port
        )
    );
    let red105 = with_code(&diags, "RED105");
    assert_eq!(red105.len(), 1, "{diags:#?}");
    assert_eq!(red105[0]["location"]["line"], line_of(&conf, "return 301"));
    assert!(red105[0]["message"]
        .as_str()
        .unwrap()
        .contains("answered 200"));
    // RED105 says it with a config line; the bare RED101 is dropped.
    assert!(with_code(&diags, "RED101").is_empty());
    // The probe's own finding stays too.
    assert_eq!(with_code(&diags, "TLS101").len(), 1);

    // --no-http: no redirect checks at all.
    let (_, diags) = verify(&conf, &["--no-http"]);
    assert!(with_code(&diags, "RED105").is_empty());
}

#[test]
fn verify_text_output_names_the_endpoints() {
    let nginx = NginxServer::start(LEGACY, &[]);
    let out = bin()
        .args(["verify", "--no-config", "--timeout", "2s", "--no-http"])
        .arg(nginx.conf_path())
        .timeout(Duration::from_secs(120))
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.starts_with(&format!(
            "https://localhost:{}: 127.0.0.1:{}",
            nginx.port, nginx.port
        )),
        "{text}"
    );
}
