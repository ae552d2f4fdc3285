//! `quarry index`: incremental indexing with a progress bar on a terminal.

use super::progress::Bar;
use super::Config;
use crate::cli::IndexArgs;
use crate::index::{update, Phase, Summary, UpdateOptions};
use anyhow::{Context, Result};
use std::io::IsTerminal;

/// Runs `quarry index`.
pub fn run(config: &Config, args: &IndexArgs) -> Result<i32> {
    for p in &args.paths {
        if !p.exists() {
            anyhow::bail!("{}: no such folder or file", p.display());
        }
    }
    let roots = roots(config, args);
    if roots.is_empty() && !config.index_dir.join("meta.json").is_file() {
        // Checked before the index folder is created, so a mistake leaves nothing behind.
        anyhow::bail!(
            "no notes folder given and {} holds no index yet; run `quarry index <notes folder>`",
            config.index_dir.display()
        );
    }
    let opts = UpdateOptions {
        index_dir: config.index_dir.clone(),
        roots,
        remove_roots: Vec::new(),
        rebuild: args.rebuild,
        // Config checked the product fits (at least 1 MB, no overflow).
        max_file_bytes: config.max_file_size.saturating_mul(1024 * 1024),
        threads: args.threads,
    };
    let embedder = if args.no_embed {
        None
    } else {
        match crate::embed::load_installed_with(&config.model_dir, config.precision)
            .context("could not load the embedding model")?
        {
            Some(e) => Some(e),
            None => {
                if !args.quiet {
                    eprintln!(
                        "quarry: note: embedding model not installed, so this index is lexical only; run `quarry model install`, then `quarry index` again"
                    );
                }
                None
            }
        }
    };
    let bar = Bar::new(std::io::stderr().is_terminal() && !args.quiet);
    let quiet = args.quiet;
    let warn = |path: &str, reason: &str| {
        if !quiet {
            bar.suspend(|| eprintln!("quarry: warning: {path}: {reason}"));
        }
    };
    let progress = |p: Phase, done: usize, total: usize| {
        let (stage, unit) = super::progress::phase_label(p);
        bar.set(stage, unit, done, total)
    };
    let summary = update(&opts, embedder.as_deref(), &warn, &progress)
        .with_context(|| format!("could not index into {}", config.index_dir.display()))?;
    bar.finish();
    if summary.files == 0 && !args.quiet {
        let roots: Vec<String> = opts.roots.iter().map(|r| r.display().to_string()).collect();
        let place = if roots.is_empty() {
            "the indexed folders".to_string()
        } else {
            roots.join(", ")
        };
        eprintln!("quarry: warning: no .md, .markdown or .txt files found under {place}");
    }
    if args.json {
        println!("{}", serde_json::to_string(&summary)?);
    } else if !args.quiet {
        if let Some(line) = roots_line(&summary) {
            eprintln!("quarry: {line}");
        }
        eprintln!("{}", summary_line(&summary, &config.index_dir));
    }
    Ok(0)
}

/// `added root B; 1 root already indexed: A` when a run adds roots to an index that had some.
pub(super) fn roots_line(s: &crate::index::Summary) -> Option<String> {
    if s.added_roots.is_empty() {
        return None;
    }
    let before: Vec<&String> = s
        .roots
        .iter()
        .filter(|r| !s.added_roots.contains(r))
        .collect();
    let added = format!(
        "added root{} {}",
        if s.added_roots.len() == 1 { "" } else { "s" },
        s.added_roots.join(", ")
    );
    if before.is_empty() {
        return None;
    }
    Some(format!(
        "{added}; {} root{} already indexed: {}",
        before.len(),
        if before.len() == 1 { "" } else { "s" },
        before
            .iter()
            .map(|r| r.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    ))
}

/// The one-line summary of a run, on stderr (skips are counted, and still exit 0).
fn summary_line(s: &Summary, index_dir: &std::path::Path) -> String {
    format!(
        "{} notes indexed ({} parsed, {} unchanged, {} removed, {} skipped, {} warnings), {} passages added, {} embedded in {:.2} s → {}",
        s.notes,
        s.indexed,
        s.unchanged,
        s.removed,
        s.skipped,
        s.warnings,
        s.passages_added,
        s.embedded,
        s.seconds,
        index_dir.display()
    )
}

/// The folders to index: the PATH arguments; else the index's own roots from its last run
/// (empty here, so `update` reads them from the manifest); else, for an index that has none,
/// the config file's `roots`. An index remembers its vault, so the config's roots never
/// silently replace what another `--index` was built from; when they differ, say so.
pub(super) fn roots(config: &Config, args: &IndexArgs) -> Vec<std::path::PathBuf> {
    if !args.paths.is_empty() || config.roots.is_empty() {
        return args.paths.clone();
    }
    let last: Vec<String> = crate::index::Store::open(&config.index_dir)
        .and_then(|s| s.manifest())
        .map(|m| m.roots)
        .unwrap_or_default();
    if last.is_empty() {
        return config.roots.clone();
    }
    let wanted: Vec<String> = config
        .roots
        .iter()
        .map(|r| {
            r.canonicalize()
                .unwrap_or_else(|_| r.clone())
                .display()
                .to_string()
        })
        .collect();
    if wanted != last && !args.quiet {
        eprintln!(
            "quarry: warning: {} was built from {}, so those are indexed, not the config's roots ({}); pass a folder to `quarry index` to add it, `quarry roots remove` drops one",
            config.index_dir.display(),
            last.join(", "),
            wanted.join(", ")
        );
    }
    Vec::new()
}
