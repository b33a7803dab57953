use crate::{math, Lagrangian, Scalar};

/// A harmonic oscillator: L = ½ m q̇² − ½ k q², with the exact solution
/// q(t) = q₀ cos ωt + (q̇₀/ω) sin ωt, ω = √(k/m).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Harmonic {
    /// Mass m > 0.
    pub m: f64,
    /// Spring constant k > 0.
    pub k: f64,
}

impl Default for Harmonic {
    fn default() -> Self {
        Harmonic { m: 1.0, k: 1.0 }
    }
}

impl Lagrangian for Harmonic {
    fn dof(&self) -> usize {
        1
    }
    fn lagrangian<S: Scalar>(&self, q: &[S], v: &[S], _c: &[f64]) -> S {
        v[0] * v[0] * (0.5 * self.m) - q[0] * q[0] * (0.5 * self.k)
    }
}

impl Harmonic {
    /// The closed form q̈ = −(k/m) q.
    pub fn closed_form(&self, x: &[f64], out: &mut [f64]) {
        out[0] = -self.k / self.m * x[0];
    }

    /// The exact state (q, q̇) at time t from (q₀, q̇₀).
    pub fn exact(&self, x0: &[f64], t: f64) -> [f64; 2] {
        let w = math::sqrt(self.k / self.m);
        let (s, c) = (math::sin(w * t), math::cos(w * t));
        [x0[0] * c + x0[1] / w * s, -x0[0] * w * s + x0[1] * c]
    }
}
