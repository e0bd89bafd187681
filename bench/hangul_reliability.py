"""The reliability diagram of a Hangul model on the held-out sets (docs/hangul-reliability.png):
how often the top-1 answer is right against how sure it says it is, one line per set, with the
expected calibration error (15 bins) of each. The sets are made by bench/shipped_models.sh, at the model's
input size (data/hangul-heldout-pen for 60 px, data/hangul-heldout-pen-80 for 80 px, ...).

    python bench/hangul_reliability.py                      # the shipped model -> docs/hangul-reliability.png
    python bench/hangul_reliability.py --model runs/x.keras --out runs/x-reliability.png
"""
from __future__ import annotations

import argparse
from pathlib import Path

SETS = {"pen-drawn": "data/hangul-heldout-pen", "written carelessly": "data/hangul-heldout-careless",
        "outside the 2350, pen": "data/hangul-heldout-rare"}  # PHD08: too few wrong answers to draw (ECE 0.4%)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--model", default="hangul")
    p.add_argument("--out", default="docs/hangul-reliability.png")
    args = p.parse_args()

    from handpad.calibration import expected_calibration_error, plot_reliability
    from handpad.evaluation import evaluation_data
    from handpad.model import Model

    model = Model.load(args.model)
    curves = {}
    for name, store in SETS.items():
        store += "" if model.input_size == 60 else f"-{model.input_size}"  # the same samples at the model's size
        images, labels = evaluation_data(Path(store), model)  # the one evaluation path's data
        curves[name] = (model.predict(images), labels)
        print(f"{name:24s} {store:32s} n {len(labels):6d}  ECE {expected_calibration_error(*curves[name]) * 100:.1f}%")
    plot_reliability(curves, Path(args.out), title=f"{model.name} (T = {model.temperature:.3f}) on held-out data")
    print(f"plot: {args.out}")


if __name__ == "__main__":
    main()
