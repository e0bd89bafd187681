"""Readers for every source format. Each reader yields samples or the errors of bad samples.

``(label, image)`` tuples come out for good samples; a bad sample comes out as a
:class:`~handpad.errors.DataFormatError` (naming file and line/offset) so the converter can
skip and count it, or stop at it with ``--strict``. A file that cannot be read at all
raises the DataFormatError instead.
"""

from pathlib import Path

from ..errors import DataFormatError


def read_input(path) -> bytes:
    """The bytes of an input file; an unreadable file is a DataFormatError naming it."""
    try:
        return Path(path).read_bytes()
    except OSError as e:
        raise DataFormatError(path, f"cannot read file ({e.strerror or e})") from None
