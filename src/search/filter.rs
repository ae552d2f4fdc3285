//! Filters: tag (hierarchical), account, participant, date range, kind, path glob.
//! Each becomes a tantivy query intersected with the text query, never a post-filter.

use crate::date::{parse_bound, Date};
use crate::index::schema::indexable;
use crate::index::Fields;
use crate::note::Kind;
use crate::{Error, Result};
use tantivy::query::{BooleanQuery, EmptyQuery, Occur, Query, RangeQuery, TermQuery, TermSetQuery};
use tantivy::schema::IndexRecordOption;
use tantivy::{Searcher, Term};

/// All filters of a request; every one given must hold.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Filters {
    /// Tags; each must be present (a parent tag matches its children).
    pub tags: Vec<String>,
    /// Accounts; any may match (case-insensitive).
    pub accounts: Vec<String>,
    /// Participants; any may match (case-insensitive).
    pub participants: Vec<String>,
    /// Inclusive lower date bound.
    pub since: Option<Date>,
    /// Inclusive upper date bound.
    pub until: Option<Date>,
    /// Kinds; any may match.
    pub kinds: Vec<Kind>,
    /// Path globs; any may match.
    pub paths: Vec<String>,
}

impl Filters {
    /// No filter given.
    pub fn is_empty(&self) -> bool {
        *self == Filters::default()
    }
}

/// Filter values as a person or an assistant gives them (`quarry search` flags, the MCP
/// tools' arguments), before they are checked: the one place that turns them into
/// [`Filters`], so every front end accepts and refuses the same values with the same words.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FilterInput {
    /// `--tag` values.
    pub tags: Vec<String>,
    /// `--account` values.
    pub accounts: Vec<String>,
    /// `--participant` values.
    pub participants: Vec<String>,
    /// `--since`: `YYYY-MM-DD` or a span back from today (`30d`, `2w`, `6m`, `1y`).
    pub since: Option<String>,
    /// `--until`, as `since`.
    pub until: Option<String>,
    /// `--kind` values, each possibly comma-separated.
    pub kinds: Vec<String>,
    /// `--path` globs or folders.
    pub paths: Vec<String>,
}

impl FilterInput {
    /// Checks every value and builds the [`Filters`]; `today` anchors relative dates. Errors
    /// name the flag and what it accepts.
    pub fn check(&self, today: Date) -> Result<Filters> {
        let bound = |flag: &str, v: &Option<String>| {
            v.as_deref()
                .map(|s| parse_bound(s, today))
                .transpose()
                .map_err(|e| Error::Query(format!("{flag}: {e}")))
        };
        let since = bound("--since", &self.since)?;
        let until = bound("--until", &self.until)?;
        let mut kinds = Vec::new();
        let named = self.kinds.iter().flat_map(|k| k.split(','));
        for k in named.map(str::trim).filter(|k| !k.is_empty()) {
            match Kind::parse(k) {
                Some(kind) => kinds.push(kind),
                None => {
                    return Err(Error::Query(format!(
                        "--kind: '{k}' is not a kind; use fact, action, decision or paragraph"
                    )))
                }
            }
        }
        // `--kind ,` or `--kind ""` names no kind at all: an error like `--tag ""`, not a
        // silent "any kind" (a stray trailing comma, as in `fact,`, is forgiven).
        if !self.kinds.is_empty() && kinds.is_empty() {
            return Err(Error::Query(
                "--kind needs a value: fact, action, decision or paragraph".into(),
            ));
        }
        for (flag, values) in [
            ("--tag", &self.tags),
            ("--account", &self.accounts),
            ("--participant", &self.participants),
            ("--path", &self.paths),
        ] {
            if values.iter().any(|v| v.trim().is_empty()) {
                return Err(Error::Query(format!("{flag} needs a value")));
            }
        }
        Ok(Filters {
            tags: self.tags.clone(),
            accounts: self.accounts.clone(),
            participants: self.participants.clone(),
            since,
            until,
            kinds,
            paths: self.paths.clone(),
        })
    }
}

fn term_query(term: Term) -> Box<dyn Query> {
    Box::new(TermQuery::new(term, IndexRecordOption::Basic))
}

fn any_of(queries: Vec<Box<dyn Query>>) -> Box<dyn Query> {
    Box::new(BooleanQuery::new(
        queries.into_iter().map(|q| (Occur::Should, q)).collect(),
    ))
}

/// The filters as tantivy queries (each must match).
pub fn filter_queries(
    fields: &Fields,
    searcher: &Searcher,
    f: &Filters,
) -> Result<Vec<Box<dyn Query>>> {
    let mut out: Vec<Box<dyn Query>> = Vec::new();
    for tag in &f.tags {
        let t = crate::note::normalise_tag(tag)
            .ok_or_else(|| Error::Query(format!("--tag '{tag}' is not a tag")))?;
        out.push(term_query(Term::from_field_text(fields.tag, &t)));
    }
    if !f.accounts.is_empty() {
        out.push(any_of(
            f.accounts
                .iter()
                .map(|a| {
                    term_query(Term::from_field_text(
                        fields.account,
                        &a.trim().to_lowercase(),
                    ))
                })
                .collect(),
        ));
    }
    if !f.participants.is_empty() {
        out.push(any_of(
            f.participants
                .iter()
                .map(|a| {
                    term_query(Term::from_field_text(
                        fields.participant,
                        &a.trim().to_lowercase(),
                    ))
                })
                .collect(),
        ));
    }
    if !f.kinds.is_empty() {
        out.push(any_of(
            f.kinds
                .iter()
                .map(|k| term_query(Term::from_field_text(fields.kind, k.as_str())))
                .collect(),
        ));
    }
    if f.since.is_some() || f.until.is_some() {
        if let (Some(s), Some(u)) = (f.since, f.until) {
            if s > u {
                return Err(Error::Query(format!(
                    "--since {s} is after --until {u}; nothing can match"
                )));
            }
        }
        let bound = |d: Date| Term::from_field_date(fields.date, indexable(d));
        let lower = f.since.map_or(std::ops::Bound::Unbounded, |d| {
            std::ops::Bound::Included(bound(d))
        });
        let upper = f.until.map_or(std::ops::Bound::Unbounded, |d| {
            std::ops::Bound::Included(bound(d))
        });
        out.push(Box::new(RangeQuery::new(lower, upper)));
    }
    if !f.paths.is_empty() {
        out.push(path_query(fields, searcher, &f.paths)?);
    }
    Ok(out)
}

/// A path pattern: a glob (`Customers/**`, `*.txt`, `**/2025-*`), or a plain folder or file
/// path, which matches itself and everything below it.
pub struct PathMatcher {
    globs: globset::GlobSet,
    plain: Vec<String>,
}

impl PathMatcher {
    /// Compiles patterns; a bad glob is an error naming it.
    pub fn new(patterns: &[String]) -> Result<PathMatcher> {
        let mut builder = globset::GlobSetBuilder::new();
        let mut plain = Vec::new();
        for p in patterns {
            let p = p.trim().trim_start_matches("./");
            if p.contains(['*', '?', '[', '{']) {
                let glob = globset::GlobBuilder::new(p)
                    .literal_separator(false)
                    .build()
                    .map_err(|e| Error::Query(format!("--path '{p}' is not a valid glob: {e}")))?;
                builder.add(glob);
            } else {
                plain.push(p.trim_end_matches('/').to_string());
            }
        }
        let globs = builder
            .build()
            .map_err(|e| Error::Query(format!("--path: {e}")))?;
        Ok(PathMatcher { globs, plain })
    }

    /// Does a relative note path match?
    pub fn is_match(&self, path: &str) -> bool {
        self.globs.is_match(path)
            || self.plain.iter().any(|p| {
                path == p || (path.starts_with(p.as_str()) && path[p.len()..].starts_with('/'))
            })
    }
}

/// Matches the glob against every indexed path (one term per note, read from the term
/// dictionary) and returns a term-set query of the matching ones.
fn path_query(fields: &Fields, searcher: &Searcher, patterns: &[String]) -> Result<Box<dyn Query>> {
    let matcher = PathMatcher::new(patterns)?;
    let mut terms = std::collections::BTreeSet::new();
    for segment in searcher.segment_readers() {
        let inverted = segment.inverted_index(fields.path)?;
        let mut stream = inverted
            .terms()
            .stream()
            .map_err(|e| Error::Index(format!("reading paths: {e}")))?;
        while stream.advance() {
            if let Ok(path) = std::str::from_utf8(stream.key()) {
                if matcher.is_match(path) {
                    terms.insert(path.to_string());
                }
            }
        }
    }
    if terms.is_empty() {
        return Ok(Box::new(EmptyQuery));
    }
    Ok(Box::new(TermSetQuery::new(
        terms
            .into_iter()
            .map(|p| Term::from_field_text(fields.path, &p)),
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fuzz_regression_date_bounds_beyond_tantivy_range_are_clamped() {
        // Found by fuzz/fuzz_targets/query.rs: `--since 1012-01-01` overflowed.
        for (y, m, d) in [(1012, 1, 1), (1, 1, 1), (9999, 12, 31), (2262, 4, 12)] {
            let date = Date::from_ymd(y, m, d).unwrap();
            let _ = indexable(date);
        }
        let far = Date::from_ymd(2025, 1, 1)
            .unwrap()
            .add_months(-12 * 100_000);
        assert_eq!(
            indexable(far),
            indexable(Date::from_ymd(1, 1, 1).unwrap()),
            "both clamp to the lower end"
        );
        let day = Date::from_ymd(2025, 11, 12).unwrap();
        assert_eq!(indexable(day).into_timestamp_secs(), day.unix_seconds());
    }

    #[test]
    fn path_patterns() {
        let m = PathMatcher::new(&[
            "Customers".into(),
            "*.txt".into(),
            "Meetings/2025-0[6-9]*".into(),
        ])
        .unwrap();
        assert!(m.is_match("Customers/a.md"));
        assert!(m.is_match("Customers/x/y.md"));
        assert!(!m.is_match("CustomersX/a.md"));
        assert!(m.is_match("Broken/n.txt"));
        assert!(m.is_match("Meetings/2025-06-26 - QBR.md"));
        assert!(!m.is_match("Meetings/2025-05-01.md"));
        assert!(PathMatcher::new(&["a[".into()]).is_err());
    }
}
