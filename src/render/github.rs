//! GitHub Actions workflow commands: one `::error`/`::warning`/`::notice`
//! line per finding, shown as annotations on the pull request.

use std::io::Write;

use crate::check::Report;
use crate::diag::Severity;

/// Workflow-command escaping for the message and for property values.
fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

pub fn render(report: &Report, out: &mut dyn Write) -> std::io::Result<()> {
    let sources = &report.config.sources;
    for d in &report.diagnostics {
        let kind = match d.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "notice",
        };
        let mut props = vec![format!(
            "title={}",
            escape_property(&format!("{} {}", d.code, d.severity.as_str()))
        )];
        if let Some(span) = d.span {
            let f = sources.get(span.file);
            let (l, c) = f.line_col(span.start);
            let (el, ec) = f.line_col(span.end);
            props.insert(
                0,
                format!("file={}", escape_property(&f.path.display().to_string())),
            );
            props.push(format!("line={l}"));
            props.push(format!("endLine={el}"));
            // A column only makes sense when the span is on one line.
            if el == l {
                props.push(format!("col={c}"));
                props.push(format!("endColumn={ec}"));
            }
        } else if let Some(p) = &d.path {
            props.insert(
                0,
                format!("file={}", escape_property(&p.display().to_string())),
            );
        }
        let mut message = match &d.target {
            Some(t) => format!("{t}: {}", d.message),
            None => d.message.clone(),
        };
        if let Some(h) = &d.help {
            message.push_str(&format!("\n{h}"));
        }
        writeln!(
            out,
            "::{kind} {}::{}",
            props.join(","),
            escape_data(&message)
        )?;
    }
    Ok(())
}
