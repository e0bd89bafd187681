"""Training throughput (samples/s) of each architecture on this CPU, to plan epochs.

Runs a few warm-up steps, then times ``--steps`` training steps on stored-like input
(60x60 inputs fed as float batches, augmentation on), for each architecture and options.
The baseline is the ``cnn`` architecture, measured in the same process.

    python bench/train_throughput.py --classes 2350 --batch-size 128 --steps 20
    python bench/train_throughput.py --arch inception:width=0.75 --arch cnn
    python bench/train_throughput.py --arch inception:width=0.75 --mixed   # + each under mixed_bfloat16
"""
from __future__ import annotations

import argparse
import os
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np


def parse_arch(spec: str):
    name, _, opts = spec.partition(":")
    options = {}
    for kv in filter(None, opts.split(",")):
        k, v = kv.split("=")
        options[k] = float(v) if "." in v else (v.lower() == "true" if v.lower() in ("true", "false") else int(v))
    return name, options


def measure(spec: str, classes: int, batch: int, steps: int, precision: str = "float32") -> tuple[float, int]:
    import keras

    from handpad import model_builders

    name, options = parse_arch(spec)
    model = model_builders.build(name, classes, dtype_policy=precision, **options)  # as `handpad train --precision`
    model.compile("adam", "sparse_categorical_crossentropy")
    rng = np.random.default_rng(0)
    x = ((rng.random((batch, 60, 60, 1)) > 0.85) * 255).astype("uint8")  # stored images: the model scales them
    y = rng.integers(0, classes, batch)
    for _ in range(3):  # warm-up: tracing and first allocations
        model.train_on_batch(x, y)
    start = time.perf_counter()
    for _ in range(steps):
        model.train_on_batch(x, y)
    seconds = time.perf_counter() - start
    keras.backend.clear_session()
    return steps * batch / seconds, model.count_params()


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--arch", action="append", help="NAME[:key=value,...] (repeatable); default: cnn and inception")
    p.add_argument("--classes", type=int, default=2350)
    p.add_argument("--batch-size", type=int, default=128)
    p.add_argument("--steps", type=int, default=20)
    p.add_argument("--mixed", action="store_true", help="also measure each architecture under mixed_bfloat16")
    args = p.parse_args()
    from machine import describe_machine  # bench/machine.py
    print(describe_machine(), flush=True)
    specs = args.arch or ["cnn", "inception"]
    if "cnn" not in specs:
        specs = ["cnn"] + specs  # the baseline, in the same process
    results = {s: measure(s, args.classes, args.batch_size, args.steps) for s in specs}
    base = results["cnn"][0]
    print(f"training throughput, {args.classes} classes, batch {args.batch_size}, {os.cpu_count()} CPUs")
    for s, (sps, params) in results.items():
        print(f"  {s:<32} {sps:8.1f} samples/s  {params / 1e6:6.2f} M params  {sps / base:5.2f}x cnn")
        if args.mixed:
            mixed, _ = measure(s, args.classes, args.batch_size, args.steps, "mixed_bfloat16")
            print(f"  {s + ' mixed_bfloat16':<32} {mixed:8.1f} samples/s  {'':15}  {mixed / sps:5.2f}x float32")


if __name__ == "__main__":
    main()
