//! From files to a validated configuration: loading and includes, the
//! directive table, context and argument validation, and the Site model.

pub mod directives;
pub mod dump;
pub mod include;
pub mod load;
pub mod site;
pub mod validate;

pub use directives::{Context, DirectiveTable};
pub use load::{load, Config, Expanded, LoadOptions, Root};

/// `text` written to a temporary `site.conf` and loaded as it would be from
/// the command line; the directory lives as long as the returned guard.
#[cfg(test)]
pub(crate) fn load_text(text: &str) -> (tempfile::TempDir, Config) {
    load_files(&[("site.conf", text)])
}

/// Each `(name, text)` written to one temporary directory, and the first
/// loaded as [`load_text`] does (the others are there to be included).
#[cfg(test)]
pub(crate) fn load_files(files: &[(&str, &str)]) -> (tempfile::TempDir, Config) {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in files {
        std::fs::write(dir.path().join(name), text).unwrap();
    }
    let cfg = load(&[dir.path().join(files[0].0)], &LoadOptions::default());
    (dir, cfg)
}
