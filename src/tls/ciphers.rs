//! TLS cipher-suite facts, read from `grammar/ciphers.tsv`.
//!
//! The table is generated from the installed OpenSSL (`grammar/gen-ciphers.sh`) plus
//! hand-written rows for suites Debian's OpenSSL 3 no longer builds (RC4, 3DES, DES,
//! IDEA, EXPORT; SEED needs the legacy provider), so rules can name every suite an
//! older server might still offer. The OpenSSL cipher-string evaluator that works on
//! this table lives in [`super::cipher_string`] and is re-exported here.

use std::fmt;
use std::sync::OnceLock;

pub use super::cipher_string::{
    allowed_at_seclevel, evaluate, CipherList, CipherStringError, DEBIAN_DEFAULT_SECLEVEL,
};

const TABLE: &str = include_str!("../../grammar/ciphers.tsv");

/// Lowest protocol version a suite can be negotiated in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum TlsVersion {
    Ssl3,
    Tls1,
    Tls12,
    Tls13,
}

/// Key exchange, as OpenSSL's `SSL_k*` algorithm bits name it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kx {
    Rsa,
    Dhe,
    Ecdhe,
    Psk,
    RsaPsk,
    DhePsk,
    EcdhePsk,
    Srp,
    /// TLS 1.3 suites: the key exchange is negotiated separately.
    Any,
}

/// Server authentication, as OpenSSL's `SSL_a*` algorithm bits name it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Au {
    Rsa,
    Ecdsa,
    Dss,
    Psk,
    Srp,
    /// Anonymous: no authentication at all.
    Null,
    Any,
}

/// Bulk cipher, as OpenSSL's `SSL_<enc>` algorithm bits name it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Enc {
    Aes128,
    Aes256,
    Aes128Gcm,
    Aes256Gcm,
    Aes128Ccm,
    Aes256Ccm,
    Aes128Ccm8,
    Aes256Ccm8,
    ChaCha20Poly1305,
    Camellia128,
    Camellia256,
    Aria128Gcm,
    Aria256Gcm,
    Seed,
    Idea,
    TripleDes,
    Des,
    Rc4,
    Rc2,
    Null,
}

/// Record MAC; `Aead` when the cipher authenticates itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Mac {
    Md5,
    Sha1,
    Sha256,
    Sha384,
    Aead,
}

/// OpenSSL's strength class (the `HIGH`, `MEDIUM`, `LOW` aliases).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Strength {
    High,
    Medium,
    Low,
    /// The pre-2000 export grades (40/56-bit); OpenSSL dropped them in 1.1.0.
    Export,
    /// No encryption at all.
    None,
}

/// A known-broken property of a suite, worst first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Weakness {
    Null,
    Anonymous,
    Export,
    Des,
    Rc4,
    TripleDes,
    Md5,
}

impl fmt::Display for Weakness {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Weakness::Null => "no encryption",
            Weakness::Anonymous => "no authentication",
            Weakness::Export => "export-grade",
            Weakness::Des => "single DES",
            Weakness::Rc4 => "RC4",
            Weakness::TripleDes => "3DES (Sweet32)",
            Weakness::Md5 => "MD5 MAC",
        })
    }
}

/// One row of `grammar/ciphers.tsv`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CipherSuite {
    /// IANA code point, e.g. `0xC02F`.
    pub code: u16,
    /// IANA name, e.g. `TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256`.
    pub iana: &'static str,
    /// OpenSSL name, e.g. `ECDHE-RSA-AES128-GCM-SHA256`.
    pub openssl: &'static str,
    pub min_version: TlsVersion,
    /// The `Kx=`, `Au=`, `Enc=` and `Mac=` texts `openssl ciphers -v` prints.
    pub kx_text: &'static str,
    pub au_text: &'static str,
    pub enc_text: &'static str,
    pub mac_text: &'static str,
    pub kx: Kx,
    pub au: Au,
    pub enc: Enc,
    pub mac: Mac,
    /// Effective symmetric strength (OpenSSL's `strength_bits`; 3DES is 112).
    pub bits: u16,
    pub strength: Strength,
    /// In OpenSSL's `FIPS` alias.
    pub fips: bool,
    /// Not in OpenSSL's `COMPLEMENTOFDEFAULT`, i.e. eligible for `DEFAULT`.
    pub in_default: bool,
    /// Position in OpenSSL's built-in preference order (`None` when not built).
    pub rank: Option<u16>,
    /// Whether the installed OpenSSL builds the suite at all.
    pub in_openssl: bool,
}

impl CipherSuite {
    pub fn is_forward_secret(&self) -> bool {
        matches!(
            self.kx,
            Kx::Dhe | Kx::Ecdhe | Kx::DhePsk | Kx::EcdhePsk | Kx::Any
        )
    }

    pub fn is_aead(&self) -> bool {
        self.mac == Mac::Aead
    }

    /// CBC mode with MAC-then-encrypt: the padding-oracle family (Lucky13, POODLE).
    pub fn is_cbc(&self) -> bool {
        !self.is_aead() && !matches!(self.enc, Enc::Null | Enc::Rc4)
    }

    /// Every known-broken property, worst first.
    pub fn weaknesses(&self) -> Vec<Weakness> {
        let mut found = Vec::new();
        let mut note = |cond: bool, w: Weakness| {
            if cond {
                found.push(w);
            }
        };
        note(self.enc == Enc::Null, Weakness::Null);
        note(self.au == Au::Null, Weakness::Anonymous);
        note(self.strength == Strength::Export, Weakness::Export);
        note(self.enc == Enc::Des, Weakness::Des);
        note(self.enc == Enc::Rc4, Weakness::Rc4);
        note(self.enc == Enc::TripleDes, Weakness::TripleDes);
        note(self.mac == Mac::Md5, Weakness::Md5);
        found
    }

    /// The worst known-broken property, if any.
    pub fn weakness(&self) -> Option<Weakness> {
        self.weaknesses().into_iter().next()
    }

    /// The suite OpenSSL's cipher-string machinery knows: built, and TLS <= 1.2
    /// (`ssl_ciphers` does not control TLS 1.3 suites).
    pub fn in_cipher_list_universe(&self) -> bool {
        self.in_openssl && self.min_version != TlsVersion::Tls13
    }
}

/// Every suite in the table: OpenSSL's default order first, then TLS 1.3, then the
/// suites this OpenSSL does not build.
pub fn suites() -> &'static [CipherSuite] {
    static SUITES: OnceLock<Vec<CipherSuite>> = OnceLock::new();
    SUITES.get_or_init(|| parse_table(TABLE))
}

pub fn by_code(code: u16) -> Option<&'static CipherSuite> {
    suites().iter().find(|s| s.code == code)
}

/// Looks a suite up by OpenSSL or IANA name (exact; OpenSSL names are case-sensitive).
/// The pre-1.1.0 `EDH-` spellings of the DHE 3DES suites are accepted too.
pub fn by_name(name: &str) -> Option<&'static CipherSuite> {
    let name = match name {
        "EDH-RSA-DES-CBC3-SHA" => "DHE-RSA-DES-CBC3-SHA",
        "EDH-DSS-DES-CBC3-SHA" => "DHE-DSS-DES-CBC3-SHA",
        other => other,
    };
    suites()
        .iter()
        .find(|s| s.openssl == name || s.iana == name)
}

const HEADER: &str = "code\tiana\topenssl\tmin_version\tkx\tau\tenc\tbits\tmac\tkx_alg\tau_alg\t\
                      enc_alg\tmac_alg\tstrength\tfips\tdefault\trank\tin_openssl";
const COLUMNS: usize = 18;

/// The table is compiled in, so a malformed row is a build defect: panic loudly.
fn parse_table(text: &'static str) -> Vec<CipherSuite> {
    let mut lines = text.lines().filter(|l| !l.trim().is_empty());
    let header = lines.next().unwrap_or_default();
    assert_eq!(header, HEADER, "grammar/ciphers.tsv: unexpected header");
    lines
        .map(|line| parse_row(line).unwrap_or_else(|e| panic!("grammar/ciphers.tsv: {e}: {line}")))
        .collect()
}

fn parse_row(line: &'static str) -> Result<CipherSuite, String> {
    let f: Vec<&'static str> = line.split('\t').collect();
    if f.len() != COLUMNS {
        return Err(format!("{} columns, expected {COLUMNS}", f.len()));
    }
    Ok(CipherSuite {
        code: parse_code(f[0])?,
        iana: f[1],
        openssl: f[2],
        min_version: parse_version(f[3])?,
        kx_text: f[4],
        au_text: f[5],
        enc_text: f[6],
        bits: f[7].parse().map_err(|_| format!("bad bits {:?}", f[7]))?,
        mac_text: f[8],
        kx: parse_kx(f[9])?,
        au: parse_au(f[10])?,
        enc: parse_enc(f[11])?,
        mac: parse_mac(f[12])?,
        strength: parse_strength(f[13])?,
        fips: parse_yes_no(f[14])?,
        in_default: parse_yes_no(f[15])?,
        rank: match f[16] {
            "-" => None,
            r => Some(r.parse().map_err(|_| format!("bad rank {r:?}"))?),
        },
        in_openssl: parse_yes_no(f[17])?,
    })
}

/// `0xC0,0x2F` -> 0xC02F
fn parse_code(text: &str) -> Result<u16, String> {
    let bad = || format!("bad code {text:?}");
    let (hi, lo) = text.split_once(',').ok_or_else(bad)?;
    let byte = |b: &str| {
        b.strip_prefix("0x")
            .and_then(|h| u8::from_str_radix(h, 16).ok())
            .ok_or_else(bad)
    };
    Ok(u16::from(byte(hi)?) << 8 | u16::from(byte(lo)?))
}

fn parse_version(text: &str) -> Result<TlsVersion, String> {
    Ok(match text {
        "SSLv3" => TlsVersion::Ssl3,
        "TLSv1" => TlsVersion::Tls1,
        "TLSv1.2" => TlsVersion::Tls12,
        "TLSv1.3" => TlsVersion::Tls13,
        _ => return Err(format!("bad min_version {text:?}")),
    })
}

fn parse_kx(text: &str) -> Result<Kx, String> {
    Ok(match text {
        "kRSA" => Kx::Rsa,
        "kDHE" => Kx::Dhe,
        "kECDHE" => Kx::Ecdhe,
        "kPSK" => Kx::Psk,
        "kRSAPSK" => Kx::RsaPsk,
        "kDHEPSK" => Kx::DhePsk,
        "kECDHEPSK" => Kx::EcdhePsk,
        "kSRP" => Kx::Srp,
        "kANY" => Kx::Any,
        _ => return Err(format!("bad kx_alg {text:?}")),
    })
}

fn parse_au(text: &str) -> Result<Au, String> {
    Ok(match text {
        "aRSA" => Au::Rsa,
        "aECDSA" => Au::Ecdsa,
        "aDSS" => Au::Dss,
        "aPSK" => Au::Psk,
        "aSRP" => Au::Srp,
        "aNULL" => Au::Null,
        "aANY" => Au::Any,
        _ => return Err(format!("bad au_alg {text:?}")),
    })
}

fn parse_enc(text: &str) -> Result<Enc, String> {
    Ok(match text {
        "AES128" => Enc::Aes128,
        "AES256" => Enc::Aes256,
        "AES128GCM" => Enc::Aes128Gcm,
        "AES256GCM" => Enc::Aes256Gcm,
        "AES128CCM" => Enc::Aes128Ccm,
        "AES256CCM" => Enc::Aes256Ccm,
        "AES128CCM8" => Enc::Aes128Ccm8,
        "AES256CCM8" => Enc::Aes256Ccm8,
        "CHACHA20POLY1305" => Enc::ChaCha20Poly1305,
        "CAMELLIA128" => Enc::Camellia128,
        "CAMELLIA256" => Enc::Camellia256,
        "ARIA128GCM" => Enc::Aria128Gcm,
        "ARIA256GCM" => Enc::Aria256Gcm,
        "SEED" => Enc::Seed,
        "IDEA" => Enc::Idea,
        "3DES" => Enc::TripleDes,
        "DES" => Enc::Des,
        "RC4" => Enc::Rc4,
        "RC2" => Enc::Rc2,
        "eNULL" => Enc::Null,
        _ => return Err(format!("bad enc_alg {text:?}")),
    })
}

fn parse_mac(text: &str) -> Result<Mac, String> {
    Ok(match text {
        "MD5" => Mac::Md5,
        "SHA1" => Mac::Sha1,
        "SHA256" => Mac::Sha256,
        "SHA384" => Mac::Sha384,
        "AEAD" => Mac::Aead,
        _ => return Err(format!("bad mac_alg {text:?}")),
    })
}

fn parse_strength(text: &str) -> Result<Strength, String> {
    Ok(match text {
        "HIGH" => Strength::High,
        "MEDIUM" => Strength::Medium,
        "LOW" => Strength::Low,
        "EXPORT" => Strength::Export,
        "NONE" => Strength::None,
        _ => return Err(format!("bad strength {text:?}")),
    })
}

fn parse_yes_no(text: &str) -> Result<bool, String> {
    match text {
        "yes" => Ok(true),
        "no" => Ok(false),
        _ => Err(format!("expected yes/no, got {text:?}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_parses_with_unique_codes_and_names() {
        let all = suites();
        assert!(all.len() > 150, "only {} rows", all.len());
        for (i, a) in all.iter().enumerate() {
            for b in &all[i + 1..] {
                assert_ne!(a.code, b.code, "{} / {}", a.openssl, b.openssl);
                assert_ne!(a.openssl, b.openssl);
                assert_ne!(a.iana, b.iana);
            }
        }
    }

    #[test]
    fn ranks_are_a_permutation_of_the_built_tls12_suites() {
        let mut ranks: Vec<u16> = suites()
            .iter()
            .filter(|s| s.in_cipher_list_universe())
            .map(|s| s.rank.expect("built TLS<=1.2 suite without rank"))
            .collect();
        ranks.sort_unstable();
        let expected: Vec<u16> = (1..=ranks.len() as u16).collect();
        assert_eq!(ranks, expected);
    }

    #[test]
    fn lookups_by_code_and_both_names() {
        let s = by_code(0xC02F).unwrap();
        assert_eq!(s.openssl, "ECDHE-RSA-AES128-GCM-SHA256");
        assert_eq!(s.iana, "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256");
        assert_eq!(by_name(s.iana), Some(s));
        assert_eq!(by_name("ECDHE-RSA-AES128-GCM-SHA256"), Some(s));
        assert_eq!(by_name("EDH-RSA-DES-CBC3-SHA").unwrap().code, 0x0016);
        assert!(by_name("ecdhe-rsa-aes128-gcm-sha256").is_none());
    }

    #[test]
    fn classification() {
        let gcm = by_name("ECDHE-RSA-AES128-GCM-SHA256").unwrap();
        assert!(gcm.is_forward_secret() && gcm.is_aead() && !gcm.is_cbc());
        assert_eq!(gcm.weakness(), None);

        let cbc = by_name("AES128-SHA").unwrap();
        assert!(!cbc.is_forward_secret() && cbc.is_cbc());

        let exp = by_name("EXP-RC4-MD5").unwrap();
        assert!(!exp.in_openssl);
        assert_eq!(
            exp.weaknesses(),
            [Weakness::Export, Weakness::Rc4, Weakness::Md5]
        );
        assert_eq!(exp.weakness(), Some(Weakness::Export));
        assert_eq!(by_name("DES-CBC3-SHA").unwrap().bits, 112);
        assert_eq!(
            by_name("ADH-AES128-SHA").unwrap().weakness(),
            Some(Weakness::Anonymous)
        );
        assert_eq!(
            by_name("NULL-MD5").unwrap().weakness(),
            Some(Weakness::Null)
        );
        assert!(by_name("TLS_AES_128_GCM_SHA256")
            .unwrap()
            .is_forward_secret());
    }

    fn names(cipher_string: &str) -> Vec<&'static str> {
        let list = evaluate(cipher_string).unwrap_or_else(|e| panic!("{cipher_string}: {e}"));
        list.suites.iter().map(|s| s.openssl).collect()
    }

    #[test]
    fn nginx_default_has_no_anonymous_or_md5_suites() {
        let list = evaluate("HIGH:!aNULL:!MD5").unwrap();
        assert!(list.suites.len() > 50);
        for s in &list.suites {
            assert!(s.au != Au::Null && s.mac != Mac::Md5, "{}", s.openssl);
            assert_eq!(s.strength, Strength::High);
        }
        assert!(list.unknown.is_empty() && list.seclevel.is_none());
    }

    #[test]
    fn ecdhe_plus_aesgcm_is_exactly_the_ecdhe_aes_gcm_suites() {
        assert_eq!(
            names("ECDHE+AESGCM"),
            [
                "ECDHE-ECDSA-AES256-GCM-SHA384",
                "ECDHE-RSA-AES256-GCM-SHA384",
                "ECDHE-ECDSA-AES128-GCM-SHA256",
                "ECDHE-RSA-AES128-GCM-SHA256",
            ]
        );
    }

    #[test]
    fn mozilla_intermediate_keeps_its_six_suites_in_order() {
        let six = [
            "ECDHE-ECDSA-AES128-GCM-SHA256",
            "ECDHE-RSA-AES128-GCM-SHA256",
            "ECDHE-ECDSA-AES256-GCM-SHA384",
            "ECDHE-RSA-AES256-GCM-SHA384",
            "ECDHE-ECDSA-CHACHA20-POLY1305",
            "ECDHE-RSA-CHACHA20-POLY1305",
        ];
        assert_eq!(names(&six.join(":")), six);
    }

    #[test]
    fn default_is_special_only_at_the_start() {
        assert_eq!(names("DEFAULT"), names("ALL:!COMPLEMENTOFDEFAULT:!eNULL"));
        assert_eq!(names("DEFAULT:!kRSA"), names("DEFAULT!kRSA"));
        let err = evaluate(" DEFAULT").unwrap_err();
        let unknown = vec!["DEFAULT".to_string()];
        assert_eq!(err, CipherStringError::NoCipherMatch { unknown });
    }

    #[test]
    fn removal_kill_and_reordering() {
        assert_eq!(names("AES128-SHA:-AES128-SHA:AES128-SHA"), ["AES128-SHA"]);
        let killed = evaluate("AES128-SHA:!AES128-SHA:AES128-SHA").unwrap_err();
        let unknown = vec![];
        assert_eq!(killed, CipherStringError::NoCipherMatch { unknown });
        assert_eq!(
            names("AES128-SHA:AES256-SHA:+AES128-SHA"),
            ["AES256-SHA", "AES128-SHA"]
        );
        assert_eq!(
            names("AES128-SHA:AES256-SHA:@STRENGTH"),
            ["AES256-SHA", "AES128-SHA"]
        );
        // `-` remembers the order: re-adding restores it.
        assert_eq!(
            names("AES128-SHA:AES256-SHA:-ALL:ALL")[..2],
            ["AES128-SHA", "AES256-SHA"]
        );
    }

    #[test]
    fn unknown_words_are_ignored_and_reported() {
        let list = evaluate("HIGH:RC4:!EXPORT:TLS_AES_128_GCM_SHA256:FOO+AES").unwrap();
        assert_eq!(list.suites, evaluate("HIGH").unwrap().suites);
        assert_eq!(
            list.unknown,
            ["RC4", "EXPORT", "TLS_AES_128_GCM_SHA256", "FOO"]
        );
        assert!(names("RC4-SHA:DES-CBC3-SHA:HIGH")
            .iter()
            .all(|n| by_name(n).unwrap().in_openssl));
    }

    #[test]
    fn rejected_strings() {
        let invalid =
            |s: &str| matches!(evaluate(s), Err(CipherStringError::InvalidCommand { .. }));
        for s in [
            "ECDHE+",
            "HIGH:@SECLEVEL=9",
            "HIGH:@FOO",
            "HIGH:#x",
            "[AES]",
            "HIGH:!",
        ] {
            assert!(invalid(s), "{s:?}");
        }
        for s in [
            "",
            "FOO",
            "HIGH+FIPS",
            "AES128-SHA+AES256-SHA",
            "@SECLEVEL=1",
        ] {
            assert!(
                matches!(evaluate(s), Err(CipherStringError::NoCipherMatch { .. })),
                "{s:?}"
            );
        }
    }

    #[test]
    fn security_level_is_recorded_and_applied_on_use() {
        let list = evaluate("ALL:COMPLEMENTOFALL:@SECLEVEL=0").unwrap();
        assert_eq!(list.seclevel, Some(0));
        assert_eq!(list.usable(DEBIAN_DEFAULT_SECLEVEL), list.suites);
        let list = evaluate("ALL:COMPLEMENTOFALL").unwrap();
        assert_eq!(list.seclevel, None);
        let usable = list.usable(DEBIAN_DEFAULT_SECLEVEL);
        assert!(usable.len() < list.suites.len());
        assert!(usable
            .iter()
            .all(|s| s.au != Au::Null && s.enc != Enc::Null));
        let level3 = evaluate("HIGH:@SECLEVEL=3")
            .unwrap()
            .usable(DEBIAN_DEFAULT_SECLEVEL);
        assert!(level3.iter().all(|s| s.is_forward_secret()));
        assert!(!allowed_at_seclevel(by_name("DES-CBC3-SHA").unwrap(), 3));
    }

    #[test]
    fn suite_b_keywords_replace_the_whole_string() {
        let both = [
            "ECDHE-ECDSA-AES128-GCM-SHA256",
            "ECDHE-ECDSA-AES256-GCM-SHA384",
        ];
        assert_eq!(names("SUITEB128:!ECDSA"), both);
        assert_eq!(names("SUITEB192"), ["ECDHE-ECDSA-AES256-GCM-SHA384"]);
    }
}
