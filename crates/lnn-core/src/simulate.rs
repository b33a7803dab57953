//! One entry point from user-facing settings to a trajectory of a true system, shared by the
//! CLI and the browser so both validate and behave alike.
use alloc::vec::Vec;

use crate::budget::{self, Budget};
use crate::custom::CustomSpec;
use crate::integrate::{rollout, second_order};
use crate::systems::{Derivation, System};
use crate::{Error, Integrator, Result, Trajectory};

/// What to simulate, by name, as a user gives it (command line, URL, JS object).
#[derive(Clone, Debug, PartialEq)]
pub struct SimulationSettings<'a> {
    /// A name from [`crate::systems::CATALOGUE`].
    pub system: &'a str,
    /// Grid points, for `wave` only.
    pub grid: Option<usize>,
    /// The typed Lagrangian, for `custom` only.
    pub custom: Option<&'a CustomSpec>,
    /// End time (≥ 0).
    pub t: f64,
    /// Output interval (> 0).
    pub dt: f64,
    /// `euler`, `rk4` or `dopri5`.
    pub integrator: &'a str,
    /// Steps per output interval for `euler` and `rk4`.
    pub substeps: usize,
    /// rtol = atol for `dopri5`.
    pub tol: f64,
    /// Initial state `[q, q̇, c]`, or the system's default.
    pub init: Option<Vec<f64>>,
    /// Derive accelerations from the closed form instead of the engine.
    pub closed_form: bool,
    /// The memory the trajectory may take (checked before the initial state is built).
    pub memory_budget: Budget,
}

impl Default for SimulationSettings<'_> {
    fn default() -> Self {
        SimulationSettings {
            system: "double-pendulum",
            grid: None,
            custom: None,
            t: 10.0,
            dt: 0.01,
            integrator: "rk4",
            substeps: 10,
            tol: 1e-9,
            init: None,
            closed_form: false,
            memory_budget: Budget::default(),
        }
    }
}

/// Validated settings.
#[derive(Clone, Debug, PartialEq)]
pub struct Simulation {
    /// The system.
    pub system: System,
    /// The integrator.
    pub integrator: Integrator,
    /// Engine or closed form.
    pub derivation: Derivation,
    /// Initial state.
    pub init: Vec<f64>,
    /// End time.
    pub t: f64,
    /// Output interval.
    pub dt: f64,
}

/// A trajectory with the energy of each state.
#[derive(Clone, Debug, PartialEq)]
pub struct SimulationResult {
    /// Times and states.
    pub trajectory: Trajectory,
    /// E at each output time.
    pub energy: Vec<f64>,
}

impl Simulation {
    /// Validates `s`.
    ///
    /// # Errors
    /// [`Error::Unknown`] for a bad name, [`Error::InvalidConfig`] naming the bad field, and state
    /// errors of [`System::validate_state`].
    pub fn new(s: &SimulationSettings<'_>) -> Result<Self> {
        let system = match (s.system, s.grid, s.custom) {
            ("custom", None, Some(spec)) => System::custom(spec)?,
            ("custom", Some(_), _) => {
                return Err(Error::config("grid", "only the wave system has a grid"))
            }
            ("custom", _, None) | (_, _, Some(_)) => {
                return Err(Error::config(
                    "custom",
                    "the `custom` system, and only it, is given by a typed Lagrangian",
                ))
            }
            ("wave", Some(n), None) => System::wave(n)?,
            ("wave", None, None) => System::from_name("wave")?,
            (_, Some(_), None) => {
                return Err(Error::config("grid", "only the wave system has a grid"))
            }
            (name, None, None) => System::from_name(name)?,
        };
        Self::of(system, s)
    }

    /// Validates `s` for a given system (a learned model's, say), ignoring `s.system`, `s.grid`
    /// and `s.custom`.
    ///
    /// # Errors
    /// As [`Simulation::new`] past the choice of system.
    pub fn of(system: System, s: &SimulationSettings<'_>) -> Result<Self> {
        let integrator = Integrator::from_name(s.integrator, s.substeps, s.tol)?;
        if !(s.t >= 0.0 && s.t.is_finite()) {
            return Err(Error::config("t", "must be non-negative and finite"));
        }
        if !(s.dt > 0.0 && s.dt.is_finite()) {
            return Err(Error::config("dt", "must be positive and finite"));
        }
        if s.t > 0.0 && s.dt > s.t {
            return Err(Error::config(
                "dt",
                alloc::format!(
                    "{:?} is longer than the run (t = {:?}): there would be no output after t = 0",
                    s.dt,
                    s.t
                ),
            ));
        }
        let outputs = crate::integrate::output_intervals(s.t, s.dt) + 1.0;
        if let Integrator::Euler { substeps }
        | Integrator::Rk4 { substeps }
        | Integrator::Variational { substeps } = integrator
        {
            if outputs * substeps as f64 > budget::MAX_ROLLOUT_STEPS {
                return Err(Error::config(
                    "substeps",
                    alloc::format!(
                        "t / dt × substeps = {:.1e} integration steps, more than the limit of {:.0e}",
                        outputs * substeps as f64,
                        budget::MAX_ROLLOUT_STEPS
                    ),
                ));
            }
        }
        // Per output: the time, the state and its energy; and the integrator's stages.
        let dim = system.state_len() as f64;
        let wave = matches!(system, System::Wave(_));
        s.memory_budget.check_all(&[
            (
                if wave { "grid × t/dt" } else { "t/dt" },
                outputs * (dim + 2.0) * 8.0,
            ),
            ("grid", 16.0 * dim * 8.0),
        ])?;
        let init = s.init.clone().unwrap_or_else(|| system.default_state());
        system.validate_state(&init).map_err(|e| match e {
            Error::StateLength { expected, got } => Error::config(
                "init",
                alloc::format!(
                    "{} needs {expected} numbers [q..., q̇..., c...], got {got}",
                    system.name()
                ),
            ),
            other => other,
        })?;
        let derivation = if s.closed_form {
            Derivation::ClosedForm
        } else {
            Derivation::default()
        };
        Ok(Simulation {
            system,
            integrator,
            derivation,
            init,
            t: s.t,
            dt: s.dt,
        })
    }

    /// Runs the simulation.
    ///
    /// # Errors
    /// Those of [`rollout`] and of the system's accelerations and energy.
    pub fn run(&self) -> Result<SimulationResult> {
        let sys = &self.system;
        let trajectory = if let Integrator::Variational { substeps } = self.integrator {
            // Steps L itself (its discrete Euler–Lagrange equations), not q̈.
            let mut terms = |x: &[f64]| sys.terms(x);
            crate::integrate::variational::rollout(
                &mut terms,
                &self.init,
                sys.dof(),
                self.t,
                self.dt,
                substeps,
                &crate::Solver::default(),
                &crate::integrate::variational::Newton::default(),
            )?
        } else {
            let field = second_order(sys.dof(), |x| sys.accelerations(x, &self.derivation));
            rollout(field, &self.init, self.t, self.dt, &self.integrator)?
        };
        let energy = (0..trajectory.len())
            .map(|k| sys.energy(trajectory.state(k)))
            .collect::<Result<_>>()?;
        Ok(SimulationResult { trajectory, energy })
    }
}
