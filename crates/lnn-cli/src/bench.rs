//! `lnn bench`: throughput tables. Ratios measured in one run are what to compare; absolute
//! figures move with the machine's load.
use std::hint::black_box;
use std::time::{Duration, Instant};

use lnn_core::rng;
use lnn_core::systems::{Derivation, DoublePendulum, System};

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

pub fn run(args: &Args) -> Result<String, String> {
    let json = args.flag("json");
    let seconds: f64 = args.get("seconds", 1.0)?;
    args.finish()?;
    if !(seconds > 0.0 && seconds <= 600.0) {
        return Err("--seconds must be in (0, 600]".into());
    }
    let budget = Duration::from_secs_f64(seconds);
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
    Ok(out)
}
