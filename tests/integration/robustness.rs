//! Bad input never panics, never hangs, never overflows (issue 2).
//!
//! Two halves:
//! - properties (proptest): token soup and byte-mutated corpus files go
//!   through the lexer, the parser and the whole `check` pipeline (includes,
//!   validation, site model, rules, rendering) without a panic, and the
//!   lossless printers give the input back;
//! - named cases through the real binary: each one with its message (and
//!   file:line:col where there is a position), its exit code (1 findings,
//!   2 a problem with a target), no panic, and a timeout.
//!
//! `cargo fuzz` (fuzz/) runs the same properties for as long as one likes.

use std::io::Write as _;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;
use std::time::Duration;

use nginx_audit::check::{check, CheckOptions};
use nginx_audit::render::{render, Format};
use nginx_audit::source::FileId;
use nginx_audit::syntax::{parse, print_tokens, print_tree};
use proptest::prelude::*;

use crate::util::{bin, shared};

// ---------------------------------------------------------------------------
// Properties

/// The syntax-level promises for any input: no panic, spans inside the input,
/// the token printer is the identity, and an error-free parse prints back.
fn assert_syntax_holds(src: &[u8]) {
    let parsed = parse(FileId(0), src);
    let len = src.len() as u32;
    for e in &parsed.errors {
        assert!(e.span.start <= e.span.end && e.span.end <= len, "{e:?}");
    }
    for d in parsed.walk() {
        assert!(d.span.start <= d.span.end && d.span.end <= len, "{d:?}");
    }
    assert_eq!(
        print_tokens(src),
        src,
        "print_tokens lost or invented bytes"
    );
    let tree = print_tree(&parsed, src);
    if parsed.errors.is_empty() {
        assert_eq!(
            tree.as_deref(),
            Some(src),
            "an error-free parse must print back byte for byte"
        );
    }
}

/// Pieces of nginx syntax and of things that break it, glued at random.
fn token() -> impl Strategy<Value = Vec<u8>> {
    let pieces: &[&[u8]] = &[
        b"server",
        b"listen",
        b"443",
        b"ssl",
        b"location",
        b"/",
        b"include",
        b"x.conf",
        b"*.conf",
        b"a",
        b"$host",
        b"${host}",
        b"${",
        b"}",
        b"{",
        b";",
        b"#",
        b"# c\n",
        b"\\",
        b"\\\"",
        b"\"",
        b"'",
        b"\"a b\"",
        b"'c'",
        b"\n",
        b" ",
        b"\t",
        b"\r\n",
        b"content_by_lua_block {",
        b"access_by_lua_block{",
        b"[[",
        b"]]",
        b"[==[",
        b"--",
        b"--[[",
        b"if",
        b"($a",
        b")",
        b"map",
        b"\0",
        b"\xff",
        b"\xc3\xa9",
        b"http {",
        b"events {}",
        b"return 301 https://$host$request_uri;",
    ];
    prop_oneof![
        4 => prop::sample::select(pieces).prop_map(|p| p.to_vec()),
        1 => any::<u8>().prop_map(|b| vec![b]),
        1 => "[a-z_]{1,12}".prop_map(String::into_bytes),
    ]
}

fn soup() -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(token(), 0..120).prop_map(|v| v.concat())
}

/// Every corpus file, read once.
fn corpus() -> &'static [(String, Vec<u8>)] {
    static FILES: OnceLock<Vec<(String, Vec<u8>)>> = OnceLock::new();
    FILES.get_or_init(|| {
        let dir = shared().join("corpus");
        let manifest = std::fs::read_to_string(dir.join("MANIFEST.tsv")).unwrap();
        let files: Vec<_> = manifest
            .lines()
            .skip(1)
            .filter_map(|l| l.split('\t').next())
            .filter(|f| !f.is_empty())
            .map(|f| (f.to_string(), std::fs::read(dir.join(f)).unwrap()))
            .collect();
        assert!(
            files.len() > 100,
            "corpus manifest lists {} files",
            files.len()
        );
        files
    })
}

#[derive(Debug, Clone)]
enum Mutation {
    Flip {
        at: usize,
        bit: u8,
    },
    Insert {
        at: usize,
        bytes: Vec<u8>,
    },
    Delete {
        at: usize,
        len: usize,
    },
    /// Copy a slice of the file elsewhere (duplicates braces, quotes, blocks).
    Splice {
        from: usize,
        len: usize,
        to: usize,
    },
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (any::<usize>(), 0u8..8).prop_map(|(at, bit)| Mutation::Flip { at, bit }),
        (any::<usize>(), token()).prop_map(|(at, bytes)| Mutation::Insert { at, bytes }),
        (any::<usize>(), 1usize..64).prop_map(|(at, len)| Mutation::Delete { at, len }),
        (any::<usize>(), 1usize..256, any::<usize>())
            .prop_map(|(from, len, to)| Mutation::Splice { from, len, to }),
    ]
}

fn mutate(src: &[u8], muts: &[Mutation]) -> Vec<u8> {
    let mut b = src.to_vec();
    for m in muts {
        let n = b.len();
        match m {
            Mutation::Flip { at, bit } if n > 0 => b[at % n] ^= 1 << bit,
            Mutation::Flip { .. } => {}
            Mutation::Insert { at, bytes } => {
                let at = at % (n + 1);
                b.splice(at..at, bytes.iter().copied());
            }
            Mutation::Delete { at, len } => {
                let at = at % (n + 1);
                b.drain(at..(at + len).min(n));
            }
            Mutation::Splice { from, len, to } => {
                let from = from % (n + 1);
                let piece = b[from..(from + len).min(n)].to_vec();
                let to = to % (n + 1);
                b.splice(to..to, piece);
            }
        }
    }
    b
}

fn mutated_corpus_file() -> impl Strategy<Value = (String, Vec<u8>)> {
    let n = corpus().len();
    (0..n, prop::collection::vec(mutation(), 1..8)).prop_map(|(i, muts)| {
        let (name, bytes) = &corpus()[i];
        (name.clone(), mutate(bytes, &muts))
    })
}

/// Run the whole pipeline on `main` (+ `other`, which `main` includes and which
/// includes `main` back and globs its own directory) and render every format.
fn assert_check_holds(main: &[u8], other: &[u8]) {
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("a.conf");
    let b = dir.path().join("b.conf");
    let mut main = main.to_vec();
    main.extend_from_slice(b"\ninclude b.conf;\n");
    let mut other = other.to_vec();
    other.extend_from_slice(b"\ninclude a.conf;\ninclude *.conf;\ninclude nowhere/*.conf;\n");
    std::fs::write(&a, &main).unwrap();
    std::fs::write(&b, &other).unwrap();
    let opts = CheckOptions::default();
    for targets in [vec![a.clone()], vec![dir.path().to_path_buf()], vec![a, b]] {
        let report = check(&targets, &opts);
        for format in [Format::Text, Format::Json, Format::Sarif, Format::Github] {
            let mut out = Vec::new();
            render(&report, format, &mut out).unwrap();
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn token_soup_parses_and_prints_back(src in soup()) {
        assert_syntax_holds(&src);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn mutated_corpus_files_parse_and_print_back((_name, src) in mutated_corpus_file()) {
        assert_syntax_holds(&src);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(40))]

    #[test]
    fn mutated_corpus_files_survive_the_whole_check(
        (_n1, main) in mutated_corpus_file(),
        (_n2, other) in mutated_corpus_file(),
    ) {
        assert_check_holds(&main, &other);
    }

    #[test]
    fn token_soup_survives_the_whole_check(main in soup(), other in soup()) {
        assert_check_holds(&main, &other);
    }
}

#[test]
fn every_corpus_file_prints_back_unchanged() {
    for (name, bytes) in corpus() {
        let parsed = parse(FileId(0), bytes);
        assert_eq!(print_tokens(bytes), *bytes, "{name}");
        if parsed.errors.is_empty() {
            assert_eq!(
                print_tree(&parsed, bytes).as_deref(),
                Some(&bytes[..]),
                "{name}"
            );
        }
    }
}

// ---------------------------------------------------------------------------
// Named cases through the real binary

/// Generous: CI's two cores may be busy with other tests; a hang is what it catches.
const TIMEOUT: Duration = Duration::from_secs(120);

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

/// Run the binary (as built for these tests) with `args` after the global
/// flags; fail on a timeout or a panic.
fn run(args: &[&std::ffi::OsStr]) -> Run {
    let out = bin()
        .arg("--no-config")
        .args(args)
        .timeout(TIMEOUT)
        .output()
        .expect("run nginx-audit");
    finish(out, &format!("{args:?}"))
}

fn run_path(path: &Path) -> Run {
    run(&[path.as_os_str()])
}

fn finish(out: std::process::Output, what: &str) -> Run {
    let r = Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    };
    assert!(
        out.status.code().is_some(),
        "{what}: killed (timeout {TIMEOUT:?} or signal: {:?})\nstderr: {}",
        out.status,
        tail(&r.stderr)
    );
    assert!(
        !r.stderr.contains("panicked") && !r.stdout.contains("panicked"),
        "{what}: panicked\n{}",
        tail(&r.stderr)
    );
    r
}

fn tail(s: &str) -> &str {
    let start = s.len().saturating_sub(4000);
    let start = (start..=s.len())
        .find(|&i| s.is_char_boundary(i))
        .unwrap_or(s.len());
    &s[start..]
}

impl Run {
    fn expect(&self, code: i32, needle: &str) -> &Run {
        let all = format!("{}{}", self.stdout, self.stderr);
        assert!(
            self.code == code && all.contains(needle),
            "expected exit {code} and {needle:?}; got exit {}\nstdout: {}\nstderr: {}",
            self.code,
            tail(&self.stdout),
            tail(&self.stderr)
        );
        self
    }

    /// A problem with a target: exit 2, and stderr names the path and the OS's reason.
    fn expect_io(&self, path: &Path, reason: &str) -> &Run {
        let path = path.display().to_string();
        assert!(
            self.code == 2 && self.stderr.contains(&path) && self.stderr.contains(reason),
            "expected exit 2 and {path:?} with {reason:?} on stderr; got exit {}\nstdout: {}\nstderr: {}",
            self.code,
            tail(&self.stdout),
            tail(&self.stderr)
        );
        self
    }

    fn no_syntax_findings(&self) -> &Run {
        assert!(
            !self.stdout.contains(" SYN0"),
            "a valid config got syntax findings:\n{}",
            tail(&self.stdout)
        );
        self
    }
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, bytes).unwrap();
    p
}

/// Deterministic bytes (xorshift64), NULs and all.
fn noise(len: usize, mut seed: u64) -> Vec<u8> {
    (0..len)
        .map(|_| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed >> 24) as u8
        })
        .collect()
}

/// A server block that is valid and clean under the default profile.
fn server_block(i: usize) -> String {
    format!(
        "    # site {i}: generated for the size tests; stands in for the notes real configs carry\n    \
         server {{\n        listen 127.0.0.1:8080;\n        server_name s{i}.test www.s{i}.test;\n        \
         location / {{\n            return 204;\n        }}\n    }}\n"
    )
}

#[test]
fn empty_file_has_no_findings() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(dir.path(), "empty.conf", b"");
    run_path(&p).expect(0, "no problems found in 1 file(s)");
}

#[test]
fn binary_file_is_reported_not_fatal() {
    let dir = tempfile::tempdir().unwrap();
    let mut bytes = noise(64 * 1024, 0x9e37_79b9_7f4a_7c15);
    bytes.extend_from_slice(b"\0\0\0 server \0{ ;");
    assert!(bytes.contains(&0));
    let p = write(dir.path(), "blob.bin", &bytes);
    let r = run_path(&p);
    r.expect(1, "Found ");
    assert!(
        has_position(&r.stdout, &p),
        "no file:line:col in:\n{}",
        tail(&r.stdout)
    );
    // The noise's control bytes (escape, carriage return, …) are shown as
    // symbols, not sent to the terminal.
    let raw = r
        .stdout
        .chars()
        .find(|&c| c.is_control() && c != '\n' && c != '\t');
    assert_eq!(raw, None, "{}", tail(&r.stdout));
}

#[test]
fn control_bytes_in_names_are_shown_as_symbols() {
    // An escape sequence in a directive's name reaches the message and the
    // source line: printed raw it would recolour (or retitle) the terminal.
    let dir = tempfile::tempdir().unwrap();
    let p = write(dir.path(), "esc.conf", b"\x1b[2J\x1b[31mred\x07;\n");
    let r = run_path(&p);
    r.expect(
        1,
        "esc.conf:1:1: SYN002 error unknown directive \"\u{241b}[2J\u{241b}[31mred\u{2407}\"",
    );
    assert!(r
        .stdout
        .contains("1 | \u{241b}[2J\u{241b}[31mred\u{2407};\n"));
    assert!(!r.stdout.contains('\x1b'), "{}", r.stdout);
}

/// A line `PATH:LINE:COL: …` in `out`.
fn has_position(out: &str, path: &Path) -> bool {
    let digits =
        |s: Option<&str>| s.is_some_and(|s| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()));
    out.lines().any(|l| {
        l.strip_prefix(&format!("{}:", path.display()))
            .is_some_and(|rest| {
                let mut it = rest.splitn(3, ':');
                digits(it.next())
                    && digits(it.next())
                    && it.next().is_some_and(|r| r.starts_with(' '))
            })
    })
}

#[test]
fn invalid_utf8_is_read_lossily_with_positions() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(
        dir.path(),
        "latin1.conf",
        b"events {}\nhttp {\n    # caf\xe9 \xff\xfe\n    server_name caf\xe9.test;\n    \xff\xfebad on;\n}\n",
    );
    let r = run_path(&p);
    r.expect(
        1,
        "latin1.conf:5:5: SYN002 error unknown directive \"\u{fffd}\u{fffd}bad\"",
    );
}

#[test]
fn fifty_megabyte_config_finishes_in_bounded_memory() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("big.conf");
    let mut f = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
    f.write_all(b"events {}\nhttp {\n    server_tokens off;\n")
        .unwrap();
    let (mut size, mut i) = (0usize, 0usize);
    while size < 50 << 20 {
        let s = server_block(i);
        f.write_all(s.as_bytes()).unwrap();
        size += s.len();
        i += 1;
    }
    f.write_all(b"}\n").unwrap();
    f.into_inner().unwrap().sync_all().unwrap();
    let size = std::fs::metadata(&path).unwrap().len();

    let time = Path::new("/usr/bin/time");
    if !time.is_file() {
        eprintln!(
            "note: /usr/bin/time is missing: the 50 MB run is checked without its memory bound"
        );
        run_path(&path).expect(0, "no problems found in 1 file(s)");
        return;
    }
    let rss_file = dir.path().join("rss");
    let mut cmd = Command::new(time);
    cmd.arg("-f")
        .arg("%M")
        .arg("-o")
        .arg(&rss_file)
        .arg(assert_cmd::cargo::cargo_bin("nginx-audit"))
        // Parse, includes, validation, the Site model and every rule over
        // ~210,000 servers sharing one socket: a rule that is quadratic in
        // the servers of a socket would not finish within the timeout.
        .args(["--color", "never", "--no-config"])
        .arg(&path)
        .env_remove("NO_COLOR");
    let out = assert_cmd::Command::from_std(cmd)
        .timeout(Duration::from_secs(180))
        .output()
        .unwrap();
    finish(out, "50 MB config")
        .expect(0, "no problems found in 1 file(s)")
        .no_syntax_findings();
    let kib: u64 = std::fs::read_to_string(&rss_file)
        .unwrap()
        .lines()
        .last()
        .and_then(|l| l.trim().parse().ok())
        .expect("peak RSS from /usr/bin/time");
    eprintln!(
        "50 MB config ({i} servers, {size} bytes): peak RSS {} MiB",
        kib >> 10
    );
    // Measured 636 MiB (≈12× the input: syntax tree, site model, rule facts).
    // The bound catches a copy per include or a quadratic structure, not a few percent.
    assert!(
        kib * 1024 < 16 * size,
        "peak RSS {} MiB for a {} MiB config (bound: 16× the input)",
        kib >> 10,
        size >> 20
    );
}

#[test]
fn ten_thousand_nested_blocks_are_refused_not_recursed() {
    let dir = tempfile::tempdir().unwrap();
    let mut src = "a {".repeat(10_000);
    src.push_str(&"}".repeat(10_000));
    let p = write(dir.path(), "nest.conf", src.as_bytes());
    let r = run_path(&p);
    r.expect(1, "nest.conf:1:");
    let line = r
        .stdout
        .lines()
        .find(|l| l.contains("nested"))
        .unwrap_or_else(|| panic!("no \"nested\" message:\n{}", tail(&r.stdout)));
    assert!(
        line.contains("nest.conf:1:") && line.contains("SYN001 error blocks nested more than"),
        "{line}"
    );
    // Unclosed too: the file ends 10,000 levels deep.
    let p = write(dir.path(), "open.conf", "a {".repeat(10_000).as_bytes());
    run_path(&p).expect(1, "blocks nested more than").expect(
        1,
        "open.conf:1:30001: SYN001 error unexpected end of file, expecting \"}\"",
    );
}

#[test]
fn unterminated_quote_reports_end_of_file() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(
        dir.path(),
        "quote.conf",
        b"events {}\nhttp {\n    add_header X-A \"abc;\n}\n",
    );
    run_path(&p).expect(
        1,
        "quote.conf:5:1: SYN001 error unexpected end of file, expecting \";\" or \"}\"",
    );
}

#[test]
fn unterminated_block_reports_end_of_file() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(
        dir.path(),
        "block.conf",
        b"events {}\nhttp {\n    server {\n        listen 80;\n",
    );
    run_path(&p).expect(
        1,
        "block.conf:5:1: SYN001 error unexpected end of file, expecting \"}\"",
    );
}

#[test]
fn directory_of_ten_thousand_files_finishes() {
    let dir = tempfile::tempdir().unwrap();
    let sites = dir.path().join("sites-enabled");
    std::fs::create_dir(&sites).unwrap();
    for i in 0..10_000 {
        write(&sites, &format!("s{i:05}.conf"), server_block(i).as_bytes());
    }
    run_path(&sites)
        .expect(0, "no problems found in 10000 file(s)")
        .no_syntax_findings();
}

#[test]
fn directory_with_symlinks_to_itself_is_walked_once() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "site.conf", server_block(1).as_bytes());
    for l in ["l1", "l2", "l3"] {
        std::os::unix::fs::symlink(".", dir.path().join(l)).unwrap();
    }
    run_path(dir.path()).expect(0, "no problems found in 1 file(s)");
}

/// Root bypasses file modes, so run the binary as `nobody` (util-linux's
/// setpriv), from a copy that `nobody` can execute.
#[test]
fn permission_denied_is_an_io_error() {
    let setpriv = ["/usr/bin/setpriv", "/bin/setpriv", "/usr/sbin/setpriv"]
        .into_iter()
        .map(Path::new)
        .find(|p| p.is_file())
        .expect("setpriv (util-linux) is needed to test unreadable files as a non-root user");
    let dir = tempfile::tempdir().unwrap();
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let exe = dir.path().join("nginx-audit");
    std::fs::copy(assert_cmd::cargo::cargo_bin("nginx-audit"), &exe).unwrap();
    std::fs::set_permissions(&exe, std::fs::Permissions::from_mode(0o755)).unwrap();
    // A directory nobody can traverse, with a mode-000 file in it.
    let locked = dir.path().join("locked");
    std::fs::create_dir(&locked).unwrap();
    let secret = write(&locked, "secret.conf", b"events {}\n");
    std::fs::set_permissions(&secret, std::fs::Permissions::from_mode(0o000)).unwrap();
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o700)).unwrap();
    // A mode-000 file in a directory anyone can read, and a config including it.
    let open = dir.path().join("open");
    std::fs::create_dir(&open).unwrap();
    std::fs::set_permissions(&open, std::fs::Permissions::from_mode(0o755)).unwrap();
    let shut = write(&open, "shut.conf", b"server { listen 80; }\n");
    std::fs::set_permissions(&shut, std::fs::Permissions::from_mode(0o000)).unwrap();
    let main = write(
        &open,
        "main.conf",
        b"events {}\nhttp {\n    include shut.conf;\n}\n",
    );
    std::fs::set_permissions(&main, std::fs::Permissions::from_mode(0o644)).unwrap();

    let as_nobody = |target: &Path| {
        let mut cmd = Command::new(setpriv);
        cmd.args(["--reuid=65534", "--regid=65534", "--clear-groups"])
            .arg(&exe)
            .args(["--color", "never", "--no-config"])
            .arg(target)
            .current_dir(dir.path())
            .env_remove("NO_COLOR");
        let out = assert_cmd::Command::from_std(cmd)
            .timeout(TIMEOUT)
            .output()
            .unwrap();
        let r = finish(out, &format!("as nobody: {}", target.display()));
        assert!(
            !r.stderr.contains("setpriv:"),
            "setpriv could not run the binary as nobody: {}",
            r.stderr
        );
        r
    };
    as_nobody(&secret).expect_io(&secret, "Permission denied");
    as_nobody(&shut).expect_io(&shut, "Permission denied");
    as_nobody(&locked).expect_io(&locked, "Permission denied");
    as_nobody(&main)
        .expect(1, "main.conf:3:13: SYN010 error ")
        .expect(1, "Permission denied");
}

#[test]
fn include_cycle_is_cut_and_reported() {
    let dir = tempfile::tempdir().unwrap();
    let a = write(dir.path(), "a.conf", b"include b.conf;\n");
    write(dir.path(), "b.conf", b"include a.conf;\n");
    run_path(&a).expect(1, "b.conf:1:1: SYN011 error include cycle:");
}

#[test]
fn include_bomb_is_cut_and_reported() {
    // f0 includes f1 twice, f1 includes f2 twice, …: 2^40 copies of f40.
    let dir = tempfile::tempdir().unwrap();
    let main = write(
        dir.path(),
        "nginx.conf",
        b"events {}\nhttp {\n    include f0.conf;\n}\n",
    );
    for i in 0..40 {
        let next = i + 1;
        write(
            dir.path(),
            &format!("f{i}.conf"),
            format!("include f{next}.conf;\ninclude f{next}.conf;\n").as_bytes(),
        );
    }
    write(dir.path(), "f40.conf", server_block(0).as_bytes());
    run_path(&main)
        .expect(1, "nginx.conf:3:5: SYN010 error include expands to ")
        .expect(1, "not followed");
}

#[test]
fn symlink_loop_as_target_and_as_include() {
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("a");
    let b = dir.path().join("b");
    std::os::unix::fs::symlink(&b, &a).unwrap();
    std::os::unix::fs::symlink(&a, &b).unwrap();
    run_path(&a).expect_io(&a, "Too many levels of symbolic links");
    let main = write(
        dir.path(),
        "main.conf",
        b"events {}\nhttp {\n    include a;\n}\n",
    );
    run_path(&main)
        .expect(1, "main.conf:3:13: SYN010 error ")
        .expect(1, "Too many levels of symbolic links");
}

#[test]
fn missing_target_is_an_io_error() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("nowhere.conf");
    run_path(&p).expect_io(&p, "No such file or directory");
}

#[test]
fn fifo_is_never_opened() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("pipe.conf");
    let made = Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .expect("mkfifo (coreutils)");
    assert!(made.success());
    let main = write(
        dir.path(),
        "main.conf",
        format!(
            "events {{}}\nhttp {{\n    include {};\n}}\n",
            fifo.display()
        )
        .as_bytes(),
    );
    run_path(&main).expect(
        1,
        &format!(
            "main.conf:3:13: SYN010 error \"{}\" is not a regular file",
            fifo.display()
        ),
    );
    run_path(&fifo).expect_io(&fifo, "not a regular file");
}

#[test]
fn dev_zero_is_never_read() {
    let dir = tempfile::tempdir().unwrap();
    let main = write(
        dir.path(),
        "main.conf",
        b"events {}\nhttp {\n    include /dev/zero;\n}\n",
    );
    run_path(&main).expect(
        1,
        "main.conf:3:13: SYN010 error \"/dev/zero\" is not a regular file",
    );
    run_path(Path::new("/dev/zero")).expect_io(Path::new("/dev/zero"), "not a regular file");
}

/// A minified or garbage file: one 10 KB line with 5,000 findings. Each
/// finding prints its source line, so the output must show a window of the
/// line, not all of it (measured before a fix: 75 MB of output, 19 s).
#[test]
fn one_long_line_with_many_findings_has_bounded_output() {
    // Each finding shows a window of its line, not the whole 10 KB line
    // (which made 75 MB of output).
    let dir = tempfile::tempdir().unwrap();
    let p = write(dir.path(), "line.conf", "a;".repeat(5_000).as_bytes());
    let r = run_path(&p);
    r.expect(1, "line.conf:1:1: SYN002 error unknown directive \"a\"");
    assert!(
        r.stdout.len() < 5 << 20,
        "{} bytes of output for a 10 KB file",
        r.stdout.len()
    );
    // The 2,500th finding: 40 characters of the line before it, cut with `…`.
    assert!(
        r.stdout.contains(&format!(
            "line.conf:1:4999: SYN002 error unknown directive \"a\"\n1 | …{}a;",
            "a;".repeat(20)
        )),
        "{}",
        tail(&r.stdout)
    );
}

#[test]
fn columns_on_a_long_line_past_non_ascii_bytes_count_characters() {
    // 50,000 findings on one 150 KB line, not ASCII: columns come from the
    // marks along the line (counting each from the line's start was
    // quadratic: 4 s for this file). Columns are characters: each `é;` is two.
    let dir = tempfile::tempdir().unwrap();
    let n = 50_000;
    let p = write(dir.path(), "line.conf", "é;".repeat(n).as_bytes());
    let r = run(&["--format".as_ref(), "json".as_ref(), p.as_os_str()]);
    assert_eq!(r.code, 1, "{}", tail(&r.stderr));
    let json: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    let diags = json["diagnostics"].as_array().unwrap();
    assert_eq!(diags.len(), n);
    let columns: Vec<u64> = diags
        .iter()
        .map(|d| d["location"]["column"].as_u64().expect("a column"))
        .collect();
    let expected: Vec<u64> = (0..n as u64).map(|i| 2 * i + 1).collect();
    assert!(columns == expected, "first columns: {:?}", &columns[..5]);
}

#[test]
fn a_large_include_glob_is_read_and_modelled_on_every_core_in_order() {
    // 300 files in one glob: over the thresholds for parallel reads (64
    // files) and parallel modelling (256 servers); the result must be what a
    // one-by-one load gives: files in sorted order, a symlink to a file
    // already read kept once, a directory reported, positions exact.
    let dir = tempfile::tempdir().unwrap();
    let sites = dir.path().join("sites");
    std::fs::create_dir(&sites).unwrap();
    for i in 0..299 {
        let extra = if i == 150 { "    nosuch 1;\n" } else { "" };
        let text = format!(
            "server {{\n{extra}    listen 80;\n    server_name s{i}.test;\n    return 301 https://$host$request_uri;\n}}\n"
        );
        write(&sites, &format!("site{i:03}.conf"), text.as_bytes());
    }
    std::os::unix::fs::symlink(sites.join("site000.conf"), sites.join("site299.conf")).unwrap();
    std::fs::create_dir(sites.join("site300.conf")).unwrap();
    let main = write(
        dir.path(),
        "nginx.conf",
        b"events {}\nhttp {\n    include sites/*.conf;\n}\n",
    );
    let report = check(&[main], &CheckOptions::default());
    let cfg = &report.config;
    // nginx.conf, then site000 … site298; site299 is site000 again.
    assert_eq!(cfg.files.len(), 300);
    for i in 0..299 {
        let path = cfg.sources.path(FileId(i as u32 + 1));
        assert!(
            path.ends_with(format!("sites/site{i:03}.conf")),
            "file {} is {}",
            i + 1,
            path.display()
        );
    }
    let sites_model = nginx_audit::config::site::sites(cfg);
    assert_eq!(
        sites_model.len(),
        300,
        "299 files, one of them included twice"
    );
    let names: Vec<&str> = sites_model.iter().flat_map(|s| s.names()).collect();
    assert_eq!(names[0], "s0.test");
    assert_eq!(names[150], "s150.test");
    assert_eq!(names[299], "s0.test");
    let at = |code: &str| -> Vec<String> {
        report
            .diagnostics
            .iter()
            .filter(|d| d.code == code)
            .map(|d| {
                let span = d.span.unwrap();
                let (line, col) = cfg.sources.line_col(span);
                let file = cfg
                    .sources
                    .path(span.file)
                    .file_name()
                    .unwrap()
                    .to_string_lossy()
                    .into_owned();
                format!("{file}:{line}:{col} {}", d.message)
            })
            .collect()
    };
    assert_eq!(
        at("SYN002"),
        ["site150.conf:2:5 unknown directive \"nosuch\""]
    );
    let missing = at("SYN010");
    assert_eq!(missing.len(), 1, "{missing:?}");
    assert!(
        missing[0].starts_with("nginx.conf:3:13 ")
            && missing[0].ends_with("is a directory, not a config file"),
        "{missing:?}"
    );
}
