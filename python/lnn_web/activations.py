"""The activations of the Rust MLP, each with its derivatives written out, as JAX functions whose
derivatives of every order JAX takes are those formulas (a chain of ``jax.custom_jvp``).

Why not ``jax.nn.softplus`` and JAX's own autodiff: an LNN's mass matrix is made of σ″ and its
training gradient of σ‴, and JAX differentiates softplus = logaddexp(x, 0) through
``exp(x − softplus(x))``. At x = 20 that difference is −2e-9 computed from two numbers near 20,
so it carries an absolute error of ~ulp(20) = 3.6e-15, and σ″ = σ′(1 − σ′) ≈ 2e-9 a relative error
of 2.9e-7 (measured; 1.3e-2 at x = 30, all of it at 36). Units in saturation are common in a
trained network, and the relativistic LNN's mass matrix (M ≈ 3e-7, a sum of terms ~1e4 times
larger) turns such errors into errors of q̈. Here every derivative is a closed form in
e = exp(−|x|), the sigmoid s and its complement c = 1 − s, each from its own numerator
(s = 1/(1 + e), c = e/(1 + e) for x ≥ 0; the other way round for x < 0), never as 1 − s:

    σ = max(x, 0) + log1p(e),  σ′ = s,  σ″ = s·c,  σ‴ = s·c·(c − s)

accurate to a few ulps at every x (tested against 50-digit arithmetic). exp(y) is cut to exactly
0 below y = −460, as the Rust's ``math::exp_nonpositive`` does.

lnn-core computes the same formulas (``nn/activation.rs``; its f64 path took σ″ = s(1 − s)
until the JAX cross-check found it 8e-9 off on the relativistic LNN's q̈). Each activation is a
function ``derivatives(x) -> (σ, σ′, σ″, σ‴)``, mirroring the Rust's ``Activation::derivatives``
(tanh: σ′ = sech²x = 4e/(1 + e)², e = exp(−2|x|)); :func:`make` turns it into a differentiable
function.
"""

from __future__ import annotations

from typing import Callable

import jax
import jax.numpy as jnp

from .errors import unknown

NAMES = "softplus, tanh, sigmoid, relu2, relu3, relu"


def _exp_nonpositive(y):
    """eʸ for y ≤ 0, exactly 0 below −460 (as the Rust: keeps products out of subnormals)."""
    y = jnp.minimum(y, 0.0)
    return jnp.where(y < -460.0, 0.0, jnp.exp(jnp.maximum(y, -708.0)))


def _sigmoid_pair(x):
    """(e, s, c): e = exp(−|x|), s = 1/(1 + e⁻ˣ) and c = 1 − s, each from its own numerator."""
    e = _exp_nonpositive(-jnp.abs(x))
    pos = x >= 0
    one_e = 1.0 + e
    s = jnp.where(pos, 1.0, e) / one_e
    c = jnp.where(pos, e, 1.0) / one_e
    return e, s, c


def softplus_derivatives(x):
    """(σ, σ′, σ″, σ‴) of softplus, stably (see the module's docstring)."""
    e, s, c = _sigmoid_pair(x)
    d = s * c
    return jnp.maximum(x, 0.0) + jnp.log1p(e), s, d, d * (c - s)


def sigmoid_derivatives(x):
    """(σ, σ′, σ″, σ‴) of the logistic sigmoid: s, s·c, s·c·(c − s), s·c·(1 − 6 s·c)."""
    _, s, c = _sigmoid_pair(x)
    d = s * c
    return s, d, d * (c - s), d * (1.0 - 6.0 * d)


def tanh_derivatives(x):
    """(σ, σ′, σ″, σ‴) of tanh with σ′ = sech²x = 4e/(1 + e)², e = exp(−2|x|) (not 1 − t²,
    which is 0 beyond |x| ≈ 19 where t rounds to ±1); σ″ = −2tσ′, σ‴ = σ′(6t² − 2)."""
    t = jnp.tanh(x)
    e = _exp_nonpositive(-2.0 * jnp.abs(x))
    d = 4.0 * e / ((1.0 + e) * (1.0 + e))
    return t, d, -2.0 * t * d, d * (6.0 * t * t - 2.0)


def relu_derivatives(x):
    """(σ, σ′, σ″, σ‴) of max(0, x): slope 0 at 0 (as the Rust), curvature 0 everywhere."""
    r = jnp.maximum(x, 0.0)
    zero = jnp.zeros_like(x)
    return r, jnp.where(x > 0, 1.0, 0.0), zero, zero


def relu2_derivatives(x):
    """(σ, σ′, σ″, σ‴) of max(0, x)²."""
    r = jnp.maximum(x, 0.0)
    return r * r, 2.0 * r, jnp.where(x > 0, 2.0, 0.0), jnp.zeros_like(x)


def relu3_derivatives(x):
    """(σ, σ′, σ″, σ‴) of max(0, x)³."""
    r = jnp.maximum(x, 0.0)
    return r * r * r, 3.0 * r * r, 6.0 * r, jnp.where(x > 0, 6.0, 0.0)


_DERIVATIVES: dict[str, Callable] = {
    "softplus": softplus_derivatives,
    "tanh": tanh_derivatives,
    "sigmoid": sigmoid_derivatives,
    "relu2": relu2_derivatives,
    "relu3": relu3_derivatives,
    "relu": relu_derivatives,
}


def make(derivatives: Callable) -> Callable:
    """σ as a JAX function whose first three derivatives (in any mode, to any nesting) are the
    closed forms of ``derivatives``: σ's JVP multiplies by σ′, σ′'s by σ″, σ″'s by σ‴; σ‴'s own
    derivative (needed by nobody here) is JAX's autodiff of its formula."""

    def order(k: int) -> Callable:
        if k == 3:
            return lambda x: derivatives(x)[3]
        f = jax.custom_jvp(lambda x: derivatives(x)[k])
        nxt = order(k + 1)

        @f.defjvp
        def _jvp(primals, tangents):
            (x,), (t,) = primals, tangents
            return f(x), nxt(x) * t

        return f

    return order(0)


_ACTIVATIONS = {name: make(d) for name, d in _DERIVATIVES.items()}


def by_name(name: str) -> Callable:
    """The activation called ``name`` in weights files and on the command line."""
    try:
        return _ACTIVATIONS[name]
    except KeyError:
        raise unknown("activation", name, NAMES) from None


def derivatives_by_name(name: str) -> Callable:
    """(σ, σ′, σ″, σ‴) of the activation ``name`` (for tests and the docs)."""
    by_name(name)
    return _DERIVATIVES[name]


def has_curvature(name: str) -> bool:
    """False for relu: σ″ ≡ 0, so a Lagrangian made of it has a zero mass matrix."""
    return name != "relu"
