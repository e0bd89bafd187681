"""Class labels: the ten digits and the 2350 KS X 1001 Hangul syllables.

The syllables are not typed in: they are exactly the EUC-KR byte pairs 0xB0A1-0xC8FE
(25 rows of 94 cells), decoded by Python's ``euc-kr`` codec, in code order.
"""
from __future__ import annotations

from functools import lru_cache

DIGITS: tuple[str, ...] = tuple("0123456789")

KSX1001_FIRST_LEAD, KSX1001_LAST_LEAD = 0xB0, 0xC8
KSX1001_FIRST_TRAIL, KSX1001_LAST_TRAIL = 0xA1, 0xFE
NUM_HANGUL = 2350


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


def euckr_pair_to_char(lead: int, trail: int) -> str | None:
    """Decode one EUC-KR byte pair (as stored in PE92/SERI95 files); None if it is not a character."""
    try:
        char = bytes([lead, trail]).decode("euc-kr")
    except UnicodeDecodeError:
        return None
    return char if len(char) == 1 else None


def is_ksx1001_syllable(char: str) -> bool:
    return char in _hangul_index()


@lru_cache(maxsize=None)
def _hangul_index() -> dict[str, int]:
    return {s: i for i, s in enumerate(hangul_syllables())}


def labels_for(kind: str) -> tuple[str, ...]:
    """Label list by name: ``digits`` or ``hangul``."""
    if kind == "digits":
        return DIGITS
    if kind == "hangul":
        return hangul_syllables()
    raise ValueError(f"unknown label set {kind!r}: use 'digits' or 'hangul'")
