"""The one preprocessing path: any picture of a character -> the model's 60x60 uint8 input.

Converters, synthesis, training-time validation, ``handpad predict`` and the drawing pad
all call :func:`preprocess`, so the model always sees the same kind of picture. The
original project failed here: it resized the whole canvas (drawings became tiny), fed
dark-on-white drawings to a model trained on bright-on-dark data, and never cropped the ink.

Steps, in order:
1. grayscale (color and alpha are flattened; alpha over white, light strokes on a transparent canvas over black),
2. polarity: the background is the dominant border color; the output has ink = 1,
3. ink is separated from the background (contrast-normalized, faint noise dropped),
4. crop to the ink's bounding box,
5. keep the aspect ratio, scale the longer side to ``size * (1 - 2 * margin)``
   (area interpolation when shrinking), center on a ``size x size`` square,
6. optionally (digits, like MNIST) shift so the center of mass is in the middle,
7. uint8, ink 255 on 0: what dataset stores hold and what every model takes (its first layer,
   ``Rescaling``, scales to [0, 1], so no caller does).
An image without ink raises :class:`~handpad.errors.NothingDrawnError`: never a guess.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass

import cv2
import numpy as np

from .errors import NothingDrawnError

INPUT_SIZE = 60


@dataclass(frozen=True)
class PreprocessConfig:
    """Settings saved inside every model file, so prediction repeats what training saw."""

    size: int = INPUT_SIZE
    margin: float = 0.1
    center_mass: bool = False

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict | None) -> "PreprocessConfig":
        d = dict(d or {})
        return cls(**{k: d[k] for k in ("size", "margin", "center_mass") if k in d})


DIGITS_CONFIG = PreprocessConfig(center_mass=True)
HANGUL_CONFIG = PreprocessConfig(center_mass=False)
PRESETS = {"digits": DIGITS_CONFIG, "hangul": HANGUL_CONFIG}


def resolve_config(preset: str | None = None, saved: dict | None = None, kind: str = "hangul") -> PreprocessConfig:
    """The one rule for preprocessing settings: an explicit preset > the settings saved with the data
    (a store's manifest, a model file) > the default of the label space's kind (digits or hangul)."""
    if preset:
        if preset not in PRESETS:
            raise ValueError(f"unknown preprocessing preset {preset!r}; choose one of: {', '.join(PRESETS)}")
        return PRESETS[preset]
    if saved:
        return PreprocessConfig.from_dict(saved)
    return PRESETS[kind]

# Ink must differ from the background by this much (fraction of full range) to count.
MIN_CONTRAST = 0.12
# After contrast normalization, values below this are background noise.
NOISE_FLOOR = 0.15
# Pixels above this belong to the ink's bounding box.
BOX_THRESHOLD = 0.35
# Paper whose brightness spreads by more than this along the image's frame is lit unevenly (a phone
# photo of a page, darker on one side): its ink is measured against the paper nearby (_uneven_paper).
UNEVEN_PAPER = 0.12
# ... looked for in images at least this many pixels on their short side (photos; crops of one
# character are mostly smaller).
PHOTO_SIDE = 200
# Sensor noise (a photo in dim light, a cheap scan) above this standard deviation (fraction of full range,
# ~8/255; grain on white paper that the scan clips to white measures about half as strong) is smoothed
# away before the ink is measured: otherwise the grain passes the noise floor as specks of "ink" all over
# the paper. Drawn, rendered and scanned-clean images have none (their paper is flat) and are read
# exactly as before.
NOISY = 0.03
# Specks of grain left after smoothing: ink must stand this many noise deviations above the paper.
NOISE_SIGMAS = 5.0


def to_gray01(image) -> np.ndarray:
    """Any image array (HxW, HxWx1/3/4; bool, int or float) -> float32 HxW in [0, 1]."""
    img = np.asarray(image)
    if img.ndim == 3 and img.shape[2] == 1:
        img = img[:, :, 0]
    if img.ndim not in (2, 3) or (img.ndim == 3 and img.shape[2] not in (3, 4)):
        raise ValueError(f"expected a HxW or HxWxC (C=1,3,4) image, got shape {img.shape}")
    if img.shape[0] == 0 or img.shape[1] == 0:
        raise NothingDrawnError("nothing drawn: the image is empty (0 pixels)")
    if img.dtype == np.bool_:
        img = img.astype(np.float32)
    elif np.issubdtype(img.dtype, np.integer):
        scale = 255.0 if img.dtype == np.uint8 or img.max(initial=0) <= 255 else float(np.iinfo(img.dtype).max)
        img = img.astype(np.float32) / scale
    else:
        img = img.astype(np.float32)
        # [0, 1] floats overshoot a little after resampling (cubic: ~10%); 0-255 floats reach far higher
        if img.max(initial=0) > 2.0:
            img = img / 255.0
        img = np.clip(img, 0.0, 1.0)
    if img.ndim == 3:
        alpha = img[:, :, 3] if img.shape[2] == 4 else None
        gray = img[:, :, :3].mean(axis=2) if not np.allclose(img[:, :, 0], img[:, :, 2]) else img[:, :, 0]
        if alpha is not None and alpha.min() < 1.0:
            # Transparent background: composite over white, as a viewer would show it; but strokes drawn light
            # on a transparent canvas (a dark-mode drawing app's export: few opaque pixels, mostly light) would
            # vanish on white, so they go over black, where the polarity step finds them.
            opaque = alpha > 0.5
            light = 0 < np.count_nonzero(opaque) < 0.5 * alpha.size and float(gray[opaque].mean()) > 0.5
            gray = gray * alpha + (0.0 if light else 1.0 - alpha)
        img = gray
    return np.ascontiguousarray(img, dtype=np.float32)


def _frame(img: np.ndarray) -> np.ndarray:
    """The pixels along an image's four sides, each once."""
    return np.concatenate([img[0], img[-1], img[1:-1, 0], img[1:-1, -1]])


def ink_map(image, ink: str = "auto") -> np.ndarray:
    """Grayscale image -> float32 map with ink = 1 and background = 0.

    ``ink``: ``"auto"`` (the dominant border color is background), ``"bright"`` (ink is
    brighter than the background, as in MNIST/PHD08), ``"dark"`` (ink on paper) or ``"map"``: the
    image is an ink map already (this function's answer, or a piece of one, as reading cuts a line into
    syllables): only scaled to its own peak and its faint ink dropped, as ``"auto"`` would, without
    looking for paper, light and grain again (they were dealt with on the whole).
    """
    if ink == "map":
        if np.ndim(image) != 2:
            raise ValueError(f"an ink map is one HxW channel, got shape {np.shape(image)}")
        img = np.asarray(image, np.float32)
        if img.size and float(img.max()) == 1.0:
            return img  # at its peak already, its faint ink dropped: this function's own answer
        signal = _normalized(np.array(img, np.float32))  # a copy: the line's map stays as it is
        if signal is None:
            raise NothingDrawnError()
        return signal
    img = to_gray01(image)
    if ink in ("auto", "dark"):
        img = _paper_alone(img)
    if ink == "auto":
        border = _frame(img)
        background = float(np.median(border))
        if background < 0.3:  # dark all round, light within: a printed box cropped at its sides, not a dark ground
            depth = max(2, min(img.shape) // 16)
            inner = float(np.median(_frame(img[depth:-depth, depth:-depth]))) if min(img.shape) > 4 * depth else 0.0
            if inner > 0.7:
                background = inner
        if 0.3 <= background <= 0.7:  # gray paper (a dim photo of a page): the ink is what strays further from it
            lo, hi = np.percentile(img, [0.1, 99.9])
            bright_ink = hi - background > background - lo
        else:
            bright_ink = background < 0.5
    elif ink in ("bright", "dark"):
        bright_ink = ink == "bright"
        background = float(img.min() if bright_ink else img.max())
        if ink == "bright":
            background = min(background, float(np.median(img)))
        else:
            background = max(background, float(np.median(img)))
    else:
        raise ValueError(f"ink must be 'auto', 'bright', 'dark' or 'map', not {ink!r}")
    img, grain, despeckled = _smoothed(img)
    if _only_light(img, bright_ink):
        raise NothingDrawnError("nothing drawn: the photo shows only light falling unevenly on the paper, no ink")
    paper = _uneven_paper(img, bright_ink)
    if paper is not None:  # a badly lit page: the ink measured against the paper beside it
        background = paper
    signal = _normalized(img - background if bright_ink else background - img, NOISE_SIGMAS * grain)
    if despeckled and (signal is None or np.count_nonzero(signal > BOX_THRESHOLD) < IMPULSE_MIN):
        raise NothingDrawnError("nothing drawn: only specks of noise (lone pixels) in the image")
    if signal is None:
        raise NothingDrawnError()
    return signal


# Lone pixels darker (or brighter) than all eight neighbours by IMPULSE, on more than this share of the
# image: impulse noise ("salt and pepper", a dusty scan), removed with a 3x3 median. A stroke's pixels,
# even a 1-px line's, have neighbours of their own.
IMPULSE = 0.3
IMPULSE_SHARE = 0.002
IMPULSE_MIN = 50  # ... and at least this many: looked for in images of 25,000 pixels or more (a hole or two
# in a small digit's strokes is no noise)
NOISE_SAMPLE = 512  # noise is looked for in the image's middle, at most this many pixels each way


# A photo of a sheet lying on a darker desk (_paper_alone), found on a copy PAPER_SIDE px long: the bright
# region of at least PAPER_AREA of the photo, with the desk along at least PAPER_FRAME of the frame,
PAPER_SIDE = 128
PAPER_AREA = 0.2
PAPER_FRAME = 0.3
PAPER_SOLID = 0.6  # solid: holes in it (the writing) at most 1 - this of it,
PAPER_CONVEX = 0.9  # convex: this much of its hull,
PAPER_RECT = 0.85  # nearly a rectangle: this much of the smallest one around it (turned, or seen a little aslant),
PAPER_EDGE = 0.6  # its edge a step: this share of the sheet-to-desk contrast within 5 px of that copy,
PAPER_MARKS = 3  # with writing on it: 0.2% of it or more darker than the paper, in this many marks or more,
PAPER_MARK_SIZE = 0.05  # none of them more than this share of the sheet


def _paper_alone(img: np.ndarray) -> np.ndarray:
    """A photo of a sheet of paper on a darker desk -> the same photo with the desk painted the paper's
    color, so the frame's color is the paper's and the desk's edge is no ink; any other image as it is
    (everything smaller than PHOTO_SIDE, canvases and scans whose frame is paper, bright ink on black:
    strokes are no solid, convex region with a little writing on it)."""
    h, w = img.shape
    if min(h, w) < PHOTO_SIDE:
        return img
    frame = _frame(img)
    if np.percentile(frame, 75) - np.percentile(frame, 5) < MIN_CONTRAST and float(np.median(frame)) > 0.5:
        return img  # the frame is paper all round (the quick answer: canvases, scans)
    scale = PAPER_SIDE / max(h, w)
    small = cv2.GaussianBlur(cv2.resize(img, (max(1, round(w * scale)), max(1, round(h * scale))),
                                        interpolation=cv2.INTER_AREA), (0, 0), 1.0)
    _, bright = cv2.threshold((small * 255).astype(np.uint8), 0, 1, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    count, labels, stats, _ = cv2.connectedComponentsWithStats(bright, connectivity=4)
    if count < 2:
        return img
    sheet = 1 + int(np.argmax(stats[1:, cv2.CC_STAT_AREA]))
    region = (labels == sheet).astype(np.uint8)
    contours, _ = cv2.findContours(region, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    filled = np.zeros_like(region)
    cv2.drawContours(filled, contours, -1, 1, thickness=-1)  # the sheet with the writing on it
    hull = cv2.convexHull(np.concatenate(contours))
    sh, sw = region.shape
    edge = _frame(filled)
    if (filled.sum() < PAPER_AREA * sh * sw or np.mean(edge == 0) < PAPER_FRAME
            or region.sum() < PAPER_SOLID * filled.sum() or filled.sum() < PAPER_CONVEX * cv2.contourArea(hull)
            or filled.sum() < PAPER_RECT * np.prod(cv2.minAreaRect(np.concatenate(contours))[1])):
        return img
    # a sheet's edge is a step: most of the way from paper to desk within a few pixels of the copy; light
    # falling off across a page (one side darker) changes as much only over much of its width
    ring = np.ones((3, 3), np.uint8)
    inner = (cv2.erode(filled, ring, iterations=2) - cv2.erode(filled, ring, iterations=3)) > 0
    outer = (cv2.dilate(filled, ring, iterations=3) - cv2.dilate(filled, ring, iterations=2)) > 0
    if not inner.any() or not outer.any():
        return img
    step = float(np.median(small[inner]) - np.median(small[outer]))
    if step < PAPER_EDGE * float(np.median(small[filled > 0]) - np.median(small[filled == 0])):
        return img
    # the sheet at full size, its edge a little inside (shadows and the blur of the sheet's edge)
    inside = cv2.resize(cv2.erode(filled, np.ones((3, 3), np.uint8)), (w, h), interpolation=cv2.INTER_NEAREST) > 0
    on_sheet = img[inside]
    paper = float(np.median(on_sheet)) if on_sheet.size else 0.0
    if paper - float(np.median(frame)) < MIN_CONTRAST:
        return img  # no darker desk around it
    marks = inside & (img < paper - MIN_CONTRAST)  # the writing: darker marks on the sheet
    if not 0.002 <= marks.sum() / max(1, inside.sum()) <= 1 - PAPER_SOLID:
        return img
    count, _, stats, _ = cv2.connectedComponentsWithStats(marks.astype(np.uint8), connectivity=8)
    if count - 1 < PAPER_MARKS or stats[1:, cv2.CC_STAT_AREA].max() > PAPER_MARK_SIZE * inside.sum():
        return img  # a bright figure on black (a bold 0 or 8) has a big hole or two; writing, several small marks
    return np.where(inside, img, np.float32(paper)).astype(np.float32)


def noise_level(img: np.ndarray) -> float:
    """The standard deviation of pixel noise in a [0, 1] image, from the median absolute difference of
    horizontal neighbours (on every second row: enough, and quick on a photo). Strokes and light that
    falls off across a page change few neighbours' difference, so the median sees the paper's grain;
    0 for flat paper (canvases, rendered glyphs, MNIST)."""
    if min(img.shape) < 8:
        return 0.0
    d = np.abs(np.diff(img[::2], axis=1)).ravel()
    if 2 * np.count_nonzero(d) <= d.size:  # flat paper: the median is 0 (the quick answer)
        return 0.0
    return float(np.median(d)) / (0.6745 * np.sqrt(2.0))  # |N(0, 2 s^2)| has median 0.6745 sqrt(2) s


def _lone_in_rows(img: np.ndarray) -> int:
    """How many pixels are darker (or brighter) than both row neighbours by IMPULSE: every pixel lone among
    all eight neighbours is one, and clean drawings have few, so this quick count spares the full look
    for lone pixels on canvases."""
    d = np.diff(img, axis=1)
    left, right = d[:, :-1], d[:, 1:]
    return int(np.count_nonzero((left < -IMPULSE) & (right > IMPULSE)) + np.count_nonzero((left > IMPULSE) & (right < -IMPULSE)))


def _smoothed(img: np.ndarray) -> tuple[np.ndarray, float, bool]:
    """(image, grain, despeckled): an image with impulse noise through a 3x3 median (despeckled), a grainy
    one (noise_level above NOISY) smoothed with a Gaussian of 1-2 px and the grain left in it; any other
    image as it is, 0, False."""
    h, w = img.shape
    y, x = max(0, (h - NOISE_SAMPLE) // 2), max(0, (w - NOISE_SAMPLE) // 2)
    middle = img[y:y + NOISE_SAMPLE, x:x + NOISE_SAMPLE]
    despeckled = False
    if middle.size * IMPULSE_SHARE >= IMPULSE_MIN and _lone_in_rows(middle) > IMPULSE_SHARE * middle.size:
        # a photo or scan (a character's crop is cut from clean ink) with enough pixels lone at least in their row
        ring = np.ones((3, 3), np.uint8)
        ring[1, 1] = 0
        inner = slice(1, -1)  # the columns with a neighbour on each side, as in the rows' count
        dark = np.count_nonzero((cv2.erode(middle, ring) - middle)[:, inner] > IMPULSE)  # every neighbour brighter
        bright = np.count_nonzero((middle - cv2.dilate(middle, ring))[:, inner] > IMPULSE)
        if max(dark, bright) > IMPULSE_SHARE * middle.size:
            img, despeckled = cv2.medianBlur(img, 3), True
    sigma = noise_level(img)
    if sigma <= NOISY:
        return img, 0.0, despeckled
    blur = 1.0 if sigma < 0.05 else 1.5
    # a Gaussian of std b leaves 1 / (2 sqrt(pi) b) of white noise's deviation
    return cv2.GaussianBlur(img, (0, 0), blur), sigma / (2.0 * np.sqrt(np.pi) * blur), despeckled


def _normalized(signal: np.ndarray, noise: float = 0.0) -> np.ndarray | None:
    """Ink contrast scaled to peak 1, faint noise dropped (below NOISE_FLOOR of the peak, or below
    ``noise`` where the image was noisy); None where there is too little contrast."""
    peak = float(signal.max(initial=0.0))
    if peak < MIN_CONTRAST:
        return None
    signal = signal * (1.0 / peak)
    signal[signal < max(NOISE_FLOOR, noise / peak)] = 0.0
    np.clip(signal, 0.0, 1.0, out=signal)
    return signal


def _uneven_paper(img: np.ndarray, bright_ink: bool) -> np.ndarray | None:
    """The paper's own brightness at every pixel of a photo of a page lit unevenly, else None (even
    paper, a small image, a tight crop): those keep the one background value, so canvases, scans and
    rendered glyphs are read exactly as before. Worked out at about 64 px: strokes thinner than a
    tenth of the image's short side are closed over by the paper around them; where the "paper" so
    found stays nearly as dark as the ink, the strokes were too thick for that, and it is no page."""
    h, w = img.shape
    if not _uneven_frame(img):
        return None  # a small image, or an even frame with no ink on it (most canvases): the quick answer
    paper_up = 1.0 - img if bright_ink else img  # paper bright, ink dark
    scale = min(1.0, 64.0 / min(h, w))
    small = cv2.resize(paper_up, (max(1, round(w * scale)), max(1, round(h * scale))), interpolation=cv2.INTER_AREA)
    if not _lit_unevenly(small):
        return None
    k = 2 * (min(small.shape) // 10) + 1
    closed = cv2.morphologyEx(small, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (k, k)))
    smooth = cv2.GaussianBlur(closed, (0, 0), k / 2.0)
    # the darkest ink, however little of it there is (a single thin line); sensor noise evened out
    ink_level = float(cv2.GaussianBlur(paper_up, (0, 0), 1.0).min())
    if smooth.min() - ink_level < 0.3 * (smooth.max() - ink_level):
        return None  # "paper" nearly as dark as the ink: strokes too thick to close over (a tight crop), not a page
    paper = cv2.resize(smooth, (w, h), interpolation=cv2.INTER_LINEAR)
    return 1.0 - paper if bright_ink else paper


def _uneven_frame(img: np.ndarray) -> bool:
    """A photo-sized image whose frame's brightness spreads: uneven light, or ink on the frame."""
    if min(img.shape) < PHOTO_SIDE:
        return False
    frame = _frame(img)
    return float(np.percentile(frame, 95) - np.percentile(frame, 5)) >= UNEVEN_PAPER


def _only_light(img: np.ndarray, bright_ink: bool) -> bool:
    """Whether a photo with an uneven frame holds no ink at all: at no place is it darker than the
    brightest paper nearby by MIN_CONTRAST, neither at full size within a fiftieth of its short side
    (thin strokes) nor at about 64 px within a tenth (blurry ones, as in an enlarged scan), each
    after a slight blur that evens out sensor noise. Light falling off across a blank page changes
    far less over such distances. Without this the one background value (the frame's median) would read the darker
    half of a blank page as ink."""
    if not _uneven_frame(img):
        return False
    paper_up = 1.0 - img if bright_ink else img  # paper bright, ink dark
    h, w = img.shape
    scale = 64.0 / min(h, w)
    small = cv2.resize(paper_up, (max(1, round(w * scale)), max(1, round(h * scale))), interpolation=cv2.INTER_AREA)
    for view, share in ((paper_up, 1 / 50), (small, 1 / 10)):
        view = cv2.GaussianBlur(view, (0, 0), 1.0)
        k = 2 * max(1, round(min(view.shape) * share / 2)) + 1
        local_paper = cv2.dilate(view, cv2.getStructuringElement(cv2.MORPH_RECT, (k, k)))
        if float((local_paper - view).max()) >= MIN_CONTRAST:
            return False
    return True


def _lit_unevenly(small: np.ndarray) -> bool:
    """Whether the paper of ``small`` (paper bright, ink dark) is lit unevenly: the paper of the eight
    patches along its frame (corners and sides, a quarter of the image each way; each patch's 90th
    percentile, the paper even where ink crosses it) spreads by more than UNEVEN_PAPER between its
    quartiles. Ink filling a patch or two (a bar along the frame) moves no quartile; light that falls
    off across the page moves many patches at once."""
    sh, sw = small.shape
    ph, pw = max(1, sh // 4), max(1, sw // 4)
    rows, cols = (0, (sh - ph) // 2, sh - ph), (0, (sw - pw) // 2, sw - pw)
    paper = [np.percentile(small[y:y + ph, x:x + pw], 90) for i, y in enumerate(rows) for j, x in enumerate(cols)
             if (i, j) != (1, 1)]
    low, high = np.percentile(paper, [25, 75])
    return float(high - low) > UNEVEN_PAPER


def preprocess(
    image,
    size: int = INPUT_SIZE,
    margin: float = 0.1,
    center_mass: bool = False,
    ink: str = "auto",
    config: PreprocessConfig | None = None,
) -> np.ndarray:
    """Turn any grayscale or color image of any size into the ``size x size`` uint8 model input, ink = 255.

    Raises NothingDrawnError if there is no ink.
    """
    if config is not None:
        size, margin, center_mass = config.size, config.margin, config.center_mass
    if not 0 <= margin < 0.5:
        raise ValueError(f"margin must be in [0, 0.5), got {margin}")
    arr = np.asarray(image)
    if arr.dtype == np.bool_ and arr.ndim == 2 and arr.size:
        # Binary scans (PHD08): same result as the general path, without float copies of the page.
        ink_mask = _binary_ink(arr, ink)
        x, y, w, h = cv2.boundingRect(ink_mask.view(np.uint8))
        crop = ink_mask[y : y + h, x : x + w].astype(np.float32)
    else:
        signal = ink_map(arr, ink)
        mask = (signal > BOX_THRESHOLD).astype(np.uint8)
        mask = _without_dust(mask)
        x, y, w, h = cv2.boundingRect(mask)
        if w == 0 or h == 0:
            raise NothingDrawnError()
        crop = signal[y : y + h, x : x + w]
    inner = size * (1.0 - 2.0 * margin)
    scale = inner / max(w, h)
    new_w = max(1, int(round(w * scale)))
    new_h = max(1, int(round(h * scale)))
    interpolation = cv2.INTER_AREA if scale < 1.0 else cv2.INTER_LINEAR
    resized = cv2.resize(crop, (new_w, new_h), interpolation=interpolation)
    out = np.zeros((size, size), np.float32)
    top, left = (size - new_h) // 2, (size - new_w) // 2
    out[top : top + new_h, left : left + new_w] = resized
    if center_mass:
        out = _center_by_mass(out)
    return to_uint8(out)


DUST_MIN = 3  # lone pixels of ink (none of their eight neighbours ink) from this many on are dust (MNIST: 1-2 at most)
DUST_NEAR = 0.05  # ... where they lie further than this share of the rest's size outside the rest of the ink
DUST_MOST = 0.004  # ... and no more than this share of the pixels (twice IMPULSE_SHARE: sparse dust, not noise)
_RING = np.array([[1, 1, 1], [1, 0, 1], [1, 1, 1]], np.uint8)


def _without_dust(mask: np.ndarray) -> np.ndarray:
    """The ink mask without lone pixels of ink (no ink among their eight neighbours) away from the rest of the
    ink, where there are DUST_MIN or more: a dusty scan's specks, too few for the despeckling of :func:`ink_map`
    (under IMPULSE_SHARE of the pixels), would widen the crop to the whole page. Else the mask itself."""
    lone = mask & (cv2.dilate(mask, _RING) == 0)
    count = np.count_nonzero(lone)
    if count < DUST_MIN:  # a clean drawing or scan has a stray pixel or two: left as they are
        return mask
    if count > DUST_MOST * mask.size:  # not a few specks but noise all over (what is left of it is left to the model)
        return mask
    rest = mask & ~lone
    x, y, w, h = cv2.boundingRect(rest)
    if w == 0:
        return mask
    # lone pixels near the writing stay (a thin stroke's ends, broken up by the despeckling of a noisier image)
    near = max(2, int(DUST_NEAR * max(w, h)))
    y0, x0 = max(0, y - near), max(0, x - near)
    rest[y0:y + h + near, x0:x + w + near] |= lone[y0:y + h + near, x0:x + w + near]
    return rest


def rescale(prepared: np.ndarray, source: PreprocessConfig, target: PreprocessConfig) -> np.ndarray | None:
    """Inputs prepared with ``source`` -> the same images as ``target`` prepares them, where the two
    differ only in size (the margin is a share of the side, so a resized input is the same picture);
    None where they differ otherwise (then prepare the images again)."""
    if (source.margin, source.center_mass) != (target.margin, target.center_mass):
        return None
    x = np.asarray(prepared, np.uint8)
    if source.size == target.size:
        return x
    size = (target.size, target.size)
    interpolation = cv2.INTER_AREA if target.size < source.size else cv2.INTER_LINEAR
    return np.stack([cv2.resize(im, size, interpolation=interpolation) for im in x]) if len(x) else \
        np.zeros((0, *size), np.uint8)


def _binary_ink(img: np.ndarray, ink: str) -> np.ndarray:
    """Bool image -> bool ink mask, exactly what ink_map gives for it (0/1 values, no noise)."""
    count = np.count_nonzero(img)
    if count == 0 or count == img.size:
        raise NothingDrawnError()  # one color only: ink_map's contrast is 0 in every mode
    if ink == "auto":
        border = _frame(img)
        bright_ink = 2 * np.count_nonzero(border) < len(border)  # median(border) < 0.5
    elif ink in ("bright", "dark", "map"):
        bright_ink = ink != "dark"
    else:
        raise ValueError(f"ink must be 'auto', 'bright', 'dark' or 'map', not {ink!r}")
    return img if bright_ink else ~img


def _center_by_mass(img: np.ndarray) -> np.ndarray:
    m = cv2.moments(img)
    if m["m00"] <= 0:
        return img
    size = img.shape[0]
    dx = (size - 1) / 2.0 - m["m10"] / m["m00"]
    dy = (size - 1) / 2.0 - m["m01"] / m["m00"]
    shift = np.float32([[1, 0, dx], [0, 1, dy]])
    return cv2.warpAffine(img, shift, (size, size), flags=cv2.INTER_LINEAR, borderValue=0)


def to_uint8(x: np.ndarray) -> np.ndarray:
    """A float image in [0, 1] -> uint8 (values outside are clipped)."""
    return np.clip(np.rint(x * 255.0), 0, 255).astype(np.uint8)
