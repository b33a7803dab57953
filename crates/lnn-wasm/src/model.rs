//! A learned model on the page: loaded from a weights file, refreshed from parameter snapshots the
//! training worker sends, and rolled out frame by frame like the true `Simulator`.
use js_sys::Float64Array;
use lnn_core::integrate::{Integrator, Rollout};
use lnn_core::models::{vector_field, Coordinates, Model, ModelSpec, Workspace};
use lnn_core::systems::System;
use lnn_core::weights::WeightsFile;
use serde::Serialize;
use wasm_bindgen::prelude::*;

use crate::error::{js_error, JsResult};

/// A trained (or training) model that the page rolls out.
#[wasm_bindgen]
pub struct LearnedModel {
    system: System,
    spec: ModelSpec,
    model: Box<dyn Model>,
    ws: Workspace,
    rollout: Rollout,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Info {
    model: &'static str,
    system: &'static str,
    coordinates: &'static str,
    hidden: Vec<usize>,
    activation: &'static str,
    /// The float it was trained in (it evaluates in f64 either way).
    precision: &'static str,
    params: usize,
}

#[wasm_bindgen]
impl LearnedModel {
    /// Loads a weights file (JSON text). Every field is checked; the error names the bad one.
    #[wasm_bindgen(js_name = fromWeights)]
    pub fn from_weights(json: &str) -> JsResult<LearnedModel> {
        let file: WeightsFile = serde_json::from_str(json).map_err(|e| {
            let msg =
                lnn_core::weights::describe_parse_error(json, &e.to_string(), e.line(), e.column());
            JsError::new(&format!("not a valid weights file: {msg}"))
        })?;
        let (system, spec, model) = file
            .load()
            .map_err(|e| JsError::new(&format!("weights file: {e}")))?;
        let rollout = Rollout::new(Integrator::Rk4 { substeps: 10 }, system.default_state())
            .map_err(js_error)?;
        Ok(LearnedModel {
            system,
            spec,
            model,
            ws: Workspace::default(),
            rollout,
        })
    }

    /// Replaces the parameters with a snapshot of the same architecture (from the worker).
    #[wasm_bindgen(js_name = setParams)]
    pub fn set_params(&mut self, params: &Float64Array) -> JsResult<()> {
        let p = params.to_vec();
        let model = self.spec.with_params(p).map_err(js_error)?;
        self.model = model;
        Ok(())
    }

    /// `{model, system, coordinates, hidden, activation, precision, params}`.
    pub fn info(&self) -> JsResult<JsValue> {
        let i = Info {
            model: self.spec.kind.name(),
            system: self.system.name(),
            coordinates: self.spec.coordinates.name(),
            hidden: self.spec.hidden.clone(),
            activation: self.spec.activation.name(),
            precision: self.spec.precision.name(),
            params: self.model.mlp().params().len(),
        };
        serde_wasm_bindgen::to_value(&i).map_err(js_error)
    }

    /// Chooses the rollout integrator: `rk4`, `euler` or `variational` with `substeps`, or
    /// `dopri5` with `tol`. `variational` is refused for a model without a Lagrangian.
    #[wasm_bindgen(js_name = setIntegrator)]
    pub fn set_integrator(&mut self, name: &str, substeps: usize, tol: f64) -> JsResult<()> {
        let i = Integrator::from_name(name, substeps, tol).map_err(js_error)?;
        if let Integrator::Variational { .. } = i {
            self.model
                .terms(self.rollout.state(), &mut self.ws)
                .map_err(js_error)?;
        }
        self.rollout.set_integrator(i).map_err(js_error)
    }

    /// Time derivatives at `samples` states (flat): 2n numbers per state.
    pub fn derivatives(&mut self, states: Vec<f64>, samples: usize) -> JsResult<Vec<f64>> {
        self.model
            .derivatives(&states, samples, &mut self.ws)
            .map_err(js_error)
    }

    /// Sets the rollout state (in the model's coordinates) and resets the clock.
    #[wasm_bindgen(js_name = setState)]
    pub fn set_state(&mut self, x: Vec<f64>) -> JsResult<()> {
        self.rollout.reset(x).map_err(js_error)
    }

    /// Advances the rollout by `dt` with the model's own dynamics (the variational integrator
    /// steps its learned Lagrangian; a model without one refuses it).
    pub fn step(&mut self, dt: f64) -> JsResult<()> {
        if let Integrator::Variational { .. } = self.rollout.integrator() {
            let (model, ws) = (&*self.model, &mut self.ws);
            let mut terms = |x: &[f64]| model.terms(x, ws);
            return self
                .rollout
                .advance_lagrangian(&mut terms, model.dof(), &lnn_core::Solver::default(), dt)
                .map_err(js_error);
        }
        let mut field = vector_field(&*self.model, &mut self.ws);
        self.rollout.advance(&mut field, dt).map_err(js_error)
    }

    /// The rollout state.
    pub fn state(&self) -> Vec<f64> {
        self.rollout.state().to_vec()
    }

    /// Rollout time.
    pub fn time(&self) -> f64 {
        self.rollout.time()
    }

    /// The paper's energy error of this model (double pendulum only); see `Trainer.energyError`.
    #[wasm_bindgen(js_name = energyError)]
    pub fn energy_error(&self, settings: JsValue) -> JsResult<JsValue> {
        crate::metrics::energy_error(&self.system, &*self.model, settings)
    }

    /// The *true* system's energy at the rollout state (the paper's measure of drift); for a model
    /// in canonical coordinates this is not defined here and the call throws.
    #[wasm_bindgen(js_name = trueEnergy)]
    pub fn true_energy(&self) -> JsResult<f64> {
        if self.spec.coordinates == Coordinates::Canonical {
            return Err(JsError::new(
                "the true energy is evaluated on (q, q̇) states; this model works in (q, p)",
            ));
        }
        self.system.energy(self.rollout.state()).map_err(js_error)
    }
}
