"""Reading a line: several syllables (or digits) written left to right become text.

    >>> rec = Recognizer.load("hangul")
    >>> reading = rec.read(image)              # or rec.read(strokes=pad_strokes): timing helps
    >>> reading.text
    '안녕 하세요'
    >>> reading.syllables[0].box, reading.syllables[0].top
    ((12, 30, 140, 161), [('안', 0.93), ('만', 0.03), ('앙', 0.01)])

The steps, in order:

0. **Lines** (:mod:`handpad.page`). From an image, what is not writing goes first (ruled lines, a box,
   underlines, a photo's thumb or holes); an image of several lines (a photo of a page) is cut into lines
   where empty rows separate bands of ink that each look like a line (:func:`handpad.page.text_lines`; short
   lines, which look like no line, where each band reads as whole syllables and the two together as none,
   :func:`read_apart`), after turning it straight where it was photographed askew
   (:func:`handpad.page.skew_angle`); each line is read as below.
1. **Pieces.** From an image: the connected pieces of ink (specks dropped); a blurred line's ink map
   stretched first (``SegmentConfig.sharpen``), small writing enlarged first (``min_height``, from the
   strokes ``stroke_min_height``), boxes given back in the image's pixels. From the pad's strokes:
   each stroke, in the order it was drawn; a stroke that lands on an earlier syllable (a tick added
   afterwards) joins that syllable, since a syllable is usually finished before the next begins.
   Marks are taken out (full stops, commas, "?", "!", hyphens, colons: :func:`_marks`,
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
from . import page
from .page import BOX_THRESHOLD, DUST_AREA, _no_hole
from .preprocess import ink_map, rescale

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
    cut_path: float = 0.0  # > 0: touching ink is cut along the path from top to bottom that crosses the least ink, a
    # step aside costing this much of a pixel of ink (_cut_path), not straight down its thinnest column. Off: on
    # held-out lines no better than the straight cut (docs/reading.md, "Tried, not adopted: cutting along a path")
    join_cost: float = 0.0  # cost of each more piece beside (not over) the others in one character (image) ...
    stroke_join_cost: float = 0.0  # ... (strokes); digits only: a digit is rarely two pieces side by side, a syllable often is
    stroke_order_cost: float = 1.0  # cost of a cut whose left side is not the strokes drawn first (_order_costs). Set on
    # validation lines: the most that costs no boxes when a syllable gets a stroke after the rest of the line (1.5 and
    # up do; 2-10 would read in-order lines a little better). No effect on digits there: 0 for them.
    marks: bool = True  # full stops and commas told apart (_marks): in numbers, decimal points and thousands' commas
    dashes: bool = True  # and hyphens between characters ("010-1234-5678", "2026-12-07", "서울-부산"; _marks)
    colons: bool = True  # and colons ("12:30", "이름: 홍길동"; _colon: two round dots stacked, apart from the writing)
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
                               min_height=0.0, sharpen=False, minus=True)  # strokes: enlarged as Hangul's (number
# lines read better)
SEGMENT_CONFIGS = {"hangul": HANGUL_SEGMENT, "digits": DIGITS_SEGMENT}

TOP_K = 8  # candidates listed per box (the answer's "top")
SEARCH_K = 32  # candidates per box the beam search looks at (a hand the model reads poorly has the right one lower)
BEAM = 12
PRIOR_WEIGHT = 0.7  # weight of the language model's log-probability (tuned on validation faces; with SEARCH_K and
# WORD_BONUS on the casual hand's validation lines too, bench/prior_control.py: docs/reading.md, "A casual hand's words")
MAX_PIECES = 4  # clusters one syllable may have
FLAT = 3.0  # a piece of ink this many times as wide as high or more is flat (no syllable's height: _line_height)
SPECK_FLOOR = 0.002  # pieces below this share of the largest one's area do not set the height specks are measured by,
# nor pieces of DUST_AREA pixels or fewer (handpad.page: dust)
BLUR_SOFT = 0.3  # a sharp line has 8-21% of its ink (above 0.1) below 0.7 (validation lines: 5th-95th percentile);
# blurred by a Gaussian of 1 px, 22-53%
BLUR_LOW, BLUR_HIGH = 0.4, 0.8  # the stretch (0.3..0.7 tried as well)
ENLARGED_PIXELS = 4_000_000  # small writing is enlarged (SegmentConfig.min_height) to at most this many pixels
MAX_LINE_PIECES = 400  # a long line has ~100 pieces of ink; more is noise or a page
MAX_STROKE_PIXELS = 16_000_000  # strokes spanning more are refused before anything is drawn
LINE_READ = 0.1  # short lines (a list of words, no line's shape): two bands whose boxes read as syllables at least
LINE_READ_MARGIN = 0.1  # this surely, and by this much more surely than the two as one box, are two lines (read_apart)


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
    ink: np.ndarray | None = field(default=None, repr=False, compare=False)  # the box's own ink as it was read
    # (bright on black, the recognizer's "map" input): what the pads save as a sample of the chosen label; None for a mark

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
        lo = max(int(cfg.min_part * height), 1)
        hi = own.shape[1] - lo
        if hi <= lo:
            out.append(c)
            continue
        if cfg.cut_path > 0:
            parts = _cut_along_path(c, own, labels, _cut_path(own, lo, hi, cfg.cut_path), x0, y0) or []
        else:  # straight down the thinnest column
            cut = lo + int(np.argmin(own.sum(axis=0)[lo:hi]))
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


def _cut_path(own: np.ndarray, lo: int, hi: int, step_cost: float) -> np.ndarray:
    """Per row of ``own`` (a piece's ink), the column of the path from its top row to its bottom row, within columns
    lo..hi-1 and at most one column aside a row, that crosses the least ink (a step aside costs ``step_cost``): where
    two touching characters part when one reaches over the other (a 9's tail under a 5, a vowel's tick under the
    next syllable), where no single column parts them."""
    ink = own[:, lo:hi].astype(np.float32)
    rows, width = ink.shape
    cost = ink[0].copy()
    came = np.zeros((rows, width), np.int8)  # -1: from the column to the left, 0: above, +1: to the right
    left, right = np.full(width, np.inf, np.float32), np.full(width, np.inf, np.float32)
    for y in range(1, rows):  # in place: a row is ~10 numpy calls (np.stack and argmin took 3x as long)
        np.add(cost[:-1], step_cost, out=left[1:])
        np.add(cost[1:], step_cost, out=right[:-1])
        came[y][left < cost] = -1  # ties: straight down, then from the left
        np.minimum(cost, left, out=cost)
        came[y][right < cost] = 1
        np.minimum(cost, right, out=cost)
        cost += ink[y]
    path = np.empty(rows, np.int64)
    x = int(np.argmin(cost))
    for y in range(rows - 1, -1, -1):
        path[y] = x
        x += int(came[y, x])
    return path + lo


def _cut_along_path(c: "_Cluster", own: np.ndarray, labels: np.ndarray, path: np.ndarray, x0: int, y0: int):
    """The two parts of cluster ``c`` on either side of ``path`` (:func:`_cut_path`), or None if one would be
    empty. A component cut in two gets a new label for its right side (in ``labels`` itself), so each part is a
    set of whole components: cropping and joining parts need no columns."""
    right = own & (np.arange(own.shape[1])[None, :] >= path[:, None])
    left = own & ~right
    if not left.any() or not right.any():
        return None
    region = labels[y0 : y0 + own.shape[0], x0 : x0 + own.shape[1]]  # a view: new labels go into labels
    members = {True: [], False: []}  # right side: members
    for m in c.members:
        mine = region == m
        on_left, on_right = bool((mine & left).any()), bool((mine & right).any())
        if on_left and on_right:
            new = int(labels.max()) + 1
            region[mine & right] = new
            members[False].append(m)
            members[True].append(new)
        elif on_left or on_right:
            members[on_right].append(m)
    parts = []
    for side, mask in ((False, left), (True, right)):
        ys, xs = np.nonzero(mask)
        parts.append(_Cluster(float(x0 + xs.min()), float(y0 + ys.min()), float(x0 + xs.max() + 1),
                              float(y0 + ys.max() + 1), members[side]))
    return parts


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


def read_apart(recognizer, verifier, kind: str, config: SegmentConfig | None = None, checks: ReadChecks | None = None):
    """For :func:`handpad.page.text_lines`: are two bands of ink two lines? Each band is cut into syllables as a line
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


def read(recognizer, image=None, strokes=None, k: int = TOP_K, prior: bool | None = None,
         weight: float = PRIOR_WEIGHT, config: SegmentConfig | None = None, verifier="shipped",
         checks: ReadChecks | None = None) -> Reading:
    """Read a line: boxes, each box's candidates, and the most likely text (see the module's steps).
    An image of several lines (a photo of a page, :func:`handpad.page.text_lines`) is read line by line; each
    syllable says its line, and the text has one line of text per line of the image. The pad's
    strokes are one line.

    ``prior``: use the language prior (default: yes for Hangul, no for digits); ``verifier``: the
    box verifier (default: the shipped one of the model's kind; None: shapes and recognizer alone).
    """
    ink = None
    if strokes is None and image is not None:
        # a word in a form's field: the box's sides go too; and a line drawn under the writing
        ink = page.without_scan_marks(ink_map(image))  # (handpad.page: what on a page is not writing)
        ink = page.without_underlines(page.without_box(page._without_printed_lines(ink)))
        judge = resolve_verifier(verifier, recognizer.label_space.kind)
        apart = None if judge is None else read_apart(recognizer, judge, recognizer.label_space.kind, config, checks)
        lines, angle, lines_ink = page.page_lines(ink, apart)
        if len(lines) > 1:  # each line's ink read as a line of its own, its boxes put back in place
            syllables, used_prior = [], False
            for number, (y0, y1) in enumerate(lines):
                part = _read_line(recognizer, lines_ink[y0:y1], None, k, prior, weight, config, judge, checks)
                used_prior = part.prior
                for s in part.syllables:
                    box = (s.box[0], s.box[1] + y0, s.box[2], s.box[3] + y0)
                    syllables.append(replace(s, box=page._turned_back(box, angle, ink.shape) if lines_ink is not ink else box,
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
    read = [SyllableRead(b, t, lab, s, ink=c) for b, t, lab, s, c in zip(boxes, tops, labels, starts, seg.crops)]
    for box, mark in seg.marks:  # after the syllables left of it, no space before it
        at = sum(r.box[0] < box[0] for r in read)
        read.insert(at, SyllableRead(box, [(mark, 1.0)], mark))
        # nor after a hyphen: it joins ("010-1234", "서울-부산"); in numbers a colon, comma or point too ("12:30",
        # "15,000"); after a colon among words, a space where the gap is a word's ("이름: 홍길동")
        if (mark == "-" or kind == "digits" and mark in ":,.") and at + 1 < len(read):
            read[at + 1] = replace(read[at + 1], space_before=False)
    return Reading(read, prior=use_prior)
