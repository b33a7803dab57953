//! Elementary functions on `f64` that give the same bits natively and in wasm.
//!
//! `f64::sin` and friends are not in `core`, and with `std` they call the platform's libm, which
//! can differ by an ulp from the pure-Rust libm used on wasm. Going through nalgebra's
//! `ComplexField` with its `libm-force` feature uses the same code everywhere.
use nalgebra::ComplexField;

macro_rules! unary {
    ($($(#[$doc:meta])* $name:ident),*) => {$(
        $(#[$doc])*
        #[inline]
        pub fn $name(x: f64) -> f64 {
            <f64 as ComplexField>::$name(x)
        }
    )*};
}

unary!(
    /// sin x
    sin,
    /// cos x
    cos,
    /// tan x
    tan,
    /// eˣ
    exp,
    /// natural logarithm
    ln,
    /// √x
    sqrt,
    /// hyperbolic tangent
    tanh,
    /// hyperbolic sine
    sinh,
    /// hyperbolic cosine
    cosh,
    /// ln(1 + x), accurate for small x
    ln_1p,
    /// eˣ − 1, accurate for small x
    exp_m1
);

/// xᵖ for real p.
#[inline]
pub fn powf(x: f64, p: f64) -> f64 {
    <f64 as ComplexField>::powf(x, p)
}

/// xⁿ for integer n by repeated squaring (exact sequence of multiplications on every platform).
pub fn powi(x: f64, n: i32) -> f64 {
    let mut base = if n < 0 { 1.0 / x } else { x };
    let mut e = n.unsigned_abs();
    let mut acc = 1.0;
    while e > 0 {
        if e & 1 == 1 {
            acc *= base;
        }
        base *= base;
        e >>= 1;
    }
    acc
}

/// atan2(y, x).
#[inline]
pub fn atan2(y: f64, x: f64) -> f64 {
    nalgebra::RealField::atan2(y, x)
}

/// ln(1 + eˣ), computed without overflow for large x.
pub fn softplus(x: f64) -> f64 {
    if x > 0.0 {
        x + ln_1p(exp(-x))
    } else {
        ln_1p(exp(x))
    }
}

/// 1 / (1 + e⁻ˣ), computed without overflow for large |x|.
pub fn sigmoid(x: f64) -> f64 {
    if x >= 0.0 {
        1.0 / (1.0 + exp(-x))
    } else {
        let e = exp(x);
        e / (1.0 + e)
    }
}
