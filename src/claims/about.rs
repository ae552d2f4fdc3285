//! `--about`: which of an entity's passages are about a topic.
//!
//! A passage is about the topic when any of three tests says so:
//!
//! * **words**: one of the topic's positive terms matches the passage's own text (the query
//!   language of `quarry search`; not the note title, which would let every passage of a note
//!   titled "… throughput" through);
//! * **meaning**: when the index has vectors, the cosine of the passage's vector to the
//!   topic's embedding is at least [`ABOUT_FLOOR`] (stricter than search's floor, because
//!   here it decides membership, not rank);
//! * **dimension**: the topic names a dimension ([`super::topics`]) and the passage has a
//!   quantity of it (`read throughput` → "over 2 TB/s").
//!
//! Precision: when the topic names dimensions, a passage that states quantities, none of
//! them of those dimensions, is not about the topic, whatever its words or embedding: its
//! numbers say what it is about ("Their cost-optimised archive tier now holds 650 PB" is a
//! capacity claim, not pricing). Passages without any quantity are judged by words and
//! meaning alone. The topic's `+term`s and `-term`s bind every test: a passage with an
//! excluded word is never about the topic.

use super::quantity::Quantity;
use super::topics::Named;
use crate::index::Store;
use crate::search::query::{self, Occur, Target};
use crate::search::{build_query, Filters, SemanticParts};
use crate::Result;
use std::collections::HashSet;
use std::fmt::Write;
use tantivy::collector::DocSetCollector;
use tantivy::query::{BooleanQuery, Query};
use tantivy::{DocAddress, Searcher};

/// Cosine similarity at which a passage counts as about the topic.
pub const ABOUT_FLOOR: f32 = 0.5;

/// Why a passage is about the topic.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Why {
    /// Its words match.
    Words,
    /// Its embedding is close.
    Meaning,
    /// It has a quantity of a dimension the topic names.
    Dimension,
}

impl Why {
    /// For `--explain`.
    pub fn as_str(self) -> &'static str {
        match self {
            Why::Words => "its words match the topic",
            Why::Meaning => "its meaning is close to the topic",
            Why::Dimension => "it states a quantity of a dimension the topic names",
        }
    }
}

/// The three tests of one topic over one entity's passages.
#[derive(Debug, Clone, Default)]
pub struct Relevance {
    words: HashSet<DocAddress>,
    meaning: HashSet<DocAddress>,
    required: Option<HashSet<DocAddress>>,
    excluded: HashSet<DocAddress>,
    /// What the topic names.
    pub named: Named,
}

impl Relevance {
    /// Runs the word and meaning tests over the passages of `scope`.
    pub fn compute(
        store: &Store,
        searcher: &Searcher,
        scope: &dyn Query,
        topic: &str,
        semantic: Option<&SemanticParts<'_>>,
    ) -> Result<Relevance> {
        let within = |q: Box<dyn Query>| -> Result<HashSet<DocAddress>> {
            let q = BooleanQuery::intersection(vec![scope.box_clone(), q]);
            Ok(searcher.search(&q, &DocSetCollector)?)
        };
        let run = |q: &str| within(build_query(store, searcher, q, &Filters::default())?);
        let words = run(&rewrite(topic, |o| Some(sign(o)))?)?;
        // Every `+term` (all required), and any `-term` (written as plain terms).
        let required = match rewrite(topic, |o| (o == Occur::Must).then_some("+"))? {
            q if q.is_empty() => None,
            q => Some(run(&q)?),
        };
        let excluded = match rewrite(topic, |o| (o == Occur::MustNot).then_some(""))? {
            q if q.is_empty() => HashSet::new(),
            q => run(&q)?,
        };
        let mut meaning = HashSet::new();
        if let Some(parts) = semantic {
            let text = crate::search::semantic_text(topic)?;
            if !text.trim().is_empty() {
                let qv = (parts.embed)(&text)?;
                for addr in searcher.search(scope, &DocSetCollector)? {
                    let pid = crate::search::pid_of(searcher, addr);
                    if pid
                        .and_then(|p| parts.vectors.dot(p, &qv))
                        .is_some_and(|sim| sim >= ABOUT_FLOOR)
                    {
                        meaning.insert(addr);
                    }
                }
            }
        }
        Ok(Relevance {
            words,
            meaning,
            required,
            excluded,
            named: Named::from_topic(topic),
        })
    }

    /// Why the passage at `addr`, with these quantities, is about the topic; `None` when it
    /// is not.
    pub fn why(&self, addr: DocAddress, quantities: &[Quantity]) -> Option<Why> {
        let named = &self.named;
        let covered = quantities.iter().any(|q| named.covers(q));
        // The topic names dimensions and the passage's numbers all measure something else:
        // it is about that, whatever its words or embedding.
        if !named.is_empty() && !quantities.is_empty() && !covered {
            return None;
        }
        if self.words.contains(&addr) {
            return Some(Why::Words);
        }
        if self.excluded.contains(&addr)
            || self.required.as_ref().is_some_and(|r| !r.contains(&addr))
        {
            return None;
        }
        if covered {
            return Some(Why::Dimension);
        }
        self.meaning.contains(&addr).then_some(Why::Meaning)
    }
}

/// The sign a clause is written back with.
fn sign(o: Occur) -> &'static str {
    match o {
        Occur::Should => "",
        Occur::Must => "+",
        Occur::MustNot => "-",
    }
}

/// Rewrites a query so that its unfielded clauses target `text:` only. `keep` says, per
/// clause kind, with which sign to write it, or to leave it out.
fn rewrite(topic: &str, keep: impl Fn(Occur) -> Option<&'static str>) -> Result<String> {
    let mut out = String::new();
    for c in query::parse(topic)? {
        let Some(sign) = keep(c.occur) else {
            continue;
        };
        let field = match c.target {
            Target::All | Target::Text => "text",
            Target::Title => "title",
            Target::Section => "section",
            Target::Tag => "tag",
            Target::Account => "account",
            Target::Participant => "participant",
            Target::Kind => "kind",
            Target::Meta => "meta",
            Target::WikiLink => {
                let _ = write!(out, "{sign}[[{}]] ", c.value);
                continue;
            }
        };
        // Quotes inside a value cannot be written back; the analyzer drops them anyway.
        let value = c.value.replace('"', " ");
        let star = if c.prefix { "*" } else { "" };
        let _ = write!(out, "{sign}{field}:\"{value}\"{star} ");
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text_only(topic: &str) -> Result<String> {
        rewrite(topic, |o| Some(sign(o)))
    }

    #[test]
    fn topic_targets_text() {
        assert_eq!(
            text_only("read throughput").unwrap(),
            "text:\"read\" text:\"throughput\" "
        );
        let rewritten = text_only(r#"+"peak read" -pricing tag:ddn thr* a"b"#).unwrap();
        assert_eq!(
            rewritten,
            "+text:\"peak read\" -text:\"pricing\" tag:\"ddn\" text:\"thr\"* text:\"a b\" "
        );
        // The rewrite parses back to the same clauses, retargeted.
        let back = query::parse(&rewritten).unwrap();
        assert!(back
            .iter()
            .all(|c| c.target == Target::Text || c.target == Target::Tag));
        assert!(text_only("\"open").is_err());
        let excluded = rewrite("a -b +c -d", |o| (o == Occur::MustNot).then_some("")).unwrap();
        assert_eq!(excluded, "text:\"b\" text:\"d\" ");
        assert_eq!(
            rewrite("a b", |o| (o == Occur::Must).then_some("+")).unwrap(),
            ""
        );
    }
}
