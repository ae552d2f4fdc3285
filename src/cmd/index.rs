//! `quarry index`: incremental indexing with a progress bar on a terminal.

use super::Config;
use crate::cli::IndexArgs;
use crate::index::{update, Phase, UpdateOptions};
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
        max_file_bytes: args.max_file_size.checked_mul(1024 * 1024).ok_or_else(|| {
            anyhow::anyhow!("--max-file-size {} is too large", args.max_file_size)
        })?,
        threads: args.threads,
    };
    let embedder = if args.no_embed {
        None
    } else {
        match crate::embed::load_installed().context("could not load the embedding model")? {
            Some(e) => Some(e),
            None => {
                if !args.quiet {
                    eprintln!(
                        "note: embedding model not installed, so this index is lexical only; run `quarry model install`, then `quarry index` again"
                    );
                }
                None
            }
        }
    };
    let tty = std::io::stderr().is_terminal() && !args.quiet;
    let bar = if tty {
        ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::stderr())
    } else {
        ProgressBar::hidden()
    };
    let warn = |path: &str, reason: &str| {
        bar.suspend(|| eprintln!("warning: {path}: {reason}"));
    };
    let phase = std::sync::Mutex::new(None);
    let progress = |p: Phase, done: usize, total: usize| {
        let mut current = phase.lock().unwrap_or_else(|e| e.into_inner());
        if *current != Some(p) {
            *current = Some(p);
            let (prefix, unit) = match p {
                Phase::Parsing => ("parsing", "notes"),
                Phase::Embedding => ("embedding", "passages"),
            };
            let template = format!(
                "{{prefix:>9}} [{{bar:30}}] {{pos}}/{{len}} {unit} {{per_sec}} eta {{eta}}"
            );
            bar.reset();
            bar.set_length(total as u64);
            bar.set_prefix(prefix);
            bar.set_style(
                ProgressStyle::with_template(&template)
                    .unwrap_or_else(|_| ProgressStyle::default_bar())
                    .progress_chars("=> "),
            );
        }
        bar.set_position(done as u64);
    };
    let summary = update(&opts, embedder.as_deref(), &warn, &progress)
        .with_context(|| format!("could not index into {}", config.index_dir.display()))?;
    bar.finish_and_clear();
    if summary.files == 0 && !args.quiet {
        let roots: Vec<String> = opts.roots.iter().map(|r| r.display().to_string()).collect();
        let place = if roots.is_empty() {
            "the indexed folders".to_string()
        } else {
            roots.join(", ")
        };
        eprintln!("warning: no .md, .markdown or .txt files found under {place}");
    }
    if args.json {
        println!("{}", serde_json::to_string(&summary)?);
    } else if !args.quiet {
        eprintln!(
            "{} notes indexed ({} parsed, {} unchanged, {} removed, {} skipped, {} warnings), {} passages added, {} embedded in {:.2} s → {}",
            summary.notes,
            summary.indexed,
            summary.unchanged,
            summary.removed,
            summary.skipped,
            summary.warnings,
            summary.passages_added,
            summary.embedded,
            summary.seconds,
            config.index_dir.display()
        );
    }
    Ok(0)
}
