//! A multilayer perceptron with one flat parameter vector (what the optimiser updates, the
//! worker transfers and the weights file stores).
//!
//! Layer l maps `sizes[l]` inputs to `sizes[l+1]` outputs: z = W a + b, then the activation on
//! hidden layers; the last layer is linear. Parameters are stored layer by layer, each as W
//! (column-major, `sizes[l+1]` × `sizes[l]`) followed by b.
use alloc::vec;
use alloc::vec::Vec;

use super::Activation;
use crate::rng::{self, normal};
use crate::{Error, Float, Result, Scalar};

/// How to draw the initial weights (biases start at zero in every scheme).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Init {
    /// The paper's: W ~ N(0, σ²), σ = (1/√n)·(2.2 first; 0.58·k hidden layer k; n last),
    /// n = max(fan_in, fan_out).
    Paper,
    /// Glorot/Xavier normal: σ = √(2 / (fan_in + fan_out)).
    Xavier,
    /// He/Kaiming normal: σ = √(2 / fan_in).
    Kaiming,
}

/// Names accepted by [`Init::from_name`].
pub const INIT_NAMES: &str = "paper, xavier, kaiming";

impl Init {
    /// Parses a name.
    ///
    /// # Errors
    /// [`Error::Unknown`].
    pub fn from_name(name: &str) -> Result<Self> {
        match name {
            "paper" => Ok(Init::Paper),
            "xavier" => Ok(Init::Xavier),
            "kaiming" => Ok(Init::Kaiming),
            _ => Err(Error::Unknown {
                kind: "initialisation",
                name: name.into(),
                expected: INIT_NAMES,
            }),
        }
    }

    fn std(self, layer: usize, layers: usize, fan_in: usize, fan_out: usize) -> f64 {
        match self {
            Init::Paper => {
                let n = fan_in.max(fan_out) as f64;
                let factor = if layer == 0 {
                    2.2
                } else if layer == layers - 1 {
                    n
                } else {
                    0.58 * layer as f64
                };
                factor / crate::math::sqrt(n)
            }
            Init::Xavier => crate::math::sqrt(2.0 / (fan_in + fan_out) as f64),
            Init::Kaiming => crate::math::sqrt(2.0 / fan_in as f64),
        }
    }
}

/// The largest width accepted for any layer (a 3×10,000 network is already 200 M parameters).
pub const MAX_WIDTH: usize = 10_000;

/// A multilayer perceptron with parameters in `F` (f64 unless a training pass runs in f32, see
/// [`Mlp::cast`]).
#[derive(Clone, Debug, PartialEq)]
pub struct Mlp<F = f64> {
    sizes: Vec<usize>,
    activation: Activation,
    params: Vec<F>,
}

impl Mlp<f64> {
    /// A network with layer sizes `[inputs, hidden..., outputs]`, initialised from `seed`.
    ///
    /// # Errors
    /// [`Error::InvalidConfig`] for fewer than two sizes, a zero or too large width.
    pub fn new(sizes: &[usize], activation: Activation, init: Init, seed: u64) -> Result<Self> {
        let count = Self::check_sizes(sizes)?;
        let mut params = vec![0.0; count];
        let mut r = rng::seeded(seed);
        let layers = sizes.len() - 1;
        let mut off = 0;
        for l in 0..layers {
            let (fan_in, fan_out) = (sizes[l], sizes[l + 1]);
            let std = init.std(l, layers, fan_in, fan_out);
            for w in &mut params[off..off + fan_in * fan_out] {
                *w = std * normal(&mut r);
            }
            off += fan_in * fan_out + fan_out; // biases stay zero
        }
        Ok(Mlp {
            sizes: sizes.to_vec(),
            activation,
            params,
        })
    }

    /// A network with the given parameters (checked for count and finiteness).
    ///
    /// # Errors
    /// [`Error::InvalidConfig`] naming what does not fit.
    pub fn from_params(sizes: &[usize], activation: Activation, params: Vec<f64>) -> Result<Self> {
        let count = Self::check_sizes(sizes)?;
        if params.len() != count {
            return Err(Error::config(
                "params",
                alloc::format!(
                    "the architecture {sizes:?} has {count} parameters, {} given",
                    params.len()
                ),
            ));
        }
        if let Some(i) = params.iter().position(|p| !p.is_finite()) {
            return Err(Error::config(
                "params",
                alloc::format!("parameter {i} is not finite"),
            ));
        }
        Ok(Mlp {
            sizes: sizes.to_vec(),
            activation,
            params,
        })
    }

    /// The network at one input, over any [`Scalar`]: the reference the batched passes are
    /// tested against, and how an MLP becomes a [`crate::Lagrangian`] for the generic engine.
    pub fn forward<S: Scalar>(&self, x: &[S]) -> Vec<S> {
        let mut a: Vec<S> = x.to_vec();
        for l in 0..self.layers() {
            let (w, b) = self.layer(l);
            let (k, m) = (self.sizes[l], self.sizes[l + 1]);
            // Same order of operations as the batched pass: Σ_p, then the bias.
            let mut z: Vec<S> = vec![S::from_f64(0.0); m];
            for p in 0..k {
                for i in 0..m {
                    z[i] += a[p] * w[p * m + i];
                }
            }
            for i in 0..m {
                z[i] = z[i] + b[i];
            }
            if l + 1 < self.layers() {
                for zi in &mut z {
                    *zi = activate(self.activation, *zi);
                }
            }
            a = z;
        }
        a
    }

    fn check_sizes(sizes: &[usize]) -> Result<usize> {
        if sizes.len() < 2 {
            return Err(Error::config(
                "hidden",
                "a network needs at least an input and an output layer",
            ));
        }
        if let Some(&w) = sizes.iter().find(|&&w| w == 0 || w > MAX_WIDTH) {
            return Err(Error::config(
                "hidden",
                alloc::format!("layer width {w} is outside 1..={MAX_WIDTH}"),
            ));
        }
        Ok(sizes.windows(2).map(|p| p[0] * p[1] + p[1]).sum())
    }
}

impl<F: Float> Mlp<F> {
    /// The same network with every parameter rounded to `G` (exact when widening): the f32
    /// copy an f32 training pass runs on.
    pub fn cast<G: Float>(&self) -> Mlp<G> {
        Mlp {
            sizes: self.sizes.clone(),
            activation: self.activation,
            params: self
                .params
                .iter()
                .map(|p| G::from_f64(p.to_f64()))
                .collect(),
        }
    }

    /// Sets every parameter to `other`'s, rounded to `F` (same architecture).
    ///
    /// # Panics
    /// If the parameter counts differ.
    pub fn assign<G: Float>(&mut self, other: &Mlp<G>) {
        assert_eq!(self.params.len(), other.params.len(), "same architecture");
        for (p, q) in self.params.iter_mut().zip(&other.params) {
            *p = F::from_f64(q.to_f64());
        }
    }

    /// Layer sizes `[inputs, hidden..., outputs]`.
    pub fn sizes(&self) -> &[usize] {
        &self.sizes
    }

    /// The activation of the hidden layers.
    pub fn activation(&self) -> Activation {
        self.activation
    }

    /// All parameters, layer by layer (W column-major, then b).
    pub fn params(&self) -> &[F] {
        &self.params
    }

    /// Mutable parameters (for the optimiser).
    pub fn params_mut(&mut self) -> &mut [F] {
        &mut self.params
    }

    /// Number of layers (weight matrices).
    pub fn layers(&self) -> usize {
        self.sizes.len() - 1
    }

    /// Offset of layer `l`'s W in the parameter vector; its b follows W.
    pub fn offset(&self, l: usize) -> usize {
        self.sizes
            .windows(2)
            .take(l)
            .map(|p| p[0] * p[1] + p[1])
            .sum()
    }

    /// (W, b) of layer l.
    pub fn layer(&self, l: usize) -> (&[F], &[F]) {
        let off = self.offset(l);
        let (k, m) = (self.sizes[l], self.sizes[l + 1]);
        (
            &self.params[off..off + m * k],
            &self.params[off + m * k..off + m * k + m],
        )
    }
}

/// σ(x) on any scalar through the chain rule.
fn activate<S: Scalar>(act: Activation, x: S) -> S {
    let d = act.derivatives(x.value());
    x.chain(d[0], || (d[1], d[2]))
}
