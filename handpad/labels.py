"""Label spaces: the one place where a class index gets its meaning.

A label space is a fixed, ordered list of labels with a name. Every dataset store and every
model records the name of its space, and a label index means the same label in all of them:
a store that holds only some classes still counts in the full space, so data from any source
can be stacked and any model evaluated on any store of its space, with no remapping by text.

    digits          the ten digits "0".."9"
    hangul-ksx1001  the 2350 KS X 1001 Hangul syllables, in EUC-KR code order (가, 각, ... 힝);
                    the shipped Hangul model's classes
    hangul-11172    all 11,172 modern Hangul syllables, in Unicode order (가 U+AC00 ... 힣 U+D7A3)

The KS X 1001 syllables are not typed in: they are exactly the EUC-KR byte pairs 0xB0A1-0xC8FE
(25 rows of 94 cells), decoded by Python's ``euc-kr`` codec, in code order.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Iterable

import numpy as np

from .errors import HandpadError

DIGITS: tuple[str, ...] = tuple("0123456789")

KSX1001_FIRST_LEAD, KSX1001_LAST_LEAD = 0xB0, 0xC8
KSX1001_FIRST_TRAIL, KSX1001_LAST_TRAIL = 0xA1, 0xFE
NUM_HANGUL = 2350
HANGUL_FIRST, NUM_MODERN_HANGUL = 0xAC00, 11172


class LabelError(HandpadError, ValueError):
    """A label is not in the label space it is used with."""


@lru_cache(maxsize=None)
def hangul_syllables() -> tuple[str, ...]:
    """The 2350 KS X 1001 Hangul syllables in code order (가, 각, 간, ... 힝)."""
    syllables = [
        bytes([lead, trail]).decode("euc-kr")
        for lead in range(KSX1001_FIRST_LEAD, KSX1001_LAST_LEAD + 1)
        for trail in range(KSX1001_FIRST_TRAIL, KSX1001_LAST_TRAIL + 1)
    ]
    if len(syllables) != NUM_HANGUL or len(set(syllables)) != NUM_HANGUL:
        raise AssertionError(f"euc-kr codec gave {len(syllables)} syllables, expected {NUM_HANGUL}")
    return tuple(syllables)


@lru_cache(maxsize=None)
def all_hangul_syllables() -> tuple[str, ...]:
    """The 11,172 modern Hangul syllables in Unicode order (가 ... 힣)."""
    return tuple(chr(HANGUL_FIRST + i) for i in range(NUM_MODERN_HANGUL))


def euckr_pair_to_char(lead: int, trail: int) -> str | None:
    """Decode one EUC-KR byte pair (as stored in PE92/SERI95 files); None if it is not a character."""
    try:
        char = bytes([lead, trail]).decode("euc-kr")
    except UnicodeDecodeError:
        return None
    return char if len(char) == 1 else None


def is_ksx1001_syllable(char: str) -> bool:
    return char in label_space("hangul-ksx1001")


@dataclass(frozen=True, eq=False)
class LabelSpace:
    """A named, ordered label list: ``space.labels[i]`` is class ``i`` wherever ``space`` is used."""

    name: str
    labels: tuple[str, ...]
    description: str
    kind: str  # digits | hangul: which preprocessing preset and pad the space belongs to
    _index: dict = field(init=False, repr=False)

    def __post_init__(self):
        object.__setattr__(self, "_index", {c: i for i, c in enumerate(self.labels)})

    def __len__(self) -> int:
        return len(self.labels)

    def __contains__(self, label) -> bool:
        return label in self._index

    def __repr__(self) -> str:
        return f"LabelSpace({self.name!r}, {len(self)} labels)"

    def index(self, label: str) -> int:
        """The class index of ``label``; LabelError if the space lacks it."""
        try:
            return self._index[label]
        except KeyError:
            raise LabelError(f"{label!r} is not in the label space {self.name!r} ({self.description})") from None

    def indices(self, labels: Iterable[str]) -> np.ndarray:
        """Class indices (int32) of ``labels``; LabelError naming the first few the space lacks."""
        labels = list(labels)
        missing = [c for c in dict.fromkeys(labels) if c not in self._index]
        if missing:
            more = f" (and {len(missing) - 10} more)" if len(missing) > 10 else ""
            raise LabelError(f"labels {' '.join(missing[:10])}{more} are not in the label space {self.name!r} "
                             f"({self.description})")
        return np.array([self._index[c] for c in labels], np.int32)


@lru_cache(maxsize=None)
def _spaces() -> dict[str, LabelSpace]:
    spaces = [
        LabelSpace("digits", DIGITS, "the ten digits 0-9", "digits"),
        LabelSpace("hangul-ksx1001", hangul_syllables(), "the 2350 KS X 1001 Hangul syllables", "hangul"),
        LabelSpace("hangul-11172", all_hangul_syllables(), "all 11,172 modern Hangul syllables", "hangul"),
    ]
    return {s.name: s for s in spaces}


SPACE_NAMES = ("digits", "hangul-ksx1001", "hangul-11172")
# The space each kind of data uses by default (what converters, synthesis and the pad write).
DEFAULT_SPACE = {"digits": "digits", "hangul": "hangul-ksx1001"}


def label_space(name) -> LabelSpace:
    """A label space by name (or a LabelSpace, returned as is); kinds ``digits``/``hangul`` give their default."""
    if isinstance(name, LabelSpace):
        return name
    name = DEFAULT_SPACE.get(name, name)
    try:
        return _spaces()[name]
    except (KeyError, TypeError):
        raise LabelError(f"unknown label space {name!r}; choose one of: {', '.join(SPACE_NAMES)}") from None


def space_for_labels(labels: Iterable[str], where: str = "") -> LabelSpace:
    """The smallest label space holding every one of ``labels`` (for files that predate label spaces,
    and for folders of labeled images). LabelError if none does."""
    labels = set(labels)
    for name in SPACE_NAMES:
        space = _spaces()[name]
        if all(c in space for c in labels):
            return space
    odd = sorted(c for c in labels if not any(c in s for s in _spaces().values()))
    prefix = f"{where}: " if where else ""
    raise LabelError(f"{prefix}labels {' '.join(map(repr, odd[:10]))} are in no label space "
                     f"(handpad reads {', '.join(SPACE_NAMES)}); use digits 0-9 or Hangul syllables")


def labels_for(kind: str) -> tuple[str, ...]:
    """Labels of a kind's default space: ``digits`` or ``hangul``."""
    if kind not in DEFAULT_SPACE:
        raise ValueError(f"unknown label set {kind!r}: use 'digits' or 'hangul'")
    return label_space(kind).labels


# -- between spaces, and into jamo ----------------------------------------------------------------
def space_map(source, target) -> np.ndarray:
    """Indices in ``target`` of every label of ``source`` (int32), for a space inside another
    (digits in digits, hangul-ksx1001 in hangul-11172); LabelError otherwise. Defined once here,
    so data of a smaller space trains and evaluates a model of a larger one without text look-ups."""
    return _space_map(label_space(source).name, label_space(target).name)


@lru_cache(maxsize=None)
def _space_map(source: str, target: str) -> np.ndarray:
    src, dst = label_space(source), label_space(target)
    if not all(c in dst for c in src.labels):
        raise LabelError(f"the label space {src.name!r} is not inside {dst.name!r}: their data cannot be mixed")
    out = dst.indices(src.labels)
    out.flags.writeable = False
    return out


# A modern Hangul syllable is (initial, vowel, final) in Unicode's own arithmetic:
# U+AC00 + (initial * 21 + vowel) * 28 + final, with final 0 = none. Every one of the
# 19 x 21 x 28 = 11,172 combinations is a syllable, so three distributions over jamo make one
# distribution over all syllables.
JAMO_HEADS = (("initial", 19), ("vowel", 21), ("final", 28))
INITIALS = tuple("ㄱㄲㄴㄷㄸㄹㅁㅂㅃㅅㅆㅇㅈㅉㅊㅋㅌㅍㅎ")
VOWELS = tuple("ㅏㅐㅑㅒㅓㅔㅕㅖㅗㅘㅙㅚㅛㅜㅝㅞㅟㅠㅡㅢㅣ")
FINALS = ("",) + tuple("ㄱㄲㄳㄴㄵㄶㄷㄹㄺㄻㄼㄽㄾㄿㅀㅁㅂㅄㅅㅆㅇㅈㅊㅋㅌㅍㅎ")


def jamo_indices(indices_11172) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(initial, vowel, final) indices of syllables given by their index in ``hangul-11172``."""
    idx = np.asarray(indices_11172, np.int64)
    return idx // (21 * 28), (idx // 28) % 21, idx % 28


def jamo_of(syllable: str) -> tuple[str, str, str]:
    """'각' -> ('ㄱ', 'ㅏ', 'ㄱ'); the final is '' when there is none."""
    i, v, f = (int(a) for a in jamo_indices(label_space("hangul-11172").index(syllable)))
    return INITIALS[i], VOWELS[v], FINALS[f]
