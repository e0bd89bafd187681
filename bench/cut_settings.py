"""Try settings of the line cutting (handpad.reading.SegmentConfig) on VALIDATION line sets.

Each ``--try`` is one setting, fields of the model kind's SegmentConfig written field=value,...;
the first row is the shipped setting (same process). For each: boxes right (lines), characters boxed and whole
lines right per spacing (Hangul with the prior, as shipped; digits without), and the p50 time per line.
Never run it on the held-out sets: they measure.

    python bench/cut_settings.py data/numbers-val-pen --model runs/digits-v3/model.keras \
        --try split_aspect=0.6,min_part=0.2 --try split_aspect=0.5,min_part=0.15,cut_touch=2
"""
from __future__ import annotations

import argparse
from dataclasses import fields, replace

from handpad import Recognizer
from handpad.evaluation import evaluate_reading
from handpad.reading import PRIOR_WEIGHT, SEGMENT_CONFIGS
from handpad.sources.lines import read_lines


def setting(text: str, base):
    """'split_aspect=0.6,min_part=0.2' -> base with those fields replaced (a clear error for others)."""
    known = {f.name: type(getattr(base, f.name)) for f in fields(base)}
    changes = {}
    for part in filter(None, text.split(",")):
        name, _, value = part.partition("=")
        if name not in known:
            raise SystemExit(f"--try {text}: no field {name!r}; SegmentConfig has {', '.join(sorted(known))}")
        try:
            changes[name] = known[name](float(value))
        except ValueError:
            raise SystemExit(f"--try {text}: {name}={value!r} is not a number") from None
    return replace(base, **changes)


parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
parser.add_argument("sets", nargs="+")
parser.add_argument("--model", default="hangul")
parser.add_argument("--try", dest="tries", action="append", default=[], metavar="FIELD=VALUE,...")
args = parser.parse_args()

rec = Recognizer.load(args.model)
base = SEGMENT_CONFIGS[rec.label_space.kind]
configs = [("shipped", base)] + [(t, setting(t, base)) for t in args.tries]
prior = f"prior {PRIOR_WEIGHT:g}" if rec.label_space.kind == "hangul" else "prior 0"
for line_set in args.sets:
    lines = read_lines(line_set)
    for name, config in configs:
        m = evaluate_reading(rec, lines, config=config, progress=False)
        cells = "  ".join(f"{k}: boxes {m[k]['boxes_right']:6.1%} boxed {m[k]['characters_boxed']:6.1%} "
                          f"lines {m[k][prior]['text_right']:6.1%}"
                          for k in ("normal", "tight") if k in m)
        print(f"{line_set}  {name:<44} {cells}  p50 {m['all']['seconds_p50'] * 1000:.1f} ms", flush=True)
