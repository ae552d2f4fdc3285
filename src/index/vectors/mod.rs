//! The vector store: passage embeddings kept beside the tantivy index, keyed by passage id,
//! each with a compact code ([`codes`]) that semantic search scans instead of the vector.
//!
//! A passage id (`pid`) is the xxh3 hash of the text the passage is embedded as, and each
//! tantivy document carries it in a fast field. Vectors are therefore content-addressed:
//! an unchanged bullet in an edited note keeps its vector, deletes and merges in tantivy
//! cannot desynchronise anything, and a vector with no live document is only garbage.
//!
//! An index run that embeds writes immutable segment files of up to 2,048 vectors each,
//! `vectors-<pid>-<time>.bin` (unique to the process and moment, so a killed run's files are
//! recognisable orphans), listed in the commit payload; readers open exactly the files the
//! commit names. When segments pile up, they are compacted into one file holding only
//! live ids. A segment holds its vectors and their compact codes together, written from the
//! same floats in one atomic write, so the two can never disagree, whatever is interrupted.
//! Layout (little endian; `W` = dims/64 rounded up; regions start 8-byte aligned):
//!
//! ```text
//! b"QVEC0003"  dims: u32  count: u32  model: u64
//! centroid: [f32; dims]                 the mean of the segment's vectors
//! pids:     [u64; count]                ascending
//! vectors:  [[f32; dims]; count]
//! codes:    [[u64; W]; count]           sign bits of vector − centroid
//! factors:  [f32; count]                ‖vector − centroid‖² / ‖vector − centroid‖₁
//! ```
//!
//! Version 2 files (`QVEC0002`: header, pids, vectors; written before compact codes) are
//! still read, and searched exactly; the next index run that commits rewrites them.
//!
//! **What a search touches.** The pid table, codes and factors are read from a memory map
//! (one `unsafe` block: nobody may modify the file while mapped; segment files are never
//! modified once renamed into place). The `f32` vectors are never mapped: they are read with
//! positioned reads, the shortlist's few hundred one by one and a larger set in blocks. The
//! kernel maps a file in whole page-cache folios (up to 2 MB here: one byte read every 4 MB
//! of a mapped file put half the file in the process's resident set), so one mapped read per
//! vector of a shortlist would make a search resident in most of the vector file, which at
//! 1.4 million vectors is 2.1 GB.

pub mod codes;

use crate::{Error, Result};
use codes::{Kernel, PreparedQuery};
use memmap2::Mmap;
use std::fs::File;
use std::io::Write;
use std::path::Path;

const MAGIC_V2: &[u8; 8] = b"QVEC0002";
const MAGIC: &[u8; 8] = b"QVEC0003";
const HEADER: usize = 24;

/// A short tag of the model that made a segment's vectors (hash of its weights hash), kept in
/// the header so vectors left behind by an interrupted run are reused only for the same model.
pub fn model_tag(weights_hash: &str) -> u64 {
    xxhash_rust::xxh3::xxh3_64(weights_hash.as_bytes())
}

fn pad8(n: usize) -> usize {
    n.div_ceil(8) * 8
}

/// Where each region of a segment file starts.
#[derive(Debug, Clone, Copy)]
struct Layout {
    /// File format version (2: no codes, 3: codes).
    version: u8,
    centroid: usize,
    pids: usize,
    vectors: usize,
    codes: usize,
    factors: usize,
    len: usize,
}

impl Layout {
    fn new(version: u8, dims: usize, count: usize) -> Layout {
        let centroid = HEADER;
        let pids = if version == 2 {
            HEADER
        } else {
            pad8(centroid + dims * 4)
        };
        let vectors = pids + count * 8;
        let vectors_end = vectors + count * dims * 4;
        if version == 2 {
            return Layout {
                version,
                centroid,
                pids,
                vectors,
                codes: vectors_end,
                factors: vectors_end,
                len: vectors_end,
            };
        }
        let codes = pad8(vectors_end);
        let factors = codes + count * codes::words(dims) * 8;
        Layout {
            version,
            centroid,
            pids,
            vectors,
            codes,
            factors,
            len: factors + count * 4,
        }
    }
}

/// One segment file: its pid table and codes mapped, its vectors read on demand.
pub struct Segment {
    map: Mmap,
    file: File,
    dims: usize,
    count: usize,
    layout: Layout,
    /// [`model_tag`] of the model that made the vectors.
    pub model: u64,
}

impl Segment {
    /// Maps and checks a segment file.
    pub fn open(path: &Path) -> Result<Segment> {
        let file = File::open(path).map_err(|e| Error::io(path, e))?;
        // SAFETY: the file is immutable once written (written to a temp name, then renamed,
        // never modified again); a concurrent truncation would be a bug elsewhere.
        let map = unsafe { Mmap::map(&file) }.map_err(|e| Error::io(path, e))?;
        let damaged = |what: &str| Error::damaged(path, what);
        let version = match map.get(..8) {
            Some(m) if m == MAGIC => 3,
            Some(m) if m == MAGIC_V2 => 2,
            _ => return Err(damaged("bad header")),
        };
        if map.len() < HEADER {
            return Err(damaged("bad header"));
        }
        let dims = u32::from_le_bytes(map[8..12].try_into().expect("4 bytes")) as usize;
        let count = u32::from_le_bytes(map[12..16].try_into().expect("4 bytes")) as usize;
        let model = u64::from_le_bytes(map[16..24].try_into().expect("8 bytes"));
        let layout = Layout::new(version, dims, count);
        if dims == 0 || map.len() != layout.len {
            return Err(damaged("size does not match its header"));
        }
        Ok(Segment {
            map,
            file,
            dims,
            count,
            layout,
            model,
        })
    }

    /// Whether the segment holds compact codes (format 3).
    pub fn has_codes(&self) -> bool {
        self.layout.version >= 3
    }

    fn pid(&self, i: usize) -> u64 {
        let at = self.layout.pids + i * 8;
        u64::from_le_bytes(self.map[at..at + 8].try_into().expect("8 bytes"))
    }

    /// Position of `pid`, by binary search.
    fn find(&self, pid: u64) -> Option<usize> {
        let (mut lo, mut hi) = (0, self.count);
        while lo < hi {
            let mid = (lo + hi) / 2;
            match self.pid(mid).cmp(&pid) {
                std::cmp::Ordering::Less => lo = mid + 1,
                std::cmp::Ordering::Greater => hi = mid,
                std::cmp::Ordering::Equal => return Some(mid),
            }
        }
        None
    }

    /// Byte offset of vector `i` in the file.
    fn vector_offset(&self, i: usize) -> u64 {
        (self.layout.vectors + i * self.dims * 4) as u64
    }

    /// Reads vector `i` into `out` (`dims` long).
    fn read_vector(&self, i: usize, out: &mut [f32]) -> std::io::Result<()> {
        let mut bytes = vec![0u8; self.dims * 4];
        read_at(&self.file, &mut bytes, self.vector_offset(i))?;
        decode_into(&bytes, out);
        Ok(())
    }

    /// Calls `f(k, vector)` for each position `items[k]` (ascending), reading runs of
    /// nearby vectors in one positioned read of at most [`BLOCK_BYTES`].
    fn for_each_vector(
        &self,
        items: &[u32],
        mut f: impl FnMut(usize, &[f32]),
    ) -> std::io::Result<()> {
        let vbytes = self.dims * 4;
        let mut buf: Vec<u8> = Vec::new();
        let mut floats = vec![0f32; self.dims];
        let mut k = 0;
        while k < items.len() {
            // A block from items[k]: extend while the next vector is near and fits.
            let first = items[k] as usize;
            let mut end = k + 1;
            while end < items.len() {
                let span = (items[end] as usize + 1 - first) * vbytes;
                let gap = (items[end] - items[end - 1]) as usize * vbytes;
                if span > BLOCK_BYTES || gap > GAP_BYTES {
                    break;
                }
                end += 1;
            }
            let last = items[end - 1] as usize;
            buf.resize((last + 1 - first) * vbytes, 0);
            read_at(&self.file, &mut buf, self.vector_offset(first))?;
            for (j, &item) in items[k..end].iter().enumerate() {
                let at = (item as usize - first) * vbytes;
                decode_into(&buf[at..at + vbytes], &mut floats);
                f(k + j, &floats);
            }
            k = end;
        }
        Ok(())
    }

    fn centroid(&self) -> Vec<f32> {
        let at = self.layout.centroid;
        self.map[at..at + self.dims * 4]
            .chunks_exact(4)
            .map(|c| f32::from_le_bytes(c.try_into().expect("4 bytes")))
            .collect()
    }

    /// The codes and factors, as aligned views of the map.
    fn codes(&self) -> (&[u64], &[f32]) {
        let w = codes::words(self.dims);
        let code_bytes = &self.map[self.layout.codes..self.layout.codes + self.count * w * 8];
        let factor_bytes = &self.map[self.layout.factors..self.layout.factors + self.count * 4];
        (aligned(code_bytes), aligned(factor_bytes))
    }
}

/// A read of a larger set joins vectors at most this far apart into one read...
const GAP_BYTES: usize = 16 * 1024;
/// ...of at most this many bytes.
const BLOCK_BYTES: usize = 1 << 20;

/// `bytes` as a slice of `T` (u64 or f32), which the layout keeps aligned in a page-aligned
/// map.
fn aligned<T: Pod>(bytes: &[u8]) -> &[T] {
    // SAFETY: every bit pattern is a valid u64 and f32 (`Pod`), and `align_to` only hands
    // out a correctly aligned middle. The layout puts each region at an 8-byte offset into a
    // page-aligned map, so head and tail are empty (checked; little-endian only, as every
    // target quarry is built for).
    let (head, mid, tail) = unsafe { bytes.align_to::<T>() };
    assert!(
        head.is_empty() && tail.is_empty() && cfg!(target_endian = "little"),
        "vector segment regions are aligned"
    );
    mid
}

/// Types [`aligned`] may view bytes as: every bit pattern is a valid value.
trait Pod {}
impl Pod for u64 {}
impl Pod for f32 {}

fn decode_into(bytes: &[u8], out: &mut [f32]) {
    for (o, c) in out.iter_mut().zip(bytes.chunks_exact(4)) {
        *o = f32::from_le_bytes([c[0], c[1], c[2], c[3]]);
    }
}

#[cfg(unix)]
fn read_at(file: &File, buf: &mut [u8], offset: u64) -> std::io::Result<()> {
    std::os::unix::fs::FileExt::read_exact_at(file, buf, offset)
}

#[cfg(windows)]
fn read_at(file: &File, mut buf: &mut [u8], mut offset: u64) -> std::io::Result<()> {
    while !buf.is_empty() {
        let n = std::os::windows::fs::FileExt::seek_read(file, buf, offset)?;
        if n == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        buf = &mut buf[n..];
        offset += n as u64;
    }
    Ok(())
}

/// A stored vector found by the compact scan: its segment, its position there, and its
/// estimated dot product with the query.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Candidate {
    /// Estimated dot product.
    pub estimate: f32,
    /// Segment (index into the store's segments).
    pub segment: u32,
    /// Position in the segment.
    pub item: u32,
}

/// All segments a commit names.
#[derive(Default)]
pub struct VectorStore {
    segments: Vec<Segment>,
}

impl VectorStore {
    /// Opens the named segment files in `dir`, newest last.
    pub fn open(dir: &Path, files: &[String]) -> Result<VectorStore> {
        let segments = files
            .iter()
            .map(|f| Segment::open(&dir.join(f)))
            .collect::<Result<Vec<_>>>()?;
        Ok(VectorStore { segments })
    }

    /// Number of stored vectors (including any not yet compacted away).
    pub fn len(&self) -> usize {
        self.segments.iter().map(|s| s.count).sum()
    }

    /// No vectors.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Number of segment files.
    pub fn segment_count(&self) -> usize {
        self.segments.len()
    }

    /// Whether every segment has compact codes (an index written before them has none
    /// until its next index run).
    pub fn has_codes(&self) -> bool {
        self.segments.iter().all(Segment::has_codes)
    }

    /// Number of vectors in segment `i` (0 when there is none).
    pub fn segment_len(&self, i: usize) -> usize {
        self.segments.get(i).map_or(0, |s| s.count)
    }

    /// Adds an already opened segment.
    pub fn push(&mut self, segment: Segment) {
        self.segments.push(segment);
    }

    /// Writes one segment file with the vectors whose pid is in `live` (the newest copy of
    /// each), streaming them from the segment files: memory use is 16 bytes per vector
    /// plus its code (52 bytes at 384 dims), not the vectors themselves (229k vectors are
    /// 350 MB), and nothing is mapped.
    pub fn write_live(
        &self,
        path: &Path,
        dims: usize,
        model: u64,
        live: &std::collections::HashSet<u64>,
    ) -> Result<()> {
        if let Some(s) = self.segments.iter().find(|s| s.dims != dims) {
            return Err(Error::damaged(
                path.parent().unwrap_or(path),
                format!("a vector segment has {} dims, expected {dims}", s.dims),
            ));
        }
        // (pid, segment, item), newest segment first, so the stable sort and dedup keep the
        // newest copy of a pid, as `write_segment` does.
        let mut refs: Vec<(u64, u32, u32)> = Vec::new();
        for (si, s) in self.segments.iter().enumerate().rev() {
            for i in 0..s.count {
                let pid = s.pid(i);
                if live.contains(&pid) {
                    refs.push((pid, si as u32, i as u32));
                }
            }
        }
        refs.sort_by_key(|r| r.0);
        refs.dedup_by_key(|r| r.0);
        let pids: Vec<u64> = refs.iter().map(|r| r.0).collect();
        let mut source = StoreSource {
            store: self,
            refs: &refs,
            readers: Vec::new(),
        };
        write_segment_file(path, dims, model, &pids, &mut source)
    }

    /// Whether a vector for `pid` is stored.
    pub fn contains(&self, pid: u64) -> bool {
        self.segments.iter().any(|s| s.find(pid).is_some())
    }

    /// Dot product of `query` with the stored vector of `pid` (cosine, both being normalised).
    pub fn dot(&self, pid: u64, query: &[f32]) -> Option<f32> {
        self.get(pid).map(|v| dot(query, &v))
    }

    /// Cosine (dot product) of `query` with the vector of every `(pid, key)` in `items`, for a
    /// large candidate set: the items are sorted by pid and merge-joined with each segment's
    /// sorted pid table, so vectors are read in file order, nearby ones in one read.
    /// Items without a vector are left out. The newest segment wins for a repeated pid.
    pub fn dot_many<K: Copy>(&self, items: &mut [(u64, K)], query: &[f32]) -> Vec<(f32, K)> {
        items.sort_unstable_by_key(|(pid, _)| *pid);
        let mut done = vec![false; items.len()];
        let mut out = Vec::with_capacity(items.len());
        for seg in self.segments.iter().rev() {
            // (item position in the segment, index into `items`) of the matches.
            let mut hits: Vec<(u32, usize)> = Vec::new();
            let (mut i, mut j) = (0, 0);
            while i < items.len() && j < seg.count {
                let sp = seg.pid(j);
                match items[i].0.cmp(&sp) {
                    std::cmp::Ordering::Less => i += 1,
                    std::cmp::Ordering::Greater => j += 1,
                    std::cmp::Ordering::Equal => {
                        if !done[i] {
                            done[i] = true;
                            hits.push((j as u32, i));
                        }
                        i += 1;
                    }
                }
            }
            let positions: Vec<u32> = hits.iter().map(|h| h.0).collect();
            let read = seg.for_each_vector(&positions, |k, v| {
                out.push((dot(query, v), items[hits[k].1].1));
            });
            if read.is_err() {
                // A segment that cannot be read now was readable at open; its items count
                // as without a vector rather than failing the search.
                continue;
            }
        }
        out
    }

    /// The stored vector of `pid`.
    pub fn get(&self, pid: u64) -> Option<Vec<f32>> {
        for s in self.segments.iter().rev() {
            if let Some(i) = s.find(pid) {
                let mut v = vec![0f32; s.dims];
                return s.read_vector(i, &mut v).ok().map(|_| v);
            }
        }
        None
    }

    /// The `n` stored vectors with the highest estimated dot product with `query`, best
    /// first, from a scan of every segment's codes (each must [`has_codes`](Self::has_codes)).
    /// A pid stored in several segments may appear more than once.
    pub fn shortlist(&self, query: &[f32], n: usize, kernel: Kernel) -> Vec<Candidate> {
        use std::cmp::Reverse;
        let mut heap: std::collections::BinaryHeap<Reverse<(OrdF32, u32, u32)>> =
            std::collections::BinaryHeap::with_capacity(n + 1);
        let mut est = Vec::new();
        for (si, seg) in self.segments.iter().enumerate() {
            if !seg.has_codes() || seg.count == 0 || n == 0 {
                continue;
            }
            let prepared = PreparedQuery::new(query, &seg.centroid());
            let (codes_all, factors_all) = seg.codes();
            let w = codes::words(seg.dims);
            // Blocks keep the estimates in cache; a block's entries below the current
            // n-th best are skipped with one compare each.
            for start in (0..seg.count).step_by(SCAN_BLOCK) {
                let end = (start + SCAN_BLOCK).min(seg.count);
                est.resize(end - start, 0.0);
                codes::scan(
                    kernel,
                    &prepared,
                    w,
                    &codes_all[start * w..end * w],
                    &factors_all[start..end],
                    &mut est,
                );
                for (k, &e) in est.iter().enumerate() {
                    if heap.len() == n {
                        if e <= heap.peek().expect("full").0 .0 .0 {
                            continue;
                        }
                        heap.pop();
                    }
                    heap.push(Reverse((OrdF32(e), si as u32, (start + k) as u32)));
                }
            }
        }
        let mut out: Vec<Candidate> = heap
            .into_iter()
            .map(|Reverse((e, segment, item))| Candidate {
                estimate: e.0,
                segment,
                item,
            })
            .collect();
        out.sort_by(|a, b| {
            b.estimate
                .total_cmp(&a.estimate)
                .then((a.segment, a.item).cmp(&(b.segment, b.item)))
        });
        out
    }

    /// The pid of a candidate.
    pub fn pid_of(&self, c: &Candidate) -> u64 {
        self.segments[c.segment as usize].pid(c.item as usize)
    }

    /// Exact dot products of `query` with the vectors of `cands`, in order. Vectors are read
    /// in file order, nearby ones in one read.
    pub fn rescore(&self, cands: &[Candidate], query: &[f32]) -> Result<Vec<f32>> {
        let mut order: Vec<usize> = (0..cands.len()).collect();
        order.sort_unstable_by_key(|&i| (cands[i].segment, cands[i].item));
        let mut out = vec![0f32; cands.len()];
        for run in order.chunk_by(|&a, &b| cands[a].segment == cands[b].segment) {
            let seg = &self.segments[cands[run[0]].segment as usize];
            let items: Vec<u32> = run.iter().map(|&i| cands[i].item).collect();
            seg.for_each_vector(&items, |k, v| out[run[k]] = dot(query, v))
                .map_err(|e| Error::Index(format!("reading a vector: {e}")))?;
        }
        Ok(out)
    }
}

/// A hasher for passage ids, which are xxh3 hashes already: the id is its own hash.
#[derive(Default, Clone, Copy)]
pub struct PidHasher(u64);

impl std::hash::Hasher for PidHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        // Only u64 keys are hashed with it; other input is folded in anyway.
        for b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(*b);
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

/// A map keyed by passage id.
pub type PidMap<V> = std::collections::HashMap<u64, V, std::hash::BuildHasherDefault<PidHasher>>;

/// Vectors per block of the compact scan.
const SCAN_BLOCK: usize = 4096;

/// A float with a total order, for heaps.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct OrdF32(pub f32);

impl Eq for OrdF32 {}

impl PartialOrd for OrdF32 {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for OrdF32 {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.0.total_cmp(&other.0)
    }
}

/// Dot product; eight independent accumulators let the compiler vectorise the loop.
pub fn dot(a: &[f32], b: &[f32]) -> f32 {
    let mut acc = [0f32; 8];
    let (ac, bc) = (a.chunks_exact(8), b.chunks_exact(8));
    let rest: f32 = ac
        .remainder()
        .iter()
        .zip(bc.remainder())
        .map(|(x, y)| x * y)
        .sum();
    for (x, y) in ac.zip(bc) {
        for k in 0..8 {
            acc[k] += x[k] * y[k];
        }
    }
    acc.iter().sum::<f32>() + rest
}

/// The vectors a segment file is written from, in pid order; read twice (once for the
/// centroid, once to write), each pass starting with [`VectorSource::rewind`].
trait VectorSource {
    /// Starts a pass from the first vector.
    fn rewind(&mut self) -> std::io::Result<()>;
    /// Vector `i` of the pass (called with 0, 1, 2, … in order) into `out`.
    fn next(&mut self, i: usize, out: &mut [f32]) -> std::io::Result<()>;
}

/// In-memory vectors.
struct SliceSource<'a>(&'a [(u64, Vec<f32>)]);

impl VectorSource for SliceSource<'_> {
    fn rewind(&mut self) -> std::io::Result<()> {
        Ok(())
    }
    fn next(&mut self, i: usize, out: &mut [f32]) -> std::io::Result<()> {
        out.copy_from_slice(&self.0[i].1);
        Ok(())
    }
}

/// The live vectors of a store, each segment read front to back through a buffer.
struct StoreSource<'a> {
    store: &'a VectorStore,
    refs: &'a [(u64, u32, u32)],
    readers: Vec<SeqReader<'a>>,
}

impl VectorSource for StoreSource<'_> {
    fn rewind(&mut self) -> std::io::Result<()> {
        self.readers = self
            .store
            .segments
            .iter()
            .map(|s| SeqReader {
                seg: s,
                buf: Vec::new(),
                first: 0,
            })
            .collect();
        Ok(())
    }
    fn next(&mut self, i: usize, out: &mut [f32]) -> std::io::Result<()> {
        let (_, si, item) = self.refs[i];
        self.readers[si as usize].read(item as usize, out)
    }
}

/// Reads one segment's vectors at ascending positions, a megabyte at a time.
struct SeqReader<'a> {
    seg: &'a Segment,
    buf: Vec<u8>,
    /// Position of the first vector in `buf`.
    first: usize,
}

impl SeqReader<'_> {
    fn read(&mut self, item: usize, out: &mut [f32]) -> std::io::Result<()> {
        let vbytes = self.seg.dims * 4;
        let held = self.buf.len() / vbytes;
        if item < self.first || item >= self.first + held {
            let n = (BLOCK_BYTES / vbytes).max(1).min(self.seg.count - item);
            self.buf.resize(n * vbytes, 0);
            read_at(&self.seg.file, &mut self.buf, self.seg.vector_offset(item))?;
            self.first = item;
        }
        let at = (item - self.first) * vbytes;
        decode_into(&self.buf[at..at + vbytes], out);
        Ok(())
    }
}

/// Writes a segment file atomically from `(pid, vector)` pairs (any order, duplicates
/// dropped).
pub fn write_segment(
    path: &Path,
    dims: usize,
    model: u64,
    mut items: Vec<(u64, Vec<f32>)>,
) -> Result<()> {
    items.sort_by_key(|(pid, _)| *pid);
    items.dedup_by_key(|(pid, _)| *pid);
    if items.iter().any(|(_, v)| v.len() != dims) {
        return Err(Error::Index(format!("vector length differs from {dims}")));
    }
    let pids: Vec<u64> = items.iter().map(|(pid, _)| *pid).collect();
    write_segment_file(path, dims, model, &pids, &mut SliceSource(&items))
}

/// Writes a segment file atomically from a generator: `pids` ascending and unique, and
/// `vector(i, out)` writing vector `i` into `out`; it is called twice for each `i`, in order
/// (a pass for the centroid, a pass to write), so nothing needs to hold every vector. For
/// vectors made on the fly, as `examples/fill_vectors` makes them.
pub fn write_segment_with(
    path: &Path,
    dims: usize,
    model: u64,
    pids: &[u64],
    vector: impl FnMut(usize, &mut [f32]),
) -> Result<()> {
    if pids.windows(2).any(|w| w[0] >= w[1]) {
        return Err(Error::Index("segment pids must ascend".into()));
    }
    struct FnSource<F>(F);
    impl<F: FnMut(usize, &mut [f32])> VectorSource for FnSource<F> {
        fn rewind(&mut self) -> std::io::Result<()> {
            Ok(())
        }
        fn next(&mut self, i: usize, out: &mut [f32]) -> std::io::Result<()> {
            (self.0)(i, out);
            Ok(())
        }
    }
    write_segment_file(path, dims, model, pids, &mut FnSource(vector))
}

/// Writes a segment atomically ([`crate::fsio::write_atomic`]) in the layout of the module
/// documentation: a first pass over `source` for the centroid, a second that writes each
/// vector and keeps its code, then the codes. Memory: the codes (52 bytes a vector at 384
/// dims), never the vectors.
fn write_segment_file(
    path: &Path,
    dims: usize,
    model: u64,
    pids: &[u64],
    source: &mut dyn VectorSource,
) -> Result<()> {
    let count = u32::try_from(pids.len())
        .map_err(|_| Error::Index("too many vectors for one segment".into()))?;
    let layout = Layout::new(3, dims, pids.len());
    let w = codes::words(dims);
    crate::fsio::write_atomic(path, |file| {
        let mut v = vec![0f32; dims];
        source.rewind()?;
        let mut sum = vec![0f64; dims];
        for i in 0..pids.len() {
            source.next(i, &mut v)?;
            for (s, x) in sum.iter_mut().zip(&v) {
                *s += f64::from(*x);
            }
        }
        let n = pids.len().max(1) as f64;
        let centroid: Vec<f32> = sum.iter().map(|s| (s / n) as f32).collect();

        let mut out = std::io::BufWriter::with_capacity(1 << 20, file);
        out.write_all(MAGIC)?;
        out.write_all(&(dims as u32).to_le_bytes())?;
        out.write_all(&count.to_le_bytes())?;
        out.write_all(&model.to_le_bytes())?;
        write_floats(&mut out, &centroid)?;
        zeros(&mut out, layout.pids - (layout.centroid + dims * 4))?;
        for pid in pids {
            out.write_all(&pid.to_le_bytes())?;
        }
        let mut code_words = vec![0u64; pids.len() * w];
        let mut factors = Vec::with_capacity(pids.len());
        source.rewind()?;
        for (i, bits) in code_words.chunks_exact_mut(w).enumerate() {
            source.next(i, &mut v)?;
            write_floats(&mut out, &v)?;
            factors.push(codes::encode(&v, &centroid, bits));
        }
        zeros(
            &mut out,
            layout.codes - (layout.vectors + pids.len() * dims * 4),
        )?;
        for word in &code_words {
            out.write_all(&word.to_le_bytes())?;
        }
        write_floats(&mut out, &factors)?;
        let file = out.into_inner().map_err(|e| e.into_error())?;
        let written = file.metadata()?.len();
        if written != layout.len as u64 {
            return Err(std::io::Error::other(format!(
                "wrote {written} bytes, expected {}",
                layout.len
            )));
        }
        Ok(())
    })
}

fn write_floats(out: &mut impl Write, xs: &[f32]) -> std::io::Result<()> {
    for x in xs {
        out.write_all(&x.to_le_bytes())?;
    }
    Ok(())
}

fn zeros(out: &mut impl Write, n: usize) -> std::io::Result<()> {
    out.write_all(&vec![0u8; n])
}

#[cfg(test)]
mod tests;
