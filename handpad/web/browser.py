"""The pad in a real headless Chromium, driven like a person: for tests/test_browser.py and
bench/serve_latency.py. Needs selenium (the ``test`` extra) and Debian's ``chromium`` and
``chromium-driver`` (no browser download).

    with headless_chromium() as driver:
        page = PadPage(driver, url)
        page.stroke([(100, 120), (300, 120), (300, 220)], pointer="pen")   # canvas pixels; waits for the top-3
        page.top()                                                         # [('그', '100.0%'), ...]
        page.words()                                                       # the word mode: a wide canvas
        for stroke in line_strokes("한글"): page.stroke(stroke)             # waits for the reading each time
        page.text(), page.options(1)                                       # '한글', ['글', '긑', ...]
        page.photo("note.jpg")                                             # a photo read; page.text(), page.rows()
"""
from __future__ import annotations

import contextlib
import math
import tempfile
import time

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
# Headless, as root, with no network but loopback: no sandbox, GPU, shared-memory /dev/shm, QUIC,
# first-run, background or update traffic.
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync", "--window-size=1000,800")
CANVAS = 400  # the pad's canvas in its own pixels (pad.js SIZE)
LINE = (1200, 320)  # the word mode's canvas (pad.js LINE)
NANUM_GOTHIC = "/usr/share/fonts/truetype/nanum/NanumGothic.ttf"


def line(a, b, steps: int = 8) -> list[tuple[float, float]]:
    return [(a[0] + (b[0] - a[0]) * i / steps, a[1] + (b[1] - a[1]) * i / steps) for i in range(steps + 1)]


def ring(cx, cy, rx, ry, steps: int = 20) -> list[tuple[float, float]]:
    """An ellipse drawn from its top, clockwise."""
    return [(cx + rx * math.sin(a), cy - ry * math.cos(a)) for a in (2 * math.pi * i / steps for i in range(steps + 1))]


# Drawings the shipped models read right, as strokes in canvas pixels in writing order.
DRAWINGS = {
    "1": [line((200, 60), (200, 340))],
    "7": [line((110, 90), (300, 90)) + line((300, 90), (180, 340))[1:]],
    "그": [line((100, 120), (300, 120)) + line((300, 120), (300, 220))[1:], line((60, 290), (340, 290))],
    "한": [line((120, 45), (150, 60)), line((80, 85), (200, 85)), ring(140, 140, 45, 35),
          line((260, 40), (260, 230)), line((260, 135), (320, 135)),
          line((110, 250), (110, 340)) + line((110, 340), (320, 340))[1:]],
}


def line_strokes(text: str, font: str = NANUM_GOTHIC, size: float = 200, gap: float = 40, x0: float = 40,
                 y0: float = 60, step: int = 2) -> list[list[tuple[float, float]]]:
    """A line written with a real font's strokes, for the word mode's canvas: each syllable's skeleton
    strokes (handpad.synth.hand, the pen's order of a glyph's strokes) scaled to ``size`` pixels high,
    left to right ``gap`` apart (a space: one ``size`` more), every ``step``-th point kept."""
    import numpy as np

    from ..synth.render import GlyphRenderer

    renderer = GlyphRenderer(font)
    out, x = [], x0
    for char in text:
        if char == " ":
            x += size
            continue
        glyph = renderer.hand_glyph(char)
        ink = np.concatenate([s.points for s in glyph.strokes])
        lo, hi = ink.min(axis=0), ink.max(axis=0)
        scale = size / glyph.size
        for stroke in glyph.strokes:
            pts = (stroke.points - lo) * scale + (x, y0)
            keep = list(pts[::step]) + ([pts[-1]] if (len(pts) - 1) % step else [])
            out.append([(round(float(px), 1), round(float(py), 1)) for px, py in keep])
        x += (hi[0] - lo[0]) * scale + gap
    return out


@contextlib.contextmanager
def headless_chromium():
    """A selenium driver of a fresh headless Chromium (its own temporary profile), quit on exit."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    with tempfile.TemporaryDirectory(prefix="handpad-chromium-") as profile:
        options = webdriver.ChromeOptions()
        options.binary_location = CHROMIUM
        for flag in (*FLAGS, f"--user-data-dir={profile}"):
            options.add_argument(flag)
        driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
        try:
            yield driver
        finally:
            driver.quit()


class PadPage:
    """The pad page open in ``driver``: strokes with real pointer input, its buttons, what it shows."""

    def __init__(self, driver, url: str, timeout: float = 30.0):
        self.driver, self.timeout = driver, timeout
        driver.get(url)
        self.root = driver.find_element("id", "pad")
        self.canvas = self._wait(lambda: driver.find_elements("css selector", ".hp-canvas"))[0]

    def _wait(self, condition):
        deadline = time.monotonic() + self.timeout
        while not (value := condition()):
            if time.monotonic() > deadline:
                raise TimeoutError(f"the page did not get there in {self.timeout} s")
            time.sleep(0.005)
        return value

    def _js(self, script: str, *args):
        return self.driver.execute_script(script, *args)

    def stroke(self, points, pointer: str = "mouse") -> float:
        """Draw one stroke through ``points`` (canvas pixels) with a ``mouse``, ``pen`` or ``touch`` pointer,
        wait for the top-3 of the new drawing, and return the page's own figure: milliseconds from the
        stroke's end (pointerup) to the panel holding the answer."""
        from selenium.webdriver.common.actions.action_builder import ActionBuilder
        from selenium.webdriver.common.actions.pointer_input import PointerInput

        box = self._js("const b = arguments[0].getBoundingClientRect();"
                       "return [b.left + arguments[0].clientLeft, b.top + arguments[0].clientTop, arguments[0].clientWidth,"
                       " arguments[0].width]", self.canvas)
        scale = box[2] / box[3]  # CSS pixels per canvas pixel (400 wide, or the word mode's 1200)
        self._js("arguments[0].removeAttribute('data-updated')", self.root)
        actions = ActionBuilder(self.driver, mouse=PointerInput(pointer, f"handpad-{pointer}"), duration=0)
        moves = actions.pointer_action
        for i, (x, y) in enumerate(points):
            moves.move_to_location(round(box[0] + x * scale), round(box[1] + y * scale))
            if i == 0:
                moves.pointer_down()
        moves.pointer_up()
        actions.perform()
        return self.answered()

    def press(self, selector: str) -> None:
        """Click a control: ``.hp-undo``, ``.hp-clear``, ``.hp-kind[data-kind=digits]``, ``.hp-candidate``...
        (then :meth:`answered` waits for the top-3 of the changed drawing)."""
        self._js("arguments[0].removeAttribute('data-updated')", self.root)
        self.driver.find_element("css selector", selector).click()

    def answered(self) -> float:
        """Wait for the panel to show the answer for the drawing as it is now; the page's milliseconds
        from the change (stroke end, undo...) to then."""
        return float(self._wait(lambda: self.root.get_attribute("data-updated")))

    def top(self) -> list[tuple[str, str]]:
        """The panel's candidates as shown: [(label, "97.3%"), ...] (empty rows left out)."""
        rows = self._js("return [...arguments[0].querySelectorAll('.hp-candidate')]"
                        ".map(b => [b.querySelector('.hp-label').textContent, b.querySelector('.hp-prob').textContent])",
                        self.root)
        return [(label, prob) for label, prob in rows if label]

    def ink(self) -> int:
        """How many canvas pixels are darker than mid-gray."""
        return self._js("const c = arguments[0], d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;"
                        "let n = 0;"
                        "for (let i = 0; i < d.length; i += 4) n += d[i] < 128; return n", self.canvas)

    def status(self) -> str:
        return self.driver.find_element("css selector", ".hp-status").text

    # -- the word mode ---------------------------------------------------------------------------
    def words(self) -> None:
        """Switch the word mode on (or off): the wide canvas, its own drawing."""
        self.press(".hp-words-toggle")

    def text(self) -> str:
        """The text as the page shows it."""
        return self.driver.find_element("css selector", ".hp-text").text

    def boxes(self) -> int:
        return len(self.driver.find_elements("css selector", ".hp-box"))

    def options(self, index: int) -> list[str]:
        """The candidates shown under syllable ``index``, the one the text uses marked ``*``."""
        return self._js("return [...arguments[0].querySelectorAll(`.hp-syllable[data-index='${arguments[1]}'] .hp-option`)]"
                        ".map(b => (b.classList.contains('hp-chosen') ? '*' : '') + b.dataset.label)", self.root, index)

    def pick(self, index: int, label: str) -> None:
        """Click candidate ``label`` under syllable ``index`` (the page changes the text itself, no request)."""
        self.driver.find_element("css selector", f".hp-syllable[data-index='{index}'] .hp-option[data-label='{label}']").click()

    def photo(self, path, wait: bool = True) -> float | None:
        """Choose the picture at ``path`` with the photo button (what a phone's camera or file picker hands
        the page) and wait for its reading: the page's milliseconds from the choice to the text shown
        (``wait=False``: return at once, e.g. for an error in :meth:`status`)."""
        self._js("arguments[0].removeAttribute('data-updated')", self.root)
        self.driver.find_element("css selector", ".hp-photo-input").send_keys(str(path))
        return self.answered() if wait else None

    def rows(self) -> int:
        """Rows of candidates under the canvas: one per line read."""
        return len(self.driver.find_elements("css selector", ".hp-syllable-row"))

    def box_ink(self) -> list[float]:
        """For each box shown over the canvas, the share of the canvas pixels under it that are dark."""
        return self._js(
            "const c = arguments[0], ctx = c.getContext('2d'), cr = c.getBoundingClientRect(), f = c.width / c.clientWidth;"
            "return [...arguments[1].querySelectorAll('.hp-box')].map(b => {"
            "  const r = b.getBoundingClientRect();"
            "  const x = Math.round((r.left - cr.left - c.clientLeft) * f), y = Math.round((r.top - cr.top - c.clientTop) * f);"
            "  const w = Math.max(1, Math.round(r.width * f)), h = Math.max(1, Math.round(r.height * f));"
            "  const d = ctx.getImageData(x, y, w, h).data; let n = 0;"
            "  for (let i = 0; i < d.length; i += 4) n += d[i] < 128;"
            "  return n / (w * h); })", self.canvas, self.root)

    def copy(self) -> str:
        """Press copy; the text the page says it copied (its data-copied)."""
        self._js("arguments[0].removeAttribute('data-copied')", self.root)
        self.driver.find_element("css selector", ".hp-copy").click()
        return self._wait(lambda: self.root.get_attribute("data-copied"))
