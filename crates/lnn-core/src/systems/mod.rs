//! Ground-truth physical systems. Each is given as its analytic Lagrangian, from which the engine
//! derives the motion, and as an independent closed form that checks the engine.
use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;

use alloc::sync::Arc;

use crate::custom::{CustomSpec, CustomSystem};
use crate::mechanics::{self, Lagrangian, Terms};
use crate::{grid, Error, Result, Solver};

mod double_pendulum;
mod free_fall;
mod harmonic;
mod magnetic;
mod relativistic;
mod wave;

pub use double_pendulum::{DoublePendulum, ENERGY_SCALE as DOUBLE_PENDULUM_ENERGY_SCALE};
pub use free_fall::FreeFall;
pub use harmonic::Harmonic;
pub use magnetic::ChargedParticle;
pub use relativistic::Relativistic;
pub use wave::Wave;

/// Any of the ground-truth systems, chosen at run time (by the CLI, the page, the metrics).
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum System {
    /// [`FreeFall`].
    FreeFall(FreeFall),
    /// [`Harmonic`].
    Harmonic(Harmonic),
    /// [`DoublePendulum`].
    DoublePendulum(DoublePendulum),
    /// [`Relativistic`].
    Relativistic(Relativistic),
    /// [`ChargedParticle`].
    ChargedParticle(ChargedParticle),
    /// [`Wave`].
    Wave(Wave),
    /// A typed Lagrangian ([`CustomSystem`]); shared, since a system is passed around freely.
    Custom(Arc<CustomSystem>),
    /// Known only from observed trajectories ([`crate::observe::Observed`]): no Lagrangian, so
    /// no true accelerations or energy.
    Observed(Arc<crate::observe::Observed>),
}

/// How to get accelerations from a system.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Derivation {
    /// Through the Euler–Lagrange engine from the analytic Lagrangian.
    Engine(Solver),
    /// From the hand-derived closed form.
    ClosedForm,
}

impl Default for Derivation {
    fn default() -> Self {
        Derivation::Engine(Solver::default())
    }
}

/// One line per system: its name on the command line and in URLs, and what it is.
pub const CATALOGUE: &[(&str, &str)] = &[
    (
        "double-pendulum",
        "the paper's double pendulum, m1 = m2 = l1 = l2 = 1, g = 9.8; state [θ1, θ2, ω1, ω2]",
    ),
    (
        "relativistic",
        "the paper's relativistic particle in a uniform potential; state [q, q̇, g], |q̇| < 1",
    ),
    (
        "wave",
        "the 1-D wave equation on a periodic grid (--grid N, default 100); state [φ (N), φ̇ (N)]",
    ),
    (
        "free-fall",
        "a mass falling in 2-D (paper appendix B), q̈ = (−9.8, 0); state [x, y, ẋ, ẏ]",
    ),
    ("harmonic", "a harmonic oscillator, m = k = 1; state [q, q̇]"),
    (
        "charged-particle",
        "a charge in a uniform magnetic field, qB = m = 1 (L linear in q̇); state [x, y, ẋ, ẏ]",
    ),
];

const NAMES: &str = "double-pendulum, relativistic, wave, free-fall, harmonic, charged-particle";

/// What asking an observed system for its own dynamics gets.
fn no_lagrangian() -> Error {
    Error::config(
        "system",
        "an observed system is known only from its data: it has no Lagrangian, true accelerations or energy of its own (a model learned from it has)",
    )
}

impl System {
    /// The system of that name with its default parameters.
    ///
    /// # Errors
    /// [`Error::Unknown`] listing the names.
    pub fn from_name(name: &str) -> Result<Self> {
        Ok(match name {
            "double-pendulum" => System::DoublePendulum(DoublePendulum::default()),
            "relativistic" => System::Relativistic(Relativistic),
            "wave" => System::Wave(Wave::default()),
            "free-fall" => System::FreeFall(FreeFall::default()),
            "harmonic" => System::Harmonic(Harmonic::default()),
            "charged-particle" => System::ChargedParticle(ChargedParticle::default()),
            _ => {
                return Err(Error::Unknown {
                    kind: "system",
                    name: String::from(name),
                    expected: NAMES,
                })
            }
        })
    }

    /// A wave on `n` points with c = 1 and a box of length 1.
    ///
    /// # Errors
    /// [`Error::InvalidConfig`] for n < 3.
    pub fn wave(n: usize) -> Result<Self> {
        grid::validate_points(n)?;
        Ok(System::Wave(Wave {
            n,
            c: 1.0,
            dx: 1.0 / n as f64,
        }))
    }

    /// A typed Lagrangian built from `spec`.
    ///
    /// # Errors
    /// As [`CustomSpec::build`].
    pub fn custom(spec: &CustomSpec) -> Result<Self> {
        Ok(System::Custom(Arc::new(spec.build()?)))
    }

    /// The name used on the command line and in URLs (`custom` for a typed Lagrangian).
    pub fn name(&self) -> &'static str {
        match self {
            System::Custom(_) => "custom",
            System::Observed(_) => "observed",
            System::FreeFall(_) => "free-fall",
            System::Harmonic(_) => "harmonic",
            System::DoublePendulum(_) => "double-pendulum",
            System::Relativistic(_) => "relativistic",
            System::ChargedParticle(_) => "charged-particle",
            System::Wave(_) => "wave",
        }
    }

    /// Degrees of freedom n.
    pub fn dof(&self) -> usize {
        match self {
            System::Harmonic(_) | System::Relativistic(_) => 1,
            System::FreeFall(_) | System::DoublePendulum(_) | System::ChargedParticle(_) => 2,
            System::Wave(w) => w.n,
            System::Custom(c) => c.dof(),
            System::Observed(o) => o.dof(),
        }
    }

    /// Number of conditioning inputs k.
    pub fn conditioning_len(&self) -> usize {
        match self {
            System::Relativistic(_) => 1,
            System::Custom(c) => c.conditioning_len(),
            _ => 0,
        }
    }

    /// Length of a state `[q, q̇, c]`: 2n + k.
    pub fn state_len(&self) -> usize {
        2 * self.dof() + self.conditioning_len()
    }

    /// A state to start from when none is given.
    pub fn default_state(&self) -> Vec<f64> {
        match self {
            System::FreeFall(_) => vec![10.0, 0.0, 0.0, 1.0],
            System::Harmonic(_) => vec![1.0, 0.0],
            System::DoublePendulum(_) => vec![1.0, 2.0, 0.0, 0.0],
            System::Relativistic(_) => vec![0.0, 0.0, 1.0],
            System::ChargedParticle(_) => vec![1.0, 0.0, 0.0, -1.0],
            System::Wave(w) => {
                w.gaussian_pulse(0.5 * w.n as f64 * w.dx, 0.05 * w.n as f64 * w.dx, 1.0)
            }
            System::Custom(c) => c.default_state(),
            System::Observed(o) => o.start.clone(),
        }
    }

    /// Checks a state: its length, finiteness and the system's own domain.
    ///
    /// # Errors
    /// [`Error::StateLength`], [`Error::NonFinite`], [`Error::InvalidConfig`] (e.g. |q̇| ≥ 1 for
    /// the relativistic particle).
    pub fn validate_state(&self, x: &[f64]) -> Result<()> {
        mechanics::split_state(x, self.dof(), self.conditioning_len())?;
        // A typed L may be undefined where the state starts (log or sqrt of a negative): said
        // before anything runs, not at the first step.
        if let System::Custom(c) = self {
            mechanics::terms(&**c, x).map_err(|e| {
                Error::config(
                    "init",
                    alloc::format!("the Lagrangian cannot be used at this state: {e}"),
                )
            })?;
        }
        if let System::Relativistic(_) = self {
            if x[1].abs() >= 1.0 {
                return Err(Error::config(
                    "init",
                    "the relativistic particle needs |q̇| < 1 (c = 1)",
                ));
            }
        }
        Ok(())
    }

    /// L, its gradients and Hessian blocks at x, through the engine.
    ///
    /// # Errors
    /// As [`mechanics::terms`] / [`grid::terms`].
    pub fn terms(&self, x: &[f64]) -> Result<Terms> {
        match self {
            System::FreeFall(s) => mechanics::terms(s, x),
            System::Harmonic(s) => mechanics::terms(s, x),
            System::DoublePendulum(s) => mechanics::terms(s, x),
            System::Relativistic(s) => {
                self.validate_state(x)?;
                mechanics::terms(s, x)
            }
            System::ChargedParticle(s) => mechanics::terms(s, x),
            System::Wave(w) => Ok(grid::terms(w, w.n, x)?.to_dense()),
            System::Custom(c) => mechanics::terms(&**c, x),
            System::Observed(_) => Err(no_lagrangian()),
        }
    }

    /// q̈ at x, derived as asked.
    ///
    /// # Errors
    /// As [`System::validate_state`] and the engine.
    pub fn accelerations(&self, x: &[f64], how: &Derivation) -> Result<Vec<f64>> {
        match how {
            Derivation::Engine(solver) => self
                .terms(x)?
                .accelerations(&x[self.dof()..2 * self.dof()], solver),
            Derivation::ClosedForm => {
                self.validate_state(x)?;
                let mut out = vec![0.0; self.dof()];
                match self {
                    System::FreeFall(s) => s.closed_form(x, &mut out),
                    System::Harmonic(s) => s.closed_form(x, &mut out),
                    System::DoublePendulum(s) => s.closed_form(x, &mut out),
                    System::Relativistic(s) => s.closed_form(x, &mut out),
                    System::ChargedParticle(s) => s.closed_form(x, &mut out),
                    System::Wave(s) => s.closed_form(x, &mut out),
                    System::Observed(_) => return Err(no_lagrangian()),
                    System::Custom(_) => {
                        return Err(Error::config(
                            "closed_form",
                            "a typed Lagrangian has no hand-derived closed form; its motion comes from the engine",
                        ))
                    }
                }
                Ok(out)
            }
        }
    }

    /// The energy E = q̇·∂L/∂q̇ − L at x.
    ///
    /// # Errors
    /// As [`System::terms`].
    pub fn energy(&self, x: &[f64]) -> Result<f64> {
        if let System::Wave(w) = self {
            return Ok(grid::terms(w, w.n, x)?.energy(&x[w.n..]));
        }
        Ok(self.terms(x)?.energy(&x[self.dof()..2 * self.dof()]))
    }
}
