"""Prediction speed of the recognizer: one image (p50/p99), batches (images/s), start-up time.

For each model: single-image latency in-process after warm-up for the recognizer's path
(preprocessed input -> probabilities; LiteRT when installed) and, as baselines run in the same process, a plain
Keras ``model(x)`` call and ``model.predict_on_batch``; then batch throughput; then the time
from ``import handpad`` to a loaded model, in a fresh process.

    python bench/predict_latency.py                      # the shipped digits and hangul models
    python bench/predict_latency.py --model runs/x/model.keras --repeats 500
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np


def percentiles(fn, x, repeats):
    for _ in range(20):
        fn(x)
    ts = []
    for _ in range(repeats):
        t = time.perf_counter()
        fn(x)
        ts.append(time.perf_counter() - t)
    ts = np.array(ts) * 1000
    return np.percentile(ts, 50), np.percentile(ts, 99)


def startup_seconds(model: str) -> float:
    code = ("import time; t = time.perf_counter(); import handpad; "
            f"handpad.Recognizer.load({model!r}); print(time.perf_counter() - t)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return float(out.stdout.strip().splitlines()[-1])


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--model", action="append", help="digits, hangul or a .keras path (repeatable)")
    p.add_argument("--repeats", type=int, default=300)
    args = p.parse_args()
    from machine import describe_machine  # bench/machine.py
    print(describe_machine(), flush=True)
    from handpad.recognizer import Recognizer

    for name in args.model or ["digits", "hangul"]:
        rec = Recognizer.load(name)
        model = rec.model  # handpad.model.Model: the engine users run
        size = model.input_size
        one = ((np.random.default_rng(0).random((1, size, size)) > 0.8) * 255).astype(np.uint8)
        network = model.keras_model
        print(f"{rec.name}: {len(rec.labels)} classes, {network.count_params() / 1e6:.2f} M params, {rec.path}")
        p50, p99 = percentiles(model.predict, one, args.repeats)
        print(f"  model.predict ({model.engine.name:<6} engine)    p50 {p50:6.2f} ms  p99 {p99:6.2f} ms"
              + (f"  ({len(model.views)} test-time views)" if len(model.views) > 1 else ""))
        if len(model.views) > 1:  # the Keras baselines below run the network once: compare them with one view too
            o50, o99 = percentiles(model.one_view().predict, one, args.repeats)
            print(f"  the same at one view             p50 {o50:6.2f} ms  p99 {o99:6.2f} ms  ({p50 / o50:.1f}x for the views)")
        x4 = one[..., None]
        b50, b99 = percentiles(lambda x: network(x, training=False), x4, max(50, args.repeats // 3))
        print(f"  baseline Keras model(x)          p50 {b50:6.2f} ms  p99 {b99:6.2f} ms  ({b50 / p50:.1f}x the recognizer)")
        c50, c99 = percentiles(network.predict_on_batch, x4, max(50, args.repeats // 3))
        print(f"  baseline predict_on_batch        p50 {c50:6.2f} ms  p99 {c99:6.2f} ms  ({c50 / p50:.1f}x the recognizer)")
        canvas = np.full((400, 400), 255, np.uint8)
        canvas[100:300, 190:210] = 0
        e50, e99 = percentiles(lambda im: rec.top_k(im, 3), canvas, args.repeats)
        print(f"  end to end top_k(400x400 canvas) p50 {e50:6.2f} ms  p99 {e99:6.2f} ms")
        batch = np.repeat(one, 256, axis=0)
        model.predict(batch)
        t = time.perf_counter()
        for _ in range(5):
            model.predict(batch)
        print(f"  batch throughput (256/batch)     {5 * 256 / (time.perf_counter() - t):8.0f} images/s")
        print(f"  import handpad -> loaded model   {startup_seconds(name):6.2f} s (fresh process)")


if __name__ == "__main__":
    main()
