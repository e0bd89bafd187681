"""The pad page in a real headless Chromium (Debian's, driven by selenium) against a real uvicorn server:
strokes drawn with mouse, pen and touch pointer input, the top-3 after each stroke, undo / clear,
saving a labeled drawing into the store, and a screenshot (test-artifacts/serve-hangul.png; docs/serve.png
is a copy of it). The word mode: a line of digits drawn with the mouse and a Hangul phrase with a pen, read
after each stroke, a candidate clicked, the text copied to the clipboard; its screenshot is
test-artifacts/words.png (docs/words.png is a copy of it)."""
from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pytest

from conftest import require
from handpad.web.browser import CHROMEDRIVER, CHROMIUM, DRAWINGS, NANUM_GOTHIC

pytestmark = pytest.mark.slow

ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    require(Path(CHROMIUM).exists() and Path(CHROMEDRIVER).exists(),
            "Debian's chromium and chromium-driver (apt-get install chromium chromium-driver)")
    require(importlib.util.find_spec("selenium") is not None, "selenium (pip install '.[test]')")
    from handpad.web.app import create_app
    from handpad.web.server import serving_in_thread

    samples = tmp_path_factory.mktemp("samples")
    with serving_in_thread(create_app(samples=samples)) as url:
        yield url, samples


@pytest.fixture(scope="module")
def browser(served):
    from handpad.web.browser import headless_chromium

    with headless_chromium() as driver:
        yield driver


@pytest.fixture
def page(served, browser):
    from handpad.web.browser import PadPage

    return PadPage(browser, served[0] + "/")


@pytest.mark.parametrize("digit, pointer", [("1", "mouse"), ("7", "touch")])
def test_a_drawn_digit(page, digit, pointer):
    page.press(".hp-kind[data-kind=digits]")
    for stroke in DRAWINGS[digit]:
        page.stroke(stroke, pointer)
    top = page.top()
    assert len(top) == 3 and top[0][0] == digit, top
    assert float(top[0][1].rstrip("%")) > 90


def test_a_drawn_syllable_undo_and_clear(page):
    assert page.top() == [] and page.ink() == 0  # the Hangul pad by default
    *first, last = DRAWINGS["한"]
    for stroke in first:
        page.stroke(stroke, "pen")
    before_last, before_top = page.ink(), page.top()
    page.stroke(last, "pen")
    top = page.top()
    assert top[0][0] == "한" and float(top[0][1].rstrip("%")) > 90, top
    ARTIFACTS.mkdir(exist_ok=True)
    page.driver.save_screenshot(str(ARTIFACTS / "serve-hangul.png"))

    page.press(".hp-undo")
    assert page.ink() == before_last  # the ㄴ is gone, the rest repainted as it was
    page.answered()
    assert page.top() == before_top != top  # the panel follows the drawing back
    page.press(".hp-clear")
    assert page.ink() == 0 and page.top() == []


def test_saving_a_drawing_with_a_clicked_candidate(page, served):
    from handpad.store import load_store

    for stroke in DRAWINGS["그"]:
        page.stroke(stroke, "pen")
    assert page.top()[0][0] == "그", page.top()
    page.press(".hp-candidate")  # the first candidate fills in the label
    assert page.driver.find_element("css selector", ".hp-label-input").get_attribute("value") == "그"
    page.press(".hp-save-button")
    page._wait(lambda: page.status().startswith("saved"))
    assert page.status() == "saved 그 (1 sample)" and page.ink() == 0
    store = load_store(served[1] / "hangul-samples")
    assert [store.label_space.labels[i] for i in store.labels] == ["그"]
    assert sorted(p.name for p in served[1].iterdir()) == ["hangul-samples"]


def test_a_label_outside_the_model_is_not_saved(page, served):
    page.stroke(DRAWINGS["1"][0], "mouse")
    field = page.driver.find_element("css selector", ".hp-label-input")
    field.send_keys("Q")
    page.press(".hp-save-button")
    page._wait(lambda: page.status().startswith("not saved"))
    assert "'Q' is not one of the hangul model's labels" in page.status() and page.ink() > 0


# -- the word mode -------------------------------------------------------------------------------------
def clipboard(page, url: str) -> str | None:
    """The clipboard's text, when this headless Chromium lets the page read it (else None)."""
    try:
        page.driver.execute_cdp_cmd("Browser.grantPermissions", {
            "origin": url, "permissions": ["clipboardReadWrite", "clipboardSanitizedWrite"]})
    except Exception:  # an older driver without CDP: the page's own state is checked instead
        return None
    text = page.driver.execute_async_script(
        "navigator.clipboard.readText().then(arguments[0], e => arguments[0]('ERROR ' + e))")
    return None if text.startswith("ERROR ") else text


def test_word_mode_digits_with_the_mouse_pick_and_copy(page, served):
    page.press(".hp-kind[data-kind=digits]")
    page.words()
    assert page.driver.find_element("css selector", ".hp-canvas").get_attribute("width") == "1200"
    for i, digit in enumerate("77"):
        for stroke in DRAWINGS[digit]:
            page.stroke([(x * 0.7 + 60 + 260 * i, y * 0.7 + 20) for x, y in stroke], "mouse")
    assert page.text() == "77" and page.boxes() == 2
    options = page.options(1)
    assert options[0] == "*7" and len(options) == 5, options
    page.pick(1, options[1])  # no request: the page changes the text itself
    assert page.text() == "7" + options[1] and page.options(1)[1] == "*" + options[1]

    assert page.copy() == "7" + options[1]
    assert page.status() == f"copied: 7{options[1]}"
    copied = clipboard(page, served[0])
    assert copied in (None, "7" + options[1]), copied

    page.press(".hp-undo")
    page.answered()
    assert page.text() == "7" and page.boxes() == 1
    other = page.options(0)[2]
    page.pick(0, other)
    page.press(".hp-save-line")  # the line's characters under the labels shown, for handpad finetune
    page._wait(lambda: page.status().startswith("saved"))
    assert page.status() == f"saved {other} (1 sample)" and page.ink() == 0 and page.text() == ""
    from handpad.store import load_store
    store = load_store(served[1] / "digits-samples")
    assert [store.label_space.labels[i] for i in store.labels] == [other]
    page.words()  # back to the one-character pad: its own (empty) drawing
    assert page.ink() == 0 and page.top() == []


def test_word_mode_hangul_phrase_with_a_pen(page, served):
    require(Path(NANUM_GOTHIC).exists(), "fonts-nanum (NanumGothic) for a real font's strokes")
    from handpad.web.browser import line_strokes

    driver = page.driver
    driver.set_window_size(1300, 900)  # the line at its full 1200 px, for the screenshot
    try:
        page = type(page)(driver, served[0] + "/?words=1")  # the page can start in word mode
        for stroke in line_strokes("안녕 하세요", size=150, gap=30, x0=50, y0=70):
            page.stroke(stroke, "pen")
        assert page.text() == "안녕 하세요" and page.boxes() == 5
        assert page.options(2)[0] == "*하", page.options(2)
        ARTIFACTS.mkdir(exist_ok=True)
        driver.save_screenshot(str(ARTIFACTS / "words.png"))
        page.press(".hp-clear")
        page._wait(lambda: page.text() == "")
        assert page.boxes() == 0 and page.ink() == 0
    finally:
        driver.set_window_size(1000, 800)


def test_a_phone_photo_of_two_lines_read_in_the_browser(page, served, tmp_path, SHARED_DATA):
    """The photo button: a phone's JPEG (stored sideways with EXIF orientation 6, as phones store a photo held
    upright) of two lines of real MNIST digits is shown upright on the canvas and read by the server: the text's
    lines apart by a newline, a box over each digit's ink, a row of candidates per line; a candidate picked in the
    second line changes only that line; clear puts the photo away. A photo of more pixels than the server takes
    (17.7 megapixels) is sent smaller and read; a file that is no picture gets the server's word for it."""
    from PIL import Image

    from handpad.sources.mnist import read_mnist_idx

    images, labels = read_mnist_idx(SHARED_DATA / "mnist-10k")

    def note(width, height, scale):  # dark digits on white paper: images[20:25] above images[30:33]
        paper = np.full((height, width), 250, np.uint8)
        for row, digits in enumerate((images[20:25], images[30:33])):
            x = int(0.1 * width)
            for digit in digits:
                cols = np.nonzero(digit.max(axis=0))[0]
                ink = np.kron(digit[:, cols.min() : cols.max() + 1], np.ones((scale, scale), np.uint8))
                y = int((0.15 + 0.45 * row) * height)
                paper[y : y + ink.shape[0], x : x + ink.shape[1]] = np.minimum(
                    paper[y : y + ink.shape[0], x : x + ink.shape[1]], 255 - ink)
                x += ink.shape[1] + 8 * scale
        return paper

    first, second = "".join(map(str, labels[20:25])), "".join(map(str, labels[30:33]))
    exif = Image.Exif()
    exif[0x0112] = 6  # turn 90 degrees clockwise to view
    Image.fromarray(np.rot90(note(1000, 700, 4), 1).copy()).save(tmp_path / "note.jpg", quality=92, exif=exif)

    page.driver.set_window_size(1000, 1450)  # the whole page in the screenshot
    page = type(page)(page.driver, served[0] + "/")
    page.press(".hp-kind[data-kind=digits]")
    page.photo(tmp_path / "note.jpg")  # switches to the word mode by itself
    assert page.text() == f"{first}\n{second}"
    canvas = page.driver.find_element("css selector", ".hp-canvas")
    assert (canvas.get_attribute("width"), canvas.get_attribute("height")) == ("1200", "840")  # upright: 1000x700
    assert page.boxes() == 8 and page.rows() == 2
    assert min(page.box_ink()) > 0.05, page.box_ink()  # the server's boxes land on the ink the page shows
    options = page.options(6)
    assert options[0] == "*" + second[1] and len(options) == 5, options
    page.pick(6, options[1])
    picked = second[0] + options[1] + second[2]
    assert page.text() == f"{first}\n{picked}" and page.copy() == f"{first}\n{picked}"
    ARTIFACTS.mkdir(exist_ok=True)
    page._js("window.scrollTo(0, 0)")
    page.driver.save_screenshot(str(ARTIFACTS / "photo.png"))
    page.driver.set_window_size(1000, 800)

    page.press(".hp-clear")
    page._wait(lambda: page.text() == "")
    assert (canvas.get_attribute("width"), canvas.get_attribute("height")) == ("1200", "320")
    assert page.boxes() == 0 and page.ink() == 0 and page.rows() == 0

    big = note(5000, 3540, 20)  # 17.7 MP: the server refuses it as sent; the page sends a 16.8 MP copy
    Image.fromarray(big).save(tmp_path / "big.png")
    from test_serve import make_client
    from handpad.web.app import create_app
    refused = make_client(create_app(samples=tmp_path)).post(
        "/api/read?model=digits", content=(tmp_path / "big.png").read_bytes(), headers={"Content-Type": "image/png"})
    assert refused.status_code == 413 and "megapixels" in refused.json()["error"]
    page.photo(tmp_path / "big.png")
    assert page.text() == f"{first}\n{second}" and page.boxes() == 8

    (tmp_path / "notes.txt").write_text("not a picture")
    page.photo(tmp_path / "notes.txt", wait=False)
    page._wait(lambda: "not a readable image" in page.status())
    assert page.text() == "" and page.boxes() == 0
