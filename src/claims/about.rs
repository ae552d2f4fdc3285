//! `--about`: which of an entity's passages are about a topic.
//!
//! All topic relevance lives in [`relevant`], so semantic relevance (the cosine of each
//! passage's vector to the topic's embedding, kept above a threshold and OR-ed with the
//! lexical test) can be added there without touching the rest of `claims`.

use crate::index::Store;
use crate::search::query::{self, Occur, Target};
use crate::search::{build_query, Filters};
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
pub fn relevant(
    store: &Store,
    searcher: &Searcher,
    scope: &dyn Query,
    topic: &str,
) -> Result<HashSet<DocAddress>> {
    let lexical = build_query(store, searcher, &text_only(topic)?, &Filters::default())?;
    let q = BooleanQuery::intersection(vec![scope.box_clone(), lexical]);
    Ok(searcher.search(&q, &DocSetCollector)?)
}

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
