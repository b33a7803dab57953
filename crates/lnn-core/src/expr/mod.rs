//! Lagrangians typed as text: `0.5*m*x_dot^2 - 0.5*k*x^2`.
//!
//! A small expression language parsed once ([`parse`]) into a tree that is evaluated over any
//! [`Scalar`], so the engine derives q̈ and E from a typed Lagrangian exactly as from the built-in
//! ones. It reads what sympy's `sstr` prints (with `x_dot` for velocities): numbers (`2`, `1e-3`),
//! names, `+ - * /`, powers written `^` or `**` (right-associative, binding tighter than unary
//! minus: `-x^2` is −(x²)), parentheses, `pi` and `E`, and the functions [`Func`]. A parsed
//! expression prints back in one canonical form (`Display`) that parses to the same tree.
use alloc::boxed::Box;
use alloc::string::String;
use core::fmt;

use crate::taylor::Scalar;

mod parse;
#[cfg(test)]
mod tests;

pub use parse::{parse, Names, ParseError};

/// The functions of the language, by the names they are typed with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Func {
    /// sin
    Sin,
    /// cos
    Cos,
    /// tan
    Tan,
    /// asin
    Asin,
    /// acos
    Acos,
    /// atan
    Atan,
    /// sinh
    Sinh,
    /// cosh
    Cosh,
    /// tanh
    Tanh,
    /// exp
    Exp,
    /// log: the natural logarithm
    Log,
    /// sqrt
    Sqrt,
    /// abs (also typed `Abs`, as sympy prints it): derivative sign x, taken as 0 at 0
    Abs,
}

impl Func {
    /// Every function with its name.
    pub const ALL: [(&'static str, Func); 13] = [
        ("sin", Func::Sin),
        ("cos", Func::Cos),
        ("tan", Func::Tan),
        ("asin", Func::Asin),
        ("acos", Func::Acos),
        ("atan", Func::Atan),
        ("sinh", Func::Sinh),
        ("cosh", Func::Cosh),
        ("tanh", Func::Tanh),
        ("exp", Func::Exp),
        ("log", Func::Log),
        ("sqrt", Func::Sqrt),
        ("abs", Func::Abs),
    ];

    /// The function typed as `name` (`Abs` and `ln` are accepted too).
    pub fn from_name(name: &str) -> Option<Func> {
        match name {
            "Abs" => Some(Func::Abs),
            "ln" => Some(Func::Log),
            _ => Func::ALL.iter().find(|(n, _)| *n == name).map(|&(_, f)| f),
        }
    }

    /// The canonical name.
    pub fn name(self) -> &'static str {
        Func::ALL
            .iter()
            .find(|(_, f)| *f == self)
            .map_or("?", |(n, _)| n)
    }

    fn apply<S: Scalar>(self, x: S) -> S {
        match self {
            Func::Sin => x.sin(),
            Func::Cos => x.cos(),
            Func::Tan => x.tan(),
            Func::Asin => x.asin(),
            Func::Acos => x.acos(),
            Func::Atan => x.atan(),
            Func::Sinh => x.sinh(),
            Func::Cosh => x.cosh(),
            Func::Tanh => x.tanh(),
            Func::Exp => x.exp(),
            Func::Log => x.ln(),
            Func::Sqrt => x.sqrt(),
            Func::Abs => x.abs(),
        }
    }
}

/// What a name in an expression stands for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Var {
    /// Coordinate q_i.
    Q(usize),
    /// Velocity q̇_i (typed `x_dot` or `x'`).
    Qdot(usize),
    /// Parameter j with a fixed value.
    Param(usize),
    /// Conditioning input k: a parameter whose value comes with each state (`c` in [q, q̇, c]).
    Cond(usize),
}

/// A parsed expression.
#[derive(Clone, Debug, PartialEq)]
pub enum Expr {
    /// A number (non-negative: a minus sign is [`Expr::Neg`]).
    Num(f64),
    /// π, printed `pi`.
    Pi,
    /// Euler's number e, printed `E` (as sympy does).
    Euler,
    /// A coordinate, velocity or parameter, with the name it was typed with.
    Var(Var, String),
    /// −a
    Neg(Box<Expr>),
    /// a + b
    Add(Box<Expr>, Box<Expr>),
    /// a − b
    Sub(Box<Expr>, Box<Expr>),
    /// a · b
    Mul(Box<Expr>, Box<Expr>),
    /// a / b
    Div(Box<Expr>, Box<Expr>),
    /// aᵇ
    Pow(Box<Expr>, Box<Expr>),
    /// f(a)
    Call(Func, Box<Expr>),
}

/// The values an expression is evaluated at.
pub struct Values<'a, S> {
    /// Coordinates q.
    pub q: &'a [S],
    /// Velocities q̇.
    pub qdot: &'a [S],
    /// Parameter values, in [`Names::parameters`] order.
    pub params: &'a [f64],
    /// Conditioning inputs, in [`Names::conditioning`] order.
    pub c: &'a [f64],
}

impl Expr {
    /// The value at `at`, over any [`Scalar`] (a [`crate::taylor::Jet`] for derivatives).
    /// Powers with a constant integer exponent are `powi` (negative bases fine), other constant
    /// exponents `powf`, and a variable exponent exp(b ln a) (a > 0).
    pub fn eval<S: Scalar>(&self, at: &Values<'_, S>) -> S {
        match self {
            Expr::Num(x) => S::from_f64(*x),
            Expr::Pi => S::from_f64(core::f64::consts::PI),
            Expr::Euler => S::from_f64(core::f64::consts::E),
            Expr::Var(v, _) => match *v {
                Var::Q(i) => at.q[i],
                Var::Qdot(i) => at.qdot[i],
                Var::Param(j) => S::from_f64(at.params[j]),
                Var::Cond(k) => S::from_f64(at.c[k]),
            },
            Expr::Neg(a) => -a.eval(at),
            Expr::Add(a, b) => a.eval(at) + b.eval(at),
            Expr::Sub(a, b) => a.eval(at) - b.eval(at),
            Expr::Mul(a, b) => a.eval(at) * b.eval(at),
            Expr::Div(a, b) => a.eval(at) / b.eval(at),
            Expr::Pow(a, b) => {
                let base = a.eval(at);
                match b.constant() {
                    Some(p) => power(base, p),
                    None => (b.eval(at) * base.ln()).exp(),
                }
            }
            Expr::Call(f, a) => f.apply(a.eval(at)),
        }
    }

    /// The value when the expression holds no coordinate, velocity or parameter (`1/2`, `-pi`).
    pub fn constant(&self) -> Option<f64> {
        Some(match self {
            Expr::Num(x) => *x,
            Expr::Pi => core::f64::consts::PI,
            Expr::Euler => core::f64::consts::E,
            Expr::Var(..) => return None,
            Expr::Neg(a) => -a.constant()?,
            Expr::Add(a, b) => a.constant()? + b.constant()?,
            Expr::Sub(a, b) => a.constant()? - b.constant()?,
            Expr::Mul(a, b) => a.constant()? * b.constant()?,
            Expr::Div(a, b) => a.constant()? / b.constant()?,
            Expr::Pow(a, b) => power(a.constant()?, b.constant()?),
            Expr::Call(func, a) => func.apply(a.constant()?),
        })
    }

    /// Whether some variable of the expression satisfies `pred`.
    pub fn uses(&self, pred: &mut impl FnMut(Var) -> bool) -> bool {
        match self {
            Expr::Num(_) | Expr::Pi | Expr::Euler => false,
            Expr::Var(v, _) => pred(*v),
            Expr::Neg(a) | Expr::Call(_, a) => a.uses(pred),
            Expr::Add(a, b)
            | Expr::Sub(a, b)
            | Expr::Mul(a, b)
            | Expr::Div(a, b)
            | Expr::Pow(a, b) => a.uses(pred) || b.uses(pred),
        }
    }

    /// Binding strength, for printing with the fewest parentheses that parse back the same.
    fn precedence(&self) -> u8 {
        match self {
            Expr::Add(..) | Expr::Sub(..) => 1,
            Expr::Mul(..) | Expr::Div(..) => 2,
            Expr::Neg(_) => 3,
            Expr::Pow(..) => 4,
            _ => 5,
        }
    }
}

/// aᵖ for a constant p, over any Scalar (f64 for [`Expr::constant`]): `powi` for a whole p
/// (negative bases fine, exact derivatives at 0), `powf` otherwise.
fn power<S: Scalar>(a: S, p: f64) -> S {
    if p == (p as i32) as f64 {
        a.powi(p as i32)
    } else {
        a.powf(p)
    }
}

/// Writes `e`, in parentheses when it binds more loosely than `min`.
fn child(f: &mut fmt::Formatter<'_>, e: &Expr, min: u8) -> fmt::Result {
    if e.precedence() < min {
        write!(f, "({e})")
    } else {
        write!(f, "{e}")
    }
}

/// The canonical form: `^` for powers, `*` and `/` without spaces, ` + ` and ` - ` with them,
/// numbers in the shortest form that reads back to the same f64.
impl fmt::Display for Expr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Expr::Num(x) => {
                if *x == (*x as i64) as f64 && x.abs() < 1e15 {
                    write!(f, "{}", *x as i64)
                } else {
                    write!(f, "{x:?}")
                }
            }
            Expr::Pi => f.write_str("pi"),
            Expr::Euler => f.write_str("E"),
            Expr::Var(_, name) => f.write_str(name),
            Expr::Neg(a) => {
                f.write_str("-")?;
                child(f, a, 3)
            }
            Expr::Add(a, b) | Expr::Sub(a, b) => {
                child(f, a, 1)?;
                f.write_str(if matches!(self, Expr::Add(..)) {
                    " + "
                } else {
                    " - "
                })?;
                child(f, b, 2)
            }
            Expr::Mul(a, b) | Expr::Div(a, b) => {
                child(f, a, 2)?;
                f.write_str(if matches!(self, Expr::Mul(..)) {
                    "*"
                } else {
                    "/"
                })?;
                child(f, b, 3)
            }
            Expr::Pow(a, b) => {
                child(f, a, 5)?;
                f.write_str("^")?;
                child(f, b, 3)
            }
            Expr::Call(func, a) => write!(f, "{}({a})", func.name()),
        }
    }
}

/// The names of `items`, for messages: "theta, x".
pub(crate) fn list(items: &[String]) -> String {
    let mut out = String::new();
    for (i, s) in items.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        out.push_str(s);
    }
    out
}
