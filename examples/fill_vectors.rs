//! Benchmark harness: gives a lexical index a vector for every passage *without running the
//! model over the passages*, so `quarry search --mode hybrid` can be timed on a 10k-note vault
//! (embedding its ~230k passages for real takes hours on 2 cores).
//!
//! The vectors are deterministic pseudo-random unit vectors and the commit records the
//! installed model, so a search runs the whole real path: model load, query embedding, exact
//! scan of every vector, fusion. Only the *ranking* is meaningless; the timing is not.
//! Never use such an index for anything but timing.
//!
//! ```text
//! cargo run --release --example fill_vectors -- INDEX_DIR
//! ```

use quarry::index::vectors::{model_tag, write_segment};
use quarry::index::Payload;
use std::collections::BTreeSet;

fn main() -> anyhow::Result<()> {
    let dir = std::path::PathBuf::from(
        std::env::args()
            .nth(1)
            .ok_or_else(|| anyhow::anyhow!("usage: fill_vectors INDEX_DIR"))?,
    );
    let embedder = quarry::embed::load_installed(&quarry::embed::model_dir())?
        .ok_or_else(|| anyhow::anyhow!("run `quarry model install` first"))?;
    let info = embedder.info().clone();
    let index = tantivy::Index::open_in_dir(&dir)?;
    quarry::index::schema::register(&index);
    let metas = index.load_metas()?;
    let mut payload = Payload::parse(metas.payload.as_deref().unwrap_or(""), &dir)?;
    let reader = index.reader()?;
    let searcher = reader.searcher();
    let mut pids = BTreeSet::new();
    for seg in searcher.segment_readers() {
        let col = seg.fast_fields().u64("pid")?;
        for doc in seg.doc_ids_alive() {
            if let Some(p) = col.first(doc) {
                pids.insert(p);
            }
        }
    }
    let mut state = 0x2545_F491_4F6C_DD1Du64;
    let items: Vec<(u64, Vec<f32>)> = pids
        .iter()
        .map(|&pid| {
            let mut v: Vec<f32> = (0..info.dims)
                .map(|_| {
                    state ^= state << 13;
                    state ^= state >> 7;
                    state ^= state << 17;
                    (state % 2001) as f32 / 1000.0 - 1.0
                })
                .collect();
            let n = v.iter().map(|x| x * x).sum::<f32>().sqrt();
            v.iter_mut().for_each(|x| *x /= n);
            (pid, v)
        })
        .collect();
    let name = "vectors-bench-random.bin".to_string();
    write_segment(
        &dir.join(&name),
        info.dims,
        model_tag(&info.weights_hash),
        items,
    )?;
    payload.vector_files = vec![name];
    payload.model = Some(info);
    let mut writer: tantivy::IndexWriter = index.writer(15_000_000)?;
    let mut prepared = writer.prepare_commit()?;
    prepared.set_payload(&serde_json::to_string(&payload)?);
    prepared.commit()?;
    println!(
        "{} random vectors written for {} (timing only)",
        pids.len(),
        dir.display()
    );
    Ok(())
}
