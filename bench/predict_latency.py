"""Prediction speed of the recognizer: one image (p50/p99), batches (images/s), start-up time.

For each model: single-image latency in-process after warm-up for the recognizer's path
(preprocessed input -> probabilities; LiteRT when installed) and, as baselines run in the same process, a plain
Keras ``model(x)`` call and ``model.predict_on_batch``; then batch throughput; then the time
from ``import handpad`` to a loaded model, in a fresh process. A model with test-time views that reads
at every view only when one view leaves it unsure (``Model.views_below``) is also timed on real
held-out drawings (``--drawings STORE``; default the held-out pen-drawn store of the model's kind and
size, where it exists): how long one drawing takes, and how many were read at every view.

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


def drawings_row(model, args) -> None:
    """One held-out drawing at a time, as the pad asks: p50/p90 and how many were read at every view."""
    import copy
    from pathlib import Path

    from handpad.evaluation import evaluation_data

    size = model.input_size
    default = (f"data/hangul-heldout-pen{'' if size == 60 else f'-{size}'}" if model.label_space.kind == "hangul"
               else "data/mnist-test-pen")
    store = Path(args.drawings or default)
    if not (store / "manifest.json").exists():
        print(f"  (no {store}: make it as bench/shipped_models.sh does to time real drawings)")
        return
    x, _ = evaluation_data(store, model)
    x = x[np.random.default_rng(0).permutation(len(x))[: args.num_drawings]]
    every = copy.copy(model)
    every.views_below = None
    unsure = model.one_view().predict(x).max(axis=1) < model.views_below
    rows = {}
    for name, m in (("as shipped (views only when unsure)", model), ("every view always", every),
                    ("one view always", model.one_view())):
        ts = []
        for i in range(len(x)):
            t = time.perf_counter()
            m.predict(x[i : i + 1])
            ts.append(time.perf_counter() - t)
        rows[name] = np.array(ts) * 1000
    print(f"  {len(x)} held-out drawings of {store}, one at a time ({unsure.mean():.0%} read at every view):")
    base = np.median(rows["every view always"])
    for name, ts in rows.items():
        print(f"    {name:<36} p50 {np.median(ts):6.2f} ms  p90 {np.percentile(ts, 90):6.2f} ms"
              f"  ({np.median(ts) / base:.2f}x every view)")


def startup_seconds(model: str) -> float:
    code = ("import time; t = time.perf_counter(); import handpad; "
            f"handpad.Recognizer.load({model!r}); print(time.perf_counter() - t)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return float(out.stdout.strip().splitlines()[-1])


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--model", action="append", help="digits, hangul or a .keras path (repeatable)")
    p.add_argument("--repeats", type=int, default=300)
    p.add_argument("--drawings", metavar="STORE", help="held-out drawings to time one by one (default: "
                   "data/hangul-heldout-pen[-SIZE] or data/mnist-test-pen, by the model's kind)")
    p.add_argument("--num-drawings", type=int, default=300)
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
        if len(model.views) > 1 and model.views_below is not None:
            drawings_row(model, args)
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
