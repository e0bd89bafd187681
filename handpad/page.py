"""A page's ink -> its lines of writing: what is not writing taken out, the turn found, the lines cut.

:func:`handpad.reading.read` reads an image in two steps: this module's, on the image's ink map
(:func:`handpad.preprocess.ink_map`), then a line's (:mod:`handpad.reading`). Here, in the order ``read``
applies them:

1. **Not writing.** Printed lines across the page (ruled paper, a grid, a form's boxes):
   :func:`without_rules` and :func:`without_rules_across`; a box drawn around the writing:
   :func:`without_box`; underlines: :func:`without_underlines`; a photo's thumb, dark corner or punched
   holes: :func:`without_scan_marks`. Each gives the ink back unchanged where it finds nothing of its kind.
2. **The turn.** A page photographed askew: :func:`skew_angle`, :func:`turned`.
3. **The lines.** Bands of rows with ink, split where empty rows separate two bands that each look like a
   line of text (:func:`text_lines`; :func:`page_lines` tries the page as it is and turned straight).

Every threshold is a named constant below, set on validation pages (``docs/reading.md`` tells which).
"""
from __future__ import annotations

import cv2
import numpy as np

from .errors import NothingDrawnError
from .preprocess import _frame

BOX_THRESHOLD = 0.25  # ink-map level counted as ink
DUST_AREA = 3  # pieces of this many pixels or fewer are dust (a fine pen's thin strokes make pieces of only ~200)
# Several lines in one image (a photo of a page): bands of rows with ink, split where empty rows
# separate two bands that each look like a line of text (set on pages stacked from the validation
# lines, against single validation syllables, which must not be split; see text_lines):
LINE_GAP = 0.1  # the empty band is at least this share of the two bands' mean height,
LINE_HEIGHTS = 0.7  # the lower band is at least this share of the higher one's height, and each band is
LINE_WIDE = 2.5  # at least this many of its heights wide, or holds two runs of ink side by side each
LINE_RUN = 0.4  # at least this share of the higher band's height wide (a syllable's parts are narrower)
LINE_LONG = 3.0  # bands this many heights wide are lines for sure: their median height is the line height,
LINE_TALL = 0.8  # and a band at least this share of it high is a (short) line too, whatever its width
LINE_HEIGHTS_READ = 0.5  # with a reader (reading.read_apart), bands this alike in height may be asked about too
PAGE_TURN = 15.0  # a page photographed askew: turns up to this many degrees either way are tried (6 until
# the seventeenth sitting: validation pages turned ±10° had all their lines found 85.3% of the time, now 91.7%)
PAGE_TURN_STEP = 0.5  # ... to this many
SKEW_SIDE = 100  # the turn is found on a copy about this many pixels on its long side (100-200)
NOISE_SMALL = 0.05  # ink below this, on that copy, is left out
SKEW_CORE = 0.3  # its strokes' middles: above this share of its darkest ink
SKEW_ROOM = 2.0  # ink less high than this many of its tallest pieces (90th percentile) holds one line,
SKEW_PIECES = 6  # and so does ink of fewer pieces than this


def _no_hole(ink: np.ndarray) -> bool:
    """Whether a piece's mask (True = ink) encloses no paper (a dot, a tick; not an o or a ㅁ)."""
    paper = np.pad(~ink, 1, constant_values=True).astype(np.uint8)  # paper all round, as one piece
    return cv2.connectedComponents(paper, connectivity=4)[0] == 2  # background and that piece: no hole


def _runs(flags: np.ndarray) -> list[tuple[int, int]]:
    """The maximal runs of True in a 1-D bool array: [(start, end)], end exclusive."""
    edges = np.flatnonzero(np.diff(np.concatenate([[0], flags.astype(np.int8), [0]])))
    return [(int(a), int(b)) for a, b in zip(edges[::2], edges[1::2])]


def text_lines(ink: np.ndarray, apart=None) -> list[tuple[int, int]]:
    """The lines of text in an ink map (ink = 1, as :func:`handpad.preprocess.ink_map` makes it), top
    to bottom, as row ranges (y0, y1) that cover the image: one range for a single line.

    Bands of rows with ink are separated by empty rows. Two neighbouring bands are two lines where
    the empty rows between them are at least LINE_GAP of their mean height, the lower band is at least
    LINE_HEIGHTS of the higher, and each is a line's shape: LINE_WIDE of its heights wide, or two runs
    of ink side by side each LINE_RUN of the higher band's height wide, or LINE_TALL of the height of
    the page's surely long lines (LINE_LONG heights wide, of several pieces). Else the closest two bands
    that are not two lines are joined first and the rest judged again: a syllable whose final consonant
    (or ㅡ) sits apart under it is one line (joined to its syllable, not to the next line), and so are
    two lines whose ink overlaps in height (a drifting baseline).

    Short lines (a list of one- or two-syllable words) have none of those shapes: with ``apart`` (a
    function of the upper band's ink, the lower one's and both together, :func:`handpad.reading.read_apart`), bands far
    enough apart and at least LINE_HEIGHTS_READ as high as each other (a tall 물 under a flat 라면) are
    two lines where it says so; it is asked only there, and where a band is a line's shape only by its two
    runs side by side (a ㅅ's two strokes are that too): it has the last word there."""
    mask = ink > BOX_THRESHOLD
    bands = [list(r) for r in _runs(mask.any(axis=1))]

    def long(b: list) -> bool:  # wide, and of several pieces side by side (a ㅡ alone is wide too)
        cols = _runs(mask[b[0]:b[1]].any(axis=0))
        pieces = sum(c1 - c0 >= LINE_RUN * (b[1] - b[0]) for c0, c1 in cols)
        return cols[-1][1] - cols[0][0] >= LINE_LONG * (b[1] - b[0]) and pieces >= 2

    tallest = max(b[1] - b[0] for b in bands) if bands else 0
    # (a band much lower than the tallest is a row of jamo, a ㅡ drawn in pieces: no line to measure by)
    long_lines = [b[1] - b[0] for b in bands if long(b) and b[1] - b[0] >= LINE_HEIGHTS_READ * tallest]
    line_height = float(np.median(long_lines)) if long_lines else np.inf

    def shape(b: list, height: float) -> tuple[float, float]:  # >= 1 where band b looks like a line next to one
        cols = _runs(mask[b[0]:b[1]].any(axis=0))  # `height` high: surely (wide, or as high as the long lines),
        runs = sorted((c1 - c0 for c0, c1 in cols), reverse=True) + [0, 0]  # and by its two runs side by side
        return (max((cols[-1][1] - cols[0][0]) / (LINE_WIDE * (b[1] - b[0])), (b[1] - b[0]) / (LINE_TALL * line_height)),
                runs[1] / (LINE_RUN * height))

    def gap(a: list, b: list) -> float:  # >= 1 where the rows between a and b are room enough for two lines
        return (b[0] - a[1]) / (LINE_GAP * 0.5 * (a[1] - a[0] + b[1] - b[0]))

    judged: dict = {}

    def two_lines(a: list, b: list) -> bool:
        ha, hb = a[1] - a[0], b[1] - b[0]
        alike = min(ha, hb) / max(ha, hb)
        if gap(a, b) < 1.0:
            return False
        (sure_a, runs_a), (sure_b, runs_b) = shape(a, max(ha, hb)), shape(b, max(ha, hb))
        if alike >= LINE_HEIGHTS and min(sure_a, sure_b) >= 1.0:
            return True
        if apart is None:  # shapes alone: two runs of ink side by side are a line's too
            return alike >= LINE_HEIGHTS and min(max(sure_a, runs_a), max(sure_b, runs_b)) >= 1.0
        if alike < LINE_HEIGHTS_READ:  # (jamo side by side, as ㅅ's two strokes, may be so too: the reader is asked)
            return False
        if (key := (*a, *b)) not in judged:
            judged[key] = bool(apart(ink[a[0]:a[1]], ink[b[0]:b[1]], ink[a[0]:b[1]]))
        return judged[key]

    while len(bands) > 1:  # the closest two bands that are not two lines are joined first (a final
        joined = [k for k, (a, b) in enumerate(zip(bands, bands[1:])) if not two_lines(a, b)]  # consonant apart
        if not joined:  # joins its own syllable, not the next line), and the rest judged again
            break
        i = min(joined, key=lambda k: gap(bands[k], bands[k + 1]))
        bands[i:i + 2] = [[bands[i][0], bands[i + 1][1]]]
    cuts = [0] + [(a[1] + b[0]) // 2 for a, b in zip(bands, bands[1:])] + [ink.shape[0]]
    return list(zip(cuts[:-1], cuts[1:]))


def skew_angle(ink: np.ndarray) -> float:
    """The turn (degrees, as :func:`cv2.getRotationMatrix2D` takes it) within +-PAGE_TURN that lines up
    the rows of a page photographed askew, or 0.0 where the ink has no room for two lines (it is less
    than SKEW_ROOM times as high as its tallest pieces, or has fewer than SKEW_PIECES pieces). Found on
    a copy halved until at most 2 * SKEW_SIDE px on its long side, whole degrees first and then
    PAGE_TURN_STEP beside the best, by the sharpest row profile (the sum of squares of the rows' ink:
    largest where the ink gathers into few rows, lines with empty rows between them) of the ink sheared
    by each angle: for small turns the same rows as turning it, and all angles in one pass. (The sum of squared differences of neighbouring rows, tried
    first, followed the jamo rows inside lines: pages turned within +-3 and +-5 degrees had all their lines
    found 90.7 and 87.0% of the time against 94.3 and 94.3%; validation pages, bench/page_lines.py.)"""
    small = ink
    while max(small.shape) > 2 * SKEW_SIDE:  # halved (Gaussian pyramid: fast, thin strokes kept faintly)
        small = cv2.pyrDown(small)
    ys, xs = np.nonzero(small > NOISE_SMALL)
    if len(ys) == 0:
        return 0.0
    # no room for two lines: ink hardly higher than its tallest pieces (one line, however it drifts), or
    # too few pieces for two lines of syllables (one syllable, its final consonant apart)
    core = (small > SKEW_CORE * small.max()).astype(np.uint8)
    heights = cv2.connectedComponentsWithStats(core, connectivity=8)[2][1:, cv2.CC_STAT_HEIGHT]
    rows = np.flatnonzero(core.any(axis=1))
    if len(heights) < SKEW_PIECES or rows[-1] - rows[0] + 1 < SKEW_ROOM * np.percentile(heights, 90):
        return 0.0
    weights = small[ys, xs].astype(np.float64)
    across = xs - small.shape[1] / 2.0

    def profiles(angles) -> np.ndarray:  # the row profiles of the ink sheared by each angle, in one bincount
        rows = np.round(ys[None, :] - across[None, :] * np.sin(np.radians(np.asarray(angles, np.float64)))[:, None])
        rows = (rows - rows.min(axis=1, keepdims=True)).astype(np.int64)
        length = int(rows.max()) + 1
        flat = (rows + length * np.arange(len(angles))[:, None]).ravel()
        return np.bincount(flat, weights=np.tile(weights, len(angles)), minlength=length * len(angles)).reshape(len(angles), length)

    def sharpest(angles) -> float:
        sharpness = np.square(profiles(angles)).sum(axis=1)  # ink gathered into fewest rows: lines and gaps
        return float(max(zip(sharpness, -np.abs(angles), angles))[2])  # the sharpest; of equals, the least turn

    coarse = sharpest(np.arange(-PAGE_TURN, PAGE_TURN + 0.5, 1.0))  # whole degrees, then the half degrees beside
    return sharpest(np.clip([coarse - PAGE_TURN_STEP, coarse, coarse + PAGE_TURN_STEP], -PAGE_TURN, PAGE_TURN))


def turned(ink: np.ndarray, angle: float) -> np.ndarray:
    """The ink turned by ``angle`` degrees about its centre (same size; :func:`skew_angle`)."""
    h, w = ink.shape
    return cv2.warpAffine(ink, cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0), (w, h), flags=cv2.INTER_LINEAR)


RULE_SPAN = 0.5  # a printed line (ruled paper) runs on across at least this share of the image's width,
RULE_RUN = 40  # found as horizontal runs of at least this many px (at most W / 20) of ink smeared
RULE_DRIFT = 9  # this many rows (a line turned up to ~11 degrees, or wobbling) and
RULE_GAPS = 5  # this many columns (a thin, faint line turned with the page comes in dashes),
RULE_FAINT = 0.1  # ink this strong or more; it is a printed line where ink lies
RULE_NEAR = 2.0  # this near (px) a straight line
RULE_STRAIGHT = 0.95  # in at least this share of the columns it spans (strokes touching it fill the rest),
RULE_THIN = 6  # at most this many px thick (paper above and below it in most of its columns),
RULE_LONG = 3.0  # at least this many heights of the writing long (its pieces' 90th percentile),
RULE_EDGE = 0.05  # and reaching this near (share of the width) both sides of the image (or its top or bottom),
RULE_FRAME = 24  # or ending at a line up and down at least this long (px; a row of boxes' outer wall)
RULE_LONG_BOXES = 1.5  # ... and then this many heights of the writing long will do (a row of two boxes)


def without_rules(ink: np.ndarray) -> np.ndarray:
    """The ink map without the printed lines of ruled paper or of a grid (원고지), or an underline across
    the page: ink that runs on across at least RULE_SPAN of the image's width (or height) along a straight
    line (turned up to PAGE_TURN degrees), as no handwritten stroke does (a syllable's ㅡ spans one syllable;
    the bars of syllables side by side that touch wander), from side to side of the image or to a line up
    and down at its ends (a row of boxes' outer walls). The band of the line is cleared across the whole
    image, but for strokes that cross it. Between two such lines, the walls of a row of boxes (원고지 of one
    row, a form's character boxes) go too (:func:`_without_walls`). The ink itself where there is no such
    line (all of the 3,900 lines of nine test sets); looked for at a quarter of the size first."""
    across, rules = _without_lines(ink)
    turned_over = across.T
    upright, _ = _without_lines(turned_over, boxes=False)  # up and down: the same, on the transpose
    out = across if upright is turned_over else np.ascontiguousarray(upright.T)
    if len(rules) >= 2:  # a row of boxes (원고지, a form's boxes): the walls between two rules go too
        out = _without_walls(out, ink, rules)
    if out is not ink and not (out > BOX_THRESHOLD).any():
        raise NothingDrawnError("nothing drawn: only ruled lines across the image, no writing")
    return out


def _without_printed_lines(ink: np.ndarray) -> np.ndarray:
    """:func:`without_rules` for :func:`handpad.reading.read`, and where what is left is one character's worth
    of writing (no wider than ONE_CHARACTER of its height, of ONE_CHARACTER_PIECES pieces at most),
    :func:`without_rules_across` (an image cropped tight to one syllable: its ㅡ runs from side to side, as a
    rule would)."""
    out = without_rules(ink)
    if out is ink or not (_frame(ink) > RULE_FAINT).any():  # a tight crop's ink is on the frame
        return out
    writing = out > BOX_THRESHOLD
    rows, cols = np.flatnonzero(writing.any(axis=1)), np.flatnonzero(writing.any(axis=0))
    if len(rows) and cols[-1] - cols[0] + 1 <= ONE_CHARACTER * (rows[-1] - rows[0] + 1):
        # a page of several lines is as narrow beside its height, but of many more pieces
        stats = cv2.connectedComponentsWithStats(writing.astype(np.uint8), connectivity=8)[2][1:]
        if np.count_nonzero(stats[:, cv2.CC_STAT_WIDTH:cv2.CC_STAT_HEIGHT + 1].max(axis=1) > RULE_THIN) <= ONE_CHARACTER_PIECES:
            return _one_character(ink, out)  # (without_rules_across, the rules already looked for)
    return out


ONE_CHARACTER = 2.0
ONE_CHARACTER_PIECES = 8  # ... and of at most this many pieces of ink (specks aside)


def without_rules_across(ink: np.ndarray) -> np.ndarray:
    """:func:`without_rules` for an image of one character, then :func:`without_box` (one written in a
    printed box): the ink itself at once where none of it is on the image's frame (a drawing on the pad's
    canvas: a printed line across a photo runs out through it), and where the writing left is on the frame
    too: an image cropped tight to the character, whose own ㅡ runs from side to side (a printed line runs
    on past the writing, which has paper around it). Where a page's rules are not found (a cell's lines are
    shorter than three heights of the writing), one cell of a grid (:func:`_grid_cell`) or one box cut out
    of a row of boxes (:func:`_box_of_a_row`)."""
    if not (_frame(ink) > RULE_FAINT).any():
        return without_box(ink)
    return _one_character(ink, without_rules(ink))


def _one_character(ink: np.ndarray, out: np.ndarray) -> np.ndarray:
    """:func:`without_rules_across` of ``ink``, whose ink is on the frame, given ``out``: its :func:`without_rules`."""
    if out is ink or (_frame(out) > RULE_FAINT).any():
        out = _grid_cell(ink)
        if out is ink:
            out = _box_of_a_row(ink)
        if out is not ink and (_frame(out) > RULE_FAINT).any():
            out = ink
    return without_box(out)


def _box_of_a_row(ink: np.ndarray) -> np.ndarray:
    """One box cut out of a row of boxes (a form's, 원고지's) with paper around it: its rules run on out through
    the sides, shorter than three heights of the writing; taken away, with the box's two walls, where there
    are two rules at RULE_LONG_BOXES heights and two walls up and down between them around all the writing."""
    across, rules = _short_lines(ink)
    if len(rules) < 2:
        return ink
    walls = _wall_mask(across, ink, rules, min_walls=2)
    if walls is None:
        return ink
    out = across.copy()
    out[walls] = 0.0
    return out


def _grid_cell(ink: np.ndarray) -> np.ndarray:
    """One cell of a grid (원고지) cut out of a photo with its lines running on out through the frame: lines
    across and up and down, each from side to side, thin and straight, but only RULE_LONG_BOXES heights of
    the writing long (a cell is little larger than its character) — taken away only where there are both."""
    mask = ink > RULE_FAINT
    h, w = mask.shape
    reach = np.tan(np.radians(PAGE_TURN))
    if not (_crossed(mask[0], mask[-1], reach * h) and _crossed(mask[:, 0], mask[:, -1], reach * w)):
        return ink  # the quick answer: no line runs out through both the top and bottom, and both sides

    across, rows = _short_lines(ink)
    if not rows:
        return ink
    upright, columns = _short_lines(np.ascontiguousarray(across.T))
    return np.ascontiguousarray(upright.T) if columns else ink


def _short_lines(ink: np.ndarray) -> tuple[np.ndarray, list]:
    """:func:`_without_lines` for one character's image: lines across at RULE_LONG_BOXES heights of the
    writing, looked for three times (in a small image the lines of both ways touch in one run, and a run
    gives one line)."""
    found = []
    for _ in range(3):
        ink, lines = _without_lines(ink, boxes=False, long=RULE_LONG_BOXES)
        if not lines:
            break
        found += lines
    return ink, found


def _crossed(one: np.ndarray, other: np.ndarray, reach: float) -> bool:
    """Whether a thin line crosses both of two opposite sides of the image (``one`` and ``other``: the ink
    along them), at most ``reach`` px apart: short runs of ink on each (a stroke lying along a side is long)."""
    def crossings(side: np.ndarray) -> np.ndarray:
        runs = np.array(_runs(side), dtype=np.float64).reshape(-1, 2)
        return runs[runs[:, 1] - runs[:, 0] <= 2 * RULE_THIN].mean(axis=1)

    a, b = crossings(one), crossings(other)
    return bool(len(a) and len(b) and (np.abs(a[:, None] - b[None, :]) <= reach).any())


UNDERLINE_LONG = 2.0  # a line drawn by hand under the writing: at least this many heights of the writing long,
UNDERLINE_THIN = 0.5  # at most this many high,
UNDERLINE_ABOVE = 3  # with at least this many pieces of writing just above it (within a height of the writing),
UNDERLINE_UNDER = 0.4  # over this share of it at least,
UNDERLINE_TIGHT = 3.0  # in two characters or more, or this many heights of the writing long (touching syllables)


def without_underlines(ink: np.ndarray) -> np.ndarray:
    """The ink without lines drawn by hand under the writing, as people underline a word or a line: a piece
    of ink UNDERLINE_LONG heights of the writing long or more and UNDERLINE_THIN of a height high at most
    (a wavy pen line, not a printed one: :func:`without_rules` takes those), lying under the writing (its top
    below the middle of UNDERLINE_ABOVE or more pieces of writing above it within a height), which lies over
    UNDERLINE_UNDER of its length, in two characters or more with a gap between them or along
    UNDERLINE_TIGHT heights at least (tight writing). The writing's height: that of all the other ink (a page
    of several lines is too high for any line to be long beside it). A syllable's ㅡ is about as long as
    the syllable is high (흩's ㅡ lies under ㅎ, 프's under ㅍ and the tip of the next syllable). The ink
    itself where there is none."""
    mask = (ink > BOX_THRESHOLD).astype(np.uint8)
    count, labels, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    if count < 2 + UNDERLINE_ABOVE:
        return ink
    x, y, w, h = (stats[1:, k].astype(np.float64) for k in (cv2.CC_STAT_LEFT, cv2.CC_STAT_TOP,
                                                              cv2.CC_STAT_WIDTH, cv2.CC_STAT_HEIGHT))
    writing = np.maximum(w, h) > RULE_THIN  # no specks
    gone = []
    # long enough for anything, and as long beside its own height as it must be beside the writing's
    for c in np.flatnonzero((w >= UNDERLINE_LONG * UNDERLINE_ABOVE * RULE_THIN)
                            & (w >= UNDERLINE_LONG / UNDERLINE_THIN * h)):
        others = writing & (np.arange(len(x)) != c)
        if np.count_nonzero(others) < UNDERLINE_ABOVE:
            continue
        height = float(np.percentile(y[others] + h[others], 90) - np.percentile(y[others], 10))
        if w[c] < UNDERLINE_LONG * height or h[c] > UNDERLINE_THIN * height:
            continue
        # the writing just above it: pieces over its length whose middle is higher than its top, within a height
        near = np.flatnonzero(others & (x + w > x[c]) & (x < x[c] + w[c]) & (y + h / 2 < y[c])
                              & (y[c] - (y + h) <= height))
        if len(near) < UNDERLINE_ABOVE:
            continue
        spans = _runs(np.isin(np.arange(int(x[c]), int(x[c] + w[c])),
                              np.concatenate([np.arange(int(x[k]), int(x[k] + w[k])) for k in near])))
        wide = [b - a for a, b in spans if b - a >= UNDERLINE_THIN * height]  # characters, not a neighbour's tip
        if (sum(b - a for a, b in spans) >= UNDERLINE_UNDER * w[c]
                and (len(wide) >= 2 or w[c] >= UNDERLINE_TIGHT * height)):
            gone.append(c + 1)
    if not gone:
        return ink
    out = ink.copy()
    out[np.isin(labels, gone)] = 0.0
    return out


BOX_SIDE = 0.9  # a printed box's sides each run straight along at least this share of the ink's extent,
BOX_TURN = 5.0  # turned up to this many degrees, with paper just inside it along this share of it,
BOX_CLEAR = 0.7
BOX_MIN = 36  # px: each side at least this long (a small digit's loop is straight to 2 px too)


SCAN_MIN_SIDE = 100  # images smaller than this each way are no page (a scanned character's crop)
SCAN_EDGE = 0.9  # ink along at least this share of a side of the image (a scanner's dark border, a shadow at the
SCAN_TALL = 2.0  # edge), at least this many times as long as the writing's pieces are high (90th percentile), and
SCAN_CONTACT = 0.8  # on the image's side along this share of it, ...
SCAN_DISK_FILL = 0.7  # ... or a filled round blob (a punch hole): ink over this share of its box, no hole, about
SCAN_DISK_SIZE = 0.4  # as wide as high and at least this share of the writing's height across: not writing
SCAN_DISKS = 4  # (a page has a few punch holes: more such blobs are something else)
SCAN_SOLID = 0.45  # a piece at the image's side with ink over this share of its box (strokes fill less) and of at
SCAN_SOLID_AREA = 0.5  # least this many times the writing's height squared: a thumb, a dark corner (not writing)


def _filled_round(bw: np.ndarray, bh: np.ndarray, area: np.ndarray) -> np.ndarray:
    """Which pieces (their boxes' widths, heights and ink areas) fill their box as a disc does: a punch hole's shape."""
    return (area >= SCAN_DISK_FILL * bw * bh) & (bw <= 1.33 * bh) & (bh <= 1.33 * bw)


def _scan_marks_likely(mask: np.ndarray) -> bool:
    """Whether the ink, looked at a quarter of its size, has anything :func:`without_scan_marks` takes: ink at a side
    of the image, or a filled round blob at least 3 (quarter) pixels across. A pad's strokes and most lines have
    neither."""
    h, w = mask.shape
    small = (cv2.resize(mask * 255, (w // 4, h // 4), interpolation=cv2.INTER_AREA) > 0).astype(np.uint8)
    if small[0].any() or small[-1].any() or small[:, 0].any() or small[:, -1].any():
        return True
    n, _, stats, _ = cv2.connectedComponentsWithStats(small, connectivity=8)
    x, y, bw, bh, area = (stats[1:, k] for k in range(5))
    return bool(((np.minimum(bw, bh) >= 3) & _filled_round(bw, bh, area)).any())


def without_scan_marks(ink: np.ndarray) -> np.ndarray:
    """The ink map without what a scanner or a punch leaves on a page: ink along a whole side of the image, far
    longer than the writing is high (a dark border, the shadow of the page's edge), and filled round blobs at least
    0.4 of the writing's height across (punch holes; a full stop is far smaller, no stroke fills its box), and solid
    pieces at the image's side, large beside the writing (a thumb, a dark corner of a photo). Only where the writing
    keeps a margin (a tight crop's strokes reach its sides: a PHD08 나's ㅏ runs along one) and something else is left;
    the ink itself where there is nothing of the kind."""
    if min(ink.shape) < SCAN_MIN_SIDE:  # a scan's crop of one character (PHD08, MNIST): no page around it
        return ink
    mask = (ink > BOX_THRESHOLD).astype(np.uint8)
    if not _scan_marks_likely(mask):
        return ink  # the quick answer (a pad's canvas, most lines): nothing of the kind even at a quarter of the size
    n, labels, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    if n <= 2:
        return ink
    h, w = mask.shape
    x, y, bw, bh, area = (stats[1:, k] for k in range(5))
    if x.min() == 0 and y.min() == 0 and (x + bw).max() == w and (y + bh).max() == h:
        return ink  # ink on all four sides: a crop cut tight to the writing (its strokes run along its sides)
    touching = (x == 0) | (y == 0) | (x + bw == w) | (y + bh == h)
    along = ((x == 0) | (x + bw == w)) & (bh >= SCAN_EDGE * h) | ((y == 0) | (y + bh == h)) & (bw >= SCAN_EDGE * w)
    filled = _filled_round(bw, bh, area)
    solid = touching & (area >= SCAN_SOLID * bw * bh)
    if not (along.any() or filled.any() or solid.any()):
        return ink  # the quick answer: nothing of the kind
    writing = ~(along | filled | solid) & (area > DUST_AREA)
    if not writing.any() or (writing & touching).any():
        return ink  # the writing reaches the image's side: a tight crop (a PHD08 scan's 나: its ㅏ along the side)
    height = float(np.percentile(bh[writing], 90))
    # a thumb or a dark corner in a photo: a solid piece at the image's side, large and thick beside the writing
    # (thin printed lines from side to side are without_rules' to take)
    solid &= (area >= SCAN_SOLID_AREA * height * height) & (np.minimum(bw, bh) >= SCAN_DISK_SIZE * height)
    edge = along & (np.maximum(bh * (bh >= SCAN_EDGE * h), bw * (bw >= SCAN_EDGE * w)) >= SCAN_TALL * height)
    for k in np.flatnonzero(edge):  # and on the side itself most of the way (a stroke's end touches it here and there)
        piece = labels == k + 1
        sides = [piece[:, 0], piece[:, -1]] if bh[k] >= SCAN_EDGE * h else []
        sides += [piece[0], piece[-1]] if bw[k] >= SCAN_EDGE * w else []
        edge[k] = max(np.count_nonzero(side) / side.size for side in sides) >= SCAN_CONTACT
    disk = filled & (np.minimum(bw, bh) >= SCAN_DISK_SIZE * height)
    if np.count_nonzero(disk) > SCAN_DISKS:  # blots all over are no punch holes (noise: refused as no line of writing)
        disk[:] = False
    disk &= np.array([_no_hole(labels[y[k]:y[k] + bh[k], x[k]:x[k] + bw[k]] == k + 1) if disk[k] else False
                      for k in range(n - 1)], bool)
    gone = np.flatnonzero(edge | disk | solid) + 1
    if not len(gone):
        return ink
    out = ink.copy()
    out[np.isin(labels, gone)] = 0.0
    return out


def without_box(ink: np.ndarray) -> np.ndarray:
    """One character written in a printed box (a form's box, a cell of 원고지 cropped to it), without the box:
    its four sides are the four sides of all the ink, each a straight thin line (≤ RULE_THIN px) along at
    least BOX_SIDE of it, turned up to BOX_TURN degrees, with writing inside (an empty rectangle may be a
    drawn 0). Strokes that cross a side keep their ink there. The ink itself where there is no such box
    (no Hangul syllable is closed in by its own strokes: a canvas drawing's edges are its strokes' ends)."""
    mask = ink > RULE_FAINT
    rows, cols = np.flatnonzero(mask.any(axis=1)), np.flatnonzero(mask.any(axis=0))
    if not len(rows):
        return ink
    y0, x0 = int(rows[0]), int(cols[0])
    box = mask[y0:rows[-1] + 1, x0:cols[-1] + 1]
    h, w = box.shape
    if min(h, w) < BOX_MIN:
        return ink
    reach = min(RULE_THIN + int(np.ceil(np.tan(np.radians(BOX_TURN)) * max(h, w))), min(h, w) // 3)
    # each side as a strip along it (the left and right ones turned across) and where the strip starts
    sides = ((box[:reach], 0, False), (box[h - reach:], h - reach, False),
             (box[:, :reach].T, 0, True), (box[:, w - reach:].T, w - reach, True))
    if min(float(strip.any(axis=0).mean()) for strip, _, _ in sides) < BOX_SIDE:
        return ink  # the quick answer: some side of the ink is not ink along nearly all of it
    bands, crossings = [], []
    strokes = (ink[y0:y0 + h, x0:x0 + w] > BOX_THRESHOLD).astype(np.uint8)
    for strip, start, upright in sides:
        # the outermost ink of each column alone (a stroke near the side, thicker and as long, is inside it)
        outer = strip if start == 0 else strip[::-1]
        first = outer.argmax(axis=0)
        ys, xs = np.nonzero(outer & (np.arange(len(outer))[:, None] <= first[None, :] + RULE_THIN))
        line = _straight_line(ys, xs, strip.shape[1])
        if line is None:
            return ink
        slope, offset, thick = line
        along = xs[np.abs(ys - (offset + slope * xs)) <= RULE_NEAR]
        if thick > RULE_THIN or np.ptp(along) + 1 < BOX_SIDE * strip.shape[1]:
            return ink
        if start:  # back to the strip's own rows
            slope, offset = -slope, len(strip) - 1 - offset
        length, across = (h, w) if upright else (w, h)
        centre = start + offset + slope * np.arange(length, dtype=np.float64)
        # thin, as printed: paper just inside it along most of it (a glyph's bold bar has its own ink there)
        inward = 1.0 if start == 0 else -1.0
        within = np.round(centre + inward * (thick / 2.0 + 3.0)).astype(int)
        ok = (within >= 0) & (within < across)
        at = (np.arange(length)[ok], within[ok]) if upright else (within[ok], np.arange(length)[ok])
        if not ok.any() or np.mean(~box[at]) < BOX_CLEAR:
            return ink
        # the band of the side (its soft edges too) in the box's rows and columns
        band = np.abs(np.arange(across, dtype=np.float64)[:, None] - centre[None, :]) <= thick / 2.0 + 2.0
        bands.append(band.T if upright else band)
        kernel = np.ones((1, 8) if upright else (8, 1), np.uint8)  # a stroke across the side runs on through it
        crossings.append(cv2.morphologyEx(strokes, cv2.MORPH_OPEN, kernel) > 0)
    cleared = np.logical_or.reduce(bands)
    # one printed line all round: the four sides are of one piece of ink (a glyph's outer bars are of several)
    labels = cv2.connectedComponents(box.astype(np.uint8), connectivity=8)[1]
    if len(np.unique(labels[cleared & box])) > 1:
        return ink
    kept = np.zeros_like(cleared)
    for k, (band, crossing) in enumerate(zip(bands, crossings)):
        others = np.logical_or.reduce([b for j, b in enumerate(bands) if j != k])  # a corner is two sides'
        kept |= band & crossing & ~others
    out = ink.copy()
    inside = out[y0:y0 + h, x0:x0 + w]
    inside[cleared & ~kept] = 0.0
    # what is left of the box (a turned side's ends at the corners, its soft edges) lies along the sides
    # alone; a stroke kept where it crosses a side runs on inside
    near = cv2.dilate(cleared.astype(np.uint8), np.ones((7, 7), np.uint8)) > 0
    count, pieces = cv2.connectedComponents((inside > RULE_FAINT).astype(np.uint8), connectivity=8)
    if count > 1:
        off_sides = np.bincount(pieces[~near], minlength=count) > 0
        inside[~off_sides[pieces]] = 0.0
    if not (out > BOX_THRESHOLD).any():
        return ink  # nothing inside: a rectangle drawn (a 0, a ㅁ), not a box written in
    return out


def _without_lines(ink: np.ndarray, boxes: bool = True,
                   long: float = RULE_LONG) -> tuple[np.ndarray, list[tuple[np.ndarray, float]]]:
    """:func:`without_rules` for the lines across the image (``ink`` itself where there is none), and
    the lines taken away: each one's row (float) at every column, with its half thickness. ``boxes``:
    lines that end at lines up and down count too, as a row of boxes' rules (not for the upright lines:
    a row of boxes runs across, and a tall line image's strokes run up and down through half of it).
    ``long``: how many heights of the writing a line that reaches the sides must be (RULE_LONG; shorter for
    one character's cell, :func:`_short_lines`)."""
    h, w = ink.shape
    if w < 2 * RULE_RUN:
        return ink, []
    # faint ink too: a thin rule turned with the page fades below the ink threshold in places
    mask = (ink > RULE_FAINT).astype(np.uint8)
    quarter = (cv2.resize(mask * 255, (w // 4, max(1, h // 4)), interpolation=cv2.INTER_AREA) > 0).astype(np.uint8)
    if not _long_runs(quarter, 4, boxes):
        return ink, []  # the quick answer: nothing runs across the page even at a quarter of the size
    text_height = None
    rules, framed = [], []
    for part, (x0, y0), _ in _worth_a_look(_long_runs(mask, 1, boxes)):
        ys, xs = np.nonzero(part & (mask[y0:y0 + part.shape[0], x0:x0 + part.shape[1]] > 0))
        line = _straight_line(ys, xs, w)
        if line is None:
            continue
        slope, offset, thick = line
        # thin: paper just above and below it in most columns (a pen's ㅡ bars, a scanned digit's blobs are
        # thicker than a printed line)
        cols = np.arange(x0, x0 + part.shape[1])
        mid = np.round(y0 + offset + slope * (cols - x0)).astype(int)
        above, below = mid - RULE_THIN // 2 - 1, mid + RULE_THIN // 2 + 1
        inside = (above >= 0) & (below < h)
        if not inside.any() or np.mean((mask[above[inside], cols[inside]] == 0) & (mask[below[inside], cols[inside]] == 0)) < 0.5:
            continue
        # long: across several heights of the writing (a single syllable's ㅡ spans one)
        if text_height is None:
            stats = cv2.connectedComponentsWithStats((ink > BOX_THRESHOLD).astype(np.uint8), connectivity=8)[2][1:]
            stats = stats[stats[:, cv2.CC_STAT_WIDTH:cv2.CC_STAT_HEIGHT + 1].max(axis=1) > RULE_THIN]  # no specks
            narrow = stats[:, cv2.CC_STAT_WIDTH] < RULE_SPAN * w
            # all of them wide: rules alone, or an image cropped tight to one character (스's ㅅ is as wide)
            pieces = stats[narrow if narrow.any() else slice(None), cv2.CC_STAT_HEIGHT]
            text_height = float(np.percentile(pieces, 90)) if len(pieces) else 0.0
        if part.shape[1] < RULE_LONG_BOXES * text_height:
            continue
        # and from edge to edge, as the paper's lines run (a stroke stops short of the image's frame): each
        # end near the left or right side, or where a turned line leaves the image, its top or bottom
        ends = ((x0, mid[0]), (x0 + part.shape[1] - 1, mid[-1]))
        at_sides = [min(x, w - 1 - x) <= RULE_EDGE * w or min(y, h - 1 - y) <= RULE_DRIFT for x, y in ends]
        if not all(side or (boxes and _framed(mask, x, y, y + 1, 1)) for side, (x, y) in zip(at_sides, ends)):
            continue
        if part.shape[1] < long * text_height and any(at_sides):
            continue  # shorter lines only as a row of two or three boxes, framed at both ends
        # the line across the whole width (a rule runs on to the page's edges), with its soft edges
        centre = y0 + offset + slope * (np.arange(w, dtype=np.float64) - x0)
        half = max(1.0, thick / 2.0) + 3.0  # its soft edges too (a turned line's spread over a row more)
        (rules if all(at_sides) else framed).append((centre, half))
    # A line that ends at a line up and down (not at the image's sides) is a rule only as one of a row of
    # boxes: two such lines with WALLS_MIN walls between them. Else it may be a ㄱ's, ㄷ's or ㅁ's bar.
    if framed:
        lines = sorted([(r, False) for r in rules] + [(r, True) for r in framed], key=lambda r: float(r[0][0].mean()))
        for (a, a_framed), (b, b_framed) in zip(lines, lines[1:]):  # next to each other, one framed at least
            if (a_framed or b_framed) and _wall_mask(ink, ink, [a, b], WALLS_MIN) is not None:
                rules += [r for r, f in ((a, a_framed), (b, b_framed)) if f and not any(r is q for q in rules)]
    if not rules:
        return ink, []
    out = ink.copy()
    crossing = None
    for centre, half in rules:
        top, bottom = max(0, int(centre.min() - half - 1)), min(h, int(np.ceil(centre.max() + half)) + 2)
        if top >= bottom:
            continue
        if crossing is None:  # strokes that run on vertically through the band keep their ink there
            strokes = (ink > BOX_THRESHOLD).astype(np.uint8)
            crossing = cv2.morphologyEx(strokes, cv2.MORPH_OPEN, np.ones((8, 1), np.uint8)) > 0
        band = np.abs(np.arange(top, bottom)[:, None] - centre[None, :]) <= half
        out[top:bottom][band & ~crossing[top:bottom]] = 0.0
    return out, rules


def _without_walls(out: np.ndarray, ink: np.ndarray, rules: list) -> np.ndarray:
    """The walls of a row of boxes between two rules taken away (``out``: the ink without the rules).
    A wall is printed ink that runs straight up and down from one rule to the next (RULE_NEAR px of
    drift), thin (≤ RULE_THIN px); the walls of a row stand at one pitch (the boxes are alike, empty
    ones too) — a handwritten ㅣ reaching from rule to rule would stand off it —, and there are at
    least WALLS_MIN of them, or two with all the row's writing between them (a single box on ruled
    paper). The strokes that cross a wall keep their ink there."""
    remove = _wall_mask(out, ink, rules)
    if remove is None:
        return out
    removed = out.copy()
    removed[remove] = 0.0
    return removed


def _wall_mask(out: np.ndarray, ink: np.ndarray, rules: list, min_walls: int = 2) -> np.ndarray | None:
    """The pixels of the walls between the rules (:func:`_without_walls`; ``min_walls``: 2 where two
    around all the row's writing will do), or None where there are none. A row photographed turned is
    looked at turned straight."""
    h, w = out.shape
    slope = float(np.mean([(c[-1] - c[0]) / max(1, len(c) - 1) for c, _ in rules]))
    if abs(slope) <= WALL_TURN:
        return _walls(out, ink, rules, min_walls)
    # turned straight about the middle, on a canvas the whole image fits in
    angle = float(np.degrees(np.arctan(slope)))
    cos, sin = abs(np.cos(np.radians(angle))), abs(np.sin(np.radians(angle)))
    size = (int(np.ceil(w * cos + h * sin)), int(np.ceil(h * cos + w * sin)))
    turn = cv2.getRotationMatrix2D((w / 2.0, h / 2.0), angle, 1.0)
    turn[:, 2] += (size[0] / 2.0 - w / 2.0, size[1] / 2.0 - h / 2.0)
    straight = [cv2.warpAffine(x, turn, size, flags=cv2.INTER_LINEAR) for x in (out, ink)]
    level = []
    for centre, half in rules:  # each rule's row once turned: where its points go
        xs = np.arange(len(centre), dtype=np.float64)
        rows = turn[1, 0] * xs + turn[1, 1] * centre + turn[1, 2]
        level.append((np.full(size[0], float(np.median(rows))), half))
    remove = _walls(straight[0], straight[1], level, min_walls)
    if remove is None:
        return None
    remove = cv2.warpAffine(remove.astype(np.uint8), cv2.invertAffineTransform(turn), (w, h), flags=cv2.INTER_NEAREST)
    remove = cv2.dilate(remove, np.ones((3, 3), np.uint8)) > 0  # resampling's edges
    crossing = cv2.morphologyEx((out > BOX_THRESHOLD).astype(np.uint8), cv2.MORPH_OPEN, np.ones((1, 8), np.uint8)) > 0
    return remove & ~crossing


def _walls(out: np.ndarray, ink: np.ndarray, rules: list, min_walls: int = 2) -> np.ndarray | None:
    """:func:`_wall_mask` for rules across (straight)."""
    h, w = out.shape
    rules = sorted(rules, key=lambda r: float(r[0].mean()))
    remove = None
    for (upper, up_half), (lower, low_half) in zip(rules, rules[1:]):
        y0 = int(np.ceil(upper.max() + up_half)) + 1
        y1 = int(np.floor(lower.min() - low_half))
        if y1 - y0 < max(WALL_MIN, 0.5 * float((lower - upper).mean())):
            continue  # rules too close for a row of boxes
        band = (ink[y0:y1] > RULE_FAINT).astype(np.uint8)
        # up and down through the whole band, a few columns of drift allowed
        drift = cv2.dilate(band, np.ones((1, 1 + 2 * int(RULE_NEAR)), np.uint8))
        runs = cv2.erode(drift, np.ones((y1 - y0, 1), np.uint8), anchor=(0, 0), borderType=cv2.BORDER_CONSTANT,
                         borderValue=0)[0] > 0  # the columns where ink runs from the band's top to its bottom
        cols = np.flatnonzero(runs)
        if not len(cols):
            continue
        groups = np.split(cols, np.flatnonzero(np.diff(cols) > 1) + 1)
        walls = [(float(g.mean()), g) for g in groups if len(g) <= RULE_THIN + 2 * int(RULE_NEAR)]
        walls = _at_one_pitch(walls)
        inked = np.flatnonzero(band.any(axis=0))
        if len(walls) < WALLS_MIN and not (min_walls <= 2 and len(walls) == 2 and walls[0][1][0] <= inked[0] + 2 * RULE_NEAR
                                           and walls[1][1][-1] >= inked[-1] - 2 * RULE_NEAR):
            continue
        if remove is None:
            remove = np.zeros((h, w), bool)
        # from the upper rule's top to the lower one's bottom: where a wall crosses a rule, the rule's
        # removal kept its ink (a stroke through the rule, it seemed)
        y0 = max(0, int(np.floor(upper.min() - up_half)) - 1)
        y1 = min(h, int(np.ceil(lower.max() + low_half)) + 2)
        strokes = (out[y0:y1] > BOX_THRESHOLD).astype(np.uint8)
        crossing = cv2.morphologyEx(strokes, cv2.MORPH_OPEN, np.ones((1, 8), np.uint8)) > 0  # across a wall
        for _, g in walls:
            a, b = max(0, g[0] - 1), min(w, g[-1] + 2)  # its soft edges too
            remove[y0:y1, a:b] |= ~crossing[:, a:b]
    return remove


WALL_TURN = float(np.tan(np.radians(0.5)))  # rules turned further than this: the walls looked for turned straight
WALL_MIN = 12  # px between two rules for a row of boxes
WALLS_MIN = 3  # walls of a row (two boxes), or two around all of its writing
WALL_PITCH = 0.08  # walls within this share of the pitch (or RULE_NEAR px) of their places at one pitch


def _at_one_pitch(walls: list) -> list:
    """The walls (x, columns) standing at one pitch: the most of them on one lattice x0 + k * pitch, each
    distance between neighbours tried as the pitch (empty boxes have their walls too, so the boxes' own
    pitch is one of them)."""
    if len(walls) < 3:
        return walls
    xs = np.array([x for x, _ in walls])
    steps = np.diff(xs)
    best = []
    for pitch in steps:
        tol = max(WALL_PITCH * pitch, RULE_NEAR)
        for x0 in xs:
            k = np.round((xs - x0) / pitch)
            on = np.flatnonzero(np.abs(xs - x0 - k * pitch) <= tol)
            if len(on) > len(best) and len(np.unique(k[on])) == len(on):
                best = on
    return [walls[i] for i in best]


def _straight_line(ys: np.ndarray, xs: np.ndarray, width: int) -> tuple[float, float, float] | None:
    """The straight line (slope, row at column 0, thickness) that the most of these ink pixels lie on,
    turns within +-PAGE_TURN tried (as skew_angle does, by the sharpest row profile of the sheared ink),
    if it runs through at least RULE_STRAIGHT of the columns the piece spans (RULE_NEAR px from it) and
    across RULE_SPAN of the image (``width``); else None. Strokes that touch the line do not move it."""
    if len(xs) == 0:
        return None
    slopes = np.tan(np.radians(np.arange(-PAGE_TURN, PAGE_TURN + 0.25, 0.5)))
    smooth, first = _row_profiles(ys, xs, slopes)
    k, r = np.unravel_index(np.argmax(smooth), smooth.shape)
    slope, offset = float(slopes[k]), float(r + first)
    near = np.abs(ys - (offset + slope * xs)) <= RULE_NEAR
    # then to a twentieth of a degree, by the same sharpest profile, on the ink near that line (a long
    # line's ends stray several px from a half-degree step); of turns as sharp, the nearest to that step's
    if near.any():
        fine = np.tan(np.radians(np.degrees(np.arctan(slope)) + np.arange(-0.5, 0.51, 0.05)))
        # the ink as far from that line as a quarter degree's error takes it at the line's ends
        reach = RULE_NEAR + 1 + np.tan(np.radians(0.25)) * float(np.ptp(xs))
        around = np.abs(ys - (offset + slope * xs)) <= reach
        smooth, first = _row_profiles(ys[around], xs[around], fine)
        peaks = smooth.max(axis=1)
        sharpest = np.flatnonzero(peaks == peaks.max())
        k = int(sharpest[np.argmin(np.abs(sharpest - len(fine) // 2))])
        if k != len(fine) // 2:
            slope, offset = float(fine[k]), float(int(np.argmax(smooth[k])) + first)
            near = np.abs(ys - (offset + slope * xs)) <= RULE_NEAR
    for _ in range(2):  # centred on its ink (a thick or soft line's sharpest three rows may be off its middle)
        band = np.abs(ys - (offset + slope * xs)) <= RULE_THIN / 2 + 1
        if band.any():
            offset += float(np.mean(ys[band] - (offset + slope * xs[band])))
    near = np.abs(ys - (offset + slope * xs)) <= RULE_NEAR
    columns = np.unique(xs[near])
    spanned = xs.max() - xs.min() + 1
    if len(columns) < max(RULE_STRAIGHT * spanned, RULE_SPAN * width):
        return None
    thick = np.count_nonzero(near) / max(1, len(columns))
    return slope, offset, thick


def _row_profiles(ys: np.ndarray, xs: np.ndarray, slopes: np.ndarray) -> tuple[np.ndarray, int]:
    """How many of these ink pixels lie in each row of the ink sheared by each slope, summed over three rows
    (len(slopes), rows), and the row the first sum is centred on."""
    rows = np.round(ys[None, :] - xs[None, :] * slopes[:, None]).astype(np.int64)
    low = int(rows.min())
    length = int(rows.max() - low) + 1
    profile = np.bincount((rows - low + length * np.arange(len(slopes))[:, None]).ravel(),
                          minlength=length * len(slopes)).reshape(len(slopes), length)
    if length <= 2:
        return profile, low
    return profile[:, :-2] + profile[:, 1:-1] + profile[:, 2:], low + 1


def _long_runs(mask: np.ndarray, scale: int, boxes: bool = True) -> list:
    """Pieces of ``mask`` (uint8) that run on horizontally across RULE_SPAN of its width to its sides (or
    its top or bottom) or to lines up and down at its ends (:func:`_framed_end`), RULE_DRIFT / scale rows of
    drift and RULE_GAPS / scale columns of gaps allowed: [(bool crop, (x0, y0), whether it reaches the sides)],
    the crop of the smeared ink (RULE_DRIFT - 1 rows thicker than the ink); see :func:`_worth_a_look`."""
    h, w = mask.shape
    # smeared a few rows down (drift) and a few columns along (a thin faint rule seen in dashes)
    drift = cv2.dilate(mask, np.ones((max(2, RULE_DRIFT // scale), max(2, RULE_GAPS // scale)), np.uint8))
    run = max(5, min(RULE_RUN // scale, w // 20))
    runs = cv2.morphologyEx(drift, cv2.MORPH_OPEN, np.ones((1, run), np.uint8))
    count, labels, stats, _ = cv2.connectedComponentsWithStats(runs, connectivity=8)
    out = []
    for c in np.flatnonzero(stats[1:, cv2.CC_STAT_WIDTH] >= RULE_SPAN * w) + 1:
        x0, y0, cw, ch = stats[c, :4]
        # from edge to edge, or out through the top or bottom (see without_rules): strokes stop short
        frame = y0 <= RULE_DRIFT // scale or y0 + ch >= h - RULE_DRIFT // scale
        sides = (x0 <= RULE_EDGE * w or frame, x0 + cw >= (1 - RULE_EDGE) * w or frame)
        if ((sides[0] or (boxes and _framed_end(mask, labels, c, x0, scale)))
                and (sides[1] or (boxes and _framed_end(mask, labels, c, x0 + cw - 1, scale)))):
            out.append((labels[y0:y0 + ch, x0:x0 + cw] == c, (int(x0), int(y0)), all(sides)))
    return out


def _worth_a_look(runs: list) -> list:
    """The runs worth fitting a line to: all of them where one reaches the image's sides or two or more end
    at lines up and down (a row of boxes has two rules); none for a single such run (a ㅁ's or ㄷ's bar
    across a short line: it could only be a rule beside another, and fitting it costs ~2 ms)."""
    return runs if any(sided for *_, sided in runs) or len(runs) >= 2 else []


def _framed_end(mask: np.ndarray, labels: np.ndarray, c: int, x: int, scale: int) -> bool:
    """:func:`_framed` at the end (column ``x``) of run ``c`` of :func:`_long_runs`: where that end lies
    (a turned line's end is at the top or the bottom of its run's box)."""
    rows = np.flatnonzero(labels[:, x] == c)
    return bool(len(rows)) and _framed(mask, x, int(rows[0]), int(rows[-1]) + 1, scale)


def _framed(mask: np.ndarray, x: int, top: int, bottom: int, scale: int) -> bool:
    """Whether a line across (rows top..bottom-1, its end at column ``x``) ends at a printed line up and down
    (a row of boxes' outer wall, a frame's corner) instead of at the image's side: ink within 3 * RULE_GAPS
    columns of ``x`` in every one of RULE_FRAME / scale rows just above the line or just below it."""
    h, w = mask.shape
    reach, side = max(2, RULE_FRAME // scale), max(2, 3 * RULE_GAPS // scale)  # rules printed a little past it too
    near = mask[:, max(0, x - side):min(w, x + side + 1)].any(axis=1)
    above, below = near[max(0, top - reach):top], near[bottom:bottom + reach]
    return (len(above) == reach and bool(above.all())) or (len(below) == reach and bool(below.all()))


def page_lines(ink: np.ndarray, apart=None) -> tuple[list[tuple[int, int]], float, np.ndarray]:
    """The lines of an ink map as :func:`handpad.reading.read` finds them: (row ranges, angle, the ink they
    are rows of). :func:`text_lines` of the ink as it is, or of the ink turned straight (:func:`skew_angle`)
    where that parts it into more lines (a page photographed askew, whose lines overlap in height).
    ``apart``: see :func:`text_lines` (``read`` passes :func:`handpad.reading.read_apart` of its recognizer)."""
    lines = text_lines(ink, apart)
    angle = skew_angle(ink)
    if angle:
        straight = turned(ink, angle)
        if len(straight_lines := text_lines(straight, apart)) > len(lines):
            return straight_lines, angle, straight
    return lines, 0.0, ink


def _turned_back(box, angle: float, shape) -> tuple[int, int, int, int]:
    """A box found on the ink turned by ``angle`` (:func:`turned`) -> the box around it on the image."""
    h, w = shape
    back = cv2.getRotationMatrix2D((w / 2, h / 2), -angle, 1.0)
    x0, y0, x1, y1 = box
    corners = np.array([[x0, y0, 1], [x1, y0, 1], [x0, y1, 1], [x1, y1, 1]], np.float64) @ back.T
    lo, hi = np.floor(corners.min(axis=0)), np.ceil(corners.max(axis=0))
    return (int(max(lo[0], 0)), int(max(lo[1], 0)), int(min(hi[0], w)), int(min(hi[1], h)))
