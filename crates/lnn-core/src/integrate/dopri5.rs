//! Dormand–Prince 5(4) (Hairer, Nørsett & Wanner, *Solving ODEs I*, II.5) with the standard
//! step-size controller, first-same-as-last, and steps clipped to land on output times.
use alloc::vec;
use alloc::vec::Vec;

use super::VectorField;
use crate::{math, Error, Result};

/// Stage coefficients. The method is autonomous here (f has no t), so the nodes c_s are not
/// needed; the last row doubles as the fifth-order weights (first same as last).
const A: [[f64; 6]; 7] = [
    [0.0; 6],
    [1.0 / 5.0, 0.0, 0.0, 0.0, 0.0, 0.0],
    [3.0 / 40.0, 9.0 / 40.0, 0.0, 0.0, 0.0, 0.0],
    [44.0 / 45.0, -56.0 / 15.0, 32.0 / 9.0, 0.0, 0.0, 0.0],
    [
        19372.0 / 6561.0,
        -25360.0 / 2187.0,
        64448.0 / 6561.0,
        -212.0 / 729.0,
        0.0,
        0.0,
    ],
    [
        9017.0 / 3168.0,
        -355.0 / 33.0,
        46732.0 / 5247.0,
        49.0 / 176.0,
        -5103.0 / 18656.0,
        0.0,
    ],
    [
        35.0 / 384.0,
        0.0,
        500.0 / 1113.0,
        125.0 / 192.0,
        -2187.0 / 6784.0,
        11.0 / 84.0,
    ],
];
/// Fifth- minus fourth-order weights: the embedded error estimate.
const E: [f64; 7] = [
    71.0 / 57600.0,
    0.0,
    -71.0 / 16695.0,
    71.0 / 1920.0,
    -17253.0 / 339200.0,
    22.0 / 525.0,
    -1.0 / 40.0,
];

const SAFETY: f64 = 0.9;
const MIN_FACTOR: f64 = 0.2;
const MAX_FACTOR: f64 = 10.0;

/// What the method carries between output intervals.
#[derive(Clone, Debug)]
pub(super) struct State {
    /// Proposed next step size (0: not yet chosen).
    h: f64,
    k: [Vec<f64>; 7],
    y: Vec<f64>,
}

impl State {
    pub(super) fn new(dim: usize) -> Self {
        State {
            h: 0.0,
            k: core::array::from_fn(|_| vec![0.0; dim]),
            y: vec![0.0; dim],
        }
    }

    pub(super) fn advance(
        &mut self,
        f: &mut impl VectorField,
        x: &mut [f64],
        dt: f64,
        rtol: f64,
        atol: f64,
        max_steps: usize,
    ) -> Result<usize> {
        let n = x.len();
        // The caller may have changed x (a dragged pendulum), so f(x) is not carried over.
        f(x, &mut self.k[0])?;
        if self.h == 0.0 {
            self.h = initial_step(x, &self.k[0], dt, rtol, atol);
        }
        let mut t = 0.0;
        let mut steps = 0;
        while t < dt {
            steps += 1;
            if steps > max_steps {
                return Err(Error::StepLimit { max_steps, t });
            }
            let last = t + self.h >= dt;
            let h = if last { dt - t } else { self.h };
            if h <= f64::EPSILON * dt.max(1.0) * 4.0 && !last {
                return Err(Error::StepSizeUnderflow { t });
            }
            for s in 1..7 {
                for i in 0..n {
                    let mut acc = 0.0;
                    for j in 0..s {
                        acc += A[s][j] * self.k[j][i];
                    }
                    self.y[i] = x[i] + h * acc;
                }
                f(&self.y, &mut self.k[s])?;
            }
            // y holds the fifth-order solution (stage 7 is evaluated at it).
            let mut err = 0.0;
            for i in 0..n {
                let mut e = 0.0;
                for s in 0..7 {
                    e += E[s] * self.k[s][i];
                }
                let scale = atol + rtol * x[i].abs().max(self.y[i].abs());
                let r = h * e / scale;
                err += r * r;
            }
            let err = math::sqrt(err / n as f64);
            if !err.is_finite() {
                // A stage blew up: shrink hard and retry.
                self.h = h * MIN_FACTOR;
                continue;
            }
            let factor = if err == 0.0 {
                MAX_FACTOR
            } else {
                (SAFETY * math::powf(err, -0.2)).clamp(MIN_FACTOR, MAX_FACTOR)
            };
            if err <= 1.0 {
                t += h;
                x.copy_from_slice(&self.y);
                self.k.swap(0, 6);
                // Do not let a short final step shrink the carried step size.
                if !last || h >= self.h {
                    self.h = h * factor;
                }
                if last {
                    t = dt;
                }
            } else {
                self.h = h * factor.min(1.0);
            }
        }
        Ok(steps)
    }
}

/// Hairer's starting step: make the first Euler step's change small relative to the tolerance.
fn initial_step(x: &[f64], f0: &[f64], dt: f64, rtol: f64, atol: f64) -> f64 {
    let n = x.len() as f64;
    let (mut d0, mut d1) = (0.0, 0.0);
    for i in 0..x.len() {
        let sc = atol + rtol * x[i].abs();
        d0 += (x[i] / sc) * (x[i] / sc);
        d1 += (f0[i] / sc) * (f0[i] / sc);
    }
    let (d0, d1) = (math::sqrt(d0 / n), math::sqrt(d1 / n));
    let h = if d0 < 1e-5 || d1 < 1e-5 {
        1e-6
    } else {
        0.01 * d0 / d1
    };
    h.min(dt)
}
