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
/// 2: the schema gained task, root, passage-tag and source fields; vector segments hold
/// compact codes (`QVEC0003`); the text analyzer indexes CJK runs as bigrams; `anchor` and
/// `meta` fields; aliases in `title`. An index of format 1 must be rebuilt (its schema
/// lacks the new fields); stray `QVEC0002` segments without codes are still read, searched
/// exactly, and rewritten with codes by the next run.
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
    /// The arithmetic of each run that embedded passages into this index, first seen first
    /// (`"fp32"`, `"int8 Avx2"`, …). A record, not a check: int8 vectors stay within a cosine
    /// of 0.99 of fp32 ones (mean 0.999 on the bench passages), far closer than the
    /// similarities ranking tells apart, and queries are always fp32, so vectors of both
    /// precisions may share an index. Absent in indexes written before it existed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub precisions: Vec<String>,
    /// Some live passages of this commit may have no vector yet: `quarry watch` commits new
    /// passages lexically first and their vectors behind them. The next writer that opens the
    /// index embeds whatever live passage lacks a vector (see `index::update`). Absent (false)
    /// in every other commit, so such indexes read as before.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub vectors_pending: bool,
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
    /// Size in bytes when skipped: a file that has not changed since is not read (nor
    /// reported) again.
    #[serde(default)]
    pub size: u64,
    /// Modification time (ns since the epoch) when skipped.
    #[serde(default)]
    pub mtime_ns: i128,
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
    /// What the last walk of the roots reported (unreadable folders, symlink loops, dangling
    /// links, names that are not UTF-8), by path: each is reported again only when it changes.
    #[serde(default)]
    pub walk_warnings: BTreeMap<String, String>,
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
