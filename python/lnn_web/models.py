"""The four model kinds of a weights file, as pure JAX functions of (parameters, state).

Every derivative is JAX autodiff of the network L (or H) through the input map and the
activations' exact derivative chains (``activations``); the equations are those of the Rust
``models`` module:

* **lnn**: L(q, q̇, c) = MLP(map([q, q̇, c])). With g = ∂L/∂q, M = ∂²L/∂q̇∂q̇ (taken from its upper
  triangle, symmetric as the Rust stores it) and C_ij = ∂²L/∂q̇_i∂q_j,
  q̈ = solve(M, g − C q̇) by the file's solver (the paper's Appendix A:
  q̈ = (∇q̇∇q̇ᵀL)⁻¹[∇qL − (∇q∇q̇ᵀL)q̇]). Learned energy E = q̇·∂L/∂q̇ − L.
* **baseline**: q̈ = MLP(map([q, q̇, c])) (n outputs). No energy.
* **hnn**: H(q, p, c) = MLP(map([q, p, c])), (q̇, ṗ) = (∂H/∂p, −∂H/∂q) in the file's coordinates
  (p is q̇ itself for ``velocity``). Learned energy H.
* **graph-lnn** (the wave): one density ℓ = MLP(map(φ_{i−1}, φ_i, φ_{i+1}, φ̇_{i−1}, φ̇_i, φ̇_{i+1}))
  shared by the N points of a periodic grid, L = dx Σ_i ℓ_i. Each density's gradient and the
  φ̇ rows of its 6×6 Hessian are scattered into ∂L/∂φ, M and C (N×N, cyclic pentadiagonal), and
  M φ̈ = ∂L/∂φ − C φ̇ is solved densely (the Rust solves the band in O(N); the same system).

A state is one vector [q (n), q̇ or p (n), c (k)]; the time derivatives are 2n numbers
(q̇, q̈) or (q̇, ṗ).
"""

from __future__ import annotations

from functools import partial

import jax
import jax.numpy as jnp
import numpy as np

from . import activations, mlp
from .errors import LnnError
from .weights import MEMORY_BUDGET, Spec

#: Network rows per evaluation chunk of :meth:`Model.predict` (a graph state is N rows): bounds
#: the memory of one pass.
CHUNK = 4096


class Model:
    """A model built from a checked :class:`~lnn_web.weights.Spec`. The methods taking
    ``params`` are pure and jit/vmap/grad-able; the parameters live outside (``spec.params`` for
    a loaded file, the optimiser's for training)."""

    def __init__(self, spec: Spec):
        self.spec = spec
        self.kind = spec.kind
        self.n = spec.dof
        self.k = spec.conditioning
        self.sizes = spec.sizes()
        self.act = activations.by_name(spec.activation)
        if self.kind == "graph-lnn":
            n = self.n
            # A dense N×N solve per state (the Rust's is banded): sized before it is built.
            if n * n * 8 * 4 > MEMORY_BUDGET:
                raise LnnError(
                    f"invalid `grid`: the dense solve of a grid of {n} points needs {n * n * 32 / 2**30:.1f} GiB; "
                    "the JAX graph model handles grids up to about 11,000 points"
                )
            self.sites = np.array([[(i + n + a - 1) % n for a in range(3)] for i in range(n)])
        self._predict = jax.jit(jax.vmap(self.outputs, in_axes=(None, 0)))
        self._energy = jax.jit(jax.vmap(self.learned_energy, in_axes=(None, 0)))

    # ---- the network --------------------------------------------------------------------

    def network(self, params, state):
        """The network's outputs at one (unmapped) input ``state`` of :meth:`Spec.state_inputs`."""
        return mlp.forward(params, self.sizes, self.act, self.spec.norm.apply(state))

    def scalar(self, params, state):
        """L (lnn, one graph density) or H (hnn) at ``state``."""
        return self.network(params, state)[0]

    # ---- time derivatives -----------------------------------------------------------------

    def lnn_terms(self, params, x):
        """(∂L/∂q, ∂L/∂q̇, M, C, L) at state x of a dense Lagrangian model.

        Only the Hessian rows the Euler–Lagrange equation needs: the Jacobian (forward mode, 2n
        directions) of the reverse-mode ∂L/∂q̇, whose columns are C (along q) and M (along q̇).
        Measured 2× faster than the full ``jacfwd(grad)`` Hessian in a training step (2×64,
        batch 512), with the same bits."""
        n = self.n
        c = x[2 * n :]
        z = x[: 2 * n]

        def lag(z):
            return self.scalar(params, jnp.concatenate([z, c]))

        def dl_dqdot(z):
            return jax.grad(lambda v: lag(jnp.concatenate([z[:n], v])))(z[n:])

        value, grad = jax.value_and_grad(lag)(z)
        rows = jax.jacfwd(dl_dqdot)(z)  # (n, 2n): [C | M]
        return grad[:n], grad[n:], _symmetric_from_upper(rows[:, n:]), rows[:, :n], value

    def lnn_accelerations(self, params, x):
        """(q̈, M) of the LNN at state x."""
        n = self.n
        dl_dq, _, m, c, _ = self.lnn_terms(params, x)
        qd = x[n : 2 * n]
        r = dl_dq
        for j in range(n):  # r_i = ∂L/∂q_i − Σ_j C_ij q̇_j, term by term as the Rust
            r = r - c[:, j] * qd[j]
        return self.spec.solver.solve(m, r), m

    def graph_terms(self, params, x):
        """(∂L/∂φ, ∂L/∂φ̇, M, C, L) of the graph model at state x = [φ, φ̇], all N-sized."""
        n, dx, sites = self.n, self.spec.grid_spacing, self.sites
        phi, phid = x[:n], x[n:]
        raw = jnp.concatenate([phi[sites], phid[sites]], axis=1)  # (N, 6)
        density = partial(self.scalar, params)
        values, grads = jax.vmap(jax.value_and_grad(density))(raw)

        def dl_dphidot(u):
            return jax.grad(lambda v: density(jnp.concatenate([u[:3], v])))(u[3:])

        local = jax.vmap(jax.jacfwd(dl_dphidot))(raw)  # (N, 3, 6): the φ̇ rows of each Hessian
        local_m = jax.vmap(_symmetric_from_upper)(local[:, :, 3:])
        rows, cols = sites[:, :, None], sites[:, None, :]
        zeros = jnp.zeros((n, n), dtype=x.dtype)
        m = zeros.at[rows, cols].add(dx * local_m)
        c = zeros.at[rows, cols].add(dx * local[:, :, :3])
        dl_dphi = jnp.zeros(n, dtype=x.dtype).at[sites].add(dx * grads[:, :3])
        dl_dphid = jnp.zeros(n, dtype=x.dtype).at[sites].add(dx * grads[:, 3:])
        return dl_dphi, dl_dphid, m, c, dx * jnp.sum(values)

    def graph_accelerations(self, params, x):
        """φ̈ of the graph model at state x (dense LU solve of the assembled system)."""
        n = self.n
        dl_dphi, _, m, c, _ = self.graph_terms(params, x)
        r = dl_dphi - c @ x[n:]
        return jnp.linalg.solve(m, r)

    def accelerations(self, params, x):
        """q̈ (n numbers) of an lnn, baseline or graph-lnn at state x."""
        if self.kind == "lnn":
            return self.lnn_accelerations(params, x)[0]
        if self.kind == "graph-lnn":
            return self.graph_accelerations(params, x)
        if self.kind == "baseline":
            return self.network(params, x)
        raise ValueError("an HNN has no accelerations: use derivatives()")

    def hnn_derivatives(self, params, x):
        """(∂H/∂p, −∂H/∂q) at state x = [q, p, c]."""
        n = self.n
        c = x[2 * n :]
        g = jax.grad(lambda z: self.scalar(params, jnp.concatenate([z, c])))(x[: 2 * n])
        return jnp.concatenate([g[n:], -g[:n]])

    def derivatives(self, params, x):
        """dx/dt without the constant conditioning part: 2n numbers."""
        if self.kind == "hnn":
            return self.hnn_derivatives(params, x)
        return jnp.concatenate([x[self.n : 2 * self.n], self.accelerations(params, x)])

    def outputs(self, params, x):
        """What ``lnn predict`` prints for one state: q̈, or the HNN's full (q̇, ṗ)."""
        if self.kind == "hnn":
            return self.hnn_derivatives(params, x)
        return self.accelerations(params, x)

    def learned_energy(self, params, x):
        """The model's conserved quantity: q̇·∂L/∂q̇ − L (lnn, graph-lnn), H (hnn); NaN for the
        baseline, which has none."""
        n = self.n
        if self.kind == "lnn":
            _, dl_dqd, _, _, value = self.lnn_terms(params, x)
            return jnp.dot(x[n : 2 * n], dl_dqd) - value
        if self.kind == "graph-lnn":
            _, dl_dphid, _, _, value = self.graph_terms(params, x)
            return jnp.dot(x[n:], dl_dphid) - value
        if self.kind == "hnn":
            return self.scalar(params, x)
        return jnp.array(jnp.nan)

    # ---- batches on the host ----------------------------------------------------------------

    def predict(self, states, params=None) -> np.ndarray:
        """:meth:`outputs` of every state (rows of ``states``), in chunks; ``params`` defaults
        to the file's. Raises :class:`LnnError` at the first state whose result is not finite."""
        return self._batched(self._predict, states, params, "time derivatives")

    def energies(self, states, params=None) -> np.ndarray:
        """:meth:`learned_energy` of every state."""
        if self.kind == "baseline":
            raise LnnError("the baseline has no learned energy (it predicts q̈ directly)")
        return self._batched(self._energy, states, params, "learned energy")

    def _batched(self, fn, states, params, what: str) -> np.ndarray:
        params = jnp.asarray(self.spec.params if params is None else params)
        states = np.asarray(states, dtype=np.float64).reshape(-1, self.spec.state_len())
        if self.kind != "graph-lnn":
            self.spec.norm.check_domain(states)
        chunk = max(1, CHUNK // self.n) if self.kind == "graph-lnn" else CHUNK // 16
        parts = [np.asarray(fn(params, jnp.asarray(states[i : i + chunk]))) for i in range(0, len(states), chunk)]
        out = np.concatenate(parts) if parts else np.zeros((0,))
        for i, row in enumerate(out.reshape(len(states), -1)):
            if not np.all(np.isfinite(row)):
                raise LnnError(
                    f"state {i}: non-finite number (NaN or ±inf) in the {self.kind} model's {what} "
                    "(a singular mass matrix, or a state far outside the training data)"
                )
        return out


def _symmetric_from_upper(h):
    """The symmetric matrix with h's upper triangle (the Rust stores M once per pair i ≤ j)."""
    upper = jnp.triu(h)
    return upper + jnp.triu(h, 1).T


def load(path: str):
    """(model, file) of the weights file at ``path``, checked."""
    from . import weights

    file, spec = weights.read(path)
    return Model(spec), file
