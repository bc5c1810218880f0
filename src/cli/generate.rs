//! Shell completions and the man page, from the clap definitions.

use std::path::Path;
use std::process::ExitCode;

use clap::CommandFactory;

use super::Cli;

pub fn completions(shell: clap_complete::Shell) -> ExitCode {
    let mut cmd = Cli::command();
    clap_complete::generate(shell, &mut cmd, "nginx-audit", &mut std::io::stdout());
    ExitCode::SUCCESS
}

pub fn man(out: Option<&Path>) -> ExitCode {
    let page = clap_mangen::Man::new(Cli::command());
    let result = match out {
        None => page.render(&mut std::io::stdout()),
        Some(dir) => {
            let path = dir.join("nginx-audit.1");
            let mut buf = Vec::new();
            page.render(&mut buf)
                .and_then(|_| crate::fsutil::write_atomic(&path, &buf, None))
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("nginx-audit: cannot write the man page: {e}");
            ExitCode::from(2)
        }
    }
}
