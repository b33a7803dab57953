//! A true system named on the command line: a built-in one (`--system NAME [--grid N]`) or a
//! typed Lagrangian (`--lagrangian EXPR --coordinates a,b [--parameters g=9.8,k=1]
//! [--conditioning m] [--ranges lo:hi,...]`), which lnn-core makes a `System::Custom`.
use lnn_core::custom::CustomSpec;
use lnn_core::systems::System;

use crate::args::{flagged, Args};

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

/// `-1:1,0.5:2` as (lo, hi) pairs.
fn ranges(text: &str) -> Result<Vec<(f64, f64)>, String> {
    text.split(',')
        .map(|r| {
            let bad = || format!("--ranges: `{}` is not lo:hi (e.g. -1:1)", r.trim());
            let (lo, hi) = r.split_once(':').ok_or_else(bad)?;
            Ok((
                lo.trim().parse().map_err(|_| bad())?,
                hi.trim().parse().map_err(|_| bad())?,
            ))
        })
        .collect()
}

/// The typed Lagrangian the flags describe, if `--lagrangian` is given (checked by lnn-core
/// when the system is built).
pub fn custom_spec(args: &Args) -> Result<Option<CustomSpec>, String> {
    let lagrangian: Option<String> = args.opt("lagrangian")?;
    let params: Option<String> = args.opt("parameters")?;
    let conditioning: Option<String> = args.opt("conditioning")?;
    let range: Option<String> = args.opt("ranges")?;
    let Some(lagrangian) = lagrangian else {
        if params.is_some() || conditioning.is_some() || range.is_some() {
            return Err(
                "--parameters, --conditioning and --ranges go with --lagrangian EXPR".into(),
            );
        }
        // `--coordinates` is left alone: without --lagrangian it is train's velocity|canonical.
        return Ok(None);
    };
    let coordinates = args.opt::<String>("coordinates")?.ok_or(
        "--lagrangian needs --coordinates a,b,... (the names of q; their velocities are a_dot)",
    )?;
    Ok(Some(CustomSpec {
        lagrangian,
        coordinates: names("coordinates", &coordinates)?,
        parameters: params
            .as_deref()
            .map(parameters)
            .transpose()?
            .unwrap_or_default(),
        conditioning: conditioning
            .as_deref()
            .map(|c| names("conditioning", c))
            .transpose()?
            .unwrap_or_default(),
        ranges: range
            .as_deref()
            .map(ranges)
            .transpose()?
            .unwrap_or_default(),
    }))
}

/// `--system NAME`, refused beside `--lagrangian` (checked first, so that this is what a user who
/// gave both hears, not what their Lagrangian lacks).
pub fn named_system(args: &Args) -> Result<Option<String>, String> {
    let name: Option<String> = args.opt("system")?;
    if name.is_some() && args.opt::<String>("lagrangian")?.is_some() {
        return Err("give --system NAME or --lagrangian EXPR, not both".into());
    }
    Ok(name)
}

/// The system `--system NAME [--grid N]` or `--lagrangian ...` names, if either is given.
pub fn true_system(args: &Args) -> Result<Option<System>, String> {
    let name = named_system(args)?;
    let grid: Option<usize> = args.opt("grid")?;
    let s = match (name, custom_spec(args)?) {
        (None, None) if grid.is_some() => return Err("--grid goes with --system wave".into()),
        (None, None) => return Ok(None),
        (_, Some(spec)) => match grid {
            Some(_) => return Err("--grid: only the wave system has a grid".into()),
            None => System::custom(&spec).inspect(notes),
        },
        (Some(name), None) => match (name.as_str(), grid) {
            ("wave", Some(n)) => System::wave(n),
            (_, Some(_)) => return Err("--grid: only the wave system has a grid".into()),
            (name, None) => System::from_name(name),
        },
    };
    s.map(Some).map_err(|e| flagged(e, &[]))
}

/// What lnn-core's diagnosis finds in a typed Lagrangian (a velocity it ignores, a singular or
/// indefinite mass matrix over the ranges), on stderr: warnings, the run goes on.
pub fn notes(system: &System) {
    if let System::Custom(c) = system {
        for note in c.diagnose(256, 0) {
            eprintln!("note: {note}");
        }
    }
}
