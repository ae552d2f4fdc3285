//! A writer that stays open: what `quarry watch` (and `quarry mcp --watch`) index through.
//!
//! [`LiveIndex`] holds one [`Run`] for the watcher's whole life, so the writer lock, the
//! note manifest and the vector store are loaded once. Each batch of changed paths is
//! planned from those paths alone ([`LiveIndex::apply`]: a stat per path, a walk only of a
//! folder that appeared) instead of a walk of the vault, parsed, and committed **without
//! waiting for embeddings**, so a save is searchable lexically at once. The passages that
//! need a vector wait in a queue; [`LiveIndex::embed_next`] embeds a chunk of them and
//! commits the vectors behind the text. Until the queue is empty the commits say
//! `vectors_pending`, and a writer that opens such an index embeds whatever live passage
//! still has no vector (see [`Run::open`]), so a watcher killed between the two commits
//! loses nothing.

use super::{Phase, Plan, Run, UpdateOptions};
use crate::embed::Embedder;
use crate::index::manifest::{note_key, split_key};
use crate::note::{self, Found, WalkOptions};
use crate::Result;
use std::collections::{BTreeSet, VecDeque};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use tantivy::Term;

/// What one batch did, for `quarry watch -v`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BatchReport {
    /// Notes indexed for the first time.
    pub added: usize,
    /// Notes whose content changed.
    pub changed: usize,
    /// Notes removed (deleted, moved away, or now unreadable).
    pub removed: usize,
    /// Passages added to the index.
    pub passages: usize,
    /// Passages queued for embedding.
    pub queued: usize,
    /// Whether a commit was made.
    pub committed: bool,
    /// Time taken.
    pub elapsed: Duration,
}

impl BatchReport {
    /// Whether the batch changed the index.
    pub fn is_empty(&self) -> bool {
        self.added == 0 && self.changed == 0 && self.removed == 0 && !self.committed
    }
}

impl std::fmt::Display for BatchReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "+{} ~{} -{} notes, {} passages, {} ms",
            self.added,
            self.changed,
            self.removed,
            self.passages,
            self.elapsed.as_millis()
        )
    }
}

/// The index open for writing for as long as it lives (it holds the writer lock).
pub struct LiveIndex<'a> {
    run: Run<'a>,
    /// Passages committed without a vector yet, oldest first.
    queue: VecDeque<(u64, String)>,
}

impl<'a> LiveIndex<'a> {
    /// Opens (or creates) the index and takes the writer lock until this value is dropped.
    /// `opts.roots` must name the folders to watch (or be empty for the index's own).
    pub fn open(opts: &'a UpdateOptions, embedder: Option<&'a dyn Embedder>) -> Result<Self> {
        Ok(LiveIndex {
            run: Run::open(opts, embedder)?,
            queue: VecDeque::new(),
        })
    }

    /// The folders this index reads (canonical), for the watcher to watch.
    pub fn roots(&self) -> Result<Vec<PathBuf>> {
        Ok(self.run.root_plan()?.roots)
    }

    /// The index folder.
    pub fn dir(&self) -> &Path {
        self.run.dir()
    }

    /// Passages waiting for a vector.
    pub fn pending(&self) -> usize {
        self.queue.len()
    }

    /// A full incremental pass over the roots, as `quarry index` does (at start-up, and after
    /// the event queue overflowed), committed lexically; new passages join the queue.
    pub fn scan(&mut self, warn: &(dyn Fn(&str, &str) + Sync)) -> Result<BatchReport> {
        let started = Instant::now();
        self.run.summary = Default::default();
        let plan = self.run.plan(warn)?;
        self.finish_batch(plan, warn, started)
    }

    /// Brings the notes at `paths` (files or folders, created, changed, moved or deleted;
    /// absolute, inside the roots) up to date, committed lexically; new passages join the
    /// queue. Paths outside the roots, hidden ones and the index folder are ignored.
    pub fn apply(
        &mut self,
        paths: &BTreeSet<PathBuf>,
        warn: &(dyn Fn(&str, &str) + Sync),
    ) -> Result<BatchReport> {
        let started = Instant::now();
        self.run.summary = Default::default();
        let plan = self.plan_paths(paths, warn)?;
        self.finish_batch(plan, warn, started)
    }

    fn finish_batch(
        &mut self,
        plan: Plan,
        warn: &(dyn Fn(&str, &str) + Sync),
        started: Instant,
    ) -> Result<BatchReport> {
        // The content hash of each planned note that was indexed before: a note whose hash
        // differs after parsing changed; one indexed now and absent here was added.
        let before: Vec<(String, u64)> = plan
            .todo
            .iter()
            .filter_map(|&i| {
                let key = note_key(plan.found[i].root, &plan.found[i].rel);
                let hash = self.run.manifest.notes.get(&key)?.hash;
                Some((key, hash))
            })
            .collect();
        let wanted = self.run.parse(&plan, warn, &|_: Phase, _, _| {})?;
        let changed = before
            .iter()
            .filter(|(k, h)| self.run.manifest.notes.get(k).is_some_and(|e| e.hash != *h))
            .count();
        let queued = wanted.len();
        self.queue.extend(wanted);
        // Notes whose passages lacked a vector were parsed again: theirs are queued now.
        self.run.unembedded.clear();
        self.run.vectors_pending = self.run.embedder.is_some() && !self.queue.is_empty();
        self.run.commit()?;
        if self.run.vectors_pending && self.run.summary.committed {
            crate::testpoint::reached("watch-after-lexical-commit");
        }
        let s = &self.run.summary;
        Ok(BatchReport {
            added: s.indexed.saturating_sub(changed),
            changed,
            removed: s.removed,
            passages: s.passages_added,
            queued,
            committed: s.committed,
            elapsed: started.elapsed(),
        })
    }

    /// Embeds up to `max` queued passages (those still live: a passage edited away since
    /// is skipped) and commits their vectors. Returns how many were embedded.
    pub fn embed_next(&mut self, max: usize) -> Result<usize> {
        if self.run.embedder.is_none() {
            self.queue.clear();
            return Ok(0);
        }
        let mut chunk = Vec::new();
        while chunk.len() < max {
            let Some((pid, text)) = self.queue.pop_front() else {
                break;
            };
            if !self.run.vectors.contains(pid) {
                chunk.push((pid, text));
            }
        }
        chunk.sort_by_key(|(pid, _)| *pid);
        chunk.dedup_by_key(|(pid, _)| *pid);
        let n = chunk.len();
        if n > 0 {
            self.run.embed(chunk, &|_: Phase, _, _| {})?;
        }
        let pending = !self.queue.is_empty();
        let was_pending = self
            .run
            .previous
            .as_ref()
            .is_some_and(|p| p.vectors_pending);
        self.run.vectors_pending = pending;
        self.run.changed |= pending != was_pending;
        self.run.summary.committed = false;
        self.run.commit_as(false)?;
        Ok(n)
    }

    /// Waits for tantivy's background merges (before the process exits, so none is cut off).
    pub fn close(self) -> Result<()> {
        self.run.writer.wait_merging_threads()?;
        Ok(())
    }

    /// The plan for a batch of changed paths: deletes the notes that are gone, lists the
    /// note files at or below each path that are new or changed.
    fn plan_paths(
        &mut self,
        paths: &BTreeSet<PathBuf>,
        warn: &(dyn Fn(&str, &str) + Sync),
    ) -> Result<Plan> {
        let roots = self.run.root_plan()?.roots;
        let index_dir = self.run.dir().canonicalize().ok();
        let opts = WalkOptions {
            roots: roots.clone(),
            skip: Some(self.run.dir().to_path_buf()),
        };
        let mut found: Vec<Found> = Vec::new();
        for path in paths {
            if index_dir.as_deref().is_some_and(|d| path.starts_with(d)) {
                continue;
            }
            let Some((root, rel)) = locate(&roots, path) else {
                continue;
            };
            if rel.split('/').any(|c| c.starts_with('.')) {
                continue;
            }
            // What was at this path before (a note, or a folder of notes) goes unless it is
            // found there again below.
            self.forget_missing(root, &roots[root], &rel);
            if path.exists() {
                found.extend(note::walk_under(&opts, root, path, &mut |p, r| {
                    warn(&p, &r)
                }));
            }
        }
        found.sort_by(|a, b| (a.root, &a.rel).cmp(&(b.root, &b.rel)));
        found.dedup_by(|a, b| a.root == b.root && a.rel == b.rel);
        let todo: Vec<usize> = (0..found.len())
            .filter(|&i| {
                let f = &found[i];
                match self.run.manifest.notes.get(&note_key(f.root, &f.rel)) {
                    Some(e) => e.size != f.size || e.mtime_ns != f.mtime_ns,
                    None => true,
                }
            })
            .collect();
        self.run.summary.files = found.len();
        self.run.summary.unchanged = found.len() - todo.len();
        self.run.changed |= self.run.summary.removed > 0;
        Ok(Plan { found, todo })
    }

    /// Deletes the notes at `rel` (a file) or below it (a folder) of root `root` (at
    /// `root_abs`) that are no longer on disk, and forgets skipped files there that are gone.
    fn forget_missing(&mut self, root: usize, root_abs: &Path, rel: &str) {
        let exact = note_key(root, rel);
        let prefix = if rel.is_empty() {
            exact.clone()
        } else {
            format!("{exact}/")
        };
        let under = |key: &&String| **key == exact || key.starts_with(&prefix);
        let gone = |key: &&String| {
            let r = split_key(key).1;
            // A root that is a single file has its name as the relative path.
            let abs = if root_abs.is_dir() || !root_abs.exists() {
                root_abs.join(r)
            } else {
                root_abs.to_path_buf()
            };
            !abs.is_file()
        };
        // Keys sort by path, so the notes at or below `rel` are one range of the manifest.
        let notes: Vec<String> = self
            .run
            .manifest
            .notes
            .range(exact.clone()..)
            .map(|(k, _)| k)
            .take_while(|k| k.starts_with(&exact))
            .filter(under)
            .filter(gone)
            .cloned()
            .collect();
        for key in notes {
            self.run
                .writer
                .delete_term(Term::from_field_text(self.run.fields.key, &key));
            self.run.manifest.notes.remove(&key);
            self.run.summary.removed += 1;
        }
        let skipped: Vec<String> = self
            .run
            .manifest
            .skipped
            .range(exact.clone()..)
            .map(|(k, _)| k)
            .take_while(|k| k.starts_with(&exact))
            .filter(under)
            .filter(gone)
            .cloned()
            .collect();
        for key in skipped {
            self.run.manifest.skipped.remove(&key);
            self.run.changed = true;
        }
    }
}

/// The root a path lies in and its path relative to that root (`""` for the root itself).
fn locate(roots: &[PathBuf], path: &Path) -> Option<(usize, String)> {
    roots.iter().enumerate().find_map(|(i, root)| {
        let rel = path.strip_prefix(root).ok()?;
        let rel = rel
            .components()
            .map(|c| c.as_os_str().to_string_lossy())
            .collect::<Vec<_>>()
            .join("/");
        Some((i, rel))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_located_in_their_root() {
        let roots = vec![PathBuf::from("/v/a"), PathBuf::from("/v/b")];
        assert_eq!(
            locate(&roots, Path::new("/v/b/x/y.md")),
            Some((1, "x/y.md".to_string()))
        );
        assert_eq!(locate(&roots, Path::new("/v/a")), Some((0, String::new())));
        assert_eq!(locate(&roots, Path::new("/v/ab/y.md")), None);
        assert_eq!(locate(&roots, Path::new("/elsewhere/y.md")), None);
    }

    #[test]
    fn reports_print_as_the_watch_line() {
        let r = BatchReport {
            added: 3,
            changed: 1,
            removed: 0,
            passages: 41,
            queued: 41,
            committed: true,
            elapsed: Duration::from_millis(120),
        };
        assert_eq!(r.to_string(), "+3 ~1 -0 notes, 41 passages, 120 ms");
    }
}
