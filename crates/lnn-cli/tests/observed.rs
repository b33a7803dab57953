//! Learning from a trajectory file as a user does: `lnn observe`, `lnn train --data`,
//! `lnn predict` on the result, and the reader's refusals.
mod common;
use common::{lnn, refused, stderr};

fn file(name: &str, text: &str) -> String {
    let p = std::env::temp_dir().join(format!("lnn-observed-{}-{name}", std::process::id()));
    std::fs::write(&p, text).unwrap();
    p.to_string_lossy().into_owned()
}

/// Two uncoupled oscillators, x'' = −x and y'' = −4y, sampled at 0.05 for 6 s from 12 starts,
/// written with the columns in the order t, y, x (not alphabetical, not the order of the maths).
fn oscillators() -> String {
    let mut s = String::from("trajectory,t,y,x\n");
    for k in 0..12 {
        let (ax, px) = (0.5 + 0.1 * k as f64, 0.7 * k as f64);
        let (ay, py) = (1.2 - 0.08 * k as f64, 1.3 * k as f64);
        for i in 0..=120 {
            let t = 0.05 * i as f64;
            let (x, y) = (ax * (t + px).cos(), ay * (2.0 * t + py).cos());
            s += &format!("{k},{t},{y},{x}\n");
        }
    }
    s
}

#[test]
fn train_on_a_csv_with_defaults_then_predict_in_the_header_order() {
    let data = file("osc.csv", &oscillators());
    let out = std::env::temp_dir().join(format!("lnn-observed-{}-osc.json", std::process::id()));
    let out = out.to_string_lossy().into_owned();
    // Every setting at its default except the length of the run.
    let o = lnn(&[
        "train", "--data", &data, "--model", "lnn", "--steps", "3000", "--out", &out, "--quiet",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let report: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(report["system"], "observed");
    assert_eq!(report["data"]["method"], "estimate");
    assert_eq!(report["data"]["coordinates"], serde_json::json!(["y", "x"]));
    assert_eq!(report["data"]["trajectories"], 12);
    // States [y, x, ẏ, ẋ]: q̈ ≈ (−4y, −x).
    let states = file(
        "states.json",
        "[[0.8, 0.0, 0.0, 0.0], [0.0, 0.8, 0.0, 0.0], [0.3, -0.4, 0.5, 0.2]]",
    );
    let o = lnn(&["predict", "--model", &out, "--states", &states]);
    assert!(o.status.success(), "{}", stderr(&o));
    let qdd: Vec<Vec<f64>> = serde_json::from_slice(&o.stdout).unwrap();
    let want = [[-3.2, 0.0], [0.0, -0.8], [-1.2, 0.4]];
    for (got, want) in qdd.iter().zip(want) {
        for (g, w) in got.iter().zip(want) {
            assert!((g - w).abs() < 0.25, "q̈ {got:?}, want {want:?}");
        }
    }
    // The weights file keeps the coordinates; lnn simulate rolls the model out from the first
    // observed state; lnn eval says why it cannot score a model of unknown truth.
    let saved: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    assert_eq!(
        saved["observed"]["coordinates"],
        serde_json::json!(["y", "x"])
    );
    let o = lnn(&[
        "simulate",
        "--model",
        &out,
        "--t",
        "1",
        "--integrator",
        "variational",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    refused(
        &["eval", "--model", &out],
        &["observed trajectories", "nothing true"],
    );
    // The discrete method on the same file, with x declared an angle (wrapped, in header order).
    let o = lnn(&[
        "train",
        "--data",
        &data,
        "--method",
        "discrete",
        "--steps",
        "300",
        "--periodic",
        "x",
        "--out",
        &out,
        "--quiet",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let saved: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    assert_eq!(
        saved["wrap"],
        serde_json::json!([false, true, false, false])
    );
    refused(
        &["train", "--data", &data, "--periodic", "z", "--steps", "10"],
        &["no coordinate `z`", "y, x"],
    );
    refused(
        &[
            "train", "--data", &data, "--method", "discrete", "--model", "baseline", "--steps",
            "10",
        ],
        &["LNN only"],
    );
}

#[test]
fn lnn_observe_writes_what_train_reads_and_names_a_known_system() {
    let o = lnn(&[
        "observe",
        "--system",
        "harmonic",
        "--trajectories",
        "6",
        "--duration",
        "4",
        "--dt",
        "0.1",
        "--noise",
        "1e-3",
        "--velocities",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = String::from_utf8(o.stdout).unwrap();
    assert!(
        text.starts_with("trajectory,t,q1,q1_dot\n"),
        "{}",
        &text[..60]
    );
    assert_eq!(text.lines().count(), 1 + 6 * 41);
    let data = file("harmonic.csv", &text);
    let out = std::env::temp_dir().join(format!("lnn-observed-{}-h.json", std::process::id()));
    let out = out.to_string_lossy().into_owned();
    let o = lnn(&[
        "train", "--data", &data, "--system", "harmonic", "--steps", "200", "--out", &out,
        "--quiet",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    // Declared the harmonic oscillator's, so lnn eval scores it against the truth.
    let o = lnn(&["eval", "--model", &out, "--energy-ics", "0"]);
    assert!(o.status.success(), "{}", stderr(&o));
    refused(
        &[
            "train",
            "--data",
            &data,
            "--system",
            "double-pendulum",
            "--steps",
            "10",
        ],
        &["1 coordinates", "double-pendulum has 2"],
    );
}

#[test]
fn bad_files_are_refused_with_the_file_line_and_column() {
    let cases = [
        ("nan.csv", "t,x\n0,1\n0.1,NaN\n", "line 3, column 2"),
        (
            "back.csv",
            "t,x\n0,1\n0.2,1\n0.1,1\n",
            "line 4, column 1: time 0.1 is not after",
        ),
        ("short.csv", "t,x\n0,1\n0.1,2\n", "needs at least"),
        (
            "cols.csv",
            "t,x,y\n0,1,2\n0.1,2\n",
            "line 3, column 3: 2 fields, but the header has 3",
        ),
        (
            "notime.csv",
            "x,y\n1,2\n",
            "line 1: the header has no time column",
        ),
    ];
    for (name, text, says) in cases {
        let path = file(name, text);
        refused(&["train", "--data", &path, "--steps", "10"], &[&path, says]);
    }
    refused(
        &["train", "--data", "/nonexistent.csv"],
        &["cannot read /nonexistent.csv"],
    );
}
