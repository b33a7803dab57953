//! The paper's baseline: an MLP from the state straight to the accelerations, trained by plain
//! backpropagation. Nothing in it knows about energy.
use alloc::vec;
use alloc::vec::Vec;

use super::{
    backpropagate, objective_methods, Loss, Model, ModelKind, Normalisation, Parts, SampleWeights,
    Workspace,
};
use crate::nn::taylor_pass::Plan;
use crate::nn::Mlp;
use crate::{Float, Result};

/// MLP (q, q̇, c) → q̈.
#[derive(Clone, Debug)]
pub struct Baseline {
    parts: Parts,
    plan: Plan,
}

impl Baseline {
    /// Wraps a network with `2n + k` inputs and `n` outputs.
    pub fn new(mlp: Mlp, n: usize, k: usize, norm: Normalisation) -> Self {
        let plan = super::plan_of(ModelKind::Baseline, n, &norm);
        Baseline {
            parts: Parts { mlp, n, k, norm },
            plan,
        }
    }
}

impl Model for Baseline {
    fn parts(&self) -> &Parts {
        &self.parts
    }
    fn parts_mut(&mut self) -> &mut Parts {
        &mut self.parts
    }
    fn kind(&self) -> ModelKind {
        ModelKind::Baseline
    }

    fn derivatives(&self, states: &[f64], samples: usize, ws: &mut Workspace) -> Result<Vec<f64>> {
        self.parts.forward(&self.plan, states, samples, ws)?;
        let (n, d) = (self.parts.n, self.parts.norm.len());
        let out = ws.tape.output();
        crate::error::ensure_finite(out, "the baseline's accelerations")?;
        let mut dx = vec![0.0; samples * 2 * n];
        for s in 0..samples {
            dx[s * 2 * n..s * 2 * n + n].copy_from_slice(&states[s * d + n..s * d + 2 * n]);
            dx[s * 2 * n + n..(s + 1) * 2 * n].copy_from_slice(&out[s * n..(s + 1) * n]);
        }
        Ok(dx)
    }

    objective_methods!();
}

impl Baseline {
    /// The training objective through `mlp` (this model's network, or its f32 copy): the pass
    /// in `F`, the loss and its sum in f64.
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
        let n = self.parts.n;
        let total_weight = weights.total();
        backpropagate(mlp, &self.plan, ws, grad, samples * n, |out, adjoint| {
            let mut total = 0.0;
            for s in 0..samples {
                for i in 0..n {
                    let (l, g) = weights.term(
                        loss,
                        s,
                        samples,
                        total_weight,
                        out[s * n + i].to_f64(),
                        targets[s * 2 * n + n + i],
                        samples * n,
                    );
                    total += l;
                    adjoint[s * n + i] = F::from_f64(g);
                }
            }
            Some(total)
        })
    }
}
