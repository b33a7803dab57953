//! Fixed-step methods.
use alloc::vec;
use alloc::vec::Vec;

use super::VectorField;
use crate::Result;

/// Scratch vectors reused across steps.
#[derive(Clone, Debug)]
pub(super) struct Work {
    k: [Vec<f64>; 4],
    tmp: Vec<f64>,
}

impl Work {
    pub(super) fn new(dim: usize) -> Self {
        Work {
            k: core::array::from_fn(|_| vec![0.0; dim]),
            tmp: vec![0.0; dim],
        }
    }
}

/// x ← x + h f(x).
pub(super) fn euler(f: &mut impl VectorField, x: &mut [f64], h: f64, w: &mut Work) -> Result<()> {
    f(x, &mut w.k[0])?;
    for (xi, ki) in x.iter_mut().zip(&w.k[0]) {
        *xi += h * ki;
    }
    Ok(())
}

/// x ← x + h/6 (k₁ + 2k₂ + 2k₃ + k₄).
pub(super) fn rk4(f: &mut impl VectorField, x: &mut [f64], h: f64, w: &mut Work) -> Result<()> {
    let Work { k, tmp } = w;
    let [k1, k2, k3, k4] = k;
    f(x, k1)?;
    axpy(tmp, x, 0.5 * h, k1);
    f(tmp, k2)?;
    axpy(tmp, x, 0.5 * h, k2);
    f(tmp, k3)?;
    axpy(tmp, x, h, k3);
    f(tmp, k4)?;
    for i in 0..x.len() {
        x[i] += h / 6.0 * (k1[i] + 2.0 * k2[i] + 2.0 * k3[i] + k4[i]);
    }
    Ok(())
}

/// out = x + a·k
fn axpy(out: &mut [f64], x: &[f64], a: f64, k: &[f64]) {
    for i in 0..x.len() {
        out[i] = x[i] + a * k[i];
    }
}
