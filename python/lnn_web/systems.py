"""The true systems (the Rust ``systems`` and ``train::data``): each as its analytic Lagrangian
(energy E = q̇·∂L/∂q̇ − L and the engine's accelerations come from it by autodiff) and as its
hand-derived closed form, with the training distribution of its states.

==================  ====  ===  ===========================================================
system              n     k    training states (uniform unless said)
==================  ====  ===  ===========================================================
double-pendulum     2     0    θ₁, θ₂ ∈ [0, 2π), ω₁, ω₂ ∈ [−10, 10]
relativistic        1     1    q ∈ [−10, 10], q̇ = 0.99999·tanh(2·N(0,1)), g = 10·N(0,1)
harmonic            1     0    q, q̇ ∈ [−2, 2]
free-fall           2     0    x, y, ẋ, ẏ ∈ [−5, 5]
charged-particle    2     0    x, y, ẋ, ẏ ∈ [−2, 2]
wave (grid N)       N     0    every Fourier mode m ≤ N/2 of φ and φ̇, amplitudes N(0,1)·0.5/m²
                               (φ̇'s times 2πmc/(N·dx))
==================  ====  ===  ===========================================================

Typed (``custom``) and ``observed`` systems are not here: a model of them can be evaluated from
its weights file, but their truth is the Rust's expression parser or data (refused with a
message). Random streams are NumPy's (PCG64), not the Rust's: the same distributions, other
draws.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable

import jax
import jax.numpy as jnp
import numpy as np

from .errors import LnnError, invalid, unknown
from .solvers import Solver

NAMES = "double-pendulum, relativistic, wave, free-fall, harmonic, charged-particle"
#: The paper's scale for the double pendulum's energy errors, (m₁+m₂)g l₁ + m₂ g l₂.
DOUBLE_PENDULUM_ENERGY_SCALE = 29.4


@dataclass(frozen=True)
class TrueSystem:
    """One true system: L(q, q̇, c) in JAX, its closed-form q̈, its state sampler."""

    name: str
    dof: int
    conditioning: int
    lagrangian: Callable  # (q, qd, c) -> scalar
    closed_form_fn: Callable  # (x) -> q̈
    sampler: Callable  # (rng: np.random.Generator, count) -> (count, 2n + k)
    grid: int | None = None

    @property
    def state_len(self) -> int:
        """2n + k."""
        return 2 * self.dof + self.conditioning

    # ---- one state, differentiable ---------------------------------------------------------

    def terms(self, x):
        """(∂L/∂q, ∂L/∂q̇, M, C, L) of the analytic Lagrangian at x, by autodiff."""
        n = self.dof
        c = x[2 * n :]

        def lag(z):
            return self.lagrangian(z[:n], z[n:], c)

        z = x[: 2 * n]
        value, grad = jax.value_and_grad(lag)(z)
        hess = jax.jacfwd(jax.grad(lag))(z)
        m = jnp.triu(hess[n:, n:]) + jnp.triu(hess[n:, n:], 1).T
        return grad[:n], grad[n:], m, hess[n:, :n], value

    def engine_accelerations(self, x, solver: Solver = Solver()):
        """q̈ = M⁺(∂L/∂q − C q̇) from L (what ``lnn predict --system`` prints)."""
        dl_dq, _, m, c, _ = self.terms(x)
        return solver.solve(m, dl_dq - c @ x[self.dof : 2 * self.dof])

    def closed_form(self, x):
        """The hand-derived q̈ (what training targets are made of)."""
        return self.closed_form_fn(x)

    def energy(self, x):
        """E = q̇·∂L/∂q̇ − L."""
        _, dl_dqd, _, _, value = self.terms(x)
        return jnp.dot(x[self.dof : 2 * self.dof], dl_dqd) - value

    def momentum(self, x):
        """p = ∂L/∂q̇ (the canonical momentum) and ṗ = ∂L/∂q (its rate along the true flow)."""
        dl_dq, dl_dqd, _, _, _ = self.terms(x)
        return dl_dqd, dl_dq

    # ---- on the host -------------------------------------------------------------------------

    def validate_state(self, x) -> None:
        """The Rust's ``System::validate_state``: length, finiteness, the system's domain."""
        if len(x) != self.state_len:
            raise LnnError(
                f"state has {len(x)} numbers but this system needs {self.state_len} ([q..., q̇..., c...])"
            )
        if not all(math.isfinite(v) for v in x):
            raise LnnError("non-finite number (NaN or ±inf) in the state")
        if self.name == "relativistic" and abs(x[1]) >= 1.0:
            raise invalid("init", "the relativistic particle needs |q̇| < 1 (c = 1)")

    def predict_one(self, x) -> tuple[np.ndarray, float]:
        """(q̈ from the engine, E) at one state, as ``lnn predict --system`` prints them."""
        self.validate_state(x)
        acc, energy = _predict_fn(self)(jnp.asarray(x, dtype=jnp.float64))
        acc, energy = np.asarray(acc), float(energy)
        if not (np.all(np.isfinite(acc)) and math.isfinite(energy)):
            raise LnnError("non-finite number (NaN or ±inf) in the accelerations")
        return acc, energy

    def sample_states(self, count: int, rng: np.random.Generator) -> np.ndarray:
        """``count`` states of the training distribution, shape (count, 2n + k)."""
        return np.asarray(self.sampler(rng, count), dtype=np.float64).reshape(count, self.state_len)

    def dataset(self, count: int, rng: np.random.Generator, coordinates: str = "velocity"):
        """(states, targets) as the Rust's ``train::data::sample``: targets are the full 2n
        time derivatives from the closed form, (q̇, q̈); in canonical coordinates the states
        are [q, p, c] with p = ∂L/∂q̇ and the targets (q̇, ṗ = ∂L/∂q)."""
        states = self.sample_states(count, rng)
        return _dataset_fn(self, coordinates)(jnp.asarray(states))


_PREDICT_CACHE: dict = {}
_DATASET_CACHE: dict = {}


def _predict_fn(system: TrueSystem):
    key = (system.name, system.grid)
    if key not in _PREDICT_CACHE:
        _PREDICT_CACHE[key] = jax.jit(lambda x: (system.engine_accelerations(x), system.energy(x)))
    return _PREDICT_CACHE[key]


def _dataset_fn(system: TrueSystem, coordinates: str):
    key = (system.name, system.grid, coordinates)
    if key not in _DATASET_CACHE:
        n = system.dof

        def one(x):
            if coordinates == "canonical":
                p, pdot = system.momentum(x)
                state = jnp.concatenate([x[:n], p, x[2 * n :]])
                return state, jnp.concatenate([x[n : 2 * n], pdot])
            return x, jnp.concatenate([x[n : 2 * n], system.closed_form(x)])

        _DATASET_CACHE[key] = jax.jit(jax.vmap(one))
    return _DATASET_CACHE[key]


# ---- the systems -------------------------------------------------------------------------


def _double_pendulum(m1=1.0, m2=1.0, l1=1.0, l2=1.0, g=9.8) -> TrueSystem:
    """The paper's double pendulum, angles from the downward vertical."""

    def lagrangian(q, v, c):
        w1, w2 = v[0], v[1]
        t1 = (w1 * l1) ** 2 * (0.5 * m1)
        t2 = ((w1 * l1) ** 2 + (w2 * l2) ** 2 + w1 * w2 * jnp.cos(q[0] - q[1]) * (2.0 * l1 * l2)) * (0.5 * m2)
        y1 = -(jnp.cos(q[0]) * l1)
        y2 = y1 - jnp.cos(q[1]) * l2
        return t1 + t2 - (y1 * (m1 * g) + y2 * (m2 * g))

    def closed_form(x):
        t1, t2, w1, w2 = x[0], x[1], x[2], x[3]
        s, c = jnp.sin(t1 - t2), jnp.cos(t1 - t2)
        a1 = (l2 / l1) * (m2 / (m1 + m2)) * c
        a2 = (l1 / l2) * c
        f1 = -(l2 / l1) * (m2 / (m1 + m2)) * w2 * w2 * s - (g / l1) * jnp.sin(t1)
        f2 = (l1 / l2) * w1 * w1 * s - (g / l2) * jnp.sin(t2)
        return jnp.stack([(f1 - a1 * f2) / (1.0 - a1 * a2), (f2 - a2 * f1) / (1.0 - a1 * a2)])

    def sample(r, count):
        theta = r.uniform(0.0, 2.0 * math.pi, size=(count, 2))
        omega = r.uniform(-10.0, 10.0, size=(count, 2))
        return np.concatenate([theta, omega], axis=1)

    return TrueSystem("double-pendulum", 2, 0, lagrangian, closed_form, sample)


def _relativistic() -> TrueSystem:
    """The paper's relativistic particle: L = (1 − q̇²)^(−1/2) − 1 + g q, state [q, q̇, g]."""

    def lagrangian(q, v, c):
        return (1.0 - v[0] * v[0]) ** -0.5 - 1.0 + q[0] * c[0]

    def closed_form(x):
        v, g = x[1], x[2]
        return jnp.stack([g * (1.0 - v * v) ** 2.5 / (1.0 + 2.0 * v * v)])

    def sample(r, count):
        q = r.uniform(-10.0, 10.0, size=count)
        v = 0.99999 * np.tanh(2.0 * r.standard_normal(count))
        g = 10.0 * r.standard_normal(count)
        return np.stack([q, v, g], axis=1)

    return TrueSystem("relativistic", 1, 1, lagrangian, closed_form, sample)


def _harmonic(m=1.0, k=1.0) -> TrueSystem:
    """L = ½ m q̇² − ½ k q²."""

    def lagrangian(q, v, c):
        return v[0] * v[0] * (0.5 * m) - q[0] * q[0] * (0.5 * k)

    return TrueSystem(
        "harmonic", 1, 0, lagrangian, lambda x: jnp.stack([-k / m * x[0]]),
        lambda r, count: r.uniform(-2.0, 2.0, size=(count, 2)),
    )


def _free_fall(m=1.0, g=9.8) -> TrueSystem:
    """L = ½ m (q̇₁² + q̇₂²) − m g q₁ (q₁ up): q̈ = (−g, 0)."""

    def lagrangian(q, v, c):
        return (v[0] * v[0] + v[1] * v[1]) * (0.5 * m) - q[0] * (m * g)

    return TrueSystem(
        "free-fall", 2, 0, lagrangian, lambda x: jnp.zeros(2, x.dtype).at[0].set(-g),
        lambda r, count: r.uniform(-5.0, 5.0, size=(count, 4)),
    )


def _charged_particle(m=1.0, qb=1.0) -> TrueSystem:
    """L = ½ m (ẋ² + ẏ²) + ½ qB (x ẏ − y ẋ): ẍ = (qB/m) ẏ, ÿ = −(qB/m) ẋ."""

    def lagrangian(q, v, c):
        return (v[0] * v[0] + v[1] * v[1]) * (0.5 * m) + (q[0] * v[1] - q[1] * v[0]) * (0.5 * qb)

    w = qb / m
    return TrueSystem(
        "charged-particle", 2, 0, lagrangian, lambda x: jnp.stack([w * x[3], -w * x[2]]),
        lambda r, count: r.uniform(-2.0, 2.0, size=(count, 4)),
    )


def _wave(n: int, c: float = 1.0) -> TrueSystem:
    """The wave on a periodic grid of n points, dx = 1/n: L = Σ_i dx[½φ̇_i² − ½c²((φ_{i+1} − φ_i)/dx)²],
    φ̈_i = c²(φ_{i+1} − 2φ_i + φ_{i−1})/dx²."""
    dx = 1.0 / n

    def lagrangian(phi, phid, cond):
        grad = (jnp.roll(phi, -1) - phi) / dx
        return jnp.sum((phid * phid - grad * grad * (c * c)) * (0.5 * dx))

    k = c * c / (dx * dx)

    def closed_form(x):
        phi = x[:n]
        return k * (jnp.roll(phi, -1) - 2.0 * phi + jnp.roll(phi, 1))

    def sample(r, count):
        return np.stack([random_wave(n, dx, c, r) for _ in range(count)])

    return TrueSystem("wave", n, 0, lagrangian, closed_form, sample, grid=n)


def random_wave(n: int, dx: float, c: float, r: np.random.Generator) -> np.ndarray:
    """A random periodic wave [φ, φ̇] (the Rust's ``random_wave``): every Fourier mode m ≤ N/2,
    φ = Σ a sin + b cos and φ̇ = Σ c sin + d cos with amplitudes 0.5/m² (φ̇'s times 2πmc/(N dx)),
    a, b, c, d ~ N(0, 1) drawn in that order per mode. Why every mode: a density never shown
    grid-scale waves learns nothing of their stiffness, and its rollouts blow up from there."""
    length = n * dx
    i = np.arange(n)
    x = np.zeros(2 * n)
    for m in range(1, n // 2 + 1):
        kappa = 2.0 * math.pi * m / length
        amp = 0.5 / (m * m)
        a, b = amp * r.standard_normal(), amp * r.standard_normal()
        cc, d = amp * kappa * c * r.standard_normal(), amp * kappa * c * r.standard_normal()
        phase = 2.0 * math.pi * ((m * i) % n) / n
        s, co = np.sin(phase), np.cos(phase)
        x[:n] += a * s + b * co
        x[n:] += cc * s + d * co
    return x


def by_name(name: str, grid: int | None = None) -> TrueSystem:
    """The true system ``name`` (``--grid`` only for the wave; default 100 points)."""
    if name in ("custom", "observed"):
        raise LnnError(
            f"the {name} system's truth is not available in Python (a typed Lagrangian needs the Rust "
            "expression parser, an observed one is only its data); its models load and predict, "
            "and the Rust `lnn` handles its truth"
        )
    if grid is not None and name != "wave":
        raise LnnError("--grid: only the wave system has a grid")
    if name == "wave":
        n = 100 if grid is None else grid
        if n < 3:
            raise invalid("grid", "a periodic grid needs at least 3 points")
        return _wave(n)
    makers = {
        "double-pendulum": _double_pendulum,
        "relativistic": _relativistic,
        "harmonic": _harmonic,
        "free-fall": _free_fall,
        "charged-particle": _charged_particle,
    }
    if name not in makers:
        raise unknown("system", name, NAMES)
    return makers[name]()
