"""The jamo and hybrid heads against a 2350-class softmax head, same data and same budget, at small scale.

Both heads sit on the same network (``cnn``), train on the same store (K random syllables of the
2350, pen-drawn from the training faces: every design but the held-out and validation ones) for
the same number of steps, and are measured through the one evaluation path on the same held-out
samples: those K syllables pen-drawn by the 6 held-out designs (from data/hangul-heldout-pen).
The jamo model is also measured on rare syllables (data/hangul-heldout-rare: 500 syllables outside
the 2350 by the held-out designs that cover them), which it never saw whole unless they share jamo
with what it saw — a 2350-class model scores 0 there by construction.

The hybrid head (a softmax over the 2350 beside the jamo softmaxes) is the third; ``--heads``
picks which run.

    python bench/jamo_vs_softmax.py --syllables 300 --epochs 8
    python bench/jamo_vs_softmax.py --heads softmax hybrid
"""
from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np

HELD = ["NanumPenScript-Regular", "NanumBrushScript-Regular", "UnPen-Regular", "UnShinmun-Regular",
        "BMDoHyeon-Regular", "Bandal-Regular"]
VAL = ["UnPilgia-Regular", "Sunflower-Medium", "GowunDodum-Regular"]


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--syllables", type=int, default=300)
    p.add_argument("--epochs", type=int, default=8)
    p.add_argument("--per-font", type=int, default=2)
    p.add_argument("--work", default="runs/jamo-vs-softmax")
    p.add_argument("--heads", nargs="+", default=["softmax", "jamo", "hybrid"], choices=["softmax", "jamo", "hybrid"])
    args = p.parse_args()
    from machine import describe_machine  # bench/machine.py

    print(describe_machine(), flush=True)
    from handpad.evaluation import evaluate, evaluation_data
    from handpad.labels import space_map
    from handpad.model import Model
    from handpad.store import load_store
    from handpad.synth.fonts import resolve_fonts
    from handpad.synth.generate import SynthOptions, choose_syllables, synthesize
    from handpad.training import TrainConfig, train

    work = Path(args.work)
    syllables = choose_syllables(num=args.syllables, seed=5)
    faces, _ = resolve_fonts(None, None, HELD + VAL, syllables)
    store = work / "train"
    options = SynthOptions(per_font=args.per_font, mix={"pen": 1}, seed=0, syllables=syllables)
    synthesize(faces, store, options, workers=2, progress=False)
    print(f"{len(syllables)} syllables, {len(faces)} training faces, {len(load_store(store))} samples", flush=True)

    held = load_store("data/hangul-heldout-pen")
    chosen = np.flatnonzero(np.isin(held.labels, [held.label_space.index(c) for c in syllables]))
    rows = []
    for head in args.heads:
        out = work / head
        t = time.perf_counter()
        train(TrainConfig(store=str(store), out=str(out), arch="cnn", arch_options={"width": 32, "dense": 256, "head": head},
                          epochs=args.epochs, batch_size=128, schedule="cosine", patience=args.epochs, val_fraction=0.05,
                          test_fraction=0.0, seed=0, verbose=0, resume=(out / "backup").exists()))
        seconds = time.perf_counter() - t
        model = Model.load(out / "model.keras")
        x, y = evaluation_data(Path("data/hangul-heldout-pen"), model, indices=chosen)
        m = evaluate(model, x, y)
        rare = None
        if head != "softmax" and Path("data/hangul-heldout-rare/manifest.json").exists():
            xr, yr = evaluation_data(Path("data/hangul-heldout-rare"), model)
            rare = evaluate(model, xr, yr)["top1"]
        rows.append((head, m["top1"], m["top3"], rare, seconds))
    print(f"\nheld-out designs, pen-drawn, the {len(syllables)} syllables ({len(chosen)} samples):")
    print(f"{'head':<9} {'top-1':>7} {'top-3':>7} {'rare top-1':>11} {'train s':>8}")
    for head, top1, top3, rare, seconds in rows:
        print(f"{head:<9} {top1:7.2%} {top3:7.2%} {'' if rare is None else f'{rare:.2%}':>11} {seconds:8.0f}")


if __name__ == "__main__":
    main()
