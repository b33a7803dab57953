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
    /// hyperbolic tangent
    tanh,
    /// hyperbolic sine
    sinh,
    /// hyperbolic cosine
    cosh,
    /// arcsine, in [−π/2, π/2]
    asin,
    /// arccosine, in [0, π]
    acos,
    /// arctangent, in (−π/2, π/2)
    atan,
    /// ln(1 + x), accurate for small x
    ln_1p,
    /// eˣ − 1, accurate for small x
    exp_m1
);

/// √x. IEEE 754 requires it correctly rounded, so libm and the CPU instruction give the same
/// bits; with `std` it is the compiler's own, which it can vectorise (the optimiser's hot loop).
#[inline(always)]
pub fn sqrt(x: f64) -> f64 {
    #[cfg(feature = "std")]
    {
        x.sqrt()
    }
    #[cfg(not(feature = "std"))]
    {
        <f64 as ComplexField>::sqrt(x)
    }
}

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

/// ln(1 + eˣ) = max(x, 0) + ln(1 + e^(−|x|)), without overflow for large x; through the
/// branch-free [`exp_nonpositive`] and [`ln_1p_unit`], so it gives the same bits as the Taylor
/// pass's softplus.
pub fn softplus(x: f64) -> f64 {
    x.max(0.0) + ln_1p_unit(exp_nonpositive(-x.abs()))
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

/// eʸ for y ≤ 0 (larger y are treated as 0), and exactly 0 below y = −460 (eʸ < 1e−199).
/// Relative error below 3ε elsewhere (measured: within 2ε of libm).
///
/// The cut at −460 keeps a saturated activation's derivatives (products of such numbers) out of
/// the subnormal range, where the CPU takes ~100× longer per operation: measured on the graph
/// model at N = 100,000, whose untrained density saturates on its inputs of ~1e4, one
/// evaluation took 2.9 s with them and 0.40 s without (`lnn bench --only graph`).
///
/// Written for the hot loop of the Taylor pass, where libm's exp is most of the time: only +, −,
/// ×, ÷, comparisons and bit operations, no branches, so the same bits on every target and
/// loops over slices vectorise. Range reduction y = k·ln 2 + r with |r| ≤ ln 2 / 2 (k found by
/// the 1.5·2⁵² rounding trick, ln 2 split so k·ln2_hi is exact), eʳ by its Taylor polynomial of
/// degree 13 (remainder below 4e−18), then 2ᵏ built in the exponent bits.
#[inline(always)]
pub fn exp_nonpositive(y: f64) -> f64 {
    const MAGIC: f64 = 6_755_399_441_055_744.0; // 1.5·2⁵²
    const LN2_HI: f64 = 6.931_471_803_691_238e-1;
    const LN2_LO: f64 = 1.908_214_929_270_587_7e-10;
    const INV: [f64; 14] = [
        1.0,
        1.0,
        1.0 / 2.0,
        1.0 / 6.0,
        1.0 / 24.0,
        1.0 / 120.0,
        1.0 / 720.0,
        1.0 / 5_040.0,
        1.0 / 40_320.0,
        1.0 / 362_880.0,
        1.0 / 3_628_800.0,
        1.0 / 39_916_800.0,
        1.0 / 479_001_600.0,
        1.0 / 6_227_020_800.0,
    ];
    let y = y.clamp(-708.0, 0.0);
    let t = y * core::f64::consts::LOG2_E + MAGIC;
    let kf = t - MAGIC;
    let r = (y - kf * LN2_HI) - kf * LN2_LO;
    let mut p = INV[13];
    for c in INV[..13].iter().rev() {
        p = p * r + c;
    }
    // k = t's integer part as held in its low bits; 2ᵏ has exponent field k + 1023 ≥ 2.
    let k = (t.to_bits() as i64).wrapping_sub(MAGIC.to_bits() as i64);
    let e = p * f64::from_bits(((k + 1023) as u64) << 52);
    if y < -460.0 {
        0.0
    } else {
        e
    }
}

/// ln(1 + e) for 0 ≤ e ≤ 1, relative error below 3ε (measured: within 2.2ε of libm), branch-free like [`exp_nonpositive`] (together they
/// make softplus). ln(1 + e) = 2·atanh(s) with s = e/(2 + e), or above e = √2 − 1
/// ln 2 + 2·atanh((e − 1)/(e + 3)); either way |s| ≤ 0.1716, where the atanh series to s²³
/// leaves a relative remainder below 1e−18. Small e keep full relative accuracy (no 1 + e).
#[inline(always)]
pub fn ln_1p_unit(e: f64) -> f64 {
    const SQRT2_M1: f64 = core::f64::consts::SQRT_2 - 1.0;
    let big = e > SQRT2_M1;
    let num = if big { e - 1.0 } else { e };
    let den = if big { e + 3.0 } else { 2.0 + e };
    let s = num / den;
    let z = s * s;
    let mut p = 1.0 / 23.0;
    for k in (0..11).rev() {
        p = p * z + 1.0 / (2 * k + 1) as f64;
    }
    let shift = if big { core::f64::consts::LN_2 } else { 0.0 };
    shift + 2.0 * s * p
}

/// (σ, σ′, σ″, σ‴) of softplus at x in f32: the algorithm of the f64 softplus
/// (`nn::Activation::derivatives`) with f32 arithmetic and f32-sized polynomials
/// ([`exp_nonpositive_f32`], [`ln_1p_unit_f32`]), for the f32 training pass; branch-free, so
/// the same bits on every target and 16 lanes wide with AVX-512.
///
/// One division where the f64 code has two (divisions bound this loop): the sigmoid's
/// a/(1 + e), its complement and the logarithm's num/den (see [`ln_1p_unit_f32`]) share
/// 1/((1 + e)·den); 1 − σ′ is e/(1 + e) or 1/(1 + e) itself, not a difference.
#[inline(always)]
pub fn softplus_derivatives_f32(x: f32) -> [f32; 4] {
    let e = exp_nonpositive_f32(-x.abs());
    let (num, den, shift) = ln_1p_unit_f32_parts(e);
    let one_e = 1.0 + e;
    let inv = 1.0 / (one_e * den);
    let pos = x >= 0.0;
    let den_inv = den * inv;
    // σ′ = s and 1 − s each from its own numerator (no cancellation in 1 − s near s = 1).
    let s = if pos { 1.0 } else { e } * den_inv;
    let c = if pos { e } else { 1.0 } * den_inv;
    let d = s * c;
    let ln = ln_1p_series_f32(shift, num * one_e * inv);
    [x.max(0.0) + ln, s, d, d * (c - s)]
}

/// eʸ in f32 for y ≤ 0 (larger y are treated as 0), and exactly 0 below y = −64 (eʸ < 2e−28,
/// so products of a few such numbers stay out of f32's subnormal range, as
/// [`exp_nonpositive`]'s cut does for f64). Relative error within a few f32 ulps (tested).
///
/// As [`exp_nonpositive`]: y = k·ln 2 + r with |r| ≤ ln 2 / 2 (k by the 1.5·2²³ rounding trick,
/// ln 2 split Cody–Waite style so k·ln2_hi is exact), eʳ by its Taylor polynomial of degree 7
/// (remainder below 6e−9 relative, evaluated by Estrin's scheme), then 2ᵏ built in the
/// exponent bits.
#[inline(always)]
pub fn exp_nonpositive_f32(y: f32) -> f32 {
    const MAGIC: f32 = 12_582_912.0; // 1.5·2²³
    const LN2_HI: f32 = 0.693_359_4; // 355/512: 9 significant bits
    const LN2_LO: f32 = -2.121_944_4e-4;
    const INV: [f32; 8] = [
        1.0,
        1.0,
        1.0 / 2.0,
        1.0 / 6.0,
        1.0 / 24.0,
        1.0 / 120.0,
        1.0 / 720.0,
        1.0 / 5_040.0,
    ];
    let y = y.clamp(-87.0, 0.0);
    let t = y * core::f32::consts::LOG2_E + MAGIC;
    let kf = t - MAGIC;
    let r = (y - kf * LN2_HI) - kf * LN2_LO;
    // Estrin's scheme (pairs, then pairs of pairs): three levels of latency where Horner has
    // seven, which is what bounds this loop.
    let r2 = r * r;
    let r4 = r2 * r2;
    let p01 = INV[0] + INV[1] * r;
    let p23 = INV[2] + INV[3] * r;
    let p45 = INV[4] + INV[5] * r;
    let p67 = INV[6] + INV[7] * r;
    let p = (p01 + p23 * r2) + (p45 + p67 * r2) * r4;
    // k = t's integer part as held in its low bits; 2ᵏ has exponent field k + 127 ≥ 1.
    let k = (t.to_bits() as i32).wrapping_sub(MAGIC.to_bits() as i32);
    let e = p * f32::from_bits(((k + 127) as u32) << 23);
    if y < -64.0 {
        0.0
    } else {
        e
    }
}

/// ln(1 + e) in f32 for 0 ≤ e ≤ 1, as [`ln_1p_unit`]: 2·atanh(s) with |s| ≤ 0.1716, the
/// series to s¹¹ (relative remainder below 3e−9). Within a few f32 ulps (tested).
#[inline(always)]
pub fn ln_1p_unit_f32(e: f32) -> f32 {
    let (num, den, shift) = ln_1p_unit_f32_parts(e);
    ln_1p_series_f32(shift, num / den)
}

/// The argument s = num/den of the atanh series of ln(1 + e), and the shift (0 or ln 2).
#[inline(always)]
fn ln_1p_unit_f32_parts(e: f32) -> (f32, f32, f32) {
    const SQRT2_M1: f32 = core::f32::consts::SQRT_2 - 1.0;
    let big = e > SQRT2_M1;
    let num = if big { e - 1.0 } else { e };
    let den = if big { e + 3.0 } else { 2.0 + e };
    let shift = if big { core::f32::consts::LN_2 } else { 0.0 };
    (num, den, shift)
}

/// shift + 2·atanh(s) by its series to s¹¹.
#[inline(always)]
fn ln_1p_series_f32(shift: f32, s: f32) -> f32 {
    let z = s * s;
    // 1 + z/3 + z²/5 + … + z⁵/11 by Estrin's scheme (see `exp_nonpositive_f32`).
    let z2 = z * z;
    let z4 = z2 * z2;
    let p = (1.0 + z * (1.0 / 3.0))
        + (1.0 / 5.0 + z * (1.0 / 7.0)) * z2
        + (1.0 / 9.0 + z * (1.0 / 11.0)) * z4;
    shift + 2.0 * s * p
}

#[cfg(test)]
mod fast_tests {
    use super::*;

    /// Relative difference in units of ε (libm itself is within 1 ulp of the truth).
    fn ulps(a: f64, b: f64) -> f64 {
        ((a - b) / (b.abs() * f64::EPSILON)).abs()
    }

    #[test]
    fn exp_nonpositive_agrees_with_libm() {
        let mut worst = 0.0f64;
        for i in 0..200_000 {
            // Dense near 0, then out to the clamp.
            let y = -(i as f64 / 200_000.0).powi(3) * 460.0;
            worst = worst.max(ulps(exp_nonpositive(y), exp(y)));
        }
        assert!(worst <= 3.0, "worst {worst} ε");
        assert_eq!(exp_nonpositive(0.0), 1.0);
        assert_eq!(exp_nonpositive(5.0), 1.0);
        assert_eq!(exp_nonpositive(-460.5), 0.0);
        assert_eq!(exp_nonpositive(-1e4), 0.0);
    }

    /// Relative difference in units of f32's ε.
    fn ulps32(a: f32, b: f64) -> f64 {
        ((f64::from(a) - b) / (b.abs() * f64::from(f32::EPSILON))).abs()
    }

    #[test]
    fn f32_exp_and_ln_1p_agree_with_f64() {
        let mut worst = 0.0f64;
        for i in 0..200_000 {
            let y = -(i as f64 / 200_000.0).powi(3) * 64.0;
            let y32 = y as f32;
            worst = worst.max(ulps32(exp_nonpositive_f32(y32), exp(f64::from(y32))));
        }
        assert!(worst <= 4.0, "exp: worst {worst} ε₃₂");
        assert_eq!(exp_nonpositive_f32(0.0), 1.0);
        assert_eq!(exp_nonpositive_f32(3.0), 1.0);
        assert_eq!(exp_nonpositive_f32(-64.5), 0.0);
        assert_eq!(exp_nonpositive_f32(-1e30), 0.0);
        let mut worst = 0.0f64;
        for i in 1..=200_000 {
            let e = (i as f64 / 200_000.0) as f32;
            worst = worst.max(ulps32(ln_1p_unit_f32(e), ln_1p(f64::from(e))));
        }
        for e in [1e-30f32, 1e-12, 3e-8, 1e-5] {
            worst = worst.max(ulps32(ln_1p_unit_f32(e), ln_1p(f64::from(e))));
        }
        assert!(worst <= 4.0, "ln_1p: worst {worst} ε₃₂");
        assert_eq!(ln_1p_unit_f32(0.0), 0.0);
    }

    #[test]
    fn f32_softplus_derivatives_agree_with_f64() {
        for i in -4000..=4000 {
            let x = i as f32 * 0.01;
            let d32 = softplus_derivatives_f32(x);
            let d64 = crate::nn::Activation::Softplus.derivatives(f64::from(x));
            for k in 0..4 {
                // Absolute against the scale of each derivative (σ‴ passes through 0).
                let scale = [1.0f64.max(d64[0].abs()), 0.25, 0.1, 0.1][k];
                let err = (f64::from(d32[k]) - d64[k]).abs() / scale;
                assert!(
                    err < 8.0 * f64::from(f32::EPSILON),
                    "x {x} order {k}: {} vs {}",
                    d32[k],
                    d64[k]
                );
            }
        }
    }

    #[test]
    fn ln_1p_unit_agrees_with_libm() {
        let mut worst = 0.0f64;
        for i in 0..=200_000 {
            let e = i as f64 / 200_000.0;
            if e > 0.0 {
                worst = worst.max(ulps(ln_1p_unit(e), ln_1p(e)));
            }
        }
        for e in [1e-300, 1e-20, 3e-17, 1e-9, 1e-5] {
            worst = worst.max(ulps(ln_1p_unit(e), ln_1p(e)));
        }
        assert!(worst <= 3.0, "worst {worst} ε");
        assert_eq!(ln_1p_unit(0.0), 0.0);
    }
}
