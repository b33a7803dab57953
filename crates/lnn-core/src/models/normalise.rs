//! The map from a physical state [q, q̇ or p, c] to network inputs (features): angles wrapped
//! into [−π, π) or fed as the point (cos θ, sin θ) on the circle (the network cannot know that θ
//! and θ + 2π are the same state), asinh for quantities spanning decades, atanh for a velocity
//! bounded by the speed of light, and fixed scales (the paper feeds q/10 and g/10 for the
//! relativistic particle). The map's derivatives seed the Taylor pass ([`Normalisation::seed`]).
use alloc::vec::Vec;

use crate::nn::taylor_pass::Plan;
use crate::{Error, Result};

/// How a network is fed the angles of a state: wrapped into [−π, π) (one feature) or as the
/// point (cos θ, sin θ) on the circle (two features).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Angles {
    /// Wrapped into [−π, π): the systems' default input map, and the shipped weights'.
    #[default]
    Wrap,
    /// (cos θ, sin θ). Measured on the double pendulum (LNN 2×64, batch 32, one-cycle 3e-3,
    /// 300k steps, seed 0, the paper's energy protocol): mean energy error 0.11 % against
    /// 1.6 % wrapped; the network no longer has to learn to hide a seam at ±π.
    Circle,
}

/// Names accepted by [`Angles::from_name`].
pub const ANGLES_NAMES: &str = "wrap, circle";

impl Angles {
    /// Parses `wrap` or `circle`.
    ///
    /// # Errors
    /// [`Error::Unknown`] listing the names.
    pub fn from_name(name: &str) -> Result<Self> {
        match name {
            "wrap" => Ok(Angles::Wrap),
            "circle" => Ok(Angles::Circle),
            _ => Err(Error::Unknown {
                kind: "angles",
                name: name.into(),
                expected: ANGLES_NAMES,
            }),
        }
    }

    /// The name on the command line and in settings.
    pub fn name(self) -> &'static str {
        match self {
            Angles::Wrap => "wrap",
            Angles::Circle => "circle",
        }
    }
}

/// Per-input wrapping, compression and scaling.
#[derive(Clone, Debug, PartialEq)]
pub struct Normalisation {
    /// Whether input i is an angle to wrap into [−π, π).
    pub wrap: Vec<bool>,
    /// Whether input i is fed through asinh, for quantities spanning many decades (the
    /// relativistic particle's canonical momentum reaches 10⁷ in the paper's data).
    pub asinh: Vec<bool>,
    /// Whether input i is an angle fed as the two features (cos θ, sin θ): smooth and exactly
    /// periodic, where wrapping leaves a seam at ±π the network must learn to hide. Files
    /// written before this existed have none.
    pub circle: Vec<bool>,
    /// Input i is fed to the network as scale[i] · f(x_i) (f: wrapping, asinh, cos and sin, or
    /// the identity).
    pub scale: Vec<f64>,
    /// Per input fed through asinh: the scale of a second feature linear[i] · x_i beside it (0:
    /// none). Why both: asinh serves the small end of a quantity spanning decades, the linear
    /// feature its large end. The relativistic particle's q̇ = ∂H/∂p must level off at ±1 as
    /// |p| → 10⁷, i.e. H ≈ |p| there: a softplus network makes that from a linear feature but
    /// would have to grow like cosh in asinh(p); and near p = 0 the linear feature alone is too
    /// fine to resolve. Empty (files written before it existed): none.
    pub linear: Vec<f64>,
    /// Whether input i, bounded to (−1, 1), is fed through atanh (the rapidity of a velocity in
    /// units of c). Why: the relativistic particle's mass ∂²L/∂q̇² = (1 + 2q̇²)γ⁵ grows to 10¹³
    /// at the paper's |q̇| = 0.99999, which a softplus network of q̇ cannot make (its curvature
    /// is bounded by its weights); through u = atanh q̇ the chain rule multiplies the network's
    /// curvature by u′² = γ⁴, so it need only grow like γ. A state outside (−1, 1) is refused
    /// ([`Normalisation::check_domain`]). Empty (files written before it existed): none.
    pub atanh: Vec<bool>,
}

impl Normalisation {
    /// No wrapping, unit scales.
    pub fn identity(len: usize) -> Self {
        Normalisation {
            wrap: alloc::vec![false; len],
            asinh: alloc::vec![false; len],
            circle: alloc::vec![false; len],
            scale: alloc::vec![1.0; len],
            linear: alloc::vec![0.0; len],
            atanh: alloc::vec![false; len],
        }
    }

    /// The same map with its angles fed as `angles` says.
    pub fn with_angles(self, angles: Angles) -> Self {
        match angles {
            Angles::Wrap => self,
            Angles::Circle => self.angles_on_circle(),
        }
    }

    /// The same map with every wrapped angle fed as (cos θ, sin θ) instead.
    pub fn angles_on_circle(mut self) -> Self {
        for (w, c) in self.wrap.iter_mut().zip(&mut self.circle) {
            *c |= core::mem::take(w);
        }
        self
    }

    /// Number of network inputs (features): one per input, two per circle input or asinh input
    /// with a linear feature beside it.
    pub fn features(&self) -> usize {
        (0..self.len()).map(|i| self.width(i)).sum()
    }

    /// Features of input i: 2 for a circle or asinh-and-linear input, else 1.
    pub fn width(&self, i: usize) -> usize {
        1 + usize::from(self.circle[i] || self.has_linear(i))
    }

    /// Whether input i has a linear feature beside its asinh feature.
    pub fn has_linear(&self, i: usize) -> bool {
        self.linear.get(i).is_some_and(|&l| l != 0.0)
    }

    /// Number of inputs (state entries).
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
        if [
            self.wrap.len(),
            self.asinh.len(),
            self.circle.len(),
            self.scale.len(),
            self.linear.len(),
            self.atanh.len(),
        ]
        .iter()
        .any(|&l| l != len)
        {
            return Err(Error::config(
                "normalisation",
                alloc::format!(
                    "needs {len} entries in `wrap`, `asinh`, `circle`, `scale`, `linear` and `atanh` (one per input)"
                ),
            ));
        }
        if self.linear.iter().any(|s| !s.is_finite()) {
            return Err(Error::config(
                "normalisation",
                "every `linear` scale must be finite (0: no linear feature)",
            ));
        }
        if (0..len).any(|i| self.has_linear(i) && !self.asinh[i]) {
            return Err(Error::config(
                "normalisation",
                "a `linear` feature goes beside an asinh-compressed input only (a linear input is linear already)",
            ));
        }
        if (0..len).any(|i| {
            [self.wrap[i], self.asinh[i], self.circle[i], self.atanh[i]]
                .iter()
                .filter(|&&b| b)
                .count()
                > 1
        }) {
            return Err(Error::config(
                "normalisation",
                "an input can be at most one of: a wrapped angle, a circle angle, asinh-compressed, atanh of a velocity",
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

    /// Writes the network inputs (features) for one state: `out` has [`Self::features`] entries.
    pub fn apply(&self, x: &[f64], out: &mut [f64]) {
        let mut f = 0;
        for i in 0..self.len() {
            let s = self.scale[i];
            if self.circle[i] {
                out[f] = s * crate::math::cos(x[i]);
                out[f + 1] = s * crate::math::sin(x[i]);
                f += 2;
                continue;
            }
            out[f] = s * if self.wrap[i] {
                wrap_angle(x[i])
            } else if self.asinh[i] {
                asinh(x[i])
            } else if self.atanh[i] {
                atanh(x[i])
            } else {
                x[i]
            };
            if self.has_linear(i) {
                out[f + 1] = self.linear[i] * x[i];
            }
            f += self.width(i);
        }
    }

    /// True when some input is mapped nonlinearly (asinh, atanh or the circle), so its
    /// derivatives depend on the state.
    pub fn is_nonlinear(&self) -> bool {
        self.asinh
            .iter()
            .chain(&self.circle)
            .chain(&self.atanh)
            .any(|&a| a)
    }

    /// Checks that every atanh input of `samples` states (of [`Self::len`] numbers each) lies in
    /// (−1, 1), where its feature is defined: a learned rollout that overshoots the speed of
    /// light is told so, not handed an infinite feature.
    ///
    /// # Errors
    /// [`Error::InvalidConfig`] for `state`, naming the input and its value.
    pub fn check_domain(&self, states: &[f64], samples: usize) -> Result<()> {
        let d = self.len();
        if !self.atanh.iter().any(|&a| a) {
            return Ok(());
        }
        for s in 0..samples {
            for (i, &x) in states[s * d..(s + 1) * d].iter().enumerate() {
                if self.atanh[i] && (x.is_nan() || x.abs() >= 1.0) {
                    return Err(Error::config(
                        "state",
                        alloc::format!(
                            "state entry {i} is {x}, outside (−1, 1) where the model's atanh input is defined (a velocity in units of the speed of light)"
                        ),
                    ));
                }
            }
        }
        Ok(())
    }

    /// Writes one sample's block of the Taylor pass's input, `columns × features` (zeroed by the
    /// caller): the features, then for each of `plan`'s directions (indices of inputs) the
    /// derivative of every feature along it, then for each pair of directions on the same input
    /// the second derivative (pairs on different inputs have none: each feature depends on one
    /// input).
    pub fn seed(&self, plan: &Plan, x: &[f64], block: &mut [f64]) {
        let width = self.features();
        self.apply(x, &mut block[..width]);
        let nd = plan.directions.len();
        for (d, dir) in plan.directions.iter().enumerate() {
            let (f, [d1, d2], _) = self.feature_derivatives(dir.input, x[dir.input]);
            let col = &mut block[(1 + d) * width..(2 + d) * width];
            col[f] = d1;
            if self.width(dir.input) == 2 {
                col[f + 1] = d2;
            }
        }
        for (p, &(a, b)) in plan.pairs.iter().enumerate() {
            let i = plan.directions[a].input;
            if i != plan.directions[b].input || !self.is_nonlinear() {
                continue;
            }
            let (f, _, [s1, s2]) = self.feature_derivatives(i, x[i]);
            let col = &mut block[(1 + nd + p) * width..(2 + nd + p) * width];
            col[f] = s1;
            if self.width(i) == 2 {
                col[f + 1] = s2;
            }
        }
    }

    /// |d features / dx_i| at x_i = x, the length of the derivative of input i's (one or two)
    /// features: |scale| times asinh′ or atanh′, or |scale| for a circle input; never 0.
    pub fn slope(&self, i: usize, x: f64) -> f64 {
        let [a, b] = self.feature_derivatives(i, x).1;
        crate::math::sqrt(a * a + b * b)
    }

    /// The index of input i's first feature and the first and second derivatives of its (one
    /// or two) features with respect to x_i (the second feature's entries are 0 unless circle
    /// or asinh with a linear feature).
    fn feature_derivatives(&self, i: usize, x: f64) -> (usize, [f64; 2], [f64; 2]) {
        let f = (0..i).map(|j| self.width(j)).sum();
        let s = self.scale[i];
        if self.circle[i] {
            let (c, sn) = (crate::math::cos(x), crate::math::sin(x));
            (f, [-s * sn, s * c], [-s * c, -s * sn])
        } else if self.asinh[i] {
            let r = 1.0 + x * x;
            let q = crate::math::sqrt(r);
            let l = if self.has_linear(i) {
                self.linear[i]
            } else {
                0.0
            };
            (f, [s / q, l], [-s * x / (r * q), 0.0])
        } else if self.atanh[i] {
            // 1 − x² as (1 − x)(1 + x): exact to rounding as |x| → 1.
            let r = 1.0 / ((1.0 - x) * (1.0 + x));
            (f, [s * r, 0.0], [2.0 * s * x * r * r, 0.0])
        } else {
            (f, [s, 0.0], [0.0, 0.0])
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

/// atanh x = ½ ln((1 + x)/(1 − x)) for |x| < 1, as ½ ln_1p(2x/(1 − x)): accurate near 0 and,
/// unlike ln((1 + x)/(1 − x)), to rounding as |x| → 1.
pub fn atanh(x: f64) -> f64 {
    let a = x.abs();
    let r = 0.5 * crate::math::ln_1p(2.0 * a / (1.0 - a));
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
    use crate::nn::taylor_pass::Direction;

    #[test]
    fn seeds_are_the_derivatives_of_the_features() {
        // Inputs: linear, wrapped, asinh, circle; a direction on each and a pair of each with itself.
        let norm = Normalisation {
            wrap: alloc::vec![false, true, false, false],
            asinh: alloc::vec![false, false, true, false],
            circle: alloc::vec![false, false, false, true],
            scale: alloc::vec![0.5, 2.0, 0.3, 0.7],
            linear: alloc::vec![0.0, 0.0, 0.2, 0.0],
            atanh: alloc::vec![false; 4],
        };
        norm.validate(4).unwrap();
        let plan = Plan {
            directions: (0..4)
                .map(|input| Direction {
                    input,
                    scale: norm.scale[input],
                })
                .collect(),
            pairs: (0..4).map(|d| (d, d)).collect(),
        };
        let x = [0.4, 5.0, -3.0, 2.5];
        let w = norm.features();
        assert_eq!(
            w, 6,
            "asinh with its linear feature and the circle: two each"
        );
        let mut block = alloc::vec![0.0; plan.columns() * w];
        norm.seed(&plan, &x, &mut block);
        let features = |x: &[f64]| {
            let mut f = alloc::vec![0.0; w];
            norm.apply(x, &mut f);
            f
        };
        let h = 1e-4;
        for d in 0..4 {
            let shifted = |t: f64| {
                let mut y = x;
                y[d] += t;
                features(&y)
            };
            let (p, m, c) = (shifted(h), shifted(-h), features(&x));
            for f in 0..w {
                let first = (p[f] - m[f]) / (2.0 * h);
                let second = (p[f] - 2.0 * c[f] + m[f]) / (h * h);
                assert!((block[(1 + d) * w + f] - first).abs() < 1e-7, "d{d} f{f}");
                assert!((block[(5 + d) * w + f] - second).abs() < 1e-5, "d{d} f{f}");
            }
        }
    }

    #[test]
    fn atanh_is_accurate_to_the_speed_of_light_and_seeds_its_derivatives() {
        // References: ½ ln((1 + x)/(1 − x)) at the exact double x in 50-digit decimal
        // arithmetic (Python's decimal), rounded to the nearest double.
        for (x, want) in [
            (1e-10, 1e-10),
            (0.5, 0.5493061443340549),
            (0.99, 2.6466524123622457),
            (0.99999, 6.1030338227611125),
            (-0.9999999999, -11.859499013855018),
        ] {
            let got = atanh(x);
            assert!(
                ((got - want) / want).abs() < 4.0 * f64::EPSILON,
                "atanh({x}) = {got}, want {want}"
            );
        }
        let mut norm = Normalisation::identity(2);
        norm.atanh[1] = true;
        norm.scale[1] = 0.5;
        norm.validate(2).unwrap();
        let plan = Plan {
            directions: alloc::vec![Direction {
                input: 1,
                scale: 0.5
            }],
            pairs: alloc::vec![(0, 0)],
        };
        for v in [0.0, 0.4, -0.9, 0.999] {
            let x = [0.2, v];
            let mut block = alloc::vec![0.0; plan.columns() * 2];
            norm.seed(&plan, &x, &mut block);
            let r = 1.0 / (1.0 - v * v);
            assert_eq!(block[1], 0.5 * atanh(v));
            assert!((block[3] - 0.5 * r).abs() <= 1e-12 * r, "{v}: first");
            assert!((block[5] - v * r * r).abs() <= 1e-12 * r * r, "{v}: second");
        }
        assert!(norm.check_domain(&[0.0, 0.99999, 3.0, -0.5], 2).is_ok());
        let err = norm.check_domain(&[0.0, 0.5, 3.0, -1.0], 2).unwrap_err();
        assert!(err.to_string().contains("state entry 1 is -1"), "{err}");
        norm.asinh[1] = true;
        assert!(norm.validate(2).is_err(), "atanh and asinh on one input");
    }

    #[test]
    fn a_linear_feature_sits_beside_asinh_only() {
        let mut norm = Normalisation::identity(3);
        norm.linear[1] = 0.3;
        assert!(norm.validate(3).is_err(), "linear beside a linear input");
        norm.asinh[1] = true;
        norm.validate(3).unwrap();
        assert_eq!(norm.features(), 4);
        let mut out = [0.0; 4];
        norm.apply(&[1.0, 2.0, 3.0], &mut out);
        assert_eq!(out, [1.0, asinh(2.0), 0.3 * 2.0, 3.0]);
        norm.linear[1] = f64::NAN;
        assert!(norm.validate(3).is_err());
    }

    #[test]
    fn an_input_is_one_kind_of_angle_at_most() {
        let mut norm = Normalisation::identity(2);
        norm.wrap[1] = true;
        norm.circle[1] = true;
        assert!(norm.validate(2).is_err());
    }

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
