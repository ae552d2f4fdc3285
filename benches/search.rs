//! Search latency inside the process (the README also times whole `quarry search`
//! processes with hyperfine, next to ripgrep):
//!
//! * `lexical/*`: open the index + BM25 top-10 with stored fields, on a 10k-note vault;
//! * `filtered/*`: the same with a filter that matches one note of 10k (the planted note);
//! * `vector_scan/*`: the exact cosine scan of semantic search over N stored vectors
//!   (random unit vectors: the scan costs the same whatever the values), with and without a
//!   filter, at 25k and 250k vectors (what 1k and 10k synthetic notes produce);
//! * `query_embedding`: embedding a 6-word query with the real model (when installed).
//!
//! ```text
//! cargo bench --bench search
//! ```

use criterion::{criterion_group, criterion_main, Criterion};
use quarry::index::vectors::{write_segment, VectorStore};
use quarry::index::{update, Store, UpdateOptions, DEFAULT_MAX_FILE_BYTES};
use quarry::search::{self, FusionParams, Mode, Request, SortBy};
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

fn vector_scan(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut group = c.benchmark_group("vector_scan");
    for n in [25_000u64, 250_000] {
        // A deterministic pseudo-random unit vector per id (xorshift), 384 dims.
        let mut state = 0x9E37_79B9_7F4A_7C15u64;
        let mut items = Vec::with_capacity(n as usize);
        for pid in 0..n {
            let mut v: Vec<f32> = (0..384)
                .map(|_| {
                    state ^= state << 13;
                    state ^= state >> 7;
                    state ^= state << 17;
                    (state % 2001) as f32 / 1000.0 - 1.0
                })
                .collect();
            let norm = v.iter().map(|x| x * x).sum::<f32>().sqrt();
            v.iter_mut().for_each(|x| *x /= norm);
            items.push((pid.wrapping_mul(0x9E37_79B9_7F4A_7C15), v));
        }
        let query = items[0].1.clone();
        let pids: Vec<u64> = items.iter().map(|(p, _)| *p).collect();
        let name = format!("vectors-{n}.bin");
        write_segment(&dir.path().join(&name), 384, 0, items).expect("write");
        let store = VectorStore::open(dir.path(), &[name]).expect("open");
        group.bench_function(format!("top10 of {n}"), |b| {
            b.iter(|| {
                // As semantic search does: gather (pid, doc) pairs, merge-join, keep the top 10.
                let mut items: Vec<(u64, usize)> =
                    pids.iter().enumerate().map(|(i, p)| (*p, i)).collect();
                let mut scored = store.dot_many(&mut items, &query);
                scored.select_nth_unstable_by(9, |a, b| b.0.total_cmp(&a.0));
                scored.truncate(10);
                black_box(scored)
            })
        });
    }
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

criterion_group!(benches, lexical, vector_scan, query_embedding);
criterion_main!(benches);
