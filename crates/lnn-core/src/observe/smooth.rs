//! Velocities and accelerations estimated from sampled positions: a local polynomial fit around
//! each sample (Savitzky–Golay for uniform sampling, least squares on the actual times
//! otherwise), with its window and degree chosen from the data by leave-one-out
//! cross-validation of the positions.
//!
//! Why this choice: a local fit is linear in the data, so its exact leave-one-out residual is
//! (y_i − ŷ_i)/(1 − H_ii) with H_ii the fit's weight on y_i itself; the score of a (window,
//! degree) costs one fit per sample, and no setting is chosen by hand. Noise-free samples make the
//! smallest window win (truncation error only); noisy ones a wider window, wide enough that the
//! fit stops following the noise. Known bias of the criterion: it is the best window for the
//! positions, and the best for a second derivative is somewhat wider (theory: the same rate in
//! the sample count, a larger constant), so accelerations from noisy data stay a little noisy.
use alloc::vec::Vec;

use nalgebra::{DMatrix, DVector};

use super::csv::{Run, Trajectories};
use crate::{Error, Result};

/// A window half-width and polynomial degree: the fit around sample i uses the 2·half + 1
/// samples nearest it (shifted inwards at the ends of a trajectory).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Smoothing {
    /// Half-width w (window 2w + 1 samples).
    pub half: usize,
    /// Polynomial degree (2 to 4).
    pub degree: usize,
}

/// The half-widths tried: a geometric ladder to 40 (81 samples).
const HALF_WIDTHS: [usize; 13] = [1, 2, 3, 4, 5, 6, 8, 10, 13, 16, 20, 25, 32];

/// Degrees tried: 2 is the least that has an acceleration; 4 the most worth its variance.
const DEGREES: [usize; 3] = [2, 3, 4];

/// The most centres the cross-validation score is computed at (spread evenly over the data):
/// enough for a stable choice, bounded cost on long files.
const SCORE_CENTRES: usize = 4000;

/// Fewest samples a trajectory needs for these estimates: the smallest window tried that leaves
/// a quadratic fit a sample to spare for the leave-one-out score (2·2 + 1).
pub const MIN_SAMPLES: usize = 5;

/// The weights of the fit at sample `i`: rows 0, 1, 2 give the value, first and second
/// derivative at t_i as dot products with the window's samples; with the window's first index.
fn weights(t: &[f64], i: usize, s: Smoothing) -> Option<(usize, DMatrix<f64>)> {
    let len = t.len();
    let size = (2 * s.half + 1).min(len);
    let start = i.saturating_sub(s.half).min(len - size);
    let span = (t[start + size - 1] - t[start]).max(f64::MIN_POSITIVE);
    let scale = span / 2.0;
    let cols = s.degree + 1;
    let x = DMatrix::from_fn(size, cols, |r, c| {
        crate::math::powi((t[start + r] - t[i]) / scale, c as i32)
    });
    let xtx = x.transpose() * &x;
    let inv = xtx.try_inverse()?;
    let mut a = inv * x.transpose(); // (d+1) × size: coefficient weights
    for c in 0..size {
        a[(1, c)] /= scale;
        a[(2, c)] *= 2.0 / (scale * scale);
    }
    Some((start, a.rows(0, 3).into_owned()))
}

/// The leave-one-out score of `s` over the runs: the mean squared residual of each sample's
/// position predicted without it (NaN if some fit is degenerate or the window is too small).
fn score(data: &Trajectories, s: Smoothing) -> f64 {
    let n = data.dof();
    let total = data.samples();
    let stride = total.div_ceil(SCORE_CENTRES).max(1);
    let (mut sum, mut count, mut k) = (0.0, 0usize, 0usize);
    for run in &data.runs {
        if 2 * s.half + 1 < s.degree + 2 || run.len() < s.degree + 2 {
            return f64::NAN;
        }
        for i in 0..run.len() {
            k += 1;
            if k % stride != 0 {
                continue;
            }
            let Some((start, a)) = weights(&run.t, i, s) else {
                return f64::NAN;
            };
            let own = a[(0, i - start)];
            if !(1.0 - own).is_normal() || own >= 1.0 {
                return f64::NAN;
            }
            for j in 0..n {
                let fit: f64 = (0..a.ncols())
                    .map(|c| a[(0, c)] * run.q[(start + c) * n + j])
                    .sum();
                let r = (run.q[i * n + j] - fit) / (1.0 - own);
                sum += r * r;
                count += 1;
            }
        }
    }
    sum / count.max(1) as f64
}

/// The (window, degree) of least leave-one-out score, and that score. Windows wider than the
/// shortest trajectory are not tried.
///
/// # Errors
/// [`Error::Data`] if a trajectory has fewer than [`MIN_SAMPLES`] samples.
pub fn choose(data: &Trajectories) -> Result<(Smoothing, f64)> {
    data.require_samples(MIN_SAMPLES, "estimating accelerations from positions")?;
    let shortest = data.runs.iter().map(Run::len).min().unwrap_or(0);
    let mut best: Option<(Smoothing, f64)> = None;
    for &degree in &DEGREES {
        for &half in &HALF_WIDTHS {
            if 2 * half + 1 > shortest {
                break;
            }
            let s = Smoothing { half, degree };
            let v = score(data, s);
            if v.is_finite() && best.is_none_or(|(_, b)| v < b) {
                best = Some((s, v));
            }
        }
    }
    best.ok_or_else(|| Error::Data {
        line: data.runs[0].line,
        column: 0,
        reason:
            "no local polynomial fit of these samples is well posed (times too close together?)"
                .into(),
    })
}

/// Estimated (q̇, q̈) at every sample of `run` with smoothing `s`: `len × 2n` numbers, row by
/// row. Velocities given in the file are kept as they are.
///
/// # Errors
/// [`Error::Data`] if a fit is degenerate.
pub fn derivatives(run: &Run, n: usize, s: Smoothing) -> Result<Vec<f64>> {
    let mut out = alloc::vec![0.0; run.len() * 2 * n];
    for i in 0..run.len() {
        let (start, a) = weights(&run.t, i, s).ok_or_else(|| Error::Data {
            line: run.line + i,
            column: 0,
            reason: "the local fit around this sample is degenerate (times too close together?)"
                .into(),
        })?;
        for j in 0..n {
            let y = DVector::from_fn(a.ncols(), |c, _| run.q[(start + c) * n + j]);
            let d = &a * y;
            out[i * 2 * n + j] = match &run.qdot {
                Some(v) => v[i * n + j],
                None => d[1],
            };
            out[i * 2 * n + n + j] = d[2];
        }
    }
    Ok(out)
}
