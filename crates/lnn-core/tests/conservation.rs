//! Long rollouts of the true systems: conservation laws and known solutions.
use lnn_core::integrate::{rollout, second_order};
use lnn_core::metrics::{double_pendulum_energy_error, EnergyProtocol};
use lnn_core::systems::{ChargedParticle, Derivation, DoublePendulum, Harmonic, System};
use lnn_core::{Integrator, Result, Trajectory};

fn simulate(s: &System, x0: &[f64], t: f64, dt: f64, i: Integrator) -> Trajectory {
    let how = Derivation::default();
    rollout(
        second_order(s.dof(), |x| s.accelerations(x, &how)),
        x0,
        t,
        dt,
        &i,
    )
    .unwrap()
}

fn max_energy_drift(s: &System, traj: &Trajectory) -> f64 {
    let e0 = s.energy(traj.state(0)).unwrap();
    (0..traj.len())
        .map(|k| (s.energy(traj.state(k)).unwrap() - e0).abs())
        .fold(0.0, f64::max)
}

#[test]
fn dopri5_at_1e_10_conserves_double_pendulum_energy_over_t_100() {
    let s = System::DoublePendulum(DoublePendulum::default());
    let i = Integrator::Dopri5 {
        rtol: 1e-10,
        atol: 1e-10,
        max_steps: 1_000_000,
    };
    // A chaotic state with large swings (both arms start horizontal-ish, moving).
    let traj = simulate(&s, &[1.0, 2.0, 0.0, 0.0], 100.0, 0.1, i);
    let drift = max_energy_drift(&s, &traj) / 29.4;
    eprintln!("double pendulum, dopri5 1e-10, t = 100: max |ΔE|/29.4 = {drift:e}");
    assert!(drift < 1e-8, "relative energy drift {drift:e}");
}

#[test]
fn rk4_energy_error_shrinks_with_the_step_as_h_to_the_fourth() {
    let s = System::DoublePendulum(DoublePendulum::default());
    let drift = |substeps| {
        let traj = simulate(
            &s,
            &[1.0, 2.0, 0.0, 0.0],
            10.0,
            0.1,
            Integrator::Rk4 { substeps },
        );
        max_energy_drift(&s, &traj) / 29.4
    };
    let (coarse, fine) = (drift(10), drift(20));
    eprintln!("rk4 energy drift to t = 10: h = 0.01: {coarse:e}, h = 0.005: {fine:e}");
    // Halving h should divide the error by ~16; chaos makes it noisy, so ask for > 8.
    assert!(coarse / fine > 8.0, "{coarse:e} / {fine:e}");
}

#[test]
fn harmonic_rollout_follows_exact_solution() {
    let h = Harmonic { m: 1.0, k: 4.0 };
    let s = System::Harmonic(h);
    let x0 = [1.0, 0.5];
    let i = Integrator::Dopri5 {
        rtol: 1e-11,
        atol: 1e-11,
        max_steps: 100_000,
    };
    let traj = simulate(&s, &x0, 20.0, 0.5, i);
    for k in 0..traj.len() {
        let exact = h.exact(&x0, traj.times[k]);
        let x = traj.state(k);
        // Global error of a 1e-11 local tolerance over ~6 periods.
        assert!(
            (x[0] - exact[0]).abs() < 1e-8 && (x[1] - exact[1]).abs() < 1e-8,
            "t = {}",
            traj.times[k]
        );
    }
}

#[test]
fn charged_particle_moves_on_a_circle() {
    let p = ChargedParticle { m: 1.0, qb: 2.0 };
    let s = System::ChargedParticle(p);
    let x0 = [1.0, 0.0, 0.0, -2.0]; // speed 2, ω = 2: radius 1 about the origin
    let i = Integrator::Dopri5 {
        rtol: 1e-11,
        atol: 1e-11,
        max_steps: 100_000,
    };
    let traj = simulate(&s, &x0, 10.0, 0.1, i);
    for k in 0..traj.len() {
        let x = traj.state(k);
        let exact = p.exact(&x0, traj.times[k]);
        assert!(
            (x[0].hypot(x[1]) - 1.0).abs() < 1e-8,
            "radius at t = {}",
            traj.times[k]
        );
        assert!((x[0] - exact[0]).abs() < 1e-8 && (x[1] - exact[1]).abs() < 1e-8);
    }
}

#[test]
fn wave_follows_the_travelling_wave_solution() {
    let s = System::wave(32).unwrap();
    let System::Wave(w) = s else { unreachable!() };
    let x0 = w.travelling_wave(0.3, 2, 0.0);
    let i = Integrator::Dopri5 {
        rtol: 1e-10,
        atol: 1e-10,
        max_steps: 100_000,
    };
    let traj = simulate(&s, &x0, 1.0, 0.25, i);
    for k in 0..traj.len() {
        let exact = w.travelling_wave(0.3, 2, traj.times[k]);
        let err = traj
            .state(k)
            .iter()
            .zip(&exact)
            .map(|(a, b)| (a - b).abs())
            .fold(0.0, f64::max);
        // One box crossing; amplitude 0.3 and velocities ~0.3·ω ≈ 4: 1e-7 is ~1000 tolerances.
        assert!(err < 1e-7, "t = {}: {err:e}", traj.times[k]);
    }
    // The discrete energy is conserved too.
    assert!(max_energy_drift(&s, &traj) < 1e-8);
}

#[test]
fn energy_protocol_separates_truth_from_a_wrong_model() {
    let truth = System::DoublePendulum(DoublePendulum::default());
    let protocol = EnergyProtocol {
        initial_conditions: 8,
        t_end: 20.0,
        ..EnergyProtocol::default()
    };
    let how = Derivation::ClosedForm;
    let exact =
        double_pendulum_energy_error(&truth, |x| truth.accelerations(x, &how), &protocol).unwrap();
    // Model = truth: only the two integrations' round-off differ (same integrator, same path).
    assert!(exact.mean < 1e-7 && exact.diverged == 0, "{exact:?}");
    // A model with the wrong gravity and a small drag does not conserve the true energy.
    let wrong = System::DoublePendulum(DoublePendulum {
        g: 9.0,
        ..DoublePendulum::default()
    });
    let model = |x: &[f64]| -> Result<Vec<f64>> {
        let mut a = wrong.accelerations(x, &how)?;
        a[0] -= 0.01 * x[2];
        a[1] -= 0.01 * x[3];
        Ok(a)
    };
    let bad = double_pendulum_energy_error(&truth, model, &protocol).unwrap();
    eprintln!(
        "energy protocol: truth mean {:e}, wrong model mean {:e} median {:e}",
        exact.mean, bad.mean, bad.median
    );
    assert!(bad.mean > 1e-3 && bad.median > 1e-3, "{bad:?}");
    // A model that fails counts as diverged, not as an error of the protocol.
    let broken = |_: &[f64]| -> Result<Vec<f64>> { Ok(vec![f64::NAN, 0.0]) };
    let r = double_pendulum_energy_error(&truth, broken, &protocol).unwrap();
    assert_eq!(r.diverged, 8);
    assert_eq!(r.median, f64::INFINITY);
    // A model that runs away (finite but absurd energy) is counted as diverged too.
    let runaway = |x: &[f64]| -> Result<Vec<f64>> { Ok(vec![50.0 * x[2].signum().max(0.5), 0.0]) };
    let r = double_pendulum_energy_error(&truth, runaway, &protocol).unwrap();
    assert_eq!(r.diverged, 8, "{r:?}");
}
