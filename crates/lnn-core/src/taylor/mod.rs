//! Second-order forward-mode ("Taylor-mode") derivatives without symbolic algebra.
//!
//! Write a function once, generic over [`Scalar`]; evaluate it on `f64` for its value or on
//! [`Jet`] for its value, gradient and the Hessian blocks of the Euler–Lagrange equation.
//! Every elementary function is defined by its scalar derivative stack (f, f′, f″) at the
//! point, passed to the one chain-rule hook [`Scalar::chain`].
use core::ops::{Add, AddAssign, Div, Mul, MulAssign, Neg, Sub, SubAssign};

use crate::math;

mod jet;
pub use jet::Jet;

/// A number type a Lagrangian can be written over: `f64`, or a [`Jet`] carrying derivatives.
///
/// In code generic over `S: Scalar`, plain `f64` constants stand on the right of an operator
/// (`v * v * 0.5`, `x + 1.0`); on the left, lift them with [`Scalar::from_f64`]:
///
/// ```
/// use lnn_core::taylor::Scalar;
/// // L = ½ m v² − ½ k x² for m = 2, k = 3, written as a generic function.
/// fn lagrangian<S: Scalar>(x: S, v: S) -> S {
///     v * v * 0.5 * 2.0 - S::from_f64(1.5) * x * x
/// }
/// assert_eq!(lagrangian(1.0, 2.0), 2.5);
/// ```
///
/// (`0.5 * v` compiles for a concrete `Jet`, but a generic `S` cannot promise `f64: Mul<S>`.)
pub trait Scalar:
    Copy
    + Add<Output = Self>
    + Sub<Output = Self>
    + Mul<Output = Self>
    + Div<Output = Self>
    + Neg<Output = Self>
    + Add<f64, Output = Self>
    + Sub<f64, Output = Self>
    + Mul<f64, Output = Self>
    + Div<f64, Output = Self>
    + AddAssign
    + SubAssign
    + MulAssign
{
    /// A constant (all derivatives zero).
    fn from_f64(x: f64) -> Self;

    /// The value, without derivatives.
    fn value(&self) -> f64;

    /// Applies a scalar function f at this point, given f(x) and, lazily, (f′(x), f″(x)).
    /// `f64` never asks for the derivatives.
    fn chain(self, f0: f64, derivatives: impl FnOnce() -> (f64, f64)) -> Self;

    /// sin x
    fn sin(self) -> Self {
        let x = self.value();
        let s = math::sin(x);
        self.chain(s, || (math::cos(x), -s))
    }
    /// cos x
    fn cos(self) -> Self {
        let x = self.value();
        let c = math::cos(x);
        self.chain(c, || (-math::sin(x), -c))
    }
    /// eˣ
    fn exp(self) -> Self {
        let e = math::exp(self.value());
        self.chain(e, || (e, e))
    }
    /// ln x (x > 0)
    fn ln(self) -> Self {
        let x = self.value();
        self.chain(math::ln(x), || (1.0 / x, -1.0 / (x * x)))
    }
    /// √x (x > 0 for finite derivatives)
    fn sqrt(self) -> Self {
        let x = self.value();
        let r = math::sqrt(x);
        self.chain(r, || (0.5 / r, -0.25 / (r * x)))
    }
    /// 1/x
    fn recip(self) -> Self {
        let x = self.value();
        let r = 1.0 / x;
        self.chain(r, || (-r * r, 2.0 * r * r * r))
    }
    /// xᵖ for real p (x > 0 unless p is a non-negative integer). p = 0, 1 and 2 have their exact
    /// derivatives everywhere (the general formula gives 0·∞ = NaN at x = 0 for p = 0 and 1).
    fn powf(self, p: f64) -> Self {
        let x = self.value();
        self.chain(math::powf(x, p), || match p {
            0.0 => (0.0, 0.0),
            1.0 => (1.0, 0.0),
            2.0 => (2.0 * x, 2.0),
            _ => (
                p * math::powf(x, p - 1.0),
                p * (p - 1.0) * math::powf(x, p - 2.0),
            ),
        })
    }
    /// xⁿ for integer n; n = 0 and 1 have their exact derivatives at x = 0 too (a polynomial in
    /// q̇ written with `powi` is then fine at rest).
    fn powi(self, n: i32) -> Self {
        let x = self.value();
        self.chain(math::powi(x, n), || match n {
            0 => (0.0, 0.0),
            1 => (1.0, 0.0),
            _ => {
                let nf = f64::from(n);
                (
                    nf * math::powi(x, n - 1),
                    nf * (nf - 1.0) * math::powi(x, n - 2),
                )
            }
        })
    }
    /// tan x; tan′ = 1 + tan², tan″ = 2 tan (1 + tan²)
    fn tan(self) -> Self {
        let t = math::tan(self.value());
        self.chain(t, || {
            let d = 1.0 + t * t;
            (d, 2.0 * t * d)
        })
    }
    /// asin x (|x| ≤ 1; derivatives infinite at ±1); asin′ = 1/√(1−x²), asin″ = x/(1−x²)^(3/2)
    fn asin(self) -> Self {
        let x = self.value();
        self.chain(math::asin(x), || {
            let r = 1.0 - x * x;
            let s = math::sqrt(r);
            (1.0 / s, x / (r * s))
        })
    }
    /// acos x (|x| ≤ 1); acos′ = −1/√(1−x²), acos″ = −x/(1−x²)^(3/2)
    fn acos(self) -> Self {
        let x = self.value();
        self.chain(math::acos(x), || {
            let r = 1.0 - x * x;
            let s = math::sqrt(r);
            (-1.0 / s, -x / (r * s))
        })
    }
    /// atan x; atan′ = 1/(1+x²), atan″ = −2x/(1+x²)²
    fn atan(self) -> Self {
        let x = self.value();
        self.chain(math::atan(x), || {
            let r = 1.0 / (1.0 + x * x);
            (r, -2.0 * x * r * r)
        })
    }
    /// sinh x
    fn sinh(self) -> Self {
        let x = self.value();
        let s = math::sinh(x);
        self.chain(s, || (math::cosh(x), s))
    }
    /// cosh x
    fn cosh(self) -> Self {
        let x = self.value();
        let c = math::cosh(x);
        self.chain(c, || (math::sinh(x), c))
    }
    /// |x|, with derivative sign x and second derivative 0; at x = 0 both are taken as 0 (the
    /// mean of the one-sided slopes), so |q̇| at rest contributes no force and no mass.
    fn abs(self) -> Self {
        let x = self.value();
        let sign = if x > 0.0 {
            1.0
        } else if x < 0.0 {
            -1.0
        } else {
            0.0
        };
        self.chain(x.abs(), || (sign, 0.0))
    }
    /// x²
    fn square(self) -> Self {
        self * self
    }
    /// asinh x; asinh′ = 1/√(1+x²), asinh″ = −x/(1+x²)^(3/2)
    fn asinh(self) -> Self {
        let x = self.value();
        self.chain(crate::models::asinh(x), || {
            let r = 1.0 + x * x;
            let s = math::sqrt(r);
            (1.0 / s, -x / (r * s))
        })
    }
    /// atanh x for |x| < 1; atanh′ = 1/(1 − x²), atanh″ = 2x/(1 − x²)²
    fn atanh(self) -> Self {
        let x = self.value();
        self.chain(crate::models::atanh(x), || {
            let r = 1.0 / ((1.0 - x) * (1.0 + x));
            (r, 2.0 * x * r * r)
        })
    }
    /// tanh x
    fn tanh(self) -> Self {
        let t = math::tanh(self.value());
        self.chain(t, || {
            let d = 1.0 - t * t;
            (d, -2.0 * t * d)
        })
    }
    /// softplus x = ln(1 + eˣ); softplus′ = sigmoid, softplus″ = σ(1 − σ)
    fn softplus(self) -> Self {
        let x = self.value();
        self.chain(math::softplus(x), || {
            let s = math::sigmoid(x);
            (s, s * (1.0 - s))
        })
    }
    /// sigmoid x = 1/(1 + e⁻ˣ)
    fn sigmoid(self) -> Self {
        let s = math::sigmoid(self.value());
        self.chain(s, || {
            let d = s * (1.0 - s);
            (d, d * (1.0 - 2.0 * s))
        })
    }
}

impl Scalar for f64 {
    #[inline]
    fn from_f64(x: f64) -> Self {
        x
    }
    #[inline]
    fn value(&self) -> f64 {
        *self
    }
    #[inline]
    fn chain(self, f0: f64, _derivatives: impl FnOnce() -> (f64, f64)) -> Self {
        f0
    }
}

#[cfg(test)]
mod tests;
