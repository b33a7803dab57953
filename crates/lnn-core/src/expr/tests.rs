//! The expression language against the built-in systems, finite differences and itself.
use alloc::string::{String, ToString};
use alloc::vec;
use alloc::vec::Vec;

use super::*;
use crate::custom::CustomSystem;
use crate::rng::{seeded, uniform};
use crate::systems::{Derivation, System};
use crate::train::data::sample_state;
use crate::Solver;

fn strings(xs: &[&str]) -> Vec<String> {
    xs.iter().map(|s| s.to_string()).collect()
}

fn custom(text: &str, coords: &[&str], params: &[(&str, f64)], cond: &[&str]) -> CustomSystem {
    CustomSystem::new(
        text,
        strings(coords),
        params.iter().map(|&(n, v)| (n.to_string(), v)).collect(),
        strings(cond),
    )
    .unwrap_or_else(|e| panic!("{text}: {e}"))
}

fn close(a: f64, b: f64, rel: f64) -> bool {
    (a - b).abs() <= rel * (1.0 + a.abs().max(b.abs()))
}

/// Every built-in system typed as an expression gives the built-in's q̈ and E, to 1e-12
/// relative, on 200 of the states training draws.
#[test]
fn built_in_systems_typed_as_expressions_agree_with_the_built_ins() {
    let cases: Vec<(&str, CustomSystem)> = vec![
        (
            "double-pendulum",
            custom(
                "0.5*(m1 + m2)*l1^2*t1_dot^2 + 0.5*m2*l2^2*t2_dot^2 + m2*l1*l2*t1_dot*t2_dot*cos(t1 - t2) + (m1 + m2)*g*l1*cos(t1) + m2*g*l2*cos(t2)",
                &["t1", "t2"],
                &[("m1", 1.0), ("m2", 1.0), ("l1", 1.0), ("l2", 1.0), ("g", 9.8)],
                &[],
            ),
        ),
        (
            "relativistic",
            custom("(1 - q_dot**2)**(-1/2) - 1 + q*g", &["q"], &[], &["g"]),
        ),
        (
            "charged-particle",
            custom(
                "m*(x_dot^2 + y_dot^2)/2 + qB*(x*y_dot - y*x_dot)/2",
                &["x", "y"],
                &[("m", 1.0), ("qB", 1.0)],
                &[],
            ),
        ),
        (
            "free-fall",
            custom("m*(h'^2 + s'^2)/2 - m*g*h", &["h", "s"], &[("m", 1.0), ("g", 9.8)], &[]),
        ),
        ("harmonic", custom("x_dot^2/2 - x^2/2", &["x"], &[], &[])),
    ];
    let solver = Solver::default();
    for (name, typed) in &cases {
        let system = System::from_name(name).unwrap();
        let mut r = seeded(11);
        for _ in 0..200 {
            let x = sample_state(&system, &mut r).unwrap();
            let want = system.accelerations(&x, &Derivation::default()).unwrap();
            let got = typed.accelerations(&x, &solver).unwrap();
            for (a, b) in got.iter().zip(&want) {
                assert!(
                    close(*a, *b, 1e-12),
                    "{name} at {x:?}: q̈ {got:?} vs {want:?}"
                );
            }
            let (e, e_want) = (typed.energy(&x).unwrap(), system.energy(&x).unwrap());
            assert!(
                close(e, e_want, 1e-12),
                "{name} at {x:?}: E {e} vs {e_want}"
            );
        }
    }
}

/// The language's functions and operators through the engine: first and second derivatives of
/// L(x, v) = f(v)·g(x) against central differences of its f64 value (step h, tolerance tied to
/// it: truncation ~h², round-off ~ε/h² for the second difference).
#[test]
fn derivatives_of_every_function_match_finite_differences() {
    let funcs = [
        ("sin", 0.4),
        ("cos", 0.4),
        ("tan", 0.4),
        ("asin", 0.4),
        ("acos", 0.4),
        ("atan", 0.4),
        ("sinh", 0.4),
        ("cosh", 0.4),
        ("tanh", 0.4),
        ("exp", 0.4),
        ("log", 0.4),
        ("sqrt", 0.4),
        ("abs", -0.4),
    ];
    let names = Names::new(strings(&["x"]), vec![], vec![]).unwrap();
    for (f, v0) in funcs {
        let text = alloc::format!("{f}(x_dot)*(2 + x^3) + x_dot^2/x * 0.1 + x^x_dot");
        let e = parse(&text, &names).unwrap();
        let value = |x: f64, v: f64| {
            e.eval(&Values {
                q: &[x],
                qdot: &[v],
                params: &[],
                c: &[],
            })
        };
        let (x0, h) = (0.7, 1e-4);
        let (q, v) = crate::taylor::Jet::<1>::variables(&[x0], &[v0]);
        let j = e.eval(&Values {
            q: &q,
            qdot: &v,
            params: &[],
            c: &[],
        });
        let dv = (value(x0, v0 + h) - value(x0, v0 - h)) / (2.0 * h);
        let dx = (value(x0 + h, v0) - value(x0 - h, v0)) / (2.0 * h);
        let dvv = (value(x0, v0 + h) - 2.0 * value(x0, v0) + value(x0, v0 - h)) / (h * h);
        let dvx = (value(x0 + h, v0 + h) - value(x0 + h, v0 - h) - value(x0 - h, v0 + h)
            + value(x0 - h, v0 - h))
            / (4.0 * h * h);
        assert!(close(j.gv[0], dv, 1e-7), "{f}: ∂L/∂v {} vs {dv}", j.gv[0]);
        assert!(close(j.gq[0], dx, 1e-7), "{f}: ∂L/∂x {} vs {dx}", j.gq[0]);
        assert!(
            close(j.hvv[0][0], dvv, 1e-5),
            "{f}: ∂²L/∂v² {} vs {dvv}",
            j.hvv[0][0]
        );
        assert!(
            close(j.hvq[0][0], dvx, 1e-5),
            "{f}: ∂²L/∂v∂x {} vs {dvx}",
            j.hvq[0][0]
        );
    }
}

#[test]
fn errors_say_where_and_what_was_expected() {
    let names = Names::new(strings(&["theta", "x"]), strings(&["g"]), vec![]).unwrap();
    let err = |t: &str| parse(t, &names).unwrap_err().to_string();
    assert_eq!(
        err("theta_dot^2 + thetaa"),
        "unknown name `thetaa` at column 15; coordinates are theta, x (velocities theta_dot); parameters are g"
    );
    assert!(err("y_dot")
        .starts_with("`y_dot` is the velocity of `y`, which is not a coordinate at column 1"));
    assert_eq!(
        err("sin x"),
        "`sin` is a function at column 1; write sin(...)"
    );
    assert_eq!(
        err("(x + 1"),
        "the `(` at column 1 is never closed at column 6"
    );
    assert_eq!(err("x + 1)"), "a `)` that closes nothing at column 6");
    assert_eq!(
        err("2x"),
        "expected an operator (+ - * / ^) or the end, found `x` at column 2"
    );
    assert_eq!(
        err("x *"),
        "the expression ends where a number, a name or `(` was expected at column 3"
    );
    assert_eq!(
        err("x − 1"),
        "unexpected character `−` at column 3; type the minus sign as -"
    );
    assert_eq!(
        err("1e999"),
        "the number `1e999` is too large for f64 at column 1"
    );
    assert!(err("").starts_with("the expression is empty at column 1"));
    assert!(err(&"(".repeat(500)).contains("nested more than 128 deep"));
    assert!(err(&["x"; 300].join(" + ")).contains("nested more than 128 deep"));
}

#[test]
fn names_are_checked() {
    let bad = |c: &[&str], p: &[&str]| {
        Names::new(strings(c), strings(p), vec![])
            .unwrap_err()
            .to_string()
    };
    assert!(bad(&[], &[]).contains("at least one coordinate"));
    assert!(bad(&["a", "b", "c", "d", "e", "f", "g"], &[])
        .contains("7 coordinates is more than the engine's 6"));
    assert!(bad(&["sin"], &[]).contains("`sin` is a name of the language"));
    assert!(bad(&["x_dot"], &[]).contains("ends in _dot"));
    assert!(bad(&["x"], &["x"]).contains("`x` is named twice"));
    assert!(bad(&["2x"], &[]).contains("is not a name"));
    // Greek letters are names.
    let n = Names::new(strings(&["θ"]), vec![], vec![]).unwrap();
    assert_eq!(
        parse("θ_dot^2/2 + cos(θ)", &n).unwrap().to_string(),
        "θ_dot^2/2 + cos(θ)"
    );
}

/// Precedence and the canonical form: what prints parses back to the same tree.
#[test]
fn canonical_form_reads_back_the_same() {
    let names = Names::new(strings(&["x", "y"]), strings(&["k"]), strings(&["c"])).unwrap();
    for (text, canonical) in [
        ("-x^2", "-x^2"),
        ("(-x)^2", "(-x)^2"),
        ("x^y^2", "x^y^2"),
        ("(x^y)^2", "(x^y)^2"),
        ("x**-2", "x^-2"),
        ("x - (y - 1)", "x - (y - 1)"),
        ("x - y - 1", "x - y - 1"),
        ("x/(y*k)", "x/(y*k)"),
        ("2*-x", "2*-x"),
        ("+x + +1.5e-3", "x + 0.0015"),
        ("1e20*c", "1e20*c"),
        ("Abs(x') + ln(E) + pi", "abs(x_dot) + log(E) + pi"),
        ("0.1 * x_dot ** 2", "0.1*x_dot^2"),
    ] {
        let e = parse(text, &names).unwrap();
        assert_eq!(e.to_string(), canonical, "{text}");
        assert_eq!(parse(canonical, &names).unwrap(), e, "{text}");
    }
    // Values: -x^2 is −(x²); powers are right-associative.
    let at = |t: &str| {
        parse(t, &names).unwrap().eval(&Values {
            q: &[3.0, 2.0],
            qdot: &[0.0, 0.0],
            params: &[1.0],
            c: &[0.5],
        })
    };
    assert_eq!(at("-x^2"), -9.0);
    assert!(
        (at("2^x^2") - 512.0).abs() < 1e-12 * 512.0,
        "a variable exponent is exp(b ln a)"
    );
    assert_eq!(at("x - y - 1"), 0.0);
    assert_eq!(at("c*k + 8/y/2"), 2.5);
}

/// A property test with a time budget: random and mutated strings never panic, every error has
/// a column inside the string, and whatever parses prints to a text that parses to the same tree.
#[test]
fn the_parser_survives_random_and_mutated_text() {
    let names = Names::new(
        strings(&["x", "theta"]),
        strings(&["g", "m"]),
        strings(&["c"]),
    )
    .unwrap();
    let seeds = [
        "0.5*m*x_dot^2 - m*g*x",
        "theta'**2/2 + g*cos(theta) - c*sqrt(1 + x^2)",
        "-(1 - x_dot^2)^(-1/2) + abs(theta) / exp(-x) ^ 2",
    ];
    let alphabet: Vec<char> = "0123456789.eE+-*/^()_ '  xthetagmcsinopqrdalbE\u{3b8}−é"
        .chars()
        .collect();
    let mut r = seeded(3);
    let start = std::time::Instant::now();
    let mut cases = 0;
    while start.elapsed().as_millis() < 2000 {
        let mut t: Vec<char> = seeds[cases % seeds.len()].chars().collect();
        if cases % 5 == 0 {
            let len = (uniform(&mut r, 0.0, 40.0)) as usize;
            t = (0..len)
                .map(|_| {
                    alphabet
                        [(uniform(&mut r, 0.0, alphabet.len() as f64)) as usize % alphabet.len()]
                })
                .collect();
        } else {
            for _ in 0..(1 + (uniform(&mut r, 0.0, 4.0)) as usize) {
                let at = (uniform(&mut r, 0.0, t.len() as f64 + 1.0)) as usize;
                let c = alphabet
                    [(uniform(&mut r, 0.0, alphabet.len() as f64)) as usize % alphabet.len()];
                match (uniform(&mut r, 0.0, 3.0)) as usize {
                    0 if at < t.len() => {
                        t.remove(at);
                    }
                    1 if at < t.len() => t[at] = c,
                    _ => t.insert(at.min(t.len()), c),
                }
            }
        }
        let text: String = t.iter().collect();
        match parse(&text, &names) {
            Ok(e) => {
                let printed = e.to_string();
                let again = parse(&printed, &names)
                    .unwrap_or_else(|err| panic!("{text:?} printed {printed:?}: {err}"));
                assert_eq!(again, e, "{text:?} printed as {printed:?}");
            }
            Err(err) => {
                let len = text.chars().count().max(1);
                assert!(
                    err.column >= 1 && err.column <= len,
                    "{text:?}: column {} of {len}: {err}",
                    err.column
                );
            }
        }
        cases += 1;
    }
    assert!(cases > 1000, "only {cases} cases");
}
