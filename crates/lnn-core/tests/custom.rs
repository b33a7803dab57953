//! A typed Lagrangian as a system: trained on like a built-in one, recorded in its weights file.
use lnn_core::custom::CustomSpec;
use lnn_core::models::{ModelKind, Workspace};
use lnn_core::nn::Init;
use lnn_core::systems::{Derivation, System};
use lnn_core::train::{Schedule, TrainConfig, Trainer};
use lnn_core::weights::WeightsFile;

/// A spring pendulum (polar coordinates r, θ; m = 1, k = 20, rest length 1, g = 9.8): not one
/// of the built-ins, and its mass matrix diag(1, r²) depends on the state.
fn spring_pendulum() -> CustomSpec {
    CustomSpec {
        lagrangian: "m*(r_dot^2 + r^2*theta_dot^2)/2 + m*g*r*cos(theta) - k*(r - l)^2/2".into(),
        coordinates: vec!["r".into(), "theta".into()],
        parameters: vec![
            ("m".into(), 1.0),
            ("g".into(), 9.8),
            ("k".into(), 20.0),
            ("l".into(), 1.0),
        ],
        conditioning: vec![],
        ranges: vec![(0.5, 1.5), (-1.0, 1.0), (-1.0, 1.0), (-2.0, 2.0)],
    }
}

#[test]
fn an_lnn_learns_a_typed_spring_pendulum_and_its_file_brings_the_system_back() {
    let system = System::custom(&spring_pendulum()).unwrap();
    // The engine's q̈ against the hand derivation: r̈ = r θ̇² + g cos θ − (k/m)(r − l),
    // θ̈ = −(2 ṙ θ̇ + g sin θ)/r.
    let x = [1.2, 0.4, 0.3, -0.7];
    let a = system.accelerations(&x, &Derivation::default()).unwrap();
    let (r, th, rd, thd) = (x[0], x[1], x[2], x[3]);
    let want = [
        r * thd * thd + 9.8 * th.cos() - 20.0 * (r - 1.0),
        -(2.0 * rd * thd + 9.8 * th.sin()) / r,
    ];
    for (g, w) in a.iter().zip(want) {
        assert!((g - w).abs() < 1e-12 * (1.0 + w.abs()), "{a:?} vs {want:?}");
    }
    let config = TrainConfig {
        hidden: vec![32, 32],
        init: Init::Xavier,
        schedule: Schedule::OneCycle,
        lr: 3e-3,
        clip: Some(1.0),
        test_size: 256,
        ..TrainConfig::new(system.clone(), ModelKind::Lnn)
    };
    let mut t = Trainer::new(config.clone()).unwrap();
    let before = t.test_loss();
    t.step(3000).unwrap();
    let after = t.test_loss();
    assert!(after < 0.2 * before, "test L1 {before} -> {after}");
    // The file records the Lagrangian; loading it rebuilds the same system and model.
    let file = WeightsFile::new(
        &system,
        &config.spec(),
        t.model(),
        t.steps(),
        0,
        "test".into(),
    );
    let spec = file
        .custom
        .as_ref()
        .expect("the file records the Lagrangian");
    assert_eq!(
        spec.lagrangian,
        "m*(r_dot^2 + r^2*theta_dot^2)/2 + m*g*r*cos(theta) - k*(r - l)^2/2"
    );
    let back = file.clone();
    let Ok((system2, _, model2)) = back.load() else {
        panic!("the file loads")
    };
    assert_eq!(system2, system);
    let mut ws = Workspace::default();
    assert_eq!(
        model2.derivatives(&x, 1, &mut ws).unwrap(),
        t.model()
            .derivatives(&x, 1, &mut Workspace::default())
            .unwrap()
    );
    // A file that says `custom` without the Lagrangian, or a broken one, names the field.
    let mut bare = back.clone();
    bare.custom = None;
    let Err(e) = bare.load() else {
        panic!("a bare custom file loads")
    };
    assert!(e.to_string().contains("`custom`"), "{e}");
    let mut broken = back;
    broken.custom.as_mut().unwrap().lagrangian = "r_dot^2 + thetaa".into();
    let Err(e) = broken.load() else {
        panic!("a broken custom file loads")
    };
    let e = e.to_string();
    assert!(
        e.contains("`custom`") && e.contains("unknown name `thetaa`"),
        "{e}"
    );
}

#[test]
fn diagnose_names_missing_velocities_and_a_mass_matrix_that_is_not_definite() {
    let mut spec = CustomSpec {
        lagrangian: "y_dot^2/2 - x^2".into(),
        coordinates: vec!["x".into(), "y".into()],
        ..CustomSpec::default()
    };
    let c = spec.build().unwrap();
    let notes = c.diagnose(200, 1);
    assert!(
        notes.iter().any(|n| n.contains("does not depend on x_dot")),
        "{notes:?}"
    );
    assert!(
        notes.iter().any(|n| n.contains("singular at 100 %")),
        "{notes:?}"
    );
    // An indefinite M on half of the range: L = x_dot^2 * x / 2 for x in [-1, 1].
    spec.lagrangian = "x*x_dot^2/2 + y_dot^2/2".into();
    let notes = spec.build().unwrap().diagnose(400, 1);
    let note = notes
        .iter()
        .find(|n| n.contains("indefinite"))
        .expect("indefinite");
    let pct: f64 = note
        .split(" at ")
        .nth(1)
        .unwrap()
        .split(' ')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    assert!((40.0..60.0).contains(&pct), "{note}");
    // Ranges that run backwards or do not fit the state are refused.
    spec.ranges = vec![(1.0, -1.0), (0.0, 1.0), (0.0, 1.0), (0.0, 1.0)];
    assert!(spec
        .build()
        .unwrap_err()
        .to_string()
        .contains("range 1 runs backwards"));
    spec.ranges = vec![(0.0, 1.0)];
    assert!(spec
        .build()
        .unwrap_err()
        .to_string()
        .contains("1 ranges for a state of 4 numbers"));
}
