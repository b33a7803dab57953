//! WebAssembly bindings of lnn-core: thin classes the page and its worker call.
//!
//! Settings cross the boundary as one JS object (deserialised by serde-wasm-bindgen, then
//! validated by lnn-core); every failure becomes a JS `Error` whose message says what to fix.
//! No maths lives here.
use lnn_core::integrate::{second_order, Rollout};
use lnn_core::simulate::{Simulation, SimulationSettings};
use lnn_core::systems::System;
use serde::{Deserialize, Serialize};
use wasm_bindgen::prelude::*;

mod error;
mod memory;
mod metrics;
mod model;
mod settings;
mod train;

use error::{js_error, JsResult};
pub use model::LearnedModel;
pub use train::Trainer;

/// Installs the panic hook so a Rust panic shows its message in the console, not "unreachable".
#[wasm_bindgen(start)]
pub fn start() {
    console_error_panic_hook::set_once();
}

/// The version of lnn-core this module was built from.
#[wasm_bindgen]
pub fn version() -> String {
    lnn_core::VERSION.to_string()
}

/// The systems, as `[{name, about}]`.
#[wasm_bindgen]
pub fn systems() -> JsResult<JsValue> {
    #[derive(serde::Serialize)]
    struct Entry {
        name: &'static str,
        about: &'static str,
    }
    let list: Vec<Entry> = lnn_core::systems::CATALOGUE
        .iter()
        .map(|&(name, about)| Entry { name, about })
        .collect();
    serde_wasm_bindgen::to_value(&list).map_err(js_error)
}

/// Simulation settings as JS passes them; every field optional, defaults as `lnn simulate`.
#[derive(Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
pub struct SimulateConfig {
    system: Option<String>,
    grid: Option<usize>,
    t: Option<f64>,
    dt: Option<f64>,
    integrator: Option<String>,
    substeps: Option<usize>,
    tol: Option<f64>,
    init: Option<Vec<f64>>,
    closed_form: bool,
    /// For `system: "custom"`: `{lagrangian, coordinates, parameters?, conditioning?, ranges?}`.
    custom: Option<lnn_core::custom::CustomSpec>,
}

impl SimulateConfig {
    const FIELDS: &'static [&'static str] = &[
        "system",
        "grid",
        "t",
        "dt",
        "integrator",
        "substeps",
        "tol",
        "init",
        "closedForm",
        "custom",
    ];

    fn from_js(config: JsValue) -> JsResult<Self> {
        settings::from_js_object(config, Self::FIELDS)
    }

    fn simulation(&self) -> JsResult<Simulation> {
        let d = SimulationSettings::default();
        let s = SimulationSettings {
            system: self.system.as_deref().unwrap_or(d.system),
            grid: self.grid,
            t: self.t.unwrap_or(d.t),
            dt: self.dt.unwrap_or(d.dt),
            integrator: self.integrator.as_deref().unwrap_or(d.integrator),
            substeps: self.substeps.unwrap_or(d.substeps),
            tol: self.tol.unwrap_or(d.tol),
            init: self.init.clone(),
            closed_form: self.closed_form,
            custom: self.custom.as_ref(),
            ..d
        };
        Simulation::new(&s).map_err(js_error)
    }
}

/// A whole trajectory: `{times: Float64Array, states: Float64Array (flat), dim, energy}`.
#[wasm_bindgen]
pub fn simulate(config: JsValue) -> JsResult<JsValue> {
    let sim = SimulateConfig::from_js(config)?.simulation()?;
    let r = sim.run().map_err(js_error)?;
    let out = js_sys::Object::new();
    let set = |k: &str, v: JsValue| js_sys::Reflect::set(&out, &k.into(), &v).map(|_| ());
    set(
        "times",
        js_sys::Float64Array::from(&r.trajectory.times[..]).into(),
    )
    .and_then(|_| {
        set(
            "states",
            js_sys::Float64Array::from(&r.trajectory.states[..]).into(),
        )
    })
    .and_then(|_| set("energy", js_sys::Float64Array::from(&r.energy[..]).into()))
    .and_then(|_| set("dim", r.trajectory.dim.into()))
    .map_err(|_| JsError::new("could not build the result object"))?;
    Ok(out.into())
}

/// Checks a typed Lagrangian as the page's editor needs it, as one types: `{canonical, dof,
/// stateLength, notes}` (notes: lnn-core's diagnosis over the ranges: ignored velocities, a
/// singular or indefinite mass matrix, with the fraction of states), or an error with the column
/// and what was expected.
#[wasm_bindgen(js_name = checkLagrangian)]
pub fn check_lagrangian(spec: JsValue) -> JsResult<JsValue> {
    #[derive(serde::Serialize)]
    #[serde(rename_all = "camelCase")]
    struct Checked {
        canonical: String,
        dof: usize,
        state_length: usize,
        notes: Vec<String>,
    }
    let spec: lnn_core::custom::CustomSpec = serde_wasm_bindgen::from_value(spec)
        .map_err(|e| JsError::new(&format!("not a Lagrangian's settings: {e}")))?;
    let c = spec.build().map_err(js_error)?;
    let out = Checked {
        canonical: c.expression().to_string(),
        dof: lnn_core::mechanics::Lagrangian::dof(&c),
        state_length: c.state_len(),
        notes: c.diagnose(256, 0),
    };
    serde_wasm_bindgen::to_value(&out).map_err(js_error)
}

/// Observed trajectories as the page draws them: `{names, runs: [{id, t, q}]}`, q flat (n per
/// sample).
fn trajectories_js(data: &lnn_core::observe::Trajectories) -> JsResult<JsValue> {
    let runs: Vec<serde_json::Value> = data
        .runs
        .iter()
        .map(|r| serde_json::json!({"id": r.id, "t": r.t, "q": r.q}))
        .collect();
    let v = serde_json::json!({"names": data.names, "runs": runs});
    v.serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(js_error)
}

/// Reads a trajectory file (CSV text; the format of `lnn train --data`), or throws naming the
/// line and column of what is wrong.
#[wasm_bindgen(js_name = readTrajectories)]
pub fn read_trajectories(csv: &str) -> JsResult<JsValue> {
    trajectories_js(&lnn_core::observe::parse(csv).map_err(js_error)?)
}

/// The trajectories a Trainer with `data: "observed"` and these settings trains on (the same
/// seed, the same numbers): `{names, runs}` as [`read_trajectories`].
#[wasm_bindgen(js_name = observeSystem)]
pub fn observe_system(settings: JsValue) -> JsResult<JsValue> {
    let (system, observation) = train::observation_of(settings)?;
    trajectories_js(&lnn_core::observe::observe(&system, &observation).map_err(js_error)?)
}

/// A live simulation the page advances frame by frame (and can reset, e.g. when a bob is dragged).
#[wasm_bindgen]
pub struct Simulator {
    sim: Simulation,
    rollout: Rollout,
}

#[wasm_bindgen]
impl Simulator {
    /// Validates the settings (as [`simulate`], `t` unused) and starts at the initial state.
    #[wasm_bindgen(constructor)]
    pub fn new(config: JsValue) -> JsResult<Simulator> {
        let sim = SimulateConfig::from_js(config)?.simulation()?;
        let rollout = Rollout::new(sim.integrator, sim.init.clone()).map_err(js_error)?;
        Ok(Simulator { sim, rollout })
    }

    /// Advances by `dt` (the configured output interval when omitted).
    pub fn step(&mut self, dt: Option<f64>) -> JsResult<()> {
        let sys: &System = &self.sim.system;
        let dt = dt.unwrap_or(self.sim.dt);
        if let lnn_core::Integrator::Variational { .. } = self.sim.integrator {
            let mut terms = |x: &[f64]| sys.terms(x);
            return self
                .rollout
                .advance_lagrangian(&mut terms, sys.dof(), &lnn_core::Solver::default(), dt)
                .map_err(js_error);
        }
        let how = self.sim.derivation;
        let mut field = second_order(sys.dof(), |x| sys.accelerations(x, &how));
        self.rollout.advance(&mut field, dt).map_err(js_error)
    }

    /// `x = [q, q̇, c]` in canonical coordinates `[q, p, c]`, p = ∂L/∂q̇ from the engine: where a
    /// canonical HNN's rollout starts (the built-in systems also have it in closed form).
    pub fn canonical(&self, x: Vec<f64>) -> JsResult<Vec<f64>> {
        let terms = self.sim.system.terms(&x).map_err(js_error)?;
        let n = self.sim.system.dof();
        let mut out = x;
        out[n..2 * n].copy_from_slice(terms.dl_dqdot.as_slice());
        Ok(out)
    }

    /// The current state `[q, q̇, c]`.
    pub fn state(&self) -> Vec<f64> {
        self.rollout.state().to_vec()
    }

    /// Replaces the state (validated) and resets the clock.
    #[wasm_bindgen(js_name = setState)]
    pub fn set_state(&mut self, x: Vec<f64>) -> JsResult<()> {
        self.sim.system.validate_state(&x).map_err(js_error)?;
        self.rollout.reset(x).map_err(js_error)
    }

    /// Simulation time since the start or the last `setState`.
    pub fn time(&self) -> f64 {
        self.rollout.time()
    }

    /// The energy of the current state.
    pub fn energy(&self) -> JsResult<f64> {
        self.sim
            .system
            .energy(self.rollout.state())
            .map_err(js_error)
    }
}
