"""PHD08 reader: one text file per syllable (``가.txt``), 2187 binary scans in each.

One sample::

    S_0_0_0_0_1          font, then five variant indices: size, noise, resolution, threshold, rotation
    22 29                rows, columns
    0000000111000...     ``rows`` lines of ``columns`` characters, 1 = ink
                         a blank line ends the sample (it may be missing; CRLF is fine too)

The parser reads one file at a time (the corpus never sits in memory). It indexes the file's
lines once with numpy -- where each line starts, how long it is, whether it holds only 0/1 --
so checking a sample costs a few integer look-ups, and pixels are decoded only for the
samples that the selection keeps.
"""
from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator

import numpy as np

from ..errors import DataFormatError, HandpadError
from ..labels import is_ksx1001_syllable, label_space
from ..preprocess import HANGUL_CONFIG, PreprocessConfig
from . import Input, Reader, check_size, input_files, read_input

FONTS = ("S", "G", "M", "N", "B", "D", "Y", "H1", "H2")
VARIANT_FIELDS = ("size", "noise", "resolution", "threshold", "rotation")
# What the original project kept: every font, size and rotation; noise 0, resolution 2, binarization 1.
PRESETS = {"original": r"[A-Z0-9]+_[0-2]_0_2_1_[0-2]", "all": r"[A-Z0-9]+_[0-2]_[0-2]_[0-2]_[0-2]_[0-2]"}
SAMPLES_PER_FILE = 2187  # 9 fonts x 3^5 variants
_NAME_RE = re.compile(rb"^([A-Za-z0-9]+)_(\d+)_(\d+)_(\d+)_(\d+)_(\d+)$")
_DIMS_RE = re.compile(rb"^(\d+)[ \t]+(\d+)$")
_ZERO, _ONE, _NL, _CR = 48, 49, 10, 13


@dataclass
class Phd08Selection:
    """Which samples to keep: by font, by each variant field, and/or by a regex on the name."""

    fonts: tuple[str, ...] | None = None
    variants: dict[str, tuple[int, ...]] = field(default_factory=dict)
    regex: str | None = None

    def __post_init__(self):
        # The messages name the flags of `handpad convert phd08`, which builds this from them.
        for k, values in self.variants.items():
            if k not in VARIANT_FIELDS:
                raise ValueError(f"unknown PHD08 variant field {k!r}; use one of {', '.join(VARIANT_FIELDS)}")
            if not values or any(v not in (0, 1, 2) for v in values):
                raise HandpadError(f"--{k}s: expected a list of 0, 1, 2, got {list(values)}")
        unknown = [f for f in self.fonts or () if f not in FONTS]
        if unknown:
            raise HandpadError(f"unknown PHD08 font(s) {', '.join(unknown)}; fonts are {','.join(FONTS)}")
        try:
            self._re = re.compile(self.regex) if self.regex else None
        except re.error as e:
            raise HandpadError(f"--regex {self.regex!r} is not a valid regular expression ({e})") from None

    @classmethod
    def preset(cls, name: str) -> "Phd08Selection":
        if name not in PRESETS:
            raise ValueError(f"unknown PHD08 preset {name!r}; use one of {', '.join(PRESETS)}")
        return cls(regex=PRESETS[name])

    @property
    def keeps_all(self) -> bool:
        return self._re is None and self.fonts is None and not self.variants

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


@dataclass
class Phd08Options:
    """How PHD08 samples become store images: which are kept, the preprocessing, an optional
    blur and binarization after it."""

    selection: Phd08Selection = field(default_factory=Phd08Selection)
    config: PreprocessConfig = field(default_factory=lambda: HANGUL_CONFIG)
    gaussian_sigma: float = 0.0
    binarize: float | None = None  # ink where the preprocessed value > this (0-1)

    def __post_init__(self):
        check_size(self.config.size)
        if self.binarize is not None and not 0 <= self.binarize < 1:
            raise HandpadError(f"--binarize must be in [0, 1), not {self.binarize}")
        if self.gaussian_sigma < 0:
            raise HandpadError(f"--gaussian-sigma must be >= 0, not {self.gaussian_sigma}")

    def to_dict(self) -> dict:
        return {
            "selection": self.selection.to_dict(),
            "preprocess": self.config.to_dict(),
            "gaussian_sigma": self.gaussian_sigma,
            "binarize": self.binarize,
        }


def label_from_filename(path) -> str:
    """``.../가.txt`` -> ``가``; anything but one KS X 1001 syllable is an error naming the file."""
    path = Path(path)
    stem = path.stem
    if len(stem) != 1 or not is_ksx1001_syllable(stem):
        raise DataFormatError(path, f"file name must be one Hangul syllable (e.g. 가.txt), got {stem!r}")
    return stem


def read_phd08(path, data: bytes | None = None, keep: Callable[[str], bool] | None = None) -> Iterator:
    """Yield ``(name, image)`` (image: bool rows x cols, True = ink) or DataFormatError per bad sample.

    Bad samples are reported with the line where reading went wrong and skipped; reading
    continues at the next line that looks like a sample name. Raises DataFormatError if the
    file as a whole is unusable (unreadable, empty, no samples).
    """
    path = Path(path)
    if data is None:
        data = read_input(path)
    if not data.strip():
        raise DataFormatError(path, "empty file: no PHD08 samples in it", line=1)
    buf = np.frombuffer(data, np.uint8)

    # -- index the lines once (vectorized) ---------------------------------------------------
    ends = np.flatnonzero(buf == _NL)
    if buf[-1] != _NL:
        ends = np.append(ends, len(buf))
    starts = np.concatenate(([0], ends[:-1] + 1))
    # CRLF files are valid: a CR before the newline is not part of the line (no copy of the file).
    crlf = (ends > starts) & (buf[np.maximum(ends - 1, 0)] == _CR) & (ends < len(buf))
    lengths = ends - starts - crlf
    n_lines = len(ends)
    # A pixel row is a non-empty line of only '0'/'1'. Other bytes are rare (headers), so
    # count them per line through their positions instead of a full-size cumulative sum.
    other = np.flatnonzero((buf != _ZERO) & (buf != _ONE) & (buf != _NL))
    other = other[(buf[other] != _CR) | (buf[np.minimum(other + 1, len(buf) - 1)] != _NL) | (other + 1 >= len(buf))]
    n_other = np.searchsorted(other, ends - crlf) - np.searchsorted(other, starts)
    not_pixel = np.flatnonzero((lengths == 0) | (n_other > 0)).tolist()  # lines that end a run of rows
    length_changes = (np.flatnonzero(np.diff(lengths) != 0) + 1).tolist()  # k: len(k) != len(k-1)
    starts_l, lengths_l = starts.tolist(), lengths.tolist()

    def line(k: int) -> bytes:
        return data[starts_l[k] : starts_l[k] + lengths_l[k]].strip()

    def rows_from(k: int) -> int:
        """Number of consecutive pixel rows starting at line k."""
        j = bisect_left(not_pixel, k)
        return (not_pixel[j] if j < len(not_pixel) else n_lines) - k

    def resync(k: int) -> int:
        # After a bad sample, continue at the next line that looks like a sample name.
        j = bisect_left(not_pixel, k)
        while j < len(not_pixel) and not _NAME_RE.match(line(not_pixel[j])):
            j += 1
        return not_pixel[j] if j < len(not_pixel) else n_lines

    # -- walk the samples ---------------------------------------------------------------------
    k = 0
    found = 0
    while k < n_lines:
        head = line(k)
        if not head:
            k += 1
            continue
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
        present = rows_from(first)
        # The first row whose length differs from the header's column count, if any.
        j = bisect_right(length_changes, first)
        change = length_changes[j] if j < len(length_changes) else n_lines
        wrong = first if (present and lengths_l[first] != cols) else change
        if wrong < first + min(present, rows):
            r = wrong - first
            if wrong == n_lines - 1 and buf[-1] != _NL and lengths_l[wrong] < cols:
                msg = f"sample {name}: truncated, file ends inside row {r + 1} ({lengths_l[wrong]} of {cols} characters)"
            else:
                msg = f"sample {name}: row {r + 1} has {lengths_l[wrong]} characters, header says {cols}"
            yield DataFormatError(path, msg, line=wrong + 1)
            k = resync(wrong + 1)
            continue
        if present < rows:
            stop = first + present  # the line that ended the rows early
            if stop >= n_lines:
                msg = f"sample {name}: truncated, file ends after {present} of {rows} rows"
            elif not line(stop) or _NAME_RE.match(line(stop)):
                msg = f"sample {name}: has {present} rows, header says {rows}"
            else:
                raw = data[starts_l[stop] : starts_l[stop] + lengths_l[stop]]
                c = next(i for i, b in enumerate(raw) if b not in (_ZERO, _ONE))
                msg = f"sample {name}: character {_show(raw[c : c + 1])} at column {c + 1}; only 0 and 1 are allowed"
            yield DataFormatError(path, msg, line=min(stop + 1, n_lines))
            k = resync(stop)
            continue
        last = first + rows  # exclusive
        if present > rows:
            yield DataFormatError(path, f"sample {name}: more rows than the {rows} its header says", line=last + 1)
            k = resync(last)
            continue
        if keep is None or keep(name):
            # Rows are consecutive lines of `cols` bytes + LF or CRLF: one reshape decodes them.
            stride = (starts_l[first + 1] - starts_l[first]) if rows > 1 else cols + 1
            begin = starts_l[first]
            if starts_l[last - 1] - begin == (rows - 1) * stride and stride >= cols:
                block = buf[begin : begin + rows * stride]
                if len(block) < rows * stride:  # the file's last row may lack its line end
                    block = np.concatenate((block, np.zeros(rows * stride - len(block), np.uint8)))
                image = block.reshape(rows, stride)[:, :cols] == _ONE
            else:  # mixed line ends inside one sample
                image = np.stack([buf[starts_l[r] : starts_l[r] + cols] for r in range(first, last)]) == _ONE
            yield name, image
        k = last
    if found == 0:
        raise DataFormatError(path, "no PHD08 samples found (is this a PHD08 .txt file?)", line=1)


def _show(b: bytes, limit: int = 30) -> str:
    s = b.decode("utf-8", "replace")
    return repr(s if len(s) <= limit else s[:limit] + "...")


# -- the reader of handpad.convert ------------------------------------------------------------
class Phd08Reader(Reader):
    """PHD08 files or folders of them; one input per file, its label from its name."""

    name = "phd08"
    ink = "bright"
    no_ink = "no ink (all zeros)"

    def __init__(self, paths, options: Phd08Options | None = None):
        self.paths = list(paths)
        self.options = options or Phd08Options()
        self.label_space = label_space("hangul-ksx1001")
        self.config = self.options.config
        self.gaussian_sigma, self.binarize = self.options.gaussian_sigma, self.options.binarize

    def manifest_options(self) -> dict:
        return self.options.to_dict()

    def inputs(self) -> list[Input | DataFormatError]:
        """One input per ``.txt`` file; a file not named by one syllable is a failed input."""
        found: list[Input | DataFormatError] = []
        for f in input_files(self.paths, (".txt",)):
            try:
                label_from_filename(f)
                found.append(Input(f.name, f))
            except DataFormatError as e:
                found.append(e)
        if not any(isinstance(i, Input) for i in found):
            first = next((f" ({e})" for e in found), "")
            raise DataFormatError(", ".join(map(str, self.paths)), "no PHD08 input files named like 가.txt" + first)
        return found

    def read(self, input: Input) -> Iterator:
        path = input.ref
        label = self.label_space.index(label_from_filename(path))
        selection = self.options.selection
        keep = None if selection.keeps_all else selection.keeps  # no name test when all are kept
        for item in read_phd08(path, keep=keep):
            yield item if isinstance(item, DataFormatError) else (item[1], label, (path, f"sample {item[0]}"))
