"""Test-time views: a model reads every image at a few slants and averages each head's answer."""
from __future__ import annotations

import copy
import dataclasses

import numpy as np
import pytest

from handpad.errors import ModelError
from handpad.model import Model, check_views, read_entries, sheared


def test_a_shear_slants_a_vertical_stroke_about_the_centre():
    image = np.zeros((1, 60, 60), np.uint8)
    image[0, 10:50, 29:31] = 255
    assert sheared(image, 0.0) is image
    slanted = sheared(image, 0.25)[0]
    assert slanted.dtype == np.uint8 and slanted.shape == (60, 60)

    def middle(row):
        return float(np.average(np.arange(60), weights=slanted[row].astype(float)))

    assert middle(30) == pytest.approx(30.0, abs=0.6)  # the centre row stays
    # 20 rows above and below the centre move 0.25 x 20 = 5 pixels, to opposite sides
    assert middle(10) - 30.0 == pytest.approx(-5.0, abs=1.0) and middle(49) - 30.0 == pytest.approx(4.75, abs=1.0)
    assert abs(int(slanted.sum()) - int(image.sum())) < 0.05 * int(image.sum())  # ink kept, not cut


def test_views_average_every_output_over_the_slanted_copies(mnist_store):
    from handpad.store import load_store

    x = load_store(mnist_store).images[:64]
    model = Model.load("digits")
    views = (0.0, 0.2, -0.2)
    alone = [model.outputs(sheared(x, s)) for s in views]
    model.views = views
    np.testing.assert_allclose(model.outputs(x, batch_size=32), np.mean(alone, axis=0), atol=1e-5)
    probs = model.predict(x)
    np.testing.assert_allclose(probs.sum(axis=1), 1.0, atol=1e-4)
    labels = load_store(mnist_store).labels[:64]
    assert (probs.argmax(1) == labels).mean() >= 0.95  # real digits still read (measured 64 of 64)


def test_calibrate_saves_the_views_and_every_app_reads_with_them(small_digits_store, tmp_path, capsys):
    from handpad.cli import main
    from handpad.recognizer import Recognizer
    from handpad.store import load_store

    out = tmp_path / "views.keras"
    assert main(["calibrate", "digits", str(small_digits_store), "--views", "0,0.2,-0.2", "--out", str(out)]) == 0
    said = capsys.readouterr().out
    assert "views: shears 0, 0.2, -0.2" in said and "temperature" in said
    meta = read_entries(out)[0]
    assert meta["views"] == [0.0, 0.2, -0.2] and meta["calibration"]["n"] == 600
    assert 0.05 <= meta["one_view"]["temperature"] <= 20  # reading lines reads at one view: fitted too
    # single images at every view only below a one-view top-1 probability: the lowest threshold tried
    # that reads the validation digits as well as every view always
    fit = meta["views_below_fit"]
    tried = {float(t): a for t, (a, _) in fit["top1_and_share_at_every_view"].items()}
    assert meta["views_below"] in tried and tried[meta["views_below"]] >= fit["top1_every_view"]
    assert all(a < fit["top1_every_view"] for t, a in tried.items() if t < meta["views_below"])
    assert "views only below" in said
    model = Model.load(out)
    assert model.views == (0.0, 0.2, -0.2)
    store = load_store(small_digits_store)
    x, y = store.images[:200], store.labels[:200]
    # the recognizer (and through it the pad, the page and predict --json) answers with the views
    rec = Recognizer(model)
    top = rec.top_k_batch(x[:5], k=1, prepared=True)
    plain = Model.load(out)
    plain.views = (0.0,)
    with_views, without = model.predict(x), plain.predict(x)
    assert [t[0][1] for t in top] == pytest.approx(with_views[:5].max(1).tolist(), abs=1e-5)
    # read at one view (its own temperature) where that is sure enough, else at every view
    every = Model.load(out)
    every.views_below = None
    once, full = model.one_view().predict(x), every.predict(x)
    sure = once.max(axis=1) >= model.views_below
    np.testing.assert_allclose(with_views[sure], once[sure], atol=1e-6)
    np.testing.assert_allclose(with_views[~sure], full[~sure], atol=1e-6)
    # the network's answers before the temperature: the views change them
    assert np.abs(model.outputs(x) - plain.outputs(x)).max() > 0.01
    assert (model.predict(x).argmax(1) == y).mean() >= 0.97
    # outputs at some of the views; the re-read of a line adds the other views to those at shear 0
    np.testing.assert_allclose(model.outputs(x[:8], views=(0.0,)), plain.outputs(x[:8]), atol=1e-6)
    np.testing.assert_allclose(model.outputs(x[:8], views=(0.2, -0.2)) * 2 + plain.outputs(x[:8]),
                               model.outputs(x[:8]) * 3, atol=1e-5)
    np.testing.assert_allclose(model.every_view(x[:8], plain.outputs(x[:8])), model.outputs(x[:8]), atol=1e-6)
    with pytest.raises(ModelError, match="views"):
        model.outputs(x[:8], views=(0.9,))


def test_bad_views_are_refused_with_the_reason(small_digits_store, tmp_path, capsys):
    from handpad.cli import main

    for bad in ([], [0.0, 0.9], ["slant"], [0.1] * 10, [float("nan")]):
        with pytest.raises(ModelError, match="views"):
            check_views(bad)
    out = tmp_path / "never.keras"
    with pytest.raises(SystemExit) as e:
        main(["calibrate", "digits", str(small_digits_store), "--views", "0,0.9", "--out", str(out)])
    assert e.value.code == 2 and "within ±0.5" in capsys.readouterr().err and not out.exists()


def test_the_shipped_hangul_model_reads_at_views_and_lines_at_one_view_first():
    """The shipped model has views; reading a line reads candidate boxes at one view (its own
    temperature and rare weight) and the kept boxes it is unsure of again at every view."""
    from test_reading import word_image

    from handpad import reading
    from handpad.recognizer import Recognizer

    rec = Recognizer.load("hangul")
    meta = rec.model.meta
    assert len(rec.model.views) > 1 and rec.model.views[0] == 0.0
    single = rec.one_view()
    assert single.model.views == (0.0,) and single.model.engine is rec.model.engine
    assert single.model.temperature == meta["one_view"]["temperature"] != rec.model.temperature
    assert single.one_view() is single and rec.model.views != (0.0,)  # the copy, not the model, changed

    image = word_image("대한민국 만세")
    seg = reading.segment(image=image, kind="hangul", recognizer=rec, verifier=reading.resolve_verifier("shipped", "hangul"))
    assert len(seg.boxes) == 6
    x = np.stack([rec.prepare(c) for c in seg.crops])
    full = copy.copy(rec.model)
    full.views_below = None  # every image at every view
    full.predict_temperature = 1.0  # lines are read with the views' own temperatures, not single images' one
    once, every = single.predict_proba(x, prepared=True), full.predict(x)
    unsure = once.max(axis=1) < reading.VERIFIED_CHECKS.reread
    np.testing.assert_allclose(seg.probs[unsure], every[unsure], atol=1e-5)
    np.testing.assert_allclose(seg.probs[~unsure], once[~unsure], atol=1e-5)
    # both kinds in one line: a threshold between the boxes' one-view top-1s
    top = np.sort(once.max(axis=1))
    assert top[0] < top[-1]
    checks = dataclasses.replace(reading.VERIFIED_CHECKS, reread=float((top[0] + top[-1]) / 2))
    seg = reading.segment(image=image, kind="hangul", recognizer=rec, verifier=reading.resolve_verifier("shipped", "hangul"),
                          checks=checks)
    unsure = once.max(axis=1) < checks.reread
    assert unsure.any() and not unsure.all()
    np.testing.assert_allclose(seg.probs[unsure], every[unsure], atol=1e-5)
    np.testing.assert_allclose(seg.probs[~unsure], once[~unsure], atol=1e-5)
    assert rec.read(image).text == "대한민국 만세"


def test_the_shipped_hangul_model_reads_single_images_at_every_view_only_when_unsure():
    """models/hangul.keras: one view first; every view where that one's top-1 probability is below the
    threshold fitted on validation (handpad calibrate): as well read as every view always, there."""
    from test_reading import word_image

    from handpad import reading
    from handpad.recognizer import Recognizer

    rec = Recognizer.load("hangul")
    model = rec.model
    assert len(model.views) > 1 and model.views_below in (0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.99)
    fit = model.meta["views_below_fit"]
    top1, share = fit["top1_and_share_at_every_view"][str(model.views_below)]
    assert top1 >= fit["top1_every_view"] and share < 0.5  # most validation drawings: one view
    crops = reading.segment(word_image("가나다라 바사 아자차카 타파하")).crops
    x = np.stack([rec.prepare(c) for c in crops])
    full = copy.copy(model)
    full.views_below = None
    once, every, got = model.one_view().predict(x), full.predict(x), model.predict(x)
    sure = once.max(axis=1) >= model.views_below
    assert sure.sum() >= len(x) // 3  # a handwriting font's boxes, half of them a part or two syllables: many sure at one view
    from handpad.calibration import apply_temperature

    # single images' answers: the one view's (or every view's) probabilities, then their own temperature
    assert model.predict_temperature == model.meta["predict_temperature"] > 1.0
    np.testing.assert_allclose(got[sure], apply_temperature(once, model.predict_temperature)[sure], atol=1e-6)
    np.testing.assert_allclose(got[~sure], every[~sure], atol=1e-6)
    np.testing.assert_allclose(rec.predict_proba(x, prepared=True), got, atol=1e-6)  # what the apps show
