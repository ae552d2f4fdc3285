//! `quarry stats`.

use super::Config;
use crate::cli::StatsArgs;
use crate::index::{stats, Store};
use crate::render::stats::write_stats;
use anyhow::Result;
use std::io::Write;

/// Runs `quarry stats`.
pub fn run(config: &Config, args: &StatsArgs) -> Result<i32> {
    let store = Store::open(&config.index_dir)?;
    let stats = stats::collect(&store)?;
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    if args.json {
        writeln!(out, "{}", serde_json::to_string(&stats)?)?;
    } else {
        let hint = crate::embed::enable_semantic_hint(&config.model_dir);
        write_stats(&mut out, &stats, hint)?;
    }
    out.flush()?;
    Ok(0)
}
