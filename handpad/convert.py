"""Converters: every source -> the dataset store, through the shared preprocessing.

Each converter walks its inputs (files), reads them with the source's reader, sends every
image through :func:`handpad.preprocess.preprocess`, and commits each input to the store
once it is fully converted. Bad samples are skipped and counted (``strict=True`` stops at
the first); a file that cannot be read is reported and the other files are still converted.
"""
from __future__ import annotations

import os
import sys
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

import cv2
import numpy as np
from tqdm.auto import tqdm

from .errors import DataFormatError, HandpadError, NothingDrawnError
from .labels import hangul_syllables
from .preprocess import PreprocessConfig, preprocess, to_uint8
from .sources import phd08 as phd08_source
from .store import Store, StoreWriter


@dataclass
class ConversionReport:
    """What a conversion did: samples written, inputs skipped as done, bad samples, failed inputs."""

    written: int = 0
    inputs_converted: int = 0
    inputs_skipped: int = 0
    bad_samples: list[str] = field(default_factory=list)
    failed_inputs: list[str] = field(default_factory=list)
    bad_sample_count: int = 0

    @property
    def ok(self) -> bool:
        return not self.bad_sample_count and not self.failed_inputs

    def add_bad(self, err: Exception) -> None:
        self.bad_sample_count += 1
        if len(self.bad_samples) < 1000:
            self.bad_samples.append(str(err))

    def summary(self) -> str:
        lines = [
            f"wrote {self.written} samples from {self.inputs_converted} input(s)"
            + (f"; {self.inputs_skipped} already converted, skipped" if self.inputs_skipped else "")
        ]
        if self.bad_sample_count:
            lines.append(f"skipped {self.bad_sample_count} bad sample(s):")
            lines += [f"  {m}" for m in self.bad_samples[:20]]
            if self.bad_sample_count > 20:
                lines.append(f"  ... and {self.bad_sample_count - 20} more")
        if self.failed_inputs:
            lines.append(f"{len(self.failed_inputs)} input(s) failed:")
            lines += [f"  {m}" for m in self.failed_inputs]
        return "\n".join(lines)


def finish_image(image, config: PreprocessConfig, ink: str = "auto", gaussian_sigma: float = 0.0, binarize: float | None = None) -> np.ndarray:
    """Shared preprocessing, then the converter's optional blur and binarization (after resizing)."""
    x = preprocess(image, config=config, ink=ink)
    if gaussian_sigma > 0:
        x = cv2.GaussianBlur(x, (0, 0), gaussian_sigma)
    if binarize is not None:
        x = (x > binarize).astype(np.float32)
    return to_uint8(x)


# -- PHD08 -----------------------------------------------------------------------------------
@dataclass
class Phd08Options:
    selection: phd08_source.Phd08Selection = field(default_factory=phd08_source.Phd08Selection)
    config: PreprocessConfig = field(default_factory=PreprocessConfig)
    gaussian_sigma: float = 0.0
    binarize: float | None = None

    def to_dict(self) -> dict:
        return {
            "selection": self.selection.to_dict(),
            "preprocess": self.config.to_dict(),
            "gaussian_sigma": self.gaussian_sigma,
            "binarize": self.binarize,
        }


def phd08_files(inputs: Iterable) -> list[Path]:
    """Expand folders into their ``*.txt`` files (sorted); keep files as given."""
    files: list[Path] = []
    for p in map(Path, inputs):
        if p.is_dir():
            files += sorted(q for q in p.iterdir() if q.suffix.lower() == ".txt")
        else:
            files.append(p)
    return files


def convert_phd08_file(path: Path, options: Phd08Options, strict: bool = False):
    """One PHD08 file -> (uint8 images, label, list of bad-sample errors). Raises on an unusable file."""
    label = phd08_source.label_from_filename(path)
    images, bad = [], []
    for item in phd08_source.read_phd08(path, keep=options.selection.keeps):
        if isinstance(item, DataFormatError):
            if strict:
                raise item
            bad.append(item)
            continue
        name, image = item
        try:
            images.append(finish_image(image, options.config, "bright", options.gaussian_sigma, options.binarize))
        except NothingDrawnError:
            err = DataFormatError(path, f"sample {name}: no ink (all zeros)")
            if strict:
                raise err from None
            bad.append(err)
    size = options.config.size
    arr = np.stack(images) if images else np.zeros((0, size, size), np.uint8)
    return arr, label, bad


def _convert_phd08_worker(args):
    path, options, strict = args
    try:
        return path, convert_phd08_file(path, options, strict), None
    except HandpadError as e:
        return path, None, e


def convert_phd08(
    inputs: Iterable,
    out,
    options: Phd08Options | None = None,
    strict: bool = False,
    files_per_shard: int = 1,
    workers: int | None = None,
    overwrite: bool = False,
    progress: bool = True,
    one_hot: bool = False,
) -> ConversionReport:
    """Convert PHD08 files/folders into a store at ``out``; returns the report."""
    options = options or Phd08Options()
    files = phd08_files(inputs)
    classes = hangul_syllables()
    index = {c: i for i, c in enumerate(classes)}
    writer = StoreWriter(
        out, classes, source="phd08", options=options.to_dict() | {"one_hot": one_hot},
        shard_size=10**9, image_size=options.config.size, overwrite=overwrite, one_hot=one_hot,
    )
    report = ConversionReport()
    todo = []
    for f in files:
        if writer.is_done(f.name):
            report.inputs_skipped += 1
        else:
            todo.append(f)
    workers = workers if workers is not None else min(len(todo), os.cpu_count() or 1)
    jobs = [(f, options, strict) for f in todo]
    pending_keys: list[str] = []
    bar = tqdm(total=len(todo), unit="file", desc="phd08", disable=not progress)
    pool = ProcessPoolExecutor(workers) if workers > 1 and len(todo) > 1 else None
    results = pool.map(_convert_phd08_worker, jobs, chunksize=1) if pool else map(_convert_phd08_worker, jobs)
    try:
        for path, result, error in results:
            bar.update(1)
            if error is not None:
                if strict:
                    writer.commit(pending_keys)  # finished files are kept
                    raise error
                report.failed_inputs.append(str(error))
                continue
            images, label, bad = result
            for e in bad:
                report.add_bad(e)
            writer.add(images, np.full(len(images), index[label], np.int32))
            report.written += len(images)
            report.inputs_converted += 1
            pending_keys.append(path.name)
            if len(pending_keys) >= files_per_shard:
                writer.commit(pending_keys)
                pending_keys = []
        writer.commit(pending_keys)
        writer.close(complete=not report.failed_inputs)
    finally:
        bar.close()
        if pool:
            pool.shutdown(cancel_futures=True)
    return report
