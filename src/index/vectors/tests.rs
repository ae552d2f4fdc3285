use super::*;

fn v(x: f32) -> Vec<f32> {
    vec![x, 0.0, 0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0]
}

#[test]
fn round_trip_and_lookup_across_segments() {
    let dir = tempfile::tempdir().unwrap();
    write_segment(
        &dir.path().join("vectors-1.bin"),
        9,
        0,
        vec![(7, v(1.0)), (3, v(2.0)), (7, v(9.0))],
    )
    .unwrap();
    write_segment(
        &dir.path().join("vectors-2.bin"),
        9,
        0,
        vec![(5, v(3.0)), (3, v(4.0))],
    )
    .unwrap();
    let store = VectorStore::open(
        dir.path(),
        &["vectors-1.bin".into(), "vectors-2.bin".into()],
    )
    .unwrap();
    assert_eq!(store.len(), 4);
    assert!(store.has_codes());
    assert!(store.contains(7) && store.contains(5) && !store.contains(4));
    // The newest segment wins for a repeated id.
    assert_eq!(store.get(3).unwrap()[0], 4.0);
    let q = vec![1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0];
    assert_eq!(store.dot(7, &q), Some(1.0 + 6.0));
    assert_eq!(store.dot(4, &q), None);
    let mut items = vec![(7, 'a'), (4, 'b'), (3, 'c'), (3, 'd')];
    let mut got = store.dot_many(&mut items, &q);
    got.sort_by_key(|(_, k)| *k);
    assert_eq!(got, vec![(7.0, 'a'), (4.0 + 6.0, 'c'), (4.0 + 6.0, 'd')]);

    // Compaction keeps live ids only, with their newest vectors.
    let live = [3u64, 7, 99].into_iter().collect();
    let compacted = dir.path().join("vectors-3.bin");
    store.write_live(&compacted, 9, 0, &live).unwrap();
    let one = VectorStore::open(dir.path(), &["vectors-3.bin".into()]).unwrap();
    assert_eq!(one.len(), 2);
    assert_eq!(one.get(3).unwrap(), v(4.0));
    assert_eq!(one.get(7).unwrap(), v(1.0));
    assert!(!one.contains(5));
    assert!(
        store.write_live(&compacted, 8, 0, &live).is_err(),
        "dims are checked"
    );
}

#[test]
fn damaged_files_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("vectors-1.bin");
    write_segment(&p, 2, 0, vec![(1, vec![0.5, 0.5])]).unwrap();
    let mut bytes = std::fs::read(&p).unwrap();
    bytes.pop();
    std::fs::write(&p, &bytes).unwrap();
    let err = VectorStore::open(dir.path(), &["vectors-1.bin".into()])
        .err()
        .unwrap()
        .to_string();
    assert!(
        err.contains("damaged") && err.contains("--rebuild"),
        "{err}"
    );
}

/// A segment as quarry wrote them before compact codes (`QVEC0002`).
fn write_v2(path: &Path, dims: usize, items: &[(u64, Vec<f32>)]) {
    let mut b = Vec::new();
    b.extend_from_slice(b"QVEC0002");
    b.extend_from_slice(&(dims as u32).to_le_bytes());
    b.extend_from_slice(&(items.len() as u32).to_le_bytes());
    b.extend_from_slice(&0u64.to_le_bytes());
    for (pid, _) in items {
        b.extend_from_slice(&pid.to_le_bytes());
    }
    for (_, v) in items {
        for x in v {
            b.extend_from_slice(&x.to_le_bytes());
        }
    }
    std::fs::write(path, b).unwrap();
}

#[test]
fn segments_without_codes_are_read_and_compaction_gives_them_codes() {
    let dir = tempfile::tempdir().unwrap();
    write_v2(
        &dir.path().join("vectors-old.bin"),
        9,
        &[(2, v(1.0)), (8, v(2.0))],
    );
    let store = VectorStore::open(dir.path(), &["vectors-old.bin".into()]).unwrap();
    assert!(!store.has_codes());
    assert_eq!(store.get(8).unwrap(), v(2.0));
    let q = v(1.0);
    assert!(
        store.shortlist(&q, 5, Kernel::detect()).is_empty(),
        "no codes, no shortlist"
    );
    let live = [2u64, 8].into_iter().collect();
    store
        .write_live(&dir.path().join("vectors-new.bin"), 9, 0, &live)
        .unwrap();
    let new = VectorStore::open(dir.path(), &["vectors-new.bin".into()]).unwrap();
    assert!(new.has_codes());
    assert_eq!(new.get(2).unwrap(), v(1.0));
    assert_eq!(new.shortlist(&q, 5, Kernel::detect()).len(), 2);
}

/// Deterministic pseudo-random unit vectors with a shared component, as sentence
/// embeddings have.
fn unit_vectors(n: usize, dims: usize, seed: u64) -> Vec<Vec<f32>> {
    let mut state = seed | 1;
    (0..n)
        .map(|_| {
            let mut x: Vec<f32> = (0..dims)
                .map(|i| {
                    state ^= state << 13;
                    state ^= state >> 7;
                    state ^= state << 17;
                    (state % 2001) as f32 / 1000.0 - 1.0 + if i % 7 == 0 { 0.8 } else { 0.0 }
                })
                .collect();
            let norm = x.iter().map(|a| a * a).sum::<f32>().sqrt();
            x.iter_mut().for_each(|a| *a /= norm);
            x
        })
        .collect()
}

#[test]
fn the_shortlist_holds_the_true_nearest_vectors_and_rescoring_is_exact() {
    let dir = tempfile::tempdir().unwrap();
    let dims = 384;
    let data = unit_vectors(3000, dims, 11);
    // Two segments, as an index run leaves them.
    let items: Vec<(u64, Vec<f32>)> = data
        .iter()
        .enumerate()
        .map(|(i, x)| ((i as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15), x.clone()))
        .collect();
    write_segment(&dir.path().join("a.bin"), dims, 0, items[..1700].to_vec()).unwrap();
    write_segment(&dir.path().join("b.bin"), dims, 0, items[1700..].to_vec()).unwrap();
    let store = VectorStore::open(dir.path(), &["a.bin".into(), "b.bin".into()]).unwrap();
    let query = &unit_vectors(1, dims, 77)[0];
    let mut exact: Vec<(f32, u64)> = items.iter().map(|(p, x)| (dot(query, x), *p)).collect();
    exact.sort_by(|a, b| b.0.total_cmp(&a.0));
    let short = store.shortlist(query, 300, Kernel::detect());
    assert_eq!(short.len(), 300);
    assert!(short.windows(2).all(|w| w[0].estimate >= w[1].estimate));
    let pids: std::collections::HashSet<u64> = short.iter().map(|c| store.pid_of(c)).collect();
    let found = exact[..10].iter().filter(|(_, p)| pids.contains(p)).count();
    assert_eq!(
        found, 10,
        "the true top 10 are in the top 10 % of estimates"
    );
    let rescored = store.rescore(&short, query).unwrap();
    for (c, s) in short.iter().zip(&rescored) {
        assert_eq!(Some(*s), store.dot(store.pid_of(c), query));
    }
    assert!(store.shortlist(query, 0, Kernel::detect()).is_empty());
    assert_eq!(store.shortlist(query, 10_000, Kernel::detect()).len(), 3000);
}

#[test]
fn vectors_are_read_in_blocks_and_one_by_one_alike() {
    let dir = tempfile::tempdir().unwrap();
    let dims = 384;
    let data = unit_vectors(5000, dims, 5);
    let pids: Vec<u64> = (0..5000u64).map(|i| i * 3 + 1).collect();
    write_segment_with(&dir.path().join("g.bin"), dims, 7, &pids, |i, out| {
        out.copy_from_slice(&data[i])
    })
    .unwrap();
    let seg = Segment::open(&dir.path().join("g.bin")).unwrap();
    assert_eq!(seg.model, 7);
    // Dense runs, gaps beyond GAP_BYTES and spans beyond BLOCK_BYTES.
    let items: Vec<u32> = (0..5000u32)
        .filter(|i| i % 3 == 0 || (1000..1900).contains(i) || i % 997 == 5)
        .collect();
    let mut seen = Vec::new();
    seg.for_each_vector(&items, |k, x| {
        assert_eq!(x, &data[items[k] as usize][..], "item {}", items[k]);
        seen.push(k);
    })
    .unwrap();
    assert_eq!(seen, (0..items.len()).collect::<Vec<_>>());
    assert!(write_segment_with(&dir.path().join("h.bin"), dims, 0, &[3, 2], |_, _| {}).is_err());
}
