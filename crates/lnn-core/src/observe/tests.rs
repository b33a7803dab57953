//! The trajectory file's reader and its errors; the derivative estimates; the held-out split.
use alloc::string::{String, ToString};
use alloc::vec::Vec;

use super::*;

fn error_at(text: &str) -> (usize, usize, String) {
    match parse(text) {
        Err(Error::Data {
            line,
            column,
            reason,
        }) => (line, column, reason),
        other => panic!("expected a data error for {text:?}, got {other:?}"),
    }
}

#[test]
fn a_file_reads_into_trajectories_in_header_order() {
    let text =
        "trajectory,t,b,a,b_dot,a_dot\n3,0,1,2,0.1,0.2\n3,0.5,1.5,2.5,0.3,0.4\n\n7,0,9,8,0,0\n";
    let d = parse(text).unwrap();
    assert_eq!(d.names, ["b", "a"]);
    assert_eq!(d.runs.len(), 2);
    assert_eq!(
        (d.runs[0].id, d.runs[0].line, d.runs[1].id, d.runs[1].line),
        (3, 2, 7, 5)
    );
    assert_eq!(d.runs[0].q, [1.0, 2.0, 1.5, 2.5]);
    assert_eq!(d.runs[0].qdot.as_deref(), Some(&[0.1, 0.2, 0.3, 0.4][..]));
    assert_eq!(d.runs[0].t, [0.0, 0.5]);
    // Without a trajectory column: one trajectory, id 0; the writer's output reads back the same.
    let single = parse("t,x\n0,1\n1,2\n2,4\n").unwrap();
    assert_eq!((single.runs.len(), single.runs[0].id), (1, 0));
    let back = parse(&csv::write(&d)).unwrap();
    assert_eq!(back.names, d.names);
    for (a, b) in back.runs.iter().zip(&d.runs) {
        assert_eq!((a.id, &a.t, &a.q, &a.qdot), (b.id, &b.t, &b.q, &b.qdot));
    }
}

#[test]
fn bad_files_are_refused_with_their_line_and_column() {
    let cases: &[(&str, usize, usize, &str)] = &[
        ("", 1, 0, "empty"),
        ("0,1,2\n", 1, 1, "header"),
        ("x,y\n0,1\n", 1, 0, "no time column"),
        ("t,t\n", 1, 2, "twice"),
        ("t,x,y_dot\n", 1, 3, "no coordinate `y`"),
        ("t,x,y,x_dot\n", 1, 0, "all of them or none"),
        ("t,x\n", 1, 0, "no rows"),
        ("t,x\n0,1\n1\n", 3, 2, "1 fields, but the header has 2"),
        ("t,x\n0,1\n1,2,3\n", 3, 3, "3 fields"),
        ("t,x\n0,1\n1,abc\n", 3, 2, "not a number"),
        ("t,x\n0,1\n1,NaN\n", 3, 2, "not a finite number"),
        ("t,x\n0,1\n1,inf\n", 3, 2, "not a finite number"),
        ("x,t\n0,1\n1,1\n", 3, 2, "not after the previous"),
        ("t,x\n0,1\n2,1\n1,1\n", 4, 1, "increasing time"),
        ("trajectory,t,x\n1.5,0,1\n", 2, 1, "not an integer"),
        (
            "trajectory,t,x\n1,0,1\n2,0,1\n1,1,1\n",
            4,
            0,
            "began on line 2",
        ),
    ];
    for &(text, line, column, says) in cases {
        let (l, c, reason) = error_at(text);
        assert_eq!((l, c), (line, column), "{text:?}: {reason}");
        assert!(reason.contains(says), "{text:?}: {reason}");
        // The message a user reads names the place.
        let shown = parse(text).unwrap_err().to_string();
        assert!(shown.starts_with(&alloc::format!("line {line}")), "{shown}");
    }
}

#[test]
fn too_few_samples_are_refused_naming_the_trajectory() {
    let d = parse("trajectory,t,x\n0,0,1\n0,1,1\n0,2,1\n0,3,1\n0,4,1\n1,0,1\n1,1,2\n").unwrap();
    let err = prepare(&d, Method::Estimate).unwrap_err();
    assert!(
        matches!(&err, Error::Data { line: 7, .. })
            && err.to_string().contains("trajectory 1 has 2 samples"),
        "{err}"
    );
    // One trajectory must leave a fifth to test on.
    let short = parse(&(0..12).fold(String::from("t,x\n"), |s, k| {
        s + &alloc::format!("{k},{}\n", k * k)
    }))
    .unwrap();
    let err = prepare(&short, Method::Discrete).unwrap_err();
    assert!(err.to_string().contains("hold its last fifth out"), "{err}");
}

/// A run of `samples` of x = f(t) at spacing `dt`, with its exact derivatives.
fn sampled(samples: usize, dt: f64, f: impl Fn(f64) -> [f64; 3]) -> (Trajectories, Vec<[f64; 3]>) {
    let truth: Vec<[f64; 3]> = (0..samples).map(|k| f(k as f64 * dt)).collect();
    let run = Run {
        id: 0,
        line: 2,
        t: (0..samples).map(|k| k as f64 * dt).collect(),
        q: truth.iter().map(|v| v[0]).collect(),
        qdot: None,
        c: Vec::new(),
    };
    (
        Trajectories {
            names: alloc::vec!["x".to_string()],
            conditioning: Vec::new(),
            runs: alloc::vec![run],
        },
        truth,
    )
}

#[test]
fn estimates_of_noise_free_samples_are_accurate_and_choose_a_small_window() {
    let (d, truth) = sampled(200, 0.05, |t| {
        let (s, c) = (crate::math::sin(t), crate::math::cos(t));
        [s, c, -s]
    });
    let (s, _) = smooth::choose(&d).unwrap();
    assert!(s.half <= 3, "noise-free data need no smoothing: {s:?}");
    let est = smooth::derivatives(&d.runs[0], 1, s).unwrap();
    let worst = |ks: core::ops::Range<usize>| {
        ks.map(|k| {
            (est[2 * k + 1] - truth[k][2])
                .abs()
                .max((est[2 * k] - truth[k][1]).abs())
        })
        .fold(0.0, f64::max)
    };
    // Inside, the window is centred (truncation ~ (w·dt)³·f⁽⁵⁾, 1.3e-6 measured); at the ends it
    // is shifted inwards and extrapolates (3.4e-4).
    let (inside, ends) = (worst(s.half..200 - s.half), worst(0..200));
    assert!(
        inside < 1e-5 && ends < 1e-3,
        "{inside:e}, {ends:e} with {s:?}"
    );
}

#[test]
fn noisy_samples_choose_a_wider_window_than_clean_ones() {
    let f = |t: f64| {
        let (s, c) = (crate::math::sin(t), crate::math::cos(t));
        [s, c, -s]
    };
    let (mut d, truth) = sampled(1000, 0.01, f);
    let clean = smooth::choose(&d).unwrap().0;
    let mut r = crate::rng::seeded(1);
    for x in &mut d.runs[0].q {
        *x += 1e-3 * crate::rng::normal(&mut r);
    }
    let noisy = smooth::choose(&d).unwrap().0;
    assert!(noisy.half > 3 * clean.half, "{clean:?} vs {noisy:?}");
    // And its accelerations are far better than the plain central second difference's (whose
    // noise is σ·√6/h² = 24 here).
    let est = smooth::derivatives(&d.runs[0], 1, noisy).unwrap();
    let rms = ((100..900)
        .map(|k| (est[2 * k + 1] - truth[k][2]).powi(2))
        .sum::<f64>()
        / 800.0)
        .sqrt();
    assert!(rms < 0.5, "rms acceleration error {rms} with {noisy:?}");
}

/// Trains a model of `kind` on observed harmonic-oscillator trajectories by `method` and returns
/// the largest |q̈ + q| of the learned model over a grid of states inside the data's range.
fn recovered_oscillator(kind: crate::models::ModelKind, method: Method, dt: f64) -> f64 {
    use crate::train::{TrainConfig, Trainer};
    let system = System::from_name("harmonic").unwrap();
    let o = Observation {
        trajectories: 20,
        duration: 8.0,
        dt,
        ..Observation::default()
    };
    let data = observe(&system, &o).unwrap();
    let prepared = prepare(&data, method).unwrap();
    let config = TrainConfig {
        hidden: alloc::vec![32, 32],
        batch: 64,
        total_steps: 6000,
        lr: 3e-3,
        loss: crate::models::Loss::Mse,
        ..TrainConfig::new(system, kind)
    };
    let mut t = Trainer::with_signal(config, prepared.signal).unwrap();
    let before = t.test_loss();
    t.step(6000).unwrap();
    assert!(
        t.test_loss() < 0.01 * before,
        "{kind:?} {method:?}: test {before} → {}",
        t.test_loss()
    );
    let mut ws = crate::models::Workspace::default();
    let mut worst = 0.0f64;
    for i in 0..=10 {
        for j in 0..=10 {
            let x = [-1.2 + 0.24 * i as f64, -1.2 + 0.24 * j as f64];
            let d = t.model().derivatives(&x, 1, &mut ws).unwrap();
            worst = worst.max((d[1] + x[0]).abs());
        }
    }
    worst
}

use crate::systems::System;

#[test]
fn each_method_recovers_the_harmonic_oscillator_from_noise_free_samples() {
    use crate::models::ModelKind;
    // Samples at dt = 0.1, 20 trajectories of 8 s; 2×32 nets, 6000 steps. Measured worst
    // |q̈ + q| over the grid (|q̈| up to 1.2): LNN 0.017 (estimate) and 0.020 (discrete),
    // baseline 0.064 (it must learn q̈ over the whole (q, q̇) plane, the LNN only L).
    for (kind, method, tol) in [
        (ModelKind::Lnn, Method::Estimate, 0.05),
        (ModelKind::Lnn, Method::Discrete, 0.05),
        (ModelKind::Baseline, Method::Estimate, 0.15),
    ] {
        let worst = recovered_oscillator(kind, method, 0.1);
        assert!(
            worst < tol,
            "{kind:?} {method:?}: |q̈ + q| up to {worst} on |q|, |q̇| ≤ 1.2"
        );
    }
    // The discrete loss needs L itself: other models are refused with the reason.
    let system = System::from_name("harmonic").unwrap();
    let data = observe(&system, &Observation::default()).unwrap();
    let signal = prepare(&data, Method::Discrete).unwrap().signal;
    let config = crate::train::TrainConfig::new(system, ModelKind::Hnn);
    let err = crate::train::Trainer::with_signal(config, signal)
        .err()
        .unwrap();
    assert!(err.to_string().contains("trains the LNN only"), "{err}");
}

#[test]
fn conditioning_inputs_are_columns_constant_along_a_trajectory() {
    let g = [String::from("g")];
    let d = parse_for("trajectory,t,q,g\n0,0,1,9.8\n0,1,2,9.8\n1,0,5,-3\n", &g).unwrap();
    assert_eq!(d.names, ["q"]);
    assert_eq!(
        (d.runs[0].c.as_slice(), d.runs[1].c.as_slice()),
        (&[9.8][..], &[-3.0][..])
    );
    match parse_for("t,q,g\n0,1,9.8\n1,2,9.7\n", &g) {
        Err(Error::Data {
            line: 3,
            column: 3,
            reason,
        }) => assert!(reason.contains("changes within trajectory 0"), "{reason}"),
        other => panic!("{other:?}"),
    }
    match parse_for("t,q\n0,1\n", &g) {
        Err(Error::Data {
            line: 1, reason, ..
        }) => assert!(reason.contains("no column `g`"), "{reason}"),
        other => panic!("{other:?}"),
    }
    // The relativistic particle observed, written and read back, trains by both methods.
    let system = System::from_name("relativistic").unwrap();
    let o = Observation {
        trajectories: 10,
        duration: 4.0,
        dt: 0.1,
        ..Observation::default()
    };
    let data = observe(&system, &o).unwrap();
    let text = csv::write(&data);
    assert!(text.starts_with("trajectory,t,q1,c1\n"), "{}", &text[..40]);
    let back = parse_for(&text, &conditioning_names(&system)).unwrap();
    assert_eq!(back.runs[3].c, data.runs[3].c);
    for method in [Method::Estimate, Method::Discrete] {
        let signal = prepare(&back, method).unwrap().signal;
        let config = crate::train::TrainConfig {
            hidden: alloc::vec![16],
            ..crate::train::TrainConfig::new(system.clone(), crate::models::ModelKind::Lnn)
        };
        let mut t = crate::train::Trainer::with_signal(config, signal).unwrap();
        let s = t.step(20).unwrap();
        assert!(
            s.loss.is_finite() && t.test_loss().is_finite(),
            "{method:?}: {s:?}"
        );
    }
}

/// Mangled files (bytes replaced, lines cut, fields doubled) are read or refused, never a
/// panic, and what is read prepares or is refused the same way.
#[test]
fn mutated_files_never_panic() {
    let system = System::from_name("harmonic").unwrap();
    let o = Observation {
        trajectories: 3,
        duration: 3.0,
        dt: 0.1,
        velocities: true,
        ..Observation::default()
    };
    let good = csv::write(&observe(&system, &o).unwrap());
    let mut r = crate::rng::seeded(9);
    let pieces = [
        ",",
        "\n",
        "-",
        "e",
        "NaN",
        "1e308",
        "0",
        "",
        ",,",
        "trajectory",
        "x_dot",
        "\u{feff}",
    ];
    for _ in 0..300 {
        let mut text: Vec<char> = good.chars().collect();
        for _ in 0..1 + (crate::rng::unit(&mut r) * 4.0) as usize {
            let at = (crate::rng::unit(&mut r) * text.len() as f64) as usize % text.len().max(1);
            let piece =
                pieces[(crate::rng::unit(&mut r) * pieces.len() as f64) as usize % pieces.len()];
            let cut = (crate::rng::unit(&mut r) * 6.0) as usize;
            let end = (at + cut).min(text.len());
            text.splice(at..end, piece.chars());
        }
        let text: String = text.into_iter().collect();
        if let Ok(d) = parse(&text) {
            for method in [Method::Estimate, Method::Discrete] {
                let _ = prepare(&d, method);
            }
        }
    }
}

#[test]
fn samples_that_overflow_are_refused_not_passed_on() {
    let text = (0..30).fold(String::from("t,x\n"), |s, k| {
        s + &alloc::format!(
            "{},{}\n",
            k as f64 * 1e-300,
            if k % 2 == 0 { 1e300 } else { -1e300 }
        )
    });
    // Refused by the fit's own checks (the cross-validation score overflows first), or by the
    // estimates' finiteness check behind them: a data error either way, never NaN targets.
    let err = prepare(&parse(&text).unwrap(), Method::Estimate).unwrap_err();
    assert!(matches!(err, Error::Data { line: 2, .. }), "{err}");
}
