//! TLS rules: protocols, cipher suites, listen/ssl consistency, certificates
//! and DH parameters as nginx's ssl module sees them.
//!
//! The helpers here answer the questions every TLS rule asks: which servers
//! speak TLS, what `ssl_protocols` and `ssl_ciphers` are in effect for one
//! (nginx's version-dependent defaults included), which server is the
//! default for a listen socket, and where a fix can insert a directive.

mod tls001_legacy_protocols;
mod tls002_protocols_unset;
mod tls003_weak_cipher_suites;
mod tls004_non_forward_secret_or_cbc;
mod tls005_prefer_server_ciphers;
mod tls006_listen_443_without_ssl;
mod tls007_ssl_directive_removed;
mod tls008_missing_certificate;
mod tls009_weak_dhparam;
mod tls010_protocols_differ_on_shared_listen;

pub use tls001_legacy_protocols::LegacyProtocols;
pub use tls002_protocols_unset::ProtocolsUnset;
pub use tls003_weak_cipher_suites::WeakCipherSuites;
pub use tls004_non_forward_secret_or_cbc::NonForwardSecretOrCbc;
pub use tls005_prefer_server_ciphers::PreferServerCiphers;
pub use tls006_listen_443_without_ssl::Listen443WithoutSsl;
pub use tls007_ssl_directive_removed::SslDirectiveRemoved;
pub use tls008_missing_certificate::MissingCertificate;
pub use tls009_weak_dhparam::WeakDhparam;
pub use tls010_protocols_differ_on_shared_listen::ProtocolsDifferOnSharedListen;

use rustc_hash::FxHashSet as HashSet;

use super::{Checker, Rule};
use crate::config::site::{Listen, Site};
use crate::diag::Edit;
use crate::nginx_version::NginxVersion;
use crate::source::Span;
use crate::syntax::ast::{Quote, Word};
use crate::syntax::Directive;
use crate::tls::ciphers::{by_name, Au, CipherSuite, Kx, Weakness};

/// Every TLS rule, in code order.
pub fn rules() -> Vec<&'static dyn Rule> {
    vec![
        &LegacyProtocols,
        &ProtocolsUnset,
        &WeakCipherSuites,
        &NonForwardSecretOrCbc,
        &PreferServerCiphers,
        &Listen443WithoutSsl,
        &SslDirectiveRemoved,
        &MissingCertificate,
        &WeakDhparam,
        &ProtocolsDifferOnSharedListen,
    ]
}

/// Protocol names `ssl_protocols` accepts.
pub const PROTOCOLS: &[&str] = &["SSLv2", "SSLv3", "TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3"];

/// nginx's `ssl_ciphers` default (unchanged since 1.0.5).
pub const DEFAULT_CIPHERS: &str = "HIGH:!aNULL:!MD5";

/// The first release whose `ssl_protocols` default includes TLSv1.3.
pub const TLS13_DEFAULT_SINCE: NginxVersion = NginxVersion::new(1, 23, 4);
/// The first release whose `ssl_protocols` default drops TLSv1 and TLSv1.1.
pub const MODERN_DEFAULT_SINCE: NginxVersion = NginxVersion::new(1, 27, 3);

/// What nginx uses when `ssl_protocols` is set at no level. An unknown
/// version is treated as the oldest (the worst default).
pub fn default_protocols(version: Option<NginxVersion>) -> &'static [&'static str] {
    match version {
        Some(v) if v >= MODERN_DEFAULT_SINCE => &["TLSv1.2", "TLSv1.3"],
        Some(v) if v >= TLS13_DEFAULT_SINCE => &["TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3"],
        _ => &["TLSv1", "TLSv1.1", "TLSv1.2"],
    }
}

/// `nginx 1.22.1`, or a note that the version is unknown.
pub fn version_label(version: Option<NginxVersion>) -> String {
    match version {
        Some(v) => format!("nginx {v}"),
        None => "nginx (version unknown, assuming the oldest)".to_string(),
    }
}

/// The protocols in effect on `site`: its `ssl_protocols` (inherited
/// included), else nginx's default for the configured version.
pub fn effective_protocols<'a>(cx: &Checker<'_>, site: &Site<'a>) -> Vec<&'a str> {
    match site.settings.get("ssl_protocols") {
        Some(d) => d.args().iter().map(|a| a.value).collect(),
        None => default_protocols(cx.nginx_version()).to_vec(),
    }
}

/// Whether any protocol before TLS 1.3 is enabled (where `ssl_ciphers` and
/// `ssl_prefer_server_ciphers` matter).
pub fn enables_pre_tls13(protocols: &[&str]) -> bool {
    protocols
        .iter()
        .any(|p| PROTOCOLS.contains(p) && *p != "TLSv1.3")
}

/// The cipher string in effect on `site` and the directive that sets it
/// (None: nginx's default).
pub fn effective_ciphers<'a>(site: &Site<'a>) -> (&'a str, Option<&'a Directive>) {
    match site.settings.get("ssl_ciphers") {
        Some(d) => (d.arg(0).unwrap_or(DEFAULT_CIPHERS), Some(d)),
        None => (DEFAULT_CIPHERS, None),
    }
}

/// Whether nginx can ever negotiate the suite. nginx configures no PSK
/// callback and no SRP verifier, so OpenSSL never offers PSK or SRP suites
/// even when the cipher string lists them.
pub fn negotiable(suite: &CipherSuite) -> bool {
    !matches!(
        suite.kx,
        Kx::Psk | Kx::RsaPsk | Kx::DhePsk | Kx::EcdhePsk | Kx::Srp
    ) && !matches!(suite.au, Au::Psk | Au::Srp)
}

/// `a, b, c, d, e and 3 more`: at most `max` names.
pub fn name_list<S: AsRef<str>>(names: &[S], max: usize) -> String {
    let shown: Vec<&str> = names.iter().take(max).map(|s| s.as_ref()).collect();
    match names.len() {
        0 => String::new(),
        n if n > max => format!("{} and {} more", shown.join(", "), n - max),
        1 => shown[0].to_string(),
        n => format!("{} and {}", shown[..n - 1].join(", "), shown[n - 1]),
    }
}

/// What an item of a cipher string does (OpenSSL's rule prefixes).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CipherOp {
    /// `X`: add the matching suites.
    Add,
    /// `+X`: move the matching enabled suites to the end.
    Order,
    /// `-X`: remove them (a later item may add them back).
    Delete,
    /// `!X`: remove them for good.
    Kill,
    /// `@STRENGTH`, `@SECLEVEL=n`.
    Command,
}

/// One `:`-separated item of a cipher string, e.g. `!aNULL` or `kRSA+AES`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CipherItem<'s> {
    pub op: CipherOp,
    /// The item without its prefix, split at `+`.
    pub words: Vec<&'s str>,
    /// The item as written, prefix included.
    pub text: &'s str,
}

impl CipherItem<'_> {
    /// Whether the item asks for suites (adds or re-orders them).
    pub fn is_positive(&self) -> bool {
        matches!(self.op, CipherOp::Add | CipherOp::Order)
    }
}

/// Splits a cipher string into items the way OpenSSL reads it (`:`, `,`,
/// `;` and spaces separate items).
pub fn cipher_items(s: &str) -> Vec<CipherItem<'_>> {
    s.split([':', ',', ';', ' '])
        .filter(|t| !t.is_empty())
        .map(|text| {
            let (op, rest) = match text.as_bytes()[0] {
                b'+' => (CipherOp::Order, &text[1..]),
                b'-' => (CipherOp::Delete, &text[1..]),
                b'!' => (CipherOp::Kill, &text[1..]),
                b'@' => (CipherOp::Command, &text[1..]),
                _ => (CipherOp::Add, text),
            };
            let words = if op == CipherOp::Command {
                vec![rest]
            } else {
                rest.split('+').filter(|w| !w.is_empty()).collect()
            };
            CipherItem { op, words, text }
        })
        .collect()
}

/// The weakness classes a cipher-string word names, whatever the installed
/// OpenSSL still builds: an alias (`RC4`, `3DES`, `EXPORT`, `aNULL`, …) or a
/// suite name (`RC4-SHA`, `DES-CBC3-SHA`).
pub fn word_weaknesses(word: &str) -> Vec<Weakness> {
    let class = match word {
        "NULL" | "eNULL" | "COMPLEMENTOFALL" => Some(Weakness::Null),
        "aNULL" | "ADH" | "AECDH" => Some(Weakness::Anonymous),
        "EXP" | "EXPORT" | "EXP40" | "EXPORT40" | "EXP56" | "EXPORT56" => Some(Weakness::Export),
        // OpenSSL 1.0's LOW was the 56/64-bit class: single DES.
        "DES" | "LOW" => Some(Weakness::Des),
        "RC4" => Some(Weakness::Rc4),
        "3DES" => Some(Weakness::TripleDes),
        "MD5" => Some(Weakness::Md5),
        _ => None,
    };
    match class {
        Some(c) => vec![c],
        None => by_name(word).map(|s| s.weaknesses()).unwrap_or_default(),
    }
}

/// Whether a cipher-string word is a suite name (rather than an alias).
pub fn ciphers_by_name(word: &str) -> bool {
    by_name(word).is_some()
}

/// The `!` spelling that removes a weakness class in any OpenSSL version.
pub fn weakness_kill(w: Weakness) -> &'static str {
    match w {
        Weakness::Null => "!eNULL",
        Weakness::Anonymous => "!aNULL",
        Weakness::Export => "!EXPORT",
        Weakness::Des => "!DES",
        Weakness::Rc4 => "!RC4",
        Weakness::TripleDes => "!3DES",
        Weakness::Md5 => "!MD5",
    }
}

/// `value` written with the same quotes as `arg` (cipher strings and
/// protocol names need no escaping).
pub fn requote(arg: Word<'_>, value: &str) -> String {
    match arg.quote {
        Quote::None => value.to_string(),
        Quote::Single => format!("'{value}'"),
        Quote::Double => format!("\"{value}\""),
    }
}

/// TLS servers (the ones TLS rules judge).
pub fn tls_sites<'c, 'a>(cx: &'c Checker<'a>) -> impl Iterator<Item = &'c Site<'a>> {
    cx.sites.iter().filter(|s| s.is_tls())
}

/// The distinct `name` directives in effect on TLS servers: one finding per
/// directive, however many servers inherit it.
pub fn effective_directives<'a>(cx: &Checker<'a>, name: &str) -> Vec<&'a Directive> {
    let mut seen = HashSet::default();
    tls_sites(cx)
        .filter_map(|s| s.settings.get(name))
        .filter(|d| seen.insert(d.span))
        .collect()
}

pub fn effective_protocol_directives<'a>(cx: &Checker<'a>) -> Vec<&'a Directive> {
    effective_directives(cx, "ssl_protocols")
}

/// Where a finding about a whole server points: the `server` keyword, or
/// for a server-context fragment its first TLS listen (or first directive).
pub fn site_span(site: &Site<'_>) -> Option<Span> {
    site.span()
        .or_else(|| {
            site.listens
                .iter()
                .find(|l| l.ssl || l.quic)
                .map(|l| l.span)
        })
        .or_else(|| site.listens.first().map(|l| l.span))
        .or_else(|| site.own.first().map(|d| d.name_span()))
}

/// Whether `d` is written in the server block itself (not pulled in by an
/// `include`, which other servers may share, nor inherited).
pub fn written_in_server(site: &Site<'_>, d: &Directive) -> bool {
    site.own.iter().any(|o| o.span == d.span)
        && site
            .directive
            .is_none_or(|s| s.span.file == d.span.file && s.span.start <= d.span.start)
}

/// The whitespace before `span` on its line, when nothing else precedes it.
pub fn indent_of(cx: &Checker<'_>, span: Span) -> Option<String> {
    let bytes = &cx.cfg.sources.get(span.file).bytes;
    let start = span.start as usize;
    let line_start = bytes[..start]
        .iter()
        .rposition(|b| *b == b'\n')
        .map_or(0, |p| p + 1);
    let before = &bytes[line_start..start];
    before
        .iter()
        .all(|b| *b == b' ' || *b == b'\t')
        .then(|| String::from_utf8_lossy(before).into_owned())
}

/// An edit inserting `text` (one directive, `;` included) on its own line
/// after the server's last `listen` or `ssl_certificate_key` written in the
/// server block, with that line's indentation. None when there is no such
/// line to anchor on.
pub fn insert_in_server(cx: &Checker<'_>, site: &Site<'_>, text: &str) -> Option<Edit> {
    let anchor = site
        .own
        .iter()
        .filter(|d| matches!(d.name(), "listen" | "ssl_certificate_key"))
        .filter(|d| written_in_server(site, d) && d.terminated)
        .max_by_key(|d| d.span.start)?;
    let indent = indent_of(cx, anchor.span)?;
    Some(Edit {
        span: Span {
            file: anchor.span.file,
            start: anchor.span.end,
            end: anchor.span.end,
        },
        replacement: format!("\n{indent}{text}"),
    })
}

/// An edit deleting directive `d`; its whole line when nothing else is on it.
pub fn remove_directive(cx: &Checker<'_>, d: &Directive) -> Edit {
    let bytes = &cx.cfg.sources.get(d.span.file).bytes;
    let (start, end) = (d.span.start as usize, d.span.end as usize);
    let line_start = bytes[..start]
        .iter()
        .rposition(|b| *b == b'\n')
        .map_or(0, |p| p + 1);
    let line_end = bytes[end..]
        .iter()
        .position(|b| *b == b'\n')
        .map_or(bytes.len(), |p| end + p + 1);
    let blank = |r: &[u8]| r.iter().all(|b| matches!(b, b' ' | b'\t' | b'\r' | b'\n'));
    let span = if blank(&bytes[line_start..start]) && blank(&bytes[end..line_end]) {
        Span::new(d.span.file, line_start, line_end)
    } else {
        d.span
    };
    Edit {
        span,
        replacement: String::new(),
    }
}

/// One listen socket and the servers on it, in configuration order.
pub struct Socket<'c, 'a> {
    /// `Listen::socket()`, e.g. `*:443`.
    pub key: String,
    /// Every (server, its listen on this socket).
    pub servers: Vec<(&'c Site<'a>, &'c Listen)>,
    /// Index of the default server and the OR of `ssl`, found once when the
    /// socket is built: asking per server would be quadratic.
    default: usize,
    ssl: bool,
}

impl<'c, 'a> Socket<'c, 'a> {
    /// nginx's default server for the socket: the one whose listen says
    /// `default_server`, else the first.
    pub fn default_server(&self) -> (&'c Site<'a>, &'c Listen) {
        self.servers[self.default]
    }

    /// nginx ORs `ssl` over every listen of one socket.
    pub fn is_ssl(&self) -> bool {
        self.ssl
    }

    pub fn is_default(&self, site: &Site<'a>) -> bool {
        std::ptr::eq(self.default_server().0, site)
    }
}

/// Every listen socket of the configuration (servers linted together are
/// treated as one `http` block, the sites-enabled layout). QUIC listens are
/// UDP sockets and are left out.
/// Built once per check, shared by TLS006, TLS008 and TLS010.
pub fn sockets<'c, 'a>(cx: &'c Checker<'a>) -> &'c [Socket<'a, 'a>] {
    cx.facts.tls_sockets.get_or_init(|| build_sockets(cx))
}

fn build_sockets<'a>(cx: &Checker<'a>) -> Vec<Socket<'a, 'a>> {
    let mut out: Vec<Socket<'a, 'a>> = Vec::new();
    // Map lookups and a last-entry check keep this linear when thousands
    // of servers share one socket.
    // By address and port: the key text is made once per socket, not per listen.
    let mut index: rustc_hash::FxHashMap<(Option<&str>, u16), usize> =
        rustc_hash::FxHashMap::default();
    for site in cx.sites {
        for listen in site.listens.iter().filter(|l| !l.quic) {
            let i = *index
                .entry((listen.address.as_deref(), listen.port))
                .or_insert_with(|| {
                    out.push(Socket {
                        key: listen.socket(),
                        servers: Vec::new(),
                        default: 0,
                        ssl: false,
                    });
                    out.len() - 1
                });
            let socket = &mut out[i];
            // Sites are visited one at a time, so a repeat can only be the last entry.
            if !socket
                .servers
                .last()
                .is_some_and(|(s, _)| std::ptr::eq(*s, site))
            {
                socket.servers.push((site, listen));
            }
        }
    }
    for socket in &mut out {
        socket.default = socket
            .servers
            .iter()
            .position(|(_, l)| l.default_server)
            .unwrap_or(0);
        socket.ssl = socket.servers.iter().any(|(_, l)| l.ssl);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::{check, CheckOptions};
    use crate::rules::{Profile, RuleOptions};

    /// Checks `text` (one http-context file), applies every TLS fix of the
    /// file back to front, and returns (codes before, fixed text, codes after).
    fn fix_round(
        text: &str,
        profile: Profile,
        version: &str,
    ) -> (Vec<String>, String, Vec<String>) {
        let run = |text: &str| {
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("site.conf");
            std::fs::write(&path, text).unwrap();
            let opts = CheckOptions {
                profile,
                rules: RuleOptions {
                    nginx_version: Some(version.parse().unwrap()),
                    detect_nginx_version: false,
                    select: vec!["TLS".into(), "SYN".into()],
                    ..RuleOptions::default()
                },
                ..CheckOptions::default()
            };
            let report = check(&[path], &opts);
            let codes: Vec<String> = report
                .diagnostics
                .iter()
                .map(|d| d.code.to_string())
                .collect();
            let mut edits: Vec<Edit> = report
                .diagnostics
                .iter()
                .filter_map(|d| d.fix.as_ref())
                .flat_map(|f| f.edits.iter().cloned())
                .collect();
            edits.sort_by_key(|e| std::cmp::Reverse((e.span.start, e.span.end)));
            let mut out = text.to_string();
            let mut floor = usize::MAX;
            for e in edits {
                // Skip overlapping edits, as the fix engine does.
                if (e.span.end as usize) > floor {
                    continue;
                }
                out.replace_range(e.span.range(), &e.replacement);
                floor = e.span.start as usize;
            }
            (codes, out)
        };
        let (before, fixed) = run(text);
        let (after, again) = run(&fixed);
        assert_eq!(fixed, again, "fixing twice changed the text");
        (before, fixed, after)
    }

    const CERT: &str =
        "    ssl_certificate /nonexistent/a.crt;\n    ssl_certificate_key /nonexistent/a.key;\n";

    #[test]
    fn fixes_remove_their_findings_and_are_stable() {
        let cases: &[(&str, Profile, &str)] = &[
            ("server {\n    listen 443 ssl;\n{CERT}    ssl_prefer_server_ciphers on;\n}\n", Profile::Guide, "1.22.1"),
            ("server {\n    listen 443 ssl;\n{CERT}    ssl_protocols TLSv1.2 TLSv1.3;\n    ssl_ciphers \"ALL:RC4-SHA\";\n    ssl_prefer_server_ciphers off;\n}\n", Profile::Guide, "1.22.1"),
            ("server {\n    listen 443 ssl;\n{CERT}    ssl_protocols TLSv1.2 TLSv1.3;\n}\n", Profile::Intermediate, "1.22.1"),
            ("server {\n    listen 443 ssl;\n{CERT}    ssl_protocols TLSv1.2 TLSv1.3;\n    ssl_ciphers HIGH:eNULL;\n    ssl_prefer_server_ciphers on;\n}\n", Profile::Intermediate, "1.22.1"),
            ("server {\n    listen 443;\n    listen 8443;\n{CERT}    ssl_protocols TLSv1.2 TLSv1.3;\n    ssl_prefer_server_ciphers on;\n}\n", Profile::Guide, "1.22.1"),
            ("ssl on;\nserver {\n    listen 443;\n{CERT}    ssl_protocols TLSv1.2 TLSv1.3;\n    ssl_prefer_server_ciphers on;\n}\nserver {\n    listen 8443;\n    ssl off;\n}\n", Profile::Guide, "1.25.1"),
        ];
        for (text, profile, version) in cases {
            let text = text.replace("{CERT}", CERT);
            let (before, fixed, after) = fix_round(&text, *profile, version);
            assert!(
                before.iter().any(|c| c.starts_with("TLS")),
                "nothing to fix in\n{text}"
            );
            assert!(
                after.is_empty(),
                "{after:?} remain after fixing\n{text}\ninto\n{fixed}"
            );
        }
    }

    #[test]
    fn inserted_directives_follow_the_anchor_indentation() {
        let text = format!(
            "server {{\n\tlisten 443 ssl;\n{}}}\n",
            CERT.replace("    ", "\t")
        );
        let (_, fixed, _) = fix_round(&text, Profile::Guide, "1.22.1");
        let key = "\tssl_certificate_key /nonexistent/a.key;\n";
        let inserted = &fixed[fixed.find(key).unwrap() + key.len()..];
        assert!(
            inserted.contains("\tssl_protocols TLSv1.2 TLSv1.3;\n"),
            "{fixed}"
        );
        assert!(
            inserted.contains("\tssl_prefer_server_ciphers on;\n"),
            "{fixed}"
        );
    }

    #[test]
    fn defaults_follow_the_version() {
        assert_eq!(default_protocols(None), ["TLSv1", "TLSv1.1", "TLSv1.2"]);
        let v = |s: &str| Some(s.parse::<NginxVersion>().unwrap());
        assert_eq!(default_protocols(v("1.22.1")).len(), 3);
        assert_eq!(default_protocols(v("1.23.4")).len(), 4);
        assert_eq!(default_protocols(v("1.27.3")), ["TLSv1.2", "TLSv1.3"]);
    }

    #[test]
    fn name_lists_are_capped() {
        assert_eq!(name_list(&["a"], 5), "a");
        assert_eq!(name_list(&["a", "b", "c"], 5), "a, b and c");
        assert_eq!(name_list(&["a", "b", "c"], 2), "a, b and 1 more");
    }
}
