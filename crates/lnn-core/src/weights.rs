//! The weights file: a versioned JSON document with everything needed to rebuild a trained model
//! (kind, system, coordinates, architecture, activation, input map, parameters) and where it came
//! from (step, seed, the command). Loading checks every field and names what is wrong.
//!
//! The struct is plain data; with the `serde` feature it (de)serialises with serde, and the CLI
//! and the page read and write it as JSON.
use alloc::string::String;
use alloc::vec::Vec;

use crate::models::{Coordinates, Model, ModelKind, ModelSpec, Normalisation, Weighting};
use crate::nn::Activation;
use crate::systems::System;
use crate::{Error, Precision, Result, Solver};

/// The `format` field of every weights file.
pub const FORMAT: &str = "lnn-web-weights";
/// The current `version`.
pub const VERSION: u32 = 1;

/// A trained model as stored on disk.
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(deny_unknown_fields))]
pub struct WeightsFile {
    /// Always [`FORMAT`].
    pub format: String,
    /// Always [`VERSION`] for files this build writes; older versions would be migrated here.
    pub version: u32,
    /// `lnn`, `baseline` or `hnn`.
    pub model: String,
    /// The system name (see [`crate::systems::CATALOGUE`]); `wave` also needs `grid`.
    pub system: String,
    /// Grid points, for `wave`.
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Option::is_none")
    )]
    pub grid: Option<usize>,
    /// For `custom`: the typed Lagrangian (canonical form), its names and ranges.
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Option::is_none")
    )]
    pub custom: Option<crate::custom::CustomSpec>,
    /// For `observed` (a model learned from a trajectory file): the coordinates' names, the
    /// data's ranges and the first observed state.
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Option::is_none")
    )]
    pub observed: Option<crate::observe::Observed>,
    /// The state's layout `[q (dof), q̇ or p (dof), c (conditioning)]`: the number of coordinates
    /// (grid points for `wave`), so a reader in another language can size states without
    /// knowing the system (absent in files written before it was recorded; checked against the
    /// system when present).
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Option::is_none")
    )]
    pub dof: Option<usize>,
    /// The number of conditioning inputs `c` at the end of the state (the relativistic
    /// particle's g); as `dof`, absent in older files.
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Option::is_none")
    )]
    pub conditioning: Option<usize>,
    /// `velocity` or `canonical`.
    pub coordinates: String,
    /// Hidden layer widths.
    pub hidden: Vec<usize>,
    /// Activation name.
    pub activation: String,
    /// Per input: wrap into [−π, π).
    pub wrap: Vec<bool>,
    /// Per input: fed through asinh (absent in older files: none).
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Vec::is_empty")
    )]
    pub asinh: Vec<bool>,
    /// Per input: an angle fed as (cos θ, sin θ) (absent in older files: none).
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Vec::is_empty")
    )]
    pub circle: Vec<bool>,
    /// Per input: scale.
    pub scale: Vec<f64>,
    /// Per input: the scale of a second, linear feature `linear[i] · x_i` fed right after the
    /// input's asinh feature (0: none; only beside an `asinh` input). Absent in files without
    /// one (every file written before it existed): none.
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Vec::is_empty")
    )]
    pub linear: Vec<f64>,
    /// Per input: a velocity in units of c, within (−1, 1), fed through atanh (absent in files
    /// without one: none).
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Vec::is_empty")
    )]
    pub atanh: Vec<bool>,
    /// How an LNN solves for q̈ (`Solver::from_name`; absent in older files: the
    /// pseudo-inverse).
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "String::is_empty")
    )]
    pub solver: String,
    /// The LNN's training penalty on an indefinite M (absent: the default).
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Option::is_none")
    )]
    pub definiteness: Option<f64>,
    /// The float the model was trained in, `f32` or `f64` (absent: f64, as in every file
    /// written before the f32 path; f64 files still leave it out, so they stay byte for byte
    /// what they were). The parameters are f64 numbers either way; an f32-trained model's are
    /// exactly f32 values, and the model evaluates in f64 whatever this says.
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Option::is_none")
    )]
    pub precision: Option<String>,
    /// The per-sample weighting of the loss the model was trained on: `gamma` (the relativistic
    /// particle's w = 1 + 1/√(1 − q̇²), a canonical model's ṗ judged as q̈) or `none`. Absent:
    /// none, as in every file written before it existed; unweighted files leave it out.
    /// Training only: the model evaluates the same whatever this says.
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Option::is_none")
    )]
    pub weighting: Option<String>,
    /// Training steps applied.
    pub step: u64,
    /// Seed of the run.
    pub seed: u64,
    /// How the file was made (a command line), for reproduction.
    #[cfg_attr(feature = "serde", serde(default))]
    pub made_by: String,
    /// The parameters, layer by layer: W (column-major, out × in), then b.
    pub params: Vec<f64>,
}

/// The key whose value a JSON parse error at (`line`, `column`) (1-based, as serde_json reports
/// them) is in: the nearest `"key":` before that point. serde's "invalid type: string, expected
/// usize" names no field; with this the message can ("in `grid`"). `None` when there is none.
pub fn field_at(text: &str, line: usize, column: usize) -> Option<&str> {
    let start: usize = text
        .split_inclusive('\n')
        .take(line.saturating_sub(1))
        .map(str::len)
        .sum();
    let mut end = (start + column).min(text.len());
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let before = &text[..end];
    let mut search = before;
    while let Some(colon) = search.rfind(':') {
        let key_end = search[..colon].trim_end();
        if let Some(k) = key_end.strip_suffix('"') {
            if let Some(open) = k.rfind('"') {
                let key = &k[open + 1..];
                if !key.is_empty() && key.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
                    return Some(key);
                }
            }
        }
        search = &search[..colon];
    }
    None
}

/// A JSON parse error of a weights file `text` (serde's `message` at `line`, `column`) with the
/// field it is in named, when serde did not name one itself (wrong types, bad numbers: serde
/// quotes the offending value in backticks too, "invalid type: integer `1`", so only "field `"
/// counts as named). A file that is valid JSON but not an object says so: serde's message for
/// `[1]` ("expected a string at line 1 column 2") would describe the first field it tried.
pub fn describe_parse_error(text: &str, message: &str, line: usize, column: usize) -> String {
    let trimmed = text.trim_start();
    if !trimmed.is_empty() && !trimmed.starts_with('{') {
        return alloc::format!(
            "a weights file is a JSON object ({{\"format\": \"lnn-web-weights\", ...}}); this one starts with `{}`",
            trimmed.chars().next().unwrap_or(' ')
        );
    }
    match field_at(text, line, column) {
        Some(key) if !message.contains("field `") => alloc::format!("in `{key}`: {message}"),
        _ => message.into(),
    }
}

impl WeightsFile {
    /// The file for a model of `system`.
    pub fn new(
        system: &System,
        spec: &ModelSpec,
        model: &dyn Model,
        step: u64,
        seed: u64,
        made_by: String,
    ) -> Self {
        WeightsFile {
            format: FORMAT.into(),
            version: VERSION,
            model: spec.kind.name().into(),
            system: system.name().into(),
            grid: if let System::Wave(w) = system {
                Some(w.n)
            } else {
                None
            },
            custom: match system {
                System::Custom(c) => Some(c.spec().clone()),
                _ => None,
            },
            observed: match system {
                System::Observed(o) => Some((**o).clone()),
                _ => None,
            },
            dof: Some(system.dof()),
            conditioning: Some(system.conditioning_len()),
            coordinates: spec.coordinates.name().into(),
            hidden: spec.hidden.clone(),
            activation: spec.activation.name().into(),
            wrap: spec.normalisation.wrap.clone(),
            asinh: if spec.normalisation.asinh.iter().any(|&a| a) {
                spec.normalisation.asinh.clone()
            } else {
                alloc::vec::Vec::new()
            },
            circle: if spec.normalisation.circle.iter().any(|&c| c) {
                spec.normalisation.circle.clone()
            } else {
                alloc::vec::Vec::new()
            },
            scale: spec.normalisation.scale.clone(),
            linear: if spec.normalisation.linear.iter().any(|&l| l != 0.0) {
                spec.normalisation.linear.clone()
            } else {
                alloc::vec::Vec::new()
            },
            atanh: if spec.normalisation.atanh.iter().any(|&a| a) {
                spec.normalisation.atanh.clone()
            } else {
                alloc::vec::Vec::new()
            },
            solver: if spec.kind == ModelKind::Lnn {
                spec.solver.name()
            } else {
                String::new()
            },
            definiteness: (spec.kind == ModelKind::Lnn).then_some(spec.definiteness),
            precision: (spec.precision != Precision::F64).then(|| spec.precision.name().into()),
            weighting: (spec.weighting != Weighting::None).then(|| spec.weighting.name().into()),
            step,
            seed,
            made_by,
            params: model.mlp().params().to_vec(),
        }
    }

    /// The system, spec and model this file describes, after checking every field.
    ///
    /// # Errors
    /// [`Error::InvalidConfig`] or [`Error::Unknown`] naming the field that is wrong.
    pub fn load(&self) -> Result<(System, ModelSpec, alloc::boxed::Box<dyn Model>)> {
        self.load_within(&crate::Budget::default())
    }

    /// [`WeightsFile::load`], refusing a model whose parameters or single evaluation would not
    /// fit in `budget` (a `grid` of 10⁶ asks for ~11 GB per state) before building it.
    ///
    /// # Errors
    /// As [`WeightsFile::load`], and [`Error::OverBudget`] naming `grid` or `hidden`.
    pub fn load_within(
        &self,
        budget: &crate::Budget,
    ) -> Result<(System, ModelSpec, alloc::boxed::Box<dyn Model>)> {
        if self.format != FORMAT {
            return Err(Error::config(
                "format",
                alloc::format!("expected \"{FORMAT}\": this is not an lnn-web weights file"),
            ));
        }
        if self.version != VERSION {
            return Err(Error::config(
                "version",
                alloc::format!(
                    "version {} is not supported by this build (it reads version {VERSION})",
                    self.version
                ),
            ));
        }
        if self.custom.is_some() && self.system != "custom" {
            return Err(Error::config(
                "custom",
                "only a `custom` system records a typed Lagrangian",
            ));
        }
        if self.observed.is_some() && self.system != "observed" {
            return Err(Error::config(
                "observed",
                "only an `observed` system records coordinates and data ranges",
            ));
        }
        let system = match (self.system.as_str(), self.grid) {
            ("wave", Some(n)) => System::wave(n)?,
            ("observed", _) => {
                let o = self.observed.clone().ok_or_else(|| {
                    Error::config(
                        "observed",
                        "a model learned from observed trajectories needs its record here ({\"coordinates\": [...], \"ranges\": [...], \"start\": [...]})",
                    )
                })?;
                o.validate()?;
                System::Observed(alloc::sync::Arc::new(o))
            }
            ("custom", _) => System::custom(self.custom.as_ref().ok_or_else(|| {
                Error::config(
                    "custom",
                    "a model of a typed Lagrangian needs it recorded here ({\"lagrangian\": ..., \"coordinates\": [...]})",
                )
            })?)
            .map_err(|e| match e {
                Error::InvalidConfig { field, reason } => {
                    Error::config("custom", alloc::format!("{field}: {reason}"))
                }
                other => other,
            })?,
            (name, _) => System::from_name(name)?,
        };
        for (field, recorded, actual) in [
            ("dof", self.dof, system.dof()),
            ("conditioning", self.conditioning, system.conditioning_len()),
        ] {
            if let Some(n) = recorded.filter(|&n| n != actual) {
                return Err(Error::config(
                    field,
                    alloc::format!(
                        "the file says {n} but `{}` has {actual}: its state is [q..., q̇..., c...] with {} coordinates and {} conditioning inputs (correct the field, or leave it out)",
                        self.system,
                        system.dof(),
                        system.conditioning_len()
                    ),
                ));
            }
        }
        let spec = ModelSpec {
            kind: ModelKind::from_name(&self.model)?,
            dof: system.dof(),
            conditioning_len: system.conditioning_len(),
            coordinates: Coordinates::from_name(&self.coordinates)?,
            hidden: self.hidden.clone(),
            activation: Activation::from_name(&self.activation)?,
            normalisation: Normalisation {
                wrap: self.wrap.clone(),
                // Files written before asinh existed have none: all inputs linear.
                asinh: if self.asinh.is_empty() {
                    alloc::vec![false; self.wrap.len()]
                } else {
                    self.asinh.clone()
                },
                circle: if self.circle.is_empty() {
                    alloc::vec![false; self.wrap.len()]
                } else {
                    self.circle.clone()
                },
                scale: self.scale.clone(),
                // Files without linear features leave the field out.
                linear: if self.linear.is_empty() {
                    alloc::vec![0.0; self.wrap.len()]
                } else {
                    self.linear.clone()
                },
                atanh: if self.atanh.is_empty() {
                    alloc::vec![false; self.wrap.len()]
                } else {
                    self.atanh.clone()
                },
            },
            grid_spacing: match system {
                System::Wave(w) => Some(w.dx),
                _ => None,
            },
            solver: if self.solver.is_empty() {
                Solver::default()
            } else {
                Solver::from_name(&self.solver)?
            },
            definiteness: self.definiteness.unwrap_or(crate::train::DEFINITENESS),
            precision: match &self.precision {
                None => Precision::F64,
                Some(name) => Precision::from_name(name)?,
            },
            weighting: match &self.weighting {
                None => Weighting::None,
                Some(name) => Weighting::from_name(name)?,
            },
        };
        spec.validate()?;
        spec.check_budget(budget)?;
        let model = spec.with_params(self.params.clone())?;
        Ok((system, spec, model))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::nn::Init;

    fn file() -> WeightsFile {
        let system = System::from_name("relativistic").unwrap();
        let spec = crate::train::TrainConfig {
            hidden: alloc::vec![4],
            ..crate::train::TrainConfig::new(system.clone(), ModelKind::Lnn)
        }
        .spec();
        let model = spec.build(Init::Paper, 3).unwrap();
        WeightsFile::new(&system, &spec, &*model, 7, 3, "test".into())
    }

    #[test]
    fn round_trip_gives_the_same_model() {
        let f = file();
        let (system, spec, model) = f.load().unwrap();
        assert_eq!(system.name(), "relativistic");
        assert_eq!(spec.hidden, [4]);
        assert_eq!(model.mlp().params(), f.params.as_slice());
        assert_eq!(
            WeightsFile::new(&system, &spec, &*model, 7, 3, "test".into()),
            f
        );
    }

    #[test]
    fn the_state_layout_is_recorded_and_optional() {
        let mut f = file();
        assert_eq!(
            (f.dof, f.conditioning),
            (Some(1), Some(1)),
            "relativistic: [q, q̇, g]"
        );
        f.dof = None;
        f.conditioning = None;
        assert!(
            f.load().is_ok(),
            "files written before the layout was recorded still load"
        );
    }

    #[test]
    fn precision_is_recorded_for_f32_and_absent_means_f64() {
        let mut f = file();
        assert_eq!(f.precision, None, "f64 files are as before");
        assert_eq!(f.load().unwrap().1.precision, Precision::F64);
        f.precision = Some("f32".into());
        let (system, spec, model) = f.load().unwrap();
        assert_eq!(spec.precision, Precision::F32);
        let again = WeightsFile::new(&system, &spec, &*model, 7, 3, "test".into());
        assert_eq!(again.precision.as_deref(), Some("f32"));
    }

    #[test]
    fn weighting_and_linear_features_are_recorded_and_absent_means_none() {
        let f = file();
        assert_eq!((f.weighting.as_deref(), f.linear.is_empty()), (None, true));
        let (_, spec, _) = f.load().unwrap();
        assert_eq!(spec.weighting, Weighting::None);
        assert!(spec.normalisation.linear.iter().all(|&l| l == 0.0));
        // A canonical HNN with asinh(p) and 0.3·p, trained on the γ-weighted score.
        let system = System::from_name("relativistic").unwrap();
        let mut config = crate::train::TrainConfig {
            hidden: alloc::vec![4],
            coordinates: Coordinates::Canonical,
            weighting: Weighting::Gamma,
            ..crate::train::TrainConfig::new(system.clone(), ModelKind::Hnn)
        };
        let mut norm = config.spec().normalisation;
        norm.linear[1] = 0.3;
        config.normalisation = Some(norm);
        let spec = config.spec();
        let model = spec.build(Init::Paper, 3).unwrap();
        let f = WeightsFile::new(&system, &spec, &*model, 7, 3, "test".into());
        assert_eq!(f.weighting.as_deref(), Some("gamma"));
        assert_eq!(f.linear, [0.0, 0.3, 0.0]);
        let (_, again, loaded) = f.load().unwrap();
        assert_eq!(again, spec);
        assert_eq!(loaded.mlp().sizes()[0], 4, "q, asinh p, 0.3 p, g");
        let mut bad = f.clone();
        bad.weighting = Some("heavy".into());
        assert!(bad.load().err().unwrap().to_string().contains("weighting"));
        let mut bad = f;
        bad.linear = alloc::vec![0.3, 0.0, 0.0];
        assert!(bad
            .load()
            .err()
            .unwrap()
            .to_string()
            .contains("normalisation"));
    }

    #[test]
    fn a_file_asking_for_a_huge_grid_or_network_is_refused_before_it_is_built() {
        let system = System::wave(100).unwrap();
        let spec = crate::train::TrainConfig {
            hidden: alloc::vec![32, 32],
            ..crate::train::TrainConfig::new(system.clone(), ModelKind::GraphLnn)
        }
        .spec();
        let model = spec.build(Init::Paper, 3).unwrap();
        let mut f = WeightsFile::new(&system, &spec, &*model, 7, 3, "test".into());
        assert!(f.load().is_ok());
        // 10⁶ points: ~11 GB for one evaluation (the issue saw `predict` pass 8 GB).
        f.grid = Some(1_000_000);
        f.dof = Some(1_000_000);
        let budget = crate::Budget::bytes(4 << 30);
        match f.load_within(&budget) {
            Err(Error::OverBudget { setting, bytes, .. }) => {
                assert_eq!(setting, "grid");
                assert!(bytes > 1e10, "{bytes:e}");
            }
            other => panic!("{:?}", other.map(|_| ())),
        }
        let mut f = file();
        f.hidden = alloc::vec![10_000; 100];
        match f.load_within(&budget) {
            Err(Error::OverBudget { setting, .. }) => assert_eq!(setting, "hidden"),
            other => panic!("{:?}", other.map(|_| ())),
        }
        // Widths past usize products: sized in f64, refused, no overflow.
        f.hidden = alloc::vec![usize::MAX / 2, usize::MAX / 2];
        assert!(f.load_within(&budget).is_err());
    }

    #[test]
    fn parse_errors_name_the_field_they_are_in() {
        let text =
            "{\n  \"format\": \"lnn-web-weights\",\n  \"grid\": \"many\",\n  \"hidden\": [1]\n}";
        // serde_json: invalid type: string "many", expected usize at line 3 column 16
        assert_eq!(field_at(text, 3, 16), Some("grid"));
        assert_eq!(
            describe_parse_error(text, "invalid type: string \"many\", expected usize", 3, 16),
            "in `grid`: invalid type: string \"many\", expected usize"
        );
        // Messages that name their field already stay as they are.
        assert_eq!(
            describe_parse_error(text, "missing field `seed`", 5, 1),
            "missing field `seed`"
        );
        // serde quotes the wrong value in backticks: the field is still named.
        let text = "{\"format\": \"lnn-web-weights\", \"version\": 1, \"model\": 1}";
        assert_eq!(
            describe_parse_error(text, "invalid type: integer `1`, expected a string", 1, 53),
            "in `model`: invalid type: integer `1`, expected a string"
        );
        // Not an object at all.
        assert_eq!(
            describe_parse_error("[1]", "invalid type: integer `1`, expected a string", 1, 2),
            "a weights file is a JSON object ({\"format\": \"lnn-web-weights\", ...}); this one starts with `[`"
        );
        assert_eq!(field_at("[1, 2", 1, 5), None);
        assert_eq!(field_at("", 9, 9), None);
    }

    #[test]
    fn every_bad_field_is_named() {
        type Breakage = (fn(&mut WeightsFile), &'static str);
        let cases: [Breakage; 12] = [
            (|f| f.dof = Some(2), "dof"),
            (|f| f.conditioning = Some(0), "conditioning"),
            (|f| f.precision = Some("f16".into()), "precision"),
            (|f| f.format = "pickle".into(), "format"),
            (|f| f.version = 99, "version"),
            (|f| f.system = "pendulum".into(), "system"),
            (|f| f.model = "gpt".into(), "model"),
            (|f| f.activation = "gelu".into(), "activation"),
            (|f| f.coordinates = "polar".into(), "coordinates"),
            (
                |f| {
                    f.params.pop();
                },
                "params",
            ),
            (|f| f.params[0] = f64::NAN, "params"),
            (
                |f| {
                    f.scale.pop();
                },
                "normalisation",
            ),
        ];
        for (break_it, needle) in cases {
            let mut f = file();
            break_it(&mut f);
            let msg = f.load().err().expect("must be rejected").to_string();
            assert!(msg.contains(needle), "{needle}: {msg}");
        }
    }
}
