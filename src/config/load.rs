//! Reading targets and following `include`s into one [`Config`].
//!
//! Each file is read and parsed once, however often it is included; the
//! include graph is kept as a map from `include` directive to files, so the
//! tree is walked without copying (see [`Config::expand`]). Missing,
//! unreadable and cyclic includes become diagnostics, never panics.

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};
use std::io::Read;
use std::path::{Path, PathBuf};

use super::directives::{Context, DirectiveTable};
use super::include::{expand_glob, full_path, is_glob};
use crate::diag::{Diagnostic, Severity};
use crate::source::{FileId, SourceMap, Span};
use crate::syntax::names::ids;
use crate::syntax::{self, Directive, ParsedFile};

/// Files larger than this are refused (nginx configs are kilobytes; this
/// keeps a stray `include /var/log/*` from eating memory).
pub const MAX_FILE_BYTES: u64 = 512 * 1024 * 1024;

#[derive(Debug, Clone, Default)]
pub struct LoadOptions {
    /// nginx's prefix: where relative include paths resolve.
    pub prefix: Option<PathBuf>,
    /// Force the context of fragment files instead of guessing it.
    pub context: Option<Context>,
}

/// A file linted in its own right (a target, or a file in a target directory).
#[derive(Debug, Clone)]
pub struct Root {
    pub file: FileId,
    pub context: Context,
    pub prefix: PathBuf,
}

#[derive(Debug, Default)]
pub struct Config {
    pub sources: SourceMap,
    /// Indexed by `FileId`.
    pub files: Vec<ParsedFile>,
    /// `include` directive (its span) → the files it pulls in, in order.
    pub includes: HashMap<Span, Vec<FileId>>,
    pub roots: Vec<Root>,
    pub diagnostics: Vec<Diagnostic>,
    /// Problems with the command-line targets themselves (exit code 2).
    pub target_errors: Vec<String>,
    /// Files read from disk, by identity: a file reached under two names
    /// (a symlink) is read and linted once.
    by_identity: HashMap<FileIdentity, FileId>,
    /// Files of an `nginx -T` dump, by the path the dump names.
    by_dump_path: HashMap<PathBuf, FileId>,
}

/// A file as the kernel knows it: device and inode. Asking for them is one
/// `stat`; canonicalizing the path instead read every component's link,
/// six system calls a file on a typical tree.
type FileIdentity = (u64, u64);

impl Config {
    pub fn file(&self, id: FileId) -> &ParsedFile {
        &self.files[id.0 as usize]
    }

    /// `dirs` with every `include` replaced by the directives of the files it
    /// names, recursively: what nginx sees in that block.
    pub fn expand<'a>(&'a self, dirs: &'a [Directive]) -> Vec<&'a Directive> {
        let mut out = Vec::with_capacity(dirs.len());
        self.expand_into(dirs, &mut out, 0);
        out
    }

    /// [`Config::expand`] for a walk that only iterates: the block itself
    /// when its file includes nothing (the sites of a large tree), with no
    /// list to build. Validation and the http tree walk every block; a list
    /// for each was 38,000 allocations at 2,000 servers.
    pub fn expanded<'a>(&'a self, dirs: &'a [Directive]) -> Expanded<'a> {
        if self.includes_nothing(dirs) {
            Expanded::Block(dirs)
        } else {
            Expanded::Spliced(self.expand(dirs))
        }
    }

    /// A block's directives are all of one file: whether that file has no
    /// `include` (the parser counted them), so there is nothing to splice.
    fn includes_nothing(&self, dirs: &[Directive]) -> bool {
        dirs.first()
            .is_none_or(|d| self.file(d.span.file).include_count == 0)
    }

    fn expand_into<'a>(&'a self, dirs: &'a [Directive], out: &mut Vec<&'a Directive>, depth: u32) {
        // Every walk of the tree expands every block, and reading each
        // directive here cost a cache miss per directive per walk.
        if self.includes_nothing(dirs) {
            out.extend(dirs);
            return;
        }
        for d in dirs {
            if d.is(ids::INCLUDE) {
                if let Some(files) = self.includes.get(&d.span) {
                    // Cycles are cut when loading; the depth guard is belt and braces.
                    if depth < 64 {
                        for f in files {
                            self.expand_into(&self.file(*f).directives, out, depth + 1);
                        }
                    }
                }
                continue;
            }
            out.push(d);
        }
    }

    /// The root directives of a root file, includes expanded.
    pub fn root_directives(&self, root: &Root) -> Vec<&Directive> {
        self.expand(&self.file(root.file).directives)
    }
}

/// A block's directives as nginx sees them, from [`Config::expanded`].
pub enum Expanded<'a> {
    /// The block's own directives: its file includes nothing.
    Block(&'a [Directive]),
    /// With every `include` replaced by what it names.
    Spliced(Vec<&'a Directive>),
}

impl<'a> Expanded<'a> {
    pub fn iter(&self) -> ExpandedIter<'a, '_> {
        match self {
            Expanded::Block(dirs) => ExpandedIter::Block(dirs.iter()),
            Expanded::Spliced(dirs) => ExpandedIter::Spliced(dirs.iter()),
        }
    }
}

/// The directives of an [`Expanded`], in order.
pub enum ExpandedIter<'a, 'e> {
    Block(std::slice::Iter<'a, Directive>),
    Spliced(std::slice::Iter<'e, &'a Directive>),
}

impl<'a> Iterator for ExpandedIter<'a, '_> {
    type Item = &'a Directive;

    fn next(&mut self) -> Option<&'a Directive> {
        match self {
            ExpandedIter::Block(it) => it.next(),
            ExpandedIter::Spliced(it) => it.next().copied(),
        }
    }
}

/// Load every target: files, directories, or `-` for stdin.
pub fn load(targets: &[PathBuf], opts: &LoadOptions) -> Config {
    let mut cfg = Config::default();
    for target in targets {
        if target.as_os_str() == "-" {
            load_stdin(&mut cfg, opts);
        } else {
            load_target(&mut cfg, target, opts);
        }
    }
    cut_include_cycles(&mut cfg);
    cut_include_bombs(&mut cfg);
    cfg
}

fn load_target(cfg: &mut Config, target: &Path, opts: &LoadOptions) {
    let meta = match std::fs::metadata(target) {
        Ok(m) => m,
        Err(e) => {
            cfg.target_errors.push(format!(
                "cannot read {}: {}",
                target.display(),
                plain_io_message(&e)
            ));
            return;
        }
    };
    if meta.is_dir() {
        let main = target.join("nginx.conf");
        if main.is_file() {
            add_root(cfg, &main, opts);
            return;
        }
        let mut files = Vec::new();
        let mut seen = HashSet::default();
        collect_files(target, &mut files, &mut cfg.target_errors, &mut seen, 0);
        files.sort();
        for f in files {
            add_root(cfg, &f, opts);
        }
    } else {
        add_root(cfg, target, opts);
    }
}

/// Regular files under `dir`, recursively, skipping dotfiles (as `include dir/*` would).
fn collect_files(
    dir: &Path,
    out: &mut Vec<PathBuf>,
    errors: &mut Vec<String>,
    seen: &mut HashSet<PathBuf>,
    depth: u32,
) {
    // A symlink can make a directory its own descendant (`d/l -> .`): visit
    // each real directory once, or the walk grows exponentially.
    if let Ok(real) = std::fs::canonicalize(dir) {
        if !seen.insert(real) {
            return;
        }
    }
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) => {
            errors.push(format!(
                "cannot read directory {}: {}",
                dir.display(),
                plain_io_message(&e)
            ));
            return;
        }
    };
    for entry in entries.filter_map(|e| e.ok()) {
        if entry.file_name().to_string_lossy().starts_with('.') {
            continue;
        }
        let path = entry.path();
        match std::fs::metadata(&path) {
            Ok(m) if m.is_dir() && depth < 16 => collect_files(&path, out, errors, seen, depth + 1),
            Ok(m) if m.is_file() => out.push(path),
            Ok(_) => {}
            Err(e) => errors.push(format!(
                "cannot read {}: {}",
                path.display(),
                plain_io_message(&e)
            )),
        }
    }
}

fn add_root(cfg: &mut Config, path: &Path, opts: &LoadOptions) {
    let known = cfg.files.len();
    let file = match read_source(cfg, path) {
        Ok(f) => f,
        Err(msg) => {
            cfg.target_errors.push(format!("{}: {msg}", path.display()));
            return;
        }
    };
    parse_pending(cfg);
    // The same file reached twice (named twice, or through a symlink): lint it once.
    if (file.0 as usize) < known && cfg.roots.iter().any(|r| r.file == file) {
        return;
    }
    let context = opts
        .context
        .unwrap_or_else(|| guess_context(&cfg.file(file).directives));
    let prefix = opts
        .prefix
        .clone()
        .unwrap_or_else(|| default_prefix(path, context));
    cfg.roots.push(Root {
        file,
        context,
        prefix: prefix.clone(),
    });
    resolve_includes(cfg, file, &prefix);
}

fn load_stdin(cfg: &mut Config, opts: &LoadOptions) {
    let mut bytes = Vec::new();
    if let Err(e) = std::io::stdin()
        .take(MAX_FILE_BYTES)
        .read_to_end(&mut bytes)
    {
        cfg.target_errors
            .push(format!("cannot read stdin: {}", plain_io_message(&e)));
        return;
    }
    // Its size is known only now; what is built from it is still to come.
    crate::memory::sources_read(bytes.len() as u64);
    let dump = super::dump::split_nginx_t(&bytes);
    if dump.is_empty() {
        let id = add_parsed(cfg, PathBuf::from("<stdin>"), bytes);
        let context = opts
            .context
            .unwrap_or_else(|| guess_context(&cfg.file(id).directives));
        let prefix = opts.prefix.clone().unwrap_or_else(|| PathBuf::from("."));
        cfg.roots.push(Root {
            file: id,
            context,
            prefix: prefix.clone(),
        });
        resolve_includes(cfg, id, &prefix);
        return;
    }
    // `nginx -T`: the files are all here; includes resolve among them.
    let mut first = None;
    for (path, text) in dump {
        let id = cfg.sources.add(path.clone(), text);
        cfg.by_dump_path.insert(path, id);
        first.get_or_insert(id);
    }
    parse_pending(cfg);
    let main = first.unwrap();
    let main_path = cfg.sources.path(main).to_path_buf();
    let prefix = opts.prefix.clone().unwrap_or_else(|| {
        main_path
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_default()
    });
    cfg.roots.push(Root {
        file: main,
        context: Context::Main,
        prefix: prefix.clone(),
    });
    for i in 0..cfg.files.len() {
        resolve_includes_in(cfg, FileId(i as u32), &prefix, true);
    }
}

fn add_parsed(cfg: &mut Config, path: PathBuf, bytes: Vec<u8>) -> FileId {
    let id = cfg.sources.add(path, bytes);
    parse_pending(cfg);
    id
}

/// Below this many bytes waiting, parsing on one thread is quicker than
/// starting others.
const PARALLEL_PARSE_BYTES: usize = 1 << 20;

/// Parse every source read but not parsed yet, in parallel when there is
/// enough of it: `include sites/*.conf` reads thousands of files at once,
/// and parsing is most of a large config's load time.
fn parse_pending(cfg: &mut Config) {
    let first = cfg.files.len();
    let ids: Vec<FileId> = (first..cfg.sources.len())
        .map(|i| FileId(i as u32))
        .collect();
    let inputs: Vec<(FileId, &[u8])> = ids
        .iter()
        .map(|&id| (id, &cfg.sources.get(id).bytes[..]))
        .collect();
    let start = std::time::Instant::now();
    let parsed = crate::parallel::map(
        &inputs,
        |(_, b)| b.len(),
        PARALLEL_PARSE_BYTES,
        |&(id, b)| syntax::parse(id, b),
    );
    debug_assert_eq!(parsed.len(), ids.len());
    if parsed.len() > 1 {
        crate::timing::report("parse", start);
    }
    cfg.files.extend(parsed);
}

/// Read and parse `path` once; later calls return the same file.
fn read_source(cfg: &mut Config, path: &Path) -> Result<FileId, String> {
    let fetched = fetch(&cfg.by_identity, path);
    register(cfg, path, fetched)
}

/// A file named by a target or an `include`, read unless already known.
enum Fetched {
    Known(FileId),
    Read {
        identity: FileIdentity,
        bytes: Vec<u8>,
    },
    Failed(String),
}

/// The I/O half of [`read_source`]: it only reads `known`, so the files
/// of one `include sites/*.conf` can be fetched on every core.
fn fetch(known: &HashMap<FileIdentity, FileId>, path: &Path) -> Fetched {
    use std::os::unix::fs::MetadataExt;
    // Follows symlinks, as open() would: ENOENT, EACCES and ELOOP come
    // from here in nginx's wording.
    let meta = match std::fs::metadata(path) {
        Ok(m) => m,
        Err(e) => return Fetched::Failed(open_failed(path, &e)),
    };
    let identity = (meta.dev(), meta.ino());
    if let Some(&id) = known.get(&identity) {
        return Fetched::Known(id);
    }
    if meta.is_dir() {
        return Fetched::Failed(format!(
            "\"{}\" is a directory, not a config file",
            path.display()
        ));
    }
    if !meta.is_file() {
        // FIFOs and devices would block or never end.
        return Fetched::Failed(format!("\"{}\" is not a regular file", path.display()));
    }
    if meta.len() > MAX_FILE_BYTES {
        return Fetched::Failed(format!(
            "\"{}\" is {} MiB; files over {} MiB are not read",
            path.display(),
            meta.len() >> 20,
            MAX_FILE_BYTES >> 20
        ));
    }
    crate::memory::sources_read(meta.len());
    // Bounded even if the file grows between the size check and the read.
    // Sized from the metadata: a growing buffer ends up to twice the file.
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    match std::fs::File::open(path).and_then(|f| f.take(MAX_FILE_BYTES).read_to_end(&mut bytes)) {
        Ok(_) => Fetched::Read { identity, bytes },
        Err(e) => Fetched::Failed(open_failed(path, &e)),
    }
}

/// The bookkeeping half of [`read_source`]: a file read twice under two
/// names (a symlink in the same glob) is kept once.
fn register(cfg: &mut Config, path: &Path, fetched: Fetched) -> Result<FileId, String> {
    match fetched {
        Fetched::Known(id) => Ok(id),
        Fetched::Failed(msg) => Err(msg),
        Fetched::Read { identity, bytes } => {
            if let Some(&id) = cfg.by_identity.get(&identity) {
                return Ok(id);
            }
            // Parsed later, with the other files of its `include` (parse_pending).
            let id = cfg.sources.add(path.to_path_buf(), bytes);
            cfg.by_identity.insert(identity, id);
            Ok(id)
        }
    }
}

fn resolve_includes(cfg: &mut Config, file: FileId, prefix: &Path) {
    // A worklist, not recursion: include chains can be long.
    let mut work = vec![file];
    while let Some(f) = work.pop() {
        work.extend(resolve_includes_in(cfg, f, prefix, false));
    }
}

/// Resolve the `include`s of one file; returns files read for the first time.
fn resolve_includes_in(
    cfg: &mut Config,
    file: FileId,
    prefix: &Path,
    from_dump: bool,
) -> Vec<FileId> {
    // Most files of a large tree include nothing: no need to walk them.
    if cfg.file(file).include_count == 0 {
        return Vec::new();
    }
    let includes: Vec<(Span, Span, String)> = cfg
        .file(file)
        .walk()
        .filter(|d| d.is(ids::INCLUDE) && d.args().len() == 1 && d.block.is_none())
        .filter_map(|d| {
            let arg = d.args().first()?;
            Some((d.span, arg.span, arg.value.to_string()))
        })
        .collect();
    let mut new_files = Vec::new();
    for (span, arg_span, arg) in includes {
        if cfg.includes.contains_key(&span) {
            continue;
        }
        let path = full_path(prefix, &arg);
        let paths = if is_glob(&arg) {
            if from_dump {
                dump_glob(cfg, &path)
            } else {
                expand_glob(&path)
            }
        } else {
            vec![path]
        };
        let mut ids = Vec::new();
        // `include sites/*.conf` can name thousands of files: read them on
        // every core (the reads were a third of loading a large tree).
        let start = std::time::Instant::now();
        let mut fetched = if from_dump {
            Vec::new()
        } else {
            crate::parallel::map(&paths, |_| 1, 64, |p| fetch(&cfg.by_identity, p))
        }
        .into_iter();
        if paths.len() > 1 && !from_dump {
            crate::timing::report("fetch", start);
        }
        for p in paths {
            if from_dump {
                match cfg.by_dump_path.get(&p) {
                    Some(&id) => ids.push(id),
                    None => cfg.diagnostics.push(Diagnostic::new(
                        "SYN010",
                        Severity::Error,
                        arg_span,
                        format!("\"{}\" is not in the nginx -T output", p.display()),
                    )),
                }
                continue;
            }
            let before = cfg.files.len();
            let file = fetched.next().expect("one fetch per path");
            match register(cfg, &p, file) {
                Ok(id) => {
                    if id.0 as usize >= before {
                        new_files.push(id);
                    }
                    ids.push(id);
                }
                Err(msg) => cfg.diagnostics.push(
                    Diagnostic::new("SYN010", Severity::Error, arg_span, msg).with_help(
                        "check the path; relative paths resolve against the prefix (--prefix)",
                    ),
                ),
            }
        }
        cfg.includes.insert(span, ids);
    }
    parse_pending(cfg);
    new_files
}

fn dump_glob(cfg: &Config, pattern: &Path) -> Vec<PathBuf> {
    let Ok(glob) = globset::GlobBuilder::new(&pattern.to_string_lossy())
        .literal_separator(true)
        .build()
    else {
        return Vec::new();
    };
    let m = glob.compile_matcher();
    let mut found: Vec<PathBuf> = cfg
        .by_dump_path
        .keys()
        .filter(|p| m.is_match(p))
        .cloned()
        .collect();
    found.sort();
    found
}

/// Directive instances that includes may add beyond 8× the directives read:
/// generous for snippets reused across many sites, far below what a file
/// that includes the same file twice, 30 levels deep, expands to (2^30).
pub const MAX_INCLUDE_EXPANSION: u64 = 1_000_000;

/// Cut `include`s whose expansion would blow up (the same files included
/// over and over, nested: exponential in the nesting depth), so every later
/// walk over the expanded tree stays linear in the input.
fn cut_include_bombs(cfg: &mut Config) {
    let n = cfg.files.len();
    // Per file: directives of its own, and its resolved includes in source order.
    let mut own = vec![0u64; n];
    let mut edges: Vec<Vec<Span>> = vec![Vec::new(); n];
    for (i, f) in cfg.files.iter().enumerate() {
        if f.include_count == 0 {
            own[i] = f.directive_count as u64;
            continue;
        }
        for d in f.walk() {
            if d.is(ids::INCLUDE) && cfg.includes.contains_key(&d.span) {
                edges[i].push(d.span);
            } else {
                own[i] += 1;
            }
        }
    }
    let targets = |span: &Span| cfg.includes.get(span).map(|v| &v[..]).unwrap_or(&[]);
    // Expanded size of each file: iterative post-order DFS; an edge back to a
    // file still open (a cycle no root reaches) counts nothing.
    let mut size = vec![0u64; n];
    let mut state = vec![0u8; n]; // 0 new, 1 open, 2 done
    for start in 0..n {
        if state[start] != 0 {
            continue;
        }
        state[start] = 1;
        let mut stack = vec![(start, 0usize, 0usize)]; // (file, edge, target)
        while let Some(&(f, e, t)) = stack.last() {
            if let Some(span) = edges[f].get(e) {
                let ts = targets(span);
                let top = stack.last_mut().unwrap();
                if t + 1 < ts.len() {
                    top.2 += 1;
                } else {
                    (top.1, top.2) = (e + 1, 0);
                }
                if let Some(&next) = ts.get(t) {
                    let next = next.0 as usize;
                    if state[next] == 0 {
                        state[next] = 1;
                        stack.push((next, 0, 0));
                    }
                }
                continue;
            }
            size[f] = edges[f]
                .iter()
                .flat_map(|s| targets(s).iter())
                .map(|t| t.0 as usize)
                .filter(|&t| state[t] == 2)
                .fold(own[f], |acc, t| acc.saturating_add(size[t]));
            state[f] = 2;
            stack.pop();
        }
    }
    let total: u64 = own.iter().sum();
    let limit = total
        .saturating_mul(8)
        .saturating_add(MAX_INCLUDE_EXPANSION);
    let mut budget = limit;
    let mut cuts = Vec::new();
    for root in &cfg.roots {
        let r = root.file.0 as usize;
        if size[r] <= budget {
            budget -= size[r];
            continue;
        }
        budget = budget.saturating_sub(own[r]);
        for span in &edges[r] {
            let s = targets(span)
                .iter()
                .fold(0u64, |acc, t| acc.saturating_add(size[t.0 as usize]));
            if s <= budget {
                budget -= s;
            } else {
                cuts.push((*span, s));
            }
        }
    }
    for (span, s) in cuts {
        cfg.includes.insert(span, Vec::new());
        let count = if s == u64::MAX {
            "over 2^64".to_string()
        } else {
            s.to_string()
        };
        cfg.diagnostics.push(
            Diagnostic::new(
                "SYN010",
                Severity::Error,
                span,
                format!(
                    "include expands to {count} directives, more than the {limit} allowed \
                     (the same files included over and over); not followed"
                ),
            )
            .with_help("nginx reads an included file again at every include: include shared snippets once per block"),
        );
    }
}

/// Find include cycles by depth-first search over the include graph and cut
/// the edge that closes each one, with a diagnostic at that `include`.
fn cut_include_cycles(cfg: &mut Config) {
    // file → [(include span, included file)]
    let mut edges: HashMap<FileId, Vec<(Span, FileId)>> = HashMap::default();
    for (span, targets) in &cfg.includes {
        for t in targets {
            edges.entry(span.file).or_default().push((*span, *t));
        }
    }
    for v in edges.values_mut() {
        v.sort_by_key(|(s, f)| (s.start, *f));
    }
    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        New,
        Active,
        Done,
    }
    let mut mark = vec![Mark::New; cfg.files.len()];
    let mut cuts: Vec<(Span, FileId, Vec<FileId>)> = Vec::new();
    let starts: Vec<FileId> = cfg.roots.iter().map(|r| r.file).collect();
    for start in starts {
        if mark[start.0 as usize] != Mark::New {
            continue;
        }
        // Iterative DFS: (file, next edge index); `path` mirrors the stack.
        let mut stack = vec![(start, 0usize)];
        mark[start.0 as usize] = Mark::Active;
        while let Some((f, i)) = stack.last().copied() {
            let out = edges.get(&f).map(|v| &v[..]).unwrap_or(&[]);
            if i >= out.len() {
                mark[f.0 as usize] = Mark::Done;
                stack.pop();
                continue;
            }
            stack.last_mut().unwrap().1 += 1;
            let (span, t) = out[i];
            match mark[t.0 as usize] {
                Mark::New => {
                    mark[t.0 as usize] = Mark::Active;
                    stack.push((t, 0));
                }
                Mark::Active => {
                    let pos = stack.iter().position(|(g, _)| *g == t).unwrap_or(0);
                    let cycle = stack[pos..].iter().map(|(g, _)| *g).collect();
                    cuts.push((span, t, cycle));
                }
                Mark::Done => {}
            }
        }
    }
    for (span, target, cycle) in cuts {
        if let Some(v) = cfg.includes.get_mut(&span) {
            v.retain(|f| *f != target);
        }
        let mut chain: Vec<String> = cycle
            .iter()
            .map(|f| cfg.sources.path(*f).display().to_string())
            .collect();
        chain.push(cfg.sources.path(target).display().to_string());
        cfg.diagnostics.push(Diagnostic::new(
            "SYN011",
            Severity::Error,
            span,
            format!("include cycle: {}", chain.join(" → ")),
        ));
    }
}

/// What a file is, from its top-level directives: a main config, or a
/// fragment of the context where all of them are allowed.
pub fn guess_context(dirs: &[Directive]) -> Context {
    let names: Vec<&str> = dirs
        .iter()
        .map(|d| d.name())
        .filter(|n| *n != "include")
        .collect();
    if names
        .iter()
        .any(|n| matches!(*n, "http" | "events" | "stream" | "mail"))
    {
        return Context::Main;
    }
    if dirs.iter().any(|d| d.is(ids::SERVER) && d.block.is_some()) {
        return Context::Http;
    }
    if names.contains(&"location") {
        return Context::Server;
    }
    let table = DirectiveTable::get();
    [
        Context::Http,
        Context::Server,
        Context::Location,
        Context::Main,
    ]
    .into_iter()
    .find(|ctx| names.iter().all(|n| table.find(n, *ctx).is_some()))
    .unwrap_or(Context::Http)
}

/// nginx's prefix for a file linted on its own: the main config's directory;
/// for a fragment, the nearest ancestor directory holding an `nginx.conf`
/// (sites-enabled/x → /etc/nginx), else the fragment's own directory.
fn default_prefix(path: &Path, context: Context) -> PathBuf {
    let dir = path
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."));
    let dir = if dir.as_os_str().is_empty() {
        PathBuf::from(".")
    } else {
        dir
    };
    if context == Context::Main {
        return dir;
    }
    dir.ancestors()
        .find(|a| a.join("nginx.conf").is_file())
        .map(Path::to_path_buf)
        .unwrap_or(dir)
}

/// nginx's wording: `open() "/x" failed (2: No such file or directory)`.
fn open_failed(path: &Path, e: &std::io::Error) -> String {
    format!("open() \"{}\" failed ({})", path.display(), io_message(e))
}

pub fn io_message(e: &std::io::Error) -> String {
    let text = e.to_string();
    let text = match text.find(" (os error") {
        Some(i) => text[..i].to_string(),
        None => text,
    };
    match e.raw_os_error() {
        Some(code) => format!("{code}: {text}"),
        None => text,
    }
}

/// An I/O error as a sentence, without the errno: for the user's own paths.
pub fn plain_io_message(e: &std::io::Error) -> String {
    let text = e.to_string();
    match text.find(" (os error") {
        Some(i) => text[..i].to_string(),
        None => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names<'a>(dirs: impl Iterator<Item = &'a Directive>) -> Vec<&'a str> {
        dirs.map(|d| d.name()).collect()
    }

    #[test]
    fn expanded_borrows_include_free_blocks_and_splices_the_others() {
        let (_dir, cfg) = crate::config::load_files(&[
            (
                "main.conf",
                "events {}\nhttp {\n  server_tokens off;\n  include inc.conf;\n  gzip on;\n}\n",
            ),
            ("inc.conf", "add_header X-Inc 1;\n"),
        ]);
        let root = &cfg.roots[0];
        let http = cfg
            .file(root.file)
            .directives
            .iter()
            .find(|d| d.is(ids::HTTP))
            .unwrap();
        // The http block's file includes something: spliced, as `expand`.
        let spliced = cfg.expanded(http.children());
        assert!(matches!(spliced, Expanded::Spliced(_)));
        assert_eq!(
            names(spliced.iter()),
            ["server_tokens", "add_header", "gzip"]
        );
        assert_eq!(
            names(spliced.iter()),
            names(cfg.expand(http.children()).into_iter())
        );
        // The included file includes nothing: its own directives, borrowed.
        let inc = cfg.includes.values().next().unwrap()[0];
        let own = &cfg.file(inc).directives;
        let borrowed = cfg.expanded(own);
        assert!(matches!(borrowed, Expanded::Block(b) if std::ptr::eq(b, &own[..])));
        assert_eq!(names(borrowed.iter()), ["add_header"]);
        assert!(matches!(cfg.expanded(&[]), Expanded::Block([])));
    }
}
