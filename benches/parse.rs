//! Parse throughput: bytes → repaired text → passages, over synthetic notes in the style of
//! real ones (a tenth of them with Mac Roman mojibake, some CRLF and BOM; see `quarry_synth`).
//!
//! ```text
//! cargo bench --bench parse
//! ```

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use std::hint::black_box;

fn parse(c: &mut Criterion) {
    let notes: Vec<(String, String)> = (0..1000).map(|i| quarry_synth::note(i, 42)).collect();
    let bytes: usize = notes.iter().map(|(_, t)| t.len()).sum();
    let mut group = c.benchmark_group("parse");
    group.throughput(Throughput::Bytes(bytes as u64));
    group.bench_function("1000 synthetic notes", |b| {
        b.iter(|| {
            let mut passages = 0;
            for (path, text) in &notes {
                let (decoded, _) = quarry::note::repair::decode(text.as_bytes()).expect("text");
                passages += quarry::note::parse(path, &decoded).passages.len();
            }
            black_box(passages)
        })
    });
    group.finish();
}

criterion_group!(benches, parse);
criterion_main!(benches);
