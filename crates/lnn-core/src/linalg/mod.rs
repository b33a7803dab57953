//! Solving M q̈ = r for a symmetric mass matrix M that a learned Lagrangian may make singular or
//! indefinite.
mod banded;
pub use banded::CyclicBand;

use nalgebra::{DMatrix, DVector};

use crate::{Error, Result};

/// How to solve M q̈ = r.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Solver {
    /// The Moore–Penrose pseudo-inverse, as in the paper: eigenvalues of M with
    /// |λ| ≤ `rcond`·max|λ| are treated as zero (the relative cutoff of numpy and JAX). A singular
    /// M then gives the minimum-norm q̈ instead of infinities; M = 0 gives q̈ = 0.
    PseudoInverse {
        /// Relative cutoff, in [0, 1).
        rcond: f64,
    },
    /// Solve (M + εI) q̈ = r by LU, as DeLaN does with ε = 1e-4. Cheaper and smooth in M, but
    /// biased by ε, and it fails when M has an eigenvalue at −ε.
    Ridge {
        /// ε > 0.
        epsilon: f64,
    },
}

impl Default for Solver {
    /// The pseudo-inverse with rcond = 1e-12: far above f64 round-off of a well-scaled M
    /// (~1e-16·‖M‖), far below any physically meaningful mass ratio.
    fn default() -> Self {
        Solver::PseudoInverse { rcond: 1e-12 }
    }
}

impl Solver {
    /// Checks the parameters.
    ///
    /// # Errors
    /// [`Error::InvalidConfig`] for rcond outside [0, 1) or ε not positive and finite.
    pub fn validate(&self) -> Result<()> {
        match *self {
            Solver::PseudoInverse { rcond } if !(0.0..1.0).contains(&rcond) => {
                Err(Error::config("rcond", "must be in [0, 1)"))
            }
            Solver::Ridge { epsilon } if !(epsilon > 0.0 && epsilon.is_finite()) => {
                Err(Error::config("epsilon", "must be positive and finite"))
            }
            _ => Ok(()),
        }
    }

    /// Solves M x = r for symmetric M.
    ///
    /// # Errors
    /// [`Error::NonFinite`] if M or r holds NaN/inf; [`Error::SingularMassMatrix`] if the ridge
    /// system is singular or the eigen-solver does not converge.
    pub fn solve(&self, m: &DMatrix<f64>, r: &DVector<f64>) -> Result<DVector<f64>> {
        crate::error::ensure_finite(m.as_slice(), "the mass matrix")?;
        crate::error::ensure_finite(r.as_slice(), "the Euler–Lagrange right-hand side")?;
        match *self {
            Solver::PseudoInverse { rcond } => pinv_symmetric_solve(m, r, rcond),
            Solver::Ridge { epsilon } => {
                let n = m.nrows();
                let a = m + DMatrix::identity(n, n) * epsilon;
                a.lu().solve(r).ok_or(Error::SingularMassMatrix {
                    reason: "M + εI is singular",
                })
            }
        }
    }
}

/// x = M⁺ r through the eigendecomposition M = Q Λ Qᵀ (M symmetric), dropping small |λ|.
fn pinv_symmetric_solve(m: &DMatrix<f64>, r: &DVector<f64>, rcond: f64) -> Result<DVector<f64>> {
    let n = m.nrows();
    if n == 1 {
        let a = m[(0, 0)];
        return Ok(DVector::from_element(
            1,
            if a == 0.0 { 0.0 } else { r[0] / a },
        ));
    }
    let eig = nalgebra::SymmetricEigen::try_new(m.clone(), f64::EPSILON, 10_000).ok_or(
        Error::SingularMassMatrix {
            reason: "eigen-decomposition did not converge",
        },
    )?;
    let largest = eig.eigenvalues.iter().fold(0.0f64, |a, &l| a.max(l.abs()));
    let cutoff = rcond * largest;
    let qtr = eig.eigenvectors.transpose() * r;
    let scaled = DVector::from_iterator(
        n,
        qtr.iter().zip(eig.eigenvalues.iter()).map(|(&y, &l)| {
            if l.abs() > cutoff && l != 0.0 {
                y / l
            } else {
                0.0
            }
        }),
    );
    Ok(&eig.eigenvectors * scaled)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pinv_matches_inverse_for_regular_matrix() {
        let m = DMatrix::from_row_slice(3, 3, &[4.0, 1.0, 0.5, 1.0, 3.0, 0.2, 0.5, 0.2, 2.0]);
        let r = DVector::from_row_slice(&[1.0, -2.0, 0.5]);
        let x = Solver::default().solve(&m, &r).unwrap();
        let exact = m.clone().lu().solve(&r).unwrap();
        // Well conditioned (κ ≈ 3): agreement to a few ulps of the entries.
        assert!((&x - &exact).amax() < 1e-14, "{x} vs {exact}");
    }

    #[test]
    fn pinv_of_rank_deficient_matrix_is_minimum_norm() {
        // M = v vᵀ with v = (1, 1): M⁺ = M / 4. For r = (2, 0): x = (0.5, 0.5).
        let m = DMatrix::from_row_slice(2, 2, &[1.0, 1.0, 1.0, 1.0]);
        let r = DVector::from_row_slice(&[2.0, 0.0]);
        let x = Solver::default().solve(&m, &r).unwrap();
        assert!(
            (x[0] - 0.5).abs() < 1e-14 && (x[1] - 0.5).abs() < 1e-14,
            "{x}"
        );
    }

    #[test]
    fn zero_mass_matrix_gives_zero_not_nan() {
        let m = DMatrix::zeros(2, 2);
        let r = DVector::from_row_slice(&[1.0, 3.0]);
        assert_eq!(
            Solver::default().solve(&m, &r).unwrap().as_slice(),
            &[0.0, 0.0]
        );
        let ridge = Solver::Ridge { epsilon: 1e-4 }.solve(&m, &r).unwrap();
        assert!(
            (ridge[1] - 3e4).abs() < 1e-8,
            "ridge solves εI x = r exactly: {ridge}"
        );
    }

    #[test]
    fn ridge_fails_cleanly_when_shift_hits_an_eigenvalue() {
        let m = DMatrix::from_row_slice(1, 1, &[-0.5]);
        let r = DVector::from_row_slice(&[1.0]);
        let err = Solver::Ridge { epsilon: 0.5 }.solve(&m, &r).unwrap_err();
        assert!(matches!(err, Error::SingularMassMatrix { .. }));
    }

    #[test]
    fn rejects_bad_parameters_and_non_finite_input() {
        assert!(Solver::PseudoInverse { rcond: 1.0 }.validate().is_err());
        assert!(Solver::Ridge { epsilon: 0.0 }.validate().is_err());
        assert!(Solver::Ridge { epsilon: f64::NAN }.validate().is_err());
        let m = DMatrix::from_row_slice(1, 1, &[f64::NAN]);
        let r = DVector::from_row_slice(&[1.0]);
        assert!(matches!(
            Solver::default().solve(&m, &r),
            Err(Error::NonFinite { .. })
        ));
    }
}
