//! Activations with their first three derivatives: the forward Taylor pass needs σ, σ′, σ″ and
//! its reverse pass differentiates σ″ once more.
use crate::{math, Error, Result};

/// A pointwise nonlinearity.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Activation {
    /// ln(1 + eˣ): smooth, the paper's choice and the default.
    Softplus,
    /// tanh x.
    Tanh,
    /// 1/(1 + e⁻ˣ).
    Sigmoid,
    /// max(0, x)²: once continuously differentiable.
    Relu2,
    /// max(0, x)³: twice continuously differentiable.
    Relu3,
    /// max(0, x): for the baseline only; its second derivative is zero everywhere, so a
    /// Lagrangian made of it has a zero mass matrix.
    Relu,
}

/// Names accepted by [`Activation::from_name`].
pub const ACTIVATION_NAMES: &str = "softplus, tanh, sigmoid, relu2, relu3, relu";

impl Activation {
    /// Parses a name.
    ///
    /// # Errors
    /// [`Error::Unknown`] listing the names.
    pub fn from_name(name: &str) -> Result<Self> {
        Ok(match name {
            "softplus" => Activation::Softplus,
            "tanh" => Activation::Tanh,
            "sigmoid" => Activation::Sigmoid,
            "relu2" => Activation::Relu2,
            "relu3" => Activation::Relu3,
            "relu" => Activation::Relu,
            _ => {
                return Err(Error::Unknown {
                    kind: "activation",
                    name: name.into(),
                    expected: ACTIVATION_NAMES,
                })
            }
        })
    }

    /// The name used in files, URLs and on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Activation::Softplus => "softplus",
            Activation::Tanh => "tanh",
            Activation::Sigmoid => "sigmoid",
            Activation::Relu2 => "relu2",
            Activation::Relu3 => "relu3",
            Activation::Relu => "relu",
        }
    }

    /// True when σ″ is not identically zero, so a Lagrangian built from it can have a mass matrix.
    pub fn has_curvature(self) -> bool {
        self != Activation::Relu
    }

    /// σ(x).
    #[inline]
    pub fn value(self, x: f64) -> f64 {
        match self {
            Activation::Softplus => math::softplus(x),
            Activation::Tanh => math::tanh(x),
            Activation::Sigmoid => math::sigmoid(x),
            Activation::Relu2 => relu(x) * relu(x),
            Activation::Relu3 => relu(x) * relu(x) * relu(x),
            Activation::Relu => relu(x),
        }
    }

    /// [`Self::derivatives`] of every entry of `z`, into `out[k][i]` (the same bits), in one
    /// loop per activation, compiled for the widest vectors the CPU has.
    ///
    /// In f32, softplus (the default, and the hot one) runs its own f32 algorithm, 16 lanes wide
    /// (`math::softplus_derivatives_f32`, within a few f32 ulps); the other activations are
    /// evaluated in f64 and each value rounded once to f32 (they are not on the hot path).
    pub fn derivatives_into<F: crate::Float>(self, z: &[F], out: [&mut [F]; 4]) {
        derivatives_all(self, z, out);
    }

    /// (σ, σ′, σ″, σ‴) at x.
    #[inline]
    pub fn derivatives(self, x: f64) -> [f64; 4] {
        match self {
            Activation::Softplus => {
                // One exp serves both: with e = e^(−|x|), softplus = max(x, 0) + ln(1 + e) and
                // sigmoid = 1/(1 + e) or e/(1 + e). The hot loop of every Taylor pass runs here,
                // so the branch-free exp and ln(1 + e) of `math` (libm's were most of its time).
                //
                // σ″ = s·c with s = σ′ and c = 1 − s each from its own numerator, never as
                // s(1 − s): s is rounded to ~1e-16 absolute, so 1 − s near saturation keeps
                // only ~1e-16/e of relative accuracy (3e-8 at x = 20, and σ″ = 0 from x ≈ 37),
                // where s·c keeps a few ulps. A learned mass matrix is a sum of σ″ terms that
                // can cancel to 1e-4 of their size (the relativistic LNN's M ≈ 3e-7), so that
                // error reached q̈ (8e-9 relative against 50-digit arithmetic; 2e-11 now).
                let e = math::exp_nonpositive(-x.abs());
                let inv = 1.0 / (1.0 + e);
                let (s, c) = if x >= 0.0 {
                    (inv, e * inv)
                } else {
                    (e * inv, inv)
                };
                let d = s * c;
                [x.max(0.0) + math::ln_1p_unit(e), s, d, d * (c - s)]
            }
            Activation::Sigmoid => {
                // As softplus's σ″: s and 1 − s = σ(−x) each computed, not subtracted.
                let (s, c) = (math::sigmoid(x), math::sigmoid(-x));
                let d = s * c;
                [s, d, d * (c - s), d * (1.0 - 6.0 * d)]
            }
            Activation::Tanh => {
                // sech²x = 4e/(1 + e)² with e = e^(−2|x|), not 1 − tanh²x, which loses its
                // relative accuracy as tanh x nears ±1 and is 0 beyond |x| ≈ 19.
                let t = math::tanh(x);
                let e = math::exp_nonpositive(-2.0 * x.abs());
                let d = 4.0 * e / ((1.0 + e) * (1.0 + e));
                [t, d, -2.0 * t * d, d * (6.0 * t * t - 2.0)]
            }
            Activation::Relu2 => {
                let r = relu(x);
                [r * r, 2.0 * r, if x > 0.0 { 2.0 } else { 0.0 }, 0.0]
            }
            Activation::Relu3 => {
                let r = relu(x);
                [
                    r * r * r,
                    3.0 * r * r,
                    6.0 * r,
                    if x > 0.0 { 6.0 } else { 0.0 },
                ]
            }
            Activation::Relu => [relu(x), if x > 0.0 { 1.0 } else { 0.0 }, 0.0, 0.0],
        }
    }
}

#[inline]
fn relu(x: f64) -> f64 {
    if x > 0.0 {
        x
    } else {
        0.0
    }
}

crate::simd::widest! {
    fn derivatives_all<F: crate::Float>(act: Activation, z: &[F], out: [&mut [F]; 4]) {
        let [v, d1, d2, d3] = out;
        let n = z.len();
        let (v, d1, d2, d3) = (&mut v[..n], &mut d1[..n], &mut d2[..n], &mut d3[..n]);
        macro_rules! each {
            ($a:expr) => {
                for i in 0..n {
                    let d = $a.derivatives(z[i].to_f64());
                    v[i] = F::from_f64(d[0]);
                    d1[i] = F::from_f64(d[1]);
                    d2[i] = F::from_f64(d[2]);
                    d3[i] = F::from_f64(d[3]);
                }
            };
        }
        // A constant activation per loop, so each loop body is branch-free straight-line code.
        match act {
            Activation::Softplus => {
                for i in 0..n {
                    let d = F::softplus(z[i]);
                    v[i] = d[0];
                    d1[i] = d[1];
                    d2[i] = d[2];
                    d3[i] = d[3];
                }
            }
            other => each!(other),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn derivatives_match_central_differences() {
        let all = [
            Activation::Softplus,
            Activation::Tanh,
            Activation::Sigmoid,
            Activation::Relu2,
            Activation::Relu3,
            Activation::Relu,
        ];
        let h = 1e-5;
        for act in all {
            // Points away from the kink at 0 of the ReLU family.
            for x in [-2.3, -0.7, 0.4, 1.9] {
                let d = act.derivatives(x);
                assert_eq!(d[0], act.value(x));
                for k in 0..3 {
                    let fd = (act.derivatives(x + h)[k] - act.derivatives(x - h)[k]) / (2.0 * h);
                    // Central differences: O(h²) truncation, O(ε/h) round-off ≈ 1e-10.
                    assert!(
                        (fd - d[k + 1]).abs() < 1e-8 * (1.0 + fd.abs()),
                        "{act:?} x={x} order {}: {} vs {fd}",
                        k + 1,
                        d[k + 1]
                    );
                }
            }
        }
    }

    /// In saturation the curvature is tiny but must keep its relative accuracy: a learned mass
    /// matrix sums such terms and can cancel to 1e-4 of them. References from cosh, which
    /// shares no formula with `derivatives`: softplus″ = sigmoid′ = 1/(4cosh²(x/2)), tanh′ =
    /// 1/cosh²x. (s(1 − s) was 3e-8 off at x = 20 and 0 from x ≈ 37; 1 − tanh² 0 from 19.)
    #[test]
    fn saturated_derivatives_keep_their_relative_accuracy() {
        let rel = |a: f64, b: f64| ((a - b) / b).abs();
        for x in [
            -200.0, -40.0, -30.0, -20.0, -5.0, 5.0, 20.0, 30.0, 40.0, 200.0,
        ] {
            let half = math::cosh(x / 2.0);
            let want = 1.0 / (4.0 * half * half);
            let sp = Activation::Softplus.derivatives(x);
            assert!(
                rel(sp[2], want) < 1e-14,
                "softplus″({x}) {} vs {want}",
                sp[2]
            );
            let sg = Activation::Sigmoid.derivatives(x);
            assert!(
                rel(sg[1], want) < 1e-14,
                "sigmoid′({x}) {} vs {want}",
                sg[1]
            );
            // σ‴ = σ″·(1 − 2s) = −σ″·tanh(x/2).
            let third = -want * math::tanh(x / 2.0);
            assert!(
                rel(sp[3], third) < 1e-14,
                "softplus‴({x}) {} vs {third}",
                sp[3]
            );
            if x.abs() < 300.0 {
                let c = math::cosh(x);
                let want = 1.0 / (c * c);
                let th = Activation::Tanh.derivatives(x);
                assert!(rel(th[1], want) < 1e-14, "tanh′({x}) {} vs {want}", th[1]);
            }
        }
    }

    #[test]
    fn names_round_trip_and_unknown_is_listed() {
        for n in ACTIVATION_NAMES.split(", ") {
            assert_eq!(Activation::from_name(n).unwrap().name(), n);
        }
        assert!(Activation::from_name("gelu")
            .unwrap_err()
            .to_string()
            .contains("softplus"));
    }
}

/// `cargo test -p lnn-core --lib activation_rate -- --ignored --nocapture`: ns per element of
/// softplus with its derivatives, f64 and f32.
#[cfg(all(test, feature = "std"))]
mod speed {
    use super::*;
    use alloc::vec;

    #[test]
    #[ignore]
    fn activation_rate() {
        let n = 4096;
        let z: alloc::vec::Vec<f64> = (0..n).map(|i| (i as f64 / n as f64 - 0.5) * 8.0).collect();
        let z32: alloc::vec::Vec<f32> = z.iter().map(|&v| v as f32).collect();
        let (mut a, mut b, mut c, mut d) = (vec![0.0; n], vec![0.0; n], vec![0.0; n], vec![0.0; n]);
        let (mut a3, mut b3, mut c3, mut d3) = (
            vec![0.0f32; n],
            vec![0.0f32; n],
            vec![0.0f32; n],
            vec![0.0f32; n],
        );
        for _ in 0..3 {
            let reps = 2000;
            let t = std::time::Instant::now();
            for _ in 0..reps {
                Activation::Softplus.derivatives_into(&z, [&mut a, &mut b, &mut c, &mut d]);
            }
            let t64 = t.elapsed().as_secs_f64() / (reps * n) as f64;
            let t = std::time::Instant::now();
            for _ in 0..reps {
                Activation::Softplus.derivatives_into(&z32, [&mut a3, &mut b3, &mut c3, &mut d3]);
            }
            let t32 = t.elapsed().as_secs_f64() / (reps * n) as f64;
            std::eprintln!(
                "softplus: f64 {:.3} ns, f32 {:.3} ns per element",
                t64 * 1e9,
                t32 * 1e9
            );
        }
    }
}
