//! Search: a query and filters in, ranked passages out.
//!
//! Filters become tantivy queries that score nothing (`ConstScoreQuery` with 0) and are
//! intersected with the text query inside the index, so a narrow filter never starves the
//! top-k. Lexical ranking is BM25 over text, title (boosted), section and parent-item context.

pub mod filter;
pub mod fusion;
pub mod query;

pub use filter::Filters;

use crate::date::Date;
use crate::embed::Embedder;
use crate::index::vectors::VectorStore;
use crate::index::{schema, Fields, Store};
use crate::{Error, Result};
use query::{Clause, Occur, Target};
use serde::Serialize;
use tantivy::collector::TopDocs;
use tantivy::query::{
    AllQuery, BooleanQuery, BoostQuery, ConstScoreQuery, PhraseQuery, Query, RegexQuery, TermQuery,
};
use tantivy::schema::{IndexRecordOption, Value};
use tantivy::{DocAddress, Order, Searcher, TantivyDocument, Term};

/// Field boosts for free-text clauses. The passage text counts most; the title (repeated on
/// every passage of a note) half, the parent items' text (context of nested bullets) less.
/// Tuned on SciFact *train* queries: title boost 2.0 gave nDCG@10 0.610, 1.0 gave 0.666,
/// 0.5 gave 0.685, 0.3 gave 0.686, text only 0.677.
const BOOST_TITLE: f32 = 0.5;
const BOOST_SECTION: f32 = 0.5;
const BOOST_TEXT: f32 = 1.0;
const BOOST_CONTEXT: f32 = 0.3;

/// Ranking mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    /// BM25 only.
    Lexical,
    /// Embedding similarity only.
    Semantic,
    /// Reciprocal rank fusion of both.
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

/// Why a hit ranked where it did.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
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
#[derive(Debug, Clone, Serialize, PartialEq)]
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
    /// fact, action, decision or paragraph.
    pub kind: String,
    /// Task status (`" "`, `"x"`, `"?"`…) for task lines.
    pub task: Option<String>,
    /// Passage text.
    pub text: String,
    /// Ranking score (BM25, cosine, or fused, by mode).
    pub score: f32,
    /// Ranking details, with `--explain`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub explain: Option<Explain>,
    /// Hash of the embedding input (the vector key).
    #[serde(skip)]
    pub pid: u64,
}

/// Runs a lexical search. Returns hits best first (or newest first with [`SortBy::Date`]).
pub fn lexical(
    store: &Store,
    searcher: &Searcher,
    req: &Request,
    limit: usize,
) -> Result<Vec<Hit>> {
    let query = build_query(store, searcher, &req.query, &req.filters)?;
    let addrs: Vec<(f32, DocAddress)> = match req.sort {
        SortBy::Score => searcher.search(&query, &TopDocs::with_limit(limit).order_by_score())?,
        SortBy::Date => {
            let by_date: Vec<(Option<tantivy::DateTime>, DocAddress)> = searcher.search(
                &query,
                &TopDocs::with_limit(limit).order_by_fast_field("date", Order::Desc),
            )?;
            by_date.into_iter().map(|(_, a)| (0.0, a)).collect()
        }
    };
    addrs
        .into_iter()
        .map(|(score, addr)| load_hit(searcher, &store.fields, addr, score))
        .collect()
}

/// The full tantivy query: text clauses AND filters.
pub fn build_query(
    store: &Store,
    searcher: &Searcher,
    text: &str,
    filters: &Filters,
) -> Result<Box<dyn Query>> {
    let clauses = query::parse(text)?;
    let mut parts: Vec<(tantivy::query::Occur, Box<dyn Query>)> = Vec::new();
    let mut positive = false;
    let mut text_part: Vec<(tantivy::query::Occur, Box<dyn Query>)> = Vec::new();
    for clause in &clauses {
        let Some(q) = clause_query(&store.fields, clause)? else {
            continue;
        };
        let occur = match clause.occur {
            Occur::Should => tantivy::query::Occur::Should,
            Occur::Must => tantivy::query::Occur::Must,
            Occur::MustNot => tantivy::query::Occur::MustNot,
        };
        positive |= clause.occur != Occur::MustNot;
        text_part.push((occur, q));
    }
    if !clauses.is_empty() && !positive && text_part.is_empty() {
        // Every word was dropped by the analyzer (e.g. only punctuation).
        return Ok(Box::new(tantivy::query::EmptyQuery));
    }
    if !positive {
        text_part.push((tantivy::query::Occur::Must, Box::new(AllQuery)));
    }
    parts.push((
        tantivy::query::Occur::Must,
        Box::new(BooleanQuery::new(text_part)),
    ));
    for f in filter::filter_queries(&store.fields, searcher, filters)? {
        parts.push((
            tantivy::query::Occur::Must,
            Box::new(ConstScoreQuery::new(f, 0.0)),
        ));
    }
    Ok(Box::new(BooleanQuery::new(parts)))
}

/// The filters alone, as one query (for semantic search: filter first, then rank).
pub fn filter_query(
    store: &Store,
    searcher: &Searcher,
    filters: &Filters,
) -> Result<Box<dyn Query>> {
    let mut parts: Vec<(tantivy::query::Occur, Box<dyn Query>)> =
        vec![(tantivy::query::Occur::Must, Box::new(AllQuery))];
    for f in filter::filter_queries(&store.fields, searcher, filters)? {
        parts.push((tantivy::query::Occur::Must, f));
    }
    Ok(Box::new(BooleanQuery::new(parts)))
}

fn tokens(analyzer: &mut tantivy::tokenizer::TextAnalyzer, text: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    analyzer
        .token_stream(text)
        .process(&mut |t| out.push((t.position, t.text.clone())));
    out
}

fn text_fields(fields: &Fields, target: Target) -> Vec<(tantivy::schema::Field, f32)> {
    match target {
        Target::Title => vec![(fields.title, 1.0)],
        Target::Section => vec![(fields.section, 1.0)],
        Target::Text => vec![(fields.text, 1.0)],
        _ => {
            vec![
                (fields.title, BOOST_TITLE),
                (fields.section, BOOST_SECTION),
                (fields.text, BOOST_TEXT),
                (fields.context, BOOST_CONTEXT),
            ]
        }
    }
}

fn clause_query(fields: &Fields, clause: &Clause) -> Result<Option<Box<dyn Query>>> {
    let keyword = |field, value: &str| -> Box<dyn Query> {
        Box::new(TermQuery::new(
            Term::from_field_text(field, &value.to_lowercase()),
            IndexRecordOption::Basic,
        ))
    };
    match clause.target {
        Target::Tag => {
            let tag = crate::note::normalise_tag(&clause.value)
                .ok_or_else(|| Error::Query(format!("'{}' is not a tag", clause.value)))?;
            return Ok(Some(Box::new(TermQuery::new(
                Term::from_field_text(fields.tag, &tag),
                IndexRecordOption::Basic,
            ))));
        }
        Target::Account => return Ok(Some(keyword(fields.account, clause.value.trim()))),
        Target::Participant => return Ok(Some(keyword(fields.participant, clause.value.trim()))),
        Target::Kind => {
            let kind = crate::note::Kind::parse(clause.value.trim()).ok_or_else(|| {
                Error::Query(format!(
                    "kind:{} is not a kind; use fact, action, decision or paragraph",
                    clause.value
                ))
            })?;
            return Ok(Some(Box::new(TermQuery::new(
                Term::from_field_text(fields.kind, kind.as_str()),
                IndexRecordOption::Basic,
            ))));
        }
        _ => {}
    }
    let mut per_field: Vec<(tantivy::query::Occur, Box<dyn Query>)> = Vec::new();
    if clause.prefix {
        let mut fold = schema::fold_analyzer();
        let toks = tokens(&mut fold, &clause.value);
        let Some((_, last)) = toks.last() else {
            return Ok(None);
        };
        let pattern = format!("{}.*", regex_escape(last));
        for (field, boost) in text_fields(fields, clause.target) {
            let q = RegexQuery::from_pattern(&pattern, field)?;
            per_field.push((
                tantivy::query::Occur::Should,
                Box::new(BoostQuery::new(Box::new(q), boost)),
            ));
        }
        // Earlier words of a `big bad wo*` prefix are ordinary terms.
        if toks.len() > 1 {
            let head: Vec<&str> = toks[..toks.len() - 1]
                .iter()
                .map(|(_, t)| t.as_str())
                .collect();
            let sub = Clause {
                value: head.join(" "),
                prefix: false,
                ..clause.clone()
            };
            if let Some(q) = clause_query(fields, &sub)? {
                return Ok(Some(Box::new(BooleanQuery::new(vec![
                    (tantivy::query::Occur::Must, q),
                    (
                        tantivy::query::Occur::Must,
                        Box::new(BooleanQuery::new(per_field)),
                    ),
                ]))));
            }
        }
        return Ok(Some(Box::new(BooleanQuery::new(per_field))));
    }
    let mut en = schema::en_analyzer();
    let toks = tokens(&mut en, &clause.value);
    if toks.is_empty() {
        return Ok(None);
    }
    for (field, boost) in text_fields(fields, clause.target) {
        let q: Box<dyn Query> = if toks.len() == 1 {
            Box::new(TermQuery::new(
                Term::from_field_text(field, &toks[0].1),
                IndexRecordOption::WithFreqs,
            ))
        } else {
            let terms = toks
                .iter()
                .map(|(pos, t)| (*pos, Term::from_field_text(field, t)))
                .collect();
            Box::new(PhraseQuery::new_with_offset(terms))
        };
        per_field.push((
            tantivy::query::Occur::Should,
            Box::new(BoostQuery::new(q, boost)),
        ));
    }
    Ok(Some(Box::new(BooleanQuery::new(per_field))))
}

/// Escapes ASCII punctuation for tantivy's regex syntax. Non-ASCII characters are literal
/// there, and escaping them is an error (`İst*` folds to `i\u{307}st`; found by fuzzing).
fn regex_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if c.is_ascii() && !c.is_ascii_alphanumeric() {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Stemmed terms of the positive clauses, for highlighting.
pub fn highlight_terms(query_text: &str) -> (Vec<String>, Vec<String>) {
    let mut terms = Vec::new();
    let mut prefixes = Vec::new();
    let Ok(clauses) = query::parse(query_text) else {
        return (terms, prefixes);
    };
    let mut en = schema::en_analyzer();
    let mut fold = schema::fold_analyzer();
    for c in clauses.iter().filter(|c| c.occur != Occur::MustNot) {
        if !matches!(c.target, Target::All | Target::Text) {
            continue;
        }
        if c.prefix {
            let toks = tokens(&mut fold, &c.value);
            if let Some((_, last)) = toks.last() {
                prefixes.push(last.clone());
            }
            terms.extend(
                tokens(&mut en, &c.value)
                    .into_iter()
                    .rev()
                    .skip(1)
                    .map(|(_, t)| t),
            );
        } else {
            terms.extend(tokens(&mut en, &c.value).into_iter().map(|(_, t)| t));
        }
    }
    (terms, prefixes)
}

/// Byte ranges of `text` whose tokens match the query terms.
pub fn highlight_ranges(
    text: &str,
    terms: &[String],
    prefixes: &[String],
) -> Vec<std::ops::Range<usize>> {
    if terms.is_empty() && prefixes.is_empty() {
        return Vec::new();
    }
    let mut en = schema::en_analyzer();
    let mut fold = schema::fold_analyzer();
    let mut ranges = Vec::new();
    en.token_stream(text).process(&mut |t| {
        if terms.contains(&t.text) {
            ranges.push(t.offset_from..t.offset_to);
        }
    });
    if !prefixes.is_empty() {
        fold.token_stream(text).process(&mut |t| {
            if prefixes.iter().any(|p| t.text.starts_with(p.as_str())) {
                ranges.push(t.offset_from..t.offset_to);
            }
        });
    }
    ranges.sort_by_key(|r| (r.start, r.end));
    ranges.dedup();
    ranges
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
    let date = doc
        .get_first(fields.date)
        .and_then(|v| v.as_datetime())
        .map(|d| Date::from_days(d.into_timestamp_secs().div_euclid(86_400) as i32).to_string());
    let pid = searcher
        .segment_reader(addr.segment_ord)
        .fast_fields()
        .u64("pid")
        .ok()
        .and_then(|c| c.first(addr.doc_id))
        .unwrap_or(0);
    Ok(Hit {
        path: text(fields.path),
        line: doc
            .get_first(fields.line)
            .and_then(|v| v.as_u64())
            .unwrap_or(0),
        line_end: doc
            .get_first(fields.line_end)
            .and_then(|v| v.as_u64())
            .unwrap_or(0),
        title: text(fields.title),
        date,
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
        explain: None,
        pid,
    })
}

/// Semantic-only hits below this cosine similarity are dropped, so a nonsense query returns
/// nothing rather than the least-bad noise. Tuned on SciFact train queries (README, Quality).
pub const SIMILARITY_FLOOR: f32 = 0.3;

/// How deep each list goes before fusion.
pub const FUSION_DEPTH: usize = 100;

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

#[allow(clippy::too_many_arguments)]
/// Exact cosine ranking over every passage that passes the filters (filter first, then
/// top-k), best first, dropping similarities under `floor`.
pub fn semantic(
    store: &Store,
    searcher: &Searcher,
    query_text: &str,
    filters: &Filters,
    embed: &dyn Fn() -> Result<Vec<f32>>,
    vectors: &VectorStore,
    limit: usize,
    floor: f32,
) -> Result<(Ranked, Vec<f32>)> {
    let candidates = semantic_candidates(store, searcher, query_text, filters)?;
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
    let query_vec = embed()?;
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

/// Runs a request in its mode and returns the hits, best first (or newest first).
///
/// Semantic and hybrid need `parts`; a query with no free text (only filters or field
/// clauses) is ranked lexically in every mode.
pub fn run(
    store: &Store,
    req: &Request,
    parts: Option<&SemanticParts<'_>>,
    explain: bool,
) -> Result<Vec<Hit>> {
    let searcher = store.searcher();
    let text = semantic_text(&req.query)?;
    let mode = if text.trim().is_empty() {
        Mode::Lexical
    } else {
        req.mode
    };
    let parts = match (mode, parts) {
        (Mode::Lexical, _) => None,
        (_, Some(p)) => Some(p),
        (_, None) => {
            return Err(Error::Index(
                "semantic search needs the embedding model and an index with vectors".into(),
            ))
        }
    };
    let mut hits = match (mode, parts) {
        (Mode::Lexical, _) | (_, None) => {
            let mut hits = lexical(store, &searcher, req, req.limit)?;
            if explain {
                for (i, h) in hits.iter_mut().enumerate() {
                    h.explain = Some(Explain {
                        lexical_rank: Some(i + 1),
                        lexical_score: Some(h.score),
                        ..Explain::default()
                    });
                }
            }
            return Ok(hits);
        }
        (Mode::Semantic, Some(p)) => {
            let (ranked, _) = semantic(
                store,
                &searcher,
                &req.query,
                &req.filters,
                &|| (p.embed)(&text),
                p.vectors,
                req.limit,
                req.floor,
            )?;
            let mut hits = Vec::with_capacity(ranked.len());
            for (i, (sim, addr)) in ranked.into_iter().enumerate() {
                let mut h = load_hit(&searcher, &store.fields, addr, sim)?;
                if explain {
                    h.explain = Some(Explain {
                        semantic_rank: Some(i + 1),
                        similarity: Some(sim),
                        ..Explain::default()
                    });
                }
                hits.push(h);
            }
            hits
        }
        (Mode::Hybrid, Some(p)) => {
            let depth = req.fusion.depth.max(req.limit);
            let lex: Vec<(f32, DocAddress)> = {
                let query = build_query(store, &searcher, &req.query, &req.filters)?;
                searcher.search(&query, &TopDocs::with_limit(depth).order_by_score())?
            };
            let (sem, qv) = semantic(
                store,
                &searcher,
                &req.query,
                &req.filters,
                &|| (p.embed)(&text),
                p.vectors,
                depth,
                req.floor,
            )?;
            let lex_keys: Vec<DocAddress> = lex.iter().map(|(_, a)| *a).collect();
            let sem_keys: Vec<DocAddress> = sem.iter().map(|(_, a)| *a).collect();
            let f = req.fusion;
            let fused = match f.method {
                FusionMethod::Rrf => fusion::rrf(
                    &[
                        (&lex_keys[..], f.lexical_weight),
                        (&sem_keys[..], f.semantic_weight),
                    ],
                    f.k,
                ),
                FusionMethod::Convex => {
                    let mut cos: std::collections::HashMap<DocAddress, f32> =
                        sem.iter().map(|(s, a)| (*a, *s)).collect();
                    for (_, addr) in &lex {
                        if !cos.contains_key(addr) {
                            let pid = pid_of(&searcher, *addr);
                            let sim = pid.and_then(|pid| p.vectors.dot(pid, &qv)).unwrap_or(0.0);
                            cos.insert(*addr, sim);
                        }
                    }
                    let lex_scored: Vec<(DocAddress, f32)> =
                        lex.iter().map(|(s, a)| (*a, *s)).collect();
                    fusion::convex(&lex_scored, &cos, f.alpha)
                }
            };
            let mut hits = Vec::with_capacity(req.limit);
            for (addr, score) in fused.into_iter().take(req.limit) {
                let mut h = load_hit(&searcher, &store.fields, addr, score)?;
                if explain {
                    let lr = lex_keys.iter().position(|a| *a == addr);
                    let sr = sem_keys.iter().position(|a| *a == addr);
                    h.explain = Some(Explain {
                        lexical_rank: lr.map(|r| r + 1),
                        lexical_score: lr.map(|r| lex[r].0),
                        semantic_rank: sr.map(|r| r + 1),
                        similarity: sr.map(|r| sem[r].0).or_else(|| p.vectors.dot(h.pid, &qv)),
                        fused: Some(score),
                    });
                }
                hits.push(h);
            }
            hits
        }
    };
    if req.sort == SortBy::Date {
        hits.sort_by(|a, b| {
            b.date
                .cmp(&a.date)
                .then_with(|| b.score.total_cmp(&a.score))
        });
        // Undated last.
        hits.sort_by_key(|h| h.date.is_none());
    }
    Ok(hits)
}

/// The passage id (vector key) of a document.
fn pid_of(searcher: &Searcher, addr: DocAddress) -> Option<u64> {
    searcher
        .segment_reader(addr.segment_ord)
        .fast_fields()
        .u64("pid")
        .ok()?
        .first(addr.doc_id)
}

/// Embeds a query.
pub fn embed_query(embedder: &dyn Embedder, text: &str) -> Result<Vec<f32>> {
    embedder
        .embed_batch(&[text])?
        .into_iter()
        .next()
        .ok_or_else(|| Error::Model("the model returned no vector for the query".into()))
}
