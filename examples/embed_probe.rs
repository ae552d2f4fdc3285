//! Throughput and accuracy probe for the packed encoder. For profiling (`perf record`),
//! quick comparisons and the per-layer error table; `cargo bench --bench embed` is the
//! measurement of record.
//!
//! ```text
//! cargo run --release --example embed_probe -- [short|long|both] [rounds] [batch] [fp32|int8|auto]
//! cargo run --release --example embed_probe -- ab [rounds]       # fp32 and int8 interleaved
//! cargo run --release --example embed_probe -- cosine [REF.json]  # int8 vs fp32 (and REF)
//! cargo run --release --example embed_probe -- layers            # each layer kind alone in int8
//! cargo run --release --example embed_probe -- load
//! cargo run --release --example embed_probe -- query [rounds]
//! ```
//!
//! Throughput is printed per wall-clock second and per CPU second of the process (user +
//! system time): on a machine shared with other work the second moves less.
use quarry::embed::{
    cosine, embed_all, model_dir, Act, Arithmetic, Backend, Embedder, Isa, MiniLm, Plan, Precision,
};
use std::time::Instant;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(serde::Deserialize)]
struct Passages {
    short: Vec<String>,
    long: Vec<String>,
}

/// CPU seconds (user + system) this process has used.
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let fields: Vec<&str> = stat
        .rsplit(')')
        .next()
        .unwrap_or("")
        .split_whitespace()
        .collect();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|s| s.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    // utime and stime are fields 14 and 15 of /proc/PID/stat, in clock ticks (100 a second).
    (ticks(11) + ticks(12)) / 100.0
}

fn load(arithmetic: Arithmetic) -> MiniLm {
    let mut m = MiniLm::load(&model_dir()).expect("quarry model install");
    m.set_arithmetic(arithmetic).expect("arithmetic");
    m
}

/// Embeds `texts` once and returns (passages/s wall, passages/s CPU).
fn rate(model: &MiniLm, texts: &[String], batch: usize) -> (f64, f64) {
    let (t, c) = (Instant::now(), cpu_seconds());
    embed_all(model, texts, batch, &|_| {}).expect("embed");
    let n = texts.len() as f64;
    (
        n / t.elapsed().as_secs_f64(),
        n / (cpu_seconds() - c).max(1e-9),
    )
}

fn cosines(a: &[Vec<f32>], b: &[Vec<f32>]) -> (f32, f32) {
    let c: Vec<f32> = a.iter().zip(b).map(|(x, y)| cosine(x, y)).collect();
    let mean = c.iter().sum::<f32>() / c.len() as f32;
    (mean, c.iter().cloned().fold(1.0, f32::min))
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let which = args.get(1).map(String::as_str).unwrap_or("both");
    let rounds: usize = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(3);
    let batch: usize = args.get(3).and_then(|s| s.parse().ok()).unwrap_or(32);
    let precision = match args.get(4).map(String::as_str) {
        Some("fp32") => Precision::Fp32,
        Some("int8") => Precision::Int8,
        _ => Precision::Auto,
    };
    let text = std::fs::read_to_string("tests/fixtures/embeddings/bench_passages.json")
        .expect("run from the repository root");
    let p: Passages = serde_json::from_str(&text).expect("bench_passages.json");
    let all: Vec<String> = p.short.iter().chain(&p.long).cloned().collect();
    match which {
        "query" => {
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
        }
        "load" => {
            for backend in [Backend::Packed, Backend::CandleBert, Backend::Packed] {
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
            let m = load(Precision::Int8.arithmetic());
            let t = Instant::now();
            m.embed_batch(&[all[0].as_str()]).expect("embed");
            let one = t.elapsed();
            let t = Instant::now();
            embed_all(&m, &all[..2], 32, &|_| {}).expect("embed");
            println!(
                "int8: one passage {one:.1?}; first batch over the small-batch limit \
                 (quantises the weights) {:.1?}",
                t.elapsed()
            );
        }
        "cosine" => {
            let fp32 = embed_all(&load(Arithmetic::Fp32), &all, 32, &|_| {}).expect("embed");
            // Reference vectors of the same 400 texts (short, then long), e.g. the
            // sentence-transformers ones scripts/ort_throughput.py writes.
            let reference: Option<Vec<Vec<f32>>> = args.get(2).map(|p| {
                serde_json::from_str(&std::fs::read_to_string(p).expect("reference file"))
                    .expect("a JSON list of vectors")
            });
            if let Some(r) = &reference {
                let (mean, min) = cosines(&fp32, r);
                println!("fp32: cosine to the reference mean {mean:.5} min {min:.5}");
            }
            for (name, arithmetic) in [
                ("int8 (detected kernels)", Precision::Int8.arithmetic()),
                (
                    "int8, all activations 8-bit",
                    Arithmetic::Int8(Isa::detect(), Plan::ALL_I8),
                ),
            ] {
                let got = embed_all(&load(arithmetic), &all, 32, &|_| {}).expect("embed");
                let (s, l) = (
                    cosines(&got[..200], &fp32[..200]),
                    cosines(&got[200..], &fp32[200..]),
                );
                let a = cosines(&got, &fp32);
                println!(
                    "{name}: cosine to fp32 mean {:.5} min {:.5} (short {:.5}/{:.5}, long {:.5}/{:.5})",
                    a.0, a.1, s.0, s.1, l.0, l.1
                );
                if let Some(r) = &reference {
                    let (mean, min) = cosines(&got, r);
                    println!("{name}: cosine to the reference mean {mean:.5} min {min:.5}");
                }
            }
        }
        "layers" => {
            let fp32 = embed_all(&load(Arithmetic::Fp32), &all, 32, &|_| {}).expect("embed");
            let none = Plan {
                qkv: None,
                attn_out: None,
                ff_in: None,
                ff_out: None,
            };
            let a8 = Some(Act::I8);
            let a16 = Some(Act::I16);
            for (name, plan) in [
                ("Q/K/V, 8-bit activations", Plan { qkv: a8, ..none }),
                ("Q/K/V, 16-bit activations", Plan { qkv: a16, ..none }),
                (
                    "attention output, 8-bit",
                    Plan {
                        attn_out: a8,
                        ..none
                    },
                ),
                ("feed-forward up, 8-bit", Plan { ff_in: a8, ..none }),
                ("feed-forward down, 8-bit", Plan { ff_out: a8, ..none }),
                (
                    "feed-forward down, 16-bit",
                    Plan {
                        ff_out: a16,
                        ..none
                    },
                ),
                ("all 8-bit", Plan::ALL_I8),
                ("default plan", Plan::DEFAULT),
            ] {
                let m = load(Arithmetic::Int8(Isa::detect(), plan));
                let got = embed_all(&m, &all, 32, &|_| {}).expect("embed");
                let (mean, min) = cosines(&got, &fp32);
                println!("{name:28} mean {mean:.5} min {min:.5}");
            }
        }
        "ab" => {
            let fp32 = load(Arithmetic::Fp32);
            let int8 = load(Precision::Auto.arithmetic());
            println!("int8 kernels: {:?}", int8.arithmetic());
            for (name, set) in [("short", &p.short), ("long", &p.long)] {
                embed_all(&int8, set, batch, &|_| {}).expect("embed");
                for _ in 0..rounds {
                    for (label, m) in [("fp32", &fp32), ("int8", &int8)] {
                        let (wall, cpu) = rate(m, set, batch);
                        println!("{name} {label}: {wall:.1} passages/s, {cpu:.1} per CPU-second");
                    }
                }
            }
        }
        _ => {
            let model = load(precision.arithmetic());
            for (name, set) in [("short", &p.short), ("long", &p.long)] {
                if which != "both" && which != name {
                    continue;
                }
                embed_all(&model, set, batch, &|_| {}).expect("embed");
                for _ in 0..rounds {
                    let (wall, cpu) = rate(&model, set, batch);
                    println!(
                        "{name} {}: {wall:.1} passages/s, {cpu:.1} per CPU-second",
                        precision.name()
                    );
                }
            }
        }
    }
}
