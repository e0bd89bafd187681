"""The pad's logic without a display: strokes, undo, clear, pen width, keys, saving samples."""
from __future__ import annotations

import os

import numpy as np
import pytest

from conftest import require
from handpad.errors import StoreError
from handpad.pad.canvas import INK, PAPER, Canvas, Prediction, SampleSaver, default_store_dir
from handpad.pad.controls import ESC, action_for, help_text
from handpad.store import load_store


def draw(canvas: Canvas, *points):
    canvas.begin_stroke(*points[0])
    for p in points[1:]:
        canvas.extend_stroke(*p)
    canvas.end_stroke()


def ink(canvas: Canvas) -> np.ndarray:
    return canvas.image() < 128


def test_new_canvas_is_white_and_empty():
    c = Canvas(size=100)
    assert c.is_empty
    assert c.image().shape == (100, 100) and c.image().dtype == np.uint8
    assert (c.image() == PAPER).all()


def test_stroke_fills_the_gap_between_mouse_events():
    # Two far-apart events (a fast mouse) must give one continuous line, not two dots.
    c = Canvas(size=200, pen_width=8)
    draw(c, (20, 100), (180, 100))
    row = ink(c)[100]
    assert row[20:181].all()
    assert not ink(c)[:80].any() and not ink(c)[120:].any()
    assert c.image()[100, 100] == INK


def test_stroke_has_round_caps_and_a_click_leaves_a_dot():
    c = Canvas(size=100, pen_width=20)
    draw(c, (50, 50))
    dot = ink(c)
    assert dot[50, 50] and dot[50, 58] and dot[42, 50]
    assert not dot[41, 41]  # round, not a square
    assert len(c.strokes) == 1


def test_strokes_record_points_and_skip_repeats():
    c = Canvas()
    draw(c, (10, 10), (10, 10), (20, 30), (40, 30))
    assert c.strokes[0].points == [(10, 10), (20, 30), (40, 30)]
    assert not c.drawing
    c.extend_stroke(90, 90)  # mouse moves without a pressed button draw nothing
    assert c.strokes[0].points[-1] == (40, 30)


def test_undo_removes_only_the_last_stroke():
    c = Canvas(size=120, pen_width=6)
    draw(c, (10, 20), (110, 20))
    first = c.image().copy()
    draw(c, (60, 40), (60, 110))
    assert ink(c)[80, 60]
    assert c.undo()
    np.testing.assert_array_equal(c.image(), first)
    assert c.undo() and c.is_empty and (c.image() == PAPER).all()
    assert not c.undo()  # nothing left: no error


def test_clear():
    c = Canvas(size=80)
    draw(c, (10, 10), (70, 70))
    assert c.clear()
    assert c.is_empty and (c.image() == PAPER).all()
    assert not c.clear()


def test_pen_width_applies_to_new_strokes_and_is_bounded():
    c = Canvas(size=200, pen_width=8)
    draw(c, (20, 50), (180, 50))
    c.thicker()
    c.thicker()
    assert c.pen_width == 16
    draw(c, (20, 150), (180, 150))
    thin, thick = ink(c)[:, 100][:100].sum(), ink(c)[:, 100][100:].sum()
    assert thick > thin + 6
    for _ in range(50):
        c.thinner()
    assert c.pen_width == 4
    for _ in range(50):
        c.thicker()
    assert c.pen_width == 64
    c.undo()  # repainting keeps each stroke's own width
    assert ink(c)[:, 100][:100].sum() == thin


def test_version_changes_with_every_edit():
    c = Canvas()
    versions = [c.version]
    c.begin_stroke(5, 5)
    versions.append(c.version)
    c.extend_stroke(50, 50)
    versions.append(c.version)
    c.end_stroke()
    c.undo()
    versions.append(c.version)
    assert versions == sorted(set(versions))


def test_image_is_read_only():
    c = Canvas()
    with pytest.raises(ValueError):
        c.image()[0, 0] = 0


def test_prediction_line_and_choice():
    p = Prediction([("가", 0.9123), ("각", 0.0414), ("간", 0.012)], np.zeros((60, 60), np.float32), version=3)
    assert p.line() == "top3: 가 0.912 | 각 0.041 | 간 0.012"
    assert p.chosen_label is None
    assert p.choose(1) == "각" and p.chosen_label == "각"
    assert p.choose(5) is None and p.chosen_label == "각"


def test_keys_are_single_presses_and_case_insensitive():
    assert action_for(ord(" ")) == ("predict",)
    assert action_for(ord("q")) == action_for(ESC) == ("quit",)
    assert action_for(ord("R")) == ("clear",)
    assert action_for(ord("2")) == ("choose", 1)
    assert action_for(-1) is None and action_for(0x10FF51) is None and action_for(ord("x")) is None
    for word in ("space", "undo", "clear", "pen width", "live", "1 2 3", "save", "Esc"):
        assert word in help_text()


def seen_image(row: int) -> np.ndarray:
    x = np.zeros((60, 60), np.uint8)  # a model input, as preprocess() makes it: ink 255
    x[row, 10:50] = 255
    return x


def test_saver_writes_a_store_in_the_models_label_space(tmp_path):
    labels = "hangul-ksx1001"
    saver = SampleSaver(tmp_path / "mine", labels)
    assert not (tmp_path / "mine").exists()  # nothing created until the first save
    assert saver.save(seen_image(10), "나") == 1
    assert saver.save(seen_image(30), "가") == 2
    # Each save is committed: readable before close (the pad may be killed).
    store = load_store(tmp_path / "mine")
    assert store.label_space.name == labels and store.labels.tolist() == [store.label_space.index("나"), 0]
    assert store.label_names() == ["나", "가"]
    images = store.images[:]
    assert images.dtype == np.uint8 and images.shape == (2, 60, 60)
    assert images[0][10, 20] == 255 and images[0][30, 20] == 0  # ink bright, like every store
    saver.close()
    # A new session appends to the same store.
    again = SampleSaver(tmp_path / "mine", labels)
    assert again.save(seen_image(50), "다") == 3
    again.close()
    assert load_store(tmp_path / "mine").label_names() == ["나", "가", "다"]


def test_saver_rejects_unknown_labels_and_other_models_stores(tmp_path):
    saver = SampleSaver(tmp_path / "s", "digits")
    with pytest.raises(ValueError):
        saver.save(seen_image(5), "가")
    saver.save(seen_image(5), "1")
    saver.close()
    with pytest.raises(StoreError):
        SampleSaver(tmp_path / "s", "hangul").save(seen_image(5), "가")


def test_samples_saved_with_a_model_of_another_input_size_are_kept_and_named(tmp_path):
    """A finer model (80 px) cannot add to a folder of 60 px samples: the pad says which folder, what to
    do, and the samples stay readable."""
    from handpad.errors import HandpadError

    old = SampleSaver(tmp_path / "s", "hangul")
    old.save(seen_image(5), "가")
    old.close()
    fine = np.zeros((80, 80), np.uint8)
    fine[40, 10:70] = 255
    with pytest.raises(HandpadError, match=r"s holds 60px samples saved with an earlier model; this model reads 80px: "
                                           r"save into another folder \(draw --save-to DIR, serve --samples DIR\)"):
        SampleSaver(tmp_path / "s", "hangul").save(fine, "나")
    store = load_store(tmp_path / "s")
    assert len(store) == 1 and store.label_names() == ["가"] and store.image_size == 60
    assert SampleSaver(tmp_path / "s80", "hangul").save(fine, "나") == 1


def test_samples_saved_for_a_2350_model_are_kept_when_the_model_reads_all_11172(tmp_path):
    """A user's store from a 2350-syllable model is added to in its own space by an 11,172-syllable
    model's pad; a syllable outside it is refused with a message naming the folder."""
    from handpad.data import labels_in
    from handpad.labels import label_space

    old = SampleSaver(tmp_path / "s", "hangul-ksx1001")
    old.save(seen_image(5), "가")
    old.close()
    new = SampleSaver(tmp_path / "s", "hangul-11172")
    assert new.save(seen_image(9), "각") == 2
    with pytest.raises(ValueError, match=r"'뷁' is outside the label space 'hangul-ksx1001' of the samples already in .*s; "
                                         r"save it into another folder \(--save-to\)"):
        new.save(seen_image(7), "뷁")
    new.close()
    store = load_store(tmp_path / "s")
    assert store.label_space.name == "hangul-ksx1001" and store.label_names() == ["가", "각"]
    every = label_space("hangul-11172")
    assert [every.labels[i] for i in labels_in(store, every, 60)] == ["가", "각"]  # what finetune reads
    fresh = SampleSaver(tmp_path / "new", "hangul-11172")
    assert fresh.save(seen_image(7), "뷁") == 1
    fresh.close()
    assert load_store(tmp_path / "new").label_names() == ["뷁"]


def test_default_store_dir_is_per_kind_under_the_user_data_dir(monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    monkeypatch.setattr("sys.platform", "linux")
    assert default_store_dir("hangul") == tmp_path / "handpad" / "hangul-samples"


# -- the pad's key handling, without a window (PadApp.frame() is plain numpy) -----------------
class FakeRecognizer:
    """Stands in for Recognizer: same verbs, answers '1' for anything drawn."""

    name = "fake"
    labels = tuple("0123456789")

    class model:  # noqa: N801  (the Recognizer's Model, as far as the pad uses it)
        label_space = "digits"

    def prepare(self, image):
        from handpad.preprocess import preprocess

        return preprocess(image)  # raises NothingDrawnError on an empty canvas, like the real one

    def top_k_batch(self, images, k=3, prepared=False):
        return [[("1", 0.7), ("7", 0.2), ("4", 0.1)][:k] for _ in images]


@pytest.fixture
def app(tmp_path):
    from handpad.pad.app import ModelLoader, PadApp

    loader = ModelLoader(model=None)
    loader.recognizer = FakeRecognizer()  # "loaded": no thread, no TensorFlow
    return PadApp("digits", None, tmp_path / "mine", loader=loader, screenshot=tmp_path / "shot.png")


def stroke(app, *points):
    import cv2

    app.on_mouse(cv2.EVENT_LBUTTONDOWN, *points[0], 1)
    for p in points[1:]:
        app.on_mouse(cv2.EVENT_MOUSEMOVE, *p, 1)
    app.on_mouse(cv2.EVENT_LBUTTONUP, *points[-1], 0)


def test_app_space_on_empty_canvas_says_draw_something_first(app, capsys):
    app.handle_key(ord(" "))
    assert app.prediction is None
    assert capsys.readouterr().out == "draw something first\n"
    assert app.message == "draw something first"


def test_app_predicts_prints_and_draws_the_panel(app, capsys):
    stroke(app, (200, 50), (200, 350))
    app.handle_key(ord(" "))
    assert capsys.readouterr().out == "top3: 1 0.700 | 7 0.200 | 4 0.100\n"
    frame = app.frame()
    assert frame.shape == (460, 720, 3) and frame.dtype == np.uint8
    assert frame[:400, 400:].std() > 20  # the panel shows the candidates
    app.handle_key(ord("p"))
    assert (app.screenshot_path).exists()


def test_app_pick_and_save_then_canvas_is_cleared(app, tmp_path, capsys):
    stroke(app, (200, 50), (200, 350))
    app.handle_key(ord("s"))  # nothing picked yet: not saved
    assert not (tmp_path / "mine").exists()
    app.handle_key(ord(" "))
    app.handle_key(ord("2"))
    assert app.prediction.chosen_label == "7"
    stroke(app, (10, 10), (30, 30))  # the drawing changed: the pick no longer applies
    app.handle_key(ord("s"))
    assert not (tmp_path / "mine").exists()
    app.handle_key(ord(" "))
    app.handle_key(ord("1"))
    app.handle_key(ord("s"))
    assert "saved 1 to" in capsys.readouterr().out
    assert app.message == "saved 1 (1 sample)"  # not "1 samples"
    assert app.canvas.is_empty
    assert load_store(tmp_path / "mine").label_names() == ["1"]
    app.close()


def test_app_live_mode_predicts_after_each_stroke_and_undo(app, capsys):
    app.handle_key(ord("l"))
    assert app.live
    stroke(app, (200, 50), (200, 350))
    stroke(app, (100, 60), (300, 60))
    assert capsys.readouterr().out.count("top3:") == 2
    app.handle_key(ord("z"))
    app.handle_key(ord("z"))  # back to empty: no guess, and no nagging in live mode
    assert app.prediction is None
    assert "draw something first" not in capsys.readouterr().out


def test_app_keys_edit_the_canvas_and_quit(app):
    stroke(app, (200, 50), (200, 350))
    width = app.canvas.pen_width
    app.handle_key(ord("]"))
    assert app.canvas.pen_width > width
    app.handle_key(ord("["))
    assert app.canvas.pen_width == width
    app.handle_key(ord("r"))
    assert app.canvas.is_empty
    app.handle_key(27)
    assert not app.running


def test_app_space_while_loading_predicts_once_ready(tmp_path, capsys):
    from handpad.pad.app import ModelLoader, PadApp

    loader = ModelLoader(model=None)  # not started: still "loading"
    app = PadApp("digits", None, tmp_path / "mine", loader=loader)
    stroke(app, (200, 50), (200, 350))
    app.handle_key(ord(" "))
    assert "loading" in app.message and capsys.readouterr().out == ""
    loader.recognizer, loader.seconds = FakeRecognizer(), 0.1
    app.poll_loader()
    assert capsys.readouterr().out.splitlines()[-1].startswith("top3: 1")


# -- fonts: Hangul needs a font that has it ----------------------------------------------------
def test_font_override_and_hangul_coverage(monkeypatch, tmp_path):
    from handpad.pad import text

    nanum = next((p for p in text.NANUM_GOTHIC if os.path.exists(p)), None)
    require(nanum is not None, "fonts-nanum is not installed")
    assert text.covers_hangul(nanum)
    not_a_font = tmp_path / "x.ttf"
    not_a_font.write_bytes(b"nope")
    assert not text.covers_hangul(not_a_font)
    monkeypatch.setenv("HANDPAD_FONT", nanum)
    text.find_korean_font.cache_clear()
    try:
        assert str(text.find_korean_font()) == nanum
    finally:
        text.find_korean_font.cache_clear()


def test_without_a_korean_font_the_pad_says_how_to_get_one(monkeypatch, tmp_path):
    from handpad.pad import text
    from handpad.pad.app import ModelLoader, PadApp

    fonts = text.Fonts(None)  # what Fonts.korean() gives when no font covers Hangul
    assert not fonts.has_hangul and fonts(20) is not None
    app = PadApp("hangul", None, tmp_path, loader=ModelLoader(None), fonts=fonts)
    assert "fonts-nanum" in app.message
    assert app.frame().shape[2] == 3  # still draws (with Pillow's built-in font)
    digits = PadApp("digits", None, tmp_path, loader=ModelLoader(None), fonts=fonts)
    assert digits.message == ""  # digits need no Hangul glyphs


# -- long messages in the panel, and no display ------------------------------------------------
def test_long_messages_wrap_and_end_with_an_ellipsis():
    from handpad.pad.app import fit_lines

    def fits(line):
        return len(line) <= 17

    assert fit_lines("live mode on: predicts after every stroke", fits, 5) == [
        "live mode on:", "predicts after", "every stroke"]
    path = "/home/someone/models/a-model-file-with-a-long-name.keras"
    lines = fit_lines(f"{path}: not a Keras model file (bad zip) " + "and more " * 20, fits, 5)
    assert len(lines) == 5 and all(fits(line) for line in lines) and lines[-1].endswith("…")
    assert "".join(lines[:3]).startswith(path[:51])  # a path too long for a line breaks anywhere
    assert fit_lines("", fits, 5) == [] and fit_lines("x" * 100_000, fits, 2) == ["x" * 17, "x" * 16 + "…"]


@pytest.mark.parametrize("korean_font", [False, True])
def test_a_long_model_error_stays_above_the_status_line(tmp_path, korean_font):
    from handpad.pad import text
    from handpad.pad.app import ModelLoader, PadApp

    fonts = text.Fonts.korean() if korean_font else text.Fonts(None)
    frames = []
    for error in (None, "/tmp/x/" + "broken-model-" * 12 + ".keras: model file refused: " + "reason " * 40):
        loader = ModelLoader(model=None)
        loader.error = error
        app = PadApp("digits", None, tmp_path, loader=loader, fonts=fonts)
        app.poll_loader()  # shows the error as the message
        frames.append(app.frame())
    size = app.canvas.size
    calm, failed = frames[0][:size, size:], frames[1][:size, size:]  # the panels
    assert (calm[276:size - 30] != failed[276:size - 30]).any()  # the message is shown ...
    np.testing.assert_array_equal(calm[size - 28:], failed[size - 28:])  # ... and the status line is untouched


def test_draw_without_a_display_is_a_clear_error():
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    proc = subprocess.run([sys.executable, "-m", "handpad", "draw", "hangul"], env=env, capture_output=True,
                          text=True, timeout=60)
    if sys.platform in ("darwin", "win32"):
        return  # those always have a display
    assert proc.returncode == 1, proc.stderr
    assert "no display found" in proc.stderr and "xvfb-run handpad draw hangul" in proc.stderr
    assert "Traceback" not in proc.stderr
