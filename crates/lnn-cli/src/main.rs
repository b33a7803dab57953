//! `lnn`: the native command line of lnn-web.
mod args;
mod bench;
mod learn;
mod progress;
mod repro;
mod scores;
mod simulate;
mod svg;
mod truth;

use std::process::ExitCode;

use args::Args;

const USAGE: &str = "\
lnn — Lagrangian Neural Networks, native

Every run is sized before it allocates: a setting that would need more memory than the budget
(default 4 GiB; --memory-budget 8GiB, 500MB, ... on simulate, train, eval and predict) is refused
naming the setting, its cost and the limit. A run that fails (non-finite loss, most training steps
skipped, every energy rollout diverged) exits 2 with a message; a printed result is finite numbers.

USAGE:
  lnn simulate [--system NAME | --model FILE] [--t T] [--dt DT] [--integrator euler|rk4|dopri5|variational]
               [--substeps N] [--tol TOL] [--init q..,qdot..,c..] [--grid N]
               [--closed-form] [--format json|csv] [--memory-budget SIZE]
      Roll out a true system, or a learned model from its weights file (its own state
      coordinates; the energy column is its learned energy, empty for the baseline); prints
      time, state and energy at every dt. variational steps L itself (true, typed or learned).
      Defaults: double-pendulum, t 10, dt 0.01, rk4 with 10 substeps, dopri5 tol 1e-9.
      Any system may be a typed Lagrangian instead of --system (simulate, train, predict):
      --lagrangian 'EXPR' --coordinates a,b [--parameters g=9.8] [--conditioning m]
      [--ranges lo:hi,...] (see predict; the ranges, one per state number, are where training
      states are drawn from: default -1:1 for q and q̇, 1:1 for c; the weights file records all
      of it). With --lagrangian, train takes the HNN's velocity|canonical as --hnn-coordinates.
  lnn train [--system NAME] [--model lnn|baseline|hnn] [--coordinates velocity|canonical]
            [--hidden 128,128] [--activation softplus|tanh|sigmoid|relu2|relu3|relu]
            [--init paper|xavier|kaiming] [--steps N] [--batch 32] [--lr 1e-3]
            [--schedule step|onecycle|constant] [--clip NORM] [--weight-decay W]
            [--loss l1|mse] [--weighting none|gamma] [--seed S] [--test-size N]
            [--scale s1,s2,...] [--asinh 0,1,...] [--linear l1,l2,...] [--atanh 0,1,...]
            [--angles wrap|circle]
            [--solver pinv|damped:EPS|ridge:EPS] [--definiteness W] [--precision f64|f32]
            [--out model.json] [--quiet] [--memory-budget SIZE]
      Train on fresh samples of the true system; progress on stderr, a JSON summary on stdout.
      --weighting gamma: the relativistic particle's paper score, each sample weighted by
      1 + 1/sqrt(1 - q̇²) and a canonical HNN's ṗ judged as q̈ (the true M⁻¹ applied inside the
      loss); the test loss is weighted too, and the weights file records it.
      --asinh (0 or 1 per state number) feeds an input through asinh; --linear adds beside an
      asinh input a second feature linear·x (0: none), for quantities spanning decades. --atanh
      (0 or 1 per state number) feeds a velocity in units of c, within (-1, 1), through atanh.
      --scale overrides the input scales (one per state number). --angles: how the network sees an
      angle: wrapped into [-pi, pi) or as (cos, sin) on the circle. --solver: how the LNN solves
      M q̈ = r, in training and after (damped: least squares damped by EPS, smooth through a
      singular M). --definiteness: weight of the LNN's penalty on an indefinite mass matrix
      (default 1000; 0 turns it off). --precision: the float of the batched pass and of Adam
      (default f64; f32: twice the SIMD lanes; the solve, the loss and evaluation stay f64, and
      the weights file records it).
  lnn train --data FILE.csv [--method estimate|discrete] [--system NAME] [--periodic a,b]
            [any setting above]
      Train on observed trajectories instead of true accelerations. FILE.csv: a header row; a
      column t; one column per coordinate, named; optionally trajectory (an integer id, rows of
      one trajectory together, in time order) and velocities NAME_dot for every coordinate.
      estimate (default): q̇, q̈ from a local polynomial fit whose window and degree are chosen
      by leave-one-out cross-validation, then the usual loss (any model). discrete: the error of
      the next position predicted by the discrete Euler–Lagrange equation (LNN only; no
      derivative estimates). Every fifth trajectory (or the last fifth of a single one) is held
      out for the test loss. --system: the data are that system's (so lnn eval can score the
      model against it); else the model's system is `observed`, and lnn predict takes states
      [q..., q̇...] in the header's order. --periodic: coordinates that are angles.
  lnn observe [--system NAME | --lagrangian ...] [--trajectories 50] [--duration 10] [--dt 0.05]
              [--noise SIGMA] [--seed S] [--velocities]
      Sampled trajectories of a true system from its training distribution, with Gaussian noise
      of SIGMA on the coordinates: a trajectory file for lnn train --data.
  lnn eval --model model.json [--test-size N] [--energy-ics 40] [--energy-t 100] [--quiet]
           [--energy-scale E] [--memory-budget SIZE]
      Test loss, and for the double pendulum the paper's energy error (mean, median, diverged).
      For a typed Lagrangian, the same protocol with --energy-scale E (|ΔE| / E at t, initial
      conditions from the file's ranges).
      Any weights file, f32- or f64-trained: the model evaluates in f64.
  lnn predict --model model.json --states states.json [--memory-budget SIZE]
      States: a JSON array of [q..., q̇..., c...]; prints q̈ per state ((q̇, ṗ) for an HNN).
  lnn predict --system NAME [--grid N] --states states.json
  lnn predict --lagrangian 'EXPR' --coordinates a,b [--parameters g=9.8,k=1] [--conditioning m]
              --states states.json
      The true system's motion instead of a model's: [{\"accelerations\": [...], \"energy\": E}]
      per state, from the Euler–Lagrange engine. EXPR: numbers, the coordinates, their
      velocities a_dot (or a'), the parameters, + - * / ^ ** ( ), pi, E and sin cos tan asin
      acos atan sinh cosh tanh exp log sqrt abs (abs has slope 0 at 0); e.g.
      'm*l^2*theta_dot^2/2 + m*g*l*cos(theta)'. Conditioning inputs are parameters whose values
      come with each state, after q̇.
  lnn repro double-pendulum|relativistic|wave|all [--budget smoke|quick|full] [--out DIR] [--seed S]
      The paper's experiments from fixed seeds: DIR/*.json results, *.svg figures,
      reproduction.md (ours beside the paper's numbers) and DIR/models/*.json weights files.
      Budgets: seconds, minutes, ≤ 30 min each.
  lnn bench [--seconds S] [--only engine|training|graph] [--json]
      Accelerations per second (the Taylor-mode engine against the closed form), milliseconds
      per training step (LNN 2x128 and 3x500, batch 32 and 256; baseline; HNN; in f64, and in
      f32 for LNN 2x128 and 3x500 and the baseline at batch 32), and the graph
      model's time per evaluation for grids of 100 to 100,000 points (banded vs dense).
  lnn --version | --help

SYSTEMS:
";

fn usage() -> String {
    let mut s = USAGE.to_string();
    for (name, about) in lnn_core::systems::CATALOGUE {
        s += &format!("  {name:<18} {about}\n");
    }
    s
}

/// The usage of one command (its block of [`USAGE`]) and the systems, for `lnn CMD --help`.
fn command_usage(cmd: &str) -> Option<String> {
    // Every block of the command (train has two: true systems and trajectory files).
    let head = format!("  lnn {cmd} ");
    let mut s = String::from("USAGE:\n");
    let mut inside = false;
    for l in USAGE.lines() {
        if l.starts_with("  lnn ") || l.is_empty() || l == "SYSTEMS:" {
            inside = l.starts_with(&head);
        }
        if inside {
            s += l;
            s.push('\n');
        }
    }
    if s == "USAGE:\n" {
        return None;
    }
    s += "\nSYSTEMS:\n";
    for (name, about) in lnn_core::systems::CATALOGUE {
        s += &format!("  {name:<18} {about}\n");
    }
    Some(s)
}

fn run(argv: &[String]) -> Result<String, String> {
    let Some(cmd) = argv.first() else {
        return Err(format!("no command given\n\n{}", usage()));
    };
    let rest = &argv[1..];
    if rest.iter().any(|a| a == "--help" || a == "-h") {
        if let Some(help) = command_usage(cmd) {
            return Ok(help);
        }
    }
    match cmd.as_str() {
        "-h" | "--help" | "help" => Ok(usage()),
        "-V" | "--version" => Ok(format!("lnn {}\n", lnn_core::VERSION)),
        "simulate" => simulate::run(&Args::parse(rest, &["closed-form"])?),
        "observe" => simulate::observe(&Args::parse(rest, &["velocities"])?),
        "bench" => bench::run(&Args::parse(rest, &["json"])?),
        "train" => learn::train(&Args::parse(rest, &["quiet"])?, argv),
        "eval" => learn::eval(&Args::parse(rest, &["quiet"])?),
        "predict" => learn::predict(&Args::parse(rest, &[])?),
        "repro" => {
            let which = rest.first().ok_or(
                "lnn repro needs an experiment: double-pendulum, relativistic, wave or all",
            )?;
            repro::run(&Args::parse(&rest[1..], &[])?, which)
        }
        other => Err(format!("unknown command `{other}`; see `lnn --help`")),
    }
}

fn main() -> ExitCode {
    let argv: Vec<String> = std::env::args().skip(1).collect();
    match run(&argv) {
        Ok(out) => {
            print!("{out}");
            if !out.ends_with('\n') {
                println!();
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}
