//! `.nginx-audit.toml`: per-project settings, found upward from the first
//! target (like ruff's `pyproject.toml` lookup), overridden by the command line.
//!
//! ```toml
//! profile = "intermediate"
//! nginx-version = "1.22.1"
//! expiry-days = 21
//! select = ["TLS", "CRT", "KEY"]
//! ignore = ["HDR005"]
//!
//! [severity]
//! HDR001 = "warning"
//!
//! [per-path-ignores]
//! "sites-available/legacy-*" = ["TLS001", "TLS003"]
//! ```

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::diag::Severity;
use crate::rules::Profile;

pub const FILE_NAME: &str = ".nginx-audit.toml";

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Settings {
    pub profile: Option<Profile>,
    pub nginx_version: Option<String>,
    pub expiry_days: Option<i64>,
    #[serde(default)]
    pub select: Vec<String>,
    #[serde(default)]
    pub ignore: Vec<String>,
    #[serde(default)]
    pub severity: std::collections::BTreeMap<String, String>,
    #[serde(default)]
    pub per_path_ignores: std::collections::BTreeMap<String, Vec<String>>,
}

/// Settings read from a file, with the directory its paths are relative to.
#[derive(Debug)]
pub struct LoadedSettings {
    pub path: PathBuf,
    pub settings: Settings,
}

/// Find `.nginx-audit.toml` in the target's directory or any parent.
pub fn discover(target: &Path) -> Option<PathBuf> {
    let abs = std::fs::canonicalize(target).ok()?;
    let start = if abs.is_dir() {
        abs.as_path()
    } else {
        abs.parent()?
    };
    start
        .ancestors()
        .map(|d| d.join(FILE_NAME))
        .find(|p| p.is_file())
}

pub fn read(path: &Path) -> Result<LoadedSettings, String> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        format!(
            "{}: {}",
            path.display(),
            crate::config::load::io_message(&e)
        )
    })?;
    let settings: Settings = toml::from_str(&text).map_err(|e| {
        let (line, col) = e
            .span()
            .map(|s| {
                let before = &text[..s.start.min(text.len())];
                let line = before.matches('\n').count() + 1;
                let col = before
                    .rsplit('\n')
                    .next()
                    .map(|l| l.chars().count() + 1)
                    .unwrap_or(1);
                (line, col)
            })
            .unwrap_or((1, 1));
        format!("{}:{line}:{col}: {}", path.display(), e.message())
    })?;
    for (code, sev) in &settings.severity {
        if Severity::parse(sev).is_none() {
            return Err(format!(
                "{}: severity of {code} must be \"error\", \"warning\" or \"info\", not \"{sev}\"",
                path.display()
            ));
        }
    }
    Ok(LoadedSettings {
        path: path.to_path_buf(),
        settings,
    })
}

/// Compiled `per-path-ignores`: globs relative to the settings file's directory.
#[derive(Debug, Clone, Default)]
pub struct PathIgnores {
    rules: Vec<(globset::GlobMatcher, Vec<String>)>,
    base: PathBuf,
}

impl PathIgnores {
    pub fn new(loaded: &LoadedSettings) -> Result<PathIgnores, String> {
        let base = loaded
            .path
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_default();
        let mut rules = Vec::new();
        for (pattern, codes) in &loaded.settings.per_path_ignores {
            let glob = globset::Glob::new(pattern).map_err(|e| {
                format!(
                    "{}: per-path-ignores pattern \"{pattern}\": {e}",
                    loaded.path.display()
                )
            })?;
            rules.push((glob.compile_matcher(), codes.clone()));
        }
        Ok(PathIgnores { rules, base })
    }

    /// Whether `code` is ignored for findings in `path`.
    pub fn ignores(&self, path: &Path, code: &str) -> bool {
        if self.rules.is_empty() {
            return false;
        }
        let abs = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
        let rel = abs.strip_prefix(&self.base).unwrap_or(&abs);
        self.rules.iter().any(|(m, codes)| {
            (m.is_match(rel) || m.is_match(path))
                && codes.iter().any(|c| code.starts_with(c.as_str()))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_and_reports_bad_keys_with_position() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join(FILE_NAME);
        std::fs::write(&p, "profile = \"modern\"\nignore = [\"HDR\"]\n[per-path-ignores]\n\"legacy/*\" = [\"TLS001\"]\n").unwrap();
        let s = read(&p).unwrap();
        assert_eq!(s.settings.profile, Some(Profile::Modern));
        let ign = PathIgnores::new(&s).unwrap();
        std::fs::create_dir(dir.path().join("legacy")).unwrap();
        std::fs::write(dir.path().join("legacy/a.conf"), "").unwrap();
        assert!(ign.ignores(&dir.path().join("legacy/a.conf"), "TLS001"));
        assert!(!ign.ignores(&dir.path().join("legacy/a.conf"), "TLS002"));

        std::fs::write(&p, "profil = \"modern\"\n").unwrap();
        let err = read(&p).unwrap_err();
        assert!(
            err.contains(":1:1:") && err.contains("unknown field"),
            "{err}"
        );
        std::fs::create_dir(dir.path().join("sub")).unwrap();
        assert_eq!(
            discover(&dir.path().join("sub")),
            Some(std::fs::canonicalize(&p).unwrap())
        );
    }
}
