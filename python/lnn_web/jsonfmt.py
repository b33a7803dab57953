"""JSON text exactly as the Rust side writes it (serde_json 1.0.154, compact).

Why not plain ``json.dumps``: the *values* would be the same (Python's ``repr`` and serde_json's
float formatter both print the shortest decimal that reads back to the same double), but the
*text* would not. serde_json writes ``1e-7`` and ``1e+16`` where Python writes ``1e-07`` and
``1e+16``, and ``0.00001`` where Python writes ``1e-05``. Writing the Rust's text lets a weights
file written here be byte-for-byte the file ``lnn train`` would write, and ``python -m lnn_web
predict`` print exactly what ``lnn predict`` prints.

The rules (checked against the ``lnn`` binary): with the shortest digits d₁d₂…dₙ and the value
0.d₁…dₙ × 10ᵏ,

* 0 < k ≤ 16: the digits with the point inside, or ``.0`` appended when there is no fraction
  (``100.0``, ``9999999999999998.0``);
* −5 < k ≤ 0: ``0.`` then −k zeros then the digits (``0.00001``, ``0.0000125``);
* otherwise scientific: ``d₁.d₂…dₙe±(k−1)`` (``1.5e-6``, ``1e+16``), no ``.`` for one digit.
"""

from __future__ import annotations

import math
from typing import Any


def format_float(x: float) -> str:
    """One finite double as serde_json prints it."""
    if not math.isfinite(x):
        raise ValueError(f"{x} is not a number JSON can hold")
    if x == 0.0:
        return "-0.0" if math.copysign(1.0, x) < 0 else "0.0"
    sign = "-" if x < 0 else ""
    digits, k = _shortest_digits(abs(x))
    n = len(digits)
    if 0 < k <= 16:
        if n <= k:
            return f"{sign}{digits}{'0' * (k - n)}.0"
        return f"{sign}{digits[:k]}.{digits[k:]}"
    if -5 < k <= 0:
        return f"{sign}0.{'0' * (-k)}{digits}"
    exp = k - 1
    mantissa = digits if n == 1 else f"{digits[0]}.{digits[1:]}"
    return f"{sign}{mantissa}e{'+' if exp >= 0 else '-'}{abs(exp)}"


def _shortest_digits(x: float) -> tuple[str, int]:
    """(digits, k) with x = 0.digits × 10ᵏ, digits the shortest that round-trip (from repr)."""
    text = repr(x)
    mantissa, _, exp_text = text.partition("e")
    exp = int(exp_text) if exp_text else 0
    whole, _, frac = mantissa.partition(".")
    digits = (whole + frac).lstrip("0")
    # Position of the point relative to the first significant digit.
    leading_zeros = len(whole + frac) - len((whole + frac).lstrip("0"))
    k = len(whole) - leading_zeros + exp
    digits = digits.rstrip("0") or "0"
    return digits, k


def dumps(value: Any) -> str:
    """Compact JSON (no spaces), floats as serde_json writes them, keys in insertion order.

    ``bool`` before ``int`` (a bool is an int in Python); ints print as ints, as serde writes
    the integer fields (``version``, ``step``, ``hidden``, ...).
    """
    parts: list[str] = []
    _write(value, parts)
    return "".join(parts)


def _write(v: Any, out: list[str]) -> None:
    if v is None:
        out.append("null")
    elif v is True:
        out.append("true")
    elif v is False:
        out.append("false")
    elif isinstance(v, int):
        out.append(str(v))
    elif isinstance(v, float):
        out.append(format_float(v))
    elif isinstance(v, str):
        out.append(_string(v))
    elif isinstance(v, dict):
        out.append("{")
        for i, (key, item) in enumerate(v.items()):
            if i:
                out.append(",")
            out.append(_string(str(key)))
            out.append(":")
            _write(item, out)
        out.append("}")
    elif isinstance(v, (list, tuple)):
        out.append("[")
        for i, item in enumerate(v):
            if i:
                out.append(",")
            _write(item, out)
        out.append("]")
    elif hasattr(v, "tolist"):  # numpy scalars and arrays
        _write(v.tolist(), out)
    else:
        raise TypeError(f"cannot write {type(v).__name__} as JSON")


_ESCAPES = {'"': '\\"', "\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t", "\b": "\\b", "\f": "\\f"}


def _string(s: str) -> str:
    """A JSON string as serde_json escapes it: quotes, backslashes and control characters only
    (non-ASCII stays as UTF-8, as in the ``made_by`` of a file with a typed Lagrangian)."""
    out = ['"']
    for ch in s:
        if ch in _ESCAPES:
            out.append(_ESCAPES[ch])
        elif ord(ch) < 0x20:
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)
