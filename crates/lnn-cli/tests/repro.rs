//! `lnn repro all --budget smoke`: the reproduction pipeline end to end in seconds. At this budget
//! the models are barely trained, so the only ordering checked is the one that must always hold:
//! the integrator's own energy error is negligible beside the models'.
use std::process::Command;

#[test]
fn smoke_budget_writes_results_figures_and_the_table() {
    let out = std::env::temp_dir().join(format!("lnn-repro-smoke-{}", std::process::id()));
    let o = Command::new(env!("CARGO_BIN_EXE_lnn"))
        .args(["repro", "all", "--budget", "smoke", "--out"])
        .arg(&out)
        .output()
        .expect("lnn runs");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let read =
        |f: &str| std::fs::read_to_string(out.join(f)).unwrap_or_else(|e| panic!("{f}: {e}"));
    for f in [
        "double-pendulum-trajectory.svg",
        "double-pendulum-energy.svg",
        "double-pendulum-energy-error.svg",
        "relativistic-q.svg",
        "wave-truth.svg",
        "wave-graph-lnn.svg",
        "wave-energy.svg",
    ] {
        let svg = read(f);
        assert!(
            svg.starts_with("<svg") && svg.trim_end().ends_with("</svg>"),
            "{f} is not an SVG document"
        );
    }
    let md = read("reproduction.md");
    for section in [
        "## double-pendulum",
        "## relativistic",
        "## wave",
        "| ours | paper |",
    ] {
        assert!(md.contains(section), "reproduction.md lacks {section}");
    }
    let dp: serde_json::Value = serde_json::from_str(&read("double-pendulum.json")).unwrap();
    let integrator = dp["integrator_alone"]["energy_error"]["mean"]
        .as_f64()
        .unwrap();
    let lnn = dp["lnn"]["energy_error"]["median"]
        .as_f64()
        .unwrap_or(f64::INFINITY);
    let base = dp["baseline"]["energy_error"]["median"]
        .as_f64()
        .unwrap_or(f64::INFINITY);
    assert!(
        integrator < 1e-8,
        "the integrator alone loses {integrator} of the energy scale"
    );
    assert!(
        integrator < lnn / 100.0 && integrator < base / 100.0,
        "integrator {integrator} vs models {lnn}, {base}"
    );
    let wave: serde_json::Value = serde_json::from_str(&read("wave.json")).unwrap();
    assert!(
        wave["max_relative_energy_error"]["truth_integrator"]
            .as_f64()
            .unwrap()
            < 1e-8
    );
    let rel: serde_json::Value = serde_json::from_str(&read("relativistic.json")).unwrap();
    for k in ["hnn_velocity", "hnn_canonical", "lnn"] {
        for score in ["test_loss", "test_mse_qdd", "paper_weighted_l1"] {
            assert!(
                rel[score][k]
                    .as_f64()
                    .is_some_and(|v| v.is_finite() && v > 0.0),
                "relativistic {score} {k}"
            );
        }
    }
    // Each model trains on the paper's γ-weighted score; the canonical HNN's q̇ part of it is
    // part of the whole.
    assert_eq!(rel["paper_weighted_l1_qdot"]["lnn"].as_f64(), Some(0.0));
    let (all, qdot) = (
        rel["paper_weighted_l1"]["hnn_canonical"].as_f64().unwrap(),
        rel["paper_weighted_l1_qdot"]["hnn_canonical"]
            .as_f64()
            .unwrap(),
    );
    assert!(qdot > 0.0 && qdot < all, "{qdot} of {all}");
    // Every trained model as a weights file that loads and names the command that made it.
    for f in [
        "double-pendulum-lnn.json",
        "double-pendulum-baseline.json",
        "relativistic-lnn.json",
        "relativistic-hnn-velocity.json",
        "relativistic-hnn-canonical.json",
        "wave-graph-lnn.json",
    ] {
        let w: lnn_core::weights::WeightsFile = serde_json::from_str(&read(&format!("models/{f}")))
            .unwrap_or_else(|e| panic!("{f}: {e}"));
        w.load().unwrap_or_else(|e| panic!("{f}: {e}"));
        assert!(w.made_by.starts_with("lnn repro "), "{f}: {}", w.made_by);
        if f.starts_with("relativistic") {
            assert_eq!(w.weighting.as_deref(), Some("gamma"), "{f}");
        }
        if f == "relativistic-hnn-canonical.json" {
            assert_eq!(w.linear.len(), 3, "asinh(p) with a linear p beside it");
        }
        if f == "relativistic-lnn.json" {
            assert_eq!(w.atanh, [false, true, false], "the LNN's q̇ through atanh");
        }
    }
    let _ = std::fs::remove_dir_all(&out);
}
