//! Observing a known system: trajectories sampled at a chosen rate, with Gaussian noise on the
//! coordinates, written as a trajectory file would be. What the page's "observe" and
//! `lnn observe` make, and what the comparison of the two methods is measured on.
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use super::csv::{Run, Trajectories};
use crate::integrate::{rollout, second_order};
use crate::rng::{normal, StdRng};
use crate::systems::{Derivation, System};
use crate::{Error, Integrator, Result};

/// How to observe a system.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Observation {
    /// Number of trajectories, each from a state of the system's training distribution.
    pub trajectories: usize,
    /// Duration of each.
    pub duration: f64,
    /// Sampling interval.
    pub dt: f64,
    /// Standard deviation of the Gaussian noise added to every coordinate (0: exact).
    pub noise: f64,
    /// Seed of the initial states and the noise.
    pub seed: u64,
    /// Include the (noise-free) velocities as `NAME_dot` columns.
    pub velocities: bool,
}

impl Default for Observation {
    fn default() -> Self {
        Observation {
            trajectories: 50,
            duration: 10.0,
            dt: 0.05,
            noise: 0.0,
            seed: 0,
            velocities: false,
        }
    }
}

/// The most samples one observation may make (all trajectories together).
pub const MAX_SAMPLES: f64 = 2e6;

/// The coordinates' names: a typed Lagrangian's own, else q1, q2, …
pub fn coordinate_names(system: &System) -> Vec<String> {
    match system {
        System::Custom(c) => c.names().coordinates.clone(),
        System::Observed(o) => o.coordinates.clone(),
        _ => (1..=system.dof()).map(|i| format!("q{i}")).collect(),
    }
}

/// The conditioning inputs' names: a typed Lagrangian's own, else c1, c2, … (the relativistic
/// particle's g is `c1`).
pub fn conditioning_names(system: &System) -> Vec<String> {
    match system {
        System::Custom(c) => c.names().conditioning.clone(),
        _ => (1..=system.conditioning_len())
            .map(|i| format!("c{i}"))
            .collect(),
    }
}

/// Trajectories of `system` as `o` says, integrated by Dormand–Prince at 1e-10 (the truth, to
/// far below any noise level asked for).
///
/// # Errors
/// [`Error::InvalidConfig`] naming the setting; errors of the system's sampler and dynamics (a
/// system with conditioning inputs cannot be observed into a file, which has no columns for them).
pub fn observe(system: &System, o: &Observation) -> Result<Trajectories> {
    if matches!(system, System::Wave(_) | System::Observed(_)) {
        return Err(Error::config(
            "system",
            format!("{} cannot be observed into a trajectory file (a field of many points, or no dynamics of its own)", system.name()),
        ));
    }
    if o.trajectories == 0 {
        return Err(Error::config("trajectories", "must be at least 1"));
    }
    if !(o.dt > 0.0 && o.dt.is_finite() && o.duration >= 2.0 * o.dt && o.duration.is_finite()) {
        return Err(Error::config(
            "dt",
            "dt must be positive and the duration at least 2 dt",
        ));
    }
    if !(o.noise >= 0.0 && o.noise.is_finite()) {
        return Err(Error::config("noise", "must be non-negative and finite"));
    }
    let per = crate::integrate::output_intervals(o.duration, o.dt) + 1.0;
    if per * o.trajectories as f64 > MAX_SAMPLES {
        return Err(Error::config(
            "trajectories",
            format!(
                "{:.1e} samples in all, more than the limit of {MAX_SAMPLES:.0e}",
                per * o.trajectories as f64
            ),
        ));
    }
    let n = system.dof();
    let integrator = Integrator::Dopri5 {
        rtol: 1e-10,
        atol: 1e-10,
        max_steps: 1_000_000,
    };
    let how = Derivation::default();
    let mut r: StdRng = crate::rng::seeded(o.seed);
    let mut runs = Vec::with_capacity(o.trajectories);
    for id in 0..o.trajectories {
        let x0 = crate::train::data::sample_state(system, &mut r)?;
        let field = second_order(n, |x| system.accelerations(x, &how));
        let traj = rollout(field, &x0, o.duration, o.dt, &integrator)?;
        let mut run = Run {
            id: id as i64,
            line: 0,
            t: traj.times.clone(),
            q: Vec::with_capacity(traj.len() * n),
            qdot: o.velocities.then(|| Vec::with_capacity(traj.len() * n)),
            c: x0[2 * n..].to_vec(),
        };
        for k in 0..traj.len() {
            let x = traj.state(k);
            run.q
                .extend(x[..n].iter().map(|q| q + o.noise * normal(&mut r)));
            if let Some(v) = &mut run.qdot {
                v.extend_from_slice(&x[n..2 * n]);
            }
        }
        runs.push(run);
    }
    Ok(Trajectories {
        names: coordinate_names(system),
        conditioning: conditioning_names(system),
        runs,
    })
}
