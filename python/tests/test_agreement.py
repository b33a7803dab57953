"""JAX against the Rust engine on every shipped weights file: time derivatives to 1e-10
relative on 50 states of the system's own training distribution, learned energies, and the
``python -m lnn_web predict`` command line.

Tolerance: |jax − rust| ≤ 1e-10 · max(|rust|, 1e-6 · max|rust| over the file's outputs) (see
``conftest.relative_errors``). Measured worst (this machine, 50 states, seed 1): double-pendulum
lnn 6.2e-14, baseline 2.3e-14, relativistic lnn 6.3e-12, hnn velocity 1.1e-13, hnn canonical
1.3e-11, wave graph-lnn 7.1e-12 — each a few ulps times the conditioning of its model (the
relativistic LNN's M ≈ 3e-7 is a sum of terms ~1e4 times larger; the wave's φ̈ solves a
100×100 system, banded LU in Rust, dense LU here).

Both compute the softplus's σ″ as s·c (stable in saturation); with s(1 − s), which lnn-core's
f64 path used before, the relativistic LNN differed by up to 8e-9
(``test_the_stable_softplus_is_right_where_s_times_one_minus_s_is_not``: a saturated probe).
"""

from __future__ import annotations

import json
from decimal import Decimal, getcontext

import jax
import numpy as np
import pytest

from conftest import MODELS, SHIPPED, relative_errors, run_lnn, run_python, write_states
from lnn_web import activations, jsonfmt, models, systems

TOLERANCE = 1e-10


def states_for(model: models.Model, file, count: int = 50, seed: int = 1) -> np.ndarray:
    """``count`` states of the file's system from its training distribution, in the model's
    coordinates (canonical (q, p, g) for the canonical HNN)."""
    system = systems.by_name(file.system, file.grid)
    states, _ = system.dataset(count, np.random.Generator(np.random.PCG64(seed)), model.spec.coordinates)
    return np.asarray(states)


@pytest.mark.parametrize("name", SHIPPED)
def test_time_derivatives_agree_with_lnn_predict(name, tmp_path):
    path = MODELS / name
    model, file = models.load(str(path))
    states = states_for(model, file)
    rust = np.array(json.loads(run_lnn("predict", "--model", path, "--states", write_states(tmp_path / "s.json", states)).stdout))
    ours = model.predict(states).reshape(rust.shape)
    err = relative_errors(ours, rust)
    worst = np.unravel_index(np.argmax(err), err.shape)
    print(f"{name}: worst relative error {err.max():.2e} (state {worst[0]})")
    assert err.max() <= TOLERANCE, f"{name}: state {states[worst[0]]}: jax {ours[worst]!r}, rust {rust[worst]!r}"


@pytest.mark.parametrize("name", [n for n in SHIPPED if "baseline" not in n])
def test_learned_energies_agree_with_lnn_simulate(name):
    """The learned energy (q̇·∂L/∂q̇ − L, or H) against the energy column of ``lnn simulate
    --model`` at t = 0. Measured ≤ 3e-14 relative."""
    path = MODELS / name
    model, file = models.load(str(path))
    states = states_for(model, file, count=3, seed=5)
    if file.coordinates == "canonical":
        # lnn simulate checks an initial state as the system's (|q̇| < 1), even for (q, p, g).
        states = states[np.abs(states[:, 1]) < 1.0][:2]
        assert len(states), "no canonical state with |p| < 1 drawn"
    ours = model.energies(states)
    for x, e in zip(states, ours):
        init = ",".join(repr(float(v)) for v in x)
        out = json.loads(run_lnn("simulate", "--model", path, "--init", init, "--t", "0.001", "--dt", "0.001").stdout)
        rust = out["energy"][0]
        assert abs(e - rust) <= 1e-12 * abs(rust), f"{name} at {x}: jax {e!r}, rust {rust!r}"


def test_the_command_line_prints_what_lnn_predict_prints(tmp_path):
    """``python -m lnn_web predict`` against ``lnn predict`` on the relativistic LNN: the same
    numbers to 1e-10 and the same text format (serde_json's), one line."""
    path = MODELS / "relativistic-lnn.json"
    model, file = models.load(str(path))
    states = write_states(tmp_path / "s.json", states_for(model, file, count=10))
    rust = run_lnn("predict", "--model", path, "--states", states).stdout
    ours = run_python("-m", "lnn_web", "predict", "--model", path, "--states", states)
    assert ours.returncode == 0, ours.stderr
    assert ours.stdout.count("\n") == 1 and ours.stdout.endswith("\n")
    a, b = json.loads(ours.stdout), json.loads(rust)
    assert np.max(relative_errors(a, b)) <= TOLERANCE
    assert jsonfmt.dumps(a) + "\n" == ours.stdout, "the text is serde_json's format"


def _softplus_decimal(z: Decimal):
    """(σ, σ′, σ″) of softplus in Decimal arithmetic."""
    e = (-abs(z)).exp()
    s, c = (1 / (1 + e), e / (1 + e)) if z >= 0 else (e / (1 + e), 1 / (1 + e))
    return max(z, Decimal(0)) + (1 + e).ln(), s, s * c


def _relativistic_lnn_decimal(params, sizes, x, eps: Decimal, file):
    """The relativistic LNN's q̈ in 50-digit arithmetic: the Taylor pass (value's first
    derivatives along q and q̇, second along (q̇, q̇) and (q̇, q)) through the 2×64 softplus
    network on the file's input map (q/10, q̇ or atanh(q̇), g/10: the map's first and second
    derivatives seed the pass), then the damped solve q̈ = M r/(M² + ε)."""
    scale = [Decimal(repr(s)) for s in file.scale]
    v = Decimal(x[1])
    if file.atanh and file.atanh[1]:
        # atanh(v) = ½ ln((1 + v)/(1 − v)); atanh′ = 1/(1 − v²); atanh″ = 2v/(1 − v²)².
        f, d1, d2 = ((1 + v) / (1 - v)).ln() / 2, 1 / (1 - v * v), 2 * v / (1 - v * v) ** 2
    else:
        f, d1, d2 = v, Decimal(1), Decimal(0)
    a = [Decimal(x[0]) * scale[0], f * scale[1], Decimal(x[2]) * scale[2]]
    aq = [scale[0], Decimal(0), Decimal(0)]
    av = [Decimal(0), d1 * scale[1], Decimal(0)]
    bvv = [Decimal(0), d2 * scale[1], Decimal(0)]
    bvq = [Decimal(0)] * 3
    off = 0
    for layer in range(len(sizes) - 1):
        k, m = sizes[layer], sizes[layer + 1]
        w = [[Decimal(params[off + p * m + i]) for p in range(k)] for i in range(m)]
        b = [Decimal(params[off + k * m + i]) for i in range(m)]
        off += k * m + m
        dot = lambda row, v: sum((wi * vi for wi, vi in zip(row, v)), Decimal(0))
        z = [dot(w[i], a) + b[i] for i in range(m)]
        zq, zv = [dot(w[i], aq) for i in range(m)], [dot(w[i], av) for i in range(m)]
        zvv, zvq = [dot(w[i], bvv) for i in range(m)], [dot(w[i], bvq) for i in range(m)]
        if layer + 2 < len(sizes):
            d = [_softplus_decimal(zi) for zi in z]
            a = [v0 for v0, _, _ in d]
            aq = [d1 * q for (_, d1, _), q in zip(d, zq)]
            av = [d1 * v for (_, d1, _), v in zip(d, zv)]
            bvv = [d2 * v * v + d1 * vv for (_, d1, d2), v, vv in zip(d, zv, zvv)]
            bvq = [d2 * v * q + d1 * vq for (_, d1, d2), v, q, vq in zip(d, zv, zq, zvq)]
        else:
            aq, av, bvv, bvq = zq, zv, zvv, zvq
    mass, mixed, dl_dq = bvv[0], bvq[0], aq[0]
    r = dl_dq - mixed * Decimal(x[1])
    return mass * r / (mass * mass + eps)


def test_the_relativistic_lnn_agrees_with_50_digit_arithmetic(tmp_path):
    """The shipped relativistic LNN's q̈ (its M a sum of σ″ terms that cancel) against the same
    network in 50-digit arithmetic on 12 of the states above: JAX and the ``lnn`` binary each
    within 1e-10 (measured 1.6e-12 and 1.7e-12 on the first weights retrained 2026-12-07, on q̇
    itself; 1.0e-15 and 1.3e-15 on those through atanh(q̇))."""
    getcontext().prec = 50
    path = MODELS / "relativistic-lnn.json"
    model, file = models.load(str(path))
    states = states_for(model, file)[:12]
    exact = np.array([float(_relativistic_lnn_decimal(file.params, model.sizes, x, Decimal("1e-4"), file)) for x in states])
    rel = lambda got: np.max(np.abs(np.asarray(got).reshape(-1) - exact) / np.abs(exact))
    rust = json.loads(run_lnn("predict", "--model", path, "--states", write_states(tmp_path / "s.json", states)).stdout)
    errs = {"jax": rel(model.predict(states)[:, 0]), "lnn": rel(rust)}
    print("relativistic-lnn against 50 digits: " + ", ".join(f"{k} {v:.1e}" for k, v in errs.items()))
    assert errs["jax"] <= 1e-10 and errs["lnn"] <= 1e-10


# A saturated probe: L = softplus(q̇ + 30) + softplus(q), a harmonic-system LNN of two hidden
# units (W₁ column-major [0, 1, 1, 0], b₁ = [30, 0], w₂ = [1, 1]), so M = σ″(q̇ + 30) ≈ 1e-13…1e-16,
# C = 0 and q̈ = σ′(q) / σ″(q̇ + 30) exactly.
PROBE_PARAMS = [0.0, 1.0, 1.0, 0.0, 30.0, 0.0, 1.0, 1.0, 0.0]
PROBE_STATES = [[0.1, 0.0], [0.3, 0.37], [-0.2, 1.3], [0.5, 2.9], [0.0, 4.1], [1.0, 5.5]]


def test_the_stable_softplus_is_right_where_s_times_one_minus_s_is_not(tmp_path):
    """q̈ of the saturated probe against 50-digit arithmetic: JAX and ``lnn`` within 1e-12,
    while σ″ = s(1 − s) (lnn-core's f64 path until 2026-12-07, in JAX here) misses by more than
    1e-4: why both take s·c (and how the old formula put 8e-9 into the first shipped
    relativistic LNN's q̈)."""
    from lnn_web import weights

    getcontext().prec = 50
    f = weights.WeightsFile(
        format="lnn-web-weights", version=1, model="lnn", system="harmonic", coordinates="velocity",
        hidden=[2], activation="softplus", wrap=[False, False], scale=[1.0, 1.0], solver="pinv:1e-12",
        step=0, seed=0, made_by="probe", params=PROBE_PARAMS,
    )
    path = tmp_path / "probe.json"
    weights.write(str(path), f)
    sig = lambda x: 1 / (1 + (-x).exp())
    exact = np.array([float(sig(Decimal(q)) / (sig(Decimal(v) + 30) * (1 - sig(Decimal(v) + 30)))) for q, v in PROBE_STATES])
    rel = lambda got: np.max(np.abs(np.asarray(got).reshape(-1) - exact) / np.abs(exact))
    model, _ = models.load(str(path))
    rust = json.loads(run_lnn("predict", "--model", path, "--states", write_states(tmp_path / "s.json", PROBE_STATES)).stdout)

    def old_derivatives(x):
        e, s, _ = activations._sigmoid_pair(x)
        d = s * (1.0 - s)
        return jax.numpy.maximum(x, 0.0) + jax.numpy.log1p(e), s, d, d * (1.0 - 2.0 * s)

    old = models.Model(model.spec)
    old.act = activations.make(old_derivatives)
    states = np.array(PROBE_STATES)
    errs = {"jax": rel(model.predict(states)), "lnn": rel(rust), "s(1 − s)": rel(old.predict(states))}
    print("saturated probe against 50 digits: " + ", ".join(f"{k} {v:.1e}" for k, v in errs.items()))
    assert errs["jax"] <= 1e-12 and errs["lnn"] <= 1e-12
    assert errs["s(1 − s)"] > 1e-4


def test_typed_and_observed_models_agree_and_round_trip(tmp_path):
    """A model of a typed Lagrangian (with a conditioning input) and one learned from observed
    trajectories, both from ``lnn train``: loaded, predicted to 1e-10, written back byte for
    byte (their ``custom`` and ``observed`` records included)."""
    from lnn_web import weights

    custom, observed = tmp_path / "custom.json", tmp_path / "observed.json"
    run_lnn("train", "--lagrangian", "(1 - q_dot^2)^(-1/2) - 1 + q*g", "--coordinates", "q", "--conditioning", "g",
            "--ranges=-1:1,-0.9:0.9,-2:2", "--hidden", "8,8", "--steps", "20", "--quiet", "--out", custom)
    data = tmp_path / "obs.csv"
    data.write_text(run_lnn("observe", "--system", "double-pendulum", "--trajectories", "5", "--duration", "2", "--dt", "0.05").stdout)
    run_lnn("train", "--data", data, "--hidden", "8,8", "--steps", "20", "--quiet", "--out", observed)
    rng = np.random.default_rng(7)
    for path, states in [(custom, rng.uniform(-0.9, 0.9, size=(20, 3))), (observed, rng.uniform(-3, 3, size=(20, 4)))]:
        text = path.read_text()
        assert weights.WeightsFile.from_text(text).to_text() == text
        model, file = models.load(str(path))
        assert file.system in ("custom", "observed") and model.spec.state_len() == states.shape[1]
        rust = json.loads(run_lnn("predict", "--model", path, "--states", write_states(tmp_path / "s.json", states)).stdout)
        assert np.max(relative_errors(model.predict(states), rust)) <= TOLERANCE


@pytest.mark.parametrize("solver", ["pinv:0.3", "ridge:1e-2", "damped:1e-2"])
def test_every_solver_agrees_with_lnn_predict(solver, tmp_path):
    """Double-pendulum LNNs from ``lnn train --solver S`` (20 steps of a fresh 8×8 network,
    whose M is often far from definite): pinv with a cutoff of 0.3 that drops M's smaller
    eigenvalue on part of the states, a ridge, a damped solve."""
    path = tmp_path / "m.json"
    run_lnn("train", "--solver", solver, "--hidden", "8,8", "--steps", "20", "--quiet", "--out", path)
    model, file = models.load(str(path))
    assert file.solver == {"pinv:0.3": "pinv:3e-1"}.get(solver, solver), "written in Rust's {:e} form"
    states = states_for(model, file)
    rust = json.loads(run_lnn("predict", "--model", path, "--states", write_states(tmp_path / "s.json", states)).stdout)
    err = relative_errors(model.predict(states), rust)
    print(f"{solver}: worst relative error {err.max():.1e}")
    assert err.max() <= TOLERANCE
    if solver.startswith("pinv"):
        masses = jax.jit(jax.vmap(lambda x: model.lnn_terms(jax.numpy.asarray(model.spec.params), x)[2]))(states)
        lam = np.sort(np.abs(np.linalg.eigvalsh(np.asarray(masses))), axis=1)
        assert np.any(lam[:, 0] <= 0.3 * lam[:, 1]), "the cutoff drops an eigenvalue somewhere"
