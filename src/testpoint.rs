//! Test points: named places in long operations where a test can stop the process.
//!
//! Crash-safety tests must SIGKILL `quarry index` at a known state (mid-parse, between
//! writing the note manifest and committing, right after a commit, while embedding), not
//! after a sleep that may land anywhere. [`reached`] does nothing unless the environment
//! variable `QUARRY_TEST_HOOKS` names the point (a comma-separated list); then it writes
//! `quarry-test-point: NAME` to stderr and blocks for good, so the test sees the line and
//! kills the process exactly there. The variable is read once.
#![doc(hidden)]

use std::io::Write;
use std::sync::OnceLock;

/// The environment variable that names the points to stop at.
pub const ENV: &str = "QUARRY_TEST_HOOKS";

/// The prefix of the line written to stderr when a point is reached.
pub const PREFIX: &str = "quarry-test-point: ";

fn enabled() -> &'static [String] {
    static POINTS: OnceLock<Vec<String>> = OnceLock::new();
    POINTS.get_or_init(|| {
        std::env::var(ENV)
            .map(|v| {
                v.split(',')
                    .map(|p| p.trim().to_string())
                    .filter(|p| !p.is_empty())
                    .collect()
            })
            .unwrap_or_default()
    })
}

/// Marks the point `name`. Without `QUARRY_TEST_HOOKS` naming it, this returns at once;
/// with it, it announces the point on stderr and never returns (the test kills the process).
pub fn reached(name: &str) {
    if !enabled().iter().any(|p| p == name) {
        return;
    }
    let mut err = std::io::stderr().lock();
    let _ = writeln!(err, "{PREFIX}{name}");
    let _ = err.flush();
    drop(err);
    loop {
        std::thread::sleep(std::time::Duration::from_secs(3600));
    }
}
