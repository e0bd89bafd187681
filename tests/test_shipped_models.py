"""The shipped models in models/: they load, carry the right labels, and read held-out data."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import cv2
import numpy as np
import pytest
from conftest import require

MODELS = Path(__file__).resolve().parents[1] / "models"
pytestmark = pytest.mark.slow


def shipped(name):
    path = MODELS / f"{name}.keras"
    require(path.exists(), f"{path} not shipped")
    return path


def test_digits_model_reads_held_out_mnist(mnist_store):
    from handpad.data import stratified_split
    from handpad.recognizer import Recognizer
    from handpad.store import load_store

    shipped("digits")
    rec = Recognizer.load("digits")
    assert rec.labels == tuple("0123456789") and rec.model.preprocess_config.center_mass
    assert rec.model.label_space.name == "digits" and rec.model.engine.input_dtype == np.uint8
    store = load_store(mnist_store)
    _, _, test = stratified_split(store.labels, 0.1, 0.1, seed=0)  # the split it was trained with
    probs = rec.predict_proba(store.images[test], prepared=True)
    top1 = float((probs.argmax(1) == store.labels[test]).mean())
    assert top1 >= 0.98, top1


def test_hangul_model_reads_real_phd08_scans(phd08_dir, tmp_path):
    from handpad.convert import convert_phd08
    from handpad.labels import hangul_syllables
    from handpad.recognizer import Recognizer
    from handpad.store import load_store

    shipped("hangul")
    rec = Recognizer.load("hangul")
    assert rec.labels == hangul_syllables() and rec.model.label_space.name == "hangul-ksx1001"
    assert rec.model.engine.input_dtype == np.uint8
    convert_phd08([phd08_dir], tmp_path / "phd08", progress=False)
    store = load_store(tmp_path / "phd08")
    idx = np.arange(0, len(store), 5)
    probs = rec.predict_proba(store.images[idx], prepared=True)
    top1 = float(np.mean(probs.argmax(1) == store.labels[idx]))  # one label space: indices compare directly
    assert top1 >= 0.95, top1


def draw_ga(size=400, pen=16) -> np.ndarray:
    """가 drawn with a round pen, dark on white, as a mouse would: ㄱ, then ㅏ."""
    canvas = np.full((size, size), 255, np.uint8)
    s = size / 400
    strokes = [
        [(60, 110), (190, 110), (180, 170), (110, 310)],  # ㄱ
        [(265, 50), (265, 350)],  # ㅏ: the long vertical
        [(265, 190), (345, 190)],  # ㅏ: the short bar
    ]
    for stroke in strokes:
        pts = (np.array(stroke) * s).astype(np.int32)
        cv2.polylines(canvas, [pts], False, 0, pen, lineType=cv2.LINE_AA)
    return canvas


def test_predict_reads_a_png_of_a_drawn_syllable(tmp_path):
    shipped("hangul")
    png = tmp_path / "ga.png"
    cv2.imwrite(str(png), draw_ga())
    proc = subprocess.run([sys.executable, "-m", "handpad", "predict", "--model", "hangul", "--json", str(png)],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout.splitlines()[0])
    assert result["file"] == str(png)
    assert "가" in [t["label"] for t in result["top"]], result
