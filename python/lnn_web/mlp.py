"""The multilayer perceptron of the Rust ``nn::mlp``, on one flat parameter vector.

Layer l maps ``sizes[l]`` inputs to ``sizes[l+1]`` outputs, z = W a + b, then the activation on
every layer but the last (linear). The flat vector holds, layer by layer, W column-major as an
``out × in`` matrix (entry W[i, p] at offset p·out + i) followed by b. Read row-major, that W
block is Wᵀ of shape ``(in, out)``, so z = a @ block + b with no transposition.
"""

from __future__ import annotations

import math
from typing import Callable, Sequence

import jax.numpy as jnp
import numpy as np

from .errors import invalid, unknown

#: The largest width of any layer the Rust accepts.
MAX_WIDTH = 10_000

INIT_NAMES = "paper, xavier, kaiming"


def param_count(sizes: Sequence[int]) -> int:
    """Σ_l (in_l·out_l + out_l)."""
    return sum(sizes[l] * sizes[l + 1] + sizes[l + 1] for l in range(len(sizes) - 1))


def check_sizes(sizes: Sequence[int]) -> int:
    """The parameter count of ``sizes`` after the Rust's checks (2+ layers, widths 1..=10,000)."""
    if len(sizes) < 2:
        raise invalid("hidden", "a network needs at least an input and an output layer")
    for w in sizes:
        if w == 0 or w > MAX_WIDTH:
            raise invalid("hidden", f"layer width {w} is outside 1..={MAX_WIDTH}")
    return param_count(sizes)


def layers(params, sizes: Sequence[int]):
    """[(Wᵀ of shape (in, out), b of shape (out,)), ...] as views of the flat ``params``."""
    out, off = [], 0
    for l in range(len(sizes) - 1):
        k, m = sizes[l], sizes[l + 1]
        w = params[off : off + k * m].reshape(k, m)
        b = params[off + k * m : off + k * m + m]
        out.append((w, b))
        off += k * m + m
    return out


def forward(params, sizes: Sequence[int], activation: Callable, x):
    """The network at one input ``x`` (shape ``(sizes[0],)``); ``activation`` on hidden layers."""
    a = x
    ls = layers(params, sizes)
    for l, (w, b) in enumerate(ls):
        a = a @ w + b
        if l + 1 < len(ls):
            a = activation(a)
    return a


def init_std(init: str, layer: int, count: int, fan_in: int, fan_out: int) -> float:
    """σ of layer ``layer``'s weights (of ``count`` layers), as the Rust ``Init::std``:

    * paper: (1/√n)·(2.2 first; n last; 0.58·layer otherwise), n = max(fan_in, fan_out);
    * xavier: √(2 / (fan_in + fan_out));  kaiming: √(2 / fan_in).
    """
    if init == "paper":
        n = max(fan_in, fan_out)
        factor = 2.2 if layer == 0 else (n if layer == count - 1 else 0.58 * layer)
        return factor / math.sqrt(n)
    if init == "xavier":
        return math.sqrt(2.0 / (fan_in + fan_out))
    if init == "kaiming":
        return math.sqrt(2.0 / fan_in)
    raise unknown("initialisation", init, INIT_NAMES, "init")


def initial_params(sizes: Sequence[int], init: str, seed: int) -> np.ndarray:
    """Fresh parameters: W ~ N(0, σ²) per layer, biases zero. NumPy's PCG64 seeded with
    ``seed``: deterministic, but not the Rust's random stream (a seed gives a different network
    here than in ``lnn train``)."""
    check_sizes(sizes)
    rng = np.random.Generator(np.random.PCG64(seed))
    params = np.zeros(param_count(sizes))
    count, off = len(sizes) - 1, 0
    for l in range(count):
        k, m = sizes[l], sizes[l + 1]
        std = init_std(init, l, count, k, m)
        # Drawn in the Rust's storage order (column-major W), so layer l's draws are contiguous.
        params[off : off + k * m] = std * rng.standard_normal(k * m)
        off += k * m + m
    return params


def as_array(params) -> jnp.ndarray:
    """The flat parameter vector as a float64 JAX array."""
    return jnp.asarray(np.asarray(params, dtype=np.float64))
