//! Training data drawn fresh from the true systems: states from the paper's ranges and their
//! exact time derivatives, in velocity or canonical coordinates.
use alloc::vec::Vec;

use crate::models::{Coordinates, ModelKind, Normalisation, SampleWeights, Weighting};
use crate::rng::{normal, uniform, StdRng};
use crate::systems::{Derivation, DoublePendulum, System};
use crate::{math, Result};

/// States and their time derivatives, row by row.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Dataset {
    /// Number of samples.
    pub samples: usize,
    /// `samples × (2n + k)` states.
    pub states: Vec<f64>,
    /// `samples × 2n` time derivatives (dq/dt, then dq̇/dt or dp/dt).
    pub targets: Vec<f64>,
    /// One loss weight per sample ([`Weighting`]); empty: unweighted.
    pub weights: Vec<f64>,
    /// For canonical samples drawn for a weighted loss: `samples × n × n`, the true M⁻¹ at
    /// each sample (row-major), which turns the error of ṗ into the error of q̈
    /// ([`SampleWeights::qdd_map`]); empty otherwise.
    pub qdd_map: Vec<f64>,
}

impl Dataset {
    /// The weights of the loss on these samples.
    pub fn sample_weights(&self) -> SampleWeights<'_> {
        SampleWeights {
            weights: &self.weights,
            qdd_map: &self.qdd_map,
        }
    }
}

/// A state (q, q̇, c) from the training distribution of `system`.
///
/// # Errors
/// [`Error::InvalidConfig`] for systems not trainable here yet (the wave, a graph model's job).
pub fn sample_state(system: &System, r: &mut StdRng) -> Result<Vec<f64>> {
    let u = |r: &mut StdRng, a: f64| uniform(r, -a, a);
    Ok(match system {
        System::DoublePendulum(_) => DoublePendulum::sample_training_state(r).to_vec(),
        // The paper: q ∈ [−10, 10], q̇ = 0.99999 tanh(2 N(0,1)), g = 10 N(0,1).
        System::Relativistic(_) => {
            let q = uniform(r, -10.0, 10.0);
            let v = 0.99999 * math::tanh(2.0 * normal(r));
            alloc::vec![q, v, 10.0 * normal(r)]
        }
        System::Harmonic(_) => alloc::vec![u(r, 2.0), u(r, 2.0)],
        System::FreeFall(_) => alloc::vec![u(r, 5.0), u(r, 5.0), u(r, 5.0), u(r, 5.0)],
        System::ChargedParticle(_) => alloc::vec![u(r, 2.0), u(r, 2.0), u(r, 2.0), u(r, 2.0)],
        System::Wave(w) => random_wave(w, r),
        System::Custom(c) => c.sample(r),
        System::Observed(_) => {
            return Err(crate::Error::config(
                "system",
                "an observed system has no states to draw: it trains on its data (Trainer::with_signal)",
            ))
        }
    })
}

/// A random periodic wave: φ and φ̇ each a sum of every Fourier mode the grid holds (m up to
/// N/2) with normal amplitudes falling as 1/m² (so φ̈ has the same size in every mode), φ̇'s
/// scaled by the mode's frequency 2πmc. All modes, not only smooth ones: a density never shown
/// grid-scale waves learns nothing about their stiffness, and its rollouts blow up from there
/// (measured: trained on m ≤ 6, a pulse's energy grew 1000x by t = 0.2).
///
/// Mode m at point i has phase 2π m i / N, so one table of the N phases of the circle serves
/// every mode: N sines and cosines a sample instead of N²/2 of each (measured, N = 100: ~10× less
/// time for the sampler, which had taken a sixth of a training step of the wave's graph LNN; for
/// N = 4,000 the 32 test states had taken 11 s). The sum is still O(N²) multiply-adds.
fn random_wave(w: &crate::systems::Wave, r: &mut StdRng) -> Vec<f64> {
    let n = w.n;
    let len = n as f64 * w.dx;
    let circle: Vec<(f64, f64)> = (0..n)
        .map(|j| {
            let phase = core::f64::consts::TAU * j as f64 / n as f64;
            (math::sin(phase), math::cos(phase))
        })
        .collect();
    let mut x = alloc::vec![0.0; 2 * n];
    let (phi, phi_dot) = x.split_at_mut(n);
    for m in 1..=n / 2 {
        let k = core::f64::consts::TAU * m as f64 / len;
        let amp = 0.5 / (m * m) as f64;
        let (a, b) = (amp * normal(r), amp * normal(r));
        let (c, d) = (amp * k * w.c * normal(r), amp * k * w.c * normal(r));
        let mut j = 0; // m·i mod N
        for i in 0..n {
            let (s, co) = circle[j];
            phi[i] += a * s + b * co;
            phi_dot[i] += c * s + d * co;
            j += m;
            if j >= n {
                j -= n;
            }
        }
    }
    x
}

/// `count` samples in the given coordinates, appended to `out` (cleared first).
///
/// # Errors
/// From [`sample_state`] and the system's accelerations.
pub fn sample(
    system: &System,
    coords: Coordinates,
    count: usize,
    r: &mut StdRng,
    out: &mut Dataset,
) -> Result<()> {
    sample_weighted(system, coords, Weighting::None, count, r, out)
}

/// [`sample`] with the loss weights of `weighting` (computed from each state in velocity
/// coordinates, before a canonical state replaces q̇ by p) and, for canonical samples under a
/// weighting, the map from ṗ to q̈ (the true M⁻¹, through the pseudo-inverse as
/// [`crate::mechanics::Terms::accelerations_for_momentum_rate`] scores it). The states and
/// targets are those of [`sample`] (the same random stream).
///
/// # Errors
/// From [`sample`], [`Weighting::weight`] and the solve for M⁻¹.
pub fn sample_weighted(
    system: &System,
    coords: Coordinates,
    weighting: Weighting,
    count: usize,
    r: &mut StdRng,
    out: &mut Dataset,
) -> Result<()> {
    let n = system.dof();
    out.samples = count;
    out.states.clear();
    out.targets.clear();
    out.weights.clear();
    out.qdd_map.clear();
    let weighted = weighting != Weighting::None;
    // The built-ins' targets come from their closed forms (independent of the engine the models
    // use); a typed Lagrangian has only the engine, and states where its L is not finite (outside
    // a log's or sqrt's domain) are drawn again.
    let custom = matches!(system, System::Custom(_));
    let how = if custom {
        Derivation::default()
    } else {
        Derivation::ClosedForm
    };
    for _ in 0..count {
        let mut tries = 0;
        let (x, qdd) = loop {
            let x = sample_state(system, r)?;
            match system.accelerations(&x, &how) {
                Ok(qdd) => break (x, qdd),
                Err(_) if custom && tries < 100 => tries += 1,
                Err(e) => return Err(e),
            }
        };
        if weighted {
            out.weights.push(weighting.weight(&x, n)?);
        }
        match coords {
            Coordinates::Velocity => {
                out.states.extend_from_slice(&x);
                out.targets.extend_from_slice(&x[n..2 * n]);
                out.targets.extend_from_slice(&qdd);
            }
            Coordinates::Canonical => {
                // p = ∂L/∂q̇ and, by the Euler–Lagrange equation, ṗ = ∂L/∂q.
                let t = system.terms(&x)?;
                out.states.extend_from_slice(&x[..n]);
                out.states.extend_from_slice(t.dl_dqdot.as_slice());
                out.states.extend_from_slice(&x[2 * n..]);
                out.targets.extend_from_slice(&x[n..2 * n]);
                out.targets.extend_from_slice(t.dl_dq.as_slice());
                if weighted {
                    // Column j of M⁻¹ is q̈ for ṗ = e_j at q̇ = 0; stored row-major.
                    let start = out.qdd_map.len();
                    out.qdd_map.resize(start + n * n, 0.0);
                    let zero = alloc::vec![0.0; n];
                    for j in 0..n {
                        let mut unit = alloc::vec![0.0; n];
                        unit[j] = 1.0;
                        let col =
                            t.accelerations_for_momentum_rate(&unit, &zero, &Default::default())?;
                        for (i, v) in col.iter().enumerate() {
                            out.qdd_map[start + i * n + j] = *v;
                        }
                    }
                }
            }
        }
    }
    Ok(())
}

/// The scale of the linear feature beside asinh(p) in the relativistic particle's canonical
/// input map ([`default_normalisation`]): 0.01·p spans ±1.1e5 over the paper's data. Measured
/// against 1e-5, 1e-3, 0.1 and 0.3 (docs/reproduction.md): 1e-2 scored best on the paper's score
/// with a q̈ MSE within 4× of the best.
pub const LINEAR_P: f64 = 1e-2;

/// The input map a model of `system` gets by default: angles wrapped, the paper's scales.
pub fn default_normalisation(
    system: &System,
    model: ModelKind,
    coords: Coordinates,
) -> Normalisation {
    if let (System::Wave(w), ModelKind::GraphLnn) = (system, model) {
        // Density inputs (φ_{i−1}, φ_i, φ_{i+1}, φ̇ …). The density lives on differences of
        // neighbouring φ, which are ~dx times smaller than φ: scaling φ by 0.3/dx puts them at
        // O(1) (measured at N = 100 on waves of modes 1–6, 1500 steps: test MSE 38–160 over
        // three seeds, against 180 at scale 3, 1760 at scale 1 and 2400 for predicting 0).
        let mut norm = Normalisation::identity(6);
        for s in &mut norm.scale[..3] {
            *s = 0.3 / w.dx;
        }
        for s in &mut norm.scale[3..] {
            *s = 1.0 / (core::f64::consts::PI * w.c);
        }
        return norm;
    }
    let mut norm = Normalisation::identity(system.state_len());
    match system {
        System::DoublePendulum(_) => {
            norm.wrap[0] = true;
            norm.wrap[1] = true;
        }
        System::Relativistic(_) => {
            norm.scale[0] = 0.1; // q/10
            norm.scale[2] = 0.1; // g/10
            if coords == Coordinates::Canonical {
                // p = q̇(1 − q̇²)^(−3/2) spans seven decades in the paper's data (|q̇| up to
                // 0.99999): asinh(p)/4 stays within ±4 and serves the slow end; 0.01·p beside it
                // serves the fast end, where q̇ = ∂H/∂p levels off at ±1 (H ≈ |p|, which a
                // softplus network makes from a linear feature, but from asinh(p) only by growing
                // like cosh). Measured (2×64, batch 64, 200k steps, trained on the γ-weighted
                // MSE): the paper's weighted L1 4.7e-3 and q̈ MSE 1.4e-5 with both features,
                // 0.25 and 1.3e-4 with asinh alone, 7.7e-3 and 3.2e-5 with a linear 0.3·p alone
                // (docs/reproduction.md has every setting tried).
                norm.asinh[1] = true;
                norm.scale[1] = 0.25;
                norm.linear[1] = LINEAR_P;
            } else if model == ModelKind::Lnn {
                // The LNN's M = (1 + 2q̇²)γ⁵ reaches 10¹³ at the paper's |q̇| = 0.99999, which a
                // softplus network of q̇ cannot make (the shipped one without this predicted
                // q̈ ≈ 3e-4·g there against ~1e-12·g); through atanh q̇ the chain rule brings
                // γ⁴ (see `Normalisation::atanh`). Measured (2×64, lr 3e-3, 200k steps,
                // γ-weighted MSE): the paper's weighted L1 2.2e-3 against 8.3e-3 on q̇ itself,
                // with the error at |q̇| ≥ 0.99 gone (from 40 % of the score to 1 %).
                norm.atanh[1] = true;
            }
        }
        // Inputs of order one: each number divided by the larger end of its range.
        System::Custom(c) => scale_to_ranges(&mut norm, c.ranges()),
        System::Observed(o) => scale_to_ranges(&mut norm, &o.ranges),
        _ => {}
    }
    norm
}

fn scale_to_ranges(norm: &mut Normalisation, ranges: &[(f64, f64)]) {
    for (s, &(lo, hi)) in norm.scale.iter_mut().zip(ranges) {
        let m = lo.abs().max(hi.abs());
        *s = if m > 0.0 { 1.0 / m } else { 1.0 };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The wave sampler's table of phases gives the direct sum of sines and cosines of every
    /// mode (the formula it replaced), to rounding.
    #[test]
    fn the_random_wave_is_its_fourier_sum() {
        for n in [3, 4, 7, 100, 257] {
            let System::Wave(w) = System::wave(n).unwrap() else {
                unreachable!()
            };
            let x = random_wave(&w, &mut crate::rng::seeded(5));
            let mut r = crate::rng::seeded(5);
            let len = n as f64 * w.dx;
            let mut direct = alloc::vec![0.0; 2 * n];
            for m in 1..=n / 2 {
                let k = core::f64::consts::TAU * m as f64 / len;
                let amp = 0.5 / (m * m) as f64;
                let (a, b) = (amp * normal(&mut r), amp * normal(&mut r));
                let (c, d) = (
                    amp * k * w.c * normal(&mut r),
                    amp * k * w.c * normal(&mut r),
                );
                for i in 0..n {
                    let (s, co) = (
                        math::sin(k * i as f64 * w.dx),
                        math::cos(k * i as f64 * w.dx),
                    );
                    direct[i] += a * s + b * co;
                    direct[n + i] += c * s + d * co;
                }
            }
            let scale = direct.iter().fold(0.0f64, |m, v| m.max(v.abs()));
            for (i, (u, v)) in x.iter().zip(&direct).enumerate() {
                assert!(
                    (u - v).abs() <= 1e-12 * scale,
                    "N = {n}, entry {i}: {u} vs {v}"
                );
            }
        }
    }
}
