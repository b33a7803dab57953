//! `lnn simulate`: a trajectory of a true system with time and energy, as JSON or CSV.
use std::fmt::Write as _;

use lnn_core::simulate::{Simulation, SimulationSettings};

use crate::args::{ensure_no_null, flagged, memory_budget, Args};
use crate::truth::{custom_spec, named_system};

/// Bytes per number of the printed result: its text and, for JSON, serde_json's value (measured
/// with ~25 characters per f64 and a 32-byte `Value` each; rounded up).
const TEXT_BYTES_PER_NUMBER: f64 = 64.0;

pub fn run(args: &Args) -> Result<String, String> {
    let named = named_system(args)?;
    let custom = custom_spec(args)?;
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
    let sim =
        Simulation::new(&settings).map_err(|e| flagged(e, &[("rtol", "tol"), ("atol", "tol")]))?;
    crate::truth::notes(&sim.system);
    // The printed text too: ~25 characters per number, and serde_json's value tree before it.
    let numbers = (lnn_core::integrate::output_intervals(sim.t, sim.dt) + 1.0)
        * (sim.system.state_len() + 2) as f64;
    settings
        .memory_budget
        .check("t/dt", numbers * TEXT_BYTES_PER_NUMBER)
        .map_err(|e| flagged(e, &[]))?;
    let result = sim.run().map_err(|e| e.to_string())?;
    let traj = &result.trajectory;
    match format.as_str() {
        "json" => {
            let states: Vec<&[f64]> = (0..traj.len()).map(|k| traj.state(k)).collect();
            let v = serde_json::json!({
                "system": sim.system.name(),
                "dof": sim.system.dof(),
                "integrator": integrator,
                "times": traj.times,
                "states": states,
                "energy": result.energy,
            });
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
                writeln!(out, ",{}", result.energy[i]).unwrap();
            }
            Ok(out)
        }
        other => Err(format!("--format: unknown `{other}`; expected json or csv")),
    }
}
