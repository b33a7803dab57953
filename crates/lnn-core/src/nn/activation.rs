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
                let e = math::exp_nonpositive(-x.abs());
                let s = if x >= 0.0 { 1.0 } else { e } / (1.0 + e);
                let d = s * (1.0 - s);
                [x.max(0.0) + math::ln_1p_unit(e), s, d, d * (1.0 - 2.0 * s)]
            }
            Activation::Sigmoid => {
                let s = math::sigmoid(x);
                let d = s * (1.0 - s);
                let d2 = d * (1.0 - 2.0 * s);
                [s, d, d2, d * (1.0 - 6.0 * d)]
            }
            Activation::Tanh => {
                let t = math::tanh(x);
                let d = 1.0 - t * t;
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
