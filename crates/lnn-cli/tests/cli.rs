//! The `lnn` binary as a user runs it: output formats, exit codes, error messages.
use std::process::{Command, Output};

fn lnn(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_lnn"))
        .args(args)
        .output()
        .expect("lnn runs")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

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
    for cmd in ["simulate", "train", "eval", "predict", "repro", "bench"] {
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
    let e: Vec<f64> = v["energy"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap())
        .collect();
    let drift = e.iter().map(|x| (x - e[0]).abs()).fold(0.0, f64::max);
    // RK4, h = 1e-3 over one second: ~1e-12 of the 29.4 scale.
    assert!(drift < 1e-8, "energy drift {drift}");
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
        (&["simulate", "--dt", "0"], "invalid `dt`"),
        (&["simulate", "--dt", "-0.1"], "invalid `dt`"),
        (&["simulate", "--t", "NaN"], "invalid `t`"),
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
            "invalid `rtol`",
        ),
        (&["simulate", "--substeps", "0"], "invalid `substeps`"),
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
        let o = lnn(args);
        assert_eq!(o.status.code(), Some(2), "{args:?} should fail");
        assert!(o.stdout.is_empty(), "{args:?} printed to stdout");
        assert!(
            stderr(&o).contains(needle),
            "{args:?}: `{}` lacks `{needle}`",
            stderr(&o)
        );
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
