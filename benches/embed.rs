//! Embedding throughput and latency of the real model (all-MiniLM-L6-v2 in candle).
//!
//! Corpus: `tests/fixtures/embeddings/bench_passages.json`, 200 note passages of 36–44 word
//! pieces ("short", mean 39.7) and 200 of 112–128 ("long", mean 118.7), made by
//! `scripts/bench_passages.py`; `scripts/st_throughput.py` runs sentence-transformers on the
//! same texts for comparison.
//!
//! * `embed_all/{short,long}`: [`embed_all`] with batch 32, as indexing does, packed encoder
//!   in fp32; throughput in passages/s. `embed_all_int8/…` is the same in int8 on the
//!   integer kernels CPU detection picks (what `quarry index` runs by default where the CPU
//!   has them), `embed_all_candle_bert/…` with candle-transformers' `BertModel`
//!   ([`Backend::CandleBert`]) in place of quarry's packed encoder.
//! * `query`, `query_candle_bert`: one 6-word query, as a search does.
//! * `load`: `MiniLm::load` with the files in the page cache. The first load of the process
//!   (closest to a cold `quarry search`) and the first query after it are printed to stderr
//!   before criterion starts.
//!
//! The allocator is mimalloc, like the binary; build with `QUARRY_BENCH_ALLOC=system` in the
//! environment to measure the system allocator instead (only this file recompiles).
//!
//! ```text
//! quarry model install
//! cargo bench --bench embed
//! QUARRY_BENCH_ALLOC=system cargo bench --bench embed
//! ```

use criterion::{BenchmarkId, Criterion, SamplingMode, Throughput};
use quarry::embed::{embed_all, model_dir, Backend, Embedder, MiniLm, Precision};
use std::alloc::{GlobalAlloc, Layout, System};
use std::time::{Duration, Instant};

const SYSTEM_ALLOC: bool = match option_env!("QUARRY_BENCH_ALLOC") {
    // A byte compare, since `str` equality is not const yet.
    Some(v) => matches!(v.as_bytes(), b"system"),
    None => false,
};

/// mimalloc, or the system allocator when built with `QUARRY_BENCH_ALLOC=system`; the
/// choice is a constant, so every allocation and free goes to the same one.
struct BenchAlloc;

unsafe impl GlobalAlloc for BenchAlloc {
    unsafe fn alloc(&self, l: Layout) -> *mut u8 {
        if SYSTEM_ALLOC {
            System.alloc(l)
        } else {
            mimalloc::MiMalloc.alloc(l)
        }
    }
    unsafe fn dealloc(&self, p: *mut u8, l: Layout) {
        if SYSTEM_ALLOC {
            System.dealloc(p, l)
        } else {
            mimalloc::MiMalloc.dealloc(p, l)
        }
    }
    unsafe fn alloc_zeroed(&self, l: Layout) -> *mut u8 {
        if SYSTEM_ALLOC {
            System.alloc_zeroed(l)
        } else {
            mimalloc::MiMalloc.alloc_zeroed(l)
        }
    }
    unsafe fn realloc(&self, p: *mut u8, l: Layout, n: usize) -> *mut u8 {
        if SYSTEM_ALLOC {
            System.realloc(p, l, n)
        } else {
            mimalloc::MiMalloc.realloc(p, l, n)
        }
    }
}

#[global_allocator]
static GLOBAL: BenchAlloc = BenchAlloc;

const QUERY: &str = "rotate ssh keys on storage nodes";
const BATCH: usize = 32;

#[derive(serde::Deserialize)]
struct Passages {
    short: Vec<String>,
    long: Vec<String>,
}

fn main() {
    let dir = model_dir();
    let t = Instant::now();
    let model = MiniLm::load(&dir).unwrap_or_else(|e| {
        panic!("{e}\nthe embedding bench needs the model: run `quarry model install` first")
    });
    let load = t.elapsed();
    let t = Instant::now();
    model.embed_batch(&[QUERY]).unwrap();
    let first = t.elapsed();
    eprintln!(
        "allocator: {}; first load in this process: {load:.1?}; first query after it: {first:.1?}; \
         threads: {}",
        if SYSTEM_ALLOC { "system" } else { "mimalloc" },
        rayon::current_num_threads()
    );

    let candle_bert = MiniLm::load_with(&dir, Backend::CandleBert).unwrap();
    let mut int8 = MiniLm::load(&dir).unwrap();
    int8.set_arithmetic(Precision::Int8.arithmetic()).unwrap();
    eprintln!("int8 arithmetic: {:?}", int8.arithmetic());

    let passages: Passages = serde_json::from_str(include_str!(
        "../tests/fixtures/embeddings/bench_passages.json"
    ))
    .expect("bench_passages.json parses");
    let mut c = Criterion::default().configure_from_args();

    for (name, texts) in [("short", &passages.short), ("long", &passages.long)] {
        let mut g = c.benchmark_group("embed_all");
        g.throughput(Throughput::Elements(texts.len() as u64))
            .sampling_mode(SamplingMode::Flat)
            .sample_size(10)
            .warm_up_time(Duration::from_secs(1))
            .measurement_time(Duration::from_secs(20));
        g.bench_function(BenchmarkId::from_parameter(name), |b| {
            b.iter(|| embed_all(&model, texts, BATCH, &|_| {}).unwrap())
        });
        g.finish();
        let mut g = c.benchmark_group("embed_all_int8");
        g.throughput(Throughput::Elements(texts.len() as u64))
            .sampling_mode(SamplingMode::Flat)
            .sample_size(10)
            .warm_up_time(Duration::from_secs(1))
            .measurement_time(Duration::from_secs(20));
        g.bench_function(BenchmarkId::from_parameter(name), |b| {
            b.iter(|| embed_all(&int8, texts, BATCH, &|_| {}).unwrap())
        });
        g.finish();
        let mut g = c.benchmark_group("embed_all_candle_bert");
        g.throughput(Throughput::Elements(texts.len() as u64))
            .sampling_mode(SamplingMode::Flat)
            .sample_size(10)
            .warm_up_time(Duration::from_secs(1))
            .measurement_time(Duration::from_secs(20));
        g.bench_function(BenchmarkId::from_parameter(name), |b| {
            b.iter(|| embed_all(&candle_bert, texts, BATCH, &|_| {}).unwrap())
        });
        g.finish();
    }

    c.bench_function("query", |b| b.iter(|| model.embed_batch(&[QUERY]).unwrap()));
    c.bench_function("query_candle_bert", |b| {
        b.iter(|| candle_bert.embed_batch(&[QUERY]).unwrap())
    });
    let mut g = c.benchmark_group("load");
    g.sample_size(20);
    g.bench_function("warm", |b| b.iter(|| MiniLm::load(&dir).unwrap()));
    g.finish();
    c.final_summary();
}
