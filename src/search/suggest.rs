//! Helpful empties: a filter value that matches nothing in the whole index is named on
//! stderr with the closest values that do exist, instead of an unexplained empty answer.
//! `--account acme-bank` gets `no note has account "acme-bank"; did you mean "Acme Bank"?`.
//!
//! A value is unknown when its term occurs in no document (one dictionary lookup per value,
//! so a search whose filters all exist pays almost nothing). Only then are the field's terms
//! read and ranked by edit distance (Levenshtein) between their normalised forms (lowercase,
//! `-`, `_` and `/` as spaces), a prefix counting as close; values are shown as the notes
//! write them (`Acme Bank`, not the indexed `acme bank`).

use super::filter::{all_terms, PathMatcher};
use super::Filters;
use crate::index::{Fields, Store};
use crate::Result;
use tantivy::collector::TopDocs;
use tantivy::query::TermQuery;
use tantivy::schema::{Field, IndexRecordOption, Value};
use tantivy::{Searcher, TantivyDocument, Term};

/// At most this many suggestions per unknown value.
const MAX_SUGGESTIONS: usize = 3;

/// One message per filter value that matches nothing in the index.
pub fn unknown_filter_values(store: &Store, filters: &Filters) -> Result<Vec<String>> {
    let searcher = store.searcher();
    let f = &store.fields;
    let mut out = Vec::new();
    let checks: [Check<'_>; 6] = [
        ("no note has tag", &filters.tags, f.tag, None, Norm::Tag),
        (
            "no note has account",
            &filters.accounts,
            f.account,
            Some(f.account),
            Norm::Lower,
        ),
        (
            "no note has participant",
            &filters.participants,
            f.participant,
            Some(f.participant),
            Norm::Lower,
        ),
        (
            "no task has owner",
            &filters.owners,
            f.owner,
            Some(f.owner),
            Norm::Owner,
        ),
        (
            "no task has status",
            &filters.statuses,
            f.status,
            None,
            Norm::Lower,
        ),
        (
            "no passage has its own tag",
            &filters.passage_tags,
            f.passage_tag,
            None,
            Norm::Tag,
        ),
    ];
    for (what, values, field, shown, norm) in checks {
        for value in values {
            let Some(term) = norm.apply(value) else {
                continue;
            };
            if searcher.doc_freq(&Term::from_field_text(field, &term))? > 0 {
                continue;
            }
            let known = all_terms(&searcher, field)?;
            let close = closest(&term, known.iter().map(String::as_str));
            let shown: Vec<String> = close
                .into_iter()
                .map(|t| match shown {
                    Some(stored) => as_written(&searcher, field, stored, t).unwrap_or(t.into()),
                    None => t.to_string(),
                })
                .collect();
            out.push(message(&format!("{what} \"{}\"", value.trim()), &shown));
        }
    }
    out.extend(unknown_paths(&searcher, f, filters)?);
    Ok(out)
}

/// One kind of filter value to check: the message head, the values, the indexed field, the
/// stored field that shows a value as written, and the term normalisation.
type Check<'a> = (&'a str, &'a [String], Field, Option<Field>, Norm);

/// How a filter value becomes the term it is looked up as.
#[derive(Clone, Copy)]
enum Norm {
    Tag,
    Lower,
    Owner,
}

impl Norm {
    fn apply(self, value: &str) -> Option<String> {
        match self {
            Norm::Tag => crate::note::normalise_tag(value),
            Norm::Lower => Some(value.trim().to_lowercase()),
            Norm::Owner => Some(value.trim().trim_start_matches('@').to_lowercase()),
        }
    }
}

fn message(head: &str, suggestions: &[String]) -> String {
    let quoted: Vec<String> = suggestions.iter().map(|s| format!("\"{s}\"")).collect();
    match quoted.as_slice() {
        [] => head.to_string(),
        [one] => format!("{head}; did you mean {one}?"),
        many => format!("{head}; did you mean one of {}?", many.join(", ")),
    }
}

/// Each `--path` pattern (not the `!` ones) that matches no indexed note, with the closest
/// folders.
fn unknown_paths(searcher: &Searcher, f: &Fields, filters: &Filters) -> Result<Vec<String>> {
    let includes: Vec<&String> = filters
        .paths
        .iter()
        .filter(|p| !p.trim().starts_with('!'))
        .collect();
    if includes.is_empty() {
        return Ok(Vec::new());
    }
    let roots = all_terms(searcher, f.root)?;
    let paths = all_terms(searcher, f.path)?;
    let mut out = Vec::new();
    for p in includes {
        let m = PathMatcher::new(std::slice::from_ref(p), filters.cwd.as_deref())?;
        let found = roots.iter().any(|r| {
            paths
                .iter()
                .any(|rel| m.is_match(std::path::Path::new(r), rel))
        });
        if found {
            continue;
        }
        let mut folders: Vec<&str> = paths
            .iter()
            .flat_map(|rel| rel.match_indices('/').map(move |(i, _)| &rel[..i]))
            .collect();
        folders.sort_unstable();
        folders.dedup();
        let wanted = p.trim().trim_start_matches("./").trim_end_matches('/');
        let close: Vec<String> = closest(&wanted.to_lowercase(), folders.iter().copied())
            .into_iter()
            .map(str::to_string)
            .collect();
        out.push(message(
            &format!("no indexed note matches --path \"{}\"", p.trim()),
            &close,
        ));
    }
    Ok(out)
}

/// The stored (as written) value of a document holding `term`: for a participant's word, the
/// participant whose name holds it.
fn as_written(searcher: &Searcher, field: Field, stored: Field, term: &str) -> Option<String> {
    let q = TermQuery::new(Term::from_field_text(field, term), IndexRecordOption::Basic);
    let top = searcher
        .search(&q, &TopDocs::with_limit(1).order_by_score())
        .ok()?;
    let (_, addr) = top.first()?;
    let doc: TantivyDocument = searcher.doc(*addr).ok()?;
    let values: Vec<String> = doc
        .get_all(stored)
        .filter_map(|v| v.as_str().map(str::to_string))
        .collect();
    values
        .iter()
        .find(|v| crate::index::names::name_terms(v).iter().any(|t| t == term))
        .or(values.first())
        .cloned()
}

/// The known values closest to `wanted`: within an edit distance of a third of its length
/// (at least 1), or starting with it; nearest first, at most [`MAX_SUGGESTIONS`].
pub fn closest<'a>(wanted: &str, known: impl Iterator<Item = &'a str>) -> Vec<&'a str> {
    let w = normalise(wanted);
    let limit = (w.chars().count() / 3).max(1);
    let mut scored: Vec<(usize, &str)> = known
        .filter_map(|k| {
            let n = normalise(k);
            let d = levenshtein(&w, &n);
            if d <= limit {
                Some((d, k))
            } else if !w.is_empty() && (n.starts_with(&w) || w.starts_with(&n) && n.len() > 2) {
                Some((limit + 1, k))
            } else {
                None
            }
        })
        .collect();
    scored.sort();
    scored.dedup_by_key(|(_, k)| normalise(k));
    scored
        .into_iter()
        .take(MAX_SUGGESTIONS)
        .map(|(_, k)| k)
        .collect()
}

fn normalise(s: &str) -> String {
    s.to_lowercase()
        .replace(['-', '_', '/'], " ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// Edit distance in characters (insertions, deletions, substitutions).
fn levenshtein(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            cur[j + 1] = (prev[j] + usize::from(ca != *cb))
                .min(prev[j + 1] + 1)
                .min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distances() {
        assert_eq!(levenshtein("kitten", "sitting"), 3);
        assert_eq!(levenshtein("", "abc"), 3);
        assert_eq!(levenshtein("café", "cafe"), 1);
    }

    #[test]
    fn the_closest_known_values() {
        let known = [
            "acme bank",
            "coreweave",
            "customer",
            "type/customer",
            "lambda",
        ];
        assert_eq!(
            closest("acme-bank", known.iter().copied()),
            vec!["acme bank"]
        );
        assert_eq!(closest("custmer", known.iter().copied()), vec!["customer"]);
        assert_eq!(closest("core", known.iter().copied()), vec!["coreweave"]);
        assert!(closest("zebra", known.iter().copied()).is_empty());
        assert_eq!(
            message("no note has tag \"x\"", &["a".into(), "b".into()]),
            "no note has tag \"x\"; did you mean one of \"a\", \"b\"?"
        );
    }
}
