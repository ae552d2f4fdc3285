//! Ranking metrics computed exactly as trec_eval / pytrec_eval compute them, so quarry's numbers
//! can be set beside published BEIR, Anserini and MTEB baselines.
//!
//! For one query with ranked list `d_1, d_2, …` (best first) and judgments `rel(d)` (a missing
//! judgment is 0; a grade ≤ 0 is *non-relevant*, trec_eval's default `-l 1`):
//!
//! * **nDCG@k** (trec_eval `ndcg_cut.k`; Järvelin & Kekäläinen, TOIS 2002, with the
//!   `log2(rank + 1)` discount of current trec_eval, `m_ndcg_cut.c`: "i+2 since doc i has rank
//!   i+1"; older trec_eval releases left ranks 1 and 2 both undiscounted, which pytrec_eval and
//!   BEIR do not):
//!   `DCG@k = Σ_{r=1..k} max(rel(d_r), 0) / log2(r + 1)`, linear gain, divided by the ideal
//!   DCG@k of *all* judged documents with `rel > 0` sorted by grade, descending, cut at `k`.
//!   0 when the query has no relevant judgment.
//! * **Recall@k** (trec_eval `recall.k`): relevant documents in the top `k` over all relevant
//!   documents of the query (`rel > 0`); 0 when there are none.
//! * **MRR@k** (BEIR's `mrr@k`; trec_eval `recip_rank` over the run cut at `k`): `1 / r` for the
//!   first `r ≤ k` with `rel(d_r) > 0`, else 0.
//!
//! **Averaging.** [`evaluate`] averages over *every query in the qrels*; a query with no
//! retrieved documents (absent from the run or an empty list) scores 0 on every metric and still
//! counts, and a query judged only non-relevant counts as 0 too. These are trec_eval's `-c`
//! ("complete") semantics, which Anserini's BEIR regressions use (`trec_eval -c -m ndcg_cut.10`)
//! and which BEIR's own evaluator matches, since it retrieves for every test query. Queries in
//! the run but not in the qrels are ignored, as trec_eval ignores them.
//!
//! **Ordering.** trec_eval does not trust the order of a run file: it sorts each query's
//! documents by score, descending, and breaks ties by document id, descending. Our runs are
//! already ordered lists, and that order is used as is; a caller converting scored results must
//! apply its own tie-break before calling in (and a trec_eval comparison must write scores that
//! reproduce the order, e.g. `n - rank`).
//!
//! **Duplicates.** trec_eval refuses a run with the same document twice for a query, and
//! pytrec_eval cannot express one (its run is a dict). Here a repeated document keeps its first
//! (best) rank and later copies are dropped before cutting at `k`, so they neither earn gain
//! twice nor push other documents down: the scores equal those of the de-duplicated list.

use std::collections::{HashMap, HashSet};

use super::beir::Qrels;

/// The `k` of nDCG@k in [`Scores::ndcg10`].
pub const NDCG_CUTOFF: usize = 10;
/// The `k` of Recall@k in [`Scores::recall100`].
pub const RECALL_CUTOFF: usize = 100;
/// The `k` of MRR@k in [`Scores::mrr10`].
pub const MRR_CUTOFF: usize = 10;

/// The three headline metrics, for one query or averaged over queries.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Scores {
    /// nDCG@10.
    pub ndcg10: f64,
    /// Recall@100.
    pub recall100: f64,
    /// MRR@10.
    pub mrr10: f64,
}

impl Scores {
    /// The arithmetic mean of each metric; all zeros for no input.
    pub fn mean<'a>(scores: impl IntoIterator<Item = &'a Scores>) -> Scores {
        let (mut sum, mut n) = (Scores::default(), 0usize);
        for s in scores {
            sum.ndcg10 += s.ndcg10;
            sum.recall100 += s.recall100;
            sum.mrr10 += s.mrr10;
            n += 1;
        }
        if n == 0 {
            return sum;
        }
        let n = n as f64;
        Scores {
            ndcg10: sum.ndcg10 / n,
            recall100: sum.recall100 / n,
            mrr10: sum.mrr10 / n,
        }
    }
}

/// One query's scores, with the counts needed to tell why it failed.
#[derive(Debug, Clone, PartialEq)]
pub struct QueryScores {
    /// The query id, as in the qrels.
    pub query_id: String,
    /// Its metrics.
    pub scores: Scores,
    /// Judged documents with `rel > 0`.
    pub num_rel: usize,
    /// Distinct documents the run retrieved for it (0 when the run lacks the query).
    pub num_ret: usize,
}

/// Scores every query in `qrels` (sorted by query id) against `run` (query id → document ids,
/// best first).
pub fn per_query(run: &HashMap<String, Vec<String>>, qrels: &Qrels) -> Vec<QueryScores> {
    let mut ids: Vec<&String> = qrels.keys().collect();
    ids.sort();
    ids.into_iter()
        .map(|qid| {
            let judged = &qrels[qid];
            let ranked: &[String] = run.get(qid).map_or(&[], Vec::as_slice);
            QueryScores {
                query_id: qid.clone(),
                scores: score_query(ranked, judged),
                num_rel: judged.values().filter(|&&r| r > 0).count(),
                num_ret: ranked
                    .iter()
                    .map(String::as_str)
                    .collect::<HashSet<_>>()
                    .len(),
            }
        })
        .collect()
}

/// Mean nDCG@10, Recall@100 and MRR@10 over all queries in `qrels` (trec_eval `-c`; see the
/// module docs). All zeros when `qrels` is empty.
///
/// ```
/// use std::collections::HashMap;
/// use quarry::eval::metrics::evaluate;
/// let qrels = HashMap::from([("q1".to_string(), HashMap::from([("d2".to_string(), 1)]))]);
/// let run = HashMap::from([("q1".to_string(), vec!["d1".to_string(), "d2".to_string()])]);
/// let s = evaluate(&run, &qrels);
/// assert_eq!(s.mrr10, 0.5);
/// assert_eq!(s.recall100, 1.0);
/// assert!((s.ndcg10 - 1.0 / 3f64.log2()).abs() < 1e-12);
/// ```
pub fn evaluate(run: &HashMap<String, Vec<String>>, qrels: &Qrels) -> Scores {
    let per = per_query(run, qrels);
    Scores::mean(per.iter().map(|q| &q.scores))
}

/// nDCG@10, Recall@100 and MRR@10 of one ranked list.
pub fn score_query<S: AsRef<str>>(ranked: &[S], judged: &HashMap<String, i32>) -> Scores {
    Scores {
        ndcg10: ndcg_at(ranked, judged, NDCG_CUTOFF),
        recall100: recall_at(ranked, judged, RECALL_CUTOFF),
        mrr10: reciprocal_rank_at(ranked, judged, MRR_CUTOFF),
    }
}

/// nDCG@k with linear gain and `log2(rank + 1)` discount (trec_eval `ndcg_cut.k`).
pub fn ndcg_at<S: AsRef<str>>(ranked: &[S], judged: &HashMap<String, i32>, k: usize) -> f64 {
    let mut ideal: Vec<i32> = judged.values().copied().filter(|&r| r > 0).collect();
    // Sort descending; the ideal ranking puts the highest grades first.
    ideal.sort_unstable_by(|a, b| b.cmp(a));
    let idcg: f64 = ideal
        .iter()
        .take(k)
        .enumerate()
        .map(|(i, &g)| gain(g, i))
        .sum();
    if idcg <= 0.0 {
        return 0.0;
    }
    let dcg: f64 = top_k(ranked, k)
        .enumerate()
        .map(|(i, d)| gain(judged.get(d).copied().unwrap_or(0), i))
        .sum();
    dcg / idcg
}

/// Recall@k: relevant documents in the top `k` / all relevant documents (trec_eval `recall.k`).
pub fn recall_at<S: AsRef<str>>(ranked: &[S], judged: &HashMap<String, i32>, k: usize) -> f64 {
    let num_rel = judged.values().filter(|&&r| r > 0).count();
    if num_rel == 0 {
        return 0.0;
    }
    let found = top_k(ranked, k).filter(|d| is_relevant(judged, d)).count();
    found as f64 / num_rel as f64
}

/// Reciprocal rank of the first relevant document within the top `k`, else 0.
pub fn reciprocal_rank_at<S: AsRef<str>>(
    ranked: &[S],
    judged: &HashMap<String, i32>,
    k: usize,
) -> f64 {
    top_k(ranked, k)
        .position(|d| is_relevant(judged, d))
        .map_or(0.0, |i| 1.0 / (i + 1) as f64)
}

/// The gain of grade `rel` at 0-based position `i`: `rel / log2(i + 2)`, non-positive grades
/// giving nothing. (Rank 1 divides by log2(2) = 1.)
fn gain(rel: i32, i: usize) -> f64 {
    if rel <= 0 {
        0.0
    } else {
        f64::from(rel) / ((i + 2) as f64).log2()
    }
}

fn is_relevant(judged: &HashMap<String, i32>, doc: &str) -> bool {
    judged.get(doc).is_some_and(|&r| r > 0)
}

/// The first `k` distinct documents of `ranked`: a repeated id keeps its first rank only.
fn top_k<S: AsRef<str>>(ranked: &[S], k: usize) -> impl Iterator<Item = &str> {
    let mut seen = HashSet::new();
    ranked
        .iter()
        .map(AsRef::as_ref)
        .filter(move |d| seen.insert(*d))
        .take(k)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn judged(pairs: &[(&str, i32)]) -> HashMap<String, i32> {
        pairs.iter().map(|(d, r)| (d.to_string(), *r)).collect()
    }

    fn list(ids: &[&str]) -> Vec<String> {
        ids.iter().map(|s| s.to_string()).collect()
    }

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-12
    }

    #[test]
    fn perfect_ranking_scores_one() {
        let j = judged(&[("a", 2), ("b", 1)]);
        let s = score_query(&list(&["a", "b", "x"]), &j);
        assert_eq!(
            s,
            Scores {
                ndcg10: 1.0,
                recall100: 1.0,
                mrr10: 1.0
            }
        );
    }

    #[test]
    fn graded_relevance_uses_linear_gain() {
        // Grades a=3, b=2, c=1; run c, a, x, b.
        // DCG  = 1/log2(2) + 3/log2(3) + 0 + 2/log2(5) = 1 + 1.892789… + 0.861353… = 3.754142…
        // IDCG = 3/log2(2) + 2/log2(3) + 1/log2(4)     = 3 + 1.261859… + 0.5       = 4.761859…
        let j = judged(&[("a", 3), ("b", 2), ("c", 1)]);
        let run = list(&["c", "a", "x", "b"]);
        let dcg = 1.0 + 3.0 / 3f64.log2() + 2.0 / 5f64.log2();
        let idcg = 3.0 + 2.0 / 3f64.log2() + 0.5;
        assert!(close(ndcg_at(&run, &j, 10), dcg / idcg));
        assert!((ndcg_at(&run, &j, 10) - 0.788377).abs() < 1e-6); // 3.754142 / 4.761860
        assert_eq!(reciprocal_rank_at(&run, &j, 10), 1.0);
        assert_eq!(recall_at(&run, &j, 100), 1.0);
        // Cut at 2: DCG@2 = 1 + 3/log2(3); IDCG@2 = 3 + 2/log2(3).
        let at2 = (1.0 + 3.0 / 3f64.log2()) / (3.0 + 2.0 / 3f64.log2());
        assert!(close(ndcg_at(&run, &j, 2), at2));
        assert!(close(recall_at(&run, &j, 2), 2.0 / 3.0));
    }

    #[test]
    fn doc_judged_zero_or_negative_is_non_relevant() {
        let j = judged(&[("z", 0), ("neg", -1), ("r", 1)]);
        let run = list(&["z", "neg", "r"]);
        assert_eq!(reciprocal_rank_at(&run, &j, 10), 1.0 / 3.0);
        assert_eq!(recall_at(&run, &j, 100), 1.0); // one relevant doc, not three judged ones
        assert!(close(ndcg_at(&run, &j, 10), 1.0 / 4f64.log2())); // 0.5
    }

    #[test]
    fn cutoff_excludes_later_ranks() {
        let j = judged(&[("r", 1)]);
        let mut run: Vec<String> = (0..10).map(|i| format!("x{i}")).collect();
        run.push("r".into()); // rank 11
        let s = score_query(&run, &j);
        assert_eq!((s.ndcg10, s.mrr10, s.recall100), (0.0, 0.0, 1.0));

        let mut run: Vec<String> = (0..100).map(|i| format!("x{i}")).collect();
        run.push("r".into()); // rank 101
        assert_eq!(recall_at(&run, &j, 100), 0.0);
    }

    #[test]
    fn ideal_dcg_uses_all_relevant_docs_cut_at_k() {
        // 12 relevant docs, all grade 1: the ideal DCG@10 counts 10 of them, so a run that puts
        // ten relevant docs on top is perfect even though two are missing.
        let names: Vec<String> = (0..12).map(|i| format!("r{i}")).collect();
        let j: HashMap<String, i32> = names.iter().map(|n| (n.clone(), 1)).collect();
        let run = names[..10].to_vec();
        assert!(close(ndcg_at(&run, &j, 10), 1.0));
        assert!(close(recall_at(&run, &j, 100), 10.0 / 12.0));
        // One relevant doc at rank 1 only: DCG = 1, IDCG = Σ_{r=1..10} 1/log2(r+1).
        let idcg: f64 = (1..=10).map(|r| 1.0 / ((r + 1) as f64).log2()).sum();
        assert!(close(ndcg_at(&list(&["r0"]), &j, 10), 1.0 / idcg));
    }

    #[test]
    fn nothing_relevant_retrieved_scores_zero() {
        let j = judged(&[("r", 2), ("z", 0)]);
        let s = score_query(&list(&["z", "x", "y"]), &j);
        assert_eq!(s, Scores::default());
        assert_eq!(score_query::<String>(&[], &j), Scores::default());
    }

    #[test]
    fn duplicates_in_the_run_count_once() {
        // b, b, a → deduplicated to b, a: a keeps rank 2, not 3, and b's gain is not doubled.
        let j = judged(&[("a", 1), ("b", 1)]);
        let dup = list(&["b", "b", "a"]);
        assert_eq!(score_query(&dup, &j), score_query(&list(&["b", "a"]), &j));
        assert!(close(ndcg_at(&dup, &j, 10), 1.0));
        // Ten copies of a non-relevant doc do not push the relevant one out of the top 10.
        let mut run = vec!["x".to_string(); 10];
        run.push("a".into());
        assert_eq!(reciprocal_rank_at(&run, &j, 10), 0.5);
    }

    #[test]
    fn average_counts_unretrieved_and_unjudged_queries_as_zero() {
        let mut qrels = Qrels::new();
        qrels.insert("q1".into(), judged(&[("a", 1)]));
        qrels.insert("q2".into(), judged(&[("b", 1)])); // not in the run
        qrels.insert("q3".into(), judged(&[("c", 0)])); // no relevant doc at all
        let run = HashMap::from([
            ("q1".to_string(), list(&["a"])),
            ("q3".to_string(), list(&["c"])),
            ("q9".to_string(), list(&["a"])), // not in the qrels: ignored
        ]);
        let per = per_query(&run, &qrels);
        let ids: Vec<&str> = per.iter().map(|q| q.query_id.as_str()).collect();
        assert_eq!(ids, ["q1", "q2", "q3"]);
        assert_eq!(per[1].num_ret, 0);
        assert_eq!(per[2].num_rel, 0);
        let s = evaluate(&run, &qrels);
        assert!(close(s.ndcg10, 1.0 / 3.0));
        assert!(close(s.recall100, 1.0 / 3.0));
        assert!(close(s.mrr10, 1.0 / 3.0));
        assert_eq!(evaluate(&run, &Qrels::new()), Scores::default());
    }

    /// Reads `tests/fixtures/metrics/{qrels,run,expected}.tsv`, written by
    /// `scripts/check_metrics.py --write` with expectations from pytrec_eval, and checks every
    /// per-query value and the `-c` mean.
    #[test]
    fn matches_pytrec_eval_fixture() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/metrics");
        let rows = |name: &str| -> Vec<Vec<String>> {
            let text = std::fs::read_to_string(dir.join(name)).unwrap();
            text.lines()
                .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
                .skip(1) // header
                .map(|l| l.split('\t').map(str::to_owned).collect())
                .collect()
        };
        let mut qrels = Qrels::new();
        for r in rows("qrels.tsv") {
            qrels
                .entry(r[0].clone())
                .or_default()
                .insert(r[1].clone(), r[2].parse().unwrap());
        }
        // run.tsv: query-id, doc-id, rank (1-based); sort by rank to get the list.
        let mut ranked: HashMap<String, Vec<(usize, String)>> = HashMap::new();
        for r in rows("run.tsv") {
            ranked
                .entry(r[0].clone())
                .or_default()
                .push((r[2].parse().unwrap(), r[1].clone()));
        }
        let run: HashMap<String, Vec<String>> = ranked
            .into_iter()
            .map(|(q, mut v)| {
                v.sort();
                (q, v.into_iter().map(|(_, d)| d).collect())
            })
            .collect();
        let expected = rows("expected.tsv");
        assert!(expected.len() > 20, "fixture too small: {}", expected.len());
        let per: HashMap<String, Scores> = per_query(&run, &qrels)
            .into_iter()
            .map(|q| (q.query_id, q.scores))
            .collect();
        let mean = evaluate(&run, &qrels);
        for r in &expected {
            let want: Vec<f64> = r[1..4].iter().map(|v| v.parse().unwrap()).collect();
            let got = if r[0] == "all" { mean } else { per[&r[0]] };
            let got = [got.ndcg10, got.recall100, got.mrr10];
            for (i, name) in ["ndcg_cut_10", "recall_100", "recip_rank@10"]
                .iter()
                .enumerate()
            {
                assert!(
                    (got[i] - want[i]).abs() < 1e-9,
                    "query {} {name}: ours {} pytrec_eval {}",
                    r[0],
                    got[i],
                    want[i]
                );
            }
        }
        assert!(expected.iter().any(|r| r[0] == "all"));
        assert_eq!(
            expected.len() - 1,
            qrels.len(),
            "one expected row per qrels query + all"
        );
    }
}
