"""What a Hangul model's misreads are made of: which jamo (initial, vowel, final) it gets wrong, and the
most frequent jamo confusions. Meant for validation stores (tuning), not the held-out ones.

Optionally the mean of several models' probabilities (``--with``): an ensemble read the simple way,
each file with its own calibration and views, to see whether its members make different mistakes.

    python bench/hangul_errors.py data/hangul-jamo-80/val
    python bench/hangul_errors.py data/hangul-jamo-80/val --with runs/hangul-fine80b/candidate3v.keras
"""
from __future__ import annotations

import argparse
from collections import Counter

import numpy as np

from handpad.data import labels_in
from handpad.model import Model
from handpad.store import load_store

INITIALS = "ㄱㄲㄴㄷㄸㄹㅁㅂㅃㅅㅆㅇㅈㅉㅊㅋㅌㅍㅎ"
VOWELS = "ㅏㅐㅑㅒㅓㅔㅕㅖㅗㅘㅙㅚㅛㅜㅝㅞㅟㅠㅡㅢㅣ"
FINALS = "·ㄱㄲㄳㄴㄵㄶㄷㄹㄺㄻㄼㄽㄾㄿㅀㅁㅂㅄㅅㅆㅇㅈㅊㅋㅌㅍㅎ"  # · = no final


def jamo(syllable: str) -> tuple[int, int, int]:
    """A precomposed syllable -> (initial, vowel, final) indices (Unicode's arithmetic)."""
    code = ord(syllable) - 0xAC00
    if not 0 <= code < 11172:
        raise ValueError(f"{syllable!r} is not a precomposed Hangul syllable")
    return code // 588, (code % 588) // 28, code % 28


def anatomy(truth: list[str], read: list[str]) -> tuple[Counter, Counter]:
    """Over the misreads: which positions differ (e.g. 'I', 'VF') and each position's confusions."""
    where, pairs = Counter(), Counter()
    for t, r in zip(truth, read):
        if t == r:
            continue
        a, b = jamo(t), jamo(r)
        where["".join(p for p, x, y in zip("IVF", a, b) if x != y)] += 1
        for p, x, y, names in zip("IVF", a, b, (INITIALS, VOWELS, FINALS)):
            if x != y:
                pairs[f"{p} {names[x]}->{names[y]}"] += 1
    return where, pairs


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("stores", nargs="+", help="Hangul stores (validation ones: this is for tuning)")
    p.add_argument("--model", default="hangul")
    p.add_argument("--with", dest="more", action="append", default=[], help="another model to average with")
    p.add_argument("--top", type=int, default=15, help="how many jamo confusions to list")
    args = p.parse_args()
    names = [args.model, *args.more]
    models = [Model.load(m) for m in names]
    labels = models[0].labels
    for store_dir in args.stores:
        store = load_store(store_dir)
        y = labels_in(store, models[0].label_space, models[0].input_size, f"the model ({models[0].name})")
        x = np.asarray(store.images)
        probs = [m.predict(x) for m in models]
        for name, pr in zip(names, probs):
            print(f"{store_dir}  {name:<40} top-1 {np.mean(pr.argmax(1) == y):.2%}")
        if len(models) > 1:
            print(f"{store_dir}  {'mean of the ' + str(len(models)):<40} top-1 "
                  f"{np.mean(np.mean(probs, 0).argmax(1) == y):.2%}")
        read = probs[0].argmax(1)
        where, pairs = anatomy([labels[i] for i in y], [labels[i] for i in read])
        wrong = int(np.sum(read != y))
        print(f"  {names[0]}: {wrong} misreads of {len(y)}; jamo wrong (I initial, V vowel, F final): "
              + ", ".join(f"{k} {v} ({v / wrong:.0%})" for k, v in where.most_common()))
        print("  confusions: " + ", ".join(f"{k} {v}" for k, v in pairs.most_common(args.top)))


if __name__ == "__main__":
    main()
