//! Lint rules: one file per rule under a directory per family, ruff style.
//!
//! A rule is a unit struct declared with `rule!`: its doc comment is its
//! documentation (What it does / Why is this bad? / Example / Use instead /
//! References), rendered by `explain CODE`, `docs/rules/CODE.md`, SARIF
//! `helpUri` and JSON. Rules read the Site model and the file facts cache,
//! never the raw syntax tree of the files alone.

pub mod context;
pub mod docs;
pub mod profile;
pub mod registry;

pub mod crt;
pub mod hdr;
pub mod key;
pub mod live;
pub mod prx;
pub mod red;
pub mod sec;
pub mod sup;
pub mod syn;
pub mod tls;

pub use context::{Checker, RuleOptions};
pub use profile::{Profile, ProfileSpec};
pub use registry::{all_rules, find_rule};

use crate::diag::{Diagnostic, Severity};
use crate::source::Span;

/// Whether a rule can offer a fix (the docs say which).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FixAvailability {
    Never,
    Sometimes,
    Always,
}

/// What every rule declares about itself.
#[derive(Debug)]
pub struct RuleMeta {
    pub code: &'static str,
    /// kebab-case slug, e.g. `legacy-protocols`.
    pub name: &'static str,
    /// One line, for `rules` and SARIF `shortDescription`.
    pub summary: &'static str,
    pub severity: Severity,
    /// Profiles the rule runs under; empty means all.
    pub profiles: &'static [Profile],
    pub fix: FixAvailability,
    /// The rule's doc comment, Markdown.
    pub doc: &'static str,
}

impl RuleMeta {
    pub fn applies_to(&self, profile: Profile) -> bool {
        self.profiles.is_empty() || self.profiles.contains(&profile)
    }

    pub fn family(&self) -> &'static str {
        &self.code[..3]
    }

    /// Where the rule's page lives in the repository.
    pub fn doc_path(&self) -> String {
        format!("docs/rules/{}.md", self.code)
    }

    /// A diagnostic of this rule at `span` with the rule's severity.
    pub fn at(&self, span: Span, message: impl Into<String>) -> Diagnostic {
        Diagnostic::new(self.code, self.severity, span, message)
    }
}

pub trait Rule: Sync {
    fn meta(&self) -> &'static RuleMeta;
    fn check(&self, cx: &Checker<'_>, out: &mut Vec<Diagnostic>);
}

/// Declare a rule: its doc comment, struct and metadata in one place.
///
/// ```ignore
/// rule! {
///     /// ## What it does
///     /// …
///     pub struct LegacyProtocols;
///     code = "TLS001", name = "legacy-protocols", severity = Error,
///     summary = "Legacy protocol versions (SSLv3, TLSv1, TLSv1.1) are enabled",
/// }
/// ```
#[macro_export]
macro_rules! rule {
    (
        $(#[doc = $doc:literal])*
        $vis:vis struct $name:ident;
        code = $code:literal, name = $slug:literal, severity = $sev:ident,
        summary = $summary:literal
        $(, profiles = [$($profile:ident),* $(,)?])?
        $(, fix = $fix:ident)?
        $(,)?
    ) => {
        $(#[doc = $doc])*
        $vis struct $name;

        impl $name {
            pub const META: $crate::rules::RuleMeta = $crate::rules::RuleMeta {
                code: $code,
                name: $slug,
                summary: $summary,
                severity: $crate::diag::Severity::$sev,
                profiles: &[$($($crate::rules::Profile::$profile),*)?],
                fix: $crate::rule!(@fix $($fix)?),
                doc: concat!($($doc, "\n"),*),
            };
        }
    };
    (@fix) => { $crate::rules::FixAvailability::Never };
    (@fix $fix:ident) => { $crate::rules::FixAvailability::$fix };
}

/// The first users of the costly shared facts (the http tree and HSTS
/// headers; proxy passes and their header states; redirects; certificate
/// and key files), in the order the cores should start on them.
const FACT_FIRST: &[&str] = &["HDR002", "PRX001", "RED004", "CRT001"];

/// Run every rule that applies to the profile, on every core.
///
/// Rules only read the config and the shared facts (computed once, by
/// whichever rule needs one first), so each core takes the next rule not
/// yet taken. Findings are put back together in the order the rules were
/// queued (fixed), so the output does not depend on which core ran what.
pub fn run(cx: &Checker<'_>) -> Vec<Diagnostic> {
    let mut selected: Vec<&'static dyn Rule> = all_rules()
        .iter()
        .copied()
        .filter(|r| {
            let meta = r.meta();
            meta.applies_to(cx.profile) && cx.options.is_selected(meta.code)
        })
        .collect();
    // Rules that compute a large shared fact go first, one per core, so no
    // core sits waiting for a fact another is still computing.
    selected.sort_by_key(|r| {
        FACT_FIRST
            .iter()
            .position(|c| *c == r.meta().code)
            .unwrap_or(FACT_FIRST.len())
    });
    let threads = crate::parallel::cores().min(selected.len());
    let next = std::sync::atomic::AtomicUsize::new(0);
    let found: Vec<std::sync::Mutex<Vec<Diagnostic>>> =
        selected.iter().map(|_| Default::default()).collect();
    let work = || loop {
        let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let Some(rule) = selected.get(i) else { break };
        let mut out = Vec::new();
        let start = crate::timing::enabled().then(std::time::Instant::now);
        rule.check(cx, &mut out);
        if let Some(start) = start {
            crate::timing::report(rule.meta().code, start);
        }
        *found[i].lock().unwrap_or_else(|e| e.into_inner()) = out;
    };
    std::thread::scope(|scope| {
        for _ in 1..threads {
            scope.spawn(work);
        }
        work();
    });
    found
        .into_iter()
        .flat_map(|m| m.into_inner().unwrap_or_else(|e| e.into_inner()))
        .collect()
}

/// Codes emitted outside the rule registry (none today: SYN and SUP codes
/// are registered for their docs).
pub const OTHER_CODES: &[&str] = &[];

pub fn is_known_code(code: &str) -> bool {
    find_rule(code).is_some() || OTHER_CODES.iter().any(|c| c.eq_ignore_ascii_case(code))
}

/// Whether `prefix` names a code or a family/prefix of codes (`TLS`, `CRT00`).
pub fn is_known_prefix(prefix: &str) -> bool {
    let p = prefix.to_ascii_uppercase();
    all_rules().iter().any(|r| r.meta().code.starts_with(&p))
        || OTHER_CODES.iter().any(|c| c.starts_with(&p))
}
