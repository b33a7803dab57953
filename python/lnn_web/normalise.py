"""The input map from a physical state to network inputs (the Rust ``models::normalise``).

Input i of the state (for the graph model: of the 6 stencil values) becomes

* two features ``scale[i]·cos x_i, scale[i]·sin x_i`` when ``circle[i]``;
* two features ``scale[i]·asinh(x_i), linear[i]·x_i`` when ``asinh[i]`` and ``linear[i] ≠ 0``
  (asinh serves the small end of a quantity spanning decades, the linear feature the large end:
  the relativistic canonical HNN's p);
* else one feature ``scale[i]·f(x_i)``, f = the wrap into [−π, π) when ``wrap[i]``, asinh when
  ``asinh[i]``, atanh when ``atanh[i]`` (a velocity in units of c, within (−1, 1): the
  relativistic LNN's q̇), the identity otherwise;

in input order, so the network has ``len + Σ circle + Σ (linear ≠ 0)`` inputs. An input is at
most one of wrap, asinh, circle, atanh; a linear feature goes beside asinh only.

Why the custom derivatives: wrapping subtracts a multiple of 2π, so its derivative is exactly 1,
but JAX's derivative of ``fmod`` is also 1 while the *value* must be the Rust's
``(θ + π) mod 2π − π`` to the bit; and the Rust asinh is its own formula (accurate for large
|x|), whose derivatives are 1/√(1 + x²) and −x/(1 + x²)^{3/2}; the Rust atanh is
½·log1p(2|x|/(1 − |x|)) with the sign of x, whose derivative it takes as 1/((1 − x)(1 + x)).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import jax
import jax.numpy as jnp
import numpy as np

from .errors import invalid


@jax.custom_jvp
def wrap_angle(theta):
    """θ mapped into [−π, π): ((θ + π) mod 2π, made non-negative) − π, as the Rust."""
    r = jnp.fmod(theta + math.pi, 2.0 * math.pi)
    return jnp.where(r < 0, r + 2.0 * math.pi, r) - math.pi


@wrap_angle.defjvp
def _wrap_jvp(primals, tangents):
    (x,), (t,) = primals, tangents
    return wrap_angle(x), t


@jax.custom_jvp
def asinh(x):
    """asinh x = sign(x)·ln(|x| + √(x² + 1)) by the Rust's formula: ln|x| + ln 2 beyond 1e8,
    else log1p(a + a²/(1 + √(1 + a²)))."""
    a = jnp.abs(x)
    small = jnp.minimum(a, 1e8)
    r = jnp.where(
        a > 1e8,
        jnp.log(jnp.maximum(a, 1.0)) + math.log(2.0),
        jnp.log1p(small + small * small / (1.0 + jnp.sqrt(1.0 + small * small))),
    )
    return jnp.where(x < 0, -r, r)


@asinh.defjvp
def _asinh_jvp(primals, tangents):
    (x,), (t,) = primals, tangents
    return asinh(x), t / jnp.sqrt(1.0 + x * x)


@jax.custom_jvp
def atanh(x):
    """atanh x for |x| < 1 by the Rust's formula: ½·log1p(2a/(1 − a)), a = |x|, with x's sign
    (accurate to rounding as |x| → 1)."""
    a = jnp.abs(x)
    r = 0.5 * jnp.log1p(2.0 * a / (1.0 - a))
    return jnp.where(x < 0, -r, r)


@atanh.defjvp
def _atanh_jvp(primals, tangents):
    (x,), (t,) = primals, tangents
    return atanh(x), t / ((1.0 - x) * (1.0 + x))


@dataclass(frozen=True)
class Normalisation:
    """Per-input wrap, asinh, circle flags, scales, linear-feature scales and atanh flags (all
    the same length; ``linear`` 0 where an input has no linear feature)."""

    wrap: tuple[bool, ...]
    asinh: tuple[bool, ...]
    circle: tuple[bool, ...]
    scale: tuple[float, ...]
    linear: tuple[float, ...] = ()
    atanh: tuple[bool, ...] = ()

    def __post_init__(self):
        if not self.linear:
            object.__setattr__(self, "linear", (0.0,) * len(self.scale))
        if not self.atanh:
            object.__setattr__(self, "atanh", (False,) * len(self.scale))

    @staticmethod
    def identity(length: int) -> "Normalisation":
        """No wrapping, unit scales."""
        return Normalisation((False,) * length, (False,) * length, (False,) * length, (1.0,) * length)

    def has_linear(self, i: int) -> bool:
        """Whether input i has a linear feature beside its asinh feature."""
        return self.linear[i] != 0.0

    def __len__(self) -> int:
        return len(self.scale)

    def features(self) -> int:
        """Network inputs: one per input, two per circle or asinh-and-linear input."""
        return len(self) + sum(self.circle) + sum(self.has_linear(i) for i in range(len(self)))

    def is_nonlinear(self) -> bool:
        """True when some input goes through asinh, atanh or the circle."""
        return any(self.asinh) or any(self.circle) or any(self.atanh)

    def validate(self, length: int) -> None:
        """The Rust ``Normalisation::validate``: lengths, one kind per input, scales finite ≠ 0."""
        if any(len(v) != length for v in (self.wrap, self.asinh, self.circle, self.scale, self.linear, self.atanh)):
            raise invalid(
                "normalisation",
                f"needs {length} entries in `wrap`, `asinh`, `circle`, `scale`, `linear` and `atanh` (one per input)",
            )
        for i in range(length):
            if self.wrap[i] + self.asinh[i] + self.circle[i] + self.atanh[i] > 1:
                raise invalid(
                    "normalisation",
                    "an input can be at most one of: a wrapped angle, a circle angle, asinh-compressed, atanh of a velocity",
                )
        if any(not math.isfinite(s) or s == 0.0 for s in self.scale):
            raise invalid("normalisation", "every scale must be finite and non-zero")
        if any(not math.isfinite(v) for v in self.linear):
            raise invalid("normalisation", "every `linear` scale must be finite (0: no linear feature)")
        if any(self.has_linear(i) and not self.asinh[i] for i in range(length)):
            raise invalid(
                "normalisation",
                "a `linear` feature goes beside an asinh-compressed input only (a linear input is linear already)",
            )

    def apply(self, x):
        """The features of one state ``x`` (shape ``(len,)``), differentiable in x."""
        out = []
        for i in range(len(self)):
            s = self.scale[i]
            xi = x[i]
            if self.circle[i]:
                out.append(s * jnp.cos(xi))
                out.append(s * jnp.sin(xi))
            elif self.wrap[i]:
                out.append(s * wrap_angle(xi))
            elif self.asinh[i]:
                out.append(s * asinh(xi))
                if self.has_linear(i):
                    out.append(self.linear[i] * xi)
            elif self.atanh[i]:
                out.append(s * atanh(xi))
            else:
                out.append(s * xi)
        return jnp.stack(out)

    def slope(self, i: int, x):
        """|d features / dx_i| at x_i = x (the Rust ``Normalisation::slope``): |scale| times
        asinh′ or atanh′, |scale| for a circle; beside asinh the linear feature's scale counts too."""
        s = self.scale[i]
        if self.asinh[i]:
            d = s / jnp.sqrt(1.0 + x * x)
            return jnp.sqrt(d * d + self.linear[i] ** 2)
        if self.atanh[i]:
            return jnp.abs(s / ((1.0 - x) * (1.0 + x)))
        return jnp.abs(s) + 0.0 * x

    def check_domain(self, states: np.ndarray) -> None:
        """The Rust ``Normalisation::check_domain``: every atanh input of ``states`` (shape
        ``(samples, len)``) within (−1, 1)."""
        states = np.asarray(states, dtype=np.float64).reshape(-1, len(self))
        for i in range(len(self)):
            if self.atanh[i]:
                bad = np.flatnonzero(~(np.abs(states[:, i]) < 1.0))
                if bad.size:
                    x = states[bad[0], i]
                    raise invalid(
                        "state",
                        f"state entry {i} is {x}, outside (−1, 1) where the model's atanh input is "
                        "defined (a velocity in units of the speed of light)",
                    )

    def apply_numpy(self, x: np.ndarray) -> np.ndarray:
        """:meth:`apply` on a batch ``(samples, len)`` in NumPy (no tracing), for data handling."""
        return np.asarray(jax.vmap(self.apply)(jnp.asarray(x)))
