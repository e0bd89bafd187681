import numpy as np
import pytest

from handpad.labels import (DIGITS, LabelError, euckr_pair_to_char, hangul_syllables, is_ksx1001_syllable, label_space,
                            labels_for, space_for_labels)


def test_2350_syllables_in_euckr_code_order():
    s = hangul_syllables()
    assert len(s) == 2350 and len(set(s)) == 2350 and s[0] == "가" and s[-1] == "힝"
    assert [c.encode("euc-kr") for c in s] == sorted(c.encode("euc-kr") for c in s)
    assert s[1] == "각" and s[94] == bytes([0xB1, 0xA1]).decode("euc-kr")
    assert "똠" not in s and not is_ksx1001_syllable("똠")  # a modern syllable outside KS X 1001


def test_pairs_and_sets():
    assert euckr_pair_to_char(0xB0, 0xA1) == "가" and euckr_pair_to_char(0xFF, 0xFF) is None
    assert labels_for("digits") == DIGITS == tuple("0123456789") and labels_for("hangul") == hangul_syllables()


def test_label_spaces_are_defined_once_and_indices_mean_the_same_everywhere():
    digits, ksx, every = label_space("digits"), label_space("hangul-ksx1001"), label_space("hangul-11172")
    assert label_space("hangul") is ksx and label_space(ksx) is ksx  # a kind gives its default space
    assert (len(digits), len(ksx), len(every)) == (10, 2350, 11172)
    assert every.labels[0] == "가" and every.labels[-1] == "힣" and every.index("똠") == ord("똠") - 0xAC00
    assert ksx.indices(["가", "힝", "각"]).tolist() == [0, 2349, 1] and ksx.indices([]).dtype == np.int32
    with pytest.raises(LabelError, match="labels 똠 뷁 are not in the label space 'hangul-ksx1001'"):
        ksx.indices(["가", "똠", "뷁", "똠"])
    assert space_for_labels(["7", "0"]) is digits and space_for_labels(["가"]) is ksx
    assert space_for_labels(["가", "똠"]) is every
    with pytest.raises(LabelError, match="'x' are in no label space"):
        space_for_labels(["가", "x"])
    with pytest.raises(LabelError, match="unknown label space 'latin'"):
        label_space("latin")
