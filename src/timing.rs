//! `NGINX_AUDIT_TIMING=1`: how long each stage and rule took, on stderr.
//! For finding what makes a large config slow; off by default.

use std::sync::OnceLock;
use std::time::Instant;

pub fn enabled() -> bool {
    static ON: OnceLock<bool> = OnceLock::new();
    *ON.get_or_init(|| std::env::var_os("NGINX_AUDIT_TIMING").is_some_and(|v| v != "0"))
}

/// Print `what` and the time since `start`, when enabled.
pub fn report(what: &str, start: Instant) {
    if enabled() {
        eprintln!(
            "timing: {what:<10} {:>9.3} ms",
            start.elapsed().as_secs_f64() * 1e3
        );
    }
}

/// Print a line about something that is not a duration, when enabled.
pub fn note(what: &str) {
    if enabled() {
        eprintln!("timing: {what}");
    }
}
