//! The `lnn` binary as a user runs it: output formats, exit codes, error messages.
mod common;
use common::{lnn, refused, stderr};

#[test]
fn help_lists_the_systems() {
    let o = lnn(&["--help"]);
    assert!(o.status.success());
    let out = String::from_utf8(o.stdout).unwrap();
    for name in [
        "double-pendulum",
        "relativistic",
        "wave",
        "free-fall",
        "harmonic",
        "charged-particle",
    ] {
        assert!(out.contains(name), "--help lacks {name}");
    }
}

#[test]
fn every_command_has_its_own_help() {
    for cmd in [
        "simulate", "observe", "train", "eval", "predict", "repro", "bench",
    ] {
        let o = lnn(&[cmd, "--help"]);
        assert!(o.status.success(), "{cmd} --help: {}", stderr(&o));
        let out = String::from_utf8_lossy(&o.stdout);
        assert!(
            out.starts_with(&format!("USAGE:\n  lnn {cmd} ")),
            "{cmd}: {out}"
        );
        assert!(
            !out.contains("  lnn bench") || cmd == "bench",
            "{cmd}: {out}"
        );
        assert!(out.contains("double-pendulum"), "{cmd}: {out}");
    }
}

/// The `energy` list of `lnn simulate`'s JSON.
fn energies(v: &serde_json::Value) -> Vec<f64> {
    v["energy"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap())
        .collect()
}

#[test]
fn simulate_json_has_times_states_and_conserved_energy() {
    let o = lnn(&[
        "simulate",
        "--system",
        "double-pendulum",
        "--t",
        "1",
        "--dt",
        "0.01",
        "--integrator",
        "rk4",
        "--init",
        "1.0,2.0,0,0",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["times"].as_array().unwrap().len(), 101);
    assert_eq!(v["states"][0], serde_json::json!([1.0, 2.0, 0.0, 0.0]));
    let e = energies(&v);
    let drift = e.iter().map(|x| (x - e[0]).abs()).fold(0.0, f64::max);
    // RK4, h = 1e-3 over one second: ~1e-12 of the 29.4 scale.
    assert!(drift < 1e-8, "energy drift {drift}");
}

#[test]
fn simulate_variational_keeps_the_energy_error_bounded_where_rk4_drifts() {
    // The double pendulum to t = 200 at one step of 0.02 per output: RK4's error grows with time,
    // the variational integrator's oscillates (measured to t = 1000 at h = 0.01: RK4 4.1e-5 in the
    // first tenth, 4.8e-4 in the last; variational 9.8e-4 and 1.1e-3). The same for the shipped
    // LNN's learned energy (measured: RK4 9.3e-4 then 1.3e-2, variational 1.3e-2 then 1.7e-2).
    let spread = |what: &[&str], integrator: &str| {
        let mut args = vec!["simulate"];
        args.extend_from_slice(what);
        args.extend_from_slice(&[
            "--t",
            "200",
            "--dt",
            "0.02",
            "--substeps",
            "1",
            "--integrator",
            integrator,
            "--init",
            "1.5,0.5,0,0",
        ]);
        let o = lnn(&args);
        assert!(o.status.success(), "{}", stderr(&o));
        let e = energies(&serde_json::from_slice(&o.stdout).unwrap());
        let worst = |part: &[f64]| part.iter().map(|x| (x - e[0]).abs()).fold(0.0, f64::max);
        (worst(&e[..e.len() / 10]), worst(&e[e.len() * 9 / 10..]))
    };
    let shipped = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../www/models/double-pendulum-lnn.json"
    );
    for what in [
        &["--system", "double-pendulum"][..],
        &["--model", shipped][..],
    ] {
        let (rk4_first, rk4_last) = spread(what, "rk4");
        let (var_first, var_last) = spread(what, "variational");
        assert!(
            rk4_last > 3.0 * rk4_first,
            "{what:?}: RK4 drifts: {rk4_first:e} then {rk4_last:e}"
        );
        assert!(
            var_last < 1.5 * var_first,
            "{what:?}: variational bounded: {var_first:e} then {var_last:e}"
        );
    }
    // A model with no Lagrangian of its own cannot be stepped variationally: said, not guessed.
    let baseline = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../www/models/double-pendulum-baseline.json"
    );
    let o = lnn(&[
        "simulate",
        "--model",
        baseline,
        "--integrator",
        "variational",
    ]);
    assert!(!o.status.success());
    assert!(
        stderr(&o).contains("has none it can step"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn simulate_csv_has_a_header_and_one_row_per_output() {
    let o = lnn(&[
        "simulate",
        "--system",
        "relativistic",
        "--t",
        "0.5",
        "--dt",
        "0.1",
        "--format",
        "csv",
        "--init",
        "0,0.5,2",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = String::from_utf8(o.stdout).unwrap();
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines[0], "t,q1,qdot1,c1,energy");
    assert_eq!(lines.len(), 1 + 6);
    assert!(lines[1].starts_with("0,0,0.5,2,"));
}

#[test]
fn wave_grid_size_is_honoured() {
    let o = lnn(&[
        "simulate", "--system", "wave", "--grid", "8", "--t", "0.1", "--dt", "0.05",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["states"][0].as_array().unwrap().len(), 16);
}

#[test]
fn bad_input_exits_non_zero_with_a_clear_message() {
    let cases: &[(&[&str], &str)] = &[
        (&["simulate", "--dt", "0"], "invalid `--dt`"),
        (&["simulate", "--dt", "-0.1"], "invalid `--dt`"),
        (&["simulate", "--t", "NaN"], "invalid `--t`"),
        (
            &["simulate", "--system", "wave", "--grid", "2"],
            "at least 3 points",
        ),
        (
            &["simulate", "--system", "harmonic", "--grid", "5"],
            "only the wave system",
        ),
        (&["simulate", "--init", "1,2,3"], "needs 4 numbers"),
        (&["simulate", "--init", "1,x,0,0"], "`x` is not a number"),
        (
            &["simulate", "--integrator", "leapfrog"],
            "euler, rk4, dopri5",
        ),
        (
            &["simulate", "--integrator", "dopri5", "--tol", "0"],
            "invalid `--tol`",
        ),
        (&["simulate", "--substeps", "0"], "invalid `--substeps`"),
        (
            &["simulate", "--system", "relativistic", "--init", "0,1.5,1"],
            "|q̇| < 1",
        ),
        (&["simulate", "--format", "xml"], "json or csv"),
        (&["simulate", "--speed", "3"], "unknown flag --speed"),
        (&["simulate", "--t"], "--t needs a value"),
        (&["fly"], "unknown command"),
        (&[], "no command"),
    ];
    for (args, needle) in cases {
        refused(args, &[needle]);
    }
}

#[test]
fn bench_json_reports_both_paths() {
    let o = lnn(&["bench", "--only", "engine", "--seconds", "0.05", "--json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let rows: Vec<serde_json::Value> = String::from_utf8(o.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(rows.len(), 2);
    assert!(rows
        .iter()
        .all(|r| r["evals_per_s"].as_f64().unwrap() > 0.0));
}

#[test]
fn f32_training_writes_a_file_that_eval_and_predict_load() {
    let dir = std::env::temp_dir().join(format!("lnn-cli-f32-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let model = dir.join("f32.json");
    let model = model.to_str().unwrap();
    let o = lnn(&[
        "train",
        "--precision",
        "f32",
        "--hidden",
        "8,8",
        "--steps",
        "20",
        "--batch",
        "4",
        "--test-size",
        "8",
        "--quiet",
        "--out",
        model,
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let summary: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(summary["precision"], "f32");
    let file: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(model).unwrap()).unwrap();
    assert_eq!(file["precision"], "f32");
    // The parameters are f32 values, stored as f64 numbers.
    assert!(file["params"]
        .as_array()
        .unwrap()
        .iter()
        .all(|p| f64::from(p.as_f64().unwrap() as f32) == p.as_f64().unwrap()));
    let o = lnn(&[
        "eval",
        "--model",
        model,
        "--test-size",
        "8",
        "--energy-ics",
        "2",
        "--energy-t",
        "1",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let report: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(report["precision"], "f32");
    assert!(report["test_loss"].as_f64().unwrap().is_finite());
    let states = dir.join("states.json");
    std::fs::write(&states, "[[0.1, 0.2, 0.3, 0.4]]").unwrap();
    let o = lnn(&[
        "predict",
        "--model",
        model,
        "--states",
        states.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let qdd: Vec<Vec<f64>> = serde_json::from_slice(&o.stdout).unwrap();
    assert!(qdd[0].len() == 2 && qdd[0].iter().all(|v| v.is_finite()));
    // f64 files say nothing, as before the f32 path.
    let o = lnn(&[
        "train",
        "--hidden",
        "4",
        "--steps",
        "2",
        "--batch",
        "2",
        "--test-size",
        "2",
        "--quiet",
        "--out",
        model,
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(!std::fs::read_to_string(model)
        .unwrap()
        .contains("precision"));
    let o = lnn(&["train", "--precision", "f16", "--steps", "1"]);
    assert!(!o.status.success());
    assert!(stderr(&o).contains("f32, f64"), "{}", stderr(&o));
    let o = lnn(&["train", "--help"]);
    assert!(String::from_utf8_lossy(&o.stdout).contains("--precision f64|f32"));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn bench_training_rows_all_carry_their_precision() {
    let o = lnn(&["bench", "--only", "training", "--seconds", "0.01", "--json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let rows: Vec<serde_json::Value> = String::from_utf8(o.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert!(rows
        .iter()
        .all(|r| r["precision"] == "f32" || r["precision"] == "f64"));
    for hidden in [vec![128, 128], vec![500, 500, 500]] {
        for precision in ["f32", "f64"] {
            assert!(rows.iter().any(|r| r["model"] == "lnn"
                && r["hidden"] == serde_json::json!(hidden)
                && r["batch"] == 32
                && r["precision"] == precision));
        }
    }
    assert!(rows
        .iter()
        .any(|r| r["model"] == "baseline" && r["precision"] == "f32"));
    assert!(rows.iter().all(|r| r.get("jax_ms_per_step").is_none()));
}

/// The shipped weights files (written before the f32 path, no `precision` field) load as f64
/// models with exactly the parameters written in them, and write back unchanged.
#[test]
fn shipped_weights_load_unchanged_as_f64() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../www/models");
    let mut seen = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "json") {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        let file: lnn_core::weights::WeightsFile = serde_json::from_str(&text).unwrap();
        assert_eq!(file.precision, None, "{path:?}");
        let (system, spec, model) = file.load().unwrap();
        assert_eq!(spec.precision, lnn_core::Precision::F64);
        let raw: serde_json::Value = serde_json::from_str(&text).unwrap();
        let params: Vec<f64> = raw["params"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_f64().unwrap())
            .collect();
        assert_eq!(model.mlp().params(), params.as_slice(), "{path:?}");
        let again = lnn_core::weights::WeightsFile::new(
            &system,
            &spec,
            &*model,
            file.step,
            file.seed,
            file.made_by.clone(),
        );
        assert_eq!(again, file, "{path:?}");
        seen += 1;
    }
    assert!(seen > 0);
}

/// `--weighting gamma` trains the relativistic particle on the paper's score, the file records it
/// with the input map's linear feature, and `lnn eval` reports the paper's score; a system
/// without the γ-weight refuses it, and so does an unknown name.
#[test]
fn gamma_weighting_and_a_linear_feature_are_trained_recorded_and_scored() {
    let dir = std::env::temp_dir().join(format!("lnn-cli-gamma-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let model = dir.join("hnn.json");
    let model = model.to_str().unwrap();
    let o = lnn(&[
        "train",
        "--system",
        "relativistic",
        "--model",
        "hnn",
        "--coordinates",
        "canonical",
        "--weighting",
        "gamma",
        "--linear",
        "0,0.01,0",
        "--hidden",
        "8,8",
        "--steps",
        "20",
        "--batch",
        "8",
        "--test-size",
        "16",
        "--quiet",
        "--out",
        model,
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let file: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(model).unwrap()).unwrap();
    assert_eq!(file["weighting"], "gamma");
    assert_eq!(file["linear"], serde_json::json!([0.0, 0.01, 0.0]));
    let o = lnn(&[
        "eval",
        "--model",
        model,
        "--test-size",
        "16",
        "--energy-ics",
        "0",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let report: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let (all, qdot) = (
        report["paper_weighted_l1"].as_f64().unwrap(),
        report["paper_weighted_l1_qdot"].as_f64().unwrap(),
    );
    assert!(all.is_finite() && qdot > 0.0 && qdot <= all, "{report}");
    assert!(report["qdd_mse"].as_f64().unwrap().is_finite());
    refused(
        &["train", "--weighting", "gamma", "--steps", "1"],
        &["weighting", "relativistic"],
    );
    refused(
        &["train", "--system", "relativistic", "--weighting", "heavy"],
        &["--weighting", "none, gamma"],
    );
    refused(
        &["train", "--system", "relativistic", "--linear", "0.1,0,0"],
        &["linear", "asinh"],
    );
    std::fs::remove_dir_all(&dir).unwrap();
}
