"""The syllable prior: shipped counts, derived from wordfreq's Korean word list, reproducible."""
import numpy as np

from handpad.labels import label_space, space_map
from handpad.prior import COUNTS_FILE, build_syllable_counts, syllable_prior


def test_the_shipped_table_is_what_wordfreq_gives():
    with np.load(COUNTS_FILE) as z:
        shipped = z["counts"]
    np.testing.assert_allclose(shipped, build_syllable_counts().astype(np.float32), rtol=1e-6)


def test_common_syllables_are_likely_and_every_syllable_possible():
    every = label_space("hangul-11172")
    p = syllable_prior()
    assert p.shape == (11172,) and abs(float(p.sum()) - 1) < 1e-5 and p.min() > 0
    top = {every.labels[i] for i in np.argsort(-p)[:10]}
    assert {"이", "다", "하"} <= top
    assert p[every.index("가")] > 1000 * p[every.index("뷁")]
    assert p[space_map("hangul-ksx1001", "hangul-11172")].sum() > 0.99  # text is almost all KS X 1001
    q = syllable_prior("hangul-ksx1001")
    assert q.shape == (2350,) and abs(float(q.sum()) - 1) < 1e-5


# -- the syllable bigram model ------------------------------------------------------------------------

import itertools  # noqa: E402
from fnmatch import fnmatch  # noqa: E402
from pathlib import Path  # noqa: E402

import pytest  # noqa: E402

from handpad.labels import LabelError  # noqa: E402
from handpad.prior import (  # noqa: E402
    BOUNDARY, LANGUAGE_FILE, SyllableLM, build_syllable_bigrams, common_phrases, common_words, load_language_model,
)

# Not 대한민국: 대한국민 is likelier under a bigram model (대한, 한국 and 국민 are all common pairs).
COMMON = ["안녕", "사람", "하세요", "감사", "학교", "사랑", "고양이", "컴퓨터", "습니다", "아버지", "친구", "오늘"]


@pytest.fixture(scope="module")
def built():
    return build_syllable_bigrams()


@pytest.fixture(scope="module")
def lm():
    return SyllableLM.load()


def is_hangul(word):
    return all("가" <= ch <= "힣" for ch in word)


def test_the_shipped_language_model_is_what_wordfreq_gives(built):
    shipped = load_language_model()
    np.testing.assert_array_equal(shipped.prev, built.prev)
    np.testing.assert_array_equal(shipped.next, built.next)
    np.testing.assert_allclose(shipped.count, built.count.astype(np.float32), rtol=1e-6)
    assert shipped.words == built.words
    np.testing.assert_allclose(shipped.freqs, built.freqs.astype(np.float32), rtol=1e-6)
    assert shipped.source == built.source == "wordfreq 3.1.1 ko (best)"
    assert LANGUAGE_FILE.stat().st_size < 4e6


def test_bigrams_are_frequency_weighted_pairs_inside_words_with_boundaries(built):
    import wordfreq

    freq = wordfreq.get_frequency_dict("ko", "best")
    keys = built.prev.astype(np.int64) * (BOUNDARY + 1) + built.next
    assert np.all(np.diff(keys) > 0) and built.count.min() > 0  # sorted, each pair once
    # 사람 holds 사→람; 윗사람 and 집사람 do too; nothing else in the list does
    assert built.get("사", "람") == pytest.approx(freq["사람"] + freq["윗사람"] + freq["집사람"])
    assert built.get(None, "안") >= freq["안녕"] + freq["안녕히"]  # the word start
    assert built.get("녕", None) >= freq["안녕"]  # the word end
    assert built.get(None, None) == 0 and built.get("뷁", "똠") == 0
    # every word (start) is counted once: the word starts sum to the Hangul words' total frequency
    hangul = {w: f for w, f in freq.items() if is_hangul(w)}
    assert built.count[built.prev == BOUNDARY].sum() == pytest.approx(sum(hangul.values()))
    assert built.count[built.next == BOUNDARY].sum() == pytest.approx(sum(hangul.values()))
    assert set(built.words) == set(hangul) and all(1 <= len(w) <= 8 for w in built.words)
    assert np.all(np.diff(built.freqs) <= 0) and built.words[0] == "이"


def test_exclude_removes_a_words_contribution(built, lm):
    import wordfreq

    f = wordfreq.get_frequency_dict("ko", "best")["안녕"]
    without = build_syllable_bigrams(exclude=["안녕"])
    assert "안녕" not in without.words and "안녕히" in without.words
    assert without.get("안", "녕") == pytest.approx(built.get("안", "녕") - f)
    assert without.get(None, "안") == pytest.approx(built.get(None, "안") - f)
    assert without.get("녕", None) == pytest.approx(built.get("녕", None) - f)
    assert without.get("사", "람") == built.get("사", "람")
    unseen = SyllableLM(without)
    assert unseen.word_log_prob("안녕") < lm.word_log_prob("안녕") - 1
    assert unseen.word_log_prob("사람") == pytest.approx(lm.word_log_prob("사람"), abs=0.05)
    # what the control is for: an unseen common word still beats its scrambled syllables
    assert unseen.word_log_prob("안녕") > unseen.word_log_prob("녕안")


def test_common_words_score_higher_than_their_syllables_scrambled(lm):
    for word in COMMON:
        score = lm.word_log_prob(word)
        assert np.isfinite(score)
        for perm in set(itertools.permutations(word)) - {tuple(word)}:
            assert lm.word_log_prob("".join(perm)) < score, ("".join(perm), word)
    assert lm.word_log_prob("사람") > lm.word_log_prob("사랑") > lm.word_log_prob("사럄")


def test_every_syllable_gets_a_finite_log_prob_unseen_below_seen(lm):
    every = label_space("hangul-11172")
    never = syllable_prior() == syllable_prior().min()  # in no entry of the word list
    assert 5000 < never.sum() < 11172
    for prev in [None, "이", "안", "사", "뷁"]:
        row = lm.row(prev)
        assert row.shape == (BOUNDARY + 1,) and np.all(np.isfinite(row)) and np.all(row < 0)
        assert np.exp(row).sum() == pytest.approx(1, abs=1e-9)  # the syllables and the word end
        seen = np.zeros(BOUNDARY + 1, bool)
        seen[lm.bigrams.next[lm.bigrams.prev == (BOUNDARY if prev is None else every.index(prev))]] = True
        if seen.any():
            assert row[seen].min() > row[:BOUNDARY][never].max()
        else:  # never a previous syllable: the unigram alone
            np.testing.assert_allclose(np.exp(row[:BOUNDARY]) / np.exp(row[:BOUNDARY]).sum(), syllable_prior(),
                                       rtol=1e-5)
    # seen after 안 > seen in words but never after 안 (the unigram's share) > in no word at all
    assert lm.bigrams.get("안", "녕") > 0 and lm.bigrams.get("안", "는") == lm.bigrams.get("안", "넝") == 0
    assert lm.log_prob("안", "녕") > lm.log_prob("안", "는") > lm.log_prob("안", "넝") == lm.log_prob("안", "뷁")
    assert lm.end_log_prob("녕") > lm.end_log_prob("안")  # 안녕 ends a word; 안 mostly goes on


def test_log_probs_matches_log_prob_element_wise(lm):
    every = label_space("hangul-11172")
    rng = np.random.default_rng(0)
    cands = [every.labels[i] for i in rng.choice(11172, 40, replace=False)] + ["녕", "람", "다", "이"]
    for prev in [None, "안", "사", "이", "뷁"]:
        vec = lm.log_probs(prev, cands)
        assert vec.dtype == np.float64 and vec.shape == (len(cands),)
        np.testing.assert_array_equal(vec, [lm.log_prob(prev, c) for c in cands])
        np.testing.assert_array_equal(vec, lm.log_probs(prev, every.indices(cands)))  # indices too
        np.testing.assert_array_equal(vec, lm.row(prev)[every.indices(cands)])
        assert lm.end_log_prob(prev) == lm.row(prev)[BOUNDARY]
    np.testing.assert_array_equal(lm.log_probs(every.index("안"), ["녕"]), lm.log_probs("안", ["녕"]))
    assert lm.log_probs("안", []).shape == (0,)
    assert lm.word_log_prob("안녕") == pytest.approx(
        lm.log_prob(None, "안") + lm.log_prob("안", "녕") + lm.end_log_prob("녕"))


def test_the_model_loads_once_and_names_what_is_not_a_syllable(lm):
    assert SyllableLM.load() is lm and SyllableLM.load(LANGUAGE_FILE) is SyllableLM.load(str(LANGUAGE_FILE))
    with pytest.raises(LabelError, match="labels a are not"):
        lm.log_probs("안", ["녕", "a"])
    with pytest.raises(LabelError):
        lm.log_prob("a", "녕")


def test_common_words_are_deterministic_distinct_and_within_lengths():
    words = common_words(300, seed=0)
    assert words == common_words(300, seed=0) and words != common_words(300, seed=1)
    assert len(set(words)) == 300 and all(is_hangul(w) and 2 <= len(w) <= 6 for w in words)
    assert {"사람", "우리"} & set(words)  # weighted by frequency: the most common show up
    top = set(load_language_model().words[:20_000])
    assert set(words) <= top
    four = common_words(50, min_syllables=4, max_syllables=4, seed=3, exclude=["대한민국"])
    assert all(len(w) == 4 for w in four) and "대한민국" not in four
    assert "사람" not in common_words(300, seed=0, exclude=["사람"])
    with pytest.raises(ValueError):
        common_words(10**6)


def test_common_phrases_are_deterministic_and_at_most_8_syllables():
    phrases = common_phrases(100, seed=0)
    assert phrases == common_phrases(100, seed=0) and phrases != common_phrases(100, seed=1)
    assert len(set(phrases)) == 100
    for phrase in phrases:
        words = phrase.split(" ")
        assert 2 <= len(words) <= 3 and len(set(words)) == len(words)
        assert all(is_hangul(w) and len(w) >= 2 for w in words) and sum(map(len, words)) <= 8
    assert {len(p.split()) for p in phrases} == {2, 3}
    assert all(len(p.split()) == 2 for p in common_phrases(20, words_per_phrase=(2, 2), seed=5))


def test_the_language_model_ships_as_package_data():
    tomllib = pytest.importorskip("tomllib")
    root = Path(__file__).resolve().parents[1]
    with open(root / "pyproject.toml", "rb") as f:
        globs = tomllib.load(f)["tool"]["setuptools"]["package-data"]["handpad"]
    rel = LANGUAGE_FILE.relative_to(root / "handpad").as_posix()
    assert any(fnmatch(rel, g) for g in globs)
