//! One kernel, compiled for the widest vectors the CPU has.
//!
//! The hot loops (activations, Adam, reductions) are written once as plain Rust over slices.
//! [`widest!`] compiles each a second and third time with AVX2 and AVX-512 enabled and picks
//! one at run time. Rust neither fuses a multiply and an add nor reassociates on its own, so
//! each version performs the same operations in the same order and gives the same bits as the
//! portable build (which is what wasm runs): only the vector width changes.

/// `widest! { fn name(args) -> T { body } }` defines `name`, which runs `body` compiled for
/// AVX-512 or AVX2 when the CPU has them (native x86-64 with `std`), and as written otherwise.
macro_rules! widest {
    ($(#[$meta:meta])* $vis:vis fn $name:ident($($arg:ident: $ty:ty),* $(,)?) $(-> $ret:ty)? $body:block) => {
        $(#[$meta])*
        $vis fn $name($($arg: $ty),*) $(-> $ret)? {
            #[inline(always)]
            fn kernel($($arg: $ty),*) $(-> $ret)? $body
            #[cfg(all(feature = "std", target_arch = "x86_64"))]
            {
                #[target_feature(enable = "avx512f")]
                unsafe fn avx512($($arg: $ty),*) $(-> $ret)? {
                    kernel($($arg),*)
                }
                #[target_feature(enable = "avx2")]
                unsafe fn avx2($($arg: $ty),*) $(-> $ret)? {
                    kernel($($arg),*)
                }
                if std::is_x86_feature_detected!("avx512f") {
                    // SAFETY: the CPU has AVX-512F, checked just above.
                    return unsafe { avx512($($arg),*) };
                }
                if std::is_x86_feature_detected!("avx2") {
                    // SAFETY: the CPU has AVX2, checked just above.
                    return unsafe { avx2($($arg),*) };
                }
            }
            kernel($($arg),*)
        }
    };
}
pub(crate) use widest;

/// Lanes of [`sum_of_squares`]'s partial sums.
const LANES: usize = 8;

widest! {
    /// Σ xᵢ² as eight interleaved partial sums (entry i goes to sum i mod 8, in order), added
    /// pairwise at the end: a fixed order, so the same bits everywhere, and one that vectorises,
    /// where a single running sum waits on each addition in turn.
    pub fn sum_of_squares(x: &[f64]) -> f64 {
        let mut acc = [0.0f64; LANES];
        let chunks = x.chunks_exact(LANES);
        let rest = chunks.remainder();
        for c in chunks {
            for l in 0..LANES {
                acc[l] += c[l] * c[l];
            }
        }
        for (l, v) in rest.iter().enumerate() {
            acc[l] += v * v;
        }
        ((acc[0] + acc[4]) + (acc[2] + acc[6])) + ((acc[1] + acc[5]) + (acc[3] + acc[7]))
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn sum_of_squares_is_exact_on_integers_and_empty() {
        assert_eq!(super::sum_of_squares(&[]), 0.0);
        let x: alloc::vec::Vec<f64> = (1..=21).map(f64::from).collect();
        assert_eq!(super::sum_of_squares(&x), (21 * 22 * 43 / 6) as f64);
    }
}
