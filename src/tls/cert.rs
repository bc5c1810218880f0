//! Facts about X.509 certificates, read either from the PEM file that `ssl_certificate` names
//! (leaf first, then intermediates) or from the DER chain a live handshake returns.
//!
//! This module only describes certificates; rules decide what is worth a diagnostic.

use std::fmt;
use std::net::IpAddr;

use sha2::{Digest, Sha256};
use x509_parser::certificate::X509Certificate;
use x509_parser::extensions::{GeneralName, ParsedExtension};
use x509_parser::objects::{oid2sn, oid_registry};
use x509_parser::oid_registry::Oid;
use x509_parser::prelude::FromDer;
use x509_parser::public_key::RSAPublicKey;
use x509_parser::signature_algorithm::SignatureAlgorithm;
use x509_parser::x509::SubjectPublicKeyInfo;

use crate::tls::key::pem_blocks;

const SECS_PER_DAY: i64 = 86_400;

/// Everything the rules and the probe need to know about one certificate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertificateInfo {
    pub subject_cn: Option<String>,
    /// RFC 4514-style rendering, e.g. `CN=localhost, O=Example`.
    pub subject: String,
    pub issuer: String,
    /// Unix seconds.
    pub not_before: i64,
    /// Unix seconds.
    pub not_after: i64,
    pub san_dns: Vec<String>,
    pub san_ip: Vec<IpAddr>,
    /// True when a subjectAltName extension exists, even an empty one: its presence is what
    /// makes RFC 6125 clients ignore the subject CN.
    pub has_san_extension: bool,
    pub key: PublicKeyInfo,
    /// OpenSSL-style short name such as `sha256WithRSAEncryption`, or the dotted OID.
    pub signature_algorithm: String,
    pub weak_signature: Option<WeakHash>,
    /// Issuer name equals subject name.
    pub self_issued: bool,
    /// Self-issued and signed by its own key; see [`SelfSignature`] for how that was decided.
    pub self_signed: bool,
    pub self_signature: SelfSignature,
    pub is_ca: bool,
    pub subject_key_id: Option<Vec<u8>>,
    pub authority_key_id: Option<Vec<u8>>,
    pub sha256_fingerprint: [u8; 32],
    /// DER SubjectPublicKeyInfo, for matching against a private key.
    pub spki_der: Vec<u8>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PublicKeyInfo {
    Rsa {
        bits: u32,
    },
    /// `curve` is the NIST name where there is one (`P-256`), else the dotted curve OID.
    Ec {
        curve: String,
        bits: u32,
    },
    Ed25519,
    /// Algorithm name or OID of anything else (DSA, Ed448, GOST…).
    Other(String),
}

/// Hash functions whose collision resistance is broken, making the signature forgeable.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WeakHash {
    Md2,
    Md4,
    Md5,
    Sha1,
}

/// How `self_signed` was decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SelfSignature {
    /// Issuer differs from subject, so the signature was not checked.
    NotSelfIssued,
    /// The signature verifies with the certificate's own key.
    Verified,
    /// The signature does not verify with its own key (issued by a same-named CA, or corrupt).
    Invalid,
    /// ring cannot check this algorithm (MD5, RSA under 1024 bits, P-521…). `self_signed`
    /// then follows OpenSSL's non-cryptographic test: no authority key id, or one equal to
    /// the subject key id.
    Unverifiable,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CertError {
    NoPemCertificate,
    /// `index` is the position in a PEM chain, `None` for a lone DER certificate.
    InvalidCertificate {
        index: Option<usize>,
        reason: String,
    },
}

impl fmt::Display for CertError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CertError::NoPemCertificate => f.write_str("no PEM certificate found"),
            CertError::InvalidCertificate { index, reason } => match index {
                None => write!(f, "not a valid X.509 certificate: {reason}"),
                Some(i) => write!(
                    f,
                    "certificate #{} in the file is not a valid X.509 certificate: {reason}",
                    i + 1
                ),
            },
        }
    }
}

impl std::error::Error for CertError {}

/// Parses every certificate block of an nginx `ssl_certificate` file, in file order.
///
/// Other blocks (a private key kept in the same file, `EC PARAMETERS`) are skipped, as nginx
/// does. `TRUSTED CERTIFICATE` is accepted because nginx reads the leaf with
/// `PEM_read_bio_X509_AUX`.
pub fn parse_pem_chain(bytes: &[u8]) -> Result<Vec<CertificateInfo>, CertError> {
    let mut chain = Vec::new();
    for block in pem_blocks(bytes) {
        let labels = ["CERTIFICATE", "X509 CERTIFICATE", "TRUSTED CERTIFICATE"];
        if !labels.contains(&block.label.as_str()) {
            continue;
        }
        let index = Some(chain.len());
        let invalid = |reason: String| CertError::InvalidCertificate { index, reason };
        let der = block
            .decode()
            .ok_or_else(|| invalid("invalid base64".into()))?;
        let info = parse_der(&der).map_err(|e| match e {
            CertError::InvalidCertificate { reason, .. } => invalid(reason),
            other => other,
        })?;
        chain.push(info);
    }
    if chain.is_empty() {
        return Err(CertError::NoPemCertificate);
    }
    Ok(chain)
}

/// Parses one DER certificate, such as each entry of a handshake's certificate chain.
/// Trailing bytes (OpenSSL's trust data after a `TRUSTED CERTIFICATE`) are ignored.
pub fn parse_der(der: &[u8]) -> Result<CertificateInfo, CertError> {
    let invalid = |reason: String| CertError::InvalidCertificate {
        index: None,
        reason,
    };
    let (_, cert) = X509Certificate::from_der(der).map_err(|e| {
        invalid(match e {
            x509_parser::nom::Err::Incomplete(_) => "the data is truncated".to_string(),
            x509_parser::nom::Err::Error(e) | x509_parser::nom::Err::Failure(e) => e.to_string(),
        })
    })?;
    let raw = cert.as_raw();

    let mut san_dns = Vec::new();
    let mut san_ip = Vec::new();
    let san = cert
        .subject_alternative_name()
        .map_err(|e| invalid(format!("subjectAltName: {e}")))?;
    if let Some(san) = &san {
        for name in &san.value.general_names {
            match name {
                GeneralName::DNSName(dns) => san_dns.push((*dns).to_string()),
                GeneralName::IPAddress(bytes) => san_ip.extend(ip_from_bytes(bytes)),
                _ => {}
            }
        }
    }

    let is_ca = cert
        .basic_constraints()
        .map_err(|e| invalid(format!("basicConstraints: {e}")))?
        .is_some_and(|bc| bc.value.ca);

    let mut subject_key_id = None;
    let mut authority_key_id = None;
    for ext in cert.iter_extensions() {
        match ext.parsed_extension() {
            ParsedExtension::SubjectKeyIdentifier(id) => subject_key_id = Some(id.0.to_vec()),
            ParsedExtension::AuthorityKeyIdentifier(aki) => {
                authority_key_id = aki.key_identifier.as_ref().map(|id| id.0.to_vec());
            }
            _ => {}
        }
    }

    let self_issued = cert.subject().as_raw() == cert.issuer().as_raw()
        || cert.subject().to_string() == cert.issuer().to_string();
    let self_signature = if !self_issued {
        SelfSignature::NotSelfIssued
    } else {
        match verify_own_signature(&cert) {
            Some(true) => SelfSignature::Verified,
            Some(false) => SelfSignature::Invalid,
            None => SelfSignature::Unverifiable,
        }
    };
    let self_signed = match self_signature {
        SelfSignature::Verified => true,
        SelfSignature::Unverifiable => {
            authority_key_id.is_none() || authority_key_id == subject_key_id
        }
        SelfSignature::NotSelfIssued | SelfSignature::Invalid => false,
    };

    let subject_cn = cert
        .subject()
        .iter_common_name()
        .next()
        .and_then(|cn| cn.as_str().ok())
        .map(str::to_string);
    let sig_oid = &cert.signature_algorithm.algorithm;
    Ok(CertificateInfo {
        subject_cn,
        subject: cert.subject().to_string(),
        issuer: cert.issuer().to_string(),
        not_before: cert.validity().not_before.timestamp(),
        not_after: cert.validity().not_after.timestamp(),
        san_dns,
        san_ip,
        has_san_extension: san.is_some(),
        key: describe_key(cert.public_key()),
        signature_algorithm: oid_name(sig_oid),
        weak_signature: weak_hash(&cert),
        self_issued,
        self_signed,
        self_signature,
        is_ca,
        subject_key_id,
        authority_key_id,
        sha256_fingerprint: Sha256::digest(raw).into(),
        spki_der: cert.public_key().raw.to_vec(),
    })
}

fn ip_from_bytes(bytes: &[u8]) -> Option<IpAddr> {
    match bytes.len() {
        4 => Some(IpAddr::from(<[u8; 4]>::try_from(bytes).ok()?)),
        16 => Some(IpAddr::from(<[u8; 16]>::try_from(bytes).ok()?)),
        _ => None,
    }
}

/// OpenSSL's short name, so that messages agree with `openssl x509 -text`.
fn oid_name(oid: &Oid) -> String {
    let id = oid.to_id_string();
    let name = match id.as_str() {
        "1.2.840.113549.1.1.10" => "rsassaPss",
        "1.2.840.10045.4.1" => "ecdsa-with-SHA1",
        "1.3.101.112" => "ED25519",
        "1.3.101.113" => "ED448",
        other => oid2sn(oid, oid_registry()).unwrap_or(other),
    };
    name.to_string()
}

/// Bit length of a big-endian unsigned integer, ignoring DER's leading zero bytes.
pub(crate) fn uint_bits(bytes: &[u8]) -> u32 {
    let bytes = match bytes.iter().position(|&b| b != 0) {
        Some(first) => &bytes[first..],
        None => return 0,
    };
    (bytes.len() as u32 - 1) * 8 + (8 - bytes[0].leading_zeros())
}

fn describe_key(spki: &SubjectPublicKeyInfo) -> PublicKeyInfo {
    match spki.algorithm.algorithm.to_id_string().as_str() {
        // rsaEncryption and RSASSA-PSS keys share the RSAPublicKey encoding.
        "1.2.840.113549.1.1.1" | "1.2.840.113549.1.1.10" => {
            match RSAPublicKey::from_der(&spki.subject_public_key.data) {
                Ok((_, rsa)) => PublicKeyInfo::Rsa {
                    bits: uint_bits(rsa.modulus),
                },
                Err(_) => PublicKeyInfo::Other("malformed RSA key".into()),
            }
        }
        "1.2.840.10045.2.1" => {
            let point = &spki.subject_public_key.data;
            let (curve, bits) = match named_curve(spki).as_deref() {
                Some("1.2.840.10045.3.1.7") => ("P-256".to_string(), 256),
                Some("1.3.132.0.34") => ("P-384".to_string(), 384),
                Some("1.3.132.0.35") => ("P-521".to_string(), 521),
                Some("1.3.132.0.10") => ("secp256k1".to_string(), 256),
                Some(other) => (other.to_string(), ec_bits_from_point(point)),
                None => ("explicit parameters".to_string(), ec_bits_from_point(point)),
            };
            PublicKeyInfo::Ec { curve, bits }
        }
        "1.3.101.112" => PublicKeyInfo::Ed25519,
        "1.3.101.113" => PublicKeyInfo::Other("Ed448".into()),
        "1.2.840.10040.4.1" => PublicKeyInfo::Other("DSA".into()),
        _ => PublicKeyInfo::Other(oid_name(&spki.algorithm.algorithm)),
    }
}

fn named_curve(spki: &SubjectPublicKeyInfo) -> Option<String> {
    let params = spki.algorithm.parameters.as_ref()?;
    Oid::try_from(params).ok().map(|oid| oid.to_id_string())
}

/// Field size from the encoded point: `04 || X || Y` or `02/03 || X`.
fn ec_bits_from_point(point: &[u8]) -> u32 {
    match point.first() {
        Some(4) => ((point.len() - 1) / 2 * 8) as u32,
        Some(2 | 3) => ((point.len() - 1) * 8) as u32,
        _ => 0,
    }
}

fn weak_hash(cert: &X509Certificate) -> Option<WeakHash> {
    let alg = &cert.signature_algorithm;
    match alg.algorithm.to_id_string().as_str() {
        "1.2.840.113549.1.1.2" => Some(WeakHash::Md2),
        "1.2.840.113549.1.1.3" => Some(WeakHash::Md4),
        "1.2.840.113549.1.1.4" => Some(WeakHash::Md5),
        // sha1WithRSAEncryption, its OIW alias, ecdsa-with-SHA1, dsa-with-sha1
        "1.2.840.113549.1.1.5" | "1.3.14.3.2.29" | "1.2.840.10045.4.1" | "1.2.840.10040.4.3" => {
            Some(WeakHash::Sha1)
        }
        // RSASSA-PSS's hash parameter defaults to SHA-1 when absent.
        "1.2.840.113549.1.1.10" => match SignatureAlgorithm::try_from(alg) {
            Ok(SignatureAlgorithm::RSASSA_PSS(params))
                if params.hash_algorithm_oid().to_id_string() == "1.3.14.3.2.26" =>
            {
                Some(WeakHash::Sha1)
            }
            _ => None,
        },
        _ => None,
    }
}

/// Checks the certificate's signature with its own public key. `None` when ring has no
/// verifier for the algorithm or key. ring's legacy RSA verifiers are used so that 1024-bit
/// and SHA-1 self-signed certificates, exactly the weak ones a linter must recognise, verify.
fn verify_own_signature(cert: &X509Certificate) -> Option<bool> {
    use ring::signature as rs;
    let spki = cert.public_key();
    let curve = named_curve(spki);
    let ecdsa = |p256: &'static rs::EcdsaVerificationAlgorithm, p384| {
        let alg: &dyn rs::VerificationAlgorithm = match curve.as_deref() {
            Some("1.2.840.10045.3.1.7") => p256,
            Some("1.3.132.0.34") => p384,
            _ => return None,
        };
        Some((alg, 0))
    };
    // The verifier and the smallest RSA modulus it accepts.
    let (alg, min_rsa_bits): (&dyn rs::VerificationAlgorithm, u32) = match cert
        .signature_algorithm
        .algorithm
        .to_id_string()
        .as_str()
    {
        "1.2.840.113549.1.1.5" | "1.3.14.3.2.29" => {
            (&rs::RSA_PKCS1_1024_8192_SHA1_FOR_LEGACY_USE_ONLY, 1024)
        }
        "1.2.840.113549.1.1.11" => (&rs::RSA_PKCS1_1024_8192_SHA256_FOR_LEGACY_USE_ONLY, 1024),
        "1.2.840.113549.1.1.12" => (&rs::RSA_PKCS1_2048_8192_SHA384, 2048),
        "1.2.840.113549.1.1.13" => (&rs::RSA_PKCS1_1024_8192_SHA512_FOR_LEGACY_USE_ONLY, 1024),
        "1.2.840.113549.1.1.10" => {
            let Ok(SignatureAlgorithm::RSASSA_PSS(params)) =
                SignatureAlgorithm::try_from(&cert.signature_algorithm)
            else {
                return None;
            };
            let hash = params.hash_algorithm_oid().to_id_string();
            let (alg, hash_len): (&dyn rs::VerificationAlgorithm, u32) = match hash.as_str() {
                "2.16.840.1.101.3.4.2.1" => (&rs::RSA_PSS_2048_8192_SHA256, 32),
                "2.16.840.1.101.3.4.2.2" => (&rs::RSA_PSS_2048_8192_SHA384, 48),
                "2.16.840.1.101.3.4.2.3" => (&rs::RSA_PSS_2048_8192_SHA512, 64),
                _ => return None,
            };
            // ring verifies only salt length = hash length with MGF1 over the same hash;
            // OpenSSL signs with the longest salt that fits.
            let mgf_hash = params.mask_gen_algorithm().ok()?.hash.to_id_string();
            if params.salt_length() != hash_len || mgf_hash != hash {
                return None;
            }
            (alg, 2048)
        }
        "1.2.840.10045.4.3.2" => ecdsa(&rs::ECDSA_P256_SHA256_ASN1, &rs::ECDSA_P384_SHA256_ASN1)?,
        "1.2.840.10045.4.3.3" => ecdsa(&rs::ECDSA_P256_SHA384_ASN1, &rs::ECDSA_P384_SHA384_ASN1)?,
        "1.3.101.112" => (&rs::ED25519, 0),
        _ => return None,
    };
    let key = &spki.subject_public_key.data;
    // Keys ring refuses outright say nothing about the signature.
    match describe_key(spki) {
        PublicKeyInfo::Rsa { bits } if bits < min_rsa_bits || bits > 8192 => return None,
        PublicKeyInfo::Ec { .. } if key.first() != Some(&4) => return None, // compressed point
        _ => {}
    }
    let tbs = cert.tbs_certificate.as_ref();
    Some(
        rs::UnparsedPublicKey::new(alg, key)
            .verify(tbs, &cert.signature_value.data)
            .is_ok(),
    )
}

impl CertificateInfo {
    /// Whole days until `not_after`, rounded down; negative once expired.
    pub fn days_until_expiry(&self, now: i64) -> i64 {
        (self.not_after - now).div_euclid(SECS_PER_DAY)
    }

    /// Length of the validity period in whole days.
    pub fn validity_days(&self) -> i64 {
        (self.not_after - self.not_before).div_euclid(SECS_PER_DAY)
    }

    pub fn is_expired(&self, now: i64) -> bool {
        now > self.not_after
    }

    pub fn is_not_yet_valid(&self, now: i64) -> bool {
        now < self.not_before
    }

    /// RFC 6125 matching: SAN dNSName / iPAddress entries; the subject CN is consulted only
    /// when the certificate has no subjectAltName extension at all (legacy clients, curl,
    /// OpenSSL's `X509_check_host` without flags). Browsers never use the CN: see
    /// [`Self::covers_name_browser`].
    ///
    /// `name` is a host name, an IP literal, or a wildcard name `*.example.com`, which is
    /// covered only by the identical wildcard SAN (a concrete SAN covers one host, not all).
    pub fn covers_name(&self, name: &str) -> bool {
        self.covers(name, !self.has_san_extension)
    }

    /// Browser matching: SAN entries only, the CN is never used.
    pub fn covers_name_browser(&self, name: &str) -> bool {
        self.covers(name, false)
    }

    /// Checks an nginx `server_name` argument with browser semantics. `None` means
    /// "cannot tell": regexes, catch-all names, variables and nginx-only wildcard forms.
    pub fn covers_server_name(&self, server_name: &str) -> Option<bool> {
        let names = names_to_check(server_name);
        if names.is_empty() {
            return None;
        }
        Some(names.iter().all(|n| self.covers_name_browser(n)))
    }

    fn covers(&self, name: &str, use_cn: bool) -> bool {
        let name = normalise_host(name);
        // Only digits and dots (IPv4, bracketed or not) or a colon (IPv6)
        // can parse as an address: spare host names the attempt.
        let maybe_ip = name.contains(':')
            || name
                .bytes()
                .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'[' | b']'));
        if let Some(ip) = maybe_ip
            .then(|| {
                name.trim_start_matches('[')
                    .trim_end_matches(']')
                    .parse()
                    .ok()
            })
            .flatten()
        {
            return self.san_ip.contains(&ip);
        }
        let cn = self.subject_cn.as_deref().filter(|_| use_cn);
        self.san_dns
            .iter()
            .map(String::as_str)
            .chain(cn)
            .any(|p| dns_id_matches(p, &name))
    }
}

/// Trimmed of spaces and trailing dots, lowercased. Borrowed unless there
/// is a capital to lower: coverage is asked for every name of every
/// server, and most names (all from `names_to_check`) need no copy.
fn normalise_host(name: &str) -> std::borrow::Cow<'_, str> {
    let name = name.trim().trim_end_matches('.');
    if name.bytes().any(|b| b.is_ascii_uppercase()) {
        std::borrow::Cow::Owned(name.to_ascii_lowercase())
    } else {
        std::borrow::Cow::Borrowed(name)
    }
}

/// Whether presented identifier `pattern` (from the certificate) covers `name`
/// (normalised: see [`normalise_host`]). Wildcards: only a whole left-most `*` label,
/// standing for exactly one non-empty label, and never directly above a single-label name
/// (`*.com`), as browsers require. The pattern is compared ignoring case rather than
/// lowercased into a copy: servers × names × certificate names add up.
fn dns_id_matches(pattern: &str, name: &str) -> bool {
    let pattern = pattern.trim().trim_end_matches('.');
    if pattern.is_empty() || name.is_empty() {
        return false;
    }
    let wildcard_parent = pattern.strip_prefix("*.");
    if let Some(parent) = wildcard_parent {
        if parent.contains('*') || !parent.contains('.') {
            return false;
        }
    } else if pattern.contains('*') {
        return false;
    }
    if name.starts_with("*.") {
        return pattern.eq_ignore_ascii_case(name);
    }
    match wildcard_parent {
        Some(parent) => name
            .split_once('.')
            .is_some_and(|(first, rest)| !first.is_empty() && rest.eq_ignore_ascii_case(parent)),
        None => pattern.eq_ignore_ascii_case(name),
    }
}

/// Turns one nginx `server_name` argument into the concrete names a certificate must cover.
///
/// - `example.com` → `["example.com"]`
/// - `*.example.com` → `["*.example.com"]` (nginx also matches deeper names with it; a
///   certificate cannot, so callers checking coverage see only the one-level form)
/// - `.example.com` → `["example.com", "*.example.com"]`
/// - `~regex`, `_`, `""`, `$hostname`, `www.example.*` and other wildcard forms → `[]`,
///   meaning nothing can be checked statically.
pub fn names_to_check(server_name: &str) -> Vec<String> {
    let name = normalise_host(server_name).into_owned();
    if name.is_empty() || name == "_" || name == "\"\"" || name.starts_with('~') {
        return Vec::new();
    }
    if name.contains('$') {
        return Vec::new();
    }
    if let Some(parent) = name.strip_prefix('.') {
        if parent.is_empty() || parent.contains('*') {
            return Vec::new();
        }
        return vec![parent.to_string(), format!("*.{parent}")];
    }
    if let Some(parent) = name.strip_prefix("*.") {
        if parent.is_empty() || parent.contains('*') {
            return Vec::new();
        }
        return vec![name];
    }
    if name.contains('*') {
        return Vec::new();
    }
    vec![name]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tls::dhparam::test_material::material;

    /// A real certificate with its names and dates replaced, for the matching rules.
    fn named(dns: &[&str], ips: &[&str], cn: Option<&str>, has_san: bool) -> CertificateInfo {
        let mut c = parse_pem_chain(material("san.crt")).unwrap().remove(0);
        c.san_dns = dns.iter().map(|s| s.to_string()).collect();
        c.san_ip = ips.iter().map(|s| s.parse().unwrap()).collect();
        (c.subject_cn, c.has_san_extension) = (cn.map(str::to_string), has_san);
        (c.not_before, c.not_after) = (0, 10 * SECS_PER_DAY + 3600);
        c
    }

    #[test]
    fn wildcards_follow_browser_rules() {
        let sans = ["*.Example.com", "exact.test", "*.com", "f*.wild.test"];
        let c = named(&sans, &[], None, true);
        let cases = [
            ("www.example.com", true),
            ("A.EXAMPLE.COM.", true),
            ("example.com", false), // the wildcard stands for one label, never none
            ("a.b.example.com", false), // nor two
            ("*.example.com", true), // a wildcard name needs the same wildcard
            ("*.exact.test", false),
            ("x.com", false),         // no wildcard directly above a TLD
            ("foo.wild.test", false), // partial-label wildcards are not honoured
            ("exact.test", true),
            ("127.0.0.1", false),
        ];
        for (name, covered) in cases {
            assert_eq!(c.covers_name_browser(name), covered, "{name}");
        }
        assert_eq!(c.covers_server_name(".example.com"), Some(false));
        let both = named(&["example.com", "*.example.com"], &[], None, true);
        assert_eq!(both.covers_server_name(".example.com"), Some(true));
        assert_eq!(both.covers_server_name("_"), None);
    }

    #[test]
    fn common_name_only_without_a_san_extension() {
        let cn_only = named(&[], &[], Some("*.cn.test"), false);
        assert!(cn_only.covers_name("a.cn.test") && !cn_only.covers_name_browser("a.cn.test"));
        // Any SAN extension, even one without DNS names, disables the CN.
        let ip_san = named(&[], &["192.0.2.1"], Some("cn.test"), true);
        assert!(!ip_san.covers_name("cn.test") && ip_san.covers_name("192.0.2.1"));
        // Bracketed, trailing dot, or spaced: still the address.
        for name in ["[192.0.2.1]", "192.0.2.1.", " 192.0.2.1"] {
            assert!(ip_san.covers_name(name), "{name}");
        }
        let v6 = named(&["Host.Test"], &["2001:db8::1"], None, true);
        for name in [
            "2001:db8::1",
            "[2001:DB8::1]",
            "[2001:db8:0::1]",
            "HOST.test.",
        ] {
            assert!(v6.covers_name_browser(name), "{name}");
        }
        assert!(!v6.covers_name_browser("2001:db8::2") && !v6.covers_name_browser("192.0.2.1"));
    }

    #[test]
    fn server_name_forms() {
        let cases: [(&str, &[&str]); 10] = [
            ("Example.COM.", &["example.com"]),
            ("*.example.com", &["*.example.com"]),
            (".example.com", &["example.com", "*.example.com"]),
            ("~^(www\\.)?example\\.com$", &[]),
            ("_", &[]),
            ("", &[]),
            ("\"\"", &[]),
            ("www.example.*", &[]),
            ("$hostname", &[]),
            ("192.0.2.1", &["192.0.2.1"]),
        ];
        for (server_name, expected) in cases {
            assert_eq!(names_to_check(server_name), expected, "{server_name}");
        }
    }

    #[test]
    fn expiry_arithmetic_rounds_down() {
        let c = named(&[], &[], None, false); // valid for 10 days and 1 hour
        assert_eq!(c.validity_days(), 10);
        assert_eq!(c.days_until_expiry(c.not_after - 1), 0);
        assert_eq!(c.days_until_expiry(c.not_after + 1), -1);
    }

    #[test]
    fn errors_say_what_is_wrong() {
        let chain_err = |pem: &[u8]| parse_pem_chain(pem).unwrap_err().to_string();
        assert_eq!(chain_err(b"just text"), "no PEM certificate found");
        let der_err = parse_der(b"\x30\x03\x02\x01\x01").unwrap_err().to_string();
        assert!(
            der_err.starts_with("not a valid X.509 certificate: "),
            "{der_err}"
        );
        let junk = b"-----BEGIN CERTIFICATE-----\nMAMCAQE=\n-----END CERTIFICATE-----\n";
        let err = chain_err(&[material("san.crt"), junk].concat());
        assert!(
            err.starts_with("certificate #2 in the file is not a valid"),
            "{err}"
        );
        let err = chain_err(b"-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----\n");
        assert!(err.ends_with("certificate: invalid base64"), "{err}");
        // A legacy-encrypted key (PEM headers, not plain base64) beside the certificate.
        let with_key = [material("san.crt"), material("rsa-legacy.key")].concat();
        assert_eq!(parse_pem_chain(&with_key).map(|c| c.len()), Ok(1));
    }
}
