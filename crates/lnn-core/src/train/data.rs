//! Training data drawn fresh from the true systems: states from the paper's ranges and their
//! exact time derivatives, in velocity or canonical coordinates.
use alloc::vec::Vec;

use crate::models::{Coordinates, Normalisation};
use crate::rng::{normal, uniform, StdRng};
use crate::systems::{Derivation, DoublePendulum, System};
use crate::{math, Error, Result};

/// States and their time derivatives, row by row.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Dataset {
    /// Number of samples.
    pub samples: usize,
    /// `samples × (2n + k)` states.
    pub states: Vec<f64>,
    /// `samples × 2n` time derivatives (dq/dt, then dq̇/dt or dp/dt).
    pub targets: Vec<f64>,
}

/// A state (q, q̇, c) from the training distribution of `system`.
///
/// # Errors
/// [`Error::InvalidConfig`] for systems not trainable here yet (the wave, a graph model's job).
pub fn sample_state(system: &System, r: &mut StdRng) -> Result<Vec<f64>> {
    let u = |r: &mut StdRng, a: f64| uniform(r, -a, a);
    Ok(match system {
        System::DoublePendulum(_) => DoublePendulum::sample_training_state(r).to_vec(),
        // The paper: q ∈ [−10, 10], q̇ = 0.99999 tanh(2 N(0,1)), g = 10 N(0,1).
        System::Relativistic(_) => {
            let q = uniform(r, -10.0, 10.0);
            let v = 0.99999 * math::tanh(2.0 * normal(r));
            alloc::vec![q, v, 10.0 * normal(r)]
        }
        System::Harmonic(_) => alloc::vec![u(r, 2.0), u(r, 2.0)],
        System::FreeFall(_) => alloc::vec![u(r, 5.0), u(r, 5.0), u(r, 5.0), u(r, 5.0)],
        System::ChargedParticle(_) => alloc::vec![u(r, 2.0), u(r, 2.0), u(r, 2.0), u(r, 2.0)],
        System::Wave(_) => {
            return Err(Error::config(
                "system",
                "the wave is trained with the graph model, not an MLP over the whole grid",
            ))
        }
    })
}

/// `count` samples in the given coordinates, appended to `out` (cleared first).
///
/// # Errors
/// From [`sample_state`] and the system's accelerations.
pub fn sample(
    system: &System,
    coords: Coordinates,
    count: usize,
    r: &mut StdRng,
    out: &mut Dataset,
) -> Result<()> {
    let n = system.dof();
    out.samples = count;
    out.states.clear();
    out.targets.clear();
    for _ in 0..count {
        let x = sample_state(system, r)?;
        let qdd = system.accelerations(&x, &Derivation::ClosedForm)?;
        match coords {
            Coordinates::Velocity => {
                out.states.extend_from_slice(&x);
                out.targets.extend_from_slice(&x[n..2 * n]);
                out.targets.extend_from_slice(&qdd);
            }
            Coordinates::Canonical => {
                // p = ∂L/∂q̇ and, by the Euler–Lagrange equation, ṗ = ∂L/∂q.
                let t = system.terms(&x)?;
                out.states.extend_from_slice(&x[..n]);
                out.states.extend_from_slice(t.dl_dqdot.as_slice());
                out.states.extend_from_slice(&x[2 * n..]);
                out.targets.extend_from_slice(&x[n..2 * n]);
                out.targets.extend_from_slice(t.dl_dq.as_slice());
            }
        }
    }
    Ok(())
}

/// The input map a model of `system` gets by default: angles wrapped, the paper's scales.
pub fn default_normalisation(system: &System, coords: Coordinates) -> Normalisation {
    let mut norm = Normalisation::identity(system.state_len());
    match system {
        System::DoublePendulum(_) => {
            norm.wrap[0] = true;
            norm.wrap[1] = true;
        }
        System::Relativistic(_) => {
            norm.scale[0] = 0.1; // q/10
            norm.scale[2] = 0.1; // g/10
            if coords == Coordinates::Canonical {
                // p = q̇(1 − q̇²)^(−3/2) spans many decades near |q̇| = 1; keep it O(1) typically.
                norm.scale[1] = 0.1;
            }
        }
        _ => {}
    }
    norm
}
