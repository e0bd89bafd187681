"""Reading a word end to end (image or strokes -> text): p50/p90 per word, and its parts.

The target (#14): a 4-syllable word read end to end in <= 10 ms. Words come from a line set
(`handpad synth words`; default data/words-pen, its 4-syllable lines), read from the image and
from the strokes, with the shipped Hangul model. Baselines in the same process: one syllable's
``top_k`` (what the single-character pad does per stroke) and the model call alone on the boxes.

    python bench/read_latency.py                       # data/words-pen, 4-syllable words
    python bench/read_latency.py data/words-careless --syllables 4 --repeats 5
"""
from __future__ import annotations

import argparse
import time

import numpy as np


def timed(fn, repeats: int) -> np.ndarray:
    fn()
    ts = []
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        ts.append(time.perf_counter() - t)
    return np.array(ts) * 1000


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("lines", nargs="?", default="data/words-pen")
    p.add_argument("--model", default="hangul")
    p.add_argument("--syllables", type=int, default=4)
    p.add_argument("--words", type=int, default=40)
    p.add_argument("--repeats", type=int, default=5)
    args = p.parse_args()

    from dataclasses import replace

    from handpad import reading
    from handpad.recognizer import Recognizer
    from handpad.sources.lines import read_lines
    from handpad.verifier import shipped_verifier

    rec = Recognizer.load(args.model)
    lines = [s for s in read_lines(args.lines) if len(s.chars) == args.syllables and " " not in s.text][: args.words]
    if not lines:
        raise SystemExit(f"no {args.syllables}-syllable words in {args.lines}")
    images = [s.image() for s in lines]
    verifier = shipped_verifier(rec.label_space.kind)
    # the reading before the box verifier (2026-12-04): no verifier, touching ink cut only past 1.2 line heights
    before = replace(reading.SEGMENT_CONFIGS[rec.label_space.kind], split_aspect=1.2, min_part=0.3)
    def searched_as_before(**source):
        search, bonus = reading.SEARCH_K, reading.WORD_BONUS
        reading.SEARCH_K, reading.WORD_BONUS = 8, 2.0
        try:
            return reading.read(rec, **source, weight=0.6)
        finally:
            reading.SEARCH_K, reading.WORD_BONUS = search, bonus

    rows = {"read from the image": [], "read from the strokes": [], "image, the search as before (8 cand.)": [],
            "strokes, the search as before (8 cand.)": [], "image, as before the verifier": [],
            "strokes, as before the verifier": [], "segmentation alone (image, no model)": [],
            "model call alone on the boxes found": [], "verifier call alone on the boxes found": [],
            "baseline: one syllable's top_k": []}
    for s, image in zip(lines, images):
        rows["read from the image"] += list(timed(lambda: rec.read(image), args.repeats))
        if s.strokes:
            rows["read from the strokes"] += list(timed(lambda: rec.read(strokes=s.strokes), args.repeats))
        if rec.label_space.kind == "hangul":  # the search as before 2026-12-07: 8 candidates, weight 0.6, bonus 2
            rows["image, the search as before (8 cand.)"] += list(timed(lambda: searched_as_before(image=image),
                                                                       args.repeats))
            if s.strokes:
                rows["strokes, the search as before (8 cand.)"] += list(
                    timed(lambda: searched_as_before(strokes=s.strokes), args.repeats))
        rows["image, as before the verifier"] += list(timed(lambda: reading.read(rec, image, verifier=None, config=before),
                                                            args.repeats))
        if s.strokes:
            rows["strokes, as before the verifier"] += list(timed(lambda: reading.read(rec, strokes=s.strokes, verifier=None),
                                                                  args.repeats))
        rows["segmentation alone (image, no model)"] += list(timed(lambda: reading.segment(image), args.repeats))
        crops = reading.segment(image).crops
        rows["model call alone on the boxes found"] += list(timed(lambda: rec.predict_proba(crops), args.repeats))
        if verifier is not None:
            rows["verifier call alone on the boxes found"] += list(
                timed(lambda: verifier.proba([verifier.prepare(c) for c in crops]), args.repeats))
        rows["baseline: one syllable's top_k"] += list(timed(lambda: rec.top_k(crops[0]), args.repeats))
    base = np.median(rows["baseline: one syllable's top_k"])
    print(f"{len(lines)} words of {args.syllables} syllables from {args.lines}, model {rec.name}, "
          f"{args.repeats} repeats each")
    for name, ts in rows.items():
        if ts:
            print(f"  {name:<40} p50 {np.median(ts):6.2f} ms  p90 {np.percentile(ts, 90):6.2f} ms  "
                  f"({np.median(ts) / base:.1f}x one syllable)")


if __name__ == "__main__":
    main()
