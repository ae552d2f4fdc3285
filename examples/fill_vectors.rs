//! Benchmark harness: gives a lexical index a vector for every passage *without running the
//! model over the passages*, so `quarry search --mode hybrid` can be timed on a 10k- or
//! 100k-note vault (embedding 100k notes' 1.4 million passages for real would take days on
//! 2 cores).
//!
//! The vectors are deterministic pseudo-random unit vectors, or, with `--like REAL_INDEX`,
//! real embeddings taken from another index (the vector of the same passage text when that
//! index has it, else the vector of a passage chosen by hash), so the compact scan's recall
//! can be measured on a realistic distribution at a size nobody can embed here. The commit
//! records the installed model, so a search runs the whole real path: model load, query
//! embedding, compact scan of every vector, exact re-score, fusion. Only the *ranking* is
//! meaningless; the timing is not. Never use such an index for anything but timing and
//! recall measurements.
//!
//! Vectors are generated on the fly as the segment is written (twice: once for the segment's
//! centroid), so memory stays at the passage ids and codes, not 1.5 KB per passage.
//!
//! ```text
//! cargo run --release --example fill_vectors -- INDEX_DIR [--like REAL_INDEX]
//! ```

use quarry::index::vectors::{model_tag, write_segment_with};
use quarry::index::{Payload, Store};

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (dir, like) = match args.as_slice() {
        [dir] => (dir, None),
        [dir, flag, real] if flag == "--like" => (dir, Some(real)),
        _ => anyhow::bail!("usage: fill_vectors INDEX_DIR [--like REAL_INDEX]"),
    };
    let dir = std::path::PathBuf::from(dir);
    let embedder = quarry::embed::load_installed(&quarry::embed::model_dir())?
        .ok_or_else(|| anyhow::anyhow!("run `quarry model install` first"))?;
    let info = embedder.info().clone();
    let index = tantivy::Index::open_in_dir(&dir)?;
    quarry::index::schema::register(&index);
    let metas = index.load_metas()?;
    let mut payload = Payload::parse(metas.payload.as_deref().unwrap_or(""), &dir)?;
    let reader = index.reader()?;
    let searcher = reader.searcher();
    let mut pids = Vec::new();
    for seg in searcher.segment_readers() {
        let col = seg.fast_fields().u64("pid")?;
        for doc in seg.doc_ids_alive() {
            if let Some(p) = col.first(doc) {
                pids.push(p);
            }
        }
    }
    pids.sort_unstable();
    pids.dedup();
    let real = match like {
        Some(real) => {
            let store = Store::open(std::path::Path::new(real))?;
            let searcher = store.searcher();
            let mut real_pids = Vec::new();
            for seg in searcher.segment_readers() {
                let col = seg.fast_fields().u64("pid")?;
                real_pids.extend(seg.doc_ids_alive().filter_map(|d| col.first(d)));
            }
            real_pids.sort_unstable();
            real_pids.dedup();
            anyhow::ensure!(!real_pids.is_empty(), "{real} has no passages");
            Some((store.vectors()?, real_pids))
        }
        None => None,
    };
    let dims = info.dims;
    let mut same_text = 0usize;
    let vector = |i: usize, out: &mut [f32]| {
        let pid = pids[i];
        if let Some((store, real_pids)) = &real {
            // The same passage text's vector, else one chosen by the id's hash.
            let v = store.get(pid).unwrap_or_else(|| {
                let pick = real_pids[(pid % real_pids.len() as u64) as usize];
                store.get(pick).expect("a real passage has a vector")
            });
            out.copy_from_slice(&v);
            return;
        }
        // xorshift seeded by the pid: the same vector on both passes.
        let mut state = pid | 1;
        for x in out.iter_mut() {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            *x = (state % 2001) as f32 / 1000.0 - 1.0;
        }
        let n = out.iter().map(|x| x * x).sum::<f32>().sqrt();
        out.iter_mut().for_each(|x| *x /= n);
    };
    if let Some((store, _)) = &real {
        same_text = pids.iter().filter(|p| store.contains(**p)).count();
    }
    let name = "vectors-bench-random.bin".to_string();
    write_segment_with(
        &dir.join(&name),
        dims,
        model_tag(&info.weights_hash),
        &pids,
        vector,
    )?;
    payload.vector_files = vec![name];
    payload.model = Some(info);
    payload.format = quarry::index::FORMAT;
    let mut writer: tantivy::IndexWriter = index.writer(15_000_000)?;
    let mut prepared = writer.prepare_commit()?;
    prepared.set_payload(&serde_json::to_string(&payload)?);
    prepared.commit()?;
    match like {
        Some(real) => println!(
            "{} vectors from {real} written for {} ({same_text} of the same text; timing and recall only)",
            pids.len(),
            dir.display()
        ),
        None => println!(
            "{} random vectors written for {} (timing only)",
            pids.len(),
            dir.display()
        ),
    }
    Ok(())
}
