//! The paper's baseline: an MLP from the state straight to the accelerations, trained by plain
//! backpropagation. Nothing in it knows about energy.
use alloc::vec;
use alloc::vec::Vec;

use super::{backpropagate, Loss, Model, ModelKind, Normalisation, Parts, Workspace};
use crate::nn::taylor_pass::Plan;
use crate::nn::Mlp;
use crate::Result;

/// MLP (q, q̇, c) → q̈.
#[derive(Clone, Debug)]
pub struct Baseline {
    parts: Parts,
    plan: Plan,
}

impl Baseline {
    /// Wraps a network with `2n + k` inputs and `n` outputs.
    pub fn new(mlp: Mlp, n: usize, k: usize, norm: Normalisation) -> Self {
        Baseline {
            parts: Parts { mlp, n, k, norm },
            plan: Plan::value_only(),
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
        let n = self.parts.n;
        backpropagate(
            &self.parts.mlp,
            &self.plan,
            ws,
            grad,
            samples * n,
            |out, adjoint| {
                let mut total = 0.0;
                for s in 0..samples {
                    for i in 0..n {
                        let (l, g) =
                            loss.term(out[s * n + i], targets[s * 2 * n + n + i], samples * n);
                        total += l;
                        adjoint[s * n + i] = g;
                    }
                }
                Some(total)
            },
        )
    }
}
