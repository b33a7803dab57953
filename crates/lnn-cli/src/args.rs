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
