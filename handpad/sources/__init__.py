"""Every source format behind one reader interface; :func:`handpad.convert.convert` does the rest.

A reader knows three things about its source: the label space it counts in, how its images
are preprocessed (:class:`~handpad.preprocess.PreprocessConfig`, ink polarity, an optional
blur or binarization), and how to read it, one *input* at a time::

    reader.inputs()    -> [Input, ...]: the units a conversion commits and a re-run skips
                          (a PHD08 file, 10,000 MNIST samples, a label folder); a
                          DataFormatError in the list is an input known to be unusable
    reader.read(input) -> (image, label index, where) per good sample, a DataFormatError
                          (naming file and line or offset) per bad one; raises
                          DataFormatError if the input as a whole cannot be read

``where`` is ``(path, what)`` (e.g. ``("가.txt", "sample S_0_0_0_0_1")``): it names a sample
that turns out to have no ink, in the reader's own words (``no_ink``).

The format parsers (``read_phd08``, ``read_hgu1``, ``read_mnist``, ``read_image``) are usable on
their own too: they yield samples, or the errors of bad samples.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Iterator, Union

import numpy as np

from ..errors import DataFormatError, HandpadError
from ..labels import LabelSpace
from ..preprocess import PreprocessConfig

MIN_SIZE, MAX_SIZE = 8, 1024  # sides of the square store images a conversion may ask for


@dataclass(frozen=True)
class Input:
    """One resumable unit of a source."""

    key: str  # recorded in the store's inputs_done once the input is converted
    ref: Any  # what the reader needs to read it: a path, a range of samples, ...
    count: int = 1  # its size in the reader's progress unit (files or images)


Item = Union[tuple[np.ndarray, int, tuple], DataFormatError]


class Reader:
    """The interface every source implements (see the module doc)."""

    name: str  # the store's ``source``
    label_space: LabelSpace
    config: PreprocessConfig
    ink: str = "auto"  # polarity for :func:`handpad.preprocess.preprocess`
    gaussian_sigma: float = 0.0  # optional blur after preprocessing
    binarize: float | None = None  # optional binarization after preprocessing (threshold 0-1)
    unit: str = "file"  # what Input.count counts
    no_ink: str = "nothing drawn (no ink)"  # why a sample without ink is bad

    def manifest_options(self) -> dict:
        """The settings the store's manifest records."""
        return {"preprocess": self.config.to_dict(), "ink": self.ink}

    def inputs(self) -> list[Input | DataFormatError]:
        raise NotImplementedError

    def read(self, input: Input) -> Iterator[Item]:
        raise NotImplementedError

    def blank(self, where: tuple) -> DataFormatError:
        """The error for the sample at ``where`` (from :meth:`read`) that has no ink."""
        path, what = where
        return DataFormatError(path, f"{what}: {self.no_ink}" if what else self.no_ink)


def check_size(size: int) -> int:
    """The side of store images, checked (the message names the flag that sets it)."""
    if not MIN_SIZE <= size <= MAX_SIZE:
        raise HandpadError(f"--size must be between {MIN_SIZE} and {MAX_SIZE}, not {size}")
    return size


def input_files(paths: Iterable, suffixes: tuple[str, ...], recursive: bool = False) -> list[Path]:
    """Folders -> their files ending in one of ``suffixes`` (sorted; searched recursively if asked);
    files are kept as given. A path that does not exist is a DataFormatError naming it."""
    files: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            found = p.rglob("*") if recursive else p.iterdir()
            files += sorted(q for q in found if q.is_file() and q.suffix.lower() in suffixes)
        elif p.exists():
            files.append(p)
        else:
            raise DataFormatError(p, "no such file or folder")
    return files


def read_input(path) -> bytes:
    """The bytes of an input file; an unreadable file is a DataFormatError naming it."""
    try:
        return Path(path).read_bytes()
    except OSError as e:
        raise DataFormatError(path, f"cannot read file ({e.strerror or e})") from None
