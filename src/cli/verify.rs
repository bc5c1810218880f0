//! `nginx-audit verify CONFIG`: lint, then probe every TLS server the config
//! declares and relate what is live to the config lines. One report, one
//! exit code.

use std::net::IpAddr;
use std::process::ExitCode;

use clap::Args;

use super::check::{finish, set_color};
use super::probe::{execute, NetArgs};
use super::CheckArgs;
use crate::check::{check, sort_diagnostics, Report};
use crate::probe::run::summary;
use crate::probe::verify::{endpoints, relate, VerifyOptions};
use crate::render::Format;

#[derive(Debug, Clone, Args)]
pub struct VerifyArgs {
    #[command(flatten)]
    pub check: CheckArgs,

    #[command(flatten)]
    pub net: NetArgs,

    /// Connect to this address for every server name (default: each listen
    /// address; 127.0.0.1 for wildcard listens). `--resolve` wins per name.
    #[arg(long, value_name = "ADDRESS")]
    pub address: Option<IpAddr>,

    /// Do not check the plain-HTTP redirects.
    #[arg(long)]
    pub no_http: bool,
}

pub fn run(args: &VerifyArgs) -> ExitCode {
    set_color(args.check.output.color, args.check.output.format);
    let opts = match super::check::options(&args.check) {
        Ok(o) => o,
        Err(e) => {
            eprintln!("nginx-audit: {e}");
            return ExitCode::from(2);
        }
    };
    let probe_opts = match args
        .net
        .options(opts.profile, opts.rules.expiry_warning_days)
    {
        Ok(o) => o,
        Err(e) => {
            eprintln!("nginx-audit: {e}");
            return ExitCode::from(2);
        }
    };
    let report = check(&args.check.paths, &opts);
    let vopts = VerifyOptions {
        resolve: args.net.resolve.clone(),
        address: args.address,
        no_http: args.no_http,
    };
    let eps = endpoints(&report, &opts, &vopts);
    let plans = eps.iter().map(|e| e.plan.clone()).collect();
    let mut reports = match execute(plans, &probe_opts, args.check.output.format) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("nginx-audit: {e}");
            return ExitCode::from(2);
        }
    };
    let tied = relate(&eps, &mut reports);

    let mut summaries: Vec<String> = Vec::new();
    if args.check.output.format == Format::Text {
        summaries = reports.iter().map(summary).collect();
        if eps.is_empty() {
            summaries.push("no TLS server with a listen address to probe".into());
        }
    }
    let endpoints = reports
        .iter()
        .map(crate::probe::endpoint::Endpoint::of)
        .collect();
    let Report {
        config,
        mut diagnostics,
        ..
    } = report;
    // Config-tied findings sort with the static ones; the rest follow, by target.
    diagnostics.extend(tied);
    let mut live: Vec<_> = reports.into_iter().flat_map(|r| r.diagnostics).collect();
    for d in diagnostics.iter_mut().chain(live.iter_mut()) {
        if let Some((_, sev)) = opts
            .severities
            .iter()
            .find(|(c, _)| c.eq_ignore_ascii_case(d.code))
        {
            d.severity = *sev;
        }
    }
    diagnostics.retain(|d| d.target.is_none() || opts.rules.is_selected(d.code));
    live.retain(|d| opts.rules.is_selected(d.code));
    sort_diagnostics(&mut diagnostics);
    diagnostics.extend(live);
    let report = Report {
        config,
        diagnostics,
        endpoints,
    };
    finish(
        &summaries,
        report,
        args.check.output.format,
        args.check.output.fail_on,
    )
}
