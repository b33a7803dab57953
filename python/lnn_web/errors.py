"""The one error type of this package: a message a user can act on, naming what is wrong.

Why one type: the command-line entry points catch exactly this and print ``error: MESSAGE`` with
exit code 2 (as ``lnn`` does), so bad input never ends in a traceback, while a genuine bug (any
other exception) still does.
"""

from __future__ import annotations


class LnnError(ValueError):
    """Bad user input: a weights file, a states file, a setting. ``field`` names the culprit
    when there is one (``grid``, ``params``, ``--batch``)."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


def invalid(field: str, reason: str) -> LnnError:
    """The Rust core's ``Error::InvalidConfig``: "invalid `FIELD`: REASON"."""
    return LnnError(f"invalid `{field}`: {reason}", field)


def unknown(kind: str, name: str, expected: str, field: str | None = None) -> LnnError:
    """The Rust core's ``Error::Unknown``: "unknown KIND `NAME`; expected one of: ..."."""
    return LnnError(f"unknown {kind} `{name}`; expected one of: {expected}", field or kind)
