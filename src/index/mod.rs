//! The on-disk index: tantivy documents (one per passage), the note manifest, and vectors.
//!
//! Writing: [`update`] walks the roots (the set of folders the index holds, see [`roots`]),
//! compares each file with the manifest (size and
//! mtime, then content hash), parses changed files in parallel with rayon, and feeds one
//! tantivy `IndexWriter` (which is `Sync`, so rayon threads add documents directly).
//! Nothing is visible to readers until the single commit at the end, whose payload names the
//! manifest written just before it; an interrupted run leaves the previous commit intact.
//!
//! Reading: [`Store::open`] opens the last commit for search and checks format and schema.

pub mod cjk;
mod document;
mod files;
mod ingest;
pub mod manifest;
pub mod names;
pub mod owner;
pub mod roots;
pub mod schema;
pub mod stats;
mod update;
pub mod vectors;

pub use document::documents;
pub use manifest::{NoteEntry, NoteManifest, Payload, FORMAT};
pub use schema::Fields;
pub use stats::Stats;
pub use update::live::{BatchReport, LiveIndex};
pub use update::DEFAULT_MAX_FILE_BYTES;
pub use update::{update, Phase, Summary, UpdateOptions};

use crate::{Error, Result};
use std::path::{Path, PathBuf};
use tantivy::directory::MmapDirectory;
use tantivy::{Index, IndexReader, ReloadPolicy, Searcher};

/// Files a quarry index folder may hold besides tantivy's (and which do not make a folder
/// "someone else's").
fn is_ours_or_harmless(name: &str) -> bool {
    name.starts_with('.')
        || name.starts_with("notes-")
        || name.starts_with("vectors-")
        || name == "manifest.json"
}

/// An opened index, read side.
pub struct Store {
    /// Folder.
    pub dir: PathBuf,
    /// tantivy index.
    pub index: Index,
    /// Field handles.
    pub fields: Fields,
    /// The last commit's payload.
    pub payload: Payload,
    /// tantivy's opstamp of the opened commit: a long-lived reader compares it (and the
    /// payload) with `meta.json` to notice a newer commit ([`Store::is_current`]).
    pub opstamp: u64,
    reader: IndexReader,
}

impl Store {
    /// Opens the last commit of the index in `dir` for reading.
    ///
    /// tantivy keeps its garbage collection out while a reader opens segment files, but the
    /// reader loads `meta.json` again after the payload was read: a commit by a concurrent
    /// `quarry index` in between would pair one commit's payload (note manifest, vector files)
    /// with the next one's documents. The open is retried until both name the same segments.
    pub fn open(dir: &Path) -> Result<Store> {
        if !dir.join("meta.json").is_file() {
            return Err(Error::NoIndex {
                dir: dir.to_path_buf(),
            });
        }
        const ATTEMPTS: u32 = 5;
        for attempt in 1..=ATTEMPTS {
            let index = open_tantivy(dir)?;
            let metas = index.load_metas()?;
            let payload = match metas.payload.as_deref() {
                Some(p) => Payload::parse(p, dir)?,
                None => {
                    return Err(Error::NoCommit {
                        dir: dir.to_path_buf(),
                    })
                }
            };
            let fields = schema::fields_of(&index.schema()).ok_or_else(|| not_ours(dir))?;
            // Opening the reader opens every segment file: a truncated or corrupted one fails
            // here.
            let reader: IndexReader = index
                .reader_builder()
                .reload_policy(ReloadPolicy::Manual)
                .try_into()
                .map_err(|e| Error::damaged(dir, e))?;
            let seen: std::collections::BTreeSet<_> = reader
                .searcher()
                .segment_readers()
                .iter()
                .map(|s| s.segment_id())
                .collect();
            let named: std::collections::BTreeSet<_> =
                metas.segments.iter().map(|s| s.id()).collect();
            if seen == named || attempt == ATTEMPTS {
                return Ok(Store {
                    dir: dir.to_path_buf(),
                    index,
                    fields,
                    payload,
                    opstamp: metas.opstamp,
                    reader,
                });
            }
            std::thread::sleep(std::time::Duration::from_millis(10 * u64::from(attempt)));
        }
        unreachable!("the last attempt returns")
    }

    /// Whether the opened commit is still the index's last one: one read of tantivy's
    /// `meta.json`, so a long-lived reader (the MCP server) can ask before every request.
    /// A merge rewrites `meta.json` without a new commit; only a new opstamp or payload counts.
    pub fn is_current(&self) -> Result<bool> {
        let metas = self.index.load_metas()?;
        let payload = match metas.payload.as_deref() {
            Some(p) => Payload::parse(p, &self.dir)?,
            None => return Ok(false),
        };
        Ok(metas.opstamp == self.opstamp && payload == self.payload)
    }

    /// A searcher over the opened commit.
    pub fn searcher(&self) -> Searcher {
        self.reader.searcher()
    }

    /// The note manifest of the opened commit.
    pub fn manifest(&self) -> Result<NoteManifest> {
        NoteManifest::load(&self.dir, &self.payload.notes_file)
    }

    /// The index's vectors.
    pub fn vectors(&self) -> Result<vectors::VectorStore> {
        vectors::VectorStore::open(&self.dir, &self.payload.vector_files)
    }

    /// Loads the embedding model for searching this index: `None` when the index has no
    /// vectors; an error when the installed model is missing or is not the one that made them.
    pub fn query_embedder(
        &self,
        model_dir: &Path,
    ) -> Result<Option<Box<dyn crate::embed::Embedder>>> {
        let Some(model) = &self.payload.model else {
            return Ok(None);
        };
        let embedder = crate::embed::load_installed(model_dir)?.ok_or_else(|| Error::NoModel {
            model: model.name.clone(),
        })?;
        if embedder.info() != model {
            return Err(model_mismatch(&self.dir, model, embedder.info()));
        }
        Ok(Some(embedder))
    }

    /// Bytes on disk of the whole index folder.
    pub fn disk_bytes(&self) -> u64 {
        std::fs::read_dir(&self.dir)
            .map(|rd| {
                rd.flatten()
                    .filter_map(|e| e.metadata().ok())
                    .filter(|m| m.is_file())
                    .map(|m| m.len())
                    .sum()
            })
            .unwrap_or(0)
    }
}

fn not_ours(dir: &Path) -> Error {
    Error::ForeignSchema {
        dir: dir.to_path_buf(),
    }
}

/// The error for a writer lock another process holds: a watcher, when the owner file
/// ([`owner`]) names a live one, else another `quarry index`.
pub(crate) fn locked(dir: &Path) -> Error {
    let lock = dir.join(".tantivy-writer.lock");
    match owner::live(dir) {
        Some(o) => Error::WatcherLocked {
            dir: dir.to_path_buf(),
            lock,
            pid: o.pid,
            command: o.command,
        },
        None => Error::Locked {
            dir: dir.to_path_buf(),
            lock,
        },
    }
}

/// The error for vectors of `indexed` met with the installed model `installed`.
pub(crate) fn model_mismatch(
    dir: &Path,
    indexed: &crate::embed::ModelInfo,
    installed: &crate::embed::ModelInfo,
) -> Error {
    Error::ModelMismatch {
        dir: dir.to_path_buf(),
        indexed: indexed.name.clone(),
        indexed_weights: files::short(&indexed.weights_hash).to_string(),
        installed: installed.name.clone(),
        installed_weights: files::short(&installed.weights_hash).to_string(),
    }
}

fn open_tantivy(dir: &Path) -> Result<Index> {
    let directory = MmapDirectory::open(dir)
        .map_err(|e| Error::Index(format!("cannot open {}: {e}", dir.display())))?;
    let index = Index::open(directory)
        .map_err(|e| Error::damaged(dir, format!("or not a quarry index: {e}")))?;
    schema::register(&index);
    Ok(index)
}

/// Opens the index in `dir` for writing, creating it when absent. Refuses a non-empty folder
/// that is not a quarry index. With `rebuild`, an index that cannot be opened (damaged
/// `meta.json`, another schema) is cleared and created again, since every error about a
/// damaged index tells the user to run `quarry index --rebuild`.
pub(crate) fn open_or_create(dir: &Path, rebuild: bool) -> Result<Index> {
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    if dir.join("meta.json").is_file() {
        let opened = open_tantivy(dir).and_then(|index| match schema::fields_of(&index.schema()) {
            Some(_) => Ok(index),
            None => Err(not_ours(dir)),
        });
        match opened {
            Ok(index) => return Ok(index),
            Err(e) if !rebuild => return Err(e),
            Err(_) => clear_for_rebuild(dir)?,
        }
    }
    let foreign: Vec<String> = std::fs::read_dir(dir)
        .map_err(|e| Error::io(dir, e))?
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| !is_ours_or_harmless(n))
        .collect();
    if !foreign.is_empty() {
        return Err(Error::NotAQuarryIndex {
            dir: dir.to_path_buf(),
            holds: foreign
                .iter()
                .take(3)
                .cloned()
                .collect::<Vec<_>>()
                .join(", "),
        });
    }
    let (schema, _) = schema::build();
    let directory = MmapDirectory::open(dir)
        .map_err(|e| Error::Index(format!("cannot open {}: {e}", dir.display())))?;
    let index = Index::create(directory, schema, tantivy::IndexSettings::default())?;
    schema::register(&index);
    Ok(index)
}

/// tantivy's segment files: a 32-digit hex segment id, a dot, an extension.
fn is_segment_file(name: &str) -> bool {
    name.len() > 33
        && name.as_bytes()[32] == b'.'
        && name[..32].bytes().all(|b| b.is_ascii_hexdigit())
}

/// Deletes a damaged index's files so `--rebuild` can start over. Refuses when the folder
/// holds anything quarry or tantivy did not write, and when another writer holds the lock.
fn clear_for_rebuild(dir: &Path) -> Result<()> {
    use tantivy::directory::{Directory, INDEX_WRITER_LOCK};
    let names: Vec<String> = std::fs::read_dir(dir)
        .map_err(|e| Error::io(dir, e))?
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    let ours = |n: &String| is_ours_or_harmless(n) || is_segment_file(n) || n == "meta.json";
    if let Some(foreign) = names.iter().find(|n| !ours(n)) {
        return Err(Error::Index(format!(
            "{} cannot be opened as a quarry index and holds {foreign}, which quarry did not write; \
             move it away or choose another --index folder",
            dir.display()
        )));
    }
    let directory = MmapDirectory::open(dir)
        .map_err(|e| Error::Index(format!("cannot open {}: {e}", dir.display())))?;
    let _lock = directory
        .acquire_lock(&INDEX_WRITER_LOCK)
        .map_err(|_| locked(dir))?;
    let written_by_us = |n: &&String| {
        is_segment_file(n)
            || n.starts_with("notes-")
            || n.starts_with("vectors-")
            || ["meta.json", ".managed.json", "manifest.json"].contains(&n.as_str())
    };
    for name in names.iter().filter(written_by_us) {
        let path = dir.join(name);
        if path.is_file() {
            std::fs::remove_file(&path).map_err(|e| Error::io(&path, e))?;
        }
    }
    Ok(())
}
