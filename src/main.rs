use std::process::ExitCode;

use clap::Parser;
use nginx_audit::cli::{self, Cli, Command};

/// jemalloc rather than glibc's allocator: parsing and modelling run on
/// several threads, and glibc grows each thread's heap a page at a time,
/// one `mprotect` system call per page (29,000 on a 46 MB config), which
/// also stalls the other threads' page faults. docs/performance.md has
/// the figures.
#[cfg(all(target_os = "linux", not(target_env = "musl")))]
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

/// jemalloc's options, which it reads from this symbol when it starts: one
/// arena per CPU (its default, four per CPU, held 7–10 MiB more on the
/// largest benchmark for no speed), and its memory advised for huge pages,
/// which `memory::manage_huge_pages` then allows or not by the config's
/// size. A thin pointer to a C string; a misspelt option makes jemalloc
/// complain on stderr (a CLI test checks).
#[cfg(all(target_os = "linux", not(target_env = "musl")))]
#[export_name = "_rjem_malloc_conf"]
#[used]
static MALLOC_CONF: &[u8; 31] = b"percpu_arena:percpu,thp:always\0";

/// Huge pages off before anything is allocated: the C runtime runs
/// `.init_array` before Rust's own start-up, whose first allocation sets
/// jemalloc up (with `thp:always`, one 2 MiB page per arena from the start
/// took a small check from 8 to 13 MiB).
#[cfg(target_os = "linux")]
#[used]
#[link_section = ".init_array"]
static HUGE_PAGES_OFF_AT_START: extern "C" fn() = {
    extern "C" fn start() {
        nginx_audit::memory::manage_huge_pages();
    }
    start
};

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
