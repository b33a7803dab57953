//! Windows of three consecutive samples for the discrete Euler–Lagrange loss
//! ([`super::Method::Discrete`]).
use alloc::vec::Vec;

use super::csv::Trajectories;

/// Fewest samples a trajectory needs (one window).
pub const MIN_SAMPLES: usize = 3;

/// Windows (q₀, q₁, q₂) at times (t₀, t₁, t₂), stored as what the loss evaluates L at: for each
/// window two states `[m, v, c]`, the first interval's midpoint and chord velocity
/// (m₀₁ = (q₀ + q₁)/2, v₀₁ = (q₁ − q₀)/h₀) and the second interval's under the constant-velocity
/// guess q̃ = q₁ + h₁ v₀₁ (m = (q₁ + q̃)/2, v = v₀₁); and the observed q₂ − q̃.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Windows {
    /// Number of windows.
    pub count: usize,
    /// Degrees of freedom.
    pub n: usize,
    /// Conditioning inputs per state.
    pub k: usize,
    /// `2 · count` states of 2n + k numbers.
    pub states: Vec<f64>,
    /// `count × n`: q₂ − q̃.
    pub offsets: Vec<f64>,
    /// `count × 2`: (h₀, h₁).
    pub steps: Vec<f64>,
}

impl Windows {
    /// Every window of consecutive samples of every run.
    pub fn of(data: &Trajectories) -> Self {
        let n = data.dof();
        let mut w = Windows {
            n,
            k: data.conditioning.len(),
            ..Windows::default()
        };
        for r in &data.runs {
            for k in 2..r.len() {
                let (q0, q1, q2) = (
                    &r.q[(k - 2) * n..(k - 1) * n],
                    &r.q[(k - 1) * n..k * n],
                    &r.q[k * n..(k + 1) * n],
                );
                let (h0, h1) = (r.t[k - 1] - r.t[k - 2], r.t[k] - r.t[k - 1]);
                let v: Vec<f64> = (0..n).map(|j| (q1[j] - q0[j]) / h0).collect();
                let guess: Vec<f64> = (0..n).map(|j| q1[j] + h1 * v[j]).collect();
                for first in [q0, &guess[..]] {
                    w.states.extend((0..n).map(|j| 0.5 * (first[j] + q1[j])));
                    w.states.extend_from_slice(&v);
                    w.states.extend_from_slice(&r.c);
                }
                w.offsets.extend((0..n).map(|j| q2[j] - guess[j]));
                w.steps.extend_from_slice(&[h0, h1]);
                w.count += 1;
            }
        }
        w
    }

    /// The windows `picks` (indices, repeats allowed), in that order, into `out`.
    pub fn select(&self, picks: impl Iterator<Item = usize>, out: &mut Windows) {
        let (n, d) = (self.n, 2 * self.n + self.k);
        out.n = n;
        out.k = self.k;
        out.count = 0;
        out.states.clear();
        out.offsets.clear();
        out.steps.clear();
        for i in picks {
            out.states
                .extend_from_slice(&self.states[2 * i * d..2 * (i + 1) * d]);
            out.offsets
                .extend_from_slice(&self.offsets[i * n..(i + 1) * n]);
            out.steps.extend_from_slice(&self.steps[2 * i..2 * i + 2]);
            out.count += 1;
        }
    }
}
