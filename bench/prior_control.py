"""Is the prior only remembering the test words? Read a line set twice: with the shipped prior and
with one rebuilt from wordfreq without any of the set's words (needs `pip install wordfreq==3.1.1`).
``--bonus B ...``: the same at each word-list bonus (``handpad.reading.WORD_BONUS``): what the bonus
gives words the list holds and costs words it does not.

    python bench/prior_control.py data/words-pen
    python bench/prior_control.py data/words-val-pen --bonus 0 2 4
    python bench/prior_control.py data/words-val-casual --weight 0.8 --search-k 32 --bonus 2 3
"""
from __future__ import annotations

import argparse

import numpy as np


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("lines", nargs="?", default="data/words-pen")
    p.add_argument("--strokes", action="store_true", help="cut the lines from their strokes")
    p.add_argument("--bonus", type=float, nargs="+", default=None, help="word-list bonuses to compare (default: as shipped)")
    p.add_argument("--weight", type=float, default=None, help="the prior's weight (default: as shipped)")
    p.add_argument("--search-k", type=int, default=None, help="candidates per box the search looks at (default: as shipped)")
    args = p.parse_args()

    from handpad import reading
    from handpad.prior import SyllableLM, build_syllable_bigrams
    from handpad.recognizer import Recognizer
    from handpad.sources.lines import read_lines

    lines = read_lines(args.lines)
    weight = reading.PRIOR_WEIGHT if args.weight is None else args.weight
    if args.search_k is not None:
        if args.search_k < 1:
            p.error("--search-k: at least 1 candidate per box")
        reading.SEARCH_K = args.search_k  # read by the decoders at each call
    rec = Recognizer.load(lines.kind)
    words = sorted({w for s in lines for w in s.text.split()})
    priors = {"shipped prior": SyllableLM.load(), f"prior without the set's {len(words)} words": SyllableLM(build_syllable_bigrams(exclude=words))}
    verifier = reading.resolve_verifier("shipped", lines.kind)  # as `handpad read` cuts the lines
    for bonus in args.bonus if args.bonus is not None else [reading.WORD_BONUS]:
        reading.WORD_BONUS = bonus  # read by the decoders at each call
        rows = {name: {"normal": [], "tight": []} for name in ["no prior", *priors]}
        for s in lines:
            source = {"strokes": s.strokes} if args.strokes else {"image": s.image()}
            for name in rows:  # as `read` does: with a prior, boxes and labels are decided together
                seg = reading.segment(**source, kind="hangul", recognizer=rec, lm=priors.get(name), verifier=verifier,
                                      weight=weight)
                tops = [rec._ranked(q, reading.SEARCH_K) for q in seg.probs]
                labels = seg.labels or (reading.best_text(tops, seg.starts, priors[name], weight) if name in priors
                                        else [t[0][0] for t in tops])
                text = "".join((" " if st else "") + lab for lab, st in zip(labels, seg.starts))
                rows[name][s.spacing].append(text == s.text)
        print(f"{args.lines} ({'strokes' if args.strokes else 'images'}), weight {weight:g}, {reading.SEARCH_K} candidates, "
              f"word-list bonus {bonus:g}: whole lines right")
        for name, by in rows.items():
            print(f"  {name:<36} " + "  ".join(f"{k} {np.mean(v):6.1%} (n {len(v)})" for k, v in by.items() if v),
                  flush=True)


if __name__ == "__main__":
    main()
