//! What the index knows besides its tantivy documents.
//!
//! * The **payload** of each tantivy commit (stored atomically inside tantivy's `meta.json`):
//!   format version, generation, model identity, and the names of the files below. Because it
//!   commits with the documents, a crash can never leave the two out of step.
//! * The **note manifest** `notes-<gen>.json`: per note file its size, mtime and content hash
//!   (so a re-run reads only changed files) and the files that were skipped, with reasons.
//!   It is written atomically ([`crate::fsio`]) *before* the commit that names it.

use crate::embed::ModelInfo;
use crate::{Error, Result};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::Path;

/// On-disk format version; an index with another version must be rebuilt.
///
/// 2: CJK bigrams in the text analyzer; `root`, `anchor` and `meta` fields; aliases in
/// `title`; the payload names the roots.
pub const FORMAT: u32 = 2;

/// The commit payload.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct Payload {
    /// [`FORMAT`] of the writer.
    pub format: u32,
    /// Commit generation, 1 for the first.
    pub generation: u64,
    /// File name of the note manifest.
    pub notes_file: String,
    /// File names of the vector segments, oldest first.
    #[serde(default)]
    pub vector_files: Vec<String>,
    /// The model that made the vectors, when there are any.
    #[serde(default)]
    pub model: Option<ModelInfo>,
    /// quarry version that wrote the commit.
    #[serde(default)]
    pub written_by: String,
    /// The indexed roots (absolute), in the order note keys and the `root` field count them,
    /// so a search can link to files without reading the note manifest.
    #[serde(default)]
    pub roots: Vec<String>,
}

impl Payload {
    /// Parses a payload, checking the format version.
    pub fn parse(text: &str, index_dir: &Path) -> Result<Payload> {
        let p: Payload = serde_json::from_str(text).map_err(|e| {
            Error::damaged(
                index_dir,
                format!("or not a quarry index; commit payload: {e}"),
            )
        })?;
        if p.format != FORMAT {
            return Err(Error::FormatVersion {
                dir: index_dir.to_path_buf(),
                found: p.format,
                expected: FORMAT,
            });
        }
        Ok(p)
    }
}

/// One indexed note file.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct NoteEntry {
    /// Size in bytes when read.
    pub size: u64,
    /// Modification time (ns since the epoch) when read.
    pub mtime_ns: i128,
    /// xxh3-64 of the file's bytes.
    pub hash: u64,
    /// Number of passages indexed.
    pub passages: u32,
}

/// One file that was skipped.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct SkipEntry {
    /// Why.
    pub reason: String,
}

/// The note manifest.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct NoteManifest {
    /// Indexed roots, as absolute paths; note keys start with the root's position here.
    pub roots: Vec<String>,
    /// Indexed notes by key (`<root>:<relative path>`).
    pub notes: BTreeMap<String, NoteEntry>,
    /// Skipped files by key.
    pub skipped: BTreeMap<String, SkipEntry>,
}

impl NoteManifest {
    /// Reads `dir/name`.
    pub fn load(dir: &Path, name: &str) -> Result<NoteManifest> {
        let path = dir.join(name);
        let bytes =
            std::fs::read(&path).map_err(|e| Error::damaged(&path, format!("cannot read: {e}")))?;
        serde_json::from_slice(&bytes).map_err(|e| Error::damaged(&path, e))
    }

    /// Writes `dir/name` atomically.
    pub fn save(&self, dir: &Path, name: &str) -> Result<()> {
        let bytes = serde_json::to_vec(self).map_err(|e| Error::Index(e.to_string()))?;
        write_atomic(&dir.join(name), &bytes)
    }
}

/// Replaces `path` with `bytes` atomically (see [`crate::fsio::write_atomic`]).
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    crate::fsio::write_bytes_atomic(path, bytes)
}

/// The key of a note: root position and relative path.
pub fn note_key(root: usize, rel: &str) -> String {
    format!("{root}:{rel}")
}

/// Splits a key into root position and relative path.
pub fn split_key(key: &str) -> (usize, &str) {
    match key.split_once(':') {
        Some((r, rel)) => (r.parse().unwrap_or(0), rel),
        None => (0, key),
    }
}
