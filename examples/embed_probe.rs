//! Throughput probe: embeds the bench passages `--rounds` times with [`embed_all`] and
//! prints passages/s per set. For profiling (`perf record`) and quick comparisons;
//! `cargo bench --bench embed` is the measurement of record.
//!
//! ```text
//! cargo run --release --example embed_probe -- [short|long|both] [rounds] [batch]
//! cargo run --release --example embed_probe -- load
//! cargo run --release --example embed_probe -- query [rounds]
//! ```
use quarry::embed::{embed_all, model_dir, Backend, Embedder, MiniLm};
use std::time::Instant;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(serde::Deserialize)]
struct Passages {
    short: Vec<String>,
    long: Vec<String>,
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let which = args.get(1).map(String::as_str).unwrap_or("both");
    let rounds: usize = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(3);
    let batch: usize = args.get(3).and_then(|s| s.parse().ok()).unwrap_or(32);
    let text = std::fs::read_to_string("tests/fixtures/embeddings/bench_passages.json")
        .expect("run from the repository root");
    let p: Passages = serde_json::from_str(&text).expect("bench_passages.json");
    if which == "query" {
        for backend in [Backend::Packed, Backend::CandleBert] {
            let m = MiniLm::load_with(&model_dir(), backend).expect("quarry model install");
            m.embed_batch(&["warm up"]).expect("embed");
            let t = Instant::now();
            for _ in 0..rounds {
                m.embed_batch(&["rotate ssh keys on storage nodes"])
                    .expect("embed");
            }
            println!("{backend:?}: {:.2?} per query", t.elapsed() / rounds as u32);
        }
        return;
    }
    if which == "load1" {
        let t = Instant::now();
        let m = MiniLm::load(&model_dir()).expect("quarry model install");
        println!("load {:.1?}", t.elapsed());
        drop(m);
        return;
    }
    if which == "load" {
        let first = if std::env::var_os("PROBE_BERT_FIRST").is_some() {
            Backend::CandleBert
        } else {
            Backend::Packed
        };
        for backend in [first, Backend::Packed, Backend::CandleBert] {
            let t = Instant::now();
            let m = MiniLm::load_with(&model_dir(), backend).expect("quarry model install");
            let loaded = t.elapsed();
            m.embed_batch(&["rotate ssh keys on storage nodes"])
                .expect("embed");
            println!(
                "{backend:?}: load {loaded:.1?}, load + first query {:.1?}",
                t.elapsed()
            );
        }
        return;
    }
    let model = MiniLm::load(&model_dir()).expect("quarry model install");
    for (name, set) in [("short", &p.short), ("long", &p.long)] {
        if which != "both" && which != name {
            continue;
        }
        let texts: &Vec<String> = set;
        embed_all(&model, texts, batch, &|_| {}).expect("embed");
        for _ in 0..rounds {
            let t = Instant::now();
            embed_all(&model, texts, batch, &|_| {}).expect("embed");
            let s = t.elapsed().as_secs_f64();
            println!("{name}: {:.1} passages/s", texts.len() as f64 / s);
        }
    }
}
