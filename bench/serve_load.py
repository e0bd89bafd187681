"""A bounded load test of ``handpad serve`` on loopback: throughput, latency, and every answer checked.

    .venv/bin/python bench/serve_load.py [--clients 8] [--requests 200]

Starts ``python -m handpad serve --port 0`` (a subprocess, so the clients here do not share its
interpreter), then runs CLIENTS threads of REQUESTS requests each, one keep-alive connection per client,
mixing good drawings (a 1 and a 7, 그 and 이, drawn with 18 px lines on a 400x400 canvas as the pad
sends them) with bad requests (no ink, garbage bytes, a body over the 2 MB limit, a 25-megapixel PNG,
an unknown model, a bad top) and a few saved samples. Every answer is checked: the right top-1, or the
right error status; a request without an answer counts as dropped. Afterwards the server must still
answer, and its sample store must hold exactly the samples saved. Prints throughput and p50/p99, beside
a baseline in this process: Recognizer.top_k on the decoded image (no HTTP). Exits 1 on any mismatch.
"""
from __future__ import annotations

import argparse
import http.client
import json
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import quote, urlsplit

import cv2
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

STROKES = {  # (model, label) -> strokes in canvas pixels
    ("digits", "1"): [[(200, 60), (200, 340)]],
    ("digits", "7"): [[(100, 80), (300, 80), (170, 340)]],
    ("hangul", "그"): [[(100, 120), (300, 120), (300, 220)], [(60, 290), (340, 290)]],
    ("hangul", "이"): [[(140, 130), (110, 170), (110, 250), (140, 290), (180, 290), (210, 250), (210, 170), (180, 130),
                       (140, 130)], [(290, 60), (290, 350)]],
}


def drawing(strokes) -> bytes:
    canvas = np.full((400, 400), 255, np.uint8)
    for stroke in strokes:
        for a, b in zip(stroke, stroke[1:]):
            cv2.line(canvas, a, b, 0, 18, cv2.LINE_AA)
    return cv2.imencode(".png", canvas)[1].tobytes()


def cases():
    """(name, path, body, check) where check(status, answer) -> True if the answer is right."""
    from handpad.web.app import MAX_BODY_BYTES

    good = [(f"good {label}", f"/api/predict?model={model}&top=3", drawing(strokes),
             lambda s, a, label=label: s == 200 and a["top"][0]["label"] == label)
            for (model, label), strokes in STROKES.items()]
    blank = cv2.imencode(".png", np.full((400, 400), 255, np.uint8))[1].tobytes()
    huge = cv2.imencode(".png", np.zeros((5000, 5000), np.uint8))[1].tobytes()  # 25 MP in ~25 KB
    bad = [
        ("no ink", "/api/predict?model=digits", blank, lambda s, a: s == 400 and "nothing drawn" in a["error"]),
        ("garbage", "/api/predict?model=hangul", np.random.default_rng(0).bytes(5000),
         lambda s, a: s == 400 and "not a readable image" in a["error"]),
        ("body > 2 MB", "/api/predict?model=digits", b"\0" * (MAX_BODY_BYTES + 1), lambda s, a: s == 413),
        ("25 MP image", "/api/predict?model=hangul", huge, lambda s, a: s == 413 and "megapixels" in a["error"]),
        ("unknown model", "/api/predict?model=letters", good[0][2], lambda s, a: s == 404),
        ("bad top", "/api/predict?model=digits&top=0", good[0][2], lambda s, a: s == 400),
        ("save 그", f"/api/samples?model=hangul&label={quote('그')}", good[2][2],
         lambda s, a: s == 200 and a["label"] == "그" and a["saved"] >= 1),
    ]
    # 13 of 20 requests are good drawings, 7 are the bad ones (and a save).
    return good * 3 + good[:1] + bad


def client(base: str, plan, results: list, index: int) -> None:
    url = urlsplit(base)
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=60)
    for name, path, body, check in plan:
        start = time.perf_counter()
        try:
            conn.request("POST", path, body=body, headers={"Content-Type": "image/png"})
            response = conn.getresponse()
            status, answer = response.status, json.loads(response.read())
        except (OSError, http.client.HTTPException, ValueError) as e:
            results.append((index, name, time.perf_counter() - start, "dropped", repr(e)))
            conn.close()
            conn = http.client.HTTPConnection(url.hostname, url.port, timeout=60)
            continue
        ok = check(status, answer)
        results.append((index, name, time.perf_counter() - start, "ok" if ok else "mismatch", (status, answer)))
    conn.close()


def baseline(n: int) -> tuple[float, float, float]:
    """Recognizer.top_k on the decoded good drawings, in this process: (per second, p50 ms, p99 ms)."""
    from handpad import Recognizer
    from handpad.sources.images import decode_image

    recognizers = {kind: Recognizer.load(kind) for kind in ("digits", "hangul")}
    images = [(recognizers[model], drawing(strokes)) for (model, _), strokes in STROKES.items()]
    for rec, data in images:
        rec.top_k(decode_image(data), 3)
    times = []
    start = time.perf_counter()
    for i in range(n):
        rec, data = images[i % len(images)]
        t = time.perf_counter()
        rec.top_k(decode_image(data), 3)
        times.append(time.perf_counter() - t)
    total = time.perf_counter() - start
    ms = np.array(times) * 1000
    return n / total, float(np.percentile(ms, 50)), float(np.percentile(ms, 99))


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--clients", type=int, default=8)
    p.add_argument("--requests", type=int, default=200, help="per client")
    args = p.parse_args()

    from machine import describe_machine  # bench/machine.py

    print(describe_machine(), flush=True)
    all_cases = cases()
    with tempfile.TemporaryDirectory(prefix="handpad-serve-load-") as samples:
        server = subprocess.Popen([sys.executable, "-m", "handpad", "serve", "--port", "0", "--samples", samples],
                                  stdout=subprocess.PIPE, text=True)
        try:
            line = server.stdout.readline()
            base = line.split(" the pad is at ", 1)[1].split("/ ", 1)[0]
            # Warm-up: both models loaded before the clock starts (they load lazily, once).
            client(base, [c for c in all_cases if c[0].startswith("good")], [], -1)

            results: list = []
            plans = [[all_cases[(c * 7 + i) % len(all_cases)] for i in range(args.requests)] for c in range(args.clients)]
            threads = [threading.Thread(target=client, args=(base, plan, results, c)) for c, plan in enumerate(plans)]
            start = time.perf_counter()
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            wall = time.perf_counter() - start

            after: list = []
            client(base, all_cases[:1], after, -1)
            still_up = after[0][3] == "ok"
        finally:
            server.terminate()
            server.wait(30)
        from handpad.store import load_store

        saves = sum(1 for r in results if r[1].startswith("save") and r[3] == "ok")
        stored = len(load_store(Path(samples) / "hangul-samples")) if saves else 0

    expected = args.clients * args.requests
    ms = np.array([r[2] for r in results]) * 1000
    good_ms = np.array([r[2] for r in results if r[1].startswith("good")]) * 1000
    outcome = {k: sum(1 for r in results if r[3] == k) for k in ("ok", "mismatch", "dropped")}
    base_rate, base_p50, base_p99 = baseline(len(good_ms))
    print(f"\n{args.clients} clients x {args.requests} requests on loopback = {expected} "
          f"({len(good_ms)} good drawings, {expected - len(good_ms)} bad requests and saves)")
    print(f"answers: {len(results)} of {expected}; right {outcome['ok']}, wrong {outcome['mismatch']}, "
          f"dropped {outcome['dropped']}; samples saved {saves}, in the store {stored}; "
          f"server answers afterwards: {'yes' if still_up else 'NO'}")
    print(f"throughput: {len(results) / wall:.0f} requests/s ({wall:.1f} s)")
    print(f"latency, all requests:   p50 {np.percentile(ms, 50):.1f} ms, p99 {np.percentile(ms, 99):.1f} ms")
    print(f"latency, good drawings:  p50 {np.percentile(good_ms, 50):.1f} ms, p99 {np.percentile(good_ms, 99):.1f} ms")
    print(f"baseline, Recognizer.top_k on the decoded PNG in this process, one thread: {base_rate:.0f} images/s, "
          f"p50 {base_p50:.2f} ms, p99 {base_p99:.2f} ms")
    print(f"ratio: good drawings' p50 over HTTP under {args.clients} clients = {np.percentile(good_ms, 50) / base_p50:.1f}x "
          f"the baseline's; throughput {len(results) / wall / base_rate:.2f}x the baseline's images/s")
    names = dict.fromkeys(r[1] for r in sorted(results, key=lambda r: r[1]))
    for name in names:
        t = np.array([r[2] for r in results if r[1] == name]) * 1000
        print(f"  {name:<14} {len(t):>5}  p50 {np.percentile(t, 50):7.1f} ms  p99 {np.percentile(t, 99):7.1f} ms")
    for r in [r for r in results if r[3] != "ok"][:10]:
        print("  ", r)
    bad = outcome["mismatch"] + outcome["dropped"] + (len(results) != expected) + (not still_up) + (saves != stored)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
