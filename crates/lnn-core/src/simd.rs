//! One kernel, compiled for the widest vectors the CPU has.
//!
//! The hot loops (activations, Adam, reductions) are written once as plain Rust over slices.
//! [`widest!`] compiles each a second and third time with AVX2 and AVX-512 enabled and picks
//! one at run time. Rust neither fuses a multiply and an add nor reassociates on its own, so
//! each version performs the same operations in the same order and gives the same bits as the
//! portable build (which is what wasm runs): only the vector width changes.

/// `widest! { fn name<F: Bound>(args) -> T { body } }` defines `name`, which runs `body` compiled
/// for AVX-512 or AVX2 when the CPU has them (native x86-64 with `std`), and as written otherwise.
/// The type parameters are optional (generic kernels are monomorphised per type, each compiled
/// for every width).
macro_rules! widest {
    ($(#[$meta:meta])* $vis:vis fn $name:ident $(<$($g:ident: $bound:path),+>)? ($($arg:ident: $ty:ty),* $(,)?) $(-> $ret:ty)? $body:block) => {
        $(#[$meta])*
        $vis fn $name $(<$($g: $bound),+>)? ($($arg: $ty),*) $(-> $ret)? {
            #[inline(always)]
            fn kernel $(<$($g: $bound),+>)? ($($arg: $ty),*) $(-> $ret)? $body
            #[cfg(all(feature = "std", target_arch = "x86_64"))]
            {
                #[target_feature(enable = "avx512f")]
                unsafe fn avx512 $(<$($g: $bound),+>)? ($($arg: $ty),*) $(-> $ret)? {
                    kernel $(::<$($g),+>)? ($($arg),*)
                }
                #[target_feature(enable = "avx2")]
                unsafe fn avx2 $(<$($g: $bound),+>)? ($($arg: $ty),*) $(-> $ret)? {
                    kernel $(::<$($g),+>)? ($($arg),*)
                }
                if std::is_x86_feature_detected!("avx512f") {
                    // SAFETY: the CPU has AVX-512F, checked just above.
                    return unsafe { avx512 $(::<$($g),+>)? ($($arg),*) };
                }
                if std::is_x86_feature_detected!("avx2") {
                    // SAFETY: the CPU has AVX2, checked just above.
                    return unsafe { avx2 $(::<$($g),+>)? ($($arg),*) };
                }
            }
            kernel $(::<$($g),+>)? ($($arg),*)
        }
    };
}
pub(crate) use widest;

/// Lanes of [`sum_of_squares`]'s partial sums.
const LANES: usize = 8;

widest! {
    /// Σ xᵢ² in f64 (each entry widened first) as eight interleaved partial sums (entry i goes
    /// to sum i mod 8, in order), added pairwise at the end: a fixed order, so the same bits
    /// everywhere, and one that vectorises, where a single running sum waits on each addition
    /// in turn. For f64 entries the widening is the identity.
    pub fn sum_of_squares<F: crate::Float>(x: &[F]) -> f64 {
        let mut acc = [0.0f64; LANES];
        let chunks = x.chunks_exact(LANES);
        let rest = chunks.remainder();
        for c in chunks {
            for l in 0..LANES {
                let v = c[l].to_f64();
                acc[l] += v * v;
            }
        }
        for (l, v) in rest.iter().enumerate() {
            let v = v.to_f64();
            acc[l] += v * v;
        }
        ((acc[0] + acc[4]) + (acc[2] + acc[6])) + ((acc[1] + acc[5]) + (acc[3] + acc[7]))
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn sum_of_squares_is_exact_on_integers_and_empty() {
        assert_eq!(super::sum_of_squares::<f64>(&[]), 0.0);
        let x: alloc::vec::Vec<f64> = (1..=21).map(f64::from).collect();
        assert_eq!(super::sum_of_squares(&x), (21 * 22 * 43 / 6) as f64);
        let y: alloc::vec::Vec<f32> = (1..=21u8).map(f32::from).collect();
        assert_eq!(super::sum_of_squares(&y), (21 * 22 * 43 / 6) as f64);
    }
}
