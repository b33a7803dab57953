//! The Lagrangian Neural Network: L(q, q̇, c) = MLP(normalised state), accelerations from
//! M q̈ = ∂L/∂q − C q̇, and the reverse pass through that solve and the Taylor pass.
use alloc::vec;
use alloc::vec::Vec;

use nalgebra::{DMatrix, DVector};

use super::{
    backpropagate, objective_methods, Loss, Model, ModelKind, Normalisation, Parts, SampleWeights,
    Workspace,
};
use crate::mechanics::Terms;
use crate::nn::taylor_pass::Plan;
use crate::nn::Mlp;
use crate::{Error, Float, Result, Solver};

/// A learned Lagrangian.
#[derive(Clone, Debug)]
pub struct Lnn {
    parts: Parts,
    plan: Plan,
    /// How M q̈ = r is solved (default: pseudo-inverse).
    pub solver: Solver,
    /// Weight of the training penalty on an indefinite M ([`indefiniteness`]); 0 = none. It
    /// shapes training only: the dynamics of a given network do not depend on it.
    pub definiteness: f64,
}

/// M, the right-hand side r = ∂L/∂q − C q̇ and the accelerations of one sample.
struct Solved {
    m: DMatrix<f64>,
    r: DVector<f64>,
    qdd: DVector<f64>,
}

impl Lnn {
    /// Wraps a network with `2n + k` inputs and one output; q̈ through `solver`.
    pub fn new(mlp: Mlp, n: usize, k: usize, norm: Normalisation, solver: Solver) -> Self {
        let plan = super::plan_of(ModelKind::Lnn, n, &norm);
        Lnn {
            parts: Parts { mlp, n, k, norm },
            plan,
            solver,
            definiteness: 0.0,
        }
    }

    /// Sample s's L, gradients and Hessian blocks, read from the pass output (columns: value,
    /// the 2n first derivatives, q then q̇, the upper triangle of M, then C row by row). In
    /// f64 whatever the pass's float: M, r and the solve (pseudo-inverse, ridge or damped) are
    /// small, and an f32 eigendecomposition of a nearly singular M would lose the digits the
    /// cutoff and the loss need; the outputs of an f32 pass are widened exactly here.
    fn read_terms<F: Float>(&self, out: &[F], s: usize) -> Terms {
        let n = self.parts.n;
        let c = self.plan.columns();
        let o = &out[s * c..(s + 1) * c];
        let mut m = DMatrix::zeros(n, n);
        let mut p = 1 + 2 * n;
        for i in 0..n {
            for j in i..n {
                m[(i, j)] = o[p].to_f64();
                m[(j, i)] = o[p].to_f64();
                p += 1;
            }
        }
        Terms {
            value: o[0].to_f64(),
            dl_dq: DVector::from_fn(n, |j, _| o[1 + j].to_f64()),
            dl_dqdot: DVector::from_fn(n, |j, _| o[1 + n + j].to_f64()),
            mass: m,
            mixed: DMatrix::from_fn(n, n, |i, j| o[p + i * n + j].to_f64()),
        }
    }

    /// Sample s's terms and its accelerations from M q̈ = ∂L/∂q − C q̇.
    fn solve<F: Float>(&self, out: &[F], s: usize, qdot: &[f64]) -> Result<Solved> {
        let t = self.read_terms(out, s);
        // r_i = ∂L/∂q_i − Σ_j C_ij q̇_j, subtracted term by term in this order (the golden
        // training curves are bit-for-bit on it).
        let mut r = t.dl_dq.clone();
        for i in 0..t.mixed.nrows() {
            for (j, v) in qdot.iter().enumerate() {
                r[i] -= t.mixed[(i, j)] * v;
            }
        }
        let qdd = self.solver.solve(&t.mass, &r)?;
        crate::error::ensure_finite(qdd.as_slice(), "the LNN's accelerations")?;
        Ok(Solved { m: t.mass, r, qdd })
    }
}

/// The penalty on an indefinite mass matrix and its gradient with respect to M:
/// P = max(0, −λ_min)·max(0, λ_max) / ‖M‖²_F, zero when M is definite (of either sign: L and −L
/// have the same dynamics) and scale-free (so is the Lagrangian). `None` when P = 0.
///
/// Why: every mechanical Lagrangian has a definite M, but a fresh network's M is indefinite on
/// most states, and the Euler–Lagrange solve has a pole wherever an eigenvalue of M changes
/// sign, which the optimiser cannot cross. Measured on the double pendulum (2×64, 15k steps,
/// seeds 0–3): without it three runs settled with an indefinite M on every test state and
/// stalled at test L1 6.6–7.6 (some were definite mid-run and then turned indefinite); with it at
/// weight 1000 all four (and a fifth seed) ended definite on every test state at test L1
/// 1.7–2.3. Weights 1–100 were too weak to stop a run turning indefinite.
fn indefiniteness(m: &DMatrix<f64>) -> Option<(f64, DMatrix<f64>)> {
    let n = m.nrows();
    if n < 2 {
        return None;
    }
    let eig = nalgebra::SymmetricEigen::try_new(m.clone(), f64::EPSILON, 1000)?;
    let (mut lo, mut hi) = (0, 0);
    for i in 1..n {
        if eig.eigenvalues[i] < eig.eigenvalues[lo] {
            lo = i;
        }
        if eig.eigenvalues[i] > eig.eigenvalues[hi] {
            hi = i;
        }
    }
    let (l_lo, l_hi) = (eig.eigenvalues[lo], eig.eigenvalues[hi]);
    if !(l_lo < 0.0 && l_hi > 0.0) {
        return None;
    }
    let f2 = m.norm_squared();
    let p = -l_lo * l_hi / f2;
    // dλ/dM = v vᵀ for a simple eigenvalue; d(1/‖M‖²)/dM = −2M/‖M‖⁴.
    let (v_lo, v_hi) = (eig.eigenvectors.column(lo), eig.eigenvectors.column(hi));
    let grad = (v_lo * v_lo.transpose() * (-l_hi) + v_hi * v_hi.transpose() * (-l_lo)) / f2
        - m * (2.0 * p / f2);
    Some((p, grad))
}

/// The one-coordinate form of [`indefiniteness`], across the states of a batch: with the
/// smallest and largest M of the batch, P = max(0, −M_min)·max(0, M_max) / mean(M²), zero when
/// every M has one sign (either: L and −L have the same dynamics) and scale-free. Returns P and
/// ∂P/∂M_s; `None` when P = 0. The objective hands it M/φ′(q̇)², M in the units of the input
/// map's velocity feature φ: with an atanh input M spans the γ⁴ ≈ 10⁹ of the paper's data, and
/// mean(M²) of the raw values would be the fastest states' alone (measured: a run whose M was
/// positive below |q̇| ≈ 0.5 and negative above paid P ≈ 1e-8 and stayed at predicting 0).
///
/// Why: a 1×1 M cannot be indefinite, but it can change sign across the states, and between
/// them the Euler–Lagrange solve has a pole the optimiser cannot cross. An input map makes
/// this the rule: through u = atanh q̇, M = γ⁴(s²∂²f/∂u² + 2s q̇ ∂f/∂u), whose second term is
/// odd in q̇, so a fresh network's M has opposite signs at q̇ → ±1. Measured on the relativistic
/// LNN (atanh(q̇), 2×64, lr 3e-3, 200k steps, γ-weighted MSE): without it 11 of 12 runs stayed
/// at predicting q̈ = 0 (test loss 3.41 from 3.42): seeds 1 and 2, seed 0 at input scales 0.25
/// and 0.5 or lr 1e-2, seed 1 at scales 2 and 4, with the pinv or a damped solve, unweighted or
/// at lr 1e-3; only seed 0 at scale 1 trained. With it, seeds 0–2 train.
fn sign_changes(ms: &[f64]) -> Option<(f64, Vec<f64>)> {
    let (mut lo, mut hi) = (0, 0);
    for (i, &m) in ms.iter().enumerate() {
        if m < ms[lo] {
            lo = i;
        }
        if m > ms[hi] {
            hi = i;
        }
    }
    let (m_lo, m_hi) = (*ms.get(lo)?, ms[hi]);
    if !(m_lo < 0.0 && m_hi > 0.0) {
        return None;
    }
    let count = ms.len() as f64;
    let mean2 = ms.iter().map(|m| m * m).sum::<f64>() / count;
    let p = -m_lo * m_hi / mean2;
    // d(mean M²)/dM_s = 2M_s/count.
    let mut grad: Vec<f64> = ms.iter().map(|m| -p * 2.0 * m / (count * mean2)).collect();
    grad[lo] -= m_hi / mean2;
    grad[hi] -= m_lo / mean2;
    Some((p, grad))
}

impl Model for Lnn {
    fn parts(&self) -> &Parts {
        &self.parts
    }
    fn parts_mut(&mut self) -> &mut Parts {
        &mut self.parts
    }
    fn kind(&self) -> ModelKind {
        ModelKind::Lnn
    }

    fn learned_energy(&self, state: &[f64], ws: &mut Workspace) -> Result<Option<f64>> {
        self.energy(state, ws).map(Some)
    }

    fn terms(&self, state: &[f64], ws: &mut Workspace) -> Result<Terms> {
        self.parts.forward(&self.plan, state, 1, ws)?;
        let t = self.read_terms(ws.tape.output(), 0);
        crate::error::ensure_finite(&[t.value], "the learned Lagrangian")?;
        Ok(t)
    }

    fn derivatives(&self, states: &[f64], samples: usize, ws: &mut Workspace) -> Result<Vec<f64>> {
        self.parts.forward(&self.plan, states, samples, ws)?;
        let (n, d) = (self.parts.n, self.parts.norm.len());
        let mut dx = vec![0.0; samples * 2 * n];
        for s in 0..samples {
            let qdot = &states[s * d + n..s * d + 2 * n];
            let solved = self.solve(ws.tape.output(), s, qdot)?;
            dx[s * 2 * n..s * 2 * n + n].copy_from_slice(qdot);
            dx[s * 2 * n + n..(s + 1) * 2 * n].copy_from_slice(solved.qdd.as_slice());
        }
        Ok(dx)
    }

    fn windows_loss_and_gradient(
        &self,
        windows: &crate::observe::Windows,
        loss: Loss,
        ws: &mut Workspace,
        grad: &mut [f64],
    ) -> f64 {
        self.windows_objective(&self.parts.mlp, windows, loss, ws, grad)
    }

    fn windows_loss_and_gradient_f32(
        &self,
        net: &Mlp<f32>,
        windows: &crate::observe::Windows,
        loss: Loss,
        ws: &mut Workspace<f32>,
        grad: &mut [f32],
    ) -> f64 {
        self.windows_objective(net, windows, loss, ws, grad)
    }

    objective_methods!();
}

impl Lnn {
    /// The training objective through `mlp` (this model's network, or its f32 copy): the pass
    /// in `F`; the solve and its adjoint, the penalty, the loss and its sum in f64 (the
    /// adjoints are rounded to `F` for the reverse pass).
    #[allow(clippy::too_many_arguments)]
    fn objective<F: Float>(
        &self,
        mlp: &Mlp<F>,
        states: &[f64],
        targets: &[f64],
        samples: usize,
        loss: Loss,
        weights: SampleWeights<'_>,
        ws: &mut Workspace<F>,
        grad: &mut [F],
    ) -> f64 {
        if !weights.fits(samples, self.parts.n)
            || self
                .parts
                .forward_with(mlp, &self.plan, states, samples, ws)
                .is_err()
        {
            return f64::NAN;
        }
        let (n, d, c) = (self.parts.n, self.parts.norm.len(), self.plan.columns());
        let total_weight = weights.total();
        backpropagate(mlp, &self.plan, ws, grad, samples * c, |out, adjoint| {
            let mut total = 0.0;
            // One coordinate: M is a number, definite at every state, and the pole the
            // penalty guards against lies between states where it changes sign.
            // M is compared in the input map's units, M/φ′(q̇)² (φ the velocity's feature):
            // the network's own curvature, of one scale at every state, where M itself spans
            // the γ⁴ of an atanh input and the sign of a few slow states would weigh nothing.
            // (units, ∂P/∂(M/φ′²)) when the penalty applies to this batch.
            let sign_change = if n == 1 && self.definiteness > 0.0 {
                let units: Vec<f64> = (0..samples)
                    .map(|s| {
                        let slope = self.parts.norm.slope(n, states[s * d + n]);
                        slope * slope
                    })
                    .collect();
                let ms: Vec<f64> = (0..samples)
                    .map(|s| out[s * c + 1 + 2 * n].to_f64() / units[s])
                    .collect();
                sign_changes(&ms).map(|(p, g)| {
                    total += self.definiteness * p;
                    (units, g)
                })
            } else {
                None
            };
            for s in 0..samples {
                let qdot = &states[s * d + n..s * d + 2 * n];
                let Solved { m, r, qdd } = self.solve(out, s, qdot).ok()?;
                let mut qdd_bar = DVector::zeros(n);
                for i in 0..n {
                    let (l, g) = weights.term(
                        loss,
                        s,
                        samples,
                        total_weight,
                        qdd[i],
                        targets[s * 2 * n + n + i],
                        samples * n,
                    );
                    total += l;
                    qdd_bar[i] = g;
                }
                // Back through the solve to M̄ and r̄ = ∂L/∂q̄; r = ∂L/∂q − C q̇ gives
                // C̄ = −r̄ q̇ᵀ.
                let (mut m_bar, r_bar) = self.solver.adjoint(&m, &r, &qdd, &qdd_bar).ok()?;
                if self.definiteness > 0.0 {
                    if let Some((p, grad)) = indefiniteness(&m) {
                        let w = self.definiteness / samples as f64;
                        total += w * p;
                        m_bar += grad * w;
                    }
                }
                if let Some((units, g)) = &sign_change {
                    m_bar[(0, 0)] += self.definiteness * g[s] / units[s];
                }
                let a = &mut adjoint[s * c..(s + 1) * c];
                for j in 0..n {
                    a[1 + j] = F::from_f64(r_bar[j]);
                }
                let mut p = 1 + 2 * n;
                for i in 0..n {
                    for j in i..n {
                        // M is symmetric and stored once: fold M̄_ij and M̄_ji.
                        a[p] = F::from_f64(if i == j {
                            m_bar[(i, i)]
                        } else {
                            m_bar[(i, j)] + m_bar[(j, i)]
                        });
                        p += 1;
                    }
                }
                for i in 0..n {
                    for j in 0..n {
                        a[p] = F::from_f64(-r_bar[i] * qdot[j]);
                        p += 1;
                    }
                }
            }
            Some(total)
        })
    }

    /// The discrete loss of [`crate::observe::Method::Discrete`]. Per window, with p = ∂L/∂q̇
    /// and g = ∂L/∂q at the two states a (first interval) and b (second, at the guess q̃):
    ///
    /// ```text
    /// F = p_a + (h₀/2) g_a − p_b + (h₁/2) g_b        (the discrete Euler–Lagrange residual at q̃)
    /// J = ∂F/∂q₂ = −(M_b/h₁ + (C_b − C_bᵀ)/2)        (q–q block dropped, as in the integrator)
    /// q̂₂ = q̃ − J⁻¹F,  error (q̂₂ − q₂)/h₁² = (−J⁻¹F − (q₂ − q̃))/h₁²
    /// ```
    ///
    /// Reverse: u = J⁻¹F, ū = −ē/h₁², F̄ = J⁻ᵀū, J̄ = −F̄uᵀ; then M̄_b = −J̄/h₁,
    /// C̄_b = (J̄ᵀ − J̄)/2, p̄_a = F̄, ḡ_a = (h₀/2)F̄, p̄_b = −F̄, ḡ_b = (h₁/2)F̄. The
    /// definiteness penalty applies to M_b. The pass in `F`, the rest in f64 (as
    /// [`Lnn::objective`]).
    fn windows_objective<F: Float>(
        &self,
        mlp: &Mlp<F>,
        w: &crate::observe::Windows,
        loss: Loss,
        ws: &mut Workspace<F>,
        grad: &mut [F],
    ) -> f64 {
        let n = self.parts.n;
        if w.n != n || w.k != self.parts.k {
            return f64::NAN;
        }
        if self
            .parts
            .forward_with(mlp, &self.plan, &w.states, 2 * w.count, ws)
            .is_err()
        {
            return f64::NAN;
        }
        let c = self.plan.columns();
        let count = w.count * n;
        backpropagate(
            mlp,
            &self.plan,
            ws,
            grad,
            2 * w.count * c,
            |out, adjoint| {
                let mut total = 0.0;
                for i in 0..w.count {
                    let (h0, h1) = (w.steps[2 * i], w.steps[2 * i + 1]);
                    let a = self.read_terms(out, 2 * i);
                    let b = self.read_terms(out, 2 * i + 1);
                    let f =
                        &a.dl_dqdot + &a.dl_dq * (0.5 * h0) - &b.dl_dqdot + &b.dl_dq * (0.5 * h1);
                    let j = -(&b.mass / h1 + (&b.mixed - b.mixed.transpose()) * 0.5);
                    let lu = j.clone().lu();
                    let u = lu.solve(&f)?;
                    let mut u_bar = DVector::zeros(n);
                    let scale = 1.0 / (h1 * h1);
                    for k in 0..n {
                        let (l, g) = loss.term(-u[k] * scale, w.offsets[i * n + k] * scale, count);
                        total += l;
                        u_bar[k] = -g * scale;
                    }
                    let f_bar = j.transpose().lu().solve(&u_bar)?;
                    let j_bar = -&f_bar * u.transpose();
                    let mut m_bar = -&j_bar / h1;
                    let c_bar = (j_bar.transpose() - &j_bar) * 0.5;
                    if self.definiteness > 0.0 {
                        if let Some((p, g)) = indefiniteness(&b.mass) {
                            let weight = self.definiteness / w.count as f64;
                            total += weight * p;
                            m_bar += g * weight;
                        }
                    }
                    if !total.is_finite() {
                        return None;
                    }
                    for (s, g_bar, p_bar) in [
                        (2 * i, &f_bar * (0.5 * h0), f_bar.clone()),
                        (2 * i + 1, &f_bar * (0.5 * h1), -&f_bar),
                    ] {
                        let o = &mut adjoint[s * c..(s + 1) * c];
                        for k in 0..n {
                            o[1 + k] = F::from_f64(g_bar[k]);
                            o[1 + n + k] = F::from_f64(p_bar[k]);
                        }
                    }
                    let o = &mut adjoint[(2 * i + 1) * c..(2 * i + 2) * c];
                    let mut p = 1 + 2 * n;
                    for r in 0..n {
                        for q in r..n {
                            o[p] = F::from_f64(if r == q {
                                m_bar[(r, r)]
                            } else {
                                m_bar[(r, q)] + m_bar[(q, r)]
                            });
                            p += 1;
                        }
                    }
                    for r in 0..n {
                        for q in 0..n {
                            o[p] = F::from_f64(c_bar[(r, q)]);
                            p += 1;
                        }
                    }
                }
                Some(total)
            },
        )
    }

    /// The learned energy E = q̇·∂L/∂q̇ − L at one state (conserved by the model's own flow).
    ///
    /// # Errors
    /// As [`Model::derivatives`].
    pub fn energy(&self, state: &[f64], ws: &mut Workspace) -> Result<f64> {
        self.parts.forward(&self.plan, state, 1, ws)?;
        let o = ws.tape.output();
        let n = self.parts.n;
        let e = (0..n).map(|i| state[n + i] * o[1 + n + i]).sum::<f64>() - o[0];
        if e.is_finite() {
            Ok(e)
        } else {
            Err(Error::NonFinite {
                context: "the learned energy",
            })
        }
    }
}

/// The same learned Lagrangian through the generic engine (scalar jets instead of the batched
/// pass): the independent reference the batched pass is tested against, and a way to use a
/// trained LNN anywhere a [`crate::Lagrangian`] is expected.
impl crate::Lagrangian for Lnn {
    fn dof(&self) -> usize {
        self.parts.n
    }
    fn conditioning_len(&self) -> usize {
        self.parts.k
    }
    fn lagrangian<S: crate::Scalar>(&self, q: &[S], qdot: &[S], c: &[f64]) -> S {
        let n = self.parts.n;
        let mut inputs: Vec<S> = Vec::with_capacity(2 * n + self.parts.k);
        let norm = &self.parts.norm;
        for (i, &v) in q.iter().chain(qdot.iter()).enumerate() {
            let s = norm.scale[i];
            if norm.circle[i] {
                inputs.push(v.cos() * s);
                inputs.push(v.sin() * s);
            } else if norm.wrap[i] {
                // Wrapping shifts by a multiple of 2π: derivatives pass through unchanged.
                inputs.push((v + (super::wrap_angle(v.value()) - v.value())) * s);
            } else if norm.asinh[i] {
                inputs.push(v.asinh() * s);
                if norm.has_linear(i) {
                    inputs.push(v * norm.linear[i]);
                }
            } else if norm.atanh[i] {
                inputs.push(v.atanh() * s);
            } else {
                inputs.push(v * s);
            }
        }
        // The conditioning inputs are constants: their features are the tail of the map's.
        let mut features = alloc::vec![0.0; norm.features()];
        let mut state = alloc::vec![0.0; norm.len()];
        state[2 * n..].copy_from_slice(c);
        norm.apply(&state, &mut features);
        let tail: usize = (2 * n..norm.len()).map(|i| norm.width(i)).sum();
        inputs.extend(
            features[features.len() - tail..]
                .iter()
                .map(|&f| S::from_f64(f)),
        );
        self.parts.mlp.forward(&inputs)[0]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn indefiniteness_is_zero_when_definite_and_its_gradient_is_right() {
        for m in [[2.0, 0.5, 0.5, 1.0], [-2.0, 0.5, 0.5, -1.0]] {
            assert!(indefiniteness(&DMatrix::from_row_slice(2, 2, &m)).is_none());
        }
        let m = DMatrix::from_row_slice(3, 3, &[1.0, 0.4, -0.3, 0.4, -0.7, 0.2, -0.3, 0.2, 0.5]);
        let (p, g) = indefiniteness(&m).unwrap();
        assert!(p > 0.0 && p <= 0.5);
        // Scale-free: the same for 10 M.
        assert!((indefiniteness(&(&m * 10.0)).unwrap().0 - p).abs() < 1e-14);
        let h = 1e-6;
        for i in 0..3 {
            for j in i..3 {
                let mut d = DMatrix::zeros(3, 3);
                d[(i, j)] = h;
                d[(j, i)] = h;
                let f = |m: DMatrix<f64>| indefiniteness(&m).unwrap().0;
                let fd = (f(&m + &d) - f(&m - &d)) / (2.0 * h);
                let want = if i == j {
                    g[(i, i)]
                } else {
                    g[(i, j)] + g[(j, i)]
                };
                assert!((fd - want).abs() < 1e-8, "{i}{j}: {want} vs {fd}");
            }
        }
    }

    #[test]
    fn sign_changes_are_zero_on_one_sign_and_their_gradient_is_right() {
        assert!(sign_changes(&[0.5, 2.0, 1e-9]).is_none());
        assert!(sign_changes(&[-0.5, -2.0, 0.0]).is_none());
        assert!(sign_changes(&[]).is_none());
        let ms = [0.8, -0.3, 1.5, 0.2, -1.1];
        let (p, g) = sign_changes(&ms).unwrap();
        // −(−1.1)(1.5) / mean(M²) = 1.65 / ((0.64 + 0.09 + 2.25 + 0.04 + 1.21) / 5).
        assert!((p - 1.65 / 0.846).abs() < 1e-12, "{p}");
        let scaled: Vec<f64> = ms.iter().map(|m| m * 1e4).collect();
        assert!(
            (sign_changes(&scaled).unwrap().0 - p).abs() < 1e-12,
            "scale-free"
        );
        let h = 1e-6;
        for (i, want) in g.iter().enumerate() {
            let at = |t: f64| {
                let mut m = ms;
                m[i] += t;
                sign_changes(&m).unwrap().0
            };
            let fd = (at(h) - at(-h)) / (2.0 * h);
            assert!((fd - want).abs() < 1e-8, "{i}: {want} vs {fd}");
        }
    }
}
