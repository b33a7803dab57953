//! # lnn-core
//!
//! The maths of *Lagrangian Neural Networks* (Cranmer et al., 2020) with no symbolic algebra and
//! no I/O: `#![no_std]` + `alloc`, so the same code runs natively, in WebAssembly and on a
//! microcontroller.
//!
//! A Lagrangian L(q, q̇, c) is written once as generic Rust over [`Scalar`]. Evaluated on
//! [`Jet`]s it yields, in one forward pass, the value, the gradients ∂L/∂q and ∂L/∂q̇ and the two
//! Hessian blocks the Euler–Lagrange equation needs; [`mechanics`] turns those into accelerations
//!
//! ```text
//! M q̈ = ∂L/∂q − C q̇,   M_ij = ∂²L/∂q̇_i∂q̇_j,   C_ij = ∂²L/∂q̇_i∂q_j
//! ```
//!
//! and the energy E = q̇·∂L/∂q̇ − L.
//!
//! ## Defining a new system
//!
//! ```
//! use lnn_core::{mechanics, Lagrangian, Scalar, Solver};
//!
//! /// A pendulum of unit mass and length: L = ½ θ̇² + g cos θ.
//! struct Pendulum { g: f64 }
//!
//! impl Lagrangian for Pendulum {
//!     fn dof(&self) -> usize { 1 }
//!     fn lagrangian<S: Scalar>(&self, q: &[S], qdot: &[S], _c: &[f64]) -> S {
//!         qdot[0] * qdot[0] * 0.5 + q[0].cos() * self.g
//!     }
//! }
//!
//! // State layout everywhere: [q..., q̇..., c...].
//! let qdd = mechanics::accelerations(&Pendulum { g: 9.8 }, &[0.5, 0.0], &Solver::default()).unwrap();
//! assert!((qdd[0] - (-9.8 * 0.5f64.sin())).abs() < 1e-12); // θ̈ = −g sin θ
//! ```
//!
//! ## State layout
//! Every state vector is `[q_1..q_n, q̇_1..q̇_n, c_1..c_k]`: generalised coordinates, their
//! velocities, then non-dynamical conditioning inputs (such as the field strength g of the
//! relativistic particle) which the integrators hold constant.
#![cfg_attr(not(feature = "std"), no_std)]
#![warn(missing_docs)]

extern crate alloc;

pub mod budget;
pub mod custom;
mod error;
pub mod expr;
pub mod float;
pub mod grid;
pub mod integrate;
pub mod linalg;
pub mod math;
pub mod mechanics;
pub mod metrics;
pub mod models;
pub mod nn;
pub mod observe;
pub mod rng;
mod simd;
pub mod simulate;
pub mod systems;
pub mod taylor;
pub mod train;
pub mod weights;

pub use budget::Budget;
pub use error::{Error, Result};
pub use float::{Float, Precision, PRECISION_NAMES};
pub use integrate::{Integrator, Trajectory};
pub use linalg::Solver;
pub use mechanics::Lagrangian;
pub use systems::System;
pub use taylor::{Jet, Scalar};

/// The README's examples, compiled and run as doctests so they cannot rot.
#[cfg(doctest)]
#[doc = include_str!("../../../README.md")]
struct ReadmeDoctests;

/// The crate version, shown by the CLI and the page so a bug report names the build.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
