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
    assert rec.model.temperature != 1.0  # calibrated on the split's validation digits
    store = load_store(mnist_store)
    _, _, test = stratified_split(store.labels, 0.1, 0.2, seed=0)  # the split its members were trained with
    probs = rec.predict_proba(store.images[test], prepared=True)
    top1 = float((probs.argmax(1) == store.labels[test]).mean())
    assert top1 >= 0.99, top1  # 99.40% when shipped (2,001 digits)


def test_hangul_model_reads_real_phd08_scans(phd08_dir, tmp_path):
    from handpad.convert import convert_phd08
    from handpad.labels import hangul_syllables, space_map
    from handpad.sources.phd08 import Phd08Options
    from handpad.recognizer import Recognizer
    from handpad.store import load_store

    shipped("hangul")
    rec = Recognizer.load("hangul")  # all 11,172 syllables; only="hangul-ksx1001" for the 2350
    assert rec.model.label_space.name == "hangul-11172" and rec.model.head == "hybrid"
    assert Recognizer.load("hangul", only="hangul-ksx1001").labels == hangul_syllables()
    assert rec.model.engine.input_dtype == np.uint8
    convert_phd08([phd08_dir], tmp_path / "phd08", Phd08Options(config=rec.model.preprocess_config), progress=False)
    store = load_store(tmp_path / "phd08")
    idx = np.arange(0, len(store), 5)
    probs = rec.predict_proba(store.images[idx], prepared=True)
    expected = space_map("hangul-ksx1001", "hangul-11172")[store.labels[idx]]  # the store's 2350 inside 11,172
    top1 = float(np.mean(probs.argmax(1) == expected))
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


RARE = "똠쌰뷁햏됬잌햌쓔"  # outside KS X 1001's 2350: the previous release could never answer them


def test_hangul_model_reads_syllables_outside_the_2350(tmp_path):
    """The hybrid model ranks all 11,172 syllables: rarer ones drawn with a round pen from a Debian
    font are read as themselves, and asked for the 2350 only it never answers one of them."""
    from handpad.recognizer import Recognizer
    from handpad.store import load_store
    from handpad.synth.fonts import resolve_fonts
    from handpad.synth.generate import SynthOptions, choose_syllables, synthesize

    shipped("hangul")
    font = Path("/usr/share/fonts/truetype/unfonts-core/UnDotum.ttf")
    require(font.exists(), "fonts-unfonts-core (UnDotum)")
    faces, _ = resolve_fonts([font])
    rec, common = Recognizer.load("hangul"), Recognizer.load("hangul", only="hangul-ksx1001")
    options = SynthOptions(per_font=1, mix={"pen": 1}, seed=0, label_space="hangul-11172", size=rec.model.input_size,
                           syllables=choose_syllables(RARE, space="hangul-11172"))  # samples as the model reads them
    synthesize(faces, tmp_path / "rare", options, workers=1, progress=False)
    store = load_store(tmp_path / "rare")
    answers = [row[0][0] for row in rec.top_k_batch(store.images[:], 3, prepared=True)]
    truth = store.label_names()
    assert not set(truth) & set(common.labels)  # truly outside the 2350
    assert sum(a == t for a, t in zip(answers, truth)) >= 6, list(zip(truth, answers))
    assert all(row[0][0] not in RARE for row in common.top_k_batch(store.images[:], 3, prepared=True))
