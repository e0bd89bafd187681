"""Errors that carry a message meant for the user.

Every error the package raises on purpose derives from :class:`HandpadError`, so the CLI
can print it without a traceback and exit non-zero. Data errors name the file and the
line (text formats) or byte offset (binary formats) where reading went wrong.
"""
from __future__ import annotations

import os


class HandpadError(Exception):
    """An error with a message for the user (the CLI prints it and exits 1)."""


class DataFormatError(HandpadError, ValueError):
    """A file is not in the format it claims to be; says where."""

    def __init__(self, path, message: str, *, line: int | None = None, offset: int | None = None):
        self.path = os.fspath(path) if path is not None else "<memory>"
        self.line = line
        self.offset = offset
        self.reason = message
        where = self.path
        if line is not None:
            where += f":{line}"
        elif offset is not None:
            where += f" (byte {offset})"
        super().__init__(f"{where}: {message}")

    def __reduce__(self):
        # Exceptions pickle as cls(*args), which this __init__ cannot take; process pools send
        # these back from workers, so rebuild from the parts.
        return _rebuild_data_format_error, (type(self), self.path, self.reason, self.line, self.offset)


def _rebuild_data_format_error(cls, path, reason, line, offset):
    return cls(path, reason, line=line, offset=offset)


class NothingDrawnError(HandpadError, ValueError):
    """The image has no ink: there is nothing to recognize."""

    def __init__(self, message: str = "nothing drawn: the image has no ink (draw something first)"):
        super().__init__(message)


class StoreError(HandpadError):
    """A dataset store is missing, incomplete or inconsistent."""


class ModelError(HandpadError):
    """A model file is missing, corrupt or inconsistent with its labels."""
