//! Lagrangians of fields on a periodic 1-D grid, as a sum of local densities:
//!
//! ```text
//! L = Σ_i ℓ(φ_{i−1}, φ_i, φ_{i+1}, φ̇_{i−1}, φ̇_i, φ̇_{i+1})   (indices mod N)
//! ```
//!
//! Each density sees three neighbouring points (the paper's Lagrangian graph network), so its
//! derivatives come from a 3-degree-of-freedom [`Jet`] per point, scattered into the global
//! terms: O(N) derivative work instead of a jet over all 2N inputs.
use nalgebra::{DMatrix, DVector};

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

/// The Euler–Lagrange terms of L = Σ_i ℓ_i at state `x = [φ (N), φ̇ (N)]`.
///
/// # Errors
/// [`Error::InvalidConfig`] for N < 3, [`Error::StateLength`], [`Error::NonFinite`].
pub fn terms<D: LagrangeDensity>(d: &D, n: usize, x: &[f64]) -> Result<Terms> {
    validate_points(n)?;
    let (phi, phidot, _) = split_state(x, n, 0)?;
    let mut t = Terms {
        value: 0.0,
        dl_dq: DVector::zeros(n),
        dl_dqdot: DVector::zeros(n),
        mass: DMatrix::zeros(n, n),
        mixed: DMatrix::zeros(n, n),
    };
    let mut idx = [0usize; 3];
    for i in 0..n {
        idx[0] = (i + n - 1) % n;
        idx[1] = i;
        idx[2] = (i + 1) % n;
        let q = idx.map(|k| phi[k]);
        let v = idx.map(|k| phidot[k]);
        let (qs, vs) = Jet::<3>::variables(&q, &v);
        let j = d.density(&qs, &vs);
        t.value += j.v;
        for a in 0..3 {
            t.dl_dq[idx[a]] += j.gq[a];
            t.dl_dqdot[idx[a]] += j.gv[a];
            for b in 0..3 {
                t.mass[(idx[a], idx[b])] += j.hvv[a][b];
                t.mixed[(idx[a], idx[b])] += j.hvq[a][b];
            }
        }
    }
    if !t.value.is_finite() {
        return Err(Error::NonFinite {
            context: "the Lagrangian",
        });
    }
    ensure_finite(t.dl_dq.as_slice(), "∂L/∂φ")?;
    ensure_finite(t.dl_dqdot.as_slice(), "∂L/∂φ̇")?;
    Ok(t)
}
