//! Live checks against a running endpoint.
//!
//! The static rules say what a config *asks* nginx to do; the probe shows what
//! the server really does (OpenSSL's system config, a stale reload or a
//! different server answering can all make the two differ).
//!
//! - [`hello`] / [`server_hello`]: hand-built ClientHello records and the
//!   parser for the answer, because rustls cannot offer TLS 1.0/1.1 or single
//!   weak suites.
//! - [`scan`]: which protocol versions and suites are accepted, server cipher
//!   order and DHE group size, with a timeout on every network step.
//! - [`danger`]: the certificate verifier that records the chain and the
//!   trust verdict instead of failing the handshake.
//! - [`handshake`]: one real rustls handshake (version, suite, ALPN, chain)
//!   and the certificate checks on what was served.
//! - [`findings`]: the scan's findings (TLS101–TLS104, TLS107).
//! - [`http`]: the plain-HTTP redirect and the HTTPS response headers (reqwest).
//! - [`target`]: target syntax, `--resolve`, durations.
//! - [`run`]: one target end to end, and many with bounded concurrency.
//! - [`verify`]: endpoints from a config, and live findings tied back to it.
//! - [`endpoint`]: the facts of each endpoint for `--format json`.
//!
//! Findings use the live codes (1xx) declared in `crate::rules::live`.

pub mod danger;
pub mod endpoint;
pub mod findings;
pub mod handshake;
pub mod hello;
pub mod http;
pub mod run;
pub mod scan;
pub mod server_hello;
pub mod target;
pub mod verify;

pub use run::{probe_all, probe_target, Plan, ProbeOptions, TargetReport};
pub use target::{Resolve, Target};
