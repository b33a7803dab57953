//! Dense matrix products for the batched passes, all matrices column-major.
//!
//! Written out rather than taken from a BLAS so that every build (native, wasm, any CPU) sums in
//! the same order and gives the same bits: the inner loops run along contiguous columns with no
//! reassociation, which the compiler vectorises without changing results.

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
    if std::is_x86_feature_detected!("avx2") {
        // SAFETY: the CPU supports AVX2, checked just above.
        unsafe { matmul_avx2(m, k, n, w, y, z, accumulate) };
        return;
    }
    matmul_kernel(m, k, n, w, y, z, accumulate);
}

/// The same code compiled for AVX2: wider vectors, the same operations in the same order (Rust
/// never fuses a multiply and an add on its own), so the same bits.
#[cfg(all(feature = "std", target_arch = "x86_64"))]
#[target_feature(enable = "avx2")]
unsafe fn matmul_avx2(
    m: usize,
    k: usize,
    n: usize,
    w: &[f64],
    y: &[f64],
    z: &mut [f64],
    accumulate: bool,
) {
    matmul_kernel(m, k, n, w, y, z, accumulate);
}

const MR: usize = 8;
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
pub fn transpose(r: usize, c: usize, a: &[f64], out: &mut [f64]) {
    for j in 0..c {
        for i in 0..r {
            out[i * c + j] = a[j * r + i];
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
