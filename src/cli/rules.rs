//! `nginx-audit rules` and `nginx-audit explain CODE`.

use std::process::ExitCode;

use crate::rules::{all_rules, docs, find_rule};

pub fn list(json: bool) -> ExitCode {
    if json {
        let rows: Vec<_> = all_rules()
            .iter()
            .map(|r| {
                let m = r.meta();
                serde_json::json!({
                    "code": m.code, "name": m.name, "severity": m.severity, "summary": m.summary,
                    "profiles": m.profiles.iter().map(|p| p.name()).collect::<Vec<_>>(),
                })
            })
            .collect();
        println!(
            "{}",
            serde_json::to_string_pretty(&rows).unwrap_or_default()
        );
        return ExitCode::SUCCESS;
    }
    for r in all_rules() {
        let m = r.meta();
        let profiles = if m.profiles.is_empty() {
            String::new()
        } else {
            format!(
                " [{}]",
                m.profiles
                    .iter()
                    .map(|p| p.name())
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        };
        println!(
            "{}  {:<8} {:<38} {}{profiles}",
            m.code,
            m.severity.as_str(),
            m.name,
            m.summary
        );
    }
    ExitCode::SUCCESS
}

pub fn explain(code: &str) -> ExitCode {
    match find_rule(code) {
        Some(r) => {
            print!("{}", docs::page(r.meta()));
            ExitCode::SUCCESS
        }
        None => {
            eprintln!("nginx-audit: unknown rule code \"{code}\"; `nginx-audit rules` lists them");
            ExitCode::from(2)
        }
    }
}
