use super::lanes::{Layout, Shape};
use super::*;

/// Deterministic values in [-1, 1) (a multiplicative hash; no RNG dependency).
fn values(n: usize, seed: u64) -> Vec<f32> {
    (0..n as u64)
        .map(|i| {
            let h = (i ^ seed.wrapping_mul(0x9e37_79b9_7f4a_7c15))
                .wrapping_mul(0xbf58_476d_1ce4_e5b9)
                .rotate_left(31)
                .wrapping_mul(0x94d0_49bb_1331_11eb);
            (h >> 40) as f32 / (1u64 << 23) as f32 - 1.0
        })
        .collect()
}

/// Every layout, emulated, and the hardware kernels this CPU has.
fn layouts() -> Vec<(Layout, Act)> {
    let mut all = Vec::new();
    for shape in [Shape::Pairs8, Shape::Pairs16, Shape::Quads16] {
        let act = if shape == Shape::Quads16 {
            Act::I8
        } else {
            Act::I16
        };
        all.push((
            Layout {
                shape,
                emulate: true,
            },
            act,
        ));
        if shape != Shape::Quads16 {
            all.push((
                Layout {
                    shape,
                    emulate: true,
                },
                Act::I8,
            ));
        }
    }
    for isa in [Isa::Avx2, Isa::Avx512Vnni] {
        if isa.supported() {
            for act in [Act::I8, Act::I16] {
                all.push((Layout::for_isa(isa, act), act));
            }
        }
    }
    all
}

/// `out0 + x·Wᵀ` in f64 from the quantised codes themselves: what the kernels must compute
/// up to the rounding of their fp32 epilogue.
fn reference_from_codes(
    q: &QLinear,
    x: &[f32],
    rows: usize,
    w: &[f32],
    out0: &[f32],
    stride: usize,
    col: usize,
) -> Vec<f64> {
    let (n, k) = (q.n, q.k);
    let lim = q.act.limit(k);
    let mut want: Vec<f64> = out0.iter().map(|&v| v as f64).collect();
    for r in 0..rows {
        let row = &x[r * k..][..k];
        let max = row.iter().fold(0f32, |m, v| m.max(v.abs()));
        // The same f32 steps as the kernels' quantisation.
        let (sa, inv) = if max == 0.0 {
            (0.0, 0.0)
        } else {
            (max / lim, lim / max)
        };
        for j in 0..n {
            let inv_w = 1.0 / q.scales[j];
            let mut acc = 0i64;
            for c in 0..k {
                let qa = (x[r * k + c] * inv).round_ties_even().clamp(-lim, lim) as i64;
                let qw = (w[j * k + c] * inv_w)
                    .round_ties_even()
                    .clamp(-127.0, 127.0) as i64;
                acc += qa * qw;
            }
            want[r * stride + col + j] += sa as f64 * q.scales[j] as f64 * acc as f64;
        }
    }
    want
}

/// Each layout equals the product of its own codes (so packing, tiling, tails, the offset
/// correction and the epilogue are right), on shapes that exercise every tile tail, more
/// than one row block, split columns and a column block of a wider matrix.
#[test]
fn kernels_compute_the_product_of_their_codes() {
    let (k, n) = (96, 96);
    let (stride, col) = (n + 13, 5);
    let w = values(n * k, 1);
    for (layout, act) in layouts() {
        let q = QLinear::with_layout(&w, n, k, act, layout);
        for rows in [1, 2, 5, 6, 7, 8, 9, 15, 17, 100, 203] {
            let mut x = values(rows * k, rows as u64 + 7);
            // A row of zeros and a row with one outlier.
            x[..k].fill(0.0);
            if rows > 2 {
                x[k + 3] = 40.0;
            }
            let out0 = values(rows * stride, 99);
            let mut out = out0.clone();
            q.matmul_acc(&x, rows, &mut out[col..], stride);
            let want = reference_from_codes(&q, &x, rows, &w, &out0, stride, col);
            for (i, (&got, &want)) in out.iter().zip(&want).enumerate() {
                assert!(
                    (got as f64 - want).abs() <= 2e-6 * (1.0 + want.abs()),
                    "{layout:?} {act:?} rows {rows}, cell {i}: {got} vs {want}"
                );
            }
        }
    }
}

/// The hardware kernels give bit for bit what their emulation gives (the sums are exact
/// and the epilogue is the same fused multiply-add).
#[test]
fn hardware_kernels_equal_their_emulation() {
    let (k, n, rows) = (384, 192, 77);
    let w = values(n * k, 3);
    let x = values(rows * k, 4);
    for isa in [Isa::Avx2, Isa::Avx512Vnni] {
        if !isa.supported() {
            eprintln!("{isa:?} is not on this CPU; its emulation is tested instead");
            continue;
        }
        for act in [Act::I8, Act::I16] {
            let hw = Layout::for_isa(isa, act);
            let emu = Layout {
                emulate: true,
                ..hw
            };
            let mut a = vec![0.5f32; rows * n];
            let mut b = a.clone();
            QLinear::with_layout(&w, n, k, act, hw).matmul_acc(&x, rows, &mut a, n);
            QLinear::with_layout(&w, n, k, act, emu).matmul_acc(&x, rows, &mut b, n);
            assert_eq!(a, b, "{isa:?} {act:?}");
        }
    }
}

/// Against the fp32 product: the relative error of the whole matrix is what 8-bit weights
/// and 8- or 16-bit activations allow (about 0.4 % per side for uniform values).
#[test]
fn int8_product_is_close_to_fp32() {
    let (k, n, rows) = (384, 96, 40);
    let w = values(n * k, 5);
    let x = values(rows * k, 6);
    let mut exact = vec![0f64; rows * n];
    for r in 0..rows {
        for j in 0..n {
            exact[r * n + j] = (0..k)
                .map(|c| x[r * k + c] as f64 * w[j * k + c] as f64)
                .sum();
        }
    }
    let norm: f64 = exact.iter().map(|v| v * v).sum::<f64>().sqrt();
    for (act, bound) in [(Act::I8, 0.01), (Act::I16, 0.006)] {
        let mut out = vec![0f32; rows * n];
        QLinear::new(&w, n, k, act, Isa::detect()).matmul_acc(&x, rows, &mut out, n);
        let err: f64 = out
            .iter()
            .zip(&exact)
            .map(|(&a, b)| (a as f64 - b).powi(2))
            .sum::<f64>()
            .sqrt();
        assert!(err / norm < bound, "{act:?}: relative error {}", err / norm);
        assert!(err / norm > 1e-5, "{act:?}: no quantisation error at all?");
    }
}

/// 16-bit codes on a 1,536-wide input are capped so the i32 sum cannot overflow.
#[test]
fn sixteen_bit_codes_cannot_overflow_the_sum() {
    assert_eq!(Act::I16.limit(384), 32767.0);
    let lim = Act::I16.limit(1536) as i64;
    assert!(lim * 127 * 1536 <= i32::MAX as i64);
    // Every value at its row's maximum: the largest sum there can be.
    let (k, n, rows) = (1536, 48, 2);
    let w = vec![1.0f32; n * k];
    let x = vec![-1.0f32; rows * k];
    for (layout, act) in layouts() {
        let mut out = vec![0f32; rows * n];
        QLinear::with_layout(&w, n, k, act, layout).matmul_acc(&x, rows, &mut out, n);
        assert!(
            out.iter().all(|&v| (v + 1536.0).abs() < 0.01),
            "{layout:?} {act:?}: {:?}",
            &out[..4]
        );
    }
}

/// Detection picks the widest kernels the CPU reports, and never one it cannot run.
#[test]
fn detection_picks_what_the_cpu_has() {
    let isa = Isa::detect();
    assert!(isa.supported());
    #[cfg(target_arch = "x86_64")]
    {
        let vnni = std::is_x86_feature_detected!("avx512f")
            && std::is_x86_feature_detected!("avx512bw")
            && std::is_x86_feature_detected!("avx512vnni");
        let avx2 = std::is_x86_feature_detected!("avx2") && std::is_x86_feature_detected!("fma");
        let want = if vnni {
            Isa::Avx512Vnni
        } else if avx2 {
            Isa::Avx2
        } else {
            Isa::Scalar
        };
        assert_eq!(isa, want);
        assert_eq!(Isa::Avx2.supported(), avx2);
        assert_eq!(Isa::Avx512Vnni.supported(), vnni);
    }
    assert!(Isa::Scalar.supported());
}
