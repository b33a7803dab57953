//! The parser: text to [`Expr`], with errors that say where and what was expected.
//!
//! Recursive descent over a token list, one function per precedence level:
//!
//! ```text
//! sum     := product (("+" | "-") product)*
//! product := unary (("*" | "/") unary)*
//! unary   := ("-" | "+") unary | power
//! power   := atom (("^" | "**") unary)?          right-associative: a^b^c = a^(b^c)
//! atom    := number | name | function "(" sum ")" | "(" sum ")"
//! ```
use alloc::boxed::Box;
use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;
use core::fmt;

use super::{list, Expr, Func, Var};
use crate::{Error, Result};

/// The longest expression accepted, in characters (a page field, not a file).
pub const MAX_LEN: usize = 5_000;
/// The deepest tree accepted: nesting of parentheses, powers and signs, and the terms of a sum
/// or product chain, which nest too (`a + b + c` is (a + b) + c). Evaluation recurses once per
/// level with a jet of up to ~1 KB live per level, and wasm's stack is 1 MB.
pub const MAX_DEPTH: usize = 128;

/// The names an expression may use: coordinates (whose velocities are `name_dot` or `name'`),
/// parameters with fixed values, and conditioning inputs given with each state.
#[derive(Clone, Debug, PartialEq)]
pub struct Names {
    /// Coordinates q, in state order.
    pub coordinates: Vec<String>,
    /// Parameters, in the order of their values.
    pub parameters: Vec<String>,
    /// Conditioning inputs, in the order they follow q̇ in a state.
    pub conditioning: Vec<String>,
}

/// Names that cannot be chosen: the language's own.
fn reserved(name: &str) -> bool {
    Func::from_name(name).is_some() || matches!(name, "pi" | "E")
}

fn is_name_start(c: char) -> bool {
    c.is_alphabetic() || c == '_'
}

fn is_name_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

impl Names {
    /// Checks the names: identifiers (letters, digits, `_`; Greek letters welcome), none of the
    /// language's own (`sin`, `pi`, `E`, ...), none ending in `_dot`, no name twice, and 1 to
    /// [`crate::mechanics::MAX_DOF`] coordinates.
    ///
    /// # Errors
    /// [`Error::InvalidConfig`] naming the list and the name.
    pub fn new(
        coordinates: Vec<String>,
        parameters: Vec<String>,
        conditioning: Vec<String>,
    ) -> Result<Self> {
        let max = crate::mechanics::MAX_DOF;
        if coordinates.is_empty() {
            return Err(Error::config("coordinates", "name at least one coordinate"));
        }
        if coordinates.len() > max {
            return Err(Error::config(
                "coordinates",
                format!(
                    "{} coordinates is more than the engine's {max} (its derivatives live on the stack)",
                    coordinates.len()
                ),
            ));
        }
        let mut seen: Vec<&str> = Vec::new();
        for (field, names) in [
            ("coordinates", &coordinates),
            ("parameters", &parameters),
            ("conditioning", &conditioning),
        ] {
            for n in names {
                let mut chars = n.chars();
                let ok = chars.next().is_some_and(is_name_start) && chars.all(is_name_char);
                let why = if !ok {
                    Some("is not a name (letters, digits and _, not starting with a digit)")
                } else if reserved(n) {
                    Some("is a name of the language (a function, pi or E)")
                } else if n.ends_with("_dot") {
                    Some("ends in _dot, which is how velocities are written")
                } else if seen.contains(&n.as_str()) {
                    Some("is named twice")
                } else {
                    None
                };
                if let Some(why) = why {
                    return Err(Error::config(field, format!("`{n}` {why}")));
                }
                seen.push(n);
            }
        }
        Ok(Names {
            coordinates,
            parameters,
            conditioning,
        })
    }

    fn resolve(&self, name: &str) -> Option<Var> {
        let find = |list: &[String], n: &str| list.iter().position(|s| s == n);
        if let Some(base) = name
            .strip_suffix("_dot")
            .or_else(|| name.strip_suffix('\''))
        {
            return find(&self.coordinates, base).map(Var::Qdot);
        }
        find(&self.coordinates, name)
            .map(Var::Q)
            .or_else(|| find(&self.parameters, name).map(Var::Param))
            .or_else(|| find(&self.conditioning, name).map(Var::Cond))
    }

    /// "coordinates are theta, x; parameters are g": what a name could have been.
    fn known(&self) -> String {
        let mut s = format!(
            "coordinates are {} (velocities {}_dot)",
            list(&self.coordinates),
            self.coordinates[0]
        );
        if !self.parameters.is_empty() {
            s.push_str(&format!("; parameters are {}", list(&self.parameters)));
        }
        if !self.conditioning.is_empty() {
            s.push_str(&format!(
                "; conditioning inputs are {}",
                list(&self.conditioning)
            ));
        }
        s
    }
}

/// Why a text is not an expression, and where: `column` counts characters from 1 and always lies
/// within the text (the last character for "ended too early"; 1 for an empty text).
#[derive(Clone, Debug, PartialEq)]
pub struct ParseError {
    /// 1-based character position.
    pub column: usize,
    /// What is wrong ("unknown name `thetaa`").
    pub what: String,
    /// What would be right, when there is something to say ("coordinates are theta, x").
    pub hint: Option<String>,
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} at column {}", self.what, self.column)?;
        if let Some(h) = &self.hint {
            write!(f, "; {h}")?;
        }
        Ok(())
    }
}

#[derive(Clone, Debug, PartialEq)]
enum Tok {
    Num(f64),
    Name(String),
    Op(char), // + - * / ^ ( ) ; `**` is read as ^
}

impl fmt::Display for Tok {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Tok::Num(x) => write!(f, "the number {x}"),
            Tok::Name(n) => write!(f, "`{n}`"),
            Tok::Op(c) => write!(f, "`{c}`"),
        }
    }
}

fn error(column: usize, what: impl Into<String>, hint: Option<String>) -> ParseError {
    ParseError {
        column,
        what: what.into(),
        hint,
    }
}

/// Tokens with their 1-based columns.
fn lex(text: &str) -> core::result::Result<Vec<(Tok, usize)>, ParseError> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let col = i + 1;
        if c.is_whitespace() {
            i += 1;
        } else if c.is_ascii_digit()
            || (c == '.' && chars.get(i + 1).is_some_and(char::is_ascii_digit))
        {
            let start = i;
            while i < chars.len() && chars[i].is_ascii_digit() {
                i += 1;
            }
            if i < chars.len() && chars[i] == '.' {
                i += 1;
                while i < chars.len() && chars[i].is_ascii_digit() {
                    i += 1;
                }
            }
            if i < chars.len() && (chars[i] == 'e' || chars[i] == 'E') {
                let mut j = i + 1;
                if j < chars.len() && (chars[j] == '+' || chars[j] == '-') {
                    j += 1;
                }
                if j < chars.len() && chars[j].is_ascii_digit() {
                    while j < chars.len() && chars[j].is_ascii_digit() {
                        j += 1;
                    }
                    i = j;
                }
                // else: `2e` / `2E`: the number ends; what follows is read as a name (and then
                // reported as a missing operator), so `2*E` and `2E` are not confused.
            }
            let s: String = chars[start..i].iter().collect();
            let x: f64 = s
                .parse()
                .map_err(|_| error(col, format!("`{s}` is not a number"), None))?;
            if !x.is_finite() {
                return Err(error(
                    col,
                    format!("the number `{s}` is too large for f64"),
                    None,
                ));
            }
            out.push((Tok::Num(x), col));
        } else if is_name_start(c) {
            let start = i;
            while i < chars.len() && is_name_char(chars[i]) {
                i += 1;
            }
            if i < chars.len() && chars[i] == '\'' {
                i += 1;
            }
            out.push((Tok::Name(chars[start..i].iter().collect()), col));
        } else if c == '*' && chars.get(i + 1) == Some(&'*') {
            out.push((Tok::Op('^'), col));
            i += 2;
        } else if "+-*/^()".contains(c) {
            out.push((Tok::Op(c), col));
            i += 1;
        } else {
            let hint = match c {
                '−' => Some("type the minus sign as -".to_string()),
                '·' | '×' => Some("type multiplication as *".to_string()),
                '[' | '{' => Some("group with ( and )".to_string()),
                _ => None,
            };
            return Err(error(col, format!("unexpected character `{c}`"), hint));
        }
    }
    Ok(out)
}

struct Parser<'a> {
    toks: Vec<(Tok, usize)>,
    pos: usize,
    names: &'a Names,
    /// Column of the last character, for errors at the end.
    end: usize,
    depth: usize,
}

type Parsed = core::result::Result<Expr, ParseError>;

impl Parser<'_> {
    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.pos).map(|(t, _)| t)
    }

    fn column(&self) -> usize {
        self.toks.get(self.pos).map_or(self.end, |&(_, c)| c)
    }

    fn eat(&mut self, op: char) -> bool {
        if self.peek() == Some(&Tok::Op(op)) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    fn deeper(&mut self) -> core::result::Result<(), ParseError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(error(
                self.column(),
                format!("nested more than {MAX_DEPTH} deep"),
                None,
            ));
        }
        Ok(())
    }

    fn sum(&mut self) -> Parsed {
        let depth = self.depth;
        let mut e = self.product()?;
        loop {
            let op = self.peek().cloned();
            if !(self.eat('+') || self.eat('-')) {
                self.depth = depth;
                return Ok(e);
            }
            self.deeper()?;
            let rhs = Box::new(self.product()?);
            e = if op == Some(Tok::Op('+')) {
                Expr::Add(Box::new(e), rhs)
            } else {
                Expr::Sub(Box::new(e), rhs)
            };
        }
    }

    fn product(&mut self) -> Parsed {
        let depth = self.depth;
        let mut e = self.unary()?;
        loop {
            let op = self.peek().cloned();
            if !(self.eat('*') || self.eat('/')) {
                self.depth = depth;
                return Ok(e);
            }
            self.deeper()?;
            let rhs = Box::new(self.unary()?);
            e = if op == Some(Tok::Op('*')) {
                Expr::Mul(Box::new(e), rhs)
            } else {
                Expr::Div(Box::new(e), rhs)
            };
        }
    }

    fn unary(&mut self) -> Parsed {
        self.deeper()?;
        let e = if self.eat('-') {
            Expr::Neg(Box::new(self.unary()?))
        } else if self.eat('+') {
            self.unary()?
        } else {
            self.power()?
        };
        self.depth -= 1;
        Ok(e)
    }

    fn power(&mut self) -> Parsed {
        let base = self.atom()?;
        if self.eat('^') {
            Ok(Expr::Pow(Box::new(base), Box::new(self.unary()?)))
        } else {
            Ok(base)
        }
    }

    fn atom(&mut self) -> Parsed {
        let col = self.column();
        let Some((tok, _)) = self.toks.get(self.pos).cloned() else {
            return Err(error(
                self.end,
                "the expression ends where a number, a name or `(` was expected",
                None,
            ));
        };
        self.pos += 1;
        match tok {
            Tok::Num(x) => Ok(Expr::Num(x)),
            Tok::Op('(') => {
                let e = self.sum()?;
                if !self.eat(')') {
                    return Err(self.expected_close(col));
                }
                Ok(e)
            }
            Tok::Name(name) => {
                if let Some(f) = Func::from_name(&name) {
                    if !self.eat('(') {
                        return Err(error(
                            col,
                            format!("`{name}` is a function"),
                            Some(format!("write {name}(...)")),
                        ));
                    }
                    let open = self.column();
                    let arg = self.sum()?;
                    if !self.eat(')') {
                        return Err(self.expected_close(open.saturating_sub(1).max(1)));
                    }
                    return Ok(Expr::Call(f, Box::new(arg)));
                }
                match name.as_str() {
                    "pi" => return Ok(Expr::Pi),
                    "E" => return Ok(Expr::Euler),
                    _ => {}
                }
                // Velocities print as `x_dot` however they were typed (`x'`).
                match self.names.resolve(&name) {
                    Some(v @ Var::Qdot(i)) => {
                        Ok(Expr::Var(v, format!("{}_dot", self.names.coordinates[i])))
                    }
                    Some(v) => Ok(Expr::Var(v, name)),
                    None => Err(self.unknown(&name, col)),
                }
            }
            other => Err(error(
                col,
                format!("expected a number, a name or `(`, found {other}"),
                None,
            )),
        }
    }

    fn expected_close(&self, open: usize) -> ParseError {
        match self.peek() {
            None => error(
                self.end,
                format!("the `(` at column {open} is never closed"),
                None,
            ),
            Some(t) => error(
                self.column(),
                format!("expected an operator or `)` (for the `(` at column {open}), found {t}"),
                None,
            ),
        }
    }

    fn unknown(&self, name: &str, col: usize) -> ParseError {
        let velocity = name
            .strip_suffix("_dot")
            .or_else(|| name.strip_suffix('\''));
        let what = match velocity {
            Some(base) => {
                format!("`{name}` is the velocity of `{base}`, which is not a coordinate")
            }
            None => format!("unknown name `{name}`"),
        };
        error(col, what, Some(self.names.known()))
    }
}

/// Parses `text` using `names`.
///
/// # Errors
/// A [`ParseError`] with the column of the problem and, where it helps, what was expected.
pub fn parse(text: &str, names: &Names) -> core::result::Result<Expr, ParseError> {
    let len = text.chars().count();
    if len > MAX_LEN {
        return Err(error(
            MAX_LEN,
            format!("the expression is {len} characters long, more than {MAX_LEN}"),
            None,
        ));
    }
    let toks = lex(text)?;
    if toks.is_empty() {
        return Err(error(
            1,
            "the expression is empty",
            Some("type a Lagrangian such as 0.5*x_dot^2 - 0.5*x^2".into()),
        ));
    }
    let mut p = Parser {
        toks,
        pos: 0,
        names,
        end: len.max(1),
        depth: 0,
    };
    let e = p.sum()?;
    if let Some(t) = p.peek() {
        let what = if *t == Tok::Op(')') {
            "a `)` that closes nothing".to_string()
        } else {
            format!("expected an operator (+ - * / ^) or the end, found {t}")
        };
        return Err(error(p.column(), what, None));
    }
    Ok(e)
}
