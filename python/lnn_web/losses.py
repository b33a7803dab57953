"""The training objective of each model kind (the Rust ``Model::loss_and_gradient``), split into
sums over samples so a batch can be sharded: the loss is the sum of the shards' sums divided by
the global counts, whatever the number of devices.

Per batch of S states with targets dx/dt (2n numbers each):

* lnn, baseline, graph-lnn: the loss on q̈ only, mean over the S·n components;
* hnn: the loss on the full (q̇, ṗ), mean over the S·2n components;
* the loss: ``l1`` |e| or ``mse`` e², e = prediction − target;
* lnn only, when ``definiteness`` w > 0 and n ≥ 2: plus (w/S)·Σ_s P(M_s), the penalty on an
  indefinite mass matrix, P(M) = max(0, −λ_min)·max(0, λ_max)/‖M‖²_F (0 once M is definite of
  either sign; scale-free). Why: the Euler–Lagrange solve has a pole wherever an eigenvalue of M
  crosses 0, which the optimiser cannot cross; a fresh network's M is indefinite on most states.
* lnn only, when w > 0 and n = 1: plus w·P over the batch, P = max(0, −m_min)·max(0, m_max) /
  mean(m²) with the batch's smallest and largest m = M/φ′(q̇)² (M in the units of the input
  map's velocity feature φ; 0 when every M has one sign): a 1×1 M cannot be indefinite, but it
  can change sign between states, with the same pole between them (a relativistic LNN fed
  atanh(q̇) starts so: its M has a term odd in q̇).

The test loss (``evaluator``) is the loss alone, without the penalty, as the Rust's
``train::evaluate``.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np

from .errors import unknown
from .models import Model

NAMES = "l1, mse"


def check(name: str) -> str:
    """``name`` if it is a loss."""
    if name not in ("l1", "mse"):
        raise unknown("loss", name, NAMES)
    return name


def elementwise(name: str, prediction, target):
    """|e| or e² per component (not yet divided by the count)."""
    e = prediction - target
    return jnp.abs(e) if name == "l1" else e * e


@jax.custom_jvp
def indefiniteness(m):
    """P(M) = max(0, −λ_min)·max(0, λ_max)/‖M‖²_F for a symmetric M (0 for n = 1). Its
    derivative is the Rust's: dP = [−λ_max v_minᵀ dM v_min − λ_min v_maxᵀ dM v_max]/‖M‖² −
    2P⟨M, dM⟩/‖M‖², with v the unit eigenvectors (JAX's ``eigh`` derivative is not used: it
    divides by eigenvalue gaps)."""
    return _indefiniteness_parts(m)[0]


def _indefiniteness_parts(m):
    if m.shape[0] < 2:
        return jnp.zeros((), m.dtype), None
    lam, v = jnp.linalg.eigh(m)
    lo, hi = lam[0], lam[-1]
    f2 = jnp.sum(m * m)
    indefinite = (lo < 0.0) & (hi > 0.0)
    p = jnp.where(indefinite, -lo * hi / jnp.where(indefinite, f2, 1.0), 0.0)
    return p, (lam, v, f2, indefinite)


@indefiniteness.defjvp
def _indefiniteness_jvp(primals, tangents):
    (m,), (dm,) = primals, tangents
    p, parts = _indefiniteness_parts(m)
    if parts is None:
        return p, jnp.zeros_like(p)
    lam, v, f2, indefinite = parts
    v_lo, v_hi = v[:, 0], v[:, -1]
    safe = jnp.where(indefinite, f2, 1.0)
    dp = (-lam[-1] * (v_lo @ dm @ v_lo) - lam[0] * (v_hi @ dm @ v_hi)) / safe - 2.0 * p * jnp.sum(m * dm) / safe
    return p, jnp.where(indefinite, dp, 0.0)


def sample_terms(model: Model, loss: str, definiteness: float):
    """f(params, state, target, qmap) -> (Σ loss components, penalty, M₁₁/φ′²) for one sample
    (not divided by any count): what each shard sums (the last 0 unless an LNN; φ′ the slope of
    the input map's first velocity feature). ``qmap`` (n × n, or None) is the true M⁻¹ a
    canonical HNN's ṗ is judged through as q̈ under the γ-weighting (the Rust's ``qdd_map``)."""
    n = model.n

    def one(params, x, t, qmap=None):
        zero = jnp.zeros(())
        if model.kind == "hnn":
            d = model.hnn_derivatives(params, x)
            if qmap is not None:
                d = jnp.concatenate([d[:n], qmap @ d[n:]])
                t = jnp.concatenate([t[:n], qmap @ t[n:]])
            return jnp.sum(elementwise(loss, d, t)), zero, zero
        if model.kind == "lnn":
            qdd, m = model.lnn_accelerations(params, x)
            pen = indefiniteness(m) if (definiteness > 0.0 and n >= 2) else zero
            # M in the input map's units (M/φ′(q̇)²), as the Rust compares it.
            return jnp.sum(elementwise(loss, qdd, t[n:])), pen, m[0, 0] / model.spec.norm.slope(n, x[n]) ** 2
        return jnp.sum(elementwise(loss, model.accelerations(params, x), t[n:])), zero, zero

    return one


def gamma_weights(system, targets):
    """The γ-weights of a batch (the Rust's ``Weighting::Gamma``) from the targets' q̇ (their
    first n columns in either coordinates): w_s = 1 + 1/√(1 − |q̇_s|²); refused where |q̇| ≥ 1.
    A canonical HNN also needs :func:`canonical_map`."""
    n = system.dof
    qd = np.asarray(targets)[:, :n]
    v2 = np.sum(qd * qd, axis=1)
    if not np.all(v2 < 1.0):
        from .errors import invalid

        raise invalid("weighting", "the γ-weight needs |q̇| < 1 (c = 1): use it for the relativistic particle")
    return 1.0 + 1.0 / np.sqrt(1.0 - v2)


def canonical_map(system, states, targets):
    """qmap_s = M⁻¹ of the true system at the velocity state [q, q̇, c] of canonical sample s
    (states [q, p, c], targets (q̇, ṗ)): how the Rust judges ṗ as q̈."""
    n = system.dof
    states, targets = np.asarray(states), np.asarray(targets)
    x = np.concatenate([states[:, :n], targets[:, :n], states[:, 2 * n :]], axis=1)
    return np.asarray(_inverse_mass(system)(jnp.asarray(x)))


_MASS_CACHE: dict = {}


def _inverse_mass(system):
    key = (system.name, system.grid)
    if key not in _MASS_CACHE:
        _MASS_CACHE[key] = jax.jit(jax.vmap(lambda x: jnp.linalg.inv(system.terms(x)[2])))
    return _MASS_CACHE[key]


def sign_change(ms):
    """The one-coordinate LNN's penalty on M changing sign across a batch (the Rust's
    ``sign_changes``), of the batch's M₁₁ values ``ms``: −M_min·M_max / mean(M²) when
    M_min < 0 < M_max, else 0."""
    m_min, m_max = jnp.min(ms), jnp.max(ms)
    changes = (m_min < 0.0) & (m_max > 0.0)
    mean2 = jnp.where(changes, jnp.mean(ms * ms), 1.0)
    return jnp.where(changes, -m_min * m_max / mean2, 0.0)


def uses_sign_change(model: Model, definiteness: float) -> bool:
    """Whether the objective adds :func:`sign_change` (a one-coordinate LNN, w > 0)."""
    return model.kind == "lnn" and model.n == 1 and definiteness > 0.0


def components(model: Model) -> int:
    """Loss components per sample: 2n for the HNN, n otherwise."""
    return 2 * model.n if model.kind == "hnn" else model.n


def batch_sums(model: Model, loss: str, definiteness: float, weighted: bool = False):
    """f(params, states, targets) -> (Σ loss components, Σ penalties, every sample's M₁₁/φ′²)
    over a (shard of a) batch: the M₁₁ of all shards, gathered, give :func:`sign_change`.
    ``weighted``: f(params, states, targets, w, qmap) -> (Σ_s w_s·ℓ_s, Σ penalties, M₁₁/φ′²,
    Σ w), qmap None unless a canonical HNN's."""
    one = sample_terms(model, loss, definiteness)

    def sums(params, states, targets):
        l, p, m = jax.vmap(one, in_axes=(None, 0, 0))(params, states, targets)
        return jnp.sum(l), jnp.sum(p), m

    def weighted_sums(params, states, targets, w, qmap):
        if qmap is None:
            l, p, m = jax.vmap(one, in_axes=(None, 0, 0))(params, states, targets)
        else:
            l, p, m = jax.vmap(one, in_axes=(None, 0, 0, 0))(params, states, targets, qmap)
        return jnp.sum(w * l), jnp.sum(p), m, jnp.sum(w)

    return weighted_sums if weighted else sums


def objective(model: Model, loss: str, definiteness: float, weighted: bool = False):
    """f(params, states, targets) -> the training loss of one (unsharded) batch, the Rust's
    ``loss_and_gradient`` value: mean loss + (w/S)·Σ P (+ w·the sign-change penalty).
    ``weighted``: f(params, states, targets, w, qmap) with the loss Σ_s w_s·ℓ_s / (Σ w · per)."""
    sums = batch_sums(model, loss, definiteness, weighted)
    per = components(model)
    signs = uses_sign_change(model, definiteness)

    def f(params, states, targets, w=None, qmap=None):
        samples = states.shape[0]
        if weighted:
            l, p, m, total_w = sums(params, states, targets, w, qmap)
            total = l / (total_w * per) + definiteness * p / samples
        else:
            l, p, m = sums(params, states, targets)
            total = l / (samples * per) + definiteness * p / samples
        return total + definiteness * sign_change(m) if signs else total

    return f


def evaluator(model: Model, loss: str, chunk: int = 1024, weighted: bool = False):
    """f(params, states, targets[, w, qmap]) -> the test loss (no penalty): the mean over
    components (weighted: Σ w ℓ / (Σ w · per)), NaN if any prediction is not finite (the Rust's
    ``train::evaluate``). Compiled once; the states go through in chunks of ``chunk`` rows of
    the network (a graph state is N rows)."""
    sums = jax.jit(batch_sums(model, loss, 0.0, weighted))
    rows = max(1, chunk // model.n) if model.kind == "graph-lnn" else chunk

    def evaluate(params, states, targets, w=None, qmap=None) -> float:
        total = norm = 0.0
        for i in range(0, states.shape[0], rows):
            part = slice(i, i + rows)
            if weighted:
                out = sums(params, states[part], targets[part], w[part], None if qmap is None else qmap[part])
                total, norm = total + float(out[0]), norm + float(out[3])
            else:
                total += float(sums(params, states[part], targets[part])[0])
        norm = norm if weighted else states.shape[0]
        return total / (norm * components(model))

    return evaluate
