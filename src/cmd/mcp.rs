//! `quarry mcp`: the MCP server on stdin/stdout, and with `--watch` the watcher beside it in
//! the same process (one writer, one model load per use).

use super::Config;
use crate::cli::McpArgs;
use crate::mcp::{self, Defaults, Server, ServerOptions};
use crate::watch::Watch;
use anyhow::Result;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

/// Runs `quarry mcp` until end of input (exit 0).
pub fn run(config: &Config, args: &McpArgs) -> Result<i32> {
    let opts = ServerOptions {
        index_dir: config.index_dir.clone(),
        model_dir: config.model_dir.clone(),
        defaults: Defaults {
            mode: config.mode,
            limit: config.limit,
            floor: config.min_similarity,
            hyperlink: config.hyperlink.clone(),
        },
        max_file_bytes: config.max_file_size.saturating_mul(1024 * 1024),
    };
    let watch = args.watch.then(Watch::new);
    let input_ended = Arc::new(AtomicBool::new(false));
    let watcher = match &watch {
        Some(w) => Some(start_watcher(config, args, w, Arc::clone(&input_ended))?),
        None => None,
    };
    let server = Server::new(opts, watch.clone());
    let stdin = tokio::io::BufReader::new(tokio::io::stdin());
    mcp::serve(server, stdin, tokio::io::stdout())?;
    // End of input: let the watcher finish its batch and release the lock.
    if let (Some(w), Some(handle)) = (watch, watcher) {
        input_ended.store(true, Ordering::SeqCst);
        w.stop();
        let _ = handle.join();
    }
    Ok(0)
}

/// Starts the watcher on its own thread. A watcher that cannot run (another writer holds
/// the lock) is reported and the server goes on without it: the assistant can still
/// search, and `status` says the index is not being kept current by this server.
fn start_watcher(
    config: &Config,
    args: &McpArgs,
    watch: &Watch,
    input_ended: Arc<AtomicBool>,
) -> Result<std::thread::JoinHandle<()>> {
    let opts = super::watch::options(config, &args.paths, "quarry mcp --watch")?;
    let embedder = super::watch::embedder(config, false)?;
    super::watch::on_signals_stop(watch)?;
    let watch = watch.clone();
    let verbose = args.verbose;
    let handle = std::thread::Builder::new()
        .name("quarry-watch".into())
        .spawn(move || {
            let outcome = watch.run(
                &opts,
                embedder.as_deref(),
                &|path, reason| eprintln!("quarry: warning: {path}: {reason}"),
                &|r| super::watch::print_report(&r, verbose),
            );
            match outcome {
                Err(e) => eprintln!("quarry: error: {e}; serving the index without watching it"),
                // Stopped by SIGINT/SIGTERM (end of input stops it from `run`, after the
                // server returned): the lock is released; end the process as `quarry
                // watch` would.
                Ok(()) => {
                    if !input_ended.load(Ordering::SeqCst) {
                        std::process::exit(0);
                    }
                }
            }
        })?;
    Ok(handle)
}
