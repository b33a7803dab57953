//! The Lagrangian Neural Network: L(q, q̇, c) = MLP(normalised state), accelerations from
//! M q̈ = ∂L/∂q − C q̇, and the reverse pass through that solve and the Taylor pass.
use alloc::vec;
use alloc::vec::Vec;

use nalgebra::{DMatrix, DVector};

use super::{backpropagate, Loss, Model, ModelKind, Normalisation, Parts, Workspace};
use crate::nn::taylor_pass::Plan;
use crate::nn::Mlp;
use crate::{Error, Result, Solver};

/// A learned Lagrangian.
#[derive(Clone, Debug)]
pub struct Lnn {
    parts: Parts,
    plan: Plan,
    /// How M q̈ = r is solved (default: pseudo-inverse).
    pub solver: Solver,
}

/// M, C, ∂L/∂q and the accelerations of one sample.
struct Solved {
    m: DMatrix<f64>,
    qdd: DVector<f64>,
}

impl Lnn {
    /// Wraps a network with `2n + k` inputs and one output.
    pub fn new(mlp: Mlp, n: usize, k: usize, norm: Normalisation) -> Self {
        let plan = Plan::euler_lagrange(n, &norm.scale);
        Lnn {
            parts: Parts { mlp, n, k, norm },
            plan,
            solver: Solver::default(),
        }
    }

    /// Reads sample s's Euler–Lagrange terms from the pass output and solves for q̈.
    fn solve(&self, out: &[f64], s: usize, qdot: &[f64]) -> Result<Solved> {
        let n = self.parts.n;
        let c = self.plan.columns();
        let o = &out[s * c..(s + 1) * c];
        let first = 1; // columns: value, then 2n first derivatives (q then q̇), then pairs
        let pairs = first + 2 * n;
        let mut m = DMatrix::zeros(n, n);
        let mut p = pairs;
        for i in 0..n {
            for j in i..n {
                m[(i, j)] = o[p];
                m[(j, i)] = o[p];
                p += 1;
            }
        }
        let mut r = DVector::from_fn(n, |j, _| o[first + j]);
        for i in 0..n {
            for j in 0..n {
                r[i] -= o[p] * qdot[j];
                p += 1;
            }
        }
        let qdd = self.solver.solve(&m, &r)?;
        crate::error::ensure_finite(qdd.as_slice(), "the LNN's accelerations")?;
        Ok(Solved { m, qdd })
    }
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

    fn loss_and_gradient(
        &self,
        states: &[f64],
        targets: &[f64],
        samples: usize,
        loss: Loss,
        ws: &mut Workspace,
        grad: &mut [f64],
    ) -> f64 {
        if self.parts.forward(&self.plan, states, samples, ws).is_err() {
            return f64::NAN;
        }
        let (n, d, c) = (self.parts.n, self.parts.norm.len(), self.plan.columns());
        backpropagate(
            &self.parts.mlp,
            &self.plan,
            ws,
            grad,
            samples * c,
            |out, adjoint| {
                let mut total = 0.0;
                for s in 0..samples {
                    let qdot = &states[s * d + n..s * d + 2 * n];
                    let Solved { m, qdd } = self.solve(out, s, qdot).ok()?;
                    // ∂loss/∂q̈, then back through M q̈ = r: u = M⁺ q̈̄, r̄ = u, M̄ = −u q̈ᵀ, C̄ = −u q̇ᵀ.
                    let mut qdd_bar = DVector::zeros(n);
                    for i in 0..n {
                        let (l, g) = loss.term(qdd[i], targets[s * 2 * n + n + i], samples * n);
                        total += l;
                        qdd_bar[i] = g;
                    }
                    let u = self.solver.solve(&m, &qdd_bar).ok()?;
                    let a = &mut adjoint[s * c..(s + 1) * c];
                    for j in 0..n {
                        a[1 + j] = u[j]; // ∂L/∂q_j
                    }
                    let mut p = 1 + 2 * n;
                    for i in 0..n {
                        for j in i..n {
                            // M is symmetric and stored once: fold M̄_ij and M̄_ji.
                            a[p] = if i == j {
                                -u[i] * qdd[i]
                            } else {
                                -u[i] * qdd[j] - u[j] * qdd[i]
                            };
                            p += 1;
                        }
                    }
                    for i in 0..n {
                        for j in 0..n {
                            a[p] = -u[i] * qdot[j];
                            p += 1;
                        }
                    }
                }
                Some(total)
            },
        )
    }
}

impl Lnn {
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
            } else {
                inputs.push(v * s);
            }
        }
        // The conditioning inputs are constants: their features are the tail of the map's.
        let mut features = alloc::vec![0.0; norm.features()];
        let mut state = alloc::vec![0.0; norm.len()];
        state[2 * n..].copy_from_slice(c);
        norm.apply(&state, &mut features);
        let tail: usize = (2 * n..norm.len())
            .map(|i| 1 + usize::from(norm.circle[i]))
            .sum();
        inputs.extend(
            features[features.len() - tail..]
                .iter()
                .map(|&f| S::from_f64(f)),
        );
        self.parts.mlp.forward(&inputs)[0]
    }
}
