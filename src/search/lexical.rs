//! Lexical ranking: the query language's clauses as tantivy queries, BM25 over text, title
//! (boosted), section and parent-item context, with the filters intersected inside the index.

use super::query::{self, Clause, Occur, Target};
use super::{filter, Filters, Hit, Request};
use crate::index::{schema, Fields, Store};
use crate::{Error, Result};
use tantivy::query::{
    AllQuery, BooleanQuery, BoostQuery, ConstScoreQuery, PhraseQuery, Query, RegexQuery, TermQuery,
};
use tantivy::schema::IndexRecordOption;
use tantivy::{Searcher, Term};

/// Field boosts for free-text clauses. The passage text counts most; the title (repeated on
/// every passage of a note) half, the parent items' text (context of nested bullets) less.
/// Tuned on SciFact *train* queries: title boost 2.0 gave nDCG@10 0.610, 1.0 gave 0.666,
/// 0.5 gave 0.685, 0.3 gave 0.686, text only 0.677.
const BOOST_TITLE: f32 = 0.5;
const BOOST_SECTION: f32 = 0.5;
const BOOST_TEXT: f32 = 1.0;
const BOOST_CONTEXT: f32 = 0.3;

/// Runs a lexical search. Returns hits best first (or newest first with [`SortBy::Date`]);
/// the same as [`super::run`] in lexical mode.
pub fn lexical(
    store: &Store,
    _searcher: &Searcher,
    req: &Request,
    limit: usize,
) -> Result<Vec<Hit>> {
    let req = Request {
        limit,
        mode: super::Mode::Lexical,
        ..req.clone()
    };
    super::run(store, &req, None, false)
}

/// The full tantivy query: text clauses AND filters.
pub fn build_query(
    store: &Store,
    searcher: &Searcher,
    text: &str,
    filters: &Filters,
) -> Result<Box<dyn Query>> {
    let clauses = without_stop_words(query::parse(text)?);
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

/// The clauses without plain query words that are stop words ([`super::stopwords`]), unless
/// nothing else positive would be left. Phrases, `+`/`-` words, prefixes and fielded clauses
/// are kept as written.
pub(crate) fn without_stop_words(clauses: Vec<Clause>) -> Vec<Clause> {
    let droppable = |c: &Clause| {
        c.occur == Occur::Should
            && c.target == Target::All
            && !c.phrase
            && !c.prefix
            && super::stopwords::all_stop_words(&c.value)
    };
    if !clauses
        .iter()
        .any(|c| c.occur != Occur::MustNot && !droppable(c))
    {
        return clauses;
    }
    clauses.into_iter().filter(|c| !droppable(c)).collect()
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

pub(crate) fn tokens(
    analyzer: &mut tantivy::tokenizer::TextAnalyzer,
    text: &str,
) -> Vec<(usize, String)> {
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

/// One clause as a query over its fields; `None` when the analyzer leaves no term of it.
pub(crate) fn clause_query(fields: &Fields, clause: &Clause) -> Result<Option<Box<dyn Query>>> {
    if let Some(q) = keyword_clause(fields, clause)? {
        return Ok(Some(q));
    }
    if clause.prefix {
        return prefix_clause(fields, clause);
    }
    let mut en = schema::en_analyzer();
    let toks = tokens(&mut en, &clause.value);
    if toks.is_empty() {
        return Ok(None);
    }
    let mut per_field: Vec<(tantivy::query::Occur, Box<dyn Query>)> = Vec::new();
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

/// `tag:`, `account:`, `participant:` and `kind:` clauses: exact keyword terms. `None` for
/// clauses on text fields.
fn keyword_clause(fields: &Fields, clause: &Clause) -> Result<Option<Box<dyn Query>>> {
    let keyword = |field, value: &str| -> Box<dyn Query> {
        Box::new(TermQuery::new(
            Term::from_field_text(field, value),
            IndexRecordOption::Basic,
        ))
    };
    Ok(Some(match clause.target {
        Target::Tag => {
            let tag = crate::note::normalise_tag(&clause.value)
                .ok_or_else(|| Error::Query(format!("'{}' is not a tag", clause.value)))?;
            keyword(fields.tag, &tag)
        }
        Target::Account => keyword(fields.account, &clause.value.trim().to_lowercase()),
        Target::Participant => keyword(fields.participant, &clause.value.trim().to_lowercase()),
        Target::Kind => {
            let kind = crate::passage::Kind::parse(clause.value.trim()).ok_or_else(|| {
                Error::Query(format!(
                    "kind:{} is not a kind; use fact, action, decision or paragraph",
                    clause.value
                ))
            })?;
            keyword(fields.kind, kind.as_str())
        }
        Target::Meta => keyword(fields.meta, &meta_term(&clause.value)?),
        Target::WikiLink => return link_query(fields, &clause.value).map(Some),
        _ => return Ok(None),
    }))
}

/// `meta:key=value` (or `meta:key`) as the term the index holds: the key and value
/// normalised as the note side does ([`crate::note::obsidian`]).
fn meta_term(value: &str) -> Result<String> {
    use crate::note::obsidian::{field_key, field_value};
    let (key, val) = match value.split_once('=') {
        Some((k, v)) => (k, Some(v)),
        None => (value, None),
    };
    let key = field_key(key).ok_or_else(|| {
        Error::Query(format!(
            "meta:{value} needs a field name (letters, digits, spaces, - or _) before '=', as in meta:status=done"
        ))
    })?;
    Ok(match val.map(field_value) {
        Some(v) if !v.is_empty() => format!("{key}={v}"),
        _ => key,
    })
}

/// The passages a wiki link points to, as Obsidian resolves it: the note by file name or
/// path (case-insensitive, extension optional), then a block id (`#^id`: that passage) or
/// a heading (`#Heading`: the passages under it). Every passage it selects scores the same.
fn link_query(fields: &Fields, inner: &str) -> Result<Box<dyn Query>> {
    use crate::note::obsidian::{is_block_id, link_target};
    let target = link_target(inner);
    let before_alias = inner.split('|').next().unwrap_or("");
    let subpath = before_alias.split_once('#').map(|(_, s)| s.trim());
    let mut parts: Vec<(tantivy::query::Occur, Box<dyn Query>)> = Vec::new();
    if !target.is_empty() {
        let name = target.trim_start_matches('/');
        let pattern = format!(
            "(?i)(.*/)?{}(\\.(md|markdown|txt))?",
            regex_syntax::escape(name)
        );
        parts.push((
            tantivy::query::Occur::Must,
            Box::new(RegexQuery::from_pattern(&pattern, fields.path)?),
        ));
    }
    match subpath {
        Some(s) if s.starts_with('^') => {
            let id = &s[1..];
            if !is_block_id(id) {
                return Err(Error::Query(format!(
                    "[[{inner}]]: '^{id}' is not a block id (letters, digits and dashes)"
                )));
            }
            parts.push((
                tantivy::query::Occur::Must,
                Box::new(TermQuery::new(
                    Term::from_field_text(fields.anchor, &id.to_lowercase()),
                    IndexRecordOption::Basic,
                )),
            ));
        }
        Some(heading) if !heading.is_empty() => {
            let clause = Clause {
                occur: Occur::Must,
                target: Target::Section,
                value: heading.replace('#', " "),
                phrase: true,
                prefix: false,
            };
            if let Some(q) = clause_query(fields, &clause)? {
                parts.push((tantivy::query::Occur::Must, q));
            }
        }
        _ => {}
    }
    if parts.is_empty() {
        return Err(Error::Query(format!(
            "[[{inner}]] names no note, heading or block; write [[Note]], [[Note#Heading]] or [[Note#^id]]"
        )));
    }
    Ok(Box::new(ConstScoreQuery::new(
        Box::new(BooleanQuery::new(parts)),
        1.0,
    )))
}

/// `wo*`: the last word as a prefix of folded (unstemmed) terms in each text field; earlier
/// words of `big bad wo*` are ordinary terms that must match too.
fn prefix_clause(fields: &Fields, clause: &Clause) -> Result<Option<Box<dyn Query>>> {
    let mut fold = schema::fold_analyzer();
    let toks = tokens(&mut fold, &clause.value);
    let Some((_, last)) = toks.last() else {
        return Ok(None);
    };
    // regex-syntax's own escaping: it escapes only meta characters, so a non-ASCII letter
    // stays literal (escaping one is an error: `İst*` folds to `i\u{307}st`, found by
    // fuzzing).
    let pattern = format!("{}.*", regex_syntax::escape(last));
    let mut per_field: Vec<(tantivy::query::Occur, Box<dyn Query>)> = Vec::new();
    for (field, boost) in text_fields(fields, clause.target) {
        let q = RegexQuery::from_pattern(&pattern, field)?;
        per_field.push((
            tantivy::query::Occur::Should,
            Box::new(BoostQuery::new(Box::new(q), boost)),
        ));
    }
    let prefix: Box<dyn Query> = Box::new(BooleanQuery::new(per_field));
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
                (tantivy::query::Occur::Must, prefix),
            ]))));
        }
    }
    Ok(Some(prefix))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values(q: &str) -> Vec<String> {
        without_stop_words(query::parse(q).unwrap())
            .into_iter()
            .map(|c| c.value)
            .collect()
    }

    #[test]
    fn stop_words_are_dropped_unless_nothing_else_is_left() {
        assert_eq!(values("who is short on GPUs"), vec!["short", "GPUs"]);
        assert_eq!(values("who is it"), vec!["who", "is", "it"]);
        assert_eq!(values("who +gpu"), vec!["gpu"]);
        assert_eq!(values("who -gpu"), vec!["who", "gpu"]);
        // Phrases, required words, prefixes and fields keep their stop words.
        assert_eq!(
            values("\"the who\" +the wh* title:who x"),
            vec!["the who", "the", "wh", "who", "x"]
        );
    }
}
