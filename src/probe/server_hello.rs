//! Reading the server's answer to a hand-built ClientHello.
//!
//! The parser is sans-I/O: it is handed every byte received so far and says
//! whether it has seen enough. That keeps the network loop in `scan` trivial
//! (read, append, ask again) and lets tests and fuzzers feed it arbitrary
//! bytes. It never panics and never trusts a length field: every access is
//! bounds-checked, and records over the RFC 8446 ciphertext limit are refused.
//!
//! What it needs to see: the ServerHello (version, chosen suite, HelloRetry-
//! Request), and for (EC)DHE suites below TLS 1.3 the ServerKeyExchange that
//! follows the certificate, for the DH prime size or the named curve. Both may
//! be split across records or share one, so handshake bytes are reassembled
//! before messages are cut out of them.

use crate::tls::ciphers::{self, Kx};

use super::hello::{
    CONTENT_ALERT, CONTENT_APPLICATION_DATA, CONTENT_CHANGE_CIPHER_SPEC, CONTENT_HANDSHAKE,
};

/// Largest record accepted: 2^14 plaintext plus the 2048 bytes RFC 5246 allows
/// for compression/encryption expansion. Anything bigger is not a sane server.
pub const MAX_RECORD_LEN: usize = 16384 + 2048;

/// Largest handshake message reassembled (certificate chains are the big ones).
const MAX_HANDSHAKE_MESSAGE: usize = 1 << 17;

/// How many leading bytes of a non-TLS answer are kept for the report.
const NOT_TLS_PREVIEW: usize = 48;

const HANDSHAKE_HELLO_REQUEST: u8 = 0;
const HANDSHAKE_SERVER_HELLO: u8 = 2;
const HANDSHAKE_CERTIFICATE: u8 = 11;
const HANDSHAKE_SERVER_KEY_EXCHANGE: u8 = 12;
const HANDSHAKE_CERTIFICATE_STATUS: u8 = 22;

const EXT_SUPPORTED_VERSIONS: u16 = 43;
const EXT_KEY_SHARE: u16 = 51;

/// A HelloRetryRequest is a ServerHello with this random: SHA-256("HelloRetryRequest").
const HELLO_RETRY_REQUEST_RANDOM: [u8; 32] = [
    0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, 0xbe, 0x1d, 0x8c, 0x02, 0x1e, 0x65, 0xb8, 0x91,
    0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb, 0x8c, 0x5e, 0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c,
];

/// What the ServerHello (and, for (EC)DHE, the ServerKeyExchange) said.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerHelloInfo {
    /// The `legacy_version` field.
    pub legacy_version: u16,
    /// The negotiated version: `supported_versions` when present (TLS 1.3), else `legacy_version`.
    pub version: u16,
    pub suite: u16,
    /// A HelloRetryRequest: the server accepted 1.3 and the suite but wants
    /// another key share. For a scan that is as good as a ServerHello.
    pub retry_request: bool,
    /// The group of a TLS 1.3 key_share (the requested one in an HRR).
    pub key_share_group: Option<u16>,
    /// Bit length of the DHE prime from the ServerKeyExchange.
    pub dh_bits: Option<u32>,
    /// Named curve from an ECDHE ServerKeyExchange.
    pub curve: Option<u16>,
}

/// The parser's verdict on the bytes received so far.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reply {
    /// More bytes are needed. Carries the ServerHello once it is in, so a
    /// connection that ends while waiting for the key exchange still counts.
    Incomplete(Option<ServerHelloInfo>),
    /// Everything the scan wants is in.
    Complete(ServerHelloInfo),
    /// The server refused with an alert before any ServerHello.
    Alert { level: u8, description: u8 },
    /// The first bytes are not a TLS record (an HTTP server, SSH, ...): the
    /// escaped leading bytes.
    NotTls(String),
    /// TLS framing, but broken or out of order.
    Malformed(String),
}

/// Parses everything received so far.
pub fn parse_reply(bytes: &[u8]) -> Reply {
    let mut handshake = Vec::new();
    let mut consumed = 0; // of `handshake`, in whole messages
    let mut hello: Option<ServerHelloInfo> = None;
    let mut at = 0;

    loop {
        let rest = &bytes[at..];
        if at == 0 && !rest.is_empty() && !plausible_record_start(rest) {
            return Reply::NotTls(preview(bytes));
        }
        if rest.len() < 5 {
            return Reply::Incomplete(hello);
        }
        let content_type = rest[0];
        let len = usize::from(u16::from_be_bytes([rest[3], rest[4]]));
        if len > MAX_RECORD_LEN {
            return Reply::Malformed(format!("record of {len} bytes exceeds the TLS limit"));
        }
        let Some(payload) = rest.get(5..5 + len) else {
            return Reply::Incomplete(hello);
        };
        at += 5 + len;

        match content_type {
            CONTENT_HANDSHAKE => {
                handshake.extend_from_slice(payload);
                match next_messages(&handshake, &mut consumed, &mut hello) {
                    Step::More => {}
                    Step::Done(reply) => return reply,
                }
            }
            CONTENT_ALERT => {
                // An alert after the ServerHello (e.g. the server gave up on
                // our certificate-less flight) does not undo the acceptance.
                if let Some(info) = hello {
                    return Reply::Complete(info);
                }
                return match payload {
                    [level, description, ..] => Reply::Alert {
                        level: *level,
                        description: *description,
                    },
                    _ => Reply::Malformed("truncated alert".into()),
                };
            }
            CONTENT_CHANGE_CIPHER_SPEC | CONTENT_APPLICATION_DATA => {
                // TLS 1.3 servers follow the ServerHello with these; what
                // comes next is encrypted, so the hello is all there is.
                if let Some(info) = hello {
                    return Reply::Complete(info);
                }
                return Reply::Malformed(format!(
                    "record type {content_type} before the ServerHello"
                ));
            }
            other => return Reply::Malformed(format!("unknown record type {other}")),
        }
    }
}

/// A TLS record header: content type 20..=23 and version 3.x. Checked on as
/// many bytes as are in, so `HTTP/1.1 400` is recognised from its first byte.
fn plausible_record_start(bytes: &[u8]) -> bool {
    let type_ok = (CONTENT_CHANGE_CIPHER_SPEC..=CONTENT_APPLICATION_DATA).contains(&bytes[0]);
    let major_ok = bytes.get(1).is_none_or(|&major| major == 3);
    let minor_ok = bytes.get(2).is_none_or(|&minor| minor <= 4);
    type_ok && major_ok && minor_ok
}

fn preview(bytes: &[u8]) -> String {
    let head = &bytes[..bytes.len().min(NOT_TLS_PREVIEW)];
    head.escape_ascii().to_string()
}

enum Step {
    More,
    Done(Reply),
}

/// Cuts whole handshake messages out of the reassembled bytes from `consumed` on.
fn next_messages(
    handshake: &[u8],
    consumed: &mut usize,
    hello: &mut Option<ServerHelloInfo>,
) -> Step {
    loop {
        let rest = &handshake[*consumed..];
        if rest.len() < 4 {
            return Step::More;
        }
        let msg_type = rest[0];
        let len = u32::from_be_bytes([0, rest[1], rest[2], rest[3]]) as usize;
        if len > MAX_HANDSHAKE_MESSAGE {
            return Step::Done(Reply::Malformed(format!(
                "handshake message of {len} bytes"
            )));
        }
        let Some(body) = rest.get(4..4 + len) else {
            return Step::More;
        };
        *consumed += 4 + len;

        match hello {
            None => match msg_type {
                HANDSHAKE_HELLO_REQUEST => continue,
                HANDSHAKE_SERVER_HELLO => match parse_server_hello(body) {
                    Ok(info) => {
                        if !wants_key_exchange(&info) {
                            return Step::Done(Reply::Complete(info));
                        }
                        *hello = Some(info);
                    }
                    Err(why) => return Step::Done(Reply::Malformed(format!("ServerHello: {why}"))),
                },
                other => {
                    return Step::Done(Reply::Malformed(format!(
                        "handshake message {other} where a ServerHello was expected"
                    )))
                }
            },
            Some(info) => match msg_type {
                HANDSHAKE_CERTIFICATE | HANDSHAKE_CERTIFICATE_STATUS => continue,
                HANDSHAKE_SERVER_KEY_EXCHANGE => {
                    read_key_exchange(body, info);
                    return Step::Done(Reply::Complete(info.clone()));
                }
                // CertificateRequest, ServerHelloDone, ...: no key exchange
                // message came, which is odd for (EC)DHE but not our business.
                _ => return Step::Done(Reply::Complete(info.clone())),
            },
        }
    }
}

/// Below TLS 1.3, (EC)DHE suites send the group in a ServerKeyExchange.
fn wants_key_exchange(info: &ServerHelloInfo) -> bool {
    if info.retry_request || info.version >= 0x0304 {
        return false;
    }
    key_exchange_of(info.suite).is_some()
}

fn key_exchange_of(suite: u16) -> Option<Kx> {
    ciphers::by_code(suite)
        .map(|s| s.kx)
        .filter(|kx| matches!(kx, Kx::Dhe | Kx::Ecdhe | Kx::DhePsk | Kx::EcdhePsk))
}

/// A bounds-checked reader over one message body.
struct Cursor<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Cursor<'a> {
    fn new(bytes: &'a [u8]) -> Self {
        Cursor { bytes, at: 0 }
    }

    fn take(&mut self, n: usize) -> Result<&'a [u8], String> {
        let end = self.at.checked_add(n).filter(|&e| e <= self.bytes.len());
        let end = end.ok_or_else(|| format!("truncated at byte {}", self.at))?;
        let out = &self.bytes[self.at..end];
        self.at = end;
        Ok(out)
    }

    fn u8(&mut self) -> Result<u8, String> {
        Ok(self.take(1)?[0])
    }

    fn u16(&mut self) -> Result<u16, String> {
        let b = self.take(2)?;
        Ok(u16::from_be_bytes([b[0], b[1]]))
    }

    fn vec8(&mut self) -> Result<&'a [u8], String> {
        let n = self.u8()?;
        self.take(usize::from(n))
    }

    fn vec16(&mut self) -> Result<&'a [u8], String> {
        let n = self.u16()?;
        self.take(usize::from(n))
    }

    fn is_empty(&self) -> bool {
        self.at >= self.bytes.len()
    }
}

fn parse_server_hello(body: &[u8]) -> Result<ServerHelloInfo, String> {
    let mut c = Cursor::new(body);
    let legacy_version = c.u16()?;
    let random = c.take(32)?;
    let session_id = c.vec8()?;
    if session_id.len() > 32 {
        return Err(format!("session id of {} bytes", session_id.len()));
    }
    let suite = c.u16()?;
    let _compression = c.u8()?;
    let mut info = ServerHelloInfo {
        legacy_version,
        version: legacy_version,
        suite,
        retry_request: random == HELLO_RETRY_REQUEST_RANDOM,
        key_share_group: None,
        dh_bits: None,
        curve: None,
    };
    // SSLv3 and early TLS servers may end the hello here.
    if c.is_empty() {
        return Ok(info);
    }
    let mut extensions = Cursor::new(c.vec16()?);
    while !extensions.is_empty() {
        let kind = extensions.u16()?;
        let mut data = Cursor::new(extensions.vec16()?);
        match kind {
            EXT_SUPPORTED_VERSIONS => info.version = data.u16()?,
            // ServerHello: group + key; HelloRetryRequest: group only.
            EXT_KEY_SHARE => info.key_share_group = Some(data.u16()?),
            _ => {}
        }
    }
    Ok(info)
}

/// Fills in the DH prime size or the curve. A key exchange we cannot read
/// leaves both unset rather than failing: acceptance is already established.
fn read_key_exchange(body: &[u8], info: &mut ServerHelloInfo) {
    let mut c = Cursor::new(body);
    let kx = key_exchange_of(info.suite);
    if matches!(kx, Some(Kx::DhePsk | Kx::EcdhePsk)) && c.vec16().is_err() {
        return; // psk_identity_hint comes first
    }
    match kx {
        Some(Kx::Dhe | Kx::DhePsk) => {
            if let Ok(prime) = c.vec16() {
                info.dh_bits = Some(bit_length(prime));
            }
        }
        Some(Kx::Ecdhe | Kx::EcdhePsk) => {
            const NAMED_CURVE: u8 = 3;
            if c.u8() == Ok(NAMED_CURVE) {
                info.curve = c.u16().ok();
            }
        }
        _ => {}
    }
}

/// Bits of a big-endian unsigned integer, ignoring leading zero bytes.
fn bit_length(bytes: &[u8]) -> u32 {
    match bytes.iter().position(|&b| b != 0) {
        None => 0,
        Some(first) => {
            let whole = (bytes.len() - first - 1) as u32 * 8;
            whole + (8 - bytes[first].leading_zeros())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(content_type: u8, payload: &[u8]) -> Vec<u8> {
        let mut r = vec![content_type, 3, 3];
        r.extend_from_slice(&(payload.len() as u16).to_be_bytes());
        r.extend_from_slice(payload);
        r
    }

    fn message(msg_type: u8, body: &[u8]) -> Vec<u8> {
        let mut m = vec![msg_type];
        m.extend_from_slice(&(body.len() as u32).to_be_bytes()[1..]);
        m.extend_from_slice(body);
        m
    }

    fn server_hello(version: u16, suite: u16, random: [u8; 32], extensions: &[u8]) -> Vec<u8> {
        let mut b = version.to_be_bytes().to_vec();
        b.extend_from_slice(&random);
        b.push(0);
        b.extend_from_slice(&suite.to_be_bytes());
        b.push(0);
        if !extensions.is_empty() {
            b.extend_from_slice(&(extensions.len() as u16).to_be_bytes());
            b.extend_from_slice(extensions);
        }
        message(HANDSHAKE_SERVER_HELLO, &b)
    }

    fn dhe_key_exchange(prime: &[u8]) -> Vec<u8> {
        let mut b = (prime.len() as u16).to_be_bytes().to_vec();
        b.extend_from_slice(prime);
        b.extend_from_slice(&[0, 1, 2, 0, 1, 5]); // g = 2, Ys = 5
        message(HANDSHAKE_SERVER_KEY_EXCHANGE, &b)
    }

    const DHE_RSA_AES128_GCM: u16 = 0x009e;
    const ECDHE_RSA_AES128_GCM: u16 = 0xc02f;
    const RSA_AES128_SHA: u16 = 0x002f;

    #[test]
    fn rsa_suite_completes_at_the_server_hello() {
        let bytes = record(22, &server_hello(0x0303, RSA_AES128_SHA, [1; 32], &[]));
        let Reply::Complete(info) = parse_reply(&bytes) else {
            panic!("{:?}", parse_reply(&bytes))
        };
        assert_eq!((info.version, info.suite), (0x0303, RSA_AES128_SHA));
    }

    #[test]
    fn dhe_prime_size_read_across_fragmented_records() {
        let mut prime = vec![0u8]; // a leading zero must not count
        prime.extend(std::iter::repeat_n(0xffu8, 128));
        let mut flight = server_hello(0x0303, DHE_RSA_AES128_GCM, [1; 32], &[]);
        flight.extend(message(HANDSHAKE_CERTIFICATE, &[0, 0, 3, 0, 0, 0]));
        flight.extend(dhe_key_exchange(&prime));
        // Split the handshake stream at awkward places, one record per piece.
        let mut bytes = Vec::new();
        for piece in flight.chunks(7) {
            bytes.extend(record(22, piece));
        }
        for cut in 0..bytes.len() {
            assert!(
                matches!(parse_reply(&bytes[..cut]), Reply::Incomplete(_)),
                "cut at {cut}"
            );
        }
        let Reply::Complete(info) = parse_reply(&bytes) else {
            panic!()
        };
        assert_eq!(info.dh_bits, Some(1024));
    }

    #[test]
    fn ecdhe_curve_is_read() {
        let mut flight = server_hello(0x0303, ECDHE_RSA_AES128_GCM, [1; 32], &[]);
        flight.extend(message(HANDSHAKE_SERVER_KEY_EXCHANGE, &[3, 0, 0x1d, 1, 9]));
        let Reply::Complete(info) = parse_reply(&record(22, &flight)) else {
            panic!()
        };
        assert_eq!(info.curve, Some(0x001d));
    }

    #[test]
    fn tls13_version_and_retry_request() {
        let ext = [0, 43, 0, 2, 3, 4, 0, 51, 0, 2, 0, 0x17];
        let hello = server_hello(0x0303, 0x1301, HELLO_RETRY_REQUEST_RANDOM, &ext);
        let Reply::Complete(info) = parse_reply(&record(22, &hello)) else {
            panic!()
        };
        assert_eq!(info.version, 0x0304);
        assert!(info.retry_request);
        assert_eq!(info.key_share_group, Some(0x17));
    }

    #[test]
    fn alerts_and_strangers() {
        assert_eq!(
            parse_reply(&record(21, &[2, 40])),
            Reply::Alert {
                level: 2,
                description: 40
            }
        );
        assert!(matches!(
            parse_reply(b"HTTP/1.1 400 Bad Request\r\n"),
            Reply::NotTls(s) if s.starts_with("HTTP/1.1 400")
        ));
        assert!(matches!(parse_reply(b"H"), Reply::NotTls(_)));
        assert_eq!(parse_reply(&[]), Reply::Incomplete(None));
        let huge = [22, 3, 3, 0xff, 0xff];
        assert!(matches!(parse_reply(&huge), Reply::Malformed(_)));
    }

    #[test]
    fn connection_ending_after_hello_keeps_it() {
        let hello = server_hello(0x0303, DHE_RSA_AES128_GCM, [1; 32], &[]);
        assert!(matches!(
            parse_reply(&record(22, &hello)),
            Reply::Incomplete(Some(_))
        ));
    }

    #[test]
    fn bit_lengths() {
        assert_eq!(bit_length(&[]), 0);
        assert_eq!(bit_length(&[0, 0]), 0);
        assert_eq!(bit_length(&[1]), 1);
        assert_eq!(bit_length(&[0, 0x80, 0]), 16);
    }

    proptest::proptest! {
        #[test]
        fn arbitrary_bytes_never_panic(
            prefix_len in 0usize..64,
            noise in proptest::collection::vec(proptest::num::u8::ANY, 0..4096),
        ) {
            // Random bytes alone rarely pass the record check, so also put
            // them behind a valid-looking start of a handshake record.
            let _ = parse_reply(&noise);
            let mut framed = record(22, &server_hello(0x0303, DHE_RSA_AES128_GCM, [1; 32], &[]));
            framed.truncate(prefix_len.min(framed.len()));
            framed.extend_from_slice(&noise);
            let _ = parse_reply(&framed);
        }
    }

    #[test]
    fn garbage_never_panics() {
        // A cheap deterministic fuzz: every prefix and many byte flips of a
        // valid flight.
        let mut flight = server_hello(0x0303, DHE_RSA_AES128_GCM, [1; 32], &[0, 43, 0, 2, 3, 3]);
        flight.extend(dhe_key_exchange(&[0xff; 64]));
        let valid = record(22, &flight);
        for i in 0..valid.len() {
            for v in [0u8, 1, 0x7f, 0xff] {
                let mut bytes = valid.clone();
                bytes[i] = v;
                let _ = parse_reply(&bytes);
                let _ = parse_reply(&bytes[i..]);
            }
        }
    }
}
