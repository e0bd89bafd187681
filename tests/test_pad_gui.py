"""The drawing pad in a real window: Xvfb for the display, xdotool for the mouse and keys.

Each test starts ``python -m handpad draw KIND`` on its own Xvfb display, drags the mouse along
a character's strokes, presses keys and reads the pad's stdout (one line per prediction).
Screenshots (written by the pad itself on ``p``) go to test-artifacts/.
Skipped only when the Xvfb or xdotool programs are missing (CI installs both) or a shipped
model file does not exist yet.
"""
from __future__ import annotations

import ctypes
import ctypes.util
import os
import queue
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from conftest import require
from handpad.errors import ModelError
from handpad.model import resolve_model_path

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "test-artifacts"
CANVAS = 400  # the pad's canvas is the window's left CANVAS x CANVAS pixels
LOAD_TIMEOUT = 180  # importing TensorFlow on a busy 2-core CI machine can be slow

pytestmark = [pytest.mark.gui, pytest.mark.slow]


@pytest.fixture(scope="module", autouse=True)
def _needs_xvfb_and_xdotool():
    """Skipped without the Xvfb and xdotool programs; failed in CI (which installs both)."""
    require(bool(shutil.which("Xvfb") and shutil.which("xdotool")),
            "needs the Xvfb and xdotool programs (apt install xvfb xdotool)")

# Strokes in canvas pixels, drawn as a person would: one list of points per stroke.
SEVEN = [[(110, 90), (300, 90), (230, 200), (180, 330)]]
GA = [  # 가: ㄱ on the left, then ㅏ (long vertical, short bar to the right)
    [(60, 110), (200, 110), (190, 190), (120, 320)],
    [(270, 50), (270, 350)],
    [(270, 190), (345, 190)],
]
SCRIBBLE = [[(30, 370), (380, 360)]]


def shipped_model(name: str) -> Path:
    try:
        return resolve_model_path(name)
    except ModelError:
        require(False, f"the shipped {name} model is not there yet (models/{name}.keras)")


@pytest.fixture(scope="module")
def display():
    yield from xvfb("1024x768x24")


@pytest.fixture(scope="module")
def wide_display():
    """A screen wide enough for the word mode's 1200-pixel line."""
    yield from xvfb("1600x900x24")


def xvfb(screen: str):
    """A fresh Xvfb server; -displayfd makes it pick a free display number itself."""
    read_fd, write_fd = os.pipe()
    server = subprocess.Popen(
        ["Xvfb", "-displayfd", str(write_fd), "-screen", "0", screen, "-nolisten", "tcp"],
        pass_fds=(write_fd,), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    os.close(write_fd)
    with os.fdopen(read_fd) as f:
        number = f.readline().strip()  # written once the server accepts clients
    if not number:
        server.kill()
        pytest.fail("Xvfb did not start")
    yield f":{number}"
    server.terminate()
    server.wait(10)


class Pad:
    """A running pad process: its stdout lines, its window, and xdotool to drive it."""

    def __init__(self, display: str, argv: list[str], title: str, cwd=None):
        # No PYTHONPATH: `-m handpad` runs from the checkout (cwd), main1/main2 find it themselves.
        self.env = {**os.environ, "DISPLAY": display, "PYTHONUNBUFFERED": "1"}
        self.proc = subprocess.Popen(argv, cwd=cwd or ROOT, env=self.env, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True, encoding="utf-8")
        self.lines: queue.Queue[str] = queue.Queue()
        self.seen: list[str] = []
        self.stderr: list[str] = []
        self._pumps = [threading.Thread(target=self._pump, args=(self.proc.stdout, self.lines.put), daemon=True),
                       threading.Thread(target=self._pump, args=(self.proc.stderr, self.stderr.append), daemon=True)]
        for pump in self._pumps:
            pump.start()
        self.wait_for("window open", timeout=60)
        self.window = self.xdo("search", "--sync", "--onlyvisible", "--name", title).split()[0]
        # Xvfb has no window manager to give the new window the keyboard focus; without it a key sent
        # to the window can be lost (seen once in a full run: no answer to the first space).
        self.xdo("windowfocus", self.window)

    @staticmethod
    def _pump(stream, put):
        for line in stream:
            put(line.rstrip("\n"))

    def xdo(self, *args) -> str:
        return subprocess.run(["xdotool", *args], env=self.env, check=True, capture_output=True, text=True,
                              timeout=30).stdout

    def wait_for(self, start: str, timeout: float = 30) -> str:
        """The next stdout line starting with ``start`` (earlier lines are kept in ``seen``)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=0.2)
            except queue.Empty:
                if self.proc.poll() is not None and self.lines.empty():
                    break
                continue
            self.seen.append(line)
            if line.startswith(start):
                return line
        raise AssertionError(f"no line starting with {start!r} within {timeout}s; stdout: {self.seen}; "
                             f"stderr tail: {self.stderr[-15:]}")

    def draw(self, strokes) -> None:
        """Drag the mouse along each stroke with the left button down, in small steps like a hand."""
        for stroke in strokes:
            self.xdo("mousemove", "--window", self.window, *map(str, stroke[0]), "mousedown", "1")
            for (x0, y0), (x1, y1) in zip(stroke, stroke[1:]):
                steps = max(1, int(np.hypot(x1 - x0, y1 - y0) // 25))
                moves = []
                for i in range(1, steps + 1):
                    x, y = round(x0 + (x1 - x0) * i / steps), round(y0 + (y1 - y0) * i / steps)
                    moves += ["mousemove", "--window", self.window, str(x), str(y), "sleep", "0.01"]
                self.xdo(*moves)
            self.xdo("mouseup", "1")

    def click(self, x: int, y: int, button: int = 1) -> None:
        self.xdo("mousemove", "--window", self.window, str(x), str(y), "click", str(button))

    def key(self, name: str) -> None:
        self.xdo("key", "--window", self.window, name)

    def key_until(self, name: str, start: str, tries: int = 3, timeout: float = 10) -> str:
        """Press ``name`` until the pad says a line starting with ``start`` (for keys whose second press changes
        nothing): on a machine loaded by other work a key sent to the Xvfb window was once lost."""
        for attempt in range(tries):
            self.key(name)
            try:
                return self.wait_for(start, timeout if attempt < tries - 1 else 30)
            except AssertionError:
                if attempt == tries - 1:
                    raise

    def predict(self) -> str:
        self.key("space")
        return self.wait_for("top3:")

    def screenshot(self, path: Path) -> np.ndarray:
        self.key("p")
        self.wait_for("screenshot:")
        return np.asarray(Image.open(path).convert("RGB"))

    def quit(self, key: str = "q") -> int:
        self.key(key)
        return self.proc.wait(30)

    def close_window(self) -> None:
        """What a window manager does for the title bar's X button: send WM_DELETE_WINDOW."""
        send_wm_delete(self.env["DISPLAY"], int(self.window))

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait(10)
        for pump in self._pumps:  # the pipes end with the process: read to the end, then close them
            pump.join(10)
        self.proc.stdout.close()
        self.proc.stderr.close()


class _ClientMessage(ctypes.Structure):
    _fields_ = [("type", ctypes.c_int), ("serial", ctypes.c_ulong), ("send_event", ctypes.c_int),
                ("display", ctypes.c_void_p), ("window", ctypes.c_ulong), ("message_type", ctypes.c_ulong),
                ("format", ctypes.c_int), ("data", ctypes.c_long * 5)]


class _XEvent(ctypes.Union):
    _fields_ = [("xclient", _ClientMessage), ("pad", ctypes.c_long * 24)]


def send_wm_delete(display: str, window: int) -> None:
    """Xvfb has no window manager (xdotool cannot press a title bar's X): send its message with Xlib."""
    x11 = ctypes.cdll.LoadLibrary(ctypes.util.find_library("X11") or "libX11.so.6")
    x11.XOpenDisplay.restype = ctypes.c_void_p
    x11.XOpenDisplay.argtypes = [ctypes.c_char_p]
    x11.XInternAtom.restype = ctypes.c_ulong
    x11.XInternAtom.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int]
    x11.XSendEvent.argtypes = [ctypes.c_void_p, ctypes.c_ulong, ctypes.c_int, ctypes.c_long, ctypes.POINTER(_XEvent)]
    x11.XCloseDisplay.argtypes = [ctypes.c_void_p]
    conn = x11.XOpenDisplay(display.encode())
    assert conn, f"cannot open display {display}"
    event = _XEvent()
    event.xclient.type = 33  # ClientMessage
    event.xclient.window = window
    event.xclient.message_type = x11.XInternAtom(conn, b"WM_PROTOCOLS", 0)
    event.xclient.format = 32
    event.xclient.data[0] = x11.XInternAtom(conn, b"WM_DELETE_WINDOW", 0)
    x11.XSendEvent(conn, window, 0, 0, ctypes.byref(event))
    x11.XCloseDisplay(conn)  # flushes the event


@pytest.fixture
def open_pad(display):
    pads = []

    def start(argv, title, cwd=None):
        pads.append(Pad(display, argv, title, cwd))
        return pads[-1]

    yield start
    for pad in pads:
        pad.kill()


def labels_of(line: str) -> list[str]:
    """``top3: 7 0.912 | 1 0.041 | 9 0.012`` -> ['7', '1', '9']."""
    return [item.split()[0] for item in line.removeprefix("top3:").split("|")]


def assert_shows_panel(shot: np.ndarray, path: Path) -> None:
    """The screenshot is the pad, not a blank window: ink on the canvas and a panel with content."""
    assert shot.shape[0] >= CANVAS and shot.shape[1] > CANVAS + 200, f"{path}: unexpected size {shot.shape}"
    canvas, panel = shot[:CANVAS, :CANVAS], shot[:CANVAS, CANVAS:]
    assert (canvas < 100).any(), f"{path}: no ink on the canvas"
    assert panel.std() > 20, f"{path}: the panel is (nearly) uniform"
    assert len(np.unique(panel.reshape(-1, 3), axis=0)) > 20, f"{path}: the panel shows no text or bars"


def pad_argv(kind: str, tmp_path: Path) -> list[str]:
    return [sys.executable, "-m", "handpad", "draw", kind, "--save-to", str(tmp_path / "samples"),
            "--screenshot", str(ARTIFACTS / f"pad-{kind}.png")]


def test_digits_pad_recognizes_a_seven_and_undo_clear_quit_work(open_pad, tmp_path):
    shipped_model("digits")
    pad = open_pad(pad_argv("digits", tmp_path), "handpad - digits")
    pad.wait_for("ready:", timeout=LOAD_TIMEOUT)

    pad.draw(SEVEN)
    first = pad.predict()
    assert "7" in labels_of(first), first

    shot = pad.screenshot(ARTIFACTS / "pad-digits.png")
    assert_shows_panel(shot, ARTIFACTS / "pad-digits.png")

    pad.draw(SCRIBBLE)  # z removes exactly this stroke: the same drawing, the same answer
    pad.key("z")
    assert pad.predict() == first

    pad.key("r")
    pad.key("space")
    pad.wait_for("draw something first")

    assert pad.quit("q") == 0


def test_hangul_pad_recognizes_ga_and_saves_it(open_pad, tmp_path):
    shipped_model("hangul")
    pad = open_pad(pad_argv("hangul", tmp_path), "handpad - hangul")
    pad.wait_for("ready:", timeout=LOAD_TIMEOUT)

    pad.draw(GA)
    line = pad.predict()
    assert "가" in labels_of(line), line

    rank = labels_of(line).index("가") + 1
    assert pad.key_until(str(rank), "picked") == "picked 가: press s to save it"  # 1/2/3: confirm 가 ...
    shot = pad.screenshot(ARTIFACTS / "pad-hangul.png")
    assert_shows_panel(shot, ARTIFACTS / "pad-hangul.png")
    assert pad.key_until("s", "saved").startswith("saved 가")  # ... and keep it in the user's store

    from handpad.store import load_store

    assert load_store(tmp_path / "samples").label_names() == ["가"]
    assert pad.quit("Escape") == 0


@pytest.mark.parametrize("script, kind", [("main1/main1.py", "digits"), ("main2/main2.py", "hangul")])
def test_original_entry_points_open_the_pad_from_any_folder(open_pad, tmp_path, script, kind):
    shipped_model(kind)
    started = time.monotonic()
    pad = open_pad([sys.executable, str(ROOT / script)], f"handpad - {kind}", cwd=tmp_path)
    assert pad.window
    pad.key("space")  # before the model is loaded: remembered, answered once it is ready
    pad.wait_for("draw something first", timeout=LOAD_TIMEOUT)
    assert pad.quit("q") == 0
    assert time.monotonic() - started < LOAD_TIMEOUT


def test_closing_the_window_ends_the_pad(open_pad, tmp_path):
    shipped_model("digits")
    pad = open_pad(pad_argv("digits", tmp_path), "handpad - digits")
    pad.close_window()
    assert pad.proc.wait(30) == 0


LINE_17 = [[(200, 60), (200, 280)], [(400, 70), (580, 70), (520, 180), (470, 290)]]  # the word mode: "17"


def test_word_mode_reads_a_line_picks_a_candidate_and_copies(wide_display, tmp_path):
    shipped_model("digits")
    out = tmp_path / "words.txt"
    shot = ARTIFACTS / "pad-words.png"
    pad = Pad(wide_display, [sys.executable, "-m", "handpad", "draw", "digits", "--words", "--text-out", str(out),
                             "--screenshot", str(shot)], "handpad - digits")
    try:
        pad.wait_for("ready:", timeout=LOAD_TIMEOUT)
        pad.draw(LINE_17)  # read after each stroke
        assert pad.wait_for("read:") == "read: 1"
        assert pad.wait_for("read:") == "read: 17"
        pad.click(500, 320 + 20)  # the 7's column under the line: its next candidate
        picked = pad.wait_for("picked")
        label = picked.removeprefix("picked ").split(":")[0]
        assert picked == f"picked {label}: 1{label}" and label != "7", picked
        pad.click(200, 320 + 58 + 5)  # the 1's column, on its first candidate: the model's best, 1 again
        assert pad.wait_for("picked") == f"picked 1: 1{label}"
        pad.key("c")  # the text alone on a line, and appended to the file
        assert pad.wait_for("1") == f"1{label}"
        assert out.read_text("utf-8") == f"1{label}\n"
        frame = pad.screenshot(shot)
        assert frame.shape[1] == 1200 and frame.shape[0] > 320 and (frame[:320] < 100).any()
        pad.key("w")  # the one-syllable pad
        pad.wait_for("mode: syllable")
        assert pad.quit("q") == 0
    finally:
        pad.kill()
