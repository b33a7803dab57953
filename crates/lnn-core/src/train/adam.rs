//! Adam with decoupled weight decay (AdamW) and optional global-norm gradient clipping, over
//! f32 or f64 parameters.
use alloc::vec;
use alloc::vec::Vec;

use crate::{math, Float};

/// Adam's state and settings; the moments in the parameters' float `F`. The settings and the
/// bias corrections 1/(1 − βᵗ) are computed in f64 and rounded to `F` once per step.
#[derive(Clone, Debug, PartialEq)]
pub struct Adam<F = f64> {
    /// First-moment decay β₁ (0.9).
    pub beta1: f64,
    /// Second-moment decay β₂ (0.999).
    pub beta2: f64,
    /// ε in the denominator (1e-8).
    pub eps: f64,
    /// Decoupled weight decay λ: p ← p − lr·λ·p each step (0 = none).
    pub weight_decay: f64,
    m: Vec<F>,
    v: Vec<F>,
    t: u64,
}

impl<F: Float> Adam<F> {
    /// Adam for `len` parameters with the usual constants.
    pub fn new(len: usize, weight_decay: f64) -> Self {
        Adam {
            beta1: 0.9,
            beta2: 0.999,
            eps: 1e-8,
            weight_decay,
            m: vec![F::ZERO; len],
            v: vec![F::ZERO; len],
            t: 0,
        }
    }

    /// Updates applied so far.
    pub fn steps(&self) -> u64 {
        self.t
    }

    /// One update of `params` with gradient `grad` at learning rate `lr`.
    pub fn update(&mut self, params: &mut [F], grad: &[F], lr: f64) {
        self.t += 1;
        let t = i32::try_from(self.t).unwrap_or(i32::MAX);
        let c1 = 1.0 - math::powi(self.beta1, t);
        let c2 = 1.0 - math::powi(self.beta2, t);
        let f = F::from_f64;
        let step = Step {
            beta1: f(self.beta1),
            beta2: f(self.beta2),
            keep1: f(1.0 - self.beta1),
            keep2: f(1.0 - self.beta2),
            inv_c1: f(1.0 / c1),
            inv_c2: f(1.0 / c2),
            eps: f(self.eps),
            lr: f(lr),
            weight_decay: f(self.weight_decay),
        };
        update_all(&step, params, grad, &mut self.m, &mut self.v);
    }
}

/// The constants of one update.
struct Step<F> {
    beta1: F,
    beta2: F,
    keep1: F,
    keep2: F,
    /// 1/(1 − β₁ᵗ) and 1/(1 − β₂ᵗ): bias corrections as products, not divisions.
    inv_c1: F,
    inv_c2: F,
    eps: F,
    lr: F,
    weight_decay: F,
}

crate::simd::widest! {
    /// One square root and one division per parameter (the bias corrections are products),
    /// over zipped slices so it vectorises: when scalar, this loop was a quarter of a small
    /// model's training step.
    fn update_all<F: Float>(k: &Step<F>, params: &mut [F], grad: &[F], m: &mut [F], v: &mut [F]) {
        for (((p, &g), m), v) in params.iter_mut().zip(grad).zip(m).zip(v) {
            *m = k.beta1 * *m + k.keep1 * g;
            *v = k.beta2 * *v + k.keep2 * (g * g);
            let mhat = *m * k.inv_c1;
            let vhat = *v * k.inv_c2;
            *p -= k.lr * (mhat / (vhat.sqrt() + k.eps) + k.weight_decay * *p);
        }
    }
}

/// ‖g‖₂, summed in f64 whatever the gradient's float.
pub fn norm<F: Float>(g: &[F]) -> f64 {
    math::sqrt(crate::simd::sum_of_squares(g))
}

/// Scales `g` down to norm `max` if it is longer; returns the norm before clipping. The
/// factor is f64, each product rounded to `F`.
pub fn clip_norm<F: Float>(g: &mut [F], max: f64) -> f64 {
    let n = norm(g);
    if n > max {
        let s = max / n;
        g.iter_mut().for_each(|x| *x = F::from_f64(x.to_f64() * s));
    }
    n
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn adam_minimises_a_quadratic() {
        // f(p) = Σ (p_i − i)², from p = 0.
        let mut p = vec![0.0; 4];
        let mut adam = Adam::new(4, 0.0);
        for _ in 0..3000 {
            let g: Vec<f64> = p
                .iter()
                .enumerate()
                .map(|(i, x)| 2.0 * (x - i as f64))
                .collect();
            adam.update(&mut p, &g, 0.01);
        }
        for (i, x) in p.iter().enumerate() {
            assert!((x - i as f64).abs() < 1e-3, "{p:?}");
        }
    }

    #[test]
    fn first_step_moves_each_parameter_by_lr() {
        // Bias correction makes the first step exactly lr·sign(g) (up to ε).
        let mut p = vec![1.0f64, -1.0];
        Adam::new(2, 0.0).update(&mut p, &[0.3, -200.0], 0.1);
        assert!(
            (p[0] - 0.9).abs() < 1e-7 && (p[1] + 0.9).abs() < 1e-7,
            "{p:?}"
        );
    }

    #[test]
    fn f32_adam_follows_f64_adam() {
        // The same quadratic in f32: the iterates stay within f32 rounding of the f64 ones.
        let (mut p, mut q) = (vec![0.0f64; 4], vec![0.0f32; 4]);
        let (mut a, mut b) = (Adam::new(4, 0.01), Adam::<f32>::new(4, 0.01));
        for _ in 0..500 {
            let g: Vec<f64> = p
                .iter()
                .enumerate()
                .map(|(i, x)| 2.0 * (x - i as f64))
                .collect();
            let h: Vec<f32> = q
                .iter()
                .enumerate()
                .map(|(i, x)| 2.0 * (x - i as f32))
                .collect();
            a.update(&mut p, &g, 0.01);
            b.update(&mut q, &h, 0.01);
        }
        for (x, y) in p.iter().zip(&q) {
            assert!((x - f64::from(*y)).abs() < 1e-4, "{p:?} {q:?}");
        }
    }

    #[test]
    fn clipping_caps_the_norm() {
        let mut g = vec![3.0, 4.0];
        assert_eq!(clip_norm(&mut g, 1.0), 5.0);
        assert!((norm(&g) - 1.0).abs() < 1e-15);
        let mut small = vec![0.3, 0.4];
        clip_norm(&mut small, 1.0);
        assert_eq!(small, [0.3, 0.4]);
    }
}
