//! Incremental (re)indexing: walk, diff against the manifest, parse changed files in
//! parallel, one writer, one commit. [`live`] keeps a [`Run`] open for `quarry watch`:
//! batches of changed paths, each committed lexically first, vectors behind.

use super::files::{
    commit, live_pids, new_vector_file_name, orphan_vector_files, remove_old_files,
    remove_temp_files,
};
use super::ingest::{Outcome, Parser};
use super::manifest::{
    note_key, split_key, write_atomic, NoteManifest, Payload, SkipEntry, FORMAT,
};
use super::schema::{self, Fields};
use super::vectors::{self, VectorStore};
use crate::embed::Embedder;
use crate::embed::ModelInfo;
use crate::note::{self, Found, WalkOptions};
use crate::{Error, Result};
use rayon::prelude::*;
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::Instant;
use tantivy::{IndexWriter, TantivyDocument, Term};

pub mod live;

/// Default largest note file read; bigger files are reported and skipped.
pub const DEFAULT_MAX_FILE_BYTES: u64 = 20 * 1024 * 1024;

/// What to index and how.
#[derive(Debug, Clone)]
pub struct UpdateOptions {
    /// Index folder.
    pub index_dir: PathBuf,
    /// Folders (or files) to add to the index's roots; empty: the index's roots as they are
    /// (see [`super::roots`]). Every root is walked.
    pub roots: Vec<PathBuf>,
    /// Roots to drop, with their notes (`quarry roots remove`).
    pub remove_roots: Vec<PathBuf>,
    /// Start over.
    pub rebuild: bool,
    /// Largest file to read.
    pub max_file_bytes: u64,
    /// Indexing threads (tantivy) and parser threads (rayon) to use; 0 = all cores.
    pub threads: usize,
}

/// What a run did.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct Summary {
    /// Note files seen.
    pub files: usize,
    /// Notes parsed and (re)indexed.
    pub indexed: usize,
    /// Notes unchanged since the last run.
    pub unchanged: usize,
    /// Notes removed (deleted files or dropped roots).
    pub removed: usize,
    /// Files skipped (binary, too large, unreadable).
    pub skipped: usize,
    /// Warnings printed (including skips).
    pub warnings: usize,
    /// Passages added.
    pub passages_added: usize,
    /// Passages embedded in this run.
    pub embedded: usize,
    /// Vectors in the index after the run (0 for a lexical-only index).
    pub vectors: usize,
    /// Notes in the index after the run.
    pub notes: usize,
    /// Whether a commit was made.
    pub committed: bool,
    /// Seconds taken.
    pub seconds: f64,
    /// The index's roots after the run.
    pub roots: Vec<String>,
    /// Roots this run added.
    pub added_roots: Vec<String>,
    /// Roots this run dropped.
    pub removed_roots: Vec<String>,
}

/// Which stage a progress report is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// Reading and parsing changed notes.
    Parsing,
    /// Embedding new passages.
    Embedding,
}

/// Vectors are written in segments of this many, so an interrupted embedding run keeps
/// most of its work: the next run finds the orphaned segments and reuses their vectors.
const EMBED_CHUNK: usize = 2048;

/// tantivy indexing memory per writer thread. Larger buffers mean fewer segments to merge:
/// 10k synthetic notes index in 3.5 s with 48 MB and 3.1 s with 128 MB (peak RSS ~180 MB
/// either way, since the buffers fill only as far as the notes need).
const WRITER_HEAP_PER_THREAD: usize = 128_000_000;

/// Compact the vector segments into one when a commit would name more than this many.
const MAX_VECTOR_SEGMENTS: usize = 8;

/// Brings the index in line with the notes on disk. `warn` receives `(path, reason)` for every
/// file problem; `progress` receives `(phase, done, total)`. With an embedder, new passages
/// are embedded and the index records the model.
///
/// The steps: open the index for writing and check its model ([`Run::open`]), decide which
/// roots and files need work ([`Run::plan`]), parse them in parallel into the writer
/// ([`Run::parse`]), embed what no stored vector covers ([`Run::embed`]), then commit
/// ([`Run::commit`]). Nothing is visible to readers before that one commit.
pub fn update(
    opts: &UpdateOptions,
    embedder: Option<&dyn Embedder>,
    warn: &(dyn Fn(&str, &str) + Sync),
    progress: &(dyn Fn(Phase, usize, usize) + Sync),
) -> Result<Summary> {
    let started = Instant::now();
    let mut run = Run::open(opts, embedder)?;
    let warnings = AtomicUsize::new(0);
    let warn_count = |path: &str, reason: &str| {
        warnings.fetch_add(1, Ordering::Relaxed);
        warn(path, reason);
    };
    let plan = run.plan(&warn_count)?;
    let wanted = run.parse(&plan, &warn_count, progress)?;
    run.embed(wanted, progress)?;
    run.summary.warnings = warnings.load(Ordering::Relaxed);
    run.commit()?;
    run.finish(started)
}

/// One indexing run: the index open for writing, what its last commit held, and what this
/// run has done so far.
struct Run<'a> {
    opts: &'a UpdateOptions,
    embedder: Option<&'a dyn Embedder>,
    index: tantivy::Index,
    fields: Fields,
    writer: IndexWriter<TantivyDocument>,
    threads: usize,
    previous: Option<Payload>,
    /// The model of the last commit's vectors (none after a rebuild).
    prev_model: Option<ModelInfo>,
    manifest: NoteManifest,
    /// Every note is parsed again (embeddings are being added to a lexical-only index).
    force_reparse: bool,
    /// The model tag of new vector segments, when embedding.
    tag: Option<u64>,
    vector_files: Vec<String>,
    vectors: VectorStore,
    summary: Summary,
    /// Whether there is anything to commit.
    changed: bool,
    /// Keys of notes with live passages but no vector (a watcher was stopped between its
    /// lexical commit and its vectors): they are parsed again, so their passages are embedded.
    unembedded: HashSet<String>,
    /// The next commit holds passages whose vectors are not written yet (`quarry watch`).
    vectors_pending: bool,
}

/// What [`Run::plan`] found to do.
struct Plan {
    found: Vec<Found>,
    /// Indices into `found` of the files to read.
    todo: Vec<usize>,
}

impl<'a> Run<'a> {
    /// Opens (or creates) the index, takes the writer lock, and loads the last commit's
    /// payload, note manifest and vectors, refusing vectors of another model.
    fn open(opts: &'a UpdateOptions, embedder: Option<&'a dyn Embedder>) -> Result<Run<'a>> {
        let dir = &opts.index_dir;
        let index = super::open_or_create(dir, opts.rebuild)?;
        let fields = schema::fields_of(&index.schema()).expect("checked by open_or_create");
        let threads = if opts.threads == 0 {
            std::thread::available_parallelism()
                .map_or(2, |n| n.get())
                .min(8)
        } else {
            opts.threads
        };
        let writer: IndexWriter<TantivyDocument> = index
            .writer_with_num_threads(threads, WRITER_HEAP_PER_THREAD * threads)
            .map_err(|e| match e {
                tantivy::TantivyError::LockFailure(..) => super::locked(dir),
                other => other.into(),
            })?;
        // With the lock held and nothing written yet, no temp file in the folder is in use:
        // any there were left by a killed run.
        remove_temp_files(dir);
        let previous = match index.load_metas()?.payload {
            // A rebuild starts over, so it also mends an index of another format version.
            Some(p) if opts.rebuild => Payload::parse(&p, dir).ok(),
            Some(p) => Some(Payload::parse(&p, dir)?),
            None => None,
        };
        let manifest = match &previous {
            // A rebuild keeps only the roots (so `--rebuild` alone re-reads the same folders);
            // an unreadable manifest is no obstacle to starting over.
            Some(p) if opts.rebuild => NoteManifest {
                roots: NoteManifest::load(dir, &p.notes_file)
                    .map(|m| m.roots)
                    .unwrap_or_default(),
                ..NoteManifest::default()
            },
            Some(p) => NoteManifest::load(dir, &p.notes_file)?,
            None => NoteManifest::default(),
        };
        if opts.rebuild {
            writer.delete_all_documents()?;
        }
        let prev_model = previous
            .as_ref()
            .and_then(|p| p.model.clone())
            .filter(|_| !opts.rebuild);
        let mut run = Run {
            opts,
            embedder,
            index,
            fields,
            writer,
            threads,
            previous,
            prev_model,
            manifest,
            force_reparse: false,
            tag: embedder.map(|e| vectors::model_tag(&e.info().weights_hash)),
            vector_files: Vec::new(),
            vectors: VectorStore::default(),
            summary: Summary::default(),
            changed: false,
            unembedded: HashSet::new(),
            vectors_pending: false,
        };
        run.check_model()?;
        run.load_vectors()?;
        run.find_unembedded()?;
        Ok(run)
    }

    fn dir(&self) -> &'a Path {
        &self.opts.index_dir
    }

    /// The index keeps one model's vectors or none.
    fn check_model(&mut self) -> Result<()> {
        match (self.embedder, &self.prev_model) {
            (Some(e), Some(m)) if e.info() != m => {
                Err(super::model_mismatch(self.dir(), m, e.info()))
            }
            (None, Some(m)) => Err(Error::NeedsModel {
                dir: self.dir().to_path_buf(),
                model: m.name.clone(),
            }),
            (Some(_), None) if !self.manifest.notes.is_empty() => {
                self.force_reparse = true;
                Ok(())
            }
            _ => Ok(()),
        }
    }

    /// The vector segments to build on: the last commit's, plus segments an interrupted run
    /// left behind (they hold good vectors for this model).
    fn load_vectors(&mut self) -> Result<()> {
        if self.prev_model.is_some() && self.embedder.is_some() {
            if let Some(p) = &self.previous {
                self.vector_files = p.vector_files.clone();
            }
        }
        self.vectors = VectorStore::open(self.dir(), &self.vector_files)?;
        if let Some(tag) = self.tag {
            for name in orphan_vector_files(self.dir(), self.previous.as_ref()) {
                match vectors::Segment::open(&self.dir().join(&name)) {
                    Ok(seg) if seg.model == tag => {
                        self.vectors.push(seg);
                        self.vector_files.push(name);
                    }
                    _ => {}
                }
            }
        }
        Ok(())
    }

    /// When the last commit says vectors were pending, the notes whose live passages have no
    /// vector (neither committed nor in a segment a killed run left): [`Run::plan`] parses
    /// them again, which hands their passages to [`Run::embed`]. Without this, passages a
    /// watcher committed lexically just before a SIGKILL would never get a vector.
    fn find_unembedded(&mut self) -> Result<()> {
        let pending = self.previous.as_ref().is_some_and(|p| p.vectors_pending);
        if !pending || self.embedder.is_none() || self.prev_model.is_none() {
            return Ok(());
        }
        let missing =
            super::files::paths_without_vectors(&self.index, &self.fields, &self.vectors)?;
        self.unembedded = self
            .manifest
            .notes
            .keys()
            .filter(|k| missing.contains(split_key(k).1))
            .cloned()
            .collect();
        // Even when no note needs it, the next commit is the one that says nothing is pending.
        self.changed = true;
        Ok(())
    }

    /// The roots of this run: the index's, plus the ones given, minus the ones removed.
    fn root_plan(&self) -> Result<super::roots::RootPlan> {
        super::roots::plan(
            &self.manifest.roots,
            &self.opts.roots,
            &self.opts.remove_roots,
        )
    }

    /// [`Run::root_plan`]'s roots, with the change recorded in the summary.
    fn roots(&mut self) -> Result<Vec<PathBuf>> {
        let plan = self.root_plan()?;
        self.summary.added_roots = plan.added;
        self.summary.removed_roots = plan.removed;
        self.summary.roots = plan
            .roots
            .iter()
            .map(|r| r.to_string_lossy().into_owned())
            .collect();
        Ok(plan.roots)
    }

    /// Notes from roots that are no longer indexed, or indexed under another position, go
    /// (a re-keyed note is read again under its new key).
    fn rekey_roots(&mut self, root_names: &[String]) {
        if self.manifest.roots == root_names {
            return;
        }
        let old_roots = std::mem::take(&mut self.manifest.roots);
        let keys: Vec<String> = self.manifest.notes.keys().cloned().collect();
        for key in keys {
            let (root, _) = split_key(&key);
            let new_pos = old_roots
                .get(root)
                .and_then(|r| root_names.iter().position(|n| n == r));
            if new_pos == Some(root) {
                continue;
            }
            self.manifest.notes.remove(&key);
            self.writer
                .delete_term(Term::from_field_text(self.fields.key, &key));
            if new_pos.is_none() {
                self.summary.removed += 1;
            }
        }
        self.manifest.skipped.clear();
        self.manifest.roots = root_names.to_vec();
    }

    /// Walks the roots, deletes the notes whose files are gone, and lists the files whose
    /// size or mtime changed (or that are new, or were skipped before: they are retried).
    fn plan(&mut self, warn: &(dyn Fn(&str, &str) + Sync)) -> Result<Plan> {
        let roots = self.roots()?;
        let root_names: Vec<String> = roots
            .iter()
            .map(|r| r.to_string_lossy().into_owned())
            .collect();
        self.rekey_roots(&root_names);
        let walk_opts = WalkOptions {
            roots,
            skip: Some(self.dir().to_path_buf()),
        };
        // Walk problems are reported when new or changed, not on every run (issue 12).
        let mut walk_warnings = std::collections::BTreeMap::new();
        let found = note::walk(&walk_opts, &mut |p, r| {
            walk_warnings.insert(p, r);
        });
        for (path, reason) in &walk_warnings {
            if self.manifest.walk_warnings.get(path) != Some(reason) {
                warn(path, reason);
            }
        }
        let walk_changed = walk_warnings != self.manifest.walk_warnings;
        self.manifest.walk_warnings = walk_warnings;
        self.summary.files = found.len();
        let present: HashSet<String> = found.iter().map(|f| note_key(f.root, &f.rel)).collect();
        let gone: Vec<String> = self
            .manifest
            .notes
            .keys()
            .filter(|k| !present.contains(*k))
            .cloned()
            .collect();
        for key in &gone {
            self.writer
                .delete_term(Term::from_field_text(self.fields.key, key));
            self.manifest.notes.remove(key);
            self.summary.removed += 1;
        }
        self.manifest.skipped.retain(|k, _| present.contains(k));
        let todo: Vec<usize> = (0..found.len())
            .filter(|&i| {
                let f = &found[i];
                let key = note_key(f.root, &f.rel);
                match self.manifest.notes.get(&key) {
                    Some(e) => {
                        self.force_reparse
                            || e.size != f.size
                            || e.mtime_ns != f.mtime_ns
                            || self.unembedded.contains(&key)
                    }
                    // A file skipped before is read (and reported) again only once it changed.
                    None => !self.manifest.skipped.get(&key).is_some_and(|s| {
                        s.size == f.size && s.mtime_ns == f.mtime_ns && s.mtime_ns != 0
                    }),
                }
            })
            .collect();
        if self.force_reparse && !todo.is_empty() {
            warn(
                &self.dir().display().to_string(),
                "adding embeddings to every passage of this lexical-only index",
            );
        }
        // Files not read again: unchanged notes, and skipped files that did not change.
        let still_skipped = found.len()
            - todo.len()
            - found
                .iter()
                .filter(|f| self.manifest.notes.contains_key(&note_key(f.root, &f.rel)))
                .count()
                .min(found.len() - todo.len());
        self.summary.unchanged = found.len() - todo.len() - still_skipped;
        self.changed |= walk_changed
            || self.opts.rebuild
            || self.summary.removed > 0
            || self.previous.is_none();
        Ok(Plan { found, todo })
    }

    /// Reads and parses the planned files on a rayon pool straight into the writer, and
    /// records each outcome in the manifest. Returns the passages that need a vector.
    fn parse(
        &mut self,
        plan: &Plan,
        warn: &(dyn Fn(&str, &str) + Sync),
        progress: &(dyn Fn(Phase, usize, usize) + Sync),
    ) -> Result<Vec<(u64, String)>> {
        let wanted: Mutex<Vec<(u64, String)>> = Mutex::new(Vec::new());
        let parser = Parser {
            max_bytes: self.opts.max_file_bytes,
            writer: &self.writer,
            fields: &self.fields,
            want: self.embedder.map(|_| (&self.vectors, &wanted)),
            warn,
        };
        let done = AtomicUsize::new(0);
        let total = plan.todo.len();
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(self.threads)
            .build()
            .map_err(|e| Error::Index(e.to_string()))?;
        let manifest = &self.manifest;
        let force_reparse = self.force_reparse;
        let unembedded = &self.unembedded;
        let outcomes: Vec<Outcome> = pool.install(|| {
            plan.todo
                .par_iter()
                .map(|&i| {
                    let f = &plan.found[i];
                    let key = note_key(f.root, &f.rel);
                    let old = manifest
                        .notes
                        .get(&key)
                        .filter(|_| !force_reparse && !unembedded.contains(&key));
                    let out = parser.process(f, &key, old);
                    let n = done.fetch_add(1, Ordering::Relaxed) + 1;
                    progress(Phase::Parsing, n, total);
                    out
                })
                .collect()
        });
        for outcome in outcomes {
            self.record(outcome);
        }
        self.summary.skipped = self.manifest.skipped.len();
        self.summary.notes = self.manifest.notes.len();
        let mut wanted = wanted.into_inner().unwrap_or_else(|e| e.into_inner());
        wanted.sort_by_key(|(pid, _)| *pid);
        wanted.dedup_by_key(|(pid, _)| *pid);
        Ok(wanted)
    }

    /// Records one file's outcome in the manifest and the summary.
    fn record(&mut self, outcome: Outcome) {
        match outcome {
            Outcome::Indexed { key, entry } => {
                self.summary.indexed += 1;
                self.summary.passages_added += entry.passages as usize;
                self.manifest.skipped.remove(&key);
                self.manifest.notes.insert(key, entry);
                self.changed = true;
            }
            Outcome::Touched { key, entry } => {
                self.summary.unchanged += 1;
                self.manifest.notes.insert(key, entry);
                self.changed = true;
            }
            Outcome::Skipped {
                key,
                reason,
                size,
                mtime_ns,
            } => {
                self.summary.skipped += 1;
                if self.manifest.notes.remove(&key).is_some() {
                    self.writer
                        .delete_term(Term::from_field_text(self.fields.key, &key));
                }
                let entry = SkipEntry {
                    reason,
                    size,
                    mtime_ns,
                };
                // A new skip, or one whose file changed, is recorded (and committed), so the
                // next run neither reads nor reports the file again until it changes.
                if self.manifest.skipped.get(&key) != Some(&entry) {
                    self.manifest.skipped.insert(key, entry);
                    self.changed = true;
                }
            }
        }
    }

    /// Embeds what no stored vector covers, in segments of [`EMBED_CHUNK`] written as they
    /// are made, so an interrupted run keeps most of its work.
    fn embed(
        &mut self,
        wanted: Vec<(u64, String)>,
        progress: &(dyn Fn(Phase, usize, usize) + Sync),
    ) -> Result<()> {
        let (Some(e), Some(tag)) = (self.embedder, self.tag) else {
            return Ok(());
        };
        let total = wanted.len();
        let mut done = 0;
        for chunk in wanted.chunks(EMBED_CHUNK) {
            let texts: Vec<String> = chunk.iter().map(|(_, t)| t.clone()).collect();
            let vecs = crate::embed::embed_all(e, &texts, 0, &|n| {
                progress(Phase::Embedding, done + n, total)
            })?;
            done += chunk.len();
            let name = new_vector_file_name();
            let items: Vec<(u64, Vec<f32>)> = chunk.iter().map(|(pid, _)| *pid).zip(vecs).collect();
            let path = self.dir().join(&name);
            vectors::write_segment(&path, e.info().dims, tag, items)?;
            // A long-lived run (`quarry watch`) must know these passages have vectors now.
            self.vectors.push(vectors::Segment::open(&path)?);
            self.vector_files.push(name);
            crate::testpoint::reached("index-after-vector-segment");
            self.changed = true;
        }
        self.summary.embedded = total;
        Ok(())
    }

    /// Writes the note manifest, then the one commit whose payload names it and the vector
    /// segments; compacts the segments when they pile up; removes files no commit needs.
    fn commit(&mut self) -> Result<()> {
        self.commit_as(true)
    }

    /// [`Run::commit`]; with `new_notes` false (a commit that only adds vectors) the payload
    /// names the last commit's note manifest instead of writing the same one again. The run
    /// stays usable: the commit becomes the `previous` of the next one.
    fn commit_as(&mut self, new_notes: bool) -> Result<()> {
        // Segments without compact codes (written before them) are rewritten even when
        // nothing else changed.
        let upgrade = !self.vectors.has_codes();
        if !self.changed && !upgrade {
            return Ok(());
        }
        let dir = self.dir();
        let generation = self.previous.as_ref().map_or(0, |p| p.generation) + 1;
        let notes_file = match &self.previous {
            Some(p) if !new_notes => p.notes_file.clone(),
            _ => {
                let name = format!("notes-{generation}.json");
                self.manifest.save(dir, &name)?;
                name
            }
        };
        crate::testpoint::reached("index-before-commit");
        let mut payload = Payload {
            format: FORMAT,
            generation,
            notes_file,
            vector_files: self.vector_files.clone(),
            model: self.embedder.map(|e| e.info().clone()),
            written_by: env!("CARGO_PKG_VERSION").to_string(),
            precisions: self
                .previous
                .as_ref()
                .map_or(Vec::new(), |p| p.precisions.clone()),
            vectors_pending: self.vectors_pending,
        };
        match self.embedder.map(|e| e.precision()) {
            Some(p) if self.summary.embedded > 0 && !payload.precisions.contains(&p) => {
                payload.precisions.push(p)
            }
            _ => {}
        }
        commit(&mut self.writer, &payload)?;
        crate::testpoint::reached("index-after-commit");
        self.summary.committed = true;
        if let Some(files) = self.compact(&payload.vector_files, upgrade)? {
            payload.vector_files = files;
            commit(&mut self.writer, &payload)?;
        }
        let pretty = serde_json::to_string_pretty(&payload).unwrap_or_default();
        write_atomic(&dir.join("manifest.json"), pretty.as_bytes())?;
        remove_old_files(dir, &payload, self.previous.as_ref());
        self.vector_files = payload.vector_files.clone();
        self.previous = Some(payload);
        self.changed = false;
        Ok(())
    }

    /// When a commit names more than [`MAX_VECTOR_SEGMENTS`] vector segments, writes the
    /// live vectors of some of them into one and returns the new list. A first segment
    /// holding more vectors than all the others together (a full index, then a watcher's
    /// small batches) is left alone unless a quarter of the stored vectors are dead, so a
    /// day of saves does not rewrite the whole vault's vectors every ninth batch. With
    /// `upgrade` (a segment without compact codes) every segment is rewritten, with codes.
    fn compact(&mut self, files: &[String], upgrade: bool) -> Result<Option<Vec<String>>> {
        let (Some(e), Some(tag)) = (self.embedder, self.tag) else {
            return Ok(None);
        };
        if files.len() <= MAX_VECTOR_SEGMENTS && !upgrade {
            return Ok(None);
        }
        let dir = self.dir();
        let all = VectorStore::open(dir, files)?;
        let live = live_pids(&self.index)?;
        let first = all.segment_len(0);
        let keep =
            usize::from(!upgrade && first > all.len() - first && live.len() * 4 >= all.len() * 3);
        let name = new_vector_file_name();
        VectorStore::open(dir, &files[keep..])?.write_live(
            &dir.join(&name),
            e.info().dims,
            tag,
            &live,
        )?;
        let mut out = files[..keep].to_vec();
        out.push(name);
        // `parse` asks this store which passages already have a vector.
        self.vectors = VectorStore::open(dir, &out)?;
        Ok(Some(out))
    }

    /// Waits for tantivy's merges and counts the vectors the index now holds.
    fn finish(mut self, started: Instant) -> Result<Summary> {
        let dir = self.dir();
        self.writer.wait_merging_threads()?;
        if self.embedder.is_some() {
            let payload = self
                .index
                .load_metas()?
                .payload
                .map(|p| Payload::parse(&p, dir))
                .transpose()?;
            self.summary.vectors = match payload {
                Some(p) => VectorStore::open(dir, &p.vector_files)?.len(),
                None => 0,
            };
        }
        self.summary.seconds = started.elapsed().as_secs_f64();
        Ok(self.summary)
    }
}
