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
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("site.conf");
    std::fs::write(&path, text).unwrap();
    let cfg = load(&[path], &LoadOptions::default());
    (dir, cfg)
}
