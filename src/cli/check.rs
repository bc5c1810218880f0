//! `nginx-audit check`: command line + settings file → options → report.

use std::io::{IsTerminal, Write};
use std::process::ExitCode;

use super::{CheckArgs, ColorChoice, FailOn};
use crate::check::{check, CheckOptions, Report};
use crate::config::LoadOptions;
use crate::diag::Severity;
use crate::render::{render, Format};
use crate::rules::{Profile, RuleOptions};
use crate::settings::{self, PathIgnores};

pub fn run(args: &CheckArgs) -> ExitCode {
    set_color(args.output.color, args.output.format);
    let opts = match options(args) {
        Ok(o) => o,
        Err(e) => {
            eprintln!("nginx-audit: {e}");
            return ExitCode::from(2);
        }
    };
    let report = check(&args.paths, &opts);
    finish(&[], report, args.output.format, args.output.fail_on)
}

/// Renders the report (text: the `summaries` lines first, for probe and
/// verify) and picks the exit code: 2 for target errors, 1 for findings at
/// or above `fail_on`.
pub fn finish(summaries: &[String], report: Report, format: Format, fail_on: FailOn) -> ExitCode {
    // Buffered: stdout alone is line-buffered, one `write` per line of
    // the report (151 system calls for a one-finding JSON report).
    let mut out = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
    let written = (|| {
        for s in summaries {
            writeln!(out, "{s}")?;
        }
        if !summaries.is_empty() {
            writeln!(out)?;
        }
        let start = std::time::Instant::now();
        render(&report, format, &mut out)?;
        out.flush()?;
        crate::timing::report("render", start);
        Ok::<(), std::io::Error>(())
    })();
    if let Err(e) = written {
        if e.kind() != std::io::ErrorKind::BrokenPipe {
            eprintln!("nginx-audit: cannot write output: {e}");
            return ExitCode::from(2);
        }
    }
    for e in report.target_errors() {
        eprintln!("nginx-audit: {e}");
    }
    if !report.target_errors().is_empty() {
        return ExitCode::from(2);
    }
    let failed = report
        .diagnostics
        .iter()
        .any(|d| d.severity >= fail_on.threshold());
    // The process ends here: freeing a large config's tree node by node
    // took longer than some whole checks. The OS takes the memory back.
    std::mem::forget(report);
    if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

/// Command line over settings file over defaults.
pub fn options(args: &CheckArgs) -> Result<CheckOptions, String> {
    let settings_path = if args.no_config {
        None
    } else {
        args.config.clone().or_else(|| {
            args.paths
                .iter()
                .find(|p| p.as_os_str() != "-")
                .and_then(|p| settings::discover(p))
        })
    };
    let loaded = settings_path.map(|p| settings::read(&p)).transpose()?;
    let file = loaded.as_ref().map(|l| &l.settings);

    let nginx_version = match (
        args.nginx_version,
        file.and_then(|f| f.nginx_version.as_deref()),
    ) {
        (Some(v), _) => Some(v),
        (None, Some(v)) => Some(v.parse()?),
        (None, None) => None,
    };
    let mut select = if args.select.is_empty() {
        file.map(|f| f.select.clone()).unwrap_or_default()
    } else {
        args.select.clone()
    };
    let mut ignore = args.ignore.clone();
    ignore.extend(file.map(|f| f.ignore.clone()).unwrap_or_default());
    select
        .iter_mut()
        .chain(ignore.iter_mut())
        .for_each(|c| c.make_ascii_uppercase());
    let defaults = RuleOptions::default();
    let rules = RuleOptions {
        nginx_version,
        expiry_warning_days: args
            .expiry_days
            .or(file.and_then(|f| f.expiry_days))
            .unwrap_or(defaults.expiry_warning_days),
        select,
        ignore,
        ..defaults
    };
    for code in rules.select.iter().chain(&rules.ignore) {
        if !crate::rules::is_known_prefix(code) {
            return Err(format!(
                "unknown rule code or prefix \"{code}\" (see `nginx-audit rules`)"
            ));
        }
    }
    let severities = file
        .map(|f| {
            f.severity
                .iter()
                .filter_map(|(c, s)| Severity::parse(s).map(|s| (c.clone(), s)))
                .collect()
        })
        .unwrap_or_default();
    let path_ignores = match &loaded {
        Some(l) => PathIgnores::new(l)?,
        None => PathIgnores::default(),
    };
    Ok(CheckOptions {
        load: LoadOptions {
            prefix: args.prefix.clone(),
            context: args.context.map(|c| c.context()),
        },
        profile: args
            .profile
            .or(file.and_then(|f| f.profile))
            .unwrap_or(Profile::Guide),
        rules,
        severities,
        path_ignores,
        // The process ends after the report is written (see `finish`).
        leak_model: true,
    })
}

/// Colors on for `always`, or for `auto` with text output to a terminal and no NO_COLOR.
pub fn set_color(choice: ColorChoice, format: Format) {
    let on = match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            format == Format::Text
                && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                && std::io::stdout().is_terminal()
        }
    };
    colored::control::set_override(on);
}
