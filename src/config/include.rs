//! `include` paths as nginx expands them: relative to the prefix, globs
//! matched per path component and sorted (glob(3) as nginx calls it), a
//! leading `.` matched only explicitly.

use std::path::{Component, Path, PathBuf};

pub fn is_glob(pattern: &str) -> bool {
    pattern.contains(['*', '?', '['])
}

/// Resolve an include argument against the prefix.
pub fn full_path(prefix: &Path, arg: &str) -> PathBuf {
    let p = Path::new(arg);
    if p.is_absolute() {
        p.to_path_buf()
    } else {
        prefix.join(p)
    }
}

/// At most this many paths per pattern: with a symlink loop (`d/l -> .`),
/// `d/*/*/*/…` matches exponentially many.
pub const MAX_GLOB_MATCHES: usize = 100_000;

/// Expand a glob pattern into the sorted list of existing paths it matches.
/// Errors reading a directory on the way are returned as the empty set, as
/// glob(3) does with GLOB_NOCHECK unset.
pub fn expand_glob(pattern: &Path) -> Vec<PathBuf> {
    let mut current: Vec<PathBuf> = vec![PathBuf::new()];
    for comp in pattern.components() {
        let text = comp.as_os_str().to_string_lossy();
        let wildcard = matches!(comp, Component::Normal(_)) && is_glob(&text);
        if !wildcard {
            for p in current.iter_mut() {
                p.push(comp);
            }
            continue;
        }
        let Ok(glob) = globset::GlobBuilder::new(&text)
            .literal_separator(true)
            .backslash_escape(true)
            .build()
        else {
            return Vec::new();
        };
        let matcher = glob.compile_matcher();
        let explicit_dot = text.starts_with('.');
        let mut next = Vec::new();
        for dir in &current {
            let read_from = if dir.as_os_str().is_empty() {
                Path::new(".")
            } else {
                dir.as_path()
            };
            let Ok(entries) = std::fs::read_dir(read_from) else {
                continue;
            };
            let mut names: Vec<_> = entries
                .filter_map(|e| e.ok())
                .map(|e| e.file_name())
                .filter(|n| {
                    let s = n.to_string_lossy();
                    (explicit_dot || !s.starts_with('.')) && matcher.is_match(Path::new(n))
                })
                .collect();
            names.sort();
            next.extend(names.into_iter().map(|n| dir.join(n)));
            if next.len() >= MAX_GLOB_MATCHES {
                next.truncate(MAX_GLOB_MATCHES);
                break;
            }
        }
        current = next;
        if current.is_empty() {
            break;
        }
    }
    current.retain(|p| !p.as_os_str().is_empty());
    current
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn glob_matches_sorted_and_skips_dotfiles() {
        let dir = tempfile::tempdir().unwrap();
        for n in ["b.conf", "a.conf", ".hidden.conf", "c.txt"] {
            std::fs::write(dir.path().join(n), "").unwrap();
        }
        std::fs::create_dir(dir.path().join("sub")).unwrap();
        std::fs::write(dir.path().join("sub/x.conf"), "").unwrap();
        let found = expand_glob(&dir.path().join("*.conf"));
        let names: Vec<_> = found
            .iter()
            .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names, ["a.conf", "b.conf"]);
        let nested = expand_glob(&dir.path().join("*/*.conf"));
        assert_eq!(nested, [dir.path().join("sub/x.conf")]);
        assert!(expand_glob(&dir.path().join("nothing/*.conf")).is_empty());
    }
}
