//! The library's error type. Commands wrap these in `anyhow` with context; `main` prints the
//! whole chain once and maps it to exit status 2.
//!
//! Each state of the index a user can meet (missing, damaged, locked, built with another
//! model, not ours) has its own variant, and the variant's message carries its fix, written
//! once here rather than at every place that detects it.

use std::path::PathBuf;

/// The fix for a damaged index, named in several messages.
const REBUILD: &str = "run `quarry index --rebuild`";

/// Everything the library can fail with.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// An I/O error on a path.
    #[error("{path}: {source}")]
    Io {
        /// The file or folder involved.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// The tantivy index failed.
    #[error(transparent)]
    Tantivy(#[from] tantivy::TantivyError),
    /// A query or filter could not be understood.
    #[error("{0}")]
    Query(String),
    /// No index exists at the folder.
    #[error("no index at {}; run `quarry index <notes folder>` first (or pass --index DIR)", dir.display())]
    NoIndex {
        /// The index folder.
        dir: PathBuf,
    },
    /// The folder holds a tantivy index but no completed quarry commit.
    #[error("{} has no completed quarry commit; run `quarry index <notes folder>`", dir.display())]
    NoCommit {
        /// The index folder.
        dir: PathBuf,
    },
    /// A file of the index is unreadable or inconsistent.
    #[error("{} is damaged ({detail}); {REBUILD}", path.display())]
    Damaged {
        /// The index folder or the damaged file.
        path: PathBuf,
        /// What is wrong.
        detail: String,
    },
    /// The index was written in another format version.
    #[error("{} has index format {found} but this quarry reads format {expected}; {REBUILD}", dir.display())]
    FormatVersion {
        /// The index folder.
        dir: PathBuf,
        /// The version on disk.
        found: u32,
        /// The version this build reads and writes.
        expected: u32,
    },
    /// Another `quarry index` holds the writer lock.
    #[error("another `quarry index` is writing to {} (lock file {}); wait for it to finish, then run again", dir.display(), lock.display())]
    Locked {
        /// The index folder.
        dir: PathBuf,
        /// The lock file.
        lock: PathBuf,
    },
    /// A long-lived writer (`quarry watch`, `quarry mcp --watch`) holds the writer lock.
    #[error("`{command}` (pid {pid}) is keeping {} up to date and holds its writer lock (lock file {}); it already indexes every change, so stop it first (`kill {pid}`) only if you need to run this yourself", dir.display(), lock.display())]
    WatcherLocked {
        /// The index folder.
        dir: PathBuf,
        /// The lock file.
        lock: PathBuf,
        /// The watcher's process id.
        pid: u32,
        /// Its command line, as typed (`quarry watch`).
        command: String,
    },
    /// The folder holds files quarry did not write: it is never cleared or written into.
    #[error("{} is not empty and is not a quarry index (it holds {holds}); choose another --index folder", dir.display())]
    NotAQuarryIndex {
        /// The folder.
        dir: PathBuf,
        /// A few of the foreign names, comma-separated.
        holds: String,
    },
    /// The folder holds a tantivy index quarry did not write (or of an older layout).
    #[error("{} holds an index that quarry did not write (or of an older layout); {REBUILD}", dir.display())]
    ForeignSchema {
        /// The index folder.
        dir: PathBuf,
    },
    /// The installed model is not the one that made the index's vectors.
    #[error("{} holds vectors from model {indexed} (weights {indexed_weights}), but the installed model is {installed} (weights {installed_weights}); vectors of two models cannot be mixed: {REBUILD}", dir.display())]
    ModelMismatch {
        /// The index folder.
        dir: PathBuf,
        /// The model that made the vectors.
        indexed: String,
        /// Its weights hash, shortened.
        indexed_weights: String,
        /// The installed model.
        installed: String,
        /// Its weights hash, shortened.
        installed_weights: String,
    },
    /// The index has vectors, but no model is installed to embed a query with.
    #[error("this index has embeddings from {model}, but no model is installed; run `quarry model install`, or search with --mode lexical")]
    NoModel {
        /// The model that made the vectors.
        model: String,
    },
    /// The index has vectors, so indexing new passages needs the model.
    #[error("{} holds embeddings from {model}, so new passages need them too; install the model (`quarry model install`) or drop semantic search with `quarry index --rebuild --no-embed`", dir.display())]
    NeedsModel {
        /// The index folder.
        dir: PathBuf,
        /// The model that made the vectors.
        model: String,
    },
    /// The index on disk cannot be used for another reason (named in the message).
    #[error("{0}")]
    Index(String),
    /// The embedding model is missing, broken or failed.
    #[error("{0}")]
    Model(String),
    /// A data set (evaluation collection) is malformed.
    #[error("{0}")]
    Data(String),
    /// An `entities.toml` (extra names for `quarry claims`) cannot be read.
    #[error("{}: {detail}; it maps each entity to its other names, as in `DDN = [\"DataDirect Networks\"]`", path.display())]
    Entities {
        /// The file, with `:line` when known.
        path: PathBuf,
        /// What is wrong.
        detail: String,
    },
}

/// The library's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// Wraps an I/O error with the path it happened on.
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.into(),
            source,
        }
    }

    /// A damaged index file or folder.
    pub fn damaged(path: impl Into<PathBuf>, detail: impl std::fmt::Display) -> Self {
        Error::Damaged {
            path: path.into(),
            detail: detail.to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_damage_message_names_the_rebuild_fix() {
        let dir = PathBuf::from("/tmp/ix");
        for e in [
            Error::damaged(&dir, "truncated meta.json"),
            Error::FormatVersion {
                dir: dir.clone(),
                found: 9,
                expected: 3,
            },
            Error::ForeignSchema { dir: dir.clone() },
            Error::ModelMismatch {
                dir: dir.clone(),
                indexed: "a".into(),
                indexed_weights: "1".into(),
                installed: "b".into(),
                installed_weights: "2".into(),
            },
        ] {
            let text = e.to_string();
            assert!(text.contains("/tmp/ix"), "{text}");
            assert!(text.ends_with("run `quarry index --rebuild`"), "{text}");
        }
        let locked = Error::Locked {
            dir: dir.clone(),
            lock: dir.join(".tantivy-writer.lock"),
        }
        .to_string();
        assert!(
            locked.contains("another `quarry index` is writing"),
            "{locked}"
        );
        assert!(locked.contains(".tantivy-writer.lock"), "{locked}");
    }
}
