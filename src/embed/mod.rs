//! Sentence embeddings: the [`Embedder`] trait the index and search use.

use crate::Result;
use std::path::PathBuf;

/// What identifies the model that made a set of vectors.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ModelInfo {
    /// Model name.
    pub name: String,
    /// Vector length.
    pub dims: usize,
    /// Hash of the weights file, hex.
    pub weights_hash: String,
}

/// Turns texts into L2-normalised vectors.
pub trait Embedder: Send + Sync {
    /// Which model this is.
    fn info(&self) -> &ModelInfo;
    /// Embeds a batch of texts.
    fn embed_batch(&self, texts: &[&str]) -> Result<Vec<Vec<f32>>>;
}

/// Where the model is installed: `QUARRY_MODEL_DIR`, else the user cache dir.
pub fn model_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("QUARRY_MODEL_DIR").filter(|d| !d.is_empty()) {
        return PathBuf::from(dir);
    }
    dirs::cache_dir().unwrap_or_else(std::env::temp_dir).join("quarry").join("models").join("all-MiniLM-L6-v2")
}
