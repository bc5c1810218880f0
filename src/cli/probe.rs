//! `nginx-audit probe TARGET...`: live TLS, protocol/suite scan, certificate,
//! redirect and header checks against running endpoints.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::Args;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use super::check::{finish, set_color};
use super::OutputArgs;
use crate::check::Report;
use crate::config::Config;
use crate::probe::danger::Trust;
use crate::probe::endpoint::Endpoint;
use crate::probe::run::{probe_all, runtime, summary, Plan, ProbeOptions, TargetReport};
use crate::probe::target::{parse_duration, resolve_override, Resolve, Scheme, Target};
use crate::render::Format;
use crate::rules::Profile;

/// Network options shared by `probe` and `verify`.
#[derive(Debug, Clone, Args)]
pub struct NetArgs {
    /// Reach NAME on PORT at ADDRESS (SNI stays NAME), like curl; PORT may be `*`. Repeatable.
    #[arg(long, value_name = "NAME:PORT:ADDRESS", value_parser = clap::value_parser!(Resolve))]
    pub resolve: Vec<Resolve>,

    /// Timeout for each network step (connect, handshake, each answer): e.g. 5s, 500ms.
    #[arg(long, value_name = "DURATION", default_value = "5s", value_parser = parse_duration)]
    pub timeout: Duration,

    /// How many targets to probe at once.
    #[arg(long, value_name = "N", default_value_t = 20, value_parser = clap::value_parser!(u16).range(1..=1000))]
    pub concurrency: u16,

    /// Check trust against this CA bundle (or the self-signed certificate
    /// itself) instead of the system bundle.
    #[arg(long, value_name = "FILE")]
    pub ca: Option<PathBuf>,
}

impl NetArgs {
    pub fn options(&self, profile: Profile, expiry_days: i64) -> Result<ProbeOptions, String> {
        let trust = Trust::load(self.ca.as_deref())?;
        let mut o = ProbeOptions::new(trust);
        o.timeout = self.timeout;
        o.concurrency = self.concurrency as usize;
        o.expiry_days = expiry_days;
        o.profile = profile;
        Ok(o)
    }
}

#[derive(Debug, Clone, Args)]
pub struct ProbeArgs {
    /// `https://host[:port][/path]`, `http://host[:port][/path]` (checks its
    /// redirect to HTTPS) or `host[:port]` (HTTPS).
    #[arg(required = true, value_name = "TARGET")]
    pub targets: Vec<String>,

    #[command(flatten)]
    pub net: NetArgs,

    /// Plain-HTTP port whose redirect is checked for https:// targets (default 80).
    #[arg(long, value_name = "PORT", conflicts_with = "no_http")]
    pub http_port: Option<u16>,

    /// Do not check the plain-HTTP side of https:// targets.
    #[arg(long)]
    pub no_http: bool,

    /// Warn when the served certificate expires within this many days.
    #[arg(long, value_name = "DAYS", default_value_t = 30)]
    pub expiry_days: i64,

    #[command(flatten)]
    pub output: OutputArgs,

    /// Which requirements to check against (cipher order, key sizes).
    #[arg(long, value_enum, default_value_t = Profile::Guide)]
    pub profile: Profile,
}

pub fn run(args: &ProbeArgs) -> ExitCode {
    set_color(args.output.color, args.output.format);
    let mut plans = Vec::new();
    for t in &args.targets {
        match Target::parse(t) {
            Ok(target) => {
                let http_port = match target.scheme {
                    Scheme::Https if !args.no_http => Some(args.http_port.unwrap_or(80)),
                    _ => None,
                };
                plans.push(Plan {
                    address: resolve_override(&args.net.resolve, &target.host, target.port),
                    http_port,
                    check_name: true,
                    target,
                });
            }
            Err(e) => {
                eprintln!("nginx-audit: {e}");
                return ExitCode::from(2);
            }
        }
    }
    let opts = match args.net.options(args.profile, args.expiry_days) {
        Ok(o) => o,
        Err(e) => {
            eprintln!("nginx-audit: {e}");
            return ExitCode::from(2);
        }
    };
    let reports = match execute(plans, &opts, args.output.format) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("nginx-audit: {e}");
            return ExitCode::from(2);
        }
    };
    let mut summaries = Vec::new();
    if args.output.format == Format::Text {
        summaries = reports.iter().map(summary).collect();
    }
    let report = Report {
        config: Config::default(),
        endpoints: reports.iter().map(Endpoint::of).collect(),
        diagnostics: reports.into_iter().flat_map(|r| r.diagnostics).collect(),
    };
    finish(&summaries, report, args.output.format, args.output.fail_on)
}

/// Runs the probes on a fresh runtime, with a progress bar on a TTY.
pub fn execute(
    plans: Vec<Plan>,
    opts: &ProbeOptions,
    format: Format,
) -> Result<Vec<TargetReport>, String> {
    let rt = runtime().map_err(|e| format!("cannot start the async runtime: {e}"))?;
    let progress = progress_bar(plans.len(), format);
    let reports = rt.block_on(probe_all(plans, opts, progress.clone()));
    if let Some(p) = progress {
        p.finish_and_clear();
    }
    // Do not wait for connections a hung peer keeps open.
    rt.shutdown_timeout(Duration::from_millis(100));
    Ok(reports)
}

/// A bar on stderr for more than one target, only on a TTY and for text output.
fn progress_bar(n: usize, format: Format) -> Option<ProgressBar> {
    if n < 2 || format != Format::Text || !std::io::stderr().is_terminal() {
        return None;
    }
    let bar = ProgressBar::with_draw_target(Some(n as u64), ProgressDrawTarget::stderr());
    if let Ok(style) =
        ProgressStyle::with_template("{spinner} [{elapsed}] {bar:30} {pos}/{len} {wide_msg}")
    {
        bar.set_style(style);
    }
    bar.enable_steady_tick(Duration::from_millis(120));
    Some(bar)
}
