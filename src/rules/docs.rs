//! Rule documentation pages, rendered from the rules' doc comments for
//! `explain CODE` and `docs/rules/CODE.md` (a test keeps the files current).

use super::{all_rules, FixAvailability, RuleMeta};

pub fn page(m: &RuleMeta) -> String {
    let profiles = if m.profiles.is_empty() {
        "all".to_string()
    } else {
        m.profiles
            .iter()
            .map(|p| p.name())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let fix = match m.fix {
        FixAvailability::Never => "no",
        FixAvailability::Sometimes => "sometimes",
        FixAvailability::Always => "yes",
    };
    format!(
        "# {code}: {name}\n\n{summary}.\n\n| severity | profiles | fix |\n|---|---|---|\n| {sev} | {profiles} | {fix} |\n\n{doc}",
        code = m.code,
        name = m.name,
        summary = m.summary,
        sev = m.severity.as_str(),
        doc = dedent(m.doc),
    )
}

/// Doc comments arrive with the space after `///`; drop it.
fn dedent(doc: &str) -> String {
    let mut out = String::with_capacity(doc.len());
    for line in doc.lines() {
        out.push_str(line.strip_prefix(' ').unwrap_or(line));
        out.push('\n');
    }
    out
}

/// `docs/rules/README.md`: every code with its summary.
pub fn index() -> String {
    let mut s = String::from("# Rules\n\nGenerated from the rules' doc comments (`nginx-audit explain CODE` shows the same text).\n\n| code | name | severity | summary |\n|---|---|---|---|\n");
    for r in all_rules() {
        let m = r.meta();
        s.push_str(&format!(
            "| [{c}]({c}.md) | {n} | {sev} | {sum} |\n",
            c = m.code,
            n = m.name,
            sev = m.severity.as_str(),
            sum = m.summary
        ));
    }
    s
}
