//! `lnn predict` of true systems, built-in or typed (issue 14's interface: other checks use it).
mod common;
use common::{lnn, refused, stderr};

fn states_file(name: &str, json: &str) -> String {
    let path =
        std::env::temp_dir().join(format!("lnn-lagrangian-{}-{name}.json", std::process::id()));
    std::fs::write(&path, json).unwrap();
    path.to_string_lossy().into_owned()
}

fn predict(args: &[&str]) -> Vec<serde_json::Value> {
    let o = lnn(args);
    assert!(o.status.success(), "{args:?}: {}", stderr(&o));
    serde_json::from_slice::<serde_json::Value>(&o.stdout)
        .unwrap()
        .as_array()
        .unwrap()
        .clone()
}

fn numbers(v: &serde_json::Value) -> Vec<f64> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap())
        .collect()
}

const DOUBLE_PENDULUM: &str = "0.5*(m1 + m2)*l1^2*theta1_dot^2 + 0.5*m2*l2^2*theta2_dot**2 \
    + m2*l1*l2*theta1_dot*theta2_dot*cos(theta1 - theta2) + (m1 + m2)*g*l1*cos(theta1) + m2*g*l2*cos(theta2)";

#[test]
fn a_typed_double_pendulum_moves_as_the_built_in_one() {
    let states = states_file(
        "dp",
        "[[0.3, -0.2, 0.5, 1.0], [1, 2, 0, 0], [-2.5, 0.1, -3, 4]]",
    );
    let builtin = predict(&[
        "predict",
        "--system",
        "double-pendulum",
        "--states",
        &states,
    ]);
    let typed = predict(&[
        "predict",
        "--lagrangian",
        DOUBLE_PENDULUM,
        "--coordinates",
        "theta1,theta2",
        "--parameters",
        "m1=1,m2=1,l1=1,l2=1,g=9.8",
        "--states",
        &states,
    ]);
    assert_eq!(builtin.len(), 3);
    for (b, t) in builtin.iter().zip(&typed) {
        for (x, y) in numbers(&b["accelerations"])
            .iter()
            .zip(numbers(&t["accelerations"]))
        {
            assert!((x - y).abs() < 1e-12 * (1.0 + x.abs()), "{b} vs {t}");
        }
        let (e, f) = (b["energy"].as_f64().unwrap(), t["energy"].as_f64().unwrap());
        assert!((e - f).abs() < 1e-12 * (1.0 + e.abs()), "{b} vs {t}");
    }
}

#[test]
fn a_harmonic_oscillator_and_a_conditioning_input() {
    let states = states_file("h", "[[1, 0], [0, 2]]");
    let out = predict(&[
        "predict",
        "--lagrangian",
        "m*x'^2/2 - k*x^2/2",
        "--coordinates",
        "x",
        "--parameters",
        "m=2,k=8",
        "--states",
        &states,
    ]);
    assert_eq!(numbers(&out[0]["accelerations"]), [-4.0]);
    assert_eq!(out[0]["energy"].as_f64(), Some(4.0));
    assert_eq!(out[1]["energy"].as_f64(), Some(4.0));
    // The relativistic particle with its field g given per state, as in the paper.
    let states = states_file("rel", "[[0, 0.5, 2]]");
    let out = predict(&[
        "predict",
        "--lagrangian",
        "(1 - q_dot^2)^(-1/2) - 1 + q*g",
        "--coordinates",
        "q",
        "--conditioning",
        "g",
        "--states",
        &states,
    ]);
    let builtin = predict(&["predict", "--system", "relativistic", "--states", &states]);
    let (a, b) = (
        numbers(&out[0]["accelerations"])[0],
        numbers(&builtin[0]["accelerations"])[0],
    );
    assert!((a - b).abs() < 1e-12, "{a} vs {b}");
    // q̈ = g (1 − q̇²)^(5/2) / (1 + 2q̇²) in closed form.
    assert!((a - 2.0 * 0.75f64.powf(2.5) / 1.5).abs() < 1e-12);
}

#[test]
fn bad_input_is_refused_with_where_and_what() {
    let states = states_file("bad", "[[1, 0]]");
    refused(
        &[
            "predict",
            "--lagrangian",
            "x_dot^2/2 - thetaa",
            "--coordinates",
            "x",
            "--states",
            &states,
        ],
        &[
            "--lagrangian",
            "unknown name `thetaa` at column 13",
            "coordinates are x",
        ],
    );
    refused(
        &["predict", "--lagrangian", "x_dot^2", "--states", &states],
        &["needs --coordinates"],
    );
    refused(
        &[
            "predict",
            "--lagrangian",
            "x_dot^2",
            "--coordinates",
            "x",
            "--parameters",
            "g",
            "--states",
            &states,
        ],
        &["`g` needs a value"],
    );
    refused(
        &[
            "predict",
            "--system",
            "harmonic",
            "--lagrangian",
            "x",
            "--states",
            &states,
        ],
        &["not both"],
    );
    refused(
        &["predict", "--states", &states],
        &["--model FILE, --system NAME or --lagrangian EXPR is required"],
    );
    refused(
        &[
            "predict",
            "--lagrangian",
            "x_dot^2/2",
            "--coordinates",
            "x,y",
            "--states",
            &states,
        ],
        &["state 0 has 2 numbers", "needs 4"],
    );
    refused(
        &[
            "predict",
            "--lagrangian",
            "log(x) + x_dot^2",
            "--coordinates",
            "x",
            "--states",
            &states_file("neg", "[[-1, 0]]"),
        ],
        &[
            "state 0",
            "non-finite number (NaN or ±inf) in the Lagrangian",
        ],
    );
}

const SPRING: &str = "m*(r_dot^2 + r^2*theta_dot^2)/2 + m*g*r*cos(theta) - k*(r - l)^2/2";

/** `command` on the spring pendulum (L, coordinates, parameters), then `rest`. */
fn spring<'a>(command: &'a str, rest: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec![
        command,
        "--lagrangian",
        SPRING,
        "--coordinates",
        "r,theta",
        "--parameters",
        "m=1,g=9.8,k=20,l=1",
    ];
    args.extend_from_slice(rest);
    args
}

#[test]
fn train_on_a_typed_lagrangian_and_the_file_keeps_it() {
    let out = std::env::temp_dir().join(format!("lnn-spring-{}.json", std::process::id()));
    let out = out.to_string_lossy().into_owned();
    let o = lnn(&spring(
        "train",
        &[
            "--ranges",
            "0.5:1.5,-1:1,-1:1,-2:2",
            "--hidden",
            "32,32",
            "--init",
            "xavier",
            "--schedule",
            "onecycle",
            "--lr",
            "3e-3",
            "--clip",
            "1",
            "--steps",
            "2000",
            "--out",
            &out,
            "--quiet",
        ],
    ));
    assert!(o.status.success(), "{}", stderr(&o));
    let summary: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let (before, after) = (
        summary["initial_test_loss"].as_f64().unwrap(),
        summary["test_loss"].as_f64().unwrap(),
    );
    assert_eq!(summary["system"], "custom");
    assert!(after < 0.1 * before, "test L1 {before} -> {after}");
    let file: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    assert_eq!(
        file["custom"]["lagrangian"], SPRING,
        "the canonical form is recorded"
    );
    assert_eq!(file["custom"]["ranges"][0], serde_json::json!([0.5, 1.5]));
    // The file alone brings the system back: eval and predict need nothing else.
    let o = lnn(&["eval", "--model", &out, "--quiet", "--energy-ics", "3"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let report: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(
        report["energy_error_note"]
            .as_str()
            .unwrap()
            .contains("--energy-scale"),
        "{report}"
    );
    // The energy protocol with the user's scale: initial conditions from the file's ranges.
    let o = lnn(&[
        "eval",
        "--model",
        &out,
        "--quiet",
        "--energy-ics",
        "3",
        "--energy-t",
        "5",
        "--energy-scale",
        "10",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let report: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let e = &report["energy_error"];
    assert_eq!(e["initial_conditions"], 3, "{report}");
    assert!(
        e["mean"]
            .as_f64()
            .is_some_and(|m| m.is_finite() && m >= 0.0)
            || e["diverged"].as_u64() == Some(3),
        "{report}"
    );
    refused(
        &["eval", "--model", &out, "--energy-scale", "-1"],
        &["--energy-scale"],
    );
    let states = states_file("spring", "[[1.2, 0.4, 0.3, -0.7]]");
    let learned = predict(&["predict", "--model", &out, "--states", &states]);
    let truth = predict(&spring("predict", &["--states", &states]));
    let (l, t) = (numbers(&learned[0]), numbers(&truth[0]["accelerations"]));
    assert!(
        (l[0] - t[0]).abs() < 2.0 && (l[1] - t[1]).abs() < 2.0,
        "learned {l:?}, true {t:?}"
    );
    // Range errors name the flag.
    refused(
        &spring(
            "train",
            &["--ranges", "1:0,-1:1,-1:1,-2:2", "--steps", "10"],
        ),
        &["range 1 runs backwards"],
    );
    refused(
        &[
            "train",
            "--lagrangian",
            SPRING,
            "--coordinates",
            "r,theta",
            "--ranges",
            "0-1",
            "--steps",
            "10",
        ],
        &["--ranges: `0-1` is not lo:hi"],
    );
    let _ = std::fs::remove_file(&out);
}

#[test]
fn a_lagrangian_that_ignores_a_velocity_runs_with_a_note() {
    let states = states_file("note", "[[1, 0, 0, 0]]");
    let o = lnn(&[
        "predict",
        "--lagrangian",
        "x_dot^2/2 - y^2",
        "--coordinates",
        "x,y",
        "--states",
        &states,
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("note: L does not depend on y_dot"),
        "{}",
        stderr(&o)
    );
    assert!(
        stderr(&o).contains("singular at 100 % of 256 states"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn a_lagrangian_undefined_at_the_start_is_refused_before_it_runs() {
    refused(
        &[
            "simulate",
            "--lagrangian",
            "log(x) + x_dot^2",
            "--coordinates",
            "x",
            "--init",
            "-1,0",
        ],
        &[
            "--init",
            "the Lagrangian cannot be used at this state",
            "non-finite",
        ],
    );
    let o = lnn(&[
        "simulate",
        "--lagrangian",
        "log(x) + x_dot^2",
        "--coordinates",
        "x",
        "--init",
        "1,0",
        "--t",
        "0.1",
        "--dt",
        "0.1",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
}
