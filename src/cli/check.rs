//! `nginx-audit check`.

use std::io::{IsTerminal, Write};
use std::process::ExitCode;

use super::{CheckArgs, ColorChoice};
use crate::check::{check, CheckOptions};
use crate::config::LoadOptions;
use crate::render::{render, Format};

pub fn run(args: &CheckArgs) -> ExitCode {
    set_color(args.color, args.format);
    let opts = CheckOptions {
        load: LoadOptions {
            prefix: args.prefix.clone(),
            context: args.context.map(|c| c.context()),
        },
    };
    let report = check(&args.paths, &opts);
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let written = render(&report, args.format, &mut out).and_then(|_| out.flush());
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
    let threshold = args.fail_on.threshold();
    if report.diagnostics.iter().any(|d| d.severity >= threshold) {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

fn set_color(choice: ColorChoice, format: Format) {
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
