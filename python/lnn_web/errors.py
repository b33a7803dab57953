"""The one error type of this package: a message a user can act on, naming what is wrong.

Why one type: the command-line entry points catch exactly this and print ``error: MESSAGE`` with
exit code 2 (as ``lnn`` does), so bad input never ends in a traceback, while a genuine bug (any
other exception) still does.
"""

from __future__ import annotations

import os


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


#: The largest file read (a states file's parse takes a few times its size; the Rust checks the
#: same against its 4 GiB budget).
MAX_FILE_BYTES = 1 << 30


def read_text(path: str, not_text: str) -> str:
    """The UTF-8 text of the file at ``path``; an unreadable, oversized or binary file is an
    :class:`LnnError` naming it (``not_text``: what to say of binary data)."""
    try:
        size = os.path.getsize(path)
        if size > MAX_FILE_BYTES:
            raise LnnError(f"{path}: the file is {size / 2**30:.1f} GiB, more than the 1 GiB this reads")
        with open(path, encoding="utf-8") as f:
            return f.read()
    except OSError as e:
        raise LnnError(f"cannot read {path}: {e.strerror or e}") from None
    except UnicodeDecodeError:
        raise LnnError(f"{path}{not_text}") from None
