//! Dense matrix products for the batched passes, all matrices column-major.
//!
//! Written out rather than taken from a BLAS so that every build (native, wasm, any CPU) sums in
//! the same order and gives the same bits: every entry of a product is (0 + w₀y₀ + w₁y₁ + …) in
//! order of k, each product and each sum rounded on its own (no fused multiply-add: wasm has
//! none, and fusing would change the bits). Blocking and vector width change only which entries
//! are computed together, never how one is computed.
//!
//! Three kernels, one order of operations, each for f32 and f64 (`matmul::<F>`): AVX-512 (two
//! vectors of rows × 8 columns of Z in 16 registers: 16 f64 or 32 f32 rows, 8 or 16 lanes),
//! AVX2 and the portable one (two vectors of rows × 4 columns, which the compiler vectorises:
//! AVX2 gets 4 f64 or 8 f32 lanes, wasm SIMD128 f64x2 or f32x4).

use crate::Float;

/// Z = W·Y, or Z += W·Y when `accumulate`; W: m×k, Y: k×n, Z: m×n; in f32 or f64.
///
/// Every entry is computed as (0 + w₀y₀ + w₁y₁ + … in order of k), then added to Z when
/// accumulating, on every code path and CPU: the result does not depend on blocking or SIMD width.
pub fn matmul<F: Float>(
    m: usize,
    k: usize,
    n: usize,
    w: &[F],
    y: &[F],
    z: &mut [F],
    accumulate: bool,
) {
    assert!(
        w.len() >= m * k && y.len() >= k * n && z.len() >= m * n,
        "matmul: buffers too small"
    );
    #[cfg(all(feature = "std", target_arch = "x86_64"))]
    if std::is_x86_feature_detected!("avx512f") {
        // SAFETY: the CPU supports AVX-512F, checked just above; the buffers were checked.
        unsafe { F::matmul_avx512(m, k, n, w, y, z, accumulate) };
        return;
    }
    F::matmul_portable(m, k, n, w, y, z, accumulate);
}

crate::simd::widest! {
    /// The portable kernel for f64, compiled for AVX2 where the CPU has it.
    pub(crate) fn matmul_widest_f64(m: usize, k: usize, n: usize, w: &[f64], y: &[f64], z: &mut [f64], accumulate: bool) {
        matmul_kernel::<f64, { MR_BYTES / 8 }>(m, k, n, w, y, z, accumulate);
    }
}

crate::simd::widest! {
    /// The portable kernel for f32 (twice the rows of f64 per block: the same bytes, the same
    /// number of vector accumulators), compiled for AVX2 where the CPU has it.
    pub(crate) fn matmul_widest_f32(m: usize, k: usize, n: usize, w: &[f32], y: &[f32], z: &mut [f32], accumulate: bool) {
        matmul_kernel::<f32, { MR_BYTES / 4 }>(m, k, n, w, y, z, accumulate);
    }
}

/// The AVX-512 kernel, one for both types over [`avx512::Lanes`]: a block of 2 vectors of rows
/// (16 f64 or 32 f32) × 8 columns of Z stays in 16 registers over the whole k loop, fed by two
/// loads of W and eight broadcasts of Y per step; edge rows go through masked loads and stores
/// (the masked-off lanes never touch memory), edge columns through narrower blocks of 4 and 1.
#[cfg(all(feature = "std", target_arch = "x86_64"))]
pub(crate) mod avx512 {
    use core::arch::x86_64::*;

    /// One 512-bit vector of a float type: 8 f64 or 16 f32 lanes, and the operations the
    /// kernel uses (separate multiply and add, never fused).
    pub(crate) trait Lanes: Copy {
        /// The vector.
        type V: Copy;
        /// A lane mask.
        type M: Copy;
        /// Lanes per vector.
        const L: usize;
        /// The mask of the first `r ≤ L` lanes.
        fn mask(r: usize) -> Self::M;
        /// All lanes 0.
        unsafe fn zero() -> Self::V;
        /// Masked load (masked-off lanes 0, their memory untouched).
        unsafe fn load(m: Self::M, p: *const Self) -> Self::V;
        /// Masked store.
        unsafe fn store(p: *mut Self, m: Self::M, v: Self::V);
        /// x in every lane.
        unsafe fn splat(x: Self) -> Self::V;
        /// a + b, lane by lane.
        unsafe fn add(a: Self::V, b: Self::V) -> Self::V;
        /// a · b, lane by lane.
        unsafe fn mul(a: Self::V, b: Self::V) -> Self::V;
    }

    impl Lanes for f64 {
        type V = __m512d;
        type M = __mmask8;
        const L: usize = 8;
        #[inline(always)]
        fn mask(r: usize) -> __mmask8 {
            ((1u16 << r) - 1) as __mmask8
        }
        #[inline]
        #[target_feature(enable = "avx512f")]
        unsafe fn zero() -> __m512d {
            _mm512_setzero_pd()
        }
        #[inline]
        #[target_feature(enable = "avx512f")]
        unsafe fn load(m: __mmask8, p: *const f64) -> __m512d {
            unsafe { _mm512_maskz_loadu_pd(m, p) }
        }
        #[inline]
        #[target_feature(enable = "avx512f")]
        unsafe fn store(p: *mut f64, m: __mmask8, v: __m512d) {
            unsafe { _mm512_mask_storeu_pd(p, m, v) }
        }
        #[inline]
        #[target_feature(enable = "avx512f")]
        unsafe fn splat(x: f64) -> __m512d {
            _mm512_set1_pd(x)
        }
        #[inline]
        #[target_feature(enable = "avx512f")]
        unsafe fn add(a: __m512d, b: __m512d) -> __m512d {
            _mm512_add_pd(a, b)
        }
        #[inline]
        #[target_feature(enable = "avx512f")]
        unsafe fn mul(a: __m512d, b: __m512d) -> __m512d {
            _mm512_mul_pd(a, b)
        }
    }

    impl Lanes for f32 {
        type V = __m512;
        type M = __mmask16;
        const L: usize = 16;
        #[inline(always)]
        fn mask(r: usize) -> __mmask16 {
            ((1u32 << r) - 1) as __mmask16
        }
        #[inline]
        #[target_feature(enable = "avx512f")]
        unsafe fn zero() -> __m512 {
            _mm512_setzero_ps()
        }
        #[inline]
        #[target_feature(enable = "avx512f")]
        unsafe fn load(m: __mmask16, p: *const f32) -> __m512 {
            unsafe { _mm512_maskz_loadu_ps(m, p) }
        }
        #[inline]
        #[target_feature(enable = "avx512f")]
        unsafe fn store(p: *mut f32, m: __mmask16, v: __m512) {
            unsafe { _mm512_mask_storeu_ps(p, m, v) }
        }
        #[inline]
        #[target_feature(enable = "avx512f")]
        unsafe fn splat(x: f32) -> __m512 {
            _mm512_set1_ps(x)
        }
        #[inline]
        #[target_feature(enable = "avx512f")]
        unsafe fn add(a: __m512, b: __m512) -> __m512 {
            _mm512_add_ps(a, b)
        }
        #[inline]
        #[target_feature(enable = "avx512f")]
        unsafe fn mul(a: __m512, b: __m512) -> __m512 {
            _mm512_mul_ps(a, b)
        }
    }

    /// [`super::matmul`] with AVX-512.
    ///
    /// # Safety
    /// The CPU must support AVX-512F; the buffers must hold m·k, k·n and m·n entries.
    #[target_feature(enable = "avx512f")]
    pub(crate) unsafe fn matmul<T: Lanes>(
        m: usize,
        k: usize,
        n: usize,
        w: &[T],
        y: &[T],
        z: &mut [T],
        accumulate: bool,
    ) {
        // Rows per block: two vectors.
        let mr = 2 * T::L;
        // Which loop goes outside: a W that fits in L2 (≤ 256 KB) stays there while Y streams
        // past once, column block by column block; a larger W (500 × 500 f64 is 2 MB) goes in
        // row panels of 2 vectors × k that stay in cache while Y streams past each. Either way
        // each entry is computed the same way.
        // SAFETY (both): row panels within m, column ranges within n, of the checked buffers.
        if m * k * core::mem::size_of::<T>() <= 256 * 1024 {
            // 64 columns of Y at a time, under every row panel.
            let mut c = 0;
            while c < n {
                let nr = (n - c).min(64);
                let mut i0 = 0;
                while i0 < m {
                    let rows = (m - i0).min(mr);
                    let sub = (m, k, nr, w, &y[c * k..], &mut z[c * m..]);
                    unsafe { panel(sub, i0, rows, accumulate) };
                    i0 += mr;
                }
                c += nr;
            }
        } else {
            let mut i0 = 0;
            while i0 < m {
                unsafe { panel((m, k, n, w, y, &mut *z), i0, (m - i0).min(mr), accumulate) };
                i0 += mr;
            }
        }
    }

    /// Rows i0..i0+rows of Z = W·Y over all n columns, in blocks of 8, 4 and 1 columns.
    #[inline]
    #[target_feature(enable = "avx512f")]
    unsafe fn panel<T: Lanes>(
        (m, k, n, w, y, z): (usize, usize, usize, &[T], &[T], &mut [T]),
        i0: usize,
        rows: usize,
        accumulate: bool,
    ) {
        let mut c = 0;
        while c < n {
            let nr = match n - c {
                r if r >= 8 => 8,
                r if r >= 4 => 4,
                _ => 1,
            };
            let args = (m, k, i0, rows, c, w, y, &mut *z, accumulate);
            // SAFETY: as the caller's.
            unsafe {
                match (nr, rows > T::L) {
                    (8, true) => block::<T, 8, 2>(args),
                    (8, false) => block::<T, 8, 1>(args),
                    (4, true) => block::<T, 4, 2>(args),
                    (4, false) => block::<T, 4, 1>(args),
                    (_, true) => block::<T, 1, 2>(args),
                    (_, false) => block::<T, 1, 1>(args),
                }
            }
            c += nr;
        }
    }

    type Args<'a, T> = (
        usize,
        usize,
        usize,
        usize,
        usize,
        &'a [T],
        &'a [T],
        &'a mut [T],
        bool,
    );

    /// Z[i0..i0+rows, c..c+NR] (=|+=) W[i0..i0+rows, :]·Y[:, c..c+NR], with rows ≤ L·MV.
    #[inline]
    #[target_feature(enable = "avx512f")]
    unsafe fn block<T: Lanes, const NR: usize, const MV: usize>(
        (m, k, i0, rows, c, w, y, z, accumulate): Args<'_, T>,
    ) {
        let masks: [T::M; MV] =
            core::array::from_fn(|v| T::mask(rows.saturating_sub(T::L * v).min(T::L)));
        // SAFETY: the block lies within the checked buffers (masked lanes past row m are
        // never touched).
        unsafe {
            let mut acc = [[T::zero(); MV]; NR];
            let wp = w.as_ptr().add(i0);
            let yp = y.as_ptr().add(c * k);
            for p in 0..k {
                let col = wp.add(p * m);
                let wv: [T::V; MV] = core::array::from_fn(|v| T::load(masks[v], col.add(T::L * v)));
                for j in 0..NR {
                    let b = T::splat(*yp.add(j * k + p));
                    for v in 0..MV {
                        acc[j][v] = T::add(acc[j][v], T::mul(wv[v], b));
                    }
                }
            }
            for j in 0..NR {
                let zc = z.as_mut_ptr().add((c + j) * m + i0);
                for v in 0..MV {
                    let dst = zc.add(T::L * v);
                    let sum = if accumulate {
                        T::add(T::load(masks[v], dst), acc[j][v])
                    } else {
                        acc[j][v]
                    };
                    T::store(dst, masks[v], sum);
                }
            }
        }
    }
}

/// Bytes of a column of the portable kernel's register block (MR rows = MR_BYTES / size of the
/// float). Two vectors' worth on either target: on x86 (AVX2, 32-byte vectors) 8 f64 or 16 f32
/// rows; on wasm SIMD128 (16-byte vectors) 4 f64 or 8 f32 rows, since 8 f64 rows × 4 columns
/// would be 16 vector accumulators, as many as an x86 host has registers for everything, and the
/// JIT spills: two vectors × 4 columns keep 8.
#[cfg(not(target_arch = "wasm32"))]
const MR_BYTES: usize = 64;
#[cfg(target_arch = "wasm32")]
const MR_BYTES: usize = 32;
/// Columns of the portable kernel's register block.
const NR: usize = 4;

/// Register-blocked product: an MR×NR block of Z stays in registers over the whole k loop.
#[inline(always)]
fn matmul_kernel<F: Float, const MR: usize>(
    m: usize,
    k: usize,
    n: usize,
    w: &[F],
    y: &[F],
    z: &mut [F],
    accumulate: bool,
) {
    let store = |dst: &mut F, v: F| *dst = if accumulate { *dst + v } else { v };
    let mut c = 0;
    while c < n {
        let nr = NR.min(n - c);
        let mut i0 = 0;
        while i0 < m {
            let mr = MR.min(m - i0);
            if mr == MR && nr == NR {
                let mut acc = [[F::ZERO; MR]; NR];
                let ys: [&[F]; NR] = core::array::from_fn(|j| &y[(c + j) * k..(c + j + 1) * k]);
                for p in 0..k {
                    let wp: &[F; MR] = w[p * m + i0..p * m + i0 + MR]
                        .try_into()
                        .expect("MR entries");
                    for j in 0..NR {
                        let a = ys[j][p];
                        for r in 0..MR {
                            acc[j][r] += wp[r] * a;
                        }
                    }
                }
                for j in 0..NR {
                    let zc = &mut z[(c + j) * m + i0..(c + j) * m + i0 + MR];
                    for r in 0..MR {
                        store(&mut zc[r], acc[j][r]);
                    }
                }
            } else {
                for j in 0..nr {
                    let yc = &y[(c + j) * k..(c + j + 1) * k];
                    for r in 0..mr {
                        let mut acc = F::ZERO;
                        for p in 0..k {
                            acc += w[p * m + i0 + r] * yc[p];
                        }
                        store(&mut z[(c + j) * m + i0 + r], acc);
                    }
                }
            }
            i0 += MR;
        }
        c += NR;
    }
}

/// Bᵀ of a column-major r×c matrix A, written column-major (c×r) into `out`.
///
/// In square tiles of one cache line a side (8 f64 or 16 f32), so every read and every write
/// of a tile row is one whole line; whole tiles through fixed-size arrays (no bounds checks in
/// the inner loops), the edges entry by entry.
pub fn transpose<T: Copy>(r: usize, c: usize, a: &[T], out: &mut [T]) {
    if core::mem::size_of::<T>() <= 4 {
        transpose_tiled::<T, 16>(r, c, a, out);
    } else {
        transpose_tiled::<T, 8>(r, c, a, out);
    }
}

fn transpose_tiled<T: Copy, const B: usize>(r: usize, c: usize, a: &[T], out: &mut [T]) {
    let (a, out) = (&a[..r * c], &mut out[..r * c]);
    let (rb, cb) = (r - r % B, c - c % B);
    for j0 in (0..cb).step_by(B) {
        for i0 in (0..rb).step_by(B) {
            let src: [&[T; B]; B] = core::array::from_fn(|jj| {
                a[(j0 + jj) * r + i0..(j0 + jj) * r + i0 + B]
                    .try_into()
                    .expect("B entries")
            });
            for ii in 0..B {
                let dst: &mut [T; B] = (&mut out[(i0 + ii) * c + j0..(i0 + ii) * c + j0 + B])
                    .try_into()
                    .expect("B entries");
                for jj in 0..B {
                    dst[jj] = src[jj][ii];
                }
            }
        }
    }
    // The edges: rows rb.. of every column, then columns cb.. of the rows above.
    for j in 0..c {
        for i in rb..r {
            out[i * c + j] = a[j * r + i];
        }
    }
    for j in cb..c {
        for i in 0..rb {
            out[i * c + j] = a[j * r + i];
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;
    use alloc::vec::Vec;

    fn naive(m: usize, k: usize, n: usize, w: &[f64], y: &[f64]) -> Vec<f64> {
        let mut z = alloc::vec![0.0; m * n];
        for c in 0..n {
            for i in 0..m {
                z[c * m + i] = (0..k).map(|p| w[p * m + i] * y[c * k + p]).sum();
            }
        }
        z
    }

    fn data(len: usize, seed: u64) -> Vec<f64> {
        let mut r = crate::rng::seeded(seed);
        (0..len)
            .map(|_| crate::rng::uniform(&mut r, -1.0, 1.0))
            .collect()
    }

    type Kernel<F> = fn(usize, usize, usize, &[F], &[F], &mut [F], bool);

    /// `matmul` (the widest kernel this CPU can run) against the portable kernel at its own
    /// blocking and at others (wasm's, and a 1×1 block: one entry at a time, the plainest
    /// order), over block edges in both dimensions and with accumulation.
    fn kernels_agree<F: Float>(bits: impl Fn(&[F]) -> Vec<u64>) {
        for (m, k, n) in [
            (1, 1, 1),
            (7, 3, 5),
            (16, 9, 8),
            (23, 17, 13),
            (40, 6, 21),
            (128, 33, 12),
            (33, 70, 19),
            // Past 32K entries of W (64K for f32): the row-panel order.
            (260, 130, 11),
            (300, 250, 9),
        ] {
            let conv = |v: Vec<f64>| v.into_iter().map(F::from_f64).collect::<Vec<F>>();
            let (w, y) = (conv(data(m * k, 4)), conv(data(k * n, 5)));
            for accumulate in [false, true] {
                let mut fast = conv(data(m * n, 6));
                let start = fast.clone();
                matmul(m, k, n, &w, &y, &mut fast, accumulate);
                let kernels: [(Kernel<F>, &str); 5] = [
                    (F::matmul_portable, "portable"),
                    (matmul_kernel::<F, 4>, "4 rows"),
                    (matmul_kernel::<F, 8>, "8 rows"),
                    (matmul_kernel::<F, 16>, "16 rows"),
                    (matmul_kernel::<F, 1>, "1 row"),
                ];
                for (kernel, name) in kernels {
                    let mut other = start.clone();
                    kernel(m, k, n, &w, &y, &mut other, accumulate);
                    assert_eq!(
                        bits(&fast),
                        bits(&other),
                        "{:?} {m}x{k}x{n} accumulate {accumulate}: {name}",
                        F::PRECISION
                    );
                }
            }
        }
    }

    #[test]
    fn every_kernel_gives_the_portable_bits() {
        kernels_agree::<f64>(|v| v.iter().map(|x| x.to_bits()).collect());
    }

    #[test]
    fn every_f32_kernel_gives_the_portable_bits() {
        kernels_agree::<f32>(|v| v.iter().map(|x| u64::from(x.to_bits())).collect());
    }

    /// The f32 product is the f64 one to f32 accuracy, and every entry is computed in f32
    /// (not in f64 and rounded once): it differs from the rounded f64 product somewhere.
    #[test]
    fn f32_products_are_f32_sums() {
        let (m, k, n) = (37, 200, 11);
        let (w, y) = (data(m * k, 7), data(k * n, 8));
        let (w32, y32): (Vec<f32>, Vec<f32>) = (
            w.iter().map(|&v| v as f32).collect(),
            y.iter().map(|&v| v as f32).collect(),
        );
        let exact = naive(
            m,
            k,
            n,
            &w32.iter().map(|&v| f64::from(v)).collect::<Vec<_>>(),
            &y32.iter().map(|&v| f64::from(v)).collect::<Vec<_>>(),
        );
        let mut z = vec![0.0f32; m * n];
        matmul(m, k, n, &w32, &y32, &mut z, false);
        // k terms of size ≤ 1, each sum rounded: error ≤ k·ε₃₂·Σ|terms| ≲ 200 · 6e-8 · 200.
        let mut differs = false;
        for (a, b) in z.iter().zip(&exact) {
            assert!((f64::from(*a) - b).abs() < 1e-3, "{a} vs {b}");
            differs |= *a != *b as f32;
        }
        assert!(differs);
    }

    #[test]
    fn transpose_over_tile_edges() {
        for (r, c) in [
            (1, 1),
            (8, 8),
            (9, 17),
            (16, 3),
            (5, 24),
            (33, 40),
            (16, 16),
            (50, 37),
        ] {
            let a = data(r * c, 9);
            let mut t = vec![0.0; r * c];
            transpose(r, c, &a, &mut t);
            let a32: Vec<f32> = a.iter().map(|&v| v as f32).collect();
            let mut t32 = vec![0.0f32; r * c];
            transpose(r, c, &a32, &mut t32);
            for j in 0..c {
                for i in 0..r {
                    assert_eq!(t[i * c + j], a[j * r + i], "{r}x{c}");
                    assert_eq!(t32[i * c + j], a32[j * r + i], "{r}x{c} f32");
                }
            }
        }
    }

    #[test]
    fn products_agree_with_naive_loops() {
        for (m, k, n) in [(1, 1, 1), (3, 5, 7), (17, 9, 4), (8, 16, 13), (16, 3, 8)] {
            let (w, y) = (data(m * k, 1), data(k * n, 2));
            let want = naive(m, k, n, &w, &y);
            let mut z = alloc::vec![7.0; m * n];
            matmul(m, k, n, &w, &y, &mut z, false);
            // Different summation orders: agreement to a few ulps of k terms of size ≤ 1.
            assert!(
                z.iter().zip(&want).all(|(a, b)| (a - b).abs() < 1e-14),
                "{m}x{k}x{n}"
            );
            // Wᵀ Z against the naive product with the transpose written out.
            let zz = data(m * n, 3);
            let mut wt = alloc::vec![0.0; k * m];
            for p in 0..k {
                for i in 0..m {
                    wt[i * k + p] = w[p * m + i];
                }
            }
            let mut wt2 = alloc::vec![0.0; k * m];
            transpose(m, k, &w, &mut wt2);
            assert_eq!(wt, wt2);
            let mut x = alloc::vec![0.0; k * n];
            matmul(k, m, n, &wt, &zz, &mut x, false);
            let want = naive(k, m, n, &wt, &zz);
            assert!(x.iter().zip(&want).all(|(a, b)| (a - b).abs() < 1e-14));
            // G += Z Yᵀ through the transpose of Y
            let mut g = alloc::vec![0.5; m * k];
            let mut yt = alloc::vec![0.0; n * k];
            transpose(k, n, &y, &mut yt);
            matmul(m, n, k, &zz, &yt, &mut g, true);
            for p in 0..k {
                for i in 0..m {
                    let want = 0.5 + (0..n).map(|c| zz[c * m + i] * y[c * k + p]).sum::<f64>();
                    assert!((g[p * m + i] - want).abs() < 1e-14);
                }
            }
        }
    }
}

/// `cargo test -p lnn-core --lib print_rates -- --ignored --nocapture`: the kernels' rates on
/// the shapes of the LNN 3×500 and 2×128 passes (batch 32), f64 against f32.
#[cfg(all(test, feature = "std"))]
mod speed {
    use super::*;
    use alloc::vec;

    #[test]
    #[ignore]
    fn print_rates() {
        for (m, k, n) in [
            (500, 500, 96),
            (500, 96, 500),
            (128, 128, 96),
            (128, 96, 128),
        ] {
            for prec in ["f64", "f32"] {
                let reps = 50;
                let s = if prec == "f64" {
                    let (w, y, mut z) = (
                        vec![0.5f64; m * k],
                        vec![0.25f64; k * n],
                        vec![0.0f64; m * n],
                    );
                    for _ in 0..5 {
                        matmul(m, k, n, &w, &y, &mut z, false);
                    }
                    let t = std::time::Instant::now();
                    for _ in 0..reps {
                        matmul(m, k, n, &w, &y, &mut z, false);
                    }
                    t.elapsed().as_secs_f64() / reps as f64
                } else {
                    let (w, y, mut z) = (
                        vec![0.5f32; m * k],
                        vec![0.25f32; k * n],
                        vec![0.0f32; m * n],
                    );
                    for _ in 0..5 {
                        matmul(m, k, n, &w, &y, &mut z, false);
                    }
                    let t = std::time::Instant::now();
                    for _ in 0..reps {
                        matmul(m, k, n, &w, &y, &mut z, false);
                    }
                    t.elapsed().as_secs_f64() / reps as f64
                };
                std::eprintln!(
                    "{prec} {m}x{k}x{n}: {:.3} ms, {:.1} G mul-add/s",
                    s * 1e3,
                    (m * k * n) as f64 / s / 1e9
                );
            }
        }
    }
}
