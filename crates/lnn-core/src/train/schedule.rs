//! Learning-rate schedules over a run of `total` steps.
use crate::{math, Error, Result};

/// How the learning rate changes over training.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Schedule {
    /// The same rate throughout.
    Constant,
    /// ×0.1 at each third of the run (the paper's script: 1e-3 → 1e-4 → 1e-5).
    Step,
    /// One cycle (the paper's notebook): cosine warm-up from lr/25 to lr over the first 30 %,
    /// then cosine decay to lr/10⁴ at the end.
    OneCycle,
}

/// Names accepted by [`Schedule::from_name`].
pub const SCHEDULE_NAMES: &str = "constant, step, onecycle";

impl Schedule {
    /// Parses a name.
    ///
    /// # Errors
    /// [`Error::Unknown`].
    pub fn from_name(name: &str) -> Result<Self> {
        match name {
            "constant" => Ok(Schedule::Constant),
            "step" => Ok(Schedule::Step),
            "onecycle" => Ok(Schedule::OneCycle),
            _ => Err(Error::Unknown {
                kind: "schedule",
                name: name.into(),
                expected: SCHEDULE_NAMES,
            }),
        }
    }

    /// The name in files, URLs and on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Schedule::Constant => "constant",
            Schedule::Step => "step",
            Schedule::OneCycle => "onecycle",
        }
    }

    /// The learning rate at step `t` (0-based) of `total`, for peak rate `lr`. Past `total` the
    /// final rate holds.
    pub fn rate(self, lr: f64, t: u64, total: u64) -> f64 {
        let total = total.max(1);
        let frac = (t.min(total) as f64) / total as f64;
        match self {
            Schedule::Constant => lr,
            Schedule::Step => lr * math::powi(0.1, ((3 * t.min(total - 1)) / total) as i32),
            Schedule::OneCycle => {
                let cos_ramp = |from: f64, to: f64, x: f64| {
                    to + (from - to) * 0.5 * (1.0 + math::cos(core::f64::consts::PI * x))
                };
                let warm = 0.3;
                if frac < warm {
                    cos_ramp(lr / 25.0, lr, frac / warm)
                } else {
                    cos_ramp(lr, lr / 1e4, (frac - warm) / (1.0 - warm))
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn step_schedule_drops_tenfold_at_each_third() {
        let r = |t| Schedule::Step.rate(1e-3, t, 300);
        assert_eq!(r(0), 1e-3);
        assert_eq!(r(99), 1e-3);
        assert!((r(100) - 1e-4).abs() < 1e-18);
        assert!((r(299) - 1e-5).abs() < 1e-18);
        assert!((r(10_000) - 1e-5).abs() < 1e-18);
    }

    #[test]
    fn one_cycle_rises_then_falls() {
        let r = |t| Schedule::OneCycle.rate(1.0, t, 1000);
        assert!((r(0) - 1.0 / 25.0).abs() < 1e-12);
        assert!((r(300) - 1.0).abs() < 1e-12);
        assert!(r(150) > r(100) && r(500) < r(300) && r(900) < r(500));
        assert!((r(1000) - 1e-4).abs() < 1e-12);
        assert_eq!(Schedule::Constant.rate(0.5, 77, 100), 0.5);
    }
}
