"""How an LNN solves M q̈ = r (the Rust ``linalg::Solver``), with the same semantics and the
same reverse pass.

Three solvers, named in weights files as ``pinv``, ``pinv:RCOND``, ``ridge:EPS``, ``damped:EPS``:

* **pinv** (default rcond 1e-12): the pseudo-inverse through the eigendecomposition
  M = Q Λ Qᵀ; components with |λ| ≤ rcond·max|λ| (or λ = 0) are dropped: x = Q Λ⁺ Qᵀ r. For
  n = 1, x = r/M (0 when M = 0). Reverse (the Rust's ``Solver::adjoint``): u = M⁺ x̄, r̄ = u,
  M̄ = −u xᵀ, i.e. the derivative of M⁻¹r as if no component were dropped. JAX's own derivative
  of ``eigh`` is not used: it divides by eigenvalue gaps (infinite for a degenerate M).
* **ridge** ε: x = (M + εI)⁻¹ r by LU. Its autodiff is the Rust's adjoint.
* **damped** ε: x = (M² + εI)⁻¹ M r by Cholesky: the least-squares q̈ damped by ε, smooth through
  a singular M (the default for the relativistic LNN). Its autodiff is the Rust's adjoint.

A failure (singular ridge system, M² + εI not positive definite, non-finite input) shows as a
non-finite x here; callers check and report it, as the Rust's ``Err`` does.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import partial

import jax
import jax.numpy as jnp
import jax.scipy.linalg

from .errors import invalid, unknown

NAMES = "pinv, pinv:RCOND, ridge:EPSILON, damped:EPSILON"
DEFAULT_RCOND = 1e-12


@dataclass(frozen=True)
class Solver:
    """``kind`` is ``pinv``, ``ridge`` or ``damped``; ``value`` its rcond or ε."""

    kind: str = "pinv"
    value: float = DEFAULT_RCOND

    @staticmethod
    def from_name(name: str) -> "Solver":
        """Parses ``pinv``, ``pinv:RCOND``, ``ridge:EPS`` or ``damped:EPS`` (the Rust's forms)."""
        kind, sep, value = name.partition(":")
        if kind not in ("pinv", "ridge", "damped"):
            raise unknown("solver", name, NAMES)
        if not sep:
            if kind != "pinv":
                raise invalid("solver", f"`{name}` needs a number after `:`")
            return Solver()
        try:
            number = float(value.strip())
        except ValueError:
            raise invalid("solver", f"`{name}` needs a number after `:`") from None
        solver = Solver(kind, number)
        solver.validate()
        return solver

    def validate(self) -> None:
        """rcond in [0, 1); ε positive and finite."""
        if self.kind == "pinv" and not (0.0 <= self.value < 1.0):
            raise invalid("rcond", "must be in [0, 1)")
        if self.kind in ("ridge", "damped") and not (self.value > 0.0 and math.isfinite(self.value)):
            raise invalid("epsilon", "must be positive and finite")

    def name(self) -> str:
        """The name the Rust writes (``pinv:1e-12``, ``damped:1e-4``): Rust's ``{:e}``."""
        return f"{self.kind}:{rust_lower_exp(self.value)}"

    def solve(self, m, r):
        """x with M x = r by this solver (``m`` of shape (n, n), ``r`` of shape (n,))."""
        if self.kind == "pinv":
            return pinv_solve(self.value, m, r)
        eye = jnp.eye(m.shape[0], dtype=m.dtype)
        if self.kind == "ridge":
            return jnp.linalg.solve(m + self.value * eye, r)
        a = m @ m + self.value * eye
        factor = jnp.linalg.cholesky(a)
        return jax.scipy.linalg.cho_solve((factor, True), m @ r)


def rust_lower_exp(x: float) -> str:
    """Rust's ``format!("{:e}", x)`` for an f64: shortest digits, ``e`` and the exponent with no
    sign for positive and no padding (1e-12 → ``1e-12``, 2.5e-3 → ``2.5e-3``, 1.0 → ``1e0``)."""
    if x == 0.0:
        return "-0e0" if math.copysign(1.0, x) < 0 else "0e0"
    mantissa, _, exp = f"{x!r}".partition("e")
    # Normalise repr's mantissa to one digit before the point.
    sign = "-" if mantissa.startswith("-") else ""
    mantissa = mantissa.lstrip("-")
    whole, _, frac = mantissa.partition(".")
    digits = (whole + frac).lstrip("0")
    lead = len(whole + frac) - len((whole + frac).lstrip("0"))
    e10 = (int(exp) if exp else 0) + len(whole) - lead - 1
    digits = digits.rstrip("0") or "0"
    body = digits[0] + ("." + digits[1:] if len(digits) > 1 else "")
    return f"{sign}{body}e{e10}"


def _pinv_forward(rcond: float, m, r):
    """x = Q Λ⁺ Qᵀ r as the Rust computes it (cutoff relative to the largest |λ|)."""
    n = m.shape[0]
    if n == 1:
        a = m[0, 0]
        return jnp.where(a == 0.0, 0.0, r / jnp.where(a == 0.0, 1.0, a))
    lam, q = jnp.linalg.eigh(m)
    cutoff = rcond * jnp.max(jnp.abs(lam))
    keep = (jnp.abs(lam) > cutoff) & (lam != 0.0)
    qtr = q.T @ r
    scaled = jnp.where(keep, qtr / jnp.where(keep, lam, 1.0), 0.0)
    return q @ scaled


@partial(jax.custom_jvp, nondiff_argnums=(0,))
def pinv_solve(rcond: float, m, r):
    """M⁺ r with the relative cutoff ``rcond``; its derivative is M⁺(ṙ − Ṁ x) (see module)."""
    return _pinv_forward(rcond, m, r)


@pinv_solve.defjvp
def _pinv_jvp(rcond, primals, tangents):
    m, r = primals
    dm, dr = tangents
    x = _pinv_forward(rcond, m, r)
    # Linear in (dm, dr) with M's eigendecomposition as a constant: JAX can transpose it, and
    # the transpose is the Rust's adjoint r̄ = u, M̄ = −u xᵀ with u = M⁺ x̄.
    m_const = jax.lax.stop_gradient(m)
    return x, _pinv_forward(rcond, m_const, dr - dm @ x)
