//! The batched second-order pass through an [`Mlp`] and its hand-written reverse.
//!
//! What a learned Lagrangian needs per sample is its value, its gradient and a few Hessian
//! entries (the q̇–q̇ and q̇–q blocks of the Euler–Lagrange equation). They come from
//! forward-over-reverse differentiation, batched over S samples:
//!
//! ```text
//! forward:   z = W a + b,  a′ = σ(z)          and along T input tangents u_t:  ż = W ȧ,  ȧ′ = σ′(z) ⊙ ż
//! backward:  δ = σ′(z) ⊙ g,  g_in = Wᵀ δ      and its tangents: δ̇ = σ″(z) ⊙ ż ⊙ g + σ′(z) ⊙ ġ,  ġ_in = Wᵀ δ̇
//! ```
//!
//! starting from the output row (g = wᵀ, ġ = 0) down to the input, where g is ∇f and ġ_t is the
//! Hessian-vector product H u_t. Each layer costs two matrix products of width S·(1 + T): the
//! tangents are those of the pairs' first directions (the n velocity directions for the
//! Euler–Lagrange equation), so a double pendulum carries 3 columns per sample through each
//! sweep where forward Taylor mode carries 12 (value, 4 first derivatives, 7 second-derivative
//! pairs), and its training step does half the arithmetic. The requested derivatives along the
//! plan's directions are then dot products with the seed at the input: first derivatives
//! g·u_d, second derivatives u_bᵀ(H u_a) + g·v_ab (v_ab: the input map's own second derivative).
//!
//! [`backward`] runs the adjoints of exactly these operations (up through the backward sweep,
//! then down through the forward sweep), giving ∂loss/∂parameters from the adjoints of all
//! outputs. The plan's output layout is that of forward Taylor mode, so callers see value,
//! first derivatives and pairs whatever the method inside.
use alloc::vec::Vec;

use super::gemm::{matmul, transpose};
use super::Mlp;
use crate::Float;

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

    /// Bytes a [`Tape`] holds after a pass of `samples` inputs through a network of `sizes`, in a
    /// float of `float_bytes`, with the reverse pass's buffers too when `reverse` (training):
    /// what the memory budget charges before the pass runs (`crate::budget`). It mirrors the
    /// buffers of [`forward_seeded`] and [`backward`] (per sample: the seed block, y, z, σ′..σ‴,
    /// g, δ, the outputs; in reverse their adjoints), so it is an estimate within a few percent.
    /// In f64 (`samples` too), so absurd sizes do not overflow.
    pub fn tape_bytes(
        &self,
        sizes: &[usize],
        samples: f64,
        reverse: bool,
        float_bytes: usize,
    ) -> f64 {
        let Some((&outs, inner)) = sizes.split_last() else {
            return 0.0;
        };
        let f = (1 + self.tangents().0.len()) as f64;
        let c = self.columns() as f64;
        let sum = |v: &[usize]| v.iter().map(|&w| w as f64).sum::<f64>();
        let inputs = sum(inner); // sizes[0..layers]: the input of each layer
        let hidden = sum(&inner[1.min(inner.len())..]);
        let widest = sizes.iter().copied().max().unwrap_or(0) as f64;
        let derivatives = !self.directions.is_empty();
        let mut per = c * sizes[0] as f64 // seed block
            + inputs * f // y
            + (hidden + outs as f64) * f // z
            + 3.0 * hidden // σ′, σ″, σ‴
            + outs as f64 * c; // out
        if derivatives {
            per += inputs * f + hidden * f; // g, δ
        }
        if reverse {
            per += inputs * f + hidden * f + 3.0 * widest * f + outs as f64 * c;
        }
        let weights = sizes
            .windows(2)
            .map(|p| p[0] as f64 * p[1] as f64)
            .sum::<f64>();
        (per * samples + weights) * float_bytes as f64
    }

    /// The directions carried as tangents (the first direction of each pair, each once) and,
    /// per pair, the index of its tangent.
    fn tangents(&self) -> (Vec<usize>, Vec<usize>) {
        let mut tangents: Vec<usize> = Vec::new();
        let of_pair = self
            .pairs
            .iter()
            .map(|&(a, _)| match tangents.iter().position(|&t| t == a) {
                Some(t) => t,
                None => {
                    tangents.push(a);
                    tangents.len() - 1
                }
            })
            .collect();
        (tangents, of_pair)
    }
}

/// What the forward pass keeps for the reverse pass, in the pass's float type `F` (f64 unless
/// training in f32); reused across calls to avoid allocation.
///
/// Per sample, each sweep has f = 1 + T columns: the value (or gradient) and its T tangents.
#[derive(Clone, Debug)]
pub struct Tape<F = f64> {
    samples: usize,
    /// One sample's seed block as the input map writes it, in f64.
    seed64: Vec<f64>,
    /// The seed block of every sample (`columns × D`, see [`forward_seeded`]), in `F`.
    seed: Vec<F>,
    /// Forward sweep: the input of each layer (sizes[l] × S·F).
    y: Vec<Vec<F>>,
    /// Forward sweep: the pre-activations of each layer (sizes[l+1] × S·F).
    z: Vec<Vec<F>>,
    /// σ′, σ″, σ‴ at the value column of each hidden layer (sizes[l+1] × S each).
    s: Vec<[Vec<F>; 3]>,
    /// Backward sweep: ∂f/∂(input of layer l) and its tangents (sizes[l] × S·F).
    g: Vec<Vec<F>>,
    /// Backward sweep: δ and δ̇ of each hidden layer (sizes[l+1] × S·F).
    d: Vec<Vec<F>>,
    /// Wᵀ of each layer (sizes[l] × sizes[l+1]).
    wt: Vec<Vec<F>>,
    /// The outputs in the plan's layout.
    out: Vec<F>,
    /// Reverse pass: adjoints of `g` and the backward sweep's share of each layer's z̄.
    gbar: Vec<Vec<F>>,
    zbar_up: Vec<Vec<F>>,
    /// Reverse pass scratch.
    zbar: Vec<F>,
    ybar: Vec<F>,
    trans: Vec<F>,
}

impl<F> Default for Tape<F> {
    fn default() -> Self {
        Tape {
            samples: 0,
            seed64: Vec::new(),
            seed: Vec::new(),
            y: Vec::new(),
            z: Vec::new(),
            s: Vec::new(),
            g: Vec::new(),
            d: Vec::new(),
            wt: Vec::new(),
            out: Vec::new(),
            gbar: Vec::new(),
            zbar_up: Vec::new(),
            zbar: Vec::new(),
            ybar: Vec::new(),
            trans: Vec::new(),
        }
    }
}

impl<F> Tape<F> {
    /// The outputs of the last [`forward`]: `outputs × (samples · columns)`, column-major; column
    /// `s·C` is sample s's value, `s·C + 1 + d` its derivative along direction d, and
    /// `s·C + 1 + D + p` its second derivative for pair p.
    pub fn output(&self) -> &[F] {
        &self.out
    }

    /// Number of samples of the last [`forward`].
    pub fn samples(&self) -> usize {
        self.samples
    }
}

/// Runs the batched pass over `samples` inputs stored row by row in `x` (sample s at
/// `x[s·D..(s+1)·D]`, D = the network's input size), each direction seeded with its unit vector
/// times its scale. Results are in [`Tape::output`]. Inputs and scales are given in f64 and
/// rounded to `F` at the input.
pub fn forward<F: Float>(mlp: &Mlp<F>, plan: &Plan, x: &[f64], samples: usize, tape: &mut Tape<F>) {
    let d_in = mlp.sizes()[0];
    debug_assert_eq!(x.len(), samples * d_in);
    forward_seeded(mlp, plan, samples, tape, |s, block| {
        block[..d_in].copy_from_slice(&x[s * d_in..(s + 1) * d_in]);
        for (d, dir) in plan.directions.iter().enumerate() {
            block[(1 + d) * d_in + dir.input] = dir.scale;
        }
    });
}

/// Resizes `v` to `len` entries (keeping its allocation).
fn sized<F: Float>(v: &mut Vec<F>, len: usize) -> &mut Vec<F> {
    v.resize(len, F::ZERO);
    v
}

/// Σ_i a_i b_i in order of i.
#[inline]
fn dot<F: Float>(a: &[F], b: &[F]) -> F {
    let mut acc = F::ZERO;
    for i in 0..a.len() {
        acc += a[i] * b[i];
    }
    acc
}

/// [`forward`] with the input block of each sample written by `seed(s, block)`: `block` is
/// `columns × D` (zeroed), the inputs, then their derivatives along each direction, then their
/// second derivatives for each pair. This is how an input map that is nonlinear in the
/// coordinates (asinh, an angle fed as cos and sin) enters: by the chain rule at the input. The
/// block is written in f64 and rounded to `F`.
///
/// # Panics
/// If the plan asks for derivatives of a network with more than one output (no model does).
pub fn forward_seeded<F: Float>(
    mlp: &Mlp<F>,
    plan: &Plan,
    samples: usize,
    tape: &mut Tape<F>,
    seed: impl FnMut(usize, &mut [f64]),
) {
    forward_seeded_widest(mlp, plan, samples, tape, seed);
}

crate::simd::widest! {
    /// The elementwise loops between the matrix products, compiled for the widest vectors the
    /// CPU has (the same operations in the same order: the same bits).
    fn forward_seeded_widest<F: Float>(
        mlp: &Mlp<F>,
        plan: &Plan,
        samples: usize,
        tape: &mut Tape<F>,
        seed: impl FnMut(usize, &mut [f64]),
    ) {
        forward_seeded_body(mlp, plan, samples, tape, seed);
    }
}

#[inline(always)]
fn forward_seeded_body<F: Float>(
    mlp: &Mlp<F>,
    plan: &Plan,
    samples: usize,
    tape: &mut Tape<F>,
    mut seed: impl FnMut(usize, &mut [f64]),
) {
    let sizes = mlp.sizes();
    let layers = mlp.layers();
    let (d_in, nd, c) = (sizes[0], plan.directions.len(), plan.columns());
    let (tangents, of_pair) = plan.tangents();
    let f = 1 + tangents.len();
    let cols = samples * f;
    assert!(
        nd == 0 || sizes[layers] == 1,
        "derivatives are taken of scalar networks only"
    );
    tape.samples = samples;
    tape.y.resize(layers, Vec::new());
    tape.z.resize(layers, Vec::new());
    tape.s.resize(layers - 1, Default::default());
    tape.wt.resize(layers, Vec::new());

    let block = c * d_in;
    tape.seed.clear();
    tape.seed.resize(samples * block, F::ZERO);
    for s in 0..samples {
        tape.seed64.clear();
        tape.seed64.resize(block, 0.0);
        seed(s, &mut tape.seed64);
        for (t, &v) in tape.seed[s * block..(s + 1) * block]
            .iter_mut()
            .zip(&tape.seed64)
        {
            *t = F::from_f64(v);
        }
    }
    // The forward sweep's input: per sample the features and the tangents' seeds.
    let y0 = sized(&mut tape.y[0], d_in * cols);
    for s in 0..samples {
        let b = &tape.seed[s * block..(s + 1) * block];
        let o = s * f * d_in;
        y0[o..o + d_in].copy_from_slice(&b[..d_in]);
        for (t, &dir) in tangents.iter().enumerate() {
            y0[o + (1 + t) * d_in..o + (2 + t) * d_in]
                .copy_from_slice(&b[(1 + dir) * d_in..(2 + dir) * d_in]);
        }
    }

    let act = mlp.activation();
    for l in 0..layers {
        let (k, m) = (sizes[l], sizes[l + 1]);
        let (w, b) = mlp.layer(l);
        let z = sized(&mut tape.z[l], m * cols);
        matmul(m, k, cols, w, &tape.y[l], z, false);
        for s in 0..samples {
            for (zi, bi) in z[s * f * m..s * f * m + m].iter_mut().zip(b) {
                *zi += *bi;
            }
        }
        if l + 1 == layers {
            break;
        }
        let [s1, s2, s3] = &mut tape.s[l];
        for v in [&mut *s1, &mut *s2, &mut *s3] {
            v.resize(m * samples, F::ZERO);
        }
        let y = sized(&mut tape.y[l + 1], m * cols);
        if f == 1 {
            // Values only: every sample's column is contiguous, one call for all of them.
            act.derivatives_into(&z[..], [&mut y[..], s1, s2, s3]);
            continue;
        }
        for s in 0..samples {
            let u = s * m..(s + 1) * m;
            let (zv, zt) = z[s * f * m..(s + 1) * f * m].split_at(m);
            let (yv, yt) = y[s * f * m..(s + 1) * f * m].split_at_mut(m);
            act.derivatives_into(
                zv,
                [
                    yv,
                    &mut s1[u.clone()],
                    &mut s2[u.clone()],
                    &mut s3[u.clone()],
                ],
            );
            // ȧ′ = σ′ ⊙ ż
            let d1 = &s1[u];
            for (yc, zc) in yt.chunks_exact_mut(m).zip(zt.chunks_exact(m)) {
                for ((y, &z), &d1) in yc.iter_mut().zip(zc).zip(d1) {
                    *y = d1 * z;
                }
            }
        }
    }

    let out = sized(&mut tape.out, sizes[layers] * samples * c);
    let top = &tape.z[layers - 1];
    if nd == 0 {
        // Values only: one column per sample (f = 1 here).
        out.copy_from_slice(&top[..sizes[layers] * samples]);
        return;
    }

    // Backward sweep, from the output row wᵀ (ġ = 0 there) down to the input.
    tape.g.resize(layers, Vec::new());
    tape.d.resize(layers - 1, Vec::new());
    {
        let m = sizes[layers - 1];
        let w_out = mlp.layer(layers - 1).0; // 1 × m: the entries in order
        let g = sized(&mut tape.g[layers - 1], m * cols);
        g.fill(F::ZERO);
        for s in 0..samples {
            g[s * f * m..s * f * m + m].copy_from_slice(w_out);
        }
    }
    for l in (0..layers - 1).rev() {
        let (k, m) = (sizes[l], sizes[l + 1]);
        let [s1, s2, _] = &tape.s[l];
        let (gl, z) = (&tape.g[l + 1], &tape.z[l]);
        let d = sized(&mut tape.d[l], m * cols);
        for s in 0..samples {
            let u = s * m..(s + 1) * m;
            let (d1, d2) = (&s1[u.clone()], &s2[u]);
            let block = s * f * m..(s + 1) * f * m;
            let (gv, gt) = gl[block.clone()].split_at(m);
            let zt = &z[block.start + m..block.end];
            let (dv, dt) = d[block].split_at_mut(m);
            // δ = σ′ ⊙ g,  δ̇ = σ″ ⊙ ż ⊙ g + σ′ ⊙ ġ
            for ((d, &g), &d1) in dv.iter_mut().zip(gv).zip(d1) {
                *d = d1 * g;
            }
            for ((dc, zc), gc) in dt
                .chunks_exact_mut(m)
                .zip(zt.chunks_exact(m))
                .zip(gt.chunks_exact(m))
            {
                for i in 0..m {
                    dc[i] = d2[i] * zc[i] * gv[i] + d1[i] * gc[i];
                }
            }
        }
        let wt = sized(&mut tape.wt[l], k * m);
        transpose(m, k, mlp.layer(l).0, wt);
        let g = sized(&mut tape.g[l], k * cols);
        matmul(k, m, cols, wt, d, g, false);
    }

    // The plan's outputs: first derivatives g·u_d, pairs u_bᵀ (H u_a) + g·v_ab.
    let g0 = &tape.g[0];
    for s in 0..samples {
        let b = &tape.seed[s * block..(s + 1) * block];
        let col = |j: usize| &b[j * d_in..(j + 1) * d_in];
        let gcol = |t: usize| &g0[(s * f + t) * d_in..(s * f + t + 1) * d_in];
        let o = &mut out[s * c..(s + 1) * c];
        o[0] = top[s * f];
        for d in 0..nd {
            o[1 + d] = dot(gcol(0), col(1 + d));
        }
        for (p, &(_, bdir)) in plan.pairs.iter().enumerate() {
            o[1 + nd + p] =
                dot(gcol(1 + of_pair[p]), col(1 + bdir)) + dot(gcol(0), col(1 + nd + p));
        }
    }
}

/// Adds ∂loss/∂parameters to `grad` (same layout as [`Mlp::params`]) given `out_adjoint`, the
/// adjoint of every entry of [`Tape::output`], for the tape of the last [`forward`].
pub fn backward<F: Float>(
    mlp: &Mlp<F>,
    plan: &Plan,
    tape: &mut Tape<F>,
    out_adjoint: &[F],
    grad: &mut [F],
) {
    backward_widest(mlp, plan, tape, out_adjoint, grad);
}

crate::simd::widest! {
    /// [`backward`]'s elementwise loops compiled for the widest vectors the CPU has.
    fn backward_widest<F: Float>(
        mlp: &Mlp<F>,
        plan: &Plan,
        tape: &mut Tape<F>,
        out_adjoint: &[F],
        grad: &mut [F],
    ) {
        backward_body(mlp, plan, tape, out_adjoint, grad);
    }
}

#[inline(always)]
fn backward_body<F: Float>(
    mlp: &Mlp<F>,
    plan: &Plan,
    tape: &mut Tape<F>,
    out_adjoint: &[F],
    grad: &mut [F],
) {
    let sizes = mlp.sizes();
    let layers = mlp.layers();
    let (d_in, nd, c, samples) = (
        sizes[0],
        plan.directions.len(),
        plan.columns(),
        tape.samples,
    );
    let (tangents, of_pair) = plan.tangents();
    let f = 1 + tangents.len();
    let cols = samples * f;
    let block = c * d_in;
    let mut zbar = core::mem::take(&mut tape.zbar);
    let mut ybar = core::mem::take(&mut tape.ybar);
    let mut trans = core::mem::take(&mut tape.trans);
    tape.gbar.resize(layers, Vec::new());
    tape.zbar_up.resize(layers - 1, Vec::new());

    // Adjoints of the output layer's pre-activations: the values' adjoints, no tangents.
    let outs = sizes[layers];
    zbar.clear();
    zbar.resize(outs * cols, F::ZERO);
    for s in 0..samples {
        let src = if nd == 0 {
            &out_adjoint[s * outs..(s + 1) * outs]
        } else {
            &out_adjoint[s * c..s * c + 1]
        };
        zbar[s * f * outs..s * f * outs + outs].copy_from_slice(src);
    }

    if nd > 0 {
        // Through the output dot products to ḡ at the input.
        let gbar0 = sized(&mut tape.gbar[0], d_in * cols);
        gbar0.fill(F::ZERO);
        for s in 0..samples {
            let b = &tape.seed[s * block..(s + 1) * block];
            let o = &out_adjoint[s * c..(s + 1) * c];
            let mut axpy = |t: usize, a: F, j: usize| {
                let dst = &mut gbar0[(s * f + t) * d_in..(s * f + t + 1) * d_in];
                for (x, &v) in dst.iter_mut().zip(&b[j * d_in..(j + 1) * d_in]) {
                    *x += a * v;
                }
            };
            for d in 0..nd {
                axpy(0, o[1 + d], 1 + d);
            }
            for (p, &(_, bdir)) in plan.pairs.iter().enumerate() {
                let a = o[1 + nd + p];
                axpy(1 + of_pair[p], a, 1 + bdir);
                axpy(0, a, 1 + nd + p);
            }
        }
        // Up through the backward sweep: ḡ of layer l's input gives δ̄ = W ḡ, then ḡ of its
        // output and the backward sweep's share of z̄ and ż̄.
        for l in 0..layers - 1 {
            let (k, m) = (sizes[l], sizes[l + 1]);
            let (w, _) = mlp.layer(l);
            let dbar = sized(&mut ybar, m * cols);
            matmul(m, k, cols, w, &tape.gbar[l], dbar, false);
            let [s1, s2, s3] = &tape.s[l];
            let (g, z) = (&tape.g[l + 1], &tape.z[l]);
            let mut gbar_next = core::mem::take(&mut tape.gbar[l + 1]);
            let gb = sized(&mut gbar_next, m * cols);
            let zu = sized(&mut tape.zbar_up[l], m * cols);
            for s in 0..samples {
                let u = s * m..(s + 1) * m;
                let (d1, d2, d3) = (&s1[u.clone()], &s2[u.clone()], &s3[u]);
                let block = s * f * m..(s + 1) * f * m;
                let (dv, dt) = dbar[block.clone()].split_at(m);
                let (gv, gt) = g[block.clone()].split_at(m);
                let zt = &z[block.start + m..block.end];
                let (gbv, gbt) = gb[block.clone()].split_at_mut(m);
                let (zuv, zut) = zu[block].split_at_mut(m);
                // Adjoints of δ = σ′ g and of δ̇ = σ″ ż g + σ′ ġ, into ḡ, ġ̄, z̄ and ż̄.
                for i in 0..m {
                    gbv[i] = d1[i] * dv[i];
                    zuv[i] = d2[i] * gv[i] * dv[i];
                }
                for ((((dc, zc), gc), gbc), zuc) in dt
                    .chunks_exact(m)
                    .zip(zt.chunks_exact(m))
                    .zip(gt.chunks_exact(m))
                    .zip(gbt.chunks_exact_mut(m))
                    .zip(zut.chunks_exact_mut(m))
                {
                    for i in 0..m {
                        let (db, zt) = (dc[i], zc[i]);
                        gbv[i] += d2[i] * zt * db;
                        gbc[i] = d1[i] * db;
                        zuv[i] += (d3[i] * zt * gv[i] + d2[i] * gc[i]) * db;
                        zuc[i] = d2[i] * gv[i] * db;
                    }
                }
            }
            tape.gbar[l + 1] = gbar_next;
            // W̄ += [δ, δ̇] ḡᵀ (the sweep-down product is added below).
            let off = mlp.offset(l);
            let gw = &mut grad[off..off + m * k];
            let tr = sized(&mut trans, cols * k);
            transpose(k, cols, &tape.gbar[l], tr);
            matmul(m, cols, k, &tape.d[l], tr, gw, true);
        }
        // The output row is g of the top hidden layer's output in every sample: w̄ += Σ ḡ.
        let m = sizes[layers - 1];
        let off = mlp.offset(layers - 1);
        let gb = &tape.gbar[layers - 1];
        for s in 0..samples {
            for (x, &v) in grad[off..off + m]
                .iter_mut()
                .zip(&gb[s * f * m..s * f * m + m])
            {
                *x += v;
            }
        }
    }

    // Down through the forward sweep.
    for l in (0..layers).rev() {
        let (k, m) = (sizes[l], sizes[l + 1]);
        if l + 1 < layers {
            // z̄ of hidden layer l from ȳ of its output (through σ and the tangents' σ′ ⊙ ż).
            let [s1, s2, _] = &tape.s[l];
            let z = &tape.z[l];
            zbar.clear();
            if nd > 0 {
                zbar.extend_from_slice(&tape.zbar_up[l]);
            } else {
                zbar.resize(m * cols, F::ZERO);
            }
            for s in 0..samples {
                let u = s * m..(s + 1) * m;
                let (d1, d2) = (&s1[u.clone()], &s2[u]);
                let block = s * f * m..(s + 1) * f * m;
                let (yv, yt) = ybar[block.clone()].split_at(m);
                let zt = &z[block.start + m..block.end];
                let (zbv, zbt) = zbar[block].split_at_mut(m);
                // Adjoints of a′ = σ(z) and ȧ′ = σ′ ⊙ ż.
                for ((zb, &y), &d1) in zbv.iter_mut().zip(yv).zip(d1) {
                    *zb += d1 * y;
                }
                for ((yc, zc), zbc) in yt
                    .chunks_exact(m)
                    .zip(zt.chunks_exact(m))
                    .zip(zbt.chunks_exact_mut(m))
                {
                    for i in 0..m {
                        zbv[i] += d2[i] * zc[i] * yc[i];
                        zbc[i] += d1[i] * yc[i];
                    }
                }
            }
        }
        let off = mlp.offset(l);
        let (gw, gb) = grad[off..off + m * k + m].split_at_mut(m * k);
        // W̄ += Z̄ Yᵀ, as a product with the transposed layer input.
        let tr = sized(&mut trans, cols * k);
        transpose(k, cols, &tape.y[l], tr);
        matmul(m, cols, k, &zbar, tr, gw, true);
        for s in 0..samples {
            for (x, &v) in gb.iter_mut().zip(&zbar[s * f * m..s * f * m + m]) {
                *x += v;
            }
        }
        if l == 0 {
            break;
        }
        // Ȳ = Wᵀ Z̄ (the hidden layers' Wᵀ are fresh from the forward's backward sweep).
        let wt = sized(&mut tape.wt[l], k * m);
        if nd == 0 || l + 1 == layers {
            transpose(m, k, mlp.layer(l).0, wt);
        }
        let yb = sized(&mut ybar, k * cols);
        matmul(k, m, cols, wt, &zbar, yb, false);
    }
    tape.zbar = zbar;
    tape.ybar = ybar;
    tape.trans = trans;
}

/// Convenience for tests and single evaluations: the outputs for one input.
pub fn evaluate<F: Float>(mlp: &Mlp<F>, plan: &Plan, x: &[f64]) -> Vec<F> {
    let mut tape = Tape::default();
    forward(mlp, plan, x, 1, &mut tape);
    tape.output().to_vec()
}

#[cfg(test)]
mod tests;
