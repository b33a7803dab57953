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
