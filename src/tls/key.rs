//! Facts about the private key that `ssl_certificate_key` names: its container format, whether
//! it is encrypted (nginx then needs `ssl_password_file`), its public half so a rule can check
//! it belongs to the certificate, and the file's permissions.
//!
//! No private key material leaves this module: [`KeyInfo`] holds only public data, decoded
//! key DER lives in zeroizing buffers, and errors never quote key bytes.

use std::fmt;
use std::os::unix::fs::MetadataExt;
use std::path::Path;

use pkcs8::der::asn1::{Any, BitString, BitStringRef, ObjectIdentifier, OctetStringRef};
use pkcs8::der::zeroize::Zeroizing;
use pkcs8::der::{Decode, Encode};
use pkcs8::spki::{AlgorithmIdentifierOwned, SubjectPublicKeyInfoOwned, SubjectPublicKeyInfoRef};
use pkcs8::{EncryptedPrivateKeyInfoRef, PrivateKeyInfoRef};
use x509_parser::pem::Pem;

use crate::tls::cert::CertificateInfo;

const OID_RSA: &str = "1.2.840.113549.1.1.1";
const OID_RSA_PSS: &str = "1.2.840.113549.1.1.10";
const OID_EC: &str = "1.2.840.10045.2.1";
const OID_ED25519: &str = "1.3.101.112";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyFormat {
    /// `BEGIN PRIVATE KEY`
    Pkcs8,
    /// `BEGIN ENCRYPTED PRIVATE KEY`
    EncryptedPkcs8,
    /// OpenSSL's pre-PKCS#8 encryption: a `Proc-Type: 4,ENCRYPTED` header inside the block.
    LegacyEncrypted,
    /// `BEGIN RSA PRIVATE KEY`
    Pkcs1Rsa,
    /// `BEGIN EC PRIVATE KEY`
    Sec1Ec,
    /// Any other `… PRIVATE KEY` block (DSA, OpenSSH…).
    Unknown,
}

#[derive(Clone, PartialEq, Eq)]
pub struct KeyInfo {
    pub format: KeyFormat,
    pub encrypted: bool,
    /// The PEM label as written, e.g. `RSA PRIVATE KEY`, for messages.
    pub pem_label: String,
    /// DER SubjectPublicKeyInfo derived from the private key; `None` when encrypted or when
    /// the public half cannot be derived (EC key without its optional public key field).
    pub spki_der: Option<Vec<u8>>,
}

impl fmt::Debug for KeyInfo {
    // Hand-written so that no key bytes, even public ones, end up in logs.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KeyInfo")
            .field("format", &self.format)
            .field("encrypted", &self.encrypted)
            .field("pem_label", &self.pem_label)
            .field(
                "spki_der",
                &self
                    .spki_der
                    .as_ref()
                    .map(|d| format!("<{} bytes>", d.len())),
            )
            .finish()
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyError {
    NoPrivateKey,
    MalformedPem(String),
    /// The DER inside the block is not the structure its label promises.
    MalformedKey {
        label: String,
        reason: String,
    },
    /// `decrypt_encrypted_pkcs8` was given a key that is not `ENCRYPTED PRIVATE KEY`.
    NotEncryptedPkcs8(KeyFormat),
    WrongPassphrase,
    UnsupportedEncryption(String),
}

impl fmt::Display for KeyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            KeyError::NoPrivateKey => f.write_str("no PEM private key found"),
            KeyError::MalformedPem(reason) => write!(f, "malformed PEM private key: {reason}"),
            KeyError::MalformedKey { label, reason } => {
                write!(f, "the {label} block is not a valid key: {reason}")
            }
            KeyError::NotEncryptedPkcs8(KeyFormat::LegacyEncrypted) => f.write_str(
                "the key uses legacy PEM encryption (Proc-Type: 4,ENCRYPTED), which cannot be \
                 checked here",
            ),
            KeyError::NotEncryptedPkcs8(_) => {
                f.write_str("the key is not an ENCRYPTED PRIVATE KEY (PKCS#8)")
            }
            KeyError::WrongPassphrase => f.write_str("the passphrase does not decrypt the key"),
            KeyError::UnsupportedEncryption(what) => {
                write!(f, "unsupported key encryption scheme: {what}")
            }
        }
    }
}

impl std::error::Error for KeyError {}

/// One `-----BEGIN …-----` to `-----END …-----` block of a PEM file, not yet decoded, so that
/// blocks nobody asked for (an encrypted key beside a certificate) cannot fail a parse.
pub(crate) struct PemBlock<'a> {
    pub(crate) label: String,
    /// A `Proc-Type: …ENCRYPTED` header: OpenSSL's legacy key encryption.
    pub(crate) legacy_encrypted: bool,
    /// From the BEGIN line through the END line.
    text: &'a [u8],
}

impl PemBlock<'_> {
    /// The base64-decoded body; `None` if it is not valid base64.
    pub(crate) fn decode(&self) -> Option<Vec<u8>> {
        Pem::read(std::io::Cursor::new(self.text))
            .ok()
            .map(|(pem, _)| pem.contents)
    }
}

/// All complete PEM blocks in file order; text outside blocks is ignored, as OpenSSL does.
pub(crate) fn pem_blocks(bytes: &[u8]) -> Vec<PemBlock<'_>> {
    let mut blocks = Vec::new();
    let mut open: Option<(usize, String, bool)> = None;
    let mut offset = 0;
    for line in bytes.split_inclusive(|&b| b == b'\n') {
        let start = offset;
        offset += line.len();
        let line = line.trim_ascii();
        if let Some((begin, label, legacy)) = &mut open {
            if line.starts_with(b"-----END ") {
                blocks.push(PemBlock {
                    label: std::mem::take(label),
                    legacy_encrypted: *legacy,
                    text: &bytes[*begin..offset],
                });
                open = None;
            } else if line.starts_with(b"Proc-Type:") && line.ends_with(b"ENCRYPTED") {
                *legacy = true;
            }
        } else if let Some(label) = line
            .strip_prefix(b"-----BEGIN ")
            .and_then(|rest| rest.strip_suffix(b"-----"))
        {
            open = Some((start, String::from_utf8_lossy(label).into_owned(), false));
        }
    }
    blocks
}

/// The first block whose label ends in `PRIVATE KEY`, skipping certificates and
/// `EC PARAMETERS` that may share the file (nginx allows cert and key in one file).
fn find_private_key_block(bytes: &[u8]) -> Option<PemBlock<'_>> {
    pem_blocks(bytes)
        .into_iter()
        .find(|b| b.label.ends_with("PRIVATE KEY"))
}

fn decode_block(block: &PemBlock) -> Result<Zeroizing<Vec<u8>>, KeyError> {
    let der = block.decode().ok_or_else(|| {
        KeyError::MalformedPem(format!("the {} block is not valid base64", block.label))
    })?;
    Ok(Zeroizing::new(der))
}

/// Reads the private key nginx would load from `bytes` (a PEM file) and reports its format
/// and, when unencrypted, its public key.
pub fn inspect_key_pem(bytes: &[u8]) -> Result<KeyInfo, KeyError> {
    let block = find_private_key_block(bytes).ok_or(KeyError::NoPrivateKey)?;
    let info = |format, encrypted, spki_der| KeyInfo {
        format,
        encrypted,
        pem_label: block.label.clone(),
        spki_der,
    };
    if block.legacy_encrypted {
        return Ok(info(KeyFormat::LegacyEncrypted, true, None));
    }
    let malformed = |reason: String| KeyError::MalformedKey {
        label: block.label.clone(),
        reason,
    };
    match block.label.as_str() {
        "PRIVATE KEY" => {
            let der = decode_block(&block)?;
            let spki = spki_from_pkcs8(&der).map_err(malformed)?;
            Ok(info(KeyFormat::Pkcs8, false, spki))
        }
        "ENCRYPTED PRIVATE KEY" => {
            let der = decode_block(&block)?;
            EncryptedPrivateKeyInfoRef::from_der(&der).map_err(|e| malformed(e.to_string()))?;
            Ok(info(KeyFormat::EncryptedPkcs8, true, None))
        }
        "RSA PRIVATE KEY" => {
            let der = decode_block(&block)?;
            let spki = spki_from_pkcs1(&der).map_err(malformed)?;
            Ok(info(KeyFormat::Pkcs1Rsa, false, Some(spki)))
        }
        "EC PRIVATE KEY" => {
            let der = decode_block(&block)?;
            let spki = spki_from_sec1(&der, None).map_err(malformed)?;
            Ok(info(KeyFormat::Sec1Ec, false, spki))
        }
        _ => Ok(info(KeyFormat::Unknown, false, None)),
    }
}

/// Decrypts an `ENCRYPTED PRIVATE KEY` with `passphrase` and inspects the result, so a rule
/// can tell whether an `ssl_password_file` really opens the key.
pub fn decrypt_encrypted_pkcs8(bytes: &[u8], passphrase: &[u8]) -> Result<KeyInfo, KeyError> {
    let block = find_private_key_block(bytes).ok_or(KeyError::NoPrivateKey)?;
    if block.legacy_encrypted {
        return Err(KeyError::NotEncryptedPkcs8(KeyFormat::LegacyEncrypted));
    }
    if block.label != "ENCRYPTED PRIVATE KEY" {
        return Err(KeyError::NotEncryptedPkcs8(inspect_key_pem(bytes)?.format));
    }
    let der = decode_block(&block)?;
    let encrypted =
        EncryptedPrivateKeyInfoRef::from_der(&der).map_err(|e| KeyError::MalformedKey {
            label: block.label.clone(),
            reason: e.to_string(),
        })?;
    let plain = encrypted.decrypt(passphrase).map_err(|e| match e {
        pkcs8::Error::EncryptedPrivateKey(pkcs8::pkcs5::Error::DecryptFailed) => {
            KeyError::WrongPassphrase
        }
        pkcs8::Error::EncryptedPrivateKey(other) => {
            KeyError::UnsupportedEncryption(other.to_string())
        }
        // CBC padding happened to be valid but the plaintext is not DER: a wrong passphrase.
        _ => KeyError::WrongPassphrase,
    })?;
    let spki = spki_from_pkcs8(plain.as_bytes()).map_err(|_| KeyError::WrongPassphrase)?;
    Ok(KeyInfo {
        format: KeyFormat::EncryptedPkcs8,
        encrypted: true,
        pem_label: block.label,
        spki_der: spki,
    })
}

/// Splits an `ssl_password_file` the way nginx does: one passphrase per LF-terminated line,
/// a trailing CR dropped, empty lines skipped, and a single empty passphrase if none remain.
pub fn password_file_lines(contents: &[u8]) -> Vec<&[u8]> {
    let mut lines: Vec<&[u8]> = contents
        .split(|&b| b == b'\n')
        .map(|line| line.strip_suffix(b"\r").unwrap_or(line))
        .filter(|line| !line.is_empty())
        .collect();
    if lines.is_empty() {
        lines.push(b"");
    }
    lines
}

/// Tries each passphrase of an `ssl_password_file` in turn, as nginx does, and returns the
/// 0-based index of the first that opens the key.
pub fn open_with_password_file(
    key_pem: &[u8],
    password_file: &[u8],
) -> Result<(usize, KeyInfo), KeyError> {
    for (i, passphrase) in password_file_lines(password_file).into_iter().enumerate() {
        match decrypt_encrypted_pkcs8(key_pem, passphrase) {
            Err(KeyError::WrongPassphrase) => continue,
            other => return other.map(|info| (i, info)),
        }
    }
    Err(KeyError::WrongPassphrase)
}

fn spki_from_pkcs8(der: &[u8]) -> Result<Option<Vec<u8>>, String> {
    let pki = PrivateKeyInfoRef::from_der(der).map_err(|e| e.to_string())?;
    let alg = pki.algorithm.oid.to_string();
    let inner = pki.private_key.as_bytes();
    match alg.as_str() {
        OID_RSA | OID_RSA_PSS => spki_from_pkcs1(inner).map(Some),
        OID_EC => {
            let curve = match pki.algorithm.parameters {
                Some(p) => Some(
                    p.decode_as::<ObjectIdentifier>()
                        .map_err(|e| format!("EC curve parameter: {e}"))?,
                ),
                None => None,
            };
            spki_from_sec1(inner, curve)
        }
        OID_ED25519 => {
            let public = match pki.public_key {
                Some(pk) => pk.raw_bytes().to_vec(),
                None => {
                    // CurvePrivateKey ::= OCTET STRING, wrapping the 32-byte seed.
                    let seed = <&OctetStringRef>::from_der(inner).map_err(|e| e.to_string())?;
                    use ring::signature::KeyPair;
                    let pair =
                        ring::signature::Ed25519KeyPair::from_seed_unchecked(seed.as_bytes())
                            .map_err(|_| "Ed25519 seed is not 32 bytes".to_string())?;
                    pair.public_key().as_ref().to_vec()
                }
            };
            let oid = ObjectIdentifier::new_unwrap(OID_ED25519);
            encode_spki(oid, None, &public).map(Some)
        }
        _ => Ok(None),
    }
}

fn spki_from_pkcs1(der: &[u8]) -> Result<Vec<u8>, String> {
    let key = pkcs1::RsaPrivateKeyRef::from_der(der).map_err(|e| e.to_string())?;
    let public = key.public_key().to_der().map_err(|e| e.to_string())?;
    let null = Some(Any::null());
    encode_spki(pkcs1::ALGORITHM_OID, null, &public)
}

/// `pkcs8_curve` is the curve from a PKCS#8 wrapper, where SEC1's own field is usually absent.
fn spki_from_sec1(
    der: &[u8],
    pkcs8_curve: Option<ObjectIdentifier>,
) -> Result<Option<Vec<u8>>, String> {
    let key = sec1::EcPrivateKey::from_der(der).map_err(|e| e.to_string())?;
    let curve = key.parameters.and_then(|p| p.named_curve()).or(pkcs8_curve);
    let Some(point) = key.public_key else {
        return Ok(None);
    };
    let params = match curve {
        Some(oid) => Some(Any::encode_from(&oid).map_err(|e| e.to_string())?),
        None => None,
    };
    encode_spki(ObjectIdentifier::new_unwrap(OID_EC), params, point).map(Some)
}

fn encode_spki(
    oid: ObjectIdentifier,
    parameters: Option<Any>,
    public: &[u8],
) -> Result<Vec<u8>, String> {
    let spki = SubjectPublicKeyInfoOwned {
        algorithm: AlgorithmIdentifierOwned { oid, parameters },
        subject_public_key: BitString::from_bytes(public).map_err(|e| e.to_string())?,
    };
    spki.to_der().map_err(|e| e.to_string())
}

/// Whether the private key belongs to the certificate. `None` means cannot tell: the key is
/// encrypted, its public half could not be derived, or a public key failed to parse.
pub fn key_matches_certificate(key: &KeyInfo, cert: &CertificateInfo) -> Option<bool> {
    let key_material = PublicMaterial::from_spki(key.spki_der.as_deref()?)?;
    let cert_material = PublicMaterial::from_spki(&cert.spki_der)?;
    Some(key_material.same_key(&cert_material))
}

/// A public key reduced to what identifies it, so that encoding differences (RSA vs RSA-PSS
/// algorithm id, compressed vs uncompressed EC points, curve given or not) do not matter.
enum PublicMaterial {
    Rsa {
        n: Vec<u8>,
        e: Vec<u8>,
    },
    Ec {
        curve: Option<String>,
        point: Vec<u8>,
    },
    Other {
        oid: String,
        key: Vec<u8>,
    },
}

impl PublicMaterial {
    fn from_spki(der: &[u8]) -> Option<Self> {
        let spki = SubjectPublicKeyInfoRef::from_der(der).ok()?;
        let key: BitStringRef = spki.subject_public_key;
        let bytes = key.as_bytes()?;
        let strip = |b: &[u8]| b[b.iter().position(|&x| x != 0).unwrap_or(b.len())..].to_vec();
        Some(match spki.algorithm.oid.to_string().as_str() {
            OID_RSA | OID_RSA_PSS => {
                let rsa = pkcs1::RsaPublicKeyRef::from_der(bytes).ok()?;
                PublicMaterial::Rsa {
                    n: strip(rsa.modulus.as_bytes()),
                    e: strip(rsa.public_exponent.as_bytes()),
                }
            }
            OID_EC => PublicMaterial::Ec {
                curve: spki
                    .algorithm
                    .parameters
                    .and_then(|p| p.decode_as::<ObjectIdentifier>().ok())
                    .map(|oid| oid.to_string()),
                point: bytes.to_vec(),
            },
            oid => PublicMaterial::Other {
                oid: oid.to_string(),
                key: bytes.to_vec(),
            },
        })
    }

    fn same_key(&self, other: &Self) -> bool {
        match (self, other) {
            (Self::Rsa { n: n1, e: e1 }, Self::Rsa { n: n2, e: e2 }) => n1 == n2 && e1 == e2,
            (
                Self::Ec {
                    curve: c1,
                    point: p1,
                },
                Self::Ec {
                    curve: c2,
                    point: p2,
                },
            ) => {
                let curves_agree = match (c1, c2) {
                    (Some(a), Some(b)) => a == b,
                    _ => true,
                };
                curves_agree && same_ec_point(p1, p2)
            }
            (Self::Other { oid: o1, key: k1 }, Self::Other { oid: o2, key: k2 }) => {
                o1 == o2 && k1 == k2
            }
            _ => false,
        }
    }
}

/// Compares SEC1 points, allowing one to be compressed (`02/03 || X`) and the other not
/// (`04 || X || Y`): same X, and Y's parity matching the compressed prefix.
fn same_ec_point(a: &[u8], b: &[u8]) -> bool {
    if a == b {
        return true;
    }
    let (compressed, full) = match (a.first(), b.first()) {
        (Some(2 | 3), Some(4)) => (a, b),
        (Some(4), Some(2 | 3)) => (b, a),
        _ => return false,
    };
    let x_len = compressed.len() - 1;
    if full.len() != 1 + 2 * x_len {
        return false;
    }
    let y_is_odd = full[full.len() - 1] & 1 == 1;
    compressed[1..] == full[1..=x_len] && y_is_odd == (compressed[0] == 3)
}

/// Permission bits and owner of a key or password file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FileMode {
    /// Permission bits only (`st_mode & 0o7777`), e.g. `0o600`.
    pub mode: u32,
    pub uid: u32,
    pub gid: u32,
}

impl FileMode {
    /// Any group or other permission bit is set, so someone besides the owner may read it.
    pub fn is_wider_than_600(&self) -> bool {
        self.mode & 0o077 != 0
    }
}

/// Follows symlinks, as nginx does when it opens the file.
pub fn file_mode(path: impl AsRef<Path>) -> std::io::Result<FileMode> {
    let meta = std::fs::metadata(path)?;
    Ok(FileMode {
        mode: meta.mode() & 0o7777,
        uid: meta.uid(),
        gid: meta.gid(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tls::dhparam::test_material::material;

    fn key(name: &str) -> KeyInfo {
        inspect_key_pem(material(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
    }

    #[test]
    fn file_mode_reports_group_and_other_bits() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("key.pem");
        std::fs::write(&path, b"x").unwrap();
        for (mode, wide) in [(0o600, false), (0o400, false), (0o640, true), (0o604, true)] {
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode)).unwrap();
            let got = file_mode(&path).unwrap();
            assert_eq!(
                (got.mode, got.is_wider_than_600()),
                (mode, wide),
                "{mode:o}"
            );
        }
        assert!(file_mode(dir.path().join("missing")).is_err());
    }

    #[test]
    fn password_file_lines_follow_nginx() {
        let lines = password_file_lines(b"one\r\n\n two \nlast");
        assert_eq!(lines, [&b"one"[..], b" two ", b"last"]);
        assert_eq!(password_file_lines(b"\n\r\n"), [&b""[..]]);
    }

    #[test]
    fn no_key_bytes_in_debug_or_errors() {
        let info = key("rsa.key");
        let debug = format!("{info:?}");
        let spki_len = info.spki_der.as_ref().unwrap().len();
        assert!(debug.contains(&format!("<{spki_len} bytes>")), "{debug}");
        assert!(!debug.contains("48, 130"), "no byte list: {debug}");
        let pem = std::str::from_utf8(material("rsa.key")).unwrap();
        let body = pem.lines().nth(1).unwrap();
        let corrupt = pem.replacen(body, &format!("{body}!"), 1);
        let err = inspect_key_pem(corrupt.as_bytes()).unwrap_err();
        assert!(!err.to_string().contains(&body[..16]), "{err}");
        assert!(!format!("{err:?}").contains(&body[..16]));
    }
}
