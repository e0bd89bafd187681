"""Train the box verifier that reading uses to cut tightly written lines (``models/verifier-hangul.keras``).

Lines of training faces (never the held-out or validation designs) -> the boxes the segmentation
proposes for them, from the image and from the strokes -> "one syllable" or "not one" by overlap
with the true boxes -> the registry's small ``cnn`` with two outputs -> a .keras file with its
LiteRT graph. See handpad/verifier.py for what the verifier answers and the model card for figures.

    EX="NanumPenScript-Regular NanumBrushScript-Regular UnPen-Regular UnShinmun-Regular BMDoHyeon-Regular \
        Bandal-Regular UnPilgia-Regular Sunflower-Medium GowunDodum-Regular"   # held-out + validation designs
    handpad synth words --out data/verifier-lines/pen            --exclude $EX --style pen      --spacing mixed --count 2500 --seed 101
    handpad synth words --out data/verifier-lines/tight-pen      --exclude $EX --style pen      --spacing tight --count 2000 --seed 102
    handpad synth words --out data/verifier-lines/careless       --exclude $EX --style careless --spacing mixed --count 2000 --seed 103
    handpad synth words --out data/verifier-lines/tight-careless --exclude $EX --style careless --spacing tight --count 1500 --seed 104
    python models/train_verifier.py data/verifier-lines/* --out models/verifier-hangul.keras

About 10 proposed boxes per line; on the 2-core CPU the examples take ~1 min, an epoch ~1 min.
"""
from __future__ import annotations

import argparse
import json

import numpy as np

from handpad.sources.lines import read_lines
from handpad.verifier import box_examples, train_verifier

parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
parser.add_argument("lines", nargs="+", help="line sets (handpad synth words) of training faces")
parser.add_argument("--out", required=True, help="the verifier file to write (.keras)")
parser.add_argument("--epochs", type=int, default=8)
parser.add_argument("--seed", type=int, default=0)
parser.add_argument("--elastic", type=float, default=0.0, help="smooth warp of the training boxes, pixels (0: none)")
parser.add_argument("--kind", default="hangul", choices=["hangul", "digits"])
args = parser.parse_args()

# 1. Examples: every line's proposed boxes, from the image and from the strokes (where the lines
#    have them), line ids kept
#    so that validation lines are whole lines.
parts, offset = [], 0
for folder in args.lines:
    lines = read_lines(folder)
    for strokes in (False, True) if lines[0].strokes else (False,):  # scanned digits have no strokes
        x, y, line = box_examples(lines, kind=args.kind, strokes=strokes)
        parts.append((x, y, line + offset))
    offset += len(lines)
x = np.concatenate([p[0] for p in parts])
y = np.concatenate([p[1] for p in parts])
groups = np.concatenate([p[2] for p in parts])
print(f"{len(x):,} boxes from {offset:,} lines, {y.mean():.1%} of them one character")

# 2. Train and save (the best epoch on the held-aside lines).
metrics = train_verifier(x, y, groups, args.out, epochs=args.epochs, seed=args.seed, kind=args.kind,
                          elastic=args.elastic)
print(json.dumps(metrics, indent=1))
print(f"wrote {args.out}")
