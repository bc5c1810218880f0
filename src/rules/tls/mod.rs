//! TLS rules: protocols, cipher suites, listen/ssl consistency.

mod tls001_legacy_protocols;

pub use tls001_legacy_protocols::LegacyProtocols;

use std::collections::HashSet;

use super::{Checker, Rule};
use crate::config::site::Site;
use crate::syntax::Directive;

/// Every TLS rule, in code order.
pub fn rules() -> Vec<&'static dyn Rule> {
    vec![&LegacyProtocols]
}

/// Protocol names `ssl_protocols` accepts.
pub const PROTOCOLS: &[&str] = &["SSLv2", "SSLv3", "TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3"];

/// TLS servers (the ones TLS rules judge).
pub fn tls_sites<'c, 'a>(cx: &'c Checker<'a>) -> impl Iterator<Item = &'c Site<'a>> {
    cx.sites.iter().filter(|s| s.is_tls())
}

/// The distinct `name` directives in effect on TLS servers: one finding per
/// directive, however many servers inherit it.
pub fn effective_directives<'a>(cx: &Checker<'a>, name: &str) -> Vec<&'a Directive> {
    let mut seen = HashSet::new();
    tls_sites(cx)
        .filter_map(|s| s.settings.get(name))
        .filter(|d| seen.insert(d.span))
        .collect()
}

pub fn effective_protocol_directives<'a>(cx: &Checker<'a>) -> Vec<&'a Directive> {
    effective_directives(cx, "ssl_protocols")
}
