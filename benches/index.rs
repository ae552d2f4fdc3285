//! Lexical indexing time of synthetic vaults (1k and 10k notes, written once to a temp folder):
//! a full build into a fresh index, and a no-op re-index of an up-to-date one (walk + stat +
//! manifest compare, no commit). Embedding time is measured separately (`benches/embed.rs`
//! for throughput; the README's Performance table for a whole vault).
//!
//! ```text
//! cargo bench --bench index
//! ```

use criterion::{criterion_group, criterion_main, BatchSize, Criterion};
use quarry::index::{update, UpdateOptions, DEFAULT_MAX_FILE_BYTES};
use quarry_synth::{generate, SynthOptions};
use std::path::{Path, PathBuf};
use std::time::Duration;

fn options(vault: &Path, index: &Path) -> UpdateOptions {
    UpdateOptions {
        index_dir: index.to_path_buf(),
        roots: vec![vault.to_path_buf()],
        remove_roots: Vec::new(),
        rebuild: false,
        max_file_bytes: DEFAULT_MAX_FILE_BYTES,
        threads: 0,
    }
}

fn index(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut group = c.benchmark_group("index");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(30));
    for notes in [1_000usize, 10_000] {
        let vault: PathBuf = dir.path().join(format!("vault-{notes}"));
        generate(&vault, &SynthOptions { notes, seed: 42 }).expect("generate");
        let mut n = 0;
        group.bench_function(format!("lexical build {notes} notes"), |b| {
            b.iter_batched(
                || {
                    n += 1;
                    dir.path().join(format!("index-{notes}-{n}"))
                },
                |idx| {
                    let s = update(&options(&vault, &idx), None, &|_, _| {}, &|_, _, _| {})
                        .expect("index");
                    assert_eq!(s.notes, notes);
                    let _ = std::fs::remove_dir_all(&idx);
                },
                BatchSize::PerIteration,
            )
        });
        let idx = dir.path().join(format!("index-{notes}-noop"));
        update(&options(&vault, &idx), None, &|_, _| {}, &|_, _, _| {}).expect("index");
        group.bench_function(format!("no-op re-index {notes} notes"), |b| {
            b.iter(|| {
                let s =
                    update(&options(&vault, &idx), None, &|_, _| {}, &|_, _, _| {}).expect("index");
                assert!(!s.committed);
            })
        });
    }
    group.finish();
}

criterion_group!(benches, index);
criterion_main!(benches);
