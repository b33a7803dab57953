//! The float type of the batched training pass, chosen at run time: [`Precision`] names it,
//! [`Float`] is what the generic code (matrix products, activations, the Taylor pass and its
//! reverse, Adam) is written over, implemented for `f32` and `f64` only.
//!
//! What stays `f64` whatever the precision (the maths needs it, or it is not the hot path):
//! the per-sample Euler–Lagrange solve M q̈ = r and its adjoint (`models::Lnn`, `models::GraphLnn`:
//! the pass's outputs are widened before the solve and the adjoints rounded after it), the loss and
//! its accumulation over the batch (`models::Loss::term`), the gradient norm
//! (`train::norm`), the input map and its seeds (`models::Normalisation`), and everything
//! that is not training: rollouts, integrators, metrics and the true systems run on the model's
//! `f64` parameters (`nn::Mlp<f64>`), which for an f32-trained model are the f32 values widened
//! exactly.
use core::fmt::Debug;
use core::ops::{Add, AddAssign, Div, Mul, MulAssign, Neg, Sub, SubAssign};

use crate::{Error, Result};

/// The float type of the batched training pass and of Adam.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Precision {
    /// 32-bit: twice the SIMD lanes, half the memory traffic; ~7 significant digits.
    F32,
    /// 64-bit (the default): what every result before the f32 path was computed in.
    #[default]
    F64,
}

/// Names accepted by [`Precision::from_name`].
pub const PRECISION_NAMES: &str = "f32, f64";

impl Precision {
    /// Parses `f32` or `f64`.
    ///
    /// # Errors
    /// [`Error::Unknown`] listing the names.
    pub fn from_name(name: &str) -> Result<Self> {
        match name {
            "f32" => Ok(Precision::F32),
            "f64" => Ok(Precision::F64),
            _ => Err(Error::Unknown {
                kind: "precision",
                name: name.into(),
                expected: PRECISION_NAMES,
            }),
        }
    }

    /// The name in files, URLs and on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Precision::F32 => "f32",
            Precision::F64 => "f64",
        }
    }
}

/// Per-type hooks of [`Float`] (kernels whose blocking depends on the lane width); sealed, so
/// only `f32` and `f64` implement [`Float`].
pub(crate) mod sealed {
    /// The hooks.
    pub trait Sealed: Sized {
        /// The portable matrix kernel at this type's register blocking, compiled for the widest
        /// vectors the CPU has (see `nn::gemm`).
        fn matmul_portable(
            m: usize,
            k: usize,
            n: usize,
            w: &[Self],
            y: &[Self],
            z: &mut [Self],
            accumulate: bool,
        );
        /// (σ, σ′, σ″, σ‴) of softplus at x: for f64 `Activation::derivatives` itself; for f32
        /// the same algorithm in f32 (`math::softplus_derivatives_f32`), 16 lanes wide.
        fn softplus(x: Self) -> [Self; 4];
        /// The explicit AVX-512 kernel.
        ///
        /// # Safety
        /// The CPU must support AVX-512F; the buffers must hold m·k, k·n and m·n entries.
        #[cfg(all(feature = "std", target_arch = "x86_64"))]
        unsafe fn matmul_avx512(
            m: usize,
            k: usize,
            n: usize,
            w: &[Self],
            y: &[Self],
            z: &mut [Self],
            accumulate: bool,
        );
    }
}

/// A float type of the training pass: `f32` or `f64`.
///
/// Arithmetic is plain IEEE 754 (+, −, ×, ÷ and √ correctly rounded, no fused multiply-add), so
/// generic code gives the same bits on every target for either type. For `f64` every method is
/// the identity or the operation itself, so code written over `F` computes exactly what it
/// computed when it was written over `f64`.
pub trait Float:
    sealed::Sealed
    + Copy
    + Default
    + PartialEq
    + PartialOrd
    + Debug
    + Send
    + Sync
    + 'static
    + Add<Output = Self>
    + Sub<Output = Self>
    + Mul<Output = Self>
    + Div<Output = Self>
    + Neg<Output = Self>
    + AddAssign
    + SubAssign
    + MulAssign
{
    /// Which precision this is.
    const PRECISION: Precision;
    /// 0.
    const ZERO: Self;
    /// Rounds an `f64` to this type (to nearest, ties to even).
    fn from_f64(x: f64) -> Self;
    /// Widens to `f64` (exact).
    fn to_f64(self) -> f64;
    /// √x, correctly rounded.
    fn sqrt(self) -> Self;
}

impl sealed::Sealed for f64 {
    #[inline(always)]
    fn matmul_portable(
        m: usize,
        k: usize,
        n: usize,
        w: &[f64],
        y: &[f64],
        z: &mut [f64],
        accumulate: bool,
    ) {
        crate::nn::gemm::matmul_widest_f64(m, k, n, w, y, z, accumulate);
    }
    #[inline(always)]
    fn softplus(x: f64) -> [f64; 4] {
        crate::nn::Activation::Softplus.derivatives(x)
    }
    #[cfg(all(feature = "std", target_arch = "x86_64"))]
    unsafe fn matmul_avx512(
        m: usize,
        k: usize,
        n: usize,
        w: &[f64],
        y: &[f64],
        z: &mut [f64],
        accumulate: bool,
    ) {
        // SAFETY: as the caller promised.
        unsafe { crate::nn::gemm::avx512::matmul::<f64>(m, k, n, w, y, z, accumulate) }
    }
}

impl sealed::Sealed for f32 {
    #[inline(always)]
    fn matmul_portable(
        m: usize,
        k: usize,
        n: usize,
        w: &[f32],
        y: &[f32],
        z: &mut [f32],
        accumulate: bool,
    ) {
        crate::nn::gemm::matmul_widest_f32(m, k, n, w, y, z, accumulate);
    }
    #[inline(always)]
    fn softplus(x: f32) -> [f32; 4] {
        crate::math::softplus_derivatives_f32(x)
    }
    #[cfg(all(feature = "std", target_arch = "x86_64"))]
    unsafe fn matmul_avx512(
        m: usize,
        k: usize,
        n: usize,
        w: &[f32],
        y: &[f32],
        z: &mut [f32],
        accumulate: bool,
    ) {
        // SAFETY: as the caller promised.
        unsafe { crate::nn::gemm::avx512::matmul::<f32>(m, k, n, w, y, z, accumulate) }
    }
}

impl Float for f64 {
    const PRECISION: Precision = Precision::F64;
    const ZERO: Self = 0.0;
    #[inline(always)]
    fn from_f64(x: f64) -> Self {
        x
    }
    #[inline(always)]
    fn to_f64(self) -> f64 {
        self
    }
    #[inline(always)]
    fn sqrt(self) -> Self {
        crate::math::sqrt(self)
    }
}

impl Float for f32 {
    const PRECISION: Precision = Precision::F32;
    const ZERO: Self = 0.0;
    #[inline(always)]
    fn from_f64(x: f64) -> Self {
        x as f32
    }
    #[inline(always)]
    fn to_f64(self) -> f64 {
        f64::from(self)
    }
    #[inline(always)]
    fn sqrt(self) -> Self {
        // IEEE 754 requires √ correctly rounded, so the instruction and libm agree.
        #[cfg(feature = "std")]
        {
            f32::sqrt(self)
        }
        #[cfg(not(feature = "std"))]
        {
            <f32 as nalgebra::ComplexField>::sqrt(self)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_unknown_is_listed() {
        for n in PRECISION_NAMES.split(", ") {
            assert_eq!(Precision::from_name(n).unwrap().name(), n);
        }
        assert_eq!(Precision::default(), Precision::F64);
        assert!(Precision::from_name("f16")
            .unwrap_err()
            .to_string()
            .contains("f32, f64"));
    }

    #[test]
    fn f32_sqrt_is_correctly_rounded() {
        // The f64 square root rounded to f32 is correctly rounded (53 ≥ 2·24 + 2).
        for x in [2.0f32, 3.0, 1e-30, 7.5e20, 0.1] {
            assert_eq!(Float::sqrt(x), crate::math::sqrt(f64::from(x)) as f32);
        }
    }
}
