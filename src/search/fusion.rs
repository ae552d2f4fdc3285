//! How hybrid mode combines its lexical and semantic lists: a convex combination of
//! normalised scores ([`convex`], the default, tuned on SciFact train queries), or
//! reciprocal rank fusion ([`rrf`], `quarry eval --rrf`).
//!
//! Reciprocal rank fusion (Cormack, Clarke & Büttcher, SIGIR 2009):
//! `score(d) = Σ_lists w / (k + rank(d))`, ranks 1-based. It needs no score normalisation,
//! so BM25 and cosine lists combine without calibration, and an exact word or number match
//! at the top of the lexical list keeps a high fused score. Ties break by key, so the order
//! is stable.

use std::collections::HashMap;
use std::hash::Hash;

/// Default `k` (the paper's 60).
pub const RRF_K: f32 = 60.0;

/// Fuses ranked lists (best first) with per-list weights; returns `(key, score)` best first.
pub fn rrf<K: Clone + Eq + Hash + Ord>(lists: &[(&[K], f32)], k: f32) -> Vec<(K, f32)> {
    let mut scores: HashMap<K, f32> = HashMap::new();
    for (list, weight) in lists {
        for (i, key) in list.iter().enumerate() {
            *scores.entry(key.clone()).or_default() += weight / (k + i as f32 + 1.0);
        }
    }
    let mut out: Vec<(K, f32)> = scores.into_iter().collect();
    out.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    out
}

/// Convex combination of normalised scores (Bruch, Gai & Ingber, "An Analysis of Fusion
/// Functions for Hybrid Retrieval", TOIS 2023): `alpha · bm25/max_bm25 + (1 − alpha) · cosine`.
/// `lexical` holds BM25 scores; `semantic` must hold the cosine of *every* key (callers compute
/// it exactly for lexical-only keys). Keys missing from `lexical` score 0 there.
pub fn convex<K: Clone + Eq + Hash + Ord>(
    lexical: &[(K, f32)],
    semantic: &HashMap<K, f32>,
    alpha: f32,
) -> Vec<(K, f32)> {
    let max = lexical.iter().map(|(_, s)| *s).fold(0f32, f32::max);
    let lex: HashMap<&K, f32> = lexical
        .iter()
        .map(|(k, s)| (k, if max > 0.0 { s / max } else { 0.0 }))
        .collect();
    let mut out: Vec<(K, f32)> = semantic
        .iter()
        .map(|(k, cos)| {
            (
                k.clone(),
                alpha * lex.get(k).copied().unwrap_or(0.0) + (1.0 - alpha) * cos,
            )
        })
        .collect();
    out.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn fuses_by_rank() {
        let a = ["x", "y", "z"];
        let b = ["y", "w"];
        let fused = rrf(&[(&a[..], 1.0), (&b[..], 1.0)], 60.0);
        let keys: Vec<&str> = fused.iter().map(|(k, _)| *k).collect();
        assert_eq!(keys, vec!["y", "x", "w", "z"]);
        assert!((fused[0].1 - (1.0 / 62.0 + 1.0 / 61.0)).abs() < 1e-7);
    }

    #[test]
    fn convex_mixes_normalised_scores() {
        let lex = [("a", 10.0), ("b", 5.0)];
        let sem: HashMap<&str, f32> = [("a", 0.2), ("b", 0.6), ("c", 0.7)].into_iter().collect();
        let fused = convex(&lex, &sem, 0.5);
        let keys: Vec<&str> = fused.iter().map(|(k, _)| *k).collect();
        assert_eq!(keys, vec!["a", "b", "c"]);
        assert!((fused[0].1 - 0.6).abs() < 1e-6 && (fused[1].1 - 0.55).abs() < 1e-6);
    }

    /// Equal fused scores are ordered by key: twenty keys, each first in a list of its own,
    /// all score `1/61`, and come out sorted whatever order the lists (or the hash map inside
    /// `rrf`) hold them in.
    #[test]
    fn ties_break_by_key() {
        let keys: Vec<u32> = (0..20).rev().collect();
        let lists: Vec<[u32; 1]> = keys.iter().map(|k| [*k]).collect();
        let lists: Vec<(&[u32], f32)> = lists.iter().map(|l| (&l[..], 1.0)).collect();
        let fused = rrf(&lists, 60.0);
        let order: Vec<u32> = fused.iter().map(|(k, _)| *k).collect();
        assert_eq!(order, (0..20).collect::<Vec<u32>>());
        assert!(fused.iter().all(|(_, s)| *s == 1.0 / 61.0));
    }

    /// A ranking lists each key once: keeps the first occurrence of each.
    fn ranking(v: Vec<u32>) -> Vec<u32> {
        let mut seen = std::collections::HashSet::new();
        v.into_iter().filter(|k| seen.insert(*k)).collect()
    }

    proptest! {
        /// Every key of either list comes out once, with the RRF sum of its ranks as score,
        /// best first and ties by key; the result does not depend on the order of the lists.
        #[test]
        fn stable_and_complete(a in proptest::collection::vec(0u32..50, 0..30), b in proptest::collection::vec(0u32..50, 0..30)) {
            let (a, b) = (ranking(a), ranking(b));
            let one = rrf(&[(&a[..], 1.0), (&b[..], 1.0)], 60.0);
            let swapped = rrf(&[(&b[..], 1.0), (&a[..], 1.0)], 60.0);
            prop_assert_eq!(&one, &swapped);
            for w in one.windows(2) {
                prop_assert!(w[0].1 > w[1].1 || (w[0].1 == w[1].1 && w[0].0 < w[1].0));
            }
            let term = |list: &[u32], key: u32| {
                list.iter().position(|k| *k == key).map_or(0.0, |i| 1.0 / (60.0 + i as f32 + 1.0))
            };
            for (key, score) in &one {
                let want = term(&a, *key) + term(&b, *key);
                prop_assert!((score - want).abs() < 1e-7, "{}: {} != {}", key, score, want);
            }
            let mut all: Vec<u32> = a.iter().chain(b.iter()).copied().collect();
            all.sort(); all.dedup();
            let mut got: Vec<u32> = one.iter().map(|(k, _)| *k).collect();
            got.sort();
            prop_assert_eq!(got, all);
        }
    }
}
