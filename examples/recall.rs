//! Recall of the compact scan against the exact one, and both scans' time, on any index with
//! vectors, in-process (the numbers behind the README's recall table).
//!
//! ```text
//! cargo run --release --example recall -- INDEX_DIR QUERIES [FILTER...]
//! ```
//!
//! `QUERIES` is a text file with one query per line, or a BEIR `queries.jsonl`. Each query is
//! embedded once with the installed model, then ranked in semantic mode three ways (`--scan
//! exact`, `compact`, `auto`) with no filter and with each FILTER: `account=NAME`, `tag=TAG`,
//! `kind=KIND`, `since=YYYY-MM-DD` or `path=GLOB`. It prints recall@10 and recall@100 of
//! compact and auto against exact, and the median milliseconds of each scan (the embedding
//! excluded). A hit counts as found when its cosine is at least the exact ranking's k-th (as
//! ANN benchmarks count): among passages with equal vectors, which one ranks k-th is a tie.

use quarry::index::Store;
use quarry::search::{self, FusionParams, Mode, Request, Scan, SemanticParts, SortBy};
use std::time::Instant;

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [index, queries, filters @ ..] = args.as_slice() else {
        anyhow::bail!(
            "usage: recall INDEX_DIR QUERIES [account=A|tag=T|kind=K|since=D|path=G ...]"
        );
    };
    let store = Store::open(std::path::Path::new(index))?;
    let vectors = store.vectors()?;
    let embedder = store
        .query_embedder(&quarry::embed::model_dir())?
        .ok_or_else(|| anyhow::anyhow!("the index has no vectors"))?;
    let texts = read_queries(queries)?;
    let vecs: Vec<Vec<f32>> = texts
        .iter()
        .map(|t| search::embed_query(embedder.as_ref(), t))
        .collect::<quarry::Result<_>>()?;
    println!(
        "{} vectors, {} queries, kernel {:?}",
        vectors.len(),
        texts.len(),
        quarry::index::vectors::codes::Kernel::detect()
    );
    println!("| filter | passing | recall@10 compact | recall@100 compact | recall@10 auto | ms exact | ms compact | ms auto |");
    println!("|---|---:|---:|---:|---:|---:|---:|---:|");
    let mut sets: Vec<(String, search::Filters)> = vec![("none".into(), Default::default())];
    for f in filters {
        sets.push((f.clone(), parse_filter(f)?));
    }
    for (name, filters) in sets {
        let mut recall = [0f64; 3];
        let mut times: [Vec<f64>; 3] = Default::default();
        let mut counted = 0;
        let mut passing = 0;
        for (text, qv) in texts.iter().zip(&vecs) {
            let embed = |_: &str| Ok(qv.clone());
            let run = |scan: Scan, limit: usize| -> anyhow::Result<(Vec<f32>, f64)> {
                let parts = SemanticParts::embedding_with(&embed, &vectors).with_scan(scan);
                let req = Request {
                    query: search::query::plain(text),
                    filters: filters.clone(),
                    limit,
                    mode: Mode::Semantic,
                    sort: SortBy::Score,
                    floor: -1.0,
                    fusion: FusionParams::default(),
                };
                let searcher = store.searcher();
                let t = Instant::now();
                let (ranked, _) = search::semantic(&store, &searcher, &req, &parts, text, limit)?;
                let ms = t.elapsed().as_secs_f64() * 1000.0;
                Ok((ranked.iter().map(|(s, _)| *s).collect(), ms))
            };
            let (exact10, te) = run(Scan::Exact, 10)?;
            if exact10.is_empty() {
                continue;
            }
            let (exact100, _) = run(Scan::Exact, 100)?;
            let (compact10, tc) = run(Scan::Compact, 10)?;
            let (compact100, _) = run(Scan::Compact, 100)?;
            let (auto10, ta) = run(Scan::Auto, 10)?;
            recall[0] += overlap(&exact10, &compact10);
            recall[1] += overlap(&exact100, &compact100);
            recall[2] += overlap(&exact10, &auto10);
            times[0].push(te);
            times[1].push(tc);
            times[2].push(ta);
            counted += 1;
            passing = passing.max(count_passing(&store, &filters)?);
        }
        let n = counted.max(1) as f64;
        println!(
            "| {name} | {passing} | {:.4} | {:.4} | {:.4} | {:.1} | {:.1} | {:.1} |",
            recall[0] / n,
            recall[1] / n,
            recall[2] / n,
            median(&mut times[0]),
            median(&mut times[1]),
            median(&mut times[2]),
        );
    }
    Ok(())
}

/// The share of the exact top k that `got` (exact scores, best first) matches: hits whose
/// score reaches the exact k-th.
fn overlap(exact: &[f32], got: &[f32]) -> f64 {
    let kth = exact[exact.len() - 1];
    got.iter().filter(|s| **s >= kth).count().min(exact.len()) as f64 / exact.len() as f64
}

fn median(v: &mut [f64]) -> f64 {
    if v.is_empty() {
        return 0.0;
    }
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn count_passing(store: &Store, filters: &search::Filters) -> anyhow::Result<usize> {
    let searcher = store.searcher();
    let q = search::filter_query(store, &searcher, filters)?;
    Ok(searcher.search(&q, &tantivy::collector::Count)?)
}

fn parse_filter(f: &str) -> anyhow::Result<search::Filters> {
    let (k, v) = f
        .split_once('=')
        .ok_or_else(|| anyhow::anyhow!("filter {f}: use key=value"))?;
    let mut out = search::Filters::default();
    match k {
        "account" => out.accounts.push(v.into()),
        "tag" => out.tags.push(v.into()),
        "path" => out.paths.push(v.into()),
        "kind" => out
            .kinds
            .push(quarry::note::Kind::parse(v).ok_or_else(|| anyhow::anyhow!("kind {v}"))?),
        "since" => {
            out.since = Some(
                quarry::date::Date::parse_prefix(v).ok_or_else(|| anyhow::anyhow!("date {v}"))?,
            )
        }
        _ => anyhow::bail!("filter {f}: unknown key"),
    }
    Ok(out)
}

fn read_queries(path: &str) -> anyhow::Result<Vec<String>> {
    let text = std::fs::read_to_string(path)?;
    Ok(text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            serde_json::from_str::<serde_json::Value>(l)
                .ok()
                .and_then(|v| v.get("text").and_then(|t| t.as_str()).map(str::to_string))
                .unwrap_or_else(|| l.trim().to_string())
        })
        .collect())
}
