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
    /// Damped least squares: the q̈ minimising ‖M q̈ − r‖² + ε‖q̈‖², i.e.
    /// q̈ = (M² + εI)⁻¹ M r. Along an eigenvalue λ of M it scales by λ/(λ² + ε): 1/λ where
    /// |λ| ≫ √ε, and a smooth return to 0 through λ = 0 instead of a pole. That makes it the
    /// solver to train through: a learned M whose eigenvalue changes sign somewhere in the
    /// data (which a random network's does) poses no infinite barrier to the optimiser, and
    /// once trained |λ| ≫ √ε and it agrees with the exact solve.
    Damped {
        /// ε > 0.
        epsilon: f64,
    },
}

/// The forms [`Solver::from_name`] reads.
pub const SOLVER_NAMES: &str = "pinv, pinv:RCOND, ridge:EPSILON, damped:EPSILON";

impl Default for Solver {
    /// The pseudo-inverse with rcond = 1e-12: far above f64 round-off of a well-scaled M
    /// (~1e-16·‖M‖), far below any physically meaningful mass ratio.
    fn default() -> Self {
        Solver::PseudoInverse { rcond: 1e-12 }
    }
}

impl Solver {
    /// Parses `pinv` (the default cutoff), `pinv:RCOND`, `ridge:EPSILON` or `damped:EPSILON`.
    ///
    /// # Errors
    /// [`Error::Unknown`] for another name, [`Error::InvalidConfig`] for a bad number.
    pub fn from_name(name: &str) -> Result<Self> {
        let (kind, value) = match name.split_once(':') {
            Some((k, v)) => (k, Some(v)),
            None => (name, None),
        };
        let number = |v: Option<&str>| -> Result<f64> {
            v.and_then(|v| v.trim().parse::<f64>().ok()).ok_or_else(|| {
                Error::config(
                    "solver",
                    alloc::format!("`{name}` needs a number after `:`"),
                )
            })
        };
        let solver = match kind {
            "pinv" => match value {
                None => Solver::default(),
                v => Solver::PseudoInverse { rcond: number(v)? },
            },
            "ridge" => Solver::Ridge {
                epsilon: number(value)?,
            },
            "damped" => Solver::Damped {
                epsilon: number(value)?,
            },
            _ => {
                return Err(Error::Unknown {
                    kind: "solver",
                    name: name.into(),
                    expected: SOLVER_NAMES,
                })
            }
        };
        solver.validate()?;
        Ok(solver)
    }

    /// The name [`Solver::from_name`] reads back to this solver.
    pub fn name(&self) -> alloc::string::String {
        match *self {
            Solver::PseudoInverse { rcond } => alloc::format!("pinv:{rcond:e}"),
            Solver::Ridge { epsilon } => alloc::format!("ridge:{epsilon:e}"),
            Solver::Damped { epsilon } => alloc::format!("damped:{epsilon:e}"),
        }
    }

    /// Checks the parameters.
    ///
    /// # Errors
    /// [`Error::InvalidConfig`] for rcond outside [0, 1) or ε not positive and finite.
    pub fn validate(&self) -> Result<()> {
        match *self {
            Solver::PseudoInverse { rcond } if !(0.0..1.0).contains(&rcond) => {
                Err(Error::config("rcond", "must be in [0, 1)"))
            }
            Solver::Ridge { epsilon } | Solver::Damped { epsilon }
                if !(epsilon > 0.0 && epsilon.is_finite()) =>
            {
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
            Solver::Damped { epsilon } => Ok(damped_system(m, epsilon)?.solve(&(m * r))),
        }
    }

    /// The reverse of [`Solver::solve`]: given x = solve(M, r) and the adjoint x̄ of x, the
    /// adjoints (M̄, r̄), with M̄ as a full matrix (a caller storing M once per symmetric pair adds
    /// M̄ᵢⱼ and M̄ⱼᵢ).
    ///
    /// For M x = r (pseudo-inverse, ridge): u = M⁻¹x̄, r̄ = u, M̄ = −u xᵀ. For the damped solve
    /// x = A⁻¹M r with A = M² + εI: w = A⁻¹x̄, r̄ = M w, M̄ = w (r − M x)ᵀ − (M w) xᵀ.
    ///
    /// # Errors
    /// As [`Solver::solve`].
    pub fn adjoint(
        &self,
        m: &DMatrix<f64>,
        r: &DVector<f64>,
        x: &DVector<f64>,
        xbar: &DVector<f64>,
    ) -> Result<(DMatrix<f64>, DVector<f64>)> {
        match *self {
            Solver::Damped { epsilon } => {
                let w = damped_system(m, epsilon)?.solve(xbar);
                let mw = m * &w;
                let mbar = &w * (r - m * x).transpose() - &mw * x.transpose();
                Ok((mbar, mw))
            }
            _ => {
                let u = self.solve(m, xbar)?;
                let mbar = -(&u * x.transpose());
                Ok((mbar, u))
            }
        }
    }
}

/// The Cholesky factor of M² + εI (symmetric positive definite for ε > 0).
fn damped_system(m: &DMatrix<f64>, epsilon: f64) -> Result<nalgebra::Cholesky<f64, nalgebra::Dyn>> {
    let n = m.nrows();
    (m * m + DMatrix::identity(n, n) * epsilon)
        .cholesky()
        .ok_or(Error::SingularMassMatrix {
            reason: "M² + εI is not positive definite (ε too small for this M)",
        })
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
    fn damped_solve_is_regularised_least_squares() {
        // Regular M: (M² + εI) x = M r exactly, and x → M⁻¹ r as ε → 0.
        let m = DMatrix::from_row_slice(2, 2, &[2.0, 0.5, 0.5, -1.0]);
        let r = DVector::from_row_slice(&[1.0, 3.0]);
        let x = Solver::Damped { epsilon: 1e-3 }.solve(&m, &r).unwrap();
        let lhs = (&m * &m + DMatrix::identity(2, 2) * 1e-3) * &x;
        assert!((lhs - &m * &r).amax() < 1e-13);
        let tiny = Solver::Damped { epsilon: 1e-14 }.solve(&m, &r).unwrap();
        let exact = m.clone().lu().solve(&r).unwrap();
        assert!((tiny - exact).amax() < 1e-12);
        // Through a singular M it stays finite: M = 0 gives 0, an eigenvalue λ gives λ/(λ² + ε).
        let zero = Solver::Damped { epsilon: 1e-4 }
            .solve(&DMatrix::zeros(2, 2), &r)
            .unwrap();
        assert_eq!(zero.as_slice(), &[0.0, 0.0]);
        let one = DMatrix::from_row_slice(1, 1, &[0.01]);
        let x = Solver::Damped { epsilon: 1e-4 }
            .solve(&one, &DVector::from_row_slice(&[1.0]))
            .unwrap();
        assert!((x[0] - 0.01 / (1e-4 + 1e-4)).abs() < 1e-12);
    }

    /// Every solver's adjoint against central differences of x̄ᵀ solve(M, r), with M perturbed
    /// symmetrically (as a mass matrix is) and r perturbed entry by entry.
    #[test]
    fn adjoints_match_finite_differences() {
        let m = DMatrix::from_row_slice(3, 3, &[1.5, 0.3, -0.2, 0.3, 0.8, 0.1, -0.2, 0.1, -0.6]);
        let r = DVector::from_row_slice(&[0.4, -1.0, 2.0]);
        let xbar = DVector::from_row_slice(&[1.0, -0.5, 0.25]);
        for solver in [
            Solver::default(),
            Solver::Ridge { epsilon: 0.05 },
            Solver::Damped { epsilon: 0.05 },
        ] {
            let f = |m: &DMatrix<f64>, r: &DVector<f64>| xbar.dot(&solver.solve(m, r).unwrap());
            let x = solver.solve(&m, &r).unwrap();
            let (mbar, rbar) = solver.adjoint(&m, &r, &x, &xbar).unwrap();
            let h = 1e-6;
            for i in 0..3 {
                let mut e = DVector::zeros(3);
                e[i] = h;
                let fd = (f(&m, &(&r + &e)) - f(&m, &(&r - &e))) / (2.0 * h);
                assert!(
                    (fd - rbar[i]).abs() < 1e-7,
                    "{solver:?} r̄{i}: {} vs {fd}",
                    rbar[i]
                );
                for j in i..3 {
                    let mut d = DMatrix::zeros(3, 3);
                    d[(i, j)] = h;
                    d[(j, i)] = h;
                    let fd = (f(&(&m + &d), &r) - f(&(&m - &d), &r)) / (2.0 * h);
                    let want = if i == j {
                        mbar[(i, i)]
                    } else {
                        mbar[(i, j)] + mbar[(j, i)]
                    };
                    assert!(
                        (fd - want).abs() < 1e-7,
                        "{solver:?} M̄{i}{j}: {want} vs {fd}"
                    );
                }
            }
        }
    }

    #[test]
    fn names_read_back() {
        for s in [
            Solver::default(),
            Solver::PseudoInverse { rcond: 1e-8 },
            Solver::Ridge { epsilon: 1e-4 },
            Solver::Damped { epsilon: 2.5e-3 },
        ] {
            assert_eq!(Solver::from_name(&s.name()).unwrap(), s);
        }
        assert_eq!(Solver::from_name("pinv").unwrap(), Solver::default());
        assert!(Solver::from_name("damped").is_err());
        assert!(Solver::from_name("damped:-1").is_err());
        assert!(Solver::from_name("lu").is_err());
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
