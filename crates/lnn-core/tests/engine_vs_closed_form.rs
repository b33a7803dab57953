//! The Euler–Lagrange engine, fed each system's analytic Lagrangian, against the independent
//! closed-form equations of motion.
use lnn_core::mechanics::{self, Lagrangian};
use lnn_core::rng::{self, normal, uniform};
use lnn_core::systems::{
    ChargedParticle, Derivation, DoublePendulum, FreeFall, Harmonic, Relativistic, System, Wave,
};
use lnn_core::{grid, Error, Scalar, Solver};

fn engine(s: &System, x: &[f64]) -> Vec<f64> {
    s.accelerations(x, &Derivation::default()).unwrap()
}
fn closed(s: &System, x: &[f64]) -> Vec<f64> {
    s.accelerations(x, &Derivation::ClosedForm).unwrap()
}
fn max_abs_diff(a: &[f64], b: &[f64]) -> f64 {
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - y).abs())
        .fold(0.0, f64::max)
}
fn max_abs(a: &[f64]) -> f64 {
    a.iter().fold(0.0f64, |m, x| m.max(x.abs()))
}

#[test]
fn double_pendulum_matches_closed_form_on_10000_random_states() {
    let s = System::DoublePendulum(DoublePendulum::default());
    let mut r = rng::seeded(1);
    let mut worst = 0.0f64;
    for _ in 0..10_000 {
        let x = DoublePendulum::sample_training_state(&mut r);
        let (a, b) = (engine(&s, &x), closed(&s, &x));
        // Relative to the larger of the acceleration and g (the scale of q̈ at rest), so states
        // where q̈ happens to pass near 0 are not judged on digits they cannot have.
        let rel = max_abs_diff(&a, &b) / max_abs(&b).max(9.8);
        worst = worst.max(rel);
    }
    assert!(worst < 1e-12, "worst relative difference {worst:e}");
}

#[test]
fn free_fall_is_exact() {
    let s = System::FreeFall(FreeFall::default());
    for x in [[0.0, 0.0, 0.0, 0.0], [3.0, -2.0, 5.0, 1.0]] {
        assert_eq!(engine(&s, &x), [-9.8, 0.0]);
    }
}

#[test]
fn harmonic_matches_closed_form() {
    let s = System::Harmonic(Harmonic { m: 2.0, k: 3.0 });
    let a = engine(&s, &[0.7, -1.1]);
    assert!((a[0] + 1.5 * 0.7).abs() < 1e-15, "{a:?}");
}

#[test]
fn relativistic_matches_paper_formula() {
    let s = System::Relativistic(Relativistic);
    let mut r = rng::seeded(2);
    for _ in 0..1000 {
        // The paper's data ranges: q in [−10, 10], q̇ = 0.99999 tanh(2 N(0,1)), g = 10 N(0,1).
        let v = 0.99999 * lnn_core::math::tanh(2.0 * normal(&mut r));
        let x = [uniform(&mut r, -10.0, 10.0), v, 10.0 * normal(&mut r)];
        let (a, b) = (engine(&s, &x), closed(&s, &x));
        // M = (1+2q̇²)(1−q̇²)^(−5/2) reaches ~1e12 near |q̇| = 1; its jet has the same relative
        // rounding as the closed form, so compare relatively.
        assert!(
            (a[0] - b[0]).abs() <= 1e-12 * b[0].abs().max(1e-300),
            "{x:?}: {a:?} vs {b:?}"
        );
    }
    let err = s
        .accelerations(&[0.0, 1.0, 1.0], &Derivation::default())
        .unwrap_err();
    assert!(err.to_string().contains("|q̇| < 1"), "{err}");
}

/// q̈ = M⁺(ṗ − C q̇) against closed forms: any ṗ for the relativistic particle (where
/// dq̇/dp = (1 − q̇²)^(5/2) / (1 + 2q̇²)), and the true ṗ = ∂L/∂q for the double pendulum, whose C
/// is not zero.
#[test]
fn momentum_rate_maps_to_accelerations() {
    let mut r = rng::seeded(5);
    for _ in 0..1000 {
        let v = 0.99999 * lnn_core::math::tanh(2.0 * normal(&mut r));
        let x = [uniform(&mut r, -10.0, 10.0), v, 10.0 * normal(&mut r)];
        let t = mechanics::terms(&Relativistic, &x).unwrap();
        let pdot = 10.0 * normal(&mut r);
        let qdd = t
            .accelerations_for_momentum_rate(&[pdot], &[v], &Solver::default())
            .unwrap();
        let want = pdot * (1.0 - v * v).powf(2.5) / (1.0 + 2.0 * v * v);
        assert!(
            (qdd[0] - want).abs() <= 1e-12 * want.abs().max(1e-300),
            "{x:?}, ṗ = {pdot}: {qdd:?} vs {want}"
        );
    }
    let s = System::DoublePendulum(DoublePendulum::default());
    for _ in 0..1000 {
        let x = DoublePendulum::sample_training_state(&mut r);
        let t = s.terms(&x).unwrap();
        let qdd = t
            .accelerations_for_momentum_rate(t.dl_dq.as_slice(), &x[2..4], &Solver::default())
            .unwrap();
        let want = closed(&s, &x);
        assert!(
            max_abs_diff(&qdd, &want) < 1e-12 * max_abs(&want).max(9.8),
            "{x:?}"
        );
    }
    let t = mechanics::terms(&Relativistic, &[0.0, 0.5, 1.0]).unwrap();
    let err = t
        .accelerations_for_momentum_rate(&[1.0, 2.0], &[0.5], &Solver::default())
        .unwrap_err();
    assert!(err.to_string().contains("ṗ"), "{err}");
}

#[test]
fn charged_particle_matches_lorentz_force() {
    let s = System::ChargedParticle(ChargedParticle { m: 2.0, qb: 3.0 });
    let x = [0.4, -0.3, 1.2, 0.5];
    let (a, b) = (engine(&s, &x), closed(&s, &x));
    assert!(max_abs_diff(&a, &b) < 1e-15, "{a:?} vs {b:?}");
}

#[test]
fn wave_engine_reproduces_finite_difference_equation() {
    for n in [3, 4, 5, 16, 100] {
        let s = System::wave(n).unwrap();
        let mut r = rng::seeded(n as u64);
        let x: Vec<f64> = (0..2 * n).map(|_| normal(&mut r)).collect();
        let (a, b) = (engine(&s, &x), closed(&s, &x));
        // Entries are c²/dx² ≈ n² times O(1) differences: compare relative to that scale.
        let scale = (n * n) as f64;
        assert!(
            max_abs_diff(&a, &b) < 1e-13 * scale,
            "n = {n}: {:e}",
            max_abs_diff(&a, &b)
        );
    }
    assert!(matches!(
        System::wave(2),
        Err(Error::InvalidConfig { field: "grid", .. })
    ));
}

#[test]
fn energy_of_double_pendulum_is_t_plus_v() {
    let s = System::DoublePendulum(DoublePendulum::default());
    let x = [0.4, -1.3, 2.0, -0.5];
    let (t1, t2, w1, w2) = (x[0], x[1], x[2], x[3]);
    let t = 0.5 * w1 * w1 + 0.5 * (w1 * w1 + w2 * w2 + 2.0 * w1 * w2 * (t1 - t2).cos());
    let v = -2.0 * 9.8 * t1.cos() - 9.8 * t2.cos();
    assert!((s.energy(&x).unwrap() - (t + v)).abs() < 1e-12);
}

/// L = a(q)·q̇ − V(q), linear in q̇: M ≡ 0, the singular case a learned Lagrangian can hit.
struct LinearInVelocity;
impl Lagrangian for LinearInVelocity {
    fn dof(&self) -> usize {
        2
    }
    fn lagrangian<S: Scalar>(&self, q: &[S], v: &[S], _c: &[f64]) -> S {
        q[1] * v[0] * 2.0 + q[0].sin() * v[1] - (q[0] * q[0] + q[1] * q[1]) * 0.5
    }
}

#[test]
fn singular_mass_matrix_gives_finite_accelerations_with_both_solvers() {
    let x = [0.3, -0.2, 1.0, 0.5];
    let t = mechanics::terms(&LinearInVelocity, &x).unwrap();
    assert_eq!(t.mass.iter().fold(0.0f64, |m, v| m.max(v.abs())), 0.0);
    let pinv = mechanics::accelerations(&LinearInVelocity, &x, &Solver::default()).unwrap();
    assert_eq!(pinv, [0.0, 0.0], "M⁺ = 0 when M = 0");
    let ridge =
        mechanics::accelerations(&LinearInVelocity, &x, &Solver::Ridge { epsilon: 1e-4 }).unwrap();
    assert!(ridge.iter().all(|a| a.is_finite()), "{ridge:?}");
    // Ridge solves εI q̈ = r exactly: r = ∂L/∂q − C q̇.
    let r0 = t.dl_dq[0] - (t.mixed[(0, 0)] * x[2] + t.mixed[(0, 1)] * x[3]);
    assert!((ridge[0] - r0 / 1e-4).abs() < 1e-9 * (r0 / 1e-4).abs());
}

#[test]
fn state_errors_are_clear() {
    let s = System::DoublePendulum(DoublePendulum::default());
    let e = s
        .accelerations(&[1.0, 2.0, 3.0], &Derivation::default())
        .unwrap_err();
    assert_eq!(
        e,
        Error::StateLength {
            expected: 4,
            got: 3
        }
    );
    let e = s
        .accelerations(&[1.0, f64::NAN, 0.0, 0.0], &Derivation::default())
        .unwrap_err();
    assert!(matches!(e, Error::NonFinite { .. }));
    let e = System::from_name("triple-pendulum").unwrap_err();
    assert!(e.to_string().contains("double-pendulum"), "{e}");
    let w = Wave {
        n: 5,
        c: 1.0,
        dx: 0.2,
    };
    assert!(matches!(
        grid::terms(&w, 5, &[0.0; 9]),
        Err(Error::StateLength { .. })
    ));
}

/// Seven degrees of freedom exceed the dense engine's stack jets: a clear error, not a panic.
struct Chain7;
impl Lagrangian for Chain7 {
    fn dof(&self) -> usize {
        7
    }
    fn lagrangian<S: Scalar>(&self, _q: &[S], v: &[S], _c: &[f64]) -> S {
        v.iter().fold(S::from_f64(0.0), |acc, &x| acc + x * x)
    }
}

#[test]
fn too_many_degrees_of_freedom_is_an_error() {
    let e = mechanics::terms(&Chain7, &[0.0; 14]).unwrap_err();
    assert_eq!(
        e,
        Error::TooManyDegreesOfFreedom {
            dof: 7,
            max: mechanics::MAX_DOF
        }
    );
}
