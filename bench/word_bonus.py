"""Tune the word-list bonus of reading (handpad.reading.WORD_BONUS) on VALIDATION line sets.

A word that is in the prior's word list gets ``weight * bonus`` more when the text is chosen (with the
boxes, from the strokes or the image). For each bonus: boxes right and whole lines right with the prior
(its weight as shipped, reading.PRIOR_WEIGHT) on every set given, from the image and from the strokes. Never
run it on the held-out sets: they measure.

    python bench/word_bonus.py data/words-val-pen data/words-val-tight-pen data/words-val-careless \\
        data/words-val-tight-careless --bonus 0 1 2 4
"""
from __future__ import annotations

import argparse

from handpad import Recognizer, reading
from handpad.evaluation import evaluate_reading
from handpad.sources.lines import read_lines

parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
parser.add_argument("sets", nargs="+")
parser.add_argument("--model", default="hangul")
parser.add_argument("--bonus", type=float, nargs="+", default=[0.0, 1.0, 2.0, 4.0])
parser.add_argument("--image-only", action="store_true", help="skip the strokes")
parser.add_argument("--limit", type=int, default=None)
args = parser.parse_args()

rec = Recognizer.load(args.model)
sets = {s: read_lines(s) for s in args.sets}
cols = [(s, strokes) for s in sets for strokes in (False, True)
        if not strokes or (sets[s][0].strokes and not args.image_only)]
print(f"{'bonus':<8}" + "".join(f"{s.rstrip('/').split('/')[-1][:18] + (' strk' if st else ' img'):>24}" for s, st in cols)
      + f"{'mean boxes':>12}{'mean lines':>12}")
for bonus in args.bonus:
    reading.WORD_BONUS = bonus  # read by the decoders at each call
    cells, boxes, lines = [], [], []
    for s, strokes in cols:
        m = evaluate_reading(rec, sets[s], use_strokes=strokes, weights=(reading.PRIOR_WEIGHT,), limit=args.limit,
                             progress=False)
        b, t = m["all"]["boxes_right"], m["all"][f"prior {reading.PRIOR_WEIGHT:g}"]["text_right"]
        boxes.append(b)
        lines.append(t)
        cells.append(f"{b:6.1%} {t:6.1%}")
    print(f"{bonus:<8g}" + "".join(f"{c:>24}" for c in cells) + f"{sum(boxes) / len(boxes):>12.1%}"
          f"{sum(lines) / len(lines):>12.1%}", flush=True)
