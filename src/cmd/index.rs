//! `quarry index`: incremental indexing with a progress bar on a terminal.

use super::Config;
use crate::cli::IndexArgs;
use crate::index::{update, UpdateOptions};
use anyhow::{Context, Result};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;

/// Runs `quarry index`.
pub fn run(config: &Config, args: &IndexArgs) -> Result<i32> {
    for p in &args.paths {
        if !p.exists() {
            anyhow::bail!("{}: no such folder or file", p.display());
        }
    }
    if args.max_file_size == 0 {
        anyhow::bail!("--max-file-size must be at least 1 (MB)");
    }
    let opts = UpdateOptions {
        index_dir: config.index_dir.clone(),
        roots: args.paths.clone(),
        rebuild: args.rebuild,
        max_file_bytes: args.max_file_size * 1024 * 1024,
        threads: args.threads,
    };
    let tty = std::io::stderr().is_terminal() && !args.quiet;
    let bar = if tty {
        ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::stderr())
    } else {
        ProgressBar::hidden()
    };
    bar.set_style(
        ProgressStyle::with_template(
            "{prefix:>9} [{bar:30}] {pos}/{len} notes {per_sec} eta {eta}",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> "),
    );
    bar.set_prefix("parsing");
    let warn = |path: &str, reason: &str| {
        bar.suspend(|| eprintln!("warning: {path}: {reason}"));
    };
    let progress = |done: usize, total: usize| {
        if done == 1 {
            bar.set_length(total as u64);
        }
        bar.set_position(done as u64);
    };
    let summary = update(&opts, &warn, &progress)
        .with_context(|| format!("could not index into {}", config.index_dir.display()))?;
    bar.finish_and_clear();
    if args.json {
        println!("{}", serde_json::to_string(&summary)?);
    } else if !args.quiet {
        eprintln!(
            "{} notes indexed ({} parsed, {} unchanged, {} removed, {} skipped, {} warnings), {} passages added in {:.2} s → {}",
            summary.notes,
            summary.indexed,
            summary.unchanged,
            summary.removed,
            summary.skipped,
            summary.warnings,
            summary.passages_added,
            summary.seconds,
            config.index_dir.display()
        );
    }
    Ok(0)
}
