"""Quieting native libraries' chatter on stderr.

LiteRT prints ``INFO: Created TensorFlow Lite XNNPACK delegate for CPU.`` from C++ each time an
interpreter applies its default delegate (at the first ``allocate_tensors()``), and no setting
turns it off: ``TF_CPP_MIN_LOG_LEVEL`` and the like do not reach LiteRT's minimal logger
(checked with ai-edge-litert 2.3.0). :func:`quiet_native_stderr` sends file descriptor 2 to a
temporary file for the duration of a block, then writes back every line except the known
noise -- so real warnings and errors still reach the user, just after the block.
"""
from __future__ import annotations

import os
import sys
import tempfile
import threading
from contextlib import contextmanager
from typing import Iterator

# Lines (substrings, bytes) that are dropped; everything else written to fd 2 is kept.
NOISE = (b"Created TensorFlow Lite XNNPACK delegate for CPU.",)

_lock = threading.RLock()  # fd 2 is process-wide: one redirection at a time
_depth = 0


@contextmanager
def quiet_native_stderr(drop: tuple[bytes, ...] = NOISE) -> Iterator[None]:
    """Within the block, drop the lines written to stderr (fd 2, native code included) that contain
    one of ``drop``; the other lines are written to stderr when the block ends (also on errors).

    Wrap what prints the noise: for LiteRT, the interpreter's construction AND its first
    ``allocate_tensors()`` (that is where the XNNPACK line is printed). Nested uses are no-ops;
    other threads that write to stderr meanwhile are delayed to the end of the block, not lost.
    """
    global _depth
    with _lock:
        if _depth:
            yield
            return
        _flush_python_stderr()
        try:
            saved = os.dup(2)
        except OSError:  # no stderr at all (e.g. pythonw): nothing to quiet
            yield
            return
        _depth += 1
        try:
            with tempfile.TemporaryFile() as tmp:
                os.dup2(tmp.fileno(), 2)
                try:
                    yield
                finally:
                    _flush_python_stderr()
                    os.dup2(saved, 2)
                    tmp.seek(0)
                    lines = tmp.read().splitlines(keepends=True)
                    _write_all(2, b"".join(line for line in lines if not any(d in line for d in drop)))
        finally:
            os.close(saved)
            _depth -= 1


def _flush_python_stderr() -> None:
    try:
        if sys.stderr is not None:
            sys.stderr.flush()
    except (OSError, ValueError):
        pass


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        try:
            written = os.write(fd, view)
        except OSError:
            return
        view = view[written:]
