//! `--about`: which of an entity's passages are about a topic.
//!
//! All topic relevance lives in [`relevant`], so semantic relevance (the cosine of each
//! passage's vector to the topic's embedding, kept above a threshold and OR-ed with the
//! lexical test) can be added there without touching the rest of `claims`.

use crate::index::Store;
use crate::search::query::{self, Occur, Target};
use crate::search::{build_query, Filters, SemanticParts};
use crate::Result;
use std::collections::HashSet;
use std::fmt::Write;
use tantivy::collector::DocSetCollector;
use tantivy::query::{BooleanQuery, Query};
use tantivy::{DocAddress, Searcher};

/// The passages of `scope` that are about `topic`.
///
/// Lexical: `topic` is read with the query language of `quarry search`; a passage is
/// relevant when at least one of its positive terms matches the passage's own text (not the
/// note title, which would let every passage of a note titled "… throughput" through),
/// `+term`s are required and `-term`s excluded. `field:value` clauses keep their field.
///
/// Semantic (when the index has vectors and `semantic` is given): a passage is also relevant
/// when the cosine of its vector to the topic's embedding is at least [`ABOUT_FLOOR`]. The
/// floor is stricter than search's, because here it decides membership, not rank.
pub fn relevant(
    store: &Store,
    searcher: &Searcher,
    scope: &dyn Query,
    topic: &str,
    semantic: Option<&SemanticParts<'_>>,
) -> Result<HashSet<DocAddress>> {
    let lexical = build_query(store, searcher, &text_only(topic)?, &Filters::default())?;
    let q = BooleanQuery::intersection(vec![scope.box_clone(), lexical]);
    let mut keep = searcher.search(&q, &DocSetCollector)?;
    if let Some(parts) = semantic {
        let text = crate::search::semantic_text(topic)?;
        if !text.trim().is_empty() {
            let qv = (parts.embed)(&text)?;
            for addr in searcher.search(scope, &DocSetCollector)? {
                let pid = searcher
                    .segment_reader(addr.segment_ord)
                    .fast_fields()
                    .u64("pid")?
                    .first(addr.doc_id);
                if pid
                    .and_then(|p| parts.vectors.dot(p, &qv))
                    .is_some_and(|sim| sim >= ABOUT_FLOOR)
                {
                    keep.insert(addr);
                }
            }
        }
    }
    Ok(keep)
}

/// Cosine similarity at which a passage counts as about the topic.
pub const ABOUT_FLOOR: f32 = 0.5;

/// Rewrites a query so that its unfielded clauses target `text:` only.
fn text_only(topic: &str) -> Result<String> {
    let mut out = String::new();
    for c in query::parse(topic)? {
        let sign = match c.occur {
            Occur::Should => "",
            Occur::Must => "+",
            Occur::MustNot => "-",
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
    }
}
