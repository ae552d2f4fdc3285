//! Semantic ranking: exact cosine similarity over every passage that passes the filters
//! (filter first, then top-k), with the query embedded as late as possible so the model can
//! load on another core meanwhile.

use super::lexical::clause_query;
use super::query::{self, Occur, Target};
use super::{filter_query, Filters, Request};
use crate::embed::Embedder;
use crate::index::vectors::VectorStore;
use crate::index::Store;
use crate::{Error, Result};
use tantivy::query::{BooleanQuery, Query};
use tantivy::{DocAddress, Searcher};

/// What semantic ranking needs: the model (to embed the query) and the stored vectors.
pub struct SemanticParts<'a> {
    /// Embeds the query's semantic text (see [`semantic_text`]). It is called only once the
    /// candidates are gathered, so a caller can load the model on another thread meanwhile.
    pub embed: &'a (dyn Fn(&str) -> Result<Vec<f32>> + Sync),
    /// The index's vectors.
    pub vectors: &'a VectorStore,
}

impl<'a> SemanticParts<'a> {
    /// Parts that embed with an already loaded model.
    pub fn embedding_with(
        embed: &'a (dyn Fn(&str) -> Result<Vec<f32>> + Sync),
        vectors: &'a VectorStore,
    ) -> Self {
        SemanticParts { embed, vectors }
    }
}

/// A query embedder over a loaded model, for [`SemanticParts::embed`].
pub fn embedder_fn(embedder: &dyn Embedder) -> impl Fn(&str) -> Result<Vec<f32>> + Sync + '_ {
    move |text: &str| embed_query(embedder, text)
}

/// The words a query is embedded as: its positive free-text clauses.
pub fn semantic_text(query_text: &str) -> Result<String> {
    let clauses = query::parse(query_text)?;
    Ok(clauses
        .iter()
        .filter(|c| c.occur != Occur::MustNot && matches!(c.target, Target::All | Target::Text))
        .map(|c| c.value.as_str())
        .collect::<Vec<_>>()
        .join(" "))
}

/// The candidate set for semantic ranking: the filters, plus the query's required (`+`),
/// excluded (`-`) and field clauses (`tag:x`, `account:y`), which act as filters here.
fn semantic_candidates(
    store: &Store,
    searcher: &Searcher,
    query_text: &str,
    filters: &Filters,
) -> Result<Box<dyn Query>> {
    use tantivy::query::Occur as O;
    let mut parts: Vec<(O, Box<dyn Query>)> =
        vec![(O::Must, filter_query(store, searcher, filters)?)];
    let mut fielded: Vec<(O, Box<dyn Query>)> = Vec::new();
    for clause in query::parse(query_text)? {
        let free = matches!(clause.target, Target::All | Target::Text);
        if clause.occur == Occur::Should && free {
            continue;
        }
        let Some(q) = clause_query(&store.fields, &clause)? else {
            continue;
        };
        match clause.occur {
            Occur::Must => parts.push((O::Must, q)),
            Occur::MustNot => parts.push((O::MustNot, q)),
            Occur::Should => fielded.push((O::Should, q)),
        }
    }
    if !fielded.is_empty() {
        parts.push((O::Must, Box::new(BooleanQuery::new(fielded))));
    }
    Ok(Box::new(BooleanQuery::new(parts)))
}

/// Exact cosine ranking over every passage that passes the request's filters (filter first,
/// then top-k), best first, dropping similarities under `req.floor`. `text` is the query's
/// semantic text ([`semantic_text`]); returns the ranking and the query vector.
pub fn semantic(
    store: &Store,
    searcher: &Searcher,
    req: &Request,
    parts: &SemanticParts<'_>,
    text: &str,
    limit: usize,
) -> Result<(Ranked, Vec<f32>)> {
    let (vectors, floor) = (parts.vectors, req.floor);
    let candidates = semantic_candidates(store, searcher, &req.query, &req.filters)?;
    let weight = candidates.weight(tantivy::query::EnableScoring::disabled_from_searcher(
        searcher,
    ))?;
    // Gather (pid, doc) of every candidate, then score them in one merge pass over the
    // vector segments (see `VectorStore::dot_many`).
    let mut items: Vec<(u64, DocAddress)> = Vec::new();
    for (ord, seg) in searcher.segment_readers().iter().enumerate() {
        let pids = seg.fast_fields().u64("pid")?;
        let alive = seg.alive_bitset();
        weight.for_each_no_score(seg, &mut |docs| {
            for &doc in docs {
                if alive.is_some_and(|a| !a.is_alive(doc)) {
                    continue;
                }
                if let Some(pid) = pids.first(doc) {
                    items.push((pid, DocAddress::new(ord as u32, doc)));
                }
            }
        })?;
    }
    // A min-heap of the best `limit` so far.
    let mut heap: std::collections::BinaryHeap<std::cmp::Reverse<(OrdF32, DocAddress)>> =
        std::collections::BinaryHeap::with_capacity(limit + 1);
    let query_vec = (parts.embed)(text)?;
    for (sim, addr) in vectors.dot_many(&mut items, &query_vec) {
        if sim < floor {
            continue;
        }
        let item = std::cmp::Reverse((OrdF32(sim), addr));
        if heap.len() < limit {
            heap.push(item);
        } else if heap.peek().is_some_and(|top| item < *top) {
            heap.pop();
            heap.push(item);
        }
    }
    let mut out: Vec<(f32, DocAddress)> = heap
        .into_iter()
        .map(|std::cmp::Reverse((s, a))| (s.0, a))
        .collect();
    out.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
    Ok((out, query_vec))
}

/// Documents with their similarity, best first.
pub type Ranked = Vec<(f32, DocAddress)>;

/// A float with a total order, for heaps.
#[derive(Debug, Clone, Copy, PartialEq)]
struct OrdF32(f32);

impl Eq for OrdF32 {}

impl PartialOrd for OrdF32 {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for OrdF32 {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.0.total_cmp(&other.0)
    }
}

/// Embeds a query.
pub fn embed_query(embedder: &dyn Embedder, text: &str) -> Result<Vec<f32>> {
    embedder
        .embed_batch(&[text])?
        .into_iter()
        .next()
        .ok_or_else(|| Error::Model("the model returned no vector for the query".into()))
}
