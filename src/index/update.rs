//! Incremental (re)indexing: walk, diff against the manifest, parse changed files in
//! parallel, one writer, one commit.

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

/// Default largest note file read; bigger files are reported and skipped.
pub const DEFAULT_MAX_FILE_BYTES: u64 = 20 * 1024 * 1024;

/// What to index and how.
#[derive(Debug, Clone)]
pub struct UpdateOptions {
    /// Index folder.
    pub index_dir: PathBuf,
    /// Roots to index; empty means the roots of the last run.
    pub roots: Vec<PathBuf>,
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
        };
        run.check_model()?;
        run.load_vectors()?;
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

    /// The roots of this run: the ones given (canonical), else the last run's.
    fn roots(&self) -> Result<Vec<PathBuf>> {
        if self.opts.roots.is_empty() {
            if self.manifest.roots.is_empty() {
                return Err(Error::Index(
                    "no notes folder given and none indexed before; run `quarry index <notes folder>`"
                        .into(),
                ));
            }
            return Ok(self.manifest.roots.iter().map(PathBuf::from).collect());
        }
        self.opts
            .roots
            .iter()
            .map(|r| r.canonicalize().map_err(|e| Error::io(r, e)))
            .collect()
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
        let found = note::walk(&walk_opts, &mut |p, r| warn(&p, &r));
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
                match self.manifest.notes.get(&note_key(f.root, &f.rel)) {
                    Some(e) => self.force_reparse || e.size != f.size || e.mtime_ns != f.mtime_ns,
                    None => true,
                }
            })
            .collect();
        if self.force_reparse && !todo.is_empty() {
            warn(
                &self.dir().display().to_string(),
                "adding embeddings to every passage of this lexical-only index",
            );
        }
        self.summary.unchanged = found.len() - todo.len();
        self.changed = self.opts.rebuild || self.summary.removed > 0 || self.previous.is_none();
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
        let outcomes: Vec<Outcome> = pool.install(|| {
            plan.todo
                .par_iter()
                .map(|&i| {
                    let f = &plan.found[i];
                    let key = note_key(f.root, &f.rel);
                    let old = manifest.notes.get(&key).filter(|_| !force_reparse);
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
            Outcome::Skipped { key, reason } => {
                self.summary.skipped += 1;
                if self.manifest.notes.remove(&key).is_some() {
                    self.writer
                        .delete_term(Term::from_field_text(self.fields.key, &key));
                }
                if self
                    .manifest
                    .skipped
                    .insert(key, SkipEntry { reason })
                    .is_none()
                {
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
            vectors::write_segment(&self.dir().join(&name), e.info().dims, tag, items)?;
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
        if !self.changed {
            return Ok(());
        }
        let dir = self.dir();
        let generation = self.previous.as_ref().map_or(0, |p| p.generation) + 1;
        let notes_file = format!("notes-{generation}.json");
        self.manifest.save(dir, &notes_file)?;
        crate::testpoint::reached("index-before-commit");
        let mut payload = Payload {
            format: FORMAT,
            generation,
            notes_file,
            vector_files: self.vector_files.clone(),
            model: self.embedder.map(|e| e.info().clone()),
            written_by: env!("CARGO_PKG_VERSION").to_string(),
            roots: self.manifest.roots.clone(),
        };
        commit(&mut self.writer, &payload)?;
        crate::testpoint::reached("index-after-commit");
        self.summary.committed = true;
        if let (Some(e), Some(tag)) = (self.embedder, self.tag) {
            if payload.vector_files.len() > MAX_VECTOR_SEGMENTS {
                // Compact: one segment with only the vectors live documents use.
                let live = live_pids(&self.index)?;
                let store = VectorStore::open(dir, &payload.vector_files)?;
                let name = new_vector_file_name();
                store.write_live(&dir.join(&name), e.info().dims, tag, &live)?;
                payload.vector_files = vec![name];
                commit(&mut self.writer, &payload)?;
            }
        }
        let pretty = serde_json::to_string_pretty(&payload).unwrap_or_default();
        write_atomic(&dir.join("manifest.json"), pretty.as_bytes())?;
        remove_old_files(dir, &payload, self.previous.as_ref());
        Ok(())
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
