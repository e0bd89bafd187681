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
