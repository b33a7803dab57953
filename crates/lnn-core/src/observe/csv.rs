//! The trajectory file: CSV with a header row naming the columns.
//!
//! ```text
//! trajectory,t,theta1,theta2            (trajectory optional; velocities as theta1_dot, …)
//! 0,0.00,1.5,0.5
//! 0,0.05,1.49,0.52
//! ```
//!
//! `t` is the time; `trajectory` an integer id (the rows of one trajectory together and in time
//! order); a column `NAME_dot` is the velocity of coordinate `NAME` (all coordinates or none);
//! every other column is a coordinate, in the order of the header, except the conditioning
//! inputs of a known system when the reader is told their names ([`parse_for`]: the
//! relativistic particle's `g`, constant along a trajectory). Nothing is skipped: a row the
//! reader cannot use is an error naming its line and column.
use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

use crate::{Error, Result};

/// One trajectory: times and, per sample, the coordinates (and the velocities if given).
#[derive(Clone, Debug, PartialEq)]
pub struct Run {
    /// The file's id (0 when the file has no `trajectory` column).
    pub id: i64,
    /// The line of its first row, for messages about the whole trajectory.
    pub line: usize,
    /// Sample times, strictly increasing.
    pub t: Vec<f64>,
    /// `t.len() × n` coordinates, row by row.
    pub q: Vec<f64>,
    /// `t.len() × n` velocities, if the file has them.
    pub qdot: Option<Vec<f64>>,
    /// The conditioning inputs (constant along the trajectory).
    pub c: Vec<f64>,
}

impl Run {
    /// Number of samples.
    pub fn len(&self) -> usize {
        self.t.len()
    }

    /// Whether the run has no samples.
    pub fn is_empty(&self) -> bool {
        self.t.is_empty()
    }
}

/// A trajectory file, read and checked.
#[derive(Clone, Debug, PartialEq)]
pub struct Trajectories {
    /// Coordinate names, in the header's order.
    pub names: Vec<String>,
    /// Conditioning inputs' names (in the system's order).
    pub conditioning: Vec<String>,
    /// The trajectories, in the file's order.
    pub runs: Vec<Run>,
}

impl Trajectories {
    /// Degrees of freedom n.
    pub fn dof(&self) -> usize {
        self.names.len()
    }

    /// Total samples.
    pub fn samples(&self) -> usize {
        self.runs.iter().map(Run::len).sum()
    }

    /// Checks that every trajectory has at least `min` samples (`why`: what needs them).
    ///
    /// # Errors
    /// [`Error::Data`] at the first row of the first short trajectory.
    pub fn require_samples(&self, min: usize, why: &str) -> Result<()> {
        match self.runs.iter().find(|r| r.len() < min) {
            Some(r) => Err(Error::Data {
                line: r.line,
                column: 0,
                reason: format!(
                    "trajectory {} has {} samples; {why} needs at least {min}",
                    r.id,
                    r.len()
                ),
            }),
            None => Ok(()),
        }
    }
}

/// The most coordinates a file may have (the dense engine's limit).
const MAX_COORDINATES: usize = crate::mechanics::MAX_DOF;

fn at(line: usize, column: usize, reason: impl Into<String>) -> Error {
    Error::Data {
        line,
        column,
        reason: reason.into(),
    }
}

/// What each column of the header is.
#[derive(Clone, Copy, PartialEq)]
enum Column {
    Time,
    Trajectory,
    Coordinate(usize),
    Velocity(usize),
    Conditioning(usize),
}

fn header(line: &str, conditioning: &[String]) -> Result<(Vec<String>, Vec<Column>)> {
    let fields: Vec<&str> = line.split(',').map(str::trim).collect();
    let mut names: Vec<String> = Vec::new();
    for (i, f) in fields.iter().enumerate() {
        if f.is_empty() {
            return Err(at(1, i + 1, "an empty column name in the header"));
        }
        if fields[..i].contains(f) {
            return Err(at(1, i + 1, format!("column `{f}` appears twice")));
        }
        if f.parse::<f64>().is_ok() {
            return Err(at(
                1,
                i + 1,
                format!("the first line must be a header naming the columns (t, coordinates, …); found the number {f}"),
            ));
        }
        if *f != "t"
            && *f != "trajectory"
            && !f.ends_with("_dot")
            && !conditioning.iter().any(|c| c == f)
        {
            names.push(f.to_string());
        }
    }
    let mut kinds = Vec::with_capacity(fields.len());
    let mut velocities = 0;
    for (i, f) in fields.iter().enumerate() {
        kinds.push(match *f {
            "t" => Column::Time,
            "trajectory" => Column::Trajectory,
            _ if conditioning.iter().any(|c| c == f) => {
                Column::Conditioning(conditioning.iter().position(|c| c == f).unwrap_or(0))
            }
            _ => match f.strip_suffix("_dot") {
                Some(base) => {
                    velocities += 1;
                    Column::Velocity(names.iter().position(|n| n == base).ok_or_else(|| {
                        at(
                            1,
                            i + 1,
                            format!("`{f}` is a velocity, but there is no coordinate `{base}`"),
                        )
                    })?)
                }
                None => Column::Coordinate(names.iter().position(|n| n == f).unwrap_or(0)),
            },
        });
    }
    if !kinds.contains(&Column::Time) {
        return Err(at(1, 0, "the header has no time column `t`"));
    }
    if let Some(c) = conditioning.iter().find(|c| !fields.contains(&c.as_str())) {
        return Err(at(1, 0, format!("the header has no column `{c}`: the system's conditioning input, constant along each trajectory")));
    }
    if names.is_empty() {
        return Err(at(
            1,
            0,
            "the header names no coordinate (columns other than t, trajectory and NAME_dot)",
        ));
    }
    if names.len() > MAX_COORDINATES {
        return Err(at(
            1,
            0,
            format!(
                "{} coordinates; at most {MAX_COORDINATES} are supported",
                names.len()
            ),
        ));
    }
    if velocities != 0 && velocities != names.len() {
        return Err(at(
            1,
            0,
            format!("velocities for {velocities} of {} coordinates: give NAME_dot for all of them or none", names.len()),
        ));
    }
    Ok((names, kinds))
}

/// Reads a trajectory file.
///
/// # Errors
/// [`Error::Data`] naming the line and column: no header or no `t`, a row with the wrong number
/// of fields, a field that is not a finite number (NaN and infinities included), a trajectory id
/// that is not an integer or comes back after another trajectory, a time not after the previous
/// one of its trajectory, or no data rows.
pub fn parse(text: &str) -> Result<Trajectories> {
    parse_for(text, &[])
}

/// [`parse`] for a system with conditioning inputs of these names: each a column of its own,
/// constant along a trajectory.
///
/// # Errors
/// As [`parse`]; [`Error::Data`] if a conditioning column is missing or changes within a
/// trajectory.
pub fn parse_for(text: &str, conditioning: &[String]) -> Result<Trajectories> {
    let mut lines = text.lines().enumerate();
    let first = match lines.next() {
        Some((_, l)) if !l.trim().is_empty() => l,
        _ if text.trim().is_empty() => {
            return Err(at(1, 0, "the file is empty: it needs a header and rows"))
        }
        _ => {
            return Err(at(
                1,
                0,
                "the first line must be the header naming the columns",
            ))
        }
    };
    let (names, kinds) = header(first.trim_start_matches('\u{feff}'), conditioning)?;
    let n = names.len();
    let mut row_c = alloc::vec![0.0; conditioning.len()];
    let with_velocities = kinds.iter().any(|k| matches!(k, Column::Velocity(_)));
    let mut runs: Vec<Run> = Vec::new();
    let mut row_q = alloc::vec![0.0; n];
    let mut row_v = alloc::vec![0.0; n];
    for (i, raw) in lines {
        let line = i + 1;
        if raw.trim().is_empty() {
            continue;
        }
        let fields: Vec<&str> = raw.split(',').map(str::trim).collect();
        if fields.len() != kinds.len() {
            return Err(at(
                line,
                fields.len().min(kinds.len()) + 1,
                format!(
                    "{} fields, but the header has {}",
                    fields.len(),
                    kinds.len()
                ),
            ));
        }
        let (mut t, mut id) = (0.0, 0i64);
        for (c, (f, kind)) in fields.iter().zip(&kinds).enumerate() {
            if *kind == Column::Trajectory {
                id = f.parse().map_err(|_| {
                    at(
                        line,
                        c + 1,
                        format!("trajectory id `{f}` is not an integer"),
                    )
                })?;
                continue;
            }
            let v: f64 = f
                .parse()
                .map_err(|_| at(line, c + 1, format!("`{f}` is not a number")))?;
            if !v.is_finite() {
                return Err(at(line, c + 1, format!("`{f}` is not a finite number")));
            }
            match *kind {
                Column::Time => t = v,
                Column::Coordinate(j) => row_q[j] = v,
                Column::Velocity(j) => row_v[j] = v,
                Column::Conditioning(j) => row_c[j] = v,
                Column::Trajectory => {}
            }
        }
        let t_col = kinds.iter().position(|k| *k == Column::Time).unwrap_or(0) + 1;
        let new_run = runs.last().is_none_or(|r| r.id != id);
        if new_run {
            if let Some(r) = runs.iter().find(|r| r.id == id) {
                return Err(at(
                    line,
                    0,
                    format!("trajectory {id} continues here after another trajectory (it began on line {}); keep the rows of one trajectory together", r.line),
                ));
            }
            runs.push(Run {
                id,
                line,
                t: Vec::new(),
                q: Vec::new(),
                qdot: with_velocities.then(Vec::new),
                c: row_c.clone(),
            });
        }
        let run = runs.last_mut().expect("pushed above");
        if let Some(j) = (0..row_c.len()).find(|&j| row_c[j] != run.c[j]) {
            let col = kinds
                .iter()
                .position(|k| *k == Column::Conditioning(j))
                .unwrap_or(0)
                + 1;
            return Err(at(line, col, format!("`{}` changes within trajectory {id} (it was {} on line {}): a conditioning input is constant along a trajectory", conditioning[j], run.c[j], run.line)));
        }
        if let Some(&prev) = run.t.last() {
            if t <= prev {
                return Err(at(
                    line,
                    t_col,
                    format!("time {t} is not after the previous sample's {prev} in trajectory {id}: rows of a trajectory go in increasing time"),
                ));
            }
        }
        run.t.push(t);
        run.q.extend_from_slice(&row_q);
        if let Some(v) = &mut run.qdot {
            v.extend_from_slice(&row_v);
        }
    }
    if runs.is_empty() {
        return Err(at(1, 0, "the file has a header but no rows"));
    }
    Ok(Trajectories {
        names,
        conditioning: conditioning.to_vec(),
        runs,
    })
}

/// Writes trajectories in the format [`parse`] reads (with a `trajectory` column, and velocities
/// when every run has them).
pub fn write(data: &Trajectories) -> String {
    use core::fmt::Write as _;
    let n = data.dof();
    let velocities = data.runs.iter().all(|r| r.qdot.is_some());
    let mut out = String::from("trajectory,t");
    for name in data.names.iter().chain(&data.conditioning) {
        let _ = write!(out, ",{name}");
    }
    if velocities {
        for name in &data.names {
            let _ = write!(out, ",{name}_dot");
        }
    }
    out.push('\n');
    for r in &data.runs {
        for k in 0..r.len() {
            let _ = write!(out, "{},{}", r.id, r.t[k]);
            for x in r.q[k * n..(k + 1) * n].iter().chain(&r.c) {
                let _ = write!(out, ",{x}");
            }
            if let (true, Some(v)) = (velocities, &r.qdot) {
                for x in &v[k * n..(k + 1) * n] {
                    let _ = write!(out, ",{x}");
                }
            }
            out.push('\n');
        }
    }
    out
}
