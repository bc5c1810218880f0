//! Profiles: the guide's own requirements (default) and Mozilla's
//! server-side TLS guideline 6.0 (`intermediate`, `modern`).

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Profile {
    /// What the hardening guide requires: TLSv1.2/1.3, `HIGH:!aNULL:!MD5` or
    /// stronger, server cipher order on, HSTS one year when present.
    Guide,
    /// Mozilla intermediate: TLSv1.2/1.3, the six ECDHE AEAD suites, client
    /// cipher order, HSTS two years.
    Intermediate,
    /// Mozilla modern: TLSv1.3 only.
    Modern,
}

/// The thresholds a profile sets; rules read these instead of matching on
/// the profile, so a new profile is one table row.
#[derive(Debug)]
pub struct ProfileSpec {
    pub name: &'static str,
    /// Protocol versions that may be enabled.
    pub protocols: &'static [&'static str],
    /// What `ssl_prefer_server_ciphers` should be.
    pub prefer_server_ciphers: bool,
    /// Whether enabled suites must all be forward secret and AEAD.
    pub strict_suites: bool,
    pub hsts_min_age: u64,
    /// Longest certificate validity, in days, before an info note.
    pub max_certificate_days: i64,
    pub min_rsa_bits: u32,
    pub min_dh_bits: u32,
}

const GUIDE: ProfileSpec = ProfileSpec {
    name: "guide",
    protocols: &["TLSv1.2", "TLSv1.3"],
    prefer_server_ciphers: true,
    strict_suites: false,
    hsts_min_age: 31_536_000,
    max_certificate_days: 825,
    min_rsa_bits: 2048,
    min_dh_bits: 2048,
};

// Numbers from shared/mozilla-server-side-tls-6.0.json.
const INTERMEDIATE: ProfileSpec = ProfileSpec {
    name: "intermediate",
    protocols: &["TLSv1.2", "TLSv1.3"],
    prefer_server_ciphers: false,
    strict_suites: true,
    hsts_min_age: 63_072_000,
    max_certificate_days: 366,
    min_rsa_bits: 2048,
    min_dh_bits: 2048,
};

const MODERN: ProfileSpec = ProfileSpec {
    name: "modern",
    protocols: &["TLSv1.3"],
    prefer_server_ciphers: false,
    strict_suites: true,
    hsts_min_age: 63_072_000,
    max_certificate_days: 90,
    min_rsa_bits: 2048,
    min_dh_bits: 2048,
};

impl Profile {
    pub fn spec(self) -> &'static ProfileSpec {
        match self {
            Profile::Guide => &GUIDE,
            Profile::Intermediate => &INTERMEDIATE,
            Profile::Modern => &MODERN,
        }
    }

    pub fn name(self) -> &'static str {
        self.spec().name
    }
}

/// Mozilla's intermediate TLS ≤1.2 suites, in their order (OpenSSL names).
pub const MOZILLA_INTERMEDIATE_CIPHERS: &str = "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305";
