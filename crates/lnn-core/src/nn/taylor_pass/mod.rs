//! The batched Taylor-mode pass through an [`Mlp`] and its hand-written reverse.
//!
//! For a batch of S inputs, each sample gets C = 1 + D + P columns: its value, its first
//! derivatives along D input directions, and its second derivatives for P pairs of directions.
//! Per layer z = W a + b, a′ = σ(z):
//!
//! ```text
//! Z = W [a, A, B] (+ b on the value column)
//! a′ = σ(z),   A′_d = σ′(z) ⊙ Z_d,   B′_(i,j) = σ″(z) ⊙ Z_i ⊙ Z_j + σ′(z) ⊙ Z_(i,j)
//! ```
//!
//! so the whole batch costs one matrix product of width S·C per layer. At the input, A holds the
//! direction vectors and B = 0; the linear output layer gives the derivatives of the outputs.
//! [`backward`] runs the adjoints of exactly these operations, giving ∂loss/∂parameters from
//! the adjoints of all output columns.
use alloc::vec::Vec;

use super::gemm::{matmul, transpose};
use super::Mlp;

/// A direction of differentiation: the unit vector of input `input` times `scale` (the derivative
/// of that input with respect to the physical coordinate, e.g. 1/10 when the input is q/10).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Direction {
    /// Index of the input: the network input for [`forward`]; for a model, the state entry
    /// (its normalisation seeds the network inputs that entry feeds, see
    /// `models::Normalisation::seed`).
    pub input: usize,
    /// d(input)/d(coordinate).
    pub scale: f64,
}

/// Which derivatives a pass carries.
#[derive(Clone, Debug, PartialEq)]
pub struct Plan {
    /// First-order directions.
    pub directions: Vec<Direction>,
    /// Second-order pairs, as indices into `directions`.
    pub pairs: Vec<(usize, usize)>,
}

impl Plan {
    /// Values only (a plain forward pass).
    pub fn value_only() -> Self {
        Plan {
            directions: Vec::new(),
            pairs: Vec::new(),
        }
    }

    /// First derivatives along every listed direction, no second derivatives (for an HNN).
    pub fn gradient(directions: Vec<Direction>) -> Self {
        Plan {
            directions,
            pairs: Vec::new(),
        }
    }

    /// What the Euler–Lagrange equation needs from L(q, q̇, c) with n degrees of freedom, the
    /// inputs ordered [q, q̇, c] and scaled by `scales[0..2n]`: directions q_0..q_{n−1},
    /// q̇_0..q̇_{n−1}; pairs (q̇_i, q̇_j) for i ≤ j (row-major), then (q̇_i, q_j) for all i, j.
    pub fn euler_lagrange(n: usize, scales: &[f64]) -> Self {
        let directions = (0..2 * n)
            .map(|input| Direction {
                input,
                scale: scales[input],
            })
            .collect();
        let mut pairs = Vec::with_capacity(n * (n + 1) / 2 + n * n);
        for i in 0..n {
            for j in i..n {
                pairs.push((n + i, n + j));
            }
        }
        for i in 0..n {
            for j in 0..n {
                pairs.push((n + i, j));
            }
        }
        Plan { directions, pairs }
    }

    /// Columns per sample: 1 + directions + pairs.
    pub fn columns(&self) -> usize {
        1 + self.directions.len() + self.pairs.len()
    }
}

/// What the forward pass keeps for the reverse pass; reused across calls to avoid allocation.
#[derive(Clone, Debug, Default)]
pub struct Tape {
    samples: usize,
    /// Inputs of each layer (sizes[l] × cols).
    y: Vec<Vec<f64>>,
    /// Pre-activations of each layer (sizes[l+1] × cols); the last is the output.
    z: Vec<Vec<f64>>,
    /// σ′, σ″, σ‴ at the value column of each hidden layer (sizes[l+1] × samples each).
    s: Vec<[Vec<f64>; 3]>,
    /// Scratch adjoints and transposes.
    zbar: Vec<f64>,
    ybar: Vec<f64>,
    trans: Vec<f64>,
}

impl Tape {
    /// The outputs of the last [`forward`]: `outputs × (samples · columns)`, column-major; column
    /// `s·C` is sample s's value, `s·C + 1 + d` its derivative along direction d, and
    /// `s·C + 1 + D + p` its second derivative for pair p.
    pub fn output(&self) -> &[f64] {
        self.z.last().map(|v| &v[..]).unwrap_or(&[])
    }

    /// Number of samples of the last [`forward`].
    pub fn samples(&self) -> usize {
        self.samples
    }
}

/// Runs the batched pass over `samples` inputs stored row by row in `x` (sample s at
/// `x[s·D..(s+1)·D]`, D = the network's input size), each direction seeded with its unit vector
/// times its scale. Results are in [`Tape::output`].
pub fn forward(mlp: &Mlp, plan: &Plan, x: &[f64], samples: usize, tape: &mut Tape) {
    let d_in = mlp.sizes()[0];
    debug_assert_eq!(x.len(), samples * d_in);
    forward_seeded(mlp, plan, samples, tape, |s, block| {
        block[..d_in].copy_from_slice(&x[s * d_in..(s + 1) * d_in]);
        for (d, dir) in plan.directions.iter().enumerate() {
            block[(1 + d) * d_in + dir.input] = dir.scale;
        }
    });
}

/// [`forward`] with the input block of each sample written by `seed(s, block)`: `block` is
/// `columns × D` (zeroed), the inputs, then their derivatives along each direction, then their
/// second derivatives for each pair. This is how an input map that is nonlinear in the
/// coordinates (asinh, an angle fed as cos and sin) enters: by the chain rule at the input.
pub fn forward_seeded(
    mlp: &Mlp,
    plan: &Plan,
    samples: usize,
    tape: &mut Tape,
    mut seed: impl FnMut(usize, &mut [f64]),
) {
    let sizes = mlp.sizes();
    let layers = mlp.layers();
    let (d_in, nd, c) = (sizes[0], plan.directions.len(), plan.columns());
    let cols = samples * c;
    tape.samples = samples;
    tape.y.resize(layers, Vec::new());
    tape.z.resize(layers, Vec::new());
    tape.s.resize(layers.saturating_sub(1), Default::default());

    let y0 = &mut tape.y[0];
    y0.clear();
    y0.resize(d_in * cols, 0.0);
    for s in 0..samples {
        seed(s, &mut y0[s * c * d_in..(s + 1) * c * d_in]);
    }

    for l in 0..layers {
        let (k, m) = (sizes[l], sizes[l + 1]);
        let (w, b) = mlp.layer(l);
        let z = &mut tape.z[l];
        z.resize(m * cols, 0.0);
        matmul(m, k, cols, w, &tape.y[l], z, false);
        for s in 0..samples {
            let zv = &mut z[s * c * m..s * c * m + m];
            for i in 0..m {
                zv[i] += b[i];
            }
        }
        if l + 1 == layers {
            break;
        }
        // Hidden activation: the Taylor rules, per sample.
        let act = mlp.activation();
        let [s1, s2, s3] = &mut tape.s[l];
        for v in [&mut *s1, &mut *s2, &mut *s3] {
            v.resize(m * samples, 0.0);
        }
        let y = &mut tape.y[l + 1];
        y.resize(m * cols, 0.0);
        for s in 0..samples {
            let col = |j: usize| (s * c + j) * m;
            for i in 0..m {
                let dv = act.derivatives(z[col(0) + i]);
                y[col(0) + i] = dv[0];
                s1[s * m + i] = dv[1];
                s2[s * m + i] = dv[2];
                s3[s * m + i] = dv[3];
            }
            let (d1, d2) = (&s1[s * m..(s + 1) * m], &s2[s * m..(s + 1) * m]);
            for d in 0..nd {
                let (zo, yo) = (col(1 + d), col(1 + d));
                for i in 0..m {
                    y[yo + i] = d1[i] * z[zo + i];
                }
            }
            for (p, &(a, bb)) in plan.pairs.iter().enumerate() {
                let (za, zb, zp) = (col(1 + a), col(1 + bb), col(1 + nd + p));
                for i in 0..m {
                    y[zp + i] = d2[i] * z[za + i] * z[zb + i] + d1[i] * z[zp + i];
                }
            }
        }
    }
}

/// Adds ∂loss/∂parameters to `grad` (same layout as [`Mlp::params`]) given `out_adjoint`, the
/// adjoint of every entry of [`Tape::output`], for the tape of the last [`forward`].
pub fn backward(mlp: &Mlp, plan: &Plan, tape: &mut Tape, out_adjoint: &[f64], grad: &mut [f64]) {
    let sizes = mlp.sizes();
    let layers = mlp.layers();
    let (nd, c, samples) = (plan.directions.len(), plan.columns(), tape.samples);
    let cols = samples * c;
    let mut zbar = core::mem::take(&mut tape.zbar);
    let mut ybar = core::mem::take(&mut tape.ybar);
    let mut trans = core::mem::take(&mut tape.trans);
    zbar.clear();
    zbar.extend_from_slice(&out_adjoint[..sizes[layers] * cols]);

    for l in (0..layers).rev() {
        let (k, m) = (sizes[l], sizes[l + 1]);
        let off = mlp.offset(l);
        let (gw, gb) = grad[off..off + m * k + m].split_at_mut(m * k);
        // W̄ += Z̄ Yᵀ, as a product with the transposed layer input.
        trans.resize(k * cols, 0.0);
        transpose(k, cols, &tape.y[l], &mut trans);
        matmul(m, cols, k, &zbar, &trans, gw, true);
        for s in 0..samples {
            let zv = &zbar[s * c * m..s * c * m + m];
            for i in 0..m {
                gb[i] += zv[i];
            }
        }
        if l == 0 {
            break;
        }
        // Ȳ = Wᵀ Z̄, then through the activation of layer l − 1 (whose outputs are Y_l).
        ybar.resize(k * cols, 0.0);
        trans.resize(m * k, 0.0);
        transpose(m, k, mlp.layer(l).0, &mut trans);
        matmul(k, m, cols, &trans, &zbar, &mut ybar, false);
        let z = &tape.z[l - 1];
        let [s1, s2, s3] = &tape.s[l - 1];
        zbar.clear();
        zbar.resize(k * cols, 0.0);
        for s in 0..samples {
            let col = |j: usize| (s * c + j) * k;
            let (d1, d2, d3) = (
                &s1[s * k..(s + 1) * k],
                &s2[s * k..(s + 1) * k],
                &s3[s * k..(s + 1) * k],
            );
            // value column: ā σ′ + Σ_d Ā_d σ″ Z_d + Σ_p B̄_p (σ‴ Z_i Z_j + σ″ Z_p)
            for i in 0..k {
                zbar[col(0) + i] = ybar[col(0) + i] * d1[i];
            }
            for d in 0..nd {
                let (o, zo) = (col(1 + d), col(1 + d));
                for i in 0..k {
                    zbar[col(0) + i] += ybar[o + i] * d2[i] * z[zo + i];
                    zbar[o + i] = ybar[o + i] * d1[i];
                }
            }
            for (p, &(a, b)) in plan.pairs.iter().enumerate() {
                let (pa, pb, pp) = (col(1 + a), col(1 + b), col(1 + nd + p));
                for i in 0..k {
                    let bb = ybar[pp + i];
                    let (za, zb) = (z[pa + i], z[pb + i]);
                    zbar[col(0) + i] += bb * (d3[i] * za * zb + d2[i] * z[pp + i]);
                    zbar[pp + i] = bb * d1[i];
                    zbar[pa + i] += bb * d2[i] * zb;
                    zbar[pb + i] += bb * d2[i] * za;
                }
            }
        }
    }
    tape.zbar = zbar;
    tape.ybar = ybar;
    tape.trans = trans;
}

/// Convenience for tests and single evaluations: the outputs for one input.
pub fn evaluate(mlp: &Mlp, plan: &Plan, x: &[f64]) -> Vec<f64> {
    let mut tape = Tape::default();
    forward(mlp, plan, x, 1, &mut tape);
    tape.output().to_vec()
}

#[cfg(test)]
mod tests;
