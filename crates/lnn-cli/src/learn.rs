//! `lnn train`, `lnn eval`, `lnn predict`: learned models from the command line.
use std::time::Instant;

use lnn_core::metrics::{energy_error_with_progress, EnergyProtocol};
use lnn_core::models::{Angles, Coordinates, Loss, Model, ModelKind, Weighting, Workspace};
use lnn_core::nn::{Activation, Init};
use lnn_core::rng;
use lnn_core::systems::{DoublePendulum, System};
use lnn_core::train::{self, Dataset, Schedule, TrainConfig, Trainer};
use lnn_core::weights::WeightsFile;

use crate::args::{ensure_no_null, flagged, memory_budget, Args};
use crate::progress::Progress;
use crate::truth::true_system;

/// lnn-core's names for the settings of `lnn eval`, where its flag differs.
const EVAL_FLAGS: &[(&str, &str)] = &[
    ("t_end", "energy-t"),
    ("initial_conditions", "energy-ics"),
    ("scale", "energy-scale"),
];

/// The fraction of skipped steps past which a training run has failed: its loss or gradient was
/// not finite on most batches, so the model is whatever the few applied steps left.
const MAX_SKIPPED_FRACTION: f64 = 0.5;

/// A training run that did not train is an error, not a result: a non-finite test loss, or more
/// than half of the steps skipped (`--lr 1e300` skipped 19 of 20 and exited 0 with a null loss).
fn check_training(skipped: u64, steps: u64, test_loss: f64) -> Result<(), String> {
    if skipped as f64 > MAX_SKIPPED_FRACTION * steps as f64 {
        return Err(format!(
            "training failed: {skipped} of {steps} steps were skipped (non-finite loss or gradient); \
             lower --lr, set --clip, or try --solver damped:1e-4; no weights were written"
        ));
    }
    if !test_loss.is_finite() {
        return Err(format!(
            "training failed: the test loss is {test_loss} (the model fails on held-out states); no weights were written"
        ));
    }
    Ok(())
}

/// `--system NAME [--grid N]` or `--lagrangian ...`; the double pendulum when neither is given.
fn system_from(args: &Args) -> Result<System, String> {
    Ok(true_system(args)?.unwrap_or_else(|| System::DoublePendulum(DoublePendulum::default())))
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

/// Bytes per byte of JSON text that parsing may take (the text, the parsed numbers, slack).
const PARSE_FACTOR: f64 = 4.0;

/// Reads a text file whose parse must fit in `budget` (checked on its size first).
fn read_text(path: &str, budget: &lnn_core::Budget) -> Result<String, String> {
    let len = std::fs::metadata(path)
        .map_err(|e| format!("cannot read {path}: {e}"))?
        .len();
    budget
        .check("file size", len as f64 * PARSE_FACTOR)
        .map_err(|e| format!("{path}: {e} (or raise --memory-budget)"))?;
    std::fs::read_to_string(path).map_err(|e| format!("cannot read {path}: {e}"))
}

/// Reads a weights file, with the file name in every error.
pub fn read_weights(
    path: &str,
    budget: &lnn_core::Budget,
) -> Result<
    (
        System,
        lnn_core::models::ModelSpec,
        Box<dyn Model>,
        WeightsFile,
    ),
    String,
> {
    let text = read_text(path, budget)?;
    let file: WeightsFile = serde_json::from_str(&text).map_err(|e| {
        let msg =
            lnn_core::weights::describe_parse_error(&text, &e.to_string(), e.line(), e.column());
        format!("{path} is not a valid weights file: {msg}")
    })?;
    let (system, spec, model) = file.load_within(budget).map_err(|e| match e {
        lnn_core::Error::OverBudget { .. } => format!("{path}: {e} (or raise --memory-budget)"),
        e => format!("{path}: {e}"),
    })?;
    Ok((system, spec, model, file))
}

/// A trajectory file read and turned into a training signal (`--data FILE [--method M]`): its
/// system (the named one the data are declared to come from, else an observed system) and a
/// summary for the report.
struct FromData {
    system: System,
    signal: lnn_core::observe::Signal,
    report: serde_json::Value,
}

fn from_data(args: &Args, path: &str) -> Result<FromData, String> {
    use lnn_core::observe::{self, Method, Signal};
    let budget = memory_budget(args)?;
    let text = read_text(path, &budget)?;
    let named = true_system(args)?;
    let conditioning = named
        .as_ref()
        .map(observe::conditioning_names)
        .unwrap_or_default();
    let data = observe::parse_for(&text, &conditioning).map_err(|e| format!("{path}: {e}"))?;
    let method = Method::from_name(&args.get("method", "estimate".to_string())?)
        .map_err(|e| format!("--method: {e}"))?;
    let prepared = observe::prepare(&data, method).map_err(|e| format!("{path}: {e}"))?;
    let system = match named {
        Some(system) => {
            if system.dof() != data.dof() {
                return Err(format!(
                    "{path} has {} coordinates ({}), but {} has {}",
                    data.dof(),
                    data.names.join(", "),
                    system.name(),
                    system.dof()
                ));
            }
            system
        }
        None => System::Observed(std::sync::Arc::new(prepared.observed.clone())),
    };
    let mut report = serde_json::json!({
        "file": path, "method": method.name(), "coordinates": data.names,
        "trajectories": data.runs.len(), "samples": data.samples(),
    });
    match &prepared.signal {
        Signal::Estimated {
            train,
            test,
            smoothing,
        } => {
            report["smoothing"] =
                serde_json::json!({"half_width": smoothing.half, "degree": smoothing.degree});
            report["train_samples"] = train.samples.into();
            report["test_samples"] = test.samples.into();
        }
        Signal::Windows { train, test } => {
            report["train_windows"] = train.count.into();
            report["test_windows"] = test.count.into();
        }
    }
    Ok(FromData {
        system,
        signal: prepared.signal,
        report,
    })
}

pub fn train(args: &Args, argv: &[String]) -> Result<String, String> {
    let data: Option<String> = args.opt("data")?;
    let from_data = data.as_deref().map(|p| from_data(args, p)).transpose()?;
    let system = match &from_data {
        Some(d) => d.system.clone(),
        None => system_from(args)?,
    };
    let typed = matches!(system, System::Custom(_));
    let kind =
        ModelKind::from_name(&args.get("model", "lnn".to_string())?).map_err(|e| e.to_string())?;
    let d = TrainConfig::new(system, kind);
    let steps: u64 = args.get("steps", 10_000)?;
    let config = TrainConfig {
        // With --lagrangian, --coordinates names q; the HNN's choice is --hnn-coordinates.
        coordinates: Coordinates::from_name(&args.get(
            if typed {
                "hnn-coordinates"
            } else {
                "coordinates"
            },
            "velocity".to_string(),
        )?)
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
        weighting: Weighting::from_name(&args.get("weighting", "none".to_string())?)
            .map_err(|e| format!("--weighting: {e}"))?,
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
    if let Some(asinh) = args.list("asinh")? {
        let mut norm = config.spec().normalisation;
        norm.asinh = asinh.iter().map(|&a| a != 0.0).collect();
        config.normalisation = Some(norm);
    }
    if let Some(linear) = args.list("linear")? {
        let mut norm = config.spec().normalisation;
        norm.linear = linear;
        config.normalisation = Some(norm);
    }
    if let Some(atanh) = args.list("atanh")? {
        let mut norm = config.spec().normalisation;
        norm.atanh = atanh.iter().map(|&a| a != 0.0).collect();
        config.normalisation = Some(norm);
    }
    if let Some(names) = args.opt::<String>("periodic")? {
        // Coordinates of a trajectory file that are angles: wrapped into [−π, π), unscaled.
        let System::Observed(o) = &config.system else {
            return Err("--periodic names angles of an observed system (--data FILE without --system); a named system knows its own".into());
        };
        let mut norm = config.spec().normalisation;
        for name in names.split(',').map(str::trim) {
            let i = o
                .coordinates
                .iter()
                .position(|c| c == name)
                .ok_or_else(|| {
                    format!(
                        "--periodic: no coordinate `{name}` (the file has {})",
                        o.coordinates.join(", ")
                    )
                })?;
            norm.wrap[i] = true;
            norm.scale[i] = 1.0;
        }
        config.normalisation = Some(norm);
    }
    if let Some(name) = args.opt::<String>("angles")? {
        let angles = Angles::from_name(&name).map_err(|e| format!("--angles: {e}"))?;
        config.normalisation = Some(config.spec().normalisation.with_angles(angles));
    }
    let out: Option<String> = args.opt("out")?;
    let every: f64 = args.get("log-every", 2.0)?;
    let quiet = args.flag("quiet");
    config.memory_budget = memory_budget(args)?;
    args.finish()?;
    let (mut trainer, data_report) = match from_data {
        Some(d) => (
            Trainer::with_signal(config, d.signal).map_err(|e| flagged(e, &[]))?,
            Some(d.report),
        ),
        None => (Trainer::new(config).map_err(|e| flagged(e, &[]))?, None),
    };
    let initial = trainer.test_loss();
    let start = Instant::now();
    let mut progress = Progress::new("train", "steps", steps, every, quiet);
    let mut done = 0;
    while done < steps {
        let chunk = (steps - done).min(50);
        let s = trainer.step(chunk).map_err(|e| e.to_string())?;
        done += chunk;
        progress.tick(done, || {
            format!(
                "loss {:.3e}  test {:.3e}  lr {:.1e}  skipped {}",
                s.loss,
                trainer.test_loss(),
                s.lr,
                s.skipped
            )
        });
    }
    let test = trainer.test_loss();
    let seconds = start.elapsed().as_secs_f64();
    check_training(trainer.skipped(), steps, test)?;
    let mut report = serde_json::json!({
        "system": trainer.config().system.name(), "model": kind.name(),
        "precision": trainer.precision().name(), "steps": trainer.steps(), "skipped": trainer.skipped(),
        "test_loss": test, "seconds": seconds,
        "steps_per_s": trainer.steps() as f64 / seconds,
    });
    if let Some(d) = data_report {
        report["data"] = d;
    }
    // A fresh network can fail on some test state; that is where it starts, not a failure.
    if initial.is_finite() {
        report["initial_test_loss"] = initial.into();
    }
    ensure_no_null(&report)?;
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
    let energy_scale: Option<f64> = args.opt("energy-scale")?;
    let loss = Loss::from_name(&args.get("loss", "l1".to_string())?).map_err(|e| e.to_string())?;
    let budget = memory_budget(args)?;
    let quiet = args.flag("quiet");
    args.finish()?;
    if !(1..=train::MAX_BATCH).contains(&test_size) {
        return Err(format!(
            "invalid `--test-size`: {test_size} is outside 1..={}: a test set needs states, and more than {} adds nothing but time",
            train::MAX_BATCH,
            train::MAX_BATCH
        ));
    }
    // The paper's energy protocol, where it is defined: the double pendulum in (q, q̇);
    // checked before the model is loaded, so a bad flag costs nothing.
    let d = EnergyProtocol::default();
    let protocol = EnergyProtocol {
        initial_conditions: ics,
        t_end,
        scale: energy_scale.unwrap_or(d.scale),
        ..d
    };
    if ics > 0 {
        protocol.validate().map_err(|e| flagged(e, EVAL_FLAGS))?;
    }
    let (system, spec, model, file) = read_weights(&path, &budget)?;
    if let System::Observed(_) = system {
        return Err(format!("{path} was learned from observed trajectories with no known system behind them: there is nothing true to test it against (its held-out loss is in lnn train's report; train with --data FILE --system NAME when the data are a known system's)"));
    }
    budget
        .check(
            "test_size",
            train::test_set_bytes(&system, &spec, test_size),
        )
        .map_err(|e| flagged(e, &[]))?;
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
    if !test_loss.is_finite() {
        return Err(format!(
            "{path}: the test loss is {test_loss}: the model fails (non-finite derivatives or a singular mass matrix) on some of the {test_size} test states"
        ));
    }
    let mut report = serde_json::json!({
        "model": file.model, "system": file.system, "step": file.step,
        "precision": spec.precision.name(),
        "test_loss": test_loss, "loss": loss.name(), "test_size": test_size,
    });
    if let System::Wave(w) = system {
        report["wave_rollout"] = wave_rollout(&system, &w, &*model)?;
    }
    if let System::Relativistic(_) = system {
        // The paper's score on the same held-out states, in velocity coordinates for either
        // model (a canonical model's ṗ turned into q̈ with the true M and C).
        let mut velocity = Dataset::default();
        train::data::sample(
            &system,
            Coordinates::Velocity,
            test_size,
            &mut rng::seeded(train::TEST_SEED),
            &mut velocity,
        )
        .map_err(|e| e.to_string())?;
        let s = crate::scores::relativistic_scores(&*model, &system, &velocity)?;
        report["paper_weighted_l1"] = s.paper_l1.into();
        report["paper_weighted_l1_qdot"] = s.paper_l1_qdot.into();
        report["qdd_mse"] = s.qdd_mse.into();
    }
    // The protocol for a typed Lagrangian: initial conditions from its ranges, the energy
    // error relative to the scale the user gives (no scale is right for every system).
    let protocol_applies = match &system {
        System::DoublePendulum(_) => true,
        System::Custom(_) => energy_scale.is_some(),
        _ => false,
    };
    if matches!(system, System::Custom(_)) && energy_scale.is_none() {
        report["energy_error_note"] =
            "give --energy-scale E (a typical energy of the system) for the energy protocol".into();
    }
    if protocol_applies && spec.coordinates == Coordinates::Velocity && ics > 0 {
        let n = system.dof();
        let accel = |x: &[f64]| -> lnn_core::Result<Vec<f64>> {
            let dx = model.derivatives(x, 1, &mut Workspace::default())?;
            Ok(dx[n..].to_vec())
        };
        let mut progress = Progress::new("energy protocol", "rollouts", ics as u64, 2.0, quiet);
        let r = energy_error_with_progress(
            &system,
            accel,
            &protocol,
            |r| match &system {
                System::Custom(c) => c.sample(r),
                _ => DoublePendulum::sample_energy_protocol_state(r).to_vec(),
            },
            |done, _| progress.tick(done as u64, String::new),
        )
        .map_err(|e| flagged(e, EVAL_FLAGS))?;
        report["energy_error"] = energy_report(&r, ics, t_end)?;
    }
    ensure_no_null(&report)?;
    Ok(report.to_string())
}

/// The protocol's result as JSON with finite numbers only: the mean over the rollouts that did
/// not diverge (absent if none), the median only while fewer than half diverged (it counts them
/// as +∞), and the count of diverged rollouts in a field of its own. Shared by `eval` and
/// `repro`.
pub fn energy_json(r: &lnn_core::metrics::EnergyReport) -> serde_json::Value {
    let mut v = serde_json::json!({ "diverged": r.diverged });
    if r.mean.is_finite() {
        v["mean"] = r.mean.into();
    }
    if r.median.is_finite() {
        v["median"] = r.median.into();
    } else {
        v["median_note"] =
            "at least half of the rollouts diverged, so the median is infinite".into();
    }
    v
}

/// [`energy_json`] with the protocol's settings, for `lnn eval`; an evaluation where every
/// rollout diverged is an error, not a result.
fn energy_report(
    r: &lnn_core::metrics::EnergyReport,
    ics: usize,
    t_end: f64,
) -> Result<serde_json::Value, String> {
    if r.diverged == r.errors.len() {
        return Err(format!(
            "every one of the {ics} rollouts of the energy protocol diverged (energy off by more than 10× the scale, a non-finite state, or too stiff to integrate): the model does not conserve energy"
        ));
    }
    let mut v = energy_json(r);
    v["initial_conditions"] = ics.into();
    v["t"] = t_end.into();
    v["integrator"] = "dopri5 rtol=atol=1e-9".into();
    Ok(v)
}

/// The most density evaluations the wave rollout of `lnn eval` may take (~30 s on one core):
/// the shipped N = 100 takes 1.2e6, N = 1000 would take 1.2e8.
const WAVE_ROLLOUT_MAX_DENSITIES: f64 = 2e7;

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
    // The work grows as N² (3N/c outputs of N densities each): bounded, and said so.
    let densities =
        lnn_core::integrate::output_intervals(t_end, dt) * substeps as f64 * 4.0 * w.n as f64;
    if densities > WAVE_ROLLOUT_MAX_DENSITIES {
        return Ok(serde_json::json!({
            "skipped": format!(
                "a grid of {} points needs {densities:.1e} density evaluations for three box crossings, more than the limit of {WAVE_ROLLOUT_MAX_DENSITIES:.0e} (about 30 s)",
                w.n
            ),
        }));
    }
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
    let learned = match rollout(
        lnn_core::models::vector_field(model, &mut ws),
        &x0,
        t_end,
        dt,
        &integrator,
    ) {
        Ok(traj) => traj,
        Err(e) => {
            return Ok(serde_json::json!({
                "t": t_end, "diverged": true,
                "reason": format!("the model's rollout failed: {e}"),
            }))
        }
    };
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
    let mut v = serde_json::json!({
        "t": t_end, "box_crossings": 3, "integrator": format!("rk4, h = {}", dt / substeps as f64),
        "diverged": false,
        "max_relative_energy_error_model": drift(&el),
        "max_relative_energy_error_truth": drift(&et),
        "final_field_rms_error_relative": rms(&diff) / rms(a),
    });
    // The learned energy can fail where the rollout did not (its own evaluation): then it is
    // left out, not written as null.
    let own_drift = drift(&own);
    if own_drift.is_finite() {
        v["max_relative_drift_of_learned_energy"] = own_drift.into();
    }
    Ok(v)
}

pub fn predict(args: &Args) -> Result<String, String> {
    let path: Option<String> = args.opt("model")?;
    let truth = true_system(args)?;
    let states_path: String = args
        .opt("states")?
        .ok_or("--states FILE is required (a JSON array of states)")?;
    let budget = memory_budget(args)?;
    args.finish()?;
    let path = match (path, truth) {
        (Some(_), Some(_)) => {
            return Err(
                "give --model FILE or a true system (--system, --lagrangian), not both".into(),
            )
        }
        (None, Some(truth)) => return predict_truth(&truth, &states_path, &budget),
        (None, None) => {
            return Err("--model FILE, --system NAME or --lagrangian EXPR is required".into())
        }
        (Some(path), None) => path,
    };
    let (system, _, model, _) = read_weights(&path, &budget)?;
    let text = read_text(&states_path, &budget)?;
    let len = system.state_len();
    let states =
        parse_states(&text, len, system.name()).map_err(|e| format!("{states_path}: {e}"))?;
    let n = system.dof();
    let mut ws = Workspace::default();
    let mut out = Vec::with_capacity(states.len());
    for (i, x) in states.iter().enumerate() {
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

/// `lnn predict` of a true system: `[{"accelerations": [...], "energy": E}]`, one per state.
fn predict_truth(
    truth: &System,
    states_path: &str,
    budget: &lnn_core::Budget,
) -> Result<String, String> {
    let text = read_text(states_path, budget)?;
    let states = parse_states(&text, truth.state_len(), truth.name())
        .map_err(|e| format!("{states_path}: {e}"))?;
    let out = states
        .iter()
        .enumerate()
        .map(|(i, x)| {
            let at = |e: lnn_core::Error| format!("state {i}: {e}");
            let accelerations = truth
                .accelerations(x, &lnn_core::systems::Derivation::default())
                .map_err(at)?;
            let energy = truth.energy(x).map_err(at)?;
            Ok(serde_json::json!({ "accelerations": accelerations, "energy": energy }))
        })
        .collect::<Result<Vec<_>, String>>()?;
    let v = serde_json::Value::Array(out);
    ensure_no_null(&v)?;
    Ok(v.to_string())
}

/// The states of a states file: a JSON array of states of `len` finite numbers each, for the
/// system `name`. The error says where and what: a `NaN` or `Infinity` literal (not JSON, but
/// what other tools write) is named as such rather than as "expected value".
pub fn parse_states(text: &str, len: usize, name: &str) -> Result<Vec<Vec<f64>>, String> {
    let states: Vec<Vec<f64>> = serde_json::from_str(text).map_err(|e| {
        let (line, column) = (e.line(), e.column());
        let at = text
            .lines()
            .nth(line.saturating_sub(1))
            .and_then(|l| l.get(column.saturating_sub(1)..))
            .unwrap_or("")
            .trim_start_matches(['-', '+']);
        let literal = ["NaN", "nan", "Infinity", "inf", "Inf"]
            .into_iter()
            .find(|lit| at.starts_with(lit));
        match literal {
            Some(lit) => format!(
                "line {line} column {column}: `{lit}` is not a number JSON allows; every state must be finite numbers"
            ),
            None => format!("expected a JSON array of arrays of numbers: {e}"),
        }
    })?;
    for (i, x) in states.iter().enumerate() {
        if x.len() != len {
            return Err(format!(
                "state {i} has {} numbers, {name} needs {len} [q..., q̇..., c...]",
                x.len()
            ));
        }
        if let Some(j) = x.iter().position(|v| !v.is_finite()) {
            return Err(format!("state {i}, number {j} is not finite"));
        }
    }
    Ok(states)
}

#[cfg(test)]
mod tests {
    use super::*;
    use lnn_core::metrics::EnergyReport;

    #[test]
    fn a_run_that_mostly_skipped_or_ended_non_finite_fails() {
        assert!(check_training(0, 20, 0.5).is_ok());
        assert!(check_training(10, 20, 0.5).is_ok(), "half is not most");
        let e = check_training(19, 20, 0.5).unwrap_err();
        assert!(
            e.contains("19 of 20 steps were skipped") && e.contains("--lr"),
            "{e}"
        );
        let e = check_training(0, 20, f64::NAN).unwrap_err();
        assert!(e.contains("test loss is NaN"), "{e}");
    }

    fn report(errors: Vec<Option<f64>>) -> EnergyReport {
        let finite: Vec<f64> = errors.iter().flatten().copied().collect();
        let mut all: Vec<f64> = errors.iter().map(|e| e.unwrap_or(f64::INFINITY)).collect();
        all.sort_by(f64::total_cmp);
        EnergyReport {
            mean: if finite.is_empty() {
                f64::INFINITY
            } else {
                finite.iter().sum::<f64>() / finite.len() as f64
            },
            median: all[all.len() / 2],
            diverged: errors.len() - finite.len(),
            errors,
        }
    }

    #[test]
    fn energy_results_print_finite_numbers_with_divergence_in_its_own_field() {
        let v = energy_report(&report(vec![Some(0.01), None, None]), 3, 100.0).unwrap();
        assert!(ensure_no_null(&v).is_ok(), "{v}");
        assert_eq!(v["diverged"], 2);
        assert!(
            v.get("median").is_none() && v["median_note"].is_string(),
            "{v}"
        );
        let v = energy_report(&report(vec![Some(0.01), Some(0.02), None]), 3, 100.0).unwrap();
        assert_eq!(v["median"], 0.02);
        let e = energy_report(&report(vec![None, None]), 2, 100.0).unwrap_err();
        assert!(e.contains("every one of the 2 rollouts"), "{e}");
    }

    #[test]
    fn states_files_are_read_or_refused_naming_what_is_wrong() {
        assert_eq!(
            parse_states("[[1, 2]]", 2, "x").unwrap(),
            vec![vec![1.0, 2.0]]
        );
        let cases = [
            ("[[NaN, 0]]", "`NaN` is not a number JSON allows"),
            ("[[0,\n -Infinity]]", "line 2"),
            ("[[1, 2, 3]]", "state 0 has 3 numbers"),
            ("[[1, 2], [3]]", "state 1 has 1 numbers"),
            ("{\"a\": 1}", "expected a JSON array"),
            ("[[1e999, 0]]", "expected a JSON array"),
            ("", "expected a JSON array"),
        ];
        for (text, needle) in cases {
            let e = parse_states(text, 2, "x").unwrap_err();
            assert!(e.contains(needle), "{text}: {e}");
        }
    }

    /// The states reader over mutations of a valid file (a seeded generator: bytes replaced,
    /// deleted, doubled, non-finite literals, huge exponents, truncation): never a panic, every
    /// error says where or what, and only finite states of the right length get through.
    #[test]
    fn mutated_states_files_never_panic() {
        let start = Instant::now();
        let base = "[[1.0, 2.5, -0.25, 3e-3], [0, 0, 0, 0.5]]";
        let pieces = [
            "NaN",
            "Infinity",
            "-inf",
            "1e999",
            "\"x\"",
            "null",
            "[",
            "]",
            ",",
            "1e-400",
            "9".repeat(400).leak(),
        ];
        let mut r = lnn_core::rng::seeded(7);
        let pick = |r: &mut lnn_core::rng::StdRng, n: usize| {
            ((lnn_core::rng::unit(r) * n as f64) as usize).min(n.max(1) - 1)
        };
        let mut cases = 0;
        while cases < 5000 && start.elapsed().as_secs_f64() < 10.0 {
            let mut t = base.to_string();
            for _ in 0..1 + pick(&mut r, 3) {
                let at = pick(&mut r, t.len() + 1);
                match pick(&mut r, 4) {
                    0 => t.insert_str(at, pieces[pick(&mut r, pieces.len())]),
                    1 if at < t.len() => {
                        t.remove(at);
                    }
                    2 => t.truncate(at),
                    _ => {
                        let s = t[at..].to_string();
                        t.insert_str(at, &s[..s.len().min(12)]);
                    }
                }
            }
            match parse_states(&t, 4, "double-pendulum") {
                Ok(states) => assert!(
                    states
                        .iter()
                        .all(|s| s.len() == 4 && s.iter().all(|v| v.is_finite())),
                    "{t}"
                ),
                Err(e) => assert!(
                    e.contains("line ") || e.contains("state ") || e.contains('`'),
                    "{t}: {e}"
                ),
            }
            cases += 1;
        }
        eprintln!(
            "states fuzz: {cases} cases in {:.2} s",
            start.elapsed().as_secs_f64()
        );
        assert!(cases >= 1000, "{cases}");
    }
}
