//! JSON Lines: one flat object per hit. The field names are a public contract (README,
//! "JSON output"); tests decode them with serde.

use crate::search::{Explain, Hit};
use serde::{Deserialize, Serialize};
use std::io::Write;

/// The JSON object printed per hit.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct JsonHit {
    /// Note path relative to the indexed root.
    pub path: String,
    /// First line of the passage, 1-based.
    pub line: u64,
    /// Last line of the passage, 1-based.
    pub line_end: u64,
    /// Note title.
    pub title: String,
    /// Note date `YYYY-MM-DD`, or null.
    pub date: Option<String>,
    /// Account, or null.
    pub account: Option<String>,
    /// Note tags.
    pub tags: Vec<String>,
    /// Heading path joined with ` > `.
    pub section: String,
    /// fact, action, decision or paragraph.
    pub kind: String,
    /// Task status character for task lines (`" "`, `"x"`, `"?"`), else null.
    pub task: Option<String>,
    /// Passage text.
    pub text: String,
    /// Score of the ranking mode used.
    pub score: f32,
    /// With `--explain`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub explain: Option<ExplainJson>,
}

/// `explain` object.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ExplainJson {
    /// Rank in the lexical list.
    pub lexical_rank: Option<usize>,
    /// BM25 score.
    pub lexical_score: Option<f32>,
    /// Rank in the semantic list.
    pub semantic_rank: Option<usize>,
    /// Cosine similarity.
    pub similarity: Option<f32>,
    /// Fused score.
    pub fused: Option<f32>,
}

impl From<&Explain> for ExplainJson {
    fn from(e: &Explain) -> Self {
        ExplainJson {
            lexical_rank: e.lexical_rank,
            lexical_score: e.lexical_score,
            semantic_rank: e.semantic_rank,
            similarity: e.similarity,
            fused: e.fused,
        }
    }
}

impl From<&Hit> for JsonHit {
    fn from(h: &Hit) -> Self {
        JsonHit {
            path: h.path.clone(),
            line: h.line,
            line_end: h.line_end,
            title: h.title.clone(),
            date: h.date.clone(),
            account: h.account.clone(),
            tags: h.tags.clone(),
            section: h.section.clone(),
            kind: h.kind.clone(),
            task: h.task.clone(),
            text: h.text.clone(),
            score: h.score,
            explain: h.explain.as_ref().map(ExplainJson::from),
        }
    }
}

/// Writes one hit as a JSON line.
pub fn write_json_line(out: &mut dyn Write, hit: &Hit) -> std::io::Result<()> {
    serde_json::to_writer(&mut *out, &JsonHit::from(hit))?;
    out.write_all(b"\n")
}
