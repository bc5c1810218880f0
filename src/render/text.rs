//! Human output: `path:line:col: CODE severity message`, the source line, a
//! caret under the span, then help and related locations.

use std::io::Write;

use colored::{ColoredString, Colorize};

use super::excerpt::{excerpt, visible};
use super::Counts;
use crate::check::Report;
use crate::diag::{Diagnostic, Severity};
use crate::source::SourceMap;

pub fn render(report: &Report, out: &mut dyn Write) -> std::io::Result<()> {
    let sources = &report.config.sources;
    for d in &report.diagnostics {
        write_diagnostic(sources, d, out)?;
    }
    let c = Counts::of(report);
    let total = c.error + c.warning + c.info;
    if total == 0 {
        writeln!(
            out,
            "{} no problems found in {} file(s)",
            "✓".green(),
            sources.len()
        )?;
    } else {
        writeln!(
            out,
            "Found {total} problem(s) ({} error, {} warning, {} info) in {} file(s).",
            c.error,
            c.warning,
            c.info,
            sources.len()
        )?;
    }
    Ok(())
}

fn severity(s: Severity) -> ColoredString {
    match s {
        Severity::Error => "error".red().bold(),
        Severity::Warning => "warning".yellow().bold(),
        Severity::Info => "info".blue().bold(),
    }
}

pub fn write_diagnostic(
    sources: &SourceMap,
    d: &Diagnostic,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    let Some(span) = d.span else {
        let path = d
            .path
            .as_ref()
            .map(|p| p.display().to_string())
            .unwrap_or_default();
        writeln!(
            out,
            "{}: {} {} {}",
            visible(&path).bold(),
            d.code.bold(),
            severity(d.severity),
            visible(&d.message)
        )?;
        if let Some(h) = &d.help {
            writeln!(out, "  {} {}", "help:".cyan(), visible(h))?;
        }
        return writeln!(out);
    };
    let file = sources.get(span.file);
    let (line, col) = file.line_col(span.start);
    writeln!(
        out,
        "{}: {} {} {}",
        visible(&format!("{}:{line}:{col}", file.path.display())).bold(),
        d.code.bold(),
        severity(d.severity),
        visible(&d.message)
    )?;
    let shown = excerpt(file, line, span);
    let width = line.to_string().len();
    writeln!(
        out,
        "{:>width$} {} {}",
        line.to_string().blue(),
        "|".blue(),
        shown.text
    )?;
    writeln!(
        out,
        "{:>width$} {} {}{}",
        "",
        "|".blue(),
        shown.pad,
        "^".repeat(shown.carets).red()
    )?;
    for r in &d.related {
        let rf = sources.get(r.span.file);
        let (l, c) = rf.line_col(r.span.start);
        writeln!(
            out,
            "{:>width$} {} {}: {} at {}:{l}:{c}",
            "",
            "=".blue(),
            "note".bold(),
            visible(&r.message),
            visible(&rf.path.display().to_string())
        )?;
    }
    if let Some(h) = &d.help {
        writeln!(out, "{:>width$} {} {}", "", "= help:".cyan(), visible(h))?;
    }
    if let Some(fix) = &d.fix {
        writeln!(
            out,
            "{:>width$} {} {}",
            "",
            "= fix:".green(),
            visible(&fix.message)
        )?;
    }
    writeln!(out)
}
