"""HGU1 reader: the files of PE92 and SERI95, the public handwritten Hangul sets.

A file is the 8-byte header ``HGU1    `` followed by images, each::

    2 bytes   character code: the KS X 1001 / EUC-KR byte pair (B0 A1 = 가)
    1 byte    width
    1 byte    height
    1 byte    type (0 = 8-bit gray; no other type is documented)
    1 byte    reserved
    width x height bytes of gray, row-major; either polarity occurs

A sample with an undecodable code is skipped (its length is known). A truncated image or an
unknown type ends the file (nothing after it can be located); both are reported with the
byte offset.
"""
from __future__ import annotations

from pathlib import Path
from typing import Iterator

import numpy as np

from ..errors import DataFormatError
from ..labels import euckr_pair_to_char, label_space, space_for_labels
from ..preprocess import HANGUL_CONFIG, PreprocessConfig
from . import Input, Reader, input_files, read_input

MAGIC = b"HGU1    "
IMAGE_HEADER = 6
GRAY8 = 0


def read_hgu1(path, data: bytes | None = None) -> Iterator:
    """Yield ``(char, image)`` (uint8 height x width gray) or a DataFormatError per bad sample.

    Raises DataFormatError if the file cannot be read or does not start with the HGU1 header.
    """
    path = Path(path)
    if data is None:
        data = read_input(path)
    if data[: len(MAGIC)] != MAGIC:
        raise DataFormatError(path, f"bad header {data[:len(MAGIC)]!r}, expected {MAGIC!r} (not an HGU1 file)", offset=0)
    size = len(data)
    pos = len(MAGIC)
    if pos == size:
        raise DataFormatError(path, "no images after the header", offset=pos)
    while pos < size:
        if size - pos < IMAGE_HEADER:
            yield DataFormatError(path, f"truncated image header: {size - pos} of {IMAGE_HEADER} bytes", offset=pos)
            return
        lead, trail, width, height, kind = data[pos : pos + 5]
        if kind != GRAY8:
            yield DataFormatError(
                path, f"image type {kind} is not supported (only 0 = 8-bit gray); the rest of the file is skipped", offset=pos + 4
            )
            return
        body, n = pos + IMAGE_HEADER, width * height
        if size - body < n:
            yield DataFormatError(
                path, f"truncated image: {width} x {height} needs {n} bytes, the file ends after {size - body}", offset=pos
            )
            return
        char = euckr_pair_to_char(lead, trail)
        if char is None:
            yield DataFormatError(path, f"character code {lead:02X} {trail:02X} is not an EUC-KR character; image skipped", offset=pos)
        elif n == 0:
            yield DataFormatError(path, f"empty image ({width} x {height}) for {char!r}; skipped", offset=pos)
        else:
            yield char, np.frombuffer(data, np.uint8, n, body).reshape(height, width)
        pos = body + n


# -- the reader of handpad.convert ------------------------------------------------------------
class Hgu1Reader(Reader):
    """HGU1 files or folders (searched recursively); one input per file, gray images of either
    polarity (the ink is found per image).

    The label space is KS X 1001, or all 11,172 syllables if the files hold others: a first pass
    over the files finds their characters (and the files that cannot be read at all).
    """

    name = "hgu1"
    no_ink = "nothing drawn (a single gray level)"

    def __init__(self, paths, size: int = 60):
        self.paths = list(paths)
        self.config = PreprocessConfig(size=size, margin=HANGUL_CONFIG.margin, center_mass=HANGUL_CONFIG.center_mass)
        self._inputs: list[Input | DataFormatError] = []
        present: set[str] = set()
        for f in input_files(self.paths, (".hgu1",), recursive=True):
            try:
                present.update(item[0] for item in read_hgu1(f) if not isinstance(item, DataFormatError))
                self._inputs.append(Input(str(f.resolve()), f))
            except DataFormatError as e:
                self._inputs.append(e)
        where = ", ".join(map(str, self.paths))
        if not self._inputs:
            raise DataFormatError(where, "no .hgu1 files found")
        syllables = {c for c in present if c in label_space("hangul-11172")}
        if not syllables:
            raise DataFormatError(where, "no readable Hangul image in these inputs" + "".join(
                f"\n  {e}" for e in self._inputs if isinstance(e, DataFormatError)))
        self.label_space = space_for_labels(syllables, where)  # other characters: bad samples

    def inputs(self) -> list[Input | DataFormatError]:
        return list(self._inputs)

    def read(self, input: Input) -> Iterator:
        path = input.ref
        for n, item in enumerate(read_hgu1(path)):
            if isinstance(item, DataFormatError):
                yield item
            elif item[0] not in self.label_space:
                yield DataFormatError(path, f"image {n + 1}: {item[0]!r} is not a Hangul syllable; skipped")
            else:
                yield item[1], self.label_space.index(item[0]), (path, f"image {n + 1}")
