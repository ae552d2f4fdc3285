//! The order hits come out in, and which hits make the cut, decided so that the same index
//! and request always print the same list.
//!
//! * **By score** the ranked list is cut at `limit`; passages that tie with the last one kept
//!   are loaded too, and ties go by path, then line (then root). Without that, equal scores
//!   came out in index order, which depends on how the indexing threads happened to add the
//!   documents.
//! * **By date** (`--sort date`, and searches with only filters) every match is ordered,
//!   newest note first and undated last, *before* the cut, so `--sort date -n 3` is the three
//!   newest matches, not the best three re-sorted. Dates come from the fast field; only the
//!   passages of the dates that make the cut are loaded, to order them by path and line.

use super::{load_hit, Explain, Hit};
use crate::index::Fields;
use crate::Result;
use tantivy::{DocAddress, Searcher};

/// A matched passage before it is loaded: where it is, its score, why.
#[derive(Debug, Clone)]
pub struct Scored {
    /// The document.
    pub addr: DocAddress,
    /// Its score in the request's mode.
    pub score: f32,
    /// Its ranks and scores, with `--explain`.
    pub explain: Option<Explain>,
}

/// Loads `scored` (best first) up to `limit`, plus the passages that tie with the last one
/// kept, and orders ties by path, line and root.
pub fn by_score(
    searcher: &Searcher,
    fields: &Fields,
    scored: Vec<Scored>,
    limit: usize,
) -> Result<Vec<Hit>> {
    let cut = match scored.get(limit.saturating_sub(1)) {
        Some(last) if limit > 0 => {
            let tail = scored[limit..]
                .iter()
                .take_while(|s| s.score == last.score)
                .count();
            limit + tail
        }
        _ => scored.len(),
    };
    let mut hits = load(searcher, fields, scored.into_iter().take(cut))?;
    hits.sort_by(|a, b| {
        b.score
            .total_cmp(&a.score)
            .then_with(|| place(a).cmp(&place(b)))
    });
    hits.truncate(limit);
    Ok(hits)
}

/// Orders every match newest note first (undated last), ties by path, line and root, and
/// keeps `limit`.
pub fn by_date(
    searcher: &Searcher,
    fields: &Fields,
    scored: Vec<Scored>,
    limit: usize,
) -> Result<Vec<Hit>> {
    let readers = searcher.segment_readers();
    let mut columns = Vec::with_capacity(readers.len());
    for r in readers {
        columns.push(r.fast_fields().date("date")?);
    }
    let mut dated: Vec<(Option<i64>, Scored)> = scored
        .into_iter()
        .map(|s| {
            let day = columns
                .get(s.addr.segment_ord as usize)
                .and_then(|c| c.first(s.addr.doc_id))
                .map(|d| d.into_timestamp_secs());
            (day, s)
        })
        .collect();
    // Newest first, undated (None) last.
    dated.sort_by(|a, b| match (a.0, b.0) {
        (Some(x), Some(y)) => y.cmp(&x),
        (x, y) => y.is_some().cmp(&x.is_some()),
    });
    let Some(boundary) = dated.get(limit.saturating_sub(1)).map(|d| d.0) else {
        return finish_by_date(
            load(searcher, fields, dated.into_iter().map(|d| d.1))?,
            limit,
        );
    };
    let keep = dated
        .iter()
        .position(|d| newer(boundary, d.0))
        .unwrap_or(dated.len());
    finish_by_date(
        load(searcher, fields, dated.into_iter().take(keep).map(|d| d.1))?,
        limit,
    )
}

/// Whether `day` sorts after `boundary` (older, or undated when the boundary is dated).
fn newer(boundary: Option<i64>, day: Option<i64>) -> bool {
    match (boundary, day) {
        (Some(b), Some(d)) => d < b,
        (Some(_), None) => true,
        (None, _) => false,
    }
}

fn finish_by_date(mut hits: Vec<Hit>, limit: usize) -> Result<Vec<Hit>> {
    hits.sort_by(|a, b| {
        let date = match (&a.date, &b.date) {
            (Some(x), Some(y)) => y.cmp(x),
            (x, y) => y.is_some().cmp(&x.is_some()),
        };
        date.then_with(|| place(a).cmp(&place(b)))
    });
    hits.truncate(limit);
    Ok(hits)
}

/// Where a passage is, for ordering ties.
fn place(h: &Hit) -> (&str, u64, &str) {
    (h.path.as_str(), h.line, h.root.as_str())
}

fn load(
    searcher: &Searcher,
    fields: &Fields,
    scored: impl Iterator<Item = Scored>,
) -> Result<Vec<Hit>> {
    scored
        .map(|s| {
            let mut h = load_hit(searcher, fields, s.addr, s.score)?;
            h.explain = s.explain;
            Ok(h)
        })
        .collect()
}
