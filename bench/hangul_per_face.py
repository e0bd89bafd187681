"""Top-1 / top-3 of the shipped Hangul model on each held-out face separately.

A synthesized store is written unit by unit in plan order (``handpad synth`` keeps that order
whatever the workers do), and ``inputs_done`` lists the units in the order they were written,
so samples [i * n, (i + 1) * n) of a one-sample-per-syllable store are face i's.

    python bench/hangul_per_face.py data/hangul-heldout-designed data/hangul-heldout-pen
"""
from __future__ import annotations

import argparse

import numpy as np

from handpad.data import labels_in
from handpad.evaluation import evaluate
from handpad.model import Model
from handpad.store import load_store


def per_face(store_dir: str, model) -> list[tuple[str, float, float]]:
    store = load_store(store_dir)
    faces = list(dict.fromkeys(k.rsplit(":", 1)[0] for k in store.manifest["inputs_done"]))
    n = len(store) // len(faces)
    labels = np.asarray(store.labels)
    in_model = labels_in(store, model.label_space, model.input_size, f"the model ({model.name})")  # e.g. into 11,172
    rows = []
    for i, face in enumerate(faces):
        part = slice(i * n, (i + 1) * n)
        if len(set(labels[part].tolist())) != n:
            raise SystemExit(f"{store_dir}: samples {i * n}-{(i + 1) * n} are not one per syllable; "
                             "was the store written with --per-font 1?")
        m = evaluate(model, store.images[part], in_model[part])  # the one evaluation path
        rows.append((face, m["top1"], m["top3"]))
    return rows


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("stores", nargs="+", help="synthesized stores of held-out faces, one sample per syllable")
    p.add_argument("--model", default="hangul", help="hangul (default), or a .keras path")
    args = p.parse_args()
    from machine import describe_machine  # bench/machine.py
    print(describe_machine(), flush=True)
    model = Model.load(args.model)
    for store_dir in args.stores:
        print(store_dir)
        for face, top1, top3 in per_face(store_dir, model):
            print(f"  {face:28s} top-1 {top1:6.1%}  top-3 {top3:6.1%}")


if __name__ == "__main__":
    main()
