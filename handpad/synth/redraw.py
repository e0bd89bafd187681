"""A store -> the same samples as a mouse would draw them (``handpad convert pen``).

Each sample is thinned to its skeleton and redrawn with a constant-width round pen at a
random size and place (:func:`handpad.synth.pen.pen_redraw`), or, with ``hand``, written by the
hand kind of the Hangul synthesizer (:mod:`handpad.synth.hand`: strokes bent, slanted and
squeezed, their pieces moved, drawn at mouse-event rate with the pad's own pens), then
preprocessed exactly as a drawing from the pad. The source store is read like any other source (a reader for
:func:`handpad.convert.convert`), so the redrawing is resumable and runs on the shared pool.
"""
from __future__ import annotations

import os
from typing import Iterator

import numpy as np

from ..convert import ConversionReport, ConvertOptions, convert
from ..errors import DataFormatError, HandpadError
from ..preprocess import resolve_config
from ..sources import Input, Reader
from ..store import Store, load_store
from . import hand as handlib
from .pen import DEFAULT_PEN, PLAIN_PEN, pen_redraw


class PenRedrawReader(Reader):
    """Samples ``indices`` of a store, ``copies`` times; one input per chunk of a copy.

    Every (sample, copy) has its own seed, so the result depends neither on the chunking nor on
    the workers.
    """

    name = "pen"
    unit = "img"
    no_ink = "nothing drawn after redrawing"

    def __init__(self, store: Store, indices: np.ndarray, copies: int = 1, seed: int = 0, jitter: bool = True,
                 fill_holes: bool = False, chunk: int = 2000, record: dict | None = None, hand: str | None = None):
        self.source = store.path
        self._store = store
        self.indices = np.asarray(indices)
        self.copies, self.seed, self.chunk = copies, seed, chunk
        self.style = DEFAULT_PEN if jitter else PLAIN_PEN
        self.fill_holes = fill_holes
        self.hand = handlib.hand_style(hand) if hand else None
        self.label_space = self._store.label_space
        saved = (self._store.manifest.get("options") or {}).get("preprocess")
        self.config = resolve_config(None, saved, self.label_space.kind)  # as the store was made
        self.record = dict(record or {})

    def __getstate__(self):
        # Workers open the store themselves (memory-mapped) rather than receive a copy of it.
        return {k: v for k, v in self.__dict__.items() if k != "_store"}

    def __setstate__(self, state):
        self.__dict__.update(state)
        self._store = load_store(self.source)

    def manifest_options(self) -> dict:
        return self.record | {"preprocess": self.config.to_dict()}

    def inputs(self) -> list[Input]:
        return [Input(f"copy{copy}:{start}", (copy, self.indices[start : start + self.chunk]),
                      len(self.indices[start : start + self.chunk]))
                for copy in range(self.copies) for start in range(0, len(self.indices), self.chunk)]

    def read(self, input: Input) -> Iterator:
        copy, idx = input.ref
        images, labels = self._store.images[idx], self._store.labels[idx]
        for i, image, label in zip(idx, images, labels):
            where = (self.source, f"sample {int(i)}")
            rng = np.random.default_rng(hash((self.seed, copy, int(i))) & 0x7FFFFFFF)
            try:
                if self.hand is not None:
                    canvas = handlib.draw_hand(handlib.analyze(image, fill_holes=self.fill_holes), rng, self.hand, crop=False)
                else:
                    canvas = pen_redraw(image, rng, self.style, fill_holes=self.fill_holes)
            except ValueError as e:  # no ink, or nothing left to draw after thinning
                yield DataFormatError(where[0], f"{where[1]}: {e}")
                continue
            yield canvas, int(label), where


def redraw_store(
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
    hand: str | None = None,
) -> ConversionReport:
    """Redraw every sample of a store (or one subset of its split) with a round pen on a big canvas.

    ``jitter`` adds a hand's wobble, slant and squeeze (training copies); without it the drawing
    is only the skeleton at a new size, place and pen width (a test set by the definition).
    Holes are kept (a thick 8's small loops) unless ``fill_holes``. ``hand`` (``normal`` or
    ``careless``) writes each sample with the hand kind instead of the pen (``jitter`` is then unused).
    ``subset`` (train/val/test) picks the same stratified split that ``handpad train`` makes
    with the same fractions and ``split_seed``, so a pen-drawn test set holds only held-out samples.
    The new store counts in the source store's label space.
    """
    from ..data import stratified_split

    if copies < 1:
        raise HandpadError(f"--copies must be at least 1, not {copies}")
    src = load_store(source)
    indices = np.arange(len(src))
    if subset is not None:
        parts = dict(zip(("train", "val", "test"), stratified_split(src.labels, val_fraction, test_fraction, split_seed)))
        if subset not in parts:
            raise HandpadError(f"subset must be train, val or test, not {subset!r}")
        indices = parts[subset]
    record = {"source_store": str(source), "copies": copies, "subset": subset, "val_fraction": val_fraction,
              "test_fraction": test_fraction, "split_seed": split_seed, "seed": seed, "jitter": jitter,
              "fill_holes": fill_holes}
    if hand:
        record["hand_style"] = handlib.hand_style(hand).to_dict() | {"version": handlib.VERSION}
    reader = PenRedrawReader(src, indices, copies, seed, jitter, fill_holes, chunk, record, hand)
    workers = workers or min(2, os.cpu_count() or 1)
    options = ConvertOptions(reader.config.size, overwrite=overwrite, progress=progress, workers=workers)
    return convert(reader, out, options)
