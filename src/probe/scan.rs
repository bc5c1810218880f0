//! Protocol and cipher-suite scan over raw ClientHellos.
//!
//! Each question is one TCP connection carrying one hand-built hello; the
//! server's first answer decides. Suites are enumerated the way scanners such
//! as sslscan and testssl.sh do it: offer everything, note the chosen suite,
//! remove it, offer the rest again, until the server refuses. Because the
//! chosen suite must be one that was offered (anything else is reported as
//! malformed), every round shrinks the offer, so a scan of a version costs at
//! most `suites + 1` hellos plus two for the cipher-order check.
//!
//! Every connect, write and read of a server's answer has its own
//! [`ScanOptions::timeout`], and a hung step is reported by [`Phase`], so one
//! black-holed port cannot stall the whole probe.

use std::fmt;
use std::io;
use std::net::SocketAddr;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::time::timeout;

use crate::tls::ciphers::{self, TlsVersion};

pub use super::hello::TlsProtocol;
use super::hello::{build_client_hello, ClientHelloSpec};
use super::server_hello::{parse_reply, Reply, ServerHelloInfo};

/// Most bytes read while waiting for the ServerHello and key exchange; a
/// certificate chain is rarely over 16 KiB, a server sending more than this
/// before its key exchange is not worth waiting for.
const MAX_REPLY_BYTES: usize = 1 << 17;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScanOptions {
    /// Applies separately to the connect, the write and the wait for the answer.
    pub timeout: Duration,
    /// Host name sent as SNI (not sent for IP literals).
    pub sni: Option<String>,
}

impl Default for ScanOptions {
    fn default() -> Self {
        ScanOptions {
            timeout: Duration::from_secs(5),
            sni: None,
        }
    }
}

/// The network step that hung.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    Connect,
    Write,
    ReadServerHello,
}

impl fmt::Display for Phase {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Phase::Connect => "connect",
            Phase::Write => "write",
            Phase::ReadServerHello => "read-server-hello",
        })
    }
}

/// How a server answered one ClientHello.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HelloOutcome {
    /// A ServerHello (or HelloRetryRequest) for the offered version with one
    /// of the offered suites. `dh_bits` is the DHE prime size and `curve` the
    /// named group, from the ServerKeyExchange below TLS 1.3 or the key share
    /// in TLS 1.3.
    Accepted {
        version: u16,
        suite: u16,
        dh_bits: Option<u32>,
        curve: Option<u16>,
    },
    /// A ServerHello for another version than the one offered (servers
    /// answer a 1.3 hello they do not understand with 1.2): the offered
    /// version is not accepted.
    Downgraded {
        version: u16,
    },
    /// A fatal alert (description code) instead of a ServerHello.
    Alert(u8),
    /// EOF or reset before any ServerHello: also a refusal, just a rude one.
    Closed,
    /// Something that is not TLS answered (e.g. `HTTP/1.1 400`); escaped first bytes.
    NotTls(String),
    /// TLS framing, but broken, out of order, or a suite that was not offered.
    Malformed(String),
    Timeout(Phase),
    Io(String),
}

impl HelloOutcome {
    pub fn is_accepted(&self) -> bool {
        matches!(self, HelloOutcome::Accepted { .. })
    }

    /// The chosen suite, when accepted.
    pub fn suite(&self) -> Option<u16> {
        match self {
            HelloOutcome::Accepted { suite, .. } => Some(*suite),
            _ => None,
        }
    }
}

impl fmt::Display for HelloOutcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HelloOutcome::Accepted { version, suite, .. } => {
                let version = TlsProtocol::from_wire(*version)
                    .map_or_else(|| format!("{version:#06x}"), |p| p.to_string());
                write!(f, "accepted: {version}, {}", suite_name(*suite))
            }
            HelloOutcome::Downgraded { version } => match TlsProtocol::from_wire(*version) {
                Some(p) => write!(f, "server answered with {p}"),
                None => write!(f, "server answered with version {version:#06x}"),
            },
            HelloOutcome::Alert(code) => match alert_name(*code) {
                Some(name) => write!(f, "alert {code} ({name})"),
                None => write!(f, "alert {code}"),
            },
            HelloOutcome::Closed => f.write_str("connection closed"),
            HelloOutcome::NotTls(head) => write!(f, "not TLS: {head}"),
            HelloOutcome::Malformed(why) => write!(f, "malformed answer: {why}"),
            HelloOutcome::Timeout(phase) => write!(f, "timed out ({phase})"),
            HelloOutcome::Io(why) => write!(f, "I/O error: {why}"),
        }
    }
}

/// OpenSSL's name for a suite, else the IANA name, else the code point.
pub fn suite_name(code: u16) -> String {
    ciphers::by_code(code).map_or_else(|| format!("{code:#06x}"), |s| s.openssl.to_string())
}

/// RFC 8446 / 5246 alert descriptions a refusing server is likely to send.
fn alert_name(code: u8) -> Option<&'static str> {
    Some(match code {
        0 => "close_notify",
        10 => "unexpected_message",
        20 => "bad_record_mac",
        40 => "handshake_failure",
        47 => "illegal_parameter",
        50 => "decode_error",
        70 => "protocol_version",
        71 => "insufficient_security",
        80 => "internal_error",
        86 => "inappropriate_fallback",
        109 => "missing_extension",
        112 => "unrecognized_name",
        _ => return None,
    })
}

/// The suites from `grammar/ciphers.tsv` that can be negotiated in `version`,
/// including those this machine's OpenSSL does not build: the server under
/// test may be an older or different stack.
pub fn suites_for(version: TlsProtocol) -> Vec<u16> {
    ciphers::suites()
        .iter()
        .filter(|s| match version {
            TlsProtocol::Ssl3 => s.min_version == TlsVersion::Ssl3,
            TlsProtocol::Tls10 | TlsProtocol::Tls11 => s.min_version <= TlsVersion::Tls1,
            TlsProtocol::Tls12 => s.min_version <= TlsVersion::Tls12,
            TlsProtocol::Tls13 => s.min_version == TlsVersion::Tls13,
        })
        .map(|s| s.code)
        .collect()
}

/// Sends one ClientHello offering `suites` for `version` and reports the answer.
pub async fn hello(
    addr: SocketAddr,
    version: TlsProtocol,
    suites: &[u16],
    opts: &ScanOptions,
) -> HelloOutcome {
    let record = build_client_hello(&ClientHelloSpec {
        version,
        sni: opts.sni.as_deref(),
        suites,
    });

    let mut stream = match timeout(opts.timeout, TcpStream::connect(addr)).await {
        Err(_) => return HelloOutcome::Timeout(Phase::Connect),
        Ok(Err(e)) => return HelloOutcome::Io(format!("connect to {addr}: {e}")),
        Ok(Ok(stream)) => stream,
    };
    // One small write; no reason to let Nagle hold it.
    let _ = stream.set_nodelay(true);
    match timeout(opts.timeout, stream.write_all(&record)).await {
        Err(_) => return HelloOutcome::Timeout(Phase::Write),
        Ok(Err(e)) if is_hang_up(&e) => return HelloOutcome::Closed,
        Ok(Err(e)) => return HelloOutcome::Io(format!("write: {e}")),
        Ok(Ok(())) => {}
    }

    // The buffer lives outside the timed future so that what arrived before
    // a timeout or hang-up can still be judged.
    let mut received = Vec::with_capacity(4096);
    let ended = match timeout(opts.timeout, read_reply(&mut stream, &mut received)).await {
        Err(_) => ReadEnd::TimedOut,
        Ok(end) => end,
    };
    let reply = match ended {
        ReadEnd::Reply(reply) => reply,
        other => match parse_reply(&received) {
            // The ServerHello is in; only the optional key exchange is missing.
            Reply::Incomplete(Some(info)) => Reply::Complete(info),
            _ => match other {
                ReadEnd::TimedOut => return HelloOutcome::Timeout(Phase::ReadServerHello),
                ReadEnd::HungUp => return HelloOutcome::Closed,
                ReadEnd::TooLong => {
                    return HelloOutcome::Malformed(format!(
                        "no ServerHello in the first {MAX_REPLY_BYTES} bytes"
                    ))
                }
                ReadEnd::Failed(e) => return HelloOutcome::Io(format!("read: {e}")),
                ReadEnd::Reply(_) => unreachable!("handled above"),
            },
        },
    };
    judge(version, suites, reply)
}

enum ReadEnd {
    Reply(Reply),
    HungUp,
    TooLong,
    TimedOut,
    Failed(io::Error),
}

/// Reads until the parser has a verdict, the peer hangs up, or the byte budget is spent.
async fn read_reply(stream: &mut TcpStream, received: &mut Vec<u8>) -> ReadEnd {
    let mut chunk = [0u8; 8192];
    loop {
        match parse_reply(received) {
            Reply::Incomplete(_) => {}
            verdict => return ReadEnd::Reply(verdict),
        }
        if received.len() >= MAX_REPLY_BYTES {
            return ReadEnd::TooLong;
        }
        match stream.read(&mut chunk).await {
            Ok(0) => return ReadEnd::HungUp,
            Ok(n) => received.extend_from_slice(&chunk[..n]),
            Err(e) if is_hang_up(&e) => return ReadEnd::HungUp,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return ReadEnd::Failed(e),
        }
    }
}

/// A reset is how many servers refuse a hello: not an error of ours.
fn is_hang_up(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::ConnectionReset
            | io::ErrorKind::ConnectionAborted
            | io::ErrorKind::BrokenPipe
    )
}

/// Turns the parser's verdict into an outcome, holding the server to what was offered.
fn judge(offered: TlsProtocol, suites: &[u16], reply: Reply) -> HelloOutcome {
    match reply {
        Reply::Complete(ServerHelloInfo {
            version,
            suite,
            dh_bits,
            curve,
            key_share_group,
            ..
        }) => {
            let curve = curve.or(key_share_group);
            if version != offered.wire() {
                HelloOutcome::Downgraded { version }
            } else if !suites.contains(&suite) {
                HelloOutcome::Malformed(format!(
                    "server chose {}, which was not offered",
                    suite_name(suite)
                ))
            } else {
                HelloOutcome::Accepted {
                    version,
                    suite,
                    dh_bits,
                    curve,
                }
            }
        }
        Reply::Alert { description, .. } => HelloOutcome::Alert(description),
        Reply::NotTls(head) => HelloOutcome::NotTls(head),
        Reply::Malformed(why) => HelloOutcome::Malformed(why),
        Reply::Incomplete(_) => HelloOutcome::Closed,
    }
}

/// Which versions the server accepts, with the outcome for each.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProtocolScan {
    /// Oldest first.
    pub accepted: Vec<TlsProtocol>,
    pub outcomes: Vec<(TlsProtocol, HelloOutcome)>,
}

/// Offers each of SSLv3 … TLS 1.3 with every suite valid for it, concurrently.
pub async fn scan_protocols(addr: SocketAddr, opts: &ScanOptions) -> ProtocolScan {
    let offer = |version| async move { hello(addr, version, &suites_for(version), opts).await };
    let (ssl3, tls10, tls11, tls12, tls13) = tokio::join!(
        offer(TlsProtocol::Ssl3),
        offer(TlsProtocol::Tls10),
        offer(TlsProtocol::Tls11),
        offer(TlsProtocol::Tls12),
        offer(TlsProtocol::Tls13),
    );
    let outcomes: Vec<(TlsProtocol, HelloOutcome)> = TlsProtocol::ALL
        .into_iter()
        .zip([ssl3, tls10, tls11, tls12, tls13])
        .collect();
    let accepted = outcomes
        .iter()
        .filter(|(_, outcome)| outcome.is_accepted())
        .map(|(version, _)| *version)
        .collect();
    ProtocolScan { accepted, outcomes }
}

/// The suites a server accepts for one version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SuiteScan {
    pub version: TlsProtocol,
    /// In the order the server chose them while the offer shrank: its
    /// preference order when it enforces one.
    pub accepted: Vec<u16>,
    /// `Some(true)`: the server picks by its own order; `Some(false)`: it
    /// follows the client; `None`: fewer than two suites, or no consistent answer.
    pub server_order: Option<bool>,
    /// Smallest DH prime seen in a DHE suite's ServerKeyExchange.
    pub dh_bits: Option<u32>,
    /// The answer that ended the enumeration, normally an alert; a timeout or
    /// I/O error here means `accepted` may be incomplete. `None` when every
    /// offered suite was accepted.
    pub ended_by: Option<HelloOutcome>,
}

/// Enumerates the suites accepted for `version` and checks the cipher order.
pub async fn scan_suites(addr: SocketAddr, version: TlsProtocol, opts: &ScanOptions) -> SuiteScan {
    let mut remaining = suites_for(version);
    let mut accepted = Vec::new();
    let mut dh_bits: Option<u32> = None;
    let mut ended_by = None;

    // Terminates: `judge` only accepts a suite from the offer, and each
    // round removes it.
    while !remaining.is_empty() {
        match hello(addr, version, &remaining, opts).await {
            HelloOutcome::Accepted {
                suite,
                dh_bits: bits,
                ..
            } => {
                accepted.push(suite);
                remaining.retain(|&s| s != suite);
                dh_bits = match (dh_bits, bits) {
                    (Some(a), Some(b)) => Some(a.min(b)),
                    (a, b) => a.or(b),
                };
            }
            other => {
                ended_by = Some(other);
                break;
            }
        }
    }

    let server_order = if accepted.len() >= 2 {
        server_enforces_order(addr, version, &accepted, opts).await
    } else {
        None
    };
    SuiteScan {
        version,
        accepted,
        server_order,
        dh_bits,
        ended_by,
    }
}

/// Offers the accepted suites in two orders with different first entries. A
/// server with its own order picks the same suite both times; one following
/// the client picks each list's first entry.
async fn server_enforces_order(
    addr: SocketAddr,
    version: TlsProtocol,
    accepted: &[u16],
    opts: &ScanOptions,
) -> Option<bool> {
    let reversed: Vec<u16> = accepted.iter().rev().copied().collect();
    let from_reversed = hello(addr, version, &reversed, opts).await.suite()?;
    let from_forward = hello(addr, version, accepted, opts).await.suite()?;
    if from_reversed == from_forward {
        Some(true)
    } else if from_reversed == reversed[0] && from_forward == accepted[0] {
        Some(false)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suites_per_version() {
        let tls13 = suites_for(TlsProtocol::Tls13);
        assert!(tls13.contains(&0x1301) && !tls13.contains(&0xc02f));
        let tls12 = suites_for(TlsProtocol::Tls12);
        assert!(tls12.contains(&0xc02f) && tls12.contains(&0x002f) && !tls12.contains(&0x1301));
        let tls10 = suites_for(TlsProtocol::Tls10);
        assert!(tls10.contains(&0x002f) && !tls10.contains(&0xc02f));
        assert_eq!(tls10, suites_for(TlsProtocol::Tls11));
        assert!(suites_for(TlsProtocol::Ssl3)
            .iter()
            .all(|s| tls10.contains(s)));
    }

    #[test]
    fn judge_holds_the_server_to_the_offer() {
        let info = |version, suite| ServerHelloInfo {
            legacy_version: 0x0303,
            version,
            suite,
            retry_request: false,
            key_share_group: None,
            dh_bits: None,
            curve: None,
        };
        let ok = judge(
            TlsProtocol::Tls12,
            &[0xc02f],
            Reply::Complete(info(0x0303, 0xc02f)),
        );
        assert!(ok.is_accepted());
        let down = judge(
            TlsProtocol::Tls13,
            &[0x1301],
            Reply::Complete(info(0x0303, 0x1301)),
        );
        assert_eq!(down, HelloOutcome::Downgraded { version: 0x0303 });
        let stray = judge(
            TlsProtocol::Tls12,
            &[0xc02f],
            Reply::Complete(info(0x0303, 0x002f)),
        );
        assert!(matches!(stray, HelloOutcome::Malformed(_)));
    }

    #[test]
    fn outcomes_read_well() {
        assert_eq!(
            HelloOutcome::Alert(40).to_string(),
            "alert 40 (handshake_failure)"
        );
        assert_eq!(
            HelloOutcome::Timeout(Phase::ReadServerHello).to_string(),
            "timed out (read-server-hello)"
        );
        let accepted = HelloOutcome::Accepted {
            version: 0x0303,
            suite: 0xc02f,
            dh_bits: None,
            curve: None,
        };
        assert_eq!(
            accepted.to_string(),
            "accepted: TLSv1.2, ECDHE-RSA-AES128-GCM-SHA256"
        );
    }
}
