//! Machine output; the contract is docs/json-output.md.

use std::io::Write;

use serde::Serialize;

use super::Counts;
use crate::check::Report;
use crate::diag::{Applicability, Diagnostic, Severity};
use crate::source::{SourceMap, Span};

pub const SCHEMA_VERSION: u32 = 1;

#[derive(Serialize)]
struct Output<'a> {
    version: u32,
    diagnostics: Vec<JsonDiagnostic<'a>>,
    summary: Summary,
    /// `probe` and `verify` only: what each endpoint served.
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    endpoints: &'a [crate::probe::endpoint::Endpoint],
}

#[derive(Serialize)]
struct Summary {
    files: usize,
    #[serde(flatten)]
    counts: Counts,
}

#[derive(Serialize)]
pub struct Location {
    pub path: String,
    pub line: usize,
    pub column: usize,
    pub end_line: usize,
    pub end_column: usize,
    pub start: u32,
    pub end: u32,
}

impl Location {
    pub fn of(sources: &SourceMap, span: Span) -> Location {
        let f = sources.get(span.file);
        let (line, column) = f.line_col(span.start);
        let (end_line, end_column) = f.line_col(span.end);
        Location {
            path: f.path.display().to_string(),
            line,
            column,
            end_line,
            end_column,
            start: span.start,
            end: span.end,
        }
    }
}

#[derive(Serialize)]
struct JsonDiagnostic<'a> {
    code: &'a str,
    severity: Severity,
    message: &'a str,
    location: Option<Location>,
    /// For diagnostics about a path with no position (a missing target).
    path: Option<String>,
    /// For live findings: the endpoint probed.
    target: Option<&'a str>,
    related: Vec<JsonRelated<'a>>,
    help: Option<&'a str>,
    fix: Option<JsonFix<'a>>,
}

#[derive(Serialize)]
struct JsonRelated<'a> {
    message: &'a str,
    location: Location,
}

#[derive(Serialize)]
struct JsonFix<'a> {
    message: &'a str,
    applicability: Applicability,
    edits: Vec<JsonEdit<'a>>,
}

#[derive(Serialize)]
struct JsonEdit<'a> {
    location: Location,
    replacement: &'a str,
}

fn convert<'a>(sources: &SourceMap, d: &'a Diagnostic) -> JsonDiagnostic<'a> {
    JsonDiagnostic {
        code: d.code,
        severity: d.severity,
        message: &d.message,
        location: d.span.map(|s| Location::of(sources, s)),
        path: d.path.as_ref().map(|p| p.display().to_string()),
        target: d.target.as_deref(),
        related: d
            .related
            .iter()
            .map(|r| JsonRelated {
                message: &r.message,
                location: Location::of(sources, r.span),
            })
            .collect(),
        help: d.help.as_deref(),
        fix: d.fix.as_ref().map(|f| JsonFix {
            message: &f.message,
            applicability: f.applicability,
            edits: f
                .edits
                .iter()
                .map(|e| JsonEdit {
                    location: Location::of(sources, e.span),
                    replacement: &e.replacement,
                })
                .collect(),
        }),
    }
}

pub fn render(report: &Report, out: &mut dyn Write) -> std::io::Result<()> {
    let sources = &report.config.sources;
    let output = Output {
        version: SCHEMA_VERSION,
        diagnostics: report
            .diagnostics
            .iter()
            .map(|d| convert(sources, d))
            .collect(),
        summary: Summary {
            files: sources.len(),
            counts: Counts::of(report),
        },
        endpoints: &report.endpoints,
    };
    serde_json::to_writer_pretty(&mut *out, &output)?;
    writeln!(out)
}
