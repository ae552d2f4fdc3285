//! Semantic ranking: cosine similarity over every passage that passes the filters (filter
//! first, then top-k), scored exactly when few pass and through the vectors' compact codes
//! with an exact re-score of a shortlist when many do ([`semantic`]), with the query
//! embedded as late as possible so the model can load on another core meanwhile.

use super::lexical::clause_query;
use super::query::{self, Occur, Target};
use super::{filter_query, Filters, Request};
use crate::embed::Embedder;
use crate::index::vectors::codes::Kernel;
use crate::index::vectors::{Candidate, OrdF32, PidMap, VectorStore};
use crate::index::Store;
use crate::{Error, Result};
use tantivy::query::{BooleanQuery, Query};
use tantivy::{DocAddress, Searcher};

/// What semantic ranking needs: the model (to embed the query) and the stored vectors.
pub struct SemanticParts<'a> {
    /// Embeds the query's semantic text (see [`semantic_text`]). It is called only once the
    /// candidates are gathered, so a caller can load the model on another thread meanwhile.
    pub embed: &'a (dyn Fn(&str) -> Result<Vec<f32>> + Sync),
    /// The index's vectors.
    pub vectors: &'a VectorStore,
    /// How the passages that pass the filters are scored.
    pub scan: Scan,
    /// Called with the name of each step as it finishes (`QUARRY_TIMING`).
    pub lap: Option<&'a (dyn Fn(&str) + Sync)>,
}

impl<'a> SemanticParts<'a> {
    /// Parts that embed with an already loaded model.
    pub fn embedding_with(
        embed: &'a (dyn Fn(&str) -> Result<Vec<f32>> + Sync),
        vectors: &'a VectorStore,
    ) -> Self {
        SemanticParts {
            embed,
            vectors,
            scan: Scan::Auto,
            lap: None,
        }
    }

    /// The same parts with another [`Scan`].
    pub fn with_scan(self, scan: Scan) -> Self {
        SemanticParts { scan, ..self }
    }

    fn lap(&self, what: &str) {
        if let Some(lap) = self.lap {
            lap(what);
        }
    }
}

/// A query embedder over a loaded model, for [`SemanticParts::embed`].
pub fn embedder_fn(embedder: &dyn Embedder) -> impl Fn(&str) -> Result<Vec<f32>> + Sync + '_ {
    move |text: &str| embed_query(embedder, text)
}

/// The words a query is embedded as: its positive free-text clauses.
pub fn semantic_text(query_text: &str) -> Result<String> {
    let clauses = query::parse(query_text)?;
    Ok(clauses
        .iter()
        .filter(|c| c.occur != Occur::MustNot && matches!(c.target, Target::All | Target::Text))
        .map(|c| c.value.as_str())
        .collect::<Vec<_>>()
        .join(" "))
}

/// The candidate set for semantic ranking: the filters, plus the query's required (`+`),
/// excluded (`-`) and field clauses (`tag:x`, `account:y`), which act as filters here.
fn semantic_candidates(
    store: &Store,
    searcher: &Searcher,
    query_text: &str,
    filters: &Filters,
) -> Result<Box<dyn Query>> {
    use tantivy::query::Occur as O;
    let mut parts: Vec<(O, Box<dyn Query>)> =
        vec![(O::Must, filter_query(store, searcher, filters)?)];
    let mut fielded: Vec<(O, Box<dyn Query>)> = Vec::new();
    for clause in query::parse(query_text)? {
        let free = matches!(clause.target, Target::All | Target::Text);
        if clause.occur == Occur::Should && free {
            continue;
        }
        let Some(q) = clause_query(&store.fields, &clause)? else {
            continue;
        };
        match clause.occur {
            Occur::Must => parts.push((O::Must, q)),
            Occur::MustNot => parts.push((O::MustNot, q)),
            Occur::Should => fielded.push((O::Should, q)),
        }
    }
    if !fielded.is_empty() {
        parts.push((O::Must, Box::new(BooleanQuery::new(fielded))));
    }
    Ok(Box::new(BooleanQuery::new(parts)))
}

/// How semantic ranking scores the passages that pass the filters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Scan {
    /// Exactly when few pass (a selective filter), else by compact codes with an exact
    /// re-score of a shortlist (see [`semantic`]).
    #[default]
    Auto,
    /// Always the exact cosine of every passage that passes (the reference the compact
    /// scan is measured against).
    Exact,
    /// Always by compact codes, however few pass (for tests and measurements).
    Compact,
}

/// Passages re-scored exactly after the compact scan: at least this many, and at least
/// [`SHORTLIST_PER_HIT`] per requested hit. Chosen by the recall measurements in the README
/// (Performance): recall@10 against the exact ranking ≥ 0.99 on SciFact's and the synthetic
/// vault's real vectors, with and without filters.
pub const SHORTLIST_MIN: usize = 1000;

/// See [`SHORTLIST_MIN`].
pub const SHORTLIST_PER_HIT: usize = 10;

/// The shortlist length for `limit` hits.
pub fn shortlist_len(limit: usize) -> usize {
    limit.saturating_mul(SHORTLIST_PER_HIT).max(SHORTLIST_MIN)
}

/// Whether `Auto` scores `passing` candidates exactly, with `stored` vectors in the index:
/// an exact score costs a read of the vector (about a microsecond from the page cache), a
/// compact one a few nanoseconds, so the exact scan wins while the filter passes fewer than
/// the shortlist plus 1/128 of the store.
pub fn exact_is_cheaper(passing: usize, stored: usize, limit: usize) -> bool {
    passing <= shortlist_len(limit) + stored / 128
}

/// The top `limit` of every passage that passes the request's filters, by cosine with the
/// query (filter first, then top-k), best first, dropping similarities under `req.floor`.
/// `text` is the query's semantic text ([`semantic_text`]); returns the ranking and the
/// query vector.
///
/// The candidates (documents that pass, with their passage ids) are gathered first, while
/// the model may still be loading. Few candidates are scored exactly. Many are ranked by a
/// scan of every stored vector's compact code ([`VectorStore::shortlist`]): its best `S'`
/// estimates, kept only where a candidate has that vector, are the candidates' best by
/// estimate, exactly as a scan of the candidates alone would rank them; `S'` grows until
/// [`shortlist_len`] candidates' vectors are among them. Those are re-scored with the exact
/// vectors, so the result is the exact ranking unless a true top hit's estimate fell below
/// the shortlist.
pub fn semantic(
    store: &Store,
    searcher: &Searcher,
    req: &Request,
    parts: &SemanticParts<'_>,
    text: &str,
    limit: usize,
) -> Result<(Ranked, Vec<f32>)> {
    let vectors = parts.vectors;
    let candidates = semantic_candidates(store, searcher, &req.query, &req.filters)?;
    let weight = candidates.weight(tantivy::query::EnableScoring::disabled_from_searcher(
        searcher,
    ))?;
    // Room for every document up front: growing by doubling copied up to 37 MB at 2.3
    // million passages, and pages never written (a selective filter) cost nothing.
    let mut items: Vec<(u64, DocAddress)> = Vec::with_capacity(searcher.num_docs() as usize);
    // A block's passage ids are read in one call (the column decodes them four at a time);
    // one `first` per document cost 80 ms over 2.3 million passages.
    let mut block_pids: Vec<Option<u64>> = Vec::new();
    for (ord, seg) in searcher.segment_readers().iter().enumerate() {
        let pids = seg.fast_fields().u64("pid")?;
        let alive = seg.alive_bitset();
        weight.for_each_no_score(seg, &mut |docs| {
            block_pids.clear();
            block_pids.resize(docs.len(), None);
            pids.first_vals(docs, &mut block_pids);
            for (&doc, pid) in docs.iter().zip(&block_pids) {
                if alive.is_some_and(|a| !a.is_alive(doc)) {
                    continue;
                }
                if let Some(pid) = *pid {
                    items.push((pid, DocAddress::new(ord as u32, doc)));
                }
            }
        })?;
    }
    parts.lap("semantic candidates gathered");
    let query_vec = (parts.embed)(text)?;
    parts.lap("query embedded");
    let (scored, exact) = score(vectors, &mut items, &query_vec, limit, parts.scan)?;
    parts.lap(if exact {
        "exact scan"
    } else {
        "compact scan and re-score"
    });
    Ok((top(scored, req.floor, limit), query_vec))
}

/// Scores the candidates `(pid, key)` for a top `limit`: every one exactly, or (many
/// candidates, or `Scan::Compact`) the [`shortlist_len`] best by compact estimate exactly and
/// the rest not at all. Returns the scored candidates (any order) and whether the scan was
/// exact. Candidates without a stored vector are left out.
pub fn score<K: Copy>(
    vectors: &VectorStore,
    items: &mut [(u64, K)],
    query: &[f32],
    limit: usize,
    scan: Scan,
) -> Result<(Vec<(f32, K)>, bool)> {
    let exact = match scan {
        Scan::Exact => true,
        Scan::Compact => false,
        Scan::Auto => exact_is_cheaper(items.len(), vectors.len(), limit),
    } || !vectors.has_codes();
    Ok(if exact {
        (vectors.dot_many(items, query), true)
    } else {
        (compact_scores(vectors, items, query, limit)?, false)
    })
}

/// The exact scores of the candidates' [`shortlist_len`] best by compact estimate.
fn compact_scores<K: Copy>(
    vectors: &VectorStore,
    items: &[(u64, K)],
    query: &[f32],
    limit: usize,
) -> Result<Vec<(f32, K)>> {
    let want = shortlist_len(limit);
    let stored = vectors.len();
    let kernel = Kernel::detect();
    // Deep enough that `want` candidates' vectors are expected in it at the candidates'
    // share of the store; deeper while they are not.
    let share = items.len().max(1) as f64 / stored.max(1) as f64;
    let mut depth = ((want as f64 / share) * 1.25) as usize + 64;
    loop {
        depth = depth.min(stored);
        let short = vectors.shortlist(query, depth, kernel);
        // pid → its candidate (the newest segment's copy of a pid wins).
        let mut by_pid: PidMap<Candidate> = PidMap::default();
        by_pid.reserve(short.len());
        for c in &short {
            let slot = by_pid.entry(vectors.pid_of(c)).or_insert(*c);
            if c.segment > slot.segment {
                *slot = *c;
            }
        }
        // Each shortlisted pid that a candidate has, once.
        let mut found: Vec<(Candidate, u64)> = Vec::new();
        for (pid, _) in items {
            if let Some(c) = by_pid.remove(pid) {
                found.push((c, *pid));
            }
        }
        if found.len() < want && depth < stored {
            depth = depth.saturating_mul(4);
            continue;
        }
        found.sort_by(|a, b| {
            b.0.estimate
                .total_cmp(&a.0.estimate)
                .then((a.0.segment, a.0.item).cmp(&(b.0.segment, b.0.item)))
        });
        found.truncate(want);
        let cands: Vec<Candidate> = found.iter().map(|f| f.0).collect();
        let exact: PidMap<f32> = found
            .iter()
            .map(|f| f.1)
            .zip(vectors.rescore(&cands, query)?)
            .collect();
        return Ok(items
            .iter()
            .filter_map(|(pid, key)| exact.get(pid).map(|s| (*s, *key)))
            .collect());
    }
}

/// The best `limit` of `scored` at or above `floor`, best first (ties by document).
fn top(scored: Vec<(f32, DocAddress)>, floor: f32, limit: usize) -> Ranked {
    // A min-heap of the best `limit` so far.
    let mut heap: std::collections::BinaryHeap<std::cmp::Reverse<(OrdF32, DocAddress)>> =
        std::collections::BinaryHeap::with_capacity(limit + 1);
    for (sim, addr) in scored {
        if sim < floor {
            continue;
        }
        let item = std::cmp::Reverse((OrdF32(sim), addr));
        if heap.len() < limit {
            heap.push(item);
        } else if heap.peek().is_some_and(|top| item < *top) {
            heap.pop();
            heap.push(item);
        }
    }
    let mut out: Vec<(f32, DocAddress)> = heap
        .into_iter()
        .map(|std::cmp::Reverse((s, a))| (s.0, a))
        .collect();
    out.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
    out
}

/// Documents with their similarity, best first.
pub type Ranked = Vec<(f32, DocAddress)>;

/// Embeds a query.
pub fn embed_query(embedder: &dyn Embedder, text: &str) -> Result<Vec<f32>> {
    embedder
        .embed_batch(&[text])?
        .into_iter()
        .next()
        .ok_or_else(|| Error::Model("the model returned no vector for the query".into()))
}

#[cfg(test)]
mod tests_support {
    use super::*;
    use crate::index::vectors::write_segment;

    const DIMS: usize = 384;

    /// Vectors in 40 clusters around a shared direction, as sentence embeddings lie.
    pub fn clustered(n: usize, seed: u64) -> Vec<Vec<f32>> {
        let mut state = seed | 1;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state % 2001) as f32 / 1000.0 - 1.0
        };
        let centres: Vec<Vec<f32>> = (0..40)
            .map(|_| (0..DIMS).map(|_| next()).collect())
            .collect();
        (0..n)
            .map(|i| {
                let c = &centres[i % 40];
                let mut v: Vec<f32> = (0..DIMS).map(|k| 0.5 + c[k] + 0.6 * next()).collect();
                let norm = v.iter().map(|x| x * x).sum::<f32>().sqrt();
                v.iter_mut().for_each(|x| *x /= norm);
                v
            })
            .collect()
    }

    /// `n` queries: stored vectors moved off their place by noise, renormalised.
    pub fn near(data: &[Vec<f32>], n: usize) -> Vec<Vec<f32>> {
        let noise = clustered(n, 1234);
        (0..n)
            .map(|i| {
                let v = &data[i * 997 % data.len()];
                let mut q: Vec<f32> = v.iter().zip(&noise[i]).map(|(a, b)| a + 0.5 * b).collect();
                let norm = q.iter().map(|x| x * x).sum::<f32>().sqrt();
                q.iter_mut().for_each(|x| *x /= norm);
                q
            })
            .collect()
    }

    pub fn store(dir: &std::path::Path, data: &[Vec<f32>]) -> VectorStore {
        // Three segments, and a pid stored twice (the newest copy counts).
        let items: Vec<(u64, Vec<f32>)> = data
            .iter()
            .enumerate()
            .map(|(i, v)| (i as u64 * 7919 + 1, v.clone()))
            .collect();
        let cut = [0, 4000, 9000, items.len()];
        let mut names = Vec::new();
        for k in 0..3 {
            let name = format!("s{k}.bin");
            write_segment(
                &dir.join(&name),
                DIMS,
                0,
                items[cut[k]..cut[k + 1]].to_vec(),
            )
            .unwrap();
            names.push(name);
        }
        VectorStore::open(dir, &names).unwrap()
    }
}

#[cfg(test)]
mod tests {
    use super::tests_support::*;
    use super::*;

    fn top_keys(mut scored: Vec<(f32, u32)>, limit: usize) -> Vec<u32> {
        scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        scored.into_iter().take(limit).map(|(_, k)| k).collect()
    }

    #[test]
    fn compact_scoring_finds_the_exact_top_10_under_filters() {
        let dir = tempfile::tempdir().unwrap();
        let data = clustered(12_000, 5);
        let vectors = store(dir.path(), &data);
        // Queries near stored vectors, as a real query lies near the passages that answer it
        // (a query in a direction no stored vector takes, the hard case for sign codes, is
        // measured in the README: recall@10 0.90 at this depth).
        let queries = near(&data, 20);
        // Candidate sets: everything, a third (a broad filter), and one vector in 40 (whose
        // candidates are a sliver of the store: the shortlist must grow to find them). Keys
        // are document numbers; documents 12000.. share the pids of 0.. (repeated passages).
        let sets: Vec<Vec<(u64, u32)>> = [1usize, 3, 40]
            .iter()
            .map(|step| {
                (0..15_000u32)
                    .filter(|k| (*k as usize % 12_000).is_multiple_of(*step))
                    .map(|k| ((k as u64 % 12_000) * 7919 + 1, k))
                    .collect()
            })
            .collect();
        for (s, set) in sets.iter().enumerate() {
            let mut found = 0;
            for q in &queries {
                let exact = score(&vectors, &mut set.clone(), q, 10, Scan::Exact).unwrap();
                let (compact, was_exact) =
                    score(&vectors, &mut set.clone(), q, 10, Scan::Compact).unwrap();
                assert!(exact.1 && !was_exact);
                let allowed: std::collections::HashSet<u32> = set.iter().map(|i| i.1).collect();
                assert!(
                    compact.iter().all(|(_, k)| allowed.contains(k)),
                    "filters hold"
                );
                let want = top_keys(exact.0, 10);
                let got = top_keys(compact, 10);
                found += want.iter().filter(|k| got.contains(k)).count();
            }
            let recall = found as f64 / (10 * queries.len()) as f64;
            eprintln!("set {s}: recall@10 {recall}");
            assert!(recall >= 0.99, "set {s}: recall@10 {recall}");
        }
    }

    #[test]
    fn auto_scores_few_candidates_exactly_and_many_compactly() {
        let dir = tempfile::tempdir().unwrap();
        let data = clustered(12_000, 8);
        let vectors = store(dir.path(), &data);
        let q = &clustered(1, 3)[0];
        let few: Vec<(u64, u32)> = (0..500u32).map(|k| (k as u64 * 7919 + 1, k)).collect();
        let many: Vec<(u64, u32)> = (0..12_000u32).map(|k| (k as u64 * 7919 + 1, k)).collect();
        assert!(
            score(&vectors, &mut few.clone(), q, 10, Scan::Auto)
                .unwrap()
                .1
        );
        assert!(
            !score(&vectors, &mut many.clone(), q, 10, Scan::Auto)
                .unwrap()
                .1
        );
        assert!(exact_is_cheaper(1000, 20_000, 10) && !exact_is_cheaper(5000, 20_000, 10));
        assert_eq!(shortlist_len(10), SHORTLIST_MIN);
        assert_eq!(shortlist_len(300), 300 * SHORTLIST_PER_HIT);
        // Exact and compact agree on the scores they give (the re-score is exact).
        let (exact, _) = score(&vectors, &mut many.clone(), q, 10, Scan::Exact).unwrap();
        let (compact, _) = score(&vectors, &mut many.clone(), q, 10, Scan::Compact).unwrap();
        let exact: std::collections::HashMap<u32, f32> =
            exact.into_iter().map(|(s, k)| (k, s)).collect();
        assert_eq!(compact.len(), SHORTLIST_MIN);
        for (s, k) in compact {
            assert_eq!(exact[&k], s);
        }
    }
}
