"""Conversion: any source -> a dataset store, through the shared preprocessing.

One loop serves every source (:func:`convert`); a source is only its reader
(:mod:`handpad.sources`). The loop opens the store in the reader's label space, skips the
inputs a previous run finished, and runs the others through the worker pool
(:func:`handpad.parallel.ordered_map`): read -> :func:`handpad.preprocess.preprocess` ->
optional blur/binarization -> store, committing each input once it is fully converted. Bad
samples are skipped and counted (``strict`` stops at the first); an input that cannot be read
adds nothing to the store and is listed in the report, and the other inputs are still converted.

``convert_mnist``, ``convert_phd08``, ``convert_hgu1``, ``convert_images`` and ``convert_lines``
build the reader and the options of one source.
"""
from __future__ import annotations

from contextlib import closing
from dataclasses import dataclass, field
from typing import Iterable

import cv2
import numpy as np
from tqdm.auto import tqdm

from ._words import counted
from .errors import DataFormatError, HandpadError, NothingDrawnError
from .parallel import default_workers, ordered_map
from .preprocess import preprocess
from .sources import Input, Reader, check_size
from .sources.hgu1 import Hgu1Reader
from .sources.images import ImageFolderReader
from .sources.lines import LineBoxReader
from .sources.mnist import MnistReader
from .sources.phd08 import Phd08Options, Phd08Reader
from .store import StoreWriter

__all__ = ["ConversionReport", "ConvertOptions", "Phd08Options", "convert", "convert_hgu1", "convert_images",
           "convert_lines", "convert_mnist", "convert_phd08"]


@dataclass
class ConvertOptions:
    """How a conversion runs, for any source. Checked here, with the messages of the CLI's flags,
    so a Python caller gets the same errors as ``handpad convert``."""

    size: int = 60  # side of the square store images
    strict: bool = False  # stop at the first bad sample or input
    overwrite: bool = False  # start the store afresh instead of continuing it
    progress: bool = True
    workers: int | None = None  # processes; None: one per CPU

    def __post_init__(self):
        check_size(self.size)
        if self.workers is not None and self.workers < 1:
            raise HandpadError(f"--workers must be at least 1, not {self.workers}")


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
            f"wrote {counted(self.written, 'sample')} from {self.inputs_converted} input(s)"
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


# -- the one conversion loop -------------------------------------------------------------------
def convert(reader: Reader, out, options: ConvertOptions | None = None, *, inputs_per_commit: int = 1,
            shard_size: int = 20000, one_hot: bool = False) -> ConversionReport:
    """Convert every input of ``reader`` into the store at ``out``; returns the report.

    ``inputs_per_commit`` inputs are committed together (with a large ``shard_size``: one shard
    each); ``one_hot`` also writes one-hot label files.
    """
    options = options or ConvertOptions()
    report = ConversionReport()
    inputs: list[Input] = []
    for inp in reader.inputs():
        if isinstance(inp, DataFormatError):  # known to be unusable before reading it
            if options.strict:
                raise inp
            report.failed_inputs.append(str(inp))
        else:
            inputs.append(inp)
    writer = StoreWriter(out, reader.label_space, source=reader.name,
                         options=reader.manifest_options() | ({"one_hot": True} if one_hot else {}),
                         shard_size=shard_size, image_size=reader.config.size, overwrite=options.overwrite,
                         one_hot=one_hot)
    todo = [inp for inp in inputs if not writer.is_done(inp.key)]
    report.inputs_skipped = len(inputs) - len(todo)
    workers = max(1, min(options.workers or default_workers(), len(todo)))
    done: list[str] = []
    bar = tqdm(total=sum(inp.count for inp in todo), unit=reader.unit, desc=reader.name, disable=not options.progress)
    with bar, closing(ordered_map(convert_input, todo, workers, shared=(reader, options.strict))) as results:
        for inp, (converted, error) in zip(todo, results):
            bar.update(inp.count)
            if error is not None:
                if options.strict:
                    writer.commit(done)  # inputs finished before the failure are kept
                    raise error
                report.failed_inputs.append(str(error))
                continue
            images, labels, bad = converted
            for e in bad:
                report.add_bad(e)
            writer.add(images, labels)
            report.written += len(images)
            report.inputs_converted += 1
            done.append(inp.key)
            if len(done) >= inputs_per_commit:
                writer.commit(done)
                done = []
    writer.commit(done)
    writer.close(complete=not report.failed_inputs)
    return report


def convert_input(shared: tuple[Reader, bool], inp: Input):
    """One input -> ((uint8 images, label indices, bad-sample errors), None), or (None, error) if it
    cannot be read -- with ``strict``, at its first bad sample. Runs in a worker process."""
    reader, strict = shared
    finish = finisher(reader.gaussian_sigma, reader.binarize)
    images, labels, bad = [], [], []
    try:
        for item in reader.read(inp):
            if isinstance(item, DataFormatError):
                if strict:
                    raise item
                bad.append(item)
                continue
            image, label, where = item
            try:
                images.append(finish(preprocess(image, config=reader.config, ink=reader.ink)))
            except NothingDrawnError:
                err = reader.blank(where)
                if strict:
                    raise err from None
                bad.append(err)
                continue
            labels.append(label)
    except HandpadError as e:  # the whole input fails: none of its samples are kept
        return None, e
    size = reader.config.size
    stacked = np.stack(images) if images else np.zeros((0, size, size), np.uint8)
    return (stacked, np.asarray(labels, np.int32), bad), None


def finisher(gaussian_sigma: float = 0.0, binarize: float | None = None):
    """The optional last step on a preprocessed uint8 image: Gaussian blur, then binarization
    (ink 255 where the value is over ``binarize`` of full ink)."""

    def finish(x: np.ndarray) -> np.ndarray:
        if gaussian_sigma > 0:
            x = cv2.GaussianBlur(x, (0, 0), gaussian_sigma)
        if binarize is not None:
            x = np.where(x > binarize * 255, np.uint8(255), np.uint8(0))
        return x

    return finish


# -- one function per source -------------------------------------------------------------------
def convert_mnist(path=None, out="data/mnist", split: str = "train", download: bool = False, size: int = 60,
                  strict: bool = False, overwrite: bool = False, progress: bool = True,
                  workers: int | None = None) -> ConversionReport:
    """MNIST (IDX folder, mnist.npz or keras download) -> store, centered by mass like MNIST."""
    options = ConvertOptions(size, strict, overwrite, progress, workers)
    return convert(MnistReader(path, split, download, size), out, options)


def convert_phd08(inputs: Iterable, out, options: Phd08Options | None = None, strict: bool = False,
                  files_per_shard: int = 1, workers: int | None = None, overwrite: bool = False,
                  progress: bool = True, one_hot: bool = False) -> ConversionReport:
    """PHD08 files/folders -> store in the KS X 1001 label space; ``files_per_shard`` files per
    commit and shard. Files whose name is not one syllable are failed inputs (strict: the run stops)."""
    options = options or Phd08Options()
    if files_per_shard < 1:
        raise HandpadError(f"--files-per-shard must be at least 1, not {files_per_shard}")
    run = ConvertOptions(options.config.size, strict, overwrite, progress, workers)
    return convert(Phd08Reader(inputs, options), out, run, inputs_per_commit=files_per_shard, shard_size=10**9,
                   one_hot=one_hot)


def convert_hgu1(inputs: Iterable, out, size: int = 60, strict: bool = False, overwrite: bool = False,
                 progress: bool = True, workers: int | None = None) -> ConversionReport:
    """HGU1 (PE92, SERI95) files/folders -> store; gray images of either polarity."""
    options = ConvertOptions(size, strict, overwrite, progress, workers)
    return convert(Hgu1Reader(inputs, size), out, options)


def convert_images(root, out, size: int = 60, center_mass: bool | None = None, strict: bool = False,
                   overwrite: bool = False, progress: bool = True, workers: int | None = None) -> ConversionReport:
    """``ROOT/<label>/*.png`` -> store; one input per label folder. Digits-only sets are centered by mass."""
    options = ConvertOptions(size, strict, overwrite, progress, workers)
    return convert(ImageFolderReader(root, size, center_mass), out, options)


def convert_lines(sets: Iterable, out, margin: float = 1.0, size: int | None = None, strict: bool = False,
                  overwrite: bool = False, progress: bool = True, workers: int | None = None) -> ConversionReport:
    """Line sets (``handpad synth words`` / ``numbers``) -> store of their characters as the reading
    cuts them (:class:`handpad.sources.lines.LineBoxReader`); one input per 250 lines."""
    reader = LineBoxReader(sets, margin, size)
    options = ConvertOptions(reader.config.size, strict, overwrite, progress, workers)
    return convert(reader, out, options)
