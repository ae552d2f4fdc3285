//! The on-disk index: tantivy documents (one per passage), the note manifest, and vectors.
//!
//! Writing: [`update`] walks the roots, compares each file with the manifest (size and
//! mtime, then content hash), parses changed files in parallel with rayon, and feeds one
//! tantivy `IndexWriter` (which is `Sync`, so rayon threads add documents directly).
//! Nothing is visible to readers until the single commit at the end, whose payload names the
//! manifest written just before it; an interrupted run leaves the previous commit intact.
//!
//! Reading: [`Store::open`] opens the last commit for search and checks format and schema.

pub mod manifest;
pub mod schema;
mod update;
pub mod vectors;

pub use manifest::{NoteEntry, NoteManifest, Payload, FORMAT};
pub use schema::Fields;
pub use update::{
    documents, section_path, update, Phase, Summary, UpdateOptions, DEFAULT_MAX_FILE_BYTES,
};

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
            return Err(Error::Index(format!(
                "no index at {}; run `quarry index <notes folder>` first (or pass --index DIR)",
                dir.display()
            )));
        }
        const ATTEMPTS: u32 = 5;
        for attempt in 1..=ATTEMPTS {
            let index = open_tantivy(dir)?;
            let metas = index.load_metas()?;
            let payload = match metas.payload.as_deref() {
                Some(p) => Payload::parse(p, dir)?,
                None => {
                    return Err(Error::Index(format!(
                        "{} has no completed quarry commit; run `quarry index <notes folder>`",
                        dir.display()
                    )))
                }
            };
            let fields = schema::fields_of(&index.schema()).ok_or_else(|| not_ours(dir))?;
            // Opening the reader opens every segment file: a truncated or corrupted one fails
            // here.
            let reader: IndexReader = index
                .reader_builder()
                .reload_policy(ReloadPolicy::Manual)
                .try_into()
                .map_err(|e| {
                    Error::Index(format!(
                        "{} is damaged ({e}); run `quarry index --rebuild`",
                        dir.display()
                    ))
                })?;
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
                    reader,
                });
            }
            std::thread::sleep(std::time::Duration::from_millis(10 * u64::from(attempt)));
        }
        unreachable!("the last attempt returns")
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
    pub fn query_embedder(&self) -> Result<Option<Box<dyn crate::embed::Embedder>>> {
        let Some(model) = &self.payload.model else {
            return Ok(None);
        };
        let embedder = crate::embed::load_installed()?.ok_or_else(|| {
            Error::Model(format!(
                "this index has embeddings from {}, but no model is installed; run `quarry model install`, or search with --mode lexical",
                model.name
            ))
        })?;
        if embedder.info() != model {
            return Err(Error::Model(format!(
                "this index was built with {} (weights {}), but the installed model is {} (weights {}); run `quarry index --rebuild`",
                model.name,
                update::short(&model.weights_hash),
                embedder.info().name,
                update::short(&embedder.info().weights_hash)
            )));
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
    Error::Index(format!(
        "{} holds an index that quarry did not write (or of an older layout); run `quarry index --rebuild`",
        dir.display()
    ))
}

fn open_tantivy(dir: &Path) -> Result<Index> {
    let directory = MmapDirectory::open(dir)
        .map_err(|e| Error::Index(format!("cannot open {}: {e}", dir.display())))?;
    let index = Index::open(directory).map_err(|e| {
        Error::Index(format!(
            "{} is damaged or not a quarry index ({e}); run `quarry index --rebuild`",
            dir.display()
        ))
    })?;
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
        return Err(Error::Index(format!(
            "{} is not empty and is not a quarry index (it holds {}); choose another --index folder",
            dir.display(),
            foreign.iter().take(3).cloned().collect::<Vec<_>>().join(", ")
        )));
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
    let _lock = directory.acquire_lock(&INDEX_WRITER_LOCK).map_err(|_| {
        Error::Index(format!(
            "another `quarry index` is writing to {} (lock file {}); wait for it to finish, then run again",
            dir.display(),
            dir.join(".tantivy-writer.lock").display()
        ))
    })?;
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

/// The text a passage is embedded as: note title and heading path first, so a bullet under
/// "Action Items" knows what it is about, then parent items, then the passage, with task
/// bookkeeping (`@owner`, `#tags`, `📅 2025-10-03`, priority emoji) removed: it carries no
/// meaning and otherwise makes every task line look alike to the model.
pub fn embed_input(title: &str, section: &str, context: &str, text: &str) -> String {
    let mut s = String::with_capacity(title.len() + section.len() + context.len() + text.len() + 8);
    s.push_str(title);
    if !section.is_empty() && section != title {
        s.push_str(" — ");
        s.push_str(section);
    }
    s.push_str(": ");
    if !context.is_empty() {
        s.push_str(&strip_task_noise(context));
        s.push_str(" › ");
    }
    s.push_str(&strip_task_noise(text));
    s
}

/// Drops `@owner` and `#tag` words, emoji and symbol-only words, and the date or `TBD` that
/// follows a calendar emoji.
pub fn strip_task_noise(text: &str) -> String {
    let mut out: Vec<&str> = Vec::new();
    let mut after_symbol = false;
    for word in text.split_whitespace() {
        let symbol_only = !word.chars().any(|c| c.is_alphanumeric());
        let tagged = (word.starts_with('@') || word.starts_with('#')) && word.chars().count() > 1;
        let emoji = word
            .chars()
            .any(|c| (c as u32) >= 0x1F000 || (0x2190..=0x2BFF).contains(&(c as u32)));
        let date_after =
            after_symbol && (crate::date::Date::parse_prefix(word).is_some() || word == "TBD");
        if symbol_only || tagged || emoji || date_after {
            after_symbol = symbol_only || emoji;
            continue;
        }
        after_symbol = false;
        out.push(word);
    }
    out.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn task_noise_is_not_embedded() {
        assert_eq!(
            strip_task_noise(
                "Send José the sizing sheet. @Myself 📅 2025-10-03 ⏫ #task #proposed"
            ),
            "Send José the sizing sheet."
        );
        assert_eq!(
            strip_task_noise("Q4 is 60% — up from 40% @ Acme"),
            "Q4 is 60% up from 40% Acme"
        );
        assert_eq!(
            embed_input("T", "Action Items", "", "do it #task"),
            "T — Action Items: do it"
        );
    }
}
