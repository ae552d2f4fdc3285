//! Incremental (re)indexing: walk, diff against the manifest, parse changed files in
//! parallel, one writer, one commit.

use super::manifest::{
    note_key, split_key, write_atomic, NoteEntry, NoteManifest, Payload, SkipEntry, FORMAT,
};
use super::schema::{self, Fields};
use super::vectors::{self, VectorStore};
use crate::embed::Embedder;
use crate::note::{self, repair, Found, Note, WalkOptions};
use crate::{Error, Result};
use rayon::prelude::*;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::Instant;
use tantivy::{IndexWriter, TantivyDocument, Term};

/// The unit of `--max-file-size`.
const MB: u64 = 1024 * 1024;

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

enum Outcome {
    Indexed { key: String, entry: NoteEntry },
    Touched { key: String, entry: NoteEntry },
    Skipped { key: String, reason: String },
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
pub fn update(
    opts: &UpdateOptions,
    embedder: Option<&dyn Embedder>,
    warn: &(dyn Fn(&str, &str) + Sync),
    progress: &(dyn Fn(Phase, usize, usize) + Sync),
) -> Result<Summary> {
    let started = Instant::now();
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
    let mut writer: IndexWriter<TantivyDocument> =
        index.writer_with_num_threads(threads, WRITER_HEAP_PER_THREAD * threads).map_err(|e| match e {
            tantivy::TantivyError::LockFailure(..) => Error::Index(format!(
                "another `quarry index` is writing to {} (lock file {}); wait for it to finish, then run again",
                dir.display(),
                dir.join(".tantivy-writer.lock").display()
            )),
            other => other.into(),
        })?;

    let previous = match index.load_metas()?.payload {
        // A rebuild starts over, so it also mends an index of another format version.
        Some(p) if opts.rebuild => Payload::parse(&p, dir).ok(),
        Some(p) => Some(Payload::parse(&p, dir)?),
        None => None,
    };
    let mut manifest = match &previous {
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

    // Embeddings: the index keeps one model's vectors or none.
    let prev_model = previous
        .as_ref()
        .and_then(|p| p.model.clone())
        .filter(|_| !opts.rebuild);
    let mut force_reparse = false;
    match (embedder, &prev_model) {
        (Some(e), Some(m)) if e.info() != m => {
            return Err(Error::Index(format!(
                "{} holds vectors from model {} (weights {}), but the installed model is {} (weights {}); \
                 vectors of two models cannot be mixed: run `quarry index --rebuild`",
                dir.display(),
                m.name,
                short(&m.weights_hash),
                e.info().name,
                short(&e.info().weights_hash)
            )))
        }
        (None, Some(m)) => {
            return Err(Error::Index(format!(
                "{} holds embeddings from {}, so new passages need them too; install the model \
                 (`quarry model install`) or drop semantic search with `quarry index --rebuild --no-embed`",
                dir.display(),
                m.name
            )))
        }
        (Some(_), None) if !manifest.notes.is_empty() => force_reparse = true,
        _ => {}
    }
    let tag = embedder.map(|e| vectors::model_tag(&e.info().weights_hash));
    let mut vector_files: Vec<String> = match (&prev_model, embedder) {
        (Some(_), Some(_)) => previous
            .as_ref()
            .map(|p| p.vector_files.clone())
            .unwrap_or_default(),
        _ => Vec::new(),
    };
    let mut store = VectorStore::open(dir, &vector_files)?;
    if let Some(tag) = tag {
        // Segments an interrupted run left behind hold good vectors for this model.
        for name in orphan_vector_files(dir, previous.as_ref()) {
            match vectors::Segment::open(&dir.join(&name)) {
                Ok(seg) if seg.model == tag => {
                    store.push(seg);
                    vector_files.push(name);
                }
                _ => {}
            }
        }
    }

    let roots: Vec<PathBuf> = if opts.roots.is_empty() {
        if manifest.roots.is_empty() {
            return Err(Error::Index(
                "no notes folder given and none indexed before; run `quarry index <notes folder>`"
                    .into(),
            ));
        }
        manifest.roots.iter().map(PathBuf::from).collect()
    } else {
        opts.roots
            .iter()
            .map(|r| r.canonicalize().map_err(|e| Error::io(r, e)))
            .collect::<Result<Vec<_>>>()?
    };
    let root_names: Vec<String> = roots
        .iter()
        .map(|r| r.to_string_lossy().into_owned())
        .collect();
    let mut summary = Summary::default();

    // Notes from roots that are no longer indexed, or indexed under another position, go.
    if manifest.roots != root_names {
        let old_roots = std::mem::take(&mut manifest.roots);
        let keys: Vec<String> = manifest.notes.keys().cloned().collect();
        for key in keys {
            let (root, rel) = split_key(&key);
            let new_pos = old_roots
                .get(root)
                .and_then(|r| root_names.iter().position(|n| n == r));
            let entry = manifest.notes.remove(&key).expect("key listed");
            match new_pos {
                Some(pos) if pos == root => {
                    manifest.notes.insert(key, entry);
                }
                _ => {
                    // Re-keyed or dropped: delete now; a re-keyed note is re-read below.
                    writer.delete_term(Term::from_field_text(fields.key, &key));
                    if new_pos.is_none() {
                        summary.removed += 1;
                    }
                    let _ = rel;
                }
            }
        }
        manifest.skipped.clear();
        manifest.roots = root_names.clone();
    }

    let warnings = AtomicUsize::new(0);
    let warn_count = |path: &str, reason: &str| {
        warnings.fetch_add(1, Ordering::Relaxed);
        warn(path, reason);
    };
    let walk_opts = WalkOptions {
        roots: roots.clone(),
        skip: Some(dir.clone()),
    };
    let found = note::walk(&walk_opts, &mut |p, r| warn_count(&p, &r));
    summary.files = found.len();

    // Deleted files.
    let present: std::collections::HashSet<String> =
        found.iter().map(|f| note_key(f.root, &f.rel)).collect();
    let gone: Vec<String> = manifest
        .notes
        .keys()
        .filter(|k| !present.contains(*k))
        .cloned()
        .collect();
    for key in &gone {
        writer.delete_term(Term::from_field_text(fields.key, key));
        manifest.notes.remove(key);
        summary.removed += 1;
    }
    manifest.skipped.retain(|k, _| present.contains(k));

    // Changed files: size or mtime differ (or never seen). Skipped files are retried.
    let todo: Vec<&Found> = found
        .iter()
        .filter(|f| {
            let key = note_key(f.root, &f.rel);
            match manifest.notes.get(&key) {
                Some(e) => force_reparse || e.size != f.size || e.mtime_ns != f.mtime_ns,
                None => true,
            }
        })
        .collect();
    if force_reparse && !todo.is_empty() {
        warn(
            &dir.display().to_string(),
            "adding embeddings to every passage of this lexical-only index",
        );
    }
    let wanted: Mutex<Vec<(u64, String)>> = Mutex::new(Vec::new());
    let want = embedder.map(|_| (&store, &wanted));
    summary.unchanged = found.len() - todo.len();

    let done = AtomicUsize::new(0);
    let total = todo.len();
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .map_err(|e| Error::Index(e.to_string()))?;
    let outcomes: Vec<Outcome> = pool.install(|| {
        todo.par_iter()
            .map(|f| {
                let key = note_key(f.root, &f.rel);
                let old = manifest.notes.get(&key).filter(|_| !force_reparse);
                let out = process(
                    f,
                    &key,
                    old,
                    opts.max_file_bytes,
                    &writer,
                    &fields,
                    want,
                    &warn_count,
                );
                progress(
                    Phase::Parsing,
                    done.fetch_add(1, Ordering::Relaxed) + 1,
                    total,
                );
                out
            })
            .collect()
    });

    let mut changed = opts.rebuild || !gone.is_empty() || summary.removed > 0 || previous.is_none();
    for outcome in outcomes {
        match outcome {
            Outcome::Indexed { key, entry } => {
                summary.indexed += 1;
                summary.passages_added += entry.passages as usize;
                manifest.skipped.remove(&key);
                manifest.notes.insert(key, entry);
                changed = true;
            }
            Outcome::Touched { key, entry } => {
                summary.unchanged += 1;
                manifest.notes.insert(key, entry);
                changed = true;
            }
            Outcome::Skipped { key, reason } => {
                summary.skipped += 1;
                if manifest.notes.remove(&key).is_some() {
                    writer.delete_term(Term::from_field_text(fields.key, &key));
                }
                if manifest.skipped.insert(key, SkipEntry { reason }).is_none() {
                    changed = true;
                }
            }
        }
    }
    summary.skipped = manifest.skipped.len();
    summary.notes = manifest.notes.len();

    // Embed what no stored vector covers, in segments.
    let mut wanted = wanted.into_inner().unwrap_or_else(|e| e.into_inner());
    wanted.sort_by_key(|(pid, _)| *pid);
    wanted.dedup_by_key(|(pid, _)| *pid);
    if let (Some(e), Some(tag)) = (embedder, tag) {
        let total = wanted.len();
        let mut done = 0;
        for chunk in wanted.chunks(EMBED_CHUNK) {
            let texts: Vec<String> = chunk.iter().map(|(_, t)| t.clone()).collect();
            let vecs = crate::embed::embed_all(e, &texts, 0, &|n| {
                progress(Phase::Embedding, done + n, total)
            })?;
            done += chunk.len();
            let name = format!("vectors-{}-{}.bin", std::process::id(), unique_suffix());
            let items: Vec<(u64, Vec<f32>)> = chunk.iter().map(|(pid, _)| *pid).zip(vecs).collect();
            vectors::write_segment(&dir.join(&name), e.info().dims, tag, items)?;
            vector_files.push(name);
            crate::testpoint::reached("index-after-vector-segment");
            changed = true;
        }
        summary.embedded = total;
    }
    summary.warnings = warnings.load(Ordering::Relaxed);

    if changed {
        let generation = previous.as_ref().map_or(0, |p| p.generation) + 1;
        let notes_file = format!("notes-{generation}.json");
        manifest.save(dir, &notes_file)?;
        crate::testpoint::reached("index-before-commit");
        let mut payload = Payload {
            format: FORMAT,
            generation,
            notes_file,
            vector_files: vector_files.clone(),
            model: embedder.map(|e| e.info().clone()),
            written_by: env!("CARGO_PKG_VERSION").to_string(),
        };
        commit(&mut writer, &payload)?;
        crate::testpoint::reached("index-after-commit");
        summary.committed = true;
        if let (Some(e), Some(tag)) = (embedder, tag) {
            if payload.vector_files.len() > MAX_VECTOR_SEGMENTS {
                // Compact: one segment with only the vectors live documents use.
                let live = live_pids(&index)?;
                let store = VectorStore::open(dir, &payload.vector_files)?;
                let name = format!("vectors-{}-{}.bin", std::process::id(), unique_suffix());
                store.write_live(&dir.join(&name), e.info().dims, tag, &live)?;
                payload.vector_files = vec![name];
                commit(&mut writer, &payload)?;
            }
        }
        let pretty = serde_json::to_string_pretty(&payload).unwrap_or_default();
        write_atomic(&dir.join("manifest.json"), pretty.as_bytes())?;
        remove_old_files(dir, &payload, previous.as_ref());
    }
    writer.wait_merging_threads()?;
    if embedder.is_some() {
        let payload = index
            .load_metas()?
            .payload
            .map(|p| Payload::parse(&p, dir))
            .transpose()?;
        summary.vectors = match payload {
            Some(p) => VectorStore::open(dir, &p.vector_files)?.len(),
            None => 0,
        };
    }
    summary.seconds = started.elapsed().as_secs_f64();
    Ok(summary)
}

/// The first 12 characters of a weights hash, for messages. The hash comes from `meta.json`,
/// which a person may have edited, so it is cut at a character boundary, never mid-character.
pub(crate) fn short(hash: &str) -> &str {
    hash.char_indices()
        .nth(12)
        .map_or(hash, |(i, _)| &hash[..i])
}

fn unique_suffix() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    format!("{nanos:x}")
}

fn commit(writer: &mut IndexWriter<TantivyDocument>, payload: &Payload) -> Result<()> {
    let json = serde_json::to_string(payload).map_err(|e| Error::Index(e.to_string()))?;
    let mut prepared = writer.prepare_commit()?;
    prepared.set_payload(&json);
    prepared.commit()?;
    Ok(())
}

/// Passage ids of every live document of the last commit.
fn live_pids(index: &tantivy::Index) -> Result<std::collections::HashSet<u64>> {
    let reader = index.reader()?;
    let searcher = reader.searcher();
    let mut live = std::collections::HashSet::new();
    for seg in searcher.segment_readers() {
        let col = seg.fast_fields().u64("pid")?;
        for doc in seg.doc_ids_alive() {
            if let Some(pid) = col.first(doc) {
                live.insert(pid);
            }
        }
    }
    Ok(live)
}

/// Vector segment files that no commit names: left by an interrupted run.
fn orphan_vector_files(dir: &Path, previous: Option<&Payload>) -> Vec<String> {
    let listed: Vec<&String> = previous
        .map(|p| p.vector_files.iter().collect())
        .unwrap_or_default();
    let Ok(rd) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut out: Vec<String> = rd
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("vectors-") && n.ends_with(".bin") && !listed.contains(&n))
        .collect();
    out.sort();
    out
}

/// Deletes note manifests older than the previous generation, and vector segments that
/// neither this commit nor the previous one names (a reader may still be opening those).
fn remove_old_files(dir: &Path, current: &Payload, previous: Option<&Payload>) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    let keep_notes = [
        Some(current.notes_file.as_str()),
        previous.map(|p| p.notes_file.as_str()),
    ];
    for entry in rd.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let stale = if name.starts_with("notes-") && name.ends_with(".json") {
            !keep_notes.contains(&Some(name.as_str()))
        } else if name.starts_with("vectors-") && name.ends_with(".bin") {
            !current.vector_files.contains(&name)
                && !previous.is_some_and(|p| p.vector_files.contains(&name))
        } else {
            is_temp_file(&name)
        };
        if stale {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

/// A temp file of [`write_atomic`] (`notes-3.tmp1234`): one left behind was being written
/// by a run that was killed, since this run holds the writer lock.
fn is_temp_file(name: &str) -> bool {
    let ours = ["notes-", "vectors-", "manifest."]
        .iter()
        .any(|p| name.starts_with(p));
    let tmp = name
        .rsplit_once(".tmp")
        .is_some_and(|(_, pid)| !pid.is_empty() && pid.bytes().all(|b| b.is_ascii_digit()));
    ours && tmp
}

/// Where `process` reports passages that still need a vector: the store to check first and
/// the list to add to.
type Wanted<'a> = Option<(&'a VectorStore, &'a Mutex<Vec<(u64, String)>>)>;

#[allow(clippy::too_many_arguments)]
fn process(
    f: &Found,
    key: &str,
    old: Option<&NoteEntry>,
    max_bytes: u64,
    writer: &IndexWriter<TantivyDocument>,
    fields: &Fields,
    want: Wanted<'_>,
    warn: &(dyn Fn(&str, &str) + Sync),
) -> Outcome {
    let display = f.abs.display().to_string();
    let skip = |reason: String| {
        warn(&display, &reason);
        Outcome::Skipped {
            key: key.to_string(),
            reason,
        }
    };
    if f.size > max_bytes {
        // `--max-file-size` counts MB of 1024 × 1024 bytes; say sizes in the same unit (a
        // 1.5 MB file used to be reported as "1 MB, over the 1 MB limit").
        return skip(format!(
            "file is {:.1} MB, over the {} MB limit (--max-file-size); skipped",
            f.size as f64 / MB as f64,
            max_bytes / MB
        ));
    }
    let bytes = match read_limited(&f.abs, max_bytes) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return skip("file vanished before it could be read; skipped".into())
        }
        Err(e) if e.kind() == std::io::ErrorKind::FileTooLarge => {
            return skip(format!(
                "file grew over the {} MB limit while being read; skipped",
                max_bytes / MB
            ))
        }
        Err(e) => return skip(format!("cannot read: {e}; skipped")),
    };
    let hash = xxhash_rust::xxh3::xxh3_64(&bytes);
    let entry = |passages: u32| NoteEntry {
        size: bytes.len() as u64,
        mtime_ns: f.mtime_ns,
        hash,
        passages,
    };
    if let Some(old) = old {
        if old.hash == hash {
            return Outcome::Touched {
                key: key.to_string(),
                entry: entry(old.passages),
            };
        }
    }
    let (text, decoded) = match repair::decode(&bytes) {
        Ok(t) => t,
        Err(repair::NotText::Binary) => {
            return skip("binary file (NUL or control bytes), not a note; skipped".into())
        }
    };
    if decoded == repair::Decoded::Windows1252 {
        warn(&display, "not valid UTF-8; read as Windows-1252");
    }
    let note = note::parse(&f.rel, &text);
    for w in &note.warnings {
        warn(&display, w);
    }
    if text.trim().is_empty() {
        warn(&display, "empty file; nothing to index");
    }
    writer.delete_term(Term::from_field_text(fields.key, key));
    let passages = note.passages.len() as u32;
    let mut missing = Vec::new();
    for (doc, pid, input) in documents(&note, key, fields) {
        if let Some((store, _)) = want {
            if !store.contains(pid) {
                missing.push((pid, input));
            }
        }
        if let Err(e) = writer.add_document(doc) {
            return skip(format!("index writer failed: {e}"));
        }
        crate::testpoint::reached("index-after-first-document");
    }
    if let Some((_, wanted)) = want {
        wanted
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .extend(missing);
    }
    Outcome::Indexed {
        key: key.to_string(),
        entry: entry(passages),
    }
}

fn read_limited(path: &Path, max: u64) -> std::io::Result<Vec<u8>> {
    use std::io::Read;
    let file = std::fs::File::open(path)?;
    let mut buf = Vec::new();
    file.take(max + 1).read_to_end(&mut buf)?;
    if buf.len() as u64 > max {
        return Err(std::io::Error::new(
            std::io::ErrorKind::FileTooLarge,
            "too large",
        ));
    }
    Ok(buf)
}

/// The section path shown for a passage: headings, minus a first heading that repeats the title.
pub fn section_path(title: &str, section: &[String]) -> String {
    let skip = usize::from(section.first().is_some_and(|h| h == title));
    section[skip..].join(" > ")
}

/// tantivy documents for a note's passages, each with its passage id and embedding input.
pub fn documents(note: &Note, key: &str, fields: &Fields) -> Vec<(TantivyDocument, u64, String)> {
    let meta = &note.meta;
    // `note::parse` keeps dates inside what tantivy can store; clamp anyway, never overflow.
    let date = meta.date.map(crate::search::filter::indexable);
    let mut levels: BTreeMap<&str, ()> = BTreeMap::new();
    for tag in &meta.tags {
        for level in schema::tag_levels(tag) {
            levels.insert(level, ());
        }
    }
    note.passages
        .iter()
        .map(|p| {
            let section = section_path(&meta.title, &p.section);
            let mut doc = TantivyDocument::default();
            doc.add_text(fields.key, key);
            doc.add_text(fields.path, &note.path);
            doc.add_text(fields.title, &meta.title);
            doc.add_text(fields.section, &section);
            doc.add_text(fields.text, &p.text);
            if !p.context.is_empty() {
                doc.add_text(fields.context, &p.context);
            }
            for level in levels.keys() {
                doc.add_text(fields.tag, level);
            }
            for tag in &meta.tags {
                doc.add_text(fields.tags, tag);
            }
            if let Some(a) = &meta.account {
                doc.add_text(fields.account, a);
            }
            for x in &meta.participants {
                doc.add_text(fields.participant, x);
            }
            for x in &meta.aliases {
                doc.add_text(fields.alias, x);
            }
            for x in &p.links {
                doc.add_text(fields.link, x);
            }
            if let Some(d) = date {
                doc.add_date(fields.date, d);
            }
            doc.add_text(fields.kind, p.kind.as_str());
            if let Some(t) = p.task {
                doc.add_text(fields.task, t.to_string());
            }
            doc.add_u64(fields.line, u64::from(p.line_start));
            doc.add_u64(fields.line_end, u64::from(p.line_end));
            let input = super::embed_input(&meta.title, &section, &p.context, &p.text);
            let pid = xxhash_rust::xxh3::xxh3_64(input.as_bytes());
            doc.add_u64(fields.pid, pid);
            (doc, pid, input)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ram_writer() -> (IndexWriter<TantivyDocument>, Fields) {
        let (schema, fields) = schema::build();
        let index = tantivy::Index::create_in_ram(schema);
        schema::register(&index);
        (
            index.writer_with_num_threads(1, 15_000_000).unwrap(),
            fields,
        )
    }

    fn found(abs: PathBuf, size: u64) -> Found {
        Found {
            root: 0,
            abs,
            rel: "gone.md".into(),
            size,
            mtime_ns: 0,
        }
    }

    fn skipped_reason(outcome: Outcome) -> String {
        match outcome {
            Outcome::Skipped { reason, .. } => reason,
            _ => panic!("expected the file to be skipped"),
        }
    }

    /// A file listed by the walk but deleted before it is read (a race no integration test
    /// can time) is a warning naming the file, not an error for the run.
    #[test]
    fn a_file_that_vanishes_after_listing_is_skipped_with_a_warning() {
        let dir = tempfile::tempdir().unwrap();
        let (writer, fields) = ram_writer();
        let warnings = Mutex::new(Vec::new());
        let warn = |p: &str, r: &str| warnings.lock().unwrap().push(format!("{p}: {r}"));
        let abs = dir.path().join("gone.md");
        let out = process(
            &found(abs.clone(), 10),
            "0:gone.md",
            None,
            DEFAULT_MAX_FILE_BYTES,
            &writer,
            &fields,
            None,
            &warn,
        );
        assert!(skipped_reason(out).contains("vanished"));
        let w = warnings.into_inner().unwrap();
        assert_eq!(w.len(), 1);
        assert!(w[0].starts_with(&abs.display().to_string()), "{w:?}");
    }

    /// A file that grows past the limit between listing and reading is cut off at the limit
    /// (never read whole) and skipped.
    #[test]
    fn a_file_that_grows_past_the_limit_while_listed_is_skipped() {
        let dir = tempfile::tempdir().unwrap();
        let abs = dir.path().join("grows.md");
        std::fs::write(&abs, vec![b'a'; 2 * MB as usize]).unwrap();
        let (writer, fields) = ram_writer();
        let out = process(
            &found(abs, 10),
            "0:grows.md",
            None,
            MB,
            &writer,
            &fields,
            None,
            &|_, _| {},
        );
        assert!(skipped_reason(out).contains("grew over the 1 MB limit"));
    }

    #[test]
    fn short_hashes_cut_at_character_boundaries() {
        assert_eq!(short("0123456789abcdef"), "0123456789ab");
        assert_eq!(short("abc"), "abc");
        // An edited meta.json used to make this panic (byte 12 inside `é`).
        assert_eq!(short("0123456789aéé"), "0123456789aé");
    }

    #[test]
    fn temp_files_of_killed_runs_are_recognised() {
        assert!(is_temp_file("notes-3.tmp1234"));
        assert!(is_temp_file("vectors-99-18ab.tmp99"));
        assert!(is_temp_file("manifest.tmp7"));
        assert!(!is_temp_file("notes-3.json"));
        assert!(!is_temp_file("vectors-99-18ab.bin"));
        assert!(!is_temp_file("meta.json"));
        assert!(!is_temp_file("notes-3.tmp"));
    }

    #[test]
    fn size_messages_use_the_flag_unit() {
        let (writer, fields) = ram_writer();
        let out = process(
            &found(PathBuf::from("/nonexistent/big.md"), 3 * MB / 2),
            "0:big.md",
            None,
            MB,
            &writer,
            &fields,
            None,
            &|_, _| {},
        );
        assert_eq!(
            skipped_reason(out),
            "file is 1.5 MB, over the 1 MB limit (--max-file-size); skipped"
        );
    }
}
