use std::process::ExitCode;

use clap::Parser;
use nginx_audit::cli::{self, Cli, Command};

fn main() -> ExitCode {
    let cli = Cli::parse();
    match &cli.command {
        None => cli::check::run(&cli.check),
        Some(Command::Check(args)) => cli::check::run(args),
        Some(Command::Probe(args)) => cli::probe::run(args),
        Some(Command::Verify(args)) => cli::verify::run(args),
        Some(Command::Rules { json }) => cli::rules::list(*json),
        Some(Command::Explain { code }) => cli::rules::explain(code),
        Some(Command::Completions { shell }) => cli::generate::completions(*shell),
        Some(Command::Man { out }) => cli::generate::man(out.as_deref()),
    }
}
