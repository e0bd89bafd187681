"""One prediction's latency and top-1 through three LiteRT graphs of the same network.

The shipped file's own graph (int8 weights since 2026-12-04; float16 before) against three converted
here from the same Keras weights: float16 weights (LiteRT computes in float32), int8 weights with
float activations ("dynamic range") and int8 weights and activations ("full int8", calibrated on 200
samples of the store, which are left out of the accuracy figure). Each graph answers the same images
in turns, so a busy machine slows all alike; ratios are against the float16 graph in the same process.

    python bench/quantized_latency.py                                   # shipped Hangul model, its validation designs
    python bench/quantized_latency.py --model digits --store data/mnist --n 2000
"""
from __future__ import annotations

import argparse
import contextlib
import io
import time

import numpy as np


def convert(keras_model, kind: str, representative=None) -> bytes:
    import tensorflow as tf

    with contextlib.redirect_stdout(io.StringIO()):
        conv = tf.lite.TFLiteConverter.from_keras_model(keras_model)
        conv.optimizations = [tf.lite.Optimize.DEFAULT]
        if kind == "float16":
            conv.target_spec.supported_types = [tf.float16]
        if kind == "full int8":
            conv.representative_dataset = lambda: ([x[None, ..., None]] for x in representative)
        return conv.convert()


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--model", default="hangul")
    p.add_argument("--store", default="data/hangul-jamo-80/val", help="images with labels (a dataset store)")
    p.add_argument("--n", type=int, default=4000, help="samples for top-1 (after the 200 for calibration)")
    p.add_argument("--repeats", type=int, default=300, help="single predictions timed per graph")
    args = p.parse_args()

    from handpad.data import labels_in
    from handpad.model import Model, _LiteEngine, _load_keras, resolve_model_path
    from handpad.store import load_store

    path = resolve_model_path(args.model)
    model = Model.load(path)
    store = load_store(args.store)
    order = np.random.default_rng(0).permutation(len(store))
    calib, test = order[:200], order[200 : 200 + args.n]
    x, truth = store.images[test], labels_in(store, model.label_space, store.image_size)[test]

    keras_model = _load_keras(path)
    engines = {"shipped": model.engine}
    for kind in ("float16", "dynamic range int8", "full int8"):
        flat = convert(keras_model, kind, store.images[calib])
        engines[kind] = _LiteEngine(flat, kind)
        engines[kind].size = len(flat)

    one = [np.ascontiguousarray(x[i : i + 1, ..., None]) for i in range(64)]
    times = {k: [] for k in engines}
    for e in engines.values():
        e(one[0])  # warm up
    for r in range(args.repeats):  # in turns: a busy core slows every graph alike
        for k, e in engines.items():
            t = time.perf_counter()
            e(one[r % len(one)])
            times[k].append(time.perf_counter() - t)

    print(f"{path.name} on {args.store}: top-1 on {len(test)} samples, one prediction ({args.repeats} each, batch 1)")
    base = np.median(times["float16"])
    for k, e in engines.items():
        model.engine = e
        top1 = float((model.predict(x).argmax(1) == truth).mean())
        size = getattr(e, "size", None)
        ms = np.array(times[k]) * 1000
        print(f"  {k:<20} top-1 {top1 * 100:6.2f}%  p50 {np.median(ms):5.2f} ms  p99 {np.percentile(ms, 99):5.2f} ms  "
              f"({base * 1000 / np.median(ms):.2f}x float16)" + (f"  graph {size / 1e6:.1f} MB" if size else ""))


if __name__ == "__main__":
    main()
