"""The word mode of the apps (issue #14, point 3) without a display or a browser: the desktop pad's
window-free state (handpad.pad.words.WordPad, and PadApp's word mode driven by its mouse and key
handlers), ``POST /api/read`` through Starlette's TestClient, and the notebook widget's ``read`` call.

Lines are written with the shipped models on real strokes: digits from the pad's own drawings
(handpad.web.browser.DRAWINGS), Hangul words from a real font's strokes (handpad.web.browser.line_strokes,
NanumGothic's skeleton in the pen's stroke order)."""
from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import cv2
import numpy as np
import pytest

from conftest import require
from test_serve import make_client  # the TestClient as test_serve makes it (httpx warning silenced)
from handpad.web.browser import DRAWINGS, NANUM_GOTHIC, line_strokes

LOCAL = "http://127.0.0.1:8765"


# -- lines to write ---------------------------------------------------------------------------------
def digit_line(digits: str, scale: float = 0.7, step: float = 230, x0: float = 40, y0: float = 20):
    """The digits side by side on the word canvas, each from DRAWINGS (drawn for a 400x400 canvas)."""
    return [[(x * scale + x0 + i * step, y * scale + y0) for x, y in stroke]
            for i, d in enumerate(digits) for stroke in DRAWINGS[d]]


def hangul_line(text: str):
    require(Path(NANUM_GOTHIC).exists(), "fonts-nanum (NanumGothic) for a real font's strokes")
    return line_strokes(text)


def as_json(strokes, width: int = 18) -> list[dict]:
    return [{"width": width, "points": [[float(x), float(y)] for x, y in s]} for s in strokes]


def write(canvas, strokes) -> None:
    for stroke in strokes:
        canvas.begin_stroke(*map(round, stroke[0]))
        for x, y in stroke[1:]:
            canvas.extend_stroke(round(x), round(y))
        canvas.end_stroke()


@pytest.fixture(scope="module")
def digits():
    from handpad.recognizer import Recognizer

    return Recognizer.load("digits")


@pytest.fixture(scope="module")
def hangul():
    from handpad.recognizer import Recognizer

    return Recognizer.load("hangul")


# -- the desktop pad's word mode, window-free -----------------------------------------------------------
def test_the_canvas_is_square_by_default_and_wide_on_request():
    from handpad.pad.canvas import Canvas

    square = Canvas()
    assert square.size == square.width == square.height == 400 and square.image().shape == (400, 400)
    wide = Canvas(width=1200, height=320)
    assert wide.image().shape == (320, 1200) and wide.contains(1199, 319) and not wide.contains(1200, 10)
    with pytest.raises(AttributeError, match="not square"):
        wide.size
    write(wide, [[(1100, 300), (1190, 310)]])
    assert (wide.image()[290:320, 1090:1200] < 128).any()
    wide.undo()
    assert wide.image().min() == 255


def test_word_pad_reads_digits_written_on_it(digits, tmp_path):
    from handpad.pad.words import WordPad

    words = WordPad(tmp_path / "words.txt")
    assert words.canvas.width == 1200 and words.canvas.height == 320
    assert words.read(digits) is None and words.text == ""  # nothing written yet
    write(words.canvas, digit_line("17"))
    assert not words.current
    reading = words.read(digits)
    assert words.current and reading.text == words.text == "17"
    assert len(words.syllables) == 2 and words.syllables[0].box[2] < words.syllables[1].box[0]
    write(words.canvas, digit_line("1771")[2:])  # two more (one stroke each): 7 and 1, after the 1 and 7
    assert words.read(digits).text == "1771"


def test_word_pad_reads_a_hangul_word(hangul, tmp_path):
    from handpad.pad.words import WordPad

    words = WordPad(tmp_path / "words.txt")
    write(words.canvas, hangul_line("한글"))
    assert words.read(hangul).text == "한글"
    assert [s.label for s in words.syllables] == ["한", "글"]
    assert words.syllables[0].top[0][0] == "한" and len(words.syllables[0].top) >= 5


def test_picks_cycle_through_the_candidates_and_are_kept_while_the_ink_stays(digits, tmp_path):
    from handpad.pad.words import WordPad

    words = WordPad(tmp_path / "words.txt")
    write(words.canvas, digit_line("77"))
    words.read(digits)
    top = [label for label, _ in words.syllables[1].top]
    assert words.text == "77" and top[0] == "7"
    assert words.cycle(1) == top[1] and words.text == "7" + top[1]
    assert words.cycle(1) == top[2] and words.rank_of(1) == 2
    for _ in range(len(top) - 2):
        words.cycle(1)
    assert words.text == "77"  # round the candidates, back to the model's best
    assert words.pick(1, 3) == top[3] and words.selected == 1
    assert words.pick(1, 99) is None and words.pick(5, 0) is None and words.cycle(7) is None

    write(words.canvas, digit_line("771")[2:])  # a 1 after them: the 7s' ink is unchanged
    assert words.read(digits).text == "7" + top[3] + "1" and words.selected == 1
    words.canvas.undo()  # the 1 goes, the pick stays
    assert words.read(digits).text == "7" + top[3]
    words.canvas.undo()  # the picked 7 goes: so does its pick
    words.read(digits)
    write(words.canvas, digit_line("77")[1:])
    assert words.read(digits).text == "77" and words.selected is None


def test_selecting_syllables_and_where_they_are(digits, tmp_path):
    from handpad.pad.words import CELL_MIN_WIDTH, WordPad

    words = WordPad(tmp_path / "words.txt")
    assert words.select_step(1) is None
    write(words.canvas, digit_line("171"))
    words.read(digits)
    assert words.select_step(1) == 0 and words.select_step(1) == 1 and words.select_step(-1) == 0
    assert words.select_step(-1) == 2  # wraps around
    boxes = [s.box for s in words.syllables]
    centers = [((b[0] + b[2]) // 2, (b[1] + b[3]) // 2) for b in boxes]
    assert [words.box_at(*c) for c in centers] == [0, 1, 2] and words.box_at(5, 5) is None
    cells = words.cells()
    assert all(lo <= b[0] and b[2] <= hi for (lo, hi), b in zip(cells, boxes))
    assert all(a[1] <= b[0] for a, b in zip(cells, cells[1:]))  # columns never overlap
    assert cells[0][1] - cells[0][0] >= CELL_MIN_WIDTH  # the narrow 1's column is wide enough to click
    assert [words.cell_at(c[0]) for c in centers] == [0, 1, 2]


def test_copy_appends_the_text_to_the_file(digits, tmp_path):
    from handpad.pad.words import WordPad

    out = tmp_path / "deep" / "folder" / "words.txt"
    words = WordPad(out)
    assert words.copy() is None and not out.exists()  # nothing to copy
    write(words.canvas, digit_line("17"))
    words.read(digits)
    assert words.copy() == "17"
    words.cycle(0)
    second = words.copy()
    assert second != "17" and out.read_text("utf-8") == f"17\n{second}\n"


def test_default_text_file_is_in_the_user_data_dir(monkeypatch, tmp_path):
    from handpad.pad.canvas import default_store_dir, default_text_out

    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    monkeypatch.setattr("sys.platform", "linux")
    assert default_text_out() == tmp_path / "handpad" / "words.txt"
    assert default_store_dir("digits") == tmp_path / "handpad" / "digits-samples"


# -- PadApp in word mode: its handlers, no window -----------------------------------------------------
@pytest.fixture
def app(tmp_path, digits):
    from handpad.pad.app import ModelLoader, PadApp

    loader = ModelLoader(model=None)
    loader.recognizer, loader.seconds = digits, 0.0  # "loaded": no thread
    return PadApp("digits", None, tmp_path / "samples", loader=loader, words=True, text_out=tmp_path / "words.txt",
                  screenshot=tmp_path / "shot.png")


def mouse(app, strokes) -> None:
    for stroke in strokes:
        app.on_mouse(cv2.EVENT_LBUTTONDOWN, *map(round, stroke[0]), 1)
        for x, y in stroke[1:]:
            app.on_mouse(cv2.EVENT_MOUSEMOVE, round(x), round(y), 1)
        app.on_mouse(cv2.EVENT_LBUTTONUP, *map(round, stroke[-1]), 0)


def test_app_word_mode_reads_after_every_stroke_and_copies(app, tmp_path, capsys):
    from handpad.pad.app import HELP_HEIGHT, STRIP_HEIGHT

    assert app.word_mode and app.canvas is app.words.canvas
    mouse(app, digit_line("17"))
    assert capsys.readouterr().out.splitlines() == ["read: 1", "read: 17"]
    frame = app.frame()
    assert frame.shape == (320 + STRIP_HEIGHT + HELP_HEIGHT, 1200, 3)
    box = app.words.syllables[1].box
    assert tuple(frame[box[1], (box[0] + box[2]) // 2]) != (255, 255, 255)  # its box is drawn over the line
    lo, hi = app.words.cells()[1]
    column = frame[320:320 + STRIP_HEIGHT, lo:hi]
    assert (column < 100).any() and len(np.unique(column.reshape(-1, 3), axis=0)) > 20  # its label, candidates

    app.handle_key(ord("c"))
    assert capsys.readouterr().out == "17\n"
    assert (tmp_path / "words.txt").read_text("utf-8") == "17\n" and "copied: 17" in app.message
    app.handle_key(ord("z"))
    assert capsys.readouterr().out == "read: 1\n"
    app.handle_key(ord("r"))
    assert app.words.reading is None and app.canvas.is_empty
    app.handle_key(ord("c"))
    assert app.message == "write something first" and capsys.readouterr().out == ""
    app.handle_key(ord(" "))
    assert capsys.readouterr().out == "write something first\n"


def test_app_picks_by_click_right_click_and_keys(app, capsys):
    from handpad.pad.app import STRIP_OPTION_ROW, STRIP_OPTIONS_TOP

    mouse(app, digit_line("77"))
    words = app.words
    top = [label for label, _ in words.syllables[0].top]
    app.handle_key(ord("3"))  # nothing selected yet
    assert "select a syllable first" in app.message and words.text == "77"

    lo, hi = words.cells()[0]
    app.on_mouse(cv2.EVENT_LBUTTONDOWN, (lo + hi) // 2, 320 + 20, 1)  # its column, above the candidates: next one
    assert words.text == top[1] + "7" and words.selected == 0
    row = 320 + STRIP_OPTIONS_TOP + 2 * STRIP_OPTION_ROW + 5  # on its third candidate
    app.on_mouse(cv2.EVENT_LBUTTONDOWN, (lo + hi) // 2, row, 1)
    assert words.text == top[2] + "7"
    box = words.syllables[0].box
    app.on_mouse(cv2.EVENT_RBUTTONDOWN, (box[0] + box[2]) // 2, (box[1] + box[3]) // 2, 2)  # right-click its box
    assert words.text == top[3] + "7" and app.canvas.strokes and len(app.canvas.strokes) == 2  # nothing drawn
    app.handle_key(ord("1"))
    assert words.text == "77"
    app.handle_key(ord("."))
    assert words.selected == 1
    app.handle_key(ord("2"))
    second = words.syllables[1].top[1][0]
    assert words.text == "7" + second
    assert capsys.readouterr().out.splitlines()[-1] == f"picked {second}: 7{second}"


def test_app_saves_the_lines_syllables_under_the_labels_shown(app, tmp_path, digits, capsys):
    """s in the word mode: each syllable of the line goes into the store as the one-syllable pad saves a drawing,
    under the label the text shows (a pick included): its own ink prepared as the reading read it. Then a new line."""
    from handpad.store import load_store

    app.handle_key(ord("s"))
    assert "write a line first" in app.message and not (tmp_path / "samples").exists()
    mouse(app, digit_line("177"))
    words = app.words
    lo, hi = words.cells()[2]
    app.on_mouse(cv2.EVENT_LBUTTONDOWN, (lo + hi) // 2, 320 + 20, 1)  # the third 7 read as its next candidate
    other = words.syllables[2].top[1][0]
    assert words.text == "17" + other
    inputs = [x for x, _ in digits.samples(words.reading)]
    assert len(inputs) == 3 and all(x.shape == (60, 60) and x.max() == 255 for x in inputs)
    capsys.readouterr()
    app.handle_key(ord("s"))
    assert capsys.readouterr().out.startswith(f"saved 17{other} to {tmp_path / 'samples'} (3 samples)")
    assert app.message == f"saved 3 syllables: 17{other} (3 samples)"
    assert app.canvas.is_empty and words.reading is None
    store = load_store(tmp_path / "samples")
    assert [store.label_space.labels[i] for i in store.labels] == ["1", "7", other]
    assert np.array_equal(store.images[:], np.stack(inputs))  # the inputs the line was read from
    assert [t[0][0] for t in digits.top_k_batch(inputs[:2], prepared=True)] == ["1", "7"]  # each its own digit


def test_app_switches_modes_and_each_keeps_its_drawing(app, capsys):
    mouse(app, digit_line("17"))
    app.handle_key(ord("w"))
    assert not app.word_mode and app.canvas.is_empty and app.frame().shape == (460, 720, 3)
    app.on_mouse(cv2.EVENT_LBUTTONDOWN, 200, 60, 1)
    app.on_mouse(cv2.EVENT_MOUSEMOVE, 200, 340, 1)
    app.on_mouse(cv2.EVENT_LBUTTONUP, 200, 340, 0)
    app.handle_key(ord("c"))
    assert "press w" in app.message
    app.handle_key(ord("w"))
    assert app.word_mode and app.words.text == "17" and len(app.words.canvas.strokes) == 2
    app.handle_key(ord("w"))
    assert len(app.canvas.strokes) == 1  # the single pad's 1 is still there
    assert "mode: syllable" in capsys.readouterr().out


def test_app_reads_the_line_once_the_model_is_loaded(tmp_path, digits, capsys):
    from handpad.pad.app import ModelLoader, PadApp

    loader = ModelLoader(model=None)  # not started: still "loading"
    app = PadApp("digits", None, tmp_path / "s", loader=loader, words=True, text_out=tmp_path / "w.txt")
    mouse(app, digit_line("7"))
    assert "loading" in app.message and capsys.readouterr().out == ""
    loader.recognizer, loader.seconds = digits, 0.1
    app.poll_loader()
    assert capsys.readouterr().out.splitlines()[-1] == "read: 7"


def test_draw_has_the_word_mode_options():
    from handpad.cli import build_parser

    args = build_parser().parse_args(["draw", "hangul", "--words", "--text-out", "mine.txt"])
    assert args.words and args.text_out == "mine.txt"
    assert not build_parser().parse_args(["draw", "digits"]).words


# -- POST /api/read ------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def client(tmp_path_factory):
    from handpad.web.app import create_app

    return make_client(create_app(samples=tmp_path_factory.mktemp("samples")))


def test_read_strokes_gives_the_reading_json(client, hangul):
    strokes = as_json(hangul_line("안녕 하세요"))
    r = client.post("/api/read", json={"kind": "hangul", "strokes": strokes})
    assert r.status_code == 200, r.text
    answer = r.json()
    assert answer["text"] == "안녕 하세요"
    assert [s["space_before"] for s in answer["syllables"]] == [False, False, True, False, False]
    first = answer["syllables"][0]
    assert list(first) == ["box", "label", "top", "unsure", "space_before", "line"] and first["label"] == "안"
    assert [list(t) for t in first["top"]] == [["label", "prob"]] * len(first["top"]) and len(first["top"]) == 8
    # the same reading as Recognizer.read in Python, and ?model= names the kind as well as "kind" does
    assert answer == hangul.read(strokes=strokes).to_json()
    assert client.post("/api/read?model=hangul", json={"strokes": strokes}).json() == answer
    assert len(client.post("/api/read?top=3", json={"kind": "hangul", "strokes": strokes}).json()["syllables"][0]["top"]) == 3


def test_read_digits_from_strokes_and_from_an_image(client):
    r = client.post("/api/read", json={"kind": "digits", "strokes": as_json(digit_line("1771"))})
    assert r.status_code == 200 and r.json()["text"] == "1771", r.text
    image = np.full((320, 1200), 255, np.uint8)
    for x in (150, 450, 750):
        cv2.line(image, (x, 40), (x, 280), 0, 18, cv2.LINE_AA)
    png = cv2.imencode(".png", image)[1].tobytes()
    r = client.post("/api/read?model=digits", content=png, headers={"Content-Type": "image/png"})
    assert r.status_code == 200 and r.json()["text"] == "111", r.text
    assert [s["box"][0] < s["box"][2] for s in r.json()["syllables"]] == [True] * 3
    page = np.full((640, 1200), 255, np.uint8)  # a page of two lines: 0 0 0 above 0 0
    for (x, y) in ((150, 160), (450, 160), (750, 160), (150, 480), (450, 480)):
        cv2.ellipse(page, (x, y), (70, 115), 0, 0, 360, 0, 18, cv2.LINE_AA)
    r = client.post("/api/read?model=digits", content=cv2.imencode(".png", page)[1].tobytes(),
                    headers={"Content-Type": "image/png"})
    assert r.status_code == 200 and r.json()["text"] == "000\n00", r.text
    assert [s["line"] for s in r.json()["syllables"]] == [0, 0, 0, 1, 1]


def test_a_phone_photo_bigger_than_a_drawing_is_read(client, SHARED_DATA):
    """/api/read takes a photo of up to 24 MB (a phone's 12-megapixel JPEG is 3-6 MB; a drawing's PNG ~10 KB):
    a 3000x2000 grainy JPEG of real MNIST digits, 2.5 MB, reads as its number; strokes stay under 2 MB, a JSON body
    over that is refused before it is read."""
    import io

    from PIL import Image

    from handpad.sources.mnist import read_mnist_idx

    images, labels = read_mnist_idx(SHARED_DATA / "mnist-10k")
    parts = []
    for digit in images[40:46]:
        cols = np.nonzero(digit.max(axis=0))[0]
        parts += [np.zeros((28, 7), np.uint8)] * bool(parts) + [digit[:, cols.min() : cols.max() + 1]]
    ink = cv2.resize(np.pad(np.concatenate(parts, axis=1), 6), None, fx=12, fy=12, interpolation=cv2.INTER_CUBIC)
    page = np.random.default_rng(0).normal(222, 7, (2000, 3000))  # paper's grain: the JPEG keeps it, and grows
    page[600 : 600 + ink.shape[0], 300 : 300 + ink.shape[1]] -= ink * 0.75
    photo = io.BytesIO()
    Image.fromarray(np.clip(page, 0, 255).astype(np.uint8)).save(photo, "JPEG", quality=95)
    assert 2 * 1024 * 1024 < len(photo.getvalue()) < 24 * 1024 * 1024
    r = client.post("/api/read?model=digits", content=photo.getvalue(), headers={"Content-Type": "image/jpeg"})
    assert r.status_code == 200 and r.json()["text"] == "".join(map(str, labels[40:46])), r.text
    r = client.post("/api/read", content=b"{" + b" " * (2 * 1024 * 1024) + b"}",
                    headers={"Content-Type": "application/json"})
    assert r.status_code == 413 and "over the limit of 2097152 bytes" in r.json()["error"]


def test_a_line_is_saved_under_the_labels_shown(tmp_path):
    """POST /api/samples with the word mode's line as JSON: the strokes read again, each character saved under the
    label the page shows (a pick included) as its own ink; a label per character, each in the model's labels."""
    from handpad.store import load_store
    from handpad.web.app import create_app

    client = make_client(create_app(samples=tmp_path))
    strokes = as_json(digit_line("177"))
    assert client.post("/api/read", json={"kind": "digits", "strokes": strokes}).json()["text"] == "177"
    r = client.post("/api/samples", json={"kind": "digits", "strokes": strokes, "labels": ["1", "7", "2"]})
    assert r.status_code == 200, r.text
    assert r.json() == {"saved": 3, "labels": ["1", "7", "2"], "model": "digits", "store": str(tmp_path / "digits-samples")}
    store = load_store(tmp_path / "digits-samples")
    assert [store.label_space.labels[i] for i in store.labels] == ["1", "7", "2"]
    from handpad.recognizer import Recognizer
    rec = Recognizer.load("digits")
    assert np.array_equal(store.images[:], np.stack([x for x, _ in rec.samples(rec.read(strokes=strokes))]))
    for body, status, says in (
            ({"kind": "digits", "strokes": strokes, "labels": ["1", "7"]}, 409, "reads as 3 characters, not 2"),
            ({"kind": "digits", "strokes": strokes, "labels": ["1", "7", "가"]}, 400, "'가' (character 3) is not one"),
            ({"kind": "digits", "strokes": strokes, "labels": "177"}, 400, "labels must be a list"),
            ({"kind": "digits", "strokes": [], "labels": []}, 400, "nothing drawn"),
            ({"kind": "letters", "strokes": strokes, "labels": ["1"]}, 404, "unknown model")):
        r = client.post("/api/samples", json=body)
        assert r.status_code == status and says in r.json()["error"], r.text
    assert len(load_store(tmp_path / "digits-samples").labels) == 3  # nothing more saved


def strokes_body(strokes, kind="digits") -> bytes:
    return json.dumps({"kind": kind, "strokes": strokes}).encode()


ONE = [{"width": 18, "points": [[200, 60], [200, 300]]}]


@pytest.mark.parametrize("url, body, status, says", [
    ("/api/read", lambda _: b"", 400, "empty body"),
    ("/api/read", lambda _: b"{not json", 400, "not valid JSON"),
    ("/api/read", lambda _: b"[1, 2]", 400, "must be a JSON object"),
    ("/api/read", lambda _: b'{"kind": "digits"}', 400, "no strokes"),
    ("/api/read", lambda _: strokes_body([]), 400, "nothing drawn"),
    ("/api/read", lambda _: strokes_body([{"width": 18, "points": []}]), 400, "nothing drawn"),
    ("/api/read", lambda _: strokes_body("strokes"), 400, "strokes must be a list"),
    ("/api/read", lambda _: strokes_body([[1, 2]]), 400, "stroke 0 must be an object with points"),
    ("/api/read", lambda _: strokes_body([{"points": [[1, "a"]]}]), 400, "stroke 0: points must be [[x, y], ...]"),
    ("/api/read", lambda _: strokes_body([{"points": [[1, 2, 3]]}]), 400, "points must be [[x, y], ...]"),
    ("/api/read", lambda _: b'{"kind": "digits", "strokes": [{"points": [[1, NaN]]}]}', 400, "finite numbers"),
    ("/api/read", lambda _: strokes_body([{"width": 0, "points": [[1, 2]]}]), 400, "width must be a number above 0"),
    ("/api/read", lambda _: strokes_body([{"width": 1e6, "points": [[1, 2]]}]), 400, "at most 256"),
    ("/api/read", lambda _: strokes_body(ONE, kind="letters"), 404, "unknown model 'letters'"),
    ("/api/read", lambda _: b'{"strokes": []}', 404, "no model"),
    ("/api/read?model=letters", lambda _: strokes_body(ONE), 404, "unknown model 'letters'"),
    ("/api/read?model=hangul", lambda _: strokes_body(ONE), 400, "disagree"),
    ("/api/read?model=digits&top=0", lambda _: strokes_body(ONE), 400, "top must be a whole number from 1 to 100"),
    ("/api/read?model=digits", lambda _: b"\0" * (24 * 1024 * 1024 + 1), 413, "over the limit of 25165824 bytes"),
    ("/api/read", lambda _: b'{"kind": "digits", "strokes": []' + b" " * (2 * 1024 * 1024) + b"}", 413,
     "over the limit of 2097152 bytes for strokes"),
    ("/api/read", lambda _: strokes_body([{"points": [[0, 0], [5000, 5000]]}]), 413, "megapixels, over the limit"),
    ("/api/read", lambda _: strokes_body([{"points": [[0, 0]]}] * 401), 413, "401 strokes, over the limit of 400"),
    ("/api/read", lambda _: strokes_body([{"points": [[1, 1]] * 50_001}] * 2), 413, "100000 points"),
    ("/api/read?model=digits", lambda _: cv2.imencode(".png", np.full((300, 900), 255, np.uint8))[1].tobytes(),
     400, "nothing drawn"),
    ("/api/read?model=digits", lambda _: b"this is not an image", 400, "not a readable image"),
    ("/api/read?model=digits", lambda bomb: bomb.read_bytes(), 413, "20000x20000 = 400.0 megapixels"),
    ("/api/read", lambda _: cv2.imencode(".png", np.zeros((9, 9), np.uint8))[1].tobytes(), 404, "no model"),
])
def test_read_errors_are_those_of_predict(client, bomb_png, url, body, status, says):
    r = client.post(url, content=body(bomb_png))
    assert r.status_code == status, r.text
    assert says in r.json()["error"], r.json()


def test_read_refuses_other_sites(client):
    r = client.post("/api/read", content=strokes_body(ONE), headers={"Origin": "http://evil.example"})
    assert r.status_code == 403 and "other sites" in r.json()["error"]
    r = client.post("/api/read", content=strokes_body(ONE), headers={"Host": "evil.example:8765"})
    assert r.status_code == 403


def test_the_page_offers_the_word_mode(client):
    js = client.get("/static/pad.js").text
    assert "hp-words-toggle" in js and "navigator.clipboard.writeText" in js
    assert "api/read" in client.get("/static/main.js").text


# -- the notebook widget's read call ----------------------------------------------------------------------
def test_the_notebook_pad_reads_a_line(tmp_path):
    require(importlib.util.find_spec("anywidget") is not None, "anywidget (pip install '.[notebook]')")
    from handpad.notebook import Pad

    pad = Pad({"digits": "digits"}, samples=tmp_path)
    assert "read: (strokes, kind) => call(\"read\"" in pad._esm
    answer = pad.answer("read", "digits", b"", strokes=as_json(digit_line("71")))
    assert answer["answer"]["text"] == "71"
    assert "nothing drawn" in pad.answer("read", "digits", b"", strokes=[])["error"]
    assert "strokes must be a list" in pad.answer("read", "digits", b"", strokes=None)["error"]
    sent = []
    pad.send = sent.append
    pad._on_message(pad, {"id": 4, "action": "read", "kind": "digits", "strokes": as_json(digit_line("1"))}, [])
    assert sent == [{"id": 4, "answer": pad.answer("read", "digits", b"", strokes=as_json(digit_line("1")))["answer"]}]
