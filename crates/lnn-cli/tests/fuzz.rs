//! Property tests over the weights-file loader, as the CLI and the page run it (serde_json into
//! `WeightsFile`, the error described with its field, `load_within` a budget, one evaluation):
//! mutations of the shipped files (deleted fields, wrong types, huge sizes, extreme numbers,
//! truncation, bad names, resized arrays) from a seeded generator (lnn-core's rng), so a failure
//! reproduces from its case number. Checked: no panic, no allocation beyond the budget (a
//! counting allocator watches the peak), and an error that names a field (or, for text that is
//! not JSON any more, the line and column).
//!
//! One `#[test]` in this binary only: the allocator's peak is per process.
use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use lnn_core::rng::{self, StdRng};
use lnn_core::weights::WeightsFile;
use lnn_core::Budget;
use serde_json::{json, Value};

/// The system allocator with the bytes in use and their peak counted.
struct Counting;

static IN_USE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            let now = IN_USE.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
            PEAK.fetch_max(now, Ordering::Relaxed);
        }
        p
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) };
        IN_USE.fetch_sub(layout.size(), Ordering::Relaxed);
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// The budget the loader is given in these tests: far below what the huge sizes ask for.
const BUDGET: u64 = 64 << 20;

/// How many mutated files per run, and the wall-clock cap (CI must finish well within a minute).
const CASES: usize = 3000;
const TIME_CAP: Duration = Duration::from_secs(20);

fn pick(r: &mut StdRng, n: usize) -> usize {
    ((rng::unit(r) * n as f64) as usize).min(n - 1)
}

fn wrong_value(r: &mut StdRng) -> Value {
    let values = [
        Value::Null,
        json!(true),
        json!("x"),
        json!(-1),
        json!(1.5),
        json!([]),
        json!({}),
        json!(1e300),
        json!(u64::MAX),
        json!(-0.0),
        json!([1, "a", null]),
    ];
    values[pick(r, values.len())].clone()
}

fn huge_size(r: &mut StdRng) -> Value {
    let sizes = [
        json!(0),
        json!(1),
        json!(2),
        json!(3),
        json!(1000),
        json!(1_000_000),
        json!(1_000_000_000u64),
        json!(1_000_000_000_000u64),
        json!(u64::MAX),
    ];
    sizes[pick(r, sizes.len())].clone()
}

fn extreme_number(r: &mut StdRng) -> Value {
    let xs = [1e308, -1e308, 5e-324, 0.0, -0.0, 1e-300, 1e20, -1e20, 7.0];
    json!(xs[pick(r, xs.len())])
}

/// One random change of the file.
fn mutate(v: &mut Value, r: &mut StdRng) {
    let obj = v.as_object_mut().unwrap();
    let keys: Vec<String> = obj.keys().cloned().collect();
    let key = keys[pick(r, keys.len())].clone();
    match pick(r, 8) {
        0 => {
            obj.remove(&key);
        }
        1 => {
            obj.insert(key, wrong_value(r));
        }
        2 => {
            obj.insert("grid".into(), huge_size(r));
        }
        3 => {
            let layers = 1 + pick(r, 4);
            let hidden: Vec<Value> = (0..layers).map(|_| huge_size(r)).collect();
            obj.insert("hidden".into(), Value::Array(hidden));
        }
        4 => {
            let field = ["params", "scale", "wrap", "hidden", "asinh", "circle"][pick(r, 6)];
            if let Some(Value::Array(a)) = obj.get_mut(field) {
                if !a.is_empty() {
                    let i = pick(r, a.len());
                    a[i] = if rng::unit(r) < 0.7 {
                        extreme_number(r)
                    } else {
                        wrong_value(r)
                    };
                }
            }
        }
        5 => {
            let field = ["params", "scale", "wrap", "hidden"][pick(r, 4)];
            if let Some(Value::Array(a)) = obj.get_mut(field) {
                if rng::unit(r) < 0.5 {
                    let keep = pick(r, a.len() + 1);
                    a.truncate(keep);
                } else {
                    a.push(extreme_number(r));
                }
            }
        }
        6 => {
            let field = [
                "system",
                "model",
                "activation",
                "coordinates",
                "solver",
                "precision",
                "format",
            ][pick(r, 7)];
            let names = [
                "wave",
                "lnn",
                "graph-lnn",
                "hnn",
                "relu",
                "canonical",
                "damped:1e-4",
                "ridge:nan",
                "f32",
                "",
                "ü",
            ];
            obj.insert(field.into(), json!(names[pick(r, names.len())]));
        }
        _ => {
            let field = ["step", "seed", "version", "definiteness"][pick(r, 4)];
            obj.insert(
                field.into(),
                if rng::unit(r) < 0.5 {
                    huge_size(r)
                } else {
                    extreme_number(r)
                },
            );
        }
    }
}

/// What the CLI and the page do with a weights file's text: the error message, or the outcome
/// of one evaluation at the system's default state.
fn load(text: &str) -> Result<String, String> {
    let file: WeightsFile = serde_json::from_str(text).map_err(|e| {
        lnn_core::weights::describe_parse_error(text, &e.to_string(), e.line(), e.column())
    })?;
    let (system, _, model) = file
        .load_within(&Budget::bytes(BUDGET))
        .map_err(|e| e.to_string())?;
    let state = system.default_state();
    let mut ws = lnn_core::models::Workspace::default();
    Ok(match model.derivatives(&state, 1, &mut ws) {
        Ok(_) => "evaluated".into(),
        Err(e) => format!("evaluation failed: {e}"),
    })
}

/// An error a user can act on: it names a field (a backticked name) or a position in the text.
fn names_something(msg: &str) -> bool {
    msg.contains('`') || msg.contains("line ")
}

fn shipped() -> Vec<(String, String)> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../www/models");
    let mut files: Vec<(String, String)> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .map(|p| {
            (
                p.file_name().unwrap().to_string_lossy().into_owned(),
                std::fs::read_to_string(&p).unwrap(),
            )
        })
        .collect();
    files.sort();
    files
}

/// `text` for a failure message: the parameters (thousands of numbers) elided.
fn shown(text: &str) -> String {
    match serde_json::from_str::<Value>(text) {
        Ok(mut v) => {
            if let Some(Value::Array(p)) = v.get("params") {
                let n = p.len();
                v["params"] = json!(format!("<{n} numbers>"));
            }
            v.to_string()
        }
        Err(_) => {
            let tail: String = text
                .chars()
                .rev()
                .take(200)
                .collect::<Vec<_>>()
                .into_iter()
                .rev()
                .collect();
            format!("(not JSON, {} bytes) …{tail}", text.len())
        }
    }
}

/// Runs `text` through [`load`], failing on a panic, an allocation past the budget or an error
/// that names nothing; `what` identifies the case.
fn check(text: &str, what: &str) -> Result<String, String> {
    let base = IN_USE.load(Ordering::Relaxed);
    PEAK.store(base, Ordering::Relaxed);
    let outcome = std::panic::catch_unwind(|| load(text))
        .unwrap_or_else(|_| panic!("{what}: the loader panicked on\n{}", shown(text)));
    let peak = PEAK.load(Ordering::Relaxed) - base;
    // The parsed file and the model are a few times the text; the budget bounds the rest.
    let allowed = BUDGET as usize + 8 * text.len();
    assert!(
        peak <= allowed,
        "{what}: allocated {peak} bytes (allowed {allowed}) on\n{}",
        shown(text)
    );
    if let Err(msg) = &outcome {
        assert!(
            names_something(msg),
            "{what}: `{msg}` names no field on\n{}",
            shown(text)
        );
    }
    outcome
}

#[test]
fn mutated_weights_files_never_panic_overspend_or_go_unnamed() {
    let files = shipped();
    assert!(files.len() >= 6);
    for (name, text) in &files {
        assert_eq!(check(text, name).as_deref(), Ok("evaluated"), "{name}");
    }
    let start = Instant::now();
    let mut r = rng::seeded(13);
    let (mut cases, mut refused) = (0, 0);
    while cases < CASES && start.elapsed() < TIME_CAP {
        let (name, text) = &files[cases % files.len()];
        let mut v: Value = serde_json::from_str(text).unwrap();
        for _ in 0..1 + pick(&mut r, 3) {
            mutate(&mut v, &mut r);
        }
        let mut mutated = v.to_string();
        if rng::unit(&mut r) < 0.1 {
            let mut cut = pick(&mut r, mutated.len());
            while !mutated.is_char_boundary(cut) {
                cut -= 1;
            }
            mutated.truncate(cut);
        }
        if check(&mutated, &format!("case {cases} ({name})")).is_err() {
            refused += 1;
        }
        cases += 1;
    }
    eprintln!(
        "weights fuzz: {cases} mutated files in {:.1} s, {refused} refused",
        start.elapsed().as_secs_f64()
    );
    assert!(cases >= 500, "only {cases} cases in {TIME_CAP:?}");
}
