//! The library's error type. Commands wrap these in `anyhow` with context; `main` prints the
//! whole chain once and maps it to exit status 2.

use std::path::PathBuf;

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
    /// The index on disk is missing, damaged or of another version or model.
    #[error("{0}")]
    Index(String),
    /// The embedding model is missing, broken or failed.
    #[error("{0}")]
    Model(String),
    /// A data set (evaluation collection) is malformed.
    #[error("{0}")]
    Data(String),
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
}
