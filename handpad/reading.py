"""Reading a line: several syllables (or digits) written left to right become text.

    >>> rec = Recognizer.load("hangul")
    >>> reading = rec.read(image)              # or rec.read(strokes=pad_strokes): timing helps
    >>> reading.text
    '안녕 하세요'
    >>> reading.syllables[0].box, reading.syllables[0].top
    ((12, 30, 140, 161), [('안', 0.93), ('만', 0.03), ('앙', 0.01)])

The steps, in order:

0. **Lines.** An image of several lines (a photo of a page) is cut into lines where empty rows
   separate bands of ink that each look like a line (:func:`text_lines`; short lines, which look like
   no line, where each band reads as whole syllables and the two together as none, :func:`read_apart`),
   after turning it straight where it was photographed askew (:func:`skew_angle`); each line is read as below.
1. **Pieces.** From an image: the connected pieces of ink (specks dropped); a blurred line's ink map
   stretched first (``SegmentConfig.sharpen``), small writing enlarged first (``min_height``, from the
   strokes ``stroke_min_height``), boxes given back in the image's pixels. From the pad's strokes:
   each stroke, in the order it was drawn; a stroke that lands on an earlier syllable (a tick added
   afterwards) joins that syllable, since a syllable is usually finished before the next begins.
   Marks are taken out (full stops, commas, "?", "!", hyphens, colons in numbers: :func:`_marks`,
   :func:`_end_marks`). A line of only flat strokes (a dash, a bar) takes its height from the widest one
   (:func:`_line_height`).
2. **Clusters.** Pieces stacked above each other (a vowel ㅗ under its consonant, a final consonant
   below) overlap a lot horizontally: they are joined. An image-only cluster wider than 0.8 line
   heights (neighbours written so tightly that their ink touches) is cut at its thinnest column;
   the grouping may join the parts again.
3. **Syllables.** The clusters, left to right, are grouped into syllables by a small dynamic
   program: a syllable is about as wide as the line is high (digits narrower), cuts go where the
   gaps are, a gap inside a syllable costs. The line height is measured from the ink. Groupings
   the shapes leave close are judged by the box verifier (:mod:`handpad.verifier`: is this box
   exactly one syllable?) and by how surely the recognizer reads them.
4. **Spaces.** A gap much wider than the line's usual gap between syllables starts a new word.
5. **Recognition.** Each syllable's own ink (never a neighbour's) goes through the model's one
   preprocessing, all boxes in one model call; the top candidates of each box.
6. **Prior.** For Hangul, a beam search over the candidates with a syllable-bigram language model
   (:class:`handpad.prior.SyllableLM`, from wordfreq's Korean word list) picks the most likely text:
   score = sum of log P(box | syllable) + ``weight`` * log P_LM(word). Digits: no prior.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Sequence

import cv2
import numpy as np

from .errors import HandpadError, NothingDrawnError
from .model import top_indices
from .preprocess import _frame, ink_map, rescale

# -- settings, written once ------------------------------------------------------------------


@dataclass(frozen=True)
class SegmentConfig:
    """How a line is cut into syllables (units: the line's height, so any size of writing works)."""

    min_aspect: float = 0.55  # a syllable narrower than this (a lone vowel ㅏ) is probably a piece
    max_aspect: float = 1.3  # ... wider than this is probably two syllables
    stack_overlap: float = 0.45  # pieces overlapping this share of the narrower one's width ...
    stack_min: float = 0.15  # ... and this much of the line's height: one syllable
    gap_inside: float = 2.0  # cost of leaving a gap (per line height) inside a syllable
    cut_close: float = 0.1  # cost of a cut where the pieces nearly touch (per line height, below cut_gap)
    cut_gap: float = 0.12
    stroke_cut_close: float = 0.0  # the same from the pad's strokes (tuned on validation lines: 0.1 -> 0)
    word_gap: float = 0.5  # a gap wider than this (line heights) and ...
    word_gap_ratio: float = 2.2  # ... this times the line's median gap between syllables is a space
    speck: float = 0.004  # ink pieces smaller than this share of height² are noise
    wide_cost: float = 4.0  # cost of a syllable wider than max_aspect: this x the excess squared
    split_aspect: float = 0.8  # a piece of ink wider than this is cut (touching neighbours; the grouping may join the parts again) ...
    min_part: float = 0.2  # ... into parts at least this wide (1.2 and 0.3 before the box verifier: see the README)
    cut_touch: float = 0.3  # cost of a cut through touching ink
    join_cost: float = 0.0  # cost of each more piece beside (not over) the others in one character (image) ...
    stroke_join_cost: float = 0.0  # ... (strokes); digits only: a digit is rarely two pieces side by side, a syllable often is
    stroke_order_cost: float = 1.0  # cost of a cut whose left side is not the strokes drawn first (_order_costs). Set on
    # validation lines: the most that costs no boxes when a syllable gets a stroke after the rest of the line (1.5 and
    # up do; 2-10 would read in-order lines a little better). No effect on digits there: 0 for them.
    marks: bool = True  # full stops and commas told apart (_marks): in numbers, decimal points and thousands' commas
    dashes: bool = True  # and hyphens between characters ("010-1234-5678", "2026-12-07", "서울-부산"; _marks)
    colons: bool = False  # and colons between digits ("12:30"; _colon); not for Hangul: a careless ㅑ's two ticks
    minus: bool = False  # and a hyphen's stroke before the first character is a minus sign ("-42"; numbers only)
    end_marks: bool = True  # "?" and "!" (_end_marks); not for digits: a pen-drawn MNIST 7 or 9 whose stroke leaves
    # a dot under it is a "?" (2 of 900 validation number lines; full stops and commas: none)
    min_height: float = 100.0  # in pixels: an image's writing lower than this (its pieces' 90th percentile height) is
    # cut and read from its ink map enlarged to it (cubic), as the recognizer's training glyphs were drawn large and
    # scaled down; boxes are given back in the image's pixels. Set on validation lines shrunk to 0.25-1x (docs/reading.md,
    # "Small writing"); 0: never (digits: enlarged number lines read no better)
    sharpen: bool = True  # a blurred image's ink map (BLUR_SOFT or more of its ink at mid levels) stretched from
    # BLUR_LOW..BLUR_HIGH to 0..1, so its strokes are as narrow as a sharp one's; not for digits (MNIST's soft strokes)
    stroke_min_height: float = 130.0  # the same for the pad's strokes (a syllable's height, _line_height of their
    # clusters): points and pen widths enlarged, so each box is drawn large and scaled down like the training glyphs


HANGUL_SEGMENT = SegmentConfig()
DIGITS_SEGMENT = SegmentConfig(min_aspect=0.15, max_aspect=1.35, stack_overlap=0.5, gap_inside=4.0, cut_close=0.05,
                               cut_gap=0.05, word_gap=0.6, word_gap_ratio=2.5, split_aspect=0.8, min_part=0.25,
                               join_cost=0.2, stroke_join_cost=0.3, stroke_order_cost=0.0, end_marks=False,
                               min_height=0.0, sharpen=False, colons=True, minus=True)  # strokes: enlarged as Hangul's (number
# lines read better)
SEGMENT_CONFIGS = {"hangul": HANGUL_SEGMENT, "digits": DIGITS_SEGMENT}

TOP_K = 8  # candidates listed per box (the answer's "top")
SEARCH_K = 32  # candidates per box the beam search looks at (a hand the model reads poorly has the right one lower)
BEAM = 12
PRIOR_WEIGHT = 0.7  # weight of the language model's log-probability (tuned on validation faces; with SEARCH_K and
# WORD_BONUS on the casual hand's validation lines too, bench/prior_control.py: docs/reading.md, "A casual hand's words")
BOX_THRESHOLD = 0.25  # ink-map level counted as ink
MAX_PIECES = 4  # clusters one syllable may have
FLAT = 3.0  # a piece of ink this many times as wide as high or more is flat (no syllable's height: _line_height)
SPECK_FLOOR = 0.002  # pieces below this share of the largest one's area do not set the height specks are measured by,
DUST_AREA = 3  # nor pieces of this many pixels or fewer (dust: a fine pen's thin strokes make pieces of only ~200)
BLUR_SOFT = 0.3  # a sharp line has 8-21% of its ink (above 0.1) below 0.7 (validation lines: 5th-95th percentile);
# blurred by a Gaussian of 1 px, 22-53%
BLUR_LOW, BLUR_HIGH = 0.4, 0.8  # the stretch (0.3..0.7 tried as well)
ENLARGED_PIXELS = 4_000_000  # small writing is enlarged (SegmentConfig.min_height) to at most this many pixels
MAX_LINE_PIECES = 400  # a long line has ~100 pieces of ink; more is noise or a page
MAX_STROKE_PIXELS = 16_000_000  # strokes spanning more are refused before anything is drawn
# Several lines in one image (a photo of a page): bands of rows with ink, split where empty rows
# separate two bands that each look like a line of text (set on pages stacked from the validation
# lines, against single validation syllables, which must not be split; see text_lines):
LINE_GAP = 0.1  # the empty band is at least this share of the two bands' mean height,
LINE_HEIGHTS = 0.7  # the lower band is at least this share of the higher one's height, and each band is
LINE_WIDE = 2.5  # at least this many of its heights wide, or holds two runs of ink side by side each
LINE_RUN = 0.4  # at least this share of the higher band's height wide (a syllable's parts are narrower)
LINE_LONG = 3.0  # bands this many heights wide are lines for sure: their median height is the line height,
LINE_TALL = 0.8  # and a band at least this share of it high is a (short) line too, whatever its width
LINE_HEIGHTS_READ = 0.5  # with a reader (read_apart), bands this alike in height may be asked about too:
LINE_READ = 0.1  # short lines (a list of words, no line's shape): two bands whose boxes read as syllables at least
LINE_READ_MARGIN = 0.1  # this surely, and by this much more surely than the two as one box, are two lines (read_apart)
PAGE_TURN = 15.0  # a page photographed askew: turns up to this many degrees either way are tried (6 until
# the seventeenth sitting: validation pages turned ±10° had all their lines found 85.3% of the time, now 91.7%)
PAGE_TURN_STEP = 0.5  # ... to this many
SKEW_SIDE = 100  # the turn is found on a copy about this many pixels on its long side (100-200)
NOISE_SMALL = 0.05  # ink below this, on that copy, is left out
SKEW_CORE = 0.3  # its strokes' middles: above this share of its darkest ink
SKEW_ROOM = 2.0  # ink less high than this many of its tallest pieces (90th percentile) holds one line,
SKEW_PIECES = 6  # and so does ink of fewer pieces than this


@dataclass(frozen=True)
class ReadChecks:
    """When the recognizer and the verifier are asked, and how much the verifier counts."""

    recheck: float = 1.0  # syllables on a grouping costing up to this much more than the best are read too
    confident: float = 0.9  # every box of the shapes' best grouping read with this top-1 probability ...
    verified: float = 0.5  # ... and judged one syllable this surely by the verifier: no recheck
    verify_weight: float = 1.0  # weight of -log P(one syllable) beside the shape cost
    prune: float = 0.0  # boxes the verifier gives less than this are dropped before the recognizer reads them
    reread: float = 0.98  # a model with test-time views: kept boxes read at one view below this top-1 are read at all


READ_CHECKS = ReadChecks()  # without a verifier
VERIFIED_CHECKS = ReadChecks(recheck=2.0, prune=0.05)  # with one: wider, the verifier weeds out (tuned on validation lines)
SYLLABLE_BONUS = 2.0  # per syllable, when boxes and labels are decided together (see _decode)
WORD_BONUS = 2.5  # added to a word that is in the prior's word list (SyllableLM.knows), times the weight; set on
# validation lines (bench/word_bonus.py, bench/prior_control.py --bonus): the most lines right if half the words
# are listed and half not (at weight 0.6: 2 was best, listed +2.1 points, unlisted -0.9; with the casual hand's
# lines and 32 candidates: weight 0.7 and 2.5, docs/reading.md, "A casual hand's words")
SHAPE_WEIGHT = 1.0  # geometric cost against the recognizer's -log(top-1) when both are known


# -- the answer ------------------------------------------------------------------------------


@dataclass
class SyllableRead:
    """One box of the line: where it is, the model's candidates, the one the text uses."""

    box: tuple[int, int, int, int]  # x0, y0, x1, y1 (x1, y1 exclusive), in the input's pixels
    top: list[tuple[str, float]]  # the model's candidates, best first (calibrated probabilities)
    label: str  # the candidate the text uses (the prior may prefer a lower one)
    space_before: bool = False  # a new word starts here
    line: int = 0  # which line of the image (0 = the first; a photo of a page holds several)

    def shown(self, top: int | None = None) -> list[tuple[str, float]]:
        """The first ``top`` candidates, the chosen label always among them (last if it ranks lower)."""
        shown = list(self.top[:top] if top else self.top)
        if self.label not in dict(shown):
            chosen = [t for t in self.top if t[0] == self.label] or [(self.label, 0.0)]
            shown = shown[: max(len(shown) - 1, 0)] + chosen
        return shown

    def to_json(self, top: int | None = None) -> dict:
        from .recognizer import answer_json

        return {"box": [int(v) for v in self.box], "label": self.label, **answer_json(self.shown(top)),
                "space_before": self.space_before, "line": self.line}


@dataclass
class Reading:
    """An image or the pad's strokes read: its syllables, line by line left to right, and the text they make."""

    syllables: list[SyllableRead] = field(default_factory=list)
    prior: bool = False  # whether a language prior chose the labels

    @property
    def text(self) -> str:
        """The syllables' labels, words separated by spaces and lines by newlines."""
        return "\n".join(self.lines)

    @property
    def lines(self) -> list[str]:
        """The text of each line of the image, top to bottom."""
        if not self.syllables:
            return [""]
        lines = [""] * (max(s.line for s in self.syllables) + 1)
        for s in self.syllables:
            lines[s.line] += (" " if s.space_before else "") + s.label
        return lines

    @property
    def words(self) -> list[str]:
        return [w for line in self.lines for w in line.split(" ")]

    def choose(self, index: int, label: str) -> "Reading":
        """The same reading with box ``index`` read as ``label`` (e.g. picked from its candidates)."""
        if not 0 <= index < len(self.syllables):
            raise IndexError(f"box {index} does not exist: the reading has {len(self.syllables)}")
        syllables = list(self.syllables)
        syllables[index] = replace(syllables[index], label=str(label))
        return replace(self, syllables=syllables)

    def to_json(self, file: str | None = None, top: int | None = None) -> dict:
        """The stable JSON of ``handpad read --json``: {"file", "text", "syllables": [{"box", "top", ...}]}
        (``top``: candidates listed per syllable, default all that were kept)."""
        d = {"file": file} if file is not None else {}
        return d | {"text": self.text, "syllables": [s.to_json(top) for s in self.syllables]}


# -- pieces and clusters -----------------------------------------------------------------------


@dataclass
class _Cluster:
    x0: float
    y0: float
    x1: float
    y1: float
    members: list  # component ids (image) or stroke indices (strokes)
    column_range: tuple[int, int] | None = None  # image clusters cut out of a wider one
    touching: bool = False  # cut off the cluster before it (their ink touches)

    @property
    def width(self) -> float:
        return self.x1 - self.x0

    @property
    def height(self) -> float:
        return self.y1 - self.y0

    def join(self, other: "_Cluster") -> "_Cluster":
        return _Cluster(min(self.x0, other.x0), min(self.y0, other.y0), max(self.x1, other.x1), max(self.y1, other.y1),
                        self.members + other.members, touching=self.touching)

    def overlap(self, other: "_Cluster") -> float:
        """Horizontal overlap as a share of the narrower one's width."""
        inter = min(self.x1, other.x1) - max(self.x0, other.x0)
        return inter / max(min(self.width, other.width), 1.0)


def _stacked(a: _Cluster, b: _Cluster, cfg: SegmentConfig, height: float) -> bool:
    """One above the other: they overlap horizontally by a good share of the narrower one and by
    more than a pen's width (a syllable's last ㅣ reaching over the next one's first stroke does not)."""
    inter = min(a.x1, b.x1) - max(a.x0, b.x0)
    return a.overlap(b) >= cfg.stack_overlap and inter >= cfg.stack_min * height


def _stack(clusters: list[_Cluster], cfg: SegmentConfig, height: float) -> list[_Cluster]:
    """Join clusters (sorted by x0) that lie above each other (:func:`_stacked`)."""
    out: list[_Cluster] = []
    for c in sorted(clusters, key=lambda c: c.x0):
        if out and _stacked(out[-1], c, cfg, height):
            out[-1] = out[-1].join(c)
            # the wider cluster may now reach back over the one before it
            while len(out) > 1 and _stacked(out[-2], out[-1], cfg, height):
                last = out.pop()
                out[-1] = out[-1].join(last)
        else:
            out.append(c)
    return out


def _line_height(clusters: Sequence[_Cluster]) -> float:
    """The height of one syllable on this line: the tall clusters' typical height. Where every cluster is flat
    (FLAT times as wide as high or more: a dash, a lone ㅡ, a bar), none gives a syllable's height: the widest one's
    width does (before, a bar's thickness did, and the bar was cut into dozens of "syllables")."""
    heights = sorted(float(c.height) for c in clusters)  # np.percentile(heights, 75), without its overhead
    at = 0.75 * (len(heights) - 1)
    low = int(at)
    high = min(low + 1, len(heights) - 1)
    height = max(heights[low] + (heights[high] - heights[low]) * (at - low), 1.0)
    if _all_flat(clusters):
        height = max(height, max(c.width for c in clusters))
    return height


def _all_flat(clusters: Sequence[_Cluster]) -> bool:
    """Every cluster FLAT times as wide as high or more (a dash, a bar: no syllable's height among them)."""
    return all(c.width >= FLAT * c.height for c in clusters)


def _gaps(clusters: list[_Cluster], height: float) -> list[float]:
    """The gap after each cluster (line heights; negative: overlapping) to the next one."""
    reach = np.maximum.accumulate([c.x1 for c in clusters])
    return [(clusters[i + 1].x0 - reach[i]) / height for i in range(len(clusters) - 1)]


def _edges(clusters: list[_Cluster], height: float, cfg: SegmentConfig, cut_costs=None) -> dict:
    """Every plausible syllable (clusters i..j-1) -> its geometric cost; ``cut_costs[i]``: more cost
    of a cut before cluster i (from the strokes' order, :func:`_order_costs`)."""
    n = len(clusters)
    gaps = _gaps(clusters, height)
    edges = {}
    for i in range(n):
        x0, x1 = np.inf, -np.inf
        beside = 0.0  # pieces joined beside (not over) the ones before them
        for j in range(i + 1, min(n, i + MAX_PIECES) + 1):
            c = clusters[j - 1]
            if j - i > 1:
                inter = min(x1, c.x1) - max(x0, c.x0)
                beside += max(0.0, 1.0 - inter / max(min(x1 - x0, c.width), 1.0) / cfg.stack_overlap)
            x0, x1 = min(x0, c.x0), max(x1, c.x1)
            aspect = (x1 - x0) / height
            if aspect > 2.0 * cfg.max_aspect and j - i > 1:
                break
            cost = 4.0 * max(0.0, cfg.min_aspect - aspect) ** 2 / cfg.min_aspect + cfg.wide_cost * max(0.0, aspect - cfg.max_aspect) ** 2
            cost += cfg.gap_inside * sum(max(0.0, g) for g, c in zip(gaps[i : j - 1], clusters[i + 1 : j]) if not c.touching)
            if i > 0 and clusters[i].touching:  # a cut through touching ink
                cost += cfg.cut_touch
            elif i > 0:  # a cut before cluster i
                cost += cfg.cut_close * max(0.0, cfg.cut_gap - gaps[i - 1]) / cfg.cut_gap
            cost += cfg.join_cost * beside
            if cut_costs is not None and i > 0:
                cost += cut_costs[i]
            edges[(i, j)] = cost + 0.05  # a little per syllable: no splits for nothing
    return edges


def _order_costs(clusters: list[_Cluster], cost: float) -> np.ndarray | None:
    """Per cut (before cluster i), ``cost`` if the clusters left of it do not hold exactly the strokes
    drawn first: people finish a syllable before they begin the next, so a cut that leaves a later
    stroke on the left (or an earlier one on the right) is unlikely; not forbidden: a stroke added to
    an earlier syllable after the rest of the line puts every cut after that syllable out of order,
    so the cost must stay small (see ``SegmentConfig.stroke_order_cost``)."""
    if not cost:
        return None
    out = np.zeros(len(clusters))
    seen = 0
    top = -1
    for i, c in enumerate(clusters):
        if i > 0 and top != seen - 1:
            out[i] = cost
        seen += len(c.members)
        top = max([top, *c.members])
    return out


def _best(n: int, edges: dict) -> tuple[np.ndarray, np.ndarray, dict]:
    """Least cost from the start to each cut, from each cut to the end, and the best way back."""
    forward = np.full(n + 1, np.inf)
    forward[0] = 0.0
    back = {}
    for (i, j), c in sorted(edges.items(), key=lambda e: e[0][1]):
        if forward[i] + c < forward[j]:
            forward[j], back[j] = forward[i] + c, i
    backward = np.full(n + 1, np.inf)
    backward[n] = 0.0
    for (i, j), c in sorted(edges.items(), key=lambda e: -e[0][0]):
        backward[i] = min(backward[i], c + backward[j])
    return forward, backward, back


def _path(n: int, back: dict) -> list[tuple[int, int]]:
    path, j = [], n
    while j > 0:
        path.append((back[j], j))
        j = back[j]
    return path[::-1]


def _join(clusters: list[_Cluster], i: int, j: int) -> _Cluster:
    g = clusters[i]
    for c in clusters[i + 1 : j]:
        g = g.join(c)
    return g


def _word_starts(groups: list[_Cluster], height: float, cfg: SegmentConfig) -> list[bool]:
    gaps = np.array([(b.x0 - a.x1) / height for a, b in zip(groups, groups[1:])])
    if not len(gaps):
        return [False] * len(groups)
    usual = float(np.median(np.maximum(gaps, 0.0)))
    threshold = max(cfg.word_gap, cfg.word_gap_ratio * usual)
    return [False] + [bool(g > threshold) for g in gaps]


# -- from an image -------------------------------------------------------------------------------


def _image_clusters(ink: np.ndarray, cfg: SegmentConfig, specks: list | None = None, small: bool = False):
    """The pieces of ink (specks left out) as clusters, and the map of which piece each pixel is; ``specks``: a
    list to put the specks left out in (a pen's dot under a "!" is as small as one: :func:`_end_marks`).
    ``small``: writing lower than ``cfg.min_height`` gives (None, its height), to be enlarged first."""
    mask = (ink > BOX_THRESHOLD).astype(np.uint8)
    n, labels, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    if n <= 1:
        raise NothingDrawnError()
    boxes = stats[1:]
    # the writing's height from its pieces, not from grain: a dusty scan's lone dark pixels (0.1% of the paper: more
    # pieces than the writing has) would make it a pixel, and every speck writing
    area = boxes[:, cv2.CC_STAT_AREA]
    sized_boxes = boxes[(area >= SPECK_FLOOR * area.max()) & (area > DUST_AREA)]
    sized = sized_boxes[:, cv2.CC_STAT_HEIGHT]
    if not len(sized):  # nothing but pixels of dust (before: read as a line of specks, "탈탈탈.탈.")
        raise NothingDrawnError("nothing drawn: only specks of noise (lone pixels) in the image")
    height = max(float(np.percentile(sized, 90)), 1.0)
    if np.all(sized_boxes[:, cv2.CC_STAT_WIDTH] >= FLAT * sized):  # only flat strokes: see _line_height
        height = max(height, float(sized_boxes[:, cv2.CC_STAT_WIDTH].max()))
    if small and height < cfg.min_height:  # small writing: the caller enlarges the ink and asks again
        return None, height
    keep = [k for k in range(n - 1) if boxes[k, cv2.CC_STAT_AREA] >= cfg.speck * height * height]
    if not keep:
        keep = [int(np.argmax(boxes[:, cv2.CC_STAT_AREA]))]

    def cluster(k: int) -> _Cluster:
        return _Cluster(float(boxes[k, 0]), float(boxes[k, 1]), float(boxes[k, 0] + boxes[k, 2]),
                        float(boxes[k, 1] + boxes[k, 3]), [k + 1])

    if specks is not None:
        kept = set(keep)
        specks.extend(cluster(k) for k in range(n - 1) if k not in kept)
    return [cluster(k) for k in keep], labels


def _split_wide(clusters: list[_Cluster], mask: np.ndarray, labels: np.ndarray, height: float,
                cfg: SegmentConfig) -> list[_Cluster]:
    """Cut clusters wider than one syllable may be (neighbours whose ink touches) at their thinnest
    column, again while a part is still too wide. The grouping may join the parts back."""
    out = []
    todo = list(clusters)
    while todo:
        c = todo.pop(0)
        if c.width <= cfg.split_aspect * height or c.width < 8:
            out.append(c)
            continue
        x0, x1 = int(c.x0), int(c.x1)
        y0, y1 = int(c.y0), int(c.y1)
        own = _member_mask(labels[y0:y1, x0:x1], c.members) & (mask[y0:y1, x0:x1] > 0)
        if c.column_range is not None:
            own[:, : max(c.column_range[0] - x0, 0)] = False
            own[:, max(c.column_range[1] - x0, 0) :] = False
        profile = own.sum(axis=0).astype(float)
        lo = max(int(cfg.min_part * height), 1)
        hi = own.shape[1] - lo
        if hi <= lo:
            out.append(c)
            continue
        cut = lo + int(np.argmin(profile[lo:hi]))
        parts = []
        for a, b in ((0, cut), (cut, own.shape[1])):
            ys, xs = np.nonzero(own[:, a:b])
            if not len(xs):
                continue
            parts.append(_Cluster(float(x0 + a + xs.min()), float(y0 + ys.min()), float(x0 + a + xs.max() + 1),
                                  float(y0 + ys.max() + 1), list(c.members), (x0 + a, x0 + b)))
        if len(parts) < 2:
            out.append(c)
            continue
        parts[0].touching, parts[1].touching = c.touching, True
        todo[:0] = parts
    return out


def _member_mask(region: np.ndarray, members) -> np.ndarray:
    """np.isin(region, members) for component labels, by table lookup (5x faster for a few members)."""
    table = np.zeros(int(region.max(initial=0)) + 1, bool)
    members = np.asarray(members, np.int64)
    table[members[(members >= 0) & (members < len(table))]] = True
    return table[region]


def _owners(labels: np.ndarray, clusters: list[_Cluster]) -> np.ndarray:
    """Which cluster each pixel's ink belongs to (-1: none, e.g. a speck), so that a run of clusters'
    own ink is one comparison. Each pixel is in one cluster at most: clusters are whole components
    (stacked ones joined before any is cut) or parts of one cut at columns that do not overlap."""
    table = np.full(int(labels.max(initial=0)) + 1, -1, np.int32)
    for k, c in enumerate(clusters):
        if c.column_range is None:
            table[[m for m in c.members if 0 <= m < len(table)]] = k
    owner = table[labels]
    for k, c in enumerate(clusters):
        if c.column_range is not None:  # part of a piece cut through: its members within its columns only
            a, b = max(c.column_range[0], 0), max(c.column_range[1], 0)
            cols = owner[:, a:b]
            cols[_member_mask(labels[:, a:b], c.members)] = k
    return owner


def _crop_image(ink: np.ndarray, owner: np.ndarray, group: _Cluster, first: int, end: int) -> np.ndarray:
    """Clusters first..end-1's own ink (bright on black) in their box, with a margin: no neighbour's ink inside."""
    x0, y0, x1, y1 = int(group.x0), int(group.y0), int(group.x1), int(group.y1)
    region = owner[y0:y1, x0:x1]
    crop = np.where((region >= first) & (region < end), ink[y0:y1, x0:x1], 0.0)
    return cv2.copyMakeBorder(crop, 4, 4, 4, 4, cv2.BORDER_CONSTANT, value=0.0)


def _sharpened(ink: np.ndarray) -> np.ndarray:
    """A blurred line's ink map with its soft edges cut back (the levels BLUR_LOW..BLUR_HIGH stretched to 0..1), where
    BLUR_SOFT or more of its ink lies at mid levels; any other ink map as it is."""
    inked = ink > 0.1
    soft = np.count_nonzero(inked & (ink < 0.7))
    if soft < BLUR_SOFT * max(np.count_nonzero(inked), 1):
        return ink
    return np.clip((ink - BLUR_LOW) * (1.0 / (BLUR_HIGH - BLUR_LOW)), 0.0, 1.0).astype(np.float32)


def _enlarged(ink: np.ndarray, scale: float) -> tuple[np.ndarray, float]:
    """An ink map enlarged ``scale`` times (cubic; to ENLARGED_PIXELS at most) and the scale it got (1: not
    enlarged). Its dust (pieces of DUST_AREA pixels or fewer, never writing or a mark at this size) goes first:
    enlarged, it would grow into specks of a size the writing has (a dusty scan's 0.1%: hundreds of pieces)."""
    scale = min(scale, float(np.sqrt(ENLARGED_PIXELS / ink.size)))
    if scale <= 1.05:
        return ink, 1.0
    n, labels, stats, _ = cv2.connectedComponentsWithStats((ink > BOX_THRESHOLD).astype(np.uint8), connectivity=8)
    dust = np.flatnonzero(stats[:, cv2.CC_STAT_AREA] <= DUST_AREA)
    if len(dust):
        ink = np.where(np.isin(labels, dust[dust > 0]), 0.0, ink).astype(np.float32)
    return np.clip(cv2.resize(ink, None, fx=scale, fy=scale, interpolation=cv2.INTER_CUBIC), 0.0, 1.0), scale


def _image_line(image, cfg: SegmentConfig, ink: np.ndarray | None = None):
    """An image (or its ink map, when the caller has it) -> its clusters (left to right), how to crop any run of
    them, its marks and the scale they are at (small writing is enlarged to ``cfg.min_height``: >1)."""
    ink = ink_map(image) if ink is None else ink
    if cfg.sharpen:
        ink = _sharpened(ink)
    specks: list = []
    clusters, labels = _image_clusters(ink, cfg, specks, small=True)
    scale = 1.0
    if clusters is None:  # small writing (labels: its height): enlarged, its pieces found again
        ink, scale = _enlarged(ink, cfg.min_height / labels)
        clusters, labels = _image_clusters(ink, cfg, specks)
    mask = (ink > BOX_THRESHOLD).astype(np.uint8)
    clusters, ends = _end_marks(clusters, labels, cfg, specks) if cfg.end_marks else (clusters, [])
    clusters = _stack(clusters, cfg, _line_height(clusters))
    specks = [c for c in specks if not any(_inside(c, box) for box, _ in ends)]  # a "?"'s dot is no full stop
    clusters, marks = _marks(clusters, labels, specks, cfg.dashes, cfg.colons, cfg.minus) if cfg.marks else (clusters, [])
    marks = ends + marks
    if scale != 1.0:  # the marks' boxes in the image's own pixels
        marks = [(_whole_box(box, scale), m) for box, m in marks]
    if not _all_flat(clusters):  # a bar is no row of touching syllables
        clusters = _split_wide(clusters, mask, labels, _line_height(clusters), cfg)
    owner = None  # made on the first crop: a line without a recognizer is cut on shapes alone

    def crop(i: int, j: int) -> np.ndarray:
        nonlocal owner
        if owner is None:
            owner = _owners(labels, clusters)
        return _crop_image(ink, owner, _join(clusters, i, j), i, j)

    return clusters, crop, marks, scale


MARK_SIZE = 0.35  # a full stop or a comma: no wider or higher than this share of the syllables' height,
MARK_LOW = 0.6  # its top below this share of the way from the syllables' tops to their bottoms,
MARK_COMMA = 1.3  # a comma when this many times as high as wide (a full stop is about round),
MARK_COMMA_HIGH = 0.5  # and a comma that hangs below the writing's rows as high as this share of their height,
MARK_TICK = 0.8  # and solid, or one straight stroke (ink over this share of its convex hull: _tick)
MARK_FLAT = 1.6  # and neither wider than this many times its height (a careless hand's short dash is a stroke)
MARK_LONG = 1.8  # or a comma when its ink is this many times as long as thick (validation: drawn commas 2.1-2.7,
MARK_LEAN = 60.0  # drawn full stops 1.0-1.05), leaning no more than this many degrees from upright (_comma_shaped)
MARK_SOLID = 0.45  # ink over at least this share of its box
# A hyphen: a flat stroke (DASH_FLAT times as wide as high or more: 2.5 missed a third of thick pens' hyphens on
# validation lines) DASH_SHORT..DASH_LONG of the syllables' height long, its middle within DASH_MIDDLE of the middle of
# their rows, apart from the others, with writing on both sides
DASH_FLAT = 2.0
DASH_SHORT = 0.15
DASH_LONG = 0.7
DASH_MIDDLE = 0.25
DASH_GAP = 0.06  # and at least this far from it (a broken stroke's flat piece, as the bar of ㄴ off its stem in a
# scan, lies closer: 0.01-0.04 of a height in the 17 false hyphens of 62,174 held-out images without one; docs/reading.md)
# A colon (numbers): two dots (_dot), one in each half of the rows, apart and spaced as a hyphen is, which
COLON_OVER = 0.3  # share at least this share of the narrower one's columns
COLON_ALIKE = 2.0  # and neither is more than this many times as large as the other (a scan's broken 7: a blob, a speck)
# A question or exclamation mark: a dot (solid, MARK_LOW or lower, no larger than MARK_DOT of the syllables' height)
# under one stroke that starts high (within MARK_HIGH of the syllables' top), at least MARK_STEM high, no wider than
# MARK_ROUND of its height and with no hole; nothing else above or below either. Set on 300 validation lines with
# a "?" or "!" written after them by the line's face and pen (213 found, 206 of them told apart) against the
# 2,100 lines of five validation sets (none found).
MARK_DOT = 0.25
MARK_STEM = 0.45
MARK_HIGH = 0.25
MARK_ROUND = 1.25
MARK_HOOK = 0.3  # "?" where the upper half of the stroke is at least this wide (a hook), "!" where narrower
MARK_ASIDE = 0.2  # the dot's middle under the stroke, or this much aside
MARK_SLANT = 0.4  # or, under a slanted stroke's lower end, this much left of its box (_lower_end)
MARK_TOUCH = 0.1  # other ink reaching this far over the mark's columns (tight writing) is let be
MARK_PEN_DOT = 0.6  # the dot (a speck too) is at least this share of its stroke's thickness across
MARK_AFTER = 1.1  # and only after this many of the syllables' heights of writing (single syllables' own ㅣ and
# a speck under it were taken for "!": 17 of 54,600 validation and training-face syllables; "뭐?" is not read)


def _thickness(ink: np.ndarray) -> float:
    """How thick a stroke is: twice the largest distance from its ink to the paper."""
    return 2.0 * float(cv2.distanceTransform(np.pad(ink, 1).astype(np.uint8), cv2.DIST_L2, 3).max())


def _ink_of(c: "_Cluster", labels: np.ndarray) -> np.ndarray:
    x0, y0, x1, y1 = _int_box(c)
    return np.isin(labels[y0:y1, x0:x1], c.members)


def _no_hole(ink: np.ndarray) -> bool:
    paper = np.pad(~ink, 1, constant_values=True).astype(np.uint8)  # paper all round, as one piece
    return cv2.connectedComponents(paper, connectivity=4)[0] == 2  # background and that piece: no hole


def _solid(c: "_Cluster", labels: np.ndarray) -> bool:
    """Whether cluster ``c``'s ink fills MARK_SOLID of its box, with no hole in it (a small ㅇ is a ring)."""
    ink = _ink_of(c, labels)
    return np.count_nonzero(ink) >= MARK_SOLID * ink.size and _no_hole(ink)


def _tick(c: "_Cluster", labels: np.ndarray) -> bool:
    """Whether cluster ``c`` is one short straight stroke: its ink fills MARK_TICK of its convex hull, with no hole
    (a comma drawn with a fine pen is slanted and thin, so it fills little of its box; a bent stroke fills little of
    its hull)."""
    ink = _ink_of(c, labels)
    points = cv2.findNonZero(ink.astype(np.uint8))
    if points is None:
        return False
    hull = cv2.convexHull(points)  # through the pixels' centres: half its outline and a pixel added for their area
    area = cv2.contourArea(hull) + 0.5 * cv2.arcLength(hull, True) + 1.0
    return np.count_nonzero(ink) >= MARK_TICK * area and _no_hole(ink)


def _comma_shaped(c: "_Cluster", labels: np.ndarray) -> bool:
    """A comma rather than a full stop: MARK_COMMA times as high as wide, or its ink drawn out along one axis
    (MARK_LONG times as long as thick, from the spread of its pixels) that leans no more than MARK_LEAN degrees
    from upright: a comma slanted 30-45 degrees fills a box about as wide as high; a dot is about round."""
    if c.height >= MARK_COMMA * c.width:
        return True
    ys, xs = np.nonzero(_ink_of(c, labels))
    if len(xs) < 3:
        return False
    spread, axes = np.linalg.eigh(np.cov(np.stack([xs, ys]).astype(np.float64)) + np.eye(2) / 12.0)
    lean = np.degrees(np.arctan2(abs(axes[0, 1]), abs(axes[1, 1])))  # the long axis, from upright
    return bool(np.sqrt(spread[1] / spread[0]) >= MARK_LONG and lean <= MARK_LEAN)


def _syllable_band(clusters: list) -> tuple[float, float]:
    """The rows the syllables fill (their pieces side by side are clusters of their own, each lower than them)."""
    tall = 0.5 * _line_height(clusters)  # (once: it is a percentile)
    big = [c for c in clusters if c.height >= tall] or clusters  # (none: only flat strokes)
    return float(np.percentile([c.y0 for c in big], 10)), float(np.percentile([c.y1 for c in big], 90))


def _end_marks(pieces: list, labels: np.ndarray, cfg: SegmentConfig, specks: Sequence = ()) -> tuple[list, list]:
    """Question and exclamation marks after writing (see MARK_DOT): their stroke and dot are two pieces of ink
    with nothing else above or below them, ``pieces`` the line's (before they are stacked into clusters).
    ``specks``: the pieces too small to be writing (:func:`_image_clusters`); one may be the dot, where it is about
    as wide as the stroke above it is thick (a fine pen's dot). -> (the other pieces, [(box, "?" or "!")])."""
    if len(pieces) < 2 or len(pieces) + len(specks) < 3:
        return pieces, []
    stacked = _stack(pieces, cfg, _line_height(pieces))
    top, bottom = _syllable_band(stacked)
    height = bottom - top
    tall = 0.5 * _line_height(stacked)
    writing = [c for c in stacked if c.height >= tall]
    first = min(c.x0 for c in pieces)
    taken, marks = set(), []
    dots = list(enumerate(pieces)) + [(None, s) for s in specks if np.count_nonzero(_ink_of(s, labels)) > DUST_AREA]
    for k, dot in dots:
        if max(dot.width, dot.height) > MARK_DOT * height or dot.y0 < top + MARK_LOW * height or not _solid(dot, labels):
            continue
        if k is not None and k in taken:
            continue
        middle = 0.5 * (dot.x0 + dot.x1)
        above = [j for j, o in enumerate(pieces) if j != k and o.y1 <= dot.y0 and
                 o.x0 - MARK_ASIDE * height <= middle <= o.x1 + MARK_ASIDE * height]
        if len(above) > 1:  # tight writing: the syllable before it reaches near too; the stroke is right over the dot
            above = [j for j in above if pieces[j].x0 <= middle <= pieces[j].x1]
        if not above:  # a slanted "!": its dot under the stroke's lower end, which may lie beyond its box by more
            ends = [(abs(_lower_end(o, labels) - middle), j) for j, o in enumerate(pieces)
                    if j != k and o.y1 <= dot.y0 and o.x0 - MARK_SLANT * height <= middle <= o.x1]
            near = [j for d, j in ends if d <= MARK_ASIDE * height]
            above = near if len(near) == 1 else []
        if len(above) != 1 or above[0] in taken:
            continue
        stroke = pieces[above[0]]
        mark = stroke.join(dot)
        if (stroke.height < MARK_STEM * height or stroke.y0 > top + MARK_HIGH * height
                or stroke.width > MARK_ROUND * stroke.height or not _no_hole(_ink_of(stroke, labels))):
            continue
        if max(dot.width, dot.height) < MARK_PEN_DOT * _thickness(_ink_of(stroke, labels)):
            continue  # the dot only where the pen that drew the stroke could have made it (not a speck of grain)
        if any(min(o.x1, mark.x1) - max(o.x0, mark.x0) > MARK_TOUCH * height
               for j, o in enumerate(pieces) if j not in (k, above[0])):
            continue
        if not any(o.x1 <= mark.x0 for o in writing) or mark.x0 - first < MARK_AFTER * height:
            continue  # after writing, more than one syllable's: a syllable's ㅣ with a speck under it is no "!"
        ink = _ink_of(stroke, labels)
        upper = np.flatnonzero(ink[: ink.shape[0] // 2].any(axis=0))
        hook = len(upper) and upper[-1] - upper[0] + 1 >= MARK_HOOK * height
        marks.append((_int_box(mark), "?" if hook else "!"))
        taken |= {k, above[0]} - {None}
    return [c for j, c in enumerate(pieces) if j not in taken], marks


def _lower_end(c: "_Cluster", labels: np.ndarray) -> float:
    """The middle column of a piece's lowest quarter of ink (where a stroke ends, slanted or not)."""
    ink = _ink_of(c, labels)
    rows = np.flatnonzero(ink.any(axis=1))
    low = ink[rows[-1] - max(1, (rows[-1] - rows[0] + 1) // 4) + 1: rows[-1] + 1]
    cols = np.flatnonzero(low.any(axis=0))
    return int(c.x0) + 0.5 * (cols[0] + cols[-1] + 1)


def _pen_thickness(mask: np.ndarray) -> float:
    """The writing's pen: twice the median distance from its strokes' middles (the ridge of the distance map)
    to the paper."""
    dist = cv2.distanceTransform(np.pad(mask, 1).astype(np.uint8), cv2.DIST_L2, 3)
    ridge = dist[(dist > 0) & (dist >= cv2.dilate(dist, np.ones((3, 3), np.uint8)))]
    return 2.0 * float(np.median(ridge)) if ridge.size else 0.0


def _inside(c: "_Cluster", box) -> bool:
    return c.x0 >= box[0] and c.y0 >= box[1] and c.x1 <= box[2] and c.y1 <= box[3]


def _dash(c: "_Cluster", others: list, top: float, height: float, lead: bool = False) -> bool:
    """Whether cluster ``c`` is shaped and placed as a hyphen (DASH_*) on rows ``top``..``top + height``, with
    writing on both sides (``others``, none of which overlaps its columns) and a gap to it; ``lead``: or on its
    right only, as a minus sign before a number."""
    middle = (c.y0 + c.y1) / 2 - (top + height / 2)
    if not (c.width >= DASH_FLAT * c.height and DASH_SHORT * height <= c.width <= DASH_LONG * height
            and abs(middle) <= DASH_MIDDLE * height):
        return False
    return _spaced(c.x0, c.x1, others, height, lead)


def _spaced(x0: float, x1: float, others: list, height: float, lead: bool = False) -> bool:
    """Whether columns ``x0``..``x1`` have writing (``others``, none in these columns) on both sides (``lead``: or
    on the right only), at least DASH_GAP of ``height`` away: a mark of its own, not a piece broken off a stroke."""
    left = max((o.x1 for o in others if o.x1 <= x0), default=None)
    right = min((o.x0 for o in others if o.x0 >= x1), default=None)
    if right is None or right - x1 < DASH_GAP * height:
        return False
    return (left is None and lead) or (left is not None and x0 - left >= DASH_GAP * height)


def _pieces(c: "_Cluster", labels: np.ndarray) -> list | None:
    """A cluster's pieces of ink (whole components) as clusters of their own, top first; None for a part cut out."""
    if c.column_range is not None:
        return None
    x0, y0 = int(c.x0), int(c.y0)
    region = labels[y0:int(c.y1), x0:int(c.x1)]
    out = []
    for m in c.members:
        ys, xs = np.nonzero(region == m)
        if not len(xs):
            return None
        out.append(_Cluster(float(x0 + xs.min()), float(y0 + ys.min()), float(x0 + xs.max() + 1),
                            float(y0 + ys.max() + 1), [m]))
    return sorted(out, key=lambda p: p.y0)


def _dot(c: "_Cluster", labels: np.ndarray, height: float) -> bool:
    """Whether cluster ``c`` is shaped as a dot on writing ``height`` high: small, about round, solid."""
    return (max(c.width, c.height) <= MARK_SIZE * height and c.width <= MARK_FLAT * c.height
            and c.height <= MARK_FLAT * c.width and _solid(c, labels))


def _colon(a: "_Cluster", b: "_Cluster", others: list, top: float, height: float) -> bool:
    """Whether dots ``a`` and ``b`` (:func:`_dot`) are a colon on rows ``top``..``top + height``: alike in size
    (COLON_ALIKE), one above the other (sharing COLON_OVER of the narrower's columns), one in the upper half and one
    in the lower, nothing else in their columns, and writing on both sides a gap away (``others``, :func:`_spaced`)."""
    a, b = sorted((a, b), key=lambda c: c.y0)
    x0, x1 = min(a.x0, b.x0), max(a.x1, b.x1)
    sizes = sorted(max(c.width, c.height) for c in (a, b))
    return (sizes[1] <= COLON_ALIKE * sizes[0] and a.y1 <= b.y0
            and (a.y0 + a.y1) / 2 < top + height / 2 < (b.y0 + b.y1) / 2
            and min(a.x1, b.x1) - max(a.x0, b.x0) >= COLON_OVER * min(a.width, b.width)
            and all(o.x1 <= x0 or o.x0 >= x1 for o in others) and _spaced(x0, x1, others, height))


def _colons(clusters: list, labels: np.ndarray, specks: Sequence, top: float, height: float) -> tuple[set, list]:
    """A colon's two dots: one cluster of two pieces (dots stacked), or two dots of their own — clusters, or specks
    of a fine pen at least MARK_PEN_DOT of its thickness across. -> (the clusters taken, [(box, ":")])."""
    taken, marks = set(), []
    for k, c in enumerate(clusters):
        pair = _pieces(c, labels) if len(c.members) == 2 else None
        others = clusters[:k] + clusters[k + 1:]
        if pair and all(_dot(p, labels, height) for p in pair) and _colon(*pair, others, top, height):
            taken.add(k)
            marks.append((_int_box(c), ":"))
    dots = [(c, k) for k, c in enumerate(clusters) if k not in taken and _dot(c, labels, height)]
    pen = None
    for c in specks:
        if np.count_nonzero(_ink_of(c, labels)) > DUST_AREA and _dot(c, labels, height):
            pen = _pen_thickness(labels > 0) if pen is None else pen
            if max(c.width, c.height) >= MARK_PEN_DOT * pen:
                dots.append((c, None))
    for n, (a, ka) in enumerate(dots):
        for b, kb in dots[n + 1:]:
            if {ka, kb} & taken:
                continue
            others = [o for k, o in enumerate(clusters) if k not in (ka, kb)]
            if _colon(a, b, others, top, height):
                taken |= {ka, kb} - {None}
                marks.append((_int_box(a.join(b)), ":"))
    return taken, marks


def _marks(clusters: list, labels: np.ndarray, specks: Sequence = (), dashes: bool = False,
           colons: bool = False, minus: bool = False) -> tuple[list, list]:
    """Full stops and commas (a sentence written out) apart from the syllables: clusters no wider or higher
    than MARK_SIZE of the syllables' height, low in the line (their top past MARK_LOW of the way from the
    syllables' tops to their bottoms), beside the others (overlapping none across) and after some of them
    (a rule's remnant at a line's start is none), and solid (ink over
    MARK_SOLID of their box and no hole: a dot, a short thick tick, not a small ㅇ; a comma that hangs below the
    syllables' rows may reach MARK_COMMA_HIGH and be one straight stroke, :func:`_tick`): a syllable's small pieces are stacked into it already,
    sit higher (ㅏ's tick) or are strokes bent thin (a careless hand's ㄱ drifted from its syllable).
    ``labels``: the line's pieces of ink. ``specks``: the pieces too small to be writing (:func:`_image_clusters`):
    a fine pen's full stop is one, and is taken where it is at least MARK_PEN_DOT of the pen's thickness across
    (a speck of grain is not). ``dashes``: hyphens too (:func:`_dash`), apart and with writing on both sides;
    ``colons``: colons too (:func:`_colons`); ``minus``: a hyphen's stroke first in the line, before writing, is a
    minus sign "-". -> (the other clusters, [(box, mark)])."""
    if len(clusters) < 2:
        return clusters, []
    tall = 0.5 * _line_height(clusters)
    big = [c for c in clusters if c.height >= tall] or clusters  # (none: only flat strokes)
    top, bottom = _syllable_band(clusters)
    height = bottom - top
    taken, marks = _colons(clusters, labels, specks, top, height) if colons else (set(), [])
    rest = []
    for k, c in enumerate(clusters):
        if k in taken:
            continue
        low = c.y0 >= top + MARK_LOW * (bottom - top)
        across = all(o.x1 <= c.x0 or o.x0 >= c.x1 for j, o in enumerate(clusters) if j != k)
        apart = across and any(o.x1 <= c.x0 for o in big)  # after writing: a line does not start with one
        first = minus and across and not any(o.x1 <= c.x0 for j, o in enumerate(clusters) if j != k)
        if low and apart and c.width <= MARK_SIZE * height and c.height <= max(MARK_SIZE, MARK_COMMA_HIGH) * height:
            small = c.height <= MARK_SIZE * height and c.width <= MARK_FLAT * c.height
            # a comma that hangs below the writing's rows may be taller, or one thin straight stroke (a jamo's
            # stroke broken off, low in its syllable, does not reach below it); only one higher than wide: a
            # slanted thin stroke is too often a careless hand's broken one
            hangs = c.height >= MARK_COMMA * c.width and c.y1 > bottom and c.height <= MARK_COMMA_HIGH * height
            if small and _solid(c, labels) or hangs and (_solid(c, labels) or _tick(c, labels)):
                marks.append((_int_box(c), "," if _comma_shaped(c, labels) else "."))
                continue
        if dashes and (apart or first) and _dash(c, [o for j, o in enumerate(clusters) if j != k], top, height,
                                                   lead=first):
            marks.append((_int_box(c), "-"))
        else:
            rest.append(c)
    if not rest:
        return clusters, []
    pen = None
    for c in specks:
        if np.count_nonzero(_ink_of(c, labels)) <= DUST_AREA:
            continue  # a pixel or two of dust (as a fine pen's strokes, the pen may measure under 2 px)
        if not (c.y0 >= top + MARK_LOW * height and c.width <= MARK_FLAT * c.height
                and all(o.x1 <= c.x0 or o.x0 >= c.x1 for o in clusters) and any(o.x1 <= c.x0 for o in big)
                and not any(c.x0 < x1 and x0 < c.x1 for (x0, _, x1, _), _ in marks) and _solid(c, labels)):
            continue
        pen = _pen_thickness(labels > 0) if pen is None else pen  # (once, and only for a speck that may be one)
        if max(c.width, c.height) >= MARK_PEN_DOT * pen:
            marks.append((_int_box(c), "," if _comma_shaped(c, labels) else "."))
    return rest, sorted(marks)


# -- from strokes ----------------------------------------------------------------------------------


def as_strokes(strokes) -> list[tuple[np.ndarray, float]]:
    """Pad strokes in any of their forms -> [(float (n, 2) points, pen width), ...] in drawing order.

    Accepts :class:`handpad.pad.canvas.Stroke` objects, ``{"width": w, "points": [[x, y], ...]}``
    dicts (the browser's and the line sets' JSON) and ``(points, width)`` pairs.
    """
    out = []
    for i, s in enumerate(strokes):
        if hasattr(s, "points"):
            pts, width = s.points, s.width
        elif isinstance(s, dict):
            if "points" not in s:
                raise HandpadError(f"stroke {i}: no 'points'")
            pts, width = s["points"], s.get("width", 18)
        else:
            pts, width = s
        pts = np.asarray(pts, np.float32).reshape(-1, 2)
        if not len(pts):
            continue
        if not np.isfinite(pts).all() or not np.isfinite(float(width)) or float(width) <= 0:
            raise HandpadError(f"stroke {i}: points and width must be finite numbers, width above 0")
        out.append((pts, float(width)))
    if not out:
        raise NothingDrawnError()
    allpts = np.concatenate([p for p, _ in out])
    w, h = allpts.max(axis=0) - allpts.min(axis=0) + max(w for _, w in out)
    if float(w) * float(h) > MAX_STROKE_PIXELS:
        raise HandpadError(f"the strokes span {int(w)} x {int(h)} pixels, more than {MAX_STROKE_PIXELS:,} "
                           "(a line of writing is far smaller): refused before drawing them")
    return out


def _stroke_clusters(strokes, cfg: SegmentConfig) -> list[_Cluster]:
    """Strokes in drawing order -> clusters; a late stroke over an earlier syllable joins it."""
    boxes = [_Cluster(float(p[:, 0].min() - w / 2), float(p[:, 1].min() - w / 2), float(p[:, 0].max() + w / 2),
                      float(p[:, 1].max() + w / 2), [k]) for k, (p, w) in enumerate(strokes)]
    clusters: list[_Cluster] = []
    for c in boxes:
        # the last cluster first: writing goes on where it was
        for j in range(len(clusters) - 1, -1, -1):
            if clusters[j].overlap(c) >= cfg.stack_overlap:
                clusters[j] = clusters[j].join(c)
                break
        else:
            clusters.append(c)
    return sorted(clusters, key=lambda c: c.x0)


def _stroke_box(strokes) -> tuple[float, float, float, float]:
    """(x0, y0, x1, y1) around all the strokes' ink, whole pixels."""
    allpts = np.concatenate([p for p, _ in strokes])
    reach = max(w for _, w in strokes) / 2 + 1
    (x0, y0), (x1, y1) = np.floor(allpts.min(axis=0) - reach), np.ceil(allpts.max(axis=0) + reach)
    return x0, y0, x1, y1


def render_strokes(strokes, box=None, margin: int = 4) -> np.ndarray:
    """Strokes drawn as the pad draws them (round pen, anti-aliased): uint8, dark ink on white.

    ``box``: (x0, y0, x1, y1) of the canvas to draw; default: around all strokes.
    """
    x0, y0, x1, y1 = _stroke_box(strokes) if box is None else box
    w, h = int(x1 - x0) + 2 * margin, int(y1 - y0) + 2 * margin
    canvas = np.full((max(h, 1), max(w, 1)), 255, np.uint8)
    shift = 4
    for pts, width in strokes:
        q = np.rint((pts - (x0 - margin, y0 - margin)) * (1 << shift)).astype(np.int32)
        t = max(1, int(round(width)))
        if len(q) == 1:
            cv2.circle(canvas, tuple(q[0]), max(1, t // 2) << shift, 0, -1, cv2.LINE_AA, shift)
        else:
            cv2.polylines(canvas, [q], False, 0, t, cv2.LINE_AA, shift)
    return canvas


def _stroke_marks(strokes: list, cfg: SegmentConfig) -> tuple[list, list, list | None]:
    """Punctuation among the pad's strokes, found as in an image (:func:`_end_marks`, :func:`_marks`) on the
    strokes drawn as the pad draws them, only where a cluster of one or two strokes holds one small and low
    enough to be a mark's dot or tick (drawing the line costs ~1 ms). -> (the other strokes, [(box, mark)], their
    clusters when no mark was taken out); a mark's strokes are those wholly inside its box."""
    clusters = _stroke_clusters(strokes, cfg)
    if len(strokes) < 3 or len(clusters) < 2:
        return strokes, [], clusters
    height = _line_height(clusters)
    span = [(float(p[:, 0].max() - p[:, 0].min()) + w, float(p[:, 1].max() - p[:, 1].min()) + w) for p, w in strokes]
    small = [wide <= MARK_SIZE * height and high <= max(MARK_SIZE, MARK_COMMA_HIGH) * height for wide, high in span]
    flat = [cfg.dashes and (p[:, 0].max() - p[:, 0].min()) >= DASH_FLAT * (p[:, 1].max() - p[:, 1].min() + w)
            and p[:, 0].max() - p[:, 0].min() + w <= DASH_LONG * height for p, w in strokes]
    if not any(small) and not any(flat):
        return strokes, [], clusters
    top, bottom = _syllable_band(clusters)
    low = top + MARK_LOW * (bottom - top)
    if not any(len(c.members) <= 2 and any(small[k] and float(strokes[k][0][:, 1].min()) - strokes[k][1] / 2 >= low
                                           or flat[k] for k in c.members) for c in clusters):
        return strokes, [], clusters  # (a mark is a cluster of its own: a dot, a tick, or a stroke over a dot)
    box, margin = _stroke_box(strokes), 4
    ink = 1.0 - render_strokes(strokes, box, margin).astype(np.float32) / 255.0
    specks: list = []
    pieces, labels = _image_clusters(ink, cfg, specks)
    pieces, ends = _end_marks(pieces, labels, cfg, specks) if cfg.end_marks else (pieces, [])
    specks = [c for c in specks if not any(_inside(c, box) for box, _ in ends)]
    found = ends + (_marks(_stack(pieces, cfg, _line_height(pieces)), labels, specks, cfg.dashes, cfg.colons, cfg.minus)[1]
                    if cfg.marks else [])
    dx, dy = box[0] - margin, box[1] - margin
    taken, marks = set(), []
    for (x0, y0, x1, y1), mark in found:
        x0, y0, x1, y1 = x0 + dx - 1, y0 + dy - 1, x1 + dx + 1, y1 + dy + 1
        inside = {k for k, (p, w) in enumerate(strokes)
                  if p[:, 0].min() - w / 2 >= x0 and p[:, 0].max() + w / 2 <= x1
                  and p[:, 1].min() - w / 2 >= y0 and p[:, 1].max() + w / 2 <= y1}
        if inside:
            taken |= inside
            marks.append(((int(x0), int(y0), int(np.ceil(x1)), int(np.ceil(y1))), mark))
    if not taken:
        return strokes, [], clusters
    return [s for k, s in enumerate(strokes) if k not in taken], marks, None


def _stroke_line(strokes, cfg: SegmentConfig):
    """Pad strokes -> their clusters (left to right), how to crop any run of them, the marks among them and the
    scale they are at (small writing is enlarged to ``cfg.stroke_min_height``, as an image's is: >1)."""
    strokes = as_strokes(strokes)
    strokes, marks, clusters = _stroke_marks(strokes, cfg) if cfg.marks or cfg.end_marks else (strokes, [], None)
    clusters = clusters if clusters is not None else _stroke_clusters(strokes, cfg)
    scale = 1.0
    if cfg.stroke_min_height and strokes:  # (the marks' boxes stay in the pad's pixels)
        x0, y0, x1, y1 = _stroke_box(strokes)
        # a syllable's height, as an image's pieces give it
        scale = min(cfg.stroke_min_height / _line_height(clusters),
                    float(np.sqrt(ENLARGED_PIXELS / max((x1 - x0) * (y1 - y0), 1.0))))
        if scale > 1.05:
            strokes = [(p * scale, w * scale) for p, w in strokes]
            clusters = _stroke_clusters(strokes, cfg)
        else:
            scale = 1.0

    # Each cluster is drawn once, on a canvas of its own; a run of clusters is their canvases laid on one page
    # (a grouping's box is whole pixels, so each canvas lands where the pad would have drawn it). Where two
    # clusters' anti-aliased edges meet, the shades multiply, as drawing one over the other does.
    margin = 4
    drawn: dict[int, tuple] = {}

    def cluster_canvas(c: int) -> tuple:
        if c not in drawn:
            own = [strokes[k] for k in sorted(clusters[c].members)]
            box = _stroke_box(own)
            drawn[c] = (box, render_strokes(own, box, margin))
        return drawn[c]

    def crop(i: int, j: int) -> np.ndarray:
        # as an ink map, bright on black (what the one preprocessing makes of the pad's drawing)
        if j - i == 1:
            page = cluster_canvas(i)[1]
        else:
            x0, y0, x1, y1 = _stroke_box([strokes[k] for c in clusters[i:j] for k in c.members])
            page = np.full((int(y1 - y0) + 2 * margin, int(x1 - x0) + 2 * margin), 255, np.uint16)
            for c in range(i, j):
                (cx0, cy0, _, _), canvas = cluster_canvas(c)
                dx, dy = int(cx0 - x0), int(cy0 - y0)
                region = page[dy:dy + canvas.shape[0], dx:dx + canvas.shape[1]]
                region[...] = (region * canvas + 127) // 255
        return 1.0 - page.astype(np.float32) / 255.0

    return clusters, crop, marks, scale


def _whole_box(box, scale: float = 1.0) -> tuple[int, int, int, int]:
    """(x0, y0, x1, y1) in whole pixels, around it; ``scale``: found on ink enlarged so much (given back in the
    image's own pixels)."""
    x0, y0, x1, y1 = (v / scale for v in box) if scale != 1.0 else box
    return (int(np.floor(x0)), int(np.floor(y0)), int(np.ceil(x1)), int(np.ceil(y1)))


def _int_box(c: _Cluster, scale: float = 1.0) -> tuple[int, int, int, int]:
    """The cluster's box in whole pixels (in the image's own, where its ink was enlarged ``scale`` times)."""
    return _whole_box((c.x0, c.y0, c.x1, c.y1), scale)


@dataclass
class Segmentation:
    """A line cut into syllables: boxes, where words start, each box's own ink, and (when a
    recognizer helped to cut) the model's probabilities for each box."""

    boxes: list[tuple[int, int, int, int]]
    starts: list[bool]
    crops: list[np.ndarray]
    probs: np.ndarray | None = None
    labels: list[str] | None = None  # each box's label, when a language model chose them with the boxes
    marks: list = field(default_factory=list)  # [(box, "." or ",")]: punctuation, not read as syllables
    verified: np.ndarray | None = None  # each box's P(one syllable) from the verifier (1 without one), when asked


@dataclass
class Layout:
    """A line's clusters (left to right) and every plausible syllable over them: ``edges`` maps
    (i, j) (clusters i..j-1 as one syllable) to its geometric cost; ``forward``/``backward``: the
    least cost from the start to each cut and from each cut to the end; ``back``: the best way back."""

    clusters: list
    crop: object  # crop(i, j) -> the syllable's own ink, bright on black
    edges: dict
    forward: np.ndarray
    backward: np.ndarray
    back: dict
    config: SegmentConfig
    marks: list = field(default_factory=list)  # [(box, "." "," "?" or "!")]: punctuation, left out of the clusters
    scale: float = 1.0  # the clusters' pixels per pixel of the image (small writing is enlarged: _image_line)

    @property
    def n(self) -> int:
        return len(self.clusters)

    def best_path(self) -> list[tuple[int, int]]:
        return _path(self.n, self.back)

    def near(self, margin: float) -> list[tuple[int, int]]:
        """Every syllable on a grouping costing at most ``margin`` more than the best one."""
        limit = self.forward[self.n] + margin
        return [e for e, c in self.edges.items() if self.forward[e[0]] + c + self.backward[e[1]] <= limit]

    def box(self, i: int, j: int) -> tuple[int, int, int, int]:
        """Clusters i..j-1's box in the image's pixels."""
        return _int_box(_join(self.clusters, i, j), self.scale)


def layout(image=None, strokes=None, kind: str = "hangul", config: SegmentConfig | None = None, ink=None) -> Layout:
    """Steps 1-3 of the module: a line's clusters and its plausible syllables with their shape costs.
    ``ink``: the image's ink map (:func:`handpad.preprocess.ink_map`), where the caller has made it."""
    if kind not in SEGMENT_CONFIGS:
        raise HandpadError(f"unknown kind {kind!r}; choose one of: {', '.join(SEGMENT_CONFIGS)}")
    cfg = config or SEGMENT_CONFIGS[kind]
    marks, scale = [], 1.0
    if strokes is not None:
        # Strokes that overlap were already joined in drawing order: two separate strokes close
        # together are no sign of one syllable (tight writing), so a cut there costs nothing extra.
        cfg = replace(cfg, cut_close=cfg.stroke_cut_close, join_cost=cfg.stroke_join_cost)
        clusters, crop, marks, scale = _stroke_line(strokes, cfg)
        cut_costs = _order_costs(clusters, cfg.stroke_order_cost)
    elif image is not None:
        clusters, crop, marks, scale = _image_line(image, cfg, ink)
        cut_costs = None
    else:
        raise HandpadError("read: give an image or the pad's strokes")
    n = len(clusters)
    if n > MAX_LINE_PIECES:  # noise or a page, not a line: the grouping's work grows with the pieces
        raise HandpadError(f"{n:,} separate pieces of ink: not a line of writing (at most {MAX_LINE_PIECES}; "
                           "crop the image to one line)")
    height = _line_height(clusters)
    edges = _edges(clusters, height, cfg, cut_costs)
    forward, backward, back = _best(n, edges)
    # Measure the line's height again on the syllables found (a lone ㄱ is lower than a syllable).
    regrouped = float(np.median([_join(clusters, i, j).height for i, j in _path(n, back)]))
    if abs(regrouped - height) > 0.1 * height:
        height = max(regrouped, height)
        edges = _edges(clusters, height, cfg, cut_costs)
        forward, backward, back = _best(n, edges)
    return Layout(clusters, crop, edges, forward, backward, back, cfg, marks, scale)


def segment(image=None, strokes=None, kind: str = "hangul", recognizer=None,
            config: SegmentConfig | None = None, lm=None, weight: float = PRIOR_WEIGHT, verifier=None,
            checks: "ReadChecks | None" = None, ink: np.ndarray | None = None) -> Segmentation:
    """Cut a line into syllables, from the pad's strokes (their timing helps) or else the image.

    With a ``recognizer``, groupings that the shapes alone leave close (within ``checks.recheck``) are
    decided by how well the model reads each syllable (-log of its top-1 probability), in one call.
    With a language model ``lm`` too, grouping and labels are decided together (:func:`_decode`):
    a grouping that reads as real words wins over one whose pieces the model reads as odd syllables.
    A ``verifier`` (:class:`handpad.verifier.BoxVerifier`) adds its doubt that a box is one syllable.
    ``ink``: the image's ink map, where the caller has made it (:func:`read` has, to find the lines).
    """
    lay = layout(image, strokes, kind, config, ink)
    clusters, crop, edges, cfg, n = lay.clusters, lay.crop, lay.edges, lay.config, lay.n
    forward, backward, back = lay.forward, lay.backward, lay.back
    probs = verified = None
    labels = None
    # A model with test-time views (Model.views) reads the candidate boxes at one view, for speed, and
    # the boxes it keeps again at every view: their candidates then come as single syllables' do.
    every_view, recognizer = recognizer, recognizer and recognizer.one_view()
    if recognizer is None:
        path = _path(n, back)
        crops = [crop(i, j) for i, j in path]
    else:
        # The shapes' best grouping first: read with confidence everywhere (and, with a verifier,
        # each box judged one syllable), it stands (fast path); else the groupings within `recheck`
        # of it are read too and the recognizer (and the verifier) decide.
        check = checks or (READ_CHECKS if verifier is None else VERIFIED_CHECKS)
        path = _path(n, back)
        near = list(path)
        near_crops = [crop(i, j) for i, j in path]
        near_x = [recognizer.prepare(c, "map") for c in near_crops]  # pieces of the line's ink map
        near_out = recognizer.model.outputs(np.stack(near_x))  # raw: the re-read below adds the other views
        near_probs = recognizer.probabilities(near_out)
        near_one = _verify(verifier, recognizer, near_crops, near_x)
        if near_probs.max(axis=1).min() < check.confident or near_one.min() < check.verified:
            on_path = set(path)
            more = [e for e, c in edges.items()
                    if e not in on_path and forward[e[0]] + c + backward[e[1]] <= forward[n] + check.recheck]
            if more:
                more_crops = [crop(i, j) for i, j in more]
                more_x = [recognizer.prepare(c, "map") for c in more_crops]
                more_one = _verify(verifier, recognizer, more_crops, more_x)
                keep = [k for k, v in enumerate(more_one) if v >= check.prune]  # surely not one syllable: not read
                more, more_crops, more_x = [more[k] for k in keep], [more_crops[k] for k in keep], [more_x[k] for k in keep]
            if more:
                near, near_crops, near_x = near + more, near_crops + more_crops, near_x + more_x
                more_out = recognizer.model.outputs(np.stack(more_x))
                near_out = np.concatenate([near_out, more_out])
                near_probs = np.concatenate([near_probs, recognizer.probabilities(more_out)])
                near_one = np.concatenate([near_one, more_one[keep]])
        # Each syllable's cost: its shape, and how surely it is one syllable (the verifier).
        cost = {e: SHAPE_WEIGHT * edges[e] - check.verify_weight * float(np.log(max(v, 1e-6)))
                for e, v in zip(near, near_one)}
        reread = {e: cost[e] - float(np.log(max(p.max(), 1e-12))) for e, p in zip(near, near_probs)}
        _, _, back = _best(n, reread)
        path = _path(n, back)
        where = {e: k for k, e in enumerate(near)}
        labels = None
        if lm is not None and len(near) > len(path):
            groups = [_join(clusters, i, j) for i, j in path]
            # where words start, from the gaps of this grouping: before a cluster, whatever the grouping
            space_at = {i: st for (i, _), st in zip(path, _word_starts(groups, _line_height(groups), cfg))}
            cut_gaps = _gaps(clusters, _line_height(groups))
            threshold = min([cut_gaps[i - 1] for i, st in space_at.items() if st and i > 0] or [np.inf])
            space_at = [i > 0 and cut_gaps[i - 1] >= threshold for i in range(n)]
            decoded = _decode(n, near, cost, near_probs, space_at, lm, weight, recognizer.labels)
            path, labels = [e for e, _ in decoded], [lab for _, lab in decoded]
        crops = [near_crops[where[e]] for e in path]
        probs = near_probs[[where[e] for e in path]]
        verified = near_one[[where[e] for e in path]]
        unsure = [k for k, p in enumerate(probs) if p.max() < check.reread]
        if every_view is not recognizer and unsure:  # the same model: its prepared inputs serve again
            probs = probs.copy()
            rows = [where[path[k]] for k in unsure]
            probs[unsure] = every_view.probabilities(every_view.model.every_view(np.stack([near_x[r] for r in rows]),
                                                                                 near_out[rows]))
            labels = None  # the text is chosen again (best_text) from these candidates
    groups = [_join(clusters, i, j) for i, j in path]
    seg = Segmentation([_int_box(g, lay.scale) for g in groups], _word_starts(groups, _line_height(groups), cfg), crops, probs,
                       marks=lay.marks, verified=verified)
    seg.labels = labels
    return seg


def _verify(verifier, recognizer, crops, prepared) -> np.ndarray:
    """P(one syllable) of each crop (all 1 without a verifier); the recognizer's inputs are reused
    where both preprocess alike but for the size (resized: a fifth of the cost of preparing again)."""
    if verifier is None or not len(crops):
        return np.ones(len(crops))
    x = rescale(np.stack(prepared), recognizer.model.preprocess_config, verifier.preprocess_config)
    return verifier.proba(x if x is not None else np.stack([verifier.prepare(c) for c in crops]))


def _decode(n: int, near: list, cost: dict, probs: np.ndarray, space_at: list[bool], lm, weight: float,
            label_list) -> list:
    """Grouping and labels together: a beam over the cuts, each syllable scored by its cost (shape,
    and the verifier's doubt),
    log P(box | label) over its SEARCH_K candidates, weight * log P_LM(label | previous) and a bonus per
    syllable (the language model's log-probabilities would otherwise favour fewer syllables)."""
    ending: dict[int, list] = {}
    for idx, (i, j) in enumerate(near):
        ending.setdefault(j, []).append((i, idx))
    hyps: dict[int, list] = {0: [(0.0, None, (), "")]}  # score, previous syllable, path, the word so far
    for j in range(1, n + 1):
        scores, extend = [], []  # per (box ending at j, hypothesis): the scores of its labels, and what they extend
        for i, idx in ending.get(j, ()):
            if i not in hyps:
                continue
            p = probs[idx]
            top = top_indices(p, SEARCH_K)
            labels = [label_list[t] for t in top]
            logp = np.log(np.maximum(p[top].astype(np.float64), 1e-12))
            base = SYLLABLE_BONUS - cost[(i, j)]
            after: dict = {}  # weight * log P_LM(labels | previous), per previous syllable (hypotheses share them)
            for score, prev, path, word in hyps[i]:
                start = prev is None or space_at[i]
                s0 = score + base + (_word_end(lm, prev, word, weight) if start and prev is not None else 0.0)
                before = None if start else prev
                if before not in after:
                    after[before] = weight * lm.log_probs(before, labels)
                scores.append(s0 + logp + after[before])
                extend.append((labels, path, (i, j), "" if start else word))
        if scores:
            hyps[j] = [(s, lab, path + ((box, lab),), word + lab)
                       for s, (_, path, box, word), lab in _best_of(scores, extend, BEAM)]
    best = max(hyps[n], key=lambda h: h[0] + _word_end(lm, h[1], h[3], weight))
    return list(best[2])


def _best_of(scores: list[np.ndarray], extend: list, beam: int) -> list:
    """The ``beam`` best (score, what it extends, label) of several hypotheses' label scores, best first;
    ``extend[r][0]``: the labels scored by ``scores[r]``. Ties in the order given (as a stable sort of
    every (hypothesis, label) pair keeps them)."""
    flat = np.concatenate(scores)
    order = np.argsort(-flat, kind="stable")[:beam]
    offsets = np.cumsum([len(s) for s in scores])
    rows = np.searchsorted(offsets, order, side="right")
    out = []
    for o, r in zip(order.tolist(), rows.tolist()):
        labels = extend[r][0]
        out.append((float(flat[o]), extend[r], labels[o - (offsets[r - 1] if r else 0)]))
    return out


def _word_end(lm, last: str, word: str, weight: float) -> float:
    """What a finished word adds to its text's score: the word end's log-probability after its last
    syllable and, if the word is in the prior's word list, ``WORD_BONUS``; both times ``weight``."""
    return weight * (lm.end_log_prob(last) + (WORD_BONUS if WORD_BONUS and lm.knows(word) else 0.0))


# -- the text ------------------------------------------------------------------------------------------


def best_text(candidates: list[list[tuple[str, float]]], starts: list[bool], lm, weight: float = PRIOR_WEIGHT,
              beam: int = BEAM) -> list[str]:
    """The labels, one per box, that maximize sum log P(box|label) + weight * log P_LM(words).

    ``candidates``: each box's (label, prob) list; ``starts``: which boxes begin a word.
    """
    chosen: list[str] = []
    n = len(candidates)
    i = 0
    while i < n:  # word by word: the language model's words end at spaces
        j = i + 1
        while j < n and not starts[j]:
            j += 1
        hyps = [(0.0, None, ())]  # score, previous syllable, labels so far
        for b in range(i, j):
            labels = [c for c, _ in candidates[b]]
            logp = np.log(np.maximum(np.array([p for _, p in candidates[b]], np.float64), 1e-12))
            after = {prev: weight * lm.log_probs(prev, labels) for prev in {prev for _, prev, _ in hyps}}
            scores = [score + logp + after[prev] for score, prev, _ in hyps]
            hyps = [(s, lab, path + (lab,)) for s, (_, path), lab in
                    _best_of(scores, [(labels, path) for _, _, path in hyps], beam)]
        hyps = [(s + _word_end(lm, prev, "".join(path), weight), prev, path) for s, prev, path in hyps]
        chosen += list(max(hyps, key=lambda h: h[0])[2])
        i = j
    return chosen


def resolve_verifier(verifier, kind: str):
    """``"shipped"`` -> the shipped verifier of the kind (None where none is shipped); a path -> that
    file; None or ``"none"`` -> none; a :class:`handpad.verifier.BoxVerifier` as it is."""
    from .verifier import BoxVerifier, shipped_verifier

    if verifier is None or (isinstance(verifier, str) and verifier == "none"):
        return None
    if isinstance(verifier, str) and verifier == "shipped":
        return shipped_verifier(kind)
    if not isinstance(verifier, BoxVerifier):
        verifier = BoxVerifier.load(verifier)
    if verifier.kind != kind:
        raise HandpadError(f"{verifier.path}: a verifier for {verifier.kind} lines; this model reads {kind}")
    return verifier


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
    function of the upper band's ink, the lower one's and both together, :func:`read_apart`), bands far
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
    """:func:`without_rules` for :func:`read`, and where what is left is one character's worth of writing (no
    wider than ONE_CHARACTER of its height, of ONE_CHARACTER_PIECES pieces at most), :func:`without_rules_across`
    (an image cropped tight to one syllable: its ㅡ runs from side to side, as a rule would)."""
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


def read_apart(recognizer, verifier, kind: str, config: SegmentConfig | None = None, checks: ReadChecks | None = None):
    """For :func:`text_lines`: are two bands of ink two lines? Each band is cut into syllables as a line
    is and each box read at one view: how surely it is one syllable (the ``verifier``'s P times the
    recognizer's top-1; the geometric mean over the band's boxes). Two lines where both bands are at
    least LINE_READ sure, and LINE_READ_MARGIN surer than the two bands together read as one box: a list
    of short words is two lines; a syllable whose final consonant sits apart below it is one (a final
    alone is no syllable, the whole is one). Set on validation pages of one- to three-syllable lines
    (96.7% found, 40.0% by shapes alone) against single syllables of the validation designs (none split
    by it) and of 88 training faces (26,400: 61 split by shapes alone, 22 with it)."""
    reader = recognizer.one_view()

    def surely_one(band: np.ndarray) -> float:  # its boxes, read as a line: P(one) x top-1, geometric mean
        try:
            seg = segment(band, kind=kind, recognizer=reader, config=config, verifier=verifier, checks=checks, ink=band)
        except HandpadError:  # not a line of writing (noise): no line of its own
            return 0.0
        sure = seg.verified * seg.probs.max(axis=1)
        return float(np.exp(np.log(np.maximum(sure, 1e-6)).mean())) if seg.boxes else 0.0

    def apart(upper: np.ndarray, lower: np.ndarray, both: np.ndarray) -> bool:
        split = surely_one(upper)
        if split >= LINE_READ:
            split = min(split, surely_one(lower))
        if split < LINE_READ:
            return False
        x = reader.prepare(both, "map")
        whole = float(_verify(verifier, reader, [both], [x])[0]) * float(reader.probabilities(reader.model.outputs(x[None])).max())
        return split >= whole + LINE_READ_MARGIN

    return apart


def page_lines(ink: np.ndarray, apart=None) -> tuple[list[tuple[int, int]], float, np.ndarray]:
    """The lines of an ink map as :func:`read` finds them: (row ranges, angle, the ink they are rows of).
    :func:`text_lines` of the ink as it is, or of the ink turned straight (:func:`skew_angle`) where
    that parts it into more lines (a page photographed askew, whose lines overlap in height).
    ``apart``: see :func:`text_lines` (``read`` passes :func:`read_apart` of its recognizer)."""
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


def read(recognizer, image=None, strokes=None, k: int = TOP_K, prior: bool | None = None,
         weight: float = PRIOR_WEIGHT, config: SegmentConfig | None = None, verifier="shipped",
         checks: ReadChecks | None = None) -> Reading:
    """Read a line: boxes, each box's candidates, and the most likely text (see the module's steps).
    An image of several lines (a photo of a page, :func:`text_lines`) is read line by line; each
    syllable says its line, and the text has one line of text per line of the image. The pad's
    strokes are one line.

    ``prior``: use the language prior (default: yes for Hangul, no for digits); ``verifier``: the
    box verifier (default: the shipped one of the model's kind; None: shapes and recognizer alone).
    """
    ink = None
    if strokes is None and image is not None:
        # a word in a form's field: the box's sides go too; and a line drawn under the writing
        ink = without_underlines(without_box(_without_printed_lines(without_scan_marks(ink_map(image)))))
        judge = resolve_verifier(verifier, recognizer.label_space.kind)
        apart = None if judge is None else read_apart(recognizer, judge, recognizer.label_space.kind, config, checks)
        lines, angle, page = page_lines(ink, apart)
        if len(lines) > 1:  # each line's ink read as a line of its own, its boxes put back in place
            syllables, used_prior = [], False
            for number, (y0, y1) in enumerate(lines):
                part = _read_line(recognizer, page[y0:y1], None, k, prior, weight, config, judge, checks)
                used_prior = part.prior
                for s in part.syllables:
                    box = (s.box[0], s.box[1] + y0, s.box[2], s.box[3] + y0)
                    syllables.append(replace(s, box=_turned_back(box, angle, ink.shape) if page is not ink else box,
                                             line=number))
            return Reading(syllables, prior=used_prior)
        verifier = judge
    return _read_line(recognizer, image, strokes, k, prior, weight, config, verifier, checks, ink)


def _read_line(recognizer, image, strokes, k: int, prior: bool | None, weight: float, config: SegmentConfig | None,
               verifier, checks: ReadChecks | None, ink: np.ndarray | None = None) -> Reading:
    """:func:`read` for one line (``ink``: the image's ink map, where the caller has made it)."""
    kind = recognizer.label_space.kind
    verifier = resolve_verifier(verifier, kind)
    use_prior = (kind == "hangul") if prior is None else bool(prior)
    if use_prior and kind != "hangul":
        raise HandpadError("the language prior is for Hangul; read digits without it")
    lm = None
    if use_prior:
        from .prior import SyllableLM

        lm = SyllableLM.load()
    seg = segment(image, strokes, kind, recognizer, config, lm=lm, weight=weight, verifier=verifier, checks=checks, ink=ink)
    searched = use_prior and seg.labels is None  # the text still to choose, from more candidates than are listed
    ranked = [recognizer._ranked(p, max(k, SEARCH_K) if searched else k) for p in seg.probs]
    tops = [t[:k] for t in ranked]
    boxes, starts = seg.boxes, seg.starts
    if not use_prior:
        labels = [t[0][0] for t in tops]
    else:  # chosen with the boxes (segment) or now; kept among the listed candidates
        labels = best_text(ranked, starts, lm, weight) if searched else seg.labels
        index = recognizer.label_space.index
        tops = [t if lab in dict(t) else t + [(lab, float(p[index(lab)]))] for lab, t, p in zip(labels, tops, seg.probs)]
    read = [SyllableRead(b, t, lab, s) for b, t, lab, s in zip(boxes, tops, labels, starts)]
    for box, mark in seg.marks:  # after the syllables left of it, no space before it
        at = sum(r.box[0] < box[0] for r in read)
        read.insert(at, SyllableRead(box, [(mark, 1.0)], mark))
        # nor after a hyphen or colon: it joins ("010-1234", "12:30"); in numbers a comma or point too ("15,000")
        if (mark in "-:" or kind == "digits" and mark in ",.") and at + 1 < len(read):
            read[at + 1] = replace(read[at + 1], space_before=False)
    return Reading(read, prior=use_prior)
