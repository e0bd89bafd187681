"""Lines of handwriting: several syllables (or digits) written left to right, with the truth.

Test data for reading words: each line is a common Korean word or phrase (or a number) whose
characters come from the same makers as the single-syllable sets, placed as a hand places them:

* every character's strokes are scaled to a size drawn around the line's height (+-15%),
* the line's baseline drifts (a slow random walk, at most ~15% of the height end to end),
* gaps between the characters' ink: ``normal`` 0.15-0.4 x the height (digits 0.1-0.35),
  ``tight`` -0.02-0.1 (digits -0.02-0.08: characters may touch), between the words of a
  phrase 0.6-1.2,
* one pen (width and ink) for the whole line, drawn with OpenCV (anti-aliased, dark on white,
  as :func:`handpad.synth.pen.draw_skeleton` draws), on a wide canvas with a white margin.

Character kinds (``style``):

pen
    the glyph's skeleton (:meth:`GlyphRenderer.skeleton`) after :func:`pen.pen_strokes`'s
    elastic and affine jitter, as in the held-out pen-drawn syllables; for digits, a held-out
    MNIST digit thinned (:func:`pen.skeletonize_ink`) and redrawn the same way
careless
    the glyph written by a careless hand with a mouse (:func:`hand.hand_drawing`, CARELESS)
scanned (digits)
    the MNIST raster itself, scaled and placed (no strokes)

Every line is a :class:`Line`: the image (uint8, dark ink on white), the text (words joined
by single spaces), one ink box ``[x0, y0, x1, y1]`` per non-space character in order (pixels,
x1/y1 exclusive: ``image[y0:y1, x0:x1]``), and the strokes as drawn (``{"width": w,
"points": [[x, y], ...]}`` in drawing order, character by character; coordinates are exact
multiples of 1/16 px, the sub-pixel grid they are drawn on, so :func:`render_strokes` redraws
the image exactly). A box holds every pixel its character's pen touched (anti-aliasing
included): the boxes together cover all the ink.

A line set on disk (:func:`write_line_set`): ``NNNNN.png`` images, ``lines.jsonl`` (one object
per line: file, text, boxes, strokes (not for scanned digits), height (the line's character
size, px), ink (the gray level), face (Hangul), style, spacing, digits (the store indices of a
number's digits)) and ``manifest.json`` (format ``handpad-lines``, version, kind, count,
options, seed), each file written atomically, the manifest last.
Read it with :func:`handpad.sources.lines.read_lines`.
"""
from __future__ import annotations

import json
import re
import time
import zlib
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Iterator, Sequence

import cv2
import numpy as np

from ..errors import HandpadError, NothingDrawnError
from ..sources.lines import FORMAT, LINES_FILE, MANIFEST_FILE, VERSION
from ..store import atomic_write_bytes
from . import hand as handlib
from . import pen as penlib

GENERATOR_VERSION = 1  # bump when the lines a seed produces change

KINDS = ("hangul", "digits")
# Hangul styles but pen are written by the hand synthesizer's preset of that name (handpad.synth.hand): casual is
# the careless hand that also joins strokes and forms each jamo its own way, as hard to read as the casual
# held-out designs.
STYLES = {"hangul": ("pen", "careless", "casual"), "digits": ("pen", "scanned")}
SPACINGS = ("normal", "tight", "mixed")

LINE_HEIGHT = (64.0, 160.0)  # px: a line's character size is drawn from this range
SIZE_VARIATION = 0.15  # a character's size: the line's height x (1 +- this)
DRIFT = 0.15  # the baseline's drift end to end: at most this x the height
# Gaps between characters' ink boxes, x the line's height.
GAPS = {
    "hangul": {"normal": (0.15, 0.4), "tight": (-0.02, 0.1)},
    "digits": {"normal": (0.1, 0.35), "tight": (-0.02, 0.08)},
}
WORD_GAP = (0.6, 1.2)  # between the words of a phrase, x the height
MARGIN = 0.3  # white margin around the ink, x the height (at least MIN_MARGIN px)
MIN_MARGIN = 8
SHIFT = 4  # sub-pixel coordinates: 1/16 pixel, as pen.draw_skeleton
PAPER = 255
MAX_TRIES = 30  # words (digits) tried for one line before giving up


# -- what a character is before it is placed ---------------------------------------------------
@dataclass
class Strokes:
    """A character as strokes: float (n, 2) polylines in any units, drawing order; ``ratio`` is the
    pen width it was made for, as a share of its ink's longer side (None: the line decides)."""

    lines: list[np.ndarray]
    ratio: float | None = None


@dataclass
class Raster:
    """A character as a scanned raster: float ink map 0..1, ink bright (an MNIST digit)."""

    ink: np.ndarray


@dataclass
class Line:
    """One composed line (see the module doc)."""

    image: np.ndarray  # uint8 (h, w), dark ink on white
    text: str
    boxes: list[list[int]]  # [x0, y0, x1, y1] per non-space character (x1, y1 exclusive)
    strokes: list[dict] | None  # {"width": int, "points": [[x, y], ...]} in drawing order; None for rasters
    height: float  # the line's character size, px
    width: int  # the pen's width, px (0 for rasters)
    color: int  # the ink's gray level


def parse_range(text, name: str = "range", lo: int = 1, hi: int = 64) -> tuple[int, int]:
    """``"2-6"`` -> (2, 6), ``"4"`` -> (4, 4); checked against ``lo``..``hi``."""
    if isinstance(text, (tuple, list)):
        a, b = (int(v) for v in text)
    else:
        m = re.fullmatch(r"\s*(\d+)\s*(?:-\s*(\d+)\s*)?", str(text))
        if not m:
            raise HandpadError(f"{name}: expected N or MIN-MAX (e.g. 2-6), got {text!r}")
        a = int(m.group(1))
        b = int(m.group(2)) if m.group(2) else a
    if not lo <= a <= b <= hi:
        raise HandpadError(f"{name}: expected {lo} <= MIN <= MAX <= {hi}, got {a}-{b}")
    return a, b


# -- composing a line --------------------------------------------------------------------------
def compose(words: Sequence[Sequence], text: str, rng: np.random.Generator, kind: str = "hangul",
            spacing: str = "normal", pen_ratio: float = 0.04, color: int = 30, min_width: float = 2.0,
            height: tuple[float, float] = LINE_HEIGHT) -> Line:
    """Place the characters of ``words`` (lists of :class:`Strokes` / :class:`Raster`) left to right.

    ``text``: the words joined by single spaces (one character per shape); ``pen_ratio``: the
    line's pen width as a share of its height; ``color``: the ink's gray level.
    """
    if spacing not in ("normal", "tight"):
        raise ValueError(f"spacing must be normal or tight, got {spacing!r}")
    shapes = [s for w in words for s in w]
    if len(shapes) != len(text.replace(" ", "")) or len(words) != len(text.split(" ")):
        raise ValueError(f"{len(shapes)} shapes in {len(words)} words for the text {text!r}")
    n = len(shapes)
    h = float(rng.uniform(*height))
    pen = max(min_width, pen_ratio * h)
    thickness = max(1, int(round(pen)))
    sizes = h * rng.uniform(1 - SIZE_VARIATION, 1 + SIZE_VARIATION, n)
    gaps = rng.uniform(*GAPS[kind][spacing], n)
    word_gaps = rng.uniform(*WORD_GAP, n)
    walk = np.cumsum(rng.normal(0, 1, n))
    walk -= walk.mean()
    drift = walk / max(float(np.ptp(walk)), 1e-6) * rng.uniform(0, DRIFT) * h if n > 1 else np.zeros(1)
    word_end = set((np.cumsum([len(w) for w in words]) - 1)[:-1].tolist())  # a word's last character, but the line's

    # Each character in line units: its ink's box (pen included) is (0, 0) .. (w, h).
    placed = []  # (shape kind, local data, ink width, ink height)
    for s, size in zip(shapes, sizes):
        if isinstance(s, Raster):
            ink = penlib.as_ink(s.ink)
            ys, xs = np.nonzero(ink > 0)
            if not len(ys):
                raise NothingDrawnError("a raster character has no ink")
            crop = ink[ys.min() : ys.max() + 1, xs.min() : xs.max() + 1]
            ch, cw = crop.shape
            scale = size / ch if kind == "digits" else size / max(ch, cw)
            scale = min(scale, 1.3 * size / cw)
            rw, rh = max(1, int(round(cw * scale))), max(1, int(round(ch * scale)))
            interp = cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR
            placed.append(("raster", np.clip(cv2.resize(crop, (rw, rh), interpolation=interp), 0, 1), float(rw), float(rh)))
        else:
            lines = [np.asarray(p, np.float64).reshape(-1, 2) for p in s.lines if len(p)]
            if not lines:
                raise NothingDrawnError("a character has no strokes")
            pts = np.concatenate(lines)
            lo, hi = pts.min(axis=0), pts.max(axis=0)
            ext = np.maximum(hi - lo, 1e-6)
            inner = max(size - pen, 1.0)
            scale = inner / ext[1] if kind == "digits" else inner / max(ext)
            scale = min(scale, 1.3 * inner / ext[0])  # a very wide character is fitted by its width
            local = [(p - lo) * scale + pen / 2 for p in lines]
            placed.append(("strokes", local, float(ext[0] * scale + pen), float(ext[1] * scale + pen)))

    # Left to right: x along the gaps; y centered on the line (Hangul) or on a baseline (digits).
    xs, ys = [], []
    x = 0.0
    for i, (_, _, w, hh) in enumerate(placed):
        xs.append(x)
        ys.append(drift[i] + (-hh / 2 if kind == "hangul" else -hh))
        x += w + (word_gaps[i] if i in word_end else gaps[i]) * h
    margin = max(MIN_MARGIN, MARGIN * h)
    ox = margin - min(xs)
    oy = margin - min(ys)
    width = int(np.ceil(max(x0 + p[2] for x0, p in zip(xs, placed)) + ox + margin))
    height_px = int(np.ceil(max(y0 + p[3] for y0, p in zip(ys, placed)) + oy + margin))
    image = np.full((height_px, width), PAPER, np.uint8)
    boxes, strokes = [], []
    any_strokes = False
    for (what, data, w, hh), x0, y0 in zip(placed, xs, ys):
        if what == "raster":
            px, py = int(round(x0 + ox)), int(round(y0 + oy))
            dark = np.rint(data * (PAPER - color)).astype(np.int16)
            region = image[py : py + dark.shape[0], px : px + dark.shape[1]]
            np.minimum(region, (PAPER - dark).astype(np.uint8), out=region)
            yy, xx = np.nonzero(dark > 0)
            boxes.append([px + int(xx.min()), py + int(yy.min()), px + int(xx.max()) + 1, py + int(yy.max()) + 1])
        else:
            any_strokes = True
            fixed = [np.rint((p + (x0 + ox, y0 + oy)) * (1 << SHIFT)).astype(np.int32) for p in data]
            boxes.append(_ink_box(fixed, thickness, color, image.shape))
            _draw(image, fixed, thickness, color)
            strokes += [{"width": thickness, "points": (f / float(1 << SHIFT)).tolist()} for f in fixed]
    return Line(image, text, boxes, strokes if any_strokes else None, h, thickness if any_strokes else 0, int(color))


def _draw(image: np.ndarray, fixed: list[np.ndarray], thickness: int, color: int) -> None:
    # A one-point stroke (a click) is a dot: OpenCV draws a zero-length segment as one.
    fixed = [f if len(f) > 1 else np.repeat(f, 2, axis=0) for f in fixed]
    cv2.polylines(image, fixed, False, int(color), int(thickness), cv2.LINE_AA, SHIFT)


def _ink_box(fixed: list[np.ndarray], thickness: int, color: int, shape) -> list[int]:
    """The box of every pixel these polylines touch: drawn alone on a small canvas at a whole-pixel
    offset, which the rasterizer draws exactly as it does on the line (same pixels, same coverage)."""
    pts = np.concatenate(fixed) >> SHIFT
    reach = thickness // 2 + 4
    x0, y0 = (int(v) - reach for v in pts.min(axis=0))
    x1, y1 = (int(v) + reach + 2 for v in pts.max(axis=0))
    local = np.full((y1 - y0, x1 - x0), PAPER, np.uint8)
    _draw(local, [f - np.array([x0 << SHIFT, y0 << SHIFT], np.int32) for f in fixed], thickness, color)
    yy, xx = np.nonzero(local < PAPER)
    if not len(yy):
        raise NothingDrawnError("a character left no ink")
    bx0, by0 = max(0, x0 + int(xx.min())), max(0, y0 + int(yy.min()))
    bx1, by1 = min(shape[1], x0 + int(xx.max()) + 1), min(shape[0], y0 + int(yy.max()) + 1)
    return [bx0, by0, bx1, by1]


def render_strokes(strokes: Sequence[dict], shape: tuple[int, int], color: int = 0) -> np.ndarray:
    """Draw a line's recorded strokes on white paper of ``shape`` (h, w); with the line's ink
    (``color``, recorded as "ink") it is the line's image exactly."""
    image = np.full(shape, PAPER, np.uint8)
    for s in strokes:
        fixed = np.rint(np.asarray(s["points"], np.float64).reshape(-1, 2) * (1 << SHIFT)).astype(np.int32)
        _draw(image, [fixed], int(s["width"]), color)
    return image


# -- characters from fonts and digits ----------------------------------------------------------
class FaceWriter:
    """Writes syllables of one font face as ``pen``, ``careless`` or ``casual`` :class:`Strokes`
    (``hand_style``: another hand for the hand-written styles than the style's own)."""

    def __init__(self, face, style: str = "pen", pen_style: penlib.PenStyle = penlib.DEFAULT_PEN,
                 hand_style: handlib.HandStyle | None = None):
        from .render import GlyphRenderer

        if style not in STYLES["hangul"]:
            raise HandpadError(f"unknown style {style!r} for Hangul lines; choose {' or '.join(STYLES['hangul'])}")
        self.face = face
        self.style = style
        self.pen_style = pen_style
        self.hand_style = hand_style or handlib.hand_style("careless" if style == "pen" else style)
        self.renderer = GlyphRenderer(face.path, face.index, textured=face.textured, cache_size=4096)
        self._cmap: set[int] | None = None

    def can_draw(self, text: str) -> bool:
        """True if the face has a glyph for every character of ``text`` (spaces aside)."""
        if self._cmap is None:
            from fontTools.ttLib import TTFont

            try:
                with TTFont(self.face.path, fontNumber=self.face.index, lazy=True) as f:
                    self._cmap = {c for c, g in (f.getBestCmap() or {}).items() if g != ".notdef"}
            except Exception:  # an unreadable cmap: let rendering decide
                self._cmap = set(range(0xAC00, 0xD7A4))
        return all(ord(c) in self._cmap for c in text if c != " ")

    def syllable(self, char: str, rng: np.random.Generator) -> Strokes:
        """One syllable as strokes; raises ValueError/NothingDrawnError if the face cannot draw it."""
        if self.style == "pen":
            lines, pen, _ = penlib.pen_strokes(self.renderer.skeleton(char), rng, self.pen_style)
            return Strokes(lines)
        d = handlib.hand_drawing(self.renderer.hand_glyph(char), rng, self.hand_style)
        lines = [e.astype(np.float64) for e in d.strokes]
        pts = np.concatenate(lines)
        extent = float(max(pts.max(axis=0) - pts.min(axis=0)))
        return Strokes(lines, ratio=d.pen / max(extent + d.pen, 1.0))


def hangul_line(writer: FaceWriter, text: str, rng: np.random.Generator, spacing: str = "normal") -> Line:
    """``text`` (words separated by single spaces) written by ``writer``'s face in its style."""
    words = [[writer.syllable(c, rng) for c in w] for w in text.split(" ")]
    ps = writer.pen_style
    pen_ratio = rng.uniform(*ps.width)
    color = int(rng.integers(ps.ink[0], ps.ink[1] + 1))
    if writer.style != "pen":
        # One pen for the line: the thinnest the syllables were made for (a thicker pen would
        # fill the gaps a careless hand leaves between strokes for its own pen).
        pen_ratio = min(s.ratio for w in words for s in w)
    return compose(words, text, rng, "hangul", spacing, pen_ratio, color, ps.min_width)


def digit_line(images: Sequence[np.ndarray], labels: Sequence[int], rng: np.random.Generator, style: str = "pen",
               spacing: str = "normal", pen_style: penlib.PenStyle = penlib.DEFAULT_PEN) -> Line:
    """A number from digit images (ink bright, e.g. MNIST's): redrawn with a pen, or scanned."""
    if style not in STYLES["digits"]:
        raise HandpadError(f"unknown style {style!r} for numbers; choose {' or '.join(STYLES['digits'])}")
    text = "".join(str(int(v)) for v in labels)
    if style == "pen":
        shapes = [Strokes(penlib.pen_strokes(penlib.skeletonize_ink(im, fill_holes=False), rng, pen_style).lines)
                  for im in images]
    else:
        shapes = [Raster(penlib.as_ink(im)) for im in images]
    pen_ratio = rng.uniform(*pen_style.width)
    color = int(rng.integers(pen_style.ink[0], pen_style.ink[1] + 1))
    return compose([shapes], text, rng, "digits", spacing, pen_ratio, color, pen_style.min_width)


# -- words ---------------------------------------------------------------------------------------
def _ksx1001() -> frozenset[str]:
    from ..labels import label_space

    return frozenset(label_space("hangul-ksx1001").labels)


def _as_many_as_there_are(draw: Callable[[int], list[str]], n: int) -> list[str]:
    """``draw(n)``, or ``draw(m)`` with the largest ``m < n`` that works where fewer are to be had."""
    try:
        return draw(n)
    except ValueError:
        pass
    lo, hi, best = 1, n - 1, []
    while lo <= hi:
        mid = (lo + hi) // 2
        try:
            best, lo = draw(mid), mid + 1
        except ValueError:
            hi = mid - 1
    return best


def word_pools(n: int, syllables: tuple[int, int], seed: int, phrases: bool) -> dict[int, list[str]]:
    """{length: [text, ...]}: up to ``n`` common words (or phrases of 2-3 words of 2+ syllables) of
    each length in ``syllables`` (counted without spaces), drawn weighted by frequency
    (:func:`handpad.prior.common_words` / :func:`~handpad.prior.common_phrases`), made of KS X 1001
    syllables only (what every face covers)."""
    from .. import prior

    lo, hi = syllables
    ok = _ksx1001()
    found: list[str] = []
    if phrases:
        if hi >= 4:
            found = _as_many_as_there_are(lambda m: prior.common_phrases(
                m, (2, 3), max_syllables=hi, min_word_syllables=2, max_word_syllables=hi - 2, seed=seed), n)
    else:
        for k in range(lo, hi + 1):
            found += _as_many_as_there_are(lambda m: prior.common_words(m, k, k, seed=seed), n)
    pools: dict[int, list[str]] = {}
    for t in found:
        chars = t.replace(" ", "")
        if lo <= len(chars) <= hi and all(c in ok for c in chars):
            pools.setdefault(len(chars), []).append(t)
    return pools


# -- a line set ----------------------------------------------------------------------------------
@dataclass
class LineSetOptions:
    kind: str  # hangul | digits
    style: str
    spacing: str = "mixed"
    count: int = 100
    seed: int = 0
    lengths: tuple[int, int] = (2, 6)  # syllables (Hangul) or digits per line
    phrases: float = 0.2  # share of Hangul lines that are phrases of several words
    words: int = 2000  # common words (phrases) per length to choose from
    extra: dict = field(default_factory=dict)  # recorded as given (faces, split...)

    def __post_init__(self):
        if self.kind not in KINDS:
            raise HandpadError(f"kind must be one of {', '.join(KINDS)}")
        if self.style not in STYLES[self.kind]:
            raise HandpadError(f"--style for {self.kind}: choose {' or '.join(STYLES[self.kind])}, not {self.style!r}")
        if self.spacing not in SPACINGS:
            raise HandpadError(f"--spacing: choose {', '.join(SPACINGS)}, not {self.spacing!r}")
        if self.count < 1:
            raise HandpadError("--count must be >= 1")
        if not 0 <= self.phrases <= 1:
            raise HandpadError("--phrases must be between 0 and 1")

    def to_dict(self) -> dict:
        d = asdict(self)
        d["lengths"] = list(self.lengths)
        extra = d.pop("extra")
        return d | extra | {"generator_version": GENERATOR_VERSION, "line_height": list(LINE_HEIGHT)}


def line_rng(seed: int, kind: str, index: int) -> np.random.Generator:
    """The random stream of line ``index`` of a set: independent of the other lines."""
    return np.random.default_rng(np.random.SeedSequence([int(seed) & 0xFFFFFFFF, zlib.crc32(kind.encode()), int(index)]))


def _spacing(options: LineSetOptions, rng: np.random.Generator) -> str:
    return options.spacing if options.spacing != "mixed" else ("normal", "tight")[int(rng.integers(0, 2))]


def hangul_records(faces: Sequence, options: LineSetOptions) -> Iterator[tuple[Line, dict]]:
    """(line, its record) for every line of a Hangul set: line i is written by face i mod len(faces),
    a common word or (with probability ``options.phrases``) phrase of a length drawn uniformly."""
    if not faces:
        raise HandpadError("no font face to write with")
    writers = [FaceWriter(f, options.style) for f in faces]
    words = word_pools(options.words, options.lengths, options.seed, phrases=False)
    phrases = word_pools(options.words, options.lengths, options.seed, phrases=True) if options.phrases > 0 else {}
    if not words:
        raise HandpadError(f"no common words of {options.lengths[0]}-{options.lengths[1]} syllables found")
    for i in range(options.count):
        rng = line_rng(options.seed, options.kind, i)
        writer = writers[i % len(writers)]
        spacing = _spacing(options, rng)
        problems = []
        for _ in range(MAX_TRIES):
            pools = phrases if phrases and rng.random() < options.phrases else words
            length = int(rng.choice(sorted(pools)))
            text = pools[length][int(rng.integers(0, len(pools[length])))]
            if not writer.can_draw(text):
                problems.append(f"{text}: a syllable missing")
                continue
            try:
                line = hangul_line(writer, text, rng, spacing)
            except (ValueError, NothingDrawnError) as e:  # a glyph without ink, a skeleton that fails
                problems.append(f"{text}: {e}")
                continue
            yield line, {"face": writer.face.id, "style": options.style, "spacing": spacing}
            break
        else:
            raise HandpadError(f"line {i}: {writer.face.id} drew none of {MAX_TRIES} words: " + "; ".join(problems[:5]))


def digit_records(images: np.ndarray, labels: np.ndarray, indices: np.ndarray, options: LineSetOptions,
                  pen_style: penlib.PenStyle = penlib.DEFAULT_PEN) -> Iterator[tuple[Line, dict]]:
    """(line, its record) for every line of a numbers set, digits drawn from ``indices`` of the store;
    ``pen_style``: :data:`handpad.synth.pen.PLAIN_PEN` draws the pen kind as the digits' pen-drawn test
    set is defined (``convert pen --no-jitter``), the default adds a hand's wobble, slant and squeeze."""
    if not len(indices):
        raise HandpadError("no digits to write numbers with")
    for i in range(options.count):
        rng = line_rng(options.seed, options.kind, i)
        spacing = _spacing(options, rng)
        problems = []
        for _ in range(MAX_TRIES):
            n = int(rng.integers(options.lengths[0], options.lengths[1] + 1))
            pick = rng.choice(indices, n, replace=n > len(indices))
            try:
                line = digit_line([images[j] for j in pick], [int(labels[j]) for j in pick], rng, options.style, spacing,
                                  pen_style)
            except (ValueError, NothingDrawnError) as e:
                problems.append(str(e))
                continue
            yield line, {"face": None, "style": options.style, "spacing": spacing, "digits": [int(j) for j in pick]}
            break
        else:
            raise HandpadError(f"line {i}: no number could be drawn in {MAX_TRIES} tries: " + "; ".join(problems[:5]))


@dataclass
class LineSetReport:
    path: Path
    count: int
    seconds: float
    spacing: dict

    def summary(self) -> str:
        spacing = ", ".join(f"{k} {v}" for k, v in sorted(self.spacing.items()))
        return f"wrote {self.count} lines ({spacing}) to {self.path} in {self.seconds:.1f} s"


def _png(image: np.ndarray) -> bytes:
    ok, data = cv2.imencode(".png", image)
    if not ok:
        raise HandpadError("could not encode a PNG")
    return data.tobytes()


_OURS = re.compile(r"\d{5,}\.png")


def write_line_set(out, records: Iterable[tuple[Line, dict]], options: LineSetOptions, overwrite: bool = False,
                   progress: bool = True, tick: Callable[[], None] | None = None) -> LineSetReport:
    """Write ``records`` as a line set at ``out`` (see the module doc); every file atomically, the
    manifest last, so a folder with a manifest is a whole set. A folder that holds a set (or
    anything else) is refused unless ``overwrite``; then the set's own files are replaced."""
    from tqdm.auto import tqdm

    out = Path(out)
    if out.exists() and not out.is_dir():
        raise HandpadError(f"{out}: not a folder")
    if out.is_dir() and any(out.iterdir()):
        if not overwrite:
            raise HandpadError(f"{out} is not empty; use another --out folder or --overwrite")
        for p in out.iterdir():
            if p.is_file() and (p.name in (MANIFEST_FILE, LINES_FILE) or _OURS.fullmatch(p.name)):
                p.unlink()
    out.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    rows, spacing = [], {}
    bar = tqdm(total=options.count, unit="line", desc=f"synth {options.kind} lines", disable=not progress)
    try:
        for i, (line, meta) in enumerate(records):
            name = f"{i:05d}.png"
            atomic_write_bytes(out / name, _png(line.image))
            row = {"file": name, "text": line.text, "boxes": line.boxes}
            if line.strokes is not None:
                row["strokes"] = line.strokes
            row |= {"height": round(line.height, 2), "ink": line.color} | meta
            rows.append(json.dumps(row, ensure_ascii=False, separators=(",", ":")))
            spacing[meta["spacing"]] = spacing.get(meta["spacing"], 0) + 1
            bar.update(1)
            if tick:
                tick()
    finally:
        bar.close()
    atomic_write_bytes(out / LINES_FILE, ("\n".join(rows) + "\n").encode("utf-8"))
    manifest = {"format": FORMAT, "version": VERSION, "kind": options.kind, "count": len(rows),
                "options": options.to_dict(), "seed": options.seed}
    atomic_write_bytes(out / MANIFEST_FILE, (json.dumps(manifest, ensure_ascii=False, indent=1) + "\n").encode("utf-8"))
    return LineSetReport(out, len(rows), time.perf_counter() - start, spacing)


def digit_split(store_path, split: str = "test", val_fraction: float = 0.1, test_fraction: float = 0.2,
                split_seed: int = 0):
    """(store, indices of ``split``): the part of the stratified split ``handpad train`` makes with these
    fractions and seed (:func:`handpad.data.stratified_split`), as ``evaluate --subset`` picks it."""
    from ..data import stratified_split
    from ..store import load_store

    if split not in ("train", "val", "test"):
        raise HandpadError(f"--split: choose train, val or test, not {split!r}")
    store = load_store(store_path)
    if store.label_space.name != "digits":
        raise HandpadError(f"{store.path}: a store of {store.label_space.name!r}, numbers need a digits store")
    parts = stratified_split(store.labels, val_fraction, test_fraction, split_seed)
    return store, dict(zip(("train", "val", "test"), parts))[split]
