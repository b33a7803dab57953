//! Browser tests (`wasm-pack test --headless --chrome` / `--firefox`): the bindings as JS sees
//! them, and the wasm build's numbers against the native golden files.
#![cfg(target_arch = "wasm32")]

use js_sys::{Float64Array, Reflect};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn js(json: &str) -> JsValue {
    js_sys::JSON::parse(json).unwrap()
}

fn field(obj: &JsValue, k: &str) -> JsValue {
    Reflect::get(obj, &k.into()).unwrap()
}

fn floats(v: &JsValue) -> Vec<f64> {
    v.dyn_ref::<Float64Array>()
        .expect("a Float64Array")
        .to_vec()
}

fn error_message(e: wasm_bindgen::JsError) -> String {
    let v: JsValue = e.into();
    v.dyn_into::<js_sys::Error>()
        .expect("a JS Error")
        .message()
        .into()
}

/// Same settings as the native golden test, through the JS-facing `simulate`.
fn check_golden(golden: &str, config: &str) {
    let want: serde_json::Value = serde_json::from_str(golden).unwrap();
    let got = lnn_wasm::simulate(js(config)).unwrap();
    let dim = field(&got, "dim").as_f64().unwrap() as usize;
    let states = floats(&field(&got, "states"));
    let want_states = want["states"].as_array().unwrap();
    assert_eq!(states.len(), want_states.len() * dim);
    for (k, s) in want_states.iter().enumerate() {
        let s: Vec<f64> = s
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_f64().unwrap())
            .collect();
        // Bit for bit: the same libm code and no fused multiply-add on either side.
        assert_eq!(
            &states[k * dim..(k + 1) * dim],
            &s[..],
            "state {k} differs from native"
        );
    }
}

#[wasm_bindgen_test]
fn double_pendulum_trajectory_equals_native_bit_for_bit() {
    check_golden(
        include_str!("../../lnn-core/tests/golden/double_pendulum_rk4.json"),
        r#"{"system":"double-pendulum","t":10,"dt":0.1,"integrator":"rk4","substeps":10,"init":[1,2,0,0]}"#,
    );
}

#[wasm_bindgen_test]
fn relativistic_dopri5_trajectory_equals_native_bit_for_bit() {
    check_golden(
        include_str!("../../lnn-core/tests/golden/relativistic_dopri5.json"),
        r#"{"system":"relativistic","t":5,"dt":0.1,"integrator":"dopri5","tol":1e-9,"init":[0,0.5,3]}"#,
    );
}

#[wasm_bindgen_test]
fn bad_settings_throw_errors_that_name_the_problem() {
    let cases = [
        (r#"{"dt":0}"#, "`dt`"),
        (r#"{"system":"triple-pendulum"}"#, "double-pendulum"),
        (r#"{"init":[1,2,3]}"#, "needs 4 numbers"),
        (r#"{"system":"wave","grid":2}"#, "at least 3 points"),
        (r#"{"integrator":"rk4","substeps":0}"#, "substeps"),
        (r#"{"speed":3}"#, "unknown field `speed`"),
        (r#"{"dt":"fast"}"#, "bad settings"),
        ("[1, 2]", "unknown field `0`"),
        ("42", "settings must be an object"),
    ];
    for (config, needle) in cases {
        let Err(e) = lnn_wasm::simulate(js(config)) else {
            panic!("{config} was accepted")
        };
        let msg = error_message(e);
        assert!(
            msg.contains(needle),
            "{config}: message `{msg}` lacks `{needle}`"
        );
    }
}

#[wasm_bindgen_test]
fn simulator_advances_and_conserves_energy() {
    let mut sim = lnn_wasm::Simulator::new(js(r#"{"dt":0.01,"init":[1,2,0,0]}"#)).unwrap();
    let e0 = sim.energy().unwrap();
    for _ in 0..500 {
        sim.step(None).unwrap();
    }
    assert!((sim.time() - 5.0).abs() < 1e-9);
    assert_ne!(sim.state()[0], 1.0);
    // RK4 with h = 1e-3 over t = 5: drift ~1e-10 of the 29.4 scale in native runs.
    assert!((sim.energy().unwrap() - e0).abs() < 1e-6 * 29.4);
    let msg = error_message(sim.set_state(vec![0.0, f64::NAN, 0.0, 0.0]).unwrap_err());
    assert!(msg.contains("non-finite"), "{msg}");
    let msg = error_message(sim.step(Some(-1.0)).unwrap_err());
    assert!(msg.contains("`dt`"), "{msg}");
}

/// A training run through the JS-facing `Trainer` against a native golden file: every loss,
/// the test loss and the final parameters, bit for bit.
fn check_training(golden: &str, settings: &str) {
    let want: serde_json::Value = serde_json::from_str(golden).unwrap();
    let mut t = lnn_wasm::Trainer::new(js(settings)).unwrap();
    for (k, w) in want["losses"].as_array().unwrap().iter().enumerate() {
        let loss = t.step(1).unwrap();
        assert_eq!(
            loss,
            w.as_f64().unwrap(),
            "loss of step {k} differs from native"
        );
    }
    assert_eq!(t.test_loss(), want["test_loss"].as_f64().unwrap());
    let params: Vec<f64> = want["params"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_f64().unwrap())
        .collect();
    assert_eq!(t.params().to_vec(), params);
}

/// The same run as lnn-core's `lnn_training_is_bit_for_bit`, through the JS-facing `Trainer`.
#[wasm_bindgen_test]
fn training_equals_native_bit_for_bit() {
    check_training(
        include_str!("../../lnn-core/tests/golden/train_lnn.json"),
        r#"{"system":"double-pendulum","model":"lnn","hidden":[16,16],"batch":8,"testSize":16,"steps":30,"clip":1,"seed":5}"#,
    );
}

/// The same run in f32 (lnn-core's `lnn_f32_training_is_bit_for_bit`): the f32 pass on SIMD128
/// f32x4 gives the bits of the native f32 pass (AVX-512, AVX2 or neither).
#[wasm_bindgen_test]
fn f32_training_equals_native_bit_for_bit() {
    check_training(
        include_str!("../../lnn-core/tests/golden/train_f32.json"),
        r#"{"system":"double-pendulum","model":"lnn","hidden":[16,16],"batch":8,"testSize":16,"steps":30,"clip":1,"seed":5,"precision":"f32"}"#,
    );
}

#[wasm_bindgen_test]
fn trainer_reduces_the_loss_in_the_browser() {
    // A small LNN on the harmonic oscillator learns quickly: compare the held-out loss before
    // and after 300 steps.
    let settings = r#"{"system":"harmonic","model":"lnn","hidden":[16,16],"batch":16,"lr":0.003,"schedule":"constant","init":"xavier","seed":1}"#;
    let mut t = lnn_wasm::Trainer::new(js(settings)).unwrap();
    let before = t.test_loss();
    t.step(300).unwrap();
    let after = t.test_loss();
    assert!(after < 0.2 * before, "test loss {before} -> {after}");
    let weights = t.export_weights().unwrap();
    assert!(weights.contains("\"format\":\"lnn-web-weights\""));
}

#[wasm_bindgen_test]
fn bad_training_settings_throw_clear_errors() {
    let cases = [
        (
            r#"{"model":"lnn","activation":"relu"}"#,
            "zero second derivative",
        ),
        (r#"{"batch":0}"#, "`batch`"),
        (r#"{"lr":-1}"#, "`lr`"),
        (r#"{"model":"transformer"}"#, "lnn, baseline, hnn"),
        (r#"{"hidden":[0]}"#, "layer width"),
        (r#"{"learningRate":0.1}"#, "unknown field `learningRate`"),
        (r#"{"system":"wave","grid":10}"#, "graph model"),
    ];
    for (settings, needle) in cases {
        let Err(e) = lnn_wasm::Trainer::new(js(settings)) else {
            panic!("{settings} was accepted")
        };
        let msg = error_message(e);
        assert!(msg.contains(needle), "{settings}: `{msg}` lacks `{needle}`");
    }
}

#[wasm_bindgen_test]
fn learned_model_loads_exported_weights_and_takes_snapshots() {
    let settings = r#"{"hidden":[8,8],"batch":4,"testSize":4,"seed":3}"#;
    let mut t = lnn_wasm::Trainer::new(js(settings)).unwrap();
    t.step(5).unwrap();
    let mut m = lnn_wasm::LearnedModel::from_weights(&t.export_weights().unwrap()).unwrap();
    let x = vec![0.3, -0.4, 1.0, 2.0];
    assert_eq!(
        m.derivatives(x.clone(), 1).unwrap(),
        t.derivatives(x.clone(), 1).unwrap()
    );
    // A snapshot after more training moves the model to the trainer's new parameters.
    t.step(5).unwrap();
    m.set_params(&t.params()).unwrap();
    assert_eq!(
        m.derivatives(x.clone(), 1).unwrap(),
        t.derivatives(x.clone(), 1).unwrap()
    );
    // Rollouts advance and report the true energy.
    m.set_state(vec![1.0, 2.0, 0.0, 0.0]).unwrap();
    m.step(0.1).unwrap();
    assert!((m.time() - 0.1).abs() < 1e-12);
    assert!(m.true_energy().unwrap().is_finite());
    // Wrong snapshots and files are refused with a message; the model is kept.
    let msg = error_message(
        m.set_params(&Float64Array::from(&[1.0, 2.0][..]))
            .unwrap_err(),
    );
    assert!(msg.contains("parameters"), "{msg}");
    assert_eq!(
        m.derivatives(x.clone(), 1).unwrap(),
        t.derivatives(x, 1).unwrap()
    );
    let Err(e) = lnn_wasm::LearnedModel::from_weights("{\"format\":\"x\"}") else {
        panic!("accepted")
    };
    assert!(error_message(e).contains("not a valid weights file"));
    let Err(e) = lnn_wasm::LearnedModel::from_weights("not json") else {
        panic!("accepted")
    };
    assert!(error_message(e).contains("not a valid weights file"));
}

#[wasm_bindgen_test]
fn learned_model_loads_f32_trained_weights() {
    let settings = r#"{"hidden":[8,8],"batch":4,"testSize":4,"seed":3,"precision":"f32"}"#;
    let mut t = lnn_wasm::Trainer::new(js(settings)).unwrap();
    assert_eq!(t.precision(), "f32");
    t.step(5).unwrap();
    let json = t.export_weights().unwrap();
    assert!(json.contains("\"precision\":\"f32\""), "{json}");
    let mut m = lnn_wasm::LearnedModel::from_weights(&json).unwrap();
    assert_eq!(
        field(&m.info().unwrap(), "precision").as_string().unwrap(),
        "f32"
    );
    // The parameters are f32 values (widened), and the model evaluates them in f64.
    assert!(t
        .params()
        .to_vec()
        .iter()
        .all(|&p| f64::from(p as f32) == p));
    let x = vec![0.3, -0.4, 1.0, 2.0];
    assert_eq!(
        m.derivatives(x.clone(), 1).unwrap(),
        t.derivatives(x, 1).unwrap()
    );
    // Continuing from the file keeps its precision unless the settings name one.
    let u = lnn_wasm::Trainer::from_weights(&json, js(r#"{"batch":4,"testSize":4}"#)).unwrap();
    assert_eq!(u.precision(), "f32");
    let u =
        lnn_wasm::Trainer::from_weights(&json, js(r#"{"testSize":4,"precision":"f64"}"#)).unwrap();
    assert_eq!(u.precision(), "f64");
    let Err(e) = lnn_wasm::Trainer::new(js(r#"{"precision":"f16"}"#)) else {
        panic!("accepted")
    };
    assert!(error_message(e).contains("f32, f64"));
}

#[wasm_bindgen_test]
fn trainer_continues_from_a_weights_file() {
    let settings = r#"{"hidden":[8,8],"batch":4,"testSize":4,"seed":3}"#;
    let mut t = lnn_wasm::Trainer::new(js(settings)).unwrap();
    t.step(5).unwrap();
    let json = t.export_weights().unwrap();
    // The file decides the architecture: the settings' hidden widths are ignored.
    let other = r#"{"hidden":[16],"batch":4,"testSize":4,"seed":3}"#;
    let mut u = lnn_wasm::Trainer::from_weights(&json, js(other)).unwrap();
    assert_eq!(floats(&u.params().into()), floats(&t.params().into()));
    // It counts on from the file's 5 steps (it once restarted at 0 and saved as step 3).
    assert_eq!(u.steps(), 5.0);
    u.step(3).unwrap();
    assert_eq!(u.steps(), 8.0);
    assert!(u.export_weights().unwrap().contains(r#""step":8"#));
    // A file past the end of the schedule says so.
    let done = lnn_wasm::Trainer::from_weights(&json, js(r#"{"steps":5,"testSize":4}"#)).unwrap();
    assert!(done.schedule_done());
    assert_eq!(done.total_steps(), 5.0);
    assert!(!u.schedule_done());
    let Err(e) = lnn_wasm::Trainer::from_weights("[]", js(settings)) else {
        panic!("accepted")
    };
    assert!(error_message(e).contains("not a valid weights file"));
    let Err(e) = lnn_wasm::Trainer::from_weights(&json, js(r#"{"bach":4}"#)) else {
        panic!("accepted")
    };
    assert!(error_message(e).contains("bach"));
}

#[wasm_bindgen_test]
fn energy_error_of_a_model_follows_the_protocol_and_refuses_other_systems() {
    let t = lnn_wasm::Trainer::new(js(r#"{"hidden":[8,8],"batch":4,"testSize":4}"#)).unwrap();
    let r = t
        .energy_error(js(r#"{"initialConditions":2,"t":1}"#))
        .unwrap();
    let errors = js_sys::Array::from(&field(&r, "errors"));
    assert_eq!(errors.length(), 2);
    assert_eq!(field(&r, "initialConditions").as_f64(), Some(2.0));
    let rel = lnn_wasm::Trainer::new(js(
        r#"{"system":"harmonic","hidden":[4],"batch":2,"testSize":2}"#,
    ))
    .unwrap();
    let msg = error_message(rel.energy_error(JsValue::UNDEFINED).unwrap_err());
    assert!(msg.contains("double-pendulum"), "{msg}");
    let msg = error_message(t.energy_error(js(r#"{"ics":3}"#)).unwrap_err());
    assert!(msg.contains("unknown field `ics`"), "{msg}");
}

/// A typed Lagrangian through the JS-facing classes: the harmonic oscillator L = x'²/2 − x²/2
/// moves as cos t, keeps its energy, and trains; a typo is an error with its column.
#[wasm_bindgen_test]
fn a_typed_lagrangian_simulates_and_trains() {
    let custom = r#""custom":{"lagrangian":"m*x_dot^2/2 - k*x^2/2","coordinates":["x"],"parameters":[["m",1],["k",1]],"ranges":[[-2,2],[-2,2]]}"#;
    let mut sim = lnn_wasm::Simulator::new(js(&format!(
        r#"{{"system":"custom",{custom},"dt":0.01,"init":[1,0]}}"#
    )))
    .unwrap();
    let e0 = sim.energy().unwrap();
    assert_eq!(e0, 0.5);
    for _ in 0..100 {
        sim.step(None).unwrap();
    }
    assert!(
        (sim.state()[0] - 1f64.cos()).abs() < 1e-9,
        "x(1) = {}",
        sim.state()[0]
    );
    assert!((sim.energy().unwrap() - e0).abs() < 1e-9);
    let mut t = lnn_wasm::Trainer::new(js(&format!(r#"{{"system":"custom",{custom},"hidden":[16,16],"testSize":64,"steps":400,"clip":1,"seed":1}}"#))).unwrap();
    let before = t.test_loss();
    t.step(400).unwrap();
    assert!(
        t.test_loss() < 0.5 * before,
        "{before} -> {}",
        t.test_loss()
    );
    let typo = r#"{"system":"custom","custom":{"lagrangian":"x_dot^2/2 - xx^2","coordinates":["x"]},"init":[1,0]}"#;
    let msg = error_message(lnn_wasm::Simulator::new(js(typo)).err().unwrap());
    assert!(msg.contains("unknown name `xx` at column 13"), "{msg}");
}

#[wasm_bindgen_test]
fn observed_trajectories_train_in_the_browser_as_natively() {
    // The system observed in the browser gives the same samples as natively (same seed).
    let settings = r#"{"system":"harmonic","model":"lnn","hidden":[16,16],"batch":16,"lr":0.003,"schedule":"constant","init":"xavier","seed":1,"data":"observed","sampling":0.1,"noise":0.001}"#;
    let shown = lnn_wasm::observe_system(js(settings)).unwrap();
    let runs: js_sys::Array = field(&shown, "runs").dyn_into().unwrap();
    assert_eq!(runs.length(), 50);
    let system = lnn_core::System::from_name("harmonic").unwrap();
    let native = lnn_core::observe::observe(
        &system,
        &lnn_core::observe::Observation {
            dt: 0.1,
            noise: 0.001,
            seed: 1,
            ..Default::default()
        },
    )
    .unwrap();
    let q: Vec<f64> = js_sys::Array::from(&field(&runs.get(7), "q"))
        .iter()
        .map(|v| v.as_f64().unwrap())
        .collect();
    assert_eq!(q, native.runs[7].q);
    // Both methods train on them.
    for method in ["estimate", "discrete"] {
        let s = settings.replace("\"data\"", &format!("\"method\":\"{method}\",\"data\""));
        let mut t = lnn_wasm::Trainer::new(js(&s)).unwrap();
        let before = t.test_loss();
        t.step(300).unwrap();
        assert!(
            t.test_loss() < before,
            "{method}: {before} -> {}",
            t.test_loss()
        );
    }
    // A file: read with its errors' places, and refused for the wrong system.
    let Err(e) = lnn_wasm::read_trajectories("t,x\n0,1\n0.1,NaN\n") else {
        panic!("NaN accepted")
    };
    assert!(error_message(e).contains("line 3, column 2"));
    let csv = "t,a,b\n".to_string()
        + &(0..40)
            .map(|k| format!("{},{},{}\n", 0.1 * k as f64, k, 2 * k))
            .collect::<String>();
    let bad = settings.replace(
        "\"data\"",
        &format!("\"csv\":{},\"data\"", serde_json::to_string(&csv).unwrap()),
    );
    let Err(e) = lnn_wasm::Trainer::new(js(&bad)) else {
        panic!("a 2-coordinate file trained the 1-coordinate oscillator")
    };
    assert!(error_message(e).contains("2 coordinates"), "wrong dof");
}

/// The page trains the relativistic particle on the paper's γ-weighted score (`weighting`), the
/// exported file says so, a continued run keeps it unless the settings name one, and a system
/// without the γ-weight refuses it.
#[wasm_bindgen_test]
fn the_gamma_weighting_trains_is_exported_and_refused_elsewhere() {
    let settings = r#"{"system":"relativistic","model":"hnn","coordinates":"canonical","hidden":[8,8],"batch":4,"testSize":8,"seed":3,"weighting":"gamma","loss":"mse"}"#;
    let mut t = lnn_wasm::Trainer::new(js(settings)).unwrap();
    assert!(t.step(5).unwrap().is_finite());
    let json = t.export_weights().unwrap();
    assert!(json.contains("\"weighting\":\"gamma\""), "{json}");
    assert!(json.contains("\"linear\":[0.0,0.01,0.0]"), "{json}");
    let u = lnn_wasm::Trainer::from_weights(&json, js(r#"{"batch":4,"testSize":8}"#)).unwrap();
    assert!(u
        .export_weights()
        .unwrap()
        .contains("\"weighting\":\"gamma\""));
    let u =
        lnn_wasm::Trainer::from_weights(&json, js(r#"{"testSize":8,"weighting":"none"}"#)).unwrap();
    assert!(!u.export_weights().unwrap().contains("weighting"));
    let Err(e) = lnn_wasm::Trainer::new(js(r#"{"weighting":"gamma"}"#)) else {
        panic!("the double pendulum accepted the γ-weight")
    };
    assert!(error_message(e).contains("weighting"));
}
