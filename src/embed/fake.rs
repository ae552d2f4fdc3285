//! A deterministic stand-in for the real model, for unit tests of indexing logic only.
//!
//! Each word is lowercased, cut to a crude stem (its first six letters) and hashed with xxh3
//! into one of 384 dimensions with a ±1 sign (the "hashing trick", Weinberger et al. 2009);
//! the sum is L2-normalised. Texts sharing words therefore have a positive cosine, texts
//! without shared words are near 0, and the same text always gives the same bits, on any
//! machine. It knows nothing of meaning: never use it to test search quality.

use super::{Embedder, ModelInfo, DIMS};
use crate::Result;
use xxhash_rust::xxh3::xxh3_64;

/// Hash-based [`Embedder`] for tests; see the module doc.
#[derive(Debug, Clone)]
pub struct FakeEmbedder {
    info: ModelInfo,
}

impl FakeEmbedder {
    /// A fake model named `fake/hashed-words`, 384 dims, `weights_hash` `"0"*32`.
    pub fn new() -> Self {
        FakeEmbedder {
            info: ModelInfo {
                name: "fake/hashed-words".to_string(),
                dims: DIMS,
                weights_hash: "0".repeat(32),
            },
        }
    }

    /// Embeds one text.
    pub fn embed(&self, text: &str) -> Vec<f32> {
        let mut v = vec![0f32; DIMS];
        for word in text
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
        {
            let lower = word.to_lowercase();
            let stem: String = lower.chars().take(6).collect();
            let h = xxh3_64(stem.as_bytes());
            let sign = if h >> 63 == 0 { 1.0 } else { -1.0 };
            v[(h % DIMS as u64) as usize] += sign;
        }
        let norm = v.iter().map(|x| x * x).sum::<f32>().sqrt();
        if norm == 0.0 {
            // No words: a fixed unit vector, so every output is normalised.
            v[0] = 1.0;
        } else {
            v.iter_mut().for_each(|x| *x /= norm);
        }
        v
    }
}

impl Default for FakeEmbedder {
    fn default() -> Self {
        Self::new()
    }
}

impl Embedder for FakeEmbedder {
    fn info(&self) -> &ModelInfo {
        &self.info
    }

    fn embed_batch(&self, texts: &[&str]) -> Result<Vec<Vec<f32>>> {
        Ok(texts.iter().map(|t| self.embed(t)).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::embed::cosine;

    #[test]
    fn deterministic_normalised_and_word_based() {
        let f = FakeEmbedder::new();
        let a = f.embed("Rotate the SSH keys on the storage cluster");
        assert_eq!(a, f.embed("Rotate the SSH keys on the storage cluster"));
        assert_eq!(a.len(), DIMS);
        assert!((a.iter().map(|x| x * x).sum::<f32>() - 1.0).abs() < 1e-5);
        // "clusters" and "cluster" share the stem "cluste"; "storage" is shared as is.
        let b = f.embed("storage clusters");
        let c = f.embed("quarterly revenue forecast");
        assert!(cosine(&a, &b) > 0.3);
        assert!(cosine(&a, &b) > cosine(&a, &c));
        assert_eq!(f.embed("").len(), DIMS);
        assert_eq!(f.embed_batch(&["x", "y"]).unwrap().len(), 2);
    }
}
