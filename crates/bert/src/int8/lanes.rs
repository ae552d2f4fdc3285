//! The integer microkernels: one generic tile loop ([`tile`]) over a small trait of vector
//! operations ([`Lanes`]), implemented with AVX2 and AVX-512 VNNI intrinsics and, for any
//! CPU and for the tests, by a scalar emulation of the same lanes ([`Emu`]).
//!
//! A tile is `R` rows × `NV` vectors of `N` output columns: `R·NV` i32 accumulators stay
//! in registers for the whole input dimension (AVX2: 6 × 2 of 16 ymm registers; AVX-512:
//! 8 × 3 of 32 zmm). Each step loads `NV` weight vectors (`K` consecutive inputs for each
//! of `N` columns) and broadcasts 4 bytes of each activation row (the same `K` inputs).
//! Because the loop is shared, the emulation checks the packing and indexing of every
//! layout on any CPU, leaving only the intrinsics' own arithmetic to the CPUs that have
//! them.

use super::{Act, Isa};
use std::ops::Range;

/// The shape of a vector layout: lanes per vector, inputs per lane, element widths and
/// the tile size.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Shape {
    /// 8 lanes × 2 i16 (AVX2 `vpmaddwd`).
    Pairs8,
    /// 16 lanes × 2 i16 (AVX-512 `vpdpwssd`).
    Pairs16,
    /// 16 lanes × 4 u8·i8 (AVX-512 `vpdpbusd`).
    Quads16,
}

/// A vector layout and whether its kernels run on the hardware or emulated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Layout {
    pub(crate) shape: Shape,
    pub(crate) emulate: bool,
}

impl Layout {
    pub(crate) fn for_isa(isa: Isa, act: Act) -> Layout {
        let (shape, emulate) = match isa {
            Isa::Scalar => (Shape::Pairs8, true),
            Isa::Avx2 => (Shape::Pairs8, false),
            Isa::Avx512Vnni if act == Act::I8 => (Shape::Quads16, false),
            Isa::Avx512Vnni => (Shape::Pairs16, false),
        };
        Layout { shape, emulate }
    }

    fn lanes(self) -> usize {
        match self.shape {
            Shape::Pairs8 => 8,
            Shape::Pairs16 | Shape::Quads16 => 16,
        }
    }

    /// Inputs per 32-bit lane.
    pub(crate) fn k_group(self) -> usize {
        match self.shape {
            Shape::Pairs8 | Shape::Pairs16 => 2,
            Shape::Quads16 => 4,
        }
    }

    fn vectors_per_tile(self) -> usize {
        match self.shape {
            Shape::Pairs8 => 2,
            Shape::Pairs16 | Shape::Quads16 => 3,
        }
    }

    pub(crate) fn cols_per_tile(self) -> usize {
        self.lanes() * self.vectors_per_tile()
    }

    /// Bytes per activation (and per weight) value.
    pub(crate) fn a_bytes(self) -> usize {
        4 / self.k_group()
    }

    /// Activations stored as `code + 128` in a u8 (`vpdpbusd` multiplies unsigned by signed).
    pub(crate) fn offset_activations(self) -> bool {
        self.shape == Shape::Quads16
    }

    /// Packs `q` (`(n, k)` row-major codes) into tiles: for each tile of
    /// [`Layout::cols_per_tile`] columns, for each group of `K` inputs, for each vector of
    /// the tile, for each lane (column), its `K` codes.
    pub(crate) fn pack_weights(self, q: &[i8], n: usize, k: usize) -> Vec<u8> {
        let (lanes, kg, nv, bytes) = (
            self.lanes(),
            self.k_group(),
            self.vectors_per_tile(),
            self.a_bytes(),
        );
        let cols = lanes * nv;
        let mut out = Vec::with_capacity(n * k * bytes);
        for t in 0..n / cols {
            for g in 0..k / kg {
                for v in 0..nv {
                    for lane in 0..lanes {
                        let j = t * cols + v * lanes + lane;
                        for e in 0..kg {
                            let code = q[j * k + g * kg + e];
                            if bytes == 1 {
                                out.push(code as u8);
                            } else {
                                out.extend_from_slice(&(code as i16).to_le_bytes());
                            }
                        }
                    }
                }
            }
        }
        out
    }

    /// Runs `job` with this layout's kernel.
    ///
    /// # Safety
    ///
    /// `job.out` must be valid for writes of `job.out_len` floats, and no other thread may
    /// touch the cells this job writes (rows `0..job.rows` from `job.out_offset`, columns of
    /// `job.tiles`) meanwhile. Everything else is checked.
    pub(crate) unsafe fn run(self, job: &Job) {
        job.check(self);
        // SAFETY (every arm): `check` bounded every read and write the tile loop makes by
        // the shapes; the vector arms run only where `Isa::supported` found the features,
        // since a hardware layout comes from `Layout::for_isa` on a supported `Isa`.
        unsafe {
            #[cfg(target_arch = "x86_64")]
            match (self.shape, self.emulate) {
                (Shape::Pairs8, false) => return x86::run_avx2(job),
                (Shape::Pairs16, false) => return x86::run_avx512_pairs(job),
                (Shape::Quads16, false) => return x86::run_avx512_quads(job),
                _ => {}
            }
            match self.shape {
                Shape::Pairs8 => run_tiles::<Emu<8, 2>, 6, 2>(job),
                Shape::Pairs16 => run_tiles::<Emu<16, 2>, 8, 3>(job),
                Shape::Quads16 => run_tiles::<Emu<16, 4>, 8, 3>(job),
            }
        }
    }
}

/// One parallel task of [`super::QLinear::matmul_acc`]: rows of quantised activations
/// times a range of weight tiles, added onto `out`.
pub(crate) struct Job<'a> {
    /// `rows` rows of `k` codes in the layout's activation format.
    pub(crate) a: &'a [u8],
    /// Scale of each row.
    pub(crate) sa: &'a [f32],
    pub(crate) rows: usize,
    pub(crate) k: usize,
    /// Every tile of the packed weight.
    pub(crate) w: &'a [u8],
    /// Scale and offset correction of every output column.
    pub(crate) sw: &'a [f32],
    pub(crate) fix: &'a [i32],
    /// Tiles (of `cols_per_tile` columns) this task computes.
    pub(crate) tiles: Range<usize>,
    pub(crate) out: *mut f32,
    pub(crate) out_len: usize,
    /// Index in `out` of this task's first row, column 0.
    pub(crate) out_offset: usize,
    pub(crate) out_stride: usize,
}

impl Job<'_> {
    /// Asserts that every index the tile loop computes is in bounds.
    fn check(&self, layout: Layout) {
        let cols = layout.cols_per_tile();
        let bytes = layout.a_bytes();
        assert!(self.rows > 0 && self.k.is_multiple_of(layout.k_group()));
        assert_eq!(self.a.len(), self.rows * self.k * bytes);
        assert_eq!(self.sa.len(), self.rows);
        assert!(self.tiles.end * cols * self.k * bytes <= self.w.len());
        assert!(self.tiles.end * cols <= self.sw.len().min(self.fix.len()));
        assert!(self.tiles.end * cols <= self.out_stride);
        assert!(
            self.out_offset + (self.rows - 1) * self.out_stride + self.tiles.end * cols
                <= self.out_len
        );
    }
}

/// The vector operations a tile needs.
pub(crate) trait Lanes {
    /// i32 lanes (output columns) per vector.
    const N: usize;
    /// Inputs per lane per step.
    const K: usize;
    /// Bytes per value (activation and weight).
    const BYTES: usize;
    type V: Copy;
    type W: Copy;
    type A: Copy;
    unsafe fn zero() -> Self::V;
    /// `N·K` weight codes from `p`.
    unsafe fn load_w(p: *const u8) -> Self::W;
    /// The 4 bytes at `p` (`K` activation codes) in every lane.
    unsafe fn bcast(p: *const u8) -> Self::A;
    /// `acc[i] += Σ_e a[e]·w[i][e]`, exactly.
    unsafe fn dot(acc: Self::V, a: Self::A, w: Self::W) -> Self::V;
    /// `out[i] = fma(f32(acc[i] − fix[i]), sa·sw[i], out[i])` for the `N` lanes.
    unsafe fn store(acc: Self::V, fix: *const i32, sa: f32, sw: *const f32, out: *mut f32);
}

/// Every tile of `job`, `R` rows at a time, the last rows by a shorter tile.
#[inline(always)]
unsafe fn run_tiles<L: Lanes, const R: usize, const NV: usize>(job: &Job) {
    let cols = NV * L::N;
    let tile_bytes = job.k * cols * L::BYTES;
    for t in job.tiles.clone() {
        // SAFETY: `Job::check` bounded the tile's weights, rows and columns.
        unsafe {
            let w = job.w.as_ptr().add(t * tile_bytes);
            let mut r = 0;
            while r + R <= job.rows {
                tile::<L, R, NV>(job, w, r, t * cols);
                r += R;
            }
            match job.rows - r {
                0 => {}
                1 => tile::<L, 1, NV>(job, w, r, t * cols),
                2 => tile::<L, 2, NV>(job, w, r, t * cols),
                3 => tile::<L, 3, NV>(job, w, r, t * cols),
                4 => tile::<L, 4, NV>(job, w, r, t * cols),
                5 => tile::<L, 5, NV>(job, w, r, t * cols),
                6 => tile::<L, 6, NV>(job, w, r, t * cols),
                _ => tile::<L, 7, NV>(job, w, r, t * cols),
            }
        }
    }
}

/// Rows `r0..r0 + R` × columns `c0..c0 + NV·N` of the product, added onto `out`. `w` points
/// at this tile's packed weights.
#[inline(always)]
unsafe fn tile<L: Lanes, const R: usize, const NV: usize>(
    job: &Job,
    w: *const u8,
    r0: usize,
    c0: usize,
) {
    let groups = job.k / L::K;
    let a_row = job.k * L::BYTES;
    let w_vec = L::N * L::K * L::BYTES;
    // SAFETY: the caller's bounds (`Job::check`): rows r0..r0+R < rows, tile columns within
    // the weights, scales and `out`.
    unsafe {
        // The tile's output rows are read once, at the end, from a matrix too big for the
        // caches: ask for them now so they arrive while the products run (without this,
        // perf put a fifth of the kernel's samples on those loads).
        #[cfg(target_arch = "x86_64")]
        for i in 0..R {
            let row = job.out.add(job.out_offset + (r0 + i) * job.out_stride + c0);
            // Every 64-byte line the row's columns touch (16 floats a line, plus the last
            // float, since rows need not start on a line).
            for f in (0..NV * L::N).step_by(16).chain([NV * L::N - 1]) {
                std::arch::x86_64::_mm_prefetch::<{ std::arch::x86_64::_MM_HINT_T0 }>(
                    row.add(f).cast(),
                );
            }
        }
        let mut acc = [[L::zero(); NV]; R];
        // One pointer per row and one into the weights, each moved on by a step per group:
        // no index arithmetic in the loop, which keeps the accumulators in registers.
        let mut a = job.a.as_ptr().add(r0 * a_row);
        let mut w = w;
        for _ in 0..groups {
            let wv: [L::W; NV] = std::array::from_fn(|v| L::load_w(w.add(v * w_vec)));
            for (i, acc) in acc.iter_mut().enumerate() {
                let x = L::bcast(a.add(i * a_row));
                for v in 0..NV {
                    acc[v] = L::dot(acc[v], x, wv[v]);
                }
            }
            a = a.add(4);
            w = w.add(NV * w_vec);
        }
        for (i, acc) in acc.iter().enumerate() {
            let row = r0 + i;
            let out = job.out.add(job.out_offset + row * job.out_stride + c0);
            for (v, &acc) in acc.iter().enumerate() {
                let col = c0 + v * L::N;
                L::store(
                    acc,
                    job.fix.as_ptr().add(col),
                    job.sa[row],
                    job.sw.as_ptr().add(col),
                    out.add(v * L::N),
                );
            }
        }
    }
}

/// The lanes of a vector layout computed one by one: `N` lanes of `K` codes, u8·i8 when
/// `K` is 4 (as `vpdpbusd`), else i16·i16 (as `vpmaddwd` and `vpdpwssd`).
pub(crate) struct Emu<const N: usize, const K: usize>;

impl<const N: usize, const K: usize> Lanes for Emu<N, K> {
    const N: usize = N;
    const K: usize = K;
    const BYTES: usize = 4 / K;
    type V = [i32; N];
    type W = *const u8;
    type A = [u8; 4];

    unsafe fn zero() -> [i32; N] {
        [0; N]
    }
    unsafe fn load_w(p: *const u8) -> *const u8 {
        p
    }
    unsafe fn bcast(p: *const u8) -> [u8; 4] {
        // SAFETY: the caller passes 4 readable bytes.
        unsafe { p.cast::<[u8; 4]>().read_unaligned() }
    }
    unsafe fn dot(mut acc: [i32; N], a: [u8; 4], w: *const u8) -> [i32; N] {
        for (lane, acc) in acc.iter_mut().enumerate() {
            for e in 0..K {
                // SAFETY: `w` points at N·K codes of 4/K bytes each.
                let (x, y) = unsafe {
                    if K == 4 {
                        (a[e] as i32, *w.add(lane * K + e) as i8 as i32)
                    } else {
                        let p = w.add((lane * K + e) * 2).cast::<[u8; 2]>().read_unaligned();
                        (
                            i16::from_le_bytes([a[2 * e], a[2 * e + 1]]) as i32,
                            i16::from_le_bytes(p) as i32,
                        )
                    }
                };
                *acc = acc.wrapping_add(x * y);
            }
        }
        acc
    }
    unsafe fn store(acc: [i32; N], fix: *const i32, sa: f32, sw: *const f32, out: *mut f32) {
        for (i, &acc) in acc.iter().enumerate() {
            // SAFETY: the caller passes N readable fix and sw values and N writable outputs.
            unsafe {
                let v = acc.wrapping_sub(*fix.add(i)) as f32;
                *out.add(i) = v.mul_add(sa * *sw.add(i), *out.add(i));
            }
        }
    }
}

#[cfg(target_arch = "x86_64")]
mod x86 {
    use super::{run_tiles, Job, Lanes};
    use std::arch::x86_64::*;

    #[target_feature(enable = "avx2,fma")]
    pub(super) unsafe fn run_avx2(job: &Job) {
        // SAFETY: as `Layout::run`.
        unsafe { run_tiles::<Avx2, 6, 2>(job) }
    }

    #[target_feature(enable = "avx512f,avx512bw,avx512vnni")]
    pub(super) unsafe fn run_avx512_pairs(job: &Job) {
        // SAFETY: as `Layout::run`.
        unsafe { run_tiles::<Avx512Pairs, 8, 3>(job) }
    }

    #[target_feature(enable = "avx512f,avx512bw,avx512vnni")]
    pub(super) unsafe fn run_avx512_quads(job: &Job) {
        // SAFETY: as `Layout::run`.
        unsafe { run_tiles::<Avx512Quads, 8, 3>(job) }
    }

    /// `vpmaddwd` (i16 pairs → i32) then `vpaddd`: exact, since codes are at most 32767
    /// times 127 in magnitude.
    struct Avx2;

    impl Lanes for Avx2 {
        const N: usize = 8;
        const K: usize = 2;
        const BYTES: usize = 2;
        type V = __m256i;
        type W = __m256i;
        type A = __m256i;
        #[inline(always)]
        unsafe fn zero() -> __m256i {
            unsafe { _mm256_setzero_si256() }
        }
        #[inline(always)]
        unsafe fn load_w(p: *const u8) -> __m256i {
            unsafe { _mm256_loadu_si256(p.cast()) }
        }
        #[inline(always)]
        unsafe fn bcast(p: *const u8) -> __m256i {
            unsafe { _mm256_set1_epi32(p.cast::<i32>().read_unaligned()) }
        }
        #[inline(always)]
        unsafe fn dot(acc: __m256i, a: __m256i, w: __m256i) -> __m256i {
            unsafe { _mm256_add_epi32(acc, _mm256_madd_epi16(a, w)) }
        }
        #[inline(always)]
        unsafe fn store(acc: __m256i, fix: *const i32, sa: f32, sw: *const f32, out: *mut f32) {
            unsafe {
                let v = _mm256_cvtepi32_ps(_mm256_sub_epi32(acc, _mm256_loadu_si256(fix.cast())));
                let s = _mm256_mul_ps(_mm256_set1_ps(sa), _mm256_loadu_ps(sw));
                _mm256_storeu_ps(out, _mm256_fmadd_ps(v, s, _mm256_loadu_ps(out)));
            }
        }
    }

    #[inline(always)]
    unsafe fn store512(acc: __m512i, fix: *const i32, sa: f32, sw: *const f32, out: *mut f32) {
        unsafe {
            let v = _mm512_cvtepi32_ps(_mm512_sub_epi32(acc, _mm512_loadu_si512(fix.cast())));
            let s = _mm512_mul_ps(_mm512_set1_ps(sa), _mm512_loadu_ps(sw));
            _mm512_storeu_ps(out, _mm512_fmadd_ps(v, s, _mm512_loadu_ps(out)));
        }
    }

    /// `vpdpwssd`: i16 pairs into i32 lanes, one instruction.
    struct Avx512Pairs;

    impl Lanes for Avx512Pairs {
        const N: usize = 16;
        const K: usize = 2;
        const BYTES: usize = 2;
        type V = __m512i;
        type W = __m512i;
        type A = __m512i;
        #[inline(always)]
        unsafe fn zero() -> __m512i {
            unsafe { _mm512_setzero_si512() }
        }
        #[inline(always)]
        unsafe fn load_w(p: *const u8) -> __m512i {
            unsafe { _mm512_loadu_si512(p.cast()) }
        }
        #[inline(always)]
        unsafe fn bcast(p: *const u8) -> __m512i {
            unsafe { _mm512_set1_epi32(p.cast::<i32>().read_unaligned()) }
        }
        #[inline(always)]
        unsafe fn dot(acc: __m512i, a: __m512i, w: __m512i) -> __m512i {
            unsafe { _mm512_dpwssd_epi32(acc, a, w) }
        }
        #[inline(always)]
        unsafe fn store(acc: __m512i, fix: *const i32, sa: f32, sw: *const f32, out: *mut f32) {
            unsafe { store512(acc, fix, sa, sw, out) }
        }
    }

    /// `vpdpbusd`: unsigned 8-bit activations times signed 8-bit weights, groups of 4 into
    /// i32 lanes, one instruction (no intermediate saturation).
    struct Avx512Quads;

    impl Lanes for Avx512Quads {
        const N: usize = 16;
        const K: usize = 4;
        const BYTES: usize = 1;
        type V = __m512i;
        type W = __m512i;
        type A = __m512i;
        #[inline(always)]
        unsafe fn zero() -> __m512i {
            unsafe { _mm512_setzero_si512() }
        }
        #[inline(always)]
        unsafe fn load_w(p: *const u8) -> __m512i {
            unsafe { _mm512_loadu_si512(p.cast()) }
        }
        #[inline(always)]
        unsafe fn bcast(p: *const u8) -> __m512i {
            unsafe { _mm512_set1_epi32(p.cast::<i32>().read_unaligned()) }
        }
        #[inline(always)]
        unsafe fn dot(acc: __m512i, a: __m512i, w: __m512i) -> __m512i {
            unsafe { _mm512_dpbusd_epi32(acc, a, w) }
        }
        #[inline(always)]
        unsafe fn store(acc: __m512i, fix: *const i32, sa: f32, sw: *const f32, out: *mut f32) {
            unsafe { store512(acc, fix, sa, sw, out) }
        }
    }
}
