//! Time integration of first-order systems dx/dt = f(x): explicit Euler, RK4 with sub-steps,
//! and adaptive Dormand–Prince 5(4); and, for Lagrangians, the variational integrator of
//! [`variational`], which steps L's discrete Euler–Lagrange equations instead of a vector field.
//!
//! Second-order mechanics becomes first order through [`second_order`], with x = [q, q̇, c] and
//! dx/dt = [q̇, q̈, 0]: conditioning inputs are held constant.
use alloc::vec;
use alloc::vec::Vec;

use crate::error::ensure_finite;
use crate::{Error, Result};

mod dopri5;
mod fixed;
pub mod variational;

/// A vector field dx/dt = f(x), writing f(x) into its second argument.
pub trait VectorField: FnMut(&[f64], &mut [f64]) -> Result<()> {}
impl<F: FnMut(&[f64], &mut [f64]) -> Result<()>> VectorField for F {}

/// The vector field (q̇, q̈(x), 0) of a system with `dof` coordinates, given its accelerations.
pub fn second_order(
    dof: usize,
    mut accelerations: impl FnMut(&[f64]) -> Result<Vec<f64>>,
) -> impl FnMut(&[f64], &mut [f64]) -> Result<()> {
    move |x, dx| {
        let qdd = accelerations(x)?;
        dx[..dof].copy_from_slice(&x[dof..2 * dof]);
        dx[dof..2 * dof].copy_from_slice(&qdd);
        dx[2 * dof..].fill(0.0);
        Ok(())
    }
}

/// A time-stepping method.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Integrator {
    /// Explicit Euler, `substeps` equal steps per output interval. First order; for teaching.
    Euler {
        /// Steps per output interval (≥ 1).
        substeps: usize,
    },
    /// Classic fourth-order Runge–Kutta, `substeps` equal steps per output interval.
    Rk4 {
        /// Steps per output interval (≥ 1).
        substeps: usize,
    },
    /// Dormand–Prince 5(4) with error control: a step is accepted when the embedded error
    /// estimate e satisfies ‖e_i / (atol + rtol·max(|x_i|, |x′_i|))‖_rms ≤ 1.
    Dopri5 {
        /// Relative tolerance (> 0).
        rtol: f64,
        /// Absolute tolerance (> 0).
        atol: f64,
        /// Steps (accepted and rejected) allowed per output interval; past it, an error.
        max_steps: usize,
    },
    /// The variational integrator of [`variational`] (midpoint discrete Lagrangian), `substeps`
    /// equal steps per output interval: second order, energy error bounded. It steps a
    /// Lagrangian, not a vector field, so only callers that have L run it
    /// ([`crate::simulate::Simulation`], [`variational::rollout`]); a [`Stepper`] refuses it.
    Variational {
        /// Steps per output interval (≥ 1).
        substeps: usize,
    },
}

impl Default for Integrator {
    fn default() -> Self {
        Integrator::Rk4 { substeps: 10 }
    }
}

/// Names accepted by [`Integrator::from_name`].
pub const INTEGRATOR_NAMES: &str = "euler, rk4, dopri5, variational";

impl Integrator {
    /// `euler` / `rk4` with `substeps`, or `dopri5` with tolerance `tol` for both rtol and atol.
    ///
    /// # Errors
    /// [`Error::Unknown`] for other names; the result is validated.
    pub fn from_name(name: &str, substeps: usize, tol: f64) -> Result<Self> {
        let i = match name {
            "euler" => Integrator::Euler { substeps },
            "rk4" => Integrator::Rk4 { substeps },
            "variational" => Integrator::Variational { substeps },
            "dopri5" => Integrator::Dopri5 {
                rtol: tol,
                atol: tol,
                max_steps: 1_000_000,
            },
            _ => {
                return Err(Error::Unknown {
                    kind: "integrator",
                    name: name.into(),
                    expected: INTEGRATOR_NAMES,
                })
            }
        };
        i.validate()?;
        Ok(i)
    }

    /// Checks the parameters.
    ///
    /// # Errors
    /// [`Error::InvalidConfig`] naming the bad field.
    pub fn validate(&self) -> Result<()> {
        match *self {
            Integrator::Euler { substeps }
            | Integrator::Rk4 { substeps }
            | Integrator::Variational { substeps }
                if substeps == 0 =>
            {
                Err(Error::config("substeps", "must be at least 1"))
            }
            Integrator::Euler { substeps }
            | Integrator::Rk4 { substeps }
            | Integrator::Variational { substeps } => {
                crate::budget::at_most("substeps", substeps, crate::budget::MAX_SUBSTEPS)
            }
            Integrator::Dopri5 {
                rtol,
                atol,
                max_steps,
            } => {
                for (field, v) in [("rtol", rtol), ("atol", atol)] {
                    if !(v > 0.0 && v.is_finite()) {
                        return Err(Error::config(field, "must be positive and finite"));
                    }
                }
                if max_steps == 0 {
                    return Err(Error::config("max_steps", "must be at least 1"));
                }
                Ok(())
            }
        }
    }
}

/// Advances a state by output intervals, keeping what an adaptive method learns about step size
/// from one interval to the next. The page drives one of these per animation frame.
#[derive(Clone, Debug)]
pub struct Stepper {
    integrator: Integrator,
    work: fixed::Work,
    dopri: dopri5::State,
}

impl Stepper {
    /// A stepper for states of `dim` numbers.
    ///
    /// # Errors
    /// [`Integrator::validate`].
    pub fn new(integrator: Integrator, dim: usize) -> Result<Self> {
        integrator.validate()?;
        if let Integrator::Variational { .. } = integrator {
            return Err(Error::config(
                "integrator",
                "the variational integrator steps a Lagrangian (L, its gradients and Hessians), and here there are only accelerations; use rk4 or dopri5 here",
            ));
        }
        Ok(Stepper {
            integrator,
            work: fixed::Work::new(dim),
            dopri: dopri5::State::new(dim),
        })
    }

    /// Advances `x` from its time by `dt` (> 0).
    ///
    /// # Errors
    /// [`Error::InvalidConfig`] for a bad dt, errors of `f`, [`Error::NonFinite`] if the state
    /// blows up, [`Error::StepLimit`] / [`Error::StepSizeUnderflow`] from the adaptive method.
    pub fn advance(&mut self, f: &mut impl VectorField, x: &mut [f64], dt: f64) -> Result<()> {
        self.advance_within(f, x, dt, usize::MAX).map(|_| ())
    }

    /// As [`Stepper::advance`], the adaptive method taking at most `limit` steps (and its own
    /// `max_steps`); returns the steps taken.
    fn advance_within(
        &mut self,
        f: &mut impl VectorField,
        x: &mut [f64],
        dt: f64,
        limit: usize,
    ) -> Result<usize> {
        check_dt(dt)?;
        let steps = match self.integrator {
            Integrator::Euler { substeps } => {
                let h = dt / substeps as f64;
                for _ in 0..substeps {
                    fixed::euler(f, x, h, &mut self.work)?;
                }
                substeps
            }
            Integrator::Rk4 { substeps } => {
                let h = dt / substeps as f64;
                for _ in 0..substeps {
                    fixed::rk4(f, x, h, &mut self.work)?;
                }
                substeps
            }
            Integrator::Dopri5 {
                rtol,
                atol,
                max_steps,
            } => self
                .dopri
                .advance(f, x, dt, rtol, atol, max_steps.min(limit))?,
            Integrator::Variational { .. } => unreachable!("Stepper::new refuses it"),
        };
        ensure_finite(x, "the integrated state (the trajectory blew up)")?;
        Ok(steps)
    }
}

/// A state with its clock, advanced interval by interval: what a page animates frame by frame
/// (and restarts when the user drags the system somewhere else).
#[derive(Clone, Debug)]
pub struct Rollout {
    integrator: Integrator,
    /// For every integrator but the variational one.
    stepper: Option<Stepper>,
    /// The variational integrator's momentum and guesses, from the first advance after a (re)start.
    carried: Option<variational::Carried>,
    x: Vec<f64>,
    t: f64,
}

impl Rollout {
    /// Starts at `x0`, time 0.
    ///
    /// # Errors
    /// [`Integrator::validate`], [`Error::NonFinite`] for a non-finite state.
    pub fn new(integrator: Integrator, x0: Vec<f64>) -> Result<Self> {
        ensure_finite(&x0, "the state")?;
        integrator.validate()?;
        Ok(Rollout {
            stepper: Self::stepper(integrator, x0.len())?,
            integrator,
            carried: None,
            x: x0,
            t: 0.0,
        })
    }

    fn stepper(integrator: Integrator, dim: usize) -> Result<Option<Stepper>> {
        match integrator {
            Integrator::Variational { .. } => Ok(None),
            _ => Stepper::new(integrator, dim).map(Some),
        }
    }

    /// Advances by `dt` along a vector field; on an error the state and clock are left as they
    /// were.
    ///
    /// # Errors
    /// As [`Stepper::advance`]; [`Error::InvalidConfig`] for the variational integrator, which
    /// needs the Lagrangian ([`Rollout::advance_lagrangian`]).
    pub fn advance(&mut self, f: &mut impl VectorField, dt: f64) -> Result<()> {
        let Some(stepper) = &mut self.stepper else {
            return Err(Error::config(
                "integrator",
                "the variational integrator steps a Lagrangian, and this system gives only accelerations; use rk4 or dopri5",
            ));
        };
        let mut x = self.x.clone();
        stepper.advance(f, &mut x, dt)?;
        self.x = x;
        self.t += dt;
        Ok(())
    }

    /// Advances by `dt` the motion of a Lagrangian given by its `terms` at a state: the
    /// variational integrator steps them, the others the accelerations they give through
    /// `solver`. On an error the state and clock are left as they were.
    ///
    /// # Errors
    /// Errors of `terms`, the solve, and the integrator.
    pub fn advance_lagrangian(
        &mut self,
        terms: &mut impl FnMut(&[f64]) -> Result<crate::mechanics::Terms>,
        dof: usize,
        solver: &crate::Solver,
        dt: f64,
    ) -> Result<()> {
        let Integrator::Variational { substeps } = self.integrator else {
            let mut field =
                second_order(dof, |x| terms(x)?.accelerations(&x[dof..2 * dof], solver));
            return self.advance(&mut field, dt);
        };
        check_dt(dt)?;
        let mut carried = match self.carried.take() {
            Some(c) => c,
            None => variational::Carried::new(terms, &self.x, dof)?,
        };
        let c = self.x[2 * dof..].to_vec();
        let newton = variational::Newton::default();
        carried.advance(terms, &c, dt, substeps, solver, &newton)?;
        let mut x = self.x.clone();
        carried.write(&mut x);
        ensure_finite(&x, "the integrated state (the trajectory blew up)")?;
        self.x = x;
        self.t += dt;
        self.carried = Some(carried);
        Ok(())
    }

    /// Restarts from `x` (same length, finite) at time 0.
    ///
    /// # Errors
    /// [`Error::StateLength`], [`Error::NonFinite`].
    pub fn reset(&mut self, x: Vec<f64>) -> Result<()> {
        if x.len() != self.x.len() {
            return Err(Error::StateLength {
                expected: self.x.len(),
                got: x.len(),
            });
        }
        ensure_finite(&x, "the state")?;
        self.x = x;
        self.t = 0.0;
        self.carried = None;
        Ok(())
    }

    /// Changes the integrator from here on.
    ///
    /// # Errors
    /// [`Integrator::validate`].
    pub fn set_integrator(&mut self, integrator: Integrator) -> Result<()> {
        integrator.validate()?;
        self.stepper = Self::stepper(integrator, self.x.len())?;
        self.integrator = integrator;
        self.carried = None;
        Ok(())
    }

    /// The integrator.
    pub fn integrator(&self) -> Integrator {
        self.integrator
    }

    /// The current state.
    pub fn state(&self) -> &[f64] {
        &self.x
    }

    /// Time since the start or the last reset.
    pub fn time(&self) -> f64 {
        self.t
    }
}

fn check_dt(dt: f64) -> Result<()> {
    if dt > 0.0 && dt.is_finite() {
        Ok(())
    } else {
        Err(Error::config("dt", "must be positive and finite"))
    }
}

/// The largest number of numbers a [`rollout`] may store (about 800 MB of f64s).
pub const MAX_TRAJECTORY_NUMBERS: usize = 100_000_000;

/// States at output times.
#[derive(Clone, Debug, PartialEq)]
pub struct Trajectory {
    /// Numbers per state.
    pub dim: usize,
    /// Output times, starting at 0.
    pub times: Vec<f64>,
    /// The states, concatenated (`times.len() * dim` numbers).
    pub states: Vec<f64>,
}

impl Trajectory {
    /// The state at output `i`.
    pub fn state(&self, i: usize) -> &[f64] {
        &self.states[i * self.dim..(i + 1) * self.dim]
    }

    /// The last state.
    pub fn last(&self) -> &[f64] {
        self.state(self.times.len() - 1)
    }

    /// Number of stored states.
    pub fn len(&self) -> usize {
        self.times.len()
    }

    /// True when no state is stored (never, for a trajectory from [`rollout`]).
    pub fn is_empty(&self) -> bool {
        self.times.is_empty()
    }
}

/// Integrates from `x0` at t = 0 to `t_end`, storing the state every `dt` (and at `t_end`).
///
/// # Errors
/// [`Error::InvalidConfig`] for a bad `t_end` or `dt` or too many outputs, and those of
/// [`Stepper::advance`].
pub fn rollout(
    f: impl VectorField,
    x0: &[f64],
    t_end: f64,
    dt: f64,
    integrator: &Integrator,
) -> Result<Trajectory> {
    check_outputs(x0, t_end, dt)?;
    rollout_within(
        f,
        x0,
        t_end,
        dt,
        integrator,
        crate::budget::MAX_ROLLOUT_STEPS as usize,
    )
}

/// Checks a rollout's `t_end`, `dt` and initial state, and that its outputs fit in memory.
fn check_outputs(x0: &[f64], t_end: f64, dt: f64) -> Result<()> {
    check_dt(dt)?;
    if !(t_end >= 0.0 && t_end.is_finite()) {
        return Err(Error::config("t", "must be non-negative and finite"));
    }
    ensure_finite(x0, "the initial state")?;
    let intervals = output_intervals(t_end, dt);
    if (intervals + 1.0) * x0.len() as f64 > MAX_TRAJECTORY_NUMBERS as f64 {
        return Err(Error::config(
            "dt",
            "t / dt gives more outputs than fit in memory; raise dt",
        ));
    }
    Ok(())
}

/// [`rollout`] with at most `max_total` integration steps over the whole run: the fixed-step
/// methods' count is known up front (and checked by their callers), the adaptive one's is not,
/// and a stiff or blowing-up model would otherwise take up to `max_steps` per output interval
/// for every one of millions of intervals.
fn rollout_within(
    mut f: impl VectorField,
    x0: &[f64],
    t_end: f64,
    dt: f64,
    integrator: &Integrator,
    max_total: usize,
) -> Result<Trajectory> {
    let intervals = output_intervals(t_end, dt) as usize;
    let mut stepper = Stepper::new(*integrator, x0.len())?;
    let mut x = x0.to_vec();
    let mut traj = Trajectory {
        dim: x0.len(),
        times: vec![0.0],
        states: Vec::with_capacity((intervals + 1) * x0.len()),
    };
    traj.states.extend_from_slice(&x);
    let mut taken = 0usize;
    for k in 1..=intervals {
        let t = if k == intervals { t_end } else { k as f64 * dt };
        let prev = *traj.times.last().unwrap_or(&0.0);
        let left = max_total.saturating_sub(taken);
        // The adaptive method's errors give the time within the interval: made the run's.
        taken += stepper
            .advance_within(&mut f, &mut x, t - prev, left)
            .map_err(|e| match e {
                Error::StepLimit { max_steps, t } => Error::StepLimit {
                    max_steps: if max_steps == left {
                        max_total
                    } else {
                        max_steps
                    },
                    t: prev + t,
                },
                Error::StepSizeUnderflow { t } => Error::StepSizeUnderflow { t: prev + t },
                other => other,
            })?;
        traj.times.push(t);
        traj.states.extend_from_slice(&x);
    }
    Ok(traj)
}

/// The number of output intervals of length `dt` up to `t_end` (the last one may be shorter),
/// as f64 so a huge `t_end / dt` can be checked before it is used as a count.
pub fn output_intervals(t_end: f64, dt: f64) -> f64 {
    libm_ceil(t_end / dt - 1e-9)
}

fn libm_ceil(x: f64) -> f64 {
    let t = x as u64 as f64;
    if x > t {
        t + 1.0
    } else {
        t.max(0.0)
    }
}

#[cfg(test)]
mod tests;
