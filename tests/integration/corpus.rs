//! Real-world fidelity: 403 configs from public projects (`../shared/corpus`).
//!
//! Two promises are held to nginx itself, not to our own expectations:
//! every file round-trips through the lexer and the parser byte for byte, and
//! our structural verdict (the SYN family) agrees with what a live
//! `nginx -t` (1.22, the packaged one) says about the same file, wrapped the
//! same way the recorded oracle (`ORACLE.tsv`) wrapped it. The oracle is the
//! harness's cross-check: the live run must reproduce its error texts, so we
//! know the harness sets nginx up as the oracle did.
//!
//! nginx stops at its first error and checks things we do not (certificate
//! files, upstream hosts, variables), so each file is put in a class; the
//! only class that fails the test is `real-disagreement`. So that the rest
//! of a file is compared too, the statement nginx stopped at is edited away
//! in a private copy and both tools run again (`read_on`). The classes and
//! every file outside `agree-ok` are written to `docs/corpus-agreement.md`
//! (`UPDATE_DOCS=1` regenerates it; a stale counts section fails the test).
//!
//! Like the oracle's runs, `nginx -t` opens the log files and creates the
//! cache directories a config names by absolute path (for instance
//! `/var/log/nginx/example.com-access.log`, `/var/cache/nginx/microcache`):
//! run the suite where that is harmless (CI, a container).

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::Instant;

use nginx_audit::check::{check, CheckOptions};
use nginx_audit::config::{Config, Context, DirectiveTable, LoadOptions};
use nginx_audit::diag::{Diagnostic, Severity};
use nginx_audit::source::{FileId, Span};
use nginx_audit::syntax;

use crate::util;

const DOC: &str = "docs/corpus-agreement.md";

/// nginx's conf-prefix for a wrapped fragment is the wrapper's directory, so
/// the wrapper lives beside the project's files under this (hidden, so
/// `include *` globs never pick it up) name.
const WRAPPER_PREFIX: &str = ".nginx-audit-wrap-";

/// Directives and parameters that nginx 1.22 does not know but our table
/// (nginx 1.31) does, with the release that added them. A `newer-directive`
/// verdict needs an entry here: the list is the evidence, not a guess.
const NEWER_THAN_1_22: &[(&str, &str)] = &[("http2", "1.25.1"), ("quic", "1.25.0")];

/// Modules our table knows but the packaged nginx 1.22 was built without (or
/// ships as dynamic modules that are not installed): its "unknown directive"
/// for them is a missing module, not a parser question.
const MODULES_NOT_BUILT: &[&str] = &[
    "ngx_stream",
    "ngx_mail",
    "ngx_http_geoip",
    "ngx_http_perl",
    "ngx_http_xslt",
    "ngx_http_image_filter",
    "njs",
    "nginx-otel",
    "nginx-acme",
    "plus:",
];

/// nginx errors that are outside the structural (SYN) scope, by what nginx
/// does that we do not: open files and resolve names, or check meaning.
/// `after_read`: nginx raises it only after reading the whole configuration
/// (when initialising modules, merging servers or opening files), so every
/// structural check passed even where the message names a line (`no port in
/// upstream` names the `fastcgi_pass` that created the upstream).
const BEYOND_SCOPE: &[(&str, Class, bool)] = &[
    // With a line it is an `include`; without one, a log file opened after reading.
    ("open() \"", Class::MissingFileOrModule, false),
    ("cannot load certificate", Class::MissingFileOrModule, true),
    (
        "host not found in upstream",
        Class::MissingFileOrModule,
        false,
    ),
    (
        "host not found in resolver",
        Class::MissingFileOrModule,
        false,
    ),
    ("getgrnam(", Class::MissingFileOrModule, false),
    ("getpwnam(", Class::MissingFileOrModule, false),
    ("bind() to", Class::MissingFileOrModule, true),
    ("unknown \"", Class::Semantic, true),
    ("no port in upstream", Class::Semantic, true),
    ("zero size shared memory zone", Class::Semantic, true),
    ("no \"events\" section", Class::Semantic, true),
    ("no \"ssl_certificate\" is defined", Class::Semantic, true),
    ("\" is unknown", Class::Semantic, true),
    ("unknown log format", Class::Semantic, false),
    ("invalid condition", Class::Semantic, false),
    ("is unsupported on this platform", Class::Semantic, false),
    ("the duplicate \"", Class::Semantic, false),
    ("invalid port in resolver", Class::Semantic, false),
    ("no servers are inside upstream", Class::Semantic, false),
];

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Class {
    AgreeOk,
    AgreeError,
    NewerDirective,
    MissingFileOrModule,
    Semantic,
    RealDisagreement,
}

impl Class {
    const ALL: [Class; 6] = [
        Class::AgreeOk,
        Class::AgreeError,
        Class::NewerDirective,
        Class::MissingFileOrModule,
        Class::Semantic,
        Class::RealDisagreement,
    ];

    fn name(self) -> &'static str {
        match self {
            Class::AgreeOk => "agree-ok",
            Class::AgreeError => "agree-error",
            Class::NewerDirective => "newer-directive",
            Class::MissingFileOrModule => "missing-file-or-module",
            Class::Semantic => "semantic",
            Class::RealDisagreement => "real-disagreement",
        }
    }

    fn meaning(self) -> &'static str {
        match self {
            Class::AgreeOk => "both accept the file",
            Class::AgreeError => "both reject it: same kind of error, same file and line",
            Class::NewerDirective => {
                "nginx 1.22 rejects a directive or parameter added later (our table is nginx 1.31)"
            }
            Class::MissingFileOrModule => {
                "nginx fails opening a file (certificate, log), \
                 resolving a host or user, or on a module this nginx build lacks; \
                 we report nothing structural before that point"
            }
            Class::Semantic => {
                "nginx rejects meaning we do not check structurally (undefined variables, log \
                 formats, zones, upstream ports, missing `events`, `if` conditions); \
                 we report nothing structural before that point"
            }
            Class::RealDisagreement => "anything else: a bug on one side",
        }
    }
}

/// The structural kinds of error both tools name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Syntax,
    UnknownDirective,
    Context,
    Args,
    Terminator,
    Flag,
    Duplicate,
    Include,
    Other,
}

fn kind_of(message: &str) -> Kind {
    if message.starts_with("unexpected") {
        Kind::Syntax
    } else if message.starts_with("unknown directive") {
        Kind::UnknownDirective
    } else if message.ends_with("directive is not allowed here") {
        Kind::Context
    } else if message.starts_with("invalid number of arguments") {
        Kind::Args
    } else if message.contains("is not terminated by") || message.contains("has no opening") {
        Kind::Terminator
    } else if message.contains("it must be \"on\" or \"off\"") {
        Kind::Flag
    } else if message.ends_with("directive is duplicate") {
        Kind::Duplicate
    } else {
        Kind::Other
    }
}

/// One row of MANIFEST.tsv joined with its ORACLE.tsv row.
#[derive(Debug, Clone)]
struct Entry {
    file: String,
    /// The context a fragment is wrapped in (the oracle's, else our guess).
    wrap: Option<String>,
    /// What the recorded oracle said: None = no oracle for this setup;
    /// Some(None) = ok; Some(Some(text)) = its error text.
    oracle: Option<Option<String>>,
}

/// nginx's first error, with paths made relative to the corpus.
#[derive(Debug, Clone)]
struct NginxError {
    message: String,
    at: Option<(String, usize)>,
}

impl NginxError {
    fn text(&self) -> String {
        match &self.at {
            Some((f, l)) => format!("{} in {f}:{l}", self.message),
            None => self.message.clone(),
        }
    }
}

/// One of our SYN errors, with what the comparison needs.
#[derive(Debug, Clone)]
struct OurError {
    message: String,
    kind: Kind,
    file: String,
    /// The line nginx would name: where the statement's `;` or `{` is.
    line: usize,
    /// Position in nginx's reading order (include chain, then offset).
    order: Vec<u32>,
}

/// One comparison: nginx's first error against ours.
#[derive(Debug)]
struct Round {
    nginx: Option<NginxError>,
    ours: Vec<OurError>,
    class: Class,
    why: String,
}

/// A statement edited so that nginx reads on, and the comparison after it.
#[derive(Debug)]
struct Step {
    edited: String,
    round: Round,
}

#[derive(Debug)]
struct Outcome {
    entry: Entry,
    /// The comparison on the file as it is (the one the oracle checks).
    first: Round,
    nginx_raw: String,
    /// Reading on past nginx's first error (see `read_on`).
    steps: Vec<Step>,
    /// How far nginx's reading was checked against ours.
    reach: Reach,
    class: Class,
}

/// How much of a file nginx and we were compared on.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Reach {
    /// nginx read every statement (it accepted, or failed only after reading).
    End,
    /// nginx stopped at a syntax error, which leaves nothing to read on.
    SyntaxError,
    /// nginx stopped at a statement `read_past` cannot edit; the reason.
    Stuck(String),
}

fn corpus_dir() -> PathBuf {
    std::fs::canonicalize(util::shared().join("corpus")).unwrap()
}

/// Rows of a TSV file as header → value maps.
fn read_tsv(path: &Path) -> Vec<HashMap<String, String>> {
    let text = std::fs::read_to_string(path).unwrap();
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split('\t').collect();
    lines
        .filter(|l| !l.is_empty())
        .map(|l| {
            header
                .iter()
                .zip(l.split('\t'))
                .map(|(h, v)| (h.to_string(), v.to_string()))
                .collect()
        })
        .collect()
}

/// The oracle file was written with CSV quoting (`"…""…"`); undo it.
fn unquote_tsv(s: &str) -> String {
    match s.strip_prefix('"').and_then(|s| s.strip_suffix('"')) {
        Some(inner) => inner.replace("\"\"", "\""),
        None => s.to_string(),
    }
}

fn entries(corpus: &Path) -> Vec<Entry> {
    let oracle: HashMap<String, HashMap<String, String>> = read_tsv(&corpus.join("ORACLE.tsv"))
        .into_iter()
        .map(|r| (r["file"].clone(), r))
        .collect();
    read_tsv(&corpus.join("MANIFEST.tsv"))
        .into_iter()
        .map(|m| {
            let file = m["file"].clone();
            let full = m["kind"] == "full";
            let o = &oracle[&file];
            let verdict = |t: &str, e: &str| match o[t].as_str() {
                "ok" => Some(None),
                "failed" => Some(Some(unquote_tsv(&o[e]))),
                _ => None,
            };
            if full {
                return Entry {
                    file,
                    wrap: None,
                    oracle: verdict("nginx_t", "nginx_error"),
                };
            }
            let wrapped_in = o["wrapped_in"].clone();
            if wrapped_in.is_empty() {
                // No oracle (third-party directives made the context
                // unguessable): wrap where our loader would put it.
                let bytes = std::fs::read(corpus.join(&file)).unwrap();
                let parsed = syntax::parse(FileId(0), &bytes);
                let ctx = nginx_audit::config::load::guess_context(&parsed.directives);
                return Entry {
                    file,
                    wrap: Some(ctx.name().to_string()),
                    oracle: None,
                };
            }
            Entry {
                file,
                wrap: Some(wrapped_in),
                oracle: verdict("nginx_t_wrapped", "nginx_wrapped_error"),
            }
        })
        .collect()
}

#[test]
fn every_corpus_file_round_trips() {
    let corpus = corpus_dir();
    let entries = entries(&corpus);
    assert_eq!(entries.len(), 403, "MANIFEST.tsv changed size");
    let mut failures = Vec::new();
    for e in &entries {
        let bytes = std::fs::read(corpus.join(&e.file)).unwrap();
        if syntax::print_tokens(&bytes) != bytes {
            failures.push(format!("{}: tokens do not tile the file", e.file));
        }
        let parsed = syntax::parse(FileId(0), &bytes);
        match syntax::print_tree(&parsed, &bytes) {
            Some(out) if out == bytes => {}
            Some(_) => failures.push(format!("{}: tree prints different bytes", e.file)),
            None => failures.push(format!("{}: tree lost or invented a byte", e.file)),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The directory nginx reads a fragment's relative includes from: the
/// nearest ancestor within its project holding an `nginx.conf` (as a
/// `sites-enabled/x` is read from `/etc/nginx`), else its own directory.
/// The oracle placed its wrappers the same way (its include errors show it).
fn fragment_dir(corpus: &Path, file: &str) -> PathBuf {
    let own = corpus.join(file).parent().unwrap().to_path_buf();
    own.ancestors()
        .take_while(|a| a.starts_with(corpus) && *a != corpus)
        .find(|a| a.join("nginx.conf").is_file())
        .map(Path::to_path_buf)
        .unwrap_or(own)
}

fn wrapper_text(ctx: &str, fragment: &Path) -> String {
    let include = format!("include \"{}\";\n", fragment.display());
    match ctx {
        "main" => format!("{include}events {{}}\n"),
        "events" => format!("events {{\n{include}}}\n"),
        "http" => format!("events {{}}\nhttp {{\n{include}}}\n"),
        "server" => format!("events {{}}\nhttp {{\nserver {{\n{include}}}\n}}\n"),
        "location" => {
            format!("events {{}}\nhttp {{\nserver {{\nlocation / {{\n{include}}}\n}}\n}}\n")
        }
        other => panic!("no wrapper for context {other}"),
    }
}

/// Copy the corpus tree (nginx needs to write wrappers beside the files,
/// and the corpus is read-only).
fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// Run `nginx -t` on one entry of the tree at `root` (a writable copy of
/// the corpus); returns its first error (paths relative to `root`) and its
/// whole stderr.
fn run_nginx(
    nginx: &Path,
    root: &Path,
    prefix: &Path,
    index: usize,
    e: &Entry,
) -> (Option<NginxError>, String) {
    let conf = match &e.wrap {
        None => root.join(&e.file),
        Some(ctx) => {
            let dir = fragment_dir(root, &e.file);
            let wrapper = dir.join(format!("{WRAPPER_PREFIX}{index}.conf"));
            std::fs::write(&wrapper, wrapper_text(ctx, &root.join(&e.file))).unwrap();
            wrapper
        }
    };
    // `-e stderr`: the default error log is not touched; no `-g`, so a
    // config's own `pid`/`error_log` is not doubled.
    let out = Command::new(nginx)
        .arg("-t")
        .arg("-e")
        .arg("stderr")
        .arg("-p")
        .arg(format!("{}/", prefix.display()))
        .arg("-c")
        .arg(&conf)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).replace(&format!("{}/", root.display()), "");
    if out.status.success() {
        return (None, stderr);
    }
    let line = stderr
        .lines()
        .find(|l| l.contains("[emerg]") || l.contains("[alert]") || l.contains("[crit]"))
        .unwrap_or_else(|| panic!("nginx -t failed without an error line:\n{stderr}"));
    let msg = line.split_once("] ").unwrap().1;
    // After the log is set up the line reads `… [emerg] 123#123: message`.
    let msg = match msg.split_once(": ") {
        Some((pid, rest)) if pid.chars().all(|c| c.is_ascii_digit() || c == '#') => rest,
        _ => msg,
    };
    let at = msg.rsplit_once(" in ").and_then(|(m, at)| {
        let (f, l) = at.rsplit_once(':')?;
        let line = l.parse().ok()?;
        (!f.is_empty()).then(|| (m, (f.to_string(), line)))
    });
    let err = match at {
        Some((m, at)) => NginxError {
            message: m.to_string(),
            at: Some(at),
        },
        None => NginxError {
            message: msg.to_string(),
            at: None,
        },
    };
    (Some(err), stderr)
}

/// For every file reachable from the root: the include chain (offsets of the
/// `include` directives) by which nginx first reads it.
fn reading_order(cfg: &Config) -> HashMap<FileId, Vec<u32>> {
    fn visit(cfg: &Config, f: FileId, chain: Vec<u32>, out: &mut HashMap<FileId, Vec<u32>>) {
        if out.contains_key(&f) || chain.len() > 64 {
            return;
        }
        out.insert(f, chain.clone());
        for d in cfg.file(f).walk() {
            if d.name() != "include" {
                continue;
            }
            for t in cfg.includes.get(&d.span).into_iter().flatten() {
                let mut c = chain.clone();
                c.push(d.span.start);
                visit(cfg, *t, c, out);
            }
        }
    }
    let mut out = HashMap::new();
    visit(cfg, cfg.roots[0].file, Vec::new(), &mut out);
    out
}

/// The line nginx names for an error at `span`: the line of the `;` or `{`
/// ending the statement (nginx reports after reading it), else the span's own.
fn nginx_line(cfg: &Config, span: Span) -> usize {
    let file = cfg.file(span.file);
    let head = file.walk().find(|d| {
        let h = d.head_span();
        h.start <= span.start && span.end <= h.end
    });
    let end = head.and_then(|d| d.semicolon().or_else(|| d.block.as_ref().map(|b| b.open())));
    cfg.sources.line_col(end.unwrap_or(span)).0
}

/// Offset of the newline ending 1-based `line` (or of the end of the file).
fn line_end(bytes: &[u8], line: usize) -> usize {
    bytes
        .iter()
        .enumerate()
        .filter(|(_, b)| **b == b'\n')
        .nth(line - 1)
        .map_or(bytes.len(), |(i, _)| i)
}

fn rel(corpus: &Path, p: &Path) -> String {
    p.strip_prefix(corpus)
        .map(|r| r.display().to_string())
        .unwrap_or_else(|_| p.display().to_string())
}

/// Our SYN errors in nginx's reading order, and where nginx's error is in
/// that order.
fn run_ours(
    root: &Path,
    e: &Entry,
    nginx: Option<&NginxError>,
) -> (Vec<OurError>, Option<Vec<u32>>) {
    let path = root.join(&e.file);
    let (prefix, context) = match &e.wrap {
        None => (path.parent().unwrap().to_path_buf(), Context::Main),
        Some(ctx) => (fragment_dir(root, &e.file), Context::parse(ctx).unwrap()),
    };
    let opts = CheckOptions {
        load: LoadOptions {
            prefix: Some(prefix),
            context: Some(context),
        },
        ..CheckOptions::default()
    };
    let report = check(&[path], &opts);
    assert!(
        report.target_errors().is_empty(),
        "{}: {:?}",
        e.file,
        report.target_errors()
    );
    let cfg = &report.config;
    let order = reading_order(cfg);
    let beyond = vec![u32::MAX];
    let mut ours: Vec<OurError> = report
        .diagnostics
        .iter()
        .filter(|d| d.code.starts_with("SYN") && d.severity == Severity::Error)
        .filter_map(|d: &Diagnostic| {
            let span = d.span?;
            let mut key = order.get(&span.file).cloned().unwrap_or(beyond.clone());
            key.push(span.start);
            let kind = if matches!(d.code, "SYN010" | "SYN011") {
                Kind::Include
            } else {
                kind_of(&d.message)
            };
            Some(OurError {
                // Paths relative to the tree, as nginx's are after `run_nginx`.
                message: d.message.replace(&format!("{}/", root.display()), ""),
                kind,
                file: rel(root, cfg.sources.path(span.file)),
                line: nginx_line(cfg, span),
                order: key,
            })
        })
        .collect();
    ours.sort_by(|a, b| a.order.cmp(&b.order));
    // nginx stopped at the end of the line it names; an error without a
    // position comes after the whole file was read.
    let stop = nginx
        .filter(|n| !after_read(n))
        .and_then(|n| n.at.as_ref())
        .and_then(|(f, line)| {
            let (id, src) = cfg.sources.iter().find(|(_, s)| rel(root, &s.path) == *f)?;
            let mut key = order.get(&id)?.clone();
            key.push(line_end(&src.bytes, *line) as u32);
            Some(key)
        });
    (ours, stop)
}

fn beyond_scope(n: &NginxError) -> Option<(Class, bool)> {
    BEYOND_SCOPE
        .iter()
        .find(|(p, _, _)| n.message.contains(p))
        .map(|(_, c, after)| (*c, *after))
}

/// The error comes after nginx read everything: a lineless one always does
/// (`no "events" section`), some with a line too (see `BEYOND_SCOPE`).
fn after_read(n: &NginxError) -> bool {
    n.at.is_none()
        || (kind_of(&n.message) == Kind::Other && beyond_scope(n).is_some_and(|(_, a)| a))
}

/// nginx 1.22 calls `name` unknown: is it newer, or a module this build lacks?
fn unknown_to_1_22(name: &str) -> Option<(Class, String)> {
    if let Some((_, v)) = NEWER_THAN_1_22.iter().find(|(n, _)| *n == name) {
        return Some((
            Class::NewerDirective,
            format!("\"{name}\" appeared in nginx {v}"),
        ));
    }
    let specs = DirectiveTable::get().lookup(name);
    let module = specs.first()?.module;
    MODULES_NOT_BUILT
        .iter()
        .any(|m| module.starts_with(m))
        .then(|| {
            (
                Class::MissingFileOrModule,
                format!("module {module} is not in this nginx build"),
            )
        })
}

fn classify(
    nginx: Option<&NginxError>,
    ours: &[OurError],
    stop: Option<&Vec<u32>>,
) -> (Class, String) {
    let first = ours.first();
    let Some(n) = nginx else {
        return match first {
            None => (Class::AgreeOk, String::new()),
            Some(o) => (
                Class::RealDisagreement,
                format!("nginx accepts; we report {}", o.message),
            ),
        };
    };
    let nkind = if n.message.starts_with("open() \"") && n.at.is_some() {
        // With a position, a failed open() is an `include` (other files
        // nginx opens are opened after reading, without one).
        Kind::Include
    } else {
        kind_of(&n.message)
    };
    if let (Some(o), Some((f, l))) = (first, &n.at) {
        if o.kind == nkind && nkind != Kind::Other && o.file == *f && o.line == *l {
            // Same words too, but for the path in a failed include: nginx
            // prints it as it resolved it, we print the full path.
            let same_words = nkind == Kind::Include || o.message == n.message;
            let why = if same_words {
                String::new()
            } else {
                format!("same kind and line, other words: {}", o.message)
            };
            return (Class::AgreeError, why);
        }
    }
    // Everything below is nginx failing where we do not: fine only if we
    // report nothing before the point where nginx stopped reading.
    let ours_before = |first: Option<&OurError>| match (first, stop) {
        (None, _) => false,
        (Some(_), None) => true,
        (Some(o), Some(s)) => o.order <= *s,
    };
    let (class, why) = match nkind {
        Kind::UnknownDirective => {
            let name = n
                .message
                .trim_start_matches("unknown directive ")
                .trim_matches('"');
            match unknown_to_1_22(name) {
                Some(c) => c,
                None if DirectiveTable::get().lookup(name).is_empty() => (
                    Class::RealDisagreement,
                    "neither knows it, but we do not report it first".into(),
                ),
                None => (
                    Class::RealDisagreement,
                    "our table knows it, nginx 1.22 does not, and it is not listed as newer".into(),
                ),
            }
        }
        Kind::Other if n.message.starts_with("invalid parameter") => {
            let p = n
                .message
                .trim_start_matches("invalid parameter ")
                .trim_matches('"');
            match NEWER_THAN_1_22.iter().find(|(name, _)| *name == p) {
                Some((_, v)) => (
                    Class::NewerDirective,
                    format!("\"{p}\" appeared in nginx {v}"),
                ),
                None => (
                    Class::RealDisagreement,
                    "unexplained invalid parameter".into(),
                ),
            }
        }
        Kind::Other => match beyond_scope(n) {
            Some((c, _)) => (c, String::new()),
            None => (Class::RealDisagreement, "unclassified nginx error".into()),
        },
        Kind::Include => (
            Class::RealDisagreement,
            "missing include we did not report there".into(),
        ),
        _ => (
            Class::RealDisagreement,
            "structural error we did not report there".into(),
        ),
    };
    if class != Class::RealDisagreement && ours_before(first) {
        let o = first.unwrap();
        return (
            Class::RealDisagreement,
            format!(
                "we report {} at {}:{} before nginx stops",
                o.message, o.file, o.line
            ),
        );
    }
    (class, why)
}

/// The oracle's texts were mangled by its CSV writer in places (a field that
/// begins with a quote lost its quotes), so compare without any.
fn same_error_text(live: &str, recorded: &str) -> bool {
    live.replace('"', "") == recorded.replace('"', "")
}

/// Messages that depend on the machine, not on nginx's parsing: privileges,
/// IPv6, and which third-party modules are installed (the oracle's nginx had
/// the upload-progress module loaded; ours has none). A different text from
/// the oracle is tolerated and shown.
fn environment_dependent(text: &str) -> bool {
    let third_party = text
        .strip_prefix("unknown directive \"")
        .and_then(|r| r.split_once('"'))
        .is_some_and(|(name, _)| DirectiveTable::get().lookup(name).is_empty());
    third_party
        || ["getgrnam(", "getpwnam(", "bind() to", "socket() "]
            .iter()
            .any(|p| text.contains(p))
}

/// Compare once: nginx on the tree at `root` against ours on the same tree.
fn compare(nginx: &Path, root: &Path, prefix: &Path, index: usize, e: &Entry) -> (Round, String) {
    let (nginx_err, raw) = run_nginx(nginx, root, prefix, index, e);
    let (ours, stop) = run_ours(root, e, nginx_err.as_ref());
    let (class, why) = classify(nginx_err.as_ref(), &ours, stop.as_ref());
    let round = Round {
        nginx: nginx_err,
        ours,
        class,
        why,
    };
    (round, raw)
}

/// nginx stops at its first error, so everything after it is unchecked.
/// To check it too, edit the statement nginx failed on (`read_past`) in a
/// private copy of the project and compare again, until nginx reads to the
/// end, stops at a syntax error, or fails where no edit helps.
fn read_on(
    nginx: &Path,
    tmp: &Path,
    corpus: &Path,
    index: usize,
    e: &Entry,
    first: &Round,
) -> (Vec<Step>, Reach) {
    let mut steps: Vec<Step> = Vec::new();
    let root = tmp.join(format!("deep-{index}"));
    let project = e.file.split('/').next().unwrap();
    let mut copied = false;
    loop {
        let last = steps.last().map_or(first, |s| &s.round);
        let Some(err) = last.nginx.clone() else {
            return (steps, Reach::End);
        };
        if last.class == Class::RealDisagreement {
            return (steps, Reach::Stuck("a real disagreement".into()));
        }
        let Some((file, line)) = err.at.as_ref().filter(|_| !after_read(&err)) else {
            return (steps, Reach::End);
        };
        if steps.len() == 16 {
            return (steps, Reach::Stuck("16 statements edited".into()));
        }
        if !copied {
            copy_tree(&corpus.join(project), &root.join(project));
            copied = true;
        }
        if !root.join(file).starts_with(root.join(project)) || file.starts_with('/') {
            return (
                steps,
                Reach::Stuck(format!("{file} is outside the project")),
            );
        }
        let edited = match read_past(&root.join(file), *line, &err.message) {
            Ok(done) => format!("{file}:{line}: {done}"),
            Err(_) if kind_of(&err.message) == Kind::Syntax => return (steps, Reach::SyntaxError),
            Err(why) => return (steps, Reach::Stuck(why)),
        };
        let (round, _) = compare(nginx, &root, &tmp.join("prefix"), index, e);
        steps.push(Step { edited, round });
    }
}

/// Edit the statement nginx failed on so that it reads on: blank it with
/// spaces (a block with its whole body), or, where blanking would only raise
/// the next complaint about the same thing, repair it (an `if` condition
/// nginx refuses, an upstream server that does not resolve, an empty
/// upstream, a syntax error our parser places). Lines keep their numbers.
/// Returns what was done.
fn read_past(path: &Path, line: usize, message: &str) -> Result<String, String> {
    let bytes = std::fs::read(path).unwrap();
    let parsed = syntax::parse(FileId(0), &bytes);
    let line_of = |offset: u32| {
        bytes[..offset as usize]
            .iter()
            .filter(|b| **b == b'\n')
            .count()
            + 1
    };
    let text = |span: Span| {
        let t = String::from_utf8_lossy(&bytes[span.range()]);
        t.split_whitespace().collect::<Vec<_>>().join(" ")
    };
    let syntax_error = parsed
        .errors
        .iter()
        .find(|e| e.message == message && line_of(e.span.start) == line);
    let (range, replacement, done) = if let Some(e) = syntax_error {
        // Repair at our parser's position; nginx then says whether it was
        // the right one.
        let at = e.span.start as usize;
        let cut_short = parsed
            .walk()
            .filter(|d| d.span.end <= e.span.start)
            .last()
            .is_some_and(|d| !d.terminated && d.block.is_none());
        match message {
            "unexpected \"}\"" if cut_short => (at..at, ";", "added the missing `;`".to_string()),
            "unexpected \"}\"" | "unexpected \";\"" => (
                at..at + 1,
                "",
                format!("blanked the stray {}", &message[11..]),
            ),
            m if m.len() == 14 && m.starts_with("unexpected \"") => (
                at..at,
                " ",
                "added the missing space after a quote".to_string(),
            ),
            _ => return Err(format!("no repair for {message}")),
        }
    } else if message.starts_with("no servers are inside upstream") {
        // nginx names the closing brace of the empty upstream.
        let Some((d, close)) = parsed.walk().find_map(|d| {
            let close = d.block.as_ref()?.close()?;
            (d.name() == "upstream" && line_of(close.start) == line).then_some((d, close))
        }) else {
            return Err(format!("no upstream closes on line {line}"));
        };
        let at = close.start as usize;
        (
            at..at,
            "server 127.0.0.1:9; ",
            format!("added a server to {}", text(d.head_span())),
        )
    } else {
        let Some(d) = parsed.walk().find(|d| {
            let end = d.semicolon().or_else(|| d.block.as_ref().map(|b| b.open()));
            end.is_some_and(|s| line_of(s.start) == line)
        }) else {
            return Err(format!("no statement ends on line {line}"));
        };
        let head = text(d.head_span());
        match (&d.block, d.args().first(), d.args().last()) {
            (Some(_), Some(first), Some(last))
                if d.name() == "if" && message.starts_with("invalid condition") =>
            {
                let range = first.span.start as usize..last.span.end as usize;
                (
                    range,
                    "($host)",
                    format!("replaced the condition of `{head}`"),
                )
            }
            (None, Some(first), _)
                if d.name() == "server" && message.starts_with("host not found in upstream") =>
            {
                (
                    first.span.range(),
                    "127.0.0.1:9",
                    format!("replaced the host of `{head}`"),
                )
            }
            (Some(b), _, _) if b.close().is_none() => return Err("an unclosed block".into()),
            (Some(_), _, _) => (d.span.range(), "", format!("blanked `{head} {{…}}`")),
            (None, _, _) => (d.span.range(), "", format!("blanked `{head}`")),
        }
    };
    let mut out = bytes[..range.start].to_vec();
    out.extend_from_slice(replacement.as_bytes());
    for &b in &bytes[range.clone()] {
        match b {
            b'\n' | b'\r' => out.push(b),
            _ if replacement.is_empty() => out.push(b' '),
            _ => {}
        }
    }
    out.extend_from_slice(&bytes[range.end..]);
    // The copy is read-only like the corpus; the directory is ours.
    std::fs::remove_file(path).unwrap();
    std::fs::write(path, out).unwrap();
    Ok(done)
}

#[test]
fn structural_verdict_matches_nginx_t() {
    let started = Instant::now();
    let nginx = util::require_tool("nginx");
    let corpus = corpus_dir();
    let entries = entries(&corpus);
    let tmp_dir = tempfile::tempdir().unwrap();
    let tmp = std::fs::canonicalize(tmp_dir.path()).unwrap();
    let copy = tmp.join("c");
    copy_tree(&corpus, &copy);
    let prefix = tmp.join("prefix");
    std::fs::create_dir_all(&prefix).unwrap();

    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<Outcome>> = Mutex::new(Vec::new());
    std::thread::scope(|s| {
        for _ in 0..2 {
            s.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(e) = entries.get(i) else { break };
                // nginx reads the writable copy; we read the corpus itself.
                let (nginx_err, nginx_raw) = run_nginx(&nginx, &copy, &prefix, i, e);
                let (ours, stop) = run_ours(&corpus, e, nginx_err.as_ref());
                let (class, why) = classify(nginx_err.as_ref(), &ours, stop.as_ref());
                let first = Round {
                    nginx: nginx_err,
                    ours,
                    class,
                    why,
                };
                let (steps, reach) = read_on(&nginx, &tmp, &corpus, i, e, &first);
                let later = steps
                    .iter()
                    .any(|s| s.round.class == Class::RealDisagreement);
                let class = if later {
                    Class::RealDisagreement
                } else {
                    first.class
                };
                results.lock().unwrap().push(Outcome {
                    entry: e.clone(),
                    first,
                    nginx_raw,
                    steps,
                    reach,
                    class,
                });
            });
        }
    });
    let mut outcomes = results.into_inner().unwrap();
    outcomes.sort_by(|a, b| a.entry.file.cmp(&b.entry.file));
    assert_eq!(outcomes.len(), entries.len());

    // The harness check: the live nginx says what the recorded oracle said.
    let mut oracle_mismatch = Vec::new();
    let mut tolerated = Vec::new();
    for o in &outcomes {
        let Some(recorded) = &o.entry.oracle else {
            continue;
        };
        let live = o.first.nginx.as_ref().map(NginxError::text);
        let same = match (&live, recorded) {
            (None, None) => true,
            (Some(l), Some(r)) => same_error_text(l, r),
            _ => false,
        };
        if same {
            continue;
        }
        let line = format!(
            "{}: live {:?}, recorded {:?}\n{}",
            o.entry.file, live, recorded, o.nginx_raw
        );
        if live
            .iter()
            .chain(recorded)
            .any(|t| environment_dependent(t))
        {
            eprintln!("oracle differs for environment reasons: {line}");
            let recorded = recorded.as_deref().unwrap_or("ok");
            let live = live.as_deref().unwrap_or("ok");
            tolerated.push(format!(
                "- `{}`\n  - recorded: `{recorded}`\n  - live: `{live}`\n",
                o.entry.file
            ));
        } else {
            oracle_mismatch.push(line);
        }
    }
    assert!(
        oracle_mismatch.is_empty(),
        "live nginx -t disagrees with ORACLE.tsv (harness set up differently?):\n{}",
        oracle_mismatch.join("\n")
    );

    let doc = render_doc(&outcomes, &tolerated);
    let counts = counts_section(&doc);
    eprintln!("{counts}");
    let doc_path = util::root().join(DOC);
    if std::env::var_os("UPDATE_DOCS").is_some() {
        std::fs::create_dir_all(doc_path.parent().unwrap()).unwrap();
        std::fs::write(&doc_path, &doc).unwrap();
    }
    let disagreements: Vec<String> = outcomes
        .iter()
        .filter(|o| o.class == Class::RealDisagreement)
        .map(describe)
        .collect();
    assert!(
        disagreements.is_empty(),
        "{} real disagreement(s) with nginx -t:\n{}",
        disagreements.len(),
        disagreements.join("\n")
    );
    let committed = std::fs::read_to_string(&doc_path).unwrap_or_default();
    assert_eq!(
        counts_section(&committed),
        counts,
        "{DOC} is stale: run `UPDATE_DOCS=1 cargo test --test integration corpus` and commit it"
    );
    let elapsed = started.elapsed();
    assert!(elapsed.as_secs() < 60, "corpus comparison took {elapsed:?}");
}

fn describe_round(s: &mut String, indent: &str, r: &Round) {
    let nginx = match &r.nginx {
        None => "ok".to_string(),
        Some(n) => format!("`{}`", n.text()),
    };
    writeln!(s, "{indent}- nginx 1.22: {nginx}").unwrap();
    match r.ours.first() {
        None => writeln!(s, "{indent}- nginx-audit: no structural error").unwrap(),
        Some(f) => {
            let more = match r.ours.len() - 1 {
                0 => String::new(),
                n => format!(" (and {n} more)"),
            };
            writeln!(
                s,
                "{indent}- nginx-audit: `{} in {}:{}`{more}",
                f.message, f.file, f.line
            )
            .unwrap();
        }
    }
    if !r.why.is_empty() {
        writeln!(s, "{indent}- why: {}", r.why).unwrap();
    }
}

fn describe(o: &Outcome) -> String {
    let mut s = String::new();
    let setup = match &o.entry.wrap {
        None => "full config".to_string(),
        Some(c) if o.entry.oracle.is_some() => format!("wrapped in {c}"),
        Some(c) => format!("wrapped in {c}; no oracle row, our context guess"),
    };
    writeln!(s, "- `{}` ({setup})", o.entry.file).unwrap();
    describe_round(&mut s, "  ", &o.first);
    for step in &o.steps {
        writeln!(s, "  - {}, then:", step.edited).unwrap();
        describe_round(&mut s, "    ", &step.round);
    }
    let reach = match &o.reach {
        Reach::End => "nginx read to the end".to_string(),
        Reach::SyntaxError => "nginx stopped at a syntax error".to_string(),
        Reach::Stuck(why) => format!("not read further: {why}"),
    };
    writeln!(s, "  - {reach}").unwrap();
    s
}

fn render_doc(outcomes: &[Outcome], tolerated: &[String]) -> String {
    let mut by_class: BTreeMap<Class, Vec<&Outcome>> = BTreeMap::new();
    for o in outcomes {
        by_class.entry(o.class).or_default().push(o);
    }
    let mut d = String::new();
    d.push_str(
        "# Corpus agreement with `nginx -t`\n\n\
         Generated by `tests/integration/corpus.rs` \
         (`UPDATE_DOCS=1 cargo test --test integration corpus`); do not edit by hand.\n\n\
         Every file of `../shared/corpus` (403 configs from public projects) is checked \
         twice: by a live `nginx -t` (nginx 1.22.1, Debian's package, throwaway prefix; \
         fragments wrapped in the context `ORACLE.tsv` names, the wrapper placed in the \
         nearest project directory holding an `nginx.conf`) and by `nginx_audit::check` \
         in the same context with the same prefix. nginx's first error is compared with \
         our first structural (SYN) error in nginx's reading order: same kind, same file, \
         same line (nginx names the line of the statement's `;` or `{`). The live run must \
         reproduce the recorded oracle's texts.\n\n\
         nginx stops at its first error. To compare the rest of the file too, the \
         statement nginx failed on is blanked (or, for a refused `if` condition, an \
         unresolvable upstream host, an empty upstream or a syntax error, repaired where \
         our parser places it) in a private copy, \
         line numbers kept, and both tools run again, until nginx reads to the end or \
         stops where no edit helps; a disagreement in any of these rounds counts. The \
         class is that of the first round.\n\n",
    );
    d.push_str("## Counts\n\n| class | files | meaning |\n|---|---:|---|\n");
    for c in Class::ALL {
        let n = by_class.get(&c).map_or(0, Vec::len);
        writeln!(d, "| {} | {n} | {} |", c.name(), c.meaning()).unwrap();
    }
    writeln!(d, "| total | {} | |", outcomes.len()).unwrap();
    let read_on = outcomes.iter().filter(|o| !o.steps.is_empty()).count();
    let edited: usize = outcomes.iter().map(|o| o.steps.len()).sum();
    let to_end = outcomes.iter().filter(|o| o.reach == Reach::End).count();
    let syntax = outcomes
        .iter()
        .filter(|o| o.reach == Reach::SyntaxError)
        .count();
    writeln!(
        d,
        "\nnginx read {to_end} files to the end and stopped at a syntax error in {syntax}; \
         {read_on} files were read on past an error ({edited} statements edited); \
         {} stopped where no edit helps.",
        outcomes.len() - to_end - syntax
    )
    .unwrap();
    if !tolerated.is_empty() {
        d.push_str(
            "\n## Where the live nginx differs from the recorded oracle\n\n\
             Only for reasons of the machine, not of parsing (privileges, IPv6, third-party \
             modules installed: the oracle's nginx had the upload-progress module):\n\n",
        );
        for t in tolerated {
            d.push_str(t);
        }
    }
    d.push_str("\n## Files outside agree-ok\n\nAnd every agree-ok file that needed edits.\n");
    for c in Class::ALL {
        let Some(list) = by_class.get(&c) else {
            continue;
        };
        let list: Vec<_> = list
            .iter()
            .filter(|o| c != Class::AgreeOk || !o.steps.is_empty())
            .collect();
        if list.is_empty() {
            continue;
        }
        writeln!(d, "\n### {}\n", c.name()).unwrap();
        for o in list {
            d.push_str(&describe(o));
        }
    }
    d
}

/// The `## Counts` section of the doc, up to the next heading.
fn counts_section(doc: &str) -> String {
    let Some(start) = doc.find("## Counts") else {
        return String::new();
    };
    let rest = &doc[start..];
    let end = rest[2..].find("\n## ").map_or(rest.len(), |i| i + 3);
    rest[..end].trim_end().to_string()
}
