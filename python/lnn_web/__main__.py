"""``python -m lnn_web predict --model FILE --states FILE`` (or ``--system NAME [--grid N]``):
the same JSON on stdout as ``lnn predict``, byte for byte in format; errors as ``lnn``'s:
``error: MESSAGE`` on stderr and exit code 2, never a traceback for bad input.
"""

from __future__ import annotations

import sys

from . import cli


USAGE = """\
usage: python -m lnn_web predict --model FILE --states FILE
       python -m lnn_web predict --system NAME [--grid N] --states FILE

  --model FILE    a weights file (lnn-web-weights, version 1)
  --system NAME   a true system instead: double-pendulum, relativistic, harmonic, free-fall,
                  charged-particle, wave (--grid N, default 100)
  --states FILE   a JSON array of states [q..., q̇..., c...]

Prints a JSON array with one entry per state, as `lnn predict` does: q̈ for an lnn, baseline
or graph-lnn model, the full (q̇, ṗ) for an hnn, and {"accelerations": [...], "energy": E} for a
true system."""


def predict(argv: list[str]) -> str:
    """The output of ``predict`` for the arguments ``argv`` (after the command)."""
    from . import jsonfmt, models, states, systems

    args = cli.Args(argv, flags=())
    model_path = args.opt("model")
    system_name = args.opt("system")
    grid = args.opt_int("grid")
    states_path = args.opt("states")
    args.finish()
    if states_path is None:
        raise cli.usage_error("--states FILE is required (a JSON array of states)")
    if model_path is not None and (system_name is not None or grid is not None):
        raise cli.usage_error("give --model FILE or a true system (--system), not both")
    if model_path is None:
        if system_name is None:
            if grid is not None:
                raise cli.usage_error("--grid goes with --system wave")
            raise cli.usage_error("--model FILE or --system NAME is required")
        system = systems.by_name(system_name, grid)
        xs = states.read(states_path, system.state_len, system.name)
        out = []
        for i, x in enumerate(xs):
            try:
                acc, energy = system.predict_one(x)
            except cli.LnnError as e:
                raise cli.LnnError(f"state {i}: {e}") from None
            out.append({"accelerations": [float(a) for a in acc], "energy": float(energy)})
        return jsonfmt.dumps(out)
    model, file = models.load(model_path)
    xs = states.read(states_path, model.spec.state_len(), file.system)
    result = model.predict(xs) if len(xs) else []
    return jsonfmt.dumps([[float(v) for v in row] for row in result])


def main(argv: list[str] | None = None) -> int:
    """``python -m lnn_web COMMAND ...``; returns the exit code."""
    argv = sys.argv[1:] if argv is None else argv
    if not argv:
        print(USAGE, file=sys.stderr)
        return 2
    command, rest = argv[0], argv[1:]
    if command in ("-h", "--help", "help") or any(a in ("-h", "--help") for a in rest):
        try:
            print(USAGE)
        except BrokenPipeError:  # `... --help | head`
            pass
        return 0
    if command != "predict":
        return cli.fail(f"unknown command `{command}`; this module has `predict` (training: python -m lnn_web.train)")
    return cli.run(lambda: predict(rest))


if __name__ == "__main__":
    sys.exit(main())
