"""Line sets: images of several characters in a row, with their text, boxes and strokes.

A line set is a folder made by ``handpad synth words`` / ``handpad synth numbers``
(:mod:`handpad.synth.lines`)::

    manifest.json   {"format": "handpad-lines", "version": 1, "kind": "hangul" | "digits", "options": {...}, "seed": S}
    lines.jsonl     one object per line: {"file": "00000.png", "text": "안녕 하세요",
                    "boxes": [[x0, y0, x1, y1], ...], "strokes": [{"width": w, "points": [[x, y], ...]}, ...],
                    "face": ..., "style": "pen" | "careless" | "casual" | "scanned", "spacing": "normal" | "tight"}
    00000.png ...   the images (dark ink on white)

``boxes``: one per non-space character of ``text``, in order; pixels, x1/y1 exclusive
(``image[y0:y1, x0:x1]``). ``strokes`` is optional (a scanned line has none).

    lines = read_lines("data/words-pen")
    for s in lines:            # LineSample
        s.text, s.boxes, s.image()   # the image is read when asked for

Errors name the file and the line of ``lines.jsonl`` (:class:`~handpad.errors.DataFormatError`).
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Iterator

import numpy as np

from ..errors import DataFormatError, HandpadError
from ..labels import label_space
from ..preprocess import PRESETS
from . import Input, Reader, check_size

FORMAT = "handpad-lines"
VERSION = 1
LINES_FILE = "lines.jsonl"
MANIFEST_FILE = "manifest.json"
KINDS = ("hangul", "digits")
REQUIRED = ("file", "text", "boxes")


@dataclass
class LineSample:
    """One line: its image file, text, character boxes and (optionally) strokes."""

    path: Path  # the image file
    text: str  # words joined by single spaces
    boxes: np.ndarray  # int64 (characters, 4): [x0, y0, x1, y1] per non-space character
    strokes: list[dict] | None = None  # {"width": w, "points": [[x, y], ...]} in drawing order
    face: str | None = None
    style: str | None = None
    spacing: str | None = None
    extra: dict = field(default_factory=dict)  # any other keys of the line's record

    @property
    def chars(self) -> str:
        """The characters the boxes belong to (the text without spaces)."""
        return self.text.replace(" ", "")

    def image(self) -> np.ndarray:
        """The image, uint8 gray (read from disk on every call)."""
        from .images import read_image

        img = read_image(self.path)
        if img.ndim == 3:
            import cv2

            img = cv2.cvtColor(img, cv2.COLOR_BGRA2GRAY if img.shape[2] == 4 else cv2.COLOR_BGR2GRAY)
        return img


@dataclass
class LineSet:
    path: Path
    kind: str  # hangul | digits
    manifest: dict
    samples: list[LineSample]

    def __len__(self) -> int:
        return len(self.samples)

    def __iter__(self) -> Iterator[LineSample]:
        return iter(self.samples)

    def __getitem__(self, i) -> LineSample:
        return self.samples[i]


def read_manifest(folder) -> dict:
    path = Path(folder) / MANIFEST_FILE
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise DataFormatError(path, "no such file: not a line set (made by `handpad synth words` / `numbers`)") from None
    except (OSError, UnicodeDecodeError) as e:
        raise DataFormatError(path, f"cannot read file ({getattr(e, 'strerror', None) or e})") from None
    try:
        manifest = json.loads(text)
    except json.JSONDecodeError as e:
        raise DataFormatError(path, f"not valid JSON ({e.msg})", line=e.lineno) from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise DataFormatError(path, f"not a line set manifest (format is not {FORMAT!r})")
    if manifest.get("version") != VERSION:
        raise DataFormatError(path, f"line set version {manifest.get('version')!r}; this handpad reads version {VERSION}")
    if manifest.get("kind") not in KINDS:
        raise DataFormatError(path, f"kind must be one of {', '.join(KINDS)}, not {manifest.get('kind')!r}")
    return manifest


def read_lines(folder) -> LineSet:
    """The line set at ``folder`` (its manifest and ``lines.jsonl``; images are read lazily).

    Raises DataFormatError naming the file (and line of ``lines.jsonl``) for a missing or bad
    manifest, bad JSON, a missing key, boxes that do not match the characters, or a bad stroke.
    """
    folder = Path(folder)
    manifest = read_manifest(folder)
    path = folder / LINES_FILE
    try:
        raw = path.read_bytes()
    except OSError as e:
        raise DataFormatError(path, f"cannot read file ({e.strerror or e})") from None
    samples = []
    for number, line in enumerate(raw.split(b"\n"), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line.decode("utf-8"))
        except UnicodeDecodeError:
            raise DataFormatError(path, "not UTF-8 text", line=number) from None
        except json.JSONDecodeError as e:
            raise DataFormatError(path, f"not valid JSON ({e.msg}, column {e.colno})", line=number) from None
        samples.append(_sample(row, folder, path, number))
    if manifest.get("count") is not None and manifest["count"] != len(samples):
        raise DataFormatError(path, f"{len(samples)} lines, the manifest says {manifest['count']} (an unfinished set?)")
    return LineSet(folder, manifest["kind"], manifest, samples)


def _sample(row, folder: Path, path: Path, number: int) -> LineSample:
    def bad(message: str):
        return DataFormatError(path, message, line=number)

    if not isinstance(row, dict):
        raise bad(f"expected a JSON object, got {type(row).__name__}")
    missing = [k for k in REQUIRED if k not in row]
    if missing:
        raise bad(f"missing key(s): {', '.join(missing)}")
    file, text = row["file"], row["text"]
    if not isinstance(file, str) or not file or Path(file).is_absolute() or ".." in Path(file).parts:
        raise bad(f"file must be a file name inside the set's folder, got {file!r}")
    if not (folder / file).is_file():
        raise bad(f"image {file!r} not found in {folder}")
    if not isinstance(text, str) or not text.strip() or "  " in text or text != text.strip():
        raise bad(f"text must be words joined by single spaces, got {text!r}")
    chars = text.replace(" ", "")
    boxes = row["boxes"]
    if not isinstance(boxes, list) or not all(
            isinstance(b, list) and len(b) == 4 and all(isinstance(v, int) and not isinstance(v, bool) for v in b)
            for b in boxes):
        raise bad("boxes must be a list of [x0, y0, x1, y1] integer lists")
    if len(boxes) != len(chars):
        raise bad(f"{len(boxes)} box(es) for the {len(chars)} character(s) of {text!r}")
    arr = np.asarray(boxes, np.int64).reshape(-1, 4)
    if len(arr) and ((arr[:, 2] <= arr[:, 0]).any() or (arr[:, 3] <= arr[:, 1]).any() or (arr < 0).any()):
        raise bad("a box is empty or negative (need 0 <= x0 < x1, 0 <= y0 < y1)")
    strokes = row.get("strokes")
    if strokes is not None:
        if not isinstance(strokes, list):
            raise bad("strokes must be a list")
        for k, s in enumerate(strokes):
            if not isinstance(s, dict) or "width" not in s or "points" not in s:
                raise bad(f"stroke {k}: expected {{\"width\": w, \"points\": [[x, y], ...]}}")
            pts = s["points"]
            if not isinstance(pts, list) or not pts or not all(isinstance(p, list) and len(p) == 2 for p in pts):
                raise bad(f"stroke {k}: points must be a non-empty list of [x, y]")
    extra = {k: v for k, v in row.items() if k not in (*REQUIRED, "strokes", "face", "style", "spacing")}
    return LineSample(folder / file, text, arr, strokes, row.get("face"), row.get("style"), row.get("spacing"), extra)


# -- the boxes a reading cuts, as a source of training samples -------------------------------------

CHUNK_LINES = 250  # lines per input: what a conversion commits at once and a re-run skips


class LineBoxReader(Reader):
    """Line sets -> their characters as the reading cuts them, each with its label (``handpad convert lines``).

    For every line, from its image and (where it has them) from its strokes: the boxes the segmentation
    proposes (:func:`handpad.reading.layout`, groupings within ``margin`` of the shapes' best) that overlap
    a true character's box by at least ``POSITIVE_IOU``, the closest one per character. A box is the
    line's ink map cut to its own pieces (a neighbour's ink reaching into the rectangle is left out) and
    preprocessed as :func:`handpad.reading.read` prepares it, so a model trained on these sees what it
    reads in a line: the hand's drift from character to character, neighbours cut away, now and then a
    piece of the next one. All sets must be of one kind; the store counts in its label space, at its
    preprocessing (``size``: another side, for a model that reads larger inputs).
    """

    name = "lines"
    ink = "map"  # the reading's crops are pieces of the line's ink map
    unit = "line"
    no_ink = "nothing drawn in the box"

    def __init__(self, folders, margin: float = 1.0, size: int | None = None):
        self.folders = [Path(f) for f in folders]
        if not self.folders:
            raise HandpadError("give at least one line set (made by `handpad synth words` / `numbers`)")
        kinds = {f: read_manifest(f)["kind"] for f in self.folders}
        if len(set(kinds.values())) > 1:
            raise HandpadError("line sets of different kinds (" + ", ".join(f"{f}: {k}" for f, k in kinds.items())
                               + "): convert each kind into its own store")
        if not margin >= 0:
            raise HandpadError(f"--margin must be 0 or more, not {margin}")
        self.kind, self.margin = kinds[self.folders[0]], float(margin)
        self.label_space = label_space(self.kind)
        self.config = PRESETS[self.kind] if size is None else replace(PRESETS[self.kind], size=check_size(size))

    def manifest_options(self) -> dict:
        return {"line_sets": [str(f) for f in self.folders], "margin": self.margin} | super().manifest_options()

    def inputs(self) -> list:
        out = []
        for folder in self.folders:
            try:
                n = len(read_lines(folder))
            except DataFormatError as e:
                out.append(e)
                continue
            out += [Input(f"{folder}:[{a}:{min(a + CHUNK_LINES, n)}]", (folder, a), min(CHUNK_LINES, n - a))
                    for a in range(0, n, CHUNK_LINES)]
        return out

    def read(self, input: Input) -> Iterator:
        from .. import reading
        from ..evaluation import box_iou
        from ..verifier import POSITIVE_IOU

        folder, start = input.ref
        index = {label: i for i, label in enumerate(self.label_space.labels)}
        for n, sample in enumerate(read_lines(folder).samples[start:start + input.count], start + 1):
            for source in ("image", "strokes") if sample.strokes else ("image",):
                path, what = str(folder / LINES_FILE), f"line {n} ({sample.path.name}), from its {source}"
                try:
                    lay = reading.layout(**{source: sample.image() if source == "image" else sample.strokes},
                                         kind=self.kind)
                except HandpadError as e:  # this line is no sample; the others still are
                    yield DataFormatError(path, f"{what}: {e}")
                    continue
                closest: dict[int, tuple] = {}  # character -> (overlap, grouping)
                for i, j in lay.near(self.margin):
                    overlaps = [box_iou(lay.box(i, j), t) for t in sample.boxes]
                    k = int(np.argmax(overlaps))
                    if overlaps[k] >= POSITIVE_IOU and overlaps[k] > closest.get(k, (0.0,))[0]:
                        closest[k] = (overlaps[k], (i, j))
                for k in sorted(closest):
                    char = sample.chars[k]
                    if char in index:  # a mark outside the label space (a minus, a comma) is no sample
                        yield lay.crop(*closest[k][1]), index[char], (path, f"{what}, character {k + 1} ({char})")
