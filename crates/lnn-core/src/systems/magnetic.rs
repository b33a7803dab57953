use crate::{math, Lagrangian, Scalar};

/// A charged particle in the plane under a uniform magnetic field B ẑ, in the symmetric gauge
/// A = ½B(−y, x):
///
/// ```text
/// L = ½m(ẋ² + ẏ²) + ½qB(xẏ − yẋ),    mẍ = qBẏ,   mÿ = −qBẋ
/// ```
///
/// L has a term linear in q̇, which a Lagrangian of the form ½q̇ᵀM(q)q̇ − V(q) (DeLaN's) cannot
/// express. Orbits are circles of radius |v|/ω run clockwise for qB > 0, ω = qB/m.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ChargedParticle {
    /// Mass m > 0.
    pub m: f64,
    /// Charge times field, qB.
    pub qb: f64,
}

impl Default for ChargedParticle {
    fn default() -> Self {
        ChargedParticle { m: 1.0, qb: 1.0 }
    }
}

impl Lagrangian for ChargedParticle {
    fn dof(&self) -> usize {
        2
    }
    fn lagrangian<S: Scalar>(&self, q: &[S], v: &[S], _c: &[f64]) -> S {
        (v[0] * v[0] + v[1] * v[1]) * (0.5 * self.m) + (q[0] * v[1] - q[1] * v[0]) * (0.5 * self.qb)
    }
}

impl ChargedParticle {
    /// The Lorentz force: ẍ = (qB/m) ẏ, ÿ = −(qB/m) ẋ.
    pub fn closed_form(&self, x: &[f64], out: &mut [f64]) {
        let w = self.qb / self.m;
        out[0] = w * x[3];
        out[1] = -w * x[2];
    }

    /// The exact state (x, y, ẋ, ẏ) at time t: the velocity turns clockwise at ω = qB/m.
    pub fn exact(&self, x0: &[f64], t: f64) -> [f64; 4] {
        let w = self.qb / self.m;
        let (s, c) = (math::sin(w * t), math::cos(w * t));
        let (vx, vy) = (x0[2], x0[3]);
        [
            x0[0] + (vx * s + vy * (1.0 - c)) / w,
            x0[1] + (vy * s - vx * (1.0 - c)) / w,
            vx * c + vy * s,
            vy * c - vx * s,
        ]
    }
}
