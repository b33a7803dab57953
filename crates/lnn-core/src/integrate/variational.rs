//! A variational integrator for any Lagrangian: the discrete Euler–Lagrange equations of the
//! midpoint discrete Lagrangian
//!
//! ```text
//! L_d(q₀, q₁) = h · L((q₀ + q₁)/2, (q₁ − q₀)/h),
//! ```
//!
//! in position–momentum form: given (q₀, p₀), q₁ solves p₀ = −∂L_d/∂q₀ and p₁ = ∂L_d/∂q₁, i.e.
//!
//! ```text
//! p₀ = ∂L/∂q̇(m, v) − (h/2)·∂L/∂q(m, v),   p₁ = ∂L/∂q̇(m, v) + (h/2)·∂L/∂q(m, v),
//! m = (q₀ + q₁)/2,  v = (q₁ − q₀)/h.
//! ```
//!
//! Why: the map is symplectic and so keeps the energy error of a long rollout bounded (it
//! oscillates, O(h²)), where RK4's and Dormand–Prince's drift; it is second order. It needs L's
//! gradients and Hessian blocks, not q̈, so it works on a [`Terms`] oracle (true, typed or learned
//! Lagrangians alike) rather than on a [`super::VectorField`].
//!
//! The implicit equation for q₁ is solved by Newton's method with the Jacobian M/h + (C − Cᵀ)/2
//! (M = ∂²L/∂q̇², C = ∂²L/∂q̇∂q at the midpoint). The exact Jacobian has a further −(h/4)·∂²L/∂q²,
//! which the engine does not compute (nothing else needs the q–q block); without it the iteration
//! still converges, with a contraction factor O(h²·‖∂²L/∂q²‖/‖M‖) per iteration. Velocities at
//! output times come from p = ∂L/∂q̇(q, q̇), solved for q̇ by Newton with M.
use alloc::vec::Vec;

use nalgebra::DVector;

use crate::mechanics::Terms;
use crate::{Error, Result, Solver, Trajectory};

/// Settings of the Newton iterations of each step.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Newton {
    /// Converged when a Newton update's largest entry is at most `tol · (1 + ‖x‖∞)` for the
    /// unknown x (the iteration then takes one more evaluation for the result). A test on the
    /// update, not on the residual: stopping as soon as the residual fell below a threshold left a
    /// bias of the same sign every step, and the oscillator's energy drifted linearly (5e-9 over
    /// 10⁵ steps at a residual tolerance of 1e-12).
    pub tol: f64,
    /// Iterations allowed per solve; past them, [`Error::NoConvergence`].
    pub max_iterations: usize,
}

impl Default for Newton {
    fn default() -> Self {
        Newton {
            tol: 1e-13,
            max_iterations: 50,
        }
    }
}

/// `[q, v, c]`, the state layout [`Terms`] oracles take.
fn state(q: &[f64], v: &[f64], c: &[f64]) -> Vec<f64> {
    let mut x = Vec::with_capacity(q.len() + v.len() + c.len());
    x.extend_from_slice(q);
    x.extend_from_slice(v);
    x.extend_from_slice(c);
    x
}

fn largest(v: &DVector<f64>) -> f64 {
    v.iter().fold(0.0_f64, |a, b| a.max(b.abs()))
}

/// One step of size `h` from (q₀, p₀): returns (q₁, p₁). `v_guess` starts Newton at
/// q₁ = q₀ + h·v_guess (the last step's velocity is a good guess).
///
/// # Errors
/// Errors of `terms`; [`Error::SingularMassMatrix`] if the Newton matrix is singular;
/// [`Error::NoConvergence`] if Newton does not converge within its iterations.
#[allow(clippy::too_many_arguments)]
pub fn step(
    terms: &mut impl FnMut(&[f64]) -> Result<Terms>,
    q0: &[f64],
    p0: &[f64],
    c: &[f64],
    h: f64,
    v_guess: &[f64],
    newton: &Newton,
) -> Result<(Vec<f64>, Vec<f64>)> {
    let q0v = DVector::from_row_slice(q0);
    let p0v = DVector::from_row_slice(p0);
    let mut q1 = &q0v + DVector::from_row_slice(v_guess) * h;
    let mut converged = false;
    for _ in 0..=newton.max_iterations {
        let m = (&q0v + &q1) * 0.5;
        let v = (&q1 - &q0v) / h;
        let t = terms(&state(m.as_slice(), v.as_slice(), c))?;
        let residual = &t.dl_dqdot - &t.dl_dq * (0.5 * h) - &p0v;
        if converged || largest(&residual) == 0.0 {
            let p1 = &t.dl_dqdot + &t.dl_dq * (0.5 * h);
            return Ok((q1.as_slice().to_vec(), p1.as_slice().to_vec()));
        }
        let jacobian = &t.mass / h + (&t.mixed - t.mixed.transpose()) * 0.5;
        let delta = jacobian
            .lu()
            .solve(&residual)
            .ok_or(Error::SingularMassMatrix {
                reason: "the variational step's Newton matrix M/h + (C − Cᵀ)/2 is singular",
            })?;
        q1 -= &delta;
        crate::error::ensure_finite(q1.as_slice(), "the variational step's Newton iterate")?;
        converged = largest(&delta) <= newton.tol * (1.0 + largest(&q1));
    }
    Err(Error::NoConvergence {
        what: "the variational step (the discrete Euler–Lagrange equation)",
        iterations: newton.max_iterations,
    })
}

/// The velocity q̇ with ∂L/∂q̇(q, q̇) = p, by Newton from `v_guess`, solving with M through `solver`.
///
/// # Errors
/// Errors of `terms` and of the solver; [`Error::NoConvergence`].
pub fn velocity(
    terms: &mut impl FnMut(&[f64]) -> Result<Terms>,
    q: &[f64],
    p: &[f64],
    c: &[f64],
    v_guess: &[f64],
    solver: &Solver,
    newton: &Newton,
) -> Result<Vec<f64>> {
    let pv = DVector::from_row_slice(p);
    let mut v = DVector::from_row_slice(v_guess);
    for _ in 0..newton.max_iterations {
        let t = terms(&state(q, v.as_slice(), c))?;
        let residual = &t.dl_dqdot - &pv;
        if largest(&residual) == 0.0 {
            return Ok(v.as_slice().to_vec());
        }
        let delta = solver.solve(&t.mass, &residual)?;
        v -= &delta;
        crate::error::ensure_finite(v.as_slice(), "the velocity from the momentum")?;
        if largest(&delta) <= newton.tol * (1.0 + largest(&v)) {
            return Ok(v.as_slice().to_vec());
        }
    }
    Err(Error::NoConvergence {
        what: "the velocity from the momentum p = ∂L/∂q̇ (the Legendre map)",
        iterations: newton.max_iterations,
    })
}

/// The variational integrator's state between outputs: the position, the momentum it carries
/// (never rebuilt from q̇, so no error of the Legendre map accumulates), the velocity read off
/// at the last output, and Newton's next starting guess.
#[derive(Clone, Debug, PartialEq)]
pub struct Carried {
    q: Vec<f64>,
    p: Vec<f64>,
    v: Vec<f64>,
    guess: Vec<f64>,
}

impl Carried {
    /// Starts at `x = [q, q̇, c]` with p = ∂L/∂q̇ there.
    ///
    /// # Errors
    /// Errors of `terms`.
    pub fn new(
        terms: &mut impl FnMut(&[f64]) -> Result<Terms>,
        x: &[f64],
        dof: usize,
    ) -> Result<Self> {
        let p = terms(x)?.dl_dqdot.as_slice().to_vec();
        let v = x[dof..2 * dof].to_vec();
        Ok(Carried {
            q: x[..dof].to_vec(),
            p,
            guess: v.clone(),
            v,
        })
    }

    /// `substeps` steps across `dt`, then the velocity at the end from the momentum.
    ///
    /// # Errors
    /// As [`step`] and [`velocity`].
    #[allow(clippy::too_many_arguments)]
    pub fn advance(
        &mut self,
        terms: &mut impl FnMut(&[f64]) -> Result<Terms>,
        c: &[f64],
        dt: f64,
        substeps: usize,
        solver: &Solver,
        newton: &Newton,
    ) -> Result<()> {
        let h = dt / substeps as f64;
        for _ in 0..substeps {
            let (q1, p1) = step(terms, &self.q, &self.p, c, h, &self.guess, newton)?;
            self.guess = self.q.iter().zip(&q1).map(|(a, b)| (b - a) / h).collect();
            self.q = q1;
            self.p = p1;
        }
        self.v = velocity(terms, &self.q, &self.p, c, &self.v, solver, newton)?;
        Ok(())
    }

    /// Writes [q, q̇] into the front of `x` (its conditioning tail is left alone).
    pub fn write(&self, x: &mut [f64]) {
        let n = self.q.len();
        x[..n].copy_from_slice(&self.q);
        x[n..2 * n].copy_from_slice(&self.v);
    }
}

/// Integrates `x0 = [q, q̇, c]` from t = 0 to `t_end` with `substeps` variational steps per output
/// interval of `dt`, storing the state at each output time (as [`super::rollout`] does).
///
/// # Errors
/// As [`super::rollout`]'s checks and [`Carried::advance`]; [`Error::InvalidConfig`] if the run
/// would take more than [`crate::budget::MAX_ROLLOUT_STEPS`] steps.
#[allow(clippy::too_many_arguments)]
pub fn rollout(
    terms: &mut impl FnMut(&[f64]) -> Result<Terms>,
    x0: &[f64],
    dof: usize,
    t_end: f64,
    dt: f64,
    substeps: usize,
    solver: &Solver,
    newton: &Newton,
) -> Result<Trajectory> {
    super::check_outputs(x0, t_end, dt)?;
    if substeps == 0 {
        return Err(Error::config("substeps", "must be at least 1"));
    }
    let intervals = super::output_intervals(t_end, dt) as usize;
    if intervals as f64 * substeps as f64 > crate::budget::MAX_ROLLOUT_STEPS {
        return Err(Error::config("substeps", "t / dt × substeps is more steps than a rollout may take; raise dt or take fewer substeps"));
    }
    let c = &x0[2 * dof..];
    let mut carried = Carried::new(terms, x0, dof)?;
    let mut traj = Trajectory {
        dim: x0.len(),
        times: alloc::vec![0.0],
        states: Vec::with_capacity((intervals + 1) * x0.len()),
    };
    traj.states.extend_from_slice(x0);
    let mut x = x0.to_vec();
    for k in 1..=intervals {
        let t = if k == intervals { t_end } else { k as f64 * dt };
        let prev = *traj.times.last().unwrap_or(&0.0);
        carried.advance(terms, c, t - prev, substeps, solver, newton)?;
        carried.write(&mut x);
        traj.times.push(t);
        traj.states.extend_from_slice(&x);
    }
    Ok(traj)
}
