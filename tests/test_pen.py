"""Pen redrawing, stroke width and elastic distortion (handpad.synth.pen): generic ink maps."""
from __future__ import annotations

import cv2
import numpy as np
import pytest
from skimage.measure import euler_number

from handpad.cli import main as handpad_main
from handpad.data import stratified_split
from handpad.preprocess import DIGITS_CONFIG, preprocess
from handpad.store import load_store
from handpad.synth import pen
from handpad.synth.redraw import redraw_store


def mnist_like_seven() -> np.ndarray:
    """A 28x28 uint8 '7', ink bright, like an MNIST digit."""
    img = np.zeros((28, 28), np.uint8)
    cv2.line(img, (6, 6), (21, 6), 255, 3)
    cv2.line(img, (21, 6), (11, 23), 255, 3)
    return cv2.GaussianBlur(img, (3, 3), 0)


def glyph_ring(size: int = 100) -> np.ndarray:
    """A 100x100 float glyph: a thick ring with a bar (ink = 1)."""
    img = np.zeros((size, size), np.float32)
    cv2.circle(img, (size // 2, size // 2 + 10), size // 4, 1.0, size // 12)
    cv2.line(img, (size // 5, size // 6), (4 * size // 5, size // 6), 1.0, size // 12)
    return img


@pytest.mark.parametrize("ink", [mnist_like_seven(), glyph_ring()], ids=["mnist-28x28-uint8", "glyph-100x100-float"])
def test_pen_redraw_gives_a_pad_like_canvas(ink):
    canvas = pen.pen_redraw(ink, np.random.default_rng(0))
    assert canvas.shape == (400, 400) and canvas.dtype == np.uint8
    dark = canvas < 128
    assert 0.005 < dark.mean() < 0.3  # some strokes, mostly paper
    assert canvas[0].min() == 255 and canvas[-1].min() == 255  # the pen stays inside the canvas
    x = preprocess(canvas)
    assert x.shape == (60, 60) and x.max() > 0.9


def test_pen_redraw_is_deterministic_and_varies_with_the_seed():
    ink = glyph_ring()
    a = pen.pen_redraw(ink, np.random.default_rng(3))
    b = pen.pen_redraw(ink, np.random.default_rng(3))
    c = pen.pen_redraw(ink, np.random.default_rng(4))
    assert np.array_equal(a, b)
    assert not np.array_equal(a, c)


def test_pen_width_is_constant_and_in_range():
    # A straight bar thinned and redrawn: the stroke's thickness is the pen width everywhere.
    bar = np.zeros((60, 100), np.float32)
    bar[25:35, 10:90] = 1.0
    style = pen.PenStyle(rotation=0, shear=0, aspect=0, elastic=(0, 0), size=(0.5, 0.5), width=(0.05, 0.05))
    canvas = pen.pen_redraw(bar, np.random.default_rng(0), style)
    cols = (canvas < 128).sum(axis=0)
    widths = cols[cols > 0]
    middle = widths[len(widths) // 4 : 3 * len(widths) // 4]
    assert abs(np.median(middle) - 0.05 * 200) <= 2  # width = 5% of the 200 px drawing
    assert middle.max() - middle.min() <= 2


def test_cropped_drawing_preprocesses_exactly_like_the_whole_canvas():
    ink = glyph_ring()
    sk = pen.skeletonize_ink(ink)
    for seed in range(5):
        full = pen.draw_skeleton(sk, np.random.default_rng(seed))
        crop = pen.draw_skeleton(sk, np.random.default_rng(seed), crop=True)
        assert crop.size < full.size
        assert np.array_equal(preprocess(full), preprocess(crop))


def test_skeleton_of_a_bar_is_a_line():
    bar = np.zeros((40, 100), np.float32)
    bar[15:25, 10:90] = 1.0
    sk = pen.skeletonize_ink(bar)
    ys = sk.points[:, 1]
    assert np.ptp(ys) <= 3  # a thin line along the bar's middle
    assert len(sk) >= 1


def test_mnist_digit_redrawn_is_still_the_digit_shape():
    seven = mnist_like_seven()
    style = pen.PenStyle(elastic=(0, 0), rotation=0, shear=0, aspect=0)
    drawn = preprocess(pen.pen_redraw(seven, np.random.default_rng(1), style), config=DIGITS_CONFIG)
    original = preprocess(seven, config=DIGITS_CONFIG)
    blur = lambda x: cv2.GaussianBlur(x, (0, 0), 2.5).ravel()  # noqa: E731
    assert np.corrcoef(blur(drawn), blur(original))[0, 1] > 0.7


def test_stroke_width_changes_direction():
    ink = glyph_ring()
    assert pen.vary_stroke_width(ink, 2).sum() > ink.sum() > pen.vary_stroke_width(ink, -2).sum()
    assert pen.vary_stroke_width(ink, 0) is ink
    hair = np.zeros((50, 50), np.float32)
    hair[25, 5:45] = 1.0  # erosion would erase a hairline: left as is
    assert np.array_equal(pen.vary_stroke_width(hair, -1), hair)


def test_elastic_distortion_keeps_size_and_most_ink():
    ink = glyph_ring()
    out = pen.elastic_distort(ink, np.random.default_rng(0))
    assert out.shape == ink.shape and out.dtype == np.float32
    assert 0.6 < out.sum() / ink.sum() < 1.4
    assert not np.allclose(out, ink)
    assert np.array_equal(out, pen.elastic_distort(ink, np.random.default_rng(0)))


def test_empty_ink_is_an_error():
    with pytest.raises(ValueError, match="no ink"):
        pen.pen_redraw(np.zeros((28, 28), np.uint8), np.random.default_rng(0))


def test_small_loops_survive_unless_holes_are_filled():
    # A thick "0" whose hole is a few pixels at the working size, like a heavy MNIST 0, 6, 8 or 9.
    ring = np.zeros((200, 200), np.uint8)
    cv2.circle(ring, (100, 100), 45, 255, -1)
    cv2.circle(ring, (100, 100), 2, 0, -1)

    def loops(sk):
        r = np.zeros((sk.shape[0] * 4, sk.shape[1] * 4), np.uint8)
        cv2.polylines(r, [np.rint(p * 4).astype(np.int32) for p in sk.polylines()], False, 255, 1)
        return 1 - euler_number(r > 0, connectivity=2)

    assert loops(pen.skeletonize_ink(ring, fill_holes=False)) == 1
    assert loops(pen.skeletonize_ink(ring, fill_holes=True)) == 0  # font mode: small holes are dots, filled
    # The plain pen (a test set by the definition) only moves, scales and re-inks the skeleton.
    drawn = preprocess(pen.pen_redraw(ring, np.random.default_rng(0), pen.PLAIN_PEN, fill_holes=False))
    assert 1 - euler_number(drawn.squeeze() > 0.5, connectivity=2) == 1


# -- a whole store redrawn (handpad convert pen) ------------------------------------------------
def test_redrawn_store_keeps_labels_and_space_whatever_the_workers_and_resumes(small_digits_store, tmp_path, capsys):
    out = tmp_path / "pen"
    args = ["convert", "pen", str(small_digits_store), "--subset", "test", "--no-jitter", "--out", str(out), "--no-progress"]
    assert handpad_main(args + ["--workers", "2"]) == 0
    src, drawn = load_store(small_digits_store), load_store(out)
    test = stratified_split(src.labels, 0.1, 0.1, 0)[2]  # the split `handpad train --seed 0` makes
    assert drawn.label_space.name == "digits" and np.array_equal(drawn.labels, src.labels[test])
    images = np.asarray(drawn.images)
    assert images.shape == (len(test), 60, 60) and not np.array_equal(images, src.images[test])
    # one seed per sample: the same bytes in one process with other chunks
    redraw_store(small_digits_store, tmp_path / "one", subset="test", jitter=False, workers=1, chunk=7, progress=False)
    assert np.array_equal(np.asarray(load_store(tmp_path / "one").images), images)
    assert handpad_main(args) == 0 and "1 already converted, skipped" in capsys.readouterr().out


def test_digits_written_by_the_hand_kind_keep_their_labels_and_are_read(small_digits_store, tmp_path):
    """convert pen --hand: each MNIST digit written as with a mouse (the Hangul synthesizer's hand
    kind); the drawings differ from the pen's, the manifest records the style, and the shipped digits
    model still reads most of them (careless ones included)."""
    from handpad.evaluation import evaluate, evaluation_data
    from handpad.model import Model

    pen_out, hand_out = tmp_path / "pen", tmp_path / "hand"
    base = ["convert", "pen", str(small_digits_store), "--subset", "test", "--no-progress", "--workers", "1"]
    assert handpad_main(base + ["--no-jitter", "--out", str(pen_out)]) == 0
    assert handpad_main(base + ["--hand", "careless", "--out", str(hand_out)]) == 0
    src, pen_drawn, hand_drawn = load_store(small_digits_store), load_store(pen_out), load_store(hand_out)
    assert np.array_equal(hand_drawn.labels, pen_drawn.labels) and hand_drawn.label_space.name == "digits"
    assert hand_drawn.manifest["options"]["hand_style"]["name"] == "careless"
    a, b = np.asarray(hand_drawn.images), np.asarray(pen_drawn.images)
    assert a.shape == b.shape == (60, 60, 60) and (a != b).any(axis=(1, 2)).all()  # every one drawn anew
    model = Model.load("digits")
    m = evaluate(model, *evaluation_data(hand_out, model))
    assert m["n"] == 60 and m["top1"] >= 0.85, m["top1"]
    with pytest.raises(SystemExit):
        handpad_main(base + ["--hand", "sloppy", "--out", str(tmp_path / "x")])
