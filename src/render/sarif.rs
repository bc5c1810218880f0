//! SARIF 2.1.0 for code scanning (GitHub, GitLab, Azure DevOps). Validated
//! against the official schema in the tests.

use std::io::Write;
use std::path::Path;

use serde_json::{json, Value};

use crate::check::Report;
use crate::diag::{Diagnostic, Severity};
use crate::rules::{all_rules, RuleMeta};
use crate::source::{SourceMap, Span};

pub fn rule_url(meta: &RuleMeta) -> String {
    format!(
        "{}/blob/main/{}",
        env!("CARGO_PKG_REPOSITORY"),
        meta.doc_path()
    )
}

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

/// A relative URI when the file is under the working directory (what code
/// scanning maps to the repository), else an absolute `file://` URI.
fn uri(path: &Path) -> String {
    let cwd = std::env::current_dir().ok();
    let abs = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    if let Some(rel) = cwd.as_ref().and_then(|c| abs.strip_prefix(c).ok()) {
        return rel.to_string_lossy().replace('\\', "/");
    }
    if abs.is_absolute() {
        format!("file://{}", abs.display())
    } else {
        abs.to_string_lossy().into_owned()
    }
}

fn region(sources: &SourceMap, span: Span) -> Value {
    let f = sources.get(span.file);
    let (sl, sc) = f.line_col(span.start);
    let (el, ec) = f.line_col(span.end);
    json!({ "startLine": sl, "startColumn": sc, "endLine": el, "endColumn": ec })
}

fn location(sources: &SourceMap, span: Span) -> Value {
    json!({
        "physicalLocation": {
            "artifactLocation": { "uri": uri(sources.path(span.file)) },
            "region": region(sources, span),
        }
    })
}

fn result(sources: &SourceMap, d: &Diagnostic, rule_index: Option<usize>) -> Value {
    let mut r = json!({
        "ruleId": d.code,
        "level": level(d.severity),
        "message": { "text": match &d.help { Some(h) => format!("{} ({h})", d.message), None => d.message.clone() } },
    });
    if let Some(i) = rule_index {
        r["ruleIndex"] = json!(i);
    }
    match (d.span, &d.path) {
        (Some(span), _) => r["locations"] = json!([location(sources, span)]),
        (None, Some(p)) => {
            r["locations"] =
                json!([{ "physicalLocation": { "artifactLocation": { "uri": uri(p) } } }])
        }
        _ => {}
    }
    if !d.related.is_empty() {
        let related: Vec<Value> = d
            .related
            .iter()
            .enumerate()
            .map(|(i, rel)| {
                let mut l = location(sources, rel.span);
                l["id"] = json!(i);
                l["message"] = json!({ "text": rel.message });
                l
            })
            .collect();
        r["relatedLocations"] = json!(related);
    }
    if let Some(fix) = &d.fix {
        let mut by_file: Vec<(crate::source::FileId, Vec<Value>)> = Vec::new();
        for e in &fix.edits {
            let rep = json!({
                "deletedRegion": region(sources, e.span),
                "insertedContent": { "text": e.replacement },
            });
            match by_file.iter_mut().find(|(f, _)| *f == e.span.file) {
                Some((_, v)) => v.push(rep),
                None => by_file.push((e.span.file, vec![rep])),
            }
        }
        let changes: Vec<Value> = by_file
            .into_iter()
            .map(|(f, reps)| json!({ "artifactLocation": { "uri": uri(sources.path(f)) }, "replacements": reps }))
            .collect();
        r["fixes"] =
            json!([{ "description": { "text": fix.message }, "artifactChanges": changes }]);
    }
    r
}

pub fn render(report: &Report, out: &mut dyn Write) -> std::io::Result<()> {
    let sources = &report.config.sources;
    let rules = all_rules();
    let descriptors: Vec<Value> = rules
        .iter()
        .map(|r| {
            let m = r.meta();
            json!({
                "id": m.code,
                "name": m.name,
                "shortDescription": { "text": m.summary },
                "fullDescription": { "text": m.summary },
                "help": { "text": m.doc, "markdown": m.doc },
                "helpUri": rule_url(m),
                "defaultConfiguration": { "level": level(m.severity) },
                "properties": { "tags": [m.family()] },
            })
        })
        .collect();
    let results: Vec<Value> = report
        .diagnostics
        .iter()
        .map(|d| {
            result(
                sources,
                d,
                rules.iter().position(|r| r.meta().code == d.code),
            )
        })
        .collect();
    let doc = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": "nginx-audit",
                "version": env!("CARGO_PKG_VERSION"),
                "informationUri": env!("CARGO_PKG_REPOSITORY"),
                "rules": descriptors,
            }},
            "columnKind": "unicodeCodePoints",
            "results": results,
        }]
    });
    serde_json::to_writer_pretty(&mut *out, &doc)?;
    writeln!(out)
}
