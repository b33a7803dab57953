//! Training in the browser: a thin class over lnn-core's `Trainer`, configured by one JS object.
use js_sys::Float64Array;
use lnn_core::models::{Angles, Coordinates, Loss, ModelKind, Weighting, Workspace};
use lnn_core::nn::{Activation, Init};
use lnn_core::systems::System;
use lnn_core::train::{Schedule, TrainConfig};
use lnn_core::weights::WeightsFile;
use serde::Deserialize;
use wasm_bindgen::prelude::*;

use crate::error::{js_error, JsResult};
use crate::settings::from_js_object;

/// Training settings as JS passes them; every field optional, defaults as `lnn train`.
#[derive(Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
pub struct TrainSettings {
    system: Option<String>,
    grid: Option<usize>,
    model: Option<String>,
    coordinates: Option<String>,
    hidden: Option<Vec<usize>>,
    activation: Option<String>,
    init: Option<String>,
    batch: Option<usize>,
    lr: Option<f64>,
    schedule: Option<String>,
    steps: Option<u64>,
    clip: Option<f64>,
    weight_decay: Option<f64>,
    loss: Option<String>,
    /// `none` (default) or `gamma`: per-sample loss weights (the relativistic particle's paper
    /// score, `lnn train --weighting`).
    weighting: Option<String>,
    seed: Option<u64>,
    test_size: Option<usize>,
    solver: Option<String>,
    definiteness: Option<f64>,
    /// `wrap` (default) or `circle`: how the network is fed the system's angles.
    angles: Option<String>,
    /// `f64` (default) or `f32`: the float of the batched training pass and of Adam.
    precision: Option<String>,
    /// For `system: "custom"`: the typed Lagrangian (`lnn_core::custom::CustomSpec`).
    custom: Option<lnn_core::custom::CustomSpec>,
    /// `accelerations` (default: exact q̈ of fresh states) or `observed` (trajectories: the
    /// system observed at `sampling` with noise `noise`, or the trajectory file `csv`).
    data: Option<String>,
    /// Sampling interval of the observed trajectories (default 0.05).
    sampling: Option<f64>,
    /// Standard deviation of the noise on the observed coordinates (default 0).
    noise: Option<f64>,
    /// How observed trajectories train: `estimate` (default) or `discrete`.
    method: Option<String>,
    /// A trajectory file (its text) to train on instead of observing the system.
    csv: Option<String>,
}

impl TrainSettings {
    const FIELDS: &'static [&'static str] = &[
        "system",
        "grid",
        "model",
        "coordinates",
        "hidden",
        "activation",
        "init",
        "batch",
        "lr",
        "schedule",
        "steps",
        "clip",
        "weightDecay",
        "loss",
        "weighting",
        "seed",
        "testSize",
        "solver",
        "definiteness",
        "angles",
        "precision",
        "custom",
        "data",
        "sampling",
        "noise",
        "method",
        "csv",
    ];

    /// The observed trajectories to train on, if the settings ask for them.
    fn trajectories(
        &self,
        system: &System,
    ) -> lnn_core::Result<Option<lnn_core::observe::Trajectories>> {
        use lnn_core::observe;
        match self.data.as_deref().unwrap_or("accelerations") {
            "accelerations" => Ok(None),
            "observed" => match &self.csv {
                Some(text) => {
                    observe::parse_for(text, &observe::conditioning_names(system)).map(Some)
                }
                None => observe::observe(system, &self.observation()).map(Some),
            },
            other => Err(lnn_core::Error::config(
                "data",
                format!("unknown `{other}`; expected accelerations or observed"),
            )),
        }
    }

    /// The page's observation of its system: 50 trajectories of 10 s from the training
    /// distribution, as `lnn observe`.
    fn observation(&self) -> lnn_core::observe::Observation {
        let d = lnn_core::observe::Observation::default();
        lnn_core::observe::Observation {
            dt: self.sampling.unwrap_or(d.dt),
            noise: self.noise.unwrap_or(d.noise),
            seed: self.seed.unwrap_or(d.seed),
            ..d
        }
    }

    /// The precision named in the settings, if any.
    fn precision(&self) -> lnn_core::Result<Option<lnn_core::Precision>> {
        self.precision
            .as_deref()
            .map(lnn_core::Precision::from_name)
            .transpose()
    }

    fn config(&self) -> lnn_core::Result<TrainConfig> {
        let system = match (
            self.system.as_deref().unwrap_or("double-pendulum"),
            self.grid,
        ) {
            ("wave", Some(n)) => System::wave(n)?,
            ("custom", _) => System::custom(self.custom.as_ref().ok_or_else(|| {
                lnn_core::Error::config(
                    "custom",
                    "the custom system needs its Lagrangian ({lagrangian, coordinates, ...})",
                )
            })?)?,
            (_, _) if self.custom.is_some() => {
                return Err(lnn_core::Error::config(
                    "custom",
                    "only the `custom` system takes a Lagrangian",
                ))
            }
            (name, _) => System::from_name(name)?,
        };
        let kind = ModelKind::from_name(self.model.as_deref().unwrap_or("lnn"))?;
        let d = TrainConfig::new(system, kind);
        let angles = Angles::from_name(self.angles.as_deref().unwrap_or("wrap"))?;
        let config = TrainConfig {
            coordinates: Coordinates::from_name(self.coordinates.as_deref().unwrap_or("velocity"))?,
            hidden: self.hidden.clone().unwrap_or(d.hidden.clone()),
            activation: Activation::from_name(self.activation.as_deref().unwrap_or("softplus"))?,
            init: Init::from_name(self.init.as_deref().unwrap_or("paper"))?,
            batch: self.batch.unwrap_or(d.batch),
            lr: self.lr.unwrap_or(d.lr),
            schedule: Schedule::from_name(self.schedule.as_deref().unwrap_or("step"))?,
            total_steps: self.steps.unwrap_or(d.total_steps),
            clip: self.clip,
            weight_decay: self.weight_decay.unwrap_or(0.0),
            loss: Loss::from_name(self.loss.as_deref().unwrap_or("l1"))?,
            weighting: Weighting::from_name(self.weighting.as_deref().unwrap_or("none"))?,
            seed: self.seed.unwrap_or(0),
            test_size: self.test_size.unwrap_or(d.test_size),
            solver: match &self.solver {
                Some(name) => lnn_core::Solver::from_name(name)?,
                None => d.solver,
            },
            definiteness: self.definiteness.unwrap_or(d.definiteness),
            precision: self.precision()?.unwrap_or(d.precision),
            ..d
        };
        let normalisation = Some(config.spec().normalisation.with_angles(angles));
        Ok(TrainConfig {
            normalisation,
            ..config
        })
    }
}

/// The system and observation that trainer settings describe (for [`crate::observe_system`]).
pub(crate) fn observation_of(
    settings: JsValue,
) -> JsResult<(System, lnn_core::observe::Observation)> {
    let s: TrainSettings = from_js_object(settings, TrainSettings::FIELDS)?;
    let config = s.config().map_err(js_error)?;
    Ok((config.system, s.observation()))
}

/// A training run: model, optimiser, data sampler and seeded random stream.
#[wasm_bindgen]
pub struct Trainer {
    inner: lnn_core::train::Trainer,
    last: Option<lnn_core::train::StepStats>,
}

#[wasm_bindgen]
impl Trainer {
    /// Validates the settings and initialises the model from the seed.
    #[wasm_bindgen(constructor)]
    pub fn new(settings: JsValue) -> JsResult<Trainer> {
        let s: TrainSettings = from_js_object(settings, TrainSettings::FIELDS)?;
        let config = s.config().map_err(js_error)?;
        let inner = match s.trajectories(&config.system).map_err(js_error)? {
            None => lnn_core::train::Trainer::new(config),
            Some(data) => {
                let method =
                    lnn_core::observe::Method::from_name(s.method.as_deref().unwrap_or("estimate"))
                        .map_err(js_error)?;
                let prepared = lnn_core::observe::prepare(&data, method).map_err(js_error)?;
                lnn_core::train::Trainer::with_signal(config, prepared.signal)
            }
        }
        .map_err(js_error)?;
        Ok(Trainer { inner, last: None })
    }

    /// Continues training a model loaded from a weights file (JSON text), with fresh optimiser
    /// state, counting on from the file's `step` (the schedule carries on from there too). The
    /// file decides the system, model, coordinates, architecture and input map; the
    /// settings give the rest (batch, lr, schedule, seed, ...), and their model fields are ignored.
    /// The precision is the settings' if they name one, else the file's (absent: f64); so is
    /// the loss weighting (absent: none).
    #[wasm_bindgen(js_name = fromWeights)]
    pub fn from_weights(json: &str, settings: JsValue) -> JsResult<Trainer> {
        let s: TrainSettings = from_js_object(settings, TrainSettings::FIELDS)?;
        let file: WeightsFile = serde_json::from_str(json).map_err(|e| {
            let msg =
                lnn_core::weights::describe_parse_error(json, &e.to_string(), e.line(), e.column());
            JsError::new(&format!("not a valid weights file: {msg}"))
        })?;
        let (system, spec, model) = file
            .load()
            .map_err(|e| JsError::new(&format!("weights file: {e}")))?;
        let config = TrainConfig {
            system,
            model: spec.kind,
            coordinates: spec.coordinates,
            hidden: spec.hidden.clone(),
            activation: spec.activation,
            normalisation: Some(spec.normalisation.clone()),
            precision: s.precision().map_err(js_error)?.unwrap_or(spec.precision),
            weighting: match &s.weighting {
                Some(name) => Weighting::from_name(name).map_err(js_error)?,
                None => spec.weighting,
            },
            ..s.config().map_err(js_error)?
        };
        let inner = lnn_core::train::Trainer::with_model(config, spec, model, file.step)
            .map_err(js_error)?;
        Ok(Trainer { inner, last: None })
    }

    /// Runs `n` steps and returns their mean training loss (NaN if every one was skipped).
    ///
    /// A plain number, not an object: the worker calls this hundreds of times a second, and a
    /// serialised report per call cost more than a small model's step. The rest of the call's
    /// statistics are read with `lr`, `gradNorm` and `skipped`.
    pub fn step(&mut self, n: u32) -> JsResult<f64> {
        let s = self.inner.step(u64::from(n)).map_err(js_error)?;
        self.last = Some(s);
        Ok(s.loss)
    }

    /// The learning rate of the last applied step of the last `step` call (NaN before any).
    pub fn lr(&self) -> f64 {
        self.last.map_or(f64::NAN, |s| s.lr)
    }

    /// The gradient norm (before clipping) of the last applied step of the last `step` call.
    #[wasm_bindgen(js_name = gradNorm)]
    pub fn grad_norm(&self) -> f64 {
        self.last.map_or(f64::NAN, |s| s.grad_norm)
    }

    /// Steps skipped so far in the whole run (non-finite loss or gradient).
    pub fn skipped(&self) -> f64 {
        self.inner.skipped() as f64
    }

    /// The loss on the fixed held-out test set.
    #[wasm_bindgen(js_name = testLoss)]
    pub fn test_loss(&mut self) -> f64 {
        self.inner.test_loss()
    }

    /// A copy of the parameters (for a snapshot sent to the page).
    pub fn params(&self) -> Float64Array {
        Float64Array::from(self.inner.model().mlp().params())
    }

    /// The float of the training pass: `"f32"` or `"f64"`.
    pub fn precision(&self) -> String {
        self.inner.precision().name().into()
    }

    /// Steps applied so far (a continued file's included).
    pub fn steps(&self) -> f64 {
        self.inner.steps() as f64
    }

    /// The schedule's length: steps of the run at the end of which the rate has decayed.
    #[wasm_bindgen(js_name = totalSteps)]
    pub fn total_steps(&self) -> f64 {
        self.inner.config().total_steps as f64
    }

    /// Whether the schedule is over: from here on the rate stays at its final value.
    #[wasm_bindgen(js_name = scheduleDone)]
    pub fn schedule_done(&self) -> bool {
        self.inner.schedule_done()
    }

    /// The model as a weights file (JSON text).
    #[wasm_bindgen(js_name = exportWeights)]
    pub fn export_weights(&self) -> JsResult<String> {
        let t = &self.inner;
        let file = WeightsFile::new(
            &t.config().system,
            t.spec(),
            t.model(),
            t.steps(),
            t.config().seed,
            "lnn-web page".into(),
        );
        serde_json::to_string(&file).map_err(js_error)
    }

    /// The paper's energy error of the current model (double pendulum only): settings
    /// `{initialConditions = 40, t = 100, tol = 1e-9, seed = 0}` → `{mean, median, diverged,
    /// errors, initialConditions, t}`. Seconds to minutes at the paper's settings.
    #[wasm_bindgen(js_name = energyError)]
    pub fn energy_error(&self, settings: JsValue) -> JsResult<JsValue> {
        crate::metrics::energy_error(&self.inner.config().system, self.inner.model(), settings)
    }

    /// Time derivatives of the current model at `states` (flat, `samples` states).
    pub fn derivatives(&self, states: Vec<f64>, samples: usize) -> JsResult<Vec<f64>> {
        self.inner
            .model()
            .derivatives(&states, samples, &mut Workspace::default())
            .map_err(js_error)
    }
}
