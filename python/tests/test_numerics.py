"""The building blocks: activations and their derivative chains, the input map, the solvers and
their reverse passes, the definiteness penalty, the schedules."""

from __future__ import annotations

import math
from decimal import Decimal, getcontext

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from lnn_web import activations, losses, normalise, trainer
from lnn_web.solvers import Solver, rust_lower_exp

NAMES = ["softplus", "tanh", "sigmoid", "relu2", "relu3", "relu"]


def nth_derivative(f, k):
    for _ in range(k):
        f = jax.grad(f)
    return f


@pytest.mark.parametrize("name", NAMES)
def test_autodiff_of_an_activation_is_its_closed_form_derivatives(name):
    """JAX's first three derivatives (nested grads: forward and reverse through the custom_jvp
    chain) are exactly the closed forms, and those match central differences."""
    f = activations.by_name(name)
    d = activations.derivatives_by_name(name)
    for x in [-23.0, -2.3, -0.7, 0.4, 1.9, 31.0]:
        closed = [float(v) for v in d(jnp.asarray(x))]
        for k in range(4):
            assert float(nth_derivative(f, k)(x)) == closed[k], (name, x, k)
        if abs(x) < 5:  # away from saturation, where differences of nearby values are meaningful
            h = 1e-5
            for k in range(3):
                fd = (float(d(jnp.asarray(x + h))[k]) - float(d(jnp.asarray(x - h))[k])) / (2 * h)
                # Central differences: O(h²) truncation, O(ε/h) round-off ≈ 1e-10.
                assert abs(fd - closed[k + 1]) < 1e-8 * (1 + abs(fd)), (name, x, k)


def test_hessians_through_the_chain_match_in_forward_and_reverse_mode():
    f = lambda z: jnp.sum(activations.by_name("softplus")(jnp.array([[1.0, 2.0], [-0.5, 0.3]]) @ z))
    z = jnp.array([0.7, -1.1])
    assert np.allclose(jax.jacfwd(jax.grad(f))(z), jax.jacrev(jax.grad(f))(z), rtol=1e-15, atol=0)


def test_the_stable_softplus_is_accurate_in_saturation_and_jax_nn_is_not():
    """σ″ against 50-digit arithmetic. jax.nn.softplus's autodiff: 2.9e-7 at x = 20, 1.3e-2 at
    30, 100 % from 36 on (measured); ours within 1e-15 everywhere."""
    getcontext().prec = 50
    jax_nn = jax.grad(jax.grad(jax.nn.softplus))
    ours = jax.grad(jax.grad(activations.by_name("softplus")))
    for x in [-40.0, -20.0, -1.0, 0.0, 3.0, 20.0, 30.0, 36.0, 40.0, 100.0]:
        e = (-Decimal(abs(x))).exp()
        exact = float(e / ((1 + e) * (1 + e)))
        assert abs(float(ours(x)) - exact) <= 1e-15 * exact, x
        if x == 20.0:
            assert abs(float(jax_nn(x)) - exact) > 1e-7 * exact
    # Deep in saturation the cut at exp(−460) gives exactly 0, as the Rust's (no subnormals).
    assert float(ours(500.0)) == 0.0 and float(activations.by_name("softplus")(-500.0)) == 0.0


def test_the_input_map_wraps_compresses_and_scales():
    norm = normalise.Normalisation(wrap=(False, True, False, False), asinh=(False, False, True, False), circle=(False, False, False, True), scale=(0.5, 2.0, 0.3, 0.7))
    norm.validate(4)
    assert norm.features() == 5
    x = jnp.array([0.4, 5.0, -3.0, 2.5])
    f = norm.apply(x)
    expect = [0.2, 2.0 * (5.0 - 2 * math.pi), 0.3 * math.asinh(-3.0), 0.7 * math.cos(2.5), 0.7 * math.sin(2.5)]
    assert np.allclose(f, expect, rtol=1e-15)
    jac = jax.jacfwd(norm.apply)(x)
    assert jac[1, 1] == 2.0, "a wrap shifts by 2π: slope exactly the scale"
    assert np.isclose(jac[2, 2], 0.3 / math.sqrt(10.0), rtol=1e-15)
    for t in [-20.0, -3.5, -math.pi, 0.0, 3.2, 100.0]:
        w = float(normalise.wrap_angle(t))
        assert -math.pi <= w < math.pi and abs(math.sin(w) - math.sin(t)) < 1e-12
    assert float(normalise.asinh(1e10)) == math.asinh(1e10)


def test_pinv_drops_small_eigenvalues_and_its_derivative_is_the_rusts_adjoint():
    s = Solver()
    m = jnp.array([[1.0, 1.0], [1.0, 1.0]])  # rank 1: M⁺ = M/4
    assert np.allclose(s.solve(m, jnp.array([2.0, 0.0])), [0.5, 0.5], atol=1e-15)
    assert np.all(s.solve(jnp.zeros((2, 2)), jnp.array([1.0, 3.0])) == 0.0)
    assert float(s.solve(jnp.zeros((1, 1)), jnp.array([1.0]))[0]) == 0.0
    m = jnp.array([[1.5, 0.3, -0.2], [0.3, 0.8, 0.1], [-0.2, 0.1, -0.6]])
    r = jnp.array([0.4, -1.0, 2.0])
    xbar = jnp.array([1.0, -0.5, 0.25])
    for solver in [Solver(), Solver("ridge", 0.05), Solver("damped", 0.05)]:
        f = jax.jit(lambda m, r, solver=solver: xbar @ solver.solve(m, r))
        gm, gr = jax.jit(jax.grad(f, argnums=(0, 1)))(m, r)
        h = 1e-6
        for i in range(3):
            e = jnp.zeros(3).at[i].set(h)
            assert abs((f(m, r + e) - f(m, r - e)) / (2 * h) - gr[i]) < 1e-7
            for j in range(i, 3):
                d = jnp.zeros((3, 3)).at[i, j].set(h).at[j, i].set(h)
                fd = (f(m + d, r) - f(m - d, r)) / (2 * h)
                want = gm[i, i] if i == j else gm[i, j] + gm[j, i]
                assert abs(fd - want) < 1e-7, (solver, i, j)
    # The damped solve is (M² + εI)⁻¹ M r exactly.
    x = Solver("damped", 1e-3).solve(m, r)
    assert np.allclose((m @ m + 1e-3 * jnp.eye(3)) @ x, m @ r, rtol=1e-13)


def test_solver_names_read_back_as_the_rust_writes_them():
    for name, value in [("pinv:1e-12", Solver()), ("damped:1e-4", Solver("damped", 1e-4)), ("ridge:2.5e-3", Solver("ridge", 2.5e-3))]:
        assert Solver.from_name(name) == value and value.name() == name
    assert Solver.from_name("pinv") == Solver()
    assert [rust_lower_exp(x) for x in (1.0, 0.0, 123.0, 1e100, 0.3)] == ["1e0", "0e0", "1.23e2", "1e100", "3e-1"]
    for bad in ["damped", "damped:-1", "lu", "pinv:1"]:
        with pytest.raises(ValueError):
            Solver.from_name(bad)


def test_the_definiteness_penalty_and_its_gradient():
    for m in ([[2.0, 0.5], [0.5, 1.0]], [[-2.0, 0.5], [0.5, -1.0]]):
        assert float(losses.indefiniteness(jnp.array(m))) == 0.0
    m = jnp.array([[1.0, 0.4, -0.3], [0.4, -0.7, 0.2], [-0.3, 0.2, 0.5]])
    p = float(losses.indefiniteness(m))
    assert 0 < p <= 0.5 and abs(float(losses.indefiniteness(10 * m)) - p) < 1e-14
    g = jax.grad(losses.indefiniteness)(m)
    pen = jax.jit(losses.indefiniteness)
    h = 1e-6
    for i in range(3):
        for j in range(i, 3):
            d = jnp.zeros((3, 3)).at[i, j].set(h).at[j, i].set(h)
            fd = (pen(m + d) - pen(m - d)) / (2 * h)
            assert abs(fd - (g[i, i] if i == j else g[i, j] + g[j, i])) < 1e-8


def test_schedules_are_the_rusts():
    r = lambda kind, t, total=300: float(trainer.schedule_rate(kind, 1e-3, jnp.asarray(t), total))
    assert r("step", 0) == 1e-3 and r("step", 99) == 1e-3
    assert abs(r("step", 100) - 1e-4) < 1e-18 and abs(r("step", 10_000) - 1e-5) < 1e-18
    one = lambda t: float(trainer.schedule_rate("onecycle", 1.0, jnp.asarray(t), 1000))
    assert abs(one(0) - 1 / 25) < 1e-12 and abs(one(300) - 1) < 1e-12 and abs(one(1000) - 1e-4) < 1e-12
    assert r("constant", 77) == 1e-3
