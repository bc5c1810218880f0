//! What rules get to look at: the config, its sites, the profile, options,
//! and a cache of file facts so each certificate, key or DH file is read
//! once however many servers name it.

use rustc_hash::FxHashMap as HashMap;
use std::cell::{OnceCell, RefCell};
use std::path::{Path, PathBuf};
use std::rc::Rc;

use super::profile::{Profile, ProfileSpec};
use crate::config::site::Site;
use crate::config::Config;
use crate::nginx_version::NginxVersion;
use crate::tls::cert::{parse_pem_chain, CertificateInfo};
use crate::tls::key::{file_mode, inspect_key_pem, FileMode, KeyInfo};

#[derive(Debug, Clone)]
pub struct RuleOptions {
    /// `--nginx-version`; when None the installed `nginx -v` is asked once.
    pub nginx_version: Option<NginxVersion>,
    /// Whether to run `nginx -v` when no version is given.
    pub detect_nginx_version: bool,
    /// Warn when a certificate expires within this many days.
    pub expiry_warning_days: i64,
    /// Unix time the checks treat as now.
    pub now: i64,
    /// Codes or code prefixes to run (empty: all) and to skip.
    pub select: Vec<String>,
    pub ignore: Vec<String>,
}

impl Default for RuleOptions {
    fn default() -> RuleOptions {
        RuleOptions {
            nginx_version: None,
            detect_nginx_version: true,
            expiry_warning_days: 30,
            now: std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_secs() as i64)
                .unwrap_or(0),
            select: Vec::new(),
            ignore: Vec::new(),
        }
    }
}

impl RuleOptions {
    pub fn is_selected(&self, code: &str) -> bool {
        let matches = |pats: &[String]| pats.iter().any(|p| code.starts_with(p.as_str()));
        (self.select.is_empty() || matches(&self.select)) && !matches(&self.ignore)
    }
}

/// A file named by a directive, read once.
#[derive(Debug)]
pub struct FileRead<T> {
    pub path: PathBuf,
    /// The facts, or why the file could not be read or understood.
    pub result: Result<T, String>,
    pub mode: Option<FileMode>,
}

pub struct Checker<'a> {
    pub cfg: &'a Config,
    pub sites: &'a [Site<'a>],
    pub profile: Profile,
    pub spec: &'static ProfileSpec,
    pub options: &'a RuleOptions,
    version: OnceCell<Option<NginxVersion>>,
    certs: RefCell<HashMap<PathBuf, Rc<FileRead<Vec<CertificateInfo>>>>>,
    keys: RefCell<HashMap<PathBuf, Rc<FileRead<KeyInfo>>>>,
    raw: RefCell<HashMap<PathBuf, Rc<FileRead<Vec<u8>>>>>,
    /// Facts several rules need, computed on first use: each rule
    /// recomputing them made a check of a large config a sum of passes.
    pub(crate) facts: Facts<'a>,
}

#[derive(Default)]
pub(crate) struct Facts<'a> {
    pub pairs: OnceCell<Vec<crate::rules::crt::files::Pair<'a>>>,
    pub certificate_files: OnceCell<Vec<crate::rules::crt::files::FileUse<'a>>>,
    pub key_files: OnceCell<Vec<crate::rules::crt::files::FileUse<'a>>>,
    pub hsts: OnceCell<Vec<&'a crate::syntax::Directive>>,
    pub proxy_passes: OnceCell<Vec<crate::rules::prx::ProxyPass<'a, 'a>>>,
    pub redirects: OnceCell<Vec<(&'a Site<'a>, crate::rules::red::Redirect<'a>)>>,
    pub proxy_headers: OnceCell<Vec<Option<crate::rules::prx::HeaderState<'a>>>>,
    pub http_tree: OnceCell<crate::rules::sec::HttpTree<'a>>,
}

impl<'a> Checker<'a> {
    pub fn new(
        cfg: &'a Config,
        sites: &'a [Site<'a>],
        profile: Profile,
        options: &'a RuleOptions,
    ) -> Checker<'a> {
        Checker {
            cfg,
            sites,
            profile,
            spec: profile.spec(),
            options,
            version: OnceCell::new(),
            certs: RefCell::default(),
            keys: RefCell::default(),
            raw: RefCell::default(),
            facts: Facts::default(),
        }
    }

    /// The nginx version the config is for: `--nginx-version`, else the
    /// installed nginx (asked once, lazily), else None (assume the oldest).
    pub fn nginx_version(&self) -> Option<NginxVersion> {
        *self.version.get_or_init(|| {
            self.options.nginx_version.or_else(|| {
                if self.options.detect_nginx_version {
                    NginxVersion::installed()
                } else {
                    None
                }
            })
        })
    }

    /// A path from a directive, resolved as nginx does against the prefix.
    /// None when it holds variables (resolved per request).
    pub fn resolve(&self, site: &Site<'_>, arg: &str) -> Option<PathBuf> {
        if arg.contains('$') || arg.starts_with("data:") || arg.starts_with("engine:") {
            return None;
        }
        let p = Path::new(arg);
        Some(if p.is_absolute() {
            p.to_path_buf()
        } else {
            site.prefix.join(p)
        })
    }

    pub fn certificate(&self, path: &Path) -> Rc<FileRead<Vec<CertificateInfo>>> {
        cached(&self.certs, path, |bytes| {
            parse_pem_chain(bytes).map_err(|e| e.to_string())
        })
    }

    pub fn key(&self, path: &Path) -> Rc<FileRead<KeyInfo>> {
        cached(&self.keys, path, |bytes| {
            inspect_key_pem(bytes).map_err(|e| e.to_string())
        })
    }

    /// Any other file (password files, DH parameters), as bytes.
    pub fn file(&self, path: &Path) -> Rc<FileRead<Vec<u8>>> {
        cached(&self.raw, path, |bytes| Ok(bytes.to_vec()))
    }
}

fn cached<T>(
    cache: &RefCell<HashMap<PathBuf, Rc<FileRead<T>>>>,
    path: &Path,
    parse: impl FnOnce(&[u8]) -> Result<T, String>,
) -> Rc<FileRead<T>> {
    if let Some(hit) = cache.borrow().get(path) {
        return hit.clone();
    }
    let result = match std::fs::metadata(path) {
        Ok(m) if !m.is_file() => Err("not a regular file".to_string()),
        Ok(m) if m.len() > 16 * 1024 * 1024 => {
            Err("larger than 16 MiB; not a PEM file".to_string())
        }
        Ok(_) => std::fs::read(path)
            .map_err(|e| crate::config::load::io_message(&e))
            .and_then(|bytes| parse(&bytes)),
        Err(e) => Err(crate::config::load::io_message(&e)),
    };
    let read = Rc::new(FileRead {
        path: path.to_path_buf(),
        result,
        mode: file_mode(path).ok(),
    });
    cache.borrow_mut().insert(path.to_path_buf(), read.clone());
    read
}
