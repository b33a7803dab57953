use super::*;
use crate::math;

/// The harmonic oscillator q̈ = −q as a first-order field; exact solution (cos t, −sin t).
fn oscillator(x: &[f64], dx: &mut [f64]) -> Result<()> {
    dx[0] = x[1];
    dx[1] = -x[0];
    Ok(())
}

fn error_at_1(integrator: Integrator) -> f64 {
    let traj = rollout(oscillator, &[1.0, 0.0], 1.0, 1.0, &integrator).unwrap();
    let x = traj.last();
    (x[0] - math::cos(1.0))
        .abs()
        .max((x[1] + math::sin(1.0)).abs())
}

/// Observed order p from errors at step h and h/2: log2(e(h)/e(h/2)).
fn observed_order(make: fn(usize) -> Integrator, substeps: usize) -> f64 {
    let (e1, e2) = (error_at_1(make(substeps)), error_at_1(make(2 * substeps)));
    math::ln(e1 / e2) / core::f64::consts::LN_2
}

#[test]
fn euler_converges_with_order_one() {
    let p = observed_order(|s| Integrator::Euler { substeps: s }, 1000);
    // Asymptotic regime: the next error term is O(h²)/O(h) ≈ 1e-3 of the leading one.
    assert!((p - 1.0).abs() < 0.01, "Euler order {p}");
}

#[test]
fn rk4_converges_with_order_four() {
    let p = observed_order(|s| Integrator::Rk4 { substeps: s }, 20);
    // Errors ~1e-9 at h = 0.05, far above round-off; O(h) correction to the order ≈ 0.05.
    assert!((p - 4.0).abs() < 0.1, "RK4 order {p}");
}

#[test]
fn dopri5_meets_its_tolerance() {
    for tol in [1e-4, 1e-7, 1e-10] {
        let i = Integrator::Dopri5 {
            rtol: tol,
            atol: tol,
            max_steps: 100_000,
        };
        let e = error_at_1(i);
        // Local error control: the global error after one unit of time stays within ~10 tol.
        assert!(e < 10.0 * tol, "tol {tol}: error {e}");
    }
}

#[test]
fn dopri5_step_limit_is_an_error_not_a_hang() {
    let i = Integrator::Dopri5 {
        rtol: 1e-12,
        atol: 1e-12,
        max_steps: 5,
    };
    let err = rollout(oscillator, &[1.0, 0.0], 10.0, 10.0, &i).unwrap_err();
    assert!(
        matches!(err, Error::StepLimit { max_steps: 5, .. }),
        "{err}"
    );
}

#[test]
fn an_adaptive_rollout_is_bounded_over_the_whole_run() {
    // Each interval is well within max_steps; the run as a whole is not. The time reported is
    // the run's (it was the time within the last interval).
    let i = Integrator::Dopri5 {
        rtol: 1e-12,
        atol: 1e-12,
        max_steps: 1_000_000,
    };
    let whole = rollout(oscillator, &[1.0, 0.0], 20.0, 1.0, &i).unwrap();
    assert_eq!(whole.len(), 21);
    let err = rollout_within(oscillator, &[1.0, 0.0], 20.0, 1.0, &i, 300).unwrap_err();
    let Error::StepLimit { max_steps, t } = err else {
        panic!("{err}")
    };
    assert_eq!(max_steps, 300);
    assert!(t > 1.0 && t < 20.0, "stopped at t = {t}");
    // The per-interval limit is still the integrator's own, and named as such.
    let tight = Integrator::Dopri5 {
        rtol: 1e-12,
        atol: 1e-12,
        max_steps: 5,
    };
    let err = rollout_within(oscillator, &[1.0, 0.0], 20.0, 10.0, &tight, 300).unwrap_err();
    assert!(
        matches!(err, Error::StepLimit { max_steps: 5, t } if t < 10.0),
        "{err}"
    );
}

#[test]
fn blow_up_is_reported() {
    // ẋ = x² from x = 1 blows up at t = 1.
    let f = |x: &[f64], dx: &mut [f64]| {
        dx[0] = x[0] * x[0];
        Ok(())
    };
    let i = Integrator::Dopri5 {
        rtol: 1e-8,
        atol: 1e-8,
        max_steps: 10_000,
    };
    assert!(rollout(f, &[1.0], 2.0, 0.5, &i).is_err());
    assert!(rollout(f, &[1.0], 2.0, 0.5, &Integrator::Rk4 { substeps: 1000 }).is_err());
}

#[test]
fn outputs_land_on_the_requested_times() {
    let traj = rollout(oscillator, &[1.0, 0.0], 1.0, 0.3, &Integrator::default()).unwrap();
    assert_eq!(traj.times, [0.0, 0.3, 0.6, 0.8999999999999999, 1.0]);
    assert_eq!(traj.states.len(), 5 * 2);
    let zero = rollout(oscillator, &[1.0, 0.0], 0.0, 0.1, &Integrator::default()).unwrap();
    assert_eq!(zero.len(), 1);
}

#[test]
fn bad_settings_are_named() {
    let i = Integrator::default();
    let field = |e: Error| match e {
        Error::InvalidConfig { field, .. } => field,
        other => panic!("expected InvalidConfig, got {other}"),
    };
    assert_eq!(
        field(rollout(oscillator, &[1.0, 0.0], 1.0, 0.0, &i).unwrap_err()),
        "dt"
    );
    assert_eq!(
        field(rollout(oscillator, &[1.0, 0.0], 1.0, -0.1, &i).unwrap_err()),
        "dt"
    );
    assert_eq!(
        field(rollout(oscillator, &[1.0, 0.0], f64::NAN, 0.1, &i).unwrap_err()),
        "t"
    );
    assert_eq!(
        field(Integrator::Rk4 { substeps: 0 }.validate().unwrap_err()),
        "substeps"
    );
    let bad_tol = Integrator::Dopri5 {
        rtol: -1.0,
        atol: 1e-6,
        max_steps: 10,
    };
    assert_eq!(field(bad_tol.validate().unwrap_err()), "rtol");
    assert_eq!(
        field(rollout(oscillator, &[1.0, 0.0], 1e9, 1e-9, &i).unwrap_err()),
        "dt"
    );
    assert!(matches!(
        rollout(oscillator, &[f64::NAN, 0.0], 1.0, 0.1, &i),
        Err(Error::NonFinite { .. })
    ));
}

#[test]
fn rollout_keeps_its_state_on_errors_and_restarts_cleanly() {
    let mut r = Rollout::new(Integrator::Rk4 { substeps: 4 }, alloc::vec![1.0, 0.0]).unwrap();
    let mut f = oscillator;
    r.advance(&mut f, 0.5).unwrap();
    assert!((r.time() - 0.5).abs() < 1e-15);
    let before = r.state().to_vec();
    assert!(r.advance(&mut f, -1.0).is_err());
    assert_eq!(
        r.state(),
        &before[..],
        "a failed step leaves the state alone"
    );
    assert!(matches!(
        r.reset(alloc::vec![1.0]),
        Err(Error::StateLength {
            expected: 2,
            got: 1
        })
    ));
    assert!(matches!(
        r.reset(alloc::vec![f64::NAN, 0.0]),
        Err(Error::NonFinite { .. })
    ));
    r.reset(alloc::vec![0.0, 1.0]).unwrap();
    assert_eq!((r.time(), r.state()), (0.0, &[0.0, 1.0][..]));
    r.set_integrator(Integrator::Euler { substeps: 1 }).unwrap();
    r.advance(&mut f, 0.1).unwrap();
    assert_eq!(
        r.state(),
        &[0.1, 1.0][..],
        "one Euler step of (q̇, −q) from (0, 1)"
    );
}

mod variational {
    use crate::integrate::variational::{rollout, step, Newton};
    use crate::mechanics::{energy, terms};
    use crate::systems::Harmonic;
    use crate::Trajectory;
    use crate::{Error, Lagrangian, Scalar, Solver};

    /// L = ½q̇² + g cos q: the simple pendulum (not in `systems`; typed here).
    struct Pendulum;
    impl Lagrangian for Pendulum {
        fn dof(&self) -> usize {
            1
        }
        fn lagrangian<S: Scalar>(&self, q: &[S], v: &[S], _c: &[f64]) -> S {
            v[0] * v[0] * 0.5 + q[0].cos() * 9.8
        }
    }

    fn run<L: Lagrangian>(l: &L, x0: &[f64], t_end: f64, dt: f64, substeps: usize) -> Trajectory {
        let mut t = |x: &[f64]| terms(l, x);
        let (solver, newton) = (Solver::default(), Newton::default());
        rollout(&mut t, x0, l.dof(), t_end, dt, substeps, &solver, &newton).unwrap()
    }

    /// The page's frame-by-frame [`crate::integrate::Rollout`] takes the same steps as the whole
    /// rollout (the momentum carried across frames, not rebuilt), to round-off (the rollout's
    /// intervals are differences of output times k·dt, the frames exactly 0.1); a reset restarts
    /// it; a plain vector field cannot drive it.
    #[test]
    fn frame_by_frame_is_the_rollout() {
        let x0 = [1.2, 0.0];
        let whole = run(&Pendulum, &x0, 2.0, 0.1, 3);
        let integ = crate::Integrator::Variational { substeps: 3 };
        let mut r = crate::integrate::Rollout::new(integ, x0.to_vec()).unwrap();
        let mut t = |x: &[f64]| terms(&Pendulum, x);
        for k in 1..whole.len() {
            r.advance_lagrangian(&mut t, 1, &Solver::default(), 0.1)
                .unwrap();
            for (a, b) in r.state().iter().zip(whole.state(k)) {
                assert!((a - b).abs() < 1e-12, "frame {k}: {a} vs {b}");
            }
        }
        r.reset(x0.to_vec()).unwrap();
        r.advance_lagrangian(&mut t, 1, &Solver::default(), 0.1)
            .unwrap();
        assert!((r.state()[1] - whole.state(1)[1]).abs() < 1e-12);
        let mut field = |_: &[f64], dx: &mut [f64]| {
            dx.fill(0.0);
            Ok(())
        };
        let err = r.advance(&mut field, 0.1).unwrap_err();
        assert!(err.to_string().contains("steps a Lagrangian"), "{err}");
        // Another integrator through the same entry point follows the accelerations.
        r.set_integrator(crate::Integrator::Rk4 { substeps: 10 })
            .unwrap();
        r.reset(x0.to_vec()).unwrap();
        r.advance_lagrangian(&mut t, 1, &Solver::default(), 0.1)
            .unwrap();
        assert!((r.state()[0] - whole.state(1)[0]).abs() < 1e-3);
    }

    #[test]
    fn second_order_against_the_exact_oscillator() {
        let h = Harmonic { m: 1.0, k: 4.0 };
        let x0 = [1.0, 0.3];
        let exact = h.exact(&x0, 1.0);
        let error = |steps: usize| {
            let x = run(&h, &x0, 1.0, 1.0, steps).last().to_vec();
            ((x[0] - exact[0]).powi(2) + (x[1] - exact[1]).powi(2)).sqrt()
        };
        let (e1, e2, e3) = (error(50), error(100), error(200));
        let (o1, o2) = ((e1 / e2).log2(), (e2 / e3).log2());
        assert!(
            (o1 - 2.0).abs() < 0.05 && (o2 - 2.0).abs() < 0.05,
            "orders {o1}, {o2} ({e1}, {e2}, {e3})"
        );
    }

    /// The largest relative energy error over each tenth of 10⁵ steps of size `h`.
    fn energy_error_by_tenth<L: Lagrangian>(l: &L, x0: &[f64], h: f64) -> Vec<f64> {
        let e0 = energy(l, x0).unwrap();
        let traj = run(l, x0, 100_000.0 * h, h, 1);
        let mut tenths = vec![0.0_f64; 10];
        for i in 0..100_000 {
            let e = energy(l, traj.state(i + 1)).unwrap();
            tenths[i / 10_000] = tenths[i / 10_000].max(((e - e0) / e0).abs());
        }
        tenths
    }

    #[test]
    fn energy_error_stays_bounded_over_1e5_steps() {
        // The midpoint rule keeps a quadratic energy exactly: what is left is round-off.
        let oscillator = energy_error_by_tenth(&Harmonic::default(), &[1.0, 0.0], 0.1);
        assert!(oscillator[9] < 1e-9, "oscillator: {oscillator:?}");
        // The pendulum's energy error is the method's own, O(h²), and oscillates: it does not grow.
        let pendulum = energy_error_by_tenth(&Pendulum, &[2.0, 0.0], 0.02);
        assert!(
            pendulum[0] > 1e-7 && pendulum[0] < 1e-2,
            "pendulum: {pendulum:?}"
        );
        assert!(
            pendulum[9] <= 1.1 * pendulum[0],
            "pendulum: the energy error grew: {pendulum:?}"
        );
    }

    #[test]
    fn rk4_drifts_where_the_variational_step_does_not() {
        // The reference the bound above is worth something against: RK4 at the same step.
        use crate::integrate::{second_order, Integrator, Stepper};
        let l = Harmonic::default();
        let mut f = second_order(1, |x: &[f64]| {
            crate::mechanics::accelerations(&l, x, &Solver::default())
        });
        let mut s = Stepper::new(Integrator::Rk4 { substeps: 1 }, 2).unwrap();
        let mut x = [1.0, 0.0];
        for _ in 0..100_000 {
            s.advance(&mut f, &mut x, 0.3).unwrap();
        }
        let rk4 = ((energy(&l, &x).unwrap() - 0.5) / 0.5).abs();
        let y = run(&l, &[1.0, 0.0], 30_000.0, 0.3, 1);
        let variational = ((energy(&l, y.last()).unwrap() - 0.5) / 0.5).abs();
        assert!(
            rk4 > 0.5 && variational < 0.05,
            "RK4 {rk4}, variational {variational}"
        );
    }

    #[test]
    fn a_stepper_refuses_it_with_a_reason() {
        use crate::integrate::{Integrator, Stepper};
        let err = Stepper::new(Integrator::Variational { substeps: 1 }, 2).unwrap_err();
        assert!(err.to_string().contains("steps a Lagrangian"), "{err}");
    }

    #[test]
    fn a_singular_lagrangian_is_a_clear_error() {
        // L = q·q̇: M = 0 everywhere, no dynamics to step.
        struct Degenerate;
        impl Lagrangian for Degenerate {
            fn dof(&self) -> usize {
                1
            }
            fn lagrangian<S: Scalar>(&self, q: &[S], v: &[S], _c: &[f64]) -> S {
                q[0] * v[0]
            }
        }
        let mut t = |x: &[f64]| terms(&Degenerate, x);
        let err = step(&mut t, &[1.0], &[2.0], &[], 0.1, &[0.5], &Newton::default()).unwrap_err();
        assert!(
            matches!(
                err,
                Error::SingularMassMatrix { .. } | Error::NoConvergence { .. }
            ),
            "{err}"
        );
        assert!(err.to_string().contains("variational"), "{err}");
    }
}
