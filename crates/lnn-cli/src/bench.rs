//! `lnn bench`: throughput tables. Ratios measured in one run are what to compare; absolute
//! figures move with the machine's load.
use std::hint::black_box;
use std::time::{Duration, Instant};

use lnn_core::models::{GraphLnn, GridSolver, Model, ModelKind, Workspace};
use lnn_core::rng;
use lnn_core::systems::{Derivation, DoublePendulum, System};
use lnn_core::train::{TrainConfig, Trainer};
use lnn_core::Precision;

use crate::args::Args;

/// Calls `f` in batches until `budget` has passed; returns calls per second.
fn throughput(budget: Duration, mut f: impl FnMut()) -> f64 {
    for _ in 0..100 {
        f(); // warm up caches and branch predictors
    }
    let start = Instant::now();
    let mut calls = 0u64;
    while start.elapsed() < budget {
        for _ in 0..1000 {
            f();
        }
        calls += 1000;
    }
    calls as f64 / start.elapsed().as_secs_f64()
}

/// Milliseconds per training step (sampling, forward pass, reverse pass, Adam), timed over at
/// least `budget` and at least three steps after one warm-up step.
fn ms_per_step(
    model: ModelKind,
    hidden: &[usize],
    batch: usize,
    precision: Precision,
    budget: Duration,
) -> Result<f64, String> {
    let mut t = bench_trainer(model, hidden, batch, precision)?;
    t.step(1).map_err(|e| e.to_string())?;
    let start = Instant::now();
    let mut steps = 0u64;
    while steps < 3 || start.elapsed() < budget {
        t.step(1).map_err(|e| e.to_string())?;
        steps += 1;
    }
    Ok(start.elapsed().as_secs_f64() * 1e3 / steps as f64)
}

fn bench_trainer(
    model: ModelKind,
    hidden: &[usize],
    batch: usize,
    precision: Precision,
) -> Result<Trainer, String> {
    let system = System::DoublePendulum(DoublePendulum::default());
    let config = TrainConfig {
        hidden: hidden.to_vec(),
        batch,
        test_size: 1,
        precision,
        ..TrainConfig::new(system.clone(), model)
    };
    Trainer::new(config).map_err(|e| e.to_string())
}

/// Milliseconds per step in f64 and in f32 of the same model, the two runs taking turns in
/// slices of an eighth of `budget` (each slice at least one step, the first step of each slice
/// untimed, so neither precision is timed on caches the other one just filled) until each has
/// run `budget` and three steps: a change of the machine's load during the measurement
/// affects both alike, so their ratio is the f32 speed-up of one run.
fn ms_per_step_f64_f32(
    model: ModelKind,
    hidden: &[usize],
    batch: usize,
    budget: Duration,
) -> Result<(f64, f64), String> {
    let mut t = [
        bench_trainer(model, hidden, batch, Precision::F64)?,
        bench_trainer(model, hidden, batch, Precision::F32)?,
    ];
    let mut spent = [Duration::ZERO; 2];
    let mut steps = [0u32; 2];
    let slice = budget / 8;
    while steps.iter().any(|&s| s < 3) || spent.iter().any(|&d| d < budget) {
        for i in 0..2 {
            t[i].step(1).map_err(|e| e.to_string())?;
            let start = Instant::now();
            loop {
                t[i].step(1).map_err(|e| e.to_string())?;
                steps[i] += 1;
                if start.elapsed() >= slice {
                    break;
                }
            }
            spent[i] += start.elapsed();
        }
    }
    let ms = |i: usize| spent[i].as_secs_f64() * 1e3 / f64::from(steps[i]);
    Ok((ms(0), ms(1)))
}

/// Where and when [`jax_historical`] was measured (it is not measured by this run).
const JAX_MEASURED: &str =
    "2026-12-02, this project's Intel Xeon (AVX-512, 2 cores, shared), the paper's code, jit, CPU";

/// Historical figures: the paper's JAX code, ms per training step at each precision, measured
/// once ([`JAX_MEASURED`]); a different machine or load moves them.
fn jax_historical(
    model: ModelKind,
    hidden: &[usize],
    batch: usize,
    precision: Precision,
) -> Option<f64> {
    match (model, hidden, batch, precision) {
        (ModelKind::Lnn, [128, 128], 32, Precision::F64) => Some(3.18),
        (ModelKind::Lnn, [128, 128], 32, Precision::F32) => Some(2.64),
        (ModelKind::Lnn, [500, 500, 500], 32, Precision::F64) => Some(32.6),
        (ModelKind::Lnn, [500, 500, 500], 32, Precision::F32) => Some(21.0),
        (ModelKind::Baseline, [128, 128], 32, Precision::F32) => Some(0.22),
        _ => None,
    }
}

pub fn run(args: &Args) -> Result<String, String> {
    let json = args.flag("json");
    let seconds: f64 = args.get("seconds", 1.0)?;
    let only: Option<String> = args.opt("only")?;
    args.finish()?;
    if !(seconds > 0.0 && seconds <= 600.0) {
        return Err("--seconds must be in (0, 600]".into());
    }
    let budget = Duration::from_secs_f64(seconds);
    let mut out = String::new();
    match only.as_deref() {
        None => {
            out += &engine_table(budget, json);
            out += &training_table(budget, json)?;
            out += &graph_table(budget, json)?;
        }
        Some("engine") => out += &engine_table(budget, json),
        Some("training") => out += &training_table(budget, json)?,
        Some("graph") => out += &graph_table(budget, json)?,
        Some(other) => {
            return Err(format!(
                "--only: unknown `{other}`; expected engine, training or graph"
            ))
        }
    }
    Ok(out)
}

fn training_table(budget: Duration, json: bool) -> Result<String, String> {
    use Precision::{F32, F64};
    let rows: [(ModelKind, &[usize], usize, Precision); 9] = [
        (ModelKind::Lnn, &[128, 128], 32, F64),
        (ModelKind::Lnn, &[128, 128], 256, F64),
        (ModelKind::Lnn, &[500, 500, 500], 32, F64),
        (ModelKind::Lnn, &[500, 500, 500], 256, F64),
        (ModelKind::Baseline, &[128, 128], 32, F64),
        (ModelKind::Hnn, &[128, 128], 32, F64),
        (ModelKind::Lnn, &[128, 128], 32, F32),
        (ModelKind::Lnn, &[500, 500, 500], 32, F32),
        (ModelKind::Baseline, &[128, 128], 32, F32),
    ];
    let mut out = String::new();
    if !json {
        out += &format!(
            "\ntraining steps, double pendulum, one thread (JAX, historical: {JAX_MEASURED})\n"
        );
        out += &format!(
            "{:<9} {:<12} {:>6} {:>5} {:>11} {:>13} {:>10} {:>12} {:>10}\n",
            "model",
            "hidden",
            "batch",
            "float",
            "ms/step",
            "samples/s",
            "JAX ms",
            "JAX / ours",
            "f64 / f32"
        );
    }
    for (model, hidden, batch, precision) in rows {
        // An f32 row is timed in turns with the same model in f64: the f32 speed-up of this
        // run (`f64_over_f32`), not thrown off by the load changing between rows.
        let (ms, speedup) = match precision {
            F64 => (ms_per_step(model, hidden, batch, precision, budget)?, None),
            F32 => {
                let (ms64, ms32) = ms_per_step_f64_f32(model, hidden, batch, budget)?;
                (ms32, Some(ms64 / ms32))
            }
        };
        let sps = batch as f64 * 1e3 / ms;
        let jax = jax_historical(model, hidden, batch, precision);
        if json {
            let mut v = serde_json::json!({
                "model": model.name(), "system": "double-pendulum", "hidden": hidden, "batch": batch,
                "precision": precision.name(), "ms_per_step": ms, "samples_per_s": sps.round(),
            });
            if let Some(j) = jax {
                v["jax_ms_per_step_historical"] = serde_json::json!(j);
                v["jax_measured"] = serde_json::json!(JAX_MEASURED);
            }
            if let Some(x) = speedup {
                v["f64_over_f32"] = serde_json::json!(x);
            }
            out += &v.to_string();
            out.push('\n');
        } else {
            let h = hidden
                .iter()
                .map(|w| w.to_string())
                .collect::<Vec<_>>()
                .join("x");
            let (jm, ratio) = match jax {
                Some(j) => (format!("{j:.2}"), format!("{:.2}x", j / ms)),
                None => ("-".into(), "-".into()),
            };
            let sp = speedup.map_or("-".to_string(), |x| format!("{x:.2}x"));
            out += &format!(
                "{:<9} {:<12} {:>6} {:>5} {:>11.3} {:>13.0} {:>10} {:>12} {:>10}\n",
                model.name(),
                h,
                batch,
                precision.name(),
                ms,
                sps,
                jm,
                ratio,
                sp
            );
        }
    }
    if !json {
        out += "f64 / f32: the f32 row timed in turns with the same model in f64, in this run\n";
    }
    Ok(out)
}

fn engine_table(budget: Duration, json: bool) -> String {
    let sys = System::DoublePendulum(DoublePendulum::default());
    let mut r = rng::seeded(0);
    let states: Vec<[f64; 4]> = (0..1024)
        .map(|_| DoublePendulum::sample_training_state(&mut r))
        .collect();
    let rate = |how: Derivation| {
        let mut i = 0;
        throughput(budget, || {
            let x = &states[i % states.len()];
            i += 1;
            black_box(sys.accelerations(black_box(x), &how).expect("valid state"));
        })
    };
    let engine = rate(Derivation::default());
    let closed = rate(Derivation::ClosedForm);
    let rows = [
        (
            "engine (Taylor-mode jets + pseudo-inverse)",
            "engine",
            engine,
        ),
        ("closed form", "closed-form", closed),
    ];
    let mut out = String::new();
    if json {
        for (_, key, r) in rows {
            out += &serde_json::json!({
                "bench": "accelerations", "system": "double-pendulum", "path": key,
                "evals_per_s": r.round(), "us_per_eval": 1e6 / r,
            })
            .to_string();
            out.push('\n');
        }
    } else {
        out += "double pendulum accelerations, single thread\n";
        out += &format!("{:<46} {:>14} {:>10}\n", "path", "evals/s", "µs/eval");
        for (name, _, r) in rows {
            out += &format!("{name:<46} {r:>14.0} {:>10.3}\n", 1e6 / r);
        }
        out += &format!("engine / closed form time ratio: {:.1}×\n", closed / engine);
    }
    out
}

/// Milliseconds per evaluation of φ̈ for the graph model on a random smooth wave, timed over at
/// least `budget` and at least two evaluations after a warm-up.
fn graph_ms_per_eval(n: usize, solver: GridSolver, budget: Duration) -> Result<f64, String> {
    let system = System::wave(n).map_err(|e| e.to_string())?;
    let config = TrainConfig {
        hidden: vec![32, 32],
        test_size: 1,
        ..TrainConfig::new(system.clone(), ModelKind::GraphLnn)
    };
    let spec = config.spec();
    let mlp = lnn_core::nn::Mlp::new(
        &spec.sizes(),
        spec.activation,
        lnn_core::nn::Init::Xavier,
        0,
    )
    .map_err(|e| e.to_string())?;
    let mut model = GraphLnn::new(mlp, n, 1.0 / n as f64, spec.normalisation.clone());
    model.solver = solver;
    let x = lnn_core::train::data::sample_state(&system, &mut rng::seeded(1))
        .map_err(|e| e.to_string())?;
    let mut ws = Workspace::default();
    model
        .derivatives(&x, 1, &mut ws)
        .map_err(|e| e.to_string())?;
    let start = Instant::now();
    let mut evals = 0u32;
    while evals < 2 || start.elapsed() < budget {
        black_box(
            model
                .derivatives(black_box(&x), 1, &mut ws)
                .map_err(|e| e.to_string())?,
        );
        evals += 1;
    }
    Ok(start.elapsed().as_secs_f64() * 1e3 / f64::from(evals))
}

fn graph_table(budget: Duration, json: bool) -> Result<String, String> {
    let mut out = String::new();
    if !json {
        out += "\ngraph LNN (density 2x32 softplus), one evaluation of the accelerations, one thread\n";
        out += &format!(
            "{:>8} {:>14} {:>14} {:>16}\n",
            "grid N", "banded ms", "dense ms", "banded ratio"
        );
    }
    let mut prev: Option<f64> = None;
    for n in [100usize, 1_000, 10_000, 100_000] {
        let banded = graph_ms_per_eval(n, GridSolver::Banded, budget)?;
        // The dense reference is O(N³): 1000 points take seconds, 10,000 would take hours.
        let dense = if n <= 1_000 {
            Some(graph_ms_per_eval(
                n,
                GridSolver::Dense(lnn_core::Solver::default()),
                budget,
            )?)
        } else {
            None
        };
        if json {
            out += &serde_json::json!({"model": "graph-lnn", "grid": n, "solver": "banded", "ms_per_eval": banded}).to_string();
            out.push('\n');
            if let Some(d) = dense {
                out += &serde_json::json!({"model": "graph-lnn", "grid": n, "solver": "dense", "ms_per_eval": d}).to_string();
                out.push('\n');
            }
        } else {
            let d = dense.map_or("-".to_string(), |d| format!("{d:.3}"));
            let ratio = prev.map_or("-".to_string(), |p| format!("{:.1}x per 10x N", banded / p));
            out += &format!("{n:>8} {banded:>14.3} {d:>14} {ratio:>16}\n");
        }
        prev = Some(banded);
    }
    Ok(out)
}
