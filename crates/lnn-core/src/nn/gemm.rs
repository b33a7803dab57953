//! Dense matrix products for the batched passes, all matrices column-major.
//!
//! Written out rather than taken from a BLAS so that every build (native, wasm, any CPU) sums in
//! the same order and gives the same bits: the inner loops run along contiguous columns with no
//! reassociation, which the compiler vectorises without changing results.

/// Z = W·Y (or Z += W·Y when `accumulate`), W: m×k, Y: k×n, Z: m×n.
pub fn matmul(m: usize, k: usize, n: usize, w: &[f64], y: &[f64], z: &mut [f64], accumulate: bool) {
    debug_assert!(w.len() >= m * k && y.len() >= k * n && z.len() >= m * n);
    if !accumulate {
        z[..m * n].fill(0.0);
    }
    // Four output columns at a time share each loaded column of W.
    let mut c = 0;
    while c + 4 <= n {
        let (y0, y1, y2, y3) = (
            &y[c * k..],
            &y[(c + 1) * k..],
            &y[(c + 2) * k..],
            &y[(c + 3) * k..],
        );
        let (z0, rest) = z[c * m..(c + 4) * m].split_at_mut(m);
        let (z1, rest) = rest.split_at_mut(m);
        let (z2, z3) = rest.split_at_mut(m);
        for p in 0..k {
            let wc = &w[p * m..(p + 1) * m];
            let (a0, a1, a2, a3) = (y0[p], y1[p], y2[p], y3[p]);
            for i in 0..m {
                let wi = wc[i];
                z0[i] += wi * a0;
                z1[i] += wi * a1;
                z2[i] += wi * a2;
                z3[i] += wi * a3;
            }
        }
        c += 4;
    }
    while c < n {
        let yc = &y[c * k..(c + 1) * k];
        let zc = &mut z[c * m..(c + 1) * m];
        for p in 0..k {
            let wc = &w[p * m..(p + 1) * m];
            let a = yc[p];
            for i in 0..m {
                zc[i] += wc[i] * a;
            }
        }
        c += 1;
    }
}

/// X = Wᵀ·Z, W: m×k, Z: m×n, X: k×n (overwritten).
///
/// Each entry is a dot product of two contiguous columns, summed in eight interleaved partial
/// sums (a fixed order, so it vectorises and stays deterministic).
pub fn matmul_tn(m: usize, k: usize, n: usize, w: &[f64], z: &[f64], x: &mut [f64]) {
    for c in 0..n {
        let zc = &z[c * m..(c + 1) * m];
        for p in 0..k {
            x[c * k + p] = dot(&w[p * m..(p + 1) * m], zc);
        }
    }
}

/// G += Z·Yᵀ, Z: m×n, Y: k×n, G: m×k (the weight gradient of Z = W·Y).
pub fn matmul_nt_acc(m: usize, k: usize, n: usize, z: &[f64], y: &[f64], g: &mut [f64]) {
    for c in 0..n {
        let zc = &z[c * m..(c + 1) * m];
        for p in 0..k {
            let a = y[c * k + p];
            if a == 0.0 {
                continue;
            }
            let gc = &mut g[p * m..(p + 1) * m];
            for i in 0..m {
                gc[i] += zc[i] * a;
            }
        }
    }
}

/// Σ a_i b_i in eight interleaved partial sums, added pairwise at the end.
#[inline]
pub fn dot(a: &[f64], b: &[f64]) -> f64 {
    let n = a.len().min(b.len());
    let mut s = [0.0f64; 8];
    let chunks = n / 8;
    for j in 0..chunks {
        let (aa, bb) = (&a[j * 8..j * 8 + 8], &b[j * 8..j * 8 + 8]);
        for l in 0..8 {
            s[l] += aa[l] * bb[l];
        }
    }
    let mut tail = 0.0;
    for i in chunks * 8..n {
        tail += a[i] * b[i];
    }
    ((s[0] + s[4]) + (s[1] + s[5])) + ((s[2] + s[6]) + (s[3] + s[7])) + tail
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
        for (m, k, n) in [(1, 1, 1), (3, 5, 7), (17, 9, 4), (8, 16, 13)] {
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
            let mut x = alloc::vec![0.0; k * n];
            matmul_tn(m, k, n, &w, &zz, &mut x);
            let want = naive(k, m, n, &wt, &zz);
            assert!(x.iter().zip(&want).all(|(a, b)| (a - b).abs() < 1e-14));
            // G += Z Yᵀ
            let mut g = alloc::vec![0.5; m * k];
            matmul_nt_acc(m, k, n, &zz, &y, &mut g);
            for p in 0..k {
                for i in 0..m {
                    let want = 0.5 + (0..n).map(|c| zz[c * m + i] * y[c * k + p]).sum::<f64>();
                    assert!((g[p * m + i] - want).abs() < 1e-14);
                }
            }
        }
    }
}
