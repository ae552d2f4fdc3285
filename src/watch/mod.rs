//! `quarry watch`: keep the index current while notes change.
//!
//! Three parts, as in watchexec (events → filter → action), each small enough to test alone:
//!
//! * [`notify`] delivers file events (inotify on Linux) for the roots, recursively;
//! * [`debounce`] gathers the events that pass the [`filter`] into one batch per quiet
//!   period (a save is several events; a `git checkout` thousands);
//! * the index, not the watcher, decides what a batch means: [`LiveIndex::apply`] looks at
//!   each path on disk now, so creates, edits, atomic saves (temp file renamed over the
//!   note), renames, folder moves and deletes all come down to "this path changed".
//!
//! The watcher holds the writer lock for its whole life (a second writer is told so, by
//! name: [`crate::index::owner`]), starts with a full incremental pass (what changed while
//! nothing watched), and falls back to one whenever events were lost (queue overflow).
//! Each batch is committed lexically at once; the passages it added are then embedded in
//! chunks between batches and committed as they finish, so a new passage is found by its
//! words within a second of the save and by its meaning soon after. A stop request
//! ([`Watch::stop`]; SIGINT/SIGTERM in `quarry watch`) is honoured between steps: the current
//! batch or chunk finishes, the lock is released, and vectors not yet made are made by the
//! next writer (the commits say so).

pub mod debounce;
pub mod filter;

pub use debounce::{Debouncer, Next};
pub use filter::Filter;

use crate::embed::Embedder;
use crate::index::{owner, BatchReport, LiveIndex, UpdateOptions};
use crate::{Error, Result};
use notify::{RecursiveMode, Watcher};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// How a watcher runs.
#[derive(Debug, Clone)]
pub struct WatchOptions {
    /// The index and the roots (empty: the index's own).
    pub update: UpdateOptions,
    /// A batch closes after this long without a new event.
    pub quiet: Duration,
    /// ... or after this long, however busy the folder is.
    pub max_delay: Duration,
    /// Passages embedded per vector commit.
    pub embed_chunk: usize,
    /// The command line the owner file names (`quarry watch`).
    pub command: String,
}

impl WatchOptions {
    /// Defaults: a batch after 150 ms of quiet (an editor's save is a few events within
    /// milliseconds; a `git checkout` of a thousand files well under that apart), at most
    /// 2 s old; vectors committed every 256 passages (about 1.5 s of embedding here), so a
    /// save's vectors land soon and a large batch still makes few commits.
    pub fn new(update: UpdateOptions, command: &str) -> WatchOptions {
        WatchOptions {
            update,
            quiet: Duration::from_millis(150),
            max_delay: Duration::from_secs(2),
            embed_chunk: 256,
            command: command.to_string(),
        }
    }
}

/// What the watcher tells its caller.
#[derive(Debug, Clone)]
pub enum Report {
    /// The start-up pass is done; the watcher is waiting for changes.
    Ready(BatchReport),
    /// A batch was committed.
    Batch(BatchReport),
    /// Events were lost; a full pass was made.
    Rescanned {
        /// Why.
        reason: String,
        /// What the pass did.
        report: BatchReport,
    },
    /// Vectors for this many passages were committed; `pending` still wait.
    Embedded {
        /// Passages embedded.
        done: usize,
        /// Passages still waiting.
        pending: usize,
    },
}

/// A running watcher's stop switch and state, shared with the threads that read it (a
/// signal handler, the MCP server's `status`).
#[derive(Debug, Clone, Default)]
pub struct Watch {
    stop: Arc<AtomicBool>,
    ready: Arc<AtomicBool>,
}

impl Watch {
    /// A watcher that has not started.
    pub fn new() -> Watch {
        Watch::default()
    }

    /// The flag that stops the watcher when set (for `signal_hook::flag::register`).
    pub fn stop_flag(&self) -> Arc<AtomicBool> {
        Arc::clone(&self.stop)
    }

    /// Asks the watcher to stop after its current step.
    pub fn stop(&self) {
        self.stop.store(true, Ordering::Relaxed);
    }

    /// Whether the watcher has done its start-up pass and not stopped.
    pub fn is_active(&self) -> bool {
        self.ready.load(Ordering::Relaxed) && !self.stop.load(Ordering::Relaxed)
    }

    /// Runs the watcher until stopped: takes the writer lock, watches the roots, makes a
    /// full incremental pass, then indexes each batch of changes. `warn` receives file
    /// problems as `(path, reason)`; `report` what each step did.
    pub fn run(
        &self,
        opts: &WatchOptions,
        embedder: Option<&dyn Embedder>,
        warn: &(dyn Fn(&str, &str) + Sync),
        report: &dyn Fn(Report),
    ) -> Result<()> {
        let mut live = LiveIndex::open(&opts.update, embedder)?;
        owner::write(live.dir(), &owner::Owner::this_process(&opts.command))?;
        let result = self.serve(&mut live, opts, warn, report);
        owner::remove(live.dir());
        self.ready.store(false, Ordering::Relaxed);
        let closed = live.close();
        result.and(closed)
    }

    fn serve(
        &self,
        live: &mut LiveIndex<'_>,
        opts: &WatchOptions,
        warn: &(dyn Fn(&str, &str) + Sync),
        report: &dyn Fn(Report),
    ) -> Result<()> {
        let roots = live.roots()?;
        let (tx, rx) = std::sync::mpsc::channel();
        let mut watcher = notify::recommended_watcher(move |event| {
            let _ = tx.send(event);
        })
        .map_err(|e| Error::Index(format!("cannot watch for file changes: {e}")))?;
        for root in &roots {
            // A root that is one file is watched through its folder: an atomic save replaces
            // the file, and a watch on the old file would see nothing after the first save.
            let (target, mode) = if root.is_dir() {
                (root.as_path(), RecursiveMode::Recursive)
            } else {
                (
                    root.parent().unwrap_or(root.as_path()),
                    RecursiveMode::NonRecursive,
                )
            };
            watcher.watch(target, mode).map_err(|e| {
                Error::Index(format!(
                    "cannot watch {} for changes: {e}{}",
                    root.display(),
                    limit_hint(&e)
                ))
            })?;
        }
        let index_dir = live.dir().canonicalize().ok();
        let debouncer = Debouncer {
            quiet: opts.quiet,
            max_delay: opts.max_delay,
            filter: Filter::new(roots, index_dir),
        };
        // Watches first, then the pass: a change in between is seen by one or the other.
        report(Report::Ready(live.scan(warn)?));
        self.ready.store(true, Ordering::Relaxed);
        loop {
            // With vectors to make, only look for events (lexical work comes first), then
            // embed a chunk; otherwise wait for events.
            let wait = if live.pending() > 0 {
                Duration::ZERO
            } else {
                Duration::from_secs(3600)
            };
            match debouncer.next(&rx, wait, &self.stop) {
                Next::Paths(paths) => {
                    let r = live.apply(&paths, warn)?;
                    if !r.is_empty() {
                        report(Report::Batch(r));
                    }
                }
                Next::Rescan { reason } => {
                    let r = live.scan(warn)?;
                    report(Report::Rescanned { reason, report: r });
                }
                Next::Idle if live.pending() > 0 => {
                    let done = live.embed_next(opts.embed_chunk)?;
                    report(Report::Embedded {
                        done,
                        pending: live.pending(),
                    });
                }
                Next::Idle => {}
                Next::Stopped => return Ok(()),
                Next::Closed => {
                    return Err(Error::Index("the file watcher stopped unexpectedly".into()))
                }
            }
        }
    }
}

/// The fix for inotify's per-user limits, when a watch failed on one.
fn limit_hint(e: &notify::Error) -> &'static str {
    match &e.kind {
        notify::ErrorKind::MaxFilesWatch => {
            "; raise the limit: sudo sysctl fs.inotify.max_user_watches=524288"
        }
        notify::ErrorKind::Io(io) if io.raw_os_error() == Some(28) => {
            "; raise the limit: sudo sysctl fs.inotify.max_user_watches=524288"
        }
        _ => "",
    }
}
