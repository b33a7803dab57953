//! Lagrangians of fields on a periodic 1-D grid, as a sum of local densities:
//!
//! ```text
//! L = Σ_i ℓ(φ_{i−1}, φ_i, φ_{i+1}, φ̇_{i−1}, φ̇_i, φ̇_{i+1})   (indices mod N)
//! ```
//!
//! Each density sees three neighbouring points (the paper's Lagrangian graph network), so its
//! derivatives come from a 3-degree-of-freedom [`Jet`] per point, scattered into the global
//! terms: O(N) derivative work instead of a jet over all 2N inputs.
use alloc::vec;
use alloc::vec::Vec;

use nalgebra::DVector;

use crate::linalg::CyclicBand;

use crate::error::ensure_finite;
use crate::mechanics::{split_state, Terms};
use crate::taylor::{Jet, Scalar};
use crate::{Error, Result};

/// A local Lagrangian density on a 3-point stencil (left neighbour, centre, right neighbour).
pub trait LagrangeDensity {
    /// ℓ(φ_{i−1}, φ_i, φ_{i+1}, φ̇_{i−1}, φ̇_i, φ̇_{i+1}).
    fn density<S: Scalar>(&self, phi: &[S; 3], phidot: &[S; 3]) -> S;
}

/// The smallest grid: with fewer points the periodic stencil would see one point twice.
pub const MIN_POINTS: usize = 3;

/// Checks a grid size.
///
/// # Errors
/// [`Error::InvalidConfig`] when `n < 3`.
pub fn validate_points(n: usize) -> Result<()> {
    if n < MIN_POINTS {
        return Err(Error::config(
            "grid",
            "a periodic grid needs at least 3 points",
        ));
    }
    Ok(())
}

/// The Euler–Lagrange terms of a grid Lagrangian, with M and C kept cyclic banded.
#[derive(Clone, Debug, PartialEq)]
pub struct GridTerms {
    /// L.
    pub value: f64,
    /// ∂L/∂φ.
    pub dl_dq: Vec<f64>,
    /// ∂L/∂φ̇.
    pub dl_dqdot: Vec<f64>,
    /// M = ∂²L/∂φ̇∂φ̇ (cyclic pentadiagonal).
    pub mass: CyclicBand,
    /// C = ∂²L/∂φ̇∂φ (cyclic pentadiagonal).
    pub mixed: CyclicBand,
}

impl GridTerms {
    /// φ̈ = M⁻¹(∂L/∂φ − C φ̇) by the O(N) banded solve.
    ///
    /// # Errors
    /// [`Error::SingularMassMatrix`], [`Error::NonFinite`].
    pub fn accelerations(&self, phidot: &[f64]) -> Result<Vec<f64>> {
        let cv = self.mixed.mul(phidot);
        let r: Vec<f64> = self.dl_dq.iter().zip(&cv).map(|(g, c)| g - c).collect();
        self.mass.solve(&r)
    }

    /// E = Σ φ̇_i ∂L/∂φ̇_i − L.
    pub fn energy(&self, phidot: &[f64]) -> f64 {
        phidot
            .iter()
            .zip(&self.dl_dqdot)
            .map(|(a, b)| a * b)
            .sum::<f64>()
            - self.value
    }

    /// The same terms with dense matrices (the O(N³) reference path).
    pub fn to_dense(&self) -> Terms {
        Terms {
            value: self.value,
            dl_dq: DVector::from_row_slice(&self.dl_dq),
            dl_dqdot: DVector::from_row_slice(&self.dl_dqdot),
            mass: self.mass.to_dense(),
            mixed: self.mixed.to_dense(),
        }
    }
}

/// The Euler–Lagrange terms of L = Σ_i ℓ_i at state `x = [φ (N), φ̇ (N)]`, in O(N).
///
/// # Errors
/// [`Error::InvalidConfig`] for N < 3, [`Error::StateLength`], [`Error::NonFinite`].
pub fn terms<D: LagrangeDensity>(d: &D, n: usize, x: &[f64]) -> Result<GridTerms> {
    validate_points(n)?;
    let (phi, phidot, _) = split_state(x, n, 0)?;
    let mut t = GridTerms {
        value: 0.0,
        dl_dq: vec![0.0; n],
        dl_dqdot: vec![0.0; n],
        mass: CyclicBand::zeros(n),
        mixed: CyclicBand::zeros(n),
    };
    for i in 0..n {
        let idx = [(i + n - 1) % n, i, (i + 1) % n];
        let q = idx.map(|k| phi[k]);
        let v = idx.map(|k| phidot[k]);
        let (qs, vs) = Jet::<3>::variables(&q, &v);
        let j = d.density(&qs, &vs);
        t.value += j.v;
        for a in 0..3 {
            t.dl_dq[idx[a]] += j.gq[a];
            t.dl_dqdot[idx[a]] += j.gv[a];
            for b in 0..3 {
                // Row: stencil slot a; column: slot b, at offset b − a along the ring.
                t.mass.add(idx[a], b as isize - a as isize, j.hvv[a][b]);
                t.mixed.add(idx[a], b as isize - a as isize, j.hvq[a][b]);
            }
        }
    }
    if !t.value.is_finite() {
        return Err(Error::NonFinite {
            context: "the Lagrangian",
        });
    }
    ensure_finite(&t.dl_dq, "∂L/∂φ")?;
    ensure_finite(&t.dl_dqdot, "∂L/∂φ̇")?;
    Ok(t)
}
