//! Claims: what the notes said about an entity (a company, product or person), when, by
//! whom, and what changed since, as threads of dated claims.
//!
//! The pipeline is one tantivy query and a little work on its result:
//!
//! 1. [`entity`] resolves the name (its page, its aliases, [`aliases`] from
//!    `entities.toml`) and builds the query for the entity's passages; the search filters
//!    except the dates are intersected with it inside the index;
//! 2. every passage is read once: its quantities ([`quantity`], over the tables of
//!    [`units`]) and its own date ([`dates`]: a leading date, a dated heading, else the
//!    note's); `--since/--until` keep the passages whose *claim* date falls inside;
//! 3. [`about`] keeps the passages about `--about`'s topic: by words, by meaning, or by a
//!    dimension the topic names ([`topics`]);
//! 4. [`thread`] groups the claims into threads (entity · dimension · aspects), folds
//!    restatements, marks the latest and each change; statements without a quantity fold by
//!    wording ([`fold`]).
//!
//! All of the entity's passages are read (there is no top-k to starve: `-n` cuts the
//! entries after threading), so every step after the index sees the whole set, and nothing
//! in it compares every passage with every other.

pub mod about;
pub mod aliases;
pub mod dates;
pub mod entity;
pub mod fold;
pub mod quantity;
pub mod thread;
pub mod topics;
pub mod units;

pub use aliases::Aliases;
pub use entity::{known, known_with, Entity, Known};
pub use fold::{same_claim, ClaimKey, KeyMaker};
pub use thread::{Change, Claim, Direction, Entry, Seen, Thread};

use crate::index::Store;
use crate::search::{filter, load_hit, Engine, Filters};
use crate::{Error, Result};
use tantivy::collector::DocSetCollector;
use tantivy::query::{BooleanQuery, ConstScoreQuery, Occur, Query};
use tantivy::{DocAddress, Searcher};

/// Entries `quarry claims` prints unless `-n` says otherwise.
pub const DEFAULT_LIMIT: usize = 50;

/// A claims request.
#[derive(Debug, Clone)]
pub struct Request {
    /// The entity, as asked.
    pub entity: String,
    /// Keep only passages about this topic (query syntax).
    pub about: Option<String>,
    /// Search filters: all but the dates applied inside the index; the dates apply to each
    /// claim's own date.
    pub filters: Filters,
    /// Newest first (undated entries stay last).
    pub reverse: bool,
    /// Only the newest claim of each thread.
    pub latest: bool,
    /// Most entries to return.
    pub limit: usize,
    /// Extra names from `entities.toml`.
    pub aliases: Aliases,
}

impl Request {
    /// A request for an entity's whole timeline.
    pub fn new(entity: &str) -> Request {
        Request {
            entity: entity.to_string(),
            about: None,
            filters: Filters::default(),
            reverse: false,
            latest: false,
            limit: DEFAULT_LIMIT,
            aliases: Aliases::default(),
        }
    }
}

/// What [`find`] returns.
#[derive(Debug, Clone)]
pub struct Timeline {
    /// The resolved entity.
    pub entity: Entity,
    /// Threads in order (quantity threads by their first claim, statements last), their
    /// entries cut to `limit` in that order.
    pub threads: Vec<Thread>,
    /// Entries before the limit cut.
    pub total: usize,
    /// Passages that passed the filters and the topic (before folding).
    pub passages: usize,
}

impl Timeline {
    /// Every entry with its thread, in print order.
    pub fn entries(&self) -> impl Iterator<Item = (&Thread, &Entry)> {
        self.threads
            .iter()
            .flat_map(|t| t.entries.iter().map(move |e| (t, e)))
    }

    /// The number of entries.
    pub fn len(&self) -> usize {
        self.threads.iter().map(|t| t.entries.len()).sum()
    }

    /// No entry.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// A thread's name: `DDN · throughput · sustained read`.
    pub fn thread_name(&self, t: &Thread) -> String {
        format!("{} · {}", self.entity.display, t.label)
    }
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

/// Finds, dates, threads and folds the entity's claims.
pub fn find(
    store: &Store,
    searcher: &Searcher,
    req: &Request,
    semantic: Option<&crate::search::SemanticParts<'_>>,
) -> Result<Timeline> {
    let entity = Entity::resolve_with(store, searcher, &req.entity, &req.aliases)?;
    let (since, until) = (req.filters.since, req.filters.until);
    if let (Some(s), Some(u)) = (since, until) {
        if s > u {
            return Err(Error::Query(format!(
                "--since {s} is after --until {u}; nothing can match"
            )));
        }
    }
    // The index's `date` is the note's, and a claim's own date may differ (a log bullet of
    // 2024-11 in a note last edited 2025-12), so the date bounds are not asked of the index.
    // Every other filter is. All of the entity's passages that pass them are read anyway
    // (there is no top-k), so testing each claim's date after reading is exact, not a
    // post-filter of a cut list.
    let in_index = Filters {
        since: None,
        until: None,
        ..req.filters.clone()
    };
    let mut parts: Vec<(Occur, Box<dyn Query>)> =
        vec![(Occur::Must, entity.query(&store.fields, searcher)?)];
    for f in filter::filter_queries(&store.fields, searcher, &in_index)? {
        parts.push((Occur::Must, Box::new(ConstScoreQuery::new(f, 0.0))));
    }
    let scope = BooleanQuery::new(parts);
    let mut addrs: Vec<DocAddress> = searcher
        .search(&scope, &DocSetCollector)?
        .into_iter()
        .collect();
    addrs.sort_unstable();
    let relevance = match req.about.as_deref() {
        Some(topic) => Some(about::Relevance::compute(
            store, searcher, &scope, topic, semantic,
        )?),
        None => None,
    };
    let named = relevance.as_ref().map(|r| &r.named);
    let mut claims = Vec::new();
    for addr in addrs {
        let hit = load_hit(searcher, &store.fields, addr, 0.0)?;
        let quantities = quantity::parse(&hit.text);
        let about = match &relevance {
            Some(r) => match r.why(addr, &quantities) {
                Some(why) => Some(why),
                None => continue,
            },
            None => None,
        };
        let mut claim = Claim::new(hit, quantities, named);
        if (since.is_some() || until.is_some())
            && !claim.date.period.is_some_and(|p| p.overlaps(since, until))
        {
            continue;
        }
        claim.about = about;
        claims.push(claim);
    }
    let passages = claims.len();
    let mut threads = thread::build(claims, &entity.names);
    if req.latest {
        threads.retain(|t| t.key.is_some());
        for t in &mut threads {
            t.entries.retain(|e| e.latest);
        }
    }
    if req.reverse {
        reverse(&mut threads);
    }
    let total = threads.iter().map(|t| t.entries.len()).sum();
    let mut left = req.limit;
    for t in &mut threads {
        t.entries.truncate(left);
        left -= t.entries.len();
    }
    threads.retain(|t| !t.entries.is_empty());
    Ok(Timeline {
        entity,
        threads,
        total,
        passages,
    })
}

/// Newest first: each thread's dated entries reversed (undated ones have no place in time
/// and stay last), threads by their newest claim; statements stay last.
fn reverse(threads: &mut [Thread]) {
    for t in threads.iter_mut() {
        let dated = t
            .entries
            .iter()
            .filter(|e| e.claim.date.period.is_some())
            .count();
        t.entries[..dated].reverse();
    }
    let newest = |t: &Thread| t.entries.iter().filter_map(|e| e.claim.date.period).max();
    let n = threads.iter().filter(|t| t.key.is_some()).count();
    threads[..n].sort_by_key(|t| std::cmp::Reverse(newest(t)));
}
