//! The paper's energy-error protocol, for any model that yields accelerations.
//!
//! For each of `initial_conditions` random states, roll out the model and the true system to
//! `t_end` with the same integrator and report |E(x_model(t_end)) − E(x_true(t_end))| / scale,
//! where E is the *true* energy function. The paper's double pendulum: 40 states with θ uniform in
//! [0, 2π) and ω in [0, 0.1), t_end = 100, scale 29.4; it reports the mean (LNN 0.43 %, MLP 7.4 %).
//! A few blown-up rollouts make a plain mean meaningless, so the median and the number of
//! diverged rollouts are reported too.
//!
//! Bounded work: a model's rollout is stopped, and counted as diverged, as soon as its true
//! energy at an output time is off by more than the divergence threshold, or once it has used
//! [`EnergyProtocol::stiffness_limit`] times the right-hand-side evaluations the truth needed
//! from the same state (a stiff or blowing-up learned model makes the adaptive integrator take
//! ever smaller steps: a random 4×256 LNN did not finish 2 initial conditions in 300 s). Only
//! the final states are kept, so a long `t_end` costs no memory.
use alloc::vec::Vec;

use crate::budget;
use crate::integrate::{second_order, Stepper, VectorField};
use crate::rng::{self, StdRng};
use crate::systems::{DoublePendulum, System, DOUBLE_PENDULUM_ENERGY_SCALE};
use crate::{Error, Integrator, Result};

/// The protocol's settings.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct EnergyProtocol {
    /// Number of initial conditions (the paper: 40).
    pub initial_conditions: usize,
    /// Rollout length (the paper: 100).
    pub t_end: f64,
    /// Output interval (the paper: 0.1, ten frames per second).
    pub dt: f64,
    /// Integrator used for both the model and the truth.
    pub integrator: Integrator,
    /// Energy scale the error is divided by (the paper: 29.4).
    pub scale: f64,
    /// Seed of the initial conditions.
    pub seed: u64,
    /// A rollout whose relative error exceeds this counts as diverged (default 10: a thousand
    /// percent of the scale, beyond any state the true flow from these initial conditions can
    /// reach), so one blown-up rollout cannot swamp the mean.
    pub divergence_threshold: f64,
    /// A model's rollout may use at most this many times the right-hand-side evaluations the
    /// true system's rollout from the same state used (and at least [`MIN_EVALUATIONS`]); past
    /// it, it is stopped and counted as diverged. Default 10: on ten of the protocol's states the
    /// truth took 47k–78k evaluations to t = 100 and the shipped LNN 0.98–1.2× that, the shipped
    /// baseline 0.97–1.14× and 3.1× on one.
    pub stiffness_limit: f64,
}

/// The fewest right-hand-side evaluations a model's rollout is allowed, however few the truth
/// needed.
pub const MIN_EVALUATIONS: usize = 10_000;

impl Default for EnergyProtocol {
    /// The paper's double pendulum protocol, integrated with Dormand–Prince at 1e-9.
    fn default() -> Self {
        EnergyProtocol {
            initial_conditions: 40,
            t_end: 100.0,
            dt: 0.1,
            integrator: Integrator::Dopri5 {
                rtol: 1e-9,
                atol: 1e-9,
                max_steps: 100_000,
            },
            scale: DOUBLE_PENDULUM_ENERGY_SCALE,
            seed: 0,
            divergence_threshold: 10.0,
            stiffness_limit: 10.0,
        }
    }
}

impl EnergyProtocol {
    /// Checks the settings, naming the field (`initial_conditions`, `t_end`, `dt`, ...) and the
    /// bounds [`budget::MAX_INITIAL_CONDITIONS`] and [`budget::MAX_ENERGY_T`].
    ///
    /// # Errors
    /// [`Error::InvalidConfig`].
    pub fn validate(&self) -> Result<()> {
        if self.initial_conditions == 0 {
            return Err(Error::config("initial_conditions", "must be at least 1"));
        }
        budget::at_most(
            "initial_conditions",
            self.initial_conditions,
            budget::MAX_INITIAL_CONDITIONS,
        )?;
        if !(self.t_end > 0.0 && self.t_end <= budget::MAX_ENERGY_T) {
            return Err(Error::config(
                "t_end",
                alloc::format!(
                    "must be a number in (0, {:?}], got {:?}",
                    budget::MAX_ENERGY_T,
                    self.t_end
                ),
            ));
        }
        if !(self.dt > 0.0
            && crate::integrate::output_intervals(self.t_end, self.dt) <= budget::MAX_ROLLOUT_STEPS)
        {
            return Err(Error::config(
                "dt",
                alloc::format!(
                    "must be positive, with at most {:e} output intervals up to t_end",
                    budget::MAX_ROLLOUT_STEPS
                ),
            ));
        }
        for (field, v) in [
            ("scale", self.scale),
            ("divergence_threshold", self.divergence_threshold),
            ("stiffness_limit", self.stiffness_limit),
        ] {
            if !(v > 0.0 && v.is_finite()) {
                return Err(Error::config(field, "must be positive and finite"));
            }
        }
        self.integrator.validate()
    }
}

/// `f` with a count of its calls kept in `count`; past `limit` calls it fails with
/// [`Error::EvaluationLimit`].
fn counted<'a>(
    mut f: impl VectorField + 'a,
    count: &'a mut usize,
    limit: usize,
) -> impl VectorField + 'a {
    move |x: &[f64], dx: &mut [f64]| {
        if *count >= limit {
            return Err(Error::EvaluationLimit { evaluations: limit });
        }
        *count += 1;
        f(x, dx)
    }
}

/// Integrates `f` from `x0` to `t_end` output interval by output interval, calling `check` on
/// the state at every output time (an error stops the rollout); returns the final state.
fn advance_to(
    f: &mut impl VectorField,
    x0: &[f64],
    p: &EnergyProtocol,
    mut check: impl FnMut(&[f64]) -> Result<()>,
) -> Result<Vec<f64>> {
    let mut stepper = Stepper::new(p.integrator, x0.len())?;
    let mut x = x0.to_vec();
    let intervals = crate::integrate::output_intervals(p.t_end, p.dt).max(1.0) as usize;
    let mut t = 0.0;
    for k in 1..=intervals {
        let next = if k == intervals {
            p.t_end
        } else {
            k as f64 * p.dt
        };
        stepper.advance(f, &mut x, next - t)?;
        t = next;
        check(&x)?;
    }
    Ok(x)
}

/// The protocol's result.
#[derive(Clone, Debug, PartialEq)]
pub struct EnergyReport {
    /// Per initial condition: the relative energy error, or `None` where the model's rollout
    /// diverged (non-finite state, integrator failure, singular mass matrix, an error above the
    /// protocol's divergence threshold at any output time, or more evaluations than
    /// [`EnergyProtocol::stiffness_limit`] allows).
    pub errors: Vec<Option<f64>>,
    /// Mean over the rollouts that did not diverge.
    pub mean: f64,
    /// Median over all rollouts, diverged ones counting as +∞.
    pub median: f64,
    /// Number of diverged rollouts.
    pub diverged: usize,
}

/// Runs the protocol with the paper's double pendulum initial conditions.
///
/// `model` maps a state `[q, q̇, c]` to q̈.
///
/// # Errors
/// [`Error::InvalidConfig`] for bad settings, and any failure of the *true* system's rollout
/// (a failure of the model's rollout counts as divergence instead).
pub fn double_pendulum_energy_error(
    truth: &System,
    model: impl FnMut(&[f64]) -> Result<Vec<f64>>,
    protocol: &EnergyProtocol,
) -> Result<EnergyReport> {
    energy_error(truth, model, protocol, |r| {
        DoublePendulum::sample_energy_protocol_state(r).to_vec()
    })
}

/// Runs the protocol with initial conditions drawn by `sample`.
///
/// # Errors
/// As [`double_pendulum_energy_error`].
pub fn energy_error(
    truth: &System,
    model: impl FnMut(&[f64]) -> Result<Vec<f64>>,
    p: &EnergyProtocol,
    sample: impl FnMut(&mut StdRng) -> Vec<f64>,
) -> Result<EnergyReport> {
    energy_error_with_progress(truth, model, p, sample, |_, _| {})
}

/// [`energy_error`], calling `progress(done, total)` after each initial condition (the CLI
/// shows it on stderr: the paper's protocol takes half a minute or more).
///
/// # Errors
/// As [`double_pendulum_energy_error`].
pub fn energy_error_with_progress(
    truth: &System,
    mut model: impl FnMut(&[f64]) -> Result<Vec<f64>>,
    p: &EnergyProtocol,
    mut sample: impl FnMut(&mut StdRng) -> Vec<f64>,
    mut progress: impl FnMut(usize, usize),
) -> Result<EnergyReport> {
    p.validate()?;
    let mut r = rng::seeded(p.seed);
    let dof = truth.dof();
    let how = crate::systems::Derivation::default();
    let mut errors = Vec::with_capacity(p.initial_conditions);
    for i in 0..p.initial_conditions {
        let x0 = sample(&mut r);
        truth.validate_state(&x0)?;
        let mut truth_evaluations = 0;
        let true_field = counted(
            second_order(dof, |x| truth.accelerations(x, &how)),
            &mut truth_evaluations,
            usize::MAX,
        );
        let e_true = truth.energy(&advance_to(&mut { true_field }, &x0, p, |_| Ok(()))?)?;
        let limit = ((p.stiffness_limit * truth_evaluations as f64) as usize).max(MIN_EVALUATIONS);
        let mut model_evaluations = 0;
        let mut model_field = counted(second_order(dof, &mut model), &mut model_evaluations, limit);
        // The true energy is conserved along the true flow, so an output state whose energy is
        // already off by the threshold has diverged: stop there.
        let e0 = truth.energy(&x0)?;
        let off = |e: f64, reference: f64| (e - reference).abs() / p.scale;
        let e_model = advance_to(&mut model_field, &x0, p, |x| {
            let e = truth.energy(x)?;
            if off(e, e0) > p.divergence_threshold {
                Err(Error::NonFinite {
                    context: "the energy of the model's rollout (diverged)",
                })
            } else {
                Ok(())
            }
        })
        .and_then(|x| truth.energy(&x));
        errors.push(match e_model {
            Ok(e) if off(e, e_true) <= p.divergence_threshold => Some(off(e, e_true)),
            _ => None,
        });
        progress(i + 1, p.initial_conditions);
    }
    let finite: Vec<f64> = errors.iter().flatten().copied().collect();
    let diverged = errors.len() - finite.len();
    let mean = if finite.is_empty() {
        f64::INFINITY
    } else {
        finite.iter().sum::<f64>() / finite.len() as f64
    };
    let mut all: Vec<f64> = errors.iter().map(|e| e.unwrap_or(f64::INFINITY)).collect();
    all.sort_by(f64::total_cmp);
    let m = all.len();
    let median = if m % 2 == 1 {
        all[m / 2]
    } else {
        0.5 * (all[m / 2 - 1] + all[m / 2])
    };
    Ok(EnergyReport {
        errors,
        mean,
        median,
        diverged,
    })
}
