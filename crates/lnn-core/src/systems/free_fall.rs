use crate::{Lagrangian, Scalar};

/// A point mass falling in 2-D (the paper's appendix B): L = ½m(q̇₁² + q̇₂²) − m g q₁, with q₁
/// pointing up. Exactly q̈ = (−g, 0).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct FreeFall {
    /// Mass m > 0.
    pub m: f64,
    /// Gravitational acceleration g.
    pub g: f64,
}

impl Default for FreeFall {
    fn default() -> Self {
        FreeFall { m: 1.0, g: 9.8 }
    }
}

impl Lagrangian for FreeFall {
    fn dof(&self) -> usize {
        2
    }
    fn lagrangian<S: Scalar>(&self, q: &[S], v: &[S], _c: &[f64]) -> S {
        (v[0] * v[0] + v[1] * v[1]) * (0.5 * self.m) - q[0] * (self.m * self.g)
    }
}

impl FreeFall {
    /// The closed form q̈ = (−g, 0).
    pub fn closed_form(&self, _x: &[f64], out: &mut [f64]) {
        out[0] = -self.g;
        out[1] = 0.0;
    }
}
