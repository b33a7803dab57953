"""The true systems against ``lnn predict --system``: accelerations (the engine's, from L) and
energies, the closed forms beside them, the samplers' ranges, canonical coordinates."""

from __future__ import annotations

import json
import math
import re

import jax.numpy as jnp
import numpy as np
import pytest

from conftest import relative_errors, run_lnn, write_states
from lnn_web import systems
from lnn_web.errors import LnnError

NAMES = ["double-pendulum", "relativistic", "harmonic", "free-fall", "charged-particle", "wave"]


@pytest.mark.parametrize("name", NAMES)
def test_accelerations_and_energies_agree_with_lnn_predict(name, tmp_path):
    """20 training states each. Measured worst: accelerations 1.2e-13 (wave), energies 8.9e-13
    (relativistic, E = γ − 1 − g q near |q̇| → 1); closed forms within 1.6e-12 of the engine."""
    system = systems.by_name(name)
    states = system.sample_states(20, np.random.Generator(np.random.PCG64(3)))
    rust = json.loads(run_lnn("predict", "--system", name, "--states", write_states(tmp_path / "s.json", states)).stdout)
    acc = np.array([r["accelerations"] for r in rust])
    energy = np.array([r["energy"] for r in rust])
    ours = [system.predict_one(x) for x in states]
    assert np.max(relative_errors([a for a, _ in ours], acc)) <= 1e-12
    assert np.max(relative_errors([e for _, e in ours], energy)) <= 1e-11
    closed = np.array([np.asarray(system.closed_form(jnp.asarray(x))) for x in states])
    assert np.max(relative_errors(closed, acc)) <= 1e-11


def test_samplers_draw_the_training_distributions():
    r = np.random.Generator(np.random.PCG64(0))
    dp = systems.by_name("double-pendulum").sample_states(4000, r)
    assert dp[:, :2].min() >= 0 and dp[:, :2].max() < 2 * math.pi and np.abs(dp[:, 2:]).max() <= 10
    assert np.abs(dp[:, 2:]).max() > 9.9, "ω fills [−10, 10]"
    rel = systems.by_name("relativistic").sample_states(4000, r)
    assert np.abs(rel[:, 0]).max() <= 10 and np.abs(rel[:, 1]).max() <= 0.99999
    assert 8 < np.std(rel[:, 2]) < 12, "g = 10·N(0, 1)"
    assert np.abs(systems.by_name("free-fall").sample_states(100, r)).max() <= 5
    assert np.abs(systems.by_name("harmonic").sample_states(100, r)).max() <= 2
    wave = systems.by_name("wave", 16).sample_states(3, r)
    assert wave.shape == (3, 32)
    assert np.allclose(wave[:, :16].sum(axis=1), 0, atol=1e-12), "no mean mode: every mode is a sine or cosine"


def test_canonical_coordinates_are_the_momentum_and_its_rate():
    """Relativistic: p = q̇(1 − q̇²)^(−3/2), ṗ = ∂L/∂q = g."""
    system = systems.by_name("relativistic")
    states, targets = system.dataset(50, np.random.Generator(np.random.PCG64(2)), "canonical")
    v = systems.by_name("relativistic").sample_states(50, np.random.Generator(np.random.PCG64(2)))[:, 1]
    assert np.allclose(np.asarray(states)[:, 1], v * (1 - v * v) ** -1.5, rtol=1e-12)
    assert np.allclose(np.asarray(targets), np.stack([v, np.asarray(states)[:, 2]], axis=1), rtol=1e-15)


def test_systems_without_a_truth_here_are_refused_clearly():
    for name, needle in [("custom", "typed Lagrangian"), ("observed", "only its data"), ("pendulum", "unknown system")]:
        with pytest.raises(LnnError, match=needle):
            systems.by_name(name)
    with pytest.raises(LnnError, match="only the wave"):
        systems.by_name("harmonic", 10)
    with pytest.raises(LnnError, match=re.escape("needs |q̇| < 1")):
        systems.by_name("relativistic").predict_one([0.0, 1.0, 1.0])
