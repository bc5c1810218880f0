//! The `check` pipeline: load → validate → model → rules, one report.

use std::path::PathBuf;

use crate::config::{self, validate::validate, Config, LoadOptions};
use crate::diag::Diagnostic;

#[derive(Debug, Clone, Default)]
pub struct CheckOptions {
    pub load: LoadOptions,
}

pub struct Report {
    pub config: Config,
    pub diagnostics: Vec<Diagnostic>,
}

impl Report {
    /// Problems with the targets themselves (missing path, unreadable dir).
    pub fn target_errors(&self) -> &[String] {
        &self.config.target_errors
    }
}

pub fn check(targets: &[PathBuf], opts: &CheckOptions) -> Report {
    let mut cfg = config::load(targets, &opts.load);
    let mut diagnostics = std::mem::take(&mut cfg.diagnostics);
    diagnostics.extend(validate(&cfg));
    sort_diagnostics(&cfg, &mut diagnostics);
    Report {
        config: cfg,
        diagnostics,
    }
}

/// File order of first appearance, then position; stable for equal keys.
pub fn sort_diagnostics(cfg: &Config, diags: &mut [Diagnostic]) {
    diags.sort_by(|a, b| {
        let key = |d: &Diagnostic| {
            (
                d.span.map(|s| s.file.0).unwrap_or(u32::MAX),
                d.span.map(|s| s.start).unwrap_or(0),
                d.code,
            )
        };
        key(a).cmp(&key(b))
    });
    let _ = cfg;
}
