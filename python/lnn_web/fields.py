"""The JSON side of a weights file: serde's type checks for each field, and serde's errors.

Why separate from ``weights``: this is what serde derives for the Rust struct (required and
optional fields, integer widths, ``deny_unknown_fields``, no duplicate keys, no NaN literals),
mirrored by hand, so that a file Python accepts is one ``lnn`` accepts and the messages name
the field in the same way (``in `grid`: invalid type: string "many", expected usize``).
"""

from __future__ import annotations

import json
import math
from typing import Any

from . import jsonfmt
from .errors import LnnError

_U32, _U64 = 2**32 - 1, 2**64 - 1


def parse(text: str) -> Any:
    """The JSON value of ``text``, refusing what serde_json refuses; errors name the field."""
    stripped = text.lstrip()
    if stripped and not stripped.startswith("{"):
        raise LnnError(
            f'a weights file is a JSON object ({{"format": "lnn-web-weights", ...}}); '
            f"this one starts with `{stripped[0]}`"
        )
    try:
        return json.loads(text, object_pairs_hook=_no_duplicates, parse_constant=_no_constants, parse_float=_finite_float)
    except json.JSONDecodeError as e:
        where = _field_at(text, e.pos)
        prefix = f"in `{where}`: " if where else ""
        raise LnnError(f"{prefix}{e.msg} at line {e.lineno} column {e.colno}") from None


def read_fields(value: Any, names: list[str]) -> dict:
    """The fields of a parsed file (``names`` in the struct's order), each type-checked."""
    if not isinstance(value, dict):
        raise LnnError('a weights file is a JSON object ({"format": "lnn-web-weights", ...})')
    for key in value:
        if key not in names:
            expected = ", ".join(f"`{n}`" for n in names)
            raise LnnError(f"unknown field `{key}`, expected one of {expected}", key)
    for key in REQUIRED:
        if key not in value:
            raise LnnError(f"missing field `{key}`", key)
    return {key: READERS[key](key, v) for key, v in value.items()}


def _type_name(v: Any) -> str:
    """How serde names a JSON value in "invalid type: ..." messages."""
    if v is None:
        return "null"
    if isinstance(v, bool):
        return f"boolean `{str(v).lower()}`"
    if isinstance(v, int):
        return f"integer `{v}`"
    if isinstance(v, float):
        return f"floating point `{jsonfmt.format_float(v)}`"
    if isinstance(v, str):
        return f'string "{v}"'
    if isinstance(v, list):
        return "sequence"
    return "map"


def _bad(key: str, v: Any, expected: str) -> LnnError:
    return LnnError(f"in `{key}`: invalid type: {_type_name(v)}, expected {expected}", key)


def _string(key: str, v: Any) -> str:
    if not isinstance(v, str):
        raise _bad(key, v, "a string")
    return v


def _unsigned(limit: int, expected: str):
    def read(key: str, v: Any) -> int:
        if isinstance(v, bool) or not isinstance(v, int):
            raise _bad(key, v, expected)
        if v < 0 or v > limit:
            raise LnnError(f"in `{key}`: invalid value: integer `{v}`, expected {expected}", key)
        return v

    return read


def _optional(reader):
    def read(key: str, v: Any):
        return None if v is None else reader(key, v)

    return read


def _float(key: str, v: Any) -> float:
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        raise _bad(key, v, "f64")
    return float(v)


def _list(item_reader, expected: str):
    def read(key: str, v: Any) -> list:
        if not isinstance(v, list):
            raise _bad(key, v, expected)
        return [item_reader(key, x) for x in v]

    return read


def _bool(key: str, v: Any) -> bool:
    if not isinstance(v, bool):
        raise _bad(key, v, "a boolean")
    return v


def _pair(key: str, v: Any) -> tuple:
    if not isinstance(v, list) or len(v) != 2:
        raise _bad(key, v, "a tuple of size 2")
    return v


def _custom(key: str, v: Any) -> dict:
    """The typed Lagrangian's record (``custom::CustomSpec``): lagrangian, coordinates, and
    optionally parameters ``[[name, value], ...]``, conditioning names, ranges ``[[lo, hi], ...]``."""
    if not isinstance(v, dict):
        raise _bad(key, v, "struct CustomSpec")
    allowed = ("lagrangian", "coordinates", "parameters", "conditioning", "ranges")
    for k in v:
        if k not in allowed:
            raise LnnError(f"in `custom`: unknown field `{k}`, expected one of {', '.join(f'`{a}`' for a in allowed)}", key)
    for k in ("lagrangian", "coordinates"):
        if k not in v:
            raise LnnError(f"in `custom`: missing field `{k}`", key)
    _string("lagrangian", v["lagrangian"])
    _list(_string, "a sequence")("coordinates", v["coordinates"])
    _list(_string, "a sequence")("conditioning", v.get("conditioning", []))
    for name, value in (_pair("parameters", p) for p in _list(lambda k, x: x, "a sequence")("parameters", v.get("parameters", []))):
        _string("parameters", name)
        _float("parameters", value)
    for lo, hi in (_pair("ranges", p) for p in _list(lambda k, x: x, "a sequence")("ranges", v.get("ranges", []))):
        _float("ranges", lo)
        _float("ranges", hi)
    return v


def _observed(key: str, v: Any) -> dict:
    """The observed system's record (``observe::Observed``): coordinates, ranges, start."""
    if not isinstance(v, dict):
        raise _bad(key, v, "struct Observed")
    allowed = ("coordinates", "ranges", "start")
    for k in v:
        if k not in allowed:
            raise LnnError(f"in `observed`: unknown field `{k}`, expected one of `coordinates`, `ranges`, `start`", key)
    for k in allowed:
        if k not in v:
            raise LnnError(f"in `observed`: missing field `{k}`", key)
    _list(_string, "a sequence")("coordinates", v["coordinates"])
    for lo, hi in (_pair("ranges", p) for p in _list(lambda k, x: x, "a sequence")("ranges", v["ranges"])):
        _float("ranges", lo)
        _float("ranges", hi)
    _list(_float, "a sequence")("start", v["start"])
    return v


READERS = {
    "format": _string,
    "version": _unsigned(_U32, "u32"),
    "model": _string,
    "system": _string,
    "grid": _optional(_unsigned(_U64, "usize")),
    "custom": _optional(_custom),
    "observed": _optional(_observed),
    "dof": _optional(_unsigned(_U64, "usize")),
    "conditioning": _optional(_unsigned(_U64, "usize")),
    "coordinates": _string,
    "hidden": _list(_unsigned(_U64, "usize"), "a sequence"),
    "activation": _string,
    "wrap": _list(_bool, "a sequence"),
    "asinh": _list(_bool, "a sequence"),
    "circle": _list(_bool, "a sequence"),
    "scale": _list(_float, "a sequence"),
    "linear": _list(_float, "a sequence"),
    "atanh": _list(_bool, "a sequence"),
    "solver": _string,
    "definiteness": _optional(_float),
    "precision": _optional(_string),
    "weighting": _optional(_string),
    "step": _unsigned(_U64, "u64"),
    "seed": _unsigned(_U64, "u64"),
    "made_by": _string,
    "params": _list(_float, "a sequence"),
}
REQUIRED = (
    "format", "version", "model", "system", "coordinates", "hidden", "activation", "wrap",
    "scale", "step", "seed", "params",
)
SKIP_IF_NONE = {"grid", "custom", "observed", "dof", "conditioning", "definiteness", "precision", "weighting"}
SKIP_IF_EMPTY = {"asinh", "circle", "linear", "atanh", "solver"}


def _no_duplicates(pairs):
    seen = {}
    for k, v in pairs:
        if k in seen:
            raise LnnError(f"duplicate field `{k}`", k)
        seen[k] = v
    return seen


def _no_constants(name: str):
    raise LnnError(f"`{name}` is not a number JSON allows; every number must be finite")


def _finite_float(text: str) -> float:
    v = float(text)
    if not math.isfinite(v):
        raise LnnError(f"number out of range: {text}")
    return v


def _field_at(text: str, pos: int) -> str | None:
    """The key whose value a parse error at ``pos`` is in: the nearest ``"key":`` before it
    (the Rust's ``weights::field_at``)."""
    before = text[:pos]
    search = before
    while (colon := search.rfind(":")) >= 0:
        key_end = search[:colon].rstrip()
        if key_end.endswith('"'):
            k = key_end[:-1]
            open_ = k.rfind('"')
            if open_ >= 0:
                key = k[open_ + 1 :]
                if key and all(ch.isalnum() or ch == "_" for ch in key):
                    return key
        search = search[:colon]
    return None
