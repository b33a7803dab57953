//! The Hamiltonian Neural Network: H(x, c) = MLP(normalised state), with x = (q, p) and
//! dx/dt = (∂H/∂p, −∂H/∂q). In canonical coordinates this is exact Hamiltonian mechanics; given
//! (q, q̇) instead it assumes a symplectic structure the data do not have, and fails: the paper's
//! relativistic-particle experiment.
use alloc::vec;
use alloc::vec::Vec;

use super::{
    backpropagate, objective_methods, Coordinates, Loss, Model, ModelKind, Normalisation, Parts,
    SampleWeights, Workspace,
};
use crate::nn::taylor_pass::Plan;
use crate::nn::Mlp;
use crate::{Float, Result};

/// A learned Hamiltonian.
#[derive(Clone, Debug)]
pub struct Hnn {
    parts: Parts,
    plan: Plan,
    coordinates: Coordinates,
}

impl Hnn {
    /// Wraps a network with `2n + k` inputs and one output.
    pub fn new(
        mlp: Mlp,
        n: usize,
        k: usize,
        norm: Normalisation,
        coordinates: Coordinates,
    ) -> Self {
        let plan = super::plan_of(ModelKind::Hnn, n, &norm);
        Hnn {
            parts: Parts { mlp, n, k, norm },
            plan,
            coordinates,
        }
    }
}

impl Model for Hnn {
    fn parts(&self) -> &Parts {
        &self.parts
    }
    fn parts_mut(&mut self) -> &mut Parts {
        &mut self.parts
    }
    fn kind(&self) -> ModelKind {
        ModelKind::Hnn
    }
    fn coordinates(&self) -> Coordinates {
        self.coordinates
    }

    fn learned_energy(&self, state: &[f64], ws: &mut Workspace) -> Result<Option<f64>> {
        self.parts.forward(&Plan::value_only(), state, 1, ws)?;
        Ok(Some(ws.tape.output()[0]))
    }

    fn derivatives(&self, states: &[f64], samples: usize, ws: &mut Workspace) -> Result<Vec<f64>> {
        self.parts.forward(&self.plan, states, samples, ws)?;
        let (n, c) = (self.parts.n, self.plan.columns());
        let out = ws.tape.output();
        let mut dx = vec![0.0; samples * 2 * n];
        for s in 0..samples {
            let g = &out[s * c + 1..s * c + 1 + 2 * n]; // ∂H/∂q, then ∂H/∂p
            for i in 0..n {
                dx[s * 2 * n + i] = g[n + i];
                dx[s * 2 * n + n + i] = -g[i];
            }
        }
        crate::error::ensure_finite(&dx, "the HNN's time derivatives")?;
        Ok(dx)
    }

    objective_methods!();
}

impl Hnn {
    /// The training objective through `mlp` (this model's network, or its f32 copy): the pass
    /// in `F`, the loss and its sum in f64. With a map from ṗ to q̈ in `weights` (a canonical
    /// model trained on the paper's score), the second half of the loss is on q̈ = M⁻¹(ṗ − C q̇)
    /// instead of ṗ.
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
        let n = self.parts.n;
        if !weights.fits(samples, n)
            || self
                .parts
                .forward_with(mlp, &self.plan, states, samples, ws)
                .is_err()
        {
            return f64::NAN;
        }
        let c = self.plan.columns();
        let count = samples * 2 * n;
        let total_weight = weights.total();
        let map = weights.qdd_map;
        let mut e = vec![0.0; n];
        backpropagate(mlp, &self.plan, ws, grad, samples * c, |out, adjoint| {
            let mut total = 0.0;
            for s in 0..samples {
                let t = &targets[s * 2 * n..(s + 1) * 2 * n];
                if map.is_empty() {
                    for i in 0..n {
                        // ẋ_i = ∂H/∂p_i (column 1 + n + i); ṗ_i = −∂H/∂q_i (column 1 + i).
                        let (l1, g1) = weights.term(
                            loss,
                            s,
                            samples,
                            total_weight,
                            out[s * c + 1 + n + i].to_f64(),
                            t[i],
                            count,
                        );
                        let (l2, g2) = weights.term(
                            loss,
                            s,
                            samples,
                            total_weight,
                            -out[s * c + 1 + i].to_f64(),
                            t[n + i],
                            count,
                        );
                        total += l1 + l2;
                        adjoint[s * c + 1 + n + i] = F::from_f64(g1);
                        adjoint[s * c + 1 + i] = F::from_f64(-g2);
                    }
                    continue;
                }
                for i in 0..n {
                    let (l1, g1) = weights.term(
                        loss,
                        s,
                        samples,
                        total_weight,
                        out[s * c + 1 + n + i].to_f64(),
                        t[i],
                        count,
                    );
                    total += l1;
                    adjoint[s * c + 1 + n + i] = F::from_f64(g1);
                }
                // ṗ judged as q̈: the error of q̈ is A (ṗ − ṗ_true) with A = M⁻¹ (row-major),
                // compared with 0; back through it, ṗ̄ = Aᵀ ē, and ∂H/∂q̄ = −ṗ̄.
                let a = &map[s * n * n..(s + 1) * n * n];
                for (j, ej) in e.iter_mut().enumerate() {
                    *ej = -out[s * c + 1 + j].to_f64() - t[n + j];
                }
                let mut pdot_bar = vec![0.0; n];
                for i in 0..n {
                    let err: f64 = (0..n).map(|j| a[i * n + j] * e[j]).sum();
                    let (l2, g2) = weights.term(loss, s, samples, total_weight, err, 0.0, count);
                    total += l2;
                    for j in 0..n {
                        pdot_bar[j] += a[i * n + j] * g2;
                    }
                }
                for j in 0..n {
                    adjoint[s * c + 1 + j] = F::from_f64(-pdot_bar[j]);
                }
            }
            Some(total)
        })
    }
}
