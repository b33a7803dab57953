//! The Lagrangian graph network for a field on a periodic 1-D grid (the paper's wave
//! experiment): one MLP density shared by every point,
//!
//! ```text
//! L = dx Σ_i ℓ_θ(φ_{i−1}, φ_i, φ_{i+1}, φ̇_{i−1}, φ̇_i, φ̇_{i+1})
//! ```
//!
//! All N densities of all samples go through one batched Taylor pass (3 "degrees of freedom" per
//! density: 22 columns each); their local Hessians are scattered into the cyclic pentadiagonal
//! M = ∂²L/∂φ̇∂φ̇ and C = ∂²L/∂φ̇∂φ, and M φ̈ = ∂L/∂φ − C φ̇ is solved in O(N) (or densely, as the
//! reference). The reverse pass runs the same steps backwards.
use alloc::vec;
use alloc::vec::Vec;

use nalgebra::DVector;

use super::{
    backpropagate, objective_methods, Loss, Model, ModelKind, Normalisation, Parts, SampleWeights,
    Workspace,
};
use crate::linalg::CyclicBand;
use crate::nn::taylor_pass::{self, Plan};
use crate::nn::Mlp;
use crate::{Error, Float, Result, Solver};

/// How the graph model solves for φ̈.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum GridSolver {
    /// Banded LU + Woodbury for the periodic corners: O(N).
    Banded,
    /// Dense pseudo-inverse of the assembled N×N matrix: O(N³), the reference.
    Dense(Solver),
}

/// The assembled Euler–Lagrange terms of one sample.
struct Assembled {
    dl_dq: Vec<f64>,
    mass: CyclicBand,
    mixed: CyclicBand,
}

/// A learned Lagrangian density on a periodic grid.
#[derive(Clone, Debug)]
pub struct GraphLnn {
    parts: Parts,
    dx: f64,
    plan: Plan,
    /// Banded (default) or dense solve.
    pub solver: GridSolver,
}

/// Stencil offset of density input slot a (0: left, 1: centre, 2: right).
#[inline]
fn site(i: usize, a: usize, n: usize) -> usize {
    (i + n + a - 1) % n
}

impl GraphLnn {
    /// A density network with 6 inputs (normalised by `norm`) and one output, on `n` points
    /// spaced `dx`.
    pub fn new(mlp: Mlp, n: usize, dx: f64, norm: Normalisation) -> Self {
        let plan = super::plan_of(ModelKind::GraphLnn, n, &norm);
        GraphLnn {
            parts: Parts { mlp, n, k: 0, norm },
            dx,
            plan,
            solver: GridSolver::Banded,
        }
    }

    /// Grid spacing.
    pub fn dx(&self) -> f64 {
        self.dx
    }

    /// Runs the densities of `samples` states through the Taylor pass (results in `ws.tape`).
    fn forward(&self, states: &[f64], samples: usize, ws: &mut Workspace) -> Result<()> {
        self.forward_with(&self.parts.mlp, states, samples, ws)
    }

    /// [`Self::forward`] through `mlp` (the model's network, or its f32 copy).
    fn forward_with<F: Float>(
        &self,
        mlp: &Mlp<F>,
        states: &[f64],
        samples: usize,
        ws: &mut Workspace<F>,
    ) -> Result<()> {
        let n = self.parts.n;
        if states.len() != samples * 2 * n {
            return Err(Error::StateLength {
                expected: samples * 2 * n,
                got: states.len(),
            });
        }
        crate::error::ensure_finite(states, "the states")?;
        ws.inputs.resize(samples * n * 6, 0.0);
        let mut raw = [0.0; 6];
        for s in 0..samples {
            let (phi, phidot) = (
                &states[s * 2 * n..s * 2 * n + n],
                &states[s * 2 * n + n..(s + 1) * 2 * n],
            );
            for i in 0..n {
                for a in 0..3 {
                    raw[a] = phi[site(i, a, n)];
                    raw[3 + a] = phidot[site(i, a, n)];
                }
                self.parts
                    .norm
                    .apply(&raw, &mut ws.inputs[(s * n + i) * 6..(s * n + i + 1) * 6]);
            }
        }
        taylor_pass::forward(mlp, &self.plan, &ws.inputs, samples * n, &mut ws.tape);
        Ok(())
    }

    /// Scatters sample s's local derivatives into the global terms (all scaled by dx), in f64
    /// whatever the pass's float (the banded solve and its adjoint stay f64).
    fn assemble<F: Float>(&self, out: &[F], s: usize) -> Assembled {
        let (n, c, dx) = (self.parts.n, self.plan.columns(), self.dx);
        let mut t = Assembled {
            dl_dq: vec![0.0; n],
            mass: CyclicBand::zeros(n),
            mixed: CyclicBand::zeros(n),
        };
        for i in 0..n {
            let o = &out[(s * n + i) * c..(s * n + i + 1) * c];
            for b in 0..3 {
                t.dl_dq[site(i, b, n)] += dx * o[1 + b].to_f64();
            }
            let mut p = 7; // value, 6 first derivatives, then pairs
            for a in 0..3 {
                for b in a..3 {
                    let v = dx * o[p].to_f64();
                    let d = b as isize - a as isize;
                    t.mass.add(site(i, a, n), d, v);
                    if a != b {
                        t.mass.add(site(i, b, n), -d, v);
                    }
                    p += 1;
                }
            }
            for a in 0..3 {
                for b in 0..3 {
                    t.mixed
                        .add(site(i, a, n), b as isize - a as isize, dx * o[p].to_f64());
                    p += 1;
                }
            }
        }
        t
    }

    fn solve(&self, m: &CyclicBand, r: &[f64]) -> Result<Vec<f64>> {
        let x = match self.solver {
            GridSolver::Banded => m.solve(r)?,
            GridSolver::Dense(solver) => solver
                .solve(&m.to_dense(), &DVector::from_row_slice(r))?
                .as_slice()
                .to_vec(),
        };
        crate::error::ensure_finite(&x, "the graph model's accelerations")?;
        Ok(x)
    }

    /// φ̈ of sample s from the pass output, with its assembled terms.
    fn accelerations<F: Float>(
        &self,
        out: &[F],
        s: usize,
        phidot: &[f64],
    ) -> Result<(Assembled, Vec<f64>)> {
        let t = self.assemble(out, s);
        let cv = t.mixed.mul(phidot);
        let r: Vec<f64> = t.dl_dq.iter().zip(&cv).map(|(g, c)| g - c).collect();
        let acc = self.solve(&t.mass, &r)?;
        Ok((t, acc))
    }

    /// The assembled mass matrix M = ∂²L/∂φ̇∂φ̇ at one state, dense (for tests).
    #[cfg(test)]
    pub(crate) fn mass_matrix(&self, state: &[f64]) -> nalgebra::DMatrix<f64> {
        let mut ws = Workspace::default();
        self.forward(state, 1, &mut ws).unwrap();
        self.assemble(ws.tape.output(), 0).mass.to_dense()
    }

    /// The learned energy E = Σ φ̇_i ∂L/∂φ̇_i − L of one state.
    ///
    /// # Errors
    /// As [`Model::derivatives`].
    pub fn energy(&self, state: &[f64], ws: &mut Workspace) -> Result<f64> {
        self.forward(state, 1, ws)?;
        let (n, c, dx) = (self.parts.n, self.plan.columns(), self.dx);
        let out = ws.tape.output();
        let phidot = &state[n..2 * n];
        let mut e = 0.0;
        for i in 0..n {
            let o = &out[i * c..(i + 1) * c];
            e -= dx * o[0];
            for a in 0..3 {
                e += phidot[site(i, a, n)] * dx * o[4 + a];
            }
        }
        if e.is_finite() {
            Ok(e)
        } else {
            Err(Error::NonFinite {
                context: "the learned energy",
            })
        }
    }
}

impl Model for GraphLnn {
    fn parts(&self) -> &Parts {
        &self.parts
    }
    fn parts_mut(&mut self) -> &mut Parts {
        &mut self.parts
    }
    fn kind(&self) -> ModelKind {
        ModelKind::GraphLnn
    }

    fn learned_energy(&self, state: &[f64], ws: &mut Workspace) -> Result<Option<f64>> {
        self.energy(state, ws).map(Some)
    }

    fn derivatives(&self, states: &[f64], samples: usize, ws: &mut Workspace) -> Result<Vec<f64>> {
        self.forward(states, samples, ws)?;
        let n = self.parts.n;
        let mut dx = vec![0.0; samples * 2 * n];
        for s in 0..samples {
            let phidot = &states[s * 2 * n + n..(s + 1) * 2 * n];
            let (_, acc) = self.accelerations(ws.tape.output(), s, phidot)?;
            dx[s * 2 * n..s * 2 * n + n].copy_from_slice(phidot);
            dx[s * 2 * n + n..(s + 1) * 2 * n].copy_from_slice(&acc);
        }
        Ok(dx)
    }

    objective_methods!();
}

impl GraphLnn {
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
            || self.forward_with(mlp, states, samples, ws).is_err()
        {
            return f64::NAN;
        }
        let (n, c, dx) = (self.parts.n, self.plan.columns(), self.dx);
        let total_weight = weights.total();
        backpropagate(
            mlp,
            &self.plan,
            ws,
            grad,
            samples * n * c,
            |out, adjoint| {
                let mut total = 0.0;
                for s in 0..samples {
                    let phidot = &states[s * 2 * n + n..(s + 1) * 2 * n];
                    let (t, acc) = self.accelerations(out, s, phidot).ok()?;
                    let mut acc_bar = vec![0.0; n];
                    for i in 0..n {
                        let (l, g) = weights.term(
                            loss,
                            s,
                            samples,
                            total_weight,
                            acc[i],
                            targets[s * 2 * n + n + i],
                            samples * n,
                        );
                        total += l;
                        acc_bar[i] = g;
                    }
                    // u = M⁻ᵀ φ̈̄ (M is symmetric): ∂L/∂φ̄ = u, M̄_jk = −u_j φ̈_k, C̄_jk = −u_j φ̇_k.
                    let u = self.solve(&t.mass, &acc_bar).ok()?;
                    for i in 0..n {
                        let a_out = &mut adjoint[(s * n + i) * c..(s * n + i + 1) * c];
                        for b in 0..3 {
                            a_out[1 + b] = F::from_f64(dx * u[site(i, b, n)]);
                        }
                        let mut p = 7;
                        for a in 0..3 {
                            for b in a..3 {
                                let (ja, jb) = (site(i, a, n), site(i, b, n));
                                a_out[p] = F::from_f64(if a == b {
                                    -dx * u[ja] * acc[ja]
                                } else {
                                    -dx * (u[ja] * acc[jb] + u[jb] * acc[ja])
                                });
                                p += 1;
                            }
                        }
                        for a in 0..3 {
                            for b in 0..3 {
                                a_out[p] =
                                    F::from_f64(-dx * u[site(i, a, n)] * phidot[site(i, b, n)]);
                                p += 1;
                            }
                        }
                    }
                }
                Some(total)
            },
        )
    }
}
