//! Element-wise kernels (GELU, softmax, layer norm, and the dot products of the small-batch
//! path), written branch-free so the compiler vectorises them, and compiled a second time for
//! AVX2+FMA, chosen at run time.

/// `x · Φ(x)` with the exact (erf) form, in place.
pub(crate) fn gelu(xs: &mut [f32]) {
    #[cfg(target_arch = "x86_64")]
    if fma() {
        // SAFETY: the CPU has AVX2 and FMA (checked just above).
        return unsafe { gelu_fma(xs) };
    }
    gelu_impl::<false>(xs)
}

/// Softmax of one row, in place.
pub(crate) fn softmax(xs: &mut [f32]) {
    #[cfg(target_arch = "x86_64")]
    if fma() {
        // SAFETY: the CPU has AVX2 and FMA.
        return unsafe { softmax_fma(xs) };
    }
    softmax_impl::<false>(xs)
}

/// `out[r] = x[r]·w` for each of the `out.len()` rows of `x` (rows of `w.len()` values).
pub(crate) fn dots(x: &[f32], width: usize, w: &[f32], out: &mut [f32]) {
    #[cfg(target_arch = "x86_64")]
    if fma() {
        // SAFETY: the CPU has AVX2 and FMA.
        return unsafe { dots_fma(x, width, w, out) };
    }
    dots_impl::<false>(x, width, w, out)
}

/// Layer norm of one row with the model's ε, in place.
pub(crate) fn layer_norm(xs: &mut [f32], gamma: &[f32], beta: &[f32]) {
    #[cfg(target_arch = "x86_64")]
    if fma() {
        // SAFETY: the CPU has AVX2 and FMA.
        return unsafe { layer_norm_fma(xs, gamma, beta) };
    }
    layer_norm_impl::<false>(xs, gamma, beta)
}

/// Whether the CPU has AVX2 and FMA (checked once).
#[cfg(target_arch = "x86_64")]
pub(crate) fn fma() -> bool {
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
pub(crate) fn exp<const FMA: bool>(x: f32) -> f32 {
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
pub(crate) fn erf<const FMA: bool>(x: f32) -> f32 {
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

/// `max |x|` over `xs` (0 for none).
#[inline(always)]
pub(crate) fn abs_max(xs: &[f32]) -> f32 {
    let mut acc = [0f32; LANES];
    let chunks = xs.chunks_exact(LANES);
    let rest = chunks.remainder();
    for c in chunks {
        for i in 0..LANES {
            let a = c[i].abs();
            acc[i] = if a > acc[i] { a } else { acc[i] };
        }
    }
    acc.iter()
        .chain(rest)
        .fold(0f32, |m, &x| if x.abs() > m { x.abs() } else { m })
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
    let inv = 1.0 / (var + crate::LN_EPS).sqrt();
    for ((x, g), b) in xs.iter_mut().zip(gamma).zip(beta) {
        *x = madd::<FMA>((*x - mean) * inv, *g, *b);
    }
}

#[cfg(test)]
mod tests {
    use super as kernels;
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
        let row: Vec<f32> = (0..crate::H)
            .map(|i| (i as f32 * 0.37).sin() * 4.0 + 1.0)
            .collect();
        let gamma: Vec<f32> = (0..crate::H).map(|i| 1.0 + i as f32 / 1000.0).collect();
        let beta: Vec<f32> = (0..crate::H).map(|i| i as f32 / 500.0 - 0.3).collect();
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
