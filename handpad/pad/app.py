"""The drawing pad's window: OpenCV highgui for the canvas and keys, Pillow for the panel.

    mouse/keys --(on_mouse, handle_key)--> Canvas, Prediction --(frame)--> cv2.imshow
    word mode (w, --words):             --> WordPad (a wide canvas, its Reading) --(frame)--> the line,
                                             boxes over its syllables, their candidates in columns below

The window opens before TensorFlow is imported: the model loads in a background thread
(:class:`ModelLoader`) while the panel says "loading model...". ``PadApp`` works without
a window too (``handle_key`` + ``frame``), which is how bench/pad_latency.py times it.
"""
from __future__ import annotations

import sys
import threading
import time
from pathlib import Path

import cv2
import numpy as np
from PIL import Image, ImageDraw

from ..errors import HandpadError, NothingDrawnError
from .canvas import Canvas, Prediction, SampleSaver, default_text_out
from .controls import HELP, WORD_HELP, action_for
from .text import NO_FONT_HELP, Fonts
from .words import WordPad

PANEL_WIDTH = 320
HELP_HEIGHT = 60
SEEN_SCALE = 2  # the 60x60 model input is shown at 120x120
TOP_K = 3

# Colors (RGB, for Pillow).
PANEL_BG = (242, 242, 238)
TEXT = (30, 30, 30)
MUTED = (120, 120, 120)
BAR = (66, 133, 244)
BAR_BG = (220, 220, 215)
CHOSEN_BG = (255, 236, 179)
OK = (30, 130, 60)
BUSY = (200, 120, 0)
BAD = (190, 30, 30)


MESSAGE_LINE_HEIGHT = 18  # the panel's message: 15 px font + 3 px between lines

# The word mode's strip under the line: per syllable, a column with its label and its candidates.
STRIP_HEIGHT = 200
STRIP_LABEL_TOP, STRIP_LABEL_SIZE = 4, 44
STRIP_OPTIONS_TOP, STRIP_OPTION_ROW, STRIP_OPTIONS = 58, 22, 4  # candidates shown (1-8 pick any of the top)
STRIP_TEXT_TOP = 150
BOX = (244, 133, 66)  # BGR, over the canvas: a syllable's box
BOX_SELECTED = (0, 140, 255)
BOX_STALE = (180, 180, 180)


def fit_lines(text: str, fits, max_lines: int) -> list[str]:
    """Word-wrap ``text`` into at most ``max_lines`` lines for which ``fits(line)`` holds (the line's
    pixel width fits the panel). Words too long for a line (file paths) break anywhere; if the text
    does not fit, the last line ends with an ellipsis. (The full message is printed to the terminal.)"""
    if max_lines < 1:
        return []
    lines: list[str] = []
    for paragraph in text.splitlines():
        line = ""
        for word in paragraph.split():
            if len(lines) > max_lines:
                break
            candidate = f"{line} {word}" if line else word
            if fits(candidate):
                line = candidate
                continue
            if line:
                lines.append(line)
            while not fits(word) and len(word) > 1 and len(lines) <= max_lines:
                lo, hi = 1, len(word) - 1  # the longest prefix that fits (at least one character)
                while lo < hi:
                    mid = (lo + hi + 1) // 2
                    lo, hi = (mid, hi) if fits(word[:mid]) else (lo, mid - 1)
                cut = lo
                lines.append(word[:cut])
                word = word[cut:]
            line = word
        if line:
            lines.append(line)
    if len(lines) > max_lines:
        last = lines[max_lines - 1]
        while last and not fits(last + "…"):
            last = last[:-1]
        lines = lines[: max_lines - 1] + [last.rstrip() + "…"]
    return lines


def say(line: str) -> None:
    """One line on stdout, flushed at once (the GUI test and scripts read it live)."""
    print(line, flush=True)


class ModelLoader:
    """Imports TensorFlow and loads the recognizer in a background thread."""

    def __init__(self, model, only=None):
        self.model = model
        self.only = only  # a label space inside the model's to answer from (e.g. hangul-ksx1001)
        self.recognizer = None
        self.error: str | None = None
        self.seconds: float | None = None
        self._thread = threading.Thread(target=self._load, name="handpad-model-loader", daemon=True)

    def start(self) -> "ModelLoader":
        self._thread.start()
        return self

    def wait(self, timeout: float | None = None) -> bool:
        self._thread.join(timeout)
        return self.ready

    @property
    def ready(self) -> bool:
        return self.recognizer is not None

    @property
    def status(self) -> str:
        if self.error:
            return "model failed to load"
        return "ready" if self.ready else "loading model..."

    def _load(self) -> None:
        start = time.perf_counter()
        try:
            from ..recognizer import Recognizer

            recognizer = Recognizer.load(self.model, only=self.only)
        except HandpadError as e:
            self.error = str(e)
        except Exception as e:  # TensorFlow/Keras failures of all kinds: show them, don't die silently
            self.error = f"{type(e).__name__}: {e}"
        else:
            self.seconds = time.perf_counter() - start
            self.recognizer = recognizer  # set last: ``ready`` means fully loaded


class PadApp:
    """The pad: canvas + model + panel. Event handlers change state; ``frame()`` draws it."""

    def __init__(self, kind: str, model, save_to, live: bool = False, pen_width: int | None = None,
                 screenshot=None, loader: ModelLoader | None = None, fonts: Fonts | None = None, only=None,
                 words: bool = False, text_out=None):
        self.kind = kind
        self.title = f"handpad - {kind}"
        self._single = Canvas() if pen_width is None else Canvas(pen_width=pen_width)
        # The word mode (``words``, key w): a line on its own wide canvas; c appends its text to ``text_out``.
        self.words = WordPad(text_out if text_out is not None else default_text_out(), pen_width=self._single.pen_width)
        self.word_mode = bool(words)
        self.loader = loader or ModelLoader(model, only)
        self.save_to = Path(save_to).expanduser()
        self.screenshot_path = Path(screenshot or f"handpad-{kind}.png")
        self.live = live
        self.fonts = fonts or Fonts.korean()
        self.prediction: Prediction | None = None
        self.message = "" if self.fonts.has_hangul or kind != "hangul" else NO_FONT_HELP
        self.running = True
        self._pending_predict = False  # space pressed while the model was still loading
        self._announced = False
        self._saver: SampleSaver | None = None
        self._panel_key = None
        self._panel = None
        self._help_bars: dict[bool, np.ndarray] = {}
        self._strip_key = None
        self._strip = None
        self._last_frame: np.ndarray | None = None

    @property
    def canvas(self) -> Canvas:
        """The canvas drawn on now: the square one, or the word mode's line."""
        return self.words.canvas if self.word_mode else self._single

    # -- the window loop -----------------------------------------------------------------------
    def run(self) -> int:
        if self.message:
            print(f"handpad draw: warning: {self.message}", file=sys.stderr, flush=True)
        cv2.namedWindow(self.title, cv2.WINDOW_AUTOSIZE | cv2.WINDOW_GUI_NORMAL)
        cv2.setMouseCallback(self.title, self.on_mouse)
        self.loader.start()
        say(f"loading the {self.kind} model in the background...")
        cv2.imshow(self.title, self.frame())
        cv2.waitKey(1)
        say(f"window open: {self.title}")
        try:
            while self.running:
                self.poll_loader()
                cv2.imshow(self.title, self.frame())
                code = cv2.waitKey(15)
                if code != -1:
                    self.handle_key(code)
                if self._window_closed():
                    break
        finally:
            cv2.destroyAllWindows()
            self.close()
        return 1 if self.loader.error else 0

    def _window_closed(self) -> bool:
        """True once the window manager closed the window (its X button)."""
        try:
            return cv2.getWindowProperty(self.title, cv2.WND_PROP_VISIBLE) < 1
        except cv2.error:  # the Qt backend raises instead of answering once the window is gone
            return True

    def poll_loader(self) -> None:
        """Announce the model once it is loaded (or failed), and run a predict that was waiting."""
        if self._announced or not (self.loader.ready or self.loader.error):
            return
        self._announced = True
        if self.loader.error:
            self.message = self.loader.error
            print(f"handpad draw: error: {self.loader.error}", file=sys.stderr, flush=True)
            return
        rec = self.loader.recognizer
        say(f"ready: {rec.name} model, {len(rec.labels)} classes (loaded in {self.loader.seconds:.1f} s)")
        if self._pending_predict:
            self._pending_predict = False
            self.predict()

    def close(self) -> None:
        if self._saver is not None:
            self._saver.close()

    # -- events ------------------------------------------------------------------------------
    def on_mouse(self, event, x, y, flags, param=None) -> None:
        if self.word_mode:
            return self._on_mouse_words(event, x, y)
        if event == cv2.EVENT_LBUTTONDOWN and self.canvas.contains(x, y):
            self.canvas.begin_stroke(x, y)
        elif event == cv2.EVENT_MOUSEMOVE and self.canvas.drawing:
            self.canvas.extend_stroke(x, y)
        elif event == cv2.EVENT_LBUTTONUP and self.canvas.end_stroke() and self.live:
            self.predict(quiet_if_empty=True)

    def _on_mouse_words(self, event, x, y) -> None:
        """Word mode: draw on the line; a click in a syllable's column below picks a candidate
        (on a candidate: that one; elsewhere: the next one), as does a right-click on its box."""
        canvas = self.canvas
        if event == cv2.EVENT_LBUTTONDOWN:
            if canvas.contains(x, y):
                canvas.begin_stroke(x, y)
            elif canvas.height <= y < canvas.height + STRIP_TEXT_TOP and 0 <= x < canvas.width:
                index = self.words.cell_at(x)
                if index is not None:
                    row = (y - canvas.height - STRIP_OPTIONS_TOP) // STRIP_OPTION_ROW
                    rank = row if 0 <= row < min(STRIP_OPTIONS, len(self.words.syllables[index].top)) else None
                    self._pick(index, rank)
        elif event == cv2.EVENT_RBUTTONDOWN and canvas.contains(x, y) and not canvas.drawing:
            index = self.words.box_at(x, y)
            if index is not None:
                self._pick(index, None)
        elif event == cv2.EVENT_MOUSEMOVE and canvas.drawing:
            canvas.extend_stroke(x, y)
        elif event == cv2.EVENT_LBUTTONUP and canvas.end_stroke():
            self.read_line(quiet_if_empty=True)

    def handle_key(self, code: int) -> None:
        action = action_for(code)
        if action is not None:
            method, *args = action
            getattr(self, method)(*args)

    # -- actions (one per key) ---------------------------------------------------------------
    def predict(self, quiet_if_empty: bool = False) -> Prediction | None:
        """Recognize the drawing: panel + one stdout line. Empty canvas -> "draw something first".
        (Word mode: read the line, :meth:`read_line`.)"""
        if self.word_mode:
            return self.read_line(quiet_if_empty)
        rec = self._recognizer("predict")
        if rec is None:
            return None
        try:
            seen = rec.prepare(self.canvas.image())
        except NothingDrawnError:
            self.prediction = None
            if not quiet_if_empty:
                self.message = "draw something first"
                say("draw something first")
            return None
        top = rec.top_k_batch([seen], TOP_K, prepared=True)[0]
        self.prediction = Prediction(top, seen, self.canvas.version)
        self.message = ""
        say(self.prediction.line())
        return self.prediction

    def _recognizer(self, then: str):
        """The loaded recognizer, or None with a message (still loading: ``then`` happens once it is)."""
        rec = self.loader.recognizer
        if rec is None:
            if self.loader.error:
                self.message = "no model: " + self.loader.error
            else:
                self._pending_predict = True
                self.message = f"the model is still loading; will {then} when ready"
        return rec

    def read_line(self, quiet_if_empty: bool = False):
        """Word mode: read the line (Recognizer.read on the canvas' strokes, in drawing order); prints
        ``read: <text>``. Returns the Reading, None if there is nothing (or no model yet)."""
        rec = self._recognizer("read the line")
        if rec is None:
            return None
        try:
            reading = self.words.read(rec)
        except HandpadError as e:
            self.message = f"not read: {e}"
            print(f"handpad draw: {self.message}", file=sys.stderr, flush=True)
            return None
        if reading is None:
            self.message = "" if quiet_if_empty else "write something first"
            if not quiet_if_empty:
                say("write something first")
            return None
        self.message = ""
        say(f"read: {reading.text}")
        return reading

    def undo(self) -> None:
        if self.canvas.undo():
            self._after_edit()

    def clear(self) -> None:
        if self.canvas.clear():
            self.prediction = None
            self.message = ""
            if self.word_mode:
                self.read_line(quiet_if_empty=True)

    def thinner(self) -> None:
        self.canvas.thinner()

    def thicker(self) -> None:
        self.canvas.thicker()

    def toggle_live(self) -> None:
        if self.word_mode:
            self.message = "the word mode reads the line after every stroke"
            return
        self.live = not self.live
        self.message = f"live mode {'on: predicts after every stroke' if self.live else 'off'}"
        if self.live and not self.canvas.is_empty:
            self.predict(quiet_if_empty=True)

    def choose(self, rank: int) -> None:
        if self.word_mode:
            if self.words.selected is None:
                self.message = "select a syllable first: click its column below the line, or press , and ."
                return
            self._pick(self.words.selected, rank)
            return
        if not self._prediction_is_current():
            self.message = "press space first, then 1/2/3 to pick the right answer"
            return
        label = self.prediction.choose(rank)
        if label is not None:
            self.message = f"picked {label}: press s to save it"
            say(self.message)

    def save(self) -> None:
        """Save the drawing with the picked label into the user's store, then start a new drawing."""
        if self.word_mode:
            self.save_line()
            return
        if not self._prediction_is_current() or self.prediction.chosen_label is None:
            self.message = "press space, then 1/2/3 to pick the right answer, then s"
            return
        label = self.prediction.chosen_label
        if self._saver is None:
            self._saver = SampleSaver(self.save_to, self.loader.recognizer.model.label_space)
        try:
            count = self._saver.save(self.prediction.seen, label)
        except HandpadError as e:  # e.g. the folder holds a store for another model's labels
            self.message = f"not saved: {e}"
            print(f"handpad draw: {self.message}", file=sys.stderr, flush=True)
            return
        samples = f"{count} sample{'' if count == 1 else 's'}"
        say(f"saved {label} to {self.save_to} ({samples})")
        self.canvas.clear()
        self.prediction = None
        self.message = f"saved {label} ({samples})"

    def save_line(self) -> None:
        """Word mode: save each syllable of the line, under the label the text shows (picks included), as the
        one-syllable pad saves a drawing (each box's own ink as it was read); then start a new line. Fix the
        text first: what is saved teaches ``handpad finetune`` your hand."""
        rec = self.loader.recognizer
        if rec is None:
            self.message = "the model is still loading"
            return
        if not self.words.current:
            self.read_line(quiet_if_empty=True)
        samples = rec.samples(self.words.reading) if self.words.reading is not None else []
        if not samples:
            self.message = "write a line first, fix its text, then s saves its syllables"
            return
        if self._saver is None:
            self._saver = SampleSaver(self.save_to, rec.model.label_space)
        try:
            for seen, label in samples:
                count = self._saver.save(seen, label)
        except HandpadError as e:
            self.message = f"not saved: {e}"
            print(f"handpad draw: {self.message}", file=sys.stderr, flush=True)
            return
        labels = "".join(label for _, label in samples)
        say(f"saved {labels} to {self.save_to} ({count} sample{'' if count == 1 else 's'})")
        self.canvas.clear()
        self.read_line(quiet_if_empty=True)
        self.message = f"saved {len(samples)} syllable{'' if len(samples) == 1 else 's'}: {labels} ({count} samples)"

    def screenshot(self) -> Path:
        """Write the window's current image to the screenshot path."""
        self.screenshot_path.parent.mkdir(parents=True, exist_ok=True)
        if not cv2.imwrite(str(self.screenshot_path), self.frame()):
            self.message = f"could not write {self.screenshot_path}"
        else:
            say(f"screenshot: {self.screenshot_path}")
            self.message = f"screenshot saved: {self.screenshot_path.name}"
        return self.screenshot_path

    def quit(self) -> None:
        self.running = False

    # -- the word mode's own actions -----------------------------------------------------------
    def toggle_words(self) -> None:
        """Switch between the one-syllable pad and the word mode (each keeps its own drawing)."""
        pen = self.canvas.pen_width
        self.word_mode = not self.word_mode
        self.canvas.pen_width = pen
        self.message = ("word mode: write a line; it is read after every stroke" if self.word_mode
                        else "one-syllable pad")
        say(f"mode: {'words' if self.word_mode else 'syllable'}")
        if self.word_mode and not self.words.current:
            self.read_line(quiet_if_empty=True)

    def select_step(self, step: int) -> None:
        if not self.word_mode:
            return
        index = self.words.select_step(step)
        if index is not None:
            self.message = f"syllable {index + 1} selected: 1-{min(8, len(self.words.syllables[index].top))} picks"

    def _pick(self, index: int, rank: int | None) -> None:
        """Read syllable ``index`` as its candidate ``rank`` (None: the next one)."""
        label = self.words.cycle(index) if rank is None else self.words.pick(index, rank)
        if label is None:
            return
        self.message = f"syllable {index + 1}: {label}"
        say(f"picked {label}: {self.words.text}")

    def copy(self) -> str | None:
        """Word mode: print the text (one line on stdout) and append it to the text file."""
        if not self.word_mode:
            self.message = "c copies the word mode's text: press w to write a line"
            return None
        if not self.words.current and self.loader.recognizer is not None:
            self.read_line(quiet_if_empty=True)
        try:
            text = self.words.copy()
        except OSError as e:
            self.message = f"not copied to {self.words.text_out}: {e.strerror or e}"
            print(f"handpad draw: {self.message}", file=sys.stderr, flush=True)
            return None
        if text is None:
            self.message = "write something first"
            return None
        say(text)
        self.message = f"copied: {text} (added to {self.words.text_out})"
        return text

    def _after_edit(self) -> None:
        if self.word_mode:
            self.read_line(quiet_if_empty=True)
        elif self.live:
            self.predict(quiet_if_empty=True)

    def _prediction_is_current(self) -> bool:
        return self.prediction is not None and self.prediction.version == self.canvas.version

    # -- drawing the window ------------------------------------------------------------------
    def frame(self) -> np.ndarray:
        """The window's image (BGR): canvas | panel, with the controls below; in word mode the line with
        its syllables' boxes, their columns below it, then the controls."""
        canvas = cv2.cvtColor(self.canvas.image(), cv2.COLOR_GRAY2BGR)
        if self.word_mode:
            self._draw_boxes(canvas)
            return np.vstack([canvas, self._current_strip(), self._help_bar()])
        top = np.hstack([canvas, self._current_panel()])
        return np.vstack([top, self._help_bar()])

    def _draw_boxes(self, canvas: np.ndarray) -> None:
        words = self.words
        for i, s in enumerate(words.syllables):
            color = BOX_STALE if not words.current else BOX_SELECTED if i == words.selected else BOX
            x0, y0, x1, y1 = s.box
            cv2.rectangle(canvas, (x0, y0), (x1 - 1, y1 - 1), color, 3 if i == words.selected else 1)

    def _current_strip(self) -> np.ndarray:
        w = self.words
        key = (self.loader.status, id(w.reading), w.selected, w.current, self.message, self.canvas.pen_width)
        if key != self._strip_key:
            self._strip_key, self._strip = key, self._render_strip()
        return self._strip

    def _render_strip(self) -> np.ndarray:
        """Under the line: each syllable's column (its label, its candidates numbered), then the text."""
        words, f = self.words, self.fonts
        width = self.canvas.width
        img = Image.new("RGB", (width, STRIP_HEIGHT), PANEL_BG)
        draw = ImageDraw.Draw(img)
        ink = TEXT if words.current else MUTED
        for i, ((lo, hi), s) in enumerate(zip(words.cells(), words.syllables)):
            if i == words.selected:
                draw.rounded_rectangle((lo + 2, 0, hi - 3, STRIP_TEXT_TOP - 6), radius=6, fill=CHOSEN_BG)
            else:
                draw.line((lo, 4, lo, STRIP_TEXT_TOP - 10), fill=BAR_BG)
            center = (lo + hi) / 2
            font = f(STRIP_LABEL_SIZE)
            draw.text((center - font.getlength(s.label) / 2, STRIP_LABEL_TOP), s.label, font=font, fill=ink)
            chosen = words.rank_of(i)
            for rank, (label, prob) in enumerate(s.top[:STRIP_OPTIONS]):
                y = STRIP_OPTIONS_TOP + rank * STRIP_OPTION_ROW
                small, number = f(15), f"{rank + 1}  "
                line = f"{label} {prob * 100:.0f}%"
                if small.getlength(number + line) > hi - lo - 6:
                    line = label
                x = center - small.getlength(number + line) / 2
                draw.text((x, y), number, font=small, fill=MUTED if rank != chosen else BAR)
                draw.text((x + small.getlength(number), y), line, font=small, fill=BAR if rank == chosen else ink)
        status_color = BAD if self.loader.error else OK if self.loader.ready else BUSY
        status = f"{self.kind} · {self.loader.status} · pen {self.canvas.pen_width}"
        small = f(14)
        draw.text((width - 12 - small.getlength(status), STRIP_TEXT_TOP + 8), status, font=small, fill=status_color)
        text = words.text if words.reading is not None else "write a line of syllables (or digits) above"
        draw.text((12, STRIP_TEXT_TOP), text, font=f(26), fill=ink if words.reading is not None else MUTED)
        font = f(15)
        fits = lambda line: font.getlength(line) <= width - 24  # noqa: E731
        for line in fit_lines(self.message, fits, 1):
            draw.text((12, STRIP_TEXT_TOP + 32), line, font=font, fill=TEXT)
        return np.ascontiguousarray(np.asarray(img)[:, :, ::-1])

    def _current_panel(self) -> np.ndarray:
        # The panel is re-rendered only when something it shows changes (not on every mouse move).
        p = self.prediction
        key = (self.loader.status, id(p), p and p.chosen, self._prediction_is_current(), self.message,
               self.live, self.canvas.pen_width)
        if key != self._panel_key:
            self._panel_key, self._panel = key, self._render_panel()
        return self._panel

    def _render_panel(self) -> np.ndarray:
        size = self.canvas.height
        img = Image.new("RGB", (PANEL_WIDTH, size), PANEL_BG)
        draw = ImageDraw.Draw(img)
        f = self.fonts
        status_color = BAD if self.loader.error else OK if self.loader.ready else BUSY
        draw.text((12, 8), f"{self.kind} · {self.loader.status}", font=f(18), fill=status_color)

        p = self.prediction
        current = self._prediction_is_current()
        for rank in range(TOP_K):
            y = 38 + rank * 72
            if p is None or rank >= len(p.top):
                draw.text((14, y + 22), f"{rank + 1}", font=f(16), fill=BAR_BG)
                continue
            label, prob = p.top[rank]
            if p.chosen == rank:
                draw.rounded_rectangle((4, y, PANEL_WIDTH - 4, y + 68), radius=8, fill=CHOSEN_BG)
            ink = TEXT if current else MUTED  # grayed once the drawing changed after predicting
            draw.text((14, y + 22), f"{rank + 1}", font=f(16), fill=MUTED)
            draw.text((36, y + 6), label, font=f(48), fill=ink)
            draw.text((116, y + 10), f"{prob * 100:.1f}%", font=f(18), fill=ink)
            draw.rectangle((116, y + 36, 300, y + 50), fill=BAR_BG)
            draw.rectangle((116, y + 36, 116 + round(184 * prob), y + 50), fill=BAR if current else MUTED)

        seen_top = 276
        if p is not None and current and p.unsure:
            draw.text((214, seen_top - 22), "not sure", font=f(15), fill=BUSY)
        draw.text((12, seen_top - 22), "what the model saw", font=f(15), fill=MUTED)
        side = 60 * SEEN_SCALE
        if p is not None:
            seen = Image.fromarray(p.seen).resize((side, side), Image.NEAREST)
            img.paste(seen.convert("RGB"), (12, seen_top))
        else:
            draw.rectangle((12, seen_top, 12 + side - 1, seen_top + side - 1), outline=BAR_BG)
        x = 12 + side + 14
        status_top = size - 24
        font = f(15)
        max_lines = (status_top - 4 - seen_top) // MESSAGE_LINE_HEIGHT  # stop above the status line
        fits = lambda line: font.getlength(line) <= PANEL_WIDTH - 8 - x  # noqa: E731
        for i, line in enumerate(fit_lines(self.message, fits, max_lines)):
            draw.text((x, seen_top + i * MESSAGE_LINE_HEIGHT), line, font=font, fill=TEXT)
        draw.text((x, status_top), f"live {'on' if self.live else 'off'} · pen {self.canvas.pen_width}",
                  font=f(14), fill=MUTED)
        return np.ascontiguousarray(np.asarray(img)[:, :, ::-1])  # RGB -> BGR

    def _help_bar(self) -> np.ndarray:
        if self.word_mode not in self._help_bars:
            self._help_bars[self.word_mode] = self._render_help_bar()
        return self._help_bars[self.word_mode]

    def _render_help_bar(self) -> np.ndarray:
        """The controls in two rows as wide as the window (the word mode's own keys in word mode)."""
        table, width = (WORD_HELP, self.canvas.width) if self.word_mode else (HELP, self.canvas.width + PANEL_WIDTH)
        img = Image.new("RGB", (width, HELP_HEIGHT), (50, 50, 50))
        draw = ImageDraw.Draw(img)
        half = (len(table) + 1) // 2
        for row, items in enumerate((table[:half], table[half:])):
            text = "    ".join(f"{keys}: {what}" for keys, what in items)
            draw.text((10, 8 + row * 24), text, font=self.fonts(15), fill=(235, 235, 235))
        return np.ascontiguousarray(np.asarray(img)[:, :, ::-1])
