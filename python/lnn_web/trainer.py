"""The training loop behind ``python -m lnn_web.train``: data, the sharded loss and gradient,
clipping, AdamW with the schedule, skipped steps, the weights file.

Kept apart from the command line so a test or a notebook can run steps directly.
"""

from __future__ import annotations

import math
import time

import jax
import jax.numpy as jnp
import numpy as np
import optax
from jax.sharding import Mesh, NamedSharding
from jax.sharding import PartitionSpec as P

from . import losses, mlp, weights
from .models import Model
from .normalise import Normalisation
from .solvers import Solver
from .systems import TrueSystem

TEST_SEED = 0x07E575E7
#: Mixed into the seed for the training data (the Rust's ``seed ^ 0xDA7A5EED``), so the data
#: stream is not the initial weights' stream.
DATA_SALT = 0xDA7A5EED
#: The scale of the relativistic canonical HNN's linear p feature beside asinh(p)/4 (the
#: Rust's ``train::data::LINEAR_P``, chosen by measurement: docs/reproduction.md).
LINEAR_P = 1e-2


def default_solver(system: str, model: str) -> Solver:
    """The Rust's ``train::default_solver``: damped ε = 1e-4 for the relativistic LNN (its g
    changes sign across the data and a fresh M's sign varies over the states: through the exact
    solve every sign change is a pole), else the pseudo-inverse."""
    if system == "relativistic" and model == "lnn":
        return Solver("damped", 1e-4)
    return Solver()


def default_normalisation(system: TrueSystem, model: str, coordinates: str) -> Normalisation:
    """The Rust's ``train::data::default_normalisation``: angles wrapped, the paper's scales."""
    if system.name == "wave" and model == "graph-lnn":
        dx = 1.0 / system.dof
        return Normalisation((False,) * 6, (False,) * 6, (False,) * 6, (0.3 / dx,) * 3 + (1.0 / math.pi,) * 3)
    n = system.state_len
    wrap, asinh, scale, linear, atanh = [False] * n, [False] * n, [1.0] * n, [0.0] * n, [False] * n
    if system.name == "double-pendulum":
        wrap[0] = wrap[1] = True
    elif system.name == "relativistic":
        scale[0] = scale[2] = 0.1
        if coordinates == "canonical":
            # asinh(p)/4 with 0.01·p beside it (the Rust's data::LINEAR_P).
            asinh[1], scale[1], linear[1] = True, 0.25, LINEAR_P
        elif model == "lnn":
            # atanh(q̇): the chain rule brings M's γ⁴ (the Rust's `Normalisation::atanh`).
            atanh[1] = True
    return Normalisation(tuple(wrap), tuple(asinh), (False,) * n, tuple(scale), tuple(linear), tuple(atanh))


def schedule_rate(kind: str, lr: float, t, total: int):
    """The Rust's ``Schedule::rate`` at (0-based) step t of ``total`` (jnp-traceable in t):
    constant; step: ×0.1 at each third; onecycle: cosine from lr/25 up to lr over 30 %, then
    cosine down to lr/1e4."""
    total = max(total, 1)
    t = jnp.minimum(t, total)
    if kind == "constant":
        return jnp.asarray(lr, dtype=jnp.float64)
    if kind == "step":
        k = (3 * jnp.minimum(t, total - 1)) // total
        return lr * jnp.power(0.1, k.astype(jnp.float64))
    frac = t.astype(jnp.float64) / total

    def ramp(a, b, x):
        return b + (a - b) * 0.5 * (1.0 + jnp.cos(math.pi * x))

    return jnp.where(frac < 0.3, ramp(lr / 25.0, lr, frac / 0.3), ramp(lr, lr / 1e4, (frac - 0.3) / 0.7))


def sharded_objective(model: Model, loss: str, definiteness: float, mesh: Mesh, weighted: bool = False, mapped: bool = False):
    """f(params, states, targets) -> the batch's training loss (``losses.objective``), with
    the batch split along ``mesh``'s axis ``batch``: each device sums its own samples' loss
    components and penalties, a ``psum`` adds the shards, and the sums are divided by the
    global counts. Differentiable: JAX transposes the ``psum`` of the replicated parameters'
    use into the sum of the devices' gradients. ``weighted``: f(params, states, targets, w,
    qmap), the γ-weighted loss (the shards' Σ w·ℓ and Σ w added); ``mapped``: qmap carries a
    canonical HNN's M⁻¹ (else it is ignored)."""
    sums = losses.batch_sums(model, loss, definiteness, weighted=True)
    per = losses.components(model)
    signs = losses.uses_sign_change(model, definiteness)
    shards = mesh.shape["batch"]

    def shard_sums(params, states, targets, w, qmap):
        l, p, m, total_w = sums(params, states, targets, w, qmap if mapped else None)
        # Every shard's M₁₁ in its place of the batch, for the sign-change penalty's batch-wide
        # min and max: a psum of zero-padded slices (replicated, as out_specs P() needs; an
        # all_gather's result would count as varying across the devices).
        k = m.shape[0]
        placed = jax.lax.dynamic_update_slice(jnp.zeros(k * shards, m.dtype), m, (jax.lax.axis_index("batch") * k,))
        psum = lambda v: jax.lax.psum(v, "batch")
        return psum(l), psum(p), psum(placed), psum(total_w)

    sharded = jax.shard_map(
        shard_sums,
        mesh=mesh,
        in_specs=(P(), P("batch"), P("batch"), P("batch"), P("batch")),
        out_specs=(P(), P(), P(), P()),
    )

    def objective(params, states, targets, w=None, qmap=None):
        samples = states.shape[0]
        # Unweighted: every w_s = 1, and the mean divides by S itself (the plain mean's bits).
        w = jnp.ones(samples, states.dtype) if w is None else w
        qmap = jnp.zeros((samples, 1, 1), states.dtype) if qmap is None else qmap
        l, p, m, total_w = sharded(params, states, targets, w, qmap)
        total = l / ((total_w if weighted else samples) * per) + definiteness * p / samples
        return total + definiteness * losses.sign_change(m) if signs else total

    return objective


class Trainer:
    """Owns the parameters, Adam's state, the data stream and the compiled sharded step."""

    def __init__(self, model: Model, system: TrueSystem, s, devices):
        self.model, self.system, self.s = model, system, s
        self.mesh = Mesh(np.array(devices), ("batch",))
        self.replicated = NamedSharding(self.mesh, P())
        self.split = NamedSharding(self.mesh, P("batch"))
        self.data_rng = np.random.Generator(np.random.PCG64(s.seed ^ DATA_SALT))
        params = mlp.initial_params(model.sizes, s.init, s.seed)
        self.params = jax.device_put(jnp.asarray(params), self.replicated)
        self.optimizer = optax.adamw(
            lambda t: schedule_rate(s.schedule, s.lr, t, s.steps),
            b1=0.9, b2=0.999, eps=1e-8, weight_decay=s.weight_decay,
        )
        self.opt_state = jax.device_put(self.optimizer.init(self.params), self.replicated)
        # The γ-weighting (`--weighting gamma`): each sample's loss weighted by 1 + 1/√(1 − q̇²),
        # a canonical HNN's ṗ judged as q̈ through the true M⁻¹, as the Rust's.
        self.weighted = s.weighting == "gamma"
        self.mapped = self.weighted and model.kind == "hnn" and model.spec.coordinates == "canonical"
        self._step = self._compile_step()
        test_states, test_targets = system.dataset(s.test_size, np.random.Generator(np.random.PCG64(TEST_SEED)), model.spec.coordinates)
        self.test_states, self.test_targets = jnp.asarray(test_states), jnp.asarray(test_targets)
        self.test_weights = self._weights(test_states, test_targets)
        self._evaluate = losses.evaluator(model, s.loss, weighted=self.weighted)
        self.applied = 0
        self.skipped = 0
        self.first_step_seconds = math.nan
        self._timed_steps = 0
        self._timed_seconds = 0.0
        self._data_seconds = 0.0

    def _compile_step(self):
        """The jitted step: the sharded objective's value and gradient, clip, AdamW, and the
        update kept only if the loss and the gradient norm are finite."""
        s = self.s
        definiteness = s.definiteness if self.model.kind == "lnn" else 0.0
        objective = sharded_objective(self.model, s.loss, definiteness, self.mesh, self.weighted, self.mapped)

        def step(params, opt_state, states, targets, w, qmap):
            loss, grad = jax.value_and_grad(objective)(params, states, targets, w, qmap)
            norm = jnp.sqrt(jnp.sum(grad * grad))
            if s.clip is not None:
                grad = jnp.where(norm > s.clip, grad * (s.clip / norm), grad)
            updates, new_state = self.optimizer.update(grad, opt_state, params)
            ok = jnp.isfinite(loss) & jnp.isfinite(norm)
            new_params = jnp.where(ok, optax.apply_updates(params, updates), params)
            new_state = jax.tree.map(lambda a, b: jnp.where(ok, a, b), new_state, opt_state)
            return new_params, new_state, loss, ok

        return jax.jit(
            step,
            in_shardings=(self.replicated, self.replicated, self.split, self.split, self.split, self.split),
            out_shardings=(self.replicated, self.replicated, self.replicated, self.replicated),
            donate_argnums=(0, 1),
        )

    def _weights(self, states, targets):
        """(w, qmap) of samples: the γ-weights and a canonical HNN's true M⁻¹ when weighted;
        else ones and a placeholder (the objective ignores both)."""
        states, targets = np.asarray(states), np.asarray(targets)
        count = states.shape[0]
        w = losses.gamma_weights(self.system, targets) if self.weighted else np.ones(count)
        qmap = losses.canonical_map(self.system, states, targets) if self.mapped else np.zeros((count, 1, 1))
        return w, qmap

    def batch(self):
        """The next global batch (the same on every process) with its weights, as arrays
        sharded along ``batch``: each process supplies only its own devices' rows."""
        states, targets = self.system.dataset(self.s.batch, self.data_rng, self.model.spec.coordinates)
        states, targets = np.asarray(states), np.asarray(targets)
        w, qmap = self._weights(states, targets)
        put = lambda a: jax.make_array_from_callback(a.shape, self.split, lambda idx: a[idx])
        return put(states), put(targets), put(w), put(qmap)

    def step(self) -> tuple[float, bool]:
        """One step: (training loss of the batch, whether it was applied)."""
        t_data = time.perf_counter()
        states, targets, w, qmap = self.batch()
        t0 = time.perf_counter()
        self.params, self.opt_state, loss, ok = self._step(self.params, self.opt_state, states, targets, w, qmap)
        loss, ok = float(loss), bool(ok)
        dt = time.perf_counter() - t0
        if math.isnan(self.first_step_seconds):
            self.first_step_seconds = dt
        else:
            self._timed_steps += 1
            self._timed_seconds += dt
            self._data_seconds += t0 - t_data
        if ok:
            self.applied += 1
        else:
            self.skipped += 1
        return loss, ok

    def ms_per_step(self) -> float:
        """Mean wall time of the compiled step after the first (compiling) one, in ms, data
        generation excluded."""
        return 1e3 * self._timed_seconds / self._timed_steps if self._timed_steps else math.nan

    def ms_data_per_step(self) -> float:
        """Mean wall time of drawing and placing one batch (after the first step), in ms."""
        return 1e3 * self._data_seconds / self._timed_steps if self._timed_steps else math.nan

    def rate(self, step: int) -> float:
        """The learning rate the schedule gives at ``step``."""
        return float(schedule_rate(self.s.schedule, self.s.lr, jnp.asarray(step), self.s.steps))

    def host_params(self) -> np.ndarray:
        """The parameters on the host (every process holds them all: they are replicated)."""
        return np.asarray(jax.device_get(self.params.addressable_data(0)))

    def test_loss(self) -> float:
        """The loss on the fixed held-out set (seed TEST_SEED, ``--test-size`` states)."""
        w, qmap = self.test_weights
        if not self.weighted:
            return self._evaluate(jnp.asarray(self.host_params()), self.test_states, self.test_targets)
        return self._evaluate(
            jnp.asarray(self.host_params()), self.test_states, self.test_targets, jnp.asarray(w), jnp.asarray(qmap) if self.mapped else None
        )

    def weights_file(self, made_by: str) -> weights.WeightsFile:
        """The weights file of the current parameters, as the Rust's ``WeightsFile::new``."""
        spec, s = self.model.spec, self.s
        norm = spec.norm
        return weights.WeightsFile(
            format=weights.FORMAT, version=weights.VERSION, model=spec.kind, system=spec.system,
            grid=spec.dof if spec.system == "wave" else None,
            dof=spec.dof, conditioning=spec.conditioning, coordinates=spec.coordinates,
            hidden=list(spec.hidden), activation=spec.activation,
            wrap=list(norm.wrap), asinh=list(norm.asinh) if any(norm.asinh) else [],
            circle=list(norm.circle) if any(norm.circle) else [],
            scale=list(norm.scale),
            linear=list(norm.linear) if any(v != 0.0 for v in norm.linear) else [],
            atanh=list(norm.atanh) if any(norm.atanh) else [],
            solver=spec.solver.name() if spec.kind == "lnn" else "",
            definiteness=spec.definiteness if spec.kind == "lnn" else None,
            precision=None, weighting="gamma" if self.weighted else None, step=self.applied, seed=s.seed, made_by=made_by,
            params=[float(p) for p in self.host_params()],
        )
