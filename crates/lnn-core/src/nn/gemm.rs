//! Dense matrix products for the batched passes, all matrices column-major.
//!
//! Written out rather than taken from a BLAS so that every build (native, wasm, any CPU) sums in
//! the same order and gives the same bits: every entry of a product is (0 + w₀y₀ + w₁y₁ + …) in
//! order of k, each product and each sum rounded on its own (no fused multiply-add: wasm has
//! none, and fusing would change the bits). Blocking and vector width change only which entries
//! are computed together, never how one is computed.
//!
//! Three kernels, one order of operations: AVX-512 (16 rows × 8 columns of Z in 16 registers),
//! AVX2 and the portable one (8 × 4, which the compiler vectorises; wasm gets 2-wide SIMD128).

/// Z = W·Y, or Z += W·Y when `accumulate`; W: m×k, Y: k×n, Z: m×n.
///
/// Every entry is computed as (0 + w₀y₀ + w₁y₁ + … in order of k), then added to Z when
/// accumulating, on every code path and CPU: the result does not depend on blocking or SIMD width.
pub fn matmul(m: usize, k: usize, n: usize, w: &[f64], y: &[f64], z: &mut [f64], accumulate: bool) {
    assert!(
        w.len() >= m * k && y.len() >= k * n && z.len() >= m * n,
        "matmul: buffers too small"
    );
    #[cfg(all(feature = "std", target_arch = "x86_64"))]
    if std::is_x86_feature_detected!("avx512f") {
        // SAFETY: the CPU supports AVX-512F, checked just above; the buffers were checked.
        unsafe { avx512::matmul(m, k, n, w, y, z, accumulate) };
        return;
    }
    matmul_widest(m, k, n, w, y, z, accumulate);
}

crate::simd::widest! {
    /// The portable kernel, compiled for AVX2 where the CPU has it.
    fn matmul_widest(m: usize, k: usize, n: usize, w: &[f64], y: &[f64], z: &mut [f64], accumulate: bool) {
        matmul_kernel(m, k, n, w, y, z, accumulate);
    }
}

/// The AVX-512 kernel: a 16×8 block of Z (16 registers of 8 lanes) stays in registers over the
/// whole k loop, fed by two loads of W and eight broadcasts of Y per step; edge rows go through
/// masked loads and stores (the masked-off lanes never touch memory), edge columns through
/// narrower blocks of 4 and 1.
#[cfg(all(feature = "std", target_arch = "x86_64"))]
mod avx512 {
    use core::arch::x86_64::*;

    /// Rows per block (two vectors of 8).
    const MR: usize = 16;

    #[target_feature(enable = "avx512f")]
    pub(super) unsafe fn matmul(
        m: usize,
        k: usize,
        n: usize,
        w: &[f64],
        y: &[f64],
        z: &mut [f64],
        accumulate: bool,
    ) {
        // Which loop goes outside: a W that fits in L2 (≤ 256 KB) stays there while Y streams
        // past once, column block by column block; a larger W (500 × 500 is 2 MB) goes in row
        // panels of 16 × k that stay in cache while Y streams past each. Either way each entry
        // is computed the same way.
        // SAFETY (both): row panels within m, column ranges within n, of the checked buffers.
        if m * k <= 32 * 1024 {
            // 64 columns of Y at a time, under every row panel.
            let mut c = 0;
            while c < n {
                let nr = (n - c).min(64);
                let mut i0 = 0;
                while i0 < m {
                    let rows = (m - i0).min(MR);
                    let sub = (m, k, nr, w, &y[c * k..], &mut z[c * m..]);
                    panel(sub, i0, rows, accumulate);
                    i0 += MR;
                }
                c += nr;
            }
        } else {
            let mut i0 = 0;
            while i0 < m {
                panel((m, k, n, w, y, &mut *z), i0, (m - i0).min(MR), accumulate);
                i0 += MR;
            }
        }
    }

    /// Rows i0..i0+rows of Z = W·Y over all n columns, in blocks of 8, 4 and 1 columns.
    #[inline(always)]
    unsafe fn panel(
        (m, k, n, w, y, z): (usize, usize, usize, &[f64], &[f64], &mut [f64]),
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
            match (nr, rows > 8) {
                (8, true) => block::<8, 2>(args),
                (8, false) => block::<8, 1>(args),
                (4, true) => block::<4, 2>(args),
                (4, false) => block::<4, 1>(args),
                (_, true) => block::<1, 2>(args),
                (_, false) => block::<1, 1>(args),
            }
            c += nr;
        }
    }

    type Args<'a> = (
        usize,
        usize,
        usize,
        usize,
        usize,
        &'a [f64],
        &'a [f64],
        &'a mut [f64],
        bool,
    );

    /// Z[i0..i0+rows, c..c+NR] (=|+=) W[i0..i0+rows, :]·Y[:, c..c+NR], with rows ≤ 8·MV.
    #[inline(always)]
    unsafe fn block<const NR: usize, const MV: usize>(
        (m, k, i0, rows, c, w, y, z, accumulate): Args<'_>,
    ) {
        let masks: [__mmask8; MV] = core::array::from_fn(|v| {
            let r = rows.saturating_sub(8 * v).min(8);
            ((1u16 << r) - 1) as __mmask8
        });
        let mut acc = [[_mm512_setzero_pd(); MV]; NR];
        let wp = w.as_ptr().add(i0);
        let yp = y.as_ptr().add(c * k);
        for p in 0..k {
            let col = wp.add(p * m);
            let wv: [__m512d; MV] =
                core::array::from_fn(|v| _mm512_maskz_loadu_pd(masks[v], col.add(8 * v)));
            for j in 0..NR {
                let b = _mm512_set1_pd(*yp.add(j * k + p));
                for v in 0..MV {
                    acc[j][v] = _mm512_add_pd(acc[j][v], _mm512_mul_pd(wv[v], b));
                }
            }
        }
        for j in 0..NR {
            let zc = z.as_mut_ptr().add((c + j) * m + i0);
            for v in 0..MV {
                let dst = zc.add(8 * v);
                let sum = if accumulate {
                    _mm512_add_pd(_mm512_maskz_loadu_pd(masks[v], dst), acc[j][v])
                } else {
                    acc[j][v]
                };
                _mm512_mask_storeu_pd(dst, masks[v], sum);
            }
        }
    }
}

/// Rows and columns of the portable kernel's register block. On wasm SIMD128 (2 lanes) 8×4
/// would be 16 vector accumulators, as many as an x86 host has registers for everything, so
/// the JIT spills: 4×4 keeps 8.
#[cfg(not(target_arch = "wasm32"))]
const MR: usize = 8;
#[cfg(target_arch = "wasm32")]
const MR: usize = 4;
const NR: usize = 4;

/// Register-blocked product: an MR×NR block of Z stays in registers over the whole k loop.
#[inline(always)]
fn matmul_kernel(
    m: usize,
    k: usize,
    n: usize,
    w: &[f64],
    y: &[f64],
    z: &mut [f64],
    accumulate: bool,
) {
    let store = |dst: &mut f64, v: f64| *dst = if accumulate { *dst + v } else { v };
    let mut c = 0;
    while c < n {
        let nr = NR.min(n - c);
        let mut i0 = 0;
        while i0 < m {
            let mr = MR.min(m - i0);
            if mr == MR && nr == NR {
                let mut acc = [[0.0f64; MR]; NR];
                let ys: [&[f64]; NR] = core::array::from_fn(|j| &y[(c + j) * k..(c + j + 1) * k]);
                for p in 0..k {
                    let wp: &[f64; MR] = w[p * m + i0..p * m + i0 + MR]
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
                        let mut acc = 0.0;
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
/// In tiles of 8×8, so both the reads and the writes stay within a few cache lines.
pub fn transpose(r: usize, c: usize, a: &[f64], out: &mut [f64]) {
    const T: usize = 8;
    let (a, out) = (&a[..r * c], &mut out[..r * c]);
    for j0 in (0..c).step_by(T) {
        for i0 in (0..r).step_by(T) {
            for j in j0..(j0 + T).min(c) {
                for i in i0..(i0 + T).min(r) {
                    out[i * c + j] = a[j * r + i];
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
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

    /// Every kernel this CPU can run gives the bits of the portable one (which is what wasm
    /// runs), over block edges in both dimensions and with accumulation.
    #[test]
    fn every_kernel_gives_the_portable_bits() {
        for (m, k, n) in [
            (1, 1, 1),
            (7, 3, 5),
            (16, 9, 8),
            (23, 17, 13),
            (40, 6, 21),
            (128, 33, 12),
            // Past 32K entries of W: the row-panel order.
            (260, 130, 11),
        ] {
            let (w, y) = (data(m * k, 4), data(k * n, 5));
            for accumulate in [false, true] {
                let mut fast = data(m * n, 6);
                let mut portable = fast.clone();
                matmul(m, k, n, &w, &y, &mut fast, accumulate);
                matmul_kernel(m, k, n, &w, &y, &mut portable, accumulate);
                let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
                assert_eq!(
                    bits(&fast),
                    bits(&portable),
                    "{m}x{k}x{n} accumulate {accumulate}"
                );
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
