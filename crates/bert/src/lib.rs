//! A packed BERT encoder for all-MiniLM-L6-v2: the same network as candle-transformers'
//! `BertModel`, computed without padding and with fused element-wise kernels.
//!
//! Why not `BertModel` itself (quarry keeps it, as `Backend::CandleBert`, to check this one
//! against): profiled on 118-word-piece passages, a third of its time went outside
//! the matrix products. Exact GELU ran through scalar `libm` `erf` (21 % of all samples),
//! softmax through scalar `expf`, every linear layer was a loop of one small matrix product
//! per text of the batch, and each layer copied q, k and v into head-major tensors.
//!
//! Here:
//! * **No padding.** The word pieces of every text in a batch are stacked into one
//!   `(tokens, 384)` matrix. Linear layers, layer norms and GELU see only real tokens, so a
//!   batch of mixed lengths costs the sum of its lengths, not `batch × longest`. Attention
//!   runs per text over its own rows, which is what the attention mask computes in a padded
//!   batch (masked keys get weight `exp(-inf) = 0`; padded query rows are discarded by the
//!   mean pooling).
//! * **One matrix product per weight** for the whole batch, through the `gemm` crate
//!   (candle's own CPU matmul engine; its AVX-512 kernels are enabled and chosen at run
//!   time), with the bias and the residual written into the destination first and the
//!   product accumulated onto them (`dst = dst + x·Wᵀ`). q, k and v land side by side in
//!   one matrix; attention reads its heads in place through strides, one task per
//!   (text, head).
//! * **Queries skip gemm.** gemm repacks the weight matrix on every call; for a query's
//!   dozen word pieces that packing was 61 % of the time. Up to 24 rows, each output is a
//!   dot product over a weight row read in place (a query: 12.7 → 4.5 ms on 2 cores).
//! * **Vectorised GELU, softmax and layer norm.** `erf` is Abramowitz & Stegun 7.1.26
//!   (absolute error ≤ 1.5e-7, the formula PyTorch's vectorised `erf` uses; under 6e-7 in
//!   f32) and `exp` a Cephes-style polynomial (relative error ~1e-7), both branch-free so
//!   the compiler vectorises them; reductions use 16 partial sums. They are compiled for
//!   AVX2+FMA too, used when the CPU has it (checked at run time).
//! * **Weights read in place** from the memory-mapped safetensors file: loading copies
//!   nothing but the biases of q, k and v, so a cold `quarry search` does not wait for
//!   90 MB to be copied, and only the word-embedding rows of its query are ever read.
//!
//! The result equals `BertModel`'s to float rounding (largest difference 3e-7 on unit
//! vectors): quarry's `src/embed/candle.rs` tests compare the two on a mixed batch, and
//! both against sentence-transformers' vectors.

use rayon::prelude::*;

/// Hidden size, the length of the vectors [`PackedBert::embed`] returns.
pub const H: usize = 384;
/// Attention heads and their width.
const HEADS: usize = 12;
const HEAD: usize = H / HEADS;
/// Feed-forward width.
const FF: usize = 1536;
const LAYERS: usize = 6;
/// Learned positions; inputs are truncated below this.
pub const MAX_POSITIONS: usize = 512;
const VOCAB: usize = 30522;
const LN_EPS: f32 = 1e-12;

/// A tensor: `len` values from `start` in [`Arena::floats`].
#[derive(Clone, Copy)]
struct T {
    start: usize,
    len: usize,
}

/// Every value of the checkpoint. When the file's data is 4-byte aligned (it is in files
/// the Python library writes) it is read in place from the memory map: nothing is copied at
/// load, and of the 47 MB word-embedding table a query touches only its own rows. Otherwise
/// (or on a big-endian CPU) it is copied once.
enum Arena {
    Mapped {
        map: memmap2::Mmap,
        /// Byte offset of the data section.
        start: usize,
        /// f32 values in the data section.
        floats: usize,
    },
    Owned(Vec<f32>),
}

impl Arena {
    fn floats(&self) -> &[f32] {
        match self {
            // SAFETY: `load` checked that `map` + `start` is 4-byte aligned, that the CPU is
            // little-endian (safetensors' byte order) and that `floats` values fit in the
            // map; every bit pattern is a valid f32, and the map lives as long as `self`.
            Arena::Mapped { map, start, floats } => unsafe {
                std::slice::from_raw_parts(map.as_ptr().add(*start).cast::<f32>(), *floats)
            },
            Arena::Owned(v) => v,
        }
    }
}

struct LayerNorm {
    gamma: T,
    beta: T,
}

struct Layer {
    /// `(384, 384)` each, row-major, out × in, as stored in the checkpoint.
    q_w: T,
    k_w: T,
    v_w: T,
    /// q, k and v biases side by side (the only values copied at load).
    qkv_b: Vec<f32>,
    attn_out_w: T,
    attn_out_b: T,
    attn_ln: LayerNorm,
    ff_in_w: T,
    ff_in_b: T,
    ff_out_w: T,
    ff_out_b: T,
    ff_ln: LayerNorm,
}

/// The encoder: the checkpoint's values and where each tensor lies in them. Read-only after
/// [`PackedBert::load`], so it is shared by reference across threads.
pub struct PackedBert {
    arena: Arena,
    word: T,
    position: T,
    /// Token type 0's embedding; all-MiniLM-L6-v2 inputs are single segments.
    token_type0: T,
    emb_ln: LayerNorm,
    layers: Vec<Layer>,
}

impl PackedBert {
    /// Maps the safetensors file at `path` (all-MiniLM-L6-v2's `model.safetensors`) and
    /// checks that every tensor the encoder reads is there as f32 with the right shape. The
    /// error says which file or tensor is wrong.
    ///
    /// # Safety
    ///
    /// The file is memory-mapped and read in place for as long as the encoder lives: it
    /// must not be modified or truncated meanwhile (replacing it by renaming another file
    /// over it is fine). This is the contract of `memmap2::Mmap::map`.
    pub unsafe fn load(path: &std::path::Path) -> Result<PackedBert, String> {
        let file = std::fs::File::open(path).map_err(|e| format!("{}: {e}", path.display()))?;
        // SAFETY: the caller's promise above.
        let map =
            unsafe { memmap2::Mmap::map(&file) }.map_err(|e| format!("{}: {e}", path.display()))?;
        let (header, meta) =
            safetensors::SafeTensors::read_metadata(&map).map_err(|e| e.to_string())?;
        let start = 8 + header;
        let data_len = map.len().saturating_sub(start);

        let tensor = |name: &str, shape: &[usize]| -> Result<T, String> {
            let info = meta
                .info(name)
                .ok_or_else(|| format!("{name} is missing"))?;
            if info.dtype != safetensors::Dtype::F32 || info.shape != shape {
                return Err(format!(
                    "{name} is {:?} {:?}, expected F32 {shape:?}",
                    info.dtype, info.shape
                ));
            }
            let (a, b) = info.data_offsets;
            if !a.is_multiple_of(4)
                || b < a
                || b > data_len
                || (b - a) / 4 != shape.iter().product::<usize>()
            {
                return Err(format!("{name}: bad data offsets {a}..{b}"));
            }
            Ok(T {
                start: a / 4,
                len: (b - a) / 4,
            })
        };
        let ln = |p: &str| -> Result<LayerNorm, String> {
            Ok(LayerNorm {
                gamma: tensor(&format!("{p}.weight"), &[H])?,
                beta: tensor(&format!("{p}.bias"), &[H])?,
            })
        };
        let mut layers = Vec::with_capacity(LAYERS);
        let mut qkv_biases = Vec::with_capacity(LAYERS);
        for l in 0..LAYERS {
            let p = format!("encoder.layer.{l}");
            let part = |what: &str, shape: &[usize]| tensor(&format!("{p}.{what}"), shape);
            qkv_biases.push([
                part("attention.self.query.bias", &[H])?,
                part("attention.self.key.bias", &[H])?,
                part("attention.self.value.bias", &[H])?,
            ]);
            layers.push(Layer {
                q_w: part("attention.self.query.weight", &[H, H])?,
                k_w: part("attention.self.key.weight", &[H, H])?,
                v_w: part("attention.self.value.weight", &[H, H])?,
                qkv_b: Vec::new(),
                attn_out_w: part("attention.output.dense.weight", &[H, H])?,
                attn_out_b: part("attention.output.dense.bias", &[H])?,
                attn_ln: ln(&format!("{p}.attention.output.LayerNorm"))?,
                ff_in_w: part("intermediate.dense.weight", &[FF, H])?,
                ff_in_b: part("intermediate.dense.bias", &[FF])?,
                ff_out_w: part("output.dense.weight", &[H, FF])?,
                ff_out_b: part("output.dense.bias", &[H])?,
                ff_ln: ln(&format!("{p}.output.LayerNorm"))?,
            });
        }
        let word = tensor("embeddings.word_embeddings.weight", &[VOCAB, H])?;
        let position = tensor("embeddings.position_embeddings.weight", &[MAX_POSITIONS, H])?;
        let token_types = tensor("embeddings.token_type_embeddings.weight", &[2, H])?;
        let emb_ln = ln("embeddings.LayerNorm")?;

        let aligned = cfg!(target_endian = "little")
            && (map.as_ptr() as usize + start).is_multiple_of(std::mem::align_of::<f32>());
        let arena = if aligned {
            Arena::Mapped {
                floats: data_len / 4,
                start,
                map,
            }
        } else {
            Arena::Owned(f32_from_le_bytes(&map[start..]))
        };
        let floats = arena.floats();
        for (layer, biases) in layers.iter_mut().zip(&qkv_biases) {
            layer.qkv_b = biases
                .iter()
                .flat_map(|t| &floats[t.start..t.start + t.len])
                .copied()
                .collect();
        }
        Ok(PackedBert {
            arena,
            word,
            position,
            token_type0: T {
                start: token_types.start,
                len: H,
            },
            emb_ln,
            layers,
        })
    }

    /// The values of `t`.
    fn v(&self, t: T) -> &[f32] {
        &self.arena.floats()[t.start..t.start + t.len]
    }

    fn layer_norm_rows(&self, x: &mut [f32], ln: &LayerNorm) {
        let (gamma, beta) = (self.v(ln.gamma), self.v(ln.beta));
        par_rows(x, H, |chunk| {
            for row in chunk.chunks_exact_mut(H) {
                kernels::layer_norm(row, gamma, beta);
            }
        });
    }

    /// Mean-pooled, L2-normalised embeddings of already tokenized texts (`[CLS]` … `[SEP]`,
    /// at most [`MAX_POSITIONS`] ids each, every id below the vocabulary size).
    pub fn embed(&self, texts: &[&[u32]]) -> Vec<Vec<f32>> {
        let mut starts = Vec::with_capacity(texts.len() + 1);
        starts.push(0usize);
        for t in texts {
            assert!(t.len() <= MAX_POSITIONS, "{} word pieces", t.len());
            starts.push(starts.last().unwrap() + t.len());
        }
        let rows = *starts.last().unwrap();
        let mut x = vec![0f32; rows * H];
        self.embeddings(texts, &mut x);

        let mut qkv = vec![0f32; rows * 3 * H];
        let mut ctx = vec![0f32; rows * H];
        let mut ff = vec![0f32; rows * FF];
        for layer in &self.layers {
            // Self-attention: q, k and v side by side in one (rows, 3·384) matrix.
            seed(&mut qkv, &layer.qkv_b, false);
            for (c, w) in [layer.q_w, layer.k_w, layer.v_w].into_iter().enumerate() {
                matmul_acc(&x, rows, H, self.v(w), &mut qkv[c * H..], 3 * H);
            }
            attention(&qkv, &starts, &mut ctx);
            // Output projection onto the residual (x), plus bias, then norm.
            seed(&mut x, self.v(layer.attn_out_b), true);
            matmul_acc(&ctx, rows, H, self.v(layer.attn_out_w), &mut x, H);
            self.layer_norm_rows(&mut x, &layer.attn_ln);
            // Feed-forward: x + GELU(x·W1ᵀ + b1)·W2ᵀ + b2, then norm.
            seed(&mut ff, self.v(layer.ff_in_b), false);
            matmul_acc(&x, rows, H, self.v(layer.ff_in_w), &mut ff, FF);
            par_rows(&mut ff, FF, kernels::gelu);
            seed(&mut x, self.v(layer.ff_out_b), true);
            matmul_acc(&ff, rows, FF, self.v(layer.ff_out_w), &mut x, H);
            self.layer_norm_rows(&mut x, &layer.ff_ln);
        }

        starts
            .windows(2)
            .map(|w| {
                let mut v = vec![0f32; H];
                for row in x[w[0] * H..w[1] * H].chunks_exact(H) {
                    v.iter_mut().zip(row).for_each(|(a, b)| *a += b);
                }
                let n = (w[1] - w[0]).max(1) as f32;
                v.iter_mut().for_each(|a| *a /= n);
                // torch.nn.functional.normalize clamps the norm at 1e-12 the same way.
                let norm = v.iter().map(|a| a * a).sum::<f32>().sqrt().max(1e-12);
                v.iter_mut().for_each(|a| *a /= norm);
                v
            })
            .collect()
    }

    /// Word + position + token type 0 embeddings, layer-normed, into `x`.
    fn embeddings(&self, texts: &[&[u32]], x: &mut [f32]) {
        let mut rows = x.chunks_exact_mut(H);
        for t in texts {
            for (pos, &id) in t.iter().enumerate() {
                let row = rows.next().expect("x has a row per token");
                let word = &self.v(self.word)[id as usize * H..][..H];
                let position = &self.v(self.position)[pos * H..][..H];
                for (((r, w), p), t) in row
                    .iter_mut()
                    .zip(word)
                    .zip(position)
                    .zip(self.v(self.token_type0))
                {
                    *r = w + p + t;
                }
            }
        }
        self.layer_norm_rows(x, &self.emb_ln);
    }
}

/// Little-endian f32 bytes (as safetensors stores them) as values; a trailing partial
/// value is ignored.
fn f32_from_le_bytes(bytes: &[u8]) -> Vec<f32> {
    bytes
        .chunks_exact(4)
        .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
        .collect()
}

/// Rows per parallel task for the element-wise passes.
const ROWS_PER_TASK: usize = 32;

/// Runs `f` over `data` in chunks of whole rows of width `width`, in parallel when there
/// is enough work.
fn par_rows(data: &mut [f32], width: usize, f: impl Fn(&mut [f32]) + Sync) {
    let chunk = ROWS_PER_TASK * width;
    if data.len() <= chunk {
        f(data);
    } else {
        data.par_chunks_mut(chunk).for_each(&f);
    }
}

/// Sets every row of `out` to `bias`, or with `accumulate` adds `bias` to it (`out` then
/// holds the residual), before [`matmul_acc`] adds the product.
fn seed(out: &mut [f32], bias: &[f32], accumulate: bool) {
    let width = bias.len();
    par_rows(out, width, |chunk| {
        for row in chunk.chunks_exact_mut(width) {
            if accumulate {
                row.iter_mut().zip(bias).for_each(|(o, b)| *o += b);
            } else {
                row.copy_from_slice(bias);
            }
        }
    });
}

/// `out += x·Wᵀ`. `x` is `(rows, in_dim)` row-major; `w` is `(n, in_dim)` row-major, as
/// the checkpoint stores a linear layer's weight; `out` starts at the first of the `n`
/// columns to write, and its rows are `out_stride` apart (so it can be a column block of
/// a wider matrix).
fn matmul_acc(
    x: &[f32],
    rows: usize,
    in_dim: usize,
    w: &[f32],
    out: &mut [f32],
    out_stride: usize,
) {
    let n = w.len() / in_dim;
    assert_eq!(x.len(), rows * in_dim);
    assert_eq!(w.len(), n * in_dim);
    assert!(n <= out_stride);
    assert!(rows == 0 || out.len() >= (rows - 1) * out_stride + n);
    if rows <= SMALL_ROWS {
        return small_matmul_acc(x, rows, in_dim, w, out, out_stride);
    }
    let parallelism = if rayon::current_num_threads() > 1 {
        gemm::Parallelism::Rayon(rayon::current_num_threads())
    } else {
        gemm::Parallelism::None
    };
    // SAFETY: the asserts above bound every index gemm computes from these shapes and
    // strides: dst is rows × n with row stride out_stride inside `out`, lhs rows × in_dim
    // row-major, and rhs is Wᵀ (in_dim × n) read from W through swapped strides.
    unsafe {
        gemm::gemm(
            rows,
            n,
            in_dim,
            out.as_mut_ptr(),
            1,
            out_stride as isize,
            true,
            x.as_ptr(),
            1,
            in_dim as isize,
            w.as_ptr(),
            in_dim as isize,
            1,
            1.0,
            1.0,
            false,
            false,
            false,
            parallelism,
        );
    }
}

/// Up to this many rows (a query is 5–20 word pieces), [`matmul_acc`] uses dot products
/// instead of gemm. gemm repacks the whole weight matrix on every call, which for a handful
/// of rows costs more than the product itself (61 % of a query's time was packing).
const SMALL_ROWS: usize = 24;

/// [`matmul_acc`] as one dot product per (row, output column): each weight row is read
/// once, straight from the checkpoint, for all rows of `x`. Output columns are split
/// across threads.
fn small_matmul_acc(
    x: &[f32],
    rows: usize,
    in_dim: usize,
    w: &[f32],
    out: &mut [f32],
    out_stride: usize,
) {
    let n = w.len() / in_dim;
    let dst = SharedMut(out.as_mut_ptr());
    let columns = |cols: std::ops::Range<usize>| {
        let mut dots = [0f32; SMALL_ROWS];
        for j in cols {
            kernels::dots(x, in_dim, &w[j * in_dim..][..in_dim], &mut dots[..rows]);
            for (r, d) in dots[..rows].iter().enumerate() {
                // SAFETY: `matmul_acc` asserted that `out` holds `rows` rows of `out_stride`
                // with `n ≤ out_stride` columns in use, so r·out_stride + j is in bounds;
                // tasks get disjoint column ranges.
                unsafe { *dst.ptr().add(r * out_stride + j) += d };
            }
        }
    };
    let threads = rayon::current_num_threads();
    if threads > 1 && n * in_dim * rows >= 1 << 16 {
        let chunk = n.div_ceil(threads * 4);
        (0..n.div_ceil(chunk))
            .into_par_iter()
            .for_each(|c| columns(c * chunk..((c + 1) * chunk).min(n)));
    } else {
        columns(0..n);
    }
}

/// A pointer that parallel tasks write through, each to its own disjoint cells.
#[derive(Clone, Copy)]
struct SharedMut(*mut f32);
// SAFETY: only used by `attention`, whose tasks write disjoint (row range, head) blocks,
// and `small_matmul_acc`, whose tasks write disjoint column ranges.
unsafe impl Send for SharedMut {}
unsafe impl Sync for SharedMut {}

impl SharedMut {
    /// The pointer. A method, so closures capture the whole (`Sync`) wrapper rather than
    /// its raw-pointer field.
    fn ptr(self) -> *mut f32 {
        self.0
    }
}

/// Multi-head self-attention of every text over its own rows. `qkv` is `(rows, 3·384)`
/// (q, k, v side by side, each 12 heads of 32); the result, heads side by side, goes into
/// `ctx` `(rows, 384)`. One task per (text, head).
fn attention(qkv: &[f32], starts: &[usize], ctx: &mut [f32]) {
    let rows = *starts.last().unwrap();
    assert_eq!(qkv.len(), rows * 3 * H);
    assert_eq!(ctx.len(), rows * H);
    let out = SharedMut(ctx.as_mut_ptr());
    let scale = 1.0 / (HEAD as f32).sqrt();
    let tasks: Vec<(usize, usize)> = (0..starts.len() - 1)
        .flat_map(|t| (0..HEADS).map(move |h| (t, h)))
        .collect();
    let run = |&(t, h): &(usize, usize)| {
        let (start, n) = (starts[t], starts[t + 1] - starts[t]);
        if n == 0 {
            return;
        }
        let stride = 3 * H as isize;
        let q = qkv[start * 3 * H + h * HEAD..].as_ptr();
        let k = qkv[start * 3 * H + H + h * HEAD..].as_ptr();
        let v = qkv[start * 3 * H + 2 * H + h * HEAD..].as_ptr();
        let mut scores = vec![0f32; n * n];
        // SAFETY: q, k and v point at row `start`, column block `h` of qkv, which has
        // `rows ≥ start + n` rows of `stride` floats, and gemm reads n rows × HEAD columns
        // from each. `out` + start·H + h·HEAD is this task's own block of ctx: rows
        // start..start+n, columns h·HEAD..(h+1)·HEAD, which no other task writes.
        unsafe {
            // scores = scale · q·kᵀ (n × n)
            gemm::gemm(
                n,
                n,
                HEAD,
                scores.as_mut_ptr(),
                1,
                n as isize,
                false,
                q,
                1,
                stride,
                k,
                stride,
                1,
                0.0,
                scale,
                false,
                false,
                false,
                gemm::Parallelism::None,
            );
            for row in scores.chunks_exact_mut(n) {
                kernels::softmax(row);
            }
            // ctx block = scores·v (n × HEAD)
            gemm::gemm(
                n,
                HEAD,
                n,
                out.ptr().add(start * H + h * HEAD),
                1,
                H as isize,
                false,
                scores.as_ptr(),
                1,
                n as isize,
                v,
                1,
                stride,
                0.0,
                1.0,
                false,
                false,
                false,
                gemm::Parallelism::None,
            );
        }
    };
    if rows >= 16 {
        tasks.par_iter().for_each(run);
    } else {
        tasks.iter().for_each(run);
    }
}

/// Element-wise kernels, written branch-free so the compiler vectorises them, and compiled
/// a second time for AVX2+FMA, chosen at run time.
mod kernels {
    /// `x · Φ(x)` with the exact (erf) form, in place.
    pub(super) fn gelu(xs: &mut [f32]) {
        #[cfg(target_arch = "x86_64")]
        if fma() {
            // SAFETY: the CPU has AVX2 and FMA (checked just above).
            return unsafe { gelu_fma(xs) };
        }
        gelu_impl::<false>(xs)
    }

    /// Softmax of one row, in place.
    pub(super) fn softmax(xs: &mut [f32]) {
        #[cfg(target_arch = "x86_64")]
        if fma() {
            // SAFETY: the CPU has AVX2 and FMA.
            return unsafe { softmax_fma(xs) };
        }
        softmax_impl::<false>(xs)
    }

    /// `out[r] = x[r]·w` for each of the `out.len()` rows of `x` (rows of `w.len()` values).
    pub(super) fn dots(x: &[f32], width: usize, w: &[f32], out: &mut [f32]) {
        #[cfg(target_arch = "x86_64")]
        if fma() {
            // SAFETY: the CPU has AVX2 and FMA.
            return unsafe { dots_fma(x, width, w, out) };
        }
        dots_impl::<false>(x, width, w, out)
    }

    /// Layer norm of one row with the model's ε, in place.
    pub(super) fn layer_norm(xs: &mut [f32], gamma: &[f32], beta: &[f32]) {
        #[cfg(target_arch = "x86_64")]
        if fma() {
            // SAFETY: the CPU has AVX2 and FMA.
            return unsafe { layer_norm_fma(xs, gamma, beta) };
        }
        layer_norm_impl::<false>(xs, gamma, beta)
    }

    #[cfg(target_arch = "x86_64")]
    fn fma() -> bool {
        use std::sync::OnceLock;
        static HAS: OnceLock<bool> = OnceLock::new();
        *HAS.get_or_init(|| is_x86_feature_detected!("avx2") && is_x86_feature_detected!("fma"))
    }

    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2,fma")]
    unsafe fn gelu_fma(xs: &mut [f32]) {
        gelu_impl::<true>(xs)
    }

    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2,fma")]
    unsafe fn softmax_fma(xs: &mut [f32]) {
        softmax_impl::<true>(xs)
    }

    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2,fma")]
    unsafe fn dots_fma(x: &[f32], width: usize, w: &[f32], out: &mut [f32]) {
        dots_impl::<true>(x, width, w, out)
    }

    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2,fma")]
    unsafe fn layer_norm_fma(xs: &mut [f32], gamma: &[f32], beta: &[f32]) {
        layer_norm_impl::<true>(xs, gamma, beta)
    }

    /// `a·b + c`, fused where the CPU can (`FMA`), else two roundings.
    #[inline(always)]
    fn madd<const FMA: bool>(a: f32, b: f32, c: f32) -> f32 {
        if FMA {
            a.mul_add(b, c)
        } else {
            a * b + c
        }
    }

    /// `eˣ` for `x ≤ 88`, relative error ~1e-7; 0 below -87 (where the true value is
    /// under 1.7e-38). Cephes `expf`: `x = n·ln2 + r`, `|r| ≤ ln2/2`, a degree-6 polynomial
    /// for `eʳ`, and `2ⁿ` built in the exponent bits.
    #[inline(always)]
    pub(super) fn exp<const FMA: bool>(x: f32) -> f32 {
        const LOG2E: f32 = std::f32::consts::LOG2_E;
        const LN2_HI: f32 = 0.693_359_4;
        const LN2_LO: f32 = -2.121_944_4e-4;
        // Adding 1.5·2²³ rounds to an integer in the low mantissa bits.
        const ROUND: f32 = 12_582_912.0;
        let x = if x > 88.0 { 88.0 } else { x };
        let under = x < -87.0;
        let x = if under { -87.0 } else { x };
        let t = madd::<FMA>(x, LOG2E, ROUND);
        let n = t - ROUND;
        let ni = (t.to_bits() as i32).wrapping_sub(ROUND.to_bits() as i32);
        let r = madd::<FMA>(n, -LN2_HI, x);
        let r = madd::<FMA>(n, -LN2_LO, r);
        let mut p = 1.987_569_1e-4;
        p = madd::<FMA>(p, r, 1.398_199_9e-3);
        p = madd::<FMA>(p, r, 8.333_452e-3);
        p = madd::<FMA>(p, r, 4.166_579_6e-2);
        p = madd::<FMA>(p, r, 1.666_666_5e-1);
        p = madd::<FMA>(p, r, 0.5);
        let e = madd::<FMA>(p, r * r, r + 1.0);
        let scale = f32::from_bits(((ni + 127) << 23) as u32);
        if under {
            0.0
        } else {
            e * scale
        }
    }

    /// `erf(x)`, absolute error ≤ 1.5e-7 in exact arithmetic (Abramowitz & Stegun 7.1.26),
    /// under 6e-7 in f32.
    #[inline(always)]
    pub(super) fn erf<const FMA: bool>(x: f32) -> f32 {
        let a = x.abs();
        let t = 1.0 / madd::<FMA>(0.327_591_1, a, 1.0);
        let mut p = 1.061_405_4;
        p = madd::<FMA>(p, t, -1.453_152_1);
        p = madd::<FMA>(p, t, 1.421_413_8);
        p = madd::<FMA>(p, t, -0.284_496_74);
        p = madd::<FMA>(p, t, 0.254_829_6);
        let y = 1.0 - p * t * exp::<FMA>(-a * a);
        y.copysign(x)
    }

    #[inline(always)]
    fn gelu_impl<const FMA: bool>(xs: &mut [f32]) {
        const FRAC_1_SQRT_2: f32 = std::f32::consts::FRAC_1_SQRT_2;
        for x in xs {
            let v = *x;
            *x = 0.5 * v * (1.0 + erf::<FMA>(v * FRAC_1_SQRT_2));
        }
    }

    /// Lanes of the partial sums and maxima below. Float reductions are order-dependent,
    /// so the compiler keeps a plain `sum()` sequential; 16 independent accumulators let it
    /// use whole vector registers instead.
    const LANES: usize = 16;

    #[inline(always)]
    fn max(xs: &[f32]) -> f32 {
        let mut acc = [f32::NEG_INFINITY; LANES];
        let chunks = xs.chunks_exact(LANES);
        let rest = chunks.remainder();
        for c in chunks {
            for i in 0..LANES {
                acc[i] = if c[i] > acc[i] { c[i] } else { acc[i] };
            }
        }
        acc.iter()
            .chain(rest)
            .fold(f32::NEG_INFINITY, |m, &x| if x > m { x } else { m })
    }

    /// `Σ f(x)` over `xs`.
    #[inline(always)]
    fn sum_of(xs: &[f32], f: impl Fn(f32) -> f32) -> f32 {
        let mut acc = [0f32; LANES];
        let chunks = xs.chunks_exact(LANES);
        let rest = chunks.remainder();
        for c in chunks {
            for i in 0..LANES {
                acc[i] += f(c[i]);
            }
        }
        acc.iter().sum::<f32>() + rest.iter().map(|&x| f(x)).sum::<f32>()
    }

    #[inline(always)]
    fn dots_impl<const FMA: bool>(x: &[f32], width: usize, w: &[f32], out: &mut [f32]) {
        for (r, o) in out.iter_mut().enumerate() {
            let row = &x[r * width..][..width];
            let mut acc = [0f32; LANES];
            let (a, b) = (row.chunks_exact(LANES), w.chunks_exact(LANES));
            let rest: f32 = a
                .remainder()
                .iter()
                .zip(b.remainder())
                .map(|(p, q)| p * q)
                .sum();
            for (p, q) in a.zip(b) {
                for i in 0..LANES {
                    acc[i] = madd::<FMA>(p[i], q[i], acc[i]);
                }
            }
            *o = acc.iter().sum::<f32>() + rest;
        }
    }

    #[inline(always)]
    fn softmax_impl<const FMA: bool>(xs: &mut [f32]) {
        let max = max(xs);
        xs.iter_mut().for_each(|x| *x = exp::<FMA>(*x - max));
        let inv = 1.0 / sum_of(xs, |x| x);
        xs.iter_mut().for_each(|x| *x *= inv);
    }

    #[inline(always)]
    fn layer_norm_impl<const FMA: bool>(xs: &mut [f32], gamma: &[f32], beta: &[f32]) {
        let n = xs.len() as f32;
        let mean = sum_of(xs, |x| x) / n;
        let var = sum_of(xs, |x| (x - mean) * (x - mean)) / n;
        let inv = 1.0 / (var + super::LN_EPS).sqrt();
        for ((x, g), b) in xs.iter_mut().zip(gamma).zip(beta) {
            *x = madd::<FMA>((*x - mean) * inv, *g, *b);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::kernels;
    use candle_core::cpu::erf::erf_f64;

    /// Both builds of each kernel: plain, and FMA where the CPU has it.
    fn variants() -> Vec<bool> {
        #[cfg(target_arch = "x86_64")]
        if is_x86_feature_detected!("avx2") && is_x86_feature_detected!("fma") {
            return vec![false, true];
        }
        vec![false]
    }

    fn sweep(lo: f32, hi: f32, n: usize) -> impl Iterator<Item = f32> {
        (0..=n).map(move |i| lo + (hi - lo) * i as f32 / n as f32)
    }

    /// Both ways [`super::matmul_acc`] multiplies (dot products up to `SMALL_ROWS` rows,
    /// gemm above) equal a plain f64 product, writing a column block of a wider matrix.
    #[test]
    fn matmul_acc_matches_a_naive_product() {
        let (in_dim, n, stride, col) = (40, 37, 50, 3);
        let val = |i: usize| ((i * 7919 % 1000) as f32 / 500.0) - 1.0;
        for rows in [1, 3, super::SMALL_ROWS, super::SMALL_ROWS + 1, 70] {
            let x: Vec<f32> = (0..rows * in_dim).map(val).collect();
            let w: Vec<f32> = (0..n * in_dim).map(|i| val(i + 12345)).collect();
            let mut out: Vec<f32> = (0..rows * stride).map(|i| val(i + 777)).collect();
            let before = out.clone();
            super::matmul_acc(&x, rows, in_dim, &w, &mut out[col..], stride);
            for r in 0..rows {
                for c in 0..stride {
                    let mut want = before[r * stride + c] as f64;
                    if (col..col + n).contains(&c) {
                        let j = c - col;
                        want += (0..in_dim)
                            .map(|k| x[r * in_dim + k] as f64 * w[j * in_dim + k] as f64)
                            .sum::<f64>();
                    }
                    let got = out[r * stride + c] as f64;
                    assert!(
                        (got - want).abs() < 1e-4,
                        "rows {rows}, ({r}, {c}): {got} vs {want}"
                    );
                }
            }
        }
    }

    #[test]
    fn exp_is_accurate_to_a_few_ulp() {
        for fma in variants() {
            let mut worst = 0f64;
            for x in sweep(-87.0, 88.0, 200_000) {
                let got = if fma {
                    kernels::exp::<true>(x)
                } else {
                    kernels::exp::<false>(x)
                };
                let want = (x as f64).exp();
                worst = worst.max(((got as f64 - want) / want).abs());
            }
            assert!(worst < 4e-7, "fma={fma}: worst relative error {worst}");
            let tiny = if fma {
                kernels::exp::<true>(-100.0)
            } else {
                kernels::exp::<false>(-100.0)
            };
            assert_eq!(tiny, 0.0);
        }
    }

    #[test]
    fn erf_is_accurate_to_1e_6() {
        for fma in variants() {
            let mut worst = 0f64;
            for x in sweep(-8.0, 8.0, 200_000) {
                let got = if fma {
                    kernels::erf::<true>(x)
                } else {
                    kernels::erf::<false>(x)
                };
                worst = worst.max((got as f64 - erf_f64(x as f64)).abs());
            }
            // 1.5e-7 for the formula, plus f32 rounding.
            assert!(worst < 1e-6, "fma={fma}: worst absolute error {worst}");
        }
    }

    #[test]
    fn gelu_matches_the_exact_form() {
        let xs: Vec<f32> = sweep(-12.0, 12.0, 10_000).collect();
        let mut got = xs.clone();
        kernels::gelu(&mut got);
        for (x, g) in xs.iter().zip(&got) {
            let x = *x as f64;
            let want = 0.5 * x * (1.0 + erf_f64(x / std::f64::consts::SQRT_2));
            assert!(
                (*g as f64 - want).abs() < 1e-6 * (1.0 + x.abs()),
                "gelu({x}) = {g}, want {want}"
            );
        }
        assert_eq!(got[0], -0.0 * 12.0, "far negative inputs give 0");
    }

    #[test]
    fn softmax_matches_f64_and_sums_to_one() {
        let row: Vec<f32> = (0..77)
            .map(|i| ((i * 37 % 23) as f32 - 11.0) * 1.7)
            .collect();
        let mut got = row.clone();
        kernels::softmax(&mut got);
        let max = row.iter().cloned().fold(f32::MIN, f32::max) as f64;
        let denom: f64 = row.iter().map(|&x| (x as f64 - max).exp()).sum();
        for (x, g) in row.iter().zip(&got) {
            let want = (*x as f64 - max).exp() / denom;
            assert!((*g as f64 - want).abs() < 1e-6, "{g} vs {want}");
        }
        assert!((got.iter().sum::<f32>() - 1.0).abs() < 1e-5);
        let mut one = vec![3.5f32];
        kernels::softmax(&mut one);
        assert_eq!(one, [1.0]);
    }

    #[test]
    fn layer_norm_matches_f64() {
        let row: Vec<f32> = (0..super::H)
            .map(|i| (i as f32 * 0.37).sin() * 4.0 + 1.0)
            .collect();
        let gamma: Vec<f32> = (0..super::H).map(|i| 1.0 + i as f32 / 1000.0).collect();
        let beta: Vec<f32> = (0..super::H).map(|i| i as f32 / 500.0 - 0.3).collect();
        let mut got = row.clone();
        kernels::layer_norm(&mut got, &gamma, &beta);
        let n = row.len() as f64;
        let mean = row.iter().map(|&x| x as f64).sum::<f64>() / n;
        let var = row.iter().map(|&x| (x as f64 - mean).powi(2)).sum::<f64>() / n;
        for i in 0..row.len() {
            let want =
                (row[i] as f64 - mean) / (var + 1e-12).sqrt() * gamma[i] as f64 + beta[i] as f64;
            assert!(
                (got[i] as f64 - want).abs() < 1e-5,
                "{i}: {} vs {want}",
                got[i]
            );
        }
    }
}
