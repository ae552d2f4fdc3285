//! The MCP tools' arguments, results and work, as plain functions over the search engine.
//!
//! Each tool has a typed argument struct (its JSON Schema is the tool's `inputSchema`) and a
//! typed result (its schema is the `outputSchema`). Results reuse the CLI's JSON types, so
//! an assistant sees exactly what `--json` prints: `search` returns [`Hit`]s, `claims`
//! returns [`JsonEntry`]s, `status` returns [`Stats`]. Filters go through the same
//! [`FilterInput`] as the flags. A problem with what was asked (a malformed query, a bad
//! date, an unknown path) is a [`ToolError`], which the server turns into a result with
//! `isError: true`, never a protocol error: the assistant reads the message and retries.

use crate::claims;
use crate::date::Date;
use crate::index::stats::{self, Stats};
use crate::render::claims::{json_entries, JsonEntry};
use crate::render::hyperlink::Linker;
use crate::search::{Engine, FilterInput, FusionParams, Hit, Mode, Request, SortBy};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::fmt::Write as _;

/// A tool-level failure: the message goes back to the assistant as an error result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ToolError(pub String);

impl<E: std::fmt::Display> From<E> for ToolError {
    fn from(e: E) -> Self {
        ToolError(e.to_string())
    }
}

/// What a tool returns: the structured value and a short text rendering of it.
pub type Outcome<T> = Result<(T, String), ToolError>;

/// One value or several (a repeatable filter).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(untagged)]
pub enum OneOrMany {
    /// One value.
    One(String),
    /// Several values.
    Many(Vec<String>),
}

impl OneOrMany {
    fn into_vec(self) -> Vec<String> {
        match self {
            OneOrMany::One(s) => vec![s],
            OneOrMany::Many(v) => v,
        }
    }
}

fn values(v: &Option<OneOrMany>) -> Vec<String> {
    v.clone().map(OneOrMany::into_vec).unwrap_or_default()
}

/// Ranking mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum ModeArg {
    /// BM25 over words.
    Lexical,
    /// Embedding similarity (meaning).
    Semantic,
    /// Both, fused (the default when the index has embeddings).
    Hybrid,
}

/// Result order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum SortArg {
    /// Best match first (default).
    Score,
    /// Newest note first.
    Date,
}

/// Declares a tool's argument struct with the filter fields `search` and `claims` share
/// (written out once here, so both schemas say the same), and its [`FilterInput`].
/// `serde(flatten)` would share them too, but serde cannot refuse unknown fields of a
/// flattened struct, and a misspelled filter (`tags` for `tag`) must be an error, not a
/// silently unfiltered search.
macro_rules! with_filters {
    ($(#[$meta:meta])* pub struct $name:ident { $($fields:tt)* }) => {
        $(#[$meta])*
        pub struct $name {
            $($fields)*
            /// Tag(s) the note must have; each must hold. Hierarchical: `type` matches
            /// `type/customer`. Lowercase, without `#`.
            #[serde(default)]
            pub tag: Option<OneOrMany>,
            /// The note's account (a customer or company); any may match; case-insensitive.
            #[serde(default)]
            pub account: Option<OneOrMany>,
            /// A participant of the meeting; any may match; case-insensitive.
            #[serde(default)]
            pub participant: Option<OneOrMany>,
            /// Notes dated on or after this: `YYYY-MM-DD`, or a span back from today such as
            /// `30d`, `2w`, `6m`, `1y`. Undated notes never pass a date filter.
            #[serde(default)]
            pub since: Option<String>,
            /// Notes dated on or before this (same formats as `since`).
            #[serde(default)]
            pub until: Option<String>,
            /// Passage kind(s): `fact` (a bullet), `action` (a task or action item),
            /// `decision`, `paragraph`, `row` (a table row); any may match.
            #[serde(default)]
            pub kind: Option<OneOrMany>,
            /// Note path glob(s) relative to the indexed folder (`Customers/**`, `*.txt`) or
            /// a folder (`Customers`); any may match.
            #[serde(default)]
            pub path: Option<OneOrMany>,
            /// Tag(s) on the passage's own line (`#task`, `#blocker`), not the note's; each
            /// must hold; hierarchical like `tag`.
            #[serde(default)]
            pub passage_tag: Option<OneOrMany>,
            /// Task status(es): `open`, `done`, `proposed`, `cancelled`, or a checkbox
            /// character such as `/`; any may match. Only task lines pass.
            #[serde(default)]
            pub status: Option<OneOrMany>,
            /// Task owner(s) (`@name` on the line, without the `@`); any may match;
            /// case-insensitive.
            #[serde(default)]
            pub owner: Option<OneOrMany>,
            /// Tasks due before this day (same formats as `since`, or `+7d` ahead).
            #[serde(default)]
            pub due_before: Option<String>,
            /// Tasks due after this day (same formats as `due_before`).
            #[serde(default)]
            pub due_after: Option<String>,
            /// Only open tasks due before today.
            #[serde(default)]
            pub overdue: Option<bool>,
        }

        impl $name {
            /// The filters as given, for [`FilterInput::check`].
            pub fn filter_input(&self) -> FilterInput {
                FilterInput {
                    tags: values(&self.tag),
                    accounts: values(&self.account),
                    participants: values(&self.participant),
                    since: self.since.clone(),
                    until: self.until.clone(),
                    kinds: values(&self.kind),
                    paths: values(&self.path),
                    passage_tags: values(&self.passage_tag),
                    statuses: values(&self.status),
                    owners: values(&self.owner),
                    due_before: self.due_before.clone(),
                    due_after: self.due_after.clone(),
                    overdue: self.overdue.unwrap_or(false),
                    // Paths are relative to a root: an assistant has no working folder.
                    cwd: None,
                }
            }
        }
    };
}

with_filters! {
/// `search` arguments. Filters apply inside the index, before ranking.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SearchArgs {
    /// What to look for. Plain words rank by relevance (any may match); `"exact phrase"`;
    /// `-word` excludes; `+word` requires; `prefix*`; `field:value` for `title`, `section`,
    /// `text`, `tag`, `account`, `participant`, `kind`. May be omitted when a filter is
    /// given: every passage that passes the filters then qualifies (`sort: "date"` for the
    /// newest first).
    #[serde(default)]
    pub query: Option<String>,
    /// `lexical` (words), `semantic` (meaning) or `hybrid` (both; the default when the
    /// index has embeddings).
    #[serde(default)]
    pub mode: Option<ModeArg>,
    /// Most passages to return (default 10, at most 200).
    #[serde(default)]
    pub limit: Option<u32>,
    /// `score` (best first, default) or `date` (newest note first).
    #[serde(default)]
    pub sort: Option<SortArg>,
}
}

/// `search` result: the ranked passages, each with exactly the fields of
/// `quarry search --json`.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, JsonSchema)]
pub struct SearchOutput {
    /// Passages, best first (or newest first with `sort: "date"`).
    pub hits: Vec<Hit>,
}

with_filters! {
/// `claims` arguments. Filters apply inside the index.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ClaimsArgs {
    /// The company, product or person (as written in the notes; aliases of its own note
    /// page count too).
    pub entity: String,
    /// Keep only passages about this topic (search query syntax; also matched by meaning
    /// when the index has embeddings).
    #[serde(default)]
    pub about: Option<String>,
    /// Only the newest claim of each thread (what is said now).
    #[serde(default)]
    pub latest: Option<bool>,
    /// Newest first instead of oldest first.
    #[serde(default)]
    pub reverse: Option<bool>,
    /// Most entries to return (default 50, at most 500).
    #[serde(default)]
    pub limit: Option<u32>,
}
}

/// `claims` result: the entity's claims in date order, repeats folded, each as one line
/// of `quarry claims ENTITY --json`.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, JsonSchema)]
pub struct ClaimsOutput {
    /// The entity as resolved (its page's name when it has one).
    pub entity: String,
    /// Claims before `limit` cut the list.
    pub total: usize,
    /// Entries, oldest first (newest first with `latest`).
    pub entries: Vec<JsonEntry>,
}

/// `status` arguments: none.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct StatusArgs {}

/// `status` result: `quarry stats --json`, plus whether a watcher keeps the index current.
#[derive(Debug, Serialize, JsonSchema)]
pub struct StatusOutput {
    /// What the index holds.
    #[serde(flatten)]
    pub stats: Stats,
    /// Whether a watcher (`quarry watch`, or this server's `--watch`) is keeping the index
    /// up to date as notes change. When false, the index is as of its last `quarry index`.
    pub watching: bool,
    /// The watcher's command and process id, when one is running.
    pub watcher: Option<String>,
}

/// Defaults from the resolved config (`mode`, `limit`, `min_similarity`, `hyperlink_format`).
#[derive(Debug, Clone)]
pub struct Defaults {
    /// The config's mode, if set.
    pub mode: Option<crate::cli::ModeArg>,
    /// The config's search limit.
    pub limit: usize,
    /// The config's similarity floor.
    pub floor: f32,
    /// Where each hit's `uri` points, as for `quarry search --json`.
    pub hyperlink: crate::render::hyperlink::Format,
}

/// The most passages one `search` returns.
const MAX_SEARCH_LIMIT: u32 = 200;
/// The most entries one `claims` returns.
const MAX_CLAIMS_LIMIT: u32 = 500;

fn limit(asked: Option<u32>, default: usize, max: u32) -> Result<usize, ToolError> {
    match asked {
        Some(0) => Err(ToolError("limit must be at least 1".into())),
        Some(n) => Ok(n.min(max) as usize),
        None => Ok(default.min(max as usize)),
    }
}

/// Runs `search`.
pub fn search(engine: &Engine, args: &SearchArgs, defaults: &Defaults) -> Outcome<SearchOutput> {
    let query = args.query.clone().unwrap_or_default();
    let filters = args.filter_input().check(Date::today())?;
    if query.trim().is_empty() && filters.is_empty() {
        return Err(ToolError(
            "give a query, or at least one filter (such as tag, account or since)".into(),
        ));
    }
    let mode = match (args.mode, defaults.mode) {
        (Some(ModeArg::Lexical), _) => Mode::Lexical,
        (Some(ModeArg::Semantic), _) => Mode::Semantic,
        (Some(ModeArg::Hybrid), _) => Mode::Hybrid,
        (None, Some(crate::cli::ModeArg::Lexical)) => Mode::Lexical,
        (None, Some(crate::cli::ModeArg::Semantic)) => Mode::Semantic,
        (None, Some(crate::cli::ModeArg::Hybrid)) => Mode::Hybrid,
        (None, None) => engine.default_mode(),
    };
    let req = Request {
        query,
        filters,
        limit: limit(args.limit, defaults.limit, MAX_SEARCH_LIMIT)?,
        mode,
        sort: match args.sort {
            Some(SortArg::Date) => SortBy::Date,
            _ => SortBy::Score,
        },
        floor: defaults.floor,
        fusion: FusionParams::default(),
    };
    let mut hits = engine.search(&req, false)?;
    Linker::for_hits(defaults.hyperlink.clone(), &hits).fill(&mut hits);
    let text = render_hits(&hits);
    Ok((SearchOutput { hits }, text))
}

/// The text form of hits: one block per hit, as a person would skim them.
fn render_hits(hits: &[Hit]) -> String {
    if hits.is_empty() {
        return "No passages match.".into();
    }
    let mut out = String::new();
    for (i, h) in hits.iter().enumerate() {
        let date = h.date.as_deref().unwrap_or("undated");
        let section = if h.section.is_empty() {
            String::new()
        } else {
            format!(" › {}", h.section)
        };
        let _ = writeln!(
            out,
            "{}. {}:{} — {} ({date}){section} [{}]\n   {}",
            i + 1,
            h.path,
            h.line,
            h.title,
            h.kind,
            h.text.replace('\n', "\n   ")
        );
    }
    out
}

/// Runs `claims`.
pub fn claims(engine: &Engine, args: &ClaimsArgs) -> Outcome<ClaimsOutput> {
    let entity = args.entity.trim();
    if entity.is_empty() {
        return Err(ToolError(
            "entity needs a name, such as a company or product".into(),
        ));
    }
    if args.about.as_deref().is_some_and(|a| a.trim().is_empty()) {
        return Err(ToolError(
            "about needs a topic, such as \"read throughput\", or leave it out".into(),
        ));
    }
    let req = claims::Request {
        entity: entity.to_string(),
        about: args.about.clone(),
        filters: args.filter_input().check(Date::today())?,
        reverse: args.reverse.unwrap_or(false),
        latest: args.latest.unwrap_or(false),
        limit: limit(args.limit, 50, MAX_CLAIMS_LIMIT)?,
        // `entities.toml` in the indexed folders names an entity's other spellings.
        aliases: claims::Aliases::for_index(engine.store(), None)?,
    };
    let timeline = claims::timeline(engine, &req)?;
    let entries: Vec<JsonEntry> = json_entries(&timeline, false);
    let mut text = String::new();
    if entries.is_empty() {
        text.push_str("No claims found.");
    }
    for e in &entries {
        let date = e.date.as_deref().unwrap_or("undated");
        let _ = writeln!(text, "{date}  {} ({}:{})", e.text, e.path, e.line);
        if !e.also.is_empty() {
            let _ = writeln!(text, "            also in {} notes", e.also.len());
        }
    }
    if entries.len() < timeline.total {
        let _ = writeln!(
            text,
            "({} of {} claims; raise limit to see more)",
            entries.len(),
            timeline.total
        );
    }
    let name = timeline
        .entity
        .names
        .first()
        .cloned()
        .unwrap_or_else(|| entity.to_string());
    Ok((
        ClaimsOutput {
            entity: name,
            total: timeline.total,
            entries,
        },
        text,
    ))
}

/// Runs `status`; `watcher` names the running watcher, if any.
pub fn status(engine: &Engine, watcher: Option<String>) -> Outcome<StatusOutput> {
    let stats = stats::collect(engine.store())?;
    let mut text = format!(
        "{} notes, {} passages ({} with vectors), dates {} to {}, model {}; ",
        stats.notes,
        stats.passages,
        stats.vectors,
        stats.first_date.as_deref().unwrap_or("none"),
        stats.last_date.as_deref().unwrap_or("none"),
        stats
            .model
            .as_deref()
            .unwrap_or("none (lexical search only)"),
    );
    match &watcher {
        Some(w) => {
            let _ = write!(text, "kept current by {w}");
        }
        None => text.push_str("no watcher: the index is as of the last `quarry index`"),
    }
    Ok((
        StatusOutput {
            stats,
            watching: watcher.is_some(),
            watcher,
        },
        text,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_filter_takes_one_value_or_a_list() {
        let one: SearchArgs =
            serde_json::from_value(serde_json::json!({"query": "x", "tag": "a"})).unwrap();
        let many: SearchArgs =
            serde_json::from_value(serde_json::json!({"tag": ["a", "b"], "kind": "action"}))
                .unwrap();
        assert_eq!(one.filter_input().tags, vec!["a"]);
        assert_eq!(many.filter_input().tags, vec!["a", "b"]);
        assert_eq!(many.filter_input().kinds, vec!["action"]);
        let unknown = serde_json::from_value::<SearchArgs>(serde_json::json!({"q": "x"}));
        assert!(unknown.is_err());
    }

    #[test]
    fn limits_are_checked_and_capped() {
        assert!(limit(Some(0), 10, 200).is_err());
        assert_eq!(limit(Some(5000), 10, 200), Ok(200));
        assert_eq!(limit(None, 10, 200), Ok(10));
        assert_eq!(limit(None, 1000, 200), Ok(200));
    }
}
