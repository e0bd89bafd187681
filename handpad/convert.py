"""Converters: every source -> the dataset store, through the shared preprocessing.

Each converter walks its inputs (files, or chunks of one big file), reads them with the
source's reader, sends every image through :func:`handpad.preprocess.preprocess`, and
commits each input to the store once it is fully converted. Bad samples are skipped and
counted (``strict=True`` stops at the first); a file that cannot be read is reported and the
other files are still converted. The class list of a store is the labels present in its
inputs, in KS X 1001 code order (digits first).
"""
from __future__ import annotations

import os
from collections import deque
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Iterator

import cv2
import numpy as np
from tqdm.auto import tqdm

from .errors import DataFormatError, HandpadError, NothingDrawnError, StoreError
from .labels import DIGITS
from .preprocess import DIGITS_CONFIG, HANGUL_CONFIG, PreprocessConfig, preprocess, to_uint8
from .sources import hgu1 as hgu1_source
from .sources import images as images_source
from .sources import mnist as mnist_source
from .sources import phd08 as phd08_source
from .store import CLASSES, MANIFEST, StoreWriter, atomic_write_bytes, read_classes


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

    def store_input(self, writer: StoreWriter, key: str, images: np.ndarray, labels, bad=()) -> None:
        """One input is converted: count its bad samples, write its images, commit it as done."""
        for e in bad:
            self.add_bad(e)
        writer.add(images, labels)
        writer.commit(key)
        self.written += len(images)
        self.inputs_converted += 1

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


# -- shared steps ------------------------------------------------------------------------------
def finisher(gaussian_sigma: float = 0.0, binarize: float | None = None) -> Callable[[np.ndarray], np.ndarray]:
    """The converter's last step after the shared preprocessing: optional blur, optional
    binarization (after resizing), then the store's uint8 (ink 255 on 0)."""

    def finish(x: np.ndarray) -> np.ndarray:
        if gaussian_sigma > 0:
            x = cv2.GaussianBlur(x, (0, 0), gaussian_sigma)
        if binarize is not None:
            return np.where(x > binarize, np.uint8(255), np.uint8(0))
        if gaussian_sigma > 0:
            return to_uint8(x)
        # preprocess() output is already in [0, 1]: to_uint8 without its clip (same values, faster).
        return np.rint(x * 255.0).astype(np.uint8)

    return finish


def finish_image(image, config: PreprocessConfig, ink: str = "auto", gaussian_sigma: float = 0.0, binarize: float | None = None) -> np.ndarray:
    """Shared preprocessing, then the converter's optional blur and binarization (after resizing)."""
    return finisher(gaussian_sigma, binarize)(preprocess(image, config=config, ink=ink))


def stack_images(images: list[np.ndarray], size: int) -> np.ndarray:
    return np.stack(images) if images else np.zeros((0, size, size), np.uint8)


def class_order(labels: Iterable[str]) -> list[str]:
    """Labels in KS X 1001 / EUC-KR code order (digits, then 가 ... 힝); others after, by code point."""

    def key(label: str):
        try:
            return (0, label.encode("euc-kr"))
        except UnicodeEncodeError:
            return (1, label.encode("utf-8"))

    return sorted(set(labels), key=key)


def open_writer(out, classes: list[str], source: str, options: dict, *, overwrite: bool = False, **kw) -> StoreWriter:
    """A StoreWriter for ``out``. Re-running into an existing store with more classes extends its
    class list when that keeps every old label at its index (new classes sort after the old ones)."""
    out = Path(out)
    if not overwrite and (out / MANIFEST).exists():
        old = read_classes(out)
        merged = class_order(old + list(classes))
        if merged != old:
            if merged[: len(old)] != old:
                raise StoreError(
                    f"{out} holds a store of {len(old)} classes; adding {len(merged) - len(old)} new ones would "
                    "renumber its labels. Convert into another folder or use --overwrite"
                )
            atomic_write_bytes(out / CLASSES, ("\n".join(merged) + "\n").encode("utf-8"))
        writer = StoreWriter(out, merged, source=source, options=options, **kw)
        if writer.manifest["num_classes"] != len(merged):
            writer.manifest["num_classes"] = len(merged)
            writer.commit()  # rewrites the manifest to match classes.txt
        return writer
    return StoreWriter(out, classes, source=source, options=options, overwrite=overwrite, **kw)


def _report_input_error(err: HandpadError, report: ConversionReport, writer: StoreWriter, strict: bool, done: list[str]) -> None:
    if strict:
        writer.commit(done)  # inputs finished before the failure are kept
        done.clear()
        raise err
    report.failed_inputs.append(str(err))


def _preprocess_samples(items: Iterable, config: PreprocessConfig, ink: str, strict: bool, describe: Callable,
                        finish: Callable | None = None) -> tuple[np.ndarray, list, list]:
    """Reader items -> (uint8 images, their labels, bad-sample errors). Items are ``(label, image, where)``
    or DataFormatError; ``describe(where)`` builds the error for a sample without ink."""
    finish = finish or finisher()
    images, labels, bad = [], [], []
    for item in items:
        if isinstance(item, DataFormatError):
            if strict:
                raise item
            bad.append(item)
            continue
        label, image, where = item
        try:
            images.append(finish(preprocess(image, config=config, ink=ink)))
        except NothingDrawnError:
            err = describe(where)
            if strict:
                raise err from None
            bad.append(err)
            continue
        labels.append(label)
    return stack_images(images, config.size), labels, bad


# -- PHD08 -----------------------------------------------------------------------------------
@dataclass
class Phd08Options:
    selection: phd08_source.Phd08Selection = field(default_factory=phd08_source.Phd08Selection)
    config: PreprocessConfig = field(default_factory=lambda: HANGUL_CONFIG)
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
    path = Path(path)
    label = phd08_source.label_from_filename(path)
    keep = None if options.selection.keeps_all else options.selection.keeps  # skip the name test when all are kept
    items = (
        item if isinstance(item, DataFormatError) else (label, item[1], item[0])
        for item in phd08_source.read_phd08(path, keep=keep)
    )
    images, _, bad = _preprocess_samples(
        items, options.config, "bright", strict, lambda name: DataFormatError(path, f"sample {name}: no ink (all zeros)"),
        finisher(options.gaussian_sigma, options.binarize),
    )
    return images, label, bad


def _convert_phd08_worker(args):
    path, options, strict = args
    try:
        return path, convert_phd08_file(path, options, strict), None
    except HandpadError as e:
        return path, None, e


def _bounded_map(fn: Callable, jobs: list, workers: int) -> Iterator:
    """``map(fn, jobs)`` in order over a process pool, with at most 2 jobs per worker in flight,
    so finished results never pile up in memory while the store is written."""
    if workers <= 1 or len(jobs) <= 1:
        yield from map(fn, jobs)
        return
    pool = ProcessPoolExecutor(workers)
    try:
        pending = deque()
        todo = iter(jobs)
        for job in todo:
            pending.append(pool.submit(fn, job))
            if len(pending) >= 2 * workers:
                break
        while pending:
            result = pending.popleft().result()
            job = next(todo, None)
            if job is not None:
                pending.append(pool.submit(fn, job))
            yield result
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


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
    """Convert PHD08 files/folders into a store at ``out``; returns the report.

    The store's classes are the syllables named by the input files, in KS X 1001 order. Files
    whose name is not one syllable are reported as failed inputs (strict: the run stops).
    """
    options = options or Phd08Options()
    report = ConversionReport()
    files, labels = [], []
    for f in phd08_files(inputs):
        try:
            labels.append(phd08_source.label_from_filename(f))
            files.append(f)
        except DataFormatError as e:
            if strict:
                raise
            report.failed_inputs.append(str(e))
    if not files:
        raise DataFormatError(None, "no PHD08 input files named like 가.txt" + (f" ({report.failed_inputs[0]})" if report.failed_inputs else ""))
    classes = class_order(labels)
    index = {c: i for i, c in enumerate(classes)}
    writer = open_writer(
        out, classes, "phd08", options.to_dict() | {"one_hot": one_hot}, overwrite=overwrite,
        shard_size=10**9, image_size=options.config.size, one_hot=one_hot,
    )
    todo = []
    for f in files:
        if writer.is_done(f.name):
            report.inputs_skipped += 1
        else:
            todo.append(f)
    workers = workers if workers is not None else (os.cpu_count() or 1)
    workers = max(1, min(workers, len(todo)))
    done: list[str] = []
    with tqdm(total=len(todo), unit="file", desc="phd08", disable=not progress) as bar:
        for path, result, error in _bounded_map(_convert_phd08_worker, [(f, options, strict) for f in todo], workers):
            bar.update(1)
            if error is not None:
                _report_input_error(error, report, writer, strict, done)
                continue
            images, label, bad = result
            for e in bad:
                report.add_bad(e)
            writer.add(images, np.full(len(images), index[label], np.int32))
            report.written += len(images)
            report.inputs_converted += 1
            done.append(path.name)
            if len(done) >= files_per_shard:
                writer.commit(done)
                done = []
    writer.commit(done)
    writer.close(complete=not report.failed_inputs)
    return report


# -- MNIST -----------------------------------------------------------------------------------
MNIST_CHUNK = 10000  # samples per commit: a re-run continues at the first unfinished chunk


def convert_mnist(
    path=None,
    out="data/mnist",
    split: str = "train",
    download: bool = False,
    size: int = 60,
    strict: bool = False,
    overwrite: bool = False,
    progress: bool = True,
) -> ConversionReport:
    """MNIST (IDX folder, mnist.npz or keras download) -> store, centered by mass like MNIST."""
    images, labels = mnist_source.read_mnist(path, split, download)
    source_name = "keras-download" if download else Path(path).name
    config = PreprocessConfig(size=size, margin=DIGITS_CONFIG.margin, center_mass=DIGITS_CONFIG.center_mass)
    writer = open_writer(
        out, list(DIGITS), "mnist", {"input": source_name, "split": split, "preprocess": config.to_dict(), "ink": "bright"},
        overwrite=overwrite, image_size=size,
    )
    report = ConversionReport()
    where = "keras mnist" if download else str(path)
    with tqdm(total=len(images), unit="img", desc="mnist", disable=not progress) as bar:
        for start in range(0, len(images), MNIST_CHUNK):
            stop = min(start + MNIST_CHUNK, len(images))
            key = f"{source_name}:{split}[{start}:{stop}]"
            bar.update(stop - start)
            if writer.is_done(key):
                report.inputs_skipped += 1
                continue
            items = (
                (int(labels[i]), images[i], i) if labels[i] < 10
                else DataFormatError(where, f"sample {i}: label {int(labels[i])} is not a digit 0-9")
                for i in range(start, stop)
            )
            images_u8, ys, bad = _preprocess_samples(
                items, config, "bright", strict, lambda i: DataFormatError(where, f"sample {i}: nothing drawn (blank image)")
            )
            report.store_input(writer, key, images_u8, ys, bad)
    writer.close()
    return report


# -- HGU1 (PE92, SERI95) ------------------------------------------------------------------------
def hgu1_files(inputs: Iterable) -> list[Path]:
    """Expand folders into their ``*.hgu1`` files (sorted, recursively); keep files as given."""
    files: list[Path] = []
    for p in map(Path, inputs):
        if p.is_dir():
            files += sorted(q for q in p.rglob("*") if q.is_file() and q.suffix.lower() == ".hgu1")
        else:
            files.append(p)
    return files


def convert_hgu1(
    inputs: Iterable,
    out,
    size: int = 60,
    strict: bool = False,
    overwrite: bool = False,
    progress: bool = True,
) -> ConversionReport:
    """HGU1 files -> store; gray images of either polarity (ink found per image)."""
    files = hgu1_files(inputs)
    if not files:
        raise DataFormatError(None, "no HGU1 input files given")
    report = ConversionReport()
    # First pass: which characters are present (the class list), and which files are readable.
    present: set[str] = set()
    readable: list[Path] = []
    for f in files:
        try:
            present.update(item[0] for item in hgu1_source.read_hgu1(f) if not isinstance(item, DataFormatError))
            readable.append(f)
        except DataFormatError as e:
            if strict:
                raise
            report.failed_inputs.append(str(e))
    if not present:
        raise DataFormatError(None, "no readable HGU1 image in the inputs" + "".join(f"\n  {m}" for m in report.failed_inputs))
    classes = class_order(present)
    config = PreprocessConfig(size=size, margin=HANGUL_CONFIG.margin, center_mass=HANGUL_CONFIG.center_mass)
    writer = open_writer(out, classes, "hgu1", {"preprocess": config.to_dict(), "ink": "auto"}, overwrite=overwrite, image_size=size)
    index = {c: i for i, c in enumerate(writer.classes)}
    done: list[str] = []
    for f in tqdm(readable, unit="file", desc="hgu1", disable=not progress):
        key = str(f.resolve())
        if writer.is_done(key):
            report.inputs_skipped += 1
            continue
        try:
            items = (
                item if isinstance(item, DataFormatError) else (index[item[0]], item[1], n)
                for n, item in enumerate(hgu1_source.read_hgu1(f))
            )
            images_u8, ys, bad = _preprocess_samples(
                items, config, "auto", strict, lambda n: DataFormatError(f, f"image {n + 1}: nothing drawn (a single gray level)")
            )
        except DataFormatError as e:
            _report_input_error(e, report, writer, strict, done)
            continue
        report.store_input(writer, key, images_u8, ys, bad)
    writer.close(complete=not report.failed_inputs)
    return report


# -- labeled image folders ------------------------------------------------------------------------
def convert_images(
    root,
    out,
    size: int = 60,
    center_mass: bool | None = None,
    strict: bool = False,
    overwrite: bool = False,
    progress: bool = True,
) -> ConversionReport:
    """``ROOT/<label>/*.png`` -> store; one input per label folder. Digits-only sets are centered by mass."""
    files = list(images_source.labeled_image_files(root))
    if not files:
        raise DataFormatError(root, "no images found (expected ROOT/<label>/*.png, .jpg, .bmp, ...)")
    classes = class_order(label for label, _ in files)
    if center_mass is None:
        center_mass = set(classes) <= set(DIGITS)
    config = PreprocessConfig(size=size, center_mass=center_mass)
    writer = open_writer(out, classes, "images", {"root": str(root), "preprocess": config.to_dict(), "ink": "auto"}, overwrite=overwrite, image_size=size)
    index = {c: i for i, c in enumerate(writer.classes)}
    report = ConversionReport()
    by_label: dict[str, list[Path]] = {}
    for label, f in files:
        by_label.setdefault(label, []).append(f)

    def read_all(paths: list[Path], label: str):
        for p in paths:
            try:
                yield index[label], images_source.read_image(p), p
            except DataFormatError as e:
                yield e

    with tqdm(total=len(files), unit="img", desc="images", disable=not progress) as bar:
        for label, paths in by_label.items():
            bar.update(len(paths))
            key = f"{label}/"
            if writer.is_done(key):
                report.inputs_skipped += 1
                continue
            images_u8, ys, bad = _preprocess_samples(
                read_all(paths, label), config, "auto", strict, lambda p: DataFormatError(p, "nothing drawn (no ink in the image)")
            )
            report.store_input(writer, key, images_u8, ys, bad)
    writer.close()
    return report


# -- pen redrawing: a store -> the same samples as a mouse would draw them -------------------
def _pen_worker(args):
    from .synth.pen import DEFAULT_PEN, PLAIN_PEN, pen_redraw

    images, seeds, config, jitter, fill_holes = args
    style = DEFAULT_PEN if jitter else PLAIN_PEN
    out = []
    for im, seed in zip(images, seeds):
        canvas = pen_redraw(im, np.random.default_rng(seed), style, fill_holes=fill_holes)
        out.append(to_uint8(preprocess(canvas, config=config)))
    return np.stack(out)


def convert_pen(
    source,
    out,
    copies: int = 1,
    subset: str | None = None,
    val_fraction: float = 0.1,
    test_fraction: float = 0.1,
    split_seed: int = 0,
    seed: int = 0,
    workers: int | None = None,
    overwrite: bool = False,
    progress: bool = True,
    chunk: int = 2000,
    jitter: bool = True,
    fill_holes: bool = False,
) -> ConversionReport:
    """Redraw every sample of a store (or one subset of its split) with a round pen on a big canvas.

    Each sample is thinned to its skeleton and redrawn with a constant-width pen at a random
    size and place (handpad.synth.pen), then preprocessed exactly as a drawing from the pad.
    ``jitter`` adds a hand's wobble, slant and squeeze (training copies); without it the drawing
    is only the skeleton at a new size, place and pen width (a test set by the definition).
    Holes are kept (a thick 8's small loops) unless ``fill_holes``.
    ``subset`` (train/val/test) picks the same stratified split that ``handpad train`` makes
    with the same fractions and ``split_seed``, so a pen-drawn test set holds only held-out samples.
    """
    from .data import stratified_split
    from .store import load_store

    src = load_store(source)
    indices = np.arange(len(src))
    if subset is not None:
        parts = dict(zip(("train", "val", "test"), stratified_split(src.labels, val_fraction, test_fraction, split_seed)))
        if subset not in parts:
            raise HandpadError(f"subset must be train, val or test, not {subset!r}")
        indices = parts[subset]
    saved = (src.manifest.get("options") or {}).get("preprocess")
    config = PreprocessConfig.from_dict(saved) if saved else HANGUL_CONFIG
    options = {"source_store": str(source), "copies": copies, "subset": subset, "val_fraction": val_fraction,
               "test_fraction": test_fraction, "split_seed": split_seed, "seed": seed, "preprocess": config.to_dict(),
               "jitter": jitter, "fill_holes": fill_holes}
    writer = StoreWriter(out, src.classes, source="pen", options=options, shard_size=20000,
                         image_size=src.image_size, overwrite=overwrite)
    report = ConversionReport()
    jobs = []
    for copy in range(copies):
        for start in range(0, len(indices), chunk):
            key = f"copy{copy}:{start}"
            if writer.is_done(key):
                report.inputs_skipped += 1
                continue
            idx = indices[start : start + chunk]
            # One seed per (sample, copy): the result does not depend on chunking or workers.
            seeds = [hash((seed, copy, int(i))) & 0x7FFFFFFF for i in idx]
            jobs.append((key, idx, seeds))
    workers = workers or min(2, os.cpu_count() or 1)
    pool = ProcessPoolExecutor(workers) if workers > 1 and len(jobs) > 1 else None
    bar = tqdm(total=sum(len(j[1]) for j in jobs), unit="img", desc="pen", disable=not progress)
    try:
        args = ((src.images[idx], seeds, config, jitter, fill_holes) for _, idx, seeds in jobs)
        results = pool.map(_pen_worker, args) if pool else map(_pen_worker, args)
        for (key, idx, _), images in zip(jobs, results):
            report.store_input(writer, key, images, src.labels[idx])
            bar.update(len(idx))
        writer.close(complete=True)
    finally:
        bar.close()
        if pool:
            pool.shutdown(cancel_futures=True)
    return report
