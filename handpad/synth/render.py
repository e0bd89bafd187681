"""Font glyph -> sample images: the PHD08-style "designed" kind and the "pen" kind.

A glyph is rendered once per (face, syllable, size) with Pillow (anti-aliased, ink = 1) and
every variant of it starts from that cached render:

designed (PHD08's grid, plus what a hand adds)
    render at one of 3 sizes -> stroke width (erode/dilate, or as designed) -> elastic
    distortion -> rotation -3/0/+3 degrees -> "scan" at one of 3 resolutions (resampled)
    -> one of 3 noise levels (on the strokes' edges) -> binarized at one of 3 thresholds.
    The result is a tight binary image, bright ink on black, as a PHD08 scan.
pen
    the glyph's skeleton, redrawn with a round pen on the pad's 400x400 canvas
    (:mod:`handpad.synth.pen`), dark on white, as the pad receives a drawing.
hand
    the skeleton taken apart into strokes and written as a person writes with a mouse:
    jamo drift, bent strokes, slant, mouse-rate strokes drawn with the pad's pens, hooks and
    overshoots, rounded or square corners, short strokes of varied length
    (:mod:`handpad.synth.hand`), dark on white.

Either goes through :func:`handpad.preprocess.preprocess` afterwards (see generate.py).
"""
from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont

from . import hand as handlib
from . import pen as penlib

# The PHD08 grid: 3 values of each of the five variant fields (sample names S_s_n_r_t_rot).
SIZES = (40, 52, 64)  # glyph size in pixels (longer side)
NOISE = (0.0, 0.1, 0.2)  # std of the noise added to the stroke edges before binarization
RESOLUTIONS = (0.6, 0.8, 1.0)  # scan resolution, relative to the render
THRESHOLDS = (0.35, 0.5, 0.65)  # binarization thresholds
ROTATIONS = (-3.0, 0.0, 3.0)  # degrees
GRID = (len(SIZES), len(NOISE), len(RESOLUTIONS), len(THRESHOLDS), len(ROTATIONS))
GRID_CELLS = int(np.prod(GRID))  # 243
PEN_RENDER_SIZE = 64  # the pen kind thins the glyph at this size

# Extra variation of the designed kind.
STROKE_DELTAS = (-1, 0, 0, 1)  # thinner / as designed (twice as likely) / bolder, in pixels
ELASTIC_PROBABILITY = 0.8
MIN_KEPT = 0.6  # binarization keeps at least this share of the ink's mass


class GlyphRenderer:
    """Renders characters of one font face; caches the FreeType objects and the renders."""

    def __init__(self, path, index: int = 0, textured: bool = False, cache_size: int = 64):
        self.path = str(path)
        self.index = int(index)
        # Textured faces (dotted "Eco", distressed) are closed before thinning, or every dot
        # would grow a spur of the skeleton; their designed samples keep the texture.
        self.textured = bool(textured)
        self._fonts: dict[int, ImageFont.FreeTypeFont] = {}
        self._cache: dict[tuple[str, int], np.ndarray] = {}
        self._skeletons: dict[str, penlib.Skeleton] = {}
        self._hands: dict[str, handlib.Glyph] = {}
        self._cache_size = cache_size

    def font(self, size: int) -> ImageFont.FreeTypeFont:
        if size not in self._fonts:
            if len(self._fonts) > 256:
                self._fonts.clear()
            self._fonts[size] = ImageFont.truetype(self.path, size, index=self.index)
        return self._fonts[size]

    def render(self, char: str, size: int) -> np.ndarray:
        """float32 ink map (ink = 1): the glyph, longer side ``size`` px, centered, margin ``size/4``.

        Raises ValueError if the glyph has no ink.
        """
        key = (char, size)
        img = self._cache.get(key)
        if img is None:
            if len(self._cache) >= self._cache_size:
                self._cache.clear()  # glyphs are used in runs of one syllable: a tiny cache suffices
            img = self._cache[key] = _render(self, char, size)
        return img

    def skeleton(self, char: str) -> penlib.Skeleton:
        sk = self._skeletons.get(char)
        if sk is None:
            if len(self._skeletons) >= self._cache_size:
                self._skeletons.clear()
            ink = self.render(char, PEN_RENDER_SIZE)
            if self.textured:
                ink = cv2.morphologyEx(ink, cv2.MORPH_CLOSE, _CLOSE_KERNEL)
            sk = self._skeletons[char] = penlib.skeletonize_ink(ink)
        return sk


    def pen_ink(self, char: str) -> np.ndarray:
        """The render the pen and hand kinds thin (textured faces closed first)."""
        ink = self.render(char, PEN_RENDER_SIZE)
        if self.textured:
            ink = cv2.morphologyEx(ink, cv2.MORPH_CLOSE, _CLOSE_KERNEL)
        return ink

    def hand_glyph(self, char: str) -> handlib.Glyph:
        """The glyph's skeleton taken apart into strokes, pieces and holes (cached)."""
        g = self._hands.get(char)
        if g is None:
            if len(self._hands) >= self._cache_size:
                self._hands.clear()
            g = self._hands[char] = handlib.analyze(self.pen_ink(char))
        return g


_CLOSE_KERNEL = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (3, 3))


def _render(renderer: "GlyphRenderer", char: str, size: int) -> np.ndarray:
    font = renderer.font(size)
    left, top, right, bottom = font.getbbox(char)
    w, h = right - left, bottom - top
    if w <= 0 or h <= 0:
        raise ValueError(f"glyph {char!r} is empty in this font")
    # Glyphs fill their em square very differently (Nanum Pen Script's are small): scale the
    # font so the glyph's longer side is ``size``, so "size" means the same for every face.
    fit = int(round(size * size / max(w, h)))
    if abs(fit - size) > 1:
        font = renderer.font(fit)
        left, top, right, bottom = font.getbbox(char)
        w, h = right - left, bottom - top
    pad = size // 4
    side = max(w, h) + 2 * pad
    image = Image.new("L", (side, side), 0)
    ImageDraw.Draw(image).text(((side - w) / 2 - left, (side - h) / 2 - top), char, font=font, fill=255)
    ink = np.asarray(image, np.float32) * (1.0 / 255.0)
    if ink.max(initial=0) < 0.5:
        raise ValueError(f"glyph {char!r} renders without ink in this font")
    return ink


@dataclass(frozen=True)
class Designed:
    """One designed sample: the binary image (uint8 0/1, ink = 1) and its grid cell."""

    image: np.ndarray
    cell: tuple[int, int, int, int, int]  # size, noise, resolution, threshold, rotation indices


def grid_cell(number: int) -> tuple[int, int, int, int, int]:
    """Cell number 0..242 -> (size, noise, resolution, threshold, rotation) indices."""
    return tuple(int(i) for i in np.unravel_index(int(number), GRID))  # type: ignore[return-value]


def designed_sample(renderer: GlyphRenderer, char: str, cell, rng: np.random.Generator) -> Designed:
    """A PHD08-style variant of ``char``: see the module docstring for the steps."""
    s, n, r, t, rot = cell
    ink = renderer.render(char, SIZES[s])
    ink = penlib.vary_stroke_width(ink, int(rng.choice(STROKE_DELTAS)))
    if rng.random() < ELASTIC_PROBABILITY:
        ink = penlib.elastic_distort(ink, rng)
    if ROTATIONS[rot]:
        h, w = ink.shape
        m = cv2.getRotationMatrix2D((w / 2, h / 2), ROTATIONS[rot], 1.0)
        ink = cv2.warpAffine(ink, m, (w, h), flags=cv2.INTER_LINEAR, borderValue=0)
    if RESOLUTIONS[r] != 1.0:
        h, w = ink.shape
        size = (max(8, round(w * RESOLUTIONS[r])), max(8, round(h * RESOLUTIONS[r])))
        ink = cv2.resize(ink, size, interpolation=cv2.INTER_AREA)
    if NOISE[n]:
        # Noise only where there is ink or close to it: ragged edges, pits in the strokes,
        # and no specks far away (they would change the crop, which real scans avoid too).
        near = cv2.dilate((ink > 0.05).astype(np.uint8), np.ones((3, 3), np.uint8)).astype(bool)
        noise = rng.normal(0.0, NOISE[n], ink.shape).astype(np.float32)
        ink = np.where(near, ink + noise, ink)
    # Binarize; a hairline face at a low resolution and a high threshold would lose whole
    # strokes (an unreadable sample with a label), so keep at least MIN_KEPT of the ink mass.
    mass = float(np.clip(ink, 0, 1).sum())
    binary = ink > THRESHOLDS[t]
    for fallback in (THRESHOLDS[0], 0.2):
        if binary.sum() >= MIN_KEPT * mass:
            break
        binary = ink > fallback
    return Designed(crop_to_ink(binary.astype(np.uint8)), (s, n, r, t, rot))


def pen_sample(
    renderer: GlyphRenderer, char: str, rng: np.random.Generator, style: penlib.PenStyle = penlib.DEFAULT_PEN, crop: bool = True
) -> np.ndarray:
    """The glyph's skeleton drawn with a round pen: uint8 canvas, dark ink on white.

    ``crop``: only the canvas around the drawing (same preprocessing result, faster).
    """
    return penlib.draw_skeleton(renderer.skeleton(char), rng, style, crop=crop)


def crop_to_ink(binary: np.ndarray, margin: int = 1) -> np.ndarray:
    """Crop a 0/1 image to its ink plus ``margin`` pixels (PHD08 scans are tight crops)."""
    ys, xs = np.nonzero(binary)
    if not len(ys):
        return binary
    y0, x0 = max(0, ys.min() - margin), max(0, xs.min() - margin)
    return binary[y0 : ys.max() + 1 + margin, x0 : xs.max() + 1 + margin]


def hand_sample(renderer: GlyphRenderer, char: str, rng: np.random.Generator,
                style: handlib.HandStyle = handlib.NORMAL, crop: bool = True) -> np.ndarray:
    """The glyph written by a hand with a mouse on the pad: uint8 canvas, dark ink on white.

    ``crop``: only the canvas around the drawing (same preprocessing result, faster).
    """
    return handlib.draw_hand(renderer.hand_glyph(char), rng, style, crop=crop)
