//! Claims: what the notes said about an entity (a company, product or person), as a
//! timeline with repeats folded.
//!
//! The pipeline is one tantivy query and a little work on its result:
//!
//! 1. [`entity`] resolves the name (its page, aliases) and builds the query for the
//!    entity's passages; the search filters are intersected with it inside the index;
//! 2. [`about`] keeps the passages relevant to `--about`, when given;
//! 3. the passages are put in timeline order (note date, oldest first, undated last);
//! 4. [`fold`] folds near-duplicates (same numbers, mostly the same words, different
//!    notes) into one entry headed by the earliest.
//!
//! All of the entity's passages are read (there is no top-k to starve: `-n` cuts the
//! entries after folding). Folding only ever looks at that set.

pub mod about;
pub mod entity;
pub mod fold;
pub mod quantity;
pub mod units;

pub use entity::{known, Entity, Known};
pub use fold::{same_claim, ClaimKey, KeyMaker};

use crate::index::Store;
use crate::search::{filter, load_hit, Engine, Filters, Hit};
use crate::Result;
use tantivy::collector::DocSetCollector;
use tantivy::query::{BooleanQuery, ConstScoreQuery, Occur, Query};
use tantivy::Searcher;

/// A claims request.
#[derive(Debug, Clone)]
pub struct Request {
    /// The entity, as asked.
    pub entity: String,
    /// Keep only passages about this topic (query syntax).
    pub about: Option<String>,
    /// Search filters, applied inside the index.
    pub filters: Filters,
    /// Newest first (undated entries stay last).
    pub reverse: bool,
    /// Most entries to return.
    pub limit: usize,
}

/// One claim: the earliest passage stating it, and where else it was seen.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    /// The earliest passage.
    pub head: Hit,
    /// The same claim in other notes, oldest first.
    pub also: Vec<Hit>,
}

/// What [`find`] returns.
#[derive(Debug, Clone)]
pub struct Timeline {
    /// The resolved entity.
    pub entity: Entity,
    /// Entries in the requested order, at most `limit`.
    pub entries: Vec<Entry>,
    /// Entries before the limit cut.
    pub total: usize,
    /// Passages read (before folding).
    pub passages: usize,
}

/// The entity's timeline through the search engine: `--about` also matches by meaning when
/// the index has vectors (which then needs the model, loaded by the engine).
pub fn timeline(engine: &Engine, req: &Request) -> Result<Timeline> {
    let topic = req.about.as_deref().unwrap_or("");
    let text = crate::search::semantic_text(topic)?;
    let semantic = req.about.is_some() && engine.has_vectors() && !text.trim().is_empty();
    engine.with_semantic(semantic, &text, |parts| {
        let store = engine.store();
        find(store, &store.searcher(), req, parts)
    })
}

/// Finds, orders and folds the entity's claims.
pub fn find(
    store: &Store,
    searcher: &Searcher,
    req: &Request,
    semantic: Option<&crate::search::SemanticParts<'_>>,
) -> Result<Timeline> {
    let entity = Entity::resolve(store, searcher, &req.entity)?;
    let mut parts: Vec<(Occur, Box<dyn Query>)> =
        vec![(Occur::Must, entity.query(&store.fields, searcher)?)];
    for f in filter::filter_queries(&store.fields, searcher, &req.filters)? {
        parts.push((Occur::Must, Box::new(ConstScoreQuery::new(f, 0.0))));
    }
    let scope = BooleanQuery::new(parts);
    let mut addrs = searcher.search(&scope, &DocSetCollector)?;
    if let Some(topic) = req.about.as_deref() {
        let keep = about::relevant(store, searcher, &scope, topic, semantic)?;
        addrs.retain(|a| keep.contains(a));
    }
    let mut hits = addrs
        .into_iter()
        .map(|a| load_hit(searcher, &store.fields, a, 0.0))
        .collect::<Result<Vec<Hit>>>()?;
    hits.sort_by(|a, b| timeline_key(a).cmp(&timeline_key(b)));
    let passages = hits.len();
    let mut maker = KeyMaker::new(entity.names.iter().map(String::as_str));
    let keys: Vec<ClaimKey> = hits.iter().map(|h| maker.key(&h.text)).collect();
    let notes: Vec<&str> = hits.iter().map(|h| h.path.as_str()).collect();
    let groups = fold::fold(&keys, &notes);
    let mut slots: Vec<Option<Hit>> = hits.into_iter().map(Some).collect();
    let mut entries: Vec<Entry> = groups
        .into_iter()
        .map(|g| {
            let mut members = g
                .into_iter()
                .map(|i| slots[i].take().expect("one group each"));
            let head = members.next().expect("groups are not empty");
            Entry {
                head,
                also: members.collect(),
            }
        })
        .collect();
    if req.reverse {
        // Newest first; undated entries have no place in time and stay last.
        let undated = entries.iter().filter(|e| e.head.date.is_none()).count();
        let dated = entries.len() - undated;
        entries[..dated].reverse();
    }
    let total = entries.len();
    entries.truncate(req.limit);
    Ok(Timeline {
        entity,
        entries,
        total,
        passages,
    })
}

/// Timeline order: dated before undated, then by date, path and line.
fn timeline_key(h: &Hit) -> (bool, Option<&str>, &str, u64) {
    (h.date.is_none(), h.date.as_deref(), h.path.as_str(), h.line)
}
