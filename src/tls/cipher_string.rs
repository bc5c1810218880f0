//! Evaluates an OpenSSL cipher string (nginx `ssl_ciphers`) the way OpenSSL 3's
//! `SSL_CTX_set_cipher_list` does (ssl/ssl_ciph.c: `ssl_create_cipher_list`,
//! `ssl_cipher_process_rulestr`, `ssl_cipher_apply_rule`), giving the ordered TLS <= 1.2
//! suites `openssl ciphers` prints for it.
//!
//! Model: every suite the library builds sits in one list, in OpenSSL's built-in
//! preference order (`rank` in the table), all inactive. Each item of the string then
//! selects suites by alias masks and adds (`X`), removes (`-X`), kills (`!X`), or moves
//! to the end (`+X`) them; `@STRENGTH` sorts by key bits; `@SECLEVEL=n` is recorded.
//! The security level is not applied to the list, exactly as `openssl ciphers` does
//! not; [`CipherList::usable`] applies it as a handshake would (`openssl ciphers -s`).

use std::fmt;

use super::ciphers::{suites, Au, CipherSuite, Enc, Kx, Mac, Strength, TlsVersion};

/// The level Debian compiles in (`-DOPENSSL_TLS_SECURITY_LEVEL=2`).
pub const DEBIAN_DEFAULT_SECLEVEL: u8 = 2;

/// What a leading `DEFAULT` expands to in OpenSSL 3 (`OSSL_default_cipher_list`).
const DEFAULT_RULES: &str = "ALL:!COMPLEMENTOFDEFAULT:!eNULL";

/// The result of a cipher string OpenSSL accepts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CipherList {
    /// TLS <= 1.2 suites in preference order, before any security-level filtering.
    pub suites: Vec<&'static CipherSuite>,
    /// The last `@SECLEVEL=n` in the string.
    pub seclevel: Option<u8>,
    /// Words OpenSSL did not recognise and so ignored (e.g. `EXPORT`, `RC4` in
    /// OpenSSL 3, IANA names, typos), in order of appearance.
    pub unknown: Vec<String>,
}

impl CipherList {
    /// The suites a handshake could use at the string's `@SECLEVEL`, or
    /// `default_seclevel` when it sets none (what `openssl ciphers -s -psk -srp`
    /// prints). PSK and SRP suites stay in: whether the server has keys or a
    /// verifier file for them is not a property of the string.
    pub fn usable(&self, default_seclevel: u8) -> Vec<&'static CipherSuite> {
        let level = self.seclevel.unwrap_or(default_seclevel);
        self.suites
            .iter()
            .copied()
            .filter(|s| allowed_at_seclevel(s, level))
            .collect()
    }
}

/// Why OpenSSL rejects a cipher string (nginx then refuses to start).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CipherStringError {
    /// The string selects no TLS <= 1.2 suite ("no cipher match").
    NoCipherMatch { unknown: Vec<String> },
    /// A character outside the grammar, an empty item after `+`/`!`/`-`/`@`,
    /// or an `@` command other than `@STRENGTH`/`@SECLEVEL=0..5` ("invalid command").
    InvalidCommand { at: usize },
}

impl fmt::Display for CipherStringError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CipherStringError::NoCipherMatch { unknown } if unknown.is_empty() => {
                f.write_str("no cipher match")
            }
            CipherStringError::NoCipherMatch { unknown } => {
                write!(f, "no cipher match (unknown: {})", unknown.join(", "))
            }
            CipherStringError::InvalidCommand { at } => {
                write!(f, "invalid command at byte {at}")
            }
        }
    }
}

impl std::error::Error for CipherStringError {}

/// OpenSSL's `ssl_security_default_callback` for a cipher at `level`.
pub fn allowed_at_seclevel(suite: &CipherSuite, level: u8) -> bool {
    const MIN_BITS: [u16; 6] = [0, 80, 112, 128, 192, 256];
    if level == 0 {
        return true;
    }
    let min_bits = MIN_BITS[usize::from(level.min(5))];
    let forward_secret = matches!(suite.kx, Kx::Dhe | Kx::Ecdhe | Kx::DhePsk | Kx::EcdhePsk);
    suite.bits >= min_bits
        && suite.au != Au::Null
        && suite.mac != Mac::Md5
        && !(min_bits > 160 && suite.mac == Mac::Sha1)
        && !(level >= 2 && suite.enc == Enc::Rc4)
        && !(level >= 3 && suite.min_version != TlsVersion::Tls13 && !forward_secret)
}

/// Runs `cipher_string` through OpenSSL's rules.
///
/// Results are remembered per thread: a large config names the same
/// string in thousands of servers, and several rules ask about each.
pub fn evaluate(cipher_string: &str) -> Result<CipherList, CipherStringError> {
    type Memo = std::collections::HashMap<String, Result<CipherList, CipherStringError>>;
    thread_local! {
        static MEMO: std::cell::RefCell<Memo> = std::cell::RefCell::default();
    }
    if let Some(hit) = MEMO.with(|m| m.borrow().get(cipher_string).cloned()) {
        return hit;
    }
    let result = evaluate_uncached(cipher_string);
    MEMO.with(|m| {
        let mut m = m.borrow_mut();
        // Bounded: a fuzzer or a generated config must not grow it forever.
        if m.len() >= 512 {
            m.clear();
        }
        m.insert(cipher_string.to_string(), result.clone());
    });
    result
}

fn evaluate_uncached(cipher_string: &str) -> Result<CipherList, CipherStringError> {
    let rules = suite_b_replacement(cipher_string).unwrap_or(cipher_string);
    let mut state = State::new();
    // Only a leading DEFAULT is special; anywhere else it is an unknown word.
    let rest = match rules.strip_prefix("DEFAULT") {
        Some(rest) => {
            state.process(DEFAULT_RULES)?;
            rest.strip_prefix(':').unwrap_or(rest)
        }
        None => rules,
    };
    state.process(rest)?;
    let suites: Vec<_> = state
        .list
        .iter()
        .filter(|e| e.active)
        .map(|e| e.suite)
        .collect();
    if suites.is_empty() {
        return Err(CipherStringError::NoCipherMatch {
            unknown: state.unknown,
        });
    }
    Ok(CipherList {
        suites,
        seclevel: state.seclevel,
        unknown: state.unknown,
    })
}

/// A string starting with a Suite B keyword is replaced whole (`check_suiteb_cipher_list`).
/// Suite B's limits on curves and signatures apply at handshake time, outside this model.
fn suite_b_replacement(rules: &str) -> Option<&'static str> {
    const BOTH: &str = "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384";
    [
        ("SUITEB128ONLY", "ECDHE-ECDSA-AES128-GCM-SHA256"),
        ("SUITEB128C2", "ECDHE-ECDSA-AES256-GCM-SHA384"),
        ("SUITEB128", BOTH),
        ("SUITEB192", "ECDHE-ECDSA-AES256-GCM-SHA384"),
    ]
    .into_iter()
    .find(|(prefix, _)| rules.starts_with(prefix))
    .map(|(_, replacement)| replacement)
}

/// A mask with one bit per listed algorithm; each enum's discriminant is its bit.
macro_rules! mask {
    ($($alg:expr),* $(,)?) => { 0u32 $(| 1u32 << ($alg as u32))* };
}

const K_ALL_PSK: u32 = mask!(Kx::Psk, Kx::RsaPsk, Kx::EcdhePsk, Kx::DhePsk);
const A_NULL: u32 = mask!(Au::Null);
const E_NULL: u32 = mask!(Enc::Null);
const E_AES128: u32 = mask!(Enc::Aes128, Enc::Aes128Gcm, Enc::Aes128Ccm, Enc::Aes128Ccm8);
const E_AES256: u32 = mask!(Enc::Aes256, Enc::Aes256Gcm, Enc::Aes256Ccm, Enc::Aes256Ccm8);
const E_AESCCM8: u32 = mask!(Enc::Aes128Ccm8, Enc::Aes256Ccm8);
const E_AESCCM: u32 = mask!(Enc::Aes128Ccm, Enc::Aes256Ccm) | E_AESCCM8;
const E_CAMELLIA: u32 = mask!(Enc::Camellia128, Enc::Camellia256);
const E_ARIAGCM: u32 = mask!(Enc::Aria128Gcm, Enc::Aria256Gcm);
const E_CBC: u32 = mask!(Enc::Des, Enc::TripleDes, Enc::Rc2, Enc::Idea, Enc::Aes128)
    | mask!(Enc::Aes256, Enc::Camellia128, Enc::Camellia256, Enc::Seed);

// OpenSSL's strength bits (`SSL_STRONG_MASK` and `SSL_DEFAULT_MASK` groups).
const S_NONE: u32 = 1;
const S_LOW: u32 = 1 << 1;
const S_MEDIUM: u32 = 1 << 2;
const S_HIGH: u32 = 1 << 3;
const S_FIPS: u32 = 1 << 4;
const S_STRONG_MASK: u32 = 0x1f;
const S_NOT_DEFAULT: u32 = 1 << 5;
const S_DEFAULT_MASK: u32 = S_NOT_DEFAULT;

/// A selection pattern: an alias, a suite, or several joined by `+` (`ca_list` entries).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Pattern {
    kx: u32,
    au: u32,
    enc: u32,
    mac: u32,
    min_version: Option<TlsVersion>,
    strength: u32,
    /// Set when the (last) word names one suite: its code point.
    suite: Option<u16>,
}

const fn alias(kx: u32, au: u32, enc: u32, mac: u32, strength: u32) -> Pattern {
    Pattern {
        kx,
        au,
        enc,
        mac,
        min_version: None,
        strength,
        suite: None,
    }
}

const fn version_alias(v: TlsVersion) -> Pattern {
    let mut p = alias(0, 0, 0, 0, 0);
    p.min_version = Some(v);
    p
}

/// OpenSSL 3.0's `cipher_aliases[]`, less the GOST ones (no GOST engine, so
/// OpenSSL does not offer them either).
const ALIASES: &[(&str, Pattern)] = &[
    ("ALL", alias(0, 0, !E_NULL, 0, 0)),
    ("COMPLEMENTOFALL", alias(0, 0, E_NULL, 0, 0)),
    ("COMPLEMENTOFDEFAULT", alias(0, 0, 0, 0, S_NOT_DEFAULT)),
    ("kRSA", alias(mask!(Kx::Rsa), 0, 0, 0, 0)),
    ("kEDH", alias(mask!(Kx::Dhe), 0, 0, 0, 0)),
    ("kDHE", alias(mask!(Kx::Dhe), 0, 0, 0, 0)),
    ("DH", alias(mask!(Kx::Dhe), 0, 0, 0, 0)),
    ("kEECDH", alias(mask!(Kx::Ecdhe), 0, 0, 0, 0)),
    ("kECDHE", alias(mask!(Kx::Ecdhe), 0, 0, 0, 0)),
    ("ECDH", alias(mask!(Kx::Ecdhe), 0, 0, 0, 0)),
    ("kPSK", alias(mask!(Kx::Psk), 0, 0, 0, 0)),
    ("kRSAPSK", alias(mask!(Kx::RsaPsk), 0, 0, 0, 0)),
    ("kECDHEPSK", alias(mask!(Kx::EcdhePsk), 0, 0, 0, 0)),
    ("kDHEPSK", alias(mask!(Kx::DhePsk), 0, 0, 0, 0)),
    ("kSRP", alias(mask!(Kx::Srp), 0, 0, 0, 0)),
    ("aRSA", alias(0, mask!(Au::Rsa), 0, 0, 0)),
    ("aDSS", alias(0, mask!(Au::Dss), 0, 0, 0)),
    ("DSS", alias(0, mask!(Au::Dss), 0, 0, 0)),
    ("aNULL", alias(0, A_NULL, 0, 0, 0)),
    ("aECDSA", alias(0, mask!(Au::Ecdsa), 0, 0, 0)),
    ("ECDSA", alias(0, mask!(Au::Ecdsa), 0, 0, 0)),
    ("aPSK", alias(0, mask!(Au::Psk), 0, 0, 0)),
    ("aSRP", alias(0, mask!(Au::Srp), 0, 0, 0)),
    ("EDH", alias(mask!(Kx::Dhe), !A_NULL, 0, 0, 0)),
    ("DHE", alias(mask!(Kx::Dhe), !A_NULL, 0, 0, 0)),
    ("EECDH", alias(mask!(Kx::Ecdhe), !A_NULL, 0, 0, 0)),
    ("ECDHE", alias(mask!(Kx::Ecdhe), !A_NULL, 0, 0, 0)),
    ("NULL", alias(0, 0, E_NULL, 0, 0)),
    ("RSA", alias(mask!(Kx::Rsa), mask!(Au::Rsa), 0, 0, 0)),
    ("ADH", alias(mask!(Kx::Dhe), A_NULL, 0, 0, 0)),
    ("AECDH", alias(mask!(Kx::Ecdhe), A_NULL, 0, 0, 0)),
    ("PSK", alias(K_ALL_PSK, 0, 0, 0, 0)),
    ("SRP", alias(mask!(Kx::Srp), 0, 0, 0, 0)),
    ("3DES", alias(0, 0, mask!(Enc::TripleDes), 0, 0)),
    ("RC4", alias(0, 0, mask!(Enc::Rc4), 0, 0)),
    ("RC2", alias(0, 0, mask!(Enc::Rc2), 0, 0)),
    ("IDEA", alias(0, 0, mask!(Enc::Idea), 0, 0)),
    ("SEED", alias(0, 0, mask!(Enc::Seed), 0, 0)),
    ("eNULL", alias(0, 0, E_NULL, 0, 0)),
    ("AES128", alias(0, 0, E_AES128, 0, 0)),
    ("AES256", alias(0, 0, E_AES256, 0, 0)),
    ("AES", alias(0, 0, E_AES128 | E_AES256, 0, 0)),
    (
        "AESGCM",
        alias(0, 0, mask!(Enc::Aes128Gcm, Enc::Aes256Gcm), 0, 0),
    ),
    ("AESCCM", alias(0, 0, E_AESCCM, 0, 0)),
    ("AESCCM8", alias(0, 0, E_AESCCM8, 0, 0)),
    ("CAMELLIA128", alias(0, 0, mask!(Enc::Camellia128), 0, 0)),
    ("CAMELLIA256", alias(0, 0, mask!(Enc::Camellia256), 0, 0)),
    ("CAMELLIA", alias(0, 0, E_CAMELLIA, 0, 0)),
    ("CHACHA20", alias(0, 0, mask!(Enc::ChaCha20Poly1305), 0, 0)),
    ("ARIA", alias(0, 0, E_ARIAGCM, 0, 0)),
    ("ARIAGCM", alias(0, 0, E_ARIAGCM, 0, 0)),
    ("ARIA128", alias(0, 0, mask!(Enc::Aria128Gcm), 0, 0)),
    ("ARIA256", alias(0, 0, mask!(Enc::Aria256Gcm), 0, 0)),
    ("CBC", alias(0, 0, E_CBC, 0, 0)),
    ("MD5", alias(0, 0, 0, mask!(Mac::Md5), 0)),
    ("SHA1", alias(0, 0, 0, mask!(Mac::Sha1), 0)),
    ("SHA", alias(0, 0, 0, mask!(Mac::Sha1), 0)),
    ("SHA256", alias(0, 0, 0, mask!(Mac::Sha256), 0)),
    ("SHA384", alias(0, 0, 0, mask!(Mac::Sha384), 0)),
    ("SSLv3", version_alias(TlsVersion::Ssl3)),
    ("TLSv1", version_alias(TlsVersion::Tls1)),
    ("TLSv1.0", version_alias(TlsVersion::Tls1)),
    ("TLSv1.2", version_alias(TlsVersion::Tls12)),
    ("LOW", alias(0, 0, 0, 0, S_LOW)),
    ("MEDIUM", alias(0, 0, 0, 0, S_MEDIUM)),
    ("HIGH", alias(0, 0, 0, 0, S_HIGH)),
    ("FIPS", alias(0, 0, !E_NULL, 0, S_FIPS)),
    // The pre-1.1.0 names of the DHE 3DES suites survive as aliases.
    ("EDH-DSS-DES-CBC3-SHA", edh_3des(Au::Dss)),
    ("EDH-RSA-DES-CBC3-SHA", edh_3des(Au::Rsa)),
];

/// Ciphers OpenSSL 3 cannot load from its default provider (`ssl_load_ciphers`):
/// aliases made only of them are unknown words, e.g. `RC4`. This is not the set of
/// ciphers without built suites: `3DES` is still a known alias. (Every key exchange,
/// authentication and MAC named in `ALIASES` is available; GOST is left out.)
const DISABLED_ENC: u32 = mask!(Enc::Rc4, Enc::Rc2, Enc::Idea, Enc::Seed, Enc::Des);

const fn edh_3des(au: Au) -> Pattern {
    let (kx, enc, mac) = (mask!(Kx::Dhe), mask!(Enc::TripleDes), mask!(Mac::Sha1));
    alias(kx, mask!(au), enc, mac, S_HIGH | S_FIPS)
}

/// A suite as a fully specific pattern.
fn suite_pattern(s: &CipherSuite) -> Pattern {
    let class = match s.strength {
        Strength::High => S_HIGH,
        Strength::Medium => S_MEDIUM,
        Strength::Low | Strength::Export => S_LOW,
        Strength::None => S_NONE,
    };
    let fips = if s.fips { S_FIPS } else { 0 };
    let not_default = if s.in_default { 0 } else { S_NOT_DEFAULT };
    Pattern {
        kx: mask!(s.kx),
        au: mask!(s.au),
        enc: mask!(s.enc),
        mac: mask!(s.mac),
        min_version: Some(s.min_version),
        strength: class | fips | not_default,
        suite: Some(s.code),
    }
}

impl Pattern {
    /// `ssl_cipher_apply_rule`'s test of one suite.
    fn matches(&self, s: &Pattern) -> bool {
        let strong = self.strength & S_STRONG_MASK;
        let default = self.strength & S_DEFAULT_MASK;
        (self.suite.is_none() || self.suite == s.suite)
            && (self.kx == 0 || self.kx & s.kx != 0)
            && (self.au == 0 || self.au & s.au != 0)
            && (self.enc == 0 || self.enc & s.enc != 0)
            && (self.mac == 0 || self.mac & s.mac != 0)
            && (self.min_version.is_none() || self.min_version == s.min_version)
            && (strong == 0 || strong & s.strength != 0)
            && (default == 0 || default & s.strength != 0)
    }

    /// Adds one `+`-joined word to the pattern; `None` when the masks exclude each
    /// other (OpenSSL then ignores the item). Follows `ssl_cipher_process_rulestr`
    /// to the letter, quirks included (a later strength word replaces an earlier
    /// `COMPLEMENTOFDEFAULT`; only the last word's suite identity counts).
    fn and(mut self, word: &Pattern, names_suite: bool) -> Option<Pattern> {
        self.kx = and_mask(self.kx, word.kx)?;
        self.au = and_mask(self.au, word.au)?;
        self.enc = and_mask(self.enc, word.enc)?;
        self.mac = and_mask(self.mac, word.mac)?;
        let strong = word.strength & S_STRONG_MASK;
        if strong != 0 {
            if self.strength & S_STRONG_MASK != 0 {
                self.strength &= strong | !S_STRONG_MASK;
                if self.strength & S_STRONG_MASK == 0 {
                    return None;
                }
            } else {
                self.strength = strong;
            }
        }
        let default = word.strength & S_DEFAULT_MASK;
        if default != 0 {
            if self.strength & S_DEFAULT_MASK != 0 {
                self.strength &= default | !S_DEFAULT_MASK;
                if self.strength & S_DEFAULT_MASK == 0 {
                    return None;
                }
            } else {
                self.strength |= default;
            }
        }
        self.suite = None;
        if names_suite {
            // A suite's own protocol version is deliberately not part of the pattern.
            self.suite = word.suite;
        } else if let Some(v) = word.min_version {
            if self.min_version.is_some_and(|have| have != v) {
                return None;
            }
            self.min_version = Some(v);
        }
        Some(self)
    }
}

fn and_mask(have: u32, word: u32) -> Option<u32> {
    match (have, word) {
        (_, 0) => Some(have),
        (0, w) => Some(w),
        (h, w) if h & w != 0 => Some(h & w),
        _ => None,
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Rule {
    Add,
    Kill,
    Del,
    Ord,
    Special,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Move {
    InactiveToBack,
    ActiveToBack,
    ActiveToFront,
}

struct Entry {
    suite: &'static CipherSuite,
    pattern: Pattern,
    active: bool,
}

struct State {
    list: Vec<Entry>,
    seclevel: Option<u8>,
    unknown: Vec<String>,
}

fn is_separator(b: u8) -> bool {
    matches!(b, b':' | b' ' | b';' | b',')
}

fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'=')
}

impl State {
    fn new() -> State {
        let mut built: Vec<&'static CipherSuite> = suites()
            .iter()
            .filter(|s| s.in_cipher_list_universe())
            .collect();
        built.sort_by_key(|s| s.rank);
        let list: Vec<Entry> = built
            .into_iter()
            .map(|suite| Entry {
                suite,
                pattern: suite_pattern(suite),
                active: false,
            })
            .collect();
        State {
            list,
            seclevel: None,
            unknown: Vec::new(),
        }
    }

    /// Resolves one word: a built suite's OpenSSL name (even once killed), else an
    /// offered alias.
    fn lookup(&self, word: &str) -> Option<(Pattern, bool)> {
        let suite = suites()
            .iter()
            .find(|s| s.in_cipher_list_universe() && s.openssl == word);
        if let Some(suite) = suite {
            return Some((suite_pattern(suite), true));
        }
        let (_, p) = ALIASES.iter().find(|(name, _)| *name == word)?;
        let offered = p.enc == 0 || p.enc & !DISABLED_ENC != 0;
        offered.then_some((*p, false))
    }

    /// `ssl_cipher_process_rulestr`.
    fn process(&mut self, rules: &str) -> Result<(), CipherStringError> {
        let b = rules.as_bytes();
        let mut i = 0;
        while i < b.len() {
            let rule = match b[i] {
                b'-' => Rule::Del,
                b'+' => Rule::Ord,
                b'!' => Rule::Kill,
                b'@' => Rule::Special,
                _ => Rule::Add,
            };
            if is_separator(b[i]) {
                i += 1;
                continue;
            }
            if rule != Rule::Add {
                i += 1;
            }
            let pattern = self.read_item(b, &mut i, rule)?;
            match (rule, pattern) {
                (Rule::Special, _) | (_, None) => {
                    // The rest of an ignored or special item is skipped.
                    while i < b.len() && !is_separator(b[i]) {
                        i += 1;
                    }
                }
                (_, Some(p)) => self.apply(rule, &p),
            }
        }
        Ok(())
    }

    /// Reads `WORD(+WORD)*` (or an `@` command) at `*i`. `Ok(None)` when the item
    /// selects nothing OpenSSL would act on.
    fn read_item(
        &mut self,
        b: &[u8],
        i: &mut usize,
        rule: Rule,
    ) -> Result<Option<Pattern>, CipherStringError> {
        let mut pattern = Pattern::default();
        loop {
            let start = *i;
            while *i < b.len() && is_word_byte(b[*i]) {
                *i += 1;
            }
            if *i == start {
                return Err(CipherStringError::InvalidCommand { at: start });
            }
            // Word bytes are ASCII, so this slice is valid UTF-8.
            let word = std::str::from_utf8(&b[start..*i]).unwrap_or_default();
            if rule == Rule::Special {
                self.special(word, start)?;
                return Ok(None);
            }
            let multi = *i < b.len() && b[*i] == b'+';
            if multi {
                *i += 1;
            }
            let Some((word_pattern, names_suite)) = self.lookup(word) else {
                // Report what OpenSSL skips, so `TLS_AES_128_GCM_SHA256` is not
                // reported as `TLS` (`_` ends a word).
                let len = b[start..]
                    .iter()
                    .position(|&c| is_separator(c) || c == b'+');
                let end = len.map_or(b.len(), |n| start + n);
                self.unknown
                    .push(String::from_utf8_lossy(&b[start..end]).into_owned());
                return Ok(None);
            };
            match pattern.and(&word_pattern, names_suite) {
                Some(p) => pattern = p,
                None => return Ok(None),
            }
            if !multi {
                return Ok(Some(pattern));
            }
        }
    }

    fn special(&mut self, word: &str, at: usize) -> Result<(), CipherStringError> {
        if word == "STRENGTH" {
            self.strength_sort();
            return Ok(());
        }
        match word.strip_prefix("SECLEVEL=").map(str::as_bytes) {
            Some([d @ b'0'..=b'5']) => {
                self.seclevel = Some(d - b'0');
                Ok(())
            }
            _ => Err(CipherStringError::InvalidCommand { at }),
        }
    }

    /// `ssl_cipher_apply_rule` for a user rule.
    fn apply(&mut self, rule: Rule, p: &Pattern) {
        match rule {
            // Matching inactive suites join the end, in list order.
            Rule::Add => self.move_matching(p, Move::InactiveToBack),
            // Matching active suites move to the end, in list order.
            Rule::Ord => self.move_matching(p, Move::ActiveToBack),
            // Matching active suites go inactive at the front: re-adding them later
            // puts them back in the order they had.
            Rule::Del => self.move_matching(p, Move::ActiveToFront),
            Rule::Kill => self.list.retain(|e| !p.matches(&e.pattern)),
            Rule::Special => {}
        }
    }

    /// Moves the matching suites, keeping their relative order, and flips their
    /// state as the move implies (to the back: active; to the front: inactive).
    fn move_matching(&mut self, p: &Pattern, how: Move) {
        let was_active = how != Move::InactiveToBack;
        let to_back = how != Move::ActiveToFront;
        let (mut moved, kept): (Vec<Entry>, Vec<Entry>) = std::mem::take(&mut self.list)
            .into_iter()
            .partition(|e| e.active == was_active && p.matches(&e.pattern));
        for e in &mut moved {
            e.active = to_back;
        }
        self.list = if to_back {
            kept.into_iter().chain(moved).collect()
        } else {
            moved.into_iter().chain(kept).collect()
        };
    }

    /// `@STRENGTH`: active suites to the end, stably sorted by descending key bits.
    fn strength_sort(&mut self) {
        let (mut active, inactive): (Vec<Entry>, Vec<Entry>) = std::mem::take(&mut self.list)
            .into_iter()
            .partition(|e| e.active);
        active.sort_by_key(|e| std::cmp::Reverse(e.suite.bits));
        self.list = inactive.into_iter().chain(active).collect();
    }
}
