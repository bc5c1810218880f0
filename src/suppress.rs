//! Suppression comments: `# nginx-audit: ignore CODE[,CODE] -- reason`.
//!
//! A comment silences the listed codes on its own line (trailing comment)
//! and on the line below (comment above a directive). Comments are parsed
//! with positions, so unknown codes and suppressions that silence nothing
//! are reported too — stale ignores hide real problems later.

use crate::config::Config;
use crate::diag::{Diagnostic, Severity};
use crate::source::{FileId, Span};

pub const UNUSED: &str = "SUP001";
pub const UNKNOWN: &str = "SUP002";

const MARKER: &str = "nginx-audit:";

#[derive(Debug, Clone)]
pub struct Suppression {
    pub file: FileId,
    /// 1-based line of the comment.
    pub line: usize,
    /// (code, span of the code in the comment)
    pub codes: Vec<(String, Span)>,
    pub reason: Option<String>,
}

/// Parse every suppression comment of every loaded file.
pub fn collect(cfg: &Config) -> Vec<Suppression> {
    let mut out = Vec::new();
    for f in &cfg.files {
        let source = cfg.sources.get(f.file);
        for c in &f.comments {
            let text = source.text(c.span);
            let body = text.trim_start_matches('#').trim_start();
            let Some(rest) = body.strip_prefix(MARKER) else {
                continue;
            };
            let rest = rest.trim_start();
            let Some(list) = rest.strip_prefix("ignore") else {
                continue;
            };
            let (list, reason) = match list.split_once("--") {
                Some((l, r)) => (l, Some(r.trim().to_string()).filter(|r| !r.is_empty())),
                None => (list, None),
            };
            // Offsets of each code inside the comment, for precise spans.
            let list_start = c.span.start as usize + (text.len() - rest.len()) + "ignore".len();
            let mut codes = Vec::new();
            let mut at = 0;
            for part in list.split([',', ' ', '\t']) {
                let start = list_start + at;
                at += part.len() + 1;
                if part.is_empty() {
                    continue;
                }
                codes.push((
                    part.to_string(),
                    Span::new(f.file, start, start + part.len()),
                ));
            }
            let (line, _) = source.line_col(c.span.start);
            out.push(Suppression {
                file: f.file,
                line,
                codes,
                reason,
            });
        }
    }
    out
}

/// Drop suppressed diagnostics; add SUP001/SUP002 for unused and unknown codes.
/// `known` answers whether a code exists; `ran` whether its rule ran (an
/// ignore for a rule that did not run this time is not "unused").
pub fn apply(
    cfg: &Config,
    diags: &mut Vec<Diagnostic>,
    known: impl Fn(&str) -> bool,
    ran: impl Fn(&str) -> bool,
) {
    let sups = collect(cfg);
    if sups.is_empty() {
        return;
    }
    let mut used = vec![vec![false; 0]; sups.len()];
    for (i, s) in sups.iter().enumerate() {
        used[i] = vec![false; s.codes.len()];
    }
    diags.retain(|d| {
        let Some(span) = d.span else { return true };
        let (line, _) = cfg.sources.line_col(span);
        let mut keep = true;
        for (i, s) in sups.iter().enumerate() {
            if s.file != span.file || !(line == s.line || line == s.line + 1) {
                continue;
            }
            for (j, (code, _)) in s.codes.iter().enumerate() {
                if code.eq_ignore_ascii_case(d.code) {
                    used[i][j] = true;
                    keep = false;
                }
            }
        }
        keep
    });
    for (i, s) in sups.iter().enumerate() {
        for (j, (code, span)) in s.codes.iter().enumerate() {
            if !known(code) {
                diags.push(Diagnostic::new(
                    UNKNOWN,
                    Severity::Warning,
                    *span,
                    format!("unknown rule code \"{code}\" in suppression comment"),
                ));
            } else if !used[i][j] && ran(code) {
                diags.push(
                    Diagnostic::new(
                        UNUSED,
                        Severity::Warning,
                        *span,
                        format!("unused suppression: no {code} finding on this line or the next"),
                    )
                    .with_help("remove the code from the comment"),
                );
            }
        }
    }
}
