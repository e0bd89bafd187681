"""PHD08 reader: one text file per syllable (``가.txt``), 2187 binary scans in each.

One sample::

    S_0_0_0_0_1          font, then five variant indices: size, noise, resolution, threshold, rotation
    22 29                rows, columns
    0000000111000...     ``rows`` lines of ``columns`` characters, 1 = ink
                         a blank line ends the sample (it may be missing; CRLF is fine too)

The parser works on the bytes of one file at a time with numpy (the corpus never sits in
memory) and parses pixels only for the samples that the selection keeps.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator

import numpy as np

from ..errors import DataFormatError
from ..labels import is_ksx1001_syllable

FONTS = ("S", "G", "M", "N", "B", "D", "Y", "H1", "H2")
VARIANT_FIELDS = ("size", "noise", "resolution", "threshold", "rotation")
# What the original project kept: every font, size and rotation; noise 0, resolution 2, binarization 1.
PRESETS = {"original": r"[A-Z0-9]+_[0-2]_0_2_1_[0-2]", "all": r"[A-Z0-9]+_[0-2]_[0-2]_[0-2]_[0-2]_[0-2]"}
_NAME_RE = re.compile(rb"^([A-Za-z0-9]+)_(\d+)_(\d+)_(\d+)_(\d+)_(\d+)$")
_DIMS_RE = re.compile(rb"^(\d+)[ \t]+(\d+)$")


@dataclass
class Phd08Selection:
    """Which samples to keep: by font, by each variant field, and/or by a regex on the name."""

    fonts: tuple[str, ...] | None = None
    variants: dict[str, tuple[int, ...]] = field(default_factory=dict)
    regex: str | None = None

    def __post_init__(self):
        for k in self.variants:
            if k not in VARIANT_FIELDS:
                raise ValueError(f"unknown PHD08 variant field {k!r}; use one of {', '.join(VARIANT_FIELDS)}")
        self._re = re.compile(self.regex) if self.regex else None

    @classmethod
    def preset(cls, name: str) -> "Phd08Selection":
        if name not in PRESETS:
            raise ValueError(f"unknown PHD08 preset {name!r}; use one of {', '.join(PRESETS)}")
        return cls(regex=PRESETS[name])

    def keeps(self, name: str) -> bool:
        if self._re is not None and not self._re.fullmatch(name):
            return False
        font, *idx = name.split("_")
        if self.fonts is not None and font not in self.fonts:
            return False
        for fld, allowed in self.variants.items():
            if int(idx[VARIANT_FIELDS.index(fld)]) not in allowed:
                return False
        return True

    def to_dict(self) -> dict:
        return {"fonts": list(self.fonts) if self.fonts else None, "variants": {k: list(v) for k, v in self.variants.items()}, "regex": self.regex}


def label_from_filename(path) -> str:
    """``.../가.txt`` -> ``가``; anything but one KS X 1001 syllable is an error naming the file."""
    path = Path(path)
    stem = path.stem
    if len(stem) != 1 or not is_ksx1001_syllable(stem):
        raise DataFormatError(path, f"file name must be one Hangul syllable (e.g. 가.txt), got {stem!r}")
    return stem


def read_phd08(path, data: bytes | None = None, keep: Callable[[str], bool] | None = None) -> Iterator:
    """Yield ``(name, image)`` (image: bool rows x cols, True = ink) or DataFormatError per bad sample.

    Raises DataFormatError if the file as a whole is unusable (empty, no samples).
    """
    path = Path(path)
    if data is None:
        try:
            data = path.read_bytes()
        except OSError as e:
            raise DataFormatError(path, f"cannot read file ({e.strerror or e})") from None
    if not data.strip():
        raise DataFormatError(path, "empty file: no PHD08 samples in it", line=1)
    if b"\r" in data:
        data = data.replace(b"\r\n", b"\n")  # CRLF files are valid; line numbers are unchanged
    buf = np.frombuffer(data, np.uint8)
    ends = np.flatnonzero(buf == 10)
    if len(buf) and buf[-1] != 10:
        ends = np.append(ends, len(buf))
    starts = np.concatenate(([0], ends[:-1] + 1))
    lengths = ends - starts
    n_lines = len(ends)

    def line(k: int) -> bytes:
        return data[starts[k] : ends[k]].strip()

    def resync(k: int) -> int:
        # After a bad sample, continue at the next line that looks like a sample name.
        while k < n_lines and not _NAME_RE.match(line(k)):
            k += 1
        return k

    k = 0
    found = 0
    while k < n_lines:
        if lengths[k] == 0 or not line(k):
            k += 1
            continue
        head = line(k)
        m = _NAME_RE.match(head)
        if not m:
            yield DataFormatError(path, f"expected a sample name like S_0_0_0_0_1, got {_show(head)}", line=k + 1)
            k = resync(k + 1)
            continue
        name = head.decode("ascii")
        found += 1
        if k + 1 >= n_lines:
            yield DataFormatError(path, f"sample {name}: truncated, no 'rows columns' line", line=k + 1)
            break
        dims = _DIMS_RE.match(line(k + 1))
        if not dims:
            yield DataFormatError(path, f"sample {name}: expected 'rows columns', got {_show(line(k + 1))}", line=k + 2)
            k = resync(k + 2)
            continue
        rows, cols = int(dims.group(1)), int(dims.group(2))
        first = k + 2
        if rows == 0 or cols == 0:
            yield DataFormatError(path, f"sample {name}: empty image ({rows} x {cols})", line=k + 2)
            k = resync(first)
            continue
        last = first + rows  # exclusive
        # Rows actually present: consecutive non-blank lines after the header.
        avail = min(last, n_lines)
        row_lens = lengths[first:avail]
        blank = np.flatnonzero(row_lens == 0)
        present = int(blank[0]) if len(blank) else len(row_lens)
        if present < rows:
            if first + present >= n_lines:
                msg = f"sample {name}: truncated, file ends after {present} of {rows} rows"
            else:
                msg = f"sample {name}: has {present} rows, header says {rows}"
            yield DataFormatError(path, msg, line=first + present + 1)
            k = resync(first + present)
            continue
        wrong = np.flatnonzero(row_lens != cols)
        if len(wrong):
            r = int(wrong[0])
            yield DataFormatError(
                path, f"sample {name}: row {r + 1} has {int(row_lens[r])} characters, header says {cols}", line=first + r + 1
            )
            k = resync(first + r + 1)
            continue
        if last < n_lines and lengths[last] and not _NAME_RE.match(line(last)):
            yield DataFormatError(path, f"sample {name}: more rows than the {rows} its header says", line=last + 1)
            k = resync(last)
            continue
        if keep is None or keep(name):
            block = buf[starts[first] : starts[first] + rows * (cols + 1) - 1]
            if len(block) < rows * (cols + 1) - 1:  # only the last row may lack its newline
                block = np.concatenate((block, np.full(rows * (cols + 1) - 1 - len(block), 10, np.uint8)))
            block = np.concatenate((block, [10])).reshape(rows, cols + 1)[:, :cols]
            bad = (block != 48) & (block != 49)
            if bad.any():
                r, c = np.argwhere(bad)[0]
                yield DataFormatError(
                    path,
                    f"sample {name}: character {_show(bytes([block[r, c]]))} at column {c + 1}; only 0 and 1 are allowed",
                    line=first + int(r) + 1,
                )
            else:
                yield name, block == 49
        k = last
    if found == 0:
        raise DataFormatError(path, "no PHD08 samples found (is this a PHD08 .txt file?)", line=1)


def _show(b: bytes, limit: int = 30) -> str:
    s = b.decode("utf-8", "replace")
    return repr(s if len(s) <= limit else s[:limit] + "...")
