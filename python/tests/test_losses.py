"""The training objective on shipped models: the loss as the Rust defines it (mean over the
components trained on, plus the LNN's definiteness penalty), and its gradient against central
differences along random directions."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from conftest import MODELS
from lnn_web import losses, mlp, models, systems


def batch(model, file, count=32, seed=11):
    system = systems.by_name(file.system, file.grid)
    states, targets = system.dataset(count, np.random.default_rng(seed), file.coordinates)
    return np.asarray(states), np.asarray(targets)


@pytest.mark.parametrize(
    "name,loss,fresh",
    [
        ("double-pendulum-lnn.json", "l1", False),
        ("double-pendulum-lnn.json", "mse", True),  # a fresh network: indefinite M, the penalty at work
        ("relativistic-hnn-canonical.json", "l1", False),
        ("double-pendulum-baseline.json", "mse", False),
    ],
)
def test_the_objective_is_the_mean_loss_plus_the_penalty(name, loss, fresh):
    model, file = models.load(str(MODELS / name))
    if fresh:
        model.spec.params = mlp.initial_params(model.sizes, "paper", 0)
    states, targets = batch(model, file)
    n = model.n
    pred = model.predict(states)
    truth = targets if model.kind == "hnn" else targets[:, n:]
    e = pred - truth
    want = np.mean(np.abs(e)) if loss == "l1" else np.mean(e * e)
    if model.kind == "lnn":
        penalty = []
        masses = jax.jit(jax.vmap(lambda x: model.lnn_terms(jnp.asarray(model.spec.params), x)[2]))(states)
        for m in np.asarray(masses):
            lam = np.linalg.eigvalsh(m)
            penalty.append(-lam[0] * lam[-1] / np.sum(m * m) if lam[0] < 0 < lam[-1] else 0.0)
        want += 1000.0 * np.mean(penalty)
        assert (np.count_nonzero(penalty) > 0) == fresh
    got = float(jax.jit(losses.objective(model, loss, model.spec.definiteness))(jnp.asarray(model.spec.params), states, targets))
    assert abs(got - want) <= 1e-12 * abs(want)


@pytest.mark.parametrize("name", ["double-pendulum-lnn.json", "relativistic-lnn.json", "relativistic-hnn-canonical.json"])
def test_the_gradient_matches_central_differences(name):
    """Along 3 random unit directions of parameter space, step h = 1e-6: O(h²) truncation
    (trained LNNs are strongly curved: at h = 1e-4 the difference is still 4e-6 off) and
    O(ε/h) round-off, together ~1e-8 relative (measured 2e-9). mse, so the loss is smooth (l1's
    kinks would make differences meaningless where a residual crosses 0)."""
    model, file = models.load(str(MODELS / name))
    states, targets = batch(model, file, count=16)
    f = jax.jit(losses.objective(model, "mse", model.spec.definiteness))
    params = jnp.asarray(model.spec.params)
    grad = jax.jit(jax.grad(f))(params, states, targets)
    rng = np.random.default_rng(0)
    h = 1e-6
    for _ in range(3):
        d = rng.standard_normal(params.shape)
        d /= np.linalg.norm(d)
        fd = (float(f(params + h * d, states, targets)) - float(f(params - h * d, states, targets))) / (2 * h)
        exact = float(grad @ d)
        assert abs(fd - exact) <= 1e-6 * max(abs(exact), 1e-3 * float(jnp.linalg.norm(grad))), (fd, exact)


def test_a_one_coordinate_lnn_pays_for_m_changing_sign_across_the_batch():
    """A fresh relativistic LNN fed atanh(q̇): its 1×1 M changes sign between states (a term
    odd in q̇), and the objective adds w·(−m_min·m_max / mean m²), m = M/atanh′(q̇)², as the Rust's
    ``sign_changes``; its gradient against central differences (sharded: test_training)."""
    import dataclasses

    model, file = models.load(str(MODELS / "relativistic-lnn.json"))
    norm = dataclasses.replace(model.spec.norm, atanh=(False, True, False))
    spec = dataclasses.replace(model.spec, norm=norm, params=mlp.initial_params(model.sizes, "xavier", 1))
    model = models.Model(spec)
    states, targets = batch(model, file, count=32)
    params = jnp.asarray(spec.params)
    ms = np.asarray(jax.vmap(lambda x: model.lnn_terms(params, x)[2][0, 0])(jnp.asarray(states)))
    ms = ms * (1.0 - states[:, 1] ** 2) ** 2  # in atanh's units: M/atanh′(q̇)²
    assert ms.min() < 0 < ms.max(), ms
    e = model.predict(states, params)[:, 0] - targets[:, 1]
    want = np.mean(e * e) + 1000.0 * (-ms.min() * ms.max() / np.mean(ms * ms))
    f = jax.jit(losses.objective(model, "mse", 1000.0))
    got = float(f(params, states, targets))
    assert abs(got - want) <= 1e-12 * abs(want), (got, want)
    grad = jax.jit(jax.grad(f))(params, states, targets)
    d = np.random.default_rng(3).standard_normal(params.shape)
    d /= np.linalg.norm(d)
    h = 1e-6
    fd = (float(f(params + h * d, states, targets)) - float(f(params - h * d, states, targets))) / (2 * h)
    assert abs(fd - float(grad @ d)) <= 1e-6 * max(1.0, abs(fd)), (fd, float(grad @ d))


def test_the_gamma_weighted_objective_weighs_samples_and_judges_pdot_as_qdd():
    """``--weighting gamma`` as the Rust's: w_s = 1 + 1/√(1 − q̇²); a canonical HNN's ṗ error
    judged as q̈ through the true M⁻¹ = (1 − q̇²)^{5/2}/(1 + 2q̇²); the loss Σ_s w_s·ℓ_s / (Σ w · 2n)
    (the LNN's over q̈, n components); against NumPy on a batch of the paper's states."""
    system = systems.by_name("relativistic")
    for name, loss in (("relativistic-hnn-canonical.json", "mse"), ("relativistic-lnn.json", "l1")):
        model, file = models.load(str(MODELS / name))
        states, targets = batch(model, file)
        qd = targets[:, 0]
        w = losses.gamma_weights(system, targets)
        assert np.allclose(w, 1.0 + 1.0 / np.sqrt(1.0 - qd * qd), rtol=1e-15, atol=0)
        pred = model.predict(states)
        if model.kind == "hnn":
            qmap = losses.canonical_map(system, states, targets)
            minv = (1.0 - qd * qd) ** 2.5 / (1.0 + 2.0 * qd * qd)
            assert np.allclose(qmap[:, 0, 0], minv, rtol=1e-12, atol=0)
            e = np.stack([pred[:, 0] - targets[:, 0], minv * (pred[:, 1] - targets[:, 1])], axis=1)
        else:
            qmap = None
            e = pred[:, :1] - targets[:, 1:]
        terms = np.abs(e) if loss == "l1" else e * e
        want = np.sum(w[:, None] * terms) / (np.sum(w) * e.shape[1])
        f = losses.objective(model, loss, 0.0, weighted=True)
        got = float(f(jnp.asarray(model.spec.params), states, targets, w, qmap))
        assert abs(got - want) <= 1e-12 * abs(want), (name, got, want)
    bad = np.array([[1.0, 0.0], [0.3, 0.0]])  # q̇ = 1: no γ
    with pytest.raises(Exception, match="γ-weight needs"):
        losses.gamma_weights(system, bad)
