//! The map from a physical state [q, q̇ or p, c] to network inputs: angles wrapped into
//! [−π, π) (the network cannot know that θ and θ + 2π are the same state) and fixed scales (the
//! paper feeds q/10 and g/10 for the relativistic particle). Both are applied before the network
//! and their derivative, the scale, is the direction vector of the Taylor pass.
use alloc::vec::Vec;

use crate::{Error, Result};

/// Per-input wrapping, compression and scaling.
#[derive(Clone, Debug, PartialEq)]
pub struct Normalisation {
    /// Whether input i is an angle to wrap into [−π, π).
    pub wrap: Vec<bool>,
    /// Whether input i is fed through asinh, for quantities spanning many decades (the
    /// relativistic particle's canonical momentum reaches 10⁷ in the paper's data).
    pub asinh: Vec<bool>,
    /// Input i is fed to the network as scale[i] · x_i (after wrapping or asinh).
    pub scale: Vec<f64>,
}

impl Normalisation {
    /// No wrapping, unit scales.
    pub fn identity(len: usize) -> Self {
        Normalisation {
            wrap: alloc::vec![false; len],
            asinh: alloc::vec![false; len],
            scale: alloc::vec![1.0; len],
        }
    }

    /// Number of inputs.
    pub fn len(&self) -> usize {
        self.scale.len()
    }

    /// True for zero inputs.
    pub fn is_empty(&self) -> bool {
        self.scale.is_empty()
    }

    /// Checks lengths and that scales are finite and non-zero.
    ///
    /// # Errors
    /// [`Error::InvalidConfig`] for `normalisation`.
    pub fn validate(&self, len: usize) -> Result<()> {
        if self.wrap.len() != len || self.scale.len() != len || self.asinh.len() != len {
            return Err(Error::config(
                "normalisation",
                alloc::format!(
                    "needs {len} entries in `wrap`, `asinh` and `scale` (one per input)"
                ),
            ));
        }
        if self.wrap.iter().zip(&self.asinh).any(|(w, a)| *w && *a) {
            return Err(Error::config(
                "normalisation",
                "an input cannot be both a wrapped angle and asinh-compressed",
            ));
        }
        if self.scale.iter().any(|s| !s.is_finite() || *s == 0.0) {
            return Err(Error::config(
                "normalisation",
                "every scale must be finite and non-zero",
            ));
        }
        Ok(())
    }

    /// Writes the network inputs for one state.
    pub fn apply(&self, x: &[f64], out: &mut [f64]) {
        for i in 0..self.len() {
            let v = if self.wrap[i] {
                wrap_angle(x[i])
            } else if self.asinh[i] {
                asinh(x[i])
            } else {
                x[i]
            };
            out[i] = v * self.scale[i];
        }
    }

    /// True when some input is mapped nonlinearly (asinh), so derivatives need [`Self::derivatives`].
    pub fn is_nonlinear(&self) -> bool {
        self.asinh.iter().any(|&a| a)
    }

    /// The map's first and second derivative for each input of one state (before the scale):
    /// 1 and 0 for linear inputs, 1/√(1+x²) and −x/(1+x²)^(3/2) for asinh.
    pub fn derivatives(&self, x: &[f64], first: &mut [f64], second: &mut [f64]) {
        for i in 0..self.len() {
            if self.asinh[i] {
                let r = 1.0 + x[i] * x[i];
                let s = crate::math::sqrt(r);
                first[i] = 1.0 / s;
                second[i] = -x[i] / (r * s);
            } else {
                first[i] = 1.0;
                second[i] = 0.0;
            }
        }
    }
}

/// asinh x = sign(x)·ln(|x| + √(x² + 1)), accurate for large |x|.
pub fn asinh(x: f64) -> f64 {
    let a = x.abs();
    let r = if a > 1e8 {
        crate::math::ln(a) + core::f64::consts::LN_2
    } else {
        crate::math::ln_1p(a + a * a / (1.0 + crate::math::sqrt(1.0 + a * a)))
    };
    if x < 0.0 {
        -r
    } else {
        r
    }
}

/// θ mapped into [−π, π).
pub fn wrap_angle(theta: f64) -> f64 {
    use core::f64::consts::{PI, TAU};
    let r = (theta + PI) % TAU;
    (if r < 0.0 { r + TAU } else { r }) - PI
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrapping_lands_in_range_and_keeps_the_angle() {
        for t in [
            -20.0,
            -3.5,
            -core::f64::consts::PI,
            0.0,
            3.0,
            3.2,
            7.0,
            100.0,
        ] {
            let w = wrap_angle(t);
            assert!(
                (-core::f64::consts::PI..core::f64::consts::PI).contains(&w),
                "{t} -> {w}"
            );
            assert!((crate::math::sin(w) - crate::math::sin(t)).abs() < 1e-12);
            assert!((crate::math::cos(w) - crate::math::cos(t)).abs() < 1e-12);
        }
    }
}
