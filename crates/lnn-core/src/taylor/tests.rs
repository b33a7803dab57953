//! Jets against central finite differences of the plain `f64` evaluation of the same code.
use super::*;

/// A function touching every elementary operation, written once over `Scalar`.
fn kitchen_sink<S: Scalar>(q: &[S], v: &[S]) -> S {
    let a = q[0].sin() * v[1].cos() + (v[0] * q[1]).exp() * 0.3;
    let b = (v[0] * v[0] + 2.0).ln() + (q[1] * q[1] + v[1] * v[1] + 1.0).sqrt();
    let c = (v[0] + 3.0).powf(1.7) + v[1].powi(3) * q[0] - (q[0] - v[1]).tanh();
    let d = (v[0] * q[1] - 0.2).softplus() + (v[1] - q[0]).sigmoid() / (q[0].square() + 1.5);
    let e = (v[0] + 2.5).recip() * S::from_f64(2.0) - (-v[1]) * 0.1;
    a * b + c - d * e
}

const Q: [f64; 2] = [0.3, -0.7];
const V: [f64; 2] = [0.9, 0.4];

fn f64_at(q: [f64; 2], v: [f64; 2]) -> f64 {
    kitchen_sink(&q, &v)
}

/// Perturbs input `k` of (q0, q1, v0, v1) by h.
fn shifted(k: usize, h: f64) -> ([f64; 2], [f64; 2]) {
    let (mut q, mut v) = (Q, V);
    if k < 2 {
        q[k] += h
    } else {
        v[k - 2] += h
    }
    (q, v)
}

fn jet_at(q: [f64; 2], v: [f64; 2]) -> Jet<2> {
    let (qs, vs) = Jet::<2>::variables(&q, &v);
    kitchen_sink(&qs, &vs)
}

#[test]
fn value_matches_f64_exactly() {
    assert_eq!(jet_at(Q, V).v, f64_at(Q, V));
}

#[test]
fn gradient_matches_central_differences() {
    let j = jet_at(Q, V);
    // Central differences: truncation ~h²·f‴ ≈ 1e-10, round-off ~ε/h ≈ 1e-11 at h = 1e-5.
    let h = 1e-5;
    for k in 0..4 {
        let ((qp, vp), (qm, vm)) = (shifted(k, h), shifted(k, -h));
        let fd = (f64_at(qp, vp) - f64_at(qm, vm)) / (2.0 * h);
        let exact = if k < 2 { j.gq[k] } else { j.gv[k - 2] };
        assert!(
            (fd - exact).abs() < 1e-8 * (1.0 + exact.abs()),
            "input {k}: jet {exact} fd {fd}"
        );
    }
}

#[test]
fn hessian_blocks_match_differences_of_the_gradient() {
    let j = jet_at(Q, V);
    let h = 1e-5;
    for k in 0..4 {
        let ((qp, vp), (qm, vm)) = (shifted(k, h), shifted(k, -h));
        let (jp, jm) = (jet_at(qp, vp), jet_at(qm, vm));
        for i in 0..2 {
            // ∂/∂x_k of ∂f/∂q̇_i
            let fd = (jp.gv[i] - jm.gv[i]) / (2.0 * h);
            let exact = if k < 2 { j.hvq[i][k] } else { j.hvv[i][k - 2] };
            assert!(
                (fd - exact).abs() < 1e-7 * (1.0 + exact.abs()),
                "d2f/dv{i}dx{k}: {exact} vs {fd}"
            );
        }
    }
}

#[test]
fn mass_block_is_symmetric() {
    let j = jet_at(Q, V);
    assert_eq!(j.hvv[0][1], j.hvv[1][0]);
}

#[test]
fn elementary_second_derivatives_are_exact() {
    // Single-variable checks against hand-derived f″ at x = 0.6.
    let x = 0.6;
    let var = |x| Jet::<1>::variables(&[0.0], &[x]).1[0];
    type Case = (fn(Jet<1>) -> Jet<1>, f64, f64);
    let cases: [Case; 6] = [
        (|z| z.sin(), math::cos(x), -math::sin(x)),
        (|z| z.exp(), math::exp(x), math::exp(x)),
        (|z| z.ln(), 1.0 / x, -1.0 / (x * x)),
        (
            |z| z.sqrt(),
            0.5 / math::sqrt(x),
            -0.25 * math::powf(x, -1.5),
        ),
        (|z| z.powi(3), 3.0 * x * x, 6.0 * x),
        (
            |z| z.tanh(),
            1.0 - math::tanh(x).powi(2),
            -2.0 * math::tanh(x) * (1.0 - math::tanh(x).powi(2)),
        ),
    ];
    for (k, (f, d1, d2)) in cases.iter().enumerate() {
        let j = f(var(x));
        assert!(
            (j.gv[0] - d1).abs() < 1e-14 && (j.hvv[0][0] - d2).abs() < 1e-14,
            "case {k}: {j:?}"
        );
    }
}

#[test]
fn softplus_and_sigmoid_are_stable_far_out() {
    for x in [-800.0, -40.0, 0.0, 40.0, 800.0] {
        let j = Jet::<1>::variables(&[0.0], &[x]).1[0];
        let (s, p) = (j.sigmoid(), j.softplus());
        assert!(
            s.v.is_finite() && s.gv[0].is_finite() && s.hvv[0][0].is_finite(),
            "sigmoid at {x}"
        );
        assert!(
            p.v.is_finite() && p.gv[0].is_finite() && p.hvv[0][0].is_finite(),
            "softplus at {x}"
        );
    }
    assert_eq!(math::softplus(800.0), 800.0);
    assert_eq!(math::sigmoid(-800.0), 0.0);
}

/// Every one-variable function of the Scalar interface (and so of the expression language)
/// against central differences: f′ from values of f, f″ from the jet's own f′. With step h the
/// truncation error is ~h²|f‴|/6 and the round-off ~ε|f|/h, so the tolerance is tied to h.
#[test]
fn every_function_matches_finite_differences() {
    type F = (
        &'static str,
        fn(Jet<1>) -> Jet<1>,
        fn(f64) -> f64,
        &'static [f64],
    );
    let cases: &[F] = &[
        ("sin", |z| z.sin(), math::sin, &[-2.0, 0.0, 0.7]),
        ("cos", |z| z.cos(), math::cos, &[-2.0, 0.0, 0.7]),
        ("tan", |z| z.tan(), math::tan, &[-1.0, 0.0, 0.7]),
        ("asin", |z| z.asin(), math::asin, &[-0.8, 0.0, 0.5]),
        ("acos", |z| z.acos(), math::acos, &[-0.8, 0.0, 0.5]),
        ("atan", |z| z.atan(), math::atan, &[-3.0, 0.0, 0.5]),
        ("sinh", |z| z.sinh(), math::sinh, &[-2.0, 0.0, 1.5]),
        ("cosh", |z| z.cosh(), math::cosh, &[-2.0, 0.0, 1.5]),
        ("tanh", |z| z.tanh(), math::tanh, &[-2.0, 0.0, 1.5]),
        ("exp", |z| z.exp(), math::exp, &[-2.0, 0.0, 1.5]),
        ("ln", |z| z.ln(), math::ln, &[0.3, 1.0, 4.0]),
        ("sqrt", |z| z.sqrt(), math::sqrt, &[0.3, 1.0, 4.0]),
        ("abs", |z| z.abs(), f64::abs, &[-1.5, 0.8]),
        ("recip", |z| z.recip(), |x| 1.0 / x, &[-1.5, 0.8]),
        ("powi 0", |z| z.powi(0), |x| math::powi(x, 0), &[-1.5, 0.8]),
        ("powi 1", |z| z.powi(1), |x| math::powi(x, 1), &[-1.5, 0.8]),
        ("powi 3", |z| z.powi(3), |x| math::powi(x, 3), &[-1.5, 0.8]),
        (
            "powi -2",
            |z| z.powi(-2),
            |x| math::powi(x, -2),
            &[-1.5, 0.8],
        ),
        (
            "powf 2.5",
            |z| z.powf(2.5),
            |x| math::powf(x, 2.5),
            &[0.4, 2.0],
        ),
        (
            "powf 2",
            |z| z.powf(2.0),
            |x| math::powf(x, 2.0),
            &[-1.5, 0.8],
        ),
    ];
    let h = 1e-4;
    let var = |x| Jet::<1>::variables(&[0.0], &[x]).1[0];
    for (name, jet, f, points) in cases {
        for &x in *points {
            let j = jet(var(x));
            assert_eq!(j.v, f(x), "{name}({x}): the jet's value is the f64 one");
            let d1 = (f(x + h) - f(x - h)) / (2.0 * h);
            let d2 = (jet(var(x + h)).gv[0] - jet(var(x - h)).gv[0]) / (2.0 * h);
            let tol = |d: f64| 1e-6 * (1.0 + d.abs());
            assert!(
                (j.gv[0] - d1).abs() < tol(d1),
                "{name}′({x}): jet {} fd {d1}",
                j.gv[0]
            );
            assert!(
                (j.hvv[0][0] - d2).abs() < tol(d2),
                "{name}″({x}): jet {} fd {d2}",
                j.hvv[0][0]
            );
        }
    }
}

/// At x = 0 the general power rule gives 0·∞: powers 0, 1 and 2 must still have their exact
/// derivatives there (a polynomial in q̇ written with powi at rest), and |x| is flat at 0.
#[test]
fn powers_and_abs_at_zero_have_exact_derivatives() {
    let at0 = Jet::<1>::variables(&[0.0], &[0.0]).1[0];
    for (name, j, d1, d2) in [
        ("powi 0", at0.powi(0), 0.0, 0.0),
        ("powi 1", at0.powi(1), 1.0, 0.0),
        ("powi 2", at0.powi(2), 0.0, 2.0),
        ("powf 0", at0.powf(0.0), 0.0, 0.0),
        ("powf 1", at0.powf(1.0), 1.0, 0.0),
        ("powf 2", at0.powf(2.0), 0.0, 2.0),
        ("abs", at0.abs(), 0.0, 0.0),
    ] {
        assert_eq!((j.gv[0], j.hvv[0][0]), (d1, d2), "{name} at 0");
    }
}
