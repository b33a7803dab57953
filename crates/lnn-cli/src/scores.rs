//! The relativistic particle's scores, shared by `lnn eval` and `lnn repro`: the paper's
//! γ-weighted L1 (what its notebooks report) and the MSE of q̈, for models in either
//! coordinates.
use lnn_core::models::{Coordinates, Model, Workspace};
use lnn_core::systems::System;

/// Scores of a relativistic-particle model on held-out states, all in velocity coordinates so
/// the three models are judged alike.
pub struct RelativisticScores {
    /// Mean squared error of q̈.
    pub qdd_mse: f64,
    /// The loss of the paper's notebooks: Σ w |error| / Σ w with w = 1 + 1/√(1 − q̇²), the error
    /// summed over q̇ and q̈ (an LNN's q̇ is its input, so only its q̈ counts, as in the paper's
    /// LNN notebook; an HNN predicts both, as in its HNN notebooks).
    pub paper_l1: f64,
    /// The q̇ part of `paper_l1` (Σ w |q̇ error| / Σ w; 0 for the LNN); the rest is q̈'s.
    pub paper_l1_qdot: f64,
}

/// [`RelativisticScores`] of `model` on `test` (states in velocity coordinates with their exact
/// (q̇, q̈)). A canonical model gets (q, p) and its predicted ṗ becomes q̈ = M⁻¹(ṗ − C q̇) with
/// the true M and C, the map the paper's HNN notebook used.
pub fn relativistic_scores(
    model: &dyn Model,
    system: &System,
    test: &lnn_core::train::Dataset,
) -> Result<RelativisticScores, String> {
    let e = |e: lnn_core::Error| e.to_string();
    let mut ws = Workspace::default();
    let (mut sq, mut l1, mut l1_qdot, mut wsum) = (0.0, 0.0, 0.0, 0.0);
    for (x, target) in test.states.chunks(3).zip(test.targets.chunks(2)) {
        let (qdot, qdd) = if model.coordinates() == Coordinates::Canonical {
            let terms = system.terms(x).map_err(e)?;
            let d = model
                .derivatives(&[x[0], terms.dl_dqdot[0], x[2]], 1, &mut ws)
                .map_err(e)?;
            let qdd = terms
                .accelerations_for_momentum_rate(&d[1..], &x[1..2], &Default::default())
                .map_err(e)?;
            (d[0], qdd[0])
        } else {
            let d = model.derivatives(x, 1, &mut ws).map_err(e)?;
            (d[0], d[1])
        };
        let w = 1.0 + 1.0 / (1.0 - x[1] * x[1]).sqrt();
        sq += (qdd - target[1]).powi(2);
        l1 += w * ((qdot - target[0]).abs() + (qdd - target[1]).abs());
        l1_qdot += w * (qdot - target[0]).abs();
        wsum += w;
    }
    Ok(RelativisticScores {
        qdd_mse: sq / test.samples as f64,
        paper_l1: l1 / wsum,
        paper_l1_qdot: l1_qdot / wsum,
    })
}
