//! `quarry watch`: the library's watcher with signals, the model and messages on stderr.

use super::Config;
use crate::cli::{IndexArgs, WatchArgs};
use crate::embed::Embedder;
use crate::index::UpdateOptions;
use crate::watch::{Report, Watch, WatchOptions};
use anyhow::{Context, Result};

/// Runs `quarry watch` until SIGINT or SIGTERM; exits 0 then.
pub fn run(config: &Config, args: &WatchArgs) -> Result<i32> {
    let opts = options(config, &args.paths, "quarry watch")?;
    let embedder = embedder(config, args.no_embed)?;
    let watch = Watch::new();
    on_signals_stop(&watch)?;
    let verbose = args.verbose;
    watch
        .run(
            &opts,
            embedder.as_deref(),
            &|path, reason| eprintln!("quarry: warning: {path}: {reason}"),
            &|r| print_report(&r, verbose),
        )
        .with_context(|| format!("could not watch into {}", config.index_dir.display()))?;
    Ok(0)
}

/// The watcher's options: the index, the roots (as `quarry index` picks them), the limits.
pub(super) fn options(
    config: &Config,
    paths: &[std::path::PathBuf],
    command: &str,
) -> Result<WatchOptions> {
    for p in paths {
        if !p.exists() {
            anyhow::bail!("{}: no such folder or file", p.display());
        }
    }
    let as_index = IndexArgs {
        paths: paths.to_vec(),
        rebuild: false,
        no_embed: false,
        max_file_size: None,
        threads: 1,
        quiet: false,
        json: false,
        precision: None,
    };
    let update = UpdateOptions {
        index_dir: config.index_dir.clone(),
        roots: super::index::roots(config, &as_index),
        remove_roots: Vec::new(),
        rebuild: false,
        max_file_bytes: config.max_file_size.saturating_mul(1024 * 1024),
        // One writer and one parser thread: a watcher's batches are small, and it leaves
        // the other core to the editor and the searches it serves.
        threads: 1,
    };
    Ok(WatchOptions::new(update, command))
}

/// The installed model, unless embeddings are off or it is not installed (then say so).
pub(super) fn embedder(config: &Config, no_embed: bool) -> Result<Option<Box<dyn Embedder>>> {
    if no_embed {
        return Ok(None);
    }
    let loaded = crate::embed::load_installed_with(&config.model_dir, config.precision)
        .context("could not load the embedding model")?;
    if loaded.is_none() {
        eprintln!(
            "quarry: note: embedding model not installed, so new passages are indexed lexically only; run `quarry model install`"
        );
    }
    Ok(loaded)
}

/// SIGINT and SIGTERM ask the watcher to stop after its current step; a second one ends
/// the process at once with status 1, for a watcher stuck in a long step.
pub(super) fn on_signals_stop(watch: &Watch) -> Result<()> {
    use signal_hook::consts::{SIGINT, SIGTERM};
    let flag = watch.stop_flag();
    for sig in [SIGINT, SIGTERM] {
        signal_hook::flag::register_conditional_shutdown(sig, 1, flag.clone())
            .context("could not install a signal handler")?;
        signal_hook::flag::register(sig, flag.clone())
            .context("could not install a signal handler")?;
    }
    Ok(())
}

/// With -v, one line per step on stderr.
pub(super) fn print_report(r: &Report, verbose: bool) {
    if !verbose {
        return;
    }
    match r {
        Report::Ready(b) => eprintln!("quarry: up to date ({b}); watching for changes"),
        Report::Batch(b) => eprintln!("quarry: {b}"),
        Report::Rescanned { reason, report } => {
            eprintln!("quarry: {reason}; compared every note: {report}")
        }
        Report::Embedded { done, pending } => {
            eprintln!("quarry: embedded {done} passages, {pending} waiting")
        }
    }
}
