"""How often each Hangul syllable occurs in real Korean text: a prior for ranking syllables.

Common syllables are far more frequent than rare ones (이, 다, 하 ... against 뷁 or 똠), so when
the picture alone leaves two syllables close, the common one is the better guess. The counts come
from the Korean word list of the ``wordfreq`` package (3.1.1; its data is CC BY-SA 4.0, built
from Wikipedia, subtitles, news, web text and more, tokenized by MeCab into morphemes): every
syllable of every entry counts with the entry's frequency. The table is made once by
:func:`build_syllable_counts` (needs ``pip install wordfreq==3.1.1``) and shipped as
``handpad/resources/syllable_counts_ko.npz``, so using it needs no extra package.

    p = syllable_prior()                     # over hangul-11172, sums to 1
    p_2350 = syllable_prior("hangul-ksx1001")
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import numpy as np

from .labels import label_space, space_map

COUNTS_FILE = Path(__file__).resolve().parent / "resources" / "syllable_counts_ko.npz"
WORDFREQ_VERSION = "3.1.1"
# Add-k smoothing, as a share of the smallest non-zero count: a syllable never seen in the
# word list (most of the 11,172) still gets a small probability, below any seen one.
UNSEEN_SHARE = 0.5


def build_syllable_counts() -> np.ndarray:
    """Frequency-weighted counts (float64, hangul-11172 order) from wordfreq's Korean word list."""
    from importlib.metadata import version

    import wordfreq

    if version("wordfreq") != WORDFREQ_VERSION:  # another version, another table: the test would say so
        raise RuntimeError(f"the shipped table was made with wordfreq {WORDFREQ_VERSION}, "
                           f"not {version('wordfreq')}: pip install wordfreq=={WORDFREQ_VERSION}")
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
    np.savez_compressed(path, counts=counts.astype(np.float32), source=f"wordfreq {WORDFREQ_VERSION} ko (best)")
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
