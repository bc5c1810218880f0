//! Human output: `path:line:col: CODE severity message`, the source line, a
//! caret under the span, then help and related locations.

use std::io::Write;

use colored::{ColoredString, Colorize};

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
            path.bold(),
            d.code.bold(),
            severity(d.severity),
            d.message
        )?;
        if let Some(h) = &d.help {
            writeln!(out, "  {} {h}", "help:".cyan())?;
        }
        return writeln!(out);
    };
    let file = sources.get(span.file);
    let (line, col) = file.line_col(span.start);
    writeln!(
        out,
        "{}: {} {} {}",
        format!("{}:{line}:{col}", file.path.display()).bold(),
        d.code.bold(),
        severity(d.severity),
        d.message
    )?;
    let text = file.line_text(line);
    let width = line.to_string().len();
    writeln!(
        out,
        "{:>width$} {} {}",
        line.to_string().blue(),
        "|".blue(),
        text
    )?;
    // Underline to the end of the span or of the line, whichever is first.
    let (end_line, end_col) = file.line_col(span.end);
    let line_chars = text.chars().count();
    let end_col = if end_line == line {
        end_col
    } else {
        line_chars + 1
    };
    let carets = end_col.saturating_sub(col).max(1);
    let pad: String = text
        .chars()
        .take(col - 1)
        .map(|c| if c == '\t' { '\t' } else { ' ' })
        .collect();
    writeln!(
        out,
        "{:>width$} {} {pad}{}",
        "",
        "|".blue(),
        "^".repeat(carets).red()
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
            r.message,
            rf.path.display()
        )?;
    }
    if let Some(h) = &d.help {
        writeln!(out, "{:>width$} {} {h}", "", "= help:".cyan())?;
    }
    if let Some(fix) = &d.fix {
        writeln!(out, "{:>width$} {} {}", "", "= fix:".green(), fix.message)?;
    }
    writeln!(out)
}
