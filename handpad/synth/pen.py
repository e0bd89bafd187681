"""What a hand adds to a glyph: pen redrawing, stroke-width changes, elastic distortion.

Generic on purpose: the input is any ink map (float 0..1 or uint8, ink bright), a 100x100
font glyph or a 28x28 MNIST digit alike. The pad receives dark strokes of one constant width
on a large white canvas, so :func:`pen_redraw` turns a glyph into exactly that:

1. the ink is brought to a fixed working size (small, so thinning is cheap), binarized,
   small holes (e.g. the dotted "Eco" fonts) are filled and specks dropped,
2. it is thinned to its skeleton (``skimage.morphology.skeletonize``), which is traced into
   a few simplified polylines (``cv2.findContours`` + ``cv2.approxPolyDP``),
3. the polylines get a random affine jitter (rotation, shear, aspect) and an elastic
   displacement (a smoothed random field, like IBM's tensorflow-hangul-recognition),
4. they are drawn with a round pen of constant random width at a random size and position
   on the canvas (one ``cv2.polylines`` call, sub-pixel, anti-aliased).

The caller sends the canvas through :func:`handpad.preprocess.preprocess`, as the pad does.
Steps 1-2 depend only on the glyph, so :func:`skeletonize_ink` can be cached by the caller.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import cv2
import numpy as np
from skimage.morphology import remove_small_holes, remove_small_objects, skeletonize

# Working size of the thinning step (longer side of the ink's bounding box), in pixels.
WORK_SIZE = 64
# Holes and specks up to this many pixels (at WORK_SIZE) are filled / dropped before thinning.
SMALL_AREA = 10


def as_ink(image) -> np.ndarray:
    """Ink map as float32 0..1 (uint8 0..255 is scaled); ink bright."""
    img = np.asarray(image)
    if img.ndim != 2:
        raise ValueError(f"expected a 2-D ink map, got shape {img.shape}")
    if img.dtype == np.uint8:
        return img.astype(np.float32) * (1.0 / 255.0)
    if img.dtype == np.bool_:
        return img.astype(np.float32)
    img = img.astype(np.float32)
    return img / 255.0 if img.max(initial=0) > 1.0 else img


# -- stroke width and elastic distortion (image -> image) ------------------------------------
def vary_stroke_width(ink: np.ndarray, delta: int) -> np.ndarray:
    """Thinner (``delta < 0``, erode) or bolder (``delta > 0``, dilate) by ``|delta|`` pixels.

    Erosion that would wipe out more than half of the ink (hairline fonts) is not applied.
    """
    if delta == 0:
        return ink
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * abs(delta) + 1, 2 * abs(delta) + 1))
    if delta > 0:
        return cv2.dilate(ink, kernel)
    thinner = cv2.erode(ink, kernel)
    return thinner if thinner.sum() > 0.5 * ink.sum() else ink


def displacement_field(shape, rng: np.random.Generator, alpha: float, sigma: float):
    """Smooth random displacements (dx, dy) in pixels: uniform noise, Gaussian-blurred, scaled.

    ``alpha`` and ``sigma`` are in pixels of an image of this shape (IBM's generator used
    alpha 30-36, sigma 5-6 on 64x64 glyphs).
    """
    h, w = shape
    dx = cv2.GaussianBlur(rng.uniform(-1, 1, (h, w)).astype(np.float32), (0, 0), sigma) * alpha
    dy = cv2.GaussianBlur(rng.uniform(-1, 1, (h, w)).astype(np.float32), (0, 0), sigma) * alpha
    return dx, dy


def elastic_distort(ink: np.ndarray, rng: np.random.Generator, alpha: float | None = None, sigma: float | None = None) -> np.ndarray:
    """Elastic distortion (Simard et al.; IBM's Hangul generator): remap by a smooth random field.

    Defaults scale IBM's 64x64 values (alpha 30-36, sigma 5-6) to the image's size.
    """
    h, w = ink.shape
    k = max(h, w) / 64.0
    alpha = rng.uniform(30, 36) * k if alpha is None else alpha
    sigma = rng.uniform(5, 6) * k if sigma is None else sigma
    dx, dy = displacement_field((h, w), rng, alpha, sigma)
    xs, ys = np.meshgrid(np.arange(w, dtype=np.float32), np.arange(h, dtype=np.float32))
    return cv2.remap(ink, xs + dx, ys + dy, cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT, borderValue=0)


# -- skeleton ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Skeleton:
    """A glyph thinned to polylines, in working-size pixel coordinates."""

    points: np.ndarray  # float32 (n, 2): all vertices (x, y), polyline after polyline
    starts: np.ndarray  # int64 (k + 1,): polyline i is points[starts[i]:starts[i + 1]]
    shape: tuple[int, int]  # (h, w) of the working image

    def polylines(self, points: np.ndarray | None = None) -> list[np.ndarray]:
        pts = self.points if points is None else points
        return [pts[a:b] for a, b in zip(self.starts[:-1], self.starts[1:])]

    def __len__(self) -> int:
        return len(self.starts) - 1


def skeletonize_ink(ink, work_size: int = WORK_SIZE, threshold: float = 0.5, step: float = 4.0,
                    fill_holes: bool = True) -> Skeleton:
    """Ink map (any size) -> its skeleton as polylines with vertices at most ``step`` px apart.

    ``fill_holes`` fills holes up to SMALL_AREA px first: right for font glyphs (dotted "Eco"
    faces), wrong for handwriting, where a small hole is the loop of a thick 6, 8 or 9.
    Raises ValueError if there is no ink.
    """
    skel = skeleton_image(ink, work_size, threshold, fill_holes)
    # The one-pixel skeleton's contours walk along every branch (out and back); simplified,
    # they are a few polylines that a pen draws quickly and smoothly (no pixel staircase).
    contours, _ = cv2.findContours(skel, cv2.RETR_LIST, cv2.CHAIN_APPROX_NONE)
    lines = []
    for c in contours:
        poly = cv2.approxPolyDP(c, 0.7, True).reshape(-1, 2).astype(np.float32)
        lines.append(_densify(np.concatenate([poly, poly[:1]]), step))  # closed: back to the start
    if not lines:
        raise ValueError("no ink to skeletonize")
    starts = np.cumsum([0] + [len(p) for p in lines])
    return Skeleton(np.concatenate(lines), starts, skel.shape)


def skeleton_image(ink, work_size: int = WORK_SIZE, threshold: float = 0.5, fill_holes: bool = True) -> np.ndarray:
    """Steps 1-2 of :func:`skeletonize_ink`: the one-pixel skeleton (uint8 0/1) at the working size.

    The ink is cropped and scaled so its longer side is ``work_size``, with a 2-pixel border.
    Raises ValueError if there is no ink.
    """
    ink = as_ink(ink)
    ys, xs = np.nonzero(ink > threshold)
    if not len(ys):
        raise ValueError("no ink to skeletonize")
    # Crop to the ink and scale so the longer side is work_size (MNIST's 28 px are upsampled:
    # a finer grid gives a smoother skeleton; big glyphs are downsampled: thinning is cheaper).
    crop = ink[ys.min() : ys.max() + 1, xs.min() : xs.max() + 1]
    scale = work_size / max(crop.shape)
    w, h = max(1, round(crop.shape[1] * scale)), max(1, round(crop.shape[0] * scale))
    interp = cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR
    work = np.zeros((h + 4, w + 4), np.float32)  # a border: thinning and contours need background around
    work[2:-2, 2:-2] = cv2.resize(crop, (w, h), interpolation=interp)
    binary = work > threshold
    area = max(1, int(round(SMALL_AREA * (work_size / 64.0) ** 2)))
    if fill_holes:
        binary = _remove_small_holes(binary, area)  # dotted "Eco" fonts: one stroke, not a ladder
    cleaned = _remove_small_objects(binary, area)
    if cleaned.any():
        binary = cleaned
    return skeletonize(binary).astype(np.uint8)


def _densify(poly: np.ndarray, step: float) -> np.ndarray:
    """Insert vertices so consecutive ones are at most ``step`` apart (elastic bends need them)."""
    if len(poly) < 2:
        return poly
    seg = np.diff(poly, axis=0)
    n = np.maximum(1, np.ceil(np.hypot(seg[:, 0], seg[:, 1]) / step)).astype(np.int64)
    idx = np.repeat(np.arange(len(seg)), n)
    first = np.repeat(np.cumsum(n) - n, n)  # index where each segment's new vertices start
    t = ((np.arange(len(idx)) - first) / n[idx]).astype(np.float32)
    return np.concatenate([poly[idx] + seg[idx] * t[:, None], poly[-1:]])


def _remove_small_holes(binary: np.ndarray, area: int) -> np.ndarray:
    if _SKIMAGE_MAX_SIZE:
        return remove_small_holes(binary, max_size=area)
    return remove_small_holes(binary, area + 1)


def _remove_small_objects(binary: np.ndarray, area: int) -> np.ndarray:
    if _SKIMAGE_MAX_SIZE:
        return remove_small_objects(binary, max_size=area, connectivity=2)
    return remove_small_objects(binary, area + 1, connectivity=2)


def _skimage_has_max_size() -> bool:
    # scikit-image 0.26 renamed area_threshold/min_size to max_size (the old names warn).
    import inspect

    return "max_size" in inspect.signature(remove_small_holes).parameters


_SKIMAGE_MAX_SIZE = _skimage_has_max_size()


# -- drawing -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class PenStyle:
    """Ranges the random pen drawing is drawn from (fractions are of the canvas side)."""

    canvas: int = 400  # the pad's canvas is 400 x 400
    size: tuple[float, float] = (0.3, 0.9)  # longer side of the drawing
    width: tuple[float, float] = (0.02, 0.07)  # pen width, fraction of the drawing's size
    min_width: float = 2.0  # pixels
    rotation: float = 8.0  # degrees, +-
    shear: float = 0.15  # +-
    aspect: float = 0.15  # log-ratio, +-
    elastic: tuple[float, float] = (0.0, 5.0)  # displacement amplitude, working-size pixels
    elastic_sigma: tuple[float, float] = (4.0, 8.0)  # smoothness, working-size pixels
    ink: tuple[int, int] = (0, 60)  # gray level of the ink (dark) ...
    paper: int = 255  # ... on white paper


DEFAULT_PEN = PenStyle()
# Only what the definition of a pen-drawn test set asks: the skeleton redrawn with a round pen
# of constant random width at a random size and place; no hand-like wobble, slant or squeeze.
PLAIN_PEN = PenStyle(rotation=0.0, shear=0.0, aspect=0.0, elastic=(0.0, 0.0))


class PenStrokes(NamedTuple):
    """A skeleton's polylines as a pen draws them: where, how wide, how dark."""

    lines: list  # float (n, 2) arrays (x, y), canvas pixels, one per polyline, in drawing order
    width: float  # the pen's width, canvas pixels (drawn with ``max(1, round(width))``)
    color: int  # gray level of the ink


def pen_strokes(skeleton: Skeleton, rng: np.random.Generator, style: PenStyle = DEFAULT_PEN) -> PenStrokes:
    """Steps 3-4 of :func:`pen_redraw` without the drawing: the skeleton's polylines after the
    elastic and affine jitter, at a random size and place on the ``style.canvas`` square, the
    pen's random width and the ink's gray level. :func:`draw_skeleton` draws exactly these."""
    pts = skeleton.points.copy()
    if not len(pts):
        raise ValueError("empty skeleton: nothing to draw")
    h, w = skeleton.shape
    # Elastic displacement: a smooth field over the working grid, read at the vertices.
    amp = rng.uniform(*style.elastic)
    if amp > 0:
        sigma = rng.uniform(*style.elastic_sigma)
        dx, dy = displacement_field((h, w), rng, 1.0, sigma)
        # Normalize so the field's typical displacement is ~amp pixels whatever sigma is.
        norm = amp / max(1e-6, float(np.sqrt((dx**2 + dy**2).mean())))
        ix = np.clip(pts[:, 0].astype(np.int64), 0, w - 1)
        iy = np.clip(pts[:, 1].astype(np.int64), 0, h - 1)
        pts[:, 0] += dx[iy, ix] * norm
        pts[:, 1] += dy[iy, ix] * norm
    # Affine jitter: how a hand slants, squeezes and tilts a character.
    theta = np.deg2rad(rng.uniform(-style.rotation, style.rotation))
    shear = rng.uniform(-style.shear, style.shear)
    aspect = np.exp(rng.uniform(-style.aspect, style.aspect))
    a = np.array([[np.cos(theta), -np.sin(theta)], [np.sin(theta), np.cos(theta)]]) @ np.array(
        [[aspect, shear], [0.0, 1.0 / aspect]]
    )
    pts = (pts - pts.mean(axis=0)) @ a.T.astype(np.float32)
    # Random size and position on the canvas; the pen stays inside.
    extent = max(float(np.ptp(pts[:, 0])), float(np.ptp(pts[:, 1])), 1.0)
    drawn = rng.uniform(*style.size) * style.canvas
    pen = max(style.min_width, rng.uniform(*style.width) * drawn)
    scale = (drawn - pen) / extent if drawn > pen else 1.0
    pts = pts * scale
    lo, hi = pts.min(axis=0), pts.max(axis=0)
    room_lo = pen / 2 + 1 - lo
    room_hi = style.canvas - pen / 2 - 1 - hi
    offset = np.array([rng.uniform(room_lo[i], max(room_lo[i], room_hi[i])) for i in range(2)])
    pts = pts + offset
    color = int(rng.integers(style.ink[0], style.ink[1] + 1))
    return PenStrokes(skeleton.polylines(pts), float(pen), color)


def draw_skeleton(skeleton: Skeleton, rng: np.random.Generator, style: PenStyle = DEFAULT_PEN, crop: bool = False) -> np.ndarray:
    """Draw a skeleton with a round pen of constant random width; uint8 canvas, dark ink on white.

    The polylines, pen and ink are :func:`pen_strokes`'s. ``crop=True`` returns only the part
    of the canvas around the drawing (a white margin of a few pixels all round):
    :func:`handpad.preprocess.preprocess` gives exactly the same result for it as for the
    whole canvas (it crops to the ink anyway), at a fraction of the cost. The random draws
    are the same either way.
    """
    lines, pen, color = pen_strokes(skeleton, rng, style)
    pts = np.concatenate(lines)
    thickness = max(1, int(round(pen)))
    x0 = y0 = 0
    width = height = style.canvas
    if crop:
        # The pen reaches thickness/2 (+1 px of anti-aliasing) beyond the points.
        reach = thickness / 2 + 3
        x0, y0 = (max(0, int(np.floor(v - reach))) for v in pts.min(axis=0))
        x1, y1 = (min(style.canvas, int(np.ceil(v + reach)) + 1) for v in pts.max(axis=0))
        width, height = x1 - x0, y1 - y0
    canvas = np.full((height, width), style.paper, np.uint8)
    shift = 4  # sub-pixel coordinates: 1/16 pixel
    fixed = np.rint((pts - (x0, y0)) * (1 << shift)).astype(np.int32)
    cv2.polylines(canvas, skeleton.polylines(fixed), False, color, thickness, cv2.LINE_AA, shift)
    return canvas


def pen_redraw(ink, rng: np.random.Generator, style: PenStyle = DEFAULT_PEN, work_size: int = WORK_SIZE,
               fill_holes: bool = True) -> np.ndarray:
    """Glyph ink map (float 0..1 or uint8, ink bright, any size) -> a pen drawing of it.

    Returns a uint8 ``style.canvas`` square canvas, dark ink on white, like the pad's;
    send it through :func:`handpad.preprocess.preprocess`.
    """
    return draw_skeleton(skeletonize_ink(ink, work_size, fill_holes=fill_holes), rng, style)
