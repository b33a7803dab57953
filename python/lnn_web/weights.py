"""The weights file (the Rust ``lnn_core::weights::WeightsFile``): read, check, write.

Reading mirrors serde's (``deny_unknown_fields``, required and optional fields, integer and
float types, no NaN literals, no duplicate keys) and then ``WeightsFile::load`` (every field
checked against the others, the culprit named). Writing gives the text ``lnn train`` writes:
the fields in the struct's order, optional ones left out exactly when the Rust leaves them out,
compact JSON with serde_json's number format and a final newline. So a file read and written
again is the same file, byte for byte (tested on every shipped file).

``docs/weights-format.md`` describes every field.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from . import activations, fields, jsonfmt, mlp
from .errors import LnnError, invalid, read_text, unknown
from .normalise import Normalisation
from .solvers import Solver

FORMAT = "lnn-web-weights"
VERSION = 1
MODEL_NAMES = "lnn, baseline, hnn, graph-lnn"
#: The per-sample loss weightings a file may record (``models::Weighting``).
WEIGHTINGS = ("none", "gamma")
SYSTEM_NAMES = "double-pendulum, relativistic, wave, free-fall, harmonic, charged-particle"
#: (dof, conditioning inputs) of the built-in systems (the wave's dof is its grid).
SYSTEM_LAYOUT = {
    "double-pendulum": (2, 0),
    "relativistic": (1, 1),
    "free-fall": (2, 0),
    "harmonic": (1, 0),
    "charged-particle": (2, 0),
}
#: The wave's grid when a file gives none (``System::from_name("wave")``).
DEFAULT_GRID = 100
#: The Rust's dense engine handles at most this many coordinates (typed and observed systems).
MAX_DOF = 6
#: The LNN's default weight of its penalty on an indefinite mass matrix (``train::DEFINITENESS``).
DEFAULT_DEFINITENESS = 1000.0
#: What one file may ask for before anything is allocated (the Rust's default 4 GiB budget).
MEMORY_BUDGET = 4 << 30


@dataclass
class WeightsFile:
    """A weights file's fields as they are on disk (``None``/empty: absent). Field order is the
    order the Rust writes them in."""

    format: str
    version: int
    model: str
    system: str
    grid: int | None = None
    custom: dict | None = None
    observed: dict | None = None
    dof: int | None = None
    conditioning: int | None = None
    coordinates: str = "velocity"
    hidden: list[int] = field(default_factory=list)
    activation: str = "softplus"
    wrap: list[bool] = field(default_factory=list)
    asinh: list[bool] = field(default_factory=list)
    circle: list[bool] = field(default_factory=list)
    scale: list[float] = field(default_factory=list)
    linear: list[float] = field(default_factory=list)
    atanh: list[bool] = field(default_factory=list)
    solver: str = ""
    definiteness: float | None = None
    precision: str | None = None
    weighting: str | None = None
    step: int = 0
    seed: int = 0
    made_by: str = ""
    params: list[float] = field(default_factory=list)

    # ---- text ---------------------------------------------------------------------------

    @staticmethod
    def from_text(text: str) -> "WeightsFile":
        """Parses the JSON text of a weights file, with serde's checks.

        Raises :class:`LnnError` naming the field (``in `grid`: invalid type: ...``).
        """
        return WeightsFile.from_value(fields.parse(text))

    @staticmethod
    def from_value(value: Any) -> "WeightsFile":
        """The file from a parsed JSON value (a dict), with serde's type checks."""
        return WeightsFile(**fields.read_fields(value, [f.name for f in dataclasses.fields(WeightsFile)]))

    def to_value(self) -> dict:
        """The JSON value the Rust writes for this file (optional fields left out as serde's
        ``skip_serializing_if`` does)."""
        out: dict[str, Any] = {}
        for f in dataclasses.fields(self):
            v = getattr(self, f.name)
            if f.name in fields.SKIP_IF_NONE and v is None:
                continue
            if f.name in fields.SKIP_IF_EMPTY and not v:
                continue
            if f.name in ("scale", "linear", "params"):
                v = [float(x) for x in v]
            elif f.name == "definiteness" and v is not None:
                v = float(v)
            out[f.name] = v
        return out

    def to_text(self) -> str:
        """The file's text exactly as ``lnn train`` writes it (compact, a final newline)."""
        return jsonfmt.dumps(self.to_value()) + "\n"

    # ---- checking -----------------------------------------------------------------------

    def load(self) -> "Spec":
        """Every field checked (the Rust's ``WeightsFile::load``): the model this file describes.

        Raises :class:`LnnError` naming the field that is wrong.
        """
        if self.format != FORMAT:
            raise invalid("format", f'expected "{FORMAT}": this is not an lnn-web weights file')
        if self.version != VERSION:
            raise invalid(
                "version",
                f"version {self.version} is not supported by this build (it reads version {VERSION})",
            )
        if self.custom is not None and self.system != "custom":
            raise invalid("custom", "only a `custom` system records a typed Lagrangian")
        if self.observed is not None and self.system != "observed":
            raise invalid("observed", "only an `observed` system records coordinates and data ranges")
        dof, conditioning = self._layout()
        for name, recorded, actual in (("dof", self.dof, dof), ("conditioning", self.conditioning, conditioning)):
            if recorded is not None and recorded != actual:
                raise invalid(
                    name,
                    f"the file says {recorded} but `{self.system}` has {actual}: its state is "
                    f"[q..., q̇..., c...] with {dof} coordinates and {conditioning} conditioning inputs",
                )
        if self.model not in MODEL_NAMES.split(", "):
            raise unknown("model", self.model, MODEL_NAMES)
        if self.coordinates not in ("velocity", "canonical"):
            raise unknown("coordinates", self.coordinates, "velocity, canonical")
        activations.by_name(self.activation)
        n_wrap = len(self.wrap)
        norm = Normalisation(
            wrap=tuple(self.wrap),
            asinh=tuple(self.asinh) if self.asinh else (False,) * n_wrap,
            circle=tuple(self.circle) if self.circle else (False,) * n_wrap,
            scale=tuple(float(s) for s in self.scale),
            # Files without linear features leave the field out.
            linear=tuple(float(v) for v in self.linear) if self.linear else (0.0,) * n_wrap,
            atanh=tuple(self.atanh) if self.atanh else (False,) * n_wrap,
        )
        solver = Solver.from_name(self.solver) if self.solver else Solver()
        definiteness = DEFAULT_DEFINITENESS if self.definiteness is None else float(self.definiteness)
        if self.precision is not None and self.precision not in ("f64", "f32"):
            raise unknown("precision", self.precision, "f64, f32")
        # The loss the model was trained on; the model evaluates the same either way.
        if self.weighting is not None and self.weighting not in WEIGHTINGS:
            raise unknown("weighting", self.weighting, ", ".join(WEIGHTINGS))
        spec = Spec(
            kind=self.model,
            system=self.system,
            dof=dof,
            conditioning=conditioning,
            coordinates=self.coordinates,
            hidden=tuple(self.hidden),
            activation=self.activation,
            norm=norm,
            solver=solver,
            definiteness=definiteness,
            precision=self.precision or "f64",
            grid_spacing=1.0 / dof if self.system == "wave" else None,
        )
        spec.validate()
        count = mlp.check_sizes(spec.sizes())
        if count * 8 > MEMORY_BUDGET:
            raise invalid("hidden", f"{count} parameters would need {count * 8 / 2**30:.1f} GiB, more than 4 GiB")
        if len(self.params) != count:
            raise invalid(
                "params",
                f"the architecture {list(spec.sizes())} has {count} parameters, {len(self.params)} given",
            )
        for i, p in enumerate(self.params):
            if not math.isfinite(p):
                raise invalid("params", f"parameter {i} is not finite")
        spec.params = np.asarray(self.params, dtype=np.float64)
        return spec

    def _layout(self) -> tuple[int, int]:
        """(dof, conditioning inputs) of the file's system, checking its own record."""
        if self.system == "wave":
            n = DEFAULT_GRID if self.grid is None else self.grid
            if n < 3:
                raise invalid("grid", "a periodic grid needs at least 3 points")
            if n * 48 * 8 * 32 > MEMORY_BUDGET:  # the Rust's per-state pass is ~11 kB per point
                raise invalid("grid", f"a grid of {n} points would not fit in the 4 GiB budget")
            return n, 0
        if self.system == "observed":
            if self.observed is None:
                raise invalid(
                    "observed",
                    'a model learned from observed trajectories needs its record here ({"coordinates": [...], "ranges": [...], "start": [...]})',
                )
            return _observed_layout(self.observed), 0
        if self.system == "custom":
            if self.custom is None:
                raise invalid(
                    "custom",
                    'a model of a typed Lagrangian needs it recorded here ({"lagrangian": ..., "coordinates": [...]})',
                )
            return _custom_layout(self.custom)
        if self.system not in SYSTEM_LAYOUT:
            raise unknown("system", self.system, SYSTEM_NAMES)
        return SYSTEM_LAYOUT[self.system]


@dataclass
class Spec:
    """A checked model: everything needed to evaluate it (``models.Model`` builds on this)."""

    kind: str
    system: str
    dof: int
    conditioning: int
    coordinates: str
    hidden: tuple[int, ...]
    activation: str
    norm: Normalisation
    solver: Solver
    definiteness: float
    precision: str
    grid_spacing: float | None
    params: np.ndarray | None = None

    def state_inputs(self) -> int:
        """Entries the input map takes: the state 2n + k, or a graph density's 6 stencil values."""
        return 6 if self.kind == "graph-lnn" else 2 * self.dof + self.conditioning

    def state_len(self) -> int:
        """Numbers per state in a states file: [q (n), q̇ or p (n), c (k)]."""
        return 2 * self.dof + self.conditioning

    def sizes(self) -> tuple[int, ...]:
        """[inputs, hidden..., outputs]: one output, n for the baseline."""
        out = self.dof if self.kind == "baseline" else 1
        return (self.norm.features(), *self.hidden, out)

    def validate(self) -> None:
        """The Rust's ``ModelSpec::validate``."""
        if self.dof == 0:
            raise invalid("dof", "must be at least 1")
        if self.kind in ("lnn", "graph-lnn") and not activations.has_curvature(self.activation):
            raise invalid(
                "activation",
                "relu has a zero second derivative, so a Lagrangian made of it has a zero mass matrix; use softplus, tanh, sigmoid, relu2 or relu3",
            )
        if self.kind == "hnn" and self.activation == "relu":
            raise invalid(
                "activation",
                "relu makes ∂H/∂x piecewise constant, so the HNN cannot train through it; use softplus or tanh",
            )
        if self.kind != "hnn" and self.coordinates == "canonical":
            raise invalid("coordinates", "only the HNN works in canonical coordinates (q, p)")
        if not self.hidden:
            raise invalid("hidden", "give at least one hidden layer")
        self.solver.validate()
        if not (self.definiteness >= 0.0 and math.isfinite(self.definiteness)):
            raise invalid("definiteness", "must be a finite number ≥ 0 (0: no penalty)")
        if self.kind == "graph-lnn":
            if self.dof < 3:
                raise invalid("grid", "a periodic grid needs at least 3 points")
            if self.norm.is_nonlinear():
                raise invalid("normalisation", "the graph model takes linear inputs only (no asinh, no atanh, no circle)")
            if not (self.grid_spacing and self.grid_spacing > 0 and math.isfinite(self.grid_spacing)):
                raise invalid("grid", "the graph model needs a positive grid spacing")
        self.norm.validate(self.state_inputs())


def read(path: str) -> tuple[WeightsFile, Spec]:
    """Reads and checks the weights file at ``path``; errors name the file and the field."""
    text = read_text(path, " is not a valid weights file: it is not UTF-8 text")
    try:
        file = WeightsFile.from_text(text)
    except LnnError as e:
        raise LnnError(f"{path} is not a valid weights file: {e}", e.field) from None
    try:
        return file, file.load()
    except LnnError as e:
        raise LnnError(f"{path}: {e}", e.field) from None


def write(path: str, file: WeightsFile) -> None:
    """Writes ``file`` as ``lnn train`` would."""
    try:
        with open(path, "w", encoding="utf-8") as f:
            f.write(file.to_text())
    except OSError as e:
        raise LnnError(f"cannot write {path}: {e.strerror or e}") from None


# ---- the layout of typed and observed systems ----------------------------------------


def _observed_layout(o: dict) -> int:
    """The Rust's ``Observed::validate``; returns the number of coordinates."""
    n = len(o["coordinates"])
    if n == 0 or n > MAX_DOF:
        raise invalid("observed", f"needs 1 to {MAX_DOF} coordinates")
    if len(o["ranges"]) != 2 * n or len(o["start"]) != 2 * n:
        raise invalid("observed", f"needs {2 * n} ranges and a start of {2 * n} numbers ([q, q̇])")
    finite = all(math.isfinite(x) for x in o["start"]) and all(
        math.isfinite(a) and math.isfinite(b) and a <= b for a, b in o["ranges"]
    )
    if not finite:
        raise invalid("observed", "ranges and start must be finite, lo ≤ hi")
    return n


def _custom_layout(c: dict) -> tuple[int, int]:
    """(dof, conditioning inputs) of a typed Lagrangian, with the checks that need no parser
    (the expression itself is kept as text: a model needs only the state's layout)."""
    coords, cond = c["coordinates"], c.get("conditioning", [])
    names = list(coords) + [p[0] for p in c.get("parameters", [])] + list(cond)
    if not coords:
        raise invalid("custom", "coordinates: give at least one coordinate")
    if len(coords) > MAX_DOF:
        raise invalid("custom", f"coordinates: at most {MAX_DOF} coordinates")
    for name in names:
        if not name or not (name[0].isalpha() or name[0] == "_") or not all(ch.isalnum() or ch == "_" for ch in name):
            raise invalid("custom", f"`{name}` is not a name (letters, digits and _, not starting with a digit)")
    if len(set(names)) != len(names):
        raise invalid("custom", "a name is used twice among the coordinates, parameters and conditioning inputs")
    for name, value in c.get("parameters", []):
        if not math.isfinite(value):
            raise invalid("custom", f"parameters: `{name}` = {value} is not a finite number")
    ranges = c.get("ranges", [])
    state_len = 2 * len(coords) + len(cond)
    if ranges:
        if len(ranges) != state_len:
            raise invalid("custom", f"ranges: {len(ranges)} ranges for a state of {state_len} numbers [q..., q̇..., c...]")
        for i, (lo, hi) in enumerate(ranges):
            if not (math.isfinite(lo) and math.isfinite(hi)):
                raise invalid("custom", f"ranges: range {i + 1} is not finite")
            if lo > hi:
                raise invalid("custom", f"ranges: range {i + 1} runs backwards ({lo} to {hi})")
    return len(coords), len(cond)
