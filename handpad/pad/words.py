"""The pad's word mode without a window: a wide canvas holding a line, its reading, picks and copies.

    >>> words = WordPad(text_out="~/.local/share/handpad/words.txt")
    >>> ... strokes on words.canvas (a 1200x320 Canvas) ...
    >>> words.read(recognizer)          # Recognizer.read(strokes=words.canvas.strokes): a Reading
    >>> words.text                      # '안녕 하세요'
    >>> words.cycle(1)                  # syllable 1 read as its next candidate (Reading.choose)
    >>> words.pick(1, 0)                # ... or as its candidate 0 (the model's best)
    >>> words.copy()                    # the text, appended as one line to ``text_out``

A pick is kept while its syllable's ink stays as it was: when the line is read again after another
stroke, a syllable with the same box and the same candidates keeps the label the user picked.
:mod:`handpad.pad.app` maps mouse and keys to these calls and draws the boxes and candidates.
"""
from __future__ import annotations

from pathlib import Path

from ..errors import NothingDrawnError
from .canvas import PEN_WIDTH, Canvas

WORD_WIDTH = 1200  # the line: about five syllables of the pad's size, or a dozen digits
WORD_HEIGHT = 320
CELL_MIN_WIDTH = 100  # a syllable's column under the line is at least this wide (a narrow "1" too)


def _key(syllable) -> tuple:
    """What identifies a syllable across readings: its box and its candidates (the same ink)."""
    return tuple(syllable.box), tuple(label for label, _ in syllable.top)


class WordPad:
    """A line written on a wide canvas and what it reads as; ``selected``: the syllable that the
    number keys pick a candidate for."""

    def __init__(self, text_out, width: int = WORD_WIDTH, height: int = WORD_HEIGHT, pen_width: int = PEN_WIDTH):
        self.canvas = Canvas(width=width, height=height, pen_width=pen_width)
        self.text_out = Path(text_out).expanduser()
        self.reading = None  # handpad.reading.Reading of the canvas as it was at ``version``
        self.version: int | None = None
        self.selected: int | None = None
        self._picks: dict[tuple, str] = {}  # _key(syllable) -> the label the user picked for it

    # -- reading -------------------------------------------------------------------------------
    def read(self, recognizer):
        """Read the line from the canvas' strokes (in drawing order); None when nothing is written.
        The user's earlier picks are applied to the syllables whose ink did not change."""
        reading = None
        if not self.canvas.is_empty:
            try:
                reading = recognizer.read(strokes=self.canvas.strokes)
            except NothingDrawnError:
                reading = None
        selected_key = self._selected_key()
        if reading is not None:
            keys = [_key(s) for s in reading.syllables]
            for i, key in enumerate(keys):
                if key in self._picks:
                    reading = reading.choose(i, self._picks[key])
            self._picks = {k: v for k, v in self._picks.items() if k in keys}
            self.selected = keys.index(selected_key) if selected_key in keys else None
        else:
            self._picks, self.selected = {}, None
        self.reading, self.version = reading, self.canvas.version
        return reading

    @property
    def current(self) -> bool:
        """True when the reading describes the canvas as it is now."""
        return self.version == self.canvas.version

    @property
    def syllables(self) -> list:
        return self.reading.syllables if self.reading is not None else []

    @property
    def text(self) -> str:
        return self.reading.text if self.reading is not None else ""

    def _selected_key(self):
        if self.selected is None or not 0 <= self.selected < len(self.syllables):
            return None
        return _key(self.syllables[self.selected])

    # -- where things are ------------------------------------------------------------------------
    def box_at(self, x: float, y: float, margin: int = 4) -> int | None:
        """The syllable whose box holds (x, y) (the smallest, if boxes overlap); None if none does."""
        hits = [(s.box[2] - s.box[0]) * (s.box[3] - s.box[1]) for s in self.syllables]
        inside = [i for i, s in enumerate(self.syllables)
                  if s.box[0] - margin <= x < s.box[2] + margin and s.box[1] - margin <= y < s.box[3] + margin]
        return min(inside, key=lambda i: hits[i]) if inside else None

    def cells(self, min_width: int = CELL_MIN_WIDTH) -> list[tuple[int, int]]:
        """Each syllable's column [x0, x1) under the line, in canvas pixels: around its box (at least
        ``min_width`` wide), never into a neighbour's, inside the canvas. The app shows the syllable's
        label and candidates there, and a click there picks them."""
        boxes = [s.box for s in self.syllables]
        centers = [(b[0] + b[2]) / 2 for b in boxes]
        out = []
        for i, (b, c) in enumerate(zip(boxes, centers)):
            lo = min(b[0], c - min_width / 2)
            hi = max(b[2], c + min_width / 2)
            if i > 0:
                lo = max(lo, (centers[i - 1] + c) / 2)
            if i + 1 < len(boxes):
                hi = min(hi, (c + centers[i + 1]) / 2)
            out.append((int(max(lo, 0)), int(min(hi, self.canvas.width))))
        return out

    def cell_at(self, x: float) -> int | None:
        """The syllable whose column (:meth:`cells`) holds x."""
        for i, (lo, hi) in enumerate(self.cells()):
            if lo <= x < hi:
                return i
        return None

    # -- picking candidates --------------------------------------------------------------------------
    def select(self, index: int | None) -> int | None:
        self.selected = index if index is not None and 0 <= index < len(self.syllables) else None
        return self.selected

    def select_step(self, step: int) -> int | None:
        """Select the next (step 1) or previous (-1) syllable, wrapping around; None if there are none."""
        n = len(self.syllables)
        if not n:
            return self.select(None)
        if self.selected is None:
            return self.select(0 if step > 0 else n - 1)
        return self.select((self.selected + step) % n)

    def pick(self, index: int, rank: int) -> str | None:
        """Read syllable ``index`` as its candidate ``rank`` (0: the model's best); returns the label,
        None if there is no such syllable or candidate."""
        if not 0 <= index < len(self.syllables) or not 0 <= rank < len(self.syllables[index].top):
            return None
        label = self.syllables[index].top[rank][0]
        self._picks[_key(self.syllables[index])] = label
        self.reading = self.reading.choose(index, label)
        self.selected = index
        return label

    def rank_of(self, index: int) -> int | None:
        """Which candidate syllable ``index`` is read as now."""
        s = self.syllables[index]
        labels = [label for label, _ in s.top]
        return labels.index(s.label) if s.label in labels else None

    def cycle(self, index: int) -> str | None:
        """Read syllable ``index`` as the candidate after the one it is read as now (wrapping around)."""
        if not 0 <= index < len(self.syllables):
            return None
        rank = self.rank_of(index)
        return self.pick(index, 0 if rank is None else (rank + 1) % len(self.syllables[index].top))

    # -- the text --------------------------------------------------------------------------------------
    def copy(self) -> str | None:
        """Append the text as one line to ``text_out`` (its folder made if needed); returns the text,
        None when there is none."""
        text = self.text
        if not text:
            return None
        self.text_out.parent.mkdir(parents=True, exist_ok=True)
        with open(self.text_out, "a", encoding="utf-8") as f:
            f.write(text + "\n")
        return text
