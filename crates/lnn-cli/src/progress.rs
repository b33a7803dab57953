//! Progress of long runs on stderr (training, the energy protocol, `repro`): a bar, the count,
//! the rate and an estimate of the time left, at most every `every` seconds and at the end, so
//! a run of minutes is never silent and stdout stays the JSON result.
use std::io::Write as _;
use std::time::Instant;

/// One task being counted towards `total` units.
pub struct Progress {
    label: String,
    unit: &'static str,
    total: u64,
    start: Instant,
    last: Option<Instant>,
    every: f64,
    quiet: bool,
}

impl Progress {
    /// A task of `total` `unit`s (e.g. "steps"), shown every `every` seconds unless `quiet`.
    pub fn new(
        label: impl Into<String>,
        unit: &'static str,
        total: u64,
        every: f64,
        quiet: bool,
    ) -> Self {
        Progress {
            label: label.into(),
            unit,
            total,
            start: Instant::now(),
            last: None,
            every,
            quiet,
        }
    }

    /// Reports `done` units, with `extra` (loss, ...) after the rate, if the last line is older
    /// than the interval or the task is done.
    pub fn tick(&mut self, done: u64, extra: impl FnOnce() -> String) {
        if self.quiet {
            return;
        }
        let since = self.last.unwrap_or(self.start).elapsed().as_secs_f64();
        if since < self.every && done < self.total {
            return;
        }
        self.last = Some(Instant::now());
        let _ = writeln!(std::io::stderr(), "{}", self.line(done, &extra()));
    }

    /// The progress line for `done` units.
    fn line(&self, done: u64, extra: &str) -> String {
        let elapsed = self.start.elapsed().as_secs_f64();
        let frac = if self.total == 0 {
            1.0
        } else {
            done as f64 / self.total as f64
        };
        let bar: String = (0..30)
            .map(|i| if (i as f64) < frac * 30.0 { '#' } else { '.' })
            .collect();
        let rate = done as f64 / elapsed.max(1e-9);
        let left = if done >= self.total {
            format!("done in {}", clock(elapsed))
        } else if done == 0 {
            "ETA unknown".into()
        } else {
            format!("ETA {}", clock((self.total - done) as f64 / rate))
        };
        let sep = if extra.is_empty() { "" } else { "  " };
        format!(
            "{} [{bar}] {done}/{} {}  {} {}/s  {left}{sep}{extra}",
            self.label,
            self.total,
            self.unit,
            rate_text(rate),
            self.unit
        )
    }
}

/// A rate with three significant figures.
fn rate_text(rate: f64) -> String {
    if rate >= 100.0 {
        format!("{rate:.0}")
    } else if rate >= 1.0 {
        format!("{rate:.1}")
    } else {
        format!("{rate:.3}")
    }
}

/// Seconds as `1h02m`, `3m05s` or `12s`.
fn clock(seconds: f64) -> String {
    let s = seconds.round() as u64;
    if s >= 3600 {
        format!("{}h{:02}m", s / 3600, s % 3600 / 60)
    } else if s >= 60 {
        format!("{}m{:02}s", s / 60, s % 60)
    } else {
        format!("{s}s")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_line_has_count_rate_and_time_left() {
        let p = Progress::new("train", "steps", 1000, 2.0, true);
        std::thread::sleep(std::time::Duration::from_millis(20));
        let line = p.line(500, "loss 1e-3");
        assert!(line.starts_with("train [###############"), "{line}");
        assert!(
            line.contains("500/1000 steps") && line.contains("steps/s"),
            "{line}"
        );
        assert!(
            line.contains("ETA ") && line.ends_with("loss 1e-3"),
            "{line}"
        );
        assert!(p.line(1000, "").contains("done in"), "{}", p.line(1000, ""));
        assert_eq!(clock(3725.0), "1h02m");
        assert_eq!(clock(185.0), "3m05s");
    }
}
