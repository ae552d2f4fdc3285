//! What a search asks for: the query text, filters, mode, order and fusion settings.

use super::fusion;
use super::Filters;
use serde::Serialize;

/// Ranking mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    /// BM25 only.
    Lexical,
    /// Embedding similarity only.
    Semantic,
    /// Both, fused (a convex combination of normalised scores by default; see [`FusionParams`]).
    Hybrid,
}

/// Result order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortBy {
    /// Best first.
    Score,
    /// Newest note first (undated last).
    Date,
}

/// A search request.
#[derive(Debug, Clone)]
pub struct Request {
    /// Query text (may be empty when filters are given).
    pub query: String,
    /// Filters.
    pub filters: Filters,
    /// Maximum hits.
    pub limit: usize,
    /// Ranking mode.
    pub mode: Mode,
    /// Order.
    pub sort: SortBy,
    /// Semantic similarity floor.
    pub floor: f32,
    /// Fusion settings.
    pub fusion: FusionParams,
}

/// Hybrid fusion settings (tuned on SciFact train queries; see the README's Quality section).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FusionParams {
    /// RRF `k`.
    pub k: f32,
    /// Weight of the lexical list.
    pub lexical_weight: f32,
    /// Weight of the semantic list.
    pub semantic_weight: f32,
    /// How deep each list goes.
    pub depth: usize,
    /// Reciprocal rank fusion, or a convex combination of normalised scores.
    pub method: FusionMethod,
    /// Lexical share in the convex combination.
    pub alpha: f32,
}

/// How hybrid mode fuses its two lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FusionMethod {
    /// Reciprocal rank fusion ([`fusion::rrf`]).
    Rrf,
    /// Convex combination of BM25/max and cosine ([`fusion::convex`]).
    Convex,
}

impl Default for FusionParams {
    fn default() -> Self {
        // Tuned on SciFact train queries (nDCG@10): RRF k=60 0.713, k=20 0.717;
        // convex alpha 0.2 0.730, 0.25 0.729, 0.3 0.732, 0.35 0.728, 0.4 0.728, 0.5 0.723.
        FusionParams {
            method: FusionMethod::Convex,
            alpha: 0.3,
            k: fusion::RRF_K,
            lexical_weight: 1.0,
            semantic_weight: 1.0,
            depth: FUSION_DEPTH,
        }
    }
}

/// The lexical share of hybrid fusion for a query that is mostly Chinese, Japanese or
/// Korean. all-MiniLM-L6-v2 is an English model: for such text its similarities say little,
/// and at the default 0.3 a semantic-only passage with a middling cosine outranks the
/// passage that holds the words asked for. At 0.9 the lexical matches come first and
/// similarity only orders them.
pub const CJK_ALPHA: f32 = 0.9;

impl FusionParams {
    /// The settings for one query's free text: a mostly-CJK query leans on the lexical side
    /// ([`CJK_ALPHA`]; with reciprocal rank fusion, the semantic list weighs a tenth).
    pub fn for_query(self, text: &str) -> FusionParams {
        if !crate::index::cjk::mostly_cjk(text) {
            return self;
        }
        FusionParams {
            alpha: self.alpha.max(CJK_ALPHA),
            semantic_weight: self
                .semantic_weight
                .min(self.lexical_weight * (1.0 - CJK_ALPHA)),
            ..self
        }
    }
}

/// Semantic-only hits below this cosine similarity are dropped, so a nonsense query returns
/// nothing rather than the least-bad noise. Tuned on SciFact train queries (README, Quality).
pub const SIMILARITY_FLOOR: f32 = 0.3;

/// How deep each list goes before fusion.
pub const FUSION_DEPTH: usize = 100;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cjk_queries_lean_on_the_lexical_side() {
        let f = FusionParams::default();
        assert_eq!(f.for_query("embed a file"), f);
        assert_eq!(
            f.for_query("ファイル embed"),
            f,
            "half CJK letters or fewer: unchanged"
        );
        let cjk = f.for_query("ファイルを埋め込む");
        assert_eq!(cjk.alpha, CJK_ALPHA);
        assert!(cjk.semantic_weight < 0.2 * cjk.lexical_weight);
        assert_eq!(f.for_query("자동 임베딩").alpha, CJK_ALPHA);
    }
}
