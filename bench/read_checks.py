"""Tune how reading asks the box verifier (handpad.reading.ReadChecks) on VALIDATION line sets.

Hangul lines are read with the prior (its weight as shipped, reading.PRIOR_WEIGHT), digits without.

For each setting: boxes right and whole lines right (with the prior, as shipped) and the p50 time
per line, on every set given, from the image and from the strokes; the first row is the reading
without a verifier (the baseline, same process). Never run it on the held-out sets: they measure.

    python bench/read_checks.py data/words-val-pen data/words-val-tight-pen data/words-val-careless \
        --verifier models/verifier-hangul.keras
    # the shipped checks (VERIFIED_CHECKS) and fewer boxes read at every view: 2026-12-06, reread 0.8 read as
    # many validation lines 3-4 ms sooner, then on the held-out words-pen 0.9 points fewer from the image: not adopted
    python bench/read_checks.py data/words-val-pen data/words-val-tight-pen data/words-val-careless \
        --verifier models/verifier-hangul.keras --weights 1 --recheck 2 --prune 0.05 --reread 0.98 0.8 0.7
    # two verifiers at the shipped checks, one row each (named by their folder)
    python bench/read_checks.py data/words-val-* --verifier models/verifier-hangul.keras runs/v2/verifier-hangul.keras \
        --weights 1 --recheck 2 --prune 0.05
"""
from __future__ import annotations

import argparse
import itertools
from pathlib import Path

from handpad import Recognizer
from handpad.evaluation import evaluate_reading
from handpad.reading import PRIOR_WEIGHT, READ_CHECKS, ReadChecks
from handpad.sources.lines import read_lines
from handpad.verifier import BoxVerifier

parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
parser.add_argument("sets", nargs="+")
parser.add_argument("--model", default="hangul")
parser.add_argument("--verifier", required=True, nargs="+", help="verifier file(s): each one's rows in turn")
parser.add_argument("--weights", type=float, nargs="+", default=[0.5, 1.0, 2.0])
parser.add_argument("--recheck", type=float, nargs="+", default=[READ_CHECKS.recheck, 2.0])
parser.add_argument("--verified", type=float, nargs="+", default=[READ_CHECKS.verified])
parser.add_argument("--prune", type=float, nargs="+", default=[READ_CHECKS.prune])
parser.add_argument("--reread", type=float, nargs="+", default=[READ_CHECKS.reread],
                    help="one-view top-1 below which a kept box is read at every view (a model with views)")
parser.add_argument("--limit", type=int, default=None)
args = parser.parse_args()

rec = Recognizer.load(args.model)
weight = PRIOR_WEIGHT if rec.label_space.kind == "hangul" else 0.0  # digits: no prior
verifiers = [(path, BoxVerifier.load(path)) for path in args.verifier]
sets = {s: read_lines(s) for s in args.sets}
settings = [("no verifier", None, ReadChecks())] + [
    (f"w={w:g} re={r:g} ver={v:g} prune={p:g} rr={rr:g}" + (f" {Path(path).parent.name or path}" if len(verifiers) > 1 else ""),
     verifier, ReadChecks(recheck=r, verified=v, verify_weight=w, prune=p, reread=rr))
    for path, verifier in verifiers
    for w, r, v, p, rr in itertools.product(args.weights, args.recheck, args.verified, args.prune, args.reread)]
cols = [(s, strokes) for s in sets for strokes in (False, True) if not strokes or sets[s][0].strokes]
print(f"{'setting':<34}" + "".join(f"{s.rstrip('/').split('/')[-1][:18] + (' strk' if st else ' img'):>24}" for s, st in cols)
      + f"{'mean boxes':>12}{'mean lines':>12}")
for name, v, checks in settings:
    cells, boxes, lines = [], [], []
    for s, strokes in cols:
        m = evaluate_reading(rec, sets[s], use_strokes=strokes, weights=(weight,), limit=args.limit, progress=False,
                             verifier=v, checks=checks)
        b, t = m["all"]["boxes_right"], m["all"][f"prior {weight:g}"]["text_right"]
        boxes.append(b)
        lines.append(t)
        cells.append(f"{b:6.1%} {t:6.1%} {m['all']['seconds_p50'] * 1000:5.1f}ms")
    print(f"{name:<34}" + "".join(f"{c:>24}" for c in cells) + f"{sum(boxes) / len(boxes):>12.1%}{sum(lines) / len(lines):>12.1%}",
          flush=True)
