"""``python -m lnn_web.train``: train a model on fresh samples of a true system, each batch sharded
across every device JAX sees (and across hosts with ``jax.distributed``), and write a weights
file ``lnn eval`` and ``lnn predict`` load.

The settings are ``lnn train``'s, with its names and defaults (``--system double-pendulum
--model lnn --hidden 128,128 --batch 32 --lr 1e-3 --schedule step --loss l1 --seed 0 --steps
10000``, the solver of the system, definiteness 1000, ...). What it does per step is the Rust
trainer's: a fresh batch of true states, the loss of ``losses.objective`` (the LNN's
definiteness penalty included), its gradient, optional global-norm clipping, AdamW (β = 0.9,
0.999, ε = 1e-8, decoupled weight decay) at the schedule's rate; a step whose loss or gradient
norm is not finite is skipped (nothing applied, the schedule does not advance) and counted.

Sharding: a 1-D ``Mesh`` named ``batch`` over ``jax.devices()``. The parameters and Adam's
moments are replicated; each batch is split along its first axis; each device sums its samples'
losses (``jax.shard_map``) and a ``psum`` adds the shards, so the loss and its gradient are the
whole batch's whatever the device count (to rounding: measured equal to ~1e-15 relative over
dozens of steps, 4 devices against 1). The batch must divide by the device count.

Multi-host: ``--coordinator HOST:PORT --num-processes N --process-id I`` (or the environment's
``JAX_COORDINATOR_ADDRESS``, ``JAX_NUM_PROCESSES``, ``JAX_PROCESS_ID``, or a cluster JAX detects,
with ``--distributed``) calls ``jax.distributed.initialize`` before anything else touches JAX.
Every process draws the same global batch from the seed and hands JAX its own devices' rows;
process 0 writes the file and the report.

Deterministic: the same seed gives the same file (NumPy's PCG64 for the initial weights and the
data; not the Rust's random stream, so not the same numbers as ``lnn train --seed``).
"""

from __future__ import annotations

import json
import math
import os
import sys
import time

USAGE = """\
usage: python -m lnn_web.train [--system NAME] [--grid N] [--model lnn|baseline|hnn|graph-lnn]
         [--coordinates velocity|canonical] [--hidden 128,128]
         [--activation softplus|tanh|sigmoid|relu2|relu3|relu] [--init paper|xavier|kaiming]
         [--steps 10000] [--batch 32] [--lr 1e-3] [--schedule step|onecycle|constant]
         [--clip NORM] [--weight-decay W] [--loss l1|mse] [--weighting none|gamma] [--seed 0] [--test-size 1024]
         [--scale s1,s2,...] [--angles wrap|circle] [--solver pinv|pinv:RCOND|ridge:EPS|damped:EPS]
         [--definiteness 1000] [--precision f64] [--out model.json] [--trace FILE]
         [--log-every 2] [--quiet]
         [--coordinator HOST:PORT --num-processes N --process-id I | --distributed]

Trains on fresh samples of the true system (double-pendulum, relativistic, harmonic, free-fall,
charged-particle, wave), each batch sharded across all devices (the batch must divide by their
number); progress on stderr, a JSON summary on stdout, the weights file with --out (loads in
`lnn eval` and `lnn predict`). --trace FILE writes every step's training loss as JSON.
--weighting gamma: the relativistic particle's paper score, each sample weighted by
1 + 1/sqrt(1 - q̇²) and a canonical HNN's ṗ judged as q̈ (the true M⁻¹ inside the loss), as
`lnn train --weighting gamma`; the test loss is weighted too, and the file records it.
Simulated devices on one CPU: XLA_FLAGS=--xla_force_host_platform_device_count=4 (set before
start). Not here (use `lnn train`): --data, --lagrangian, --precision f32, --memory-budget."""

#: Settings of ``lnn train`` this trainer does not have, with why.
REFUSED = {
    "data": "training on observed trajectories (--data) is `lnn train`'s; this trainer draws true states",
    "method": "--method goes with --data, which is `lnn train`'s",
    "periodic": "--periodic goes with --data, which is `lnn train`'s",
    "lagrangian": "typed Lagrangians (--lagrangian) need the Rust expression parser: use `lnn train`",
    "parameters": "--parameters goes with --lagrangian, which is `lnn train`'s",
    "conditioning": "--conditioning goes with --lagrangian, which is `lnn train`'s",
    "ranges": "--ranges goes with --lagrangian, which is `lnn train`'s",
    "hnn-coordinates": "--hnn-coordinates goes with --lagrangian, which is `lnn train`'s",
    "memory-budget": "the JAX trainer does not size runs ahead (--memory-budget is `lnn train`'s)",
}
MAX_BATCH = 65_536
MAX_LR = 10.0
MAX_STEPS = 1_000_000_000


def main(argv: list[str] | None = None) -> int:
    """Entry point: parses the flags, sets up JAX (distributed first), trains, reports."""
    argv = sys.argv[1:] if argv is None else argv
    if any(a in ("-h", "--help") for a in argv):
        try:
            print(USAGE)
        except BrokenPipeError:  # `... --help | head`
            pass
        return 0
    from . import cli

    try:
        settings = Settings.parse(argv)
    except cli.LnnError as e:
        return cli.fail(str(e))
    return cli.run(lambda: run(settings, argv))


class Settings:
    """The command line, read and checked before JAX is set up."""

    @staticmethod
    def parse(argv: list[str]) -> "Settings":
        from . import cli

        a = cli.Args(argv, flags=("quiet", "distributed"))
        for name, why in REFUSED.items():
            if a.opt(name) is not None:
                raise cli.usage_error(f"--{name}: {why}")
        s = Settings()
        s.system = a.get("system", "double-pendulum")
        s.grid = a.opt_int("grid", minimum=3)
        s.model = a.get("model", "lnn")
        s.coordinates = a.get("coordinates", "velocity")
        s.hidden = a.list_int("hidden", [128, 128])
        s.activation = a.get("activation", "softplus")
        s.init = a.get("init", "paper")
        s.steps = a.get_int("steps", 10_000, minimum=1)
        s.batch = a.get_int("batch", 32, minimum=1)
        s.lr = a.get_float("lr", 1e-3)
        s.schedule = a.get("schedule", "step")
        s.clip = a.opt_float("clip")
        s.weight_decay = a.get_float("weight-decay", 0.0)
        s.loss = a.get("loss", "l1")
        s.weighting = a.get("weighting", "none")
        s.seed = a.get_int("seed", 0)
        s.test_size = a.get_int("test-size", 1024, minimum=1)
        s.scale = a.list_float("scale")
        s.angles = a.get("angles", "wrap")
        s.solver = a.opt("solver")
        s.definiteness = a.get_float("definiteness", 1000.0)
        s.precision = a.get("precision", "f64")
        s.out = a.opt("out")
        s.trace = a.opt("trace")
        s.log_every = a.get_float("log-every", 2.0)
        s.quiet = a.flag("quiet")
        s.coordinator = a.opt("coordinator")
        s.num_processes = a.opt_int("num-processes", minimum=1)
        s.process_id = a.opt_int("process-id", minimum=0)
        s.distributed = a.flag("distributed")
        a.finish("python -m lnn_web.train")
        s.check()
        return s

    def check(self) -> None:
        """The Rust's ``TrainConfig::validate`` for what can be checked without JAX."""
        from . import cli

        if self.precision != "f64":
            if self.precision == "f32":
                raise cli.usage_error("--precision f32: the JAX trainer runs in f64 only (use `lnn train --precision f32`)")
            raise cli.usage_error(f"--precision: unknown precision `{self.precision}`; expected one of: f64, f32")
        if self.batch > MAX_BATCH:
            raise cli.usage_error(f"invalid `--batch`: must be in 1..={MAX_BATCH}")
        if self.test_size > MAX_BATCH:
            raise cli.usage_error(f"invalid `--test-size`: must be in 1..={MAX_BATCH}")
        if not self.lr > 0.0:
            raise cli.usage_error("invalid `--lr`: must be positive and finite")
        if self.lr > MAX_LR:
            raise cli.usage_error(
                f"invalid `--lr`: {self.lr!r} is far above any rate Adam trains with (its steps are about lr in size); the limit is {MAX_LR}"
            )
        if self.steps > MAX_STEPS:
            raise cli.usage_error(f"invalid `--steps`: at most {MAX_STEPS}")
        if self.clip is not None and not self.clip > 0.0:
            raise cli.usage_error("invalid `--clip`: must be positive and finite")
        if not self.weight_decay >= 0.0:
            raise cli.usage_error("invalid `--weight-decay`: must be non-negative and finite")
        if self.schedule not in ("constant", "step", "onecycle"):
            raise cli.usage_error(f"unknown schedule `{self.schedule}`; expected one of: constant, step, onecycle")
        if self.angles not in ("wrap", "circle"):
            raise cli.usage_error(f"--angles: unknown angles `{self.angles}`; expected one of: wrap, circle")
        if self.loss not in ("l1", "mse"):
            raise cli.usage_error(f"unknown loss `{self.loss}`; expected one of: l1, mse")
        if self.weighting not in ("none", "gamma"):
            raise cli.usage_error(f"--weighting: unknown weighting `{self.weighting}`; expected one of: none, gamma")
        if self.weighting == "gamma" and self.system != "relativistic":
            raise cli.usage_error("invalid `weighting`: the γ-weight needs |q̇| < 1 (c = 1): use it for the relativistic particle")
        if self.init not in ("paper", "xavier", "kaiming"):
            raise cli.usage_error(f"unknown initialisation `{self.init}`; expected one of: paper, xavier, kaiming")
        if self.log_every <= 0.0:
            raise cli.usage_error("--log-every: must be positive (seconds between progress lines)")
        if self.grid is not None and self.system != "wave":
            raise cli.usage_error("--grid: only the wave system has a grid")
        explicit = self.coordinator is not None or self.num_processes is not None or self.process_id is not None
        if explicit and None in (self.coordinator, self.num_processes, self.process_id):
            raise cli.usage_error("multi-host training needs all of --coordinator HOST:PORT, --num-processes N and --process-id I")
        if explicit and self.process_id >= self.num_processes:
            raise cli.usage_error(f"--process-id {self.process_id} must be below --num-processes {self.num_processes}")


def initialise_distributed(s: Settings) -> bool:
    """Calls ``jax.distributed.initialize`` when asked to (flags, environment or
    ``--distributed``); True if it did. Must run before any other use of JAX."""
    import jax

    env = os.environ
    if s.coordinator is not None:
        jax.distributed.initialize(s.coordinator, s.num_processes, s.process_id)
        return True
    if "JAX_COORDINATOR_ADDRESS" in env:
        try:
            n = int(env["JAX_NUM_PROCESSES"]) if "JAX_NUM_PROCESSES" in env else None
            i = int(env["JAX_PROCESS_ID"]) if "JAX_PROCESS_ID" in env else None
        except ValueError:
            from .errors import LnnError

            raise LnnError("JAX_NUM_PROCESSES and JAX_PROCESS_ID must be whole numbers") from None
        jax.distributed.initialize(env["JAX_COORDINATOR_ADDRESS"], n, i)
        return True
    if s.distributed:
        jax.distributed.initialize()  # a cluster JAX detects (SLURM, Open MPI, Kubernetes, ...)
        return True
    return False


def run(s: Settings, argv: list[str]) -> str:
    """Trains as ``s`` says; returns the JSON summary.

    Multi-host, native code (the gloo collectives) prints connection notes on the process's
    standard output: for the run it goes to standard error, so stdout holds the summary only."""
    multi = s.coordinator is not None or s.distributed or "JAX_COORDINATOR_ADDRESS" in os.environ
    if not multi:
        return _run(s, argv)
    sys.stdout.flush()
    saved = os.dup(1)
    os.dup2(2, 1)
    try:
        return _run(s, argv)
    finally:
        sys.stdout.flush()
        os.dup2(saved, 1)
        os.close(saved)


def _run(s: Settings, argv: list[str]) -> str:
    from .errors import LnnError

    for path, flag in ((s.out, "--out"), (s.trace, "--trace")):
        if path is not None and not os.path.isdir(os.path.dirname(os.path.abspath(path))):
            raise LnnError(f"{flag} {path}: its directory does not exist")
    try:
        distributed = initialise_distributed(s)
    except (RuntimeError, ValueError) as e:
        raise LnnError(f"jax.distributed.initialize failed: {e}") from None

    import jax

    from . import models, systems
    from .trainer import Trainer

    system = systems.by_name(s.system, s.grid)
    spec = model_spec(s, system)
    devices = jax.devices()
    if s.batch % len(devices):
        raise LnnError(
            f"invalid `--batch`: {s.batch} does not divide by the {len(devices)} devices "
            f"(each device takes batch/devices samples; try --batch {max(len(devices), s.batch // len(devices) * len(devices))})"
        )
    trainer = Trainer(models.Model(spec), system, s, devices)
    initial = trainer.test_loss()
    start = time.perf_counter()
    trace = train_loop(trainer, s, quiet=s.quiet or jax.process_index() != 0)
    seconds = time.perf_counter() - start
    test = trainer.test_loss()
    if trainer.skipped > 0.5 * s.steps:
        raise LnnError(
            f"training failed: {trainer.skipped} of {s.steps} steps were skipped (non-finite loss or gradient); "
            "lower --lr, set --clip, or try --solver damped:1e-4; no weights were written"
        )
    if not math.isfinite(test):
        raise LnnError(f"training failed: the test loss is {test} (the model fails on held-out states); no weights were written")
    if jax.process_index() == 0:
        write_outputs(s, argv, trainer, trace, len(devices))
    report = {
        "system": s.system, "model": s.model, "precision": "f64", "steps": trainer.applied,
        "skipped": trainer.skipped, "test_loss": test, "initial_test_loss": initial,
        "seconds": seconds, "steps_per_s": s.steps / seconds,
        "ms_per_step_after_compile": trainer.ms_per_step(), "ms_data_per_step": trainer.ms_data_per_step(),
        "compile_seconds": trainer.first_step_seconds,
        "devices": len(devices), "processes": jax.process_count(), "process": jax.process_index(),
        "distributed": distributed, "jax": jax.__version__,
    }
    # Only finite numbers, as `lnn train` (a fresh network can fail on a test state, a 1-step
    # run has no timing to average): such entries are left out, never written as NaN.
    report = {k: v for k, v in report.items() if not (isinstance(v, float) and not math.isfinite(v))}
    return json.dumps(report, separators=(",", ":"))


def model_spec(s: Settings, system):
    """The model the settings describe: kind, the system's layout, the default input map (with
    ``--scale`` and ``--angles``) and solver, checked as ``ModelSpec::validate`` checks it."""
    import dataclasses

    from . import mlp, weights
    from .errors import LnnError
    from .solvers import Solver
    from .trainer import default_normalisation, default_solver

    if s.model not in weights.MODEL_NAMES.split(", "):
        raise LnnError(f"unknown model `{s.model}`; expected one of: {weights.MODEL_NAMES}")
    if s.system == "wave" and s.model != "graph-lnn":
        raise LnnError("invalid `--model`: the wave is learned with the graph model (graph-lnn), a density shared by all points")
    if s.system != "wave" and s.model == "graph-lnn":
        raise LnnError("invalid `--model`: graph-lnn needs a field on a grid: --system wave")
    if s.coordinates not in ("velocity", "canonical"):
        raise LnnError(f"unknown coordinates `{s.coordinates}`; expected one of: velocity, canonical")
    norm = default_normalisation(system, s.model, s.coordinates)
    if s.scale is not None:
        if len(s.scale) != len(norm):
            raise LnnError(f"--scale: give {len(norm)} numbers, one per input, not {len(s.scale)}")
        norm = dataclasses.replace(norm, scale=tuple(s.scale))
    if s.angles == "circle":  # every wrapped angle becomes a (cos, sin) pair
        norm = dataclasses.replace(norm, wrap=(False,) * len(norm), circle=tuple(w or c for w, c in zip(norm.wrap, norm.circle)))
    spec = weights.Spec(
        kind=s.model, system=s.system, dof=system.dof, conditioning=system.conditioning,
        coordinates=s.coordinates, hidden=tuple(s.hidden), activation=s.activation, norm=norm,
        solver=Solver.from_name(s.solver) if s.solver else default_solver(s.system, s.model),
        definiteness=s.definiteness, precision="f64",
        grid_spacing=1.0 / system.dof if s.system == "wave" else None,
    )
    spec.validate()
    mlp.check_sizes(spec.sizes())
    return spec


def train_loop(trainer, s: Settings, quiet: bool) -> list:
    """Runs ``--steps`` steps with a progress line on stderr every ``--log-every`` seconds;
    returns every step's training loss (None where it was not finite)."""
    start = last = time.perf_counter()
    trace = []
    for step in range(s.steps):
        loss, _ = trainer.step()
        trace.append(loss if math.isfinite(loss) else None)
        now = time.perf_counter()
        if not quiet and (now - last >= s.log_every or step + 1 == s.steps):
            last = now
            rate = (step + 1) / (now - start)
            print(
                f"train: step {step + 1}/{s.steps}  loss {loss:.3e}  lr {trainer.rate(step):.1e}  "
                f"skipped {trainer.skipped}  {rate:.1f} steps/s  ETA {(s.steps - step - 1) / rate:.0f} s",
                file=sys.stderr,
            )
    return trace


def write_outputs(s: Settings, argv: list[str], trainer, trace: list, devices: int) -> None:
    """The weights file (``--out``), with the command in ``made_by``, and the trace (``--trace``)."""
    import jax

    from . import weights
    from .errors import LnnError

    if s.out is not None:
        where = f"{devices} device{'s' if devices > 1 else ''}"
        if jax.process_count() > 1:
            where += f", {jax.process_count()} processes"
        made_by = f"python -m lnn_web.train {' '.join(argv)} (JAX {jax.__version__}, {where})"
        weights.write(s.out, trainer.weights_file(made_by))
    if s.trace is not None:
        try:
            with open(s.trace, "w") as f:
                json.dump({"losses": trace, "devices": devices}, f)
        except OSError as e:
            raise LnnError(f"cannot write {s.trace}: {e.strerror or e}") from None


if __name__ == "__main__":
    sys.exit(main())
