//! `lnn repro`: the paper's three experiments from fixed seeds, with results (JSON), figures (SVG)
//! and a Markdown table beside the paper's numbers.
//!
//! Budgets: `smoke` (seconds; CI runs it to check the pipeline), `quick` (minutes), `full` (at
//! most about 30 minutes per experiment on one core of the project's machines).
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::Instant;

use lnn_core::integrate::{rollout, second_order};
use lnn_core::metrics::{energy_error_with_progress, EnergyProtocol};
use lnn_core::models::{Coordinates, Loss, Model, ModelKind, Weighting, Workspace};
use lnn_core::nn::Init;
use lnn_core::systems::{Derivation, DoublePendulum, Relativistic, System};
use lnn_core::train::{Schedule, TrainConfig, Trainer};
use lnn_core::{Integrator, Trajectory};
use serde_json::{json, Value};

use crate::args::Args;
use crate::progress::Progress;
use crate::svg::{self, Plot, Series};

#[derive(Clone, Copy, PartialEq)]
enum Budget {
    Smoke,
    Quick,
    Full,
}

impl Budget {
    fn name(self) -> &'static str {
        match self {
            Budget::Smoke => "smoke",
            Budget::Quick => "quick",
            Budget::Full => "full",
        }
    }
    /// Steps for (smoke, quick, full).
    fn pick<T>(self, smoke: T, quick: T, full: T) -> T {
        match self {
            Budget::Smoke => smoke,
            Budget::Quick => quick,
            Budget::Full => full,
        }
    }
}

/// What an experiment produced: results, figures, and Markdown rows (ours vs the paper).
struct Outcome {
    name: &'static str,
    results: Value,
    figures: Vec<(String, String)>,
    /// Weights files of the trained models (the page's shipped weights come from these).
    weights: Vec<(String, String)>,
    table: String,
}

/// One trained model as a weights file whose `made_by` is the repro command.
fn weights(file: &str, t: &Trainer, made_by: &str) -> Result<(String, String), String> {
    let w = lnn_core::weights::WeightsFile::new(
        &t.config().system,
        t.spec(),
        t.model(),
        t.steps(),
        t.config().seed,
        made_by.into(),
    );
    let json = serde_json::to_string(&w).map_err(|e| e.to_string())?;
    Ok((file.into(), json + "\n"))
}

/// The command that reproduces an experiment's outcome.
fn made_by(name: &str, budget: Budget, seed: u64) -> String {
    format!("lnn repro {name} --budget {} --seed {seed}", budget.name())
}

fn train(config: TrainConfig, steps: u64) -> Result<(Trainer, f64, f64), String> {
    let start = Instant::now();
    let mut t = Trainer::new(TrainConfig {
        total_steps: steps,
        ..config
    })
    .map_err(|e| e.to_string())?;
    let label = format!(
        "repro: {} {}",
        t.config().system.name(),
        t.config().model.name()
    );
    let mut progress = Progress::new(label, "steps", steps, 5.0, false);
    let mut done = 0;
    while done < steps {
        let chunk = (steps - done).min(500);
        t.step(chunk).map_err(|e| e.to_string())?;
        done += chunk;
        progress.tick(done, String::new);
    }
    let seconds = start.elapsed().as_secs_f64();
    let test = t.test_loss();
    Ok((t, test, seconds))
}

/// Rolls a model out from `x0` (in its own coordinates).
fn model_rollout(
    model: &dyn Model,
    x0: &[f64],
    t: f64,
    dt: f64,
    integrator: &Integrator,
) -> Result<Trajectory, String> {
    lnn_core::models::rollout(model, x0, t, dt, integrator, &mut Workspace::default())
        .map_err(|e| e.to_string())
}

fn truth_rollout(
    system: &System,
    x0: &[f64],
    t: f64,
    dt: f64,
    integrator: &Integrator,
) -> Result<Trajectory, String> {
    let how = Derivation::default();
    rollout(
        second_order(system.dof(), |x| system.accelerations(x, &how)),
        x0,
        t,
        dt,
        integrator,
    )
    .map_err(|e| e.to_string())
}

/// A trajectory truncated where it stopped being finite (a blown-up model's rollout).
fn series(name: &str, color: &'static str, traj: &Trajectory, f: impl Fn(&[f64]) -> f64) -> Series {
    Series {
        name: name.into(),
        color,
        points: (0..traj.len())
            .map(|k| (traj.times[k], f(traj.state(k))))
            .collect(),
    }
}

fn pct(x: f64) -> String {
    if !x.is_finite() {
        "∞".into()
    } else if x < 1e-4 {
        format!("{:.1e} %", 100.0 * x)
    } else {
        format!("{:.2} %", 100.0 * x)
    }
}

fn double_pendulum(budget: Budget, seed: u64) -> Result<Outcome, String> {
    let system = System::DoublePendulum(DoublePendulum::default());
    // Measured (2×64, batch 32, one-cycle 3e-3, clip 1, seed 0; the LNN with its penalty on an
    // indefinite M, without which most seeds stalled): 100k steps reach test L1 0.68 and an
    // energy error of 3.1 % (8 initial conditions), 500k steps 0.087 and 1.1 % (40), 2M steps
    // 0.043 and 0.33 % (40). 2×128 at 100k steps: 0.60, 8.9 % mean (one outlier). Steps pay
    // more than width at this budget; 2×64 at 2M steps is ~8 minutes on one core.
    let steps = budget.pick(300, 500_000, 2_000_000);
    let hidden = budget.pick(vec![32, 32], vec![64, 64], vec![64, 64]);
    let lnn_cfg = TrainConfig {
        hidden: hidden.clone(),
        init: Init::Xavier,
        schedule: Schedule::OneCycle,
        lr: 3e-3,
        clip: Some(1.0),
        seed,
        ..TrainConfig::new(system.clone(), ModelKind::Lnn)
    };
    let base_cfg = TrainConfig {
        model: ModelKind::Baseline,
        batch: 64,
        init: Init::Paper,
        ..lnn_cfg.clone()
    };
    let (lnn, lnn_test, lnn_s) = train(lnn_cfg, steps)?;
    let (base, base_test, base_s) = train(base_cfg, steps)?;

    // The paper's energy protocol, and the integrator's own error on the true system beside it.
    let protocol = EnergyProtocol {
        initial_conditions: budget.pick(4, 40, 40),
        t_end: budget.pick(5.0, 100.0, 100.0),
        ..EnergyProtocol::default()
    };
    let sample =
        |r: &mut lnn_core::rng::StdRng| DoublePendulum::sample_energy_protocol_state(r).to_vec();
    fn accel(m: &dyn Model) -> impl FnMut(&[f64]) -> lnn_core::Result<Vec<f64>> + '_ {
        let mut ws = Workspace::default();
        move |x| Ok(m.derivatives(x, 1, &mut ws)?[2..].to_vec())
    }
    let score = |label: &str, model: &mut dyn FnMut(&[f64]) -> lnn_core::Result<Vec<f64>>| {
        let total = protocol.initial_conditions as u64;
        let mut progress = Progress::new(
            format!("repro: energy protocol, {label}"),
            "rollouts",
            total,
            5.0,
            false,
        );
        energy_error_with_progress(&system, model, &protocol, sample, |done, _| {
            progress.tick(done as u64, String::new)
        })
        .map_err(|e| e.to_string())
    };
    let e_lnn = score("lnn", &mut accel(lnn.model()))?;
    let e_base = score("baseline", &mut accel(base.model()))?;
    // "Model" = the truth itself with a cruder integrator step: what the integrator alone loses.
    let how = Derivation::ClosedForm;
    let e_int = score("truth", &mut |x: &[f64]| system.accelerations(x, &how))?;

    // Figures 2a (short trajectories) and 2b (energy over time) from one initial condition.
    let x0 = [1.0, 2.0, 0.0, 0.0];
    let t_short = 5.0;
    let t_long = budget.pick(5.0, 100.0, 100.0);
    let integ = protocol.integrator;
    let truth_long = truth_rollout(&system, &x0, t_long, 0.05, &integ)?;
    let ok = |r: Result<Trajectory, String>| {
        r.unwrap_or_else(|_| Trajectory {
            dim: 4,
            times: vec![0.0],
            states: x0.to_vec(),
        })
    };
    let lnn_long = ok(model_rollout(lnn.model(), &x0, t_long, 0.05, &integ));
    let base_long = ok(model_rollout(base.model(), &x0, t_long, 0.05, &integ));
    let upto = |tr: &Trajectory, t: f64| {
        let k = tr
            .times
            .iter()
            .position(|&s| s > t + 1e-9)
            .unwrap_or(tr.len());
        Trajectory {
            dim: tr.dim,
            times: tr.times[..k].to_vec(),
            states: tr.states[..k * tr.dim].to_vec(),
        }
    };
    let (ts, ls, bs) = (
        upto(&truth_long, t_short),
        upto(&lnn_long, t_short),
        upto(&base_long, t_short),
    );
    let fig_a = Plot {
        title: "Double pendulum: θ₂(t) from (θ₁, θ₂) = (1, 2) at rest".into(),
        xlabel: "t".into(),
        ylabel: "θ₂ (rad)".into(),
        series: vec![
            series("truth", svg::TRUTH, &ts, |x| x[1]),
            series("LNN", svg::LNN, &ls, |x| x[1]),
            series("baseline MLP", svg::BASELINE, &bs, |x| x[1]),
        ],
        log_y: false,
        y_range: None,
    };
    let energy = |x: &[f64]| system.energy(x).unwrap_or(f64::NAN);
    let e0 = energy(&x0);
    let fig_b = Plot {
        title: "Double pendulum: true energy along each rollout (paper Fig. 2b)".into(),
        xlabel: "t".into(),
        ylabel: "E".into(),
        series: vec![
            series("truth", svg::TRUTH, &truth_long, energy),
            series("LNN", svg::LNN, &lnn_long, energy),
            series("baseline MLP", svg::BASELINE, &base_long, energy),
        ],
        log_y: false,
        // The truth's energy ± the 29.4 scale: a model that runs away leaves along the edge.
        y_range: Some((e0 - 29.4, e0 + 29.4)),
    };
    // The same on a log scale: |E − E₀| / 29.4, where the fixed range above hides the gap.
    let err = |x: &[f64]| ((energy(x) - e0).abs() / 29.4).max(1e-12);
    let fig_c = Plot {
        title: "Double pendulum: |E − E₀| / 29.4 along each rollout".into(),
        xlabel: "t".into(),
        ylabel: "energy error".into(),
        series: vec![
            series("truth (integrator)", svg::TRUTH, &truth_long, err),
            series("LNN", svg::LNN, &lnn_long, err),
            series("baseline MLP", svg::BASELINE, &base_long, err),
        ],
        log_y: true,
        y_range: Some((1e-12, 1.0)),
    };
    let report = crate::learn::energy_json;
    let results = json!({
        "experiment": "double-pendulum", "budget": budget.name(), "seed": seed, "steps": steps, "hidden": hidden,
        "lnn": {"test_l1": lnn_test, "train_seconds": lnn_s, "energy_error": report(&e_lnn)},
        "baseline": {"test_l1": base_test, "train_seconds": base_s, "energy_error": report(&e_base)},
        "integrator_alone": {"energy_error": report(&e_int)},
        "protocol": {"initial_conditions": protocol.initial_conditions, "t": protocol.t_end, "integrator": "dopri5 1e-9", "scale": 29.4},
        "paper": {"lnn_energy_error": 0.0043, "baseline_energy_error": 0.074},
    });
    let mut table = String::new();
    let _ = writeln!(
        table,
        "| double pendulum, energy error at t = {} (mean / median / diverged) | ours | paper |",
        protocol.t_end
    );
    let _ = writeln!(table, "|---|---|---|");
    let _ = writeln!(
        table,
        "| LNN ({}×{}) | {} / {} / {} | 0.43 % |",
        hidden.len(),
        hidden[0],
        pct(e_lnn.mean),
        pct(e_lnn.median),
        e_lnn.diverged
    );
    let _ = writeln!(
        table,
        "| baseline MLP | {} / {} / {} | 7.4 % |",
        pct(e_base.mean),
        pct(e_base.median),
        e_base.diverged
    );
    let _ = writeln!(
        table,
        "| the integrator alone (truth vs truth) | {} | – |",
        pct(e_int.mean)
    );
    let _ = writeln!(
        table,
        "| test L1 on q̈: LNN / baseline | {lnn_test:.3} / {base_test:.3} | – |"
    );
    let _ = writeln!(table, "| budget: steps, batch (LNN / baseline), training seconds (LNN / baseline), seed | {steps}, 32 / 64, {lnn_s:.0} s / {base_s:.0} s, {seed} | 600k steps, batch 512, 3×600 |");
    Ok(Outcome {
        name: "double-pendulum",
        results,
        figures: vec![
            ("double-pendulum-trajectory.svg".into(), fig_a.to_svg()),
            ("double-pendulum-energy.svg".into(), fig_b.to_svg()),
            ("double-pendulum-energy-error.svg".into(), fig_c.to_svg()),
        ],
        weights: {
            let by = made_by("double-pendulum", budget, seed);
            vec![
                weights("double-pendulum-lnn.json", &lnn, &by)?,
                weights("double-pendulum-baseline.json", &base, &by)?,
            ]
        },
        table,
    })
}

use crate::scores::relativistic_scores;

/// One relativistic model's training settings in `lnn repro relativistic`.
struct RelativisticRun {
    hidden: Vec<usize>,
    batch: usize,
    lr: f64,
    /// The γ-weighted loss it trains on.
    loss: Loss,
    /// Steps at the smoke, quick and full budgets.
    steps: [u64; 3],
}

impl RelativisticRun {
    fn steps(&self, budget: Budget) -> u64 {
        budget.pick(self.steps[0], self.steps[1], self.steps[2])
    }
    fn describe(&self, budget: Budget) -> String {
        let h: Vec<String> = self.hidden.iter().map(|w| w.to_string()).collect();
        format!(
            "{} steps, {}, batch {}, lr {}, γ-weighted {}",
            self.steps(budget),
            h.join("×"),
            self.batch,
            self.lr,
            match self.loss {
                Loss::L1 => "L1",
                Loss::Mse => "MSE",
            }
        )
    }
}

use lnn_core::train::data::LINEAR_P;

fn relativistic(budget: Budget, seed: u64) -> Result<Outcome, String> {
    let system = System::Relativistic(Relativistic);
    // Every model trains on the score it is judged by: the paper's γ-weighted loss
    // (`Weighting::Gamma`; the canonical HNN's ṗ judged as q̈ inside it): the HNN on (q, q̇) as
    // MSE, the others as the paper's L1 itself (before the LNN was fed atanh(q̇) and penalised
    // for M changing sign, L1 left it at predicting 0; the canonical HNN needs 1M steps of it:
    // at 200k it still carries the slow-particle bias MSE never lost). The settings and the
    // search behind them: docs/reproduction.md.
    let hv_run = RelativisticRun {
        hidden: vec![64, 64],
        batch: 64,
        lr: 1e-3,
        loss: Loss::Mse,
        steps: [500, 30_000, 300_000],
    };
    // Measured on the weighted score (200k steps unless said; docs/reproduction.md lists every
    // run): the canonical HNN on MSE 3.0e-3 at 2×64 and lr 1e-2 (4.3e-3 at 3e-3, 3.6e-3 at
    // 3e-2), 2.7e-3 at 1M steps, 2.6e-3 at 2×128, 2.9e-3 at 3×64; on L1 at lr 3e-3 2.6e-3, and
    // 1.9e-4 at 1M steps; the LNN on q̇ itself 8.3e-3 at
    // lr 3e-3 (2.5e-2 at 1e-3 and at batch 256, 2.6e-2 at 1e-2, 2.9e-2 at 2×128), 6.8e-3 at 1M
    // steps; through atanh(q̇) 2.3e-3 (MSE) and 8.1e-4 (L1; seeds 1, 2: 9.9e-4, 8.2e-4), 4.5e-4
    // with L1 at 1.5M steps.
    let hc_run = RelativisticRun {
        hidden: vec![64, 64],
        batch: 64,
        lr: 3e-3,
        loss: Loss::L1,
        steps: [500, 30_000, 1_000_000],
    };
    let ln_run = RelativisticRun {
        hidden: vec![64, 64],
        batch: 64,
        lr: 3e-3,
        loss: Loss::L1,
        steps: [500, 30_000, 1_500_000],
    };
    let base = TrainConfig {
        init: Init::Xavier,
        schedule: Schedule::OneCycle,
        clip: Some(1.0),
        loss: Loss::Mse,
        weighting: Weighting::Gamma,
        seed,
        ..TrainConfig::new(system.clone(), ModelKind::Hnn)
    };
    let with = |run: &RelativisticRun, config: TrainConfig| TrainConfig {
        hidden: run.hidden.clone(),
        batch: run.batch,
        lr: run.lr,
        loss: run.loss,
        ..config
    };
    let (hv, hv_test, hv_s) = train(
        with(
            &hv_run,
            TrainConfig {
                coordinates: Coordinates::Velocity,
                ..base.clone()
            },
        ),
        hv_run.steps(budget),
    )?;
    // The default input map: q/10, asinh(p)/4 with LINEAR_P·p beside it, g/10.
    let (hc, hc_test, hc_s) = train(
        with(
            &hc_run,
            TrainConfig {
                coordinates: Coordinates::Canonical,
                ..base.clone()
            },
        ),
        hc_run.steps(budget),
    )?;
    let (ln, ln_test, ln_s) = train(
        with(
            &ln_run,
            TrainConfig {
                model: ModelKind::Lnn,
                solver: lnn_core::train::default_solver(&system, ModelKind::Lnn),
                ..base.clone()
            },
        ),
        ln_run.steps(budget),
    )?;
    // q(t) from q = 0, q̇ = 0.5 in a field g = 2 (canonical start: p = ∂L/∂q̇).
    let x0 = [0.0, 0.5, 2.0];
    let integ = Integrator::Rk4 { substeps: 20 };
    let t = 3.0;
    let truth = truth_rollout(&system, &x0, t, 0.02, &integ)?;
    let p0 = Relativistic::momentum(x0[1]);
    let ok = |r: Result<Trajectory, String>| {
        r.unwrap_or_else(|_| Trajectory {
            dim: 3,
            times: vec![0.0],
            states: x0.to_vec(),
        })
    };
    let r_hv = ok(model_rollout(hv.model(), &x0, t, 0.02, &integ));
    let r_hc = ok(model_rollout(
        hc.model(),
        &[x0[0], p0, x0[2]],
        t,
        0.02,
        &integ,
    ));
    let r_ln = ok(model_rollout(ln.model(), &x0, t, 0.02, &integ));
    let fig = Plot {
        title: "Relativistic particle: q(t) (paper Fig. 3)".into(),
        xlabel: "t".into(),
        ylabel: "q".into(),
        series: vec![
            series("truth", svg::TRUTH, &truth, |x| x[0]),
            series("LNN (q, q̇)", svg::LNN, &r_ln, |x| x[0]),
            series("HNN (q, q̇)", svg::BASELINE, &r_hv, |x| x[0]),
            series("HNN (q, p)", svg::OTHER, &r_hc, |x| x[0]),
        ],
        log_y: false,
        y_range: None,
    };
    // The trainers' own held-out states (same seed), in velocity coordinates for all three.
    let mut test = lnn_core::train::Dataset::default();
    lnn_core::train::data::sample(
        &system,
        Coordinates::Velocity,
        base.test_size,
        &mut lnn_core::rng::seeded(lnn_core::train::TEST_SEED),
        &mut test,
    )
    .map_err(|e| e.to_string())?;
    let s_hv = relativistic_scores(hv.model(), &system, &test)?;
    let s_hc = relativistic_scores(hc.model(), &system, &test)?;
    let s_ln = relativistic_scores(ln.model(), &system, &test)?;
    let results = json!({
        "experiment": "relativistic", "budget": budget.name(), "seed": seed,
        "trained_on": "the γ-weighted loss (weighting gamma): MSE for the HNN on (q, q̇), L1 for the canonical HNN and the LNN",
        "settings": {"hnn_velocity": hv_run.describe(budget), "hnn_canonical": hc_run.describe(budget), "lnn": ln_run.describe(budget)},
        "hnn_canonical_inputs": {"q": 0.1, "asinh_p": 0.25, "linear_p": LINEAR_P, "g": 0.1},
        "lnn_inputs": {"q": 0.1, "atanh_qdot": 1.0, "g": 0.1},
        "train_seconds": {"hnn_velocity": hv_s, "hnn_canonical": hc_s, "lnn": ln_s},
        "test_loss": {"hnn_velocity": hv_test, "hnn_canonical": hc_test, "lnn": ln_test},
        "test_mse_qdd": {"hnn_velocity": s_hv.qdd_mse, "hnn_canonical": s_hc.qdd_mse, "lnn": s_ln.qdd_mse},
        "paper_weighted_l1": {"hnn_velocity": s_hv.paper_l1, "hnn_canonical": s_hc.paper_l1, "lnn": s_ln.paper_l1},
        "paper_weighted_l1_qdot": {"hnn_velocity": s_hv.paper_l1_qdot, "hnn_canonical": s_hc.paper_l1_qdot, "lnn": s_ln.paper_l1_qdot},
        "paper": {"hnn_velocity": 0.41, "hnn_canonical": 2.4e-4, "lnn": 7.9e-4},
    });
    let mut table = String::new();
    let _ = writeln!(
        table,
        "| relativistic particle, {} held-out states | ours: the paper's weighted L1 | paper: weighted L1 (training batches) | ours: MSE of q̈ | ours: own test loss (its γ-weighted loss) | settings, training seconds |",
        test.samples
    );
    let _ = writeln!(table, "|---|---|---|---|---|---|");
    for (name, own, s, paper, run, secs) in [
        (
            "HNN on (q, q̇): (q̇, q̈)",
            hv_test,
            &s_hv,
            "0.41",
            &hv_run,
            hv_s,
        ),
        (
            "HNN on canonical (q, p): (q̇, ṗ as q̈)",
            hc_test,
            &s_hc,
            "2.4e-4",
            &hc_run,
            hc_s,
        ),
        ("LNN on (q, q̇): q̈", ln_test, &s_ln, "7.9e-4", &ln_run, ln_s),
    ] {
        let _ = writeln!(
            table,
            "| {name} | {:.3e} | {paper} | {:.3e} | {own:.3e} | {}, {secs:.0} s |",
            s.paper_l1,
            s.qdd_mse,
            run.describe(budget)
        );
    }
    let _ = writeln!(
        table,
        "| the paper's budget | | | | | 300k steps, batch 512, 4×500 (LNN) |"
    );
    let _ = writeln!(
        table,
        "\nThe paper's numbers are its notebooks' training loss, Σ w |error| / Σ w with \
         w = 1 + 1/√(1 − q̇²), over q̈ for the LNN and over (q̇, q̈) for the HNNs (an HNN on (q, p) \
         has its ṗ turned into q̈ with the true mass, as there). The weight reaches 225 at the \
         data's |q̇| = 0.99999, so that score is dominated by the fastest particles; the MSE of \
         q̈ weighs all states alike. Each model trains on that weighted score (`--weighting \
         gamma`; the canonical HNN's ṗ is judged as q̈ inside the loss), the HNN on (q, q̇) as a \
         mean squared error, the others as the L1 error itself, and its own test loss is that on the \
         held-out states (for the LNN the paper's score; for the HNNs the mean over q̇ and q̈, \
         so half the sum the paper's score takes). The canonical HNN sees q/10, \
         asinh(p)/4 and {LINEAR_P}·p and g/10: asinh for the slow end of p, the linear feature \
         for its fast end (p reaches 1.1e7). The LNN sees q/10, atanh(q̇) and g/10: through the \
         rapidity the chain rule gives its mass γ⁴ times the network's curvature, where the true \
         M = (1 + 2q̇²)γ⁵ reaches 1e13."
    );
    Ok(Outcome {
        name: "relativistic",
        results,
        figures: vec![("relativistic-q.svg".into(), fig.to_svg())],
        weights: {
            let by = made_by("relativistic", budget, seed);
            vec![
                weights("relativistic-lnn.json", &ln, &by)?,
                weights("relativistic-hnn-velocity.json", &hv, &by)?,
                weights("relativistic-hnn-canonical.json", &hc, &by)?,
            ]
        },
        table,
    })
}

fn wave(budget: Budget, seed: u64) -> Result<Outcome, String> {
    let system = System::wave(100).map_err(|e| e.to_string())?;
    let System::Wave(w) = system else {
        unreachable!()
    };
    // Measured (N = 100, 2×32, batch 4): test MSE 4.6 at 6k steps, 0.072 at 40k (the default
    // pulse then keeps its true energy to 0.014 % over three crossings), 0.059 at 100k.
    let steps = budget.pick(30, 20_000, 100_000);
    let cfg = TrainConfig {
        hidden: vec![32, 32],
        batch: 4,
        init: Init::Xavier,
        schedule: Schedule::OneCycle,
        lr: 3e-3,
        clip: Some(1.0),
        loss: Loss::Mse,
        test_size: 32,
        seed,
        ..TrainConfig::new(system.clone(), ModelKind::GraphLnn)
    };
    let (g, test, secs) = train(cfg, steps)?;
    let t_end = budget.pick(0.2, 3.0, 3.0);
    let x0 = w.gaussian_pulse(0.5, 0.1, 0.5);
    let integ = Integrator::Rk4 { substeps: 10 };
    let truth = truth_rollout(&system, &x0, t_end, 0.01, &integ)?;
    let model = model_rollout(g.model(), &x0, t_end, 0.01, &integ);
    let model_ok = model.is_ok();
    let model = model.unwrap_or_else(|_| Trajectory {
        dim: 200,
        times: vec![0.0],
        states: x0.clone(),
    });
    let energy = |x: &[f64]| system.energy(x).unwrap_or(f64::NAN);
    let e0 = energy(&x0);
    let drift = |tr: &Trajectory| {
        (0..tr.len())
            .map(|k| (energy(tr.state(k)) - e0).abs() / e0)
            .fold(0.0, f64::max)
    };
    let field = |tr: &Trajectory| -> Vec<f64> {
        (0..tr.len())
            .flat_map(|k| tr.state(k)[..w.n].to_vec())
            .collect()
    };
    let fig_e = Plot {
        title: "Wave, N = 100: true grid energy along each rollout".into(),
        xlabel: "t".into(),
        ylabel: "E".into(),
        series: vec![
            series("truth", svg::TRUTH, &truth, energy),
            series("graph LNN", svg::LNN, &model, energy),
        ],
        log_y: false,
        y_range: Some((0.0, 2.0 * e0)),
    };
    let (dm, dt) = (
        if model_ok {
            drift(&model)
        } else {
            f64::INFINITY
        },
        drift(&truth),
    );
    let results = json!({
        "experiment": "wave", "budget": budget.name(), "seed": seed, "steps": steps, "grid": 100,
        "test_mse": test, "train_seconds": secs, "rollout_t": t_end,
        "max_relative_energy_error": {"graph_lnn": dm, "truth_integrator": dt},
    });
    let mut table = String::new();
    let _ = writeln!(
        table,
        "| wave, N = 100, pulse over t = {t_end} | ours | paper |"
    );
    let _ = writeln!(table, "|---|---|---|");
    let _ = writeln!(
        table,
        "| graph LNN: test MSE on φ̈ | {test:.3e} | – (figure only) |"
    );
    let _ = writeln!(
        table,
        "| graph LNN: max relative error of the true energy | {} | conserved (Fig. 4) |",
        pct(dm)
    );
    let _ = writeln!(
        table,
        "| the integrator alone on the truth | {} | – |",
        pct(dt)
    );
    let _ = writeln!(
        table,
        "| budget: steps, training seconds, seed | {steps}, {secs:.0} s, {seed} | – |"
    );
    Ok(Outcome {
        name: "wave",
        results,
        figures: vec![
            (
                "wave-truth.svg".into(),
                svg::space_time(
                    "truth: φ(x, t), t down",
                    &field(&truth),
                    truth.len(),
                    w.n,
                    0.5,
                ),
            ),
            (
                "wave-graph-lnn.svg".into(),
                svg::space_time(
                    "graph LNN: φ(x, t), t down",
                    &field(&model),
                    model.len(),
                    w.n,
                    0.5,
                ),
            ),
            ("wave-energy.svg".into(), fig_e.to_svg()),
        ],
        weights: vec![weights(
            "wave-graph-lnn.json",
            &g,
            &made_by("wave", budget, seed),
        )?],
        table,
    })
}

pub fn run(args: &Args, which: &str) -> Result<String, String> {
    let budget = match args.get("budget", "quick".to_string())?.as_str() {
        "smoke" => Budget::Smoke,
        "quick" => Budget::Quick,
        "full" => Budget::Full,
        other => {
            return Err(format!(
                "--budget: unknown `{other}`; expected smoke, quick or full"
            ))
        }
    };
    let out: PathBuf = args.get("out", "repro-out".to_string())?.into();
    let seed: u64 = args.get("seed", 0)?;
    args.finish()?;
    let experiments: &[&str] = match which {
        "all" => &["double-pendulum", "relativistic", "wave"],
        "double-pendulum" => &["double-pendulum"],
        "relativistic" => &["relativistic"],
        "wave" => &["wave"],
        other => {
            return Err(format!(
                "unknown experiment `{other}`; expected double-pendulum, relativistic, wave or all"
            ))
        }
    };
    std::fs::create_dir_all(&out).map_err(|e| format!("cannot create {}: {e}", out.display()))?;
    let mut md = format!(
        "# Reproduction ({} budget)\n\nGenerated by `lnn repro {which} --budget {} --seed {seed}` on {} ({} threads available, one used).\n\n",
        budget.name(),
        budget.name(),
        machine(),
        std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1)
    );
    // The commit and the date are the caller's to give (`LNN_COMMIT`, `LNN_DATE`): the binary
    // knows neither.
    match (std::env::var("LNN_COMMIT"), std::env::var("LNN_DATE")) {
        (Ok(commit), Ok(date)) => {
            let _ = writeln!(md, "Commit `{commit}`, run on {date}.\n");
        }
        (Ok(commit), Err(_)) => {
            let _ = writeln!(md, "Commit `{commit}`.\n");
        }
        (Err(_), Ok(date)) => {
            let _ = writeln!(md, "Run on {date}.\n");
        }
        _ => {}
    }
    let mut summary = Vec::new();
    for name in experiments {
        let start = Instant::now();
        let o = match *name {
            "double-pendulum" => double_pendulum(budget, seed)?,
            "relativistic" => relativistic(budget, seed)?,
            _ => wave(budget, seed)?,
        };
        let secs = start.elapsed().as_secs_f64();
        let mut results = o.results;
        results["wall_seconds"] = json!(secs);
        write(
            &out.join(format!("{}.json", o.name)),
            &(results.to_string() + "\n"),
        )?;
        for (file, svg) in &o.figures {
            write(&out.join(file), svg)?;
        }
        let models = out.join("models");
        std::fs::create_dir_all(&models)
            .map_err(|e| format!("cannot create {}: {e}", models.display()))?;
        for (file, json) in &o.weights {
            write(&models.join(file), json)?;
        }
        let _ = writeln!(md, "## {}\n\n{}", o.name, o.table);
        let _ = writeln!(md, "Wall time {secs:.0} s. Figures:\n");
        for (file, _) in &o.figures {
            let _ = writeln!(md, "![{file}]({file})");
        }
        md.push('\n');
        summary.push(results);
    }
    write(&out.join("reproduction.md"), &md)?;
    serde_json::to_string(&summary).map_err(|e| e.to_string())
}

fn write(path: &Path, text: &str) -> Result<(), String> {
    std::fs::write(path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))
}

/// The CPU model, for the record of where a budget ran.
fn machine() -> String {
    std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("model name"))
                .map(|l| l.split(':').nth(1).unwrap_or("").trim().to_string())
        })
        .unwrap_or_else(|| std::env::consts::ARCH.to_string())
}
