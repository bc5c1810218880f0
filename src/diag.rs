//! Diagnostics: what every stage (parser, resolver, validator, rules, probe)
//! reports, and what every renderer prints.

use crate::source::Span;
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }

    pub fn parse(s: &str) -> Option<Severity> {
        match s {
            "info" => Some(Severity::Info),
            "warning" => Some(Severity::Warning),
            "error" => Some(Severity::Error),
            _ => None,
        }
    }
}

/// How sure we are that a fix keeps the config's meaning (ruff's model).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Applicability {
    /// Shown to the user, never applied.
    DisplayOnly,
    /// Changes behaviour the operator may rely on; applied only with `--unsafe`.
    Unsafe,
    /// Keeps behaviour apart from the problem it fixes.
    Safe,
}

/// Replace the bytes of `span` with `replacement` (an insertion when the span is empty).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edit {
    pub span: Span,
    pub replacement: String,
}

#[derive(Debug, Clone)]
pub struct Fix {
    pub message: String,
    pub applicability: Applicability,
    pub edits: Vec<Edit>,
}

/// A secondary location that explains the primary one
/// (e.g. "first set here" for a duplicate).
#[derive(Debug, Clone)]
pub struct Related {
    pub span: Span,
    pub message: String,
}

#[derive(Debug, Clone)]
pub struct Diagnostic {
    pub code: &'static str,
    pub severity: Severity,
    pub message: String,
    /// None for whole-run problems (a path argument that does not exist).
    pub span: Option<Span>,
    /// Shown when there is no span (a path given on the command line).
    pub path: Option<std::path::PathBuf>,
    /// For live findings: the endpoint probed (`https://host:port`).
    pub target: Option<String>,
    pub related: Vec<Related>,
    pub help: Option<String>,
    pub fix: Option<Fix>,
}

impl Diagnostic {
    pub fn new(
        code: &'static str,
        severity: Severity,
        span: Span,
        message: impl Into<String>,
    ) -> Diagnostic {
        Diagnostic {
            code,
            severity,
            message: message.into(),
            span: Some(span),
            path: None,
            target: None,
            related: Vec::new(),
            help: None,
            fix: None,
        }
    }

    /// A diagnostic about a path that has no source position (missing, unreadable).
    pub fn at_path(
        code: &'static str,
        severity: Severity,
        path: impl Into<std::path::PathBuf>,
        message: impl Into<String>,
    ) -> Diagnostic {
        Diagnostic {
            code,
            severity,
            message: message.into(),
            span: None,
            path: Some(path.into()),
            target: None,
            related: Vec::new(),
            help: None,
            fix: None,
        }
    }

    /// A live finding about an endpoint (no config position).
    pub fn at_target(
        code: &'static str,
        severity: Severity,
        target: impl Into<String>,
        message: impl Into<String>,
    ) -> Diagnostic {
        Diagnostic {
            code,
            severity,
            message: message.into(),
            span: None,
            path: None,
            target: Some(target.into()),
            related: Vec::new(),
            help: None,
            fix: None,
        }
    }

    pub fn with_related(mut self, span: Span, message: impl Into<String>) -> Diagnostic {
        self.related.push(Related {
            span,
            message: message.into(),
        });
        self
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Diagnostic {
        self.help = Some(help.into());
        self
    }

    pub fn with_fix(mut self, fix: Fix) -> Diagnostic {
        self.fix = Some(fix);
        self
    }
}
