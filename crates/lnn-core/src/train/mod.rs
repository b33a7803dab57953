//! Training: fresh samples from the true system, a loss on time derivatives, Adam with a
//! learning-rate schedule, optional clipping and weight decay. A step whose loss or gradient is
//! not finite is skipped and counted, never applied.
use alloc::boxed::Box;
use alloc::vec;
use alloc::vec::Vec;

use crate::budget;
use crate::models::{
    Coordinates, Loss, Model, ModelKind, ModelSpec, Normalisation, Weighting, Workspace,
};
use crate::nn::{Activation, Init, Mlp};
use crate::observe::Windows;
use crate::rng::{self, StdRng};
use crate::systems::System;
use crate::{Budget, Error, Float, Precision, Result, Solver};

mod adam;
pub mod data;
mod schedule;

pub use adam::{clip_norm, norm, Adam};
pub use data::Dataset;
pub use schedule::{Schedule, SCHEDULE_NAMES};

/// How an LNN of `system` solves M q̈ = r unless told otherwise: the pseudo-inverse, but for the
/// relativistic particle the damped solve with ε = 1e-4. There g changes sign across the data
/// and a fresh network's M is ~1e-3 with a sign that varies over the state space; through the
/// exact solve every sign change is a pole the optimiser cannot cross, and the LNN stays at
/// predicting 0 (measured, 2×64, 10k–100k steps, MSE and L1, several seeds and learning rates:
/// test MSE 8–13 against 12.4 for 0). Damped, it reaches 0.25–0.45 in 30k steps (four of five
/// seeds; 1.9 for the fifth; ε = 1e-3 and 1e-5 gave 1.5–1.9). On the double pendulum damping
/// did not help (test L1 5.8–9.1 at ε = 1e-4 against 1.7–8.6 for the pseudo-inverse).
pub fn default_solver(system: &System, model: ModelKind) -> Solver {
    match (system, model) {
        (System::Relativistic(_), ModelKind::Lnn) => Solver::Damped { epsilon: 1e-4 },
        _ => Solver::default(),
    }
}

/// The default weight of the LNN's penalty on an indefinite mass matrix: strong enough that a
/// run cannot settle with an indefinite M (measured: 100 was not), and zero once M is definite.
pub const DEFINITENESS: f64 = 1000.0;

/// The seed of the held-out test set: fixed, so test losses of different runs are comparable.
pub const TEST_SEED: u64 = 0x07E5_75E7;

/// The largest peak learning rate accepted: Adam's steps are about lr in size per parameter, so
/// past 10 every step throws the network far from anything it learnt (`--lr 1e300` skipped 19 of
/// 20 steps and still wrote a weights file).
pub const MAX_LR: f64 = 10.0;

/// Largest batch accepted.
pub const MAX_BATCH: usize = 65_536;

/// Everything a training run needs.
#[derive(Clone, Debug, PartialEq)]
pub struct TrainConfig {
    /// The true system that provides data.
    pub system: System,
    /// Model kind.
    pub model: ModelKind,
    /// Coordinates of the model's state (canonical only for the HNN).
    pub coordinates: Coordinates,
    /// Hidden layer widths.
    pub hidden: Vec<usize>,
    /// Activation.
    pub activation: Activation,
    /// Weight initialisation.
    pub init: Init,
    /// Input map; `None` takes [`data::default_normalisation`].
    pub normalisation: Option<Normalisation>,
    /// Samples per step.
    pub batch: usize,
    /// Peak learning rate.
    pub lr: f64,
    /// Learning-rate schedule.
    pub schedule: Schedule,
    /// Length of the run the schedule is laid out over.
    pub total_steps: u64,
    /// Clip the gradient to this global norm.
    pub clip: Option<f64>,
    /// Decoupled weight decay.
    pub weight_decay: f64,
    /// Loss.
    pub loss: Loss,
    /// Per-sample weights of the loss (default none; [`Weighting::Gamma`]: the relativistic
    /// particle's paper score), in training and in the test loss.
    pub weighting: Weighting,
    /// Seed of the initial weights and the training data.
    pub seed: u64,
    /// Size of the held-out test set.
    pub test_size: usize,
    /// How the LNN solves for q̈, in training and after.
    pub solver: Solver,
    /// Weight of the LNN's penalty on an indefinite mass matrix (0 = none; see
    /// [`DEFINITENESS`]).
    pub definiteness: f64,
    /// The float of the batched pass and of Adam (default f64; see [`Trainer`] and
    /// [`crate::float`] for what stays f64).
    pub precision: Precision,
    /// The memory the run may take ([`TrainConfig::validate`] refuses a bigger one before
    /// allocating; default [`Budget::default`]).
    pub memory_budget: Budget,
}

impl TrainConfig {
    /// The paper's double-pendulum set-up at a small size: LNN 2×128 softplus, batch 32, Adam
    /// 1e-3 with the step schedule, L1 loss; the solver of [`default_solver`].
    pub fn new(system: System, model: ModelKind) -> Self {
        let solver = default_solver(&system, model);
        TrainConfig {
            system,
            model,
            coordinates: Coordinates::Velocity,
            hidden: vec![128, 128],
            activation: Activation::Softplus,
            init: Init::Paper,
            normalisation: None,
            batch: 32,
            lr: 1e-3,
            schedule: Schedule::Step,
            total_steps: 10_000,
            clip: None,
            weight_decay: 0.0,
            loss: Loss::L1,
            weighting: Weighting::None,
            seed: 0,
            test_size: 1024,
            solver,
            definiteness: DEFINITENESS,
            precision: Precision::F64,
            memory_budget: Budget::default(),
        }
    }

    /// The memory a [`Trainer`] of this configuration holds, by the setting responsible: the
    /// parameters with their gradient and Adam's two moments (`hidden`), one training batch and
    /// its forward and reverse pass (`batch`), the test set and one chunk of its evaluation
    /// (`test_size`). For the wave each of the last two grows with the grid too. Against peak
    /// RSS of `lnn train --steps 1` (measured): `--batch 65536` estimated 3.5 GB, took 3.44 GB;
    /// `--test-size 65536 --hidden 10000` estimated 1.3 GB, took 1.29 GB.
    pub fn memory(&self) -> [(&'static str, f64); 3] {
        let spec = self.spec();
        let fb = match self.precision {
            Precision::F64 => 8,
            Precision::F32 => 4,
        };
        let per_state = (self.system.state_len() + 2 * self.system.dof()) as f64 * 8.0;
        // model (f64) + gradient + two moments (+ the f32 copy of the network in f32).
        let params = spec.param_count() * (8.0 + 4.0 * fb as f64);
        let wave = matches!(self.system, System::Wave(_));
        [
            ("hidden", params),
            (
                if wave {
                    "batch (× grid points)"
                } else {
                    "batch"
                },
                self.batch as f64 * per_state + spec.pass_bytes(self.batch, true, fb),
            ),
            (
                if wave {
                    "test_size (× grid points)"
                } else {
                    "test_size"
                },
                test_set_bytes(&self.system, &spec, self.test_size),
            ),
        ]
    }

    /// The model this configuration builds.
    pub fn spec(&self) -> ModelSpec {
        ModelSpec {
            kind: self.model,
            dof: self.system.dof(),
            conditioning_len: self.system.conditioning_len(),
            coordinates: self.coordinates,
            hidden: self.hidden.clone(),
            activation: self.activation,
            normalisation: self.normalisation.clone().unwrap_or_else(|| {
                data::default_normalisation(&self.system, self.model, self.coordinates)
            }),
            grid_spacing: match self.system {
                System::Wave(w) => Some(w.dx),
                _ => None,
            },
            solver: self.solver,
            definiteness: self.definiteness,
            precision: self.precision,
            weighting: self.weighting,
        }
    }

    /// Checks every setting.
    ///
    /// # Errors
    /// [`Error::InvalidConfig`] naming the field.
    pub fn validate(&self) -> Result<()> {
        if self.batch == 0 || self.batch > MAX_BATCH {
            return Err(Error::config(
                "batch",
                alloc::format!("must be in 1..={MAX_BATCH}"),
            ));
        }
        if !(self.lr > 0.0 && self.lr.is_finite()) {
            return Err(Error::config("lr", "must be positive and finite"));
        }
        if self.total_steps == 0 {
            return Err(Error::config("steps", "must be at least 1"));
        }
        if let Some(c) = self.clip {
            if !(c > 0.0 && c.is_finite()) {
                return Err(Error::config("clip", "must be positive and finite"));
            }
        }
        if !(self.weight_decay >= 0.0 && self.weight_decay.is_finite()) {
            return Err(Error::config(
                "weight_decay",
                "must be non-negative and finite",
            ));
        }
        if self.test_size == 0 || self.test_size > MAX_BATCH {
            return Err(Error::config(
                "test_size",
                alloc::format!("must be in 1..={MAX_BATCH}"),
            ));
        }
        match (&self.system, self.model) {
            (System::Wave(_), ModelKind::GraphLnn) => {}
            (System::Wave(_), _) => {
                return Err(Error::config("model", "the wave is learned with the graph model (graph-lnn), a density shared by all points"))
            }
            (_, ModelKind::GraphLnn) => return Err(Error::config("model", "graph-lnn needs a field on a grid: --system wave")),
            _ => {}
        }
        if self.weighting == Weighting::Gamma && !matches!(self.system, System::Relativistic(_)) {
            return Err(Error::config(
                "weighting",
                alloc::format!(
                    "gamma weighs a sample by 1 + 1/√(1 − q̇²), the relativistic particle's score; {} has no such weight (use none)",
                    self.system.name()
                ),
            ));
        }
        budget::at_most("steps", self.total_steps, budget::MAX_TRAIN_STEPS)?;
        if self.lr > MAX_LR {
            return Err(Error::config(
                "lr",
                alloc::format!(
                    "{:?} is far above any rate Adam trains with (its steps are about lr in size); the limit is {MAX_LR}",
                    self.lr
                ),
            ));
        }
        let spec = self.spec();
        spec.validate()?;
        self.memory_budget.check_all(&self.memory())?;
        if !matches!(self.system, System::Observed(_)) {
            data::sample_state(&self.system, &mut rng::seeded(0))?;
        }
        Ok(())
    }
}

/// What a call to [`Trainer::step`] did.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct StepStats {
    /// Steps applied so far in the whole run.
    pub step: u64,
    /// Mean training loss over the steps applied in this call (NaN if none was).
    pub loss: f64,
    /// Global gradient norm of the last applied step (before clipping).
    pub grad_norm: f64,
    /// Learning rate of the last applied step.
    pub lr: f64,
    /// Steps skipped in the whole run because the loss or gradient was not finite.
    pub skipped: u64,
}

/// Adam, the pass's scratch and the gradient, in the float `F` of the training pass.
struct Pass<F> {
    adam: Adam<F>,
    ws: Workspace<F>,
    grad: Vec<F>,
}

impl<F: Float> Pass<F> {
    fn new(len: usize, weight_decay: f64) -> Self {
        Pass {
            adam: Adam::new(len, weight_decay),
            ws: Workspace::default(),
            grad: vec![F::ZERO; len],
        }
    }

    /// After the gradient of one batch is in `grad`: clips it (norm in f64), and unless the
    /// loss or the norm is not finite applies Adam to `params` at the schedule's rate for run
    /// step `step`. Returns (norm, rate) when applied.
    fn apply(
        &mut self,
        loss: f64,
        params: &mut [F],
        c: &TrainConfig,
        step: u64,
    ) -> Option<(f64, f64)> {
        let gn = match c.clip {
            Some(max) => clip_norm(&mut self.grad, max),
            None => norm(&self.grad),
        };
        if !loss.is_finite() || !gn.is_finite() {
            return None;
        }
        let lr = c.schedule.rate(c.lr, step, c.total_steps);
        self.adam.update(params, &self.grad, lr);
        Some((gn, lr))
    }
}

/// The training pass at the run's precision: one generic implementation ([`Pass`], the
/// models' generic objectives, the Taylor pass, gemm, Adam), two instantiations.
enum Engine {
    /// f64: the pass runs on the model's own network, and Adam updates it in place.
    F64(Pass<f64>),
    /// f32: the master parameters are the f32 network here (Adam's moments f32 too), as in an
    /// f32 run of the paper's JAX code. Why not f64 masters with an f32 copy: the model's f64
    /// parameters are then exactly these f32 values widened (synchronised after every call of
    /// [`Trainer::step`]), so everything that evaluates the model in f64 (rollouts, metrics, the
    /// weights file) sees precisely the network that was trained, and continuing from a
    /// weights file narrows without rounding; and the update stays 16 lanes wide.
    F32(Pass<f32>, Mlp<f32>),
}

impl Engine {
    fn steps(&self) -> u64 {
        match self {
            Engine::F64(p) => p.adam.steps(),
            Engine::F32(p, _) => p.adam.steps(),
        }
    }
}

/// Where each step's batch comes from.
enum Source {
    /// Fresh states of the true system with their exact derivatives.
    Sampled,
    /// Samples drawn (with replacement) from a fixed set: observed states with estimated
    /// derivatives.
    Fixed(Dataset),
    /// Windows drawn (with replacement) from observed trajectories, for the discrete loss.
    Windows(Box<WindowSets>),
}

/// The windows of a discrete-loss run: training, held-out, and this step's batch.
struct WindowSets {
    train: Windows,
    test: Windows,
    batch: Windows,
}

/// Windows of the held-out set per evaluation pass (bounds the pass's memory as
/// [`crate::models::eval_chunk_states`] does for states).
const TEST_WINDOWS_PER_PASS: usize = 256;

/// Owns the model, optimiser, data sampler and random stream, and runs steps.
///
/// In f32 ([`TrainConfig::precision`]) the batched pass, the gradient and Adam run in f32 on
/// an f32 copy of the network, which holds the master parameters; the model's f64 network is set
/// to them (widened, exact) after each [`Trainer::step`], so [`Trainer::model`], the test loss
/// and the exported weights are the f32-trained network evaluated in f64.
pub struct Trainer {
    config: TrainConfig,
    spec: ModelSpec,
    model: Box<dyn Model>,
    engine: Engine,
    rng: StdRng,
    ws: Workspace,
    source: Source,
    batch: Dataset,
    test: Dataset,
    skipped: u64,
    /// Steps the model had been trained before this run (a continued weights file's `step`).
    steps_before: u64,
}

impl Trainer {
    /// A fresh run.
    ///
    /// # Errors
    /// [`TrainConfig::validate`].
    pub fn new(config: TrainConfig) -> Result<Self> {
        config.validate()?;
        let spec = config.spec();
        let model = spec.build(config.init, config.seed)?;
        Self::with_model(config, spec, model, 0)
    }

    /// Continues from a model (e.g. loaded from a weights file) that has been trained
    /// `steps_before` steps already, with fresh optimiser state. The step count and the
    /// learning-rate schedule carry on from `steps_before` (a continued file saves as
    /// `steps_before + n` after n more steps, and its schedule does not jump back to the warm-up
    /// or the peak rate, which would undo a trained model); Adam's bias correction starts afresh
    /// with its fresh moments. In f32 the model's parameters are rounded to f32 first (nothing
    /// changes for a model that was trained in f32: its parameters are f32 values already).
    ///
    /// # Errors
    /// [`TrainConfig::validate`], and [`Error::InvalidConfig`] if the model does not match.
    pub fn with_model(
        config: TrainConfig,
        spec: ModelSpec,
        model: Box<dyn Model>,
        steps_before: u64,
    ) -> Result<Self> {
        config.validate()?;
        if model.kind() != config.model || model.dof() != config.system.dof() {
            return Err(Error::config(
                "model",
                "the model does not match the system and kind of this run",
            ));
        }
        let mut model = model;
        let len = model.mlp().params().len();
        let engine = match config.precision {
            Precision::F64 => Engine::F64(Pass::new(len, config.weight_decay)),
            Precision::F32 => {
                let net = model.mlp().cast::<f32>();
                // From here on the model is the f32 network (exactly, widened).
                model.mlp_mut().assign(&net);
                Engine::F32(Pass::new(len, config.weight_decay), net)
            }
        };
        let spec = ModelSpec {
            precision: config.precision,
            weighting: config.weighting,
            ..spec
        };
        let mut test = Dataset::default();
        if !matches!(config.system, System::Observed(_)) {
            data::sample_weighted(
                &config.system,
                config.coordinates,
                config.weighting,
                config.test_size,
                &mut rng::seeded(TEST_SEED),
                &mut test,
            )?;
        }
        Ok(Trainer {
            rng: rng::seeded(config.seed ^ 0xDA7A_5EED),
            engine,
            ws: Workspace::default(),
            source: Source::Sampled,
            batch: Dataset::default(),
            skipped: 0,
            steps_before,
            config,
            spec,
            model,
            test,
        })
    }

    /// A fresh run on observed trajectories: batches drawn from `signal`'s training part, the
    /// test loss on its held-out part (at most `test_size` of it, evenly spread). The
    /// configuration's system is the one the data come from: an [`System::Observed`], or a
    /// true system when the data are known to be its (then its test set is not used here, but
    /// `lnn eval` can score the model against the truth).
    ///
    /// # Errors
    /// [`TrainConfig::validate`]; [`Error::InvalidConfig`] if the data do not fit the system
    /// (degrees of freedom, conditioning inputs, canonical coordinates), or for the discrete
    /// loss with a model other than the LNN.
    pub fn with_signal(config: TrainConfig, signal: crate::observe::Signal) -> Result<Self> {
        use crate::observe::Signal;
        config.validate()?;
        let (n, k) = (config.system.dof(), config.system.conditioning_len());
        let (dof, inputs) = signal.dims();
        if (dof, inputs) != (n, k) {
            return Err(Error::config(
                "data",
                alloc::format!(
                    "the data have {dof} coordinates and {inputs} conditioning inputs, the system {} has {n} and {k}",
                    config.system.name()
                ),
            ));
        }
        if config.coordinates == Coordinates::Canonical {
            return Err(Error::config("coordinates", "observed trajectories give velocities, not canonical momenta: train the HNN in velocity coordinates"));
        }
        if config.weighting != Weighting::None {
            return Err(Error::config(
                "weighting",
                "observed trajectories train unweighted (the weights are drawn with fresh states of a true system)",
            ));
        }
        if let Signal::Windows { .. } = signal {
            if config.model != ModelKind::Lnn {
                return Err(Error::config("method", alloc::format!("the discrete loss is the Euler–Lagrange equation of a learned L: it trains the LNN only, not a {} model (use the estimate method)", config.model.name())));
            }
        }
        let spec = config.spec();
        let model = spec.build(config.init, config.seed)?;
        let mut t = Self::with_model(config, spec, model, 0)?;
        let size = t.config.test_size;
        let spread = |len: usize| (0..len.min(size)).map(move |i| i * len / len.min(size));
        match signal {
            Signal::Estimated { train, test, .. } => {
                if train.samples == 0 || test.samples == 0 {
                    return Err(Error::config("data", "no samples to train or to test on"));
                }
                t.test = select(&test, spread(test.samples));
                t.source = Source::Fixed(train);
            }
            Signal::Windows { train, test } => {
                if train.count == 0 || test.count == 0 {
                    return Err(Error::config(
                        "data",
                        "no windows of three samples to train or to test on",
                    ));
                }
                let mut held = Windows::default();
                test.select(spread(test.count), &mut held);
                t.source = Source::Windows(Box::new(WindowSets {
                    train,
                    test: held,
                    batch: Windows::default(),
                }));
            }
        }
        Ok(t)
    }

    /// The configuration.
    pub fn config(&self) -> &TrainConfig {
        &self.config
    }

    /// The model's specification.
    pub fn spec(&self) -> &ModelSpec {
        &self.spec
    }

    /// The model being trained.
    pub fn model(&self) -> &dyn Model {
        &*self.model
    }

    /// Steps applied to the model so far, those before this run included.
    pub fn steps(&self) -> u64 {
        self.steps_before + self.engine.steps()
    }

    /// Whether the learning-rate schedule has reached its end (from here on it holds its final
    /// rate, with little left to gain).
    pub fn schedule_done(&self) -> bool {
        self.steps() >= self.config.total_steps
    }

    /// The float of the training pass.
    pub fn precision(&self) -> Precision {
        self.config.precision
    }

    /// Steps skipped so far.
    pub fn skipped(&self) -> u64 {
        self.skipped
    }

    /// Runs `n` steps (each a fresh batch).
    ///
    /// # Errors
    /// Only from the data sampler (the true system); model failures skip the step.
    pub fn step(&mut self, n: u64) -> Result<StepStats> {
        let mut sum = 0.0;
        let mut applied = 0u64;
        let (mut grad_norm, mut lr) = (f64::NAN, f64::NAN);
        for _ in 0..n {
            let step = self.steps();
            let c = &self.config;
            let r = &mut self.rng;
            let windows = match &mut self.source {
                Source::Sampled => {
                    data::sample_weighted(
                        &c.system,
                        c.coordinates,
                        c.weighting,
                        c.batch,
                        r,
                        &mut self.batch,
                    )?;
                    None
                }
                Source::Fixed(d) => {
                    self.batch = select(d, draws(r, c.batch, d.samples));
                    None
                }
                Source::Windows(w) => {
                    w.train
                        .select(draws(r, c.batch, w.train.count), &mut w.batch);
                    Some(&w.batch)
                }
            };
            let b = &self.batch;
            let m = &*self.model;
            let (loss, done) = match &mut self.engine {
                Engine::F64(p) => {
                    p.grad.fill(0.0);
                    let loss = match windows {
                        Some(w) => m.windows_loss_and_gradient(w, c.loss, &mut p.ws, &mut p.grad),
                        None => m.loss_and_gradient(
                            &b.states,
                            &b.targets,
                            b.samples,
                            c.loss,
                            b.sample_weights(),
                            &mut p.ws,
                            &mut p.grad,
                        ),
                    };
                    (
                        loss,
                        p.apply(loss, self.model.mlp_mut().params_mut(), c, step),
                    )
                }
                Engine::F32(p, net) => {
                    p.grad.fill(0.0);
                    let loss = match windows {
                        Some(w) => {
                            m.windows_loss_and_gradient_f32(net, w, c.loss, &mut p.ws, &mut p.grad)
                        }
                        None => m.loss_and_gradient_f32(
                            net,
                            &b.states,
                            &b.targets,
                            b.samples,
                            c.loss,
                            b.sample_weights(),
                            &mut p.ws,
                            &mut p.grad,
                        ),
                    };
                    (loss, p.apply(loss, net.params_mut(), c, step))
                }
            };
            let Some((gn, rate)) = done else {
                self.skipped += 1;
                continue;
            };
            lr = rate;
            sum += loss;
            applied += 1;
            grad_norm = gn;
        }
        if let Engine::F32(_, net) = &self.engine {
            if applied > 0 {
                self.model.mlp_mut().assign(net);
            }
        }
        let loss = if applied > 0 {
            sum / applied as f64
        } else {
            f64::NAN
        };
        Ok(StepStats {
            step: self.steps(),
            loss,
            grad_norm,
            lr,
            skipped: self.skipped,
        })
    }

    /// The loss on the fixed held-out test set (NaN if the model fails on it): the q̈ (or the
    /// HNN's) loss, or for observed windows the discrete loss.
    pub fn test_loss(&mut self) -> f64 {
        if let Source::Windows(w) = &self.source {
            let test = &w.test;
            let mut grad = alloc::vec![0.0; self.model.mlp().params().len()];
            let mut part = Windows::default();
            let mut total = 0.0;
            for start in (0..test.count).step_by(TEST_WINDOWS_PER_PASS) {
                let end = (start + TEST_WINDOWS_PER_PASS).min(test.count);
                test.select(start..end, &mut part);
                let l = self.model.windows_loss_and_gradient(
                    &part,
                    self.config.loss,
                    &mut self.ws,
                    &mut grad,
                );
                total += l * part.count as f64;
            }
            return total / test.count as f64;
        }
        evaluate(&*self.model, &self.test, self.config.loss, &mut self.ws)
    }
}

/// `count` indices below `len`, uniform with replacement.
fn draws(r: &mut StdRng, count: usize, len: usize) -> impl Iterator<Item = usize> + '_ {
    (0..count).map(move |_| ((rng::unit(r) * len as f64) as usize).min(len - 1))
}

/// The samples `picks` of `d` (indices, repeats allowed), in that order.
fn select(d: &Dataset, picks: impl Iterator<Item = usize>) -> Dataset {
    let len = d.states.len() / d.samples.max(1);
    let t = d.targets.len() / d.samples.max(1);
    let mut out = Dataset::default();
    for i in picks {
        out.states
            .extend_from_slice(&d.states[i * len..(i + 1) * len]);
        out.targets
            .extend_from_slice(&d.targets[i * t..(i + 1) * t]);
        out.samples += 1;
    }
    out
}

/// Bytes of a test set of `size` states of `system` and of one chunk of its evaluation by a
/// model of `spec` ([`evaluate`]): what `lnn eval` and a [`Trainer`] charge for `test_size`.
pub fn test_set_bytes(system: &System, spec: &ModelSpec, size: usize) -> f64 {
    let per_state = (system.state_len() + 2 * system.dof()) as f64 * 8.0;
    let chunk = size.min(crate::models::eval_chunk_states(spec.kind, spec.dof));
    size as f64 * per_state + spec.pass_bytes(chunk, false, 8)
}

/// The loss of `model` on `data` (NaN if the model fails on some sample): the components a
/// model is trained on, i.e. q̈ for the LNN and the baseline, (q̇, ṗ) for the HNN ((q̇, q̈) when
/// `data` carries the map from ṗ to q̈), weighted by `data`'s weights when it has them.
///
/// The states go through the model in chunks of [`crate::models::eval_chunk_states`], so the
/// pass holds one chunk's tape whatever the size of `data` (the sum is over the same terms in
/// the same order as in one pass: the same bits).
pub fn evaluate(model: &dyn Model, data: &Dataset, loss: Loss, ws: &mut Workspace) -> f64 {
    let n = model.dof();
    let first = if model.kind() == ModelKind::Hnn { 0 } else { n };
    let count = data.samples * (2 * n - first);
    let len = data.states.len() / data.samples.max(1);
    let chunk = crate::models::eval_chunk_states(model.kind(), n);
    let weights = data.sample_weights();
    if !weights.fits(data.samples, n) {
        return f64::NAN;
    }
    let total_weight = weights.total();
    let mapped = model.kind() == ModelKind::Hnn && !weights.qdd_map.is_empty();
    let mut total = 0.0;
    let mut start = 0;
    while start < data.samples {
        let m = chunk.min(data.samples - start);
        let Ok(dx) = model.derivatives(&data.states[start * len..(start + m) * len], m, ws) else {
            return f64::NAN;
        };
        for s in 0..m {
            let k = start + s;
            let t = &data.targets[k * 2 * n..(k + 1) * 2 * n];
            let d = &dx[s * 2 * n..(s + 1) * 2 * n];
            if mapped {
                let a = &weights.qdd_map[k * n * n..(k + 1) * n * n];
                for i in 0..n {
                    total += weights
                        .term(loss, k, data.samples, total_weight, d[i], t[i], count)
                        .0;
                }
                for i in 0..n {
                    let err: f64 = (0..n).map(|j| a[i * n + j] * (d[n + j] - t[n + j])).sum();
                    total += weights
                        .term(loss, k, data.samples, total_weight, err, 0.0, count)
                        .0;
                }
                continue;
            }
            for i in first..2 * n {
                total += weights
                    .term(loss, k, data.samples, total_weight, d[i], t[i], count)
                    .0;
            }
        }
        start += m;
    }
    total
}

#[cfg(test)]
mod tests;
