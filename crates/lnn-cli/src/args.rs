//! A small `--flag value` parser: every flag must be known, every value must parse, and the
//! message says which flag and what was expected.
use std::collections::BTreeMap;
use std::str::FromStr;

/// Parsed `--name value` pairs and bare `--switch`es.
pub struct Args {
    values: BTreeMap<String, String>,
    used: std::cell::RefCell<Vec<String>>,
}

impl Args {
    /// Parses `argv` (after the subcommand). `switches` are flags without a value.
    pub fn parse(argv: &[String], switches: &[&str]) -> Result<Self, String> {
        let mut values = BTreeMap::new();
        let mut it = argv.iter();
        while let Some(a) = it.next() {
            let Some(name) = a.strip_prefix("--") else {
                return Err(format!(
                    "unexpected argument `{a}` (flags look like --name value)"
                ));
            };
            let (name, value) = match name.split_once('=') {
                Some((n, v)) => (n.to_string(), v.to_string()),
                None if switches.contains(&name) => (name.to_string(), "true".to_string()),
                None => {
                    let v = it.next().ok_or_else(|| format!("--{name} needs a value"))?;
                    (name.to_string(), v.clone())
                }
            };
            if values.insert(name.clone(), value).is_some() {
                return Err(format!("--{name} given twice"));
            }
        }
        Ok(Args {
            values,
            used: Default::default(),
        })
    }

    /// The value of `--name` parsed as T, or `default`.
    pub fn get<T: FromStr>(&self, name: &str, default: T) -> Result<T, String> {
        Ok(self.opt(name)?.unwrap_or(default))
    }

    /// The value of `--name` parsed as T, if given.
    pub fn opt<T: FromStr>(&self, name: &str) -> Result<Option<T>, String> {
        self.used.borrow_mut().push(name.to_string());
        match self.values.get(name) {
            None => Ok(None),
            Some(v) => v.parse().map(Some).map_err(|_| {
                format!(
                    "--{name}: cannot read `{v}` as {}",
                    std::any::type_name::<T>()
                        .rsplit("::")
                        .next()
                        .unwrap_or("a value")
                )
            }),
        }
    }

    /// True when the switch `--name` was given.
    pub fn flag(&self, name: &str) -> bool {
        self.used.borrow_mut().push(name.to_string());
        self.values.contains_key(name)
    }

    /// A comma-separated list of numbers, if given.
    pub fn list(&self, name: &str) -> Result<Option<Vec<f64>>, String> {
        let Some(s) = self.opt::<String>(name)? else {
            return Ok(None);
        };
        s.split(',')
            .map(|p| {
                p.trim()
                    .parse::<f64>()
                    .map_err(|_| format!("--{name}: `{p}` is not a number"))
            })
            .collect::<Result<Vec<_>, _>>()
            .map(Some)
    }

    /// Fails on any flag that no `get`/`opt`/`flag` call asked for (call last).
    pub fn finish(&self) -> Result<(), String> {
        let used = self.used.borrow();
        match self.values.keys().find(|k| !used.contains(k)) {
            Some(k) => Err(format!("unknown flag --{k}; see `lnn --help`")),
            None => Ok(()),
        }
    }
}

/// `--memory-budget SIZE` (e.g. `8GiB`), or lnn-core's default for native runs (4 GiB).
pub fn memory_budget(args: &Args) -> Result<lnn_core::Budget, String> {
    match args.opt::<String>("memory-budget")? {
        None => Ok(lnn_core::Budget::default()),
        Some(s) => lnn_core::Budget::parse(&s).map_err(|e| flagged(e, &[])),
    }
}

/// lnn-core's message with its setting names (`test_size`, `t_end`, ...) replaced by the flags
/// that set them here (`--test-size`, `--energy-t`, ...): `renames` maps a core name to a flag
/// where they differ; other names become `--name` with `_` as `-`.
pub fn flagged(e: lnn_core::Error, renames: &[(&str, &str)]) -> String {
    let msg = e.to_string();
    let name = match &e {
        lnn_core::Error::InvalidConfig { field, .. } => *field,
        lnn_core::Error::OverBudget { setting, .. } => {
            setting.split(" (").next().unwrap_or(setting)
        }
        _ => return msg,
    };
    if !name.bytes().all(|b| b.is_ascii_lowercase() || b == b'_') {
        return msg;
    }
    let flag = renames
        .iter()
        .find(|(core, _)| *core == name)
        .map(|(_, flag)| flag.to_string())
        .unwrap_or_else(|| name.replace('_', "-"));
    let over = if matches!(e, lnn_core::Error::OverBudget { .. }) {
        " (or raise --memory-budget)"
    } else {
        ""
    };
    format!(
        "{}{over}",
        msg.replacen(&format!("`{name}"), &format!("`--{flag}"), 1)
    )
}

/// Fails if a JSON result holds a `null` anywhere (serde_json writes NaN and ±∞ as null), naming
/// where: a result printed with exit status 0 is made of finite numbers only.
pub fn ensure_no_null(v: &serde_json::Value) -> Result<(), String> {
    fn walk(v: &serde_json::Value, path: &mut Vec<String>) -> Option<String> {
        match v {
            serde_json::Value::Null => Some(path.join(".")),
            serde_json::Value::Array(a) => a.iter().enumerate().find_map(|(i, x)| {
                path.push(i.to_string());
                let r = walk(x, path);
                path.pop();
                r
            }),
            serde_json::Value::Object(o) => o.iter().find_map(|(k, x)| {
                path.push(k.clone());
                let r = walk(x, path);
                path.pop();
                r
            }),
            _ => None,
        }
    }
    match walk(v, &mut Vec::new()) {
        Some(path) => Err(format!(
            "the result's `{path}` is not a finite number (NaN or infinite): nothing is reported as success"
        )),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn core_names_become_flags() {
        let e = lnn_core::Error::config("t_end", "must be a number in (0, 10000], got NaN");
        assert_eq!(
            flagged(e, &[("t_end", "energy-t")]),
            "invalid `--energy-t`: must be a number in (0, 10000], got NaN"
        );
        let e = lnn_core::Error::OverBudget {
            setting: "test_size (× grid points)",
            bytes: 2e9,
            limit: 1_000_000_000,
        };
        let m = flagged(e, &[]);
        assert!(
            m.starts_with("`--test-size (× grid points)` would need about 2.0 GB"),
            "{m}"
        );
        assert!(m.ends_with("(or raise --memory-budget)"), "{m}");
    }

    #[test]
    fn a_null_anywhere_is_named() {
        let v = serde_json::json!({"a": 1, "energy_error": {"median": f64::INFINITY}});
        let e = ensure_no_null(&v).unwrap_err();
        assert!(e.contains("`energy_error.median`"), "{e}");
        assert!(ensure_no_null(&serde_json::json!({"a": [1.0, 2.0]})).is_ok());
    }
}
