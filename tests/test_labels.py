from handpad.labels import DIGITS, euckr_pair_to_char, hangul_syllables, is_ksx1001_syllable, labels_for


def test_2350_syllables_in_euckr_code_order():
    s = hangul_syllables()
    assert len(s) == 2350 and len(set(s)) == 2350 and s[0] == "가" and s[-1] == "힝"
    assert [c.encode("euc-kr") for c in s] == sorted(c.encode("euc-kr") for c in s)
    assert s[1] == "각" and s[94] == bytes([0xB1, 0xA1]).decode("euc-kr")
    assert "똠" not in s and not is_ksx1001_syllable("똠")  # a modern syllable outside KS X 1001


def test_pairs_and_sets():
    assert euckr_pair_to_char(0xB0, 0xA1) == "가" and euckr_pair_to_char(0xFF, 0xFF) is None
    assert labels_for("digits") == DIGITS == tuple("0123456789") and labels_for("hangul") == hangul_syllables()
