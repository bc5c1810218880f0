//! What rules get to look at: the config, its sites, the profile, options,
//! and a cache of file facts so each certificate, key or DH file is read
//! once however many servers name it.

use rustc_hash::FxHashMap as HashMap;
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

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
    version: OnceLock<Option<NginxVersion>>,
    /// By the path's bytes: hashing a `Path` walks its components, and
    /// rules ask for each server's files (two spellings of one path are
    /// two entries, read alike).
    certs: Mutex<HashMap<OsString, Arc<FileRead<Vec<CertificateInfo>>>>>,
    keys: Mutex<HashMap<OsString, Arc<FileRead<KeyInfo>>>>,
    raw: Mutex<HashMap<OsString, Arc<FileRead<Vec<u8>>>>>,
    /// Facts several rules need, computed on first use: each rule
    /// recomputing them made a check of a large config a sum of passes.
    pub(crate) facts: Facts<'a>,
}

#[derive(Default)]
pub(crate) struct Facts<'a> {
    pub pairs: OnceLock<Vec<crate::rules::crt::files::Pair<'a>>>,
    pub certificate_files: OnceLock<Vec<crate::rules::crt::files::FileUse<'a>>>,
    pub key_files: OnceLock<Vec<crate::rules::crt::files::FileUse<'a>>>,
    pub hsts: OnceLock<Vec<&'a crate::syntax::Directive>>,
    pub proxy_passes: OnceLock<Vec<crate::rules::prx::ProxyPass<'a, 'a>>>,
    pub redirects: OnceLock<Vec<(&'a Site<'a>, crate::rules::red::Redirect<'a>)>>,
    pub proxy_headers: OnceLock<Vec<Option<crate::rules::prx::HeaderState<'a>>>>,
    pub http_tree: OnceLock<crate::rules::sec::HttpTree<'a>>,
    pub red_sockets: OnceLock<Vec<crate::rules::red::servers::Socket<'a, 'a>>>,
    pub tls_sockets: OnceLock<Vec<crate::rules::tls::Socket<'a, 'a>>>,
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
            version: OnceLock::new(),
            certs: Mutex::default(),
            keys: Mutex::default(),
            raw: Mutex::default(),
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

    pub fn certificate(&self, path: &Path) -> Arc<FileRead<Vec<CertificateInfo>>> {
        cached(&self.certs, path, |bytes| {
            parse_pem_chain(bytes).map_err(|e| e.to_string())
        })
    }

    pub fn key(&self, path: &Path) -> Arc<FileRead<KeyInfo>> {
        cached(&self.keys, path, |bytes| {
            inspect_key_pem(bytes).map_err(|e| e.to_string())
        })
    }

    /// Any other file (password files, DH parameters), as bytes.
    pub fn file(&self, path: &Path) -> Arc<FileRead<Vec<u8>>> {
        cached(&self.raw, path, |bytes| Ok(bytes.to_vec()))
    }
}

fn cached<T>(
    cache: &Mutex<HashMap<OsString, Arc<FileRead<T>>>>,
    path: &Path,
    parse: impl FnOnce(&[u8]) -> Result<T, String>,
) -> Arc<FileRead<T>> {
    if let Some(hit) = lock(cache).get(path.as_os_str()) {
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
    let read = Arc::new(FileRead {
        path: path.to_path_buf(),
        result,
        mode: file_mode(path).ok(),
    });
    // Another rule thread may have read it meanwhile: keep the first.
    lock(cache)
        .entry(path.as_os_str().to_os_string())
        .or_insert(read)
        .clone()
}

/// The cache, even if a rule thread panicked while holding it (the map
/// itself is never left half-updated).
fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{load_text, site};

    /// Whether running every rule on `conf` made the checker ask nginx
    /// for its version (a process start).
    fn asks_nginx_version(conf: &str) -> bool {
        let (_dir, cfg) = load_text(conf);
        let sites = site::sites(&cfg);
        let options = RuleOptions::default();
        assert!(options.detect_nginx_version);
        let cx = Checker::new(&cfg, &sites, Profile::Guide, &options);
        crate::rules::run(&cx);
        cx.version.get().is_some()
    }

    #[test]
    fn nginx_is_asked_its_version_only_when_an_answer_depends_on_it() {
        let set = "server { listen 443 ssl; server_name a; ssl_protocols TLSv1.2 TLSv1.3; }\n\
                   server { listen 80; server_name a; return 301 https://$host$request_uri; }\n";
        assert!(!asks_nginx_version(set));
        // nginx's default protocols depend on its version.
        assert!(asks_nginx_version(
            "server { listen 443 ssl; server_name a; }\n"
        ));
        // `ssl on;` warns before 1.25.1 and is refused from then on.
        assert!(asks_nginx_version(&format!("{set}server {{ ssl on; }}\n")));
        // Servers on one socket with different protocols matter before 1.29.2.
        assert!(asks_nginx_version(&format!(
            "{set}server {{ listen 443 ssl; server_name b; ssl_protocols TLSv1.3; }}\n"
        )));
    }
}
