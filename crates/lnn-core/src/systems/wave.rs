use alloc::vec::Vec;

use crate::grid::LagrangeDensity;
use crate::{math, Scalar};

/// The 1-D wave equation φ_tt = c² φ_xx on a periodic grid of `n` points spaced `dx`, from the
/// discrete Lagrangian density
///
/// ```text
/// ℓ_i = dx [½ φ̇_i² − ½ c² ((φ_{i+1} − φ_i)/dx)²],   so  φ̈_i = c² (φ_{i+1} − 2φ_i + φ_{i−1}) / dx².
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Wave {
    /// Number of grid points N ≥ 3.
    pub n: usize,
    /// Wave speed c > 0.
    pub c: f64,
    /// Grid spacing dx > 0 (the box is N·dx long).
    pub dx: f64,
}

impl Default for Wave {
    /// The paper's setting: 100 points, c = 1, a box of length 1.
    fn default() -> Self {
        Wave {
            n: 100,
            c: 1.0,
            dx: 0.01,
        }
    }
}

impl LagrangeDensity for Wave {
    fn density<S: Scalar>(&self, phi: &[S; 3], phidot: &[S; 3]) -> S {
        let grad = (phi[2] - phi[1]) / self.dx;
        (phidot[1] * phidot[1] - grad * grad * (self.c * self.c)) * (0.5 * self.dx)
    }
}

impl Wave {
    /// The finite-difference wave equation φ̈_i = c²(φ_{i+1} − 2φ_i + φ_{i−1})/dx².
    pub fn closed_form(&self, x: &[f64], out: &mut [f64]) {
        let n = self.n;
        let k = self.c * self.c / (self.dx * self.dx);
        for i in 0..n {
            out[i] = k * (x[(i + 1) % n] - 2.0 * x[i] + x[(i + n - 1) % n]);
        }
    }

    /// A travelling wave φ_i(t) = A sin(κ x_i − ω t) with κ = 2π·mode/(N dx), exact for the
    /// semi-discrete equation when ω = (2c/dx) sin(κ dx/2) (the grid's dispersion relation).
    pub fn travelling_wave(&self, amplitude: f64, mode: usize, t: f64) -> Vec<f64> {
        let kappa = core::f64::consts::TAU * mode as f64 / (self.n as f64 * self.dx);
        let omega = 2.0 * self.c / self.dx * math::sin(kappa * self.dx / 2.0);
        let phase = |i: usize| kappa * i as f64 * self.dx - omega * t;
        let mut x: Vec<f64> = (0..self.n)
            .map(|i| amplitude * math::sin(phase(i)))
            .collect();
        x.extend((0..self.n).map(|i| -amplitude * omega * math::cos(phase(i))));
        x
    }

    /// A Gaussian pulse of width `sigma` (in box units) centred at `centre`, initially at rest.
    pub fn gaussian_pulse(&self, centre: f64, sigma: f64, amplitude: f64) -> Vec<f64> {
        let len = self.n as f64 * self.dx;
        let mut x: Vec<f64> = (0..self.n)
            .map(|i| {
                let mut d = i as f64 * self.dx - centre;
                d -= len * libm_round(d / len);
                amplitude * math::exp(-0.5 * (d / sigma) * (d / sigma))
            })
            .collect();
        x.extend(core::iter::repeat_n(0.0, self.n));
        x
    }
}

/// Rounds half away from zero (core has no `f64::round` without std).
fn libm_round(x: f64) -> f64 {
    let t = x as i64 as f64; // truncation toward zero; |x| is small here
    if x - t >= 0.5 {
        t + 1.0
    } else if t - x >= 0.5 {
        t - 1.0
    } else {
        t
    }
}
