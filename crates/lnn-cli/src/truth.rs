//! A true system named on the command line: a built-in one (`--system NAME [--grid N]`) or a
//! typed Lagrangian (`--lagrangian EXPR --coordinates a,b [--parameters g=9.8,k=1]
//! [--conditioning m]`), with the engine's q̈ and E for either.
use lnn_core::custom::CustomSystem;
use lnn_core::systems::{Derivation, System};
use lnn_core::Solver;

use crate::args::{flagged, Args};

pub enum Truth {
    Builtin(System),
    Custom(Box<CustomSystem>),
}

/// `a,b,c` as names (empty entries refused).
fn names(flag: &str, text: &str) -> Result<Vec<String>, String> {
    text.split(',')
        .map(|s| {
            let s = s.trim();
            if s.is_empty() {
                Err(format!("--{flag}: an empty name in `{text}`"))
            } else {
                Ok(s.to_string())
            }
        })
        .collect()
}

/// `g=9.8,k=1` as (name, value) pairs.
fn parameters(text: &str) -> Result<Vec<(String, f64)>, String> {
    text.split(',')
        .map(|p| {
            let (name, value) = p.split_once('=').ok_or_else(|| {
                format!(
                    "--parameters: `{}` needs a value (name=value, e.g. g=9.8)",
                    p.trim()
                )
            })?;
            let v: f64 = value.trim().parse().map_err(|_| {
                format!(
                    "--parameters: `{}` is not a number (for `{}`)",
                    value.trim(),
                    name.trim()
                )
            })?;
            Ok((name.trim().to_string(), v))
        })
        .collect()
}

impl Truth {
    /// The system the flags name, if any: `--system` and `--lagrangian` exclude each other;
    /// `--coordinates`, `--parameters` and `--conditioning` belong to `--lagrangian`.
    pub fn from_args(args: &Args) -> Result<Option<Truth>, String> {
        let system: Option<String> = args.opt("system")?;
        let grid: Option<usize> = args.opt("grid")?;
        let lagrangian: Option<String> = args.opt("lagrangian")?;
        let coordinates: Option<String> = args.opt("coordinates")?;
        let params: Option<String> = args.opt("parameters")?;
        let conditioning: Option<String> = args.opt("conditioning")?;
        match (system, lagrangian) {
            (Some(_), Some(_)) => Err("give --system NAME or --lagrangian EXPR, not both".into()),
            (Some(name), None) => {
                if coordinates.is_some() || params.is_some() || conditioning.is_some() {
                    return Err("--coordinates, --parameters and --conditioning go with --lagrangian, not --system".into());
                }
                let s = match (name.as_str(), grid) {
                    ("wave", Some(n)) => System::wave(n),
                    (_, Some(_)) => return Err("--grid: only the wave system has a grid".into()),
                    (n, None) => System::from_name(n),
                };
                Ok(Some(Truth::Builtin(s.map_err(|e| flagged(e, &[]))?)))
            }
            (None, Some(text)) => {
                if grid.is_some() {
                    return Err("--grid: only the wave system has a grid".into());
                }
                let coordinates = coordinates.ok_or(
                    "--lagrangian needs --coordinates a,b,... (the names of q; velocities are a_dot)",
                )?;
                let custom = CustomSystem::new(
                    &text,
                    names("coordinates", &coordinates)?,
                    params
                        .as_deref()
                        .map(parameters)
                        .transpose()?
                        .unwrap_or_default(),
                    conditioning
                        .as_deref()
                        .map(|c| names("conditioning", c))
                        .transpose()?
                        .unwrap_or_default(),
                )
                .map_err(|e| flagged(e, &[]))?;
                Ok(Some(Truth::Custom(Box::new(custom))))
            }
            (None, None) => {
                if coordinates.is_some() || params.is_some() || conditioning.is_some() {
                    return Err(
                        "--coordinates, --parameters and --conditioning go with --lagrangian EXPR"
                            .into(),
                    );
                }
                Ok(None)
            }
        }
    }

    pub fn name(&self) -> String {
        match self {
            Truth::Builtin(s) => s.name().to_string(),
            Truth::Custom(c) => c.to_string(),
        }
    }

    /// Numbers in a state: [q, q̇, c].
    pub fn state_len(&self) -> usize {
        match self {
            Truth::Builtin(s) => s.state_len(),
            Truth::Custom(c) => c.state_len(),
        }
    }

    /// q̈ at `x`, through the Euler–Lagrange engine.
    pub fn accelerations(&self, x: &[f64]) -> lnn_core::Result<Vec<f64>> {
        match self {
            Truth::Builtin(s) => s.accelerations(x, &Derivation::default()),
            Truth::Custom(c) => c.accelerations(x, &Solver::default()),
        }
    }

    /// E = q̇·∂L/∂q̇ − L at `x`.
    pub fn energy(&self, x: &[f64]) -> lnn_core::Result<f64> {
        match self {
            Truth::Builtin(s) => s.energy(x),
            Truth::Custom(c) => c.energy(x),
        }
    }
}
