use rand::Rng;

use crate::{math, rng, Lagrangian, Scalar};

/// The double pendulum of the paper (angles from the downward vertical):
///
/// ```text
/// T = ½m₁(l₁θ̇₁)² + ½m₂[(l₁θ̇₁)² + (l₂θ̇₂)² + 2l₁l₂θ̇₁θ̇₂cos(θ₁−θ₂)]
/// V = −(m₁+m₂)g l₁cos θ₁ − m₂g l₂cos θ₂,    L = T − V
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct DoublePendulum {
    /// Mass of the first bob.
    pub m1: f64,
    /// Mass of the second bob.
    pub m2: f64,
    /// Length of the first arm.
    pub l1: f64,
    /// Length of the second arm.
    pub l2: f64,
    /// Gravitational acceleration.
    pub g: f64,
}

impl Default for DoublePendulum {
    /// The paper's constants: m₁ = m₂ = l₁ = l₂ = 1, g = 9.8.
    fn default() -> Self {
        DoublePendulum {
            m1: 1.0,
            m2: 1.0,
            l1: 1.0,
            l2: 1.0,
            g: 9.8,
        }
    }
}

/// The paper's scale for energy errors: the largest potential energy, (m₁+m₂)gl₁ + m₂gl₂ = 29.4.
pub const ENERGY_SCALE: f64 = 29.4;

impl Lagrangian for DoublePendulum {
    fn dof(&self) -> usize {
        2
    }
    fn lagrangian<S: Scalar>(&self, q: &[S], v: &[S], _c: &[f64]) -> S {
        let Self { m1, m2, l1, l2, g } = *self;
        let (w1, w2) = (v[0], v[1]);
        let t1 = (w1 * l1).square() * (0.5 * m1);
        let t2 = ((w1 * l1).square()
            + (w2 * l2).square()
            + w1 * w2 * (q[0] - q[1]).cos() * (2.0 * l1 * l2))
            * (0.5 * m2);
        let y1 = -(q[0].cos() * l1);
        let y2 = y1 - q[1].cos() * l2;
        let pot = y1 * (m1 * g) + y2 * (m2 * g);
        t1 + t2 - pot
    }
}

impl DoublePendulum {
    /// The closed-form accelerations of the usual derivation (as in the paper's code).
    pub fn closed_form(&self, x: &[f64], out: &mut [f64]) {
        let Self { m1, m2, l1, l2, g } = *self;
        let (t1, t2, w1, w2) = (x[0], x[1], x[2], x[3]);
        let (s, c) = (math::sin(t1 - t2), math::cos(t1 - t2));
        let a1 = (l2 / l1) * (m2 / (m1 + m2)) * c;
        let a2 = (l1 / l2) * c;
        let f1 = -(l2 / l1) * (m2 / (m1 + m2)) * w2 * w2 * s - (g / l1) * math::sin(t1);
        let f2 = (l1 / l2) * w1 * w1 * s - (g / l2) * math::sin(t2);
        out[0] = (f1 - a1 * f2) / (1.0 - a1 * a2);
        out[1] = (f2 - a2 * f1) / (1.0 - a1 * a2);
    }

    /// Cartesian positions of the two bobs (x right, y up; pivot at the origin).
    pub fn bobs(&self, x: &[f64]) -> [[f64; 2]; 2] {
        let p1 = [self.l1 * math::sin(x[0]), -self.l1 * math::cos(x[0])];
        let p2 = [
            p1[0] + self.l2 * math::sin(x[1]),
            p1[1] - self.l2 * math::cos(x[1]),
        ];
        [p1, p2]
    }

    /// A training state from the paper's ranges: θ uniform in [0, 2π), ω uniform in [−10, 10].
    pub fn sample_training_state<R: Rng>(r: &mut R) -> [f64; 4] {
        use core::f64::consts::TAU;
        [
            rng::uniform(r, 0.0, TAU),
            rng::uniform(r, 0.0, TAU),
            rng::uniform(r, -10.0, 10.0),
            rng::uniform(r, -10.0, 10.0),
        ]
    }

    /// An initial condition of the paper's energy protocol: θ uniform in [0, 2π), ω in [0, 0.1).
    pub fn sample_energy_protocol_state<R: Rng>(r: &mut R) -> [f64; 4] {
        use core::f64::consts::TAU;
        [
            rng::uniform(r, 0.0, TAU),
            rng::uniform(r, 0.0, TAU),
            rng::uniform(r, 0.0, 0.1),
            rng::uniform(r, 0.0, 0.1),
        ]
    }
}
