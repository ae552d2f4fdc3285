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

mod int8;

use int8::QLinear;
pub use int8::{Act, Isa};
use rayon::prelude::*;
use std::sync::OnceLock;

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

/// The arithmetic of the linear layers (Q/K/V, attention output, feed-forward up and
/// down) for batches of more than [`SMALL_ROWS`] word pieces. Softmax, layer norm, GELU,
/// residuals and pooling are fp32 either way, and so is every product of a batch of up to
/// [`SMALL_ROWS`] word pieces (a query): those are bound by reading the weights once, and
/// fp32 needs no quantised copy, so a search never waits for one to be made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Precision {
    /// fp32 through gemm: the reference, equal to `BertModel` to float rounding.
    Fp32,
    /// int8 weights (per output channel) times activations quantised per row to the widths
    /// of the [`Plan`], on the integer kernels of an instruction set ([`Isa`]).
    Int8(Isa, Plan),
}

impl Precision {
    /// int8 with the default plan where the CPU has fast integer kernels (AVX2 or AVX-512
    /// VNNI), else fp32.
    pub fn auto() -> Precision {
        match Isa::detect() {
            isa if isa.is_fast() => Precision::Int8(isa, Plan::DEFAULT),
            _ => Precision::Fp32,
        }
    }

    /// int8 with the default plan on the fastest kernels this CPU has (the scalar emulation
    /// where it has none).
    pub fn int8() -> Precision {
        Precision::Int8(Isa::detect(), Plan::DEFAULT)
    }
}

/// Activation width of each kind of linear layer under [`Precision::Int8`]; `None` keeps
/// that kind in fp32 (for measuring one kind's error alone).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Plan {
    /// Q, K and V (input: the previous layer's output, after layer norm).
    pub qkv: Option<Act>,
    /// Attention output projection (input: the attention context).
    pub attn_out: Option<Act>,
    /// Feed-forward up (input: the attention block's output, after layer norm).
    pub ff_in: Option<Act>,
    /// Feed-forward down (input: GELU of the up projection, 1,536 wide).
    pub ff_out: Option<Act>,
}

impl Plan {
    /// Chosen by each kind's error alone: mean cosine to fp32 over 100 + 100 bench passages
    /// (quantised and dequantised in fp32, the same codes as the kernels; `embed_probe
    /// layers` measures it with the kernels), one kind at 8-bit activations and the rest
    /// fp32: Q/K/V 0.9987, attention output 0.99999, feed-forward up 0.9997, down 0.9996
    /// (int8 weights alone, everywhere: 0.9995). All four at 8 bits: mean 0.9975, minimum
    /// 0.9959. The Q/K/V input is a
    /// layer norm's output, where MiniLM's few outlier channels set each row's scale and
    /// squeeze the rest into a handful of codes, so it gets 16 bits: mean 0.9988, minimum
    /// 0.9981. On AVX2 both widths run the same instructions; on AVX-512 VNNI 16 bits run
    /// at half the 8-bit rate, on a quarter of the multiply-adds.
    pub const DEFAULT: Plan = Plan {
        qkv: Some(Act::I16),
        attn_out: Some(Act::I8),
        ff_in: Some(Act::I8),
        ff_out: Some(Act::I8),
    };
    /// Every kind at 8-bit activations.
    pub const ALL_I8: Plan = Plan {
        qkv: Some(Act::I8),
        attn_out: Some(Act::I8),
        ff_in: Some(Act::I8),
        ff_out: Some(Act::I8),
    };
}

/// One layer's quantised linear weights (`None`: that kind stays fp32 under the plan).
struct QLayer {
    /// Q, K and V stacked: `(3·384, 384)`, written straight into the qkv matrix.
    qkv: Option<QLinear>,
    attn_out: Option<QLinear>,
    ff_in: Option<QLinear>,
    ff_out: Option<QLinear>,
}

/// The encoder: the checkpoint's values and where each tensor lies in them. Read-only after
/// [`PackedBert::load`] (and [`PackedBert::set_precision`]), so it is shared by reference
/// across threads.
pub struct PackedBert {
    arena: Arena,
    word: T,
    position: T,
    /// Token type 0's embedding; all-MiniLM-L6-v2 inputs are single segments.
    token_type0: T,
    emb_ln: LayerNorm,
    layers: Vec<Layer>,
    precision: Precision,
    /// The int8 weights, made on the first batch that needs them (about 20 ms), so that
    /// loading the model for a search costs nothing extra.
    quantised: OnceLock<Vec<QLayer>>,
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
            precision: Precision::Fp32,
            quantised: OnceLock::new(),
        })
    }

    /// The arithmetic of the linear layers in batches (fp32 after [`PackedBert::load`]).
    pub fn precision(&self) -> Precision {
        self.precision
    }

    /// Sets the arithmetic of the linear layers. An error when `precision` names integer
    /// kernels this CPU cannot run.
    pub fn set_precision(&mut self, precision: Precision) -> Result<(), String> {
        if let Precision::Int8(isa, _) = precision {
            if !isa.supported() {
                return Err(format!("this CPU cannot run the {isa:?} integer kernels"));
            }
        }
        self.precision = precision;
        self.quantised = OnceLock::new();
        Ok(())
    }

    /// The quantised layers when a batch of `rows` word pieces runs in int8.
    fn quantised(&self, rows: usize) -> Option<&[QLayer]> {
        let Precision::Int8(isa, plan) = self.precision else {
            return None;
        };
        if rows <= SMALL_ROWS {
            return None;
        }
        Some(self.quantised.get_or_init(|| {
            self.layers
                .par_iter()
                .map(|l| {
                    let q = |act: Option<Act>, w: &[f32], n, k| {
                        act.map(|act| QLinear::new(w, n, k, act, isa))
                    };
                    let qkv: Vec<f32> = [l.q_w, l.k_w, l.v_w]
                        .iter()
                        .flat_map(|&t| self.v(t))
                        .copied()
                        .collect();
                    QLayer {
                        qkv: q(plan.qkv, &qkv, 3 * H, H),
                        attn_out: q(plan.attn_out, self.v(l.attn_out_w), H, H),
                        ff_in: q(plan.ff_in, self.v(l.ff_in_w), FF, H),
                        ff_out: q(plan.ff_out, self.v(l.ff_out_w), H, FF),
                    }
                })
                .collect()
        }))
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
        let quantised = self.quantised(rows);
        for (l, layer) in self.layers.iter().enumerate() {
            let q = quantised.map(|q| &q[l]);
            // Self-attention: q, k and v side by side in one (rows, 3·384) matrix.
            seed(&mut qkv, &layer.qkv_b, false);
            if let Some(w) = q.and_then(|q| q.qkv.as_ref()) {
                w.matmul_acc(&x, rows, &mut qkv, 3 * H);
            } else {
                for (c, w) in [layer.q_w, layer.k_w, layer.v_w].into_iter().enumerate() {
                    matmul_acc(&x, rows, H, self.v(w), &mut qkv[c * H..], 3 * H);
                }
            }
            attention(&qkv, &starts, &mut ctx);
            // Output projection onto the residual (x), plus bias, then norm.
            seed(&mut x, self.v(layer.attn_out_b), true);
            let w = q.and_then(|q| q.attn_out.as_ref());
            self.linear(w, layer.attn_out_w, &ctx, rows, &mut x);
            self.layer_norm_rows(&mut x, &layer.attn_ln);
            // Feed-forward: x + GELU(x·W1ᵀ + b1)·W2ᵀ + b2, then norm.
            seed(&mut ff, self.v(layer.ff_in_b), false);
            self.linear(
                q.and_then(|q| q.ff_in.as_ref()),
                layer.ff_in_w,
                &x,
                rows,
                &mut ff,
            );
            par_rows(&mut ff, FF, kernels::gelu);
            seed(&mut x, self.v(layer.ff_out_b), true);
            self.linear(
                q.and_then(|q| q.ff_out.as_ref()),
                layer.ff_out_w,
                &ff,
                rows,
                &mut x,
            );
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

    /// `out += x·Wᵀ` for a whole `(rows, n)` matrix `out`: through the quantised weight
    /// when there is one, else through the fp32 weight `w`.
    fn linear(&self, q: Option<&QLinear>, w: T, x: &[f32], rows: usize, out: &mut [f32]) {
        let w = self.v(w);
        let (n, k) = (out.len() / rows.max(1), x.len() / rows.max(1));
        match q {
            Some(q) => q.matmul_acc(x, rows, out, n),
            None if rows > 0 => matmul_acc(x, rows, k, w, out, n),
            None => {}
        }
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
pub const SMALL_ROWS: usize = 24;

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

mod kernels;

#[cfg(test)]
mod tests {
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
}
