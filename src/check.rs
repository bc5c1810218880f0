//! The `check` pipeline: load → validate → model → rules → suppressions,
//! one report.

use std::path::PathBuf;
use std::time::Instant;

use crate::config::{self, site, validate::validate, Config, LoadOptions};
use crate::diag::{Diagnostic, Severity};
use crate::rules::{self, Checker, Profile, RuleOptions};
use crate::settings::PathIgnores;
use crate::suppress;
use crate::timing;

#[derive(Debug, Clone)]
pub struct CheckOptions {
    pub load: LoadOptions,
    pub profile: Profile,
    pub rules: RuleOptions,
    /// Severity overrides by code (from `.nginx-audit.toml`).
    pub severities: Vec<(String, Severity)>,
    pub path_ignores: PathIgnores,
    /// Do not free the Site model and the rules' facts: for a process that
    /// exits right after the check (the CLI), where freeing hundreds of
    /// thousands of nodes one by one cost more than some whole checks.
    pub leak_model: bool,
}

impl Default for CheckOptions {
    fn default() -> CheckOptions {
        CheckOptions {
            load: LoadOptions::default(),
            profile: Profile::Guide,
            rules: RuleOptions::default(),
            severities: Vec::new(),
            path_ignores: PathIgnores::default(),
            leak_model: false,
        }
    }
}

pub struct Report {
    pub config: Config,
    pub diagnostics: Vec<Diagnostic>,
    /// What `probe`/`verify` saw on each endpoint (empty for `check`).
    pub endpoints: Vec<crate::probe::endpoint::Endpoint>,
}

impl Report {
    /// Problems with the targets themselves (missing path, unreadable dir).
    pub fn target_errors(&self) -> &[String] {
        &self.config.target_errors
    }
}

pub fn check(targets: &[PathBuf], opts: &CheckOptions) -> Report {
    let start = Instant::now();
    let mut cfg = config::load(targets, &opts.load);
    timing::report("load", start);
    let mut diagnostics = std::mem::take(&mut cfg.diagnostics);
    // Validation and the Site model + rules only read the config: run them
    // side by side (validation is one thread; the model and the rules use
    // every core).
    let (validated, ruled) = std::thread::scope(|scope| {
        let validation = scope.spawn(|| {
            let start = Instant::now();
            let found = validate(&cfg);
            timing::report("validate", start);
            found
        });
        let start = Instant::now();
        let sites = site::sites(&cfg);
        timing::report("sites", start);
        let cx = Checker::new(&cfg, &sites, opts.profile, &opts.rules);
        let start = Instant::now();
        let ruled = rules::run(&cx);
        timing::report("rules", start);
        if opts.leak_model {
            std::mem::forget(cx);
            std::mem::forget(sites);
        }
        (validation.join().expect("validation does not panic"), ruled)
    });
    diagnostics.extend(validated);
    diagnostics.extend(ruled);
    diagnostics.retain(|d| {
        let selected = opts.rules.is_selected(d.code) || d.code.starts_with("SYN");
        let ignored_here = d
            .span
            .is_some_and(|s| opts.path_ignores.ignores(cfg.sources.path(s.file), d.code));
        selected && !ignored_here
    });
    suppress::apply(&cfg, &mut diagnostics, rules::is_known_code, |code| {
        rules::find_rule(code)
            .map(|r| r.meta().applies_to(opts.profile) && opts.rules.is_selected(r.meta().code))
            .unwrap_or(true)
    });
    for d in diagnostics.iter_mut() {
        if let Some((_, sev)) = opts
            .severities
            .iter()
            .find(|(c, _)| c.eq_ignore_ascii_case(d.code))
        {
            d.severity = *sev;
        }
    }
    sort_diagnostics(&mut diagnostics);
    timing::report("check", start);
    Report {
        config: cfg,
        diagnostics,
        endpoints: Vec::new(),
    }
}

/// By file (in load order), then position, then code.
pub fn sort_diagnostics(diags: &mut [Diagnostic]) {
    diags.sort_by_key(|d| {
        (
            d.span.map(|s| s.file.0).unwrap_or(u32::MAX),
            d.span.map(|s| s.start).unwrap_or(0),
            d.code,
        )
    });
}
