//! Trajectories pinned bit for bit. The same files are checked by lnn-wasm's browser tests, so
//! native and wasm builds are held to identical numbers (libm everywhere, no fused multiply-add).
//!
//! Regenerate after an intended change of numerics with the command in each test, from the
//! repository root, and say why in the commit.
use lnn_core::simulate::{Simulation, SimulationSettings};

fn check(golden: &str, settings: SimulationSettings<'_>) {
    let want: serde_json::Value = serde_json::from_str(golden).unwrap();
    let got = Simulation::new(&settings).unwrap().run().unwrap();
    let states = want["states"].as_array().unwrap();
    assert_eq!(states.len(), got.trajectory.len());
    for (k, s) in states.iter().enumerate() {
        let s: Vec<f64> = s
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_f64().unwrap())
            .collect();
        assert_eq!(s, got.trajectory.state(k), "state {k} differs");
    }
    let energy: Vec<f64> = want["energy"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_f64().unwrap())
        .collect();
    assert_eq!(energy, got.energy);
}

/// `lnn simulate --system double-pendulum --t 10 --dt 0.1 --integrator rk4 --substeps 10 --init 1,2,0,0`
#[test]
fn double_pendulum_rk4_is_bit_for_bit() {
    check(
        include_str!("golden/double_pendulum_rk4.json"),
        SimulationSettings {
            t: 10.0,
            dt: 0.1,
            init: Some(vec![1.0, 2.0, 0.0, 0.0]),
            ..Default::default()
        },
    );
}

/// `lnn simulate --system relativistic --t 5 --dt 0.1 --integrator dopri5 --tol 1e-9 --init 0,0.5,3`
#[test]
fn relativistic_dopri5_is_bit_for_bit() {
    check(
        include_str!("golden/relativistic_dopri5.json"),
        SimulationSettings {
            system: "relativistic",
            t: 5.0,
            dt: 0.1,
            integrator: "dopri5",
            tol: 1e-9,
            init: Some(vec![0.0, 0.5, 3.0]),
            ..Default::default()
        },
    );
}

/// The training run pinned by `golden/train_lnn.json`: small enough to run in a browser test.
pub fn golden_training_config() -> lnn_core::train::TrainConfig {
    use lnn_core::models::ModelKind;
    use lnn_core::systems::{DoublePendulum, System};
    lnn_core::train::TrainConfig {
        hidden: vec![16, 16],
        batch: 8,
        test_size: 16,
        total_steps: 30,
        clip: Some(1.0),
        seed: 5,
        ..lnn_core::train::TrainConfig::new(
            System::DoublePendulum(DoublePendulum::default()),
            ModelKind::Lnn,
        )
    }
}

/// Losses of 30 single steps, the test loss, and the final parameters, bit for bit. The wasm
/// browser test checks the same file. With `LNN_UPDATE_GOLDEN=1` the file is rewritten instead
/// (after an intended change of numerics; say why in the commit).
#[test]
fn lnn_training_is_bit_for_bit() {
    check_training(
        golden_training_config(),
        "train_lnn.json",
        include_str!("golden/train_lnn.json"),
    );
}

/// The same run with the f32 pass (`golden/train_f32.json`, checked by the wasm browser test
/// too): f32 sums in a fixed order without fused multiply-adds, so native (AVX-512, AVX2 or
/// neither) and wasm (SIMD128 f32x4) give the same bits in f32 as well.
///
/// On a CPU with AVX-512 the AVX2 code paths can be checked too by running this test binary
/// under valgrind, which does not report AVX-512 (`valgrind target/debug/deps/golden-*`).
#[test]
fn lnn_f32_training_is_bit_for_bit() {
    check_training(
        lnn_core::train::TrainConfig {
            precision: lnn_core::Precision::F32,
            ..golden_training_config()
        },
        "train_f32.json",
        include_str!("golden/train_f32.json"),
    );
}

fn check_training(config: lnn_core::train::TrainConfig, file: &str, golden: &str) {
    let mut t = lnn_core::train::Trainer::new(config).unwrap();
    let losses: Vec<f64> = (0..30).map(|_| t.step(1).unwrap().loss).collect();
    let got = serde_json::json!({
        "losses": losses,
        "test_loss": t.test_loss(),
        "params": t.model().mlp().params(),
    });
    let path = format!("{}/tests/golden/{file}", env!("CARGO_MANIFEST_DIR"));
    if std::env::var_os("LNN_UPDATE_GOLDEN").is_some() {
        std::fs::write(path, got.to_string() + "\n").unwrap();
        return;
    }
    let want: serde_json::Value = serde_json::from_str(golden).unwrap();
    assert_eq!(want["losses"], got["losses"], "loss curve differs");
    assert_eq!(want["test_loss"], got["test_loss"]);
    assert_eq!(want["params"], got["params"], "final parameters differ");
}
