"""Calibrated confidence: temperature scaling, the expected calibration error, "not sure"."""
from __future__ import annotations

import json

import numpy as np
import pytest

from handpad.calibration import (UNSURE_BELOW, apply_temperature, expected_calibration_error, fit_temperature,
                                 reliability)


def softmax(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def test_fit_temperature_recovers_how_over_confident_a_model_is():
    rng = np.random.default_rng(0)
    logits = rng.normal(0, 3, (30000, 10))
    true_t = 2.5  # the world is this much less sure than the model
    labels = np.array([rng.choice(10, p=p) for p in softmax(logits / true_t)])
    said = softmax(logits)
    t = fit_temperature(said, labels)
    assert abs(t - true_t) < 0.1, t
    fixed = apply_temperature(said, t)
    assert np.array_equal(fixed.argmax(1), said.argmax(1))  # the ranking never changes
    assert expected_calibration_error(said, labels) > 0.15 > 0.02 > expected_calibration_error(fixed, labels)
    assert apply_temperature(said, 1.0) is said


def test_ece_is_the_confidence_accuracy_gap_over_15_bins():
    probs = np.tile([[0.9, 0.1]], (100, 1))
    labels = np.array([0] * 90 + [1] * 10)  # 90% right at 0.9: calibrated
    assert expected_calibration_error(probs, labels) == pytest.approx(0.0, abs=1e-9)
    probs = np.tile([[0.99, 0.01]], (100, 1))
    labels = np.array([0] * 50 + [1] * 50)  # 50% right at 0.99
    assert expected_calibration_error(probs, labels) == pytest.approx(0.49)
    ece, rows = reliability(probs, labels)
    assert len(rows) == 15 and rows[-1][2] == 100 and rows[0][2] == 0


@pytest.mark.slow
def test_training_fits_a_temperature_that_predictions_use(tiny_run, small_digits_store, tmp_path, capsys):
    from handpad.cli import main
    from handpad.model import Model, read_entries

    result, out = tiny_run
    meta = read_entries(out / "model.keras")[0]
    cal = meta["calibration"]
    assert 0.05 <= meta["temperature"] <= 20 and cal["n"] == 90  # the validation split: 15% of 600
    assert cal["ece_after"] <= cal["ece_before"] + 0.01
    assert "ece" in result["test_metrics"] and (out / "reliability.png").stat().st_size > 5000
    model = Model.load(out / "model.keras")
    assert model.temperature == meta["temperature"]
    from handpad.store import load_store

    x = load_store(small_digits_store).images[:16]
    model.temperature = 1.0
    raw = model.predict(x)
    model.temperature = meta["temperature"]
    np.testing.assert_allclose(model.predict(x), apply_temperature(raw, meta["temperature"]), atol=1e-5)

    # `handpad calibrate` writes a new file and never replaces its input without --force
    new = tmp_path / "cal.keras"
    before = (out / "model.keras").read_bytes()
    assert main(["calibrate", str(out / "model.keras"), str(small_digits_store), "--out", str(new)]) == 0
    assert "ECE" in capsys.readouterr().out and (out / "model.keras").read_bytes() == before
    assert read_entries(new)[0]["calibration"]["n"] == 600 and (tmp_path / "cal-reliability.png").exists()
    assert main(["calibrate", str(new), str(small_digits_store), "--out", str(new)]) == 1


def test_the_pad_and_the_json_say_when_the_model_is_not_sure():
    from handpad.pad.canvas import Prediction

    seen = np.zeros((60, 60), np.uint8)
    sure = Prediction([("가", 0.91), ("각", 0.05), ("간", 0.01)], seen, 1)
    unsure = Prediction([("몸", 0.41), ("옴", 0.38), ("봄", 0.1)], seen, 1)
    assert UNSURE_BELOW == 0.5 and not sure.unsure and unsure.unsure
    assert unsure.line() == "top3: 몸 0.410 | 옴 0.380 | 봄 0.100  (not sure)" and "not sure" not in sure.line()


@pytest.mark.slow
def test_predict_json_has_the_unsure_flag(tmp_path):
    import subprocess
    import sys

    import cv2

    png = tmp_path / "one.png"
    img = np.full((200, 200), 255, np.uint8)
    cv2.line(img, (100, 30), (100, 170), 0, 14)
    cv2.imwrite(str(png), img)
    proc = subprocess.run([sys.executable, "-m", "handpad", "predict", "--model", "digits", "--json", str(png)],
                          capture_output=True, text=True, timeout=120)
    obj = json.loads(proc.stdout)
    assert proc.returncode == 0 and list(obj) == ["file", "top", "unsure"]
    assert obj["unsure"] == (obj["top"][0]["prob"] < UNSURE_BELOW)


def test_evaluating_a_model_with_broken_weights_says_so():
    """NaN outputs (a diverged run) are a clear error, not an IndexError from ranking them."""
    from handpad.errors import HandpadError
    from handpad.evaluation import evaluate

    class Diverged:
        name = "runs/x/model.keras"
        labels = tuple("0123456789")

        def predict(self, images):
            probs = np.full((len(images), 10), 0.1, np.float32)
            probs[1] = np.nan
            return probs

    with pytest.raises(HandpadError, match=r"runs/x/model.keras gives NaN .* for 1 sample of 3: its weights are broken"):
        evaluate(Diverged(), np.zeros((3, 60, 60), np.uint8), np.array([0, 1, 2]))


def test_single_images_temperature_leaves_no_validation_set_badly_calibrated():
    """An easy set the model is calibrated on and a casual one it is over-confident on: the fitted
    temperature lowers the worst of the two errors; a calibrated pair keeps about 1."""
    from handpad.calibration import PREDICT_TEMPERATURES, fit_predict_temperature

    rng = np.random.default_rng(1)

    def world(n, t):  # the model says softmax(logits); the world is t times less sure
        logits = rng.normal(0, 3, (n, 10))
        return softmax(logits), np.array([rng.choice(10, p=p) for p in softmax(logits / t)])

    easy, casual = world(6000, 1.0), world(3000, 1.6)
    t, table = fit_predict_temperature({"easy": easy, "casual": casual})
    assert set(table) == set(PREDICT_TEMPERATURES) and 1.05 <= t <= 1.5
    assert max(table[t].values()) < max(table[1.0].values()) and table[t]["casual"] < table[1.0]["casual"]
    assert table[t]["easy"] > table[1.0]["easy"]  # the price: the easy set a little under-confident
    assert abs(fit_predict_temperature({"easy": easy, "again": world(6000, 1.0)})[0] - 1.0) < 0.06


@pytest.mark.slow
def test_calibrate_casual_fits_the_single_images_temperature(tiny_run, small_digits_store, mnist_store, tmp_path, capsys):
    """`handpad calibrate --casual STORE` on real digits: held-out MNIST digits sheared and thickened (a
    casual hand) beside the validation digits; predict uses the fitted temperature (the ranking never
    changes), reading lines does not, and calibrating again without --casual sets it back to 1."""
    import cv2

    from handpad.cli import main
    from handpad.model import Model, read_entries
    from handpad.preprocess import DIGITS_CONFIG
    from handpad.store import StoreWriter, load_store

    src = load_store(mnist_store)
    idx = np.concatenate([np.flatnonzero(src.labels == d)[150:250] for d in (0, 1, 4, 7)])
    rng = np.random.default_rng(0)
    casual_images = []
    for im in src.images[idx]:
        # sheared, turned and thickened well beyond the training digits: over-confident on every CPU (with shears of
        # +-0.45 and half of them thickened, one CPU's tiny model was calibrated there as it was: T = 1)
        turn = cv2.getRotationMatrix2D((im.shape[1] / 2, im.shape[0] / 2), rng.uniform(-25, 25), 1.0)
        turn[0, 1] += rng.uniform(-0.6, 0.6)
        bent = cv2.warpAffine(im, turn, im.shape[::-1], borderValue=0)
        casual_images.append(cv2.dilate(bent, np.ones((3, 3), np.uint8)))
    casual = tmp_path / "casual"
    w = StoreWriter(casual, "digits", source="test-casual", options={"preprocess": DIGITS_CONFIG.to_dict()})
    w.add(np.stack(casual_images), src.labels[idx])
    w.commit("casual")
    w.close()

    _, out = tiny_run
    new = tmp_path / "cal.keras"
    assert main(["calibrate", str(out / "model.keras"), str(small_digits_store), "--casual", str(casual), "--out", str(new)]) == 0
    assert "single images' temperature" in capsys.readouterr().out
    meta = read_entries(new)[0]
    t, table = meta["predict_temperature"], meta["predict_temperature_fit"]
    assert str(t) in table and set(table[str(t)]) == {str(small_digits_store), str(casual)}
    assert max(table[str(t)].values()) <= max(table["1.0"].values())
    model = Model.load(new)
    x = load_store(casual).images
    said = model.predict(x)
    model.predict_temperature = 1.0
    np.testing.assert_allclose(said, apply_temperature(model.predict(x), t), atol=1e-5)
    assert np.array_equal(said.argmax(1), model.predict(x).argmax(1))
    # reading lines takes the model's own probabilities (probabilities of outputs), not predict's
    np.testing.assert_allclose(Model.load(new).probabilities(Model.load(new).outputs(x)), model.predict(x), atol=1e-6)
    # calibrating the calibrated model again fits the same temperature: its single images' one is left out
    assert t != 1.0
    assert main(["calibrate", str(new), str(small_digits_store), "--out", str(new), "--force"]) == 0
    again = read_entries(new)[0]
    assert again["predict_temperature"] == 1.0
    assert again["temperature"] == pytest.approx(meta["temperature"], abs=2e-4)
