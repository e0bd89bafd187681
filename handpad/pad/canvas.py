"""The pad's state without a window: strokes on a canvas, the last prediction, saved samples.

Everything here works on plain arrays, so it is unit-tested without a display;
:mod:`handpad.pad.app` only turns mouse and key events into these calls and shows the result.

    >>> canvas = Canvas()
    >>> canvas.begin_stroke(50, 50); canvas.extend_stroke(300, 60); canvas.end_stroke()
    >>> canvas.image()            # uint8 400x400, dark ink on white paper
    >>> canvas.undo()             # strokes are kept, so undo just repaints the others
    >>> Canvas(width=1200, height=320)   # a wide one, for a line of syllables (handpad.pad.words)
"""
from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np


# Dark ink on white paper, like a sheet of paper; preprocess() detects the polarity.
PAPER = 255
INK = 0
CANVAS_SIZE = 400
PEN_WIDTH = 18
PEN_WIDTHS = (4, 64)  # smallest and largest pen
PEN_STEP = 4


@dataclass
class Stroke:
    """One press-drag-release of the mouse: the pen width it was drawn with and its points."""

    width: int
    points: list[tuple[int, int]] = field(default_factory=list)


class Canvas:
    """Strokes and their raster. The raster is painted incrementally while drawing and
    repainted from the stroke list only on undo, so a mouse move costs one cv2.line.

    Square by default (``size``); ``width`` and ``height`` make a wide one (the word mode's line)."""

    def __init__(self, size: int = CANVAS_SIZE, pen_width: int = PEN_WIDTH, *, width: int | None = None,
                 height: int | None = None):
        self.width = int(width if width is not None else size)
        self.height = int(height if height is not None else size)
        if self.width < 1 or self.height < 1:
            raise ValueError(f"a canvas needs a positive size, not {self.width}x{self.height}")
        self.pen_width = int(np.clip(pen_width, *PEN_WIDTHS))
        self.strokes: list[Stroke] = []
        # Bumped on every change: a prediction describes exactly one version of the drawing.
        self.version = 0
        self._drawing = False
        self._raster = np.full((self.height, self.width), PAPER, np.uint8)

    @property
    def size(self) -> int:
        """The side of a square canvas (a wide one has only ``width`` and ``height``)."""
        if self.width != self.height:
            raise AttributeError(f"a {self.width}x{self.height} canvas is not square: use width and height")
        return self.width

    def contains(self, x: int, y: int) -> bool:
        return 0 <= x < self.width and 0 <= y < self.height

    # -- drawing ---------------------------------------------------------------------------
    def begin_stroke(self, x: int, y: int) -> None:
        stroke = Stroke(self.pen_width, [(int(x), int(y))])
        self.strokes.append(stroke)
        self._drawing = True
        self._dot(stroke.points[0], stroke.width)  # a click without a drag still leaves a dot
        self.version += 1

    def extend_stroke(self, x: int, y: int) -> None:
        """Continue the current stroke; the gap from the last mouse event is filled with a line."""
        if not self._drawing:
            return
        stroke = self.strokes[-1]
        point = (int(x), int(y))
        if point == stroke.points[-1]:
            return
        self._segment(stroke.points[-1], point, stroke.width)
        stroke.points.append(point)
        self.version += 1

    def end_stroke(self) -> bool:
        """Finish the current stroke; True if there was one (live mode predicts then)."""
        was_drawing, self._drawing = self._drawing, False
        return was_drawing

    @property
    def drawing(self) -> bool:
        return self._drawing

    # -- editing ---------------------------------------------------------------------------
    def undo(self) -> bool:
        """Remove the last stroke; False if there is none."""
        if not self.strokes:
            return False
        self.strokes.pop()
        self._drawing = False
        self._repaint()
        return True

    def clear(self) -> bool:
        """Remove all strokes; False if the canvas was already empty."""
        if not self.strokes:
            return False
        self.strokes.clear()
        self._drawing = False
        self._repaint()
        return True

    def thicker(self) -> int:
        return self._set_pen(self.pen_width + PEN_STEP)

    def thinner(self) -> int:
        return self._set_pen(self.pen_width - PEN_STEP)

    def _set_pen(self, width: int) -> int:
        # Applies to the next strokes; strokes already drawn keep their width.
        self.pen_width = int(np.clip(width, *PEN_WIDTHS))
        return self.pen_width

    # -- reading ---------------------------------------------------------------------------
    @property
    def is_empty(self) -> bool:
        return not self.strokes

    def image(self) -> np.ndarray:
        """The drawing as uint8 ``height x width``, dark ink on white (a read-only view)."""
        view = self._raster.view()
        view.flags.writeable = False
        return view

    # -- painting --------------------------------------------------------------------------
    def _dot(self, p, width: int) -> None:
        cv2.circle(self._raster, p, max(1, width // 2), INK, thickness=-1, lineType=cv2.LINE_AA)

    def _segment(self, p0, p1, width: int) -> None:
        # OpenCV draws thick lines with round ends, so consecutive segments join smoothly.
        cv2.line(self._raster, p0, p1, INK, thickness=width, lineType=cv2.LINE_AA)

    def _repaint(self) -> None:
        self._raster[:] = PAPER
        for stroke in self.strokes:
            self._dot(stroke.points[0], stroke.width)
            for p0, p1 in zip(stroke.points, stroke.points[1:]):
                self._segment(p0, p1, stroke.width)
        self.version += 1


@dataclass
class Prediction:
    """The top-k answer for one version of the drawing, and the input the model saw."""

    top: list[tuple[str, float]]
    seen: np.ndarray  # the model's uint8 input (size x size, ink = 255)
    version: int
    chosen: int | None = None  # index into ``top`` the user confirmed with 1/2/3

    def choose(self, rank: int) -> str | None:
        """Confirm candidate ``rank`` (0-based); returns its label, None if there is no such rank."""
        if not 0 <= rank < len(self.top):
            return None
        self.chosen = rank
        return self.top[rank][0]

    @property
    def chosen_label(self) -> str | None:
        return None if self.chosen is None else self.top[self.chosen][0]

    @property
    def unsure(self) -> bool:
        """The model is not sure: its top-1 probability is below handpad.calibration.UNSURE_BELOW."""
        from ..calibration import UNSURE_BELOW

        return bool(self.top) and self.top[0][1] < UNSURE_BELOW

    def line(self) -> str:
        """The stdout line: ``top3: 가 0.912 | 각 0.041 | 간 0.012`` (+ ``(not sure)``)."""
        return (f"top{len(self.top)}: " + " | ".join(f"{label} {prob:.3f}" for label, prob in self.top)
                + ("  (not sure)" if self.unsure else ""))


def user_data_dir() -> Path:
    """handpad's folder in the user's data folder: ``~/.local/share/handpad`` on Linux (``$XDG_DATA_HOME``),
    ``~/Library/Application Support/handpad`` on macOS, ``%APPDATA%\\handpad`` on Windows."""
    if sys.platform == "win32":
        base = Path(os.environ.get("APPDATA") or Path.home() / "AppData" / "Roaming")
    elif sys.platform == "darwin":
        base = Path.home() / "Library" / "Application Support"
    else:
        base = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return base / "handpad"


def default_store_dir(kind: str) -> Path:
    """Where the pad saves the user's samples: ``<user data dir>/handpad/<kind>-samples``."""
    return user_data_dir() / f"{kind}-samples"


def default_text_out() -> Path:
    """Where the word mode's copy key appends the text: ``<user data dir>/handpad/words.txt``."""
    return user_data_dir() / "words.txt"


class SampleSaver:
    """Saves confirmed drawings into the user's dataset store, committing each one.

    The store uses the model's label space, so label indices are the model's classes and
    ``handpad finetune`` can train on the store directly. A store made earlier with a model of a
    smaller space inside it (the 2350 syllables, before the model of all 11,172) is kept and added
    to in its own space: its labels still map into the model's. The store is opened on the first
    save, so just using the pad creates no folders.
    """

    def __init__(self, folder, label_space, source: str = "pad"):
        from ..labels import label_space as resolve_space

        self.folder = Path(folder).expanduser()
        self.label_space = resolve_space(label_space)
        self.source = source
        self._writer = None

    def save(self, seen: np.ndarray, label: str) -> int:
        """Add one model input (uint8, ink = 255) labeled ``label``; returns the store's sample count."""
        if label not in self.label_space:
            raise ValueError(f"{label!r} is not one of the model's labels")
        writer = self._open(image_size=seen.shape[0])
        if label not in writer.label_space:
            raise ValueError(f"{label!r} is outside the label space {writer.label_space.name!r} of the samples "
                             f"already in {self.folder}; save it into another folder (--save-to)")
        writer.add(np.asarray(seen, np.uint8)[None], [writer.label_space.index(label)])
        writer.commit()  # on disk now: nothing is lost if the pad is killed
        return int(writer.manifest["count"])

    def close(self) -> None:
        if self._writer is not None:
            self._writer.close()
            self._writer = None

    def _open(self, image_size: int):
        if self._writer is None:
            from ..labels import LabelError, space_map
            from ..store import MANIFEST, StoreWriter, read_manifest

            space = self.label_space
            if (self.folder / MANIFEST).exists():
                manifest = read_manifest(self.folder)
                old = manifest.get("label_space")
                try:
                    if old and old != space.name and len(space_map(old, space)):
                        space = old  # an earlier model's smaller space, inside this one's
                except LabelError:
                    old = None  # another space altogether: StoreWriter says so
                size = manifest.get("image_size")
                if old is not None and size is not None and size != image_size:  # an earlier model's input size
                    from ..errors import HandpadError

                    raise HandpadError(
                        f"{self.folder} holds {size}px samples saved with an earlier model; this model reads "
                        f"{image_size}px: save into another folder (draw --save-to DIR, serve --samples DIR); the "
                        "samples there are kept")
            self._writer = StoreWriter(self.folder, space, source=self.source,
                                       options={"from": "handpad draw"}, image_size=image_size)
        return self._writer
