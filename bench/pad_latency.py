"""How fast the drawing pad feels: window startup and keypress-to-panel time.

    .venv/bin/python bench/pad_latency.py [--kind hangul] [--model PATH] [--runs 5] [--presses 200]

1. startup: ``python -m handpad draw KIND`` as a subprocess; time from launch to the first
   frame on screen (the pad prints "window open" right after it) and to "ready:" (TensorFlow
   imported and the model loaded in the background).
2. keypress-to-panel: in this process, a PadApp with the real model and a drawing on the
   canvas; each press of space runs the key handler (preprocess + model + stdout line), renders
   the panel and the frame, and shows it with cv2.imshow + waitKey(1): p50 / p90 / p99.
Needs a display: uses $DISPLAY, else starts its own Xvfb. Prints figures, asserts nothing.
"""
from __future__ import annotations

import argparse
import contextlib
import io
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

# Strokes of a 7 and of 가 in canvas pixels (the same shapes the GUI test draws).
STROKES = {
    "digits": [[(110, 90), (300, 90), (230, 200), (180, 330)]],
    "hangul": [[(60, 110), (200, 110), (190, 190), (120, 320)], [(270, 50), (270, 350)], [(270, 190), (345, 190)]],
}


@contextlib.contextmanager
def a_display():
    """$DISPLAY if set, else a private Xvfb server for the duration."""
    if os.environ.get("DISPLAY"):
        yield os.environ["DISPLAY"]
        return
    read_fd, write_fd = os.pipe()
    server = subprocess.Popen(["Xvfb", "-displayfd", str(write_fd), "-screen", "0", "1024x768x24", "-nolisten", "tcp"],
                              pass_fds=(write_fd,), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    os.close(write_fd)
    with os.fdopen(read_fd) as f:
        display = ":" + f.readline().strip()
    os.environ["DISPLAY"] = display
    try:
        yield display
    finally:
        server.terminate()
        server.wait(10)


def startup_once(kind: str, model: str | None) -> tuple[float, float]:
    """Seconds from launch to the first frame, and to the model being ready."""
    argv = [sys.executable, "-m", "handpad", "draw", kind] + (["--model", model] if model else [])
    start = time.perf_counter()
    proc = subprocess.Popen(argv, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                            env={**os.environ, "PYTHONUNBUFFERED": "1"})
    window = ready = float("nan")
    try:
        for line in proc.stdout:
            if line.startswith("window open"):
                window = time.perf_counter() - start
            elif line.startswith("ready:"):
                ready = time.perf_counter() - start
                break
    finally:
        proc.terminate()
        proc.wait(10)
    return window, ready


def keypress_to_panel(kind: str, model: str | None, presses: int) -> np.ndarray:
    """Milliseconds per space press, from the key handler to the frame shown."""
    import cv2

    from handpad.model import resolve_model_path
    from handpad.pad.app import ModelLoader, PadApp

    loader = ModelLoader(resolve_model_path(model or kind)).start()
    if not loader.wait():
        raise SystemExit(f"model failed to load: {loader.error}")
    app = PadApp(kind, loader.model, "/nonexistent", loader=loader)
    for stroke in STROKES[kind]:
        app.on_mouse(cv2.EVENT_LBUTTONDOWN, *stroke[0], 1)
        for p in stroke[1:]:
            app.on_mouse(cv2.EVENT_MOUSEMOVE, *p, 1)
        app.on_mouse(cv2.EVENT_LBUTTONUP, *stroke[-1], 0)
    cv2.namedWindow(app.title, cv2.WINDOW_AUTOSIZE | cv2.WINDOW_GUI_NORMAL)
    cv2.imshow(app.title, app.frame())
    cv2.waitKey(1)
    times = []
    with contextlib.redirect_stdout(io.StringIO()) as out:
        for i in range(presses + 10):
            start = time.perf_counter()
            app.handle_key(ord(" "))
            cv2.imshow(app.title, app.frame())
            cv2.waitKey(1)
            if i >= 10:  # the first presses trace and warm caches
                times.append((time.perf_counter() - start) * 1000)
    cv2.destroyAllWindows()
    print(f"  last prediction: {out.getvalue().splitlines()[-1]}")
    return np.array(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--kind", choices=("digits", "hangul"), default="digits")
    parser.add_argument("--model", help="a .keras file (default: the shipped model for --kind)")
    parser.add_argument("--runs", type=int, default=5, help="startup runs")
    parser.add_argument("--presses", type=int, default=200, help="space presses timed")
    args = parser.parse_args()
    from machine import describe_machine  # bench/machine.py
    print(describe_machine(), flush=True)
    with a_display() as display:
        print(f"display {display}, {os.cpu_count()} CPUs, kind {args.kind}, model {args.model or 'shipped'}")
        runs = np.array([startup_once(args.kind, args.model) for _ in range(args.runs)])
        window, ready = runs[:, 0], runs[:, 1]
        print(f"startup, {args.runs} runs: first frame median {np.median(window):.2f} s (max {window.max():.2f} s); "
              f"model ready median {np.median(ready):.1f} s (max {ready.max():.1f} s)")
        ms = keypress_to_panel(args.kind, args.model, args.presses)
        p50, p90, p99 = np.percentile(ms, [50, 90, 99])
        print(f"keypress-to-panel, {len(ms)} presses: p50 {p50:.1f} ms, p90 {p90:.1f} ms, p99 {p99:.1f} ms")


if __name__ == "__main__":
    main()
