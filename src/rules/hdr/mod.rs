//! HDR rules: the response headers nginx adds — HSTS present, long enough
//! and sent on every status, security headers not lost to `add_header`'s
//! replace-not-merge inheritance, no version disclosure, no folded values.
//!
//! The effective `add_header` set of every server and location comes from
//! the Site model (inheritance and `add_header_inherit` applied); rules
//! about single directives find them with [`crate::rules::sec::walk_http`].

mod hdr001_hsts_missing;
mod hdr002_hsts_max_age_too_short;
mod hdr003_hsts_without_always;
mod hdr004_headers_lost_by_inheritance;
mod hdr005_server_tokens_on;
mod hdr006_header_value_newline;

pub use hdr001_hsts_missing::HstsMissing;
pub use hdr002_hsts_max_age_too_short::HstsMaxAgeTooShort;
pub use hdr003_hsts_without_always::HstsWithoutAlways;
pub use hdr004_headers_lost_by_inheritance::HeadersLostByInheritance;
pub use hdr005_server_tokens_on::ServerTokensOn;
pub use hdr006_header_value_newline::HeaderValueNewline;

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

use super::sec::walk_http;
use super::{Checker, Rule};
use crate::config::site::{Settings, Site};
use crate::diag::Edit;
use crate::source::Span;
use crate::syntax::names::ids;
use crate::syntax::Directive;

/// Every HDR rule, in code order.
pub fn rules() -> Vec<&'static dyn Rule> {
    vec![
        &HstsMissing,
        &HstsMaxAgeTooShort,
        &HstsWithoutAlways,
        &HeadersLostByInheritance,
        &ServerTokensOn,
        &HeaderValueNewline,
    ]
}

pub const HSTS: &str = "Strict-Transport-Security";

/// `add_header Strict-Transport-Security …`.
pub fn is_hsts(d: &Directive) -> bool {
    d.is(ids::ADD_HEADER) && d.arg(0).is_some_and(|h| h.eq_ignore_ascii_case(HSTS))
}

/// Whether HSTS is sent with these settings: by `add_header`, or by
/// headers-more's `more_set_headers 'Strict-Transport-Security: …'`.
pub fn sends_hsts(settings: &Settings<'_>) -> bool {
    settings.all(ids::ADD_HEADER).iter().any(|d| is_hsts(d))
        || settings.all("more_set_headers").iter().any(|d| {
            d.args().iter().any(|a| {
                a.value
                    .split_once(':')
                    .is_some_and(|(h, _)| h.trim().eq_ignore_ascii_case(HSTS))
            })
        })
}

/// Headers whose presence is a protection, whatever their value.
const SECURITY_HEADERS: &[&str] = &[
    "content-security-policy",
    "content-security-policy-report-only",
    "cross-origin-embedder-policy",
    "cross-origin-opener-policy",
    "cross-origin-resource-policy",
    "permissions-policy",
    "referrer-policy",
    "strict-transport-security",
    "x-content-type-options",
    "x-frame-options",
    "x-permitted-cross-domain-policies",
    "x-xss-protection",
];

/// Whether losing header `name` with `value` weakens security: the
/// security headers always; caching and download headers when their value
/// protects (`Cache-Control: no-store`, `Content-Disposition: attachment`).
pub fn is_security_header(name: &str, value: &str) -> bool {
    let name = name.to_ascii_lowercase();
    let value = value.to_ascii_lowercase();
    if SECURITY_HEADERS.contains(&name.as_str()) {
        return true;
    }
    match name.as_str() {
        "cache-control" => ["no-store", "no-cache", "private", "must-revalidate"]
            .iter()
            .any(|p| value.contains(p)),
        "pragma" => value.contains("no-cache"),
        "expires" => value == "0" || value.starts_with('-') || value.contains("1970"),
        "content-disposition" => value.contains("attachment"),
        "x-download-options" => value.contains("noopen"),
        _ => false,
    }
}

/// Servers that may be served over TLS: TLS servers, and server-context
/// snippets (their listens are elsewhere).
pub fn maybe_tls(site: &Site<'_>) -> bool {
    site.is_tls() || site.directive.is_none()
}

/// Every HSTS `add_header` written in an http context, once each, except
/// those in effect only on plain-HTTP servers (browsers ignore HSTS
/// received over http://, RFC 6797 §8.1).
pub fn hsts_directives<'s, 'a>(cx: &'s Checker<'a>) -> &'s [&'a Directive] {
    cx.facts.hsts.get_or_init(|| {
        let start = std::time::Instant::now();
        let found = find_hsts(cx);
        crate::timing::report("hsts", start);
        found
    })
}

fn find_hsts<'a>(cx: &Checker<'a>) -> Vec<&'a Directive> {
    // span → whether some server that may speak TLS uses it.
    let mut used: HashMap<Span, bool> = HashMap::default();
    for site in cx.sites {
        let tls = maybe_tls(site);
        for headers in site.lists_in_effect(ids::ADD_HEADER) {
            for d in headers.iter().filter(|d| is_hsts(d)) {
                *used.entry(d.span).or_default() |= tls;
            }
        }
    }
    let mut seen = HashSet::default();
    let mut out = Vec::new();
    walk_http(cx, &["add_header"], |d, _| {
        if is_hsts(d) && used.get(&d.span) != Some(&false) && seen.insert(d.span) {
            out.push(d);
        }
    });
    out
}

/// An edit inserting `text` on a new line after `anchor`, with its
/// indentation: at the end of the anchor's line when only a comment
/// follows it there, else right after its `;`.
pub fn insert_after(cx: &Checker<'_>, anchor: &Directive, text: &str) -> Option<Edit> {
    let indent = super::tls::indent_of(cx, anchor.span)?;
    let bytes = &cx.cfg.sources.get(anchor.span.file).bytes;
    let end = anchor.span.end as usize;
    let line_end = bytes[end..]
        .iter()
        .position(|b| *b == b'\n')
        .map_or(bytes.len(), |p| end + p);
    let rest = String::from_utf8_lossy(&bytes[end..line_end]);
    let rest = rest.trim();
    let crlf = line_end > end && bytes[line_end - 1] == b'\r';
    let (at, newline) = if rest.is_empty() || rest.starts_with('#') {
        // Before the line end, keeping its style.
        if crlf {
            (line_end - 1, "\r\n")
        } else {
            (line_end, "\n")
        }
    } else {
        (end, if crlf { "\r\n" } else { "\n" })
    };
    Some(Edit {
        span: Span::new(anchor.span.file, at, at),
        replacement: format!("{newline}{indent}{text}"),
    })
}
