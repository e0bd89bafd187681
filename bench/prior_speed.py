"""Speed of the syllable language model in a beam search (handpad.prior.SyllableLM).

Times, on common 4-syllable words with 8 candidates per syllable (the true one and 7 drawn by the
syllable prior) and a beam of 8:
  * one ``log_probs(prev, 8 candidates)`` call;
  * the language model's part of one word's beam search (1 + 3 x 8 ``log_probs`` calls and 8
    ``end_log_prob``), and a whole beam search (scores, sorting, the best path) around it;
against two baselines in the same process: a plain-Python dict keyed by (prev, next) strings that
returns a list, and a sorted array of int keys looked up with ``np.searchsorted``.

    python bench/prior_speed.py [--repeats 2000]
"""
from __future__ import annotations

import argparse
import time

import numpy as np

from handpad.labels import label_space
from handpad.prior import BOUNDARY, SyllableLM, common_words, syllable_prior

BEAM = K = 8


class DictBaseline:
    """The same probabilities from one flat dict {(prev, next): log p}; lists, no NumPy."""

    def __init__(self, lm: SyllableLM):
        self.seen = {(a, b): lp for a, (row, _) in lm._rows.items() for b, lp in row.items()}
        self.lam = {a: lb for a, (_, lb) in lm._rows.items()}
        self.uni = dict(lm._log_uni_by)

    def log_probs(self, prev, syllables):
        return [self.seen.get((prev, s), self.lam[prev] + self.uni[s]) for s in syllables]

    def end_log_prob(self, prev):
        return self.seen.get((prev, None), self.lam[prev] + self.uni[None])


class SortedBaseline:
    """Sorted int64 keys prev * 11173 + next and np.searchsorted; unseen: log lambda + log P_uni."""

    def __init__(self, lm: SyllableLM):
        space = label_space("hangul-11172")
        self.index = dict(space._index)
        self.index[None] = BOUNDARY
        keys, vals = [], []
        for a, (row, _) in lm._rows.items():
            for b, lp in row.items():
                keys.append(self.index[a] * (BOUNDARY + 1) + self.index[b])
                vals.append(lp)
        order = np.argsort(keys)
        self.keys, self.vals = np.array(keys, np.int64)[order], np.array(vals)[order]
        self.lam = np.array([lm._rows[a][1] for a in list(space.labels) + [None]])
        self.uni = lm._log_uni

    def log_probs(self, prev, syllables):
        a = self.index[prev]
        b = np.fromiter((self.index[s] for s in syllables), np.int64, len(syllables))
        q = a * (BOUNDARY + 1) + b
        pos = np.minimum(np.searchsorted(self.keys, q), len(self.keys) - 1)
        return np.where(self.keys[pos] == q, self.vals[pos], self.lam[a] + self.uni[b])

    def end_log_prob(self, prev):
        return float(self.log_probs(prev, [None])[0])


def lm_calls(lm, word_cands, prevs):
    """The language model's calls in one word's beam search (prevs: each step's beam)."""
    for step, cands in enumerate(word_cands):
        for prev in prevs[step]:
            lm.log_probs(prev, cands)
    for prev in prevs[-1]:
        lm.end_log_prob(prev)


def beam_search(lm, word_cands, word_logp, weight=1.0):
    hyps = [(0.0, None, ())]
    for cands, logp in zip(word_cands, word_logp):
        new = []
        for score, prev, path in hyps:
            for lab, s in zip(cands, score + logp + weight * np.asarray(lm.log_probs(prev, cands))):
                new.append((float(s), lab, path + (lab,)))
        new.sort(key=lambda h: -h[0])
        hyps = new[:BEAM]
    return max(((s + weight * lm.end_log_prob(prev), path) for s, prev, path in hyps))[1]


def per_call_us(fn, repeats):
    for _ in range(max(repeats // 10, 5)):
        fn()
    t = time.perf_counter()
    for _ in range(repeats):
        fn()
    return (time.perf_counter() - t) / repeats * 1e6


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repeats", type=int, default=2000)
    ap.add_argument("--words", type=int, default=50)
    args = ap.parse_args()

    t = time.perf_counter()
    lm = SyllableLM.load()
    print(f"SyllableLM.load(): {(time.perf_counter() - t) * 1e3:.0f} ms ({lm})")
    rng = np.random.default_rng(0)
    space = label_space("hangul-11172")
    prior = syllable_prior().astype(np.float64)
    words = common_words(args.words, min_syllables=4, max_syllables=4, seed=0)
    cases = []
    for w in words:
        cands = [[ch] + [space.labels[i] for i in rng.choice(len(space), K - 1, replace=False, p=prior)] for ch in w]
        logp = [np.log(rng.dirichlet(np.ones(K))) for _ in w]
        prevs = [[None]] + cands  # each step's beam (its 8 hypotheses' last syllables), then the word end's
        cases.append((cands, logp, prevs))

    models = [("SyllableLM (dicts keyed by syllable)", lm), ("plain-Python dict (prev, next) -> list", DictBaseline(lm)),
              ("sorted keys + np.searchsorted", SortedBaseline(lm))]
    for name, m in models:  # the same numbers from each
        for cands, _, prevs in cases[:5]:
            np.testing.assert_allclose(np.asarray(m.log_probs(prevs[1][0], cands[1])),
                                       lm.log_probs(prevs[1][0], cands[1]))
    n = args.repeats
    print(f"{len(cases)} common 4-syllable words, {K} candidates per syllable, beam {BEAM}; microseconds:")
    print(f"{'':40s} {'log_probs':>10s} {'LM calls/word':>14s} {'beam search/word':>17s}")
    for name, m in models:
        one = per_call_us(lambda: m.log_probs("사", cases[0][0][1]), n * 5)
        calls = np.mean([per_call_us(lambda c=c: lm_calls(m, c[0], c[2]), max(n // 20, 20)) for c in cases])
        beam = np.mean([per_call_us(lambda c=c: beam_search(m, c[0], c[1]), max(n // 20, 20)) for c in cases])
        print(f"{name:40s} {one:10.2f} {calls:14.1f} {beam:17.1f}")


if __name__ == "__main__":
    main()
