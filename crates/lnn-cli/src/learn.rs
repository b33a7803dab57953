//! `lnn train`, `lnn eval`, `lnn predict`: learned models from the command line.
use std::io::Write as _;
use std::time::Instant;

use lnn_core::metrics::{energy_error, EnergyProtocol};
use lnn_core::models::{Angles, Coordinates, Loss, Model, ModelKind, Workspace};
use lnn_core::nn::{Activation, Init};
use lnn_core::rng;
use lnn_core::systems::{DoublePendulum, System};
use lnn_core::train::{self, Dataset, Schedule, TrainConfig, Trainer};
use lnn_core::weights::WeightsFile;

use crate::args::Args;

fn system_from(args: &Args) -> Result<System, String> {
    let name: String = args.get("system", "double-pendulum".to_string())?;
    match args.opt::<usize>("grid")? {
        Some(n) if name == "wave" => System::wave(n).map_err(|e| e.to_string()),
        Some(_) => Err("--grid only applies to --system wave".into()),
        None => System::from_name(&name).map_err(|e| e.to_string()),
    }
}

fn list_usize(args: &Args, name: &str, default: &[usize]) -> Result<Vec<usize>, String> {
    match args.opt::<String>(name)? {
        None => Ok(default.to_vec()),
        Some(s) => s
            .split(',')
            .map(|p| {
                p.trim()
                    .parse::<usize>()
                    .map_err(|_| format!("--{name}: `{p}` is not a whole number"))
            })
            .collect(),
    }
}

/// Reads a weights file, with the file name in every error.
pub fn read_weights(
    path: &str,
) -> Result<
    (
        System,
        lnn_core::models::ModelSpec,
        Box<dyn Model>,
        WeightsFile,
    ),
    String,
> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read {path}: {e}"))?;
    let file: WeightsFile = serde_json::from_str(&text)
        .map_err(|e| format!("{path} is not a valid weights file: {e}"))?;
    let (system, spec, model) = file.load().map_err(|e| format!("{path}: {e}"))?;
    Ok((system, spec, model, file))
}

pub fn train(args: &Args, argv: &[String]) -> Result<String, String> {
    let system = system_from(args)?;
    let kind =
        ModelKind::from_name(&args.get("model", "lnn".to_string())?).map_err(|e| e.to_string())?;
    let d = TrainConfig::new(system, kind);
    let steps: u64 = args.get("steps", 10_000)?;
    let config = TrainConfig {
        coordinates: Coordinates::from_name(&args.get("coordinates", "velocity".to_string())?)
            .map_err(|e| e.to_string())?,
        hidden: list_usize(args, "hidden", &d.hidden)?,
        activation: Activation::from_name(&args.get("activation", "softplus".to_string())?)
            .map_err(|e| e.to_string())?,
        init: Init::from_name(&args.get("init", "paper".to_string())?)
            .map_err(|e| e.to_string())?,
        batch: args.get("batch", d.batch)?,
        lr: args.get("lr", d.lr)?,
        schedule: Schedule::from_name(&args.get("schedule", "step".to_string())?)
            .map_err(|e| e.to_string())?,
        total_steps: steps,
        clip: args.opt("clip")?,
        weight_decay: args.get("weight-decay", 0.0)?,
        loss: Loss::from_name(&args.get("loss", "l1".to_string())?).map_err(|e| e.to_string())?,
        seed: args.get("seed", 0)?,
        test_size: args.get("test-size", d.test_size)?,
        solver: match args.opt::<String>("solver")? {
            Some(name) => lnn_core::Solver::from_name(&name).map_err(|e| e.to_string())?,
            None => d.solver,
        },
        definiteness: args.get("definiteness", d.definiteness)?,
        precision: lnn_core::Precision::from_name(&args.get("precision", "f64".to_string())?)
            .map_err(|e| e.to_string())?,
        ..d
    };
    let mut config = config;
    if let Some(scale) = args.list("scale")? {
        let mut norm = config.spec().normalisation;
        norm.scale = scale;
        config.normalisation = Some(norm);
    }
    if let Some(name) = args.opt::<String>("angles")? {
        let angles = Angles::from_name(&name).map_err(|e| format!("--angles: {e}"))?;
        config.normalisation = Some(config.spec().normalisation.with_angles(angles));
    }
    let out: Option<String> = args.opt("out")?;
    let every: f64 = args.get("log-every", 2.0)?;
    let quiet = args.flag("quiet");
    args.finish()?;
    let mut trainer = Trainer::new(config).map_err(|e| e.to_string())?;
    let initial = trainer.test_loss();
    let start = Instant::now();
    let mut last_log = Instant::now();
    let mut done = 0;
    let mut err = std::io::stderr();
    while done < steps {
        let chunk = (steps - done).min(50);
        let s = trainer.step(chunk).map_err(|e| e.to_string())?;
        done += chunk;
        if !quiet && (last_log.elapsed().as_secs_f64() >= every || done == steps) {
            last_log = Instant::now();
            let frac = done as f64 / steps as f64;
            let bar: String = (0..30)
                .map(|i| if (i as f64) < frac * 30.0 { '#' } else { '.' })
                .collect();
            let rate = done as f64 / start.elapsed().as_secs_f64();
            let _ = writeln!(
                err,
                "[{bar}] step {done}/{steps}  loss {:.3e}  test {:.3e}  lr {:.1e}  {rate:.0} steps/s  skipped {}",
                s.loss,
                trainer.test_loss(),
                s.lr,
                s.skipped
            );
        }
    }
    let test = trainer.test_loss();
    let seconds = start.elapsed().as_secs_f64();
    let report = serde_json::json!({
        "system": trainer.config().system.name(), "model": kind.name(),
        "precision": trainer.precision().name(), "steps": trainer.steps(), "skipped": trainer.skipped(),
        "initial_test_loss": initial, "test_loss": test, "seconds": seconds,
        "steps_per_s": trainer.steps() as f64 / seconds,
    });
    if let Some(path) = out {
        let made_by = format!("lnn {}", argv.join(" "));
        let file = WeightsFile::new(
            &trainer.config().system,
            trainer.spec(),
            trainer.model(),
            trainer.steps(),
            trainer.config().seed,
            made_by,
        );
        let json = serde_json::to_string(&file).map_err(|e| e.to_string())?;
        std::fs::write(&path, json + "\n").map_err(|e| format!("cannot write {path}: {e}"))?;
    }
    Ok(report.to_string())
}

pub fn eval(args: &Args) -> Result<String, String> {
    let path: String = args.opt("model")?.ok_or("--model FILE is required")?;
    let test_size: usize = args.get("test-size", 1024)?;
    let ics: usize = args.get("energy-ics", 40)?;
    let t_end: f64 = args.get("energy-t", 100.0)?;
    let loss = Loss::from_name(&args.get("loss", "l1".to_string())?).map_err(|e| e.to_string())?;
    args.finish()?;
    let (system, spec, model, file) = read_weights(&path)?;
    let mut data = Dataset::default();
    train::data::sample(
        &system,
        spec.coordinates,
        test_size,
        &mut rng::seeded(train::TEST_SEED),
        &mut data,
    )
    .map_err(|e| e.to_string())?;
    let mut ws = Workspace::default();
    let test_loss = train::evaluate(&*model, &data, loss, &mut ws);
    let mut report = serde_json::json!({
        "model": file.model, "system": file.system, "step": file.step,
        "precision": spec.precision.name(),
        "test_loss": test_loss, "loss": loss.name(), "test_size": test_size,
    });
    if let System::Wave(w) = system {
        report["wave_rollout"] = wave_rollout(&system, &w, &*model)?;
    }
    // The paper's energy protocol, where it is defined: the double pendulum in (q, q̇).
    if matches!(system, System::DoublePendulum(_))
        && spec.coordinates == Coordinates::Velocity
        && ics > 0
    {
        let protocol = EnergyProtocol {
            initial_conditions: ics,
            t_end,
            ..EnergyProtocol::default()
        };
        let n = system.dof();
        let accel = |x: &[f64]| -> lnn_core::Result<Vec<f64>> {
            let dx = model.derivatives(x, 1, &mut Workspace::default())?;
            Ok(dx[n..].to_vec())
        };
        let r = energy_error(&system, accel, &protocol, |r| {
            DoublePendulum::sample_energy_protocol_state(r).to_vec()
        })
        .map_err(|e| e.to_string())?;
        report["energy_error"] = serde_json::json!({
            "mean": r.mean, "median": r.median, "diverged": r.diverged,
            "initial_conditions": ics, "t": t_end, "integrator": "dopri5 rtol=atol=1e-9",
        });
    }
    Ok(report.to_string())
}

/// A Gaussian pulse (σ = 0.1 of the box, at rest, so it splits into two pulses) rolled out for
/// three crossings of the box with the model and with the truth: the true grid energy of each
/// over time, and the field error at the end.
fn wave_rollout(
    system: &System,
    w: &lnn_core::systems::Wave,
    model: &dyn Model,
) -> Result<serde_json::Value, String> {
    use lnn_core::integrate::{rollout, second_order};
    let len = w.n as f64 * w.dx;
    let t_end = 3.0 * len / w.c;
    let x0 = w.gaussian_pulse(0.5 * len, 0.1 * len, 0.5);
    // RK4 is stable on this grid for h·2c/dx < 2.8; h = dx/10 keeps its own drift negligible.
    let substeps = 10;
    let dt = w.dx;
    let integrator = lnn_core::Integrator::Rk4 { substeps };
    let how = lnn_core::systems::Derivation::default();
    let truth = rollout(
        second_order(w.n, |x| system.accelerations(x, &how)),
        &x0,
        t_end,
        dt,
        &integrator,
    )
    .map_err(|e| e.to_string())?;
    let mut ws = Workspace::default();
    let learned = rollout(
        lnn_core::models::vector_field(model, &mut ws),
        &x0,
        t_end,
        dt,
        &integrator,
    )
    .map_err(|e| format!("the model's rollout failed: {e}"))?;
    let energy = |traj: &lnn_core::Trajectory| -> Result<Vec<f64>, String> {
        (0..traj.len())
            .map(|k| system.energy(traj.state(k)).map_err(|e| e.to_string()))
            .collect()
    };
    let (et, el) = (energy(&truth)?, energy(&learned)?);
    let drift = |e: &[f64]| e.iter().map(|v| (v - e[0]).abs()).fold(0.0, f64::max) / e[0].abs();
    let rms = |v: &[f64]| (v.iter().map(|x| x * x).sum::<f64>() / v.len() as f64).sqrt();
    let own: Vec<f64> = (0..learned.len())
        .map(|k| {
            model
                .learned_energy(learned.state(k), &mut ws)
                .ok()
                .flatten()
                .unwrap_or(f64::NAN)
        })
        .collect();
    let (a, b) = (&truth.last()[..w.n], &learned.last()[..w.n]);
    let diff: Vec<f64> = a.iter().zip(b).map(|(x, y)| x - y).collect();
    Ok(serde_json::json!({
        "t": t_end, "box_crossings": 3, "integrator": format!("rk4, h = {}", dt / substeps as f64),
        "max_relative_energy_error_model": drift(&el),
        "max_relative_energy_error_truth": drift(&et),
        "max_relative_drift_of_learned_energy": drift(&own),
        "final_field_rms_error_relative": rms(&diff) / rms(a),
    }))
}

pub fn predict(args: &Args) -> Result<String, String> {
    let path: String = args.opt("model")?.ok_or("--model FILE is required")?;
    let states_path: String = args
        .opt("states")?
        .ok_or("--states FILE is required (a JSON array of states)")?;
    args.finish()?;
    let (system, _, model, _) = read_weights(&path)?;
    let text = std::fs::read_to_string(&states_path)
        .map_err(|e| format!("cannot read {states_path}: {e}"))?;
    let states: Vec<Vec<f64>> = serde_json::from_str(&text)
        .map_err(|e| format!("{states_path}: expected a JSON array of arrays of numbers: {e}"))?;
    let len = system.state_len();
    let n = system.dof();
    let mut ws = Workspace::default();
    let mut out = Vec::with_capacity(states.len());
    for (i, x) in states.iter().enumerate() {
        if x.len() != len {
            return Err(format!(
                "{states_path}: state {i} has {} numbers, {} needs {len} [q..., q̇..., c...]",
                x.len(),
                system.name()
            ));
        }
        let dx = model
            .derivatives(x, 1, &mut ws)
            .map_err(|e| format!("state {i}: {e}"))?;
        // q̈ for the LNN and the baseline; the full (q̇, ṗ) for the HNN, whose velocity is its own.
        out.push(if model.kind() == ModelKind::Hnn {
            dx
        } else {
            dx[n..].to_vec()
        });
    }
    serde_json::to_string(&out).map_err(|e| e.to_string())
}
