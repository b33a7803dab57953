//! The Euler–Lagrange engine: from a Lagrangian written over [`Scalar`] to accelerations and
//! energy, for true systems and learned models alike.
//!
//! With x = (q, q̇, c), the Euler–Lagrange equation d/dt ∂L/∂q̇ = ∂L/∂q expands to
//!
//! ```text
//! M q̈ = ∂L/∂q − C q̇,   M_ij = ∂²L/∂q̇_i∂q̇_j,   C_ij = ∂²L/∂q̇_i∂q_j,
//! ```
//!
//! solved with a [`Solver`] because a learned M can be singular.
use alloc::vec::Vec;

use nalgebra::{DMatrix, DVector};

use crate::error::ensure_finite;
use crate::taylor::{Jet, Scalar};
use crate::{Error, Result, Solver};

/// The most degrees of freedom the dense engine handles. Its [`Jet`] lives on the stack with
/// O(N²) entries and is monomorphised for each N up to this bound; grids of many points use
/// [`crate::grid`] instead, whose cost is linear in the number of points.
pub const MAX_DOF: usize = 6;

/// A Lagrangian L(q, q̇, c), written once over any [`Scalar`].
///
/// `c` holds the non-dynamical conditioning inputs (the paper's field strength g, say): they are
/// plain numbers, since no derivative with respect to them is ever needed.
pub trait Lagrangian {
    /// Number of generalised coordinates n (1 ≤ n ≤ [`MAX_DOF`]).
    fn dof(&self) -> usize;

    /// Number of conditioning inputs k (default 0).
    fn conditioning_len(&self) -> usize {
        0
    }

    /// L(q, q̇, c) with `q.len() == qdot.len() == dof()` and `c.len() == conditioning_len()`.
    fn lagrangian<S: Scalar>(&self, q: &[S], qdot: &[S], c: &[f64]) -> S;
}

/// Everything the Euler–Lagrange equation and the energy need at one state.
#[derive(Clone, Debug, PartialEq)]
pub struct Terms {
    /// L.
    pub value: f64,
    /// ∂L/∂q.
    pub dl_dq: DVector<f64>,
    /// ∂L/∂q̇ (the canonical momentum p).
    pub dl_dqdot: DVector<f64>,
    /// M = ∂²L/∂q̇∂q̇ (symmetric).
    pub mass: DMatrix<f64>,
    /// C = ∂²L/∂q̇∂q (row: velocity, column: position).
    pub mixed: DMatrix<f64>,
}

impl Terms {
    fn from_jet<const N: usize>(j: &Jet<N>) -> Self {
        Terms {
            value: j.v,
            dl_dq: DVector::from_row_slice(&j.gq),
            dl_dqdot: DVector::from_row_slice(&j.gv),
            mass: DMatrix::from_fn(N, N, |i, k| j.hvv[i][k]),
            mixed: DMatrix::from_fn(N, N, |i, k| j.hvq[i][k]),
        }
    }

    /// q̈ = M⁺(∂L/∂q − C q̇).
    ///
    /// # Errors
    /// From [`Solver::solve`], and [`Error::NonFinite`] if the result is not finite.
    pub fn accelerations(&self, qdot: &[f64], solver: &Solver) -> Result<Vec<f64>> {
        self.accelerations_for_momentum_rate(self.dl_dq.as_slice(), qdot, solver)
    }

    /// q̈ = M⁺(ṗ − C q̇): the accelerations that go with a rate of change ṗ of the canonical
    /// momentum p = ∂L/∂q̇ (since ṗ = M q̈ + C q̇; the true flow has ṗ = ∂L/∂q). This puts a
    /// canonical model's predicted ṗ in velocity coordinates, so it can be scored on q̈ beside
    /// the others.
    ///
    /// # Errors
    /// As [`Terms::accelerations`]; [`Error::InvalidConfig`] if `pdot` or `qdot` is not n long.
    pub fn accelerations_for_momentum_rate(
        &self,
        pdot: &[f64],
        qdot: &[f64],
        solver: &Solver,
    ) -> Result<Vec<f64>> {
        let n = self.dl_dq.len();
        for (field, v) in [("ṗ", pdot), ("q̇", qdot)] {
            if v.len() != n {
                return Err(Error::InvalidConfig {
                    field,
                    reason: alloc::format!(
                        "has {} numbers, but the system has {n} degrees of freedom",
                        v.len()
                    ),
                });
            }
        }
        let r = DVector::from_row_slice(pdot) - &self.mixed * DVector::from_row_slice(qdot);
        let qdd = solver.solve(&self.mass, &r)?;
        ensure_finite(qdd.as_slice(), "the accelerations")?;
        Ok(qdd.as_slice().to_vec())
    }

    /// E = q̇·∂L/∂q̇ − L, conserved by the exact flow of L.
    pub fn energy(&self, qdot: &[f64]) -> f64 {
        qdot.iter()
            .zip(self.dl_dqdot.iter())
            .map(|(a, b)| a * b)
            .sum::<f64>()
            - self.value
    }
}

/// Splits a state `[q, q̇, c]` after checking its length and that it is finite.
///
/// # Errors
/// [`Error::StateLength`], [`Error::NonFinite`].
pub fn split_state(x: &[f64], dof: usize, k: usize) -> Result<(&[f64], &[f64], &[f64])> {
    if x.len() != 2 * dof + k {
        return Err(Error::StateLength {
            expected: 2 * dof + k,
            got: x.len(),
        });
    }
    ensure_finite(x, "the state")?;
    Ok((&x[..dof], &x[dof..2 * dof], &x[2 * dof..]))
}

fn terms_n<const N: usize, L: Lagrangian>(l: &L, q: &[f64], v: &[f64], c: &[f64]) -> Terms {
    let q: [f64; N] = core::array::from_fn(|i| q[i]);
    let v: [f64; N] = core::array::from_fn(|i| v[i]);
    let (qs, vs) = Jet::<N>::variables(&q, &v);
    Terms::from_jet(&l.lagrangian(&qs, &vs, c))
}

/// L, its gradients and the Hessian blocks at state `x = [q, q̇, c]`, in one forward pass.
///
/// # Errors
/// [`Error::StateLength`], [`Error::NonFinite`] (in the state or in the derivatives),
/// [`Error::TooManyDegreesOfFreedom`].
pub fn terms<L: Lagrangian>(l: &L, x: &[f64]) -> Result<Terms> {
    let (q, v, c) = split_state(x, l.dof(), l.conditioning_len())?;
    let t = match l.dof() {
        1 => terms_n::<1, L>(l, q, v, c),
        2 => terms_n::<2, L>(l, q, v, c),
        3 => terms_n::<3, L>(l, q, v, c),
        4 => terms_n::<4, L>(l, q, v, c),
        5 => terms_n::<5, L>(l, q, v, c),
        6 => terms_n::<6, L>(l, q, v, c),
        dof => return Err(Error::TooManyDegreesOfFreedom { dof, max: MAX_DOF }),
    };
    if !t.value.is_finite() {
        return Err(Error::NonFinite {
            context: "the Lagrangian",
        });
    }
    ensure_finite(t.dl_dq.as_slice(), "∂L/∂q")?;
    ensure_finite(t.dl_dqdot.as_slice(), "∂L/∂q̇")?;
    Ok(t)
}

/// q̈ at state `x = [q, q̇, c]`.
///
/// # Errors
/// As [`terms`] and [`Terms::accelerations`].
pub fn accelerations<L: Lagrangian>(l: &L, x: &[f64], solver: &Solver) -> Result<Vec<f64>> {
    let t = terms(l, x)?;
    t.accelerations(&x[l.dof()..2 * l.dof()], solver)
}

/// E = q̇·∂L/∂q̇ − L at state `x = [q, q̇, c]`.
///
/// # Errors
/// As [`terms`].
pub fn energy<L: Lagrangian>(l: &L, x: &[f64]) -> Result<f64> {
    let t = terms(l, x)?;
    Ok(t.energy(&x[l.dof()..2 * l.dof()]))
}
