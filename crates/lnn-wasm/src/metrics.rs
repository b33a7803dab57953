//! The paper's energy-error protocol for the model on the page or in the worker.
use lnn_core::metrics::{double_pendulum_energy_error, EnergyProtocol};
use lnn_core::models::{Coordinates, Model, Workspace};
use lnn_core::systems::System;
use lnn_core::Integrator;
use serde::{Deserialize, Serialize};
use wasm_bindgen::prelude::*;

use crate::error::{js_error, JsResult};
use crate::settings::from_js_object;

/// Protocol settings from JS; defaults are the paper's (40 initial conditions, t = 100, outputs
/// every 0.1, Dormand–Prince at 1e-9). A page may ask for fewer or shorter rollouts and must
/// then say so next to the number.
#[derive(Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct ProtocolSettings {
    initial_conditions: usize,
    t: f64,
    tol: f64,
    seed: u64,
}

impl Default for ProtocolSettings {
    fn default() -> Self {
        ProtocolSettings {
            initial_conditions: 40,
            t: 100.0,
            tol: 1e-9,
            seed: 0,
        }
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Report {
    mean: f64,
    median: f64,
    diverged: usize,
    errors: Vec<Option<f64>>,
    initial_conditions: usize,
    t: f64,
}

/// Runs the protocol for a model of the double pendulum in (q, q̇).
pub fn energy_error(system: &System, model: &dyn Model, settings: JsValue) -> JsResult<JsValue> {
    if !matches!(system, System::DoublePendulum(_)) || model.coordinates() != Coordinates::Velocity
    {
        return Err(JsError::new(
            "the paper's energy protocol is defined for double-pendulum models in (q, q̇)",
        ));
    }
    let s: ProtocolSettings = from_js_object(settings, &["initialConditions", "t", "tol", "seed"])?;
    let integrator = Integrator::Dopri5 {
        rtol: s.tol,
        atol: s.tol,
        max_steps: 100_000,
    };
    let protocol = EnergyProtocol {
        initial_conditions: s.initial_conditions,
        t_end: s.t,
        integrator,
        seed: s.seed,
        ..EnergyProtocol::default()
    };
    let mut ws = Workspace::default();
    let accel = |x: &[f64]| -> lnn_core::Result<Vec<f64>> {
        Ok(model.derivatives(x, 1, &mut ws)?[2..].to_vec())
    };
    // The core names its fields `t_end` and `initial_conditions`; the page sent `t` and
    // `initialConditions`.
    let r = double_pendulum_energy_error(system, accel, &protocol).map_err(|e| {
        js_error(e.to_string().replacen("`t_end`", "`t`", 1).replacen(
            "`initial_conditions`",
            "`initialConditions`",
            1,
        ))
    })?;
    let report = Report {
        mean: r.mean,
        median: r.median,
        diverged: r.diverged,
        errors: r.errors,
        initial_conditions: s.initial_conditions,
        t: s.t,
    };
    serde_wasm_bindgen::to_value(&report).map_err(js_error)
}
