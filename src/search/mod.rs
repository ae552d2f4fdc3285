//! Search: a query and filters in, ranked passages out.
//!
//! Filters become tantivy queries that score nothing (`ConstScoreQuery` with 0) and are
//! intersected with the text query inside the index, so a narrow filter never starves the
//! top-k. Lexical ranking is BM25 over text, title (boosted), section and parent-item context.

pub mod filter;
pub mod query;

pub use filter::Filters;

use crate::date::Date;
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

/// Field boosts for free-text clauses: a match in the title counts double, the parent
/// items' text (context for nested bullets) counts less than the passage itself.
const BOOST_TITLE: f32 = 2.0;
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
        _ => vec![
            (fields.title, BOOST_TITLE),
            (fields.section, BOOST_SECTION),
            (fields.text, BOOST_TEXT),
            (fields.context, BOOST_CONTEXT),
        ],
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

fn regex_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if !c.is_alphanumeric() {
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
