//! Compact vectors: one sign bit per dimension of each vector's offset from its segment's
//! centroid, plus one float, and the popcount kernel that estimates a query's cosine with
//! every stored vector from them.
//!
//! A 384-dim vector becomes 48 bytes of bits and a 4-byte factor (1,536 bytes as `f32`), so
//! a search reads 1/30 of the vector bytes to rank everything, then re-scores a shortlist
//! with the exact vectors. The estimator is RaBitQ's (Gao & Long, SIGMOD 2024) without its
//! random rotation: with `r = d − c` (the vector minus the segment centroid) and `s = sign(r)`
//! as ±1s,
//!
//! ```text
//! q·d = q·c + q·r  ≈  q·c + (‖r‖² / ‖r‖₁) · q·s
//! ```
//!
//! (`r` projected on the unit vector `s/√D`, rescaled so the estimate is unbiased; exact when
//! every `|rᵢ|` is equal). `q·s = 2·Σ{sᵢ=+1} qᵢ − Σ qᵢ`, and with the query quantised to
//! [`QUERY_BITS`] bits per dimension (bit planes `Q_b`), the sum over set bits is
//! `lo·popcount(bits) + Δ·Σ_b 2^b·popcount(Q_b & bits)`: AND and popcount only.
//!
//! The kernel is compiled several times for the instruction sets that matter (AVX-512 with
//! `VPOPCNTQ`, AVX2, plain `POPCNT`, and portable code) and picked once at run time by CPU
//! detection, as ggml and gemm pick theirs. The source is the same for all: the compiler
//! vectorises the popcounts where the instruction set allows.

/// Bits per dimension of a prepared query (bit planes). 4 bits, as RaBitQ uses; the sign
/// code's own error dominates.
pub const QUERY_BITS: usize = 4;

/// Words of 64 bits per vector code.
pub fn words(dims: usize) -> usize {
    dims.div_ceil(64)
}

/// The mean of `vectors` (each `dims` long); zeros for none.
pub fn centroid<'a>(dims: usize, vectors: impl Iterator<Item = &'a [f32]>) -> Vec<f32> {
    let mut sum = vec![0f64; dims];
    let mut n = 0usize;
    for v in vectors {
        for (s, x) in sum.iter_mut().zip(v) {
            *s += f64::from(*x);
        }
        n += 1;
    }
    sum.iter()
        .map(|s| if n == 0 { 0.0 } else { (s / n as f64) as f32 })
        .collect()
}

/// The sign bits of `v − centroid` (written to `bits`, [`words`] long) and the vector's
/// factor `‖r‖² / ‖r‖₁` (0 for a vector equal to the centroid).
pub fn encode(v: &[f32], centroid: &[f32], bits: &mut [u64]) -> f32 {
    bits.iter_mut().for_each(|w| *w = 0);
    let (mut l1, mut l2) = (0f64, 0f64);
    for (i, (x, c)) in v.iter().zip(centroid).enumerate() {
        let r = x - c;
        if r > 0.0 {
            bits[i / 64] |= 1 << (i % 64);
        }
        l1 += f64::from(r.abs());
        l2 += f64::from(r) * f64::from(r);
    }
    if l1 == 0.0 {
        0.0
    } else {
        (l2 / l1) as f32
    }
}

/// A query prepared for one segment's codes: quantised into bit planes, with its dot product
/// with that segment's centroid.
#[derive(Debug, Clone)]
pub struct PreparedQuery {
    /// `planes[k·QUERY_BITS + b]`: bit plane `b` of word `k`.
    planes: Vec<u64>,
    /// Value of quantisation level 0.
    lo: f32,
    /// Step between levels.
    delta: f32,
    /// `q·c`.
    qc: f32,
    /// `Σ qᵢ`.
    sum: f32,
}

impl PreparedQuery {
    /// Prepares `query` for codes made against `centroid`.
    pub fn new(query: &[f32], centroid: &[f32]) -> PreparedQuery {
        let w = words(query.len());
        let lo = query.iter().copied().fold(f32::INFINITY, f32::min);
        let hi = query.iter().copied().fold(f32::NEG_INFINITY, f32::max);
        let levels = ((1 << QUERY_BITS) - 1) as f32;
        let delta = if hi > lo { (hi - lo) / levels } else { 1.0 };
        let mut planes = vec![0u64; w * QUERY_BITS];
        for (i, x) in query.iter().enumerate() {
            let level = (((x - lo) / delta).round() as u32).min(levels as u32);
            for b in 0..QUERY_BITS {
                if level >> b & 1 == 1 {
                    planes[(i / 64) * QUERY_BITS + b] |= 1 << (i % 64);
                }
            }
        }
        PreparedQuery {
            planes,
            lo,
            delta,
            qc: query.iter().zip(centroid).map(|(q, c)| q * c).sum(),
            sum: query.iter().sum(),
        }
    }

    /// The estimate of `q·d` from `popcount(bits)` and `Σ_b 2^b·popcount(Q_b & bits)`.
    #[inline(always)]
    fn estimate(&self, factor: f32, ones: u32, weighted: u32) -> f32 {
        let set_sum = self.lo * ones as f32 + self.delta * weighted as f32;
        self.qc + factor * (2.0 * set_sum - self.sum)
    }
}

/// The per-vector popcounts: `(popcount(bits), Σ_b 2^b·popcount(Q_b & bits))`.
#[inline(always)]
fn counts<const W: usize>(code: &[u64], planes: &[u64]) -> (u32, u32) {
    let (mut ones, mut weighted) = (0u32, 0u32);
    for k in 0..W {
        let x = code[k];
        ones += x.count_ones();
        for b in 0..QUERY_BITS {
            weighted += (x & planes[k * QUERY_BITS + b]).count_ones() << b;
        }
    }
    (ones, weighted)
}

/// Estimates for every code of `codes` (`W` words each) into `out`.
#[inline(always)]
fn scan_body<const W: usize>(q: &PreparedQuery, codes: &[u64], factors: &[f32], out: &mut [f32]) {
    let planes = &q.planes[..W * QUERY_BITS];
    for ((code, f), o) in codes.chunks_exact(W).zip(factors).zip(out.iter_mut()) {
        let (ones, weighted) = counts::<W>(code, planes);
        *o = q.estimate(*f, ones, weighted);
    }
}

/// Any word count (dims other than 384): the same sums, not unrolled.
fn scan_any(q: &PreparedQuery, w: usize, codes: &[u64], factors: &[f32], out: &mut [f32]) {
    for ((code, f), o) in codes.chunks_exact(w).zip(factors).zip(out.iter_mut()) {
        let (mut ones, mut weighted) = (0u32, 0u32);
        for (k, x) in code.iter().enumerate() {
            ones += x.count_ones();
            for b in 0..QUERY_BITS {
                weighted += (x & q.planes[k * QUERY_BITS + b]).count_ones() << b;
            }
        }
        *o = q.estimate(*f, ones, weighted);
    }
}

/// The instruction set a scan runs with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kernel {
    /// Portable code (the compiler's popcount without a popcount instruction).
    Scalar,
    /// x86-64 `POPCNT`.
    Popcnt,
    /// x86-64 AVX2 (popcounts vectorised with byte shuffles).
    Avx2,
    /// x86-64 AVX-512 with `VPOPCNTQ`.
    Avx512,
}

impl Kernel {
    /// The best kernel this CPU runs, detected once.
    pub fn detect() -> Kernel {
        static BEST: std::sync::OnceLock<Kernel> = std::sync::OnceLock::new();
        *BEST.get_or_init(|| {
            #[cfg(target_arch = "x86_64")]
            {
                if std::arch::is_x86_feature_detected!("avx512f")
                    && std::arch::is_x86_feature_detected!("avx512bw")
                    && std::arch::is_x86_feature_detected!("avx512vl")
                    && std::arch::is_x86_feature_detected!("avx512vpopcntdq")
                    && std::arch::is_x86_feature_detected!("popcnt")
                {
                    return Kernel::Avx512;
                }
                if std::arch::is_x86_feature_detected!("avx2")
                    && std::arch::is_x86_feature_detected!("popcnt")
                {
                    return Kernel::Avx2;
                }
                if std::arch::is_x86_feature_detected!("popcnt") {
                    return Kernel::Popcnt;
                }
            }
            Kernel::Scalar
        })
    }

    /// Whether this CPU runs the kernel.
    pub fn available(self) -> bool {
        match self {
            Kernel::Scalar => true,
            Kernel::Popcnt => matches!(
                Kernel::detect(),
                Kernel::Popcnt | Kernel::Avx2 | Kernel::Avx512
            ),
            Kernel::Avx2 => matches!(Kernel::detect(), Kernel::Avx2 | Kernel::Avx512),
            Kernel::Avx512 => Kernel::detect() == Kernel::Avx512,
        }
    }
}

#[cfg(target_arch = "x86_64")]
mod x86 {
    use super::{scan_body, PreparedQuery};

    #[target_feature(enable = "popcnt")]
    pub(super) fn popcnt6(q: &PreparedQuery, codes: &[u64], factors: &[f32], out: &mut [f32]) {
        scan_body::<6>(q, codes, factors, out)
    }

    #[target_feature(enable = "avx2,popcnt")]
    pub(super) fn avx2_6(q: &PreparedQuery, codes: &[u64], factors: &[f32], out: &mut [f32]) {
        scan_body::<6>(q, codes, factors, out)
    }

    #[target_feature(enable = "avx512f,avx512bw,avx512vl,avx512vpopcntdq,popcnt")]
    pub(super) fn avx512_6(q: &PreparedQuery, codes: &[u64], factors: &[f32], out: &mut [f32]) {
        scan_body::<6>(q, codes, factors, out)
    }
}

/// Estimates `q·d` for every vector of a segment: `codes` holds `w` words per vector and
/// `factors` one float each; `out[i]` receives vector `i`'s estimate. `kernel` must be
/// [`Kernel::available`] (else the portable code runs).
pub fn scan(
    kernel: Kernel,
    q: &PreparedQuery,
    w: usize,
    codes: &[u64],
    factors: &[f32],
    out: &mut [f32],
) {
    debug_assert_eq!(codes.len(), factors.len() * w);
    if w != 6 {
        return scan_any(q, w, codes, factors, out);
    }
    #[cfg(target_arch = "x86_64")]
    if kernel.available() {
        // SAFETY: `available` checked at run time that the CPU has every feature the
        // function is compiled for.
        match kernel {
            Kernel::Avx512 => return unsafe { x86::avx512_6(q, codes, factors, out) },
            Kernel::Avx2 => return unsafe { x86::avx2_6(q, codes, factors, out) },
            Kernel::Popcnt => return unsafe { x86::popcnt6(q, codes, factors, out) },
            Kernel::Scalar => {}
        }
    }
    let _ = kernel;
    scan_body::<6>(q, codes, factors, out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Deterministic pseudo-random unit vectors around a common direction (as sentence
    /// embeddings are: every cosine is positive).
    fn vectors(n: usize, dims: usize, seed: u64) -> Vec<Vec<f32>> {
        let mut state = seed | 1;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state % 20_001) as f32 / 10_000.0 - 1.0
        };
        (0..n)
            .map(|_| {
                let mut v: Vec<f32> = (0..dims).map(|i| next() + 0.5 * (i % 3) as f32).collect();
                let norm = v.iter().map(|x| x * x).sum::<f32>().sqrt();
                v.iter_mut().for_each(|x| *x /= norm);
                v
            })
            .collect()
    }

    fn dot(a: &[f32], b: &[f32]) -> f32 {
        a.iter().zip(b).map(|(x, y)| x * y).sum()
    }

    #[test]
    fn a_vector_with_equal_offsets_is_estimated_exactly() {
        let c = vec![0.1f32; 8];
        let v: Vec<f32> = [0.3, -0.1, 0.3, 0.3, -0.1, -0.1, 0.3, 0.3].to_vec();
        let mut bits = [0u64; 1];
        let f = encode(&v, &c, &mut bits);
        assert_eq!(bits[0], 0b1100_1101);
        assert!((f - 0.2).abs() < 1e-6, "{f}");
        // A query on the quantisation grid (0 and 1 only) loses nothing to quantisation.
        let q = [1.0, 0.0, 0.0, 1.0, 1.0, 0.0, 1.0, 0.0];
        let p = PreparedQuery::new(&q, &c);
        let mut out = [0f32; 1];
        scan(Kernel::Scalar, &p, 1, &bits, &[f], &mut out);
        assert!(
            (out[0] - dot(&q, &v)).abs() < 1e-5,
            "{} vs {}",
            out[0],
            dot(&q, &v)
        );
    }

    /// The centroid, words per code, codes and factors of `data`.
    fn encoded(data: &[Vec<f32>], dims: usize) -> (Vec<f32>, usize, Vec<u64>, Vec<f32>) {
        let c = centroid(dims, data.iter().map(Vec::as_slice));
        let w = words(dims);
        let mut codes = vec![0u64; data.len() * w];
        let factors: Vec<f32> = data
            .iter()
            .zip(codes.chunks_exact_mut(w))
            .map(|(v, bits)| encode(v, &c, bits))
            .collect();
        (c, w, codes, factors)
    }

    #[test]
    fn estimates_track_the_exact_dot_product() {
        let dims = 384;
        let data = vectors(2000, dims, 7);
        let (c, w, codes, factors) = encoded(&data, dims);
        let q = &vectors(1, dims, 99)[0];
        let p = PreparedQuery::new(q, &c);
        let mut est = vec![0f32; data.len()];
        scan(Kernel::Scalar, &p, w, &codes, &factors, &mut est);
        let exact: Vec<f32> = data.iter().map(|v| dot(q, v)).collect();
        // Pearson correlation of estimate and truth.
        let n = exact.len() as f32;
        let (me, mx) = (est.iter().sum::<f32>() / n, exact.iter().sum::<f32>() / n);
        let cov: f32 = est
            .iter()
            .zip(&exact)
            .map(|(a, b)| (a - me) * (b - mx))
            .sum();
        let va: f32 = est.iter().map(|a| (a - me) * (a - me)).sum();
        let vb: f32 = exact.iter().map(|b| (b - mx) * (b - mx)).sum();
        let r = cov / (va.sqrt() * vb.sqrt());
        assert!(r > 0.75, "correlation {r}");
        // The best exact match is within the top 5 % of estimates.
        let best = (0..data.len())
            .max_by(|&a, &b| exact[a].total_cmp(&exact[b]))
            .unwrap();
        let above = est.iter().filter(|e| **e > est[best]).count();
        assert!(above < data.len() / 20, "{above} estimates above the best");
    }

    #[test]
    fn every_available_kernel_gives_the_portable_result() {
        let dims = 384;
        let data = vectors(300, dims, 3);
        let (c, w, codes, factors) = encoded(&data, dims);
        let p = PreparedQuery::new(&vectors(1, dims, 5)[0], &c);
        let mut want = vec![0f32; data.len()];
        scan_any(&p, w, &codes, &factors, &mut want);
        for kernel in [Kernel::Scalar, Kernel::Popcnt, Kernel::Avx2, Kernel::Avx512] {
            if !kernel.available() {
                eprintln!("{kernel:?}: not on this CPU");
                continue;
            }
            let mut got = vec![0f32; data.len()];
            scan(kernel, &p, w, &codes, &factors, &mut got);
            assert_eq!(got, want, "{kernel:?}");
        }
    }
}
