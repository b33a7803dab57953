//! A system given by a typed Lagrangian ([`crate::expr`]): the engine derives its q̈ and E as for
//! the built-in systems, and [`CustomSystem::diagnose`] says before anything runs where the
//! Lagrangian will give trouble (no dependence on a velocity, a singular or indefinite mass
//! matrix on much of the range training draws from).
use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

use crate::expr::{self, Expr, Names, Values, Var};
use crate::mechanics::{self, Lagrangian};
use crate::rng::StdRng;
use crate::taylor::Scalar;
use crate::{Error, Result, Solver};

/// A typed Lagrangian as plain data: what a weights file, a URL or the command line records.
/// [`CustomSpec::build`] parses and checks it.
#[derive(Clone, Debug, PartialEq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(deny_unknown_fields))]
pub struct CustomSpec {
    /// L as typed (a weights file records the canonical form).
    pub lagrangian: String,
    /// Names of the coordinates q.
    pub coordinates: Vec<String>,
    /// Parameters with their values, `[name, value]`.
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Vec::is_empty")
    )]
    pub parameters: Vec<(String, f64)>,
    /// Names of the conditioning inputs c (values given with each state, after q̇).
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Vec::is_empty")
    )]
    pub conditioning: Vec<String>,
    /// Where training states are drawn from: `[lo, hi]` per state number [q, q̇, c]; empty:
    /// [−1, 1] for q and q̇, [1, 1] for c.
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Vec::is_empty")
    )]
    pub ranges: Vec<(f64, f64)>,
}

impl CustomSpec {
    /// Parses and checks the spec.
    ///
    /// # Errors
    /// As [`CustomSystem::new`], and [`check_ranges`] for the ranges.
    pub fn build(&self) -> Result<CustomSystem> {
        let mut c = CustomSystem::new(
            &self.lagrangian,
            self.coordinates.clone(),
            self.parameters.clone(),
            self.conditioning.clone(),
        )?;
        if !self.ranges.is_empty() {
            check_ranges(&self.ranges, c.state_len())?;
            c.spec.ranges = self.ranges.clone();
        }
        Ok(c)
    }
}

/// A Lagrangian L(q, q̇, c) typed as an expression, with its names and parameter values.
#[derive(Clone, Debug, PartialEq)]
pub struct CustomSystem {
    expr: Expr,
    names: Names,
    values: Vec<f64>,
    /// What it was built from, in canonical form, ranges filled in.
    spec: CustomSpec,
}

impl CustomSystem {
    /// Parses `text` over `coordinates`, `parameters` (name and value) and `conditioning`
    /// inputs (names whose values come with each state, after q̇).
    ///
    /// # Errors
    /// [`Error::InvalidConfig`]: `lagrangian` with the parser's message (column and what was
    /// expected), or the list with a bad name, or `parameters` with a non-finite value.
    pub fn new(
        text: &str,
        coordinates: Vec<String>,
        parameters: Vec<(String, f64)>,
        conditioning: Vec<String>,
    ) -> Result<Self> {
        for (name, v) in &parameters {
            if !v.is_finite() {
                return Err(Error::config(
                    "parameters",
                    format!("`{name}` = {v} is not a finite number"),
                ));
            }
        }
        let (pnames, values): (Vec<String>, Vec<f64>) = parameters.iter().cloned().unzip();
        let names = Names::new(coordinates, pnames, conditioning)?;
        let expr =
            expr::parse(text, &names).map_err(|e| Error::config("lagrangian", e.to_string()))?;
        let (n, k) = (names.coordinates.len(), names.conditioning.len());
        let mut ranges = alloc::vec![(-1.0, 1.0); 2 * n];
        ranges.extend(core::iter::repeat_n((1.0, 1.0), k));
        let spec = CustomSpec {
            lagrangian: expr.to_string(),
            coordinates: names.coordinates.clone(),
            parameters,
            conditioning: names.conditioning.clone(),
            ranges,
        };
        Ok(CustomSystem {
            expr,
            names,
            values,
            spec,
        })
    }

    /// What this system was built from (canonical expression, ranges filled in).
    pub fn spec(&self) -> &CustomSpec {
        &self.spec
    }

    /// The ranges training states are drawn from, one per state number.
    pub fn ranges(&self) -> &[(f64, f64)] {
        &self.spec.ranges
    }

    /// A training state: uniform in each range.
    pub fn sample(&self, r: &mut StdRng) -> Vec<f64> {
        self.spec
            .ranges
            .iter()
            .map(|&(lo, hi)| crate::rng::uniform(r, lo, hi))
            .collect()
    }

    /// The middle of the ranges: where a rollout starts when no state is given.
    pub fn default_state(&self) -> Vec<f64> {
        self.spec
            .ranges
            .iter()
            .map(|&(lo, hi)| 0.5 * (lo + hi))
            .collect()
    }

    /// The parsed expression.
    pub fn expression(&self) -> &Expr {
        &self.expr
    }

    /// The names it was parsed with.
    pub fn names(&self) -> &Names {
        &self.names
    }

    /// The parameters with their values.
    pub fn parameters(&self) -> impl Iterator<Item = (&str, f64)> {
        self.names
            .parameters
            .iter()
            .map(String::as_str)
            .zip(self.values.iter().copied())
    }

    /// Numbers in a state: [q (n), q̇ (n), c (k)].
    pub fn state_len(&self) -> usize {
        2 * self.dof() + self.conditioning_len()
    }

    /// q̈ at `x` through the Euler–Lagrange engine (`solver` for M q̈ = r).
    ///
    /// # Errors
    /// Those of [`mechanics::accelerations`]: state length, non-finite L or derivatives, a
    /// singular mass matrix.
    pub fn accelerations(&self, x: &[f64], solver: &Solver) -> Result<Vec<f64>> {
        mechanics::accelerations(self, x, solver)
    }

    /// E = q̇·∂L/∂q̇ − L at `x`.
    ///
    /// # Errors
    /// As [`CustomSystem::accelerations`].
    pub fn energy(&self, x: &[f64]) -> Result<f64> {
        mechanics::energy(self, x)
    }

    /// What to know before simulating or training, from the expression and `samples` states drawn
    /// (seeded) from the ranges: the velocities L does not depend on, and the fraction of states
    /// where the mass matrix M = ∂²L/∂q̇² is singular or indefinite or L is not finite. These
    /// are warnings, not errors: LNNs meet such Lagrangians too.
    pub fn diagnose(&self, samples: usize, seed: u64) -> Vec<String> {
        let mut notes = Vec::new();
        let n = self.dof();
        for i in 0..n {
            if !self.expr.uses(&mut |v| v == Var::Qdot(i)) {
                notes.push(format!(
                    "L does not depend on {}_dot: its row of the mass matrix is zero everywhere, so q̈ of {} is undetermined (the pseudo-inverse sets it to 0)",
                    self.names.coordinates[i], self.names.coordinates[i]
                ));
            }
        }
        let mut r = crate::rng::seeded(seed);
        let (mut bad_value, mut singular, mut indefinite) = (0usize, 0usize, 0usize);
        for _ in 0..samples {
            let x = self.sample(&mut r);
            let Ok(t) = mechanics::terms(self, &x) else {
                bad_value += 1;
                continue;
            };
            match definiteness(&t.mass) {
                Definiteness::Positive | Definiteness::Negative => {}
                Definiteness::Singular => singular += 1,
                Definiteness::Indefinite => indefinite += 1,
            }
        }
        let pct = |k: usize| 100.0 * k as f64 / samples.max(1) as f64;
        if bad_value > 0 {
            notes.push(format!(
                "L or its derivatives are not finite at {:.0} % of {samples} states drawn from the ranges",
                pct(bad_value)
            ));
        }
        if singular > 0 {
            notes.push(format!(
                "the mass matrix ∂²L/∂q̇² is singular at {:.0} % of {samples} states drawn from the ranges",
                pct(singular)
            ));
        }
        if indefinite > 0 {
            notes.push(format!(
                "the mass matrix ∂²L/∂q̇² is indefinite (mixed signs) at {:.0} % of {samples} states drawn from the ranges",
                pct(indefinite)
            ));
        }
        notes
    }
}

/// Checks one `(lo, hi)` range per state number: finite, lo ≤ hi.
///
/// # Errors
/// [`Error::InvalidConfig`] naming `ranges`.
pub fn check_ranges(ranges: &[(f64, f64)], state_len: usize) -> Result<()> {
    if ranges.len() != state_len {
        return Err(Error::config(
            "ranges",
            format!(
                "{} ranges for a state of {state_len} numbers [q..., q̇..., c...]",
                ranges.len()
            ),
        ));
    }
    for (i, &(lo, hi)) in ranges.iter().enumerate() {
        if !(lo.is_finite() && hi.is_finite()) {
            return Err(Error::config(
                "ranges",
                format!("range {} is not finite", i + 1),
            ));
        }
        if lo > hi {
            return Err(Error::config(
                "ranges",
                format!("range {} runs backwards ({lo} to {hi})", i + 1),
            ));
        }
    }
    Ok(())
}

enum Definiteness {
    Positive,
    Negative,
    Singular,
    Indefinite,
}

/// Of a symmetric matrix, from its eigenvalues (relative cutoff 1e-10 for "singular").
fn definiteness(m: &nalgebra::DMatrix<f64>) -> Definiteness {
    let eig = m.clone().symmetric_eigen().eigenvalues;
    let scale = eig.iter().fold(0.0f64, |a, v| a.max(v.abs()));
    if scale == 0.0 || eig.iter().any(|v| v.abs() <= 1e-10 * scale) {
        Definiteness::Singular
    } else if eig.iter().all(|&v| v > 0.0) {
        Definiteness::Positive
    } else if eig.iter().all(|&v| v < 0.0) {
        Definiteness::Negative
    } else {
        Definiteness::Indefinite
    }
}

impl Lagrangian for CustomSystem {
    fn dof(&self) -> usize {
        self.names.coordinates.len()
    }

    fn conditioning_len(&self) -> usize {
        self.names.conditioning.len()
    }

    fn lagrangian<S: Scalar>(&self, q: &[S], qdot: &[S], c: &[f64]) -> S {
        self.expr.eval(&Values {
            q,
            qdot,
            params: &self.values,
            c,
        })
    }
}

impl core::fmt::Display for CustomSystem {
    /// `L = <canonical expression>` with the names: what a weights file or a log records.
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(
            f,
            "L = {} (coordinates {}",
            self.expr,
            expr::list(&self.names.coordinates)
        )?;
        if !self.values.is_empty() {
            let p: Vec<String> = self
                .parameters()
                .map(|(n, v)| format!("{n} = {v}"))
                .collect();
            write!(f, "; parameters {}", expr::list(&p))?;
        }
        if !self.names.conditioning.is_empty() {
            write!(f, "; conditioning {}", expr::list(&self.names.conditioning))?;
        }
        f.write_str(")")
    }
}
