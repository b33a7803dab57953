//! `lnn simulate`: a trajectory of a true system with time and energy, as JSON or CSV.
use std::fmt::Write as _;

use lnn_core::simulate::{Simulation, SimulationSettings};

use crate::args::{ensure_no_null, flagged, memory_budget, Args};
use crate::truth::{custom_spec, named_system};

/// Bytes per number of the printed result: its text and, for JSON, serde_json's value (measured
/// with ~25 characters per f64 and a 32-byte `Value` each; rounded up).
const TEXT_BYTES_PER_NUMBER: f64 = 64.0;

pub fn run(args: &Args) -> Result<String, String> {
    let model_path: Option<String> = args.opt("model")?;
    let named = named_system(args)?;
    let custom = custom_spec(args)?;
    if model_path.is_some() && (named.is_some() || custom.is_some()) {
        return Err("give --model FILE or a true system (--system, --lagrangian), not both".into());
    }
    let system = match (named, &custom) {
        (Some(name), _) => name,
        (None, Some(_)) => "custom".into(),
        (None, None) => "double-pendulum".into(),
    };
    let integrator: String = args.get("integrator", "rk4".to_string())?;
    let d = SimulationSettings::default();
    let settings = SimulationSettings {
        system: &system,
        grid: args.opt("grid")?,
        custom: custom.as_ref(),
        t: args.get("t", d.t)?,
        dt: args.get("dt", d.dt)?,
        integrator: &integrator,
        substeps: args.get("substeps", d.substeps)?,
        tol: args.get("tol", d.tol)?,
        init: args.list("init")?,
        closed_form: args.flag("closed-form"),
        memory_budget: memory_budget(args)?,
    };
    let format: String = args.get("format", "json".to_string())?;
    args.finish()?;
    let renames = &[("rtol", "tol"), ("atol", "tol")];
    let learned = match &model_path {
        Some(path) => Some(crate::learn::read_weights(path, &settings.memory_budget)?),
        None => None,
    };
    let sim = match &learned {
        Some((system, ..)) => Simulation::of(system.clone(), &settings),
        None => Simulation::new(&settings),
    }
    .map_err(|e| flagged(e, renames))?;
    crate::truth::notes(&sim.system);
    // The printed text too: ~25 characters per number, and serde_json's value tree before it.
    let numbers = (lnn_core::integrate::output_intervals(sim.t, sim.dt) + 1.0)
        * (sim.system.state_len() + 2) as f64;
    settings
        .memory_budget
        .check("t/dt", numbers * TEXT_BYTES_PER_NUMBER)
        .map_err(|e| flagged(e, &[]))?;
    let result = match &learned {
        Some((_, _, model, _)) => learned_run(&sim, &**model).map_err(|e| flagged(e, renames))?,
        None => sim.run().map_err(|e| e.to_string())?,
    };
    let traj = &result.trajectory;
    match format.as_str() {
        "json" => {
            let states: Vec<&[f64]> = (0..traj.len()).map(|k| traj.state(k)).collect();
            let mut v = serde_json::json!({
                "system": sim.system.name(),
                "dof": sim.system.dof(),
                "integrator": integrator,
                "times": traj.times,
                "states": states,
                "energy": result.energy,
            });
            if let Some(path) = &model_path {
                v["model"] = path.as_str().into();
            }
            ensure_no_null(&v)?;
            Ok(v.to_string())
        }
        "csv" => {
            let (n, k) = (sim.system.dof(), sim.system.conditioning_len());
            let mut out = String::from("t");
            (1..=n).for_each(|i| write!(out, ",q{i}").unwrap());
            (1..=n).for_each(|i| write!(out, ",qdot{i}").unwrap());
            (1..=k).for_each(|i| write!(out, ",c{i}").unwrap());
            out.push_str(",energy\n");
            for i in 0..traj.len() {
                write!(out, "{}", traj.times[i]).unwrap();
                traj.state(i)
                    .iter()
                    .for_each(|x| write!(out, ",{x}").unwrap());
                match result.energy.get(i) {
                    Some(e) => writeln!(out, ",{e}").unwrap(),
                    None => out.push_str(",\n"),
                }
            }
            Ok(out)
        }
        other => Err(format!("--format: unknown `{other}`; expected json or csv")),
    }
}

/// A learned model's own rollout (its vector field, or its Lagrangian for the variational
/// integrator) with its learned energy at each output (none for the baseline, which has no
/// conserved quantity of its own).
fn learned_run(
    sim: &Simulation,
    model: &dyn lnn_core::models::Model,
) -> Result<lnn_core::simulate::SimulationResult, lnn_core::Error> {
    let mut ws = lnn_core::models::Workspace::default();
    let trajectory =
        lnn_core::models::rollout(model, &sim.init, sim.t, sim.dt, &sim.integrator, &mut ws)?;
    let mut energy = Vec::with_capacity(trajectory.len());
    for k in 0..trajectory.len() {
        match model.learned_energy(trajectory.state(k), &mut ws)? {
            Some(e) => energy.push(e),
            None => break,
        }
    }
    Ok(lnn_core::simulate::SimulationResult { trajectory, energy })
}

/// `lnn observe`: sampled trajectories of a true system with noise, as a trajectory file
/// (the CSV `lnn train --data` reads).
pub fn observe(args: &Args) -> Result<String, String> {
    use lnn_core::observe::{self, Observation};
    let system = crate::truth::true_system(args)?.unwrap_or_else(|| {
        lnn_core::System::DoublePendulum(lnn_core::systems::DoublePendulum::default())
    });
    let d = Observation::default();
    let o = Observation {
        trajectories: args.get("trajectories", d.trajectories)?,
        duration: args.get("duration", d.duration)?,
        dt: args.get("dt", d.dt)?,
        noise: args.get("noise", d.noise)?,
        seed: args.get("seed", d.seed)?,
        velocities: args.flag("velocities"),
    };
    args.finish()?;
    let data = observe::observe(&system, &o).map_err(|e| flagged(e, &[]))?;
    Ok(observe::csv::write(&data))
}
