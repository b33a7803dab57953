use core::ops::{Add, AddAssign, Div, Mul, MulAssign, Neg, Sub, SubAssign};

use super::Scalar;

/// A second-order Taylor jet in the 2N inputs (q, q̇) of a Lagrangian with N degrees of freedom,
/// carrying exactly what the Euler–Lagrange equation needs and no more.
///
/// The q–q Hessian block never enters q̈ or the energy, so it is not propagated: that saves
/// about a third of the work of a full second-order jet. Both carried blocks stay closed under
/// the product and chain rules because they only ever multiply first derivatives.
///
/// `Copy` and stack-allocated, so generic code reads like code over `f64`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Jet<const N: usize> {
    /// The value f.
    pub v: f64,
    /// ∂f/∂q_j.
    pub gq: [f64; N],
    /// ∂f/∂q̇_i.
    pub gv: [f64; N],
    /// ∂²f/∂q̇_i∂q̇_j (symmetric; this is the mass matrix M when f = L).
    pub hvv: [[f64; N]; N],
    /// ∂²f/∂q̇_i∂q_j (row i: velocity, column j: position; the matrix C when f = L).
    pub hvq: [[f64; N]; N],
}

impl<const N: usize> Jet<N> {
    /// A constant: every derivative zero.
    pub const fn constant(v: f64) -> Self {
        Jet {
            v,
            gq: [0.0; N],
            gv: [0.0; N],
            hvv: [[0.0; N]; N],
            hvq: [[0.0; N]; N],
        }
    }

    /// The independent variables: jets for q_i and q̇_i seeded with unit first derivatives.
    pub fn variables(q: &[f64; N], qdot: &[f64; N]) -> ([Self; N], [Self; N]) {
        let mut qs = [Self::constant(0.0); N];
        let mut vs = [Self::constant(0.0); N];
        for i in 0..N {
            qs[i].v = q[i];
            qs[i].gq[i] = 1.0;
            vs[i].v = qdot[i];
            vs[i].gv[i] = 1.0;
        }
        (qs, vs)
    }

    /// Applies the same map to the value and every derivative (scaling is linear).
    #[inline]
    fn map_all(mut self, f: impl Fn(f64) -> f64) -> Self {
        self.v = f(self.v);
        for i in 0..N {
            self.gq[i] = f(self.gq[i]);
            self.gv[i] = f(self.gv[i]);
            for j in 0..N {
                self.hvv[i][j] = f(self.hvv[i][j]);
                self.hvq[i][j] = f(self.hvq[i][j]);
            }
        }
        self
    }
}

impl<const N: usize> Scalar for Jet<N> {
    #[inline]
    fn from_f64(x: f64) -> Self {
        Self::constant(x)
    }
    #[inline]
    fn value(&self) -> f64 {
        self.v
    }
    /// f(a): ∇f = f′∇a, ∂²f = f′∂²a + f″ ∂a⊗∂a.
    #[inline]
    fn chain(self, f0: f64, derivatives: impl FnOnce() -> (f64, f64)) -> Self {
        let (f1, f2) = derivatives();
        let mut r = self.map_all(|x| x * f1);
        r.v = f0;
        for i in 0..N {
            let gi = f2 * self.gv[i];
            for j in 0..N {
                r.hvv[i][j] += gi * self.gv[j];
                r.hvq[i][j] += gi * self.gq[j];
            }
        }
        r
    }
}

impl<const N: usize> Add for Jet<N> {
    type Output = Self;
    #[inline]
    fn add(mut self, b: Self) -> Self {
        self.v += b.v;
        for i in 0..N {
            self.gq[i] += b.gq[i];
            self.gv[i] += b.gv[i];
            for j in 0..N {
                self.hvv[i][j] += b.hvv[i][j];
                self.hvq[i][j] += b.hvq[i][j];
            }
        }
        self
    }
}

impl<const N: usize> Neg for Jet<N> {
    type Output = Self;
    #[inline]
    fn neg(self) -> Self {
        self.map_all(|x| -x)
    }
}

impl<const N: usize> Sub for Jet<N> {
    type Output = Self;
    #[inline]
    fn sub(self, b: Self) -> Self {
        self + (-b)
    }
}

/// Product rule: ∂²(ab) = a∂²b + b∂²a + ∂a⊗∂b + ∂b⊗∂a.
impl<const N: usize> Mul for Jet<N> {
    type Output = Self;
    #[inline]
    fn mul(self, b: Self) -> Self {
        let a = self;
        let mut r = Self::constant(a.v * b.v);
        for i in 0..N {
            r.gq[i] = a.v * b.gq[i] + b.v * a.gq[i];
            r.gv[i] = a.v * b.gv[i] + b.v * a.gv[i];
            for j in 0..N {
                r.hvv[i][j] =
                    a.v * b.hvv[i][j] + b.v * a.hvv[i][j] + a.gv[i] * b.gv[j] + b.gv[i] * a.gv[j];
                r.hvq[i][j] =
                    a.v * b.hvq[i][j] + b.v * a.hvq[i][j] + a.gv[i] * b.gq[j] + b.gv[i] * a.gq[j];
            }
        }
        r
    }
}

impl<const N: usize> Div for Jet<N> {
    type Output = Self;
    #[inline]
    #[allow(clippy::suspicious_arithmetic_impl)]
    fn div(self, b: Self) -> Self {
        self * b.recip()
    }
}

impl<const N: usize> Add<f64> for Jet<N> {
    type Output = Self;
    #[inline]
    fn add(mut self, b: f64) -> Self {
        self.v += b;
        self
    }
}

impl<const N: usize> Sub<f64> for Jet<N> {
    type Output = Self;
    #[inline]
    fn sub(mut self, b: f64) -> Self {
        self.v -= b;
        self
    }
}

impl<const N: usize> Mul<f64> for Jet<N> {
    type Output = Self;
    #[inline]
    fn mul(self, b: f64) -> Self {
        self.map_all(|x| x * b)
    }
}

impl<const N: usize> Div<f64> for Jet<N> {
    type Output = Self;
    #[inline]
    fn div(self, b: f64) -> Self {
        self.map_all(|x| x / b)
    }
}

impl<const N: usize> Mul<Jet<N>> for f64 {
    type Output = Jet<N>;
    #[inline]
    fn mul(self, b: Jet<N>) -> Jet<N> {
        b.map_all(|x| self * x)
    }
}

impl<const N: usize> AddAssign for Jet<N> {
    #[inline]
    fn add_assign(&mut self, b: Self) {
        *self = *self + b;
    }
}

impl<const N: usize> SubAssign for Jet<N> {
    #[inline]
    fn sub_assign(&mut self, b: Self) {
        *self = *self - b;
    }
}

impl<const N: usize> MulAssign for Jet<N> {
    #[inline]
    fn mul_assign(&mut self, b: Self) {
        *self = *self * b;
    }
}
