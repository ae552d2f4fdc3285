//! `quarry roots`: the folders an index holds, and `quarry roots remove` to drop one.

use super::Config;
use crate::cli::{RootsArgs, RootsCommand, RootsRemoveArgs};
use crate::index::{manifest::split_key, update, Store, UpdateOptions};
use anyhow::{Context, Result};

/// Runs `quarry roots`.
pub fn run(config: &Config, args: &RootsArgs) -> Result<i32> {
    match &args.action {
        None => list(config, args.json),
        Some(RootsCommand::Remove(remove)) => drop_root(config, remove),
    }
}

/// One line per root: the folder and its number of notes (and whether it is missing).
fn list(config: &Config, json: bool) -> Result<i32> {
    let store = Store::open(&config.index_dir)?;
    let manifest = store.manifest()?;
    let mut counts = vec![0usize; manifest.roots.len()];
    for key in manifest.notes.keys() {
        if let Some(n) = counts.get_mut(split_key(key).0) {
            *n += 1;
        }
    }
    for (root, notes) in manifest.roots.iter().zip(counts) {
        let missing = !std::path::Path::new(root).exists();
        if json {
            let line = serde_json::json!({ "root": root, "notes": notes, "missing": missing });
            println!("{line}");
        } else {
            let mark = if missing { "  (missing)" } else { "" };
            println!(
                "{root}\t{notes} note{}{mark}",
                if notes == 1 { "" } else { "s" }
            );
        }
    }
    Ok(if manifest.roots.is_empty() { 1 } else { 0 })
}

/// Drops a root and its notes: an index run whose roots lack it.
fn drop_root(config: &Config, args: &RootsRemoveArgs) -> Result<i32> {
    // An index with embeddings needs the model for any run (notes of later roots are read
    // again under their new position; their vectors are reused, nothing is embedded).
    let store = Store::open(&config.index_dir)?;
    let embedder = match store.payload.model {
        Some(_) => crate::embed::load_installed(&config.model_dir)
            .context("could not load the embedding model")?,
        None => None,
    };
    drop(store);
    let opts = UpdateOptions {
        index_dir: config.index_dir.clone(),
        roots: Vec::new(),
        remove_roots: vec![args.folder.clone()],
        rebuild: false,
        max_file_bytes: config.max_file_size.saturating_mul(1024 * 1024),
        threads: 0,
    };
    let quiet = args.quiet;
    let warn = |path: &str, reason: &str| {
        if !quiet {
            eprintln!("quarry: warning: {path}: {reason}");
        }
    };
    let summary = update(&opts, embedder.as_deref(), &warn, &|_, _, _| {})
        .with_context(|| format!("could not update {}", config.index_dir.display()))?;
    if !quiet {
        eprintln!(
            "quarry: removed root {} ({} note{}); roots now: {}",
            summary.removed_roots.join(", "),
            summary.removed,
            if summary.removed == 1 { "" } else { "s" },
            summary.roots.join(", ")
        );
    }
    Ok(0)
}
