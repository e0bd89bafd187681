"""Test-time views other than slants: would reading each image also rotated, stretched or thickened help?

The shipped Hangul model reads an unsure image again at its own views (horizontal shears, ``Model.views``)
and averages the heads' answers. This asks whether other kinds of view would add more: each VALIDATION
store is read once per transform (one view each, the raw head outputs), and every combination below is
the shipped views plus one or two more, averaged and turned into probabilities by the model itself
(its jamo mix and rare weight), so only top-1 is compared. Never run it on the held-out sets.

    python bench/view_kinds.py                    # val, val-casual, val-rare (80 px stores), shipped hangul
    python bench/view_kinds.py --limit 2000       # quicker

2026-12-06 (twenty-fifth sitting, AMD EPYC AVX2): the best single addition (taller by 15%) read val / val-casual /
val-rare 91.39 / 72.69 / 77.00% against the shipped three slants' 91.16 / 72.27 / 76.75% (one view alone: 90.47 /
71.02 / 76.83%); five slants 91.47 / 72.92 / 75.83%; rotations, widening, narrowing, thicker and thinner strokes
within ±0.5 point either way. Each view is one more network pass for the images read at every view: not adopted.
"""
from __future__ import annotations

import argparse

import cv2
import numpy as np

from handpad.model import Model, sheared
from handpad.store import load_store

STORES = {"val": "data/hangul-jamo-80/val", "val-casual": "data/hangul-jamo-80/val-casual",
          "val-rare": "data/hangul-new80/val-rare"}


def affine(x: np.ndarray, a) -> np.ndarray:
    """Images (n, h, w) mapped by the 2x2 matrix ``a`` about their centre."""
    h, w = x.shape[1:3]
    centre = np.array([w / 2.0, h / 2.0])
    a = np.asarray(a, np.float64)
    m = np.hstack([a, (centre - a @ centre)[:, None]]).astype(np.float32)
    return np.stack([cv2.warpAffine(im, m, (w, h), flags=cv2.INTER_LINEAR, borderValue=0) for im in x])


def rotated(x: np.ndarray, degrees: float) -> np.ndarray:
    r = np.deg2rad(degrees)
    return affine(x, [[np.cos(r), -np.sin(r)], [np.sin(r), np.cos(r)]])


def morphed(x: np.ndarray, op, size: int) -> np.ndarray:
    kernel = np.ones((size, size), np.uint8)
    return np.stack([op(im, kernel) for im in x])


TRANSFORMS = {
    "slant +0.25": lambda x: sheared(x, 0.25), "slant -0.25": lambda x: sheared(x, -0.25),
    "turned +6°": lambda x: rotated(x, 6), "turned -6°": lambda x: rotated(x, -6),
    "narrower 0.85": lambda x: affine(x, [[0.85, 0], [0, 1]]), "wider 1.15": lambda x: affine(x, [[1.15, 0], [0, 1]]),
    "lower 0.85": lambda x: affine(x, [[1, 0], [0, 0.85]]), "taller 1.15": lambda x: affine(x, [[1, 0], [0, 1.15]]),
    "smaller 0.85": lambda x: affine(x, [[0.85, 0], [0, 0.85]]),
    "thicker (2 px)": lambda x: morphed(x, cv2.dilate, 2), "thicker (3 px)": lambda x: morphed(x, cv2.dilate, 3),
    "thinner (2 px)": lambda x: morphed(x, cv2.erode, 2),
}
PAIRS = {"+ both slants 0.25": ("slant +0.25", "slant -0.25"), "+ both turns": ("turned +6°", "turned -6°"),
         "+ narrower and wider": ("narrower 0.85", "wider 1.15"), "+ lower and taller": ("lower 0.85", "taller 1.15"),
         "+ thicker and thinner": ("thicker (2 px)", "thinner (2 px)")}


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--model", default="hangul")
    p.add_argument("--limit", type=int, default=None, help="at most this many samples of each store")
    args = p.parse_args()

    model = Model.load(args.model)
    one = model.one_view()
    index = {label: i for i, label in enumerate(model.label_space.labels)}
    rows: dict[str, dict[str, float]] = {}
    for name, path in STORES.items():
        store = load_store(path)
        x = np.asarray(store.images)[: args.limit]
        y = np.array([index[lab] for lab in store.label_names(store.labels)])[: args.limit]
        own = {f"slant {v:+g}" if v else "as it is": one.outputs(sheared(x, v)) for v in model.views}
        more = {t: one.outputs(f(x)) for t, f in TRANSFORMS.items()}

        def top1(outputs) -> float:
            return float((model.probabilities(np.mean(outputs, axis=0)).argmax(axis=1) == y).mean() * 100)

        base = list(own.values())
        combos = {"one view": [own["as it is"]], f"shipped ({len(base)} slants)": base}
        combos.update({f"+ {t}": base + [o] for t, o in more.items()})
        combos.update({k: base + [more[a], more[b]] for k, (a, b) in PAIRS.items()})
        for k, outs in combos.items():
            rows.setdefault(k, {})[f"{name} ({len(y):,})"] = top1(outs)
    sets = list(next(iter(rows.values())))
    print(f"top-1 of {model.name}, its views {model.views} plus others (validation stores)")
    print(f"{'views':<28}" + "".join(f"{s:>20}" for s in sets))
    for k, r in rows.items():
        print(f"{k:<28}" + "".join(f"{r[s]:>19.2f}%" for s in sets))


if __name__ == "__main__":
    main()
