//! Command-line definitions (clap). Completions and the man page are
//! generated from these same definitions, so they cannot drift.

pub mod check;
pub mod generate;
pub mod probe;
pub mod rules;
pub mod verify;

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::config::Context;
use crate::diag::Severity;
use crate::nginx_version::NginxVersion;
use crate::render::Format;
use crate::rules::Profile;

#[derive(Debug, Parser)]
#[command(
    name = "nginx-audit",
    version,
    about = "Lint nginx TLS reverse-proxy configs against a hardening guide",
    long_about = "Lint nginx TLS reverse-proxy configs against a hardening guide.\n\n\
                  A bare PATH means `check PATH`. Exit status: 0 no findings at or above \
                  --fail-on, 1 findings, 2 usage or I/O error.",
    args_conflicts_with_subcommands = true,
    subcommand_negates_reqs = true
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,

    #[command(flatten)]
    pub check: CheckArgs,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Parse, resolve includes, validate and lint nginx configs.
    Check(CheckArgs),
    /// Check live endpoints: TLS versions and suites, certificate, redirect, headers.
    Probe(probe::ProbeArgs),
    /// Post-deploy: lint CONFIG, then probe every TLS server it declares.
    Verify(verify::VerifyArgs),
    /// List every rule: code, severity, name, summary, profiles.
    Rules {
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Show a rule's documentation.
    Explain {
        /// A rule code, e.g. TLS001.
        code: String,
    },
    /// Print a shell completion script.
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Write the man page (nginx-audit.1) to stdout or into a directory.
    Man {
        /// Directory to write nginx-audit.1 into (stdout when absent).
        #[arg(long)]
        out: Option<PathBuf>,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    Error,
    Warning,
    Info,
}

impl FailOn {
    pub fn threshold(self) -> Severity {
        match self {
            FailOn::Error => Severity::Error,
            FailOn::Warning => Severity::Warning,
            FailOn::Info => Severity::Info,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FragmentContext {
    Main,
    Http,
    Server,
    Location,
}

impl FragmentContext {
    pub fn context(self) -> Context {
        match self {
            FragmentContext::Main => Context::Main,
            FragmentContext::Http => Context::Http,
            FragmentContext::Server => Context::Server,
            FragmentContext::Location => Context::Location,
        }
    }
}

/// How findings are reported and when they fail the run: the same for
/// `check`, `probe` and `verify`.
#[derive(Debug, Clone, Args)]
pub struct OutputArgs {
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,

    /// When to color text output (NO_COLOR is honoured with auto).
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,

    /// Exit 1 when a finding at or above this severity is reported.
    #[arg(long, value_enum, default_value_t = FailOn::Warning)]
    pub fail_on: FailOn,
}

#[derive(Debug, Clone, Args)]
pub struct CheckArgs {
    /// Config files or directories (`-` reads a config or `nginx -T` output from stdin).
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,

    #[command(flatten)]
    pub output: OutputArgs,

    /// nginx prefix: where relative `include` paths resolve (default: the main config's directory).
    #[arg(long, value_name = "DIR")]
    pub prefix: Option<PathBuf>,

    /// Context of fragment files (default: guessed from their directives).
    #[arg(long, value_enum)]
    pub context: Option<FragmentContext>,

    /// Which requirements to check against (default: `guide`, or the config file's).
    #[arg(long, value_enum)]
    pub profile: Option<Profile>,

    /// nginx version the config is for (defaults changed across versions);
    /// default: ask the installed `nginx -v`, else assume the oldest.
    #[arg(long, value_name = "X.Y.Z")]
    pub nginx_version: Option<NginxVersion>,

    /// Run only these codes or code prefixes (e.g. `TLS,CRT002`).
    #[arg(long, value_delimiter = ',', value_name = "CODES")]
    pub select: Vec<String>,

    /// Skip these codes or code prefixes.
    #[arg(long, value_delimiter = ',', value_name = "CODES")]
    pub ignore: Vec<String>,

    /// Warn when a certificate expires within this many days.
    #[arg(long, value_name = "DAYS")]
    pub expiry_days: Option<i64>,

    /// Settings file (default: `.nginx-audit.toml` found upward from the first target).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// Ignore any `.nginx-audit.toml`.
    #[arg(long)]
    pub no_config: bool,
}
