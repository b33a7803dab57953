//! Training tests that fail if learning is broken. Each trains from a fixed seed for a budget of
//! a few seconds to a few tens of seconds (optimised test profile) and checks the held-out loss
//! against the loss at initialisation *and* against the trivial predictor (q̈ = 0), so a model that
//! merely learns to output small numbers does not pass.
//!
//! Seeds are fixed for reproducibility, not chosen as the only ones that work. LNN training used
//! to be seed-sensitive (as the paper's own code is: see design.md): without the penalty on an
//! indefinite mass matrix, seeds 0–3 ended at test L1 6.8, 2.1, 6.6, 7.6 with these settings
//! (15k steps); with it (the default) at 2.0, 1.7, 2.1, 2.3.
use lnn_core::models::{ModelKind, Workspace};
use lnn_core::nn::Init;
use lnn_core::rng;
use lnn_core::systems::{DoublePendulum, System};
use lnn_core::train::{self, Dataset, Schedule, TrainConfig, Trainer};

fn double_pendulum() -> System {
    System::DoublePendulum(DoublePendulum::default())
}

/// Mean |q̈| over the test set: the L1 loss of predicting zero.
fn trivial_l1(system: &System) -> f64 {
    let mut data = Dataset::default();
    train::data::sample(
        system,
        lnn_core::models::Coordinates::Velocity,
        1024,
        &mut rng::seeded(train::TEST_SEED),
        &mut data,
    )
    .unwrap();
    let n = system.dof();
    let mut sum = 0.0;
    for s in 0..data.samples {
        for i in 0..n {
            sum += data.targets[s * 2 * n + n + i].abs();
        }
    }
    sum / (data.samples * n) as f64
}

fn train_and_measure(config: TrainConfig, steps: u64) -> (f64, f64) {
    let mut t = Trainer::new(config).unwrap();
    let before = t.test_loss();
    t.step(steps).unwrap();
    let after = t.test_loss();
    assert_eq!(t.skipped(), 0, "no step should have been skipped");
    (before, after)
}

#[test]
fn lnn_learns_the_double_pendulum() {
    let steps = 15_000;
    let config = TrainConfig {
        hidden: vec![64, 64],
        init: Init::Xavier,
        schedule: Schedule::OneCycle,
        lr: 3e-3,
        clip: Some(1.0),
        total_steps: steps,
        seed: 0,
        ..TrainConfig::new(double_pendulum(), ModelKind::Lnn)
    };
    let (before, after) = train_and_measure(config, steps);
    let trivial = trivial_l1(&double_pendulum());
    eprintln!(
        "LNN double pendulum: test L1 {before:.3} -> {after:.3} (predicting 0: {trivial:.3})"
    );
    assert!(
        after <= before / 10.0,
        "LNN test loss {before} -> {after}: less than 10x"
    );
    assert!(
        after <= trivial / 4.0,
        "LNN test loss {after} is not well below predicting 0 ({trivial})"
    );
}

/// The f32 training path learns the double pendulum as the f64 one does: the same run (seed,
/// settings) in both precisions, each against the bars above, and f32's final test loss within
/// 1.5× of f64's. The two runs part ways after the first step's rounding (training is chaotic),
/// so "comparably" means the spread between seeds: LNN seeds 0–3 ended at 1.7–2.3 in f64.
#[test]
fn lnn_learns_the_double_pendulum_in_f32() {
    let steps = 15_000;
    let run = |precision| {
        let config = TrainConfig {
            hidden: vec![64, 64],
            init: Init::Xavier,
            schedule: Schedule::OneCycle,
            lr: 3e-3,
            clip: Some(1.0),
            total_steps: steps,
            seed: 0,
            precision,
            ..TrainConfig::new(double_pendulum(), ModelKind::Lnn)
        };
        train_and_measure(config, steps)
    };
    let (b64, a64) = run(lnn_core::Precision::F64);
    let (b32, a32) = run(lnn_core::Precision::F32);
    let trivial = trivial_l1(&double_pendulum());
    eprintln!(
        "LNN double pendulum, test L1: f64 {b64:.3} -> {a64:.3}, f32 {b32:.3} -> {a32:.3} (predicting 0: {trivial:.3})"
    );
    // The initial networks differ only by rounding the parameters to f32.
    assert!((b32 - b64).abs() < 1e-4 * b64, "{b32} vs {b64}");
    assert!(a32 <= b32 / 10.0, "f32: {b32} -> {a32}: less than 10x");
    assert!(
        a32 <= trivial / 4.0,
        "f32: {a32} vs predicting 0 ({trivial})"
    );
    assert!(a32 <= 1.5 * a64, "f32 {a32} against f64 {a64}");
}

#[test]
fn baseline_learns_the_double_pendulum() {
    let steps = 20_000;
    let config = TrainConfig {
        hidden: vec![64, 64],
        batch: 64,
        schedule: Schedule::OneCycle,
        lr: 3e-3,
        clip: Some(1.0),
        total_steps: steps,
        seed: 0,
        ..TrainConfig::new(double_pendulum(), ModelKind::Baseline)
    };
    let (before, after) = train_and_measure(config, steps);
    let trivial = trivial_l1(&double_pendulum());
    eprintln!(
        "baseline double pendulum: test L1 {before:.3} -> {after:.3} (predicting 0: {trivial:.3})"
    );
    assert!(
        after <= before / 10.0,
        "baseline test loss {before} -> {after}: less than 10x"
    );
    assert!(
        after <= trivial / 4.0,
        "baseline test loss {after} is not well below predicting 0 ({trivial})"
    );
}

#[test]
fn a_trained_lnn_runs_through_the_generic_engine_too() {
    // The batched pass and the scalar engine agree on a trained model, not just a random one.
    let config = TrainConfig {
        hidden: vec![32, 32],
        total_steps: 500,
        seed: 2,
        ..TrainConfig::new(double_pendulum(), ModelKind::Lnn)
    };
    let mut t = Trainer::new(config).unwrap();
    t.step(500).unwrap();
    let spec = t.spec().clone();
    let lnn = lnn_core::models::Lnn::new(
        t.model().mlp().clone(),
        2,
        0,
        spec.normalisation,
        spec.solver,
    );
    let x = [0.3, -1.2, 2.0, -4.0];
    let batched = t
        .model()
        .derivatives(&x, 1, &mut Workspace::default())
        .unwrap();
    let engine =
        lnn_core::mechanics::accelerations(&lnn, &x, &lnn_core::Solver::default()).unwrap();
    for i in 0..2 {
        assert!(
            (batched[2 + i] - engine[i]).abs() <= 1e-9 * (1.0 + engine[i].abs()),
            "{batched:?} vs {engine:?}"
        );
    }
}

/// The paper's relativistic particle: an HNN given (q, q̇) assumes a symplectic structure those
/// coordinates do not have and cannot fit the dynamics; the HNN on canonical (q, p) and the LNN
/// on (q, q̇) can. Same network, batch and number of steps for all three, each at the learning
/// rate that worked best for it in a small search; the LNN through its default damped solve
/// (`train::default_solver`: through the exact solve it stays at predicting 0).
#[test]
fn relativistic_particle_orders_hnn_velocity_worst() {
    use lnn_core::models::{Coordinates, Loss};
    let system = System::from_name("relativistic").unwrap();
    let steps = 30_000;
    let run = |model: ModelKind, coordinates: Coordinates, lr: f64| {
        let config = TrainConfig {
            coordinates,
            hidden: vec![64, 64],
            batch: 64,
            init: Init::Xavier,
            schedule: Schedule::OneCycle,
            lr,
            clip: Some(1.0),
            loss: Loss::Mse,
            total_steps: steps,
            seed: 0,
            ..TrainConfig::new(system.clone(), model)
        };
        train_and_measure(config, steps).1
    };
    let hnn_velocity = run(ModelKind::Hnn, Coordinates::Velocity, 1e-3);
    let hnn_canonical = run(ModelKind::Hnn, Coordinates::Canonical, 1e-3);
    let lnn = run(ModelKind::Lnn, Coordinates::Velocity, 1e-3);
    eprintln!("relativistic test MSE: HNN (q, q̇) {hnn_velocity:.4}, HNN (q, p) {hnn_canonical:.4}, LNN (q, q̇) {lnn:.4}");
    // Predicting 0 scores 12.4. The margin asks for a clear gap, not the paper's 500x.
    assert!(
        hnn_velocity > 2.5 * lnn,
        "HNN (q, q̇) {hnn_velocity} is not far worse than the LNN {lnn}"
    );
    assert!(
        hnn_velocity > 2.5 * hnn_canonical,
        "HNN (q, q̇) {hnn_velocity} is not far worse than HNN (q, p) {hnn_canonical}"
    );
}
