//! What a configuration may cost, checked before anything is allocated or run.
//!
//! Every setting a user controls (hidden widths, batch, test size, a weights file's grid,
//! initial-condition counts, output lengths) is sized up front by the code that would allocate
//! it, and compared with a [`Budget`]: a run that would exhaust the machine is refused with a
//! message naming the setting, its estimated cost and the limit, instead of growing until the
//! kernel's out-of-memory killer (natively) or the tab (in the browser) ends it.
//!
//! The work bounds below are shared by the CLI and the page, so neither can be asked for a run
//! that does not end.

use crate::{Error, Result};

/// The default memory budget natively: 4 GiB, which fits the project's machines (2 cores, 8 GB
/// and up) with room for the system; `lnn --memory-budget` overrides it.
pub const NATIVE_BYTES: u64 = 4 << 30;

/// The default memory budget in WebAssembly: 512 MiB, well under the 4 GiB a wasm32 memory can
/// address and what a browser tab can usually grow to on a small laptop.
pub const WASM_BYTES: u64 = 512 << 20;

/// Most training steps of one run (a schedule length): 10⁹, days on one core for the smallest
/// network; beyond it a run is a typo.
pub const MAX_TRAIN_STEPS: u64 = 1_000_000_000;

/// Most integrator sub-steps per output interval.
pub const MAX_SUBSTEPS: usize = 100_000;

/// Most integration steps of one rollout (output intervals × sub-steps): 10⁸ right-hand sides,
/// a minute or so for the double pendulum's closed form.
pub const MAX_ROLLOUT_STEPS: f64 = 1e8;

/// Most initial conditions of the energy protocol (the paper: 40).
pub const MAX_INITIAL_CONDITIONS: usize = 10_000;

/// The longest rollout of the energy protocol (the paper: t = 100).
pub const MAX_ENERGY_T: f64 = 10_000.0;

/// A memory limit in bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Budget {
    /// The limit.
    pub bytes: u64,
}

impl Default for Budget {
    /// [`WASM_BYTES`] when compiled for WebAssembly, [`NATIVE_BYTES`] otherwise.
    fn default() -> Self {
        Budget {
            bytes: if cfg!(target_arch = "wasm32") {
                WASM_BYTES
            } else {
                NATIVE_BYTES
            },
        }
    }
}

impl Budget {
    /// A budget of `bytes`.
    pub fn bytes(bytes: u64) -> Self {
        Budget { bytes }
    }

    /// Parses `4GiB`, `512MiB`, `100MB`, `2G`, `1e9` (bytes) and the like.
    ///
    /// # Errors
    /// [`Error::InvalidConfig`] for `memory_budget`.
    pub fn parse(text: &str) -> Result<Self> {
        let t = text.trim();
        let split = t
            .find(|c: char| c.is_ascii_alphabetic() && c != 'e' && c != 'E')
            .unwrap_or(t.len());
        let (num, unit) = t.split_at(split);
        let unit_bytes = match unit.trim().to_ascii_lowercase().as_str() {
            "" | "b" => 1.0,
            "k" | "kb" => 1e3,
            "m" | "mb" => 1e6,
            "g" | "gb" => 1e9,
            "t" | "tb" => 1e12,
            "kib" => 1024.0,
            "mib" => 1024.0 * 1024.0,
            "gib" => 1024.0 * 1024.0 * 1024.0,
            "tib" => 1024.0 * 1024.0 * 1024.0 * 1024.0,
            _ => f64::NAN,
        };
        let v = num.trim().parse::<f64>().unwrap_or(f64::NAN) * unit_bytes;
        if !(1.0..1.8e19).contains(&v) {
            return Err(Error::config(
                "memory_budget",
                alloc::format!(
                    "cannot read `{text}` as a size (a number of bytes, or with kB, MB, GB, KiB, MiB, GiB)"
                ),
            ));
        }
        Ok(Budget::bytes(v as u64))
    }

    /// Refuses `setting` if it would cost more than the budget. `bytes` is an estimate in f64, so
    /// an absurd size (10¹² × 10⁹) does not overflow on its way here.
    ///
    /// # Errors
    /// [`Error::OverBudget`] naming the setting.
    pub fn check(&self, setting: &'static str, bytes: f64) -> Result<()> {
        if bytes <= self.bytes as f64 {
            Ok(())
        } else {
            Err(Error::OverBudget {
                setting,
                bytes,
                limit: self.bytes,
            })
        }
    }

    /// Checks the sum of several costs, naming the setting with the largest share when the sum is
    /// over the budget (what the user should lower).
    ///
    /// # Errors
    /// [`Error::OverBudget`].
    pub fn check_all(&self, costs: &[(&'static str, f64)]) -> Result<()> {
        let total: f64 = costs.iter().map(|c| c.1).sum();
        match costs.iter().max_by(|a, b| a.1.total_cmp(&b.1)) {
            Some(&(setting, _)) if total.is_nan() || total > self.bytes as f64 => {
                Err(Error::OverBudget {
                    setting,
                    bytes: total,
                    limit: self.bytes,
                })
            }
            _ => Ok(()),
        }
    }
}

/// A byte count for people: `1.2 GB`, `640 kB` (decimal units).
pub fn human_bytes(bytes: f64) -> alloc::string::String {
    let units = ["B", "kB", "MB", "GB", "TB", "PB", "EB"];
    let mut v = bytes;
    let mut u = 0;
    while v >= 1000.0 && u + 1 < units.len() {
        v /= 1000.0;
        u += 1;
    }
    if u == 0 {
        alloc::format!("{v:.0} B")
    } else if v >= 1000.0 {
        alloc::format!("{v:.1e} {}", units[u])
    } else {
        alloc::format!("{v:.1} {}", units[u])
    }
}

/// Checks that `value` of `setting` is at most `max` (a work bound).
///
/// # Errors
/// [`Error::InvalidConfig`] naming the setting and the bound.
pub fn at_most<T: PartialOrd + core::fmt::Display>(
    setting: &'static str,
    value: T,
    max: T,
) -> Result<()> {
    if value <= max {
        Ok(())
    } else {
        Err(Error::config(
            setting,
            alloc::format!("{value} is more than the limit of {max}"),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_parse_in_decimal_and_binary_units() {
        assert_eq!(Budget::parse("4GiB").unwrap().bytes, 4 << 30);
        assert_eq!(Budget::parse("512 MiB").unwrap().bytes, 512 << 20);
        assert_eq!(Budget::parse("1e9").unwrap().bytes, 1_000_000_000);
        assert_eq!(Budget::parse("2G").unwrap().bytes, 2_000_000_000);
        for bad in ["", "lots", "-1GB", "nan", "1e30", "3 parsecs"] {
            let e = Budget::parse(bad).unwrap_err().to_string();
            assert!(e.contains("memory_budget"), "{bad}: {e}");
        }
    }

    #[test]
    fn over_budget_names_the_setting_its_cost_and_the_limit() {
        let b = Budget::bytes(1_000_000);
        assert!(b.check("batch", 999_999.0).is_ok());
        let e = b.check("batch", 3.4e9).unwrap_err().to_string();
        assert!(
            e.contains("`batch`") && e.contains("3.4 GB") && e.contains("1.0 MB"),
            "{e}"
        );
        let e = b
            .check_all(&[("hidden", 1e5), ("test_size", 2e6), ("batch", 1e3)])
            .unwrap_err()
            .to_string();
        assert!(e.contains("`test_size`"), "{e}");
        assert!(b.check("grid", f64::INFINITY).is_err());
        assert!(
            b.check("grid", f64::NAN).is_err(),
            "NaN is never within budget"
        );
    }

    #[test]
    fn human_bytes_reads_well() {
        assert_eq!(human_bytes(512.0), "512 B");
        assert_eq!(human_bytes(1.5e9), "1.5 GB");
        assert_eq!(human_bytes(4.0 * 1024.0 * 1024.0 * 1024.0), "4.3 GB");
    }
}
