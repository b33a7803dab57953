"""What the command-line entry points share: ``lnn``'s ``--name value`` flags (every flag must be
known, every value must parse, the message names the flag) and its way of failing (``error:
MESSAGE`` on stderr, exit code 2).

Why not argparse: its errors are a usage dump with exit code 2 but a different wording, it
accepts abbreviations (``--hid`` for ``--hidden``) and repeated flags silently; the Rust CLI
refuses both, and the two CLIs should read the same command lines the same way.
"""

from __future__ import annotations

import math
import sys
from typing import Callable, Iterable

from .errors import LnnError

__all__ = ["Args", "LnnError", "fail", "run", "usage_error"]


def usage_error(message: str) -> LnnError:
    """A bad command line."""
    return LnnError(message)


class Args:
    """Parsed ``--name value`` pairs and bare ``--switch``es (``--name=value`` too)."""

    def __init__(self, argv: Iterable[str], flags: Iterable[str] = ()):
        self.values: dict[str, str] = {}
        self.used: set[str] = set()
        switches = set(flags)
        it = iter(argv)
        for a in it:
            if not a.startswith("--"):
                raise usage_error(f"unexpected argument `{a}` (flags look like --name value)")
            name, eq, value = a[2:].partition("=")
            if not eq:
                if name in switches:
                    value = "true"
                else:
                    try:
                        value = next(it)
                    except StopIteration:
                        raise usage_error(f"--{name} needs a value") from None
            if name in self.values:
                raise usage_error(f"--{name} given twice")
            self.values[name] = value

    def opt(self, name: str) -> str | None:
        """The value of ``--name`` as text, if given."""
        self.used.add(name)
        return self.values.get(name)

    def get(self, name: str, default: str) -> str:
        """The value of ``--name``, or ``default``."""
        v = self.opt(name)
        return default if v is None else v

    def opt_int(self, name: str, minimum: int = 0) -> int | None:
        """``--name`` as a whole number ≥ ``minimum``, if given."""
        v = self.opt(name)
        if v is None:
            return None
        try:
            n = int(v.strip())
        except ValueError:
            raise usage_error(f"--{name}: cannot read `{v}` as a whole number") from None
        if n < minimum:
            raise usage_error(f"--{name}: {n} is below {minimum}")
        return n

    def get_int(self, name: str, default: int, minimum: int = 0) -> int:
        v = self.opt_int(name, minimum)
        return default if v is None else v

    def opt_float(self, name: str) -> float | None:
        """``--name`` as a finite number, if given."""
        v = self.opt(name)
        if v is None:
            return None
        try:
            x = float(v.strip())
        except ValueError:
            raise usage_error(f"--{name}: cannot read `{v}` as a number") from None
        if not math.isfinite(x):
            raise usage_error(f"--{name}: {v} is not a finite number")
        return x

    def get_float(self, name: str, default: float) -> float:
        v = self.opt_float(name)
        return default if v is None else v

    def flag(self, name: str) -> bool:
        """True when the switch ``--name`` was given."""
        self.used.add(name)
        return name in self.values

    def list_int(self, name: str, default: list[int]) -> list[int]:
        """``--name a,b,c`` as whole numbers."""
        v = self.opt(name)
        if v is None:
            return list(default)
        out = []
        for p in v.split(","):
            try:
                out.append(int(p.strip()))
            except ValueError:
                raise usage_error(f"--{name}: `{p}` is not a whole number") from None
        return out

    def list_float(self, name: str) -> list[float] | None:
        """``--name a,b,c`` as numbers, if given."""
        v = self.opt(name)
        if v is None:
            return None
        out = []
        for p in v.split(","):
            try:
                out.append(float(p.strip()))
            except ValueError:
                raise usage_error(f"--{name}: `{p}` is not a number") from None
        return out

    def finish(self, program: str = "python -m lnn_web") -> None:
        """Fails on a flag nobody asked for (call after reading every flag)."""
        for k in self.values:
            if k not in self.used:
                raise usage_error(f"unknown flag --{k}; see `{program} --help`")


def fail(message: str) -> int:
    """Prints ``error: message`` on stderr; returns exit code 2."""
    print(f"error: {message}", file=sys.stderr)
    return 2


def run(body: Callable[[], str]) -> int:
    """Runs ``body``, prints what it returns (with a final newline) and returns 0, or prints
    its :class:`LnnError` as ``error: ...`` and returns 2."""
    try:
        out = body()
    except LnnError as e:
        return fail(str(e))
    except KeyboardInterrupt:
        return fail("interrupted")
    sys.stdout.write(out if out.endswith("\n") else out + "\n")
    sys.stdout.flush()
    return 0
