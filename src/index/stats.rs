//! What `quarry stats` reports about an index: counts, date range, top tags and accounts,
//! size and model, read from the last commit.

use super::Store;
use crate::date::Date;
use crate::Result;
use serde::Serialize;

/// What `quarry stats --json` prints.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct Stats {
    /// Index folder.
    pub index: String,
    /// Indexed roots.
    pub roots: Vec<String>,
    /// Notes indexed.
    pub notes: usize,
    /// Passages indexed.
    pub passages: u64,
    /// Files skipped at the last run.
    pub skipped: usize,
    /// Earliest note date.
    pub first_date: Option<String>,
    /// Latest note date.
    pub last_date: Option<String>,
    /// Bytes on disk.
    pub index_bytes: u64,
    /// Passages per kind.
    pub kinds: std::collections::BTreeMap<String, u64>,
    /// Most frequent tags (passage counts).
    pub top_tags: Vec<(String, u64)>,
    /// Most frequent accounts (passage counts).
    pub top_accounts: Vec<(String, u64)>,
    /// Embedding model, if the index has vectors.
    pub model: Option<String>,
    /// Passages with vectors.
    pub vectors: u64,
    /// quarry version that wrote the index.
    pub written_by: String,
}

/// Gathers the numbers of the opened commit.
pub fn collect(store: &Store) -> Result<Stats> {
    let manifest = store.manifest()?;
    let searcher = store.searcher();
    let f = &store.fields;
    let mut first: Option<i64> = None;
    let mut last: Option<i64> = None;
    for seg in searcher.segment_readers() {
        if let Ok(col) = seg.fast_fields().date("date") {
            let alive = seg.alive_bitset();
            for doc in 0..seg.max_doc() {
                if alive.is_some_and(|a| !a.is_alive(doc)) {
                    continue;
                }
                if let Some(d) = col.first(doc) {
                    let s = d.into_timestamp_secs();
                    first = Some(first.map_or(s, |x| x.min(s)));
                    last = Some(last.map_or(s, |x| x.max(s)));
                }
            }
        }
    }
    let day = |s: i64| Date::from_days(s.div_euclid(86_400) as i32).to_string();
    let top = |field| -> Result<Vec<(String, u64)>> {
        let mut counts: std::collections::HashMap<String, u64> = std::collections::HashMap::new();
        for seg in searcher.segment_readers() {
            let inv = seg.inverted_index(field)?;
            let mut stream = inv
                .terms()
                .stream()
                .map_err(|e| crate::Error::damaged(&store.dir, format!("reading terms: {e}")))?;
            while stream.advance() {
                let key = String::from_utf8_lossy(stream.key()).into_owned();
                *counts.entry(key).or_default() += u64::from(stream.value().doc_freq);
            }
        }
        let mut v: Vec<(String, u64)> = counts.into_iter().collect();
        v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        v.truncate(10);
        Ok(v)
    };
    let mut kinds = std::collections::BTreeMap::new();
    for (k, n) in top(f.kind)? {
        kinds.insert(k, n);
    }
    Ok(Stats {
        index: store.dir.display().to_string(),
        roots: manifest.roots.clone(),
        notes: manifest.notes.len(),
        passages: searcher.num_docs(),
        skipped: manifest.skipped.len(),
        first_date: first.map(day),
        last_date: last.map(day),
        index_bytes: store.disk_bytes(),
        kinds,
        top_tags: top(f.tag)?,
        top_accounts: top(f.account)?,
        model: store
            .payload
            .model
            .as_ref()
            .map(|m| format!("{} ({} dims)", m.name, m.dims)),
        vectors: store.vectors()?.len() as u64,
        written_by: store.payload.written_by.clone(),
    })
}
