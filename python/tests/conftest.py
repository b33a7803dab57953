"""Shared fixtures: the ``lnn`` binary (the reference every test compares against), the shipped
weights files, helpers to run both CLIs, and which activation formulas the binary uses.

The binary is ``target/release/lnn`` in the repository, or ``$LNN_BIN``. Nothing is skipped: a
missing binary fails every test that needs it, saying how to build it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import lnn_web  # noqa: F401  (x64 on before any array is made)

ROOT = Path(__file__).resolve().parents[2]
MODELS = ROOT / "www" / "models"
SHIPPED = sorted(p.name for p in MODELS.glob("*.json"))
PYTHON = sys.executable


def lnn_bin() -> Path:
    """The ``lnn`` binary, or a failure that says how to get it."""
    path = Path(os.environ.get("LNN_BIN", ROOT / "target" / "release" / "lnn"))
    if not path.is_file():
        pytest.fail(
            f"the Rust CLI is missing at {path}: build it with `cargo build --release -p lnn-cli` "
            "in the repository root (or point LNN_BIN at an `lnn` binary)",
            pytrace=False,
        )
    return path


@pytest.fixture(scope="session")
def lnn() -> Path:
    return lnn_bin()


def run_lnn(*args: str, check: bool = True) -> subprocess.CompletedProcess:
    """``lnn ARGS`` with its output captured (fails the test on a non-zero exit if ``check``)."""
    p = subprocess.run([str(lnn_bin()), *map(str, args)], capture_output=True, text=True)
    if check and p.returncode != 0:
        pytest.fail(f"lnn {' '.join(map(str, args))} failed ({p.returncode}): {p.stderr}", pytrace=False)
    return p


def run_python(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    """``python ARGS`` (e.g. ``-m lnn_web predict ...``) in a fresh interpreter."""
    full_env = dict(os.environ)
    full_env.update(env or {})
    return subprocess.run([PYTHON, *map(str, args)], capture_output=True, text=True, env=full_env, cwd=ROOT)


def write_states(path: Path, states) -> Path:
    """A states file (full precision: repr of each double)."""
    path.write_text(json.dumps(np.asarray(states, dtype=np.float64).tolist()))
    return path


def relative_errors(ours, rust, floor_fraction: float = 1e-6):
    """|a − b| / max(|b|, floor) with floor = ``floor_fraction`` × the largest |b| of the set:
    relative where a value is of the set's size, absolute against that floor where it crosses
    zero (a q̈ of 1e-9 amid values of 100 is judged against 1e-4, not against itself)."""
    ours, rust = np.asarray(ours, dtype=np.float64), np.asarray(rust, dtype=np.float64)
    floor = floor_fraction * np.max(np.abs(rust))
    return np.abs(ours - rust) / np.maximum(np.abs(rust), floor)
