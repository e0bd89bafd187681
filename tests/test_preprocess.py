"""The one preprocessing path: position, scale, polarity and canvas size do not change the input."""
from __future__ import annotations

from dataclasses import replace

import cv2
import numpy as np
import pytest

from handpad.errors import NothingDrawnError
from handpad.preprocess import DIGITS_CONFIG, HANGUL_CONFIG, preprocess, rescale
from handpad.sources.phd08 import read_phd08


@pytest.fixture(scope="module")
def glyph(phd08_head):
    name, img = next(x for x in read_phd08("가.txt", data=phd08_head))
    return img.astype(np.uint8) * 255  # a real PHD08 가, bright ink


def place(glyph, canvas: int, scale: float, top: int, left: int, dark_ink: bool) -> np.ndarray:
    g = cv2.resize(glyph, None, fx=scale, fy=scale, interpolation=cv2.INTER_NEAREST)
    img = np.zeros((canvas, canvas), np.uint8)
    img[top : top + g.shape[0], left : left + g.shape[1]] = g
    return 255 - img if dark_ink else img


def f01(x: np.ndarray) -> np.ndarray:
    """A uint8 model input as [0, 1] floats, for differences that must not wrap around."""
    return x.astype(np.float32) / 255


def test_same_glyph_anywhere_gives_nearly_the_same_input(glyph):
    ref = preprocess(place(glyph, 100, 2, 20, 20, False))
    assert ref.shape == (60, 60) and ref.dtype == np.uint8 and ref.max() == 255  # the model's input, ink 255
    ref = f01(ref)
    for variant in (
        place(glyph, 1000, 2, 0, 0, False),       # small, in a corner of a 1000 x 1000 canvas
        place(glyph, 1000, 30, 150, 60, False),    # large, in the middle
        place(glyph, 1000, 10, 500, 600, True),    # inverted: dark ink on white
    ):
        assert np.abs(f01(preprocess(variant)) - ref).mean() < 0.03
    assert np.array_equal(f01(preprocess(place(glyph, 100, 2, 20, 20, True))), ref)  # exact inverse


def test_binary_fast_path_equals_general_path(glyph):
    b = glyph > 0
    for ink in ("auto", "bright", "dark"):
        for img in (b, ~b):
            try:
                ref = preprocess(img.astype(np.uint8) * 255, ink=ink)
            except NothingDrawnError:
                with pytest.raises(NothingDrawnError):
                    preprocess(img, ink=ink)
                continue
            assert np.array_equal(preprocess(img, ink=ink), ref)


def test_an_ink_map_is_only_scaled_to_its_peak(glyph):
    # a piece of an ink map (as reading cuts a line into syllables) at half strength, a faint speck beside
    piece = np.zeros((120, 150), np.float32)
    piece[10:110, 20:120] = cv2.resize(glyph, (100, 100), interpolation=cv2.INTER_AREA) / 255.0 * 0.5
    piece[5, 140] = 0.01
    mapped = preprocess(piece, ink="map")
    assert mapped.max() == 255 and np.array_equal(mapped, preprocess(piece))  # what "auto" makes of it
    assert np.array_equal(preprocess(piece > 0.25, ink="map"), preprocess(piece > 0.25))  # bool maps too
    assert piece.max() == np.float32(0.5)  # the caller's map is left as it was
    with pytest.raises(NothingDrawnError):
        preprocess(np.zeros((20, 20), np.float32), ink="map")
    with pytest.raises(ValueError, match="one HxW channel"):
        preprocess(np.zeros((20, 20, 3), np.float32), ink="map")


def test_nothing_drawn():
    for blank in (np.zeros((50, 50), np.uint8), np.full((50, 50), 255, np.uint8), np.zeros((10, 10), bool)):
        with pytest.raises(NothingDrawnError, match="nothing drawn"):
            preprocess(blank)


def test_color_and_rgba(glyph):
    ref = preprocess(glyph)
    bgr = cv2.cvtColor(255 - glyph, cv2.COLOR_GRAY2BGR)  # black ink on white, 3 channels
    assert np.array_equal(preprocess(bgr), ref)
    rgba = np.zeros(glyph.shape + (4,), np.uint8)
    rgba[..., 3] = glyph  # black strokes on a transparent background
    assert np.array_equal(preprocess(rgba), ref)
    rgba[..., :3] = 255  # white strokes on a transparent background (a dark-mode canvas's export): over white
    assert np.array_equal(preprocess(rgba), ref)  # they would vanish; they are read as the black ones
    framed = np.pad(glyph, 10)
    paper = np.full(framed.shape + (4,), 255, np.uint8)  # white paper written on in black, opaque but for a
    paper[..., :3] -= framed[..., None]                   # transparent border: over white, as before
    paper[:4, :, 3] = 0
    assert np.array_equal(preprocess(paper), preprocess(framed))


def test_center_mass_moves_the_mass_to_the_middle():
    img = np.zeros((80, 80), np.uint8)
    cv2.rectangle(img, (10, 10), (30, 60), 255, -1)
    cv2.rectangle(img, (10, 10), (60, 18), 255, -1)  # a heavy left side: the box center is not the mass center
    x = preprocess(img, config=DIGITS_CONFIG)
    m = cv2.moments(x)
    assert abs(m["m10"] / m["m00"] - 29.5) < 1 and abs(m["m01"] / m["m00"] - 29.5) < 1  # (ink pushed to the edge is lost)
    m0 = cv2.moments(preprocess(img))
    assert abs(m0["m10"] / m0["m00"] - 29.5) > 2  # without it, the mass is off-center


def test_rescale_gives_what_preparing_at_the_other_size_gives(glyph):
    # reading reuses the recognizer's 80 px inputs for the 60 px verifier: the margin is a share of
    # the side, so a resized input is the same picture (to resampling)
    images = [place(glyph, 300, s, 40, 30, dark) for s, dark in ((2, False), (5, True), (3, True))]
    big, small = replace(HANGUL_CONFIG, size=80), replace(HANGUL_CONFIG, size=60)
    x80 = np.stack([preprocess(im, config=big) for im in images])
    x60 = np.stack([preprocess(im, config=small) for im in images])
    got = rescale(x80, big, small)
    assert got.shape == (3, 60, 60) and got.dtype == np.uint8
    assert np.abs(f01(got) - f01(x60)).mean() < 0.02
    assert np.abs(f01(got) - f01(np.roll(x60, 3, axis=2))).mean() > 0.04  # a 3-pixel shift is told apart
    assert rescale(x60, small, small) is not None and np.array_equal(rescale(x60, small, small), x60)
    assert rescale(x80, big, replace(small, center_mass=True)) is None  # not the same picture: prepare again
    assert rescale(x80[:0], big, small).shape == (0, 60, 60)


def photograph(dark_on_white: np.ndarray, light, seed: int = 0) -> np.ndarray:
    """A phone photo of a page: ink 0.1, the paper as bright as ``light(x, y)`` (x, y in [0, 1]),
    sensor noise and a little blur."""
    h, w = dark_on_white.shape
    y, x = np.mgrid[0:h, 0:w]
    paper = f01(dark_on_white)
    photo = light(x / w, y / h) * paper + 0.1 * (1 - paper)
    photo += np.random.default_rng(seed).normal(0, 0.03, photo.shape)
    return to_u8(cv2.GaussianBlur(np.clip(photo, 0, 1), (0, 0), 1.0))


def to_u8(x: np.ndarray) -> np.ndarray:
    return np.clip(np.rint(x * 255), 0, 255).astype(np.uint8)


LIGHTS = {
    "darker to the left": lambda x, y: 0.45 + 0.5 * x,
    "darker at the top": lambda x, y: 0.4 + 0.55 * y,
}


@pytest.mark.parametrize("light", LIGHTS, ids=list(LIGHTS))
def test_an_unevenly_lit_photo_gives_the_scans_input(glyph, light, monkeypatch):
    """The ink of a photographed page is measured against the paper beside it: the real PHD08 가 comes
    out as from the clean scan. With one background value for the whole page (as before) it does not."""
    import sys

    clean = place(glyph, 300, 2, 60, 90, dark_ink=True)
    photo = photograph(clean, LIGHTS[light])
    ref = f01(preprocess(clean))
    assert np.abs(f01(preprocess(photo)) - ref).mean() < 0.03
    monkeypatch.setattr(sys.modules["handpad.preprocess"], "_uneven_paper", lambda img, bright_ink: None)
    assert np.abs(f01(preprocess(photo)) - ref).mean() > 0.08


def test_a_dim_page_is_dark_ink_on_gray_paper(glyph):
    """Paper photographed in dim light is darker than mid-gray; its ink is still the darker side."""
    clean = place(glyph, 300, 2, 60, 90, dark_ink=True)
    photo = photograph(clean, lambda x, y: 0.35 + 0.2 * x)
    assert np.median(np.concatenate([photo[0], photo[-1]])) < 128  # "dark background" by the border alone
    assert np.abs(f01(preprocess(photo)) - f01(preprocess(clean))).mean() < 0.03
    assert np.array_equal(preprocess(photo), preprocess(photo, ink="dark"))


def test_even_paper_keeps_one_background_value(glyph):
    """Canvases, scans, rendered glyphs and evenly lit photos are read exactly as before: no paper map."""
    import sys

    pre = sys.modules["handpad.preprocess"]
    clean = place(glyph, 300, 2, 60, 90, dark_ink=True)
    tight = clean[60:60 + 2 * glyph.shape[0], 90:90 + 2 * glyph.shape[1]]  # ink touching the frame
    even = photograph(clean, lambda x, y: 0.7 + 0 * x)
    for name, img in (("canvas", clean), ("bright ink", 255 - clean), ("tight crop", tight), ("even photo", even)):
        gray = pre.to_gray01(img)
        assert pre._uneven_paper(gray, bright_ink=name == "bright ink") is None, name


def test_large_tight_crops_of_real_digits_are_no_badly_lit_page(SHARED_DATA):
    """Thick, blurry ink filling a large image to its frame (real MNIST digits cropped to their ink and
    enlarged 12x, dark on white) spreads the frame's brightness as uneven light does; its "paper"
    would hold the strokes, so it keeps the one background value and its input does not change."""
    import sys

    from handpad.sources.mnist import read_mnist_idx

    pre = sys.modules["handpad.preprocess"]
    images, _ = read_mnist_idx(SHARED_DATA / "mnist-10k")
    crops = []
    for digit in images[:200]:
        ys, xs = np.nonzero(digit > 30)
        crop = 255 - digit[ys.min():ys.max() + 1, xs.min():xs.max() + 1]
        crops.append(cv2.resize(crop, None, fx=12, fy=12, interpolation=cv2.INTER_CUBIC))
    def frame_spreads(c):
        frame = np.concatenate([c[0], c[-1], c[1:-1, 0], c[1:-1, -1]]) / 255.0
        return np.percentile(frame, 95) - np.percentile(frame, 5) >= pre.UNEVEN_PAPER

    spread = [c for c in crops if min(c.shape) >= pre.PHOTO_SIDE and frame_spreads(c)]
    assert len(spread) > 50  # the frame check alone would send these to the paper map
    assert all(pre._uneven_paper(pre.to_gray01(c), bright_ink=False) is None for c in spread)
    assert not any(pre._only_light(pre.to_gray01(c), bright_ink=False) for c in spread)  # and no blank page


@pytest.mark.parametrize("light", LIGHTS, ids=list(LIGHTS))
@pytest.mark.parametrize("shape", [(240, 600), (900, 1200)], ids=["small photo", "large photo"])
def test_a_blank_page_in_uneven_light_is_nothing_drawn(light, shape, glyph):
    """A photo of an empty page, darker on one side, is not ink: the darker half once came out as a
    black blob. A lone stroke two pixels wide on the same page is ink, measured against the paper
    beside it (too little ink to move a percentile, it once kept the one background value), and a
    written page reads as the clean one."""
    blank = photograph(np.full(shape, 255, np.uint8), LIGHTS[light])
    with pytest.raises(NothingDrawnError, match="only light falling unevenly"):
        preprocess(blank)
    page = np.full(shape, 255, np.uint8)
    cv2.line(page, (shape[1] // 4, shape[0] // 2), (3 * shape[1] // 4, shape[0] // 2), 0, 2)
    line = f01(preprocess(photograph(page, LIGHTS[light])))
    rows = np.flatnonzero(line.max(axis=1) > 0.3)
    assert 25 <= rows.min() and rows.max() <= 35  # a horizontal bar across the middle, nothing else ...
    assert (line[rows].max(axis=0) > 0.3).sum() >= 40  # ... as wide as the input allows (48 px)
    written = photograph(place(glyph, 300, 2, 60, 90, dark_ink=True), LIGHTS[light])
    assert np.abs(f01(preprocess(written)) - f01(preprocess(place(glyph, 300, 2, 60, 90, dark_ink=True)))).mean() < 0.03



def test_float_images_that_overshoot_after_resampling_stay_in_0_1(glyph):
    """A [0, 1] float image enlarged with cubic interpolation overshoots 1 a little; it is still read
    as [0, 1] (it was once taken for 0-255 and came out nearly black), and 0-255 floats as 0-255."""
    ink = glyph.astype(np.float32) / 255
    cubic = cv2.resize(ink, None, fx=3, fy=3, interpolation=cv2.INTER_CUBIC)
    assert 1.0 < cubic.max() < 2.0 and cubic.min() < 0.0
    want = preprocess(np.clip(cubic, 0, 1))
    assert np.array_equal(preprocess(cubic), want)
    assert np.array_equal(preprocess(np.clip(cubic, 0, 1) * 255), want)


def test_clean_images_pass_the_noise_check_untouched(glyph, SHARED_DATA):
    """Flat paper has no grain: canvases, rendered glyphs and real digits (the first 2,000 MNIST digits,
    some with a hole or two in their strokes, as given and enlarged 12x) come out of the noise check
    as the very same array, so their model inputs do not change."""
    import sys

    from handpad.sources.mnist import read_mnist_idx

    pre = sys.modules["handpad.preprocess"]
    images, _ = read_mnist_idx(SHARED_DATA / "mnist-10k")
    ring = np.ones((3, 3), np.uint8)
    ring[1, 1] = 0
    with_holes = [d for d in images[:2000] if (cv2.erode(d, ring).astype(int) - d > 0.3 * 255).any()]
    assert with_holes  # the test means something: lone dark pixels inside bright strokes
    samples = [place(glyph, 400, 2.0, 50, 60, dark) for dark in (True, False)] + list(images[:2000]) + \
        [cv2.resize(d, None, fx=12, fy=12, interpolation=cv2.INTER_CUBIC) for d in with_holes[:20]]
    for s in samples:
        img = pre.to_gray01(s)
        smoothed, grain, despeckled = pre._smoothed(img)
        assert smoothed is img and grain == 0.0 and not despeckled


def test_grain_is_measured_and_smoothed_away(glyph):
    """Gaussian grain on gray paper is measured within 15% of its deviation; the glyph photographed with
    grain of 25/255 on it gives nearly the clean glyph's input, where the ink measured without smoothing
    picks up specks all over the paper; lone black and white pixels (2% each) likewise."""
    import sys

    pre = sys.modules["handpad.preprocess"]
    rng = np.random.default_rng(0)
    page = place(glyph, 400, 2.0, 50, 60, dark_ink=True).astype(np.float32) * 0.6 + 60  # gray paper, dark ink
    for sigma in (6, 15, 30):
        grainy = page + rng.normal(0, sigma, page.shape)
        assert pre.noise_level(grainy / 255) == pytest.approx(sigma / 255, rel=0.15)
    clean = preprocess(page.astype(np.uint8))
    grainy = np.clip(page + rng.normal(0, 25, page.shape), 0, 255).astype(np.uint8)
    u = rng.random(page.shape)
    dusty = page.astype(np.uint8).copy()
    dusty[u < 0.02], dusty[u > 0.98] = 0, 255
    for noisy in (grainy, dusty):
        assert np.abs(f01(preprocess(noisy)) - f01(clean)).mean() < 0.05  # unsmoothed: 0.10 (specks widen the box)
        specks = pre._normalized(np.median(noisy) / 255 - noisy.astype(np.float32) / 255)
        assert np.count_nonzero(specks[:, :40]) > 100  # unsmoothed: "ink" in the empty left margin
        assert np.count_nonzero(pre.ink_map(noisy)[:, :40]) == 0


def test_a_few_specks_of_dust_do_not_widen_the_crop(glyph, SHARED_DATA):
    """A scan with sparse dust (0.1% of its pixels black, too few for the despeckling): lone pixels away from the
    writing are left out of the crop (preprocess._without_dust), so the real PHD08 가 gives its clean input; left in,
    they widen the crop to the whole page. A stray pixel or two (as 73 of the 10,000 MNIST digits have one) and
    noise all over (2%) are left as they were: the first 2,000 MNIST digits give the very same inputs."""
    import sys

    from handpad.sources.mnist import read_mnist_idx

    pre = sys.modules["handpad.preprocess"]
    rng = np.random.default_rng(1)
    page = place(glyph, 300, 1.5, 80, 90, dark_ink=True)
    clean = preprocess(page)
    dusty = page.copy()
    dusty[rng.random(page.shape) < 0.001] = 0
    assert np.count_nonzero(dusty < 128) > np.count_nonzero(page < 128) + 40
    near = np.abs(f01(preprocess(dusty)) - f01(clean)).mean()  # the specks inside the glyph's box stay
    with pytest.MonkeyPatch.context() as m:
        m.setattr(pre, "_without_dust", lambda mask: mask)
        widened = np.abs(f01(preprocess(dusty)) - f01(clean)).mean()
    assert near < 0.04 and widened > 3 * near, (near, widened)
    mask = (pre.ink_map(dusty) > pre.BOX_THRESHOLD).astype(np.uint8)
    assert cv2.boundingRect(mask)[2] > 250  # the dust reaches across the page ...
    box = np.array(cv2.boundingRect(pre._without_dust(mask)))  # ... and no further than the glyph, give or take a
    clean_box = np.array(cv2.boundingRect((pre.ink_map(page) > pre.BOX_THRESHOLD).astype(np.uint8)))  # speck beside it
    assert np.abs(box - clean_box).max() <= 3, (box, clean_box)
    images, _ = read_mnist_idx(SHARED_DATA / "mnist-10k")
    for d in images[:2000]:
        m = (pre.ink_map(d, "bright") > pre.BOX_THRESHOLD).astype(np.uint8)
        assert pre._without_dust(m) is m
    strays = [d for d in images[:2000] if ((d > 64) & (cv2.dilate((d > 64).astype(np.uint8), np.array([[1, 1, 1], [1, 0, 1], [1, 1, 1]], np.uint8)) == 0)).any()]
    assert strays  # the test means something: digits with a stray pixel


def test_only_a_sheet_on_a_desk_is_taken_for_one(SHARED_DATA):
    """Bright ink on black (a digit enlarged to 400 px, or cropped to its ink and enlarged 12x: a bright
    region on a dark frame; bold 0s and 8s are solid and convex, with a hole or two) and dark ink on
    white are no sheet on a desk: the first 1,000 real MNIST digits each way come out of the check as
    the very same array."""
    import sys

    from handpad.sources.mnist import read_mnist_idx

    pre = sys.modules["handpad.preprocess"]
    images, _ = read_mnist_idx(SHARED_DATA / "mnist-10k")
    for d in images[:1000]:
        ys, xs = np.nonzero(d > 30)
        tight = cv2.resize(d[ys.min():ys.max() + 1, xs.min():xs.max() + 1], None, fx=12, fy=12, interpolation=cv2.INTER_CUBIC)
        for im in (cv2.resize(d, (400, 400), interpolation=cv2.INTER_CUBIC), tight, 255 - tight):
            img = pre.to_gray01(im)
            assert pre._paper_alone(img) is img
