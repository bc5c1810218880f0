//! Hand-built ClientHello records for the protocol and cipher scan.
//!
//! rustls only speaks TLS 1.2/1.3 with AEAD suites, and refuses to offer a
//! single weak suite on purpose. To learn what a server *accepts* (SSLv3,
//! TLS 1.0/1.1, NULL or anonymous suites, one suite at a time) the scanner
//! writes the first flight itself and only reads the server's first answer;
//! no handshake is ever completed, so no key material needs to be real except
//! the TLS 1.3 key share, which a server may validate before answering.
//!
//! The extension set mirrors what OpenSSL's own client sends, because the
//! integration tests use `openssl s_client` as the oracle for "accepted":
//! ECDHE suites need `supported_groups`/`ec_point_formats`, TLS 1.2 needs
//! `signature_algorithms`, TLS 1.3 needs `supported_versions` and `key_share`.

use std::fmt;
use std::net::IpAddr;
use std::str::FromStr;

use ring::agreement;
use ring::rand::{SecureRandom, SystemRandom};

/// A protocol version, named as nginx's `ssl_protocols` names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum TlsProtocol {
    Ssl3,
    Tls10,
    Tls11,
    Tls12,
    Tls13,
}

impl TlsProtocol {
    /// Oldest first: the order reports list them in.
    pub const ALL: [TlsProtocol; 5] = [
        TlsProtocol::Ssl3,
        TlsProtocol::Tls10,
        TlsProtocol::Tls11,
        TlsProtocol::Tls12,
        TlsProtocol::Tls13,
    ];

    /// The word `ssl_protocols` uses (`TLSv1`, not `TLSv1.0`).
    pub fn as_str(self) -> &'static str {
        match self {
            TlsProtocol::Ssl3 => "SSLv3",
            TlsProtocol::Tls10 => "TLSv1",
            TlsProtocol::Tls11 => "TLSv1.1",
            TlsProtocol::Tls12 => "TLSv1.2",
            TlsProtocol::Tls13 => "TLSv1.3",
        }
    }

    /// The version number on the wire (`ProtocolVersion`).
    pub fn wire(self) -> u16 {
        match self {
            TlsProtocol::Ssl3 => 0x0300,
            TlsProtocol::Tls10 => 0x0301,
            TlsProtocol::Tls11 => 0x0302,
            TlsProtocol::Tls12 => 0x0303,
            TlsProtocol::Tls13 => 0x0304,
        }
    }

    pub fn from_wire(version: u16) -> Option<TlsProtocol> {
        TlsProtocol::ALL.into_iter().find(|p| p.wire() == version)
    }
}

impl fmt::Display for TlsProtocol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for TlsProtocol {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        TlsProtocol::ALL
            .into_iter()
            .find(|p| p.as_str() == s)
            .ok_or_else(|| {
                format!(
                    "unknown protocol {s:?} (expected SSLv3, TLSv1, TLSv1.1, TLSv1.2 or TLSv1.3)"
                )
            })
    }
}

/// TLS record content types.
pub(crate) const CONTENT_ALERT: u8 = 21;
pub(crate) const CONTENT_HANDSHAKE: u8 = 22;
pub(crate) const CONTENT_CHANGE_CIPHER_SPEC: u8 = 20;
pub(crate) const CONTENT_APPLICATION_DATA: u8 = 23;

const HANDSHAKE_CLIENT_HELLO: u8 = 1;

/// Extension code points (IANA "TLS ExtensionType Values").
mod ext {
    pub const SERVER_NAME: u16 = 0;
    pub const SUPPORTED_GROUPS: u16 = 10;
    pub const EC_POINT_FORMATS: u16 = 11;
    pub const SIGNATURE_ALGORITHMS: u16 = 13;
    pub const PADDING: u16 = 21;
    pub const EXTENDED_MASTER_SECRET: u16 = 23;
    pub const SUPPORTED_VERSIONS: u16 = 43;
    pub const PSK_KEY_EXCHANGE_MODES: u16 = 45;
    pub const KEY_SHARE: u16 = 51;
    pub const RENEGOTIATION_INFO: u16 = 0xff01;
}

/// Named groups (IANA "TLS Supported Groups").
pub mod group {
    pub const SECP256R1: u16 = 0x0017;
    pub const SECP384R1: u16 = 0x0018;
    pub const SECP521R1: u16 = 0x0019;
    pub const X25519: u16 = 0x001d;
    pub const X448: u16 = 0x001e;
    pub const FFDHE2048: u16 = 0x0100;
    pub const FFDHE3072: u16 = 0x0101;
}

/// Groups offered in every TLS hello. Broad on purpose: an ECDHE suite is
/// only "accepted" if the server finds a common curve, and the scan asks what
/// the server can do, not what one particular client would get.
const OFFERED_GROUPS: [u16; 7] = [
    group::X25519,
    group::SECP256R1,
    group::SECP384R1,
    group::SECP521R1,
    group::X448,
    group::FFDHE2048,
    group::FFDHE3072,
];

/// Signature schemes offered from TLS 1.2 on, newest first; SHA-1 and DSA
/// schemes are included so servers with old certificates still answer.
const OFFERED_SIGNATURE_SCHEMES: [u16; 18] = [
    0x0403, // ecdsa_secp256r1_sha256
    0x0503, // ecdsa_secp384r1_sha384
    0x0603, // ecdsa_secp521r1_sha512
    0x0807, // ed25519
    0x0808, // ed448
    0x0804, // rsa_pss_rsae_sha256
    0x0805, // rsa_pss_rsae_sha384
    0x0806, // rsa_pss_rsae_sha512
    0x0809, // rsa_pss_pss_sha256
    0x080a, // rsa_pss_pss_sha384
    0x080b, // rsa_pss_pss_sha512
    0x0401, // rsa_pkcs1_sha256
    0x0501, // rsa_pkcs1_sha384
    0x0601, // rsa_pkcs1_sha512
    0x0203, // ecdsa_sha1
    0x0201, // rsa_pkcs1_sha1
    0x0402, // dsa_sha256 (TLS 1.2 only, for DSS suites)
    0x0202, // dsa_sha1: all some DSS servers can sign with
];

/// What goes into one ClientHello.
#[derive(Debug, Clone)]
pub struct ClientHelloSpec<'a> {
    pub version: TlsProtocol,
    /// Host name for SNI; IP literals are not sent (RFC 6066 forbids them).
    pub sni: Option<&'a str>,
    /// Cipher suite code points, in preference order.
    pub suites: &'a [u16],
}

/// The complete record (header included) carrying one ClientHello.
pub fn build_client_hello(spec: &ClientHelloSpec<'_>) -> Vec<u8> {
    let rng = SystemRandom::new();
    let version = spec.version;
    // TLS 1.3 keeps 1.2 in the legacy field and moves the real version into
    // supported_versions; a 1.3-unaware server then answers 1.2 (a downgrade
    // the caller detects) or refuses.
    let legacy_version = version.wire().min(TlsProtocol::Tls12.wire());

    let mut body = Vec::with_capacity(512);
    put_u16(&mut body, legacy_version);
    body.extend_from_slice(&random_bytes::<32>(&rng));
    if version == TlsProtocol::Tls13 {
        // A non-empty legacy session id is the "middlebox compatibility mode"
        // every real 1.3 client uses; some servers insist on it.
        body.push(32);
        body.extend_from_slice(&random_bytes::<32>(&rng));
    } else {
        // Empty: a 1.2 session id would ask for resumption.
        body.push(0);
    }

    let mut suites: Vec<u16> = spec.suites.to_vec();
    if version == TlsProtocol::Ssl3 {
        // SSLv3 hellos carry no extensions (many SSLv3 stacks reject them), so
        // secure renegotiation is signalled with the SCSV instead (RFC 5746).
        suites.push(0x00ff);
    }
    put_u16(&mut body, (suites.len() * 2) as u16);
    for suite in &suites {
        put_u16(&mut body, *suite);
    }
    body.push(1); // one compression method:
    body.push(0); // null

    if version != TlsProtocol::Ssl3 {
        let extensions = extensions(spec, &rng, body.len());
        put_u16(&mut body, extensions.len() as u16);
        body.extend_from_slice(&extensions);
    }

    let mut handshake = Vec::with_capacity(body.len() + 4);
    handshake.push(HANDSHAKE_CLIENT_HELLO);
    put_u24(&mut handshake, body.len() as u32);
    handshake.extend_from_slice(&body);

    // The record version of a first hello is 1.0 for every TLS version (what
    // OpenSSL and browsers send; some old servers choke on a higher one).
    let record_version = if version == TlsProtocol::Ssl3 {
        0x0300
    } else {
        0x0301
    };
    let mut record = Vec::with_capacity(handshake.len() + 5);
    record.push(CONTENT_HANDSHAKE);
    put_u16(&mut record, record_version);
    put_u16(&mut record, handshake.len() as u16);
    record.extend_from_slice(&handshake);
    record
}

/// The extensions block; `body_len` is the hello body so far, for padding.
fn extensions(spec: &ClientHelloSpec<'_>, rng: &SystemRandom, body_len: usize) -> Vec<u8> {
    let version = spec.version;
    let mut out = Vec::with_capacity(256);

    if let Some(name) = spec.sni.filter(|n| sendable_host_name(n)) {
        put_extension(&mut out, ext::SERVER_NAME, |b| {
            with_u16_len(b, |list| {
                list.push(0); // host_name
                put_u16(list, name.len() as u16);
                list.extend_from_slice(name.as_bytes());
            });
        });
    }
    put_extension(&mut out, ext::SUPPORTED_GROUPS, |b| {
        put_u16_list(b, &OFFERED_GROUPS)
    });
    put_extension(&mut out, ext::EC_POINT_FORMATS, |b| {
        b.extend_from_slice(&[1, 0]) // one format: uncompressed
    });
    if version >= TlsProtocol::Tls12 {
        put_extension(&mut out, ext::SIGNATURE_ALGORITHMS, |b| {
            put_u16_list(b, &OFFERED_SIGNATURE_SCHEMES)
        });
    }
    put_extension(&mut out, ext::EXTENDED_MASTER_SECRET, |_| {});
    if version == TlsProtocol::Tls13 {
        put_extension(&mut out, ext::SUPPORTED_VERSIONS, |b| {
            b.push(2);
            put_u16(b, TlsProtocol::Tls13.wire());
        });
        put_extension(&mut out, ext::PSK_KEY_EXCHANGE_MODES, |b| {
            b.extend_from_slice(&[1, 1]) // psk_dhe_ke
        });
        let public = x25519_public_key(rng);
        put_extension(&mut out, ext::KEY_SHARE, |b| {
            with_u16_len(b, |shares| {
                put_u16(shares, group::X25519);
                put_u16(shares, public.len() as u16);
                shares.extend_from_slice(&public);
            });
        });
    } else {
        // Empty renegotiation_info: "new connection, secure renegotiation
        // supported" (RFC 5746); servers that require it refuse hellos without.
        put_extension(&mut out, ext::RENEGOTIATION_INFO, |b| b.push(0));
    }

    // Some TLS terminators (old F5 firmware) hang on hellos of 256..511 bytes;
    // pad past 512 as OpenSSL and browsers do (RFC 7685).
    let hello_len = 4 + body_len + 2 + out.len();
    if (256..512).contains(&hello_len) {
        let pad = (512 - hello_len).saturating_sub(4).max(1);
        put_extension(&mut out, ext::PADDING, |b| b.resize(b.len() + pad, 0));
    }
    out
}

/// SNI carries DNS names only: no IP literals, nothing empty or over 255 bytes.
fn sendable_host_name(name: &str) -> bool {
    let bare = name.trim_start_matches('[').trim_end_matches(']');
    !name.is_empty() && name.len() <= 255 && bare.parse::<IpAddr>().is_err()
}

/// A real X25519 public value: a server may reject an invalid point before it
/// answers, which would look like "TLS 1.3 not accepted". The private half is
/// dropped at once since the handshake is never finished.
fn x25519_public_key(rng: &SystemRandom) -> Vec<u8> {
    agreement::EphemeralPrivateKey::generate(&agreement::X25519, rng)
        .and_then(|key| key.compute_public_key())
        .map(|public| public.as_ref().to_vec())
        .unwrap_or_else(|_| {
            // The curve's base point (u = 9) is a valid public key too.
            let mut base = vec![0u8; 32];
            base[0] = 9;
            base
        })
}

fn random_bytes<const N: usize>(rng: &SystemRandom) -> [u8; N] {
    let mut bytes = [0u8; N];
    // Nothing depends on the randomness being secret (no handshake is
    // completed), so a failing RNG just leaves zeros.
    let _ = rng.fill(&mut bytes);
    bytes
}

fn put_u16(out: &mut Vec<u8>, value: u16) {
    out.extend_from_slice(&value.to_be_bytes());
}

fn put_u24(out: &mut Vec<u8>, value: u32) {
    out.extend_from_slice(&value.to_be_bytes()[1..]);
}

fn put_u16_list(out: &mut Vec<u8>, values: &[u16]) {
    put_u16(out, (values.len() * 2) as u16);
    for v in values {
        put_u16(out, *v);
    }
}

/// Writes a u16 length prefix for whatever `fill` appends.
fn with_u16_len(out: &mut Vec<u8>, fill: impl FnOnce(&mut Vec<u8>)) {
    let at = out.len();
    out.extend_from_slice(&[0, 0]);
    fill(out);
    let len = (out.len() - at - 2) as u16;
    out[at..at + 2].copy_from_slice(&len.to_be_bytes());
}

fn put_extension(out: &mut Vec<u8>, kind: u16, fill: impl FnOnce(&mut Vec<u8>)) {
    put_u16(out, kind);
    with_u16_len(out, fill);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hello(version: TlsProtocol, sni: Option<&str>, suites: &[u16]) -> Vec<u8> {
        build_client_hello(&ClientHelloSpec {
            version,
            sni,
            suites,
        })
    }

    /// Walks the extensions of a built hello, returning their types.
    fn extension_types(record: &[u8]) -> Vec<u16> {
        let body = &record[9..];
        let mut at = 2 + 32;
        at += 1 + body[at] as usize;
        at += 2 + u16::from_be_bytes([body[at], body[at + 1]]) as usize;
        at += 1 + body[at] as usize;
        if at == body.len() {
            return Vec::new();
        }
        let end = at + 2 + u16::from_be_bytes([body[at], body[at + 1]]) as usize;
        assert_eq!(end, body.len(), "extensions fill the rest of the hello");
        at += 2;
        let mut types = Vec::new();
        while at < end {
            types.push(u16::from_be_bytes([body[at], body[at + 1]]));
            at += 4 + u16::from_be_bytes([body[at + 2], body[at + 3]]) as usize;
        }
        assert_eq!(at, end);
        types
    }

    #[test]
    fn lengths_are_consistent() {
        for version in TlsProtocol::ALL {
            let record = hello(version, Some("example.test"), &[0xc02f, 0x0035]);
            let record_len = u16::from_be_bytes([record[3], record[4]]) as usize;
            assert_eq!(record_len + 5, record.len(), "{version}");
            assert_eq!(record[5], HANDSHAKE_CLIENT_HELLO);
            let hs_len = u32::from_be_bytes([0, record[6], record[7], record[8]]) as usize;
            assert_eq!(hs_len + 9, record.len(), "{version}");
            extension_types(&record);
        }
    }

    #[test]
    fn versions_go_where_each_protocol_expects_them() {
        let v = |p| {
            let r = hello(p, None, &[0x002f]);
            (
                u16::from_be_bytes([r[1], r[2]]),
                u16::from_be_bytes([r[9], r[10]]),
            )
        };
        assert_eq!(v(TlsProtocol::Ssl3), (0x0300, 0x0300));
        assert_eq!(v(TlsProtocol::Tls10), (0x0301, 0x0301));
        assert_eq!(v(TlsProtocol::Tls11), (0x0301, 0x0302));
        assert_eq!(v(TlsProtocol::Tls12), (0x0301, 0x0303));
        assert_eq!(v(TlsProtocol::Tls13), (0x0301, 0x0303));
    }

    #[test]
    fn extensions_per_version() {
        let ssl3 = hello(TlsProtocol::Ssl3, Some("a.test"), &[0x002f]);
        assert!(extension_types(&ssl3).is_empty());
        assert!(ssl3.windows(2).any(|w| w == [0x00, 0xff]), "SCSV offered");

        let tls10 = extension_types(&hello(TlsProtocol::Tls10, Some("a.test"), &[0xc013]));
        assert!(tls10.contains(&ext::SERVER_NAME));
        assert!(tls10.contains(&ext::SUPPORTED_GROUPS));
        assert!(tls10.contains(&ext::RENEGOTIATION_INFO));
        assert!(!tls10.contains(&ext::SIGNATURE_ALGORITHMS));

        let tls13 = extension_types(&hello(TlsProtocol::Tls13, None, &[0x1301]));
        for needed in [
            ext::SUPPORTED_VERSIONS,
            ext::KEY_SHARE,
            ext::SIGNATURE_ALGORITHMS,
        ] {
            assert!(tls13.contains(&needed), "{needed:#x}");
        }
        assert!(!tls13.contains(&ext::SERVER_NAME));
    }

    #[test]
    fn ip_literals_are_not_sent_as_sni() {
        assert!(sendable_host_name("localhost"));
        assert!(!sendable_host_name("127.0.0.1"));
        assert!(!sendable_host_name("[::1]"));
        assert!(!sendable_host_name(""));
    }

    #[test]
    fn hellos_in_the_f5_range_are_padded_to_512() {
        let suites: Vec<u16> = (0x0001..0x0060).collect();
        let record = hello(TlsProtocol::Tls12, None, &suites);
        assert!(extension_types(&record).contains(&ext::PADDING));
        assert_eq!(record.len() - 5, 512);
    }

    #[test]
    fn protocol_names_round_trip() {
        for p in TlsProtocol::ALL {
            assert_eq!(p.as_str().parse::<TlsProtocol>(), Ok(p));
            assert_eq!(TlsProtocol::from_wire(p.wire()), Some(p));
        }
        assert!("TLSv1.0".parse::<TlsProtocol>().is_err());
    }
}
