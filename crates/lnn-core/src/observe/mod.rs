//! Learning from observed trajectories: positions sampled in time (a lab log, a tracked video, a
//! simulation), with no true accelerations. Two ways to turn them into a training signal:
//!
//! - [`Method::Estimate`]: estimate q̇ and q̈ at every sample by a local polynomial fit whose
//!   window and degree are chosen by leave-one-out cross-validation ([`smooth`]), then train on
//!   q̈ as with exact data. Works for every model kind, and averages noise out.
//! - [`Method::Discrete`]: no estimated derivatives at all. Consecutive samples q₀, q₁, q₂ must
//!   satisfy the discrete Euler–Lagrange equation of the midpoint discrete Lagrangian (the one
//!   [`crate::integrate::variational`] steps); the loss is the error of the position q₂ that one
//!   Newton step of that equation predicts from q₀, q₁ (started at the constant-velocity guess
//!   q̃ = q₁ + h₁(q₁ − q₀)/h₀), over h₁² so that it reads as an acceleration. LNN only: it
//!   needs L itself. Exact for the discrete flow at any sampling rate, but noise in q enters the
//!   chord velocities (q₁ − q₀)/h undamped.
//!
//! Trivial solutions: the Euler–Lagrange equations of L, 2L and L + const are the same, and
//! L = const has none. Neither loss can reward them: both compare predicted motion (q̈, or q₂)
//! with observed motion, which no scaling of L changes, and a constant L predicts no motion (its
//! M = 0 solves to q̈ = 0 under the pseudo-inverse, q₂ = q̃ in the discrete loss), which scores
//! the full size of the observed accelerations, not zero. The scale of L stays undetermined (as
//! with exact accelerations), which is why energies are compared relative to their own scale.
use alloc::string::String;
use alloc::vec::Vec;

pub mod csv;
mod sample;
pub mod smooth;
mod windows;

pub use csv::{parse, parse_for, Run, Trajectories};
pub use sample::{conditioning_names, coordinate_names, observe, Observation, MAX_SAMPLES};
pub use windows::Windows;

use crate::train::Dataset;
use crate::{Error, Result};

/// How observed positions become a training signal.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Method {
    /// Estimated q̇, q̈ from a cross-validated local polynomial fit, then the q̈ loss.
    Estimate,
    /// The discrete Euler–Lagrange one-step prediction of each next position (LNN only).
    Discrete,
}

/// The accepted names of [`Method`].
pub const METHOD_NAMES: &str = "estimate, discrete";

impl Method {
    /// The method of that name.
    ///
    /// # Errors
    /// [`Error::Unknown`].
    pub fn from_name(name: &str) -> Result<Self> {
        match name {
            "estimate" => Ok(Method::Estimate),
            "discrete" => Ok(Method::Discrete),
            _ => Err(Error::Unknown {
                kind: "method",
                name: name.into(),
                expected: METHOD_NAMES,
            }),
        }
    }

    /// Its name.
    pub fn name(self) -> &'static str {
        match self {
            Method::Estimate => "estimate",
            Method::Discrete => "discrete",
        }
    }
}

/// A system known only from observed trajectories: its coordinates' names and where its data
/// lie. It has no Lagrangian, so no true accelerations or energy; a model learned from it is
/// the only dynamics there is.
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(deny_unknown_fields))]
pub struct Observed {
    /// Names of the coordinates q, from the file's header.
    pub coordinates: Vec<String>,
    /// `[lo, hi]` of each state number [q, q̇] over the data (q̇ estimated if not given).
    pub ranges: Vec<(f64, f64)>,
    /// The first observed state: where a rollout starts when none is given.
    pub start: Vec<f64>,
}

impl Observed {
    /// Degrees of freedom.
    pub fn dof(&self) -> usize {
        self.coordinates.len()
    }

    /// Checks the record (a weights file's, say).
    ///
    /// # Errors
    /// [`Error::InvalidConfig`] naming the field.
    pub fn validate(&self) -> Result<()> {
        let n = self.dof();
        if n == 0 || n > crate::mechanics::MAX_DOF {
            return Err(Error::config(
                "observed",
                alloc::format!("needs 1 to {} coordinates", crate::mechanics::MAX_DOF),
            ));
        }
        if self.ranges.len() != 2 * n || self.start.len() != 2 * n {
            return Err(Error::config(
                "observed",
                alloc::format!(
                    "needs {} ranges and a start of {} numbers ([q, q̇])",
                    2 * n,
                    2 * n
                ),
            ));
        }
        let finite = self.start.iter().all(|x| x.is_finite())
            && self
                .ranges
                .iter()
                .all(|(a, b)| a.is_finite() && b.is_finite() && a <= b);
        if !finite {
            return Err(Error::config(
                "observed",
                "ranges and start must be finite, lo ≤ hi",
            ));
        }
        Ok(())
    }

    /// The record of a file's trajectories, with (q̇, q̈) estimates `derivatives` per run (as
    /// [`smooth::derivatives`] gives them).
    fn of(data: &Trajectories, derivatives: &[Vec<f64>]) -> Self {
        let n = data.dof();
        let mut ranges = alloc::vec![(f64::INFINITY, f64::NEG_INFINITY); 2 * n];
        for (run, d) in data.runs.iter().zip(derivatives) {
            for k in 0..run.len() {
                for j in 0..n {
                    for (slot, v) in [(j, run.q[k * n + j]), (n + j, d[k * 2 * n + j])] {
                        ranges[slot].0 = ranges[slot].0.min(v);
                        ranges[slot].1 = ranges[slot].1.max(v);
                    }
                }
            }
        }
        let first = &data.runs[0];
        let mut start = first.q[..n].to_vec();
        start.extend_from_slice(&derivatives[0][..n]);
        Observed {
            coordinates: data.names.clone(),
            ranges,
            start,
        }
    }
}

/// Training and test data made from a file, by one method.
#[derive(Clone, Debug, PartialEq)]
pub enum Signal {
    /// States with estimated derivatives ([`Method::Estimate`]).
    Estimated {
        /// Training samples.
        train: Dataset,
        /// Held-out samples.
        test: Dataset,
        /// The smoothing the cross-validation chose.
        smoothing: smooth::Smoothing,
    },
    /// Consecutive-sample windows ([`Method::Discrete`]).
    Windows {
        /// Training windows.
        train: Windows,
        /// Held-out windows.
        test: Windows,
    },
}

impl Signal {
    /// (degrees of freedom, conditioning inputs) of its states.
    pub fn dims(&self) -> (usize, usize) {
        match self {
            Signal::Estimated { train, .. } => {
                let n = train.targets.len() / (2 * train.samples.max(1));
                (n, train.states.len() / train.samples.max(1) - 2 * n)
            }
            Signal::Windows { train, .. } => (train.n, train.k),
        }
    }
}

/// What [`prepare`] makes of a file.
#[derive(Clone, Debug, PartialEq)]
pub struct Prepared {
    /// The system the data describe.
    pub observed: Observed,
    /// The training signal.
    pub signal: Signal,
}

/// The held-out part: every fifth trajectory (the fifth, tenth, …) when there are two or more,
/// else the last fifth in time of the only one. Whole stretches, not scattered samples, so the
/// test set is not the training set's neighbours.
fn split(data: &Trajectories) -> (Trajectories, Trajectories) {
    let (mut train, mut test) = (data.clone(), data.clone());
    if data.runs.len() >= 2 {
        train.runs.clear();
        test.runs.clear();
        for (i, r) in data.runs.iter().enumerate() {
            if i % 5 == 4 || (data.runs.len() < 5 && i == data.runs.len() - 1) {
                test.runs.push(r.clone());
            } else {
                train.runs.push(r.clone());
            }
        }
        return (train, test);
    }
    let r = &data.runs[0];
    let n = data.dof();
    let cut = r.len() - r.len() / 5;
    let part = |a: usize, b: usize, line: usize| Run {
        id: r.id,
        line,
        t: r.t[a..b].to_vec(),
        q: r.q[a * n..b * n].to_vec(),
        qdot: r.qdot.as_ref().map(|v| v[a * n..b * n].to_vec()),
        c: r.c.clone(),
    };
    train.runs = alloc::vec![part(0, cut, r.line)];
    test.runs = alloc::vec![part(cut, r.len(), r.line + cut)];
    (train, test)
}

/// The estimated derivatives of every run with the smoothing chosen on the whole file.
fn estimates(data: &Trajectories, s: smooth::Smoothing) -> Result<Vec<Vec<f64>>> {
    data.runs
        .iter()
        .map(|r| smooth::derivatives(r, data.dof(), s))
        .collect()
}

fn dataset(data: &Trajectories, derivatives: &[Vec<f64>]) -> Dataset {
    let n = data.dof();
    let mut d = Dataset::default();
    for (run, est) in data.runs.iter().zip(derivatives) {
        for k in 0..run.len() {
            d.states.extend_from_slice(&run.q[k * n..(k + 1) * n]);
            d.states.extend_from_slice(&est[k * 2 * n..k * 2 * n + n]);
            d.states.extend_from_slice(&run.c);
            d.targets
                .extend_from_slice(&est[k * 2 * n..(k + 1) * 2 * n]);
        }
        d.samples += run.len();
    }
    d
}

/// The training signal of `data` by `method`, split into training and held-out parts, and the
/// [`Observed`] system they describe.
///
/// # Errors
/// [`Error::Data`] for trajectories too short for the method (naming the line of the first short
/// one), or for degenerate fits.
pub fn prepare(data: &Trajectories, method: Method) -> Result<Prepared> {
    let (smoothing, _) = smooth::choose(data)?;
    let all = estimates(data, smoothing)?;
    if let Some((run, _)) = data
        .runs
        .iter()
        .zip(&all)
        .find(|(_, d)| d.iter().any(|x| !x.is_finite()))
    {
        return Err(Error::Data {
            line: run.line,
            column: 0,
            reason: alloc::format!("the velocities or accelerations estimated along trajectory {} are not finite (numbers too large for their time steps?)", run.id),
        });
    }
    if let [only] = &data.runs[..] {
        let need = 5 * smooth::MIN_SAMPLES.max(windows::MIN_SAMPLES);
        if only.len() < need {
            return Err(Error::Data {
                line: only.line,
                column: 0,
                reason: alloc::format!(
                    "one trajectory of {} samples; at least {need} are needed to hold its last fifth out for testing (or give several trajectories)",
                    only.len()
                ),
            });
        }
    }
    let observed = Observed::of(data, &all);
    let (train, test) = split(data);
    let signal = match method {
        Method::Estimate => Signal::Estimated {
            train: dataset(&train, &estimates(&train, smoothing)?),
            test: dataset(&test, &estimates(&test, smoothing)?),
            smoothing,
        },
        Method::Discrete => {
            data.require_samples(windows::MIN_SAMPLES, "the discrete loss")?;
            Signal::Windows {
                train: Windows::of(&train),
                test: Windows::of(&test),
            }
        }
    };
    Ok(Prepared { observed, signal })
}

#[cfg(test)]
mod tests;
