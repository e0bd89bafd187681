"""How often each Hangul syllable occurs in real Korean text: a prior for ranking syllables and words.

Common syllables are far more frequent than rare ones (이, 다, 하 ... against 뷁 or 똠), so when
the picture alone leaves two syllables close, the common one is the better guess. The counts come
from the Korean word list of the ``wordfreq`` package (3.1.1; its data is CC BY-SA 4.0, built
from Wikipedia, subtitles, news, web text and more, tokenized by MeCab into morphemes): every
syllable of every entry counts with the entry's frequency. The table is made once by
:func:`build_syllable_counts` (needs ``pip install wordfreq==3.1.1``) and shipped as
``handpad/resources/syllable_counts_ko.npz``, so using it needs no extra package.

    p = syllable_prior()                     # over hangul-11172, sums to 1
    p_2350 = syllable_prior("hangul-ksx1001")

Words: a syllable bigram model, for reading several syllables in a row (beam search over each box's
candidates). :func:`build_syllable_bigrams` counts, over the same word list, every pair of adjacent
syllables inside an entry, with a word-start token before the first syllable and a word-end token
after the last (index ``BOUNDARY`` = 11172, one past hangul-11172, stands for both), each pair
weighted by the entry's frequency; only entries made entirely of Hangul syllables count (26,795 of
the 29,988). It also keeps the word list itself (those entries with 1-8 syllables and their
frequencies, the most frequent first, at most ``WORD_LIST_SIZE``; wordfreq's Korean list is small,
so all of them fit). Both are shipped as ``handpad/resources/language_ko.npz`` (0.23 MB: 25,474
bigrams, none pruned). Regenerate it after changing the recipe (a test compares it with a fresh build)::

    python -c "from handpad.prior import save_language_model; save_language_model()"

:class:`SyllableLM` scores with it: interpolated absolute discounting, backing off to the unigram
:func:`syllable_prior`. With ``c(a, b)`` the bigram counts in occurrences per million tokens (so
the rarest entry counts about 1), ``c(a) = sum_b c(a, b)`` (``b`` ranging over the syllables and
the word end) and ``D = DISCOUNT``::

    P(b | a) = max(c(a, b) - D, 0) / c(a)  +  lambda(a) * P_uni(b)
    lambda(a) = 1 - sum_b max(c(a, b) - D, 0) / c(a)      (= 1 where a was never seen: P_uni alone)
    P_uni(b)  = (1 - e) * syllable_prior()[b] for a syllable, e for the word end,
    e = (total word frequency) / (total bigram count), the share of word ends among bigram outcomes

so for every ``a`` the 11,172 syllables and the word end sum to 1, every syllable gets a finite
log-probability, and after a given ``a`` a syllable seen there scores above one never seen in any
word. The word list is of morphemes (MeCab's tokens: 안녕, 하, 세요), so pairs across morpheme
boundaries (하→세 in 하세요) count only where some entry holds them.

Speed: in plain-Python dicts keyed by the syllables, ``log_probs`` of 8 candidates takes ~2 µs, the
language model's share of a 4-syllable word's beam search (8 candidates, beam 8) ~50 µs
(``python bench/prior_speed.py``).

    lm = SyllableLM.load()
    lm.log_probs(None, ["안", "앙"])         # the first syllable of a word, vectorized
    lm.log_probs("안", ["녕", "넝"]); lm.end_log_prob("녕"); lm.word_log_prob("안녕")
    common_words(100, seed=0); common_phrases(20, seed=0)   # test text, weighted by frequency
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Sequence

import numpy as np

from .labels import label_space, space_map

COUNTS_FILE = Path(__file__).resolve().parent / "resources" / "syllable_counts_ko.npz"
LANGUAGE_FILE = Path(__file__).resolve().parent / "resources" / "language_ko.npz"
WORDFREQ_VERSION = "3.1.1"
SOURCE = f"wordfreq {WORDFREQ_VERSION} ko (best)"
# Add-k smoothing, as a share of the smallest non-zero count: a syllable never seen in the
# word list (most of the 11,172) still gets a small probability, below any seen one.
UNSEEN_SHARE = 0.5
N_SYLLABLES = 11172
BOUNDARY = N_SYLLABLES  # the word start (as the previous syllable) and the word end (as the next one)
MAX_WORD_SYLLABLES = 8
WORD_LIST_SIZE = 60_000
COMMON_POOL = 20_000  # common_words/common_phrases draw from this many of the most frequent words
PER_MILLION = 1e6  # wordfreq's frequencies are per token; SyllableLM counts per million tokens
# The absolute discount, in occurrences per million tokens (the rarest entry counts about 1). Chosen
# on held-out words: bigrams and unigram built without a random tenth of the word types, those types
# scored. Raising D from 1 to 2 gains them ~0.1 nats per word, past 2 they gain little more
# (<0.1 nats at 5) while the words the model saw start to lose (0.1 nats per word at 5, 0.35 at 10).
DISCOUNT = 2.0


def _check_wordfreq():
    from importlib.metadata import version

    if version("wordfreq") != WORDFREQ_VERSION:  # another version, another table: the test would say so
        raise RuntimeError(f"the shipped table was made with wordfreq {WORDFREQ_VERSION}, "
                           f"not {version('wordfreq')}: pip install wordfreq=={WORDFREQ_VERSION}")


def build_syllable_counts() -> np.ndarray:
    """Frequency-weighted counts (float64, hangul-11172 order) from wordfreq's Korean word list."""
    _check_wordfreq()
    import wordfreq

    space = label_space("hangul-11172")
    counts = np.zeros(len(space), np.float64)
    for word, freq in wordfreq.get_frequency_dict("ko", "best").items():
        for ch in word:
            if ch in space:
                counts[space.index(ch)] += freq
    return counts


def save_syllable_counts(path: Path = COUNTS_FILE) -> Path:
    counts = build_syllable_counts()
    path.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(path, counts=counts.astype(np.float32), source=SOURCE)
    return path


@lru_cache(maxsize=None)
def _counts() -> np.ndarray:
    with np.load(COUNTS_FILE) as z:
        return z["counts"].astype(np.float64)


def syllable_prior(space="hangul-11172") -> np.ndarray:
    """P(syllable) in running Korean text, over a Hangul label space (float32, sums to 1)."""
    counts = _counts()[space_map(space, "hangul-11172")]
    floor = counts[counts > 0].min() * UNSEEN_SHARE
    p = np.where(counts > 0, counts, floor)
    return (p / p.sum()).astype(np.float32)


# -- syllable bigrams and the word list -----------------------------------------------------------


@dataclass(frozen=True, eq=False)
class SyllableBigrams:
    """Frequency-weighted syllable bigrams inside words, and the word list they came from.

    ``prev``, ``next``: hangul-11172 indices (int32; ``BOUNDARY`` = word start in ``prev``, word end
    in ``next``), sorted by (prev, next), each pair once; ``count``: the summed frequencies of the
    entries holding the pair (float64, occurrences per token). ``words``: Hangul-only entries of
    1-8 syllables, most frequent first; ``freqs``: their frequencies.
    """

    prev: np.ndarray
    next: np.ndarray
    count: np.ndarray
    words: tuple[str, ...]
    freqs: np.ndarray
    source: str = SOURCE

    def __len__(self) -> int:
        return len(self.count)

    def get(self, prev: str | None, nxt: str | None) -> float:
        """The count of one pair (``None``: the word start as ``prev``, the word end as ``nxt``)."""
        a, b = _index_or_boundary(prev), _index_or_boundary(nxt)
        key = self.prev.astype(np.int64) * (BOUNDARY + 1) + self.next
        i = int(np.searchsorted(key, a * (BOUNDARY + 1) + b))
        return float(self.count[i]) if i < len(key) and key[i] == a * (BOUNDARY + 1) + b else 0.0


def _index_or_boundary(ch: str | None) -> int:
    return BOUNDARY if ch is None else label_space("hangul-11172").index(ch)


def build_syllable_bigrams(exclude: Iterable[str] = ()) -> SyllableBigrams:
    """Syllable bigrams (with word start and end) and the word list, from wordfreq's Korean word list.

    ``exclude``: words left out of both (a control that scores words the model never saw; the
    unigram :func:`syllable_prior` that :class:`SyllableLM` backs off to still counts them).
    """
    _check_wordfreq()
    import wordfreq

    index = label_space("hangul-11172")._index
    exclude = set(exclude)
    pairs: dict[int, float] = {}
    words, freqs = [], []
    for word, freq in wordfreq.get_frequency_dict("ko", "best").items():
        if not word or word in exclude or not all(ch in index for ch in word):
            continue
        ids = [BOUNDARY] + [index[ch] for ch in word] + [BOUNDARY]
        for a, b in zip(ids, ids[1:]):
            key = a * (BOUNDARY + 1) + b
            pairs[key] = pairs.get(key, 0.0) + freq
        if len(word) <= MAX_WORD_SYLLABLES:
            words.append(word)
            freqs.append(freq)
    keys = np.array(sorted(pairs), np.int64)
    count = np.array([pairs[k] for k in keys.tolist()], np.float64)
    order = sorted(range(len(words)), key=lambda i: -freqs[i])[:WORD_LIST_SIZE]  # stable: ties keep wordfreq's order
    return SyllableBigrams(prev=(keys // (BOUNDARY + 1)).astype(np.int32), next=(keys % (BOUNDARY + 1)).astype(np.int32),
                           count=count, words=tuple(words[i] for i in order),
                           freqs=np.array([freqs[i] for i in order], np.float64))


def save_language_model(path: Path = LANGUAGE_FILE) -> Path:
    """Write the bigram table and the word list (``language_ko.npz``, float32 counts)."""
    bg = build_syllable_bigrams()
    path.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(path, prev=bg.prev.astype(np.int16), next=bg.next.astype(np.int16),
                        count=bg.count.astype(np.float32), words=np.array(bg.words),
                        freqs=bg.freqs.astype(np.float32), source=np.array(bg.source))
    return path


def load_language_model(path: Path | str | None = None) -> SyllableBigrams:
    """The shipped (or a saved) bigram table and word list."""
    with np.load(Path(path) if path is not None else LANGUAGE_FILE, allow_pickle=False) as z:
        return SyllableBigrams(prev=z["prev"].astype(np.int32), next=z["next"].astype(np.int32),
                               count=z["count"].astype(np.float64), words=tuple(z["words"].tolist()),
                               freqs=z["freqs"].astype(np.float64), source=str(z["source"]))


# -- the language model -----------------------------------------------------------------------------


class SyllableLM:
    """P(next syllable | previous syllable) within a word, for ranking candidate texts.

    Interpolated absolute discounting over :func:`syllable_prior` (the formula is in the module's
    docstring). ``prev`` is a syllable, or ``None`` at the start of a word. Log-probabilities are
    natural logarithms.
    """

    def __init__(self, bigrams: SyllableBigrams, discount: float = DISCOUNT):
        self.bigrams = bigrams
        self.discount = float(discount)
        labels = label_space("hangul-11172").labels
        n = BOUNDARY + 1
        count = bigrams.count * PER_MILLION
        prev, nxt = bigrams.prev.astype(np.int64), bigrams.next.astype(np.int64)
        # The unigram over the 11,173 outcomes: the syllables (syllable_prior) and the word end.
        end_share = float(count[nxt == BOUNDARY].sum() / count.sum())
        uni = np.empty(n, np.float64)
        uni[:BOUNDARY] = syllable_prior("hangul-11172").astype(np.float64)
        uni[:BOUNDARY] *= (1 - end_share) / uni[:BOUNDARY].sum()
        uni[BOUNDARY] = end_share
        total = np.bincount(prev, weights=count, minlength=n)  # c(a)
        kept = np.maximum(count - self.discount, 0.0) / total[prev]
        lam = 1.0 - np.bincount(prev, weights=kept, minlength=n)  # 1 where a was never seen
        log_seen = np.log(kept + lam[prev] * uni[nxt])
        self._log_uni = np.log(uni)
        self._log_lambda = np.log(lam)
        # The beam search's lookups stay in plain Python, keyed by the syllables themselves (None: the
        # word start as prev, the word end as next): a few dict lookups per candidate, no index
        # conversion and no NumPy call per candidate.
        keys = list(labels) + [None]
        self._log_uni_by = dict(zip(keys, self._log_uni.tolist()))
        rows: dict = {k: ({}, lb) for k, lb in zip(keys, self._log_lambda.tolist())}  # prev -> (seen, log lambda)
        for a, b, lp in zip(prev.tolist(), nxt.tolist(), log_seen.tolist()):
            rows[keys[a]][0][keys[b]] = lp
        self._rows = rows
        self._labels = labels
        self._index = label_space("hangul-11172")._index
        self._words = frozenset(bigrams.words)

    @classmethod
    def load(cls, path: Path | str | None = None) -> "SyllableLM":
        """The model over the shipped table (or a saved one); cached, so loading again is free."""
        return _load_lm(str(Path(path).resolve()) if path is not None else None)

    def __repr__(self) -> str:
        return f"SyllableLM({len(self.bigrams)} bigrams, {len(self.bigrams.words)} words, D={self.discount})"

    def _row(self, prev):
        try:
            return self._rows[prev]
        except (KeyError, TypeError):
            pass
        if isinstance(prev, (int, np.integer)) and 0 <= prev < BOUNDARY:
            return self._rows[self._labels[prev]]
        label_space("hangul-11172").index(prev)  # raises LabelError naming it
        raise TypeError(f"prev: a syllable, a hangul-11172 index or None, not {prev!r}")

    def _syllables(self, syllables) -> list[str]:
        if isinstance(syllables, np.ndarray):
            syllables = syllables.tolist()
        labels = self._labels
        out = [labels[s] if isinstance(s, (int, np.integer)) and 0 <= s < BOUNDARY else s for s in syllables]
        missing = [s for s in out if s not in self._log_uni_by or s is None]
        if missing:
            label_space("hangul-11172").indices([str(s) for s in missing])  # raises LabelError naming them
        return out

    def log_prob(self, prev: str | None, syllable: str) -> float:
        """log P(syllable | prev); ``prev=None``: the word's first syllable."""
        return float(self.log_probs(prev, (syllable,))[0])

    def log_probs(self, prev: str | None, syllables: Sequence[str] | np.ndarray) -> np.ndarray:
        """log P(s | prev) for each candidate ``s`` (syllables, or hangul-11172 indices), float64.

        ``prev``: the previous syllable (or its index), ``None`` for the word's first syllable.
        ``None`` among the candidates stands for the word end (as :meth:`end_log_prob`).
        """
        try:
            seen, lb = self._rows[prev]
        except (KeyError, TypeError):
            seen, lb = self._row(prev)
        lu = self._log_uni_by
        try:
            return np.array([seen[s] if s in seen else lb + lu[s] for s in syllables], np.float64)
        except (KeyError, TypeError):  # indices, or something not a syllable
            return np.array([seen[s] if s in seen else lb + lu[s] for s in self._syllables(syllables)], np.float64)

    def end_log_prob(self, prev: str | None) -> float:
        """log P(word ends | prev): the word ending after ``prev`` (``None``: an empty word)."""
        seen, lb = self._row(prev)
        return seen[None] if None in seen else lb + self._log_uni_by[None]

    def row(self, prev: str | None) -> np.ndarray:
        """log P(b | prev) for all 11,172 syllables and the word end (index ``BOUNDARY``), float64."""
        seen, lb = self._row(prev)
        out = lb + self._log_uni
        for b, lp in seen.items():
            out[BOUNDARY if b is None else self._index[b]] = lp
        return out

    def knows(self, word: str) -> bool:
        """Whether ``word`` is in the word list the bigrams came from."""
        return word in self._words

    def word_log_prob(self, word: str) -> float:
        """log P(word): its syllables one after another, from the word start to the word end."""
        total, prev = 0.0, None
        for ch in word:
            total += self.log_prob(prev, ch)
            prev = ch
        return total + self.end_log_prob(prev)


@lru_cache(maxsize=4)
def _load_lm(path: str | None) -> SyllableLM:
    return SyllableLM(_shipped() if path is None else load_language_model(path))


# -- test text ----------------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _shipped() -> SyllableBigrams:
    return load_language_model()


def _pool(min_syllables: int, max_syllables: int, exclude: Iterable[str]) -> tuple[list[str], np.ndarray]:
    bg = _shipped()
    exclude = set(exclude)
    keep = [i for i, w in enumerate(bg.words[:COMMON_POOL])
            if min_syllables <= len(w) <= max_syllables and w not in exclude]
    return [bg.words[i] for i in keep], bg.freqs[keep]


def common_words(n: int, min_syllables: int = 2, max_syllables: int = 6, seed: int = 0,
                 exclude: Iterable[str] = ()) -> list[str]:
    """``n`` distinct Hangul words, drawn weighted by frequency from the 20,000 most frequent.

    Deterministic for a ``seed``. ``exclude``: words never drawn. The words are wordfreq's entries,
    so morphemes (사람, 에서, 습니다) rather than whole inflected words.
    """
    words, freqs = _pool(min_syllables, max_syllables, exclude)
    if n > len(words):
        raise ValueError(f"only {len(words)} words of {min_syllables}-{max_syllables} syllables to draw from, not {n}")
    rng = np.random.default_rng(seed)
    picked = rng.choice(len(words), size=n, replace=False, p=freqs / freqs.sum())
    return [words[i] for i in picked]


def common_phrases(n: int, words_per_phrase: tuple[int, int] = (2, 3), max_syllables: int = 8,
                   min_word_syllables: int = 2, max_word_syllables: int = 6, seed: int = 0,
                   exclude: Iterable[str] = ()) -> list[str]:
    """``n`` distinct phrases: 2-3 (``words_per_phrase``, inclusive) common words joined by a space.

    Each word is drawn weighted by frequency from the 20,000 most frequent (of
    ``min_word_syllables``-``max_word_syllables`` syllables, none in ``exclude``), no word twice in
    a phrase, at most ``max_syllables`` syllables per phrase (spaces not counted). Deterministic for
    a ``seed``.
    """
    lo, hi = words_per_phrase
    if not 1 <= lo <= hi or lo * min_word_syllables > max_syllables:
        raise ValueError(f"no phrase of {lo}-{hi} words fits {max_syllables} syllables")
    words, freqs = _pool(min_word_syllables, max_word_syllables, exclude)
    if len(words) < hi:
        raise ValueError(f"only {len(words)} words to draw from")
    rng = np.random.default_rng(seed)
    p = freqs / freqs.sum()
    phrases: dict[str, None] = {}
    for _ in range(200 * n + 1000):
        if len(phrases) == n:
            break
        k = int(rng.integers(lo, hi + 1))
        picked = rng.choice(len(words), size=k, replace=False, p=p)
        if sum(len(words[i]) for i in picked) <= max_syllables:
            phrases.setdefault(" ".join(words[i] for i in picked), None)
    if len(phrases) < n:
        raise ValueError(f"found only {len(phrases)} distinct phrases, not {n}")
    return list(phrases)
