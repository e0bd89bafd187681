"""How fast the browser pad answers: from the end of a stroke to the top-3 in the panel, in a real browser.

    .venv/bin/python bench/serve_latency.py [--rounds 7]

Serves the pad (uvicorn in a thread of this process, on a free loopback port), opens it in Debian's
headless Chromium and draws with real pointer input (selenium): each round writes 한 stroke by stroke
on the Hangul pad (6 strokes) and a 7 on the digits pad, then clears. The page itself measures each
stroke: performance.now() from pointerup to the panel holding the answer (the PNG encoded, the request
and the answer, the DOM updated; pad.js sets data-updated). Before that, one warm-up round loads both
models. Baseline in the same run: the same PNGs POSTed from Python (http.client, keep-alive), which
leaves out the page's work. Target: p50 <= 30 ms. Prints figures, asserts nothing.
"""
from __future__ import annotations

import argparse
import base64
import http.client
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

ROUND = (("hangul", "한"), ("digits", "7"))


def draw_round(page, pngs: list | None = None) -> list[float]:
    """One round; the page's milliseconds per stroke. ``pngs`` collects (kind, the canvas PNG) per stroke."""
    from handpad.web.browser import DRAWINGS

    ms = []
    for kind, text in ROUND:
        page.press(f".hp-kind[data-kind={kind}]")
        for stroke in DRAWINGS[text]:
            ms.append(page.stroke(stroke, "pen"))
            if pngs is not None:
                url = page.driver.execute_script("return arguments[0].toDataURL('image/png')", page.canvas)
                pngs.append((kind, base64.b64decode(url.split(",", 1)[1])))
        page.press(".hp-clear")
    return ms


def python_round_trips(base: str, pngs, repeats: int = 3) -> np.ndarray:
    url = urlsplit(base)
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=60)
    ms = []
    for _ in range(repeats):
        for kind, png in pngs:
            start = time.perf_counter()
            conn.request("POST", f"/api/predict?model={kind}&top=3", body=png, headers={"Content-Type": "image/png"})
            response = conn.getresponse()
            response.read()
            ms.append((time.perf_counter() - start) * 1000)
            assert response.status == 200, response.status
    conn.close()
    return np.array(ms)


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--rounds", type=int, default=7, help="rounds of 7 strokes each (default 7: 49 strokes)")
    args = p.parse_args()

    from machine import describe_machine  # bench/machine.py

    from handpad.web.app import create_app
    from handpad.web.browser import PadPage, headless_chromium
    from handpad.web.server import serving_in_thread

    print(describe_machine(), flush=True)
    with tempfile.TemporaryDirectory() as samples, serving_in_thread(create_app(samples=samples)) as base, \
            headless_chromium() as driver:
        page = PadPage(driver, base + "/")
        print(f"browser: {driver.capabilities.get('browserName')} {driver.capabilities.get('browserVersion')}")
        pngs: list = []
        warm = draw_round(page, pngs)  # loads both models (lazily, once)
        ms = np.array([m for _ in range(args.rounds) for m in draw_round(page)])
        baseline = python_round_trips(base, pngs)
    print(f"\nstroke end (pointerup) -> top-3 in the panel, {len(ms)} strokes in headless Chromium "
          f"(warm-up round, models loading: first stroke {warm[0]:.0f} ms, not counted):")
    print(f"  p50 {np.percentile(ms, 50):.1f} ms, p90 {np.percentile(ms, 90):.1f} ms, p99 {np.percentile(ms, 99):.1f} ms, "
          f"mean {ms.mean():.1f} ms  (target p50 <= 30 ms: {'met' if np.percentile(ms, 50) <= 30 else 'NOT met'})")
    print(f"baseline, the same {len(pngs)} PNGs POSTed from Python ({len(baseline)} requests): "
          f"p50 {np.percentile(baseline, 50):.1f} ms, p99 {np.percentile(baseline, 99):.1f} ms; "
          f"the page adds {np.percentile(ms, 50) - np.percentile(baseline, 50):.1f} ms at p50 "
          "(PNG encoding, fetch, DOM)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
