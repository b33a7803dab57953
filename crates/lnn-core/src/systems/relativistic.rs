use crate::{math, Lagrangian, Scalar};

/// The paper's relativistic particle (c = 1, m = 1) in a uniform potential of strength g, given as
/// the conditioning input: state `[q, q̇, g]`, |q̇| < 1.
///
/// ```text
/// L = (1 − q̇²)^(−1/2) − 1 + g q,    q̈ = g (1 − q̇²)^(5/2) / (1 + 2q̇²)
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Relativistic;

impl Lagrangian for Relativistic {
    fn dof(&self) -> usize {
        1
    }
    fn conditioning_len(&self) -> usize {
        1
    }
    fn lagrangian<S: Scalar>(&self, q: &[S], v: &[S], c: &[f64]) -> S {
        (-(v[0] * v[0]) + 1.0).powf(-0.5) - 1.0 + q[0] * c[0]
    }
}

impl Relativistic {
    /// The closed form q̈ = g (1 − q̇²)^(5/2) / (1 + 2q̇²).
    pub fn closed_form(&self, x: &[f64], out: &mut [f64]) {
        let (v, g) = (x[1], x[2]);
        out[0] = g * math::powf(1.0 - v * v, 2.5) / (1.0 + 2.0 * v * v);
    }

    /// The canonical momentum p = ∂L/∂q̇ = q̇ (1 − q̇²)^(−3/2).
    pub fn momentum(v: f64) -> f64 {
        v * math::powf(1.0 - v * v, -1.5)
    }
}
