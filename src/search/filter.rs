//! Filters: tag (hierarchical), account, participant, date range, kind, path glob, and the
//! passage-level ones: the passage's own tags and its task status, owner and due date.
//! Each becomes a tantivy query intersected with the text query, never a post-filter.

use crate::date::{parse_bound, Date};
use crate::index::schema::indexable;
use crate::index::Fields;
use crate::note::Kind;
use crate::{Error, Result};
use std::path::Path;
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
    /// The passage's own tags; each must be present (hierarchical, like `tags`).
    pub passage_tags: Vec<String>,
    /// Task statuses (`open`, `done`, `proposed`, `cancelled`, or a checkbox character); any
    /// may match.
    pub statuses: Vec<String>,
    /// Task owners; any may match (case-insensitive).
    pub owners: Vec<String>,
    /// Due strictly before this day.
    pub due_before: Option<Date>,
    /// Due strictly after this day.
    pub due_after: Option<Date>,
    /// Open and due strictly before this day (`--overdue` passes today).
    pub overdue: Option<Date>,
    /// The folder a relative `--path` is also read from (the working folder).
    pub cwd: Option<std::path::PathBuf>,
}

impl Filters {
    /// No filter given (the working folder alone filters nothing).
    pub fn is_empty(&self) -> bool {
        Filters {
            cwd: None,
            ..self.clone()
        } == Filters::default()
    }
}

/// `field < day` (`Excluded` upper) or `field > day` (`Excluded` lower).
fn day_range(
    field: tantivy::schema::Field,
    before: Option<Date>,
    after: Option<Date>,
) -> Box<dyn Query> {
    use std::ops::Bound::{Excluded, Unbounded};
    let term = |d: Date| Term::from_field_date(field, indexable(d));
    Box::new(RangeQuery::new(
        after.map_or(Unbounded, |d| Excluded(term(d))),
        before.map_or(Unbounded, |d| Excluded(term(d))),
    ))
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
    /// `--passage-tag` values.
    pub passage_tags: Vec<String>,
    /// `--status` values: `open`, `done`, `proposed`, `cancelled`, or a checkbox character.
    pub statuses: Vec<String>,
    /// `--owner` values.
    pub owners: Vec<String>,
    /// `--due-before`, as `since`.
    pub due_before: Option<String>,
    /// `--due-after`, as `since`.
    pub due_after: Option<String>,
    /// `--overdue`.
    pub overdue: bool,
    /// The folder a relative `--path` is also read from (the working folder; none for an
    /// assistant, whose paths are relative to a root).
    pub cwd: Option<std::path::PathBuf>,
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
                        "--kind: '{k}' is not a kind; use fact, action, decision, paragraph or row"
                    )))
                }
            }
        }
        // `--kind ,` or `--kind ""` names no kind at all: an error like `--tag ""`, not a
        // silent "any kind" (a stray trailing comma, as in `fact,`, is forgiven).
        if !self.kinds.is_empty() && kinds.is_empty() {
            return Err(Error::Query(
                "--kind needs a value: fact, action, decision, paragraph or row".into(),
            ));
        }
        for (flag, values) in [
            ("--tag", &self.tags),
            ("--account", &self.accounts),
            ("--participant", &self.participants),
            ("--path", &self.paths),
            ("--passage-tag", &self.passage_tags),
            ("--owner", &self.owners),
        ] {
            if values.iter().any(|v| v.trim().is_empty()) {
                return Err(Error::Query(format!("{flag} needs a value")));
            }
        }
        let mut statuses = Vec::new();
        for s in self.statuses.iter().filter(|s| !s.trim().is_empty()) {
            match crate::note::task::parse_status(s) {
                Some(status) => statuses.push(status),
                None => {
                    return Err(Error::Query(format!(
                        "--status: '{s}' is not a status; use open, done, proposed, cancelled, or a checkbox character such as /"
                    )))
                }
            }
        }
        if !self.statuses.is_empty() && statuses.is_empty() {
            return Err(Error::Query(
                "--status needs a value: open, done, proposed, cancelled".into(),
            ));
        }
        Ok(Filters {
            tags: self.tags.clone(),
            accounts: self.accounts.clone(),
            participants: self.participants.clone(),
            since,
            until,
            kinds,
            paths: self.paths.clone(),
            passage_tags: self.passage_tags.clone(),
            statuses,
            owners: self.owners.clone(),
            due_before: bound("--due-before", &self.due_before)?,
            due_after: bound("--due-after", &self.due_after)?,
            overdue: self.overdue.then_some(today),
            cwd: self.cwd.clone(),
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
        out.push(path_query(fields, searcher, &f.paths, f.cwd.as_deref())?);
    }
    out.extend(task_queries(fields, f)?);
    Ok(out)
}

/// The passage-level filters: own tags, task status, owner, due dates.
fn task_queries(fields: &Fields, f: &Filters) -> Result<Vec<Box<dyn Query>>> {
    let mut out: Vec<Box<dyn Query>> = Vec::new();
    for tag in &f.passage_tags {
        let t = crate::note::normalise_tag(tag)
            .ok_or_else(|| Error::Query(format!("--passage-tag '{tag}' is not a tag")))?;
        out.push(term_query(Term::from_field_text(fields.passage_tag, &t)));
    }
    if !f.statuses.is_empty() {
        out.push(any_of(
            f.statuses
                .iter()
                .map(|s| term_query(Term::from_field_text(fields.status, s)))
                .collect(),
        ));
    }
    if !f.owners.is_empty() {
        out.push(any_of(
            f.owners
                .iter()
                .map(|o| {
                    let o = o.trim().trim_start_matches('@').to_lowercase();
                    term_query(Term::from_field_text(fields.owner, &o))
                })
                .collect(),
        ));
    }
    if let (Some(a), Some(b)) = (f.due_after, f.due_before) {
        if a.days() + 1 >= b.days() {
            return Err(Error::Query(format!(
                "--due-after {a} and --due-before {b} leave no day between them; nothing can match"
            )));
        }
    }
    if f.due_before.is_some() || f.due_after.is_some() {
        out.push(day_range(fields.due, f.due_before, f.due_after));
    }
    if let Some(today) = f.overdue {
        out.push(term_query(Term::from_field_text(fields.status, "open")));
        out.push(day_range(fields.due, Some(today), None));
    }
    Ok(out)
}

/// `--path` patterns. Each is a glob (`Customers/**`, `*.txt`), or a plain folder or file,
/// which matches itself and everything below it; a leading `!` excludes instead. A pattern
/// is read against the path relative to its root (`Customers`), against the path relative to
/// the working folder (`notes/Customers` from the vault's parent), and, when absolute,
/// against the note's absolute path (which must lie inside a root to match anything).
pub struct PathMatcher {
    include: Vec<Pattern>,
    exclude: Vec<Pattern>,
    cwd: Option<std::path::PathBuf>,
}

enum Pattern {
    /// A glob; absolute globs match absolute paths.
    Glob {
        glob: globset::GlobMatcher,
        absolute: bool,
    },
    /// A relative folder or file: root-relative, and relative to the working folder.
    Plain(String),
    /// An absolute folder or file.
    Absolute(std::path::PathBuf),
}

impl PathMatcher {
    /// Compiles patterns; a bad glob is an error naming it. `cwd` is the working folder.
    pub fn new(patterns: &[String], cwd: Option<&Path>) -> Result<PathMatcher> {
        let mut m = PathMatcher {
            include: Vec::new(),
            exclude: Vec::new(),
            cwd: cwd.map(Path::to_path_buf),
        };
        for raw in patterns {
            let (negated, p) = match raw.trim().strip_prefix('!') {
                Some(rest) => (true, rest.trim()),
                None => (false, raw.trim()),
            };
            if p.is_empty() {
                return Err(Error::Query(format!("--path '{raw}' names no path")));
            }
            let pattern = if p.contains(['*', '?', '[', '{']) {
                let glob = globset::GlobBuilder::new(p.trim_start_matches("./"))
                    .literal_separator(false)
                    .build()
                    .map_err(|e| Error::Query(format!("--path '{p}' is not a valid glob: {e}")))?
                    .compile_matcher();
                Pattern::Glob {
                    glob,
                    absolute: p.starts_with('/'),
                }
            } else if Path::new(p).is_absolute() {
                Pattern::Absolute(normalise(Path::new(p)))
            } else {
                Pattern::Plain(p.trim_start_matches("./").trim_end_matches('/').to_string())
            };
            if negated {
                m.exclude.push(pattern);
            } else {
                m.include.push(pattern);
            }
        }
        Ok(m)
    }

    /// Does the note at `rel` under `root` match?
    pub fn is_match(&self, root: &Path, rel: &str) -> bool {
        let abs = root.join(rel);
        let hit = |p: &Pattern| self.pattern_matches(p, rel, &abs);
        (self.include.is_empty() || self.include.iter().any(hit)) && !self.exclude.iter().any(hit)
    }

    fn pattern_matches(&self, p: &Pattern, rel: &str, abs: &Path) -> bool {
        let from_cwd = self.cwd.as_deref().and_then(|c| abs.strip_prefix(c).ok());
        match p {
            Pattern::Glob {
                glob,
                absolute: true,
            } => glob.is_match(abs),
            Pattern::Glob { glob, .. } => {
                glob.is_match(rel) || from_cwd.is_some_and(|r| glob.is_match(r))
            }
            Pattern::Plain(p) => {
                (rel == p || (rel.starts_with(p.as_str()) && rel[p.len()..].starts_with('/')))
                    || self
                        .cwd
                        .as_deref()
                        .is_some_and(|c| abs.starts_with(normalise(&c.join(p))))
            }
            Pattern::Absolute(a) => abs.starts_with(a),
        }
    }
}

/// An absolute path without `.` and `..` parts, through symlinks where it exists (roots are
/// canonical, so `/tmp` and `/private/tmp` must agree).
fn normalise(p: &Path) -> std::path::PathBuf {
    if let Ok(c) = p.canonicalize() {
        return c;
    }
    let mut out = std::path::PathBuf::new();
    for part in p.components() {
        match part {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

/// Every indexed (root, path) pair is matched against the patterns (the roots and paths are
/// read from the term dictionaries: one term per root and per relative path), and the
/// result is a query for the matching notes of each root.
fn path_query(
    fields: &Fields,
    searcher: &Searcher,
    patterns: &[String],
    cwd: Option<&Path>,
) -> Result<Box<dyn Query>> {
    let matcher = PathMatcher::new(patterns, cwd)?;
    let roots = all_terms(searcher, fields.root)?;
    let paths = all_terms(searcher, fields.path)?;
    let mut per_root: Vec<Box<dyn Query>> = Vec::new();
    for root in &roots {
        let matching: Vec<Term> = paths
            .iter()
            .filter(|rel| matcher.is_match(Path::new(root), rel))
            .map(|rel| Term::from_field_text(fields.path, rel))
            .collect();
        if matching.is_empty() {
            continue;
        }
        per_root.push(Box::new(BooleanQuery::new(vec![
            (
                Occur::Must,
                term_query(Term::from_field_text(fields.root, root)),
            ),
            (Occur::Must, Box::new(TermSetQuery::new(matching))),
        ])));
    }
    if per_root.is_empty() {
        return Ok(Box::new(EmptyQuery));
    }
    Ok(any_of(per_root))
}

/// The distinct terms of a raw (untokenised) field, across segments.
pub(crate) fn all_terms(
    searcher: &Searcher,
    field: tantivy::schema::Field,
) -> Result<std::collections::BTreeSet<String>> {
    let mut terms = std::collections::BTreeSet::new();
    for segment in searcher.segment_readers() {
        let inverted = segment.inverted_index(field)?;
        let mut stream = inverted
            .terms()
            .stream()
            .map_err(|e| Error::Index(format!("reading the term list: {e}")))?;
        while stream.advance() {
            if let Ok(t) = std::str::from_utf8(stream.key()) {
                terms.insert(t.to_string());
            }
        }
    }
    Ok(terms)
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
        let root = Path::new("/vault");
        let m = PathMatcher::new(
            &[
                "Customers".into(),
                "*.txt".into(),
                "Meetings/2025-0[6-9]*".into(),
            ],
            None,
        )
        .unwrap();
        assert!(m.is_match(root, "Customers/a.md"));
        assert!(m.is_match(root, "Customers/x/y.md"));
        assert!(!m.is_match(root, "CustomersX/a.md"));
        assert!(m.is_match(root, "Broken/n.txt"));
        assert!(m.is_match(root, "Meetings/2025-06-26 - QBR.md"));
        assert!(!m.is_match(root, "Meetings/2025-05-01.md"));
        assert!(PathMatcher::new(&["a[".into()], None).is_err());
        assert!(PathMatcher::new(&["!".into()], None).is_err());
    }

    #[test]
    fn paths_relative_to_the_working_folder_absolute_and_excluded() {
        let (a, b) = (Path::new("/home/me/notes"), Path::new("/home/me/work"));
        let cwd = Some(Path::new("/home/me"));
        let m = |p: &[&str]| {
            PathMatcher::new(&p.iter().map(|s| s.to_string()).collect::<Vec<_>>(), cwd).unwrap()
        };
        // Relative to the working folder: only that root's notes.
        let from_cwd = m(&["notes/Customers"]);
        assert!(from_cwd.is_match(a, "Customers/x.md"));
        assert!(!from_cwd.is_match(b, "Customers/x.md"));
        // Root-relative still works, in every root.
        assert!(m(&["Customers"]).is_match(b, "Customers/x.md"));
        // Absolute, and with `..`.
        assert!(m(&["/home/me/work/Customers"]).is_match(b, "Customers/x.md"));
        assert!(!m(&["/home/me/work/Customers"]).is_match(a, "Customers/x.md"));
        assert!(m(&["/home/me/notes/../work"]).is_match(b, "x.md"));
        // Globs against the working-folder path and the absolute path.
        assert!(m(&["work/**/*.md"]).is_match(b, "Customers/x.md"));
        assert!(m(&["/home/*/notes/**"]).is_match(a, "x.md"));
        // Exclusions, alone or with inclusions.
        let ex = m(&["!Customers/**"]);
        assert!(!ex.is_match(a, "Customers/x.md") && ex.is_match(a, "Internal/y.md"));
        let both = m(&["notes", "!*.txt"]);
        assert!(
            both.is_match(a, "a.md") && !both.is_match(a, "b.txt") && !both.is_match(b, "a.md")
        );
    }
}
