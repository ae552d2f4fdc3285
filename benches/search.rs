//! Search latency inside the process (the README also times whole `quarry search`
//! processes with hyperfine, next to ripgrep):
//!
//! * `lexical/*`: open the index + BM25 top-10 with stored fields, on a 10k-note vault;
//! * `filtered/*`: the same with a filter that matches one note of 10k (the planted note);
//! * `vectors/*`: the semantic scan over 250k and 2.5M stored vectors: the compact scan per
//!   kernel, the exact re-score of a shortlist, filtered top-10 at several selectivities, and
//!   the exact scan of everything (see [`vector_scan`]);
//! * `tokenizer_load/*`: the tokenizer from `tokenizer.json` and from its cache;
//! * `query_embedding`: embedding a 6-word query with the real model (when installed).
//!
//! `cargo bench --bench search -- vectors` runs the vector benches alone (they write a 3.9 GB
//! segment file for 2.5M vectors into the temp folder).
//!
//! ```text
//! cargo bench --bench search
//! ```

use criterion::{criterion_group, criterion_main, Criterion};
use quarry::index::vectors::codes::Kernel;
use quarry::index::vectors::{write_segment_with, VectorStore};
use quarry::index::{update, Store, UpdateOptions, DEFAULT_MAX_FILE_BYTES};
use quarry::search::semantic;
use quarry::search::{self, FusionParams, Mode, Request, Scan, SortBy};
use quarry_synth::{generate, SynthOptions, PLANTED_ACCOUNT};
use std::hint::black_box;

fn request(query: &str, filters: search::Filters) -> Request {
    Request {
        query: query.to_string(),
        filters,
        limit: 10,
        mode: Mode::Lexical,
        sort: SortBy::Score,
        floor: search::SIMILARITY_FLOOR,
        fusion: FusionParams::default(),
    }
}

fn lexical(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("tempdir");
    let vault = dir.path().join("vault");
    let idx = dir.path().join("index");
    generate(
        &vault,
        &SynthOptions {
            notes: 10_000,
            seed: 42,
        },
    )
    .expect("generate");
    let opts = UpdateOptions {
        index_dir: idx.clone(),
        roots: vec![vault],
        remove_roots: Vec::new(),
        rebuild: false,
        max_file_bytes: DEFAULT_MAX_FILE_BYTES,
        threads: 0,
    };
    update(&opts, None, &|_, _| {}, &|_, _, _| {}).expect("index");
    let mut group = c.benchmark_group("search 10k notes");
    for q in ["capacity", "checkpoint throughput", "\"storage cluster\""] {
        group.bench_function(format!("lexical/{q}"), |b| {
            b.iter(|| {
                let store = Store::open(&idx).expect("open");
                black_box(
                    search::run(&store, &request(q, Default::default()), None, false)
                        .expect("search"),
                )
            })
        });
    }
    let planted = search::Filters {
        accounts: vec![PLANTED_ACCOUNT.to_string()],
        ..Default::default()
    };
    group.bench_function("filtered/capacity --account <1 of 10k>", |b| {
        b.iter(|| {
            let store = Store::open(&idx).expect("open");
            black_box(
                search::run(&store, &request("capacity", planted.clone()), None, false)
                    .expect("search"),
            )
        })
    });
    group.finish();
}

/// A segment of `n` deterministic vectors shaped like sentence embeddings (a shared
/// direction plus noise, so every cosine is positive), generated as the file is written.
fn vector_segment(dir: &std::path::Path, n: usize) -> (VectorStore, Vec<u64>, Vec<f32>) {
    let pids: Vec<u64> = (1..=n as u64).map(|i| i << 20).collect();
    let vector = |i: usize, out: &mut [f32]| {
        let mut state = (i as u64 + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
        for (k, x) in out.iter_mut().enumerate() {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            *x = (state % 2001) as f32 / 1000.0 - 1.0 + if k % 5 == 0 { 0.6 } else { 0.0 };
        }
        let norm = out.iter().map(|x| x * x).sum::<f32>().sqrt();
        out.iter_mut().for_each(|x| *x /= norm);
    };
    let name = format!("vectors-{n}.bin");
    write_segment_with(&dir.join(&name), 384, 0, &pids, vector).expect("write");
    let mut query = vec![0f32; 384];
    vector(n / 2, &mut query);
    (VectorStore::open(dir, &[name]).expect("open"), pids, query)
}

/// The semantic scan, without tantivy: at 250k and 2.5M stored vectors (what 10k and 100k
/// synthetic notes produce, 2.5M with a margin),
///
/// * `compact_scan`: ranking every stored vector by its compact code, the best 1,000 kept
///   (with each kernel this CPU runs, at 250k);
/// * `rescore`: the exact cosine of a 1,000-vector shortlist (positioned reads);
/// * `filtered`: `semantic::score` as semantic search calls it, top 10 of the candidates a
///   filter passes, at 0.1 %, 1 %, 10 % and 100 % of the store (the smaller exactly, the
///   larger through the compact scan), and `exact` for what every filter cost before;
/// * `exact_scan`: the exact scan of every vector, as quarry ranked before compact codes.
fn vector_scan(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut group = c.benchmark_group("vectors");
    group.sample_size(10);
    for n in [250_000usize, 2_500_000] {
        let (store, pids, query) = vector_segment(dir.path(), n);
        let kernels: &[Kernel] = if n == 250_000 {
            &[Kernel::Scalar, Kernel::Popcnt, Kernel::Avx2, Kernel::Avx512]
        } else {
            &[Kernel::detect()]
        };
        for &kernel in kernels.iter().filter(|k| k.available()) {
            group.bench_function(format!("compact_scan/{kernel:?}/top1000 of {n}"), |b| {
                b.iter(|| black_box(store.shortlist(&query, 1000, kernel)))
            });
        }
        let short = store.shortlist(&query, 1000, Kernel::detect());
        group.bench_function(format!("rescore/1000 of {n}"), |b| {
            b.iter(|| black_box(store.rescore(&short, &query).expect("rescore")))
        });
        for per_mille in [1usize, 10, 100, 1000] {
            // Every (1000 / per_mille)-th vector passes the filter.
            let step = 1000 / per_mille;
            let passing: Vec<(u64, u32)> = pids
                .iter()
                .enumerate()
                .filter(|(i, _)| i % step == 0)
                .map(|(i, p)| (*p, i as u32))
                .collect();
            let pct = per_mille as f64 / 10.0;
            for scan in [Scan::Auto, Scan::Exact] {
                if scan == Scan::Exact && per_mille > 100 && n > 250_000 {
                    continue; // covered by exact_scan below
                }
                group.bench_function(format!("filtered/{scan:?}/top10 of {pct} % of {n}"), |b| {
                    b.iter(|| {
                        let mut items = passing.clone();
                        black_box(
                            semantic::score(&store, &mut items, &query, 10, scan).expect("score"),
                        )
                    })
                });
            }
        }
        group.bench_function(format!("exact_scan/top10 of {n}"), |b| {
            b.iter(|| {
                let mut items: Vec<(u64, u32)> = pids
                    .iter()
                    .enumerate()
                    .map(|(i, p)| (*p, i as u32))
                    .collect();
                black_box(semantic::score(&store, &mut items, &query, 10, Scan::Exact))
            })
        });
        drop(store);
        let _ = std::fs::remove_file(dir.path().join(format!("vectors-{n}.bin")));
    }
    group.finish();
}

/// Loading the tokenizer: from `tokenizer.json`, as every query process did, and as
/// `MiniLm::load` does now (the vocabulary cache beside the model).
fn tokenizer_load(c: &mut Criterion) {
    let dir = quarry::embed::model_dir();
    if !dir.join("tokenizer.json").is_file() {
        eprintln!(
            "tokenizer_load: the model is not installed (quarry model install); not measured"
        );
        return;
    }
    let tmp = tempfile::tempdir().expect("tempdir");
    std::fs::copy(
        dir.join("tokenizer.json"),
        tmp.path().join("tokenizer.json"),
    )
    .expect("copy");
    quarry::embed::tokenizer::load(tmp.path()).expect("first load writes the cache");
    let mut group = c.benchmark_group("tokenizer_load");
    group.bench_function("tokenizer.json", |b| {
        b.iter(|| {
            black_box(tokenizers::Tokenizer::from_file(
                tmp.path().join("tokenizer.json"),
            ))
        })
    });
    group.bench_function("vocabulary cache", |b| {
        b.iter(|| black_box(quarry::embed::tokenizer::load(tmp.path()).expect("load")))
    });
    group.finish();
}

fn query_embedding(c: &mut Criterion) {
    let Ok(Some(embedder)) = quarry::embed::load_installed(&quarry::embed::model_dir()) else {
        eprintln!(
            "query_embedding: the model is not installed (quarry model install); not measured"
        );
        return;
    };
    c.bench_function("query_embedding", |b| {
        b.iter(|| {
            black_box(
                search::embed_query(embedder.as_ref(), "who is short on GPU capacity")
                    .expect("embed"),
            )
        })
    });
}

criterion_group!(
    benches,
    lexical,
    vector_scan,
    tokenizer_load,
    query_embedding
);
criterion_main!(benches);
