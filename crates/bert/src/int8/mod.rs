//! Integer matrix products for the linear layers: weights quantised to int8 once, per output
//! channel; activations quantised per row as they arrive; exact int32 accumulation; the
//! scales applied in an fp32 epilogue that adds the product onto the destination (which
//! already holds the bias and the residual, as in the fp32 path).
//!
//! For a linear layer `y = x·Wᵀ` with `W` of shape `(n, k)`:
//! * `sw[j] = max|W[j,:]| / 127` and `qw[j,c] = round(W[j,c] / sw[j])` (per output channel);
//! * per row `r` of `x`, `sa[r] = max|x[r,:]| / L` and `qa[r,c] = round(x[r,c] / sa[r])`,
//!   with `L = 127` ([`Act::I8`]) or `32767` ([`Act::I16`], for the layers whose inputs have
//!   outlier channels that one 8-bit scale per row cannot hold: see [`crate::Plan`]);
//! * `y[r,j] ≈ sa[r]·sw[j]·Σ_c qa[r,c]·qw[j,c]`, the sum exact in i32.
//!
//! The sum is exact, so every instruction set computes the same integers and, with the
//! same fused epilogue, the same floats: the AVX2 path is the reference for the AVX-512
//! ones, and a scalar emulation of each vector layout ([`lanes::Emu`]) runs in the tests on
//! any CPU. Vector layouts ([`lanes`]):
//! * AVX-512 VNNI, 8-bit activations: `vpdpbusd`, u8 × i8 in groups of 4 (64 multiply-adds
//!   per instruction). Activations are stored as `qa + 128` (unsigned); the `128·Σ_c qw[j,c]`
//!   this adds is subtracted per column before the epilogue.
//! * AVX-512 VNNI, 16-bit activations: `vpdpwssd`, i16 × i16 in pairs (32 per instruction).
//! * AVX2: `vpmaddwd` + `vpaddd`, i16 × i16 in pairs (16 per pair of instructions), for both
//!   activation widths. `vpmaddubsw` (u8 × i8) would be faster but saturates its i16 pair
//!   sums at 8 bits on both sides; 7-bit weights or activations to avoid that cost too much
//!   accuracy (mean cosine 0.994–0.996 to fp32 here, against 0.9988 with this scheme).
//! * Scalar: the AVX2 layout, emulated.
//!
//! Packing is per instruction set: weights are laid out in panels of `NV·N` output columns
//! (N lanes of a vector, NV vectors per tile), each panel holding, for each group of `K`
//! input values, the `K` weights of each column side by side, so one vector load feeds `N`
//! columns and one 32-bit broadcast of an activation row feeds all of them.

mod lanes;

use lanes::Layout;
use rayon::prelude::*;

/// Which integer kernels run: chosen once by [`Isa::detect`], or forced for tests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Isa {
    /// Portable code, the AVX2 layout emulated lane by lane.
    Scalar,
    /// AVX2 (`vpmaddwd`): i16 × i16 for every layer.
    Avx2,
    /// AVX-512 with VNNI (`vpdpbusd`, `vpdpwssd`) and BW/VL.
    Avx512Vnni,
}

impl Isa {
    /// The fastest integer kernels this CPU runs.
    pub fn detect() -> Isa {
        #[cfg(target_arch = "x86_64")]
        {
            if std::is_x86_feature_detected!("avx512f")
                && std::is_x86_feature_detected!("avx512bw")
                && std::is_x86_feature_detected!("avx512vnni")
            {
                return Isa::Avx512Vnni;
            }
            if std::is_x86_feature_detected!("avx2") && std::is_x86_feature_detected!("fma") {
                return Isa::Avx2;
            }
        }
        Isa::Scalar
    }

    /// Whether this CPU can run `self` (the scalar kernels run everywhere).
    pub fn supported(self) -> bool {
        match self {
            Isa::Scalar => true,
            #[cfg(target_arch = "x86_64")]
            Isa::Avx2 => {
                std::is_x86_feature_detected!("avx2") && std::is_x86_feature_detected!("fma")
            }
            #[cfg(target_arch = "x86_64")]
            Isa::Avx512Vnni => {
                std::is_x86_feature_detected!("avx512f")
                    && std::is_x86_feature_detected!("avx512bw")
                    && std::is_x86_feature_detected!("avx512vnni")
            }
            #[cfg(not(target_arch = "x86_64"))]
            _ => false,
        }
    }

    /// Whether integer products beat gemm's fp32 on this instruction set: the scalar
    /// emulation is for tests and forced comparisons, never chosen by default.
    pub fn is_fast(self) -> bool {
        self != Isa::Scalar
    }
}

/// Width of a layer's quantised activations.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Act {
    /// 8 bits, `[-127, 127]` per row.
    I8,
    /// 16 bits, `[-32767, 32767]` per row.
    I16,
}

impl Act {
    /// The largest code of a row `k` wide: 127, or for 16 bits 32767 as long as `k` codes
    /// times weights of 127 cannot overflow the i32 sum (k ≤ 516), fewer beyond.
    fn limit(self, k: usize) -> f32 {
        match self {
            Act::I8 => 127.0,
            Act::I16 => (i32::MAX as usize / (127 * k.max(1))).min(32767) as f32,
        }
    }
}

/// A linear layer's weight, quantised per output channel and packed for one vector layout.
pub(crate) struct QLinear {
    n: usize,
    k: usize,
    act: Act,
    layout: Layout,
    /// `sw[j]`, per output column.
    scales: Vec<f32>,
    /// Subtracted from each column's sum: `128·Σ_c qw[j,c]` for unsigned (offset)
    /// activations, else 0.
    fix: Vec<i32>,
    /// Packed weights, i8 or i16 by layout.
    data: Vec<u8>,
}

/// Rows of one parallel task (a multiple of every layout's tile height).
const ROW_BLOCK: usize = 96;

impl QLinear {
    /// Quantises `w` (`(n, k)` row-major, as a checkpoint stores a linear layer) for `isa`,
    /// with activations of width `act`.
    pub(crate) fn new(w: &[f32], n: usize, k: usize, act: Act, isa: Isa) -> QLinear {
        QLinear::with_layout(w, n, k, act, Layout::for_isa(isa, act))
    }

    fn with_layout(w: &[f32], n: usize, k: usize, act: Act, layout: Layout) -> QLinear {
        assert_eq!(w.len(), n * k);
        assert!(
            n.is_multiple_of(layout.cols_per_tile()) && k.is_multiple_of(layout.k_group()),
            "({n}, {k}) does not tile"
        );
        let mut scales = vec![0f32; n];
        let mut q = vec![0i8; n * k];
        let mut fix = vec![0i32; n];
        for (j, (row, qrow)) in w.chunks_exact(k).zip(q.chunks_exact_mut(k)).enumerate() {
            let max = row.iter().fold(0f32, |m, x| m.max(x.abs()));
            let s = if max > 0.0 { max / 127.0 } else { 1.0 };
            scales[j] = s;
            let inv = 1.0 / s;
            for (qv, &x) in qrow.iter_mut().zip(row) {
                *qv = (x * inv).round_ties_even().clamp(-127.0, 127.0) as i8;
            }
            if layout.offset_activations() {
                fix[j] = 128 * qrow.iter().map(|&v| v as i32).sum::<i32>();
            }
        }
        let data = layout.pack_weights(&q, n, k);
        QLinear {
            n,
            k,
            act,
            layout,
            scales,
            fix,
            data,
        }
    }

    /// `out += x·Wᵀ`, as `crate::matmul_acc`: `x` is `(rows, k)` row-major; `out` starts
    /// at the first of the `n` columns to write and its rows are `out_stride` apart.
    pub(crate) fn matmul_acc(&self, x: &[f32], rows: usize, out: &mut [f32], out_stride: usize) {
        let (n, k) = (self.n, self.k);
        assert_eq!(x.len(), rows * k);
        assert!(n <= out_stride);
        assert!(rows == 0 || out.len() >= (rows - 1) * out_stride + n);
        if rows == 0 {
            return;
        }
        let a_bytes = self.layout.a_bytes();
        let mut qa = vec![0u8; rows * k * a_bytes];
        let mut sa = vec![0f32; rows];
        quantise_rows(x, k, self.act.limit(k), self.layout, &mut qa, &mut sa);

        let tile_cols = self.layout.cols_per_tile();
        let tiles = n / tile_cols;
        let row_blocks = rows.div_ceil(ROW_BLOCK);
        // Enough tasks to keep every thread busy: split the columns too when the rows alone
        // give fewer than four tasks a thread.
        let want = 4 * rayon::current_num_threads();
        let col_chunks = want.div_ceil(row_blocks).clamp(1, tiles);
        let tiles_per_chunk = tiles.div_ceil(col_chunks);
        let dst = SharedOut(out.as_mut_ptr(), out.len());
        let task = |(rb, cc): (usize, usize)| {
            let r0 = rb * ROW_BLOCK;
            let r1 = (r0 + ROW_BLOCK).min(rows);
            let t0 = cc * tiles_per_chunk;
            let t1 = (t0 + tiles_per_chunk).min(tiles);
            if t0 >= t1 {
                return;
            }
            let job = lanes::Job {
                a: &qa[r0 * k * a_bytes..r1 * k * a_bytes],
                sa: &sa[r0..r1],
                rows: r1 - r0,
                k,
                w: &self.data,
                sw: &self.scales,
                fix: &self.fix,
                tiles: t0..t1,
                out: dst.ptr(),
                out_len: dst.len(),
                out_offset: r0 * out_stride,
                out_stride,
            };
            // SAFETY: `Job::run` writes rows r0..r1 of columns t0·tile_cols..t1·tile_cols of
            // `out` (bounds asserted above and in `run`); tasks get disjoint (row block,
            // column range) pairs, so no two write the same cell.
            unsafe { self.layout.run(&job) };
        };
        let jobs: Vec<(usize, usize)> = (0..row_blocks)
            .flat_map(|rb| (0..col_chunks).map(move |cc| (rb, cc)))
            .collect();
        if jobs.len() > 1 && rayon::current_num_threads() > 1 {
            jobs.into_par_iter().for_each(task);
        } else {
            jobs.into_iter().for_each(task);
        }
    }
}

/// The destination of [`QLinear::matmul_acc`], written by parallel tasks, each in its own
/// cells.
#[derive(Clone, Copy)]
struct SharedOut(*mut f32, usize);
// SAFETY: tasks write disjoint cells (see `QLinear::matmul_acc`).
unsafe impl Send for SharedOut {}
unsafe impl Sync for SharedOut {}

impl SharedOut {
    /// Methods, so closures capture the whole (`Sync`) wrapper rather than its fields.
    fn ptr(self) -> *mut f32 {
        self.0
    }
    fn len(self) -> usize {
        self.1
    }
}

/// Quantises each row of `x` (`k` wide) into `qa` in `layout`'s activation format, with
/// its scale in `sa`. Rows of zeros get scale 0 (their products are 0 whatever the codes).
fn quantise_rows(x: &[f32], k: usize, lim: f32, layout: Layout, qa: &mut [u8], sa: &mut [f32]) {
    let a_bytes = layout.a_bytes();
    let chunk_rows = 32;
    let rows = |(x, qa, sa): (&[f32], &mut [u8], &mut [f32])| {
        for ((row, q), s) in x
            .chunks_exact(k)
            .zip(qa.chunks_exact_mut(k * a_bytes))
            .zip(sa.iter_mut())
        {
            *s = quantise_row(row, lim, layout.offset_activations(), q);
        }
    };
    // Under a million values (about a millisecond) one thread does it: a parallel region
    // costs a wake-up of every thread, which on a busy machine can take longer.
    if x.len() < 1 << 20 {
        return rows((x, qa, sa));
    }
    x.par_chunks(chunk_rows * k)
        .zip(qa.par_chunks_mut(chunk_rows * k * a_bytes))
        .zip(sa.par_chunks_mut(chunk_rows))
        .for_each(|((x, qa), sa)| rows((x, qa, sa)));
}

/// One row: returns its scale; writes i16 codes (little-endian) or, with `offset`,
/// `code + 128` as u8.
fn quantise_row(row: &[f32], lim: f32, offset: bool, q: &mut [u8]) -> f32 {
    #[cfg(target_arch = "x86_64")]
    if crate::kernels::fma() {
        // SAFETY: the CPU has AVX2 and FMA.
        return unsafe { quantise_row_avx2(row, lim, offset, q) };
    }
    quantise_row_impl(row, lim, offset, q)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
unsafe fn quantise_row_avx2(row: &[f32], lim: f32, offset: bool, q: &mut [u8]) -> f32 {
    quantise_row_impl(row, lim, offset, q)
}

#[inline(always)]
fn quantise_row_impl(row: &[f32], lim: f32, offset: bool, q: &mut [u8]) -> f32 {
    let max = crate::kernels::abs_max(row);
    if max == 0.0 {
        q.fill(if offset { 128 } else { 0 });
        return 0.0;
    }
    let scale = max / lim;
    let inv = lim / max;
    if offset {
        for (q, &x) in q.iter_mut().zip(row) {
            // |x·inv| ≤ 127 up to rounding; the clamp keeps a rounding overshoot in range.
            *q = ((x * inv).round_ties_even().clamp(-127.0, 127.0) as i32 + 128) as u8;
        }
    } else {
        for (q, &x) in q.chunks_exact_mut(2).zip(row) {
            let v = (x * inv).round_ties_even().clamp(-lim, lim) as i16;
            q.copy_from_slice(&v.to_le_bytes());
        }
    }
    scale
}

#[cfg(test)]
mod tests;
