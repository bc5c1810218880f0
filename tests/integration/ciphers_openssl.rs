//! Differential test: `nginx_audit::tls::ciphers::evaluate` against the `openssl ciphers`
//! CLI, on realistic `ssl_ciphers` strings and on strings from a seeded generator.
//!
//! For each string it compares (1) the ordered TLS <= 1.2 list `openssl ciphers` prints,
//! or the kind of error, and (2) the list after the security level is applied
//! (`openssl ciphers -s -psk -srp`) with `CipherList::usable`. It also checks that
//! `grammar/ciphers.tsv` still describes the installed OpenSSL. The oracle runs with
//! `OPENSSL_CONF=/dev/null`, so a system `CipherString` cannot colour the results.
//! A missing `openssl` binary fails the test: it must never pass by skipping.

use std::process::Command;
use std::thread;

use nginx_audit::tls::ciphers::{evaluate, suites, CipherStringError};

/// What a cipher string turns into, comparably for both sides.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Outcome {
    Suites(Vec<String>),
    NoCipherMatch,
    InvalidCommand,
}

fn run_openssl(args: &[&str]) -> std::process::Output {
    Command::new("openssl")
        .args(args)
        .env("OPENSSL_CONF", "/dev/null")
        .output()
        .unwrap_or_else(|e| {
            panic!(
                "cannot run the `openssl` CLI ({e}); this differential test needs it: \
                 install it (Debian: apt-get install openssl)"
            )
        })
}

/// `openssl ciphers [extra] -ciphersuites '' -- STRING`, with TLS 1.3 suites left out.
fn oracle(extra: &[&str], cipher_string: &str) -> Outcome {
    let mut args = vec!["ciphers"];
    args.extend_from_slice(extra);
    args.extend_from_slice(&["-ciphersuites", "", "--", cipher_string]);
    let out = run_openssl(&args);
    let stderr = String::from_utf8_lossy(&out.stderr);
    if out.status.success() {
        let stdout = String::from_utf8_lossy(&out.stdout);
        let names = stdout.trim().split(':').filter(|n| !n.is_empty());
        return Outcome::Suites(names.map(str::to_string).collect());
    }
    if stderr.contains("no cipher match") {
        Outcome::NoCipherMatch
    } else if stderr.contains("invalid command") {
        Outcome::InvalidCommand
    } else {
        panic!("openssl ciphers {cipher_string:?} failed unexpectedly: {stderr}")
    }
}

/// Our evaluation; `Some(level)` applies the security level like `-s` does.
fn ours(cipher_string: &str, default_seclevel: Option<u8>) -> Outcome {
    match evaluate(cipher_string) {
        Ok(list) => {
            let chosen = match default_seclevel {
                Some(level) => list.usable(level),
                None => list.suites.clone(),
            };
            Outcome::Suites(chosen.iter().map(|s| s.openssl.to_string()).collect())
        }
        Err(CipherStringError::NoCipherMatch { .. }) => Outcome::NoCipherMatch,
        Err(CipherStringError::InvalidCommand { .. }) => Outcome::InvalidCommand,
    }
}

const MOZILLA_INTERMEDIATE_V6: &str = "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:\
ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:\
ECDHE-RSA-CHACHA20-POLY1305";
const MOZILLA_INTERMEDIATE_V5: &str = "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:\
ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:\
ECDHE-RSA-CHACHA20-POLY1305:DHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES256-GCM-SHA384:\
DHE-RSA-CHACHA20-POLY1305";
const MOZILLA_OLD_V5: &str = "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:\
ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:\
ECDHE-RSA-CHACHA20-POLY1305:DHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES256-GCM-SHA384:\
DHE-RSA-CHACHA20-POLY1305:ECDHE-ECDSA-AES128-SHA256:ECDHE-RSA-AES128-SHA256:\
ECDHE-ECDSA-AES128-SHA:ECDHE-RSA-AES128-SHA:ECDHE-ECDSA-AES256-SHA384:ECDHE-RSA-AES256-SHA384:\
ECDHE-ECDSA-AES256-SHA:ECDHE-RSA-AES256-SHA:DHE-RSA-AES128-SHA256:DHE-RSA-AES256-SHA256:\
AES128-GCM-SHA256:AES256-GCM-SHA384:AES128-SHA256:AES256-SHA256:AES128-SHA:AES256-SHA:DES-CBC3-SHA";
const MOZILLA_INTERMEDIATE_V4: &str = "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305:\
ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:\
ECDHE-RSA-AES256-GCM-SHA384:DHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES256-GCM-SHA384:\
ECDHE-ECDSA-AES128-SHA256:ECDHE-RSA-AES128-SHA256:ECDHE-ECDSA-AES128-SHA:ECDHE-RSA-AES256-SHA384:\
ECDHE-RSA-AES128-SHA:ECDHE-ECDSA-AES256-SHA384:ECDHE-ECDSA-AES256-SHA:ECDHE-RSA-AES256-SHA:\
DHE-RSA-AES128-SHA256:DHE-RSA-AES128-SHA:DHE-RSA-AES256-SHA256:DHE-RSA-AES256-SHA:\
ECDHE-ECDSA-DES-CBC3-SHA:ECDHE-RSA-DES-CBC3-SHA:EDH-RSA-DES-CBC3-SHA:AES128-GCM-SHA256:\
AES256-GCM-SHA384:AES128-SHA256:AES256-SHA256:AES128-SHA:AES256-SHA:DES-CBC3-SHA:!DSS";
const LONG_LEGACY: &str = "ECDHE-RSA-AES256-GCM-SHA384:ECDHE-RSA-AES128-GCM-SHA256:\
DHE-RSA-AES256-GCM-SHA384:DHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES256-SHA384:\
ECDHE-RSA-AES128-SHA256:ECDHE-RSA-AES256-SHA:ECDHE-RSA-AES128-SHA:DHE-RSA-AES256-SHA256:\
DHE-RSA-AES128-SHA256:DHE-RSA-AES256-SHA:DHE-RSA-AES128-SHA:ECDHE-RSA-DES-CBC3-SHA:\
EDH-RSA-DES-CBC3-SHA:AES256-GCM-SHA384:AES128-GCM-SHA256:AES256-SHA256:AES128-SHA256:\
AES256-SHA:AES128-SHA:DES-CBC3-SHA:HIGH:!aNULL:!eNULL:!EXPORT:!DES:!MD5:!PSK:!RC4";

/// Strings seen in real nginx configs, guides and distro defaults, plus edge cases of
/// the grammar.
const REALISTIC: &[&str] = &[
    MOZILLA_INTERMEDIATE_V6,
    MOZILLA_INTERMEDIATE_V5,
    MOZILLA_OLD_V5,
    MOZILLA_INTERMEDIATE_V4,
    LONG_LEGACY,
    "HIGH:!aNULL:!MD5",
    "HIGH:!aNULL:!MD5:!3DES",
    "HIGH:!aNULL:!MD5:!RC4:!DHE",
    "HIGH:!aNULL:!eNULL:!EXPORT:!CAMELLIA:!DES:!MD5:!PSK:!RC4",
    "HIGH:MEDIUM:!aNULL:!MD5",
    "HIGH:!SSLv3:!kRSA:!aNULL",
    "EECDH+AESGCM:EDH+AESGCM",
    "EECDH+AESGCM:EDH+AESGCM:AES256+EECDH:AES256+EDH",
    "EECDH+AESGCM:EDH+AESGCM:AES256+EECDH:AES256+EDH:!aNULL",
    "EECDH+CHACHA20:EECDH+AES128:RSA+AES128:EECDH+AES256:RSA+AES256:EECDH+3DES:RSA+3DES:!MD5",
    "ECDH+AESGCM:DH+AESGCM:ECDH+AES256:DH+AES256:ECDH+AES128:DH+AES:RSA+AESGCM:RSA+AES:!aNULL:!MD5:!DSS",
    "ECDH+AESGCM:ECDH+CHACHA20:DH+AESGCM:ECDH+AES256:DH+AES256:ECDH+AES128:DH+AES:RSA+AESGCM:RSA+AES:!aNULL:!MD5:!DSS",
    "AES128+EECDH:AES128+EDH",
    "AES256+EECDH:AES256+EDH:!aNULL",
    "kEECDH+ECDSA+AES128:kEECDH+AES128:kEDH+AES128:kEECDH+ECDSA+AES256:kEECDH+AES256:kEDH+AES256:DES-CBC3-SHA:!aNULL",
    "ALL:!ADH:!EXPORT:!SSLv2:RC4+RSA:+HIGH:+MEDIUM:+LOW",
    "ALL:!ADH:!EXPORT56:RC4+RSA:+HIGH:+MEDIUM:+LOW:+SSLv2:+EXP",
    "ALL:!EXPORT:!LOW:@STRENGTH",
    "ALL:!aNULL:!EXPORT:!LOW:!MEDIUM:@STRENGTH",
    "ALL:COMPLEMENTOFALL",
    "ALL:COMPLEMENTOFALL:@STRENGTH",
    "ALL:+aNULL:+eNULL",
    "COMPLEMENTOFALL:ALL",
    "COMPLEMENTOFDEFAULT",
    "ALL:!COMPLEMENTOFDEFAULT",
    "DEFAULT",
    "DEFAULT:!aNULL:!MD5",
    "DEFAULT:+SHA1",
    "DEFAULT:-kRSA:+AES256",
    "DEFAULT:@SECLEVEL=0",
    "DEFAULT@SECLEVEL=2",
    "DEFAULT:@SECLEVEL=3",
    "DEFAULTX",
    "DEFAULT:DEFAULT",
    "HIGH:DEFAULT",
    " DEFAULT",
    "PROFILE=SYSTEM",
    "HIGH:@SECLEVEL=0",
    "HIGH:@SECLEVEL=1",
    "HIGH:@SECLEVEL=2",
    "HIGH:@SECLEVEL=3",
    "HIGH:@SECLEVEL=4",
    "HIGH:@SECLEVEL=5",
    "ALL:COMPLEMENTOFALL:@SECLEVEL=0",
    "ALL:COMPLEMENTOFALL:@SECLEVEL=1",
    "ALL:COMPLEMENTOFALL:@SECLEVEL=3",
    "ALL:COMPLEMENTOFALL:@SECLEVEL=4",
    "HIGH:@SECLEVEL=1:@SECLEVEL=3",
    "HIGH:@SECLEVEL=6",
    "HIGH:@SECLEVEL=10",
    "HIGH:@SECLEVEL=",
    "HIGH:@STRENGTHS",
    "HIGH:@strength",
    "HIGH:@",
    "@SECLEVEL=1",
    "@STRENGTH:HIGH",
    "HIGH:@STRENGTH+RSA:AES128-SHA",
    "RSA:@STRENGTH",
    "SHA1:@STRENGTH",
    "EECDH:EDH:!aNULL:@STRENGTH",
    "ECDHE:!COMPLEMENTOFDEFAULT",
    "PSK",
    "PSK:SRP:!aNULL",
    "kPSK:kRSAPSK:kECDHEPSK:kDHEPSK",
    "aPSK:-kPSK",
    "RSA:+SHA1",
    "-ALL:ECDHE",
    "ALL:-ECDHE:ECDHE",
    "ALL:-ECDHE:+ECDHE",
    "ALL:-SHA1:+MD5:SHA1",
    "ALL:!ECDHE:ECDHE",
    "ALL:-AESGCM:-CHACHA20:AESGCM",
    "AESGCM:CHACHA20:-ECDHE:ECDHE+AES256",
    "AES128-SHA:AES256-SHA:-ALL:AES256-SHA:AES128-SHA",
    "ECDHE+AESGCM",
    "ECDHE+AESGCM+AES256",
    "ECDHE+AES128+AES256",
    "ECDHE+ECDSA:ECDHE+RSA",
    "HIGH+FIPS",
    "FIPS+HIGH",
    "FIPS",
    "FIPS:!aNULL",
    "COMPLEMENTOFDEFAULT+HIGH",
    "HIGH+COMPLEMENTOFDEFAULT",
    "HIGH+COMPLEMENTOFDEFAULT+aNULL",
    "AES128-SHA+AES",
    "AES+AES128-SHA",
    "AES128-SHA+AES256-SHA",
    "AES128-SHA+HIGH",
    "ECDHE-RSA-AES128-GCM-SHA256+TLSv1",
    "TLSv1+ECDHE-RSA-AES128-GCM-SHA256",
    "TLSv1.2+SSLv3",
    "TLSv1.2:TLSv1:SSLv3",
    "TLSv1.0",
    "SSLv3:!aNULL",
    "CBC",
    "HIGH:!CBC",
    "ARIA:CAMELLIA:SEED:IDEA",
    "ARIA128:ARIA256:ARIAGCM",
    "AESCCM:AESCCM8:!AESCCM8",
    "CHACHA20:AES256:AES128",
    "SHA256:SHA384:SHA:MD5",
    "NULL:eNULL:aNULL",
    "ADH:AECDH",
    "aDSS:DSS:aECDSA:ECDSA:aRSA",
    "kEDH:kDHE:DH:kEECDH:kECDHE:ECDH",
    "EXPORT",
    "EXPORT:HIGH",
    "RC4:HIGH",
    "RC4-SHA:RC4-MD5:DES-CBC3-SHA",
    "3DES:HIGH:!aNULL",
    "EDH-RSA-DES-CBC3-SHA:HIGH",
    "SUITEB128",
    "SUITEB128ONLY",
    "SUITEB128C2",
    "SUITEB192",
    "SUITEB128:!ECDSA",
    "HIGH:SUITEB128",
    "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
    "TLS_AES_128_GCM_SHA256:ECDHE-RSA-AES128-GCM-SHA256",
    "TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256",
    "[ECDHE-ECDSA-AES128-GCM-SHA256|ECDHE-ECDSA-CHACHA20-POLY1305]:ECDHE-RSA-AES128-GCM-SHA256",
    "HIGH !aNULL !MD5",
    "HIGH,!aNULL,!MD5",
    "HIGH;!aNULL;!MD5",
    "HIGH: !aNULL :!MD5",
    "HIGH::!aNULL",
    "HIGH:!aNULL:",
    ":HIGH",
    "AES!RSA",
    "AES@STRENGTH",
    "FOO!AES:HIGH",
    "high:!anull",
    "HIGH:#comment",
    "HIGH:!aNULL_",
    "ECDHE+",
    "HIGH:+",
    "HIGH:!",
    "HIGH:-",
    "+HIGH",
    "--HIGH:HIGH",
    "!!aNULL:HIGH",
    "",
    ":",
    "FOO",
    "FOO:BAR",
    "FOO+HIGH:AES128-SHA",
    "HIGH+FOO:AES128-SHA",
    "HIGH:!kGOST:!aGOST:!GOST",
    "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-ECDSA-AES128-GCM-SHA256:@STRENGTH",
    "NULL-SHA256:ECDHE-RSA-NULL-SHA:SHA256",
    "HIGH+!aNULL",
    "!HIGH+-aNULL:AES",
    "DEFAULT+aRSA",
    "DEFAULT,!aNULL",
    "DEFAULT;@STRENGTH",
    "SUITEB128XYZ:!ECDSA",
    "HIGH:\u{e9}",
    "HIGH\t!aNULL",
    "HIGH:\n  !aNULL",
    "ALL:@STRENGTH:-HIGH:HIGH",
    "3DES:!3DES:HIGH",
    "EDH-RSA-DES-CBC3-SHA+HIGH:AES128-SHA",
];

/// Every alias and class word, whether or not this OpenSSL offers it.
#[rustfmt::skip]
const WORDS: &[&str] = &[
    "ALL", "COMPLEMENTOFALL", "COMPLEMENTOFDEFAULT", "kRSA", "kEDH", "kDHE", "DH", "kEECDH",
    "kECDHE", "ECDH", "kPSK", "kRSAPSK", "kECDHEPSK", "kDHEPSK", "kSRP", "kGOST", "aRSA", "aDSS",
    "DSS", "aNULL", "aECDSA", "ECDSA", "aPSK", "aGOST", "aSRP", "EDH", "DHE", "EECDH", "ECDHE",
    "NULL", "RSA", "ADH", "AECDH", "PSK", "SRP", "3DES", "RC4", "RC2", "IDEA", "SEED", "eNULL",
    "GOST", "AES128", "AES256", "AES", "AESGCM", "AESCCM", "AESCCM8", "CAMELLIA128",
    "CAMELLIA256", "CAMELLIA", "CHACHA20", "ARIA", "ARIAGCM", "ARIA128", "ARIA256", "CBC", "MD5",
    "SHA1", "SHA", "SHA256", "SHA384", "SSLv3", "TLSv1", "TLSv1.0", "TLSv1.2", "LOW", "MEDIUM",
    "HIGH", "FIPS", "EXPORT", "DES", "DEFAULT", "TLSv1.3", "FOO", "EDH-RSA-DES-CBC3-SHA",
];

/// xorshift64*: a fixed sequence without a dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
}

fn random_atom(rng: &mut Rng, names: &[&'static str]) -> String {
    match rng.below(10) {
        0..=5 => rng.pick(WORDS).to_string(),
        6..=8 => rng.pick(names).to_string(),
        _ => format!(
            "@{}",
            rng.pick(&["STRENGTH", "SECLEVEL=0", "SECLEVEL=1", "SECLEVEL=3"])
        ),
    }
}

fn random_item(rng: &mut Rng, names: &[&'static str]) -> String {
    let prefix = rng.pick(&["", "", "", "", "!", "!", "-", "+"]);
    let mut item = format!("{prefix}{}", random_atom(rng, names));
    // Join one or two more words with `+` now and then.
    for _ in 0..rng.below(4).saturating_sub(1) {
        let pool = if rng.below(3) == 0 { names } else { WORDS };
        let word = rng.pick(pool);
        item = format!("{item}+{word}");
    }
    if rng.below(60) == 0 {
        item.push_str(rng.pick(&["+", "#", "_", "["]));
    }
    item
}

fn random_string(rng: &mut Rng, names: &[&'static str]) -> String {
    let mut s = String::new();
    if rng.below(8) == 0 {
        s.push_str(rng.pick(&["DEFAULT", "DEFAULT:"]));
    }
    for i in 0..1 + rng.below(7) {
        if i > 0 || !s.is_empty() {
            s.push_str(rng.pick(&[":", ":", ":", ":", ",", " ", ";", "::"]));
        }
        s.push_str(&random_item(rng, names));
    }
    s
}

/// Suite names to draw from: built ones, unbuilt ones and a few IANA names.
fn suite_names() -> Vec<&'static str> {
    let mut names: Vec<&'static str> = suites().iter().map(|s| s.openssl).collect();
    names.extend(suites().iter().step_by(10).map(|s| s.iana));
    names
}

fn all_strings() -> Vec<String> {
    let mut strings: Vec<String> = REALISTIC.iter().map(|s| s.to_string()).collect();
    // Each word alone and as a removal from the full list; and whether OpenSSL knows
    // it at all: after a known word `#` is an error, after an unknown one it is skipped.
    for word in WORDS {
        strings.push(word.to_string());
        strings.push(format!("ALL:COMPLEMENTOFALL:-{word}:+{word}"));
        strings.push(format!("{word}#:HIGH"));
    }
    let names = suite_names();
    let (count, seed) = random_budget();
    let mut rng = Rng(seed);
    strings.extend((0..count).map(|_| random_string(&mut rng, &names)));
    strings
}

/// 250 strings from a fixed seed; `CIPHER_FUZZ=COUNT[:SEED]` widens a local run.
fn random_budget() -> (usize, u64) {
    let default = (250, 0x5EED_C1F3_2024_0001);
    let Ok(spec) = std::env::var("CIPHER_FUZZ") else {
        return default;
    };
    let (count, seed) = spec.split_once(':').unwrap_or((&spec, ""));
    let count = count.parse().expect("CIPHER_FUZZ: COUNT[:SEED]");
    (count, seed.parse().unwrap_or(default.1) | 1)
}

/// The compiled-in default security level, found from the `-s` oracle.
fn default_seclevel() -> u8 {
    let probe = "ALL:COMPLEMENTOFALL";
    let want = oracle(&["-s", "-psk", "-srp"], probe);
    (0..=5)
        .find(|&level| ours(probe, Some(level)) == want)
        .expect("no security level 0..5 reproduces `openssl ciphers -s`")
}

/// One string's comparison: `None` when identical, else a description.
fn compare(cipher_string: &str, default_level: u8) -> Option<String> {
    let plain = (oracle(&[], cipher_string), ours(cipher_string, None));
    let supported = (
        oracle(&["-s", "-psk", "-srp"], cipher_string),
        ours(cipher_string, Some(default_level)),
    );
    let mut diff = Vec::new();
    if plain.0 != plain.1 {
        diff.push(format!(
            "  openssl: {:?}\n  ours:    {:?}",
            plain.0, plain.1
        ));
    }
    if supported.0 != supported.1 {
        diff.push(format!(
            "  openssl -s: {:?}\n  ours usable: {:?}",
            supported.0, supported.1
        ));
    }
    (!diff.is_empty()).then(|| format!("{cipher_string:?}\n{}", diff.join("\n")))
}

#[test]
fn cipher_strings_match_openssl() {
    let strings = all_strings();
    let default_level = default_seclevel();
    let workers = 4;
    let chunk = strings.len().div_ceil(workers);
    let mismatches: Vec<String> = thread::scope(|scope| {
        let handles: Vec<_> = strings
            .chunks(chunk)
            .map(|part| {
                scope.spawn(move || {
                    part.iter()
                        .filter_map(|s| compare(s, default_level))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap())
            .collect()
    });
    println!(
        "cipher strings compared: {}, identical: {}",
        strings.len(),
        strings.len() - mismatches.len()
    );
    assert!(strings.len() >= 300, "only {} strings", strings.len());
    assert!(
        mismatches.is_empty(),
        "{} of {} cipher strings differ from openssl:\n{}",
        mismatches.len(),
        strings.len(),
        mismatches.join("\n")
    );
}

#[test]
fn table_describes_installed_openssl() {
    let out = run_openssl(&[
        "ciphers",
        "-V",
        "-stdname",
        "-ciphersuites",
        "",
        "ALL:COMPLEMENTOFALL:@SECLEVEL=0",
    ]);
    assert!(out.status.success(), "openssl ciphers -V failed");
    let listed: Vec<String> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
        .collect();
    let ours: Vec<String> = evaluate("ALL:COMPLEMENTOFALL:@SECLEVEL=0")
        .expect("evaluator rejects ALL:COMPLEMENTOFALL")
        .suites
        .iter()
        .map(|s| {
            let code = format!("0x{:02X},0x{:02X}", s.code >> 8, s.code & 0xff);
            format!(
                "{code} - {} - {} {} Kx={} Au={} Enc={} Mac={}",
                s.iana,
                s.openssl,
                version_text(s),
                s.kx_text,
                s.au_text,
                s.enc_text,
                s.mac_text
            )
        })
        .collect();
    assert_eq!(
        ours, listed,
        "grammar/ciphers.tsv is stale: run grammar/gen-ciphers.sh"
    );
}

fn version_text(s: &nginx_audit::tls::ciphers::CipherSuite) -> &'static str {
    use nginx_audit::tls::ciphers::TlsVersion;
    match s.min_version {
        TlsVersion::Ssl3 => "SSLv3",
        TlsVersion::Tls1 => "TLSv1",
        TlsVersion::Tls12 => "TLSv1.2",
        TlsVersion::Tls13 => "TLSv1.3",
    }
}
