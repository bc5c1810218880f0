//! Which certificate, key and password files the servers name, shared by the
//! CRT and KEY rules.
//!
//! nginx loads `ssl_certificate`/`ssl_certificate_key` pairs per server (the
//! directives inherit from `http` separately, and several pairs — RSA plus
//! ECDSA — pair up in order). One file is often named by many servers, so the
//! rules report a file's problem once, at the first argument naming it, with
//! the other naming directives as related notes.

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::config::site::Site;
use crate::diag::Diagnostic;
use crate::rules::context::FileRead;
use crate::rules::{Checker, RuleMeta};
use crate::source::Span;
use crate::syntax::ast::Word;
use crate::syntax::Directive;
use crate::tls::cert::CertificateInfo;

/// A directive argument naming a file, with the path nginx resolves it to.
#[derive(Debug, Clone)]
pub struct Named<'a> {
    pub arg: Word<'a>,
    pub path: PathBuf,
}

/// One `ssl_certificate`/`ssl_certificate_key` pair of one server, and the
/// `ssl_password_file` in effect there. A side is None when it is missing,
/// holds variables (loaded per handshake) or names an engine.
#[derive(Debug)]
pub struct Pair<'a> {
    pub site: &'a Site<'a>,
    pub cert: Option<Named<'a>>,
    pub key: Option<Named<'a>>,
    pub password_file: Option<Named<'a>>,
}

/// Every pair of every server, in file order.
pub fn pairs<'s, 'a>(cx: &'s Checker<'a>) -> &'s [Pair<'a>] {
    cx.facts.pairs.get_or_init(|| find_pairs(cx))
}

fn find_pairs<'a>(cx: &Checker<'a>) -> Vec<Pair<'a>> {
    let mut out = Vec::new();
    for site in cx.sites {
        let named = |d: &&'a Directive| -> Option<Named<'a>> {
            let arg = d.args().first()?;
            let path = cx.resolve(site, arg.value)?;
            Some(Named { arg, path })
        };
        let certs = site.settings.all("ssl_certificate");
        let keys = site.settings.all("ssl_certificate_key");
        // Straight from the model's lists, resolving each path once: lists
        // of resolved paths per server, then a copy per pair, were a large
        // part of the certificate rules' time on many servers.
        let pairs = certs.len().max(keys.len());
        if pairs == 0 {
            continue;
        }
        let password_file = site
            .settings
            .all("ssl_password_file")
            .first()
            .and_then(named);
        for i in 0..pairs {
            out.push(Pair {
                site,
                cert: certs.get(i).and_then(named),
                key: keys.get(i).and_then(named),
                password_file: password_file.clone(),
            });
        }
    }
    out
}

/// One file and every distinct argument naming it, the first first.
#[derive(Debug)]
pub struct FileUse<'a> {
    pub path: PathBuf,
    pub args: Vec<Word<'a>>,
}

impl FileUse<'_> {
    /// Where a finding about the file points: the first argument naming it.
    pub fn span(&self) -> Span {
        self.args[0].span
    }

    /// A diagnostic at the first naming argument, the next few as notes.
    /// One shared certificate can be named by thousands of servers; a note
    /// for each made one finding megabytes long, so the last note counts the rest.
    pub fn report(&self, meta: &RuleMeta, message: impl Into<String>) -> Diagnostic {
        const NOTES: usize = 10;
        let mut d = meta.at(self.span(), message);
        let others = &self.args[1..];
        let rest = others.len().saturating_sub(NOTES);
        for (i, arg) in others.iter().take(NOTES).enumerate() {
            d = if i + 1 == NOTES && rest > 0 {
                let places = if rest == 1 { "place" } else { "places" };
                d.with_related(
                    arg.span,
                    format!("the same file is also named here, and in {rest} more {places}"),
                )
            } else {
                d.with_related(arg.span, "the same file is also named here")
            };
        }
        d
    }
}

/// Groups named files by path, keeping first-seen order and distinct spans
/// (an `http`-level directive inherited by ten servers is one argument).
pub fn group<'a>(named: impl IntoIterator<Item = Named<'a>>) -> Vec<FileUse<'a>> {
    let mut out: Vec<FileUse<'a>> = Vec::new();
    let mut spans = HashSet::default();
    // Each site usually has its own certificate: index by path, not a scan.
    let mut by_path: HashMap<PathKey, usize> = HashMap::default();
    for n in named {
        if !spans.insert(n.arg.span) {
            continue;
        }
        let key = PathKey(n.path);
        match by_path.get(&key) {
            Some(&i) => out[i].args.push(n.arg),
            None => {
                by_path.insert(key.clone(), out.len());
                out.push(FileUse {
                    path: key.0,
                    args: vec![n.arg],
                });
            }
        }
    }
    out
}

/// A path as a hash key that is equal as paths are (`a//b.pem` is
/// `a/b.pem`), hashed by its last component's bytes only: hashing a whole
/// `Path` walks its components, and this runs for every server's files.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PathKey(pub PathBuf);

impl Hash for PathKey {
    fn hash<H: Hasher>(&self, state: &mut H) {
        last_component(&self.0).hash(state);
    }
}

/// The bytes of `path`'s last component, whatever the spelling: equal
/// paths (trailing `/` or `/.`, doubled separators) give equal bytes.
fn last_component(path: &Path) -> &[u8] {
    use std::os::unix::ffi::OsStrExt;
    let mut bytes = path.as_os_str().as_bytes();
    loop {
        if let Some(rest) = bytes.strip_suffix(b"/") {
            bytes = rest;
        } else if let Some(rest) = bytes.strip_suffix(b"/.") {
            bytes = rest;
        } else {
            break;
        }
    }
    match bytes.iter().rposition(|&b| b == b'/') {
        Some(at) => &bytes[at + 1..],
        None => bytes,
    }
}

/// Every certificate file, once.
pub fn certificate_files<'s, 'a>(cx: &'s Checker<'a>) -> &'s [FileUse<'a>] {
    cx.facts
        .certificate_files
        .get_or_init(|| group(pairs(cx).iter().filter_map(|p| p.cert.clone())))
}

/// Every key file, once.
pub fn key_files<'s, 'a>(cx: &'s Checker<'a>) -> &'s [FileUse<'a>] {
    cx.facts
        .key_files
        .get_or_init(|| group(pairs(cx).iter().filter_map(|p| p.key.clone())))
}

/// Every `ssl_password_file` in effect on a server, once.
pub fn password_files<'a>(cx: &Checker<'a>) -> Vec<FileUse<'a>> {
    group(cx.sites.iter().filter_map(|site| {
        let arg = site.settings.get("ssl_password_file")?.args().first()?;
        let path = cx.resolve(site, arg.value)?;
        Some(Named { arg, path })
    }))
}

/// The parsed certificates of each certificate file that could be read.
/// Unreadable files are CRT001's; other rules skip them.
pub fn readable_certificates<'s, 'a>(
    cx: &'s Checker<'a>,
) -> Vec<(&'s FileUse<'a>, Arc<FileRead<Vec<CertificateInfo>>>)> {
    certificate_files(cx)
        .iter()
        .map(|u| {
            let read = cx.certificate(&u.path);
            (u, read)
        })
        .filter(|(_, read)| read.result.is_ok())
        .collect()
}

/// The certificates in a chain file that clients check: the leaf and the
/// intermediates. A self-signed certificate after the leaf is a trust anchor
/// (a root CA someone appended): clients use their own copy of a root and
/// never check its self-signature or its dates, so it is skipped.
pub fn checked_certificates(
    chain: &[CertificateInfo],
) -> impl Iterator<Item = (usize, &CertificateInfo)> {
    chain
        .iter()
        .enumerate()
        .filter(|(i, c)| *i == 0 || !c.self_signed)
}

/// How a message names a certificate: the file for the leaf, the position and
/// subject for a chain certificate.
pub fn describe(path: &std::path::Path, index: usize, cert: &CertificateInfo) -> String {
    if index == 0 {
        format!("certificate {}", path.display())
    } else {
        format!(
            "chain certificate #{} ({}) in {}",
            index + 1,
            cert.subject,
            path.display()
        )
    }
}

/// `N days`, with `day` for one.
pub fn days(n: i64) -> String {
    if n == 1 {
        "1 day".to_string()
    } else {
        format!("{n} days")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::crt::CertificateSelfSigned;
    use crate::rules::Rule;
    use crate::source::FileId;
    use crate::syntax::ast::Quote;

    #[test]
    fn path_keys_are_equal_and_hash_alike_as_paths_are() {
        use std::hash::BuildHasher;
        let hash = |p: &str| rustc_hash::FxBuildHasher.hash_one(PathKey(p.into()));
        let same = [
            [
                "/etc/ssl/a.pem",
                "/etc/ssl//a.pem",
                "/etc/./ssl/a.pem/",
                "/etc/ssl/a.pem/.",
            ],
            ["/", "//", "/.", "/./"],
            [".", "./", "./.", ".//."],
        ];
        for group in same {
            for p in group {
                assert_eq!(PathKey(p.into()), PathKey(group[0].into()), "{p}");
                assert_eq!(hash(p), hash(group[0]), "{p}");
            }
        }
        assert_ne!(
            PathKey("/etc/ssl/a.pem".into()),
            PathKey("/etc/ssl/b.pem".into())
        );
        assert_ne!(PathKey("a/../b".into()), PathKey("b".into()));
    }

    fn word(at: usize) -> Word<'static> {
        Word {
            span: Span::new(FileId(0), at, at + 5),
            value: "a.pem",
            quote: Quote::None,
        }
    }

    #[test]
    fn many_namings_give_ten_notes_and_a_count() {
        let words: Vec<Word> = (0..14).map(|i| word(i * 10)).collect();
        let used = FileUse {
            path: PathBuf::from("/a.pem"),
            args: words.clone(),
        };
        let d = used.report(CertificateSelfSigned.meta(), "m");
        assert_eq!(d.span.unwrap().start, 0);
        assert_eq!(d.related.len(), 10);
        // 13 other namings: 10 notes, the last counting the 3 not shown.
        assert_eq!(d.related[9].span.start, 100);
        assert_eq!(
            d.related[9].message,
            "the same file is also named here, and in 3 more places"
        );
        assert_eq!(d.related[8].message, "the same file is also named here");

        let few = FileUse {
            path: PathBuf::from("/a.pem"),
            args: words[..11].to_vec(),
        };
        let d = few.report(CertificateSelfSigned.meta(), "m");
        assert_eq!(d.related.len(), 10);
        assert_eq!(d.related[9].message, "the same file is also named here");

        let two = FileUse {
            path: PathBuf::from("/a.pem"),
            args: words[..3].to_vec(),
        };
        let d = two.report(CertificateSelfSigned.meta(), "m");
        assert_eq!(d.related.len(), 2);
        assert_eq!(d.related[1].span.start, 20);
    }
}
