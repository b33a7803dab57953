use core::fmt;

/// Everything that can go wrong in lnn-core, each with a message a user can act on.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum Error {
    /// A configuration value is out of its allowed range (`field`, what was given, what is allowed).
    InvalidConfig {
        /// Which setting, as the user named it (e.g. `"dt"`).
        field: &'static str,
        /// What is wrong and what would be accepted.
        reason: alloc::string::String,
    },
    /// A state vector has the wrong length for the system.
    StateLength {
        /// Length the system needs.
        expected: usize,
        /// Length given.
        got: usize,
    },
    /// An input or an intermediate result is NaN or infinite.
    NonFinite {
        /// Where it was detected.
        context: &'static str,
    },
    /// The mass matrix ∂²L/∂q̇² could not be inverted with the chosen solver.
    SingularMassMatrix {
        /// What the solver reported.
        reason: &'static str,
    },
    /// The generic engine carries derivatives on the stack and supports up to this many degrees of
    /// freedom; larger systems are written as a local density on a [`crate::grid`].
    TooManyDegreesOfFreedom {
        /// Degrees of freedom asked for.
        dof: usize,
        /// The largest supported.
        max: usize,
    },
    /// The adaptive integrator took more steps than allowed (per output interval, or over a
    /// whole [`crate::integrate::rollout`]) before reaching the end time.
    StepLimit {
        /// The limit that was hit.
        max_steps: usize,
        /// Simulation time reached.
        t: f64,
    },
    /// The adaptive integrator's step size fell below what f64 can resolve.
    StepSizeUnderflow {
        /// Simulation time reached.
        t: f64,
    },
    /// A setting would need more memory than the [`crate::budget::Budget`] allows (checked before
    /// allocating anything).
    OverBudget {
        /// Which setting, as the user named it (e.g. `"batch"`, `"grid"`).
        setting: &'static str,
        /// The estimated cost in bytes.
        bytes: f64,
        /// The budget in bytes.
        limit: u64,
    },
    /// A rollout used more right-hand-side evaluations than it was allowed: the model is too stiff
    /// (or diverging) to integrate in bounded time.
    EvaluationLimit {
        /// The limit that was hit.
        evaluations: usize,
    },
    /// An iterative solve (Newton's method of the variational integrator) did not converge.
    NoConvergence {
        /// What was being solved.
        what: &'static str,
        /// The iterations it was allowed.
        iterations: usize,
    },
    /// A data file (observed trajectories) is malformed at a place in it.
    Data {
        /// 1-based line of the file.
        line: usize,
        /// 1-based column (field) of that line; 0 when the whole line is meant.
        column: usize,
        /// What is wrong there.
        reason: alloc::string::String,
    },
    /// A name (system, integrator, ...) that is not known.
    Unknown {
        /// What kind of name.
        kind: &'static str,
        /// The name given.
        name: alloc::string::String,
        /// The accepted names, comma separated.
        expected: &'static str,
    },
}

/// `Result` with [`Error`].
pub type Result<T> = core::result::Result<T, Error>;

impl Error {
    /// Shorthand for [`Error::InvalidConfig`].
    pub fn config(field: &'static str, reason: impl Into<alloc::string::String>) -> Self {
        Error::InvalidConfig {
            field,
            reason: reason.into(),
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::InvalidConfig { field, reason } => write!(f, "invalid `{field}`: {reason}"),
            Error::StateLength { expected, got } => write!(
                f,
                "state has {got} numbers but this system needs {expected} ([q..., q̇..., c...])"
            ),
            Error::NonFinite { context } => write!(f, "non-finite number (NaN or ±inf) in {context}"),
            Error::SingularMassMatrix { reason } => write!(
                f,
                "the mass matrix ∂²L/∂q̇² cannot be inverted ({reason}); use the pseudo-inverse solver or a larger ridge"
            ),
            Error::TooManyDegreesOfFreedom { dof, max } => write!(
                f,
                "{dof} degrees of freedom is more than the dense engine's {max}; write the system as a local density on a grid"
            ),
            Error::StepLimit { max_steps, t } => write!(
                f,
                "the adaptive integrator took its limit of {max_steps} steps and stopped at t = {t}: the motion is stiff or blowing up, or the tolerance is too tight; loosen the tolerance or shorten the run"
            ),
            Error::StepSizeUnderflow { t } => write!(
                f,
                "the adaptive step size underflowed at t = {t}: the solution is probably blowing up"
            ),
            Error::OverBudget {
                setting,
                bytes,
                limit,
            } => write!(
                f,
                "`{setting}` would need about {} of memory, more than the budget of {}",
                crate::budget::human_bytes(*bytes),
                crate::budget::human_bytes(*limit as f64)
            ),
            Error::EvaluationLimit { evaluations } => write!(
                f,
                "the rollout used its {evaluations} evaluations of the model and was stopped: too stiff or diverging"
            ),
            Error::NoConvergence { what, iterations } => write!(
                f,
                "{what} did not converge in {iterations} Newton iterations: the step is too large for this Lagrangian, or its mass matrix is (nearly) singular here; take more substeps"
            ),
            Error::Data {
                line,
                column: 0,
                reason,
            } => write!(f, "line {line}: {reason}"),
            Error::Data {
                line,
                column,
                reason,
            } => write!(f, "line {line}, column {column}: {reason}"),
            Error::Unknown { kind, name, expected } => {
                write!(f, "unknown {kind} `{name}`; expected one of: {expected}")
            }
        }
    }
}

#[cfg(feature = "std")]
impl std::error::Error for Error {}

/// Checks that every number is finite, naming `context` otherwise.
pub(crate) fn ensure_finite(xs: &[f64], context: &'static str) -> Result<()> {
    if xs.iter().all(|x| x.is_finite()) {
        Ok(())
    } else {
        Err(Error::NonFinite { context })
    }
}
