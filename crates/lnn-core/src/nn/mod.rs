//! Neural networks: the MLP, its activations and the batched Taylor-mode pass with its
//! hand-written reverse, which is how a learned Lagrangian is evaluated and trained.
mod activation;
pub mod gemm;
mod mlp;
pub mod taylor_pass;

pub use activation::{Activation, ACTIVATION_NAMES};
pub use mlp::{Init, Mlp, INIT_NAMES, MAX_WIDTH};
