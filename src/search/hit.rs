//! The ranked passage every printer, the claims timeline and the JSON contract share.
//!
//! [`Hit`]'s serde form *is* the JSON Lines record of `quarry search --json` (README, "JSON
//! Lines"): one type, so a field cannot be added to one and forgotten in the other.

use crate::date::Date;
use crate::index::Fields;
use crate::Result;
use serde::{Deserialize, Serialize};
use tantivy::schema::Value;
use tantivy::{DocAddress, Searcher, TantivyDocument};

/// Why a hit ranked where it did.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, schemars::JsonSchema)]
pub struct Explain {
    /// 1-based rank in the lexical list.
    pub lexical_rank: Option<usize>,
    /// BM25 score.
    pub lexical_score: Option<f32>,
    /// 1-based rank in the semantic list.
    pub semantic_rank: Option<usize>,
    /// Cosine similarity.
    pub similarity: Option<f32>,
    /// Fused score.
    pub fused: Option<f32>,
}

/// One ranked passage.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, schemars::JsonSchema)]
pub struct Hit {
    /// Note path relative to its root.
    pub path: String,
    /// First line, 1-based.
    pub line: u64,
    /// Last line, 1-based.
    pub line_end: u64,
    /// Note title.
    pub title: String,
    /// Note date, `YYYY-MM-DD`.
    pub date: Option<String>,
    /// Account.
    pub account: Option<String>,
    /// Tags.
    pub tags: Vec<String>,
    /// Heading path, ` > `-joined.
    pub section: String,
    /// fact, action, decision, paragraph or row.
    pub kind: String,
    /// Task status (`" "`, `"x"`, `"?"`…) for task lines.
    pub task: Option<String>,
    /// Task status name: `open`, `done`, `proposed`, `cancelled`, or the checkbox character.
    pub status: Option<String>,
    /// Task owner: the first `@name` of an action, without the `@`.
    pub owner: Option<String>,
    /// Task due date (`📅`), `YYYY-MM-DD`.
    pub due: Option<String>,
    /// Task scheduled date (`⏳`).
    pub scheduled: Option<String>,
    /// Task start date (`🛫`).
    pub start: Option<String>,
    /// Task done date (`✅`).
    pub done: Option<String>,
    /// Task priority: `highest`, `high`, `medium`, `low`, `lowest`.
    pub priority: Option<String>,
    /// The passage's own inline tags (`tags` are the note's).
    pub passage_tags: Vec<String>,
    /// The folder the note was indexed from (absolute).
    pub root: String,
    /// The note's absolute path.
    pub abs_path: String,
    /// Passage text.
    pub text: String,
    /// Ranking score (BM25, cosine, or fused, by mode).
    pub score: f32,
    /// The passage's Obsidian block id (`[[Note#^anchor]]` links to it).
    #[serde(default)]
    pub anchor: Option<String>,
    /// A link that opens the note at the passage: `obsidian://open?…` in an Obsidian vault,
    /// else `file://…`, or the `--hyperlink-format` given (see [`crate::render::hyperlink`]).
    #[serde(default)]
    pub uri: Option<String>,
    /// Ranking details, with `--explain`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub explain: Option<Explain>,
    /// Hash of the embedding input (the vector key).
    #[serde(skip)]
    pub pid: u64,
    /// The note's `participants` (for claims' attribution; not in search's JSON).
    #[serde(skip)]
    pub participants: Vec<String>,
    /// The note's front matter `source` (for claims' attribution; not in search's JSON).
    #[serde(skip)]
    pub source: Option<String>,
}

/// Reads a stored passage.
pub fn load_hit(searcher: &Searcher, fields: &Fields, addr: DocAddress, score: f32) -> Result<Hit> {
    let doc: TantivyDocument = searcher.doc(addr)?;
    let text = |f| {
        doc.get_first(f)
            .and_then(|v| v.as_str())
            .unwrap_or("")
            .to_string()
    };
    let day = |f| {
        doc.get_first(f)
            .and_then(|v| v.as_datetime())
            .map(|d| Date::from_days(d.into_timestamp_secs().div_euclid(86_400) as i32).to_string())
    };
    let opt = |f| {
        doc.get_first(f)
            .and_then(|v| v.as_str())
            .map(str::to_string)
    };
    let pid = pid_of(searcher, addr).unwrap_or(0);
    let path = text(fields.path);
    let root = text(fields.root);
    let abs_path = std::path::Path::new(&root)
        .join(&path)
        .to_string_lossy()
        .into_owned();
    Ok(Hit {
        status: opt(fields.status),
        owner: opt(fields.owner),
        due: day(fields.due),
        scheduled: day(fields.scheduled),
        start: day(fields.start),
        done: day(fields.done),
        priority: opt(fields.priority),
        passage_tags: doc
            .get_all(fields.passage_tags)
            .filter_map(|v| v.as_str())
            .map(str::to_string)
            .collect(),
        root,
        abs_path,
        path,
        line: doc
            .get_first(fields.line)
            .and_then(|v| v.as_u64())
            .unwrap_or(0),
        line_end: doc
            .get_first(fields.line_end)
            .and_then(|v| v.as_u64())
            .unwrap_or(0),
        title: text(fields.title),
        date: day(fields.date),
        account: doc
            .get_first(fields.account)
            .and_then(|v| v.as_str())
            .map(str::to_string),
        tags: doc
            .get_all(fields.tags)
            .filter_map(|v| v.as_str())
            .map(str::to_string)
            .collect(),
        section: text(fields.section),
        kind: text(fields.kind),
        task: doc
            .get_first(fields.task)
            .and_then(|v| v.as_str())
            .map(str::to_string),
        text: text(fields.text),
        score,
        anchor: doc
            .get_first(fields.anchor)
            .and_then(|v| v.as_str())
            .map(str::to_string),
        uri: None,
        explain: None,
        pid,
        participants: doc
            .get_all(fields.participant)
            .filter_map(|v| v.as_str())
            .map(str::to_string)
            .collect(),
        source: doc
            .get_first(fields.source)
            .and_then(|v| v.as_str())
            .map(str::to_string),
    })
}

/// The passage id (vector key) of a document.
pub(crate) fn pid_of(searcher: &Searcher, addr: DocAddress) -> Option<u64> {
    searcher
        .segment_reader(addr.segment_ord)
        .fast_fields()
        .u64("pid")
        .ok()?
        .first(addr.doc_id)
}
