"""States files: a JSON array of states, each ``[q..., q̇..., c...]`` of finite numbers (the Rust
CLI's ``parse_states``, with its messages)."""

from __future__ import annotations

import json
import math

import numpy as np

from .errors import LnnError, read_text

_LITERALS = ("NaN", "nan", "Infinity", "inf", "Inf")


def read(path: str, length: int, system: str) -> np.ndarray:
    """The states in the file at ``path``, shape (count, length); errors start with the path."""
    text = read_text(path, ": expected a JSON array of arrays of numbers, not binary data")
    try:
        return parse(text, length, system)
    except LnnError as e:
        raise LnnError(f"{path}: {e}") from None


def parse(text: str, length: int, system: str) -> np.ndarray:
    """A states file's text as an array (count, length)."""

    def constant(name):
        raise _Literal(name)

    try:
        value = json.loads(text, parse_constant=constant)
    except _Literal as lit:
        line, column = _position_of(text, str(lit))
        raise LnnError(
            f"line {line} column {column}: `{lit}` is not a number JSON allows; every state must be finite numbers"
        ) from None
    except json.JSONDecodeError as e:
        at = text[e.pos :].lstrip("-+")
        for lit in _LITERALS:
            if at.startswith(lit):
                raise LnnError(
                    f"line {e.lineno} column {e.colno}: `{lit}` is not a number JSON allows; every state must be finite numbers"
                ) from None
        raise LnnError(f"expected a JSON array of arrays of numbers: {e.msg} at line {e.lineno} column {e.colno}") from None
    if not isinstance(value, list) or not all(isinstance(x, list) for x in value):
        raise LnnError("expected a JSON array of arrays of numbers")
    for i, x in enumerate(value):
        if not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in x):
            raise LnnError(f"expected a JSON array of arrays of numbers (state {i} holds something else)")
        if len(x) != length:
            raise LnnError(f"state {i} has {len(x)} numbers, {system} needs {length} [q..., q̇..., c...]")
        for j, v in enumerate(x):
            if not math.isfinite(float(v)):
                raise LnnError(f"state {i}, number {j} is not finite")
    return np.asarray(value, dtype=np.float64).reshape(len(value), length)


class _Literal(Exception):
    pass


def _position_of(text: str, literal: str) -> tuple[int, int]:
    """(line, column), 1-based, of the first bare ``literal`` in ``text``."""
    pos = text.find(literal)
    line = text.count("\n", 0, pos) + 1
    column = pos - (text.rfind("\n", 0, pos) + 1) + 1
    return line, column
