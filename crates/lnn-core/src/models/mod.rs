//! Learned models behind one trait: the LNN (a learned Lagrangian), the plain baseline (an MLP
//! from state to accelerations) and the HNN (a learned Hamiltonian). Each maps a batch of states
//! to time derivatives, so integrators, metrics and the page treat them alike, and each computes
//! its training loss and gradient by hand-written reverse passes.
use alloc::vec::Vec;

use crate::nn::taylor_pass::{self, Plan, Tape};
use crate::nn::{Activation, Init, Mlp};
use crate::{Error, Float, Precision, Result, Solver};

mod baseline;
mod graph;
mod hnn;
mod lnn;
mod normalise;

pub use baseline::Baseline;
pub use graph::{GraphLnn, GridSolver};
pub use hnn::Hnn;
pub use lnn::Lnn;
pub use normalise::{asinh, atanh, wrap_angle, Angles, Normalisation, ANGLES_NAMES};

/// Which kind of model.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ModelKind {
    /// Lagrangian Neural Network: q̈ from the Euler–Lagrange equation of a learned L(q, q̇, c).
    Lnn,
    /// Plain MLP (q, q̇, c) → q̈: the paper's baseline.
    Baseline,
    /// Hamiltonian Neural Network: (q̇, ṗ) = (∂H/∂p, −∂H/∂q) of a learned H(q, p, c).
    Hnn,
    /// Lagrangian graph network: a learned density on a periodic grid, L = dx Σ_i ℓ(stencil_i).
    GraphLnn,
}

/// Names accepted by [`ModelKind::from_name`].
pub const MODEL_NAMES: &str = "lnn, baseline, hnn, graph-lnn";

impl ModelKind {
    /// Parses a name.
    ///
    /// # Errors
    /// [`Error::Unknown`].
    pub fn from_name(name: &str) -> Result<Self> {
        match name {
            "lnn" => Ok(ModelKind::Lnn),
            "baseline" => Ok(ModelKind::Baseline),
            "hnn" => Ok(ModelKind::Hnn),
            "graph-lnn" => Ok(ModelKind::GraphLnn),
            _ => Err(Error::Unknown {
                kind: "model",
                name: name.into(),
                expected: MODEL_NAMES,
            }),
        }
    }

    /// The name in files, URLs and on the command line.
    pub fn name(self) -> &'static str {
        match self {
            ModelKind::Lnn => "lnn",
            ModelKind::Baseline => "baseline",
            ModelKind::Hnn => "hnn",
            ModelKind::GraphLnn => "graph-lnn",
        }
    }
}

/// The coordinates a model's state is in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Coordinates {
    /// (q, q̇, c): what the LNN and the baseline use, and what an HNN fails on.
    Velocity,
    /// (q, p, c) with p = ∂L/∂q̇ the canonical momentum: what an HNN needs.
    Canonical,
}

impl Coordinates {
    /// Parses `velocity` or `canonical`.
    ///
    /// # Errors
    /// [`Error::Unknown`].
    pub fn from_name(name: &str) -> Result<Self> {
        match name {
            "velocity" => Ok(Coordinates::Velocity),
            "canonical" => Ok(Coordinates::Canonical),
            _ => Err(Error::Unknown {
                kind: "coordinates",
                name: name.into(),
                expected: "velocity, canonical",
            }),
        }
    }

    /// The name in files and on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Coordinates::Velocity => "velocity",
            Coordinates::Canonical => "canonical",
        }
    }
}

/// The training loss on time derivatives.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Loss {
    /// Mean absolute error (the paper's notebooks).
    L1,
    /// Mean squared error.
    Mse,
}

impl Loss {
    /// Parses `l1` or `mse`.
    ///
    /// # Errors
    /// [`Error::Unknown`].
    pub fn from_name(name: &str) -> Result<Self> {
        match name {
            "l1" => Ok(Loss::L1),
            "mse" => Ok(Loss::Mse),
            _ => Err(Error::Unknown {
                kind: "loss",
                name: name.into(),
                expected: "l1, mse",
            }),
        }
    }

    /// The name in files and on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Loss::L1 => "l1",
            Loss::Mse => "mse",
        }
    }

    /// (loss, ∂loss/∂prediction) of one component, for a mean over `count` components.
    #[inline]
    pub fn term(self, prediction: f64, target: f64, count: usize) -> (f64, f64) {
        let e = prediction - target;
        let n = count as f64;
        match self {
            Loss::L1 => (
                e.abs() / n,
                if e > 0.0 {
                    1.0 / n
                } else if e < 0.0 {
                    -1.0 / n
                } else {
                    0.0
                },
            ),
            Loss::Mse => (e * e / n, 2.0 * e / n),
        }
    }
}

/// Per-sample weights of the training loss.
///
/// Why: a model is judged by the score it is trained on. The paper's relativistic notebooks
/// report Σ w |error| / Σ w with w = 1 + 1/√(1 − q̇²) (the γ-weight: 225 at the data's
/// |q̇| = 0.99999), which the fastest particles dominate; a model trained on the plain mean
/// spends its capacity on the slow majority and misses that score by orders of magnitude.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Weighting {
    /// Every sample alike (the plain mean).
    #[default]
    None,
    /// The relativistic particle's w = 1 + 1/√(1 − q̇²) (c = 1), with the paper's score's
    /// components: a canonical model's predicted ṗ is compared as q̈ = M⁻¹(ṗ − C q̇) (true M and
    /// C, as when the paper's HNN notebook scored it), so the loss is the paper's weighted score
    /// over (q̇, q̈) for the HNNs and over q̈ for the LNN and the baseline.
    Gamma,
}

/// Names accepted by [`Weighting::from_name`].
pub const WEIGHTING_NAMES: &str = "none, gamma";

impl Weighting {
    /// Parses `none` or `gamma`.
    ///
    /// # Errors
    /// [`Error::Unknown`] listing the names.
    pub fn from_name(name: &str) -> Result<Self> {
        match name {
            "none" => Ok(Weighting::None),
            "gamma" => Ok(Weighting::Gamma),
            _ => Err(Error::Unknown {
                kind: "weighting",
                name: name.into(),
                expected: WEIGHTING_NAMES,
            }),
        }
    }

    /// The name in files, URLs and on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Weighting::None => "none",
            Weighting::Gamma => "gamma",
        }
    }

    /// The weight of a state `[q, q̇, c]` (velocity coordinates) of a system of `n` degrees of
    /// freedom: 1 unweighted; for [`Weighting::Gamma`] 1 + 1/√(1 − |q̇|²).
    ///
    /// # Errors
    /// [`Error::InvalidConfig`] for `weighting` when |q̇| ≥ 1 (no γ there).
    pub fn weight(self, x: &[f64], n: usize) -> Result<f64> {
        match self {
            Weighting::None => Ok(1.0),
            Weighting::Gamma => {
                let v2: f64 = x[n..2 * n].iter().map(|v| v * v).sum();
                let w = 1.0 + 1.0 / crate::math::sqrt(1.0 - v2);
                if v2 < 1.0 && w.is_finite() {
                    Ok(w)
                } else {
                    Err(Error::config(
                        "weighting",
                        "the γ-weight needs |q̇| < 1 (c = 1): use it for the relativistic particle",
                    ))
                }
            }
        }
    }
}

/// What a weighted loss needs beside states and targets, per sample of a batch.
#[derive(Clone, Copy, Debug, Default)]
pub struct SampleWeights<'a> {
    /// One weight per sample; empty: all alike (the plain mean, bit for bit as before).
    pub weights: &'a [f64],
    /// For a canonical model: n×n numbers per sample (row-major), ∂q̈/∂ṗ = M⁻¹ of the true
    /// system at the sample, so the loss compares q̈ instead of ṗ: q̈ = M⁻¹(ṗ − C q̇), and the
    /// error of q̈ is M⁻¹ times the error of ṗ (the C q̇ term, at the true q̇, cancels). Empty:
    /// ṗ is compared as it is.
    pub qdd_map: &'a [f64],
}

impl SampleWeights<'_> {
    /// None: the plain mean.
    pub const NONE: SampleWeights<'static> = SampleWeights {
        weights: &[],
        qdd_map: &[],
    };

    /// The factor on each of sample s's terms, for a batch of `samples`: w_s · samples / Σ w, so
    /// that the mean of the terms becomes Σ_s w_s ℓ_s / Σ_s w_s; `None` when unweighted.
    /// `total` is Σ w ([`SampleWeights::total`]).
    #[inline]
    pub fn factor(&self, s: usize, samples: usize, total: f64) -> Option<f64> {
        (!self.weights.is_empty()).then(|| self.weights[s] * samples as f64 / total)
    }

    /// Σ w (the sample count when unweighted).
    pub fn total(&self) -> f64 {
        self.weights.iter().sum()
    }

    /// [`Loss::term`] of sample s, weighted (unweighted: exactly `Loss::term`).
    #[inline]
    #[allow(clippy::too_many_arguments)]
    pub fn term(
        &self,
        loss: Loss,
        s: usize,
        samples: usize,
        total: f64,
        prediction: f64,
        target: f64,
        count: usize,
    ) -> (f64, f64) {
        let (l, g) = loss.term(prediction, target, count);
        match self.factor(s, samples, total) {
            Some(r) => (l * r, g * r),
            None => (l, g),
        }
    }

    /// Checks the lengths against a batch of `samples` of a system of `n` degrees of freedom.
    pub fn fits(&self, samples: usize, n: usize) -> bool {
        (self.weights.is_empty() || self.weights.len() == samples)
            && (self.qdd_map.is_empty() || self.qdd_map.len() == samples * n * n)
            && self.weights.iter().all(|w| *w >= 0.0 && w.is_finite())
            && (self.weights.is_empty() || self.total() > 0.0)
    }
}

/// Scratch memory reused across calls (the tape of the Taylor pass, inputs, adjoints), for a
/// pass in `F` (f64 unless training in f32).
#[derive(Clone, Debug)]
pub struct Workspace<F = f64> {
    pub(crate) tape: Tape<F>,
    pub(crate) inputs: Vec<f64>,
    pub(crate) adjoint: Vec<F>,
}

impl<F> Default for Workspace<F> {
    fn default() -> Self {
        Workspace {
            tape: Tape::default(),
            inputs: Vec::new(),
            adjoint: Vec::new(),
        }
    }
}

/// What every model holds: its network, its sizes and its input map.
#[derive(Clone, Debug)]
pub struct Parts {
    pub(crate) mlp: Mlp,
    /// Degrees of freedom (grid points for the graph model).
    pub(crate) n: usize,
    /// Conditioning inputs.
    pub(crate) k: usize,
    pub(crate) norm: Normalisation,
}

/// A learned model of a mechanical system with `dof` coordinates and `conditioning_len` inputs.
pub trait Model {
    /// The network, sizes and input map every model has.
    fn parts(&self) -> &Parts;
    /// The same, mutably.
    fn parts_mut(&mut self) -> &mut Parts;
    /// Which kind.
    fn kind(&self) -> ModelKind;
    /// The coordinates of the model's state (default (q, q̇)).
    fn coordinates(&self) -> Coordinates {
        Coordinates::Velocity
    }
    /// Degrees of freedom n.
    fn dof(&self) -> usize {
        self.parts().n
    }
    /// Conditioning inputs k.
    fn conditioning_len(&self) -> usize {
        self.parts().k
    }
    /// The input map.
    fn normalisation(&self) -> &Normalisation {
        &self.parts().norm
    }
    /// The network.
    fn mlp(&self) -> &Mlp {
        &self.parts().mlp
    }
    /// The network, mutably (for the optimiser and for loading parameters).
    fn mlp_mut(&mut self) -> &mut Mlp {
        &mut self.parts_mut().mlp
    }

    /// dx/dt without the (constant) conditioning part: 2n numbers per state, for `samples` states
    /// of 2n + k numbers each.
    ///
    /// # Errors
    /// [`Error::StateLength`], [`Error::NonFinite`] (in the states or the result),
    /// [`Error::SingularMassMatrix`].
    fn derivatives(&self, states: &[f64], samples: usize, ws: &mut Workspace) -> Result<Vec<f64>>;

    /// The model's own conserved quantity at one state, if it has one: the learned energy
    /// E = q̇·∂L/∂q̇ − L of a Lagrangian model, the learned H of an HNN; `None` for the baseline.
    ///
    /// # Errors
    /// As [`Model::derivatives`].
    fn learned_energy(&self, _state: &[f64], _ws: &mut Workspace) -> Result<Option<f64>> {
        Ok(None)
    }

    /// The learned L, its gradients and Hessian blocks at one state `[q, q̇, c]`: what the
    /// variational integrator steps. Only a dense Lagrangian model has them.
    ///
    /// # Errors
    /// [`Error::InvalidConfig`] for a model without a dense Lagrangian; else as
    /// [`Model::derivatives`].
    fn terms(&self, _state: &[f64], _ws: &mut Workspace) -> Result<crate::mechanics::Terms> {
        Err(Error::config(
            "integrator",
            alloc::format!(
                "the variational integrator steps a Lagrangian, and a {} model has none it can step (use rk4 or dopri5)",
                self.kind().name()
            ),
        ))
    }

    /// The loss against `targets` (2n numbers per state: the full dx/dt; the LNN and the
    /// baseline compare only its second half, q̈), weighted per sample by `weights` (a
    /// canonical HNN's ṗ compared as q̈ when they carry the map), and its gradient, added to
    /// `grad`. A NaN loss means the batch hit a non-finite intermediate: skip it. The LNN's
    /// objective adds its penalty on an indefinite mass matrix (zero once M is definite;
    /// `Lnn::definiteness`).
    #[allow(clippy::too_many_arguments)]
    fn loss_and_gradient(
        &self,
        states: &[f64],
        targets: &[f64],
        samples: usize,
        loss: Loss,
        weights: SampleWeights<'_>,
        ws: &mut Workspace,
        grad: &mut [f64],
    ) -> f64;

    /// The discrete Euler–Lagrange loss on windows of consecutive observed samples
    /// ([`crate::observe::Method::Discrete`]) and its gradient, added to `grad`; NaN when the
    /// model has no Lagrangian (only the LNN has one) or the batch hit a singular step.
    fn windows_loss_and_gradient(
        &self,
        _windows: &crate::observe::Windows,
        _loss: Loss,
        _ws: &mut Workspace,
        _grad: &mut [f64],
    ) -> f64 {
        f64::NAN
    }

    /// [`Model::windows_loss_and_gradient`] through the f32 pass on `net` (as
    /// [`Model::loss_and_gradient_f32`]).
    fn windows_loss_and_gradient_f32(
        &self,
        _net: &Mlp<f32>,
        _windows: &crate::observe::Windows,
        _loss: Loss,
        _ws: &mut Workspace<f32>,
        _grad: &mut [f32],
    ) -> f64 {
        f64::NAN
    }

    /// [`Model::loss_and_gradient`] through the f32 pass on `net` (an f32 copy of this
    /// model's network, [`Mlp::cast`]): the same code, generic over the float, run in f32; the
    /// solve, the loss and its sum stay f64 (see [`crate::float`]). The gradient is added to
    /// `grad` (f32, the layout of [`Mlp::params`]).
    #[allow(clippy::too_many_arguments)]
    fn loss_and_gradient_f32(
        &self,
        net: &Mlp<f32>,
        states: &[f64],
        targets: &[f64],
        samples: usize,
        loss: Loss,
        weights: SampleWeights<'_>,
        ws: &mut Workspace<f32>,
        grad: &mut [f32],
    ) -> f64;
}

/// Implements both objective methods of [`Model`] by the model's generic
/// `objective::<F>(mlp, states, targets, samples, loss, weights, ws, grad)`.
macro_rules! objective_methods {
    () => {
        #[allow(clippy::too_many_arguments)]
        fn loss_and_gradient(
            &self,
            states: &[f64],
            targets: &[f64],
            samples: usize,
            loss: Loss,
            weights: SampleWeights<'_>,
            ws: &mut Workspace,
            grad: &mut [f64],
        ) -> f64 {
            self.objective(
                &self.parts.mlp,
                states,
                targets,
                samples,
                loss,
                weights,
                ws,
                grad,
            )
        }

        fn loss_and_gradient_f32(
            &self,
            net: &Mlp<f32>,
            states: &[f64],
            targets: &[f64],
            samples: usize,
            loss: Loss,
            weights: SampleWeights<'_>,
            ws: &mut Workspace<f32>,
            grad: &mut [f32],
        ) -> f64 {
            self.objective(net, states, targets, samples, loss, weights, ws, grad)
        }
    };
}
use objective_methods;

/// Everything needed to build a model.
#[derive(Clone, Debug, PartialEq)]
pub struct ModelSpec {
    /// Kind.
    pub kind: ModelKind,
    /// Degrees of freedom.
    pub dof: usize,
    /// Conditioning inputs.
    pub conditioning_len: usize,
    /// Coordinates of the state (the HNN may use either; the others need `Velocity`).
    pub coordinates: Coordinates,
    /// Hidden layer widths.
    pub hidden: Vec<usize>,
    /// Activation.
    pub activation: Activation,
    /// Input map (for the graph model: of the 6 density inputs).
    pub normalisation: Normalisation,
    /// Grid spacing, for the graph model.
    pub grid_spacing: Option<f64>,
    /// How the LNN solves M q̈ = r (the other models have no mass matrix to solve).
    pub solver: Solver,
    /// Weight of the LNN's training penalty on an indefinite mass matrix (0 = none).
    pub definiteness: f64,
    /// The float type the model was (or is) trained in. Training only, like `definiteness`:
    /// the model itself always evaluates in f64, on its f64 parameters (for an f32-trained
    /// model the f32 values widened exactly), so rollouts and metrics do not depend on it.
    pub precision: Precision,
    /// The per-sample weighting of the loss the model was (or is) trained on. Training only,
    /// like `precision`: recorded in the weights file, no effect on the model's dynamics.
    pub weighting: Weighting,
}

/// The derivatives each kind of model carries through its batched pass, for `n` degrees of
/// freedom (3 for a graph density) with the input map `norm`: the one place the models and the
/// memory estimate ([`ModelSpec::pass_bytes`]) take it from.
pub(crate) fn plan_of(kind: ModelKind, n: usize, norm: &Normalisation) -> Plan {
    match kind {
        ModelKind::Lnn => Plan::euler_lagrange(n, &norm.scale),
        ModelKind::GraphLnn => Plan::euler_lagrange(3, &norm.scale),
        ModelKind::Baseline => Plan::value_only(),
        ModelKind::Hnn => Plan::gradient(
            (0..2 * n)
                .map(|input| taylor_pass::Direction {
                    input,
                    scale: norm.scale[input],
                })
                .collect(),
        ),
    }
}

/// States per chunk of [`crate::train::evaluate`]'s pass: at most this many rows go through the
/// network at once (a graph state is N rows), so evaluating a test set costs the memory of one
/// chunk, not of the whole set (1,024 wave states of 100 points took 1.15 GB in one pass).
pub const EVAL_CHUNK_ROWS: usize = 1024;

/// Rows of the batched pass per state: N densities for the graph model, 1 otherwise.
pub fn rows_per_state(kind: ModelKind, dof: usize) -> usize {
    if kind == ModelKind::GraphLnn {
        dof
    } else {
        1
    }
}

/// States per evaluation chunk (at least one).
pub fn eval_chunk_states(kind: ModelKind, dof: usize) -> usize {
    (EVAL_CHUNK_ROWS / rows_per_state(kind, dof)).max(1)
}

impl ModelSpec {
    /// Number of network parameters (f64, so an absurd architecture does not overflow).
    pub fn param_count(&self) -> f64 {
        self.sizes()
            .windows(2)
            .map(|p| p[0] as f64 * p[1] as f64 + p[1] as f64)
            .sum()
    }

    /// Bytes of one batched pass over `samples` states in a float of `float_bytes` (with the
    /// reverse pass when `reverse`): the tape, the network inputs of a graph model and the
    /// derivatives returned.
    pub fn pass_bytes(&self, samples: usize, reverse: bool, float_bytes: usize) -> f64 {
        let rows = samples as f64 * rows_per_state(self.kind, self.dof) as f64;
        let plan = plan_of(self.kind, self.dof, &self.normalisation);
        let graph_inputs = if self.kind == ModelKind::GraphLnn {
            6.0 * 8.0
        } else {
            0.0
        };
        plan.tape_bytes(&self.sizes(), rows, reverse, float_bytes)
            + rows * graph_inputs
            + samples as f64 * 2.0 * self.dof as f64 * 8.0
    }

    /// Refuses a model whose parameters, or one evaluation at a single state, would not fit in
    /// `budget` (a weights file asking for a huge grid or network), before anything is allocated.
    ///
    /// # Errors
    /// [`Error::OverBudget`] naming `hidden` or `grid`.
    pub fn check_budget(&self, budget: &crate::Budget) -> Result<()> {
        let one_state = (
            if self.kind == ModelKind::GraphLnn {
                "grid"
            } else {
                "hidden"
            },
            self.pass_bytes(1, false, 8) + 2.0 * self.dof as f64 * 8.0,
        );
        budget.check_all(&[("hidden", self.param_count() * 8.0), one_state])
    }

    /// Number of entries the normalisation maps: the state, or the 6 stencil values of a graph
    /// density.
    pub fn state_inputs(&self) -> usize {
        if self.kind == ModelKind::GraphLnn {
            6
        } else {
            2 * self.dof + self.conditioning_len
        }
    }

    /// Number of network inputs (an angle fed as cos and sin counts twice).
    pub fn inputs(&self) -> usize {
        self.normalisation.features()
    }

    /// Layer sizes of the network.
    pub fn sizes(&self) -> Vec<usize> {
        let mut s = Vec::with_capacity(self.hidden.len() + 2);
        s.push(self.inputs());
        s.extend_from_slice(&self.hidden);
        s.push(if self.kind == ModelKind::Baseline {
            self.dof
        } else {
            1
        });
        s
    }

    /// Checks the combination.
    ///
    /// # Errors
    /// [`Error::InvalidConfig`] naming the field: ReLU for a Lagrangian or Hamiltonian model
    /// (its second derivative is zero), canonical coordinates for a non-HNN, bad sizes.
    pub fn validate(&self) -> Result<()> {
        if self.dof == 0 {
            return Err(Error::config("dof", "must be at least 1"));
        }
        if matches!(self.kind, ModelKind::Lnn | ModelKind::GraphLnn)
            && !self.activation.has_curvature()
        {
            return Err(Error::config(
                "activation",
                "relu has a zero second derivative, so a Lagrangian made of it has a zero mass matrix; use softplus, tanh, sigmoid, relu2 or relu3",
            ));
        }
        if self.kind == ModelKind::Hnn && self.activation == Activation::Relu {
            return Err(Error::config(
                "activation",
                "relu makes ∂H/∂x piecewise constant, so the HNN cannot train through it; use softplus or tanh",
            ));
        }
        if self.kind != ModelKind::Hnn && self.coordinates == Coordinates::Canonical {
            return Err(Error::config(
                "coordinates",
                "only the HNN works in canonical coordinates (q, p)",
            ));
        }
        if self.hidden.is_empty() {
            return Err(Error::config("hidden", "give at least one hidden layer"));
        }
        self.solver.validate()?;
        if !(self.definiteness >= 0.0 && self.definiteness.is_finite()) {
            return Err(Error::config(
                "definiteness",
                "must be a finite number ≥ 0 (0: no penalty)",
            ));
        }
        if self.kind == ModelKind::GraphLnn {
            crate::grid::validate_points(self.dof)?;
            if self.normalisation.is_nonlinear() {
                return Err(Error::config(
                    "normalisation",
                    "the graph model takes linear inputs only (no asinh, no atanh, no circle)",
                ));
            }
            match self.grid_spacing {
                Some(dx) if dx > 0.0 && dx.is_finite() => {}
                _ => {
                    return Err(Error::config(
                        "grid",
                        "the graph model needs a positive grid spacing",
                    ))
                }
            }
        }
        self.normalisation.validate(self.state_inputs())
    }

    /// A model with fresh weights.
    ///
    /// # Errors
    /// As [`ModelSpec::validate`] and [`Mlp::new`].
    pub fn build(&self, init: Init, seed: u64) -> Result<alloc::boxed::Box<dyn Model>> {
        self.validate()?;
        let mlp = Mlp::new(&self.sizes(), self.activation, init, seed)?;
        Ok(self.with_mlp(mlp))
    }

    /// A model with the given parameters.
    ///
    /// # Errors
    /// As [`ModelSpec::validate`] and [`Mlp::from_params`].
    pub fn with_params(&self, params: Vec<f64>) -> Result<alloc::boxed::Box<dyn Model>> {
        self.validate()?;
        let mlp = Mlp::from_params(&self.sizes(), self.activation, params)?;
        Ok(self.with_mlp(mlp))
    }

    fn with_mlp(&self, mlp: Mlp) -> alloc::boxed::Box<dyn Model> {
        use alloc::boxed::Box;
        let (n, k, norm) = (self.dof, self.conditioning_len, self.normalisation.clone());
        match self.kind {
            ModelKind::Lnn => {
                let mut lnn = Lnn::new(mlp, n, k, norm, self.solver);
                lnn.definiteness = self.definiteness;
                Box::new(lnn)
            }
            ModelKind::Baseline => Box::new(Baseline::new(mlp, n, k, norm)),
            ModelKind::Hnn => Box::new(Hnn::new(mlp, n, k, norm, self.coordinates)),
            ModelKind::GraphLnn => Box::new(GraphLnn::new(
                mlp,
                n,
                self.grid_spacing.unwrap_or(1.0),
                norm,
            )),
        }
    }
}

/// The vector field dx/dt of a model's state for the integrators: the model's 2n time
/// derivatives, and zero for the constant conditioning inputs.
pub fn vector_field<'a>(
    model: &'a dyn Model,
    ws: &'a mut Workspace,
) -> impl FnMut(&[f64], &mut [f64]) -> Result<()> + 'a {
    let n = model.dof();
    move |x, dx| {
        let d = model.derivatives(x, 1, ws)?;
        dx[..2 * n].copy_from_slice(&d);
        dx[2 * n..].fill(0.0);
        Ok(())
    }
}

/// A rollout of a model's own dynamics from `x0` with any [`Integrator`]: the variational one
/// steps the learned Lagrangian ([`Model::terms`]), the others its vector field.
///
/// # Errors
/// As [`crate::integrate::rollout`] and [`crate::integrate::variational::rollout`].
pub fn rollout(
    model: &dyn Model,
    x0: &[f64],
    t_end: f64,
    dt: f64,
    integrator: &crate::Integrator,
    ws: &mut Workspace,
) -> Result<crate::Trajectory> {
    if let crate::Integrator::Variational { substeps } = *integrator {
        let mut terms = |x: &[f64]| model.terms(x, ws);
        return crate::integrate::variational::rollout(
            &mut terms,
            x0,
            model.dof(),
            t_end,
            dt,
            substeps,
            &Solver::default(),
            &crate::integrate::variational::Newton::default(),
        );
    }
    crate::integrate::rollout(vector_field(model, ws), x0, t_end, dt, integrator)
}

impl Parts {
    /// Checks `samples` states and runs `plan`'s Taylor pass on their normalised inputs, seeded
    /// with the normalisation's derivatives, through the model's own f64 network; the outputs
    /// are in `ws.tape`.
    pub(crate) fn forward(
        &self,
        plan: &Plan,
        states: &[f64],
        samples: usize,
        ws: &mut Workspace,
    ) -> Result<()> {
        self.forward_with(&self.mlp, plan, states, samples, ws)
    }

    /// [`Parts::forward`] through `mlp` (the model's network or a copy of it in another float).
    pub(crate) fn forward_with<F: Float>(
        &self,
        mlp: &Mlp<F>,
        plan: &Plan,
        states: &[f64],
        samples: usize,
        ws: &mut Workspace<F>,
    ) -> Result<()> {
        let d = self.norm.len();
        check_states(states, samples * d)?;
        self.norm.check_domain(states, samples)?;
        taylor_pass::forward_seeded(mlp, plan, samples, &mut ws.tape, |s, block| {
            self.norm.seed(plan, &states[s * d..(s + 1) * d], block)
        });
        Ok(())
    }
}

/// Fills the adjoint of each of the `len` outputs of the last pass with `fill` (which returns the
/// loss, or `None` when a sample failed), then adds the reverse pass into `grad`. NaN on failure.
/// The loss is an f64 sum whatever `F`: `fill` widens the outputs it reads and rounds the
/// adjoints it writes.
pub(crate) fn backpropagate<F: Float>(
    mlp: &Mlp<F>,
    plan: &Plan,
    ws: &mut Workspace<F>,
    grad: &mut [F],
    len: usize,
    fill: impl FnOnce(&[F], &mut [F]) -> Option<f64>,
) -> f64 {
    let mut adjoint = core::mem::take(&mut ws.adjoint);
    adjoint.clear();
    adjoint.resize(len, F::ZERO);
    let loss = fill(ws.tape.output(), &mut adjoint);
    if loss.is_some() {
        taylor_pass::backward(mlp, plan, &mut ws.tape, &adjoint, grad);
    }
    ws.adjoint = adjoint;
    loss.unwrap_or(f64::NAN)
}

/// Checks that `states` has `len` entries, all finite.
pub(crate) fn check_states(states: &[f64], len: usize) -> Result<()> {
    if states.len() != len {
        return Err(Error::StateLength {
            expected: len,
            got: states.len(),
        });
    }
    crate::error::ensure_finite(states, "the states")
}

#[cfg(test)]
mod tests;
