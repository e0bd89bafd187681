"""A font glyph written the way a person writes it with a mouse on the pad: the "hand" kind.

The pen kind (:mod:`handpad.synth.pen`) redraws a glyph's skeleton with one smooth, constant
pen; real drawings differ from a font in more ways. This module takes the skeleton apart into
strokes and puts it back together the way a hand does, as a pipeline of separately switchable
distortions (:class:`HandStyle` holds one strength per distortion; 0 switches it off, 1 is the
default, 2 twice as strong):

corners
    sharp corners of closed loops (ㅁ, ㅂ, ㅍ) are sometimes kept square and sometimes rounded
    (the polyline around the corner is replaced by a quadratic Bezier curve: corner cutting,
    the limit of Chaikin smoothing); round loops (ㅇ) are sometimes drawn slightly squarish.
ticks
    the real short strokes (ㅏ ㅓ ㅔ ㅖ's bars, ㅈ ㅊ ㅎ's ticks, ㅗ ㅜ's stems, ㅋ's bar, ㅂ's ears)
    are drawn at varied, sometimes very short length; never removed: a tick keeps a visible
    length beyond the pen (what tells ㅏ from ㅣ, ㅊ from ㅈ). No stroke is ever added.
mouse
    the end of a stroke overshoots or stops short of a junction, free ends vary in length,
    some long strokes end with a hook (a short flick whose direction has a per-drawing bias, a
    hand's habit); loops close with a small overlap or gap; and the strokes are sampled as
    the pad receives them: integer mouse positions a few pixels apart (slow at the start and
    end of a stroke, fast in the middle), with a little jitter. Off: the pen follows the
    skeleton exactly (a point every pixel).
jamo
    the glyph's pieces (connected parts of the skeleton; tiny ones merged with their nearest
    neighbour, overlapping ones merged: they approximate jamo) are shifted and rescaled
    relative to each other, and the gaps between them open or close (pieces move toward or
    away from the glyph's center); bounded, and never so far that two pieces collide.
warp
    a smooth mesh warp: a coarse random displacement grid (4x4), upsampled with cubic
    interpolation, read at the strokes' points; bounded, so strokes bend but never kink.
slant
    slant (shear, a little to the right on average), squeeze (aspect ratio) and a small rotation.
cursive
    fast writing: the pen does not lift between consecutive strokes (in writing order: jamo by
    jamo, each top-left first), so a link, a gently bowed curve from one stroke's end to the
    next one's start, joins them into one, as in cursive script (ㅈ written as a "z", ㅁ in
    one go, ㄱ running on into ㅏ); mostly within a jamo, less often from one to the next,
    never across a wide gap. Off (0) in the normal and careless presets; the "cursive" preset
    is the careless hand with it on.
shape
    every piece (≈ jamo) takes its own shape, as a hand that forms each jamo its own way does:
    its own squeeze, slant and small rotation about its center, and its own smooth mesh warp
    (a 3x3 grid over the piece's box) that bends its strokes: a ㅁ drawn as a trapezoid or
    a rounded box, a ㅈ's legs spread or closed, an ㅇ an egg, a ㅏ's bar tilted; bounded, and
    never so far that two pieces collide (as jamo). Off (0) in the normal, careless and
    cursive presets; the "casual" preset is the cursive hand with it on.

In that order: corners and ticks on the glyph's strokes, then jamo, shape, warp and slant
move them, then the mouse draws them (cursive links last, between the strokes' final paths). It
is drawn as the pad draws (:class:`handpad.pad.canvas.Canvas`:
a dot at the press, one anti-aliased round-capped line per mouse move) with one of the pad's
pen widths (mostly the default :data:`~handpad.pad.canvas.PEN_WIDTH`) at a random size and
place on the 400x400 canvas. As a person would, the hand never lets the pen close a loop or
the gap between two strokes of a jamo (what makes a small ㅇ a blob): it draws bigger or takes
a thinner pen; and it leaves room between jamo for a thick pen (pieces move apart until the
gaps stay visible at the model's resolution). The caller sends the canvas through
:func:`handpad.preprocess.preprocess`, as the pad does.

Every distortion draws from its own random stream (split from the sample's generator), so
switching one off (:meth:`HandStyle.without`) leaves the others' draws unchanged: what
``bench/hand_ablation.py`` relies on. :func:`analyze` depends only on the glyph (cache it).
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import cv2
import numpy as np

from ..pad.canvas import CANVAS_SIZE, PEN_WIDTH, PEN_WIDTHS, Canvas
from . import pen as penlib

DISTORTIONS = ("corners", "ticks", "mouse", "jamo", "warp", "slant", "cursive", "shape")
VERSION = 2  # recorded in a store's manifest; bump when the drawings a seed produces change

# -- what strength 1 means (fractions are of the glyph's longer side) --------------------------
JAMO_SHIFT = 0.025  # std of a piece's shift
JAMO_SCALE = 0.07  # std of a piece's log-scale (and 0.4x that per axis)
JAMO_GAP = 0.06  # std of the common and 0.5x of the per-piece radial move (gaps open/close)
JAMO_MAX_MOVE = 0.07  # a piece's center moves at most this far (times the strength)
JAMO_MIN_GAP = 0.5  # a gap between two pieces keeps at least this share of its width
WARP_GRID = 4  # the mesh warp's random displacement grid is WARP_GRID x WARP_GRID
WARP_STD = 0.022  # std of a grid node's displacement (clipped at 2 std)
SHEAR = (0.05, 0.08)  # slant: mean (to the right) and std of the shear
ASPECT = 0.08  # std of the log aspect ratio (squeeze)
ROTATION = 3.0  # std of the rotation, degrees
CORNER_P = 0.5  # chance that a drawing's corners are rounded (else kept square)
CORNER_CUT = (0.08, 0.2)  # rounded corner: the curve starts this share of the sides away (half stays straight)
OPEN_CORNER_CUT = 0.5  # corners of open strokes (ㄱ ㄴ ㄹ) are cut at most this share of the above
SQUARISH_P = 0.5  # chance that a round loop (ㅇ) is drawn squarish ...
SQUARISH = (0.1, 0.45)  # ... by this share of the way to a square
TICK_MAX = 0.33  # an open stroke with a free end and shorter than this is a "tick"
TICK_SHORT_P = 0.35  # chance that a tick is drawn short ...
TICK_SHORT = (0.2, 0.65)  # ... at this share of its length, else at ...
TICK_NORMAL = (0.8, 1.2)  # ... this share
TICK_MIN_PEN = 1.6  # a tick ending on a stroke sticks out at least this many pen widths past it
OVERSHOOT = (-0.015, 0.035)  # a stroke's end at a junction moves this far along the stroke
FREE_END = (-0.03, 0.015)  # a long stroke's free end moves this far along the stroke
CLOSURE = (-0.03, 0.06)  # a loop closes with this overlap (< 0: a gap)
HOOK_P = 0.3  # chance that a long stroke's last end has a hook ...
HOOK_LEN = (0.015, 0.045)  # ... this long
CURSIVE_SHARE = (0.3, 0.9)  # a cursive drawing links this share of the stroke pairs it may (uniform per drawing)
CURSIVE_ACROSS = 0.8  # a link from one jamo to the next: this times as likely as one within a jamo
CURSIVE_REACH = 0.8  # a link spans at most this share of the drawing's longer side
CURSIVE_BOW = 0.3  # std of a link's bow (its curve's control point off the chord), share of its length
SHAPE_ASPECT = 0.15  # std of a piece's own log aspect ratio (clipped at 2 std) ...
SHEAR_PIECE = 0.12  # ... of its own shear ...
ROTATION_PIECE = 5.0  # ... and its own rotation, degrees, about its center
SHAPE_GRID = 3  # a piece's own mesh warp: a SHAPE_GRID x SHAPE_GRID grid over the piece's box ...
SHAPE_WARP = 0.06  # ... whose nodes move with this std, share of the piece's longer side (clipped at 2 std)
MOUSE_STEP = (2.5, 7.0)  # canvas pixels between mouse events at full speed
MOUSE_JITTER = 0.4  # std of a mouse event's position, canvas pixels (before rounding)


def pad_widths() -> tuple[int, ...]:
    """The widths the pad's pen can have: the default, and what thicker/thinner steps give."""
    from ..pad.canvas import PEN_STEP

    lo, hi = PEN_WIDTHS
    return tuple(sorted({int(np.clip(w, lo, hi)) for w in range(PEN_WIDTH % PEN_STEP, hi + PEN_STEP, PEN_STEP)} | {lo}))


@dataclass(frozen=True)
class HandStyle:
    """How a hand writes: one strength per distortion (0 off, 1 default), the pens and sizes."""

    name: str = "normal"
    corners: float = 1.0
    ticks: float = 1.0
    mouse: float = 1.0
    jamo: float = 1.0
    warp: float = 1.0
    slant: float = 1.0
    cursive: float = 0.0  # off unless asked for: the presets normal and careless draw as before
    shape: float = 0.0  # off unless asked for (as cursive)
    # The pad's pen widths (canvas pixels) and how often each is used: mostly the default 18.
    pens: tuple[int, ...] = (6, 10, 14, 18, 22, 26, 30)
    pen_weights: tuple[float, ...] = (0.03, 0.08, 0.16, 0.45, 0.16, 0.08, 0.04)
    pen_ratio: tuple[float, float] = (0.04, 0.12)  # pen width / drawing size (log-uniform)
    size: tuple[float, float] = (0.3, 0.95)  # drawing size (longer side), fraction of the canvas
    clearance: float = 0.75  # the pen is at most this share of the narrowest gap inside a piece
    room: float = 2.0  # pieces stay this far apart (pixels of the model's 48 px), pen width excluded
    canvas: int = CANVAS_SIZE

    def __post_init__(self):
        for name in DISTORTIONS:
            if not 0 <= getattr(self, name) <= 4:
                raise ValueError(f"hand style {self.name!r}: {name} must be between 0 and 4, got {getattr(self, name)}")
        if len(self.pens) != len(self.pen_weights) or not self.pens:
            raise ValueError("hand style: pens and pen_weights must have the same, non-zero length")

    def without(self, *names: str) -> HandStyle:
        """This style with the named distortions switched off (for ablations)."""
        _check_names(names)
        return dataclasses.replace(self, name=self.name + "".join(f"-{n}" for n in names), **{n: 0.0 for n in names})

    def only(self, *names: str) -> HandStyle:
        """This style with every distortion but the named ones switched off."""
        _check_names(names)
        return dataclasses.replace(self, name=self.name + "-only-" + "-".join(names) if names else self.name + "-plain",
                                   **{n: 0.0 for n in DISTORTIONS if n not in names})

    def to_dict(self) -> dict:
        d = {k: list(v) if isinstance(v, tuple) else v for k, v in dataclasses.asdict(self).items()}
        for name in ("cursive", "shape"):  # recorded as before they existed: earlier stores stay continuable
            if not d[name]:
                del d[name]
        return d


def _check_names(names) -> None:
    bad = [n for n in names if n not in DISTORTIONS]
    if bad:
        raise ValueError(f"unknown distortion(s) {', '.join(bad)}; choose from {', '.join(DISTORTIONS)}")


NORMAL = HandStyle()
# A careless hand: pieces drift further apart or together, strokes bend and slant more, more
# hooks and overshoots, and thicker and thinner pens (closer to the gaps between strokes).
CARELESS = HandStyle(name="careless", jamo=2.0, warp=2.0, slant=2.0, mouse=1.5,
                     pens=(4, 6, 10, 14, 18, 22, 26, 30, 38, 46), pen_weights=(0.04, 0.06, 0.1, 0.12, 0.3, 0.12, 0.1, 0.08, 0.05, 0.03),
                     pen_ratio=(0.03, 0.16), clearance=0.9, room=1.0)
# A cursive hand: the careless one that does not lift the pen between strokes (training only:
# the careless test sets stay as they were).
CURSIVE = dataclasses.replace(CARELESS, name="cursive", cursive=1.0)
# A casual hand: the cursive one that forms every jamo its own way (training only, as cursive).
CASUAL = dataclasses.replace(CURSIVE, name="casual", shape=1.0)
HAND_STYLES = {"normal": NORMAL, "careless": CARELESS, "cursive": CURSIVE, "casual": CASUAL}


def hand_style(name_or_style) -> HandStyle:
    """A preset's name ("normal", "careless", "cursive", "casual") or a HandStyle -> a HandStyle."""
    if isinstance(name_or_style, HandStyle):
        return name_or_style
    if isinstance(name_or_style, dict):  # as recorded in a manifest
        d = {k: tuple(v) if isinstance(v, list) else v for k, v in name_or_style.items() if k != "version"}
        return HandStyle(**d)
    if name_or_style not in HAND_STYLES:
        raise ValueError(f"unknown hand style {name_or_style!r}; choose one of: {', '.join(HAND_STYLES)}")
    return HAND_STYLES[name_or_style]


# -- the glyph, taken apart into strokes (once per glyph) --------------------------------------
@dataclass(frozen=True)
class Stroke:
    """One stroke of the skeleton, as a pen would draw it in one go (working-size pixels)."""

    points: np.ndarray  # float32 (n, 2) x, y; a closed stroke ends where it starts
    closed: bool
    ends: tuple[str, str]  # start, end: "free" (the stroke ends in the air) or "joint" (on another stroke)
    piece: int  # the piece (≈ jamo) it belongs to
    corners: tuple  # (x, y, cut length before, after, on a loop?) of its sharp corners

    @property
    def length(self) -> float:
        return _length(self.points)


@dataclass(frozen=True)
class Hole:
    """An enclosed space of the skeleton (inside ㅇ, ㅁ, ㅂ ...)."""

    center: tuple[float, float]
    radius: float  # inscribed radius: how thick a pen may be before it closes
    reach: float  # farthest point of the hole from its center
    round: bool  # round (ㅇ) rather than square (ㅁ)


@dataclass(frozen=True)
class Glyph:
    """A glyph's skeleton as strokes, pieces and holes; :func:`analyze` makes it."""

    strokes: tuple[Stroke, ...]
    pieces: int
    holes: tuple[Hole, ...]
    size: float  # longer side of the strokes' extent, working pixels


_OFFSETS = ((-1, -1), (-1, 0), (-1, 1), (0, -1), (0, 1), (1, -1), (1, 0), (1, 1))
SPUR = 3.0  # skeleton branches that end in the air and are shorter than this (at 64 px) are thinning noise
SMOOTH_SIGMA = 1.2  # smoothing of the skeleton's pixel staircase, pixels
LINK_COS = -0.75  # at a junction, two branches this close to opposite continue one another


def analyze(ink, work_size: int = penlib.WORK_SIZE, fill_holes: bool = True) -> Glyph:
    """Glyph ink map (any size, ink bright) -> its strokes, pieces and holes.

    Raises ValueError if there is no ink.
    """
    skel = penlib.skeleton_image(ink, work_size, fill_holes=fill_holes)
    k = work_size / 64.0
    paths, node_pos, node_deg, labels = _trace(skel, SPUR * k)
    strokes = _link(paths, node_pos, node_deg)
    pieces = _pieces([s[0] for s in strokes], [labels[s[3]] for s in strokes], work_size)
    out = []
    for (pts, closed, ends, _), piece in zip(strokes, pieces):
        pts = _orient(_smooth(pts, closed), closed)
        out.append(Stroke(pts, closed, ends, piece, ()))
    holes = _holes(skel)
    out = [dataclasses.replace(s, corners=_corners(s, holes)) for s in out]
    allpts = np.concatenate([s.points for s in out])
    size = float(max(np.ptp(allpts[:, 0]), np.ptp(allpts[:, 1]), 1.0))
    return Glyph(tuple(out), int(max(pieces) + 1 if pieces else 0), tuple(holes), size)


def _trace(skel: np.ndarray, spur: float):
    """Skeleton pixels -> branches between nodes (ends and junctions) and pure cycles.

    Returns (paths, node positions, node degrees, component labels by pixel); a path is
    (float (n, 2) x/y points, start node or -1 (cycle), end node or -1, a pixel (y, x)).
    """
    h, w = skel.shape
    ys, xs = np.nonzero(skel)
    n = len(ys)
    index = np.full((h + 2, w + 2), -1, np.int64)
    index[ys + 1, xs + 1] = np.arange(n)
    on = index >= 0
    adj = np.full((n, 8), -1, np.int64)
    for k, (dy, dx) in enumerate(_OFFSETS):
        j = index[ys + 1 + dy, xs + 1 + dx]
        if dy and dx:  # a diagonal step is redundant where two orthogonal steps join the same pixels
            j = np.where(on[ys + 1 + dy, xs + 1] | on[ys + 1, xs + 1 + dx], -1, j)
        adj[:, k] = j
    nbrs = [[int(v) for v in row if v >= 0] for row in adj]
    deg = np.array([len(v) for v in nbrs])
    # Nodes: ends (degree 1), isolated pixels, and clusters of touching junction pixels (degree >= 3).
    node_of = np.full(n, -1, np.int64)
    node_pixels: list[list[int]] = []
    for i in np.flatnonzero(deg != 2):
        if node_of[i] >= 0:
            continue
        node_of[i] = len(node_pixels)
        members, stack = [int(i)], [int(i)]
        if deg[i] >= 3:
            while stack:
                p = stack.pop()
                for q in nbrs[p]:
                    if deg[q] >= 3 and node_of[q] < 0:
                        node_of[q] = node_of[i]
                        members.append(q)
                        stack.append(q)
        node_pixels.append(members)
    pos = np.stack([xs, ys], axis=1).astype(np.float32)
    node_pos = np.array([pos[m].mean(axis=0) for m in node_pixels], np.float32).reshape(-1, 2)
    visited = np.zeros(n, bool)
    used: set[tuple[int, int]] = set()
    paths = []
    for a, members in enumerate(node_pixels):
        visited[members] = True
        for p in members:
            for q in nbrs[p]:
                if node_of[q] == a or (p, q) in used:
                    continue
                chain, prev, cur = [p, q], p, q
                while node_of[cur] < 0 and len(chain) <= n + 1:
                    visited[cur] = True
                    nxt = [r for r in nbrs[cur] if r != prev]
                    prev, cur = cur, nxt[0]
                    chain.append(cur)
                used.add((p, q))
                used.add((chain[-1], chain[-2]))
                b = int(node_of[cur])
                pts = np.concatenate([node_pos[a : a + 1], pos[chain[1:-1]], node_pos[b : b + 1]])
                paths.append([pts, a, b, (int(ys[q]), int(xs[q]))])
        if len(members) == 1 and not nbrs[members[0]]:  # an isolated pixel: a dot
            paths.append([node_pos[a : a + 1].copy(), a, a, (int(ys[members[0]]), int(xs[members[0]]))])
    # Pure cycles (ㅇ): degree-2 pixels not on any branch.
    for i in np.flatnonzero(~visited):
        if visited[i]:
            continue
        chain, prev, cur = [int(i)], -1, int(i)
        visited[i] = True
        while True:
            nxt = [r for r in nbrs[cur] if r != prev and (r != chain[0] or len(chain) > 2)]
            if not nxt or nxt[0] == chain[0] or visited[nxt[0]]:
                break
            prev, cur = cur, nxt[0]
            visited[cur] = True
            chain.append(cur)
        pts = pos[chain + [chain[0]]]
        paths.append([pts, -1, -1, (int(ys[i]), int(xs[i]))])
    node_deg = np.zeros(len(node_pixels), np.int64)
    for pts, a, b, _px in paths:
        if a >= 0 and len(pts) > 1:
            node_deg[a] += 1
            node_deg[b] += 1
    # Spurs: short branches from a junction that end in the air (thinning noise at corners).
    keep = []
    for p in paths:
        pts, a, b = p[0], p[1], p[2]
        ends_free = [x for x in (a, b) if x >= 0 and node_deg[x] == 1]
        ends_joint = [x for x in (a, b) if x >= 0 and node_deg[x] >= 3]
        if len(ends_free) == 1 and len(ends_joint) == 1 and _length(pts) < spur:
            node_deg[ends_joint[0]] -= 1
            continue
        keep.append(p)
    _, labels = cv2.connectedComponents(skel, connectivity=8)
    return keep, node_pos, node_deg, labels


def _link(paths, node_pos, node_deg):
    """Branches -> strokes: at a junction, the two branches closest to a straight line continue
    each other (as a pen goes through); a junction left with two branches joins them.

    Returns (points, closed, (start end type, end end type), a pixel) per stroke.
    """
    ends_at: dict[int, list[tuple[int, int]]] = {}
    for e, (pts, a, b, _) in enumerate(paths):
        if a < 0 or len(pts) < 2:
            continue
        ends_at.setdefault(a, []).append((e, 0))
        ends_at.setdefault(b, []).append((e, 1))
    allpts = np.concatenate([p[0] for p in paths]) if paths else np.zeros((1, 2), np.float32)
    size = max(float(np.ptp(allpts[:, 0])), float(np.ptp(allpts[:, 1])), 1.0)

    def short_free(e, side):  # a tick: short, ending in the air; a stroke of its own (ㅔ's bar, ㅂ's ears)
        pts, a, b, _ = paths[e]
        return node_deg[(a, b)[1 - side]] <= 1 and _length(pts) < TICK_MAX * size

    link: dict[tuple[int, int], tuple[int, int]] = {}
    for ends in ends_at.values():
        if len(ends) < 2:
            continue
        dirs = [_end_direction(paths[e][0], side) for e, side in ends]
        if len(ends) == 2:
            pairs = [(0, 1)]
        else:
            cand = sorted((float(dirs[i] @ dirs[j]), i, j) for i in range(len(ends)) for j in range(i + 1, len(ends))
                          if not short_free(*ends[i]) and not short_free(*ends[j]))
            taken, pairs = set(), []
            for c, i, j in cand:
                if c > LINK_COS:
                    break
                if i not in taken and j not in taken:
                    taken |= {i, j}
                    pairs.append((i, j))
        for i, j in pairs:
            link[ends[i]] = ends[j]
            link[ends[j]] = ends[i]

    def end_type(e, side):
        node = paths[e][1 + side]
        return "free" if node_deg[node] <= 1 else "joint"

    done = [False] * len(paths)
    strokes = []

    def walk(e, side_in):
        """Follow the chain from edge e entered at its end ``side_in``; returns points, last end, next."""
        pts_list = []
        cur, enter = e, side_in
        while True:
            done[cur] = True
            pts = paths[cur][0]
            seg = pts if enter == 0 else pts[::-1]
            pts_list.append(seg if not pts_list else seg[1:])
            out_end = (cur, 1 - enter)
            nxt = link.get(out_end)
            if nxt is None or done[nxt[0]]:
                return np.concatenate(pts_list), out_end, nxt
            cur, enter = nxt

    for e, (pts, a, b, pixel) in enumerate(paths):  # open chains: start at an unlinked end
        if done[e] or a < 0 or len(pts) < 2:
            continue
        for side in (0, 1):
            if (e, side) not in link:
                pts_all, last, nxt = walk(e, side)
                closed = nxt is not None and nxt == (e, side)
                strokes.append((pts_all, closed, (end_type(e, side), end_type(*last)), pixel))
                break
    for e, (pts, a, b, pixel) in enumerate(paths):  # what is left: loops of linked branches, cycles, dots
        if done[e]:
            continue
        if a < 0 or len(pts) < 2:
            done[e] = True
            strokes.append((pts, len(pts) > 1, ("free", "free"), pixel))
            continue
        pts_all, _, _ = walk(e, 0)
        strokes.append((pts_all, True, ("joint", "joint"), pixel))
    return [(p, c, ("loop", "loop") if c else ends, pixel) for p, c, ends, pixel in strokes]


def _pieces(points: list[np.ndarray], component: list[int], work_size: float) -> list[int]:
    """Skeleton components -> pieces: tiny ones join the nearest, overlapping ones merge."""
    comps = sorted(set(component))
    groups = {c: [i for i, k in enumerate(component) if k == c] for c in comps}
    pts = {c: np.concatenate([points[i] for i in groups[c]]) for c in comps}
    allpts = np.concatenate(list(pts.values()))
    size = max(float(np.ptp(allpts[:, 0])), float(np.ptp(allpts[:, 1])), 1.0)
    parent = {c: c for c in comps}

    def find(c):
        while parent[c] != c:
            c = parent[c]
        return c

    def box(c):
        p = np.concatenate([pts[d] for d in comps if find(d) == c])
        return p, p.min(axis=0), p.max(axis=0)

    changed = True
    while changed:
        changed = False
        roots = sorted({find(c) for c in comps})
        if len(roots) < 2:
            break
        boxes = {r: box(r) for r in roots}
        for r in roots:
            p, lo, hi = boxes[r]
            ext = hi - lo
            others = [q for q in roots if q != r]
            # overlap: the other's box covers most of this piece's box (an ㅇ inside ㅎ's arms ...)
            overlapping = []
            for q in others:
                _, qlo, qhi = boxes[q]
                inter = np.clip(np.minimum(hi, qhi) - np.maximum(lo, qlo), 0, None)
                area = max((ext[0] + 1) * (ext[1] + 1), 1.0)
                if (inter[0] + 1) * (inter[1] + 1) > 0.5 * area and inter.min() > 0:
                    overlapping.append(q)
            if max(ext) < 0.22 * size or overlapping:
                target = overlapping[0] if overlapping else min(
                    others, key=lambda q: float(np.min(np.hypot(*(p[:, None, :] - boxes[q][0][None, :, :]).transpose(2, 0, 1)))))
                parent[r] = target
                changed = True
                break
    roots = sorted({find(c) for c in comps})
    number = {r: i for i, r in enumerate(roots)}
    return [number[find(c)] for c in component]


def _smooth(pts: np.ndarray, closed: bool) -> np.ndarray:
    """Pixel staircase -> a smooth polyline (Gaussian along the path; open ends stay put)."""
    if len(pts) < 4:
        return pts.astype(np.float32)
    p = pts[:-1] if closed else pts
    r = int(np.ceil(2.5 * SMOOTH_SIGMA))
    kernel = np.exp(-0.5 * (np.arange(-r, r + 1) / SMOOTH_SIGMA) ** 2)
    kernel /= kernel.sum()
    mode = "wrap" if closed else "edge"
    padded = np.pad(p, ((r, r), (0, 0)), mode=mode)
    out = np.stack([np.convolve(padded[:, i], kernel, mode="valid") for i in range(2)], axis=1)
    if not closed:
        # keep the ends where they are: a stroke's end on another stroke must still touch it
        out[0], out[-1] = p[0], p[-1]
        t = np.minimum(np.arange(len(p)), np.arange(len(p))[::-1])
        wgt = np.clip(t / r, 0, 1)[:, None]
        out = wgt * out + (1 - wgt) * p
    simple = cv2.approxPolyDP(out.astype(np.float32).reshape(-1, 1, 2), 0.3, closed).reshape(-1, 2)
    if closed:
        simple = np.concatenate([simple, simple[:1]])
    return _densify(simple.astype(np.float32), 2.0)


def _orient(pts: np.ndarray, closed: bool) -> np.ndarray:
    """Strokes go left to right (mostly horizontal) or top to bottom; loops start at the top left."""
    if closed:
        k = int(np.argmin(pts[:-1, 0] + pts[:-1, 1]))
        body = np.roll(pts[:-1], -k, axis=0)
        return np.concatenate([body, body[:1]])
    d = pts[-1] - pts[0]
    if (abs(d[0]) >= abs(d[1]) and d[0] < 0) or (abs(d[1]) > abs(d[0]) and d[1] < 0):
        return pts[::-1].copy()
    return pts


def _holes(skel: np.ndarray) -> list[Hole]:
    bg = (skel == 0).astype(np.uint8)
    n, labels, stats, centroids = cv2.connectedComponentsWithStats(bg, connectivity=4)
    h, w = skel.shape
    dist = cv2.distanceTransform(bg, cv2.DIST_L2, 3)
    holes = []
    for i in range(1, n):
        x, y, bw, bh, area = stats[i]
        if x == 0 or y == 0 or x + bw >= w or y + bh >= h or area < 4:
            continue
        inside = labels == i
        c = centroids[i]
        yy, xx = np.nonzero(inside)
        reach = float(np.max(np.hypot(xx - c[0], yy - c[1]))) + 1.0
        roundness = area / float(bw * bh)
        holes.append(Hole((float(c[0]), float(c[1])), float(dist[inside].max()), reach, roundness < 0.86))
    return holes


CORNER_TURN = 45.0  # degrees: a turn this sharp (over CORNER_BASE px either side) is a corner
CORNER_BASE = 5.0


def _corners(stroke: Stroke, holes: list[Hole]) -> tuple:
    """Sharp corners of a stroke: (x, y, room before, room after, on a square loop?) each.

    The turn at each point is measured between the points CORNER_BASE px before and after it
    (a smoothed corner turns over a few pixels); corners are its peaks above CORNER_TURN. The
    room is the way to the neighbouring corner or end, half of it if that is a corner too.
    """
    pts = stroke.points
    s = _arclength(pts)
    total = s[-1] if len(s) else 0.0
    if len(pts) < 5 or total < 4 * CORNER_BASE:
        return ()
    closed = stroke.closed
    where = s[:-1] if closed else s
    if closed:
        before = _at(pts, s, np.mod(where - CORNER_BASE, total))
        after = _at(pts, s, np.mod(where + CORNER_BASE, total))
    else:
        before, after = _at(pts, s, np.maximum(where - CORNER_BASE, 0)), _at(pts, s, np.minimum(where + CORNER_BASE, total))
    here = pts[: len(where)]
    u, v = here - before, after - here
    nu, nv = np.hypot(*u.T), np.hypot(*v.T)
    ok = (nu > 0.5 * CORNER_BASE) & (nv > 0.5 * CORNER_BASE)
    turn = np.where(ok, np.degrees(np.arccos(np.clip((u * v).sum(1) / np.maximum(nu * nv, 1e-9), -1, 1))), 0.0)
    peaks = []
    for i in np.argsort(-turn):  # strongest first; nothing within 2 * CORNER_BASE of a stronger one
        if turn[i] < CORNER_TURN:
            break
        if peaks:
            d = np.abs(where[i] - where[peaks])
            if closed:
                d = np.minimum(d, total - d)
            if d.min() <= 2 * CORNER_BASE:
                continue
        peaks.append(int(i))
    if not peaks:
        return ()
    at = np.sort(where[peaks])
    out = []
    for k, a in enumerate(at):
        if closed:
            prev = (a - at[k - 1]) % total if len(at) > 1 else total
            nxt = (at[(k + 1) % len(at)] - a) % total if len(at) > 1 else total
            room1, room2 = prev / 2, nxt / 2
        else:
            room1 = (a - at[k - 1]) / 2 if k > 0 else a
            room2 = (at[k + 1] - a) / 2 if k + 1 < len(at) else total - a
        v = _at(pts, s, a)
        loop = any(np.hypot(v[0] - h.center[0], v[1] - h.center[1]) <= h.reach + 2.5 and not h.round for h in holes)
        out.append((float(v[0]), float(v[1]), float(2 * room1), float(2 * room2), bool(loop)))
    return tuple(out)


# -- small geometry helpers ------------------------------------------------------------------
def _length(pts: np.ndarray) -> float:
    return float(np.hypot(*np.diff(pts, axis=0).T).sum()) if len(pts) > 1 else 0.0


def _arclength(pts: np.ndarray) -> np.ndarray:
    return np.concatenate([[0.0], np.cumsum(np.hypot(*np.diff(pts, axis=0).T))]) if len(pts) > 1 else np.zeros(len(pts))


def _at(pts: np.ndarray, s: np.ndarray, where) -> np.ndarray:
    """Points at arclength positions ``where`` of a polyline with arclengths ``s``."""
    where = np.asarray(where, np.float64)
    return np.stack([np.interp(where, s, pts[:, 0]), np.interp(where, s, pts[:, 1])], axis=-1).astype(np.float32)


def _densify(poly: np.ndarray, step: float) -> np.ndarray:
    return penlib._densify(poly, step) if len(poly) > 1 else poly


def _resample(pts: np.ndarray, step: float) -> np.ndarray:
    """Points every ``step`` along a polyline (both ends kept)."""
    s = _arclength(pts)
    if len(pts) < 2 or s[-1] <= step:
        return pts
    return _at(pts, s, np.append(np.arange(0.0, s[-1], step), s[-1]))


def _end_direction(pts: np.ndarray, side: int, reach: float = 5.0) -> np.ndarray:
    """Unit vector from a polyline's end (side 0: start, 1: end) into the line."""
    p = pts if side == 0 else pts[::-1]
    s = _arclength(p)
    q = _at(p, s, min(reach, s[-1]))
    d = q - p[0]
    n = float(np.hypot(*d))
    return d / n if n > 1e-6 else np.zeros(2, np.float32)


def _trim(pts: np.ndarray, at_start: float, at_end: float) -> np.ndarray:
    """Move the ends along the line: > 0 extends (straight on), < 0 shortens; keeps >= 1 point."""
    if len(pts) < 2:
        return pts
    s = _arclength(pts)
    total = s[-1]
    lo, hi = max(0.0, -at_start), total - max(0.0, -at_end)
    if hi - lo < 0.5:  # never shorter than half a pixel: trimmed to its middle
        mid = (lo + hi) / 2 if hi > lo else total / 2
        lo, hi = max(0.0, mid - 0.25), min(total, mid + 0.25)
    inner = s[(s > lo) & (s < hi)]
    core = _at(pts, s, np.concatenate([[lo], inner, [hi]]))
    parts = []
    if at_start > 0:
        d = _end_direction(pts, 0)
        parts.append((pts[0] - d * at_start)[None])
    parts.append(core)
    if at_end > 0:
        d = _end_direction(pts, 1)
        parts.append((pts[-1] - d * at_end)[None])
    return np.concatenate(parts).astype(np.float32)


def _bezier(p0, p1, p2, n: int) -> np.ndarray:
    t = np.linspace(0, 1, n, dtype=np.float32)[:, None]
    return ((1 - t) ** 2 * p0 + 2 * (1 - t) * t * p1 + t**2 * p2).astype(np.float32)


# -- the distortions (each: strokes -> strokes; strength 0 returns them unchanged) --------------
def round_corners(glyph: Glyph, lines: list[np.ndarray], rng: np.random.Generator, strength: float) -> list[np.ndarray]:
    """Sometimes rounded, sometimes square corners; sometimes a squarish ㅇ."""
    draws = rng.random(4)
    cuts = rng.uniform(*CORNER_CUT, size=64)
    if strength <= 0:
        return lines
    s = min(strength, 1.5)
    out = list(lines)
    if draws[0] < CORNER_P * min(strength, 1.0):
        for k, st in enumerate(glyph.strokes):
            pts = out[k]
            for j, (x, y, l1, l2, loop) in enumerate(st.corners):
                cut = min(0.35, cuts[(k * 7 + j) % len(cuts)] * s) * (1.0 if loop else OPEN_CORNER_CUT)
                i = int(np.argmin(np.hypot(pts[:, 0] - x, pts[:, 1] - y)))
                pts = _round_corner(pts, i, cut * l1, cut * l2, st.closed)
            out[k] = pts
    if glyph.holes and draws[1] < SQUARISH_P * min(strength, 1.0):
        a = min(0.9, (SQUARISH[0] + draws[2] * (SQUARISH[1] - SQUARISH[0])) * s)
        for hole in glyph.holes:
            if hole.round and hole.radius >= 2:
                out = [_squarish(p, hole, a) for p in out]
    return out


def _round_corner(pts: np.ndarray, i: int, d1: float, d2: float, closed: bool) -> np.ndarray:
    if closed:  # put the corner in the middle, round it, and close the loop again
        body = pts[:-1]
        shift = len(body) // 2 - i
        body = np.roll(body, shift, axis=0)
        rounded = _round_corner(np.concatenate([body, body[:1]]), len(body) // 2, d1, d2, False)
        return rounded
    s = _arclength(pts)
    a, b = s[i] - d1, s[i] + d2
    if a <= 0 or b >= s[-1]:
        a, b = max(a, s[i] * 0.5), min(b, (s[-1] + s[i]) * 0.5)
    p1, p2 = _at(pts, s, [a, b])
    n = max(4, int((d1 + d2) / 1.5))
    curve = _bezier(p1, pts[i], p2, n)
    return np.concatenate([pts[s < a], curve, pts[s > b]]).astype(np.float32)


def _squarish(pts: np.ndarray, hole: Hole, a: float) -> np.ndarray:
    """Push a round loop's points toward the square around it (a: 0 none, 1 a square)."""
    c = np.array(hole.center, np.float32)
    v = pts - c
    r = np.hypot(v[:, 0], v[:, 1])
    inner, outer = hole.reach + 1.5, hole.reach + 5.0
    weight = np.clip((outer - r) / (outer - inner), 0, 1)
    with np.errstate(divide="ignore", invalid="ignore"):
        m = np.maximum(np.abs(v[:, 0]), np.abs(v[:, 1])) / np.maximum(r, 1e-6)
        f = 1 + a * (1 / np.maximum(m, 1e-6) - 1)
    f = 1 + (f - 1) * weight
    return (c + v * f[:, None]).astype(np.float32)


def vary_ticks(glyph: Glyph, lines: list[np.ndarray], rng: np.random.Generator, strength: float,
               pen: float) -> list[np.ndarray]:
    """Short real strokes at varied, sometimes very short length; never removed.

    ``pen``: the pen width in the lines' units; a tick on another stroke keeps sticking out
    TICK_MIN_PEN pen widths past it, a lone tick keeps half a pen width.
    """
    n = len(glyph.strokes)
    short = rng.random(n)
    factor = np.where(short < TICK_SHORT_P, rng.uniform(*TICK_SHORT, n), rng.uniform(*TICK_NORMAL, n))
    if strength <= 0:
        return lines
    out = list(lines)
    for k, st in enumerate(glyph.strokes):
        if not is_tick(st, glyph.size):
            continue
        length = _length(out[k])
        lam = 1 + min(strength, 1.0) * (factor[k] - 1) if factor[k] < 1 else 1 + strength * (factor[k] - 1)
        joint = "joint" in st.ends
        floor = TICK_MIN_PEN * pen if joint else 0.5 * pen
        new = max(lam * length, min(length, floor))
        change = new - length
        if joint:  # the free end moves; the end on the other stroke stays
            out[k] = _trim(out[k], change if st.ends[0] == "free" else 0.0, change if st.ends[1] == "free" else 0.0)
        else:
            out[k] = _trim(out[k], change / 2, change / 2)
    return out


def is_tick(stroke: Stroke, size: float) -> bool:
    """A real short stroke: open, with a free end, shorter than TICK_MAX of the glyph."""
    return not stroke.closed and "free" in stroke.ends and stroke.length < TICK_MAX * size and len(stroke.points) > 1


def mouse_ends(glyph: Glyph, lines: list[np.ndarray], rng: np.random.Generator, strength: float,
               bias: float) -> list[np.ndarray]:
    """Overshoots and short stops at junctions, free ends of varied length, hooks, loop closures."""
    n = len(glyph.strokes)
    u = rng.uniform(0, 1, (n, 2))
    hook_draw, hook_len, hook_turn = rng.random(n), rng.uniform(*HOOK_LEN, n), rng.normal(0, 25, n)
    if strength <= 0:
        return lines
    size = glyph.size
    out = list(lines)
    for k, st in enumerate(glyph.strokes):
        pts = out[k]
        if len(pts) < 2:
            continue
        if st.closed:
            lo, hi = CLOSURE
            amount = (lo + u[k, 0] * (hi - lo)) * size * strength
            out[k] = _close(pts, amount)
            continue
        tick = is_tick(st, size)
        moves = []
        for side in (0, 1):
            lo, hi = OVERSHOOT if st.ends[side] == "joint" else FREE_END
            if tick and st.ends[side] == "free":
                lo = hi = 0.0  # a tick's free end belongs to the ticks distortion
            moves.append((lo + u[k, side] * (hi - lo)) * size * strength)
        pts = _trim(pts, moves[0], moves[1])
        if not tick and st.ends[1] == "free" and _length(pts) > 0.3 * size and hook_draw[k] < HOOK_P * min(strength, 2.0):
            pts = _hook(pts, hook_len[k] * size * min(strength, 2.0), bias + hook_turn[k])
        out[k] = pts
    return out


def _close(pts: np.ndarray, amount: float) -> np.ndarray:
    """A loop's closure: > 0 goes on past the start, < 0 stops short of it."""
    if amount >= 0:
        s = _arclength(pts)
        extra = _at(pts, s, np.linspace(0, min(amount, s[-1] * 0.3), max(2, int(amount / 2) + 2))[1:])
        return np.concatenate([pts, extra]).astype(np.float32)
    return _trim(pts, 0.0, amount)


def _hook(pts: np.ndarray, length: float, angle: float) -> np.ndarray:
    """A short flick at the end: it turns from the stroke's direction toward ``angle`` (degrees,
    image coordinates, y down), by 40-120 degrees."""
    d = -_end_direction(pts, 1)  # the direction the pen moves at the end
    want = np.array([np.cos(np.radians(angle)), np.sin(np.radians(angle))], np.float32)
    turn = np.degrees(np.arctan2(d[0] * want[1] - d[1] * want[0], d @ want))
    turn = np.sign(turn or 1.0) * np.clip(abs(turn), 40, 120)
    t = np.radians(turn)
    rot = np.array([[np.cos(t), -np.sin(t)], [np.sin(t), np.cos(t)]], np.float32)
    f = rot @ d
    p0 = pts[-1]
    curve = _bezier(p0, p0 + d * length * 0.45, p0 + d * length * 0.3 + f * length, 5)[1:]
    return np.concatenate([pts, curve]).astype(np.float32)


def move_jamo(glyph: Glyph, lines: list[np.ndarray], rng: np.random.Generator, strength: float) -> list[np.ndarray]:
    """Pieces shifted and rescaled relative to each other; gaps between them open and close."""
    m = max(glyph.pieces, 1)
    shift = rng.normal(0, 1, (m, 2))
    scale = rng.normal(0, 1, (m, 3))
    gap_all, gap_one = rng.normal(0, 1), rng.normal(0, 1, m)
    if strength <= 0 or glyph.pieces < 2:
        return lines
    size = glyph.size
    piece_of = [s.piece for s in glyph.strokes]
    groups = [np.concatenate([lines[k] for k in range(len(lines)) if piece_of[k] == p]) for p in range(m)]
    allpts = np.concatenate(groups)
    center = (allpts.min(axis=0) + allpts.max(axis=0)) / 2
    transforms = []
    for p in range(m):
        c = (groups[p].min(axis=0) + groups[p].max(axis=0)) / 2
        s = np.exp(JAMO_SCALE * strength * (scale[p, 0] + 0.4 * scale[p, 1:]))
        t = JAMO_SHIFT * strength * size * shift[p] + JAMO_GAP * strength * (gap_all + 0.5 * gap_one[p]) * (c - center)
        limit = JAMO_MAX_MOVE * strength * size
        norm = float(np.hypot(*t))
        if norm > limit:
            t = t * (limit / norm)
        transforms.append((c, np.clip(s, 0.75, 1.33), t))

    def apply(f):  # f: 1 the full move, 0 none
        return [(pts - transforms[piece_of[k]][0]) * (1 + f * (transforms[piece_of[k]][1] - 1))
                + transforms[piece_of[k]][0] + f * transforms[piece_of[k]][2] for k, pts in enumerate(lines)]

    before = _piece_gaps(lines, piece_of, m)
    for f in (1.0, 0.6, 0.3, 0.0):  # pieces never collide: back off until every gap keeps JAMO_MIN_GAP
        moved = apply(f)
        after = _piece_gaps(moved, piece_of, m)
        if np.all(after >= JAMO_MIN_GAP * before - 1e-6):
            break
    return [p.astype(np.float32) for p in moved]


def reshape_jamo(glyph: Glyph, lines: list[np.ndarray], rng: np.random.Generator, strength: float) -> list[np.ndarray]:
    """Every piece its own squeeze, slant, rotation and mesh warp, about its own center."""
    m = max(glyph.pieces, 1)
    z = np.clip(rng.normal(0, 1, (m, 3)), -2, 2)
    grids = np.clip(rng.normal(0, 1, (m, 2, SHAPE_GRID, SHAPE_GRID)), -2, 2)
    if strength <= 0:
        return lines
    piece_of = [s.piece for s in glyph.strokes]
    groups = [np.concatenate([lines[k] for k in range(len(lines)) if piece_of[k] == p]) for p in range(m)]
    res = 16
    shapes = []
    for p in range(m):
        lo, hi = groups[p].min(axis=0), groups[p].max(axis=0)
        side = max(float(max(hi - lo)), 1.0)
        aspect = np.exp(SHAPE_ASPECT * strength * z[p, 0])
        shear = SHEAR_PIECE * strength * z[p, 1]
        theta = np.radians(ROTATION_PIECE * strength * z[p, 2])
        rot = np.array([[np.cos(theta), -np.sin(theta)], [np.sin(theta), np.cos(theta)]])
        a = (rot @ np.array([[aspect, -shear], [0.0, 1.0 / aspect]])).astype(np.float32)
        fields = [cv2.resize((g * SHAPE_WARP * strength * side).astype(np.float32), (res, res),
                             interpolation=cv2.INTER_CUBIC) for g in grids[p]]
        shapes.append(((lo + hi) / 2, a, lo, side, fields))

    def reshape(pts, p, f):  # f: 1 the full change, 0 none
        c, a, lo, side, fields = shapes[p]
        u = (pts - lo) / side * (res - 1)
        mx, my = u[:, 0].astype(np.float32).reshape(1, -1), u[:, 1].astype(np.float32).reshape(1, -1)
        d = np.stack([cv2.remap(fld, mx, my, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE).reshape(-1)
                      for fld in fields], axis=1)
        full = (pts + d - c) @ a.T + c
        return pts + f * (full - pts)

    before = _piece_gaps(lines, piece_of, m) if m > 1 else None
    for f in (1.0, 0.6, 0.3, 0.0):  # as move_jamo: pieces never collide
        shaped = [reshape(pts, piece_of[k], f).astype(np.float32) for k, pts in enumerate(lines)]
        if before is None or np.all(_piece_gaps(shaped, piece_of, m) >= JAMO_MIN_GAP * before - 1e-6):
            break
    return shaped


def _piece_gaps(lines, piece_of, m) -> np.ndarray:
    """Smallest distance between each pair of pieces (inf for a piece with itself)."""
    groups = [np.concatenate([lines[k] for k in range(len(lines)) if piece_of[k] == p]) for p in range(m)]
    gaps = np.full((m, m), np.inf)
    for i in range(m):
        for j in range(i + 1, m):
            d = groups[i][:, None, :] - groups[j][None, :, :]
            gaps[i, j] = gaps[j, i] = float(np.sqrt((d**2).sum(-1).min()))
    return gaps


def mesh_warp(glyph: Glyph, lines: list[np.ndarray], rng: np.random.Generator, strength: float) -> list[np.ndarray]:
    """A smooth mesh warp: random displacements on a coarse grid, cubic-upsampled, bounded."""
    grid = rng.normal(0, 1, (2, WARP_GRID, WARP_GRID))
    if strength <= 0:
        return lines
    allpts = np.concatenate(lines)
    lo, hi = allpts.min(axis=0) - 1, allpts.max(axis=0) + 1
    side = float(max(hi - lo))
    amp = WARP_STD * strength * glyph.size
    res = 32
    fields = []
    for g in np.clip(grid, -2, 2) * amp:
        fields.append(cv2.resize(g.astype(np.float32), (res, res), interpolation=cv2.INTER_CUBIC))
    out = []
    for pts in lines:
        u = (pts - lo) / side * (res - 1)  # the field covers the glyph's (square) box
        mx, my = u[:, 0].astype(np.float32).reshape(1, -1), u[:, 1].astype(np.float32).reshape(1, -1)
        dx = cv2.remap(fields[0], mx, my, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE).reshape(-1)
        dy = cv2.remap(fields[1], mx, my, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE).reshape(-1)
        out.append((pts + np.stack([dx, dy], axis=1)).astype(np.float32))
    return out


def slant(glyph: Glyph, lines: list[np.ndarray], rng: np.random.Generator, strength: float) -> list[np.ndarray]:
    """Slant (shear), squeeze (aspect ratio) and a small rotation, about the glyph's center."""
    z = rng.normal(0, 1, 3)
    if strength <= 0:
        return lines
    shear = np.clip(SHEAR[0] * min(strength, 1.0) + SHEAR[1] * strength * z[0], -0.45, 0.45)
    aspect = np.exp(np.clip(ASPECT * strength * z[1], -0.4, 0.4))
    theta = np.radians(np.clip(ROTATION * strength * z[2], -12, 12))
    rot = np.array([[np.cos(theta), -np.sin(theta)], [np.sin(theta), np.cos(theta)]])
    # y grows downward: x' = x - shear * y leans the top to the right
    a = (rot @ np.array([[aspect, -shear], [0.0, 1.0 / aspect]])).astype(np.float32)
    allpts = np.concatenate(lines)
    c = (allpts.min(axis=0) + allpts.max(axis=0)) / 2
    return [((pts - c) @ a.T + c).astype(np.float32) for pts in lines]


def writing_order(glyph: Glyph, lines: list[np.ndarray]) -> list[int]:
    """The strokes in the order a hand writes them: jamo by jamo, each top-left first (the jamo
    whose box starts nearest the top-left corner first), and in a jamo the stroke that starts
    nearest its top-left first (strokes already run left to right or top to bottom)."""
    allpts = np.concatenate(lines)
    lo = allpts.min(axis=0)
    size = max(float(max(allpts.max(axis=0) - lo)), 1.0)
    piece_key = {}
    for k, st in enumerate(glyph.strokes):
        corner = (lines[k].min(axis=0) - lo) / size
        piece_key[st.piece] = min(piece_key.get(st.piece, np.inf), float(corner.sum()))
    return sorted(range(len(lines)), key=lambda k: (piece_key[glyph.strokes[k].piece],
                                                    float(((lines[k][0] - lo) / size).sum())))


def cursive(glyph: Glyph, lines: list[np.ndarray], rng: np.random.Generator, strength: float) -> list[np.ndarray]:
    """Consecutive strokes (:func:`writing_order`) joined by a bowed link where the pen would not
    lift; returns the pen's paths, fewer than the strokes where links joined them."""
    n = len(lines)
    share = rng.uniform(*CURSIVE_SHARE)
    draws, bows = rng.random(n), rng.normal(0, 1, n)
    if strength <= 0 or n < 2:
        return lines
    share = min(1.0, share * strength)
    allpts = np.concatenate(lines)
    size = max(float(max(allpts.max(axis=0) - allpts.min(axis=0))), 1.0)
    order = writing_order(glyph, lines)
    paths, cur = [], lines[order[0]]
    for i, (a, b) in enumerate(zip(order, order[1:])):
        end, start = cur[-1], lines[b][0]
        chord = start - end
        span = float(np.hypot(*chord))
        chance = share * (1.0 if glyph.strokes[a].piece == glyph.strokes[b].piece else CURSIVE_ACROSS)
        if 0 < span <= CURSIVE_REACH * size and draws[i] < chance:  # touching strokes stay two paths
            normal = np.array([-chord[1], chord[0]]) / span
            control = (end + start) / 2 + np.clip(bows[i], -2, 2) * CURSIVE_BOW * span * normal
            link = _bezier(end, control, start, max(3, int(span)))
            cur = np.concatenate([cur, link[1:-1], lines[b]]).astype(np.float32)
        else:
            paths.append(cur)
            cur = lines[b]
    paths.append(cur)
    return paths


# -- jamo from two designs ---------------------------------------------------------------------
MIX_MATCH = 0.2  # pieces of two designs correspond when their centers are this close (share of the glyph's size)
MIX_SIZE = 2.5  # ... and neither piece's box is more than this times the other's (either side)
MIX_FLAT = 0.2  # a piece thinner than this share of its longer side keeps its thickness (ㅡ stays a bar)


def _piece_boxes(glyph: Glyph) -> np.ndarray:
    """(pieces, 4) boxes x0 y0 x1 y1 of each piece's strokes."""
    out = np.zeros((glyph.pieces, 4), np.float64)
    for p in range(glyph.pieces):
        pts = np.concatenate([st.points for st in glyph.strokes if st.piece == p])
        out[p] = np.concatenate([pts.min(axis=0), pts.max(axis=0)])
    return out


def match_pieces(a: Glyph, b: Glyph) -> list[int] | None:
    """For each piece of ``a`` the piece of ``b`` (the same syllable in another design) in its
    place, or None when the two are not taken apart alike (another number of pieces, or pieces
    that do not sit where the other's do)."""
    from scipy.optimize import linear_sum_assignment

    if a.pieces != b.pieces or a.pieces < 2:
        return None
    ba, bb = _piece_boxes(a), _piece_boxes(b)

    def normed(boxes):  # in the glyph's own box: designs differ in size and place
        lo, hi = boxes[:, :2].min(axis=0), boxes[:, 2:].max(axis=0)
        side = max(float(max(hi - lo)), 1.0)
        return (boxes - np.tile(lo, 2)) / side

    na, nb = normed(ba), normed(bb)
    ca, cb = (na[:, :2] + na[:, 2:]) / 2, (nb[:, :2] + nb[:, 2:]) / 2
    dist = np.hypot(*(ca[:, None, :] - cb[None, :, :]).transpose(2, 0, 1))
    rows, cols = linear_sum_assignment(dist)
    if dist[rows, cols].max() > MIX_MATCH:
        return None
    ea, eb = na[rows, 2:] - na[rows, :2] + 0.05, nb[cols, 2:] - nb[cols, :2] + 0.05
    if np.any(np.maximum(ea / eb, eb / ea).max(axis=1) > MIX_SIZE):
        return None
    order = [0] * a.pieces
    for r, c in zip(rows, cols):
        order[r] = int(c)
    return order


def mix_jamo(a: Glyph, b: Glyph, rng: np.random.Generator, share: float = 0.5) -> Glyph:
    """``a`` with some of its pieces (≈ jamo) written as ``b`` writes them: ``b`` is the same
    syllable in another design; each piece taken from it is fitted into the box of the piece it
    replaces, so the syllable keeps ``a``'s layout with a jamo of another hand (``b``'s ㅈ in
    ``a``'s 자). Each piece is taken with chance ``share``, at least one; ``a`` itself when the two
    designs do not take the syllable apart alike (:func:`match_pieces`)."""
    take = rng.random(max(a.pieces, 1)) < share
    pick = int(rng.integers(0, max(a.pieces, 1)))
    order = match_pieces(a, b)
    if order is None:
        return a
    take[pick] = True
    ba, bb = _piece_boxes(a), _piece_boxes(b)
    strokes = [st for st in a.strokes if not take[st.piece]]
    holes = [h for h in a.holes if not take[_hole_piece(a, h)]]
    for p in np.flatnonzero(take):
        q = order[p]
        src, dst = bb[q], ba[p]
        ext_s, ext_d = np.maximum(src[2:] - src[:2], 1.0), np.maximum(dst[2:] - dst[:2], 1.0)
        scale = ext_d / ext_s
        flat = ext_s < MIX_FLAT * ext_s.max()  # a bar's thickness: scaled as its length, not stretched
        scale[flat] = scale[~flat].min() if (~flat).any() else scale.min()
        c_s, c_d = (src[:2] + src[2:]) / 2, (dst[:2] + dst[2:]) / 2

        def fit(xy):
            return ((np.asarray(xy, np.float64) - c_s) * scale + c_d).astype(np.float32)

        mean = float(np.sqrt(scale.prod()))
        for st in b.strokes:
            if st.piece == q:
                corners = tuple((*fit((x, y)), l1 * mean, l2 * mean, loop) for x, y, l1, l2, loop in st.corners)
                strokes.append(dataclasses.replace(st, points=fit(st.points), piece=int(p), corners=corners))
        for h in b.holes:
            if _hole_piece(b, h) == q:
                holes.append(Hole(tuple(float(v) for v in fit(h.center)), h.radius * mean, h.reach * mean, h.round))
    allpts = np.concatenate([st.points for st in strokes])
    size = float(max(allpts.max(axis=0) - allpts.min(axis=0)))
    return Glyph(tuple(strokes), a.pieces, tuple(holes), size)


def _hole_piece(glyph: Glyph, hole: Hole) -> int:
    """The piece whose strokes run nearest a hole's center (the loop around it)."""
    c = np.asarray(hole.center, np.float32)
    return min(glyph.strokes, key=lambda st: float(np.min(np.hypot(*(st.points - c).T)))).piece


# -- the pen, the canvas and the mouse ---------------------------------------------------------
@dataclass(frozen=True)
class Placement:
    pen: int  # pen width, canvas pixels (one of the pad's)
    size: float  # the drawing's longer side, canvas pixels (ink edge to ink edge)


def choose_pen(style: HandStyle, rng: np.random.Generator) -> Placement:
    """One of the pad's pen widths (mostly the default) and a drawing size that suits it."""
    weights = np.asarray(style.pen_weights, np.float64)
    pen = int(rng.choice(style.pens, p=weights / weights.sum()))
    ratio = float(np.exp(rng.uniform(np.log(style.pen_ratio[0]), np.log(style.pen_ratio[1]))))
    lo, hi = style.size[0] * style.canvas, style.size[1] * style.canvas
    return Placement(pen, float(np.clip(pen / ratio, lo, hi)))


def fit_pen(place: Placement, style: HandStyle, gap: float) -> Placement:
    """A hand draws bigger, or thins the pen, rather than fill a loop or a gap: the pen is at
    most ``style.clearance`` of the narrowest gap (``gap``: share of the drawing's size)."""
    most = style.clearance * max(gap, 1e-3)  # pen / size at most
    pen, size = place.pen, place.size
    if pen / size <= most:
        return place
    size = float(max(size, min(style.size[1] * style.canvas, pen / most)))
    if pen / size > most:
        fits = [w for w in pad_widths() if w <= most * size]
        pen = fits[-1] if fits else min(pad_widths())
    return Placement(pen, size)


def clearance(glyph: Glyph, lines: list[np.ndarray]) -> float:
    """The narrowest gap inside a piece, as a share of the drawing's longer side.

    Two points count when they are much closer than the way between them along the strokes
    (so a junction or a corner is no "gap"): a loop's width, two parallel bars (ㅔ, ㄹ, ㅑ).
    Strokes that touch are connected through the place where they touch.
    """
    allpts = np.concatenate(lines)
    extent = max(float(np.ptp(allpts[:, 0])), float(np.ptp(allpts[:, 1])), 1.0)
    step = 2.5 * extent / 64.0
    parts = [_resample(q, step) for q in lines]
    sid = np.concatenate([np.full(len(q), k) for k, q in enumerate(parts)])
    arc = np.concatenate([_arclength(q) for q in parts])
    p = np.concatenate(parts)
    if len(p) > 400:  # very long glyphs: a coarser look is enough
        keep = np.linspace(0, len(p) - 1, 400).astype(np.int64)
        p, sid, arc = p[keep], sid[keep], arc[keep]
    d = np.sqrt(((p[:, None, :] - p[None, :, :]) ** 2).sum(-1))
    strokes = glyph.strokes
    piece = np.array([st.piece for st in strokes])[sid]
    closed = np.array([st.closed for st in strokes])[sid]
    total = np.array([_arclength(q)[-1] if len(q) > 1 else 0.0 for q in parts])[sid]
    same = sid[:, None] == sid[None, :]
    along = np.abs(arc[:, None] - arc[None, :])
    along = np.where(closed[:, None], np.minimum(along, total[:, None] - along), along)  # round a loop: either way
    way = np.where(same, along, np.inf)
    # Where strokes of a piece touch (a stroke may touch itself: the loop of ㅇ with its stem),
    # the way between them goes through a touching point.
    touch = 2 * step
    near = np.where(same & (along <= 3 * step), np.inf, d)
    ids, first = np.unique(sid, return_index=True)
    to_stroke = np.minimum.reduceat(near, first, axis=1)  # (points, strokes): nearest point of each stroke
    for a, i in enumerate(ids):
        mi = np.flatnonzero(sid == i)
        for b in np.flatnonzero((to_stroke[mi] <= touch).any(axis=0)):
            j = ids[b]
            if j < i or piece[mi[0]] != piece[first[b]]:
                continue
            mj = np.flatnonzero(sid == j)
            t = mi[to_stroke[mi, b] <= touch]
            via = (d[np.ix_(mi, t)][:, None, :] + d[np.ix_(mj, t)][None, :, :]).min(axis=2)
            block = np.minimum(way[np.ix_(mi, mj)], via)
            way[np.ix_(mi, mj)] = block
            way[np.ix_(mj, mi)] = block.T
    # (the points are ``step`` apart: near where two strokes touch, "much closer" is noise);
    # gaps between pieces do not count: :func:`make_room` keeps them open
    valid = (d < 0.5 * way) & (way > 3 * step) & (piece[:, None] == piece[None, :])
    gap = np.where(valid, d, np.inf).min(initial=np.inf)
    for k, q in enumerate(parts):  # a loop is as narrow as its narrowest width
        if glyph.strokes[k].closed and len(q) > 4:
            c = q.mean(axis=0)
            r = np.hypot(*(q - c).T)
            gap = min(gap, 2 * float(r.min()))
    return float(np.clip(gap / extent, 0.01, 1.0))


def make_room(glyph: Glyph, lines: list[np.ndarray], need: float) -> list[np.ndarray]:
    """Pieces closer than ``need`` (the lines' units) move apart until they are not: a hand
    writing with a thick pen leaves room between jamo rather than let them run together."""
    m = glyph.pieces
    if m < 2 or need <= 0:
        return lines
    piece_of = [s.piece for s in glyph.strokes]
    for _ in range(6):
        gaps = _piece_gaps(lines, piece_of, m)
        if gaps.min() >= need * 0.98:
            break
        groups = [np.concatenate([lines[k] for k in range(len(lines)) if piece_of[k] == p]) for p in range(m)]
        centers = [(g.min(axis=0) + g.max(axis=0)) / 2 for g in groups]
        move = np.zeros((m, 2), np.float32)
        for i in range(m):
            for j in range(i + 1, m):
                if gaps[i, j] < need:
                    d = centers[i] - centers[j]
                    d = d / max(float(np.hypot(*d)), 1e-6)
                    push = 0.6 * (need - gaps[i, j])
                    move[i] += push * d
                    move[j] -= push * d
        lines = [(pts + move[piece_of[k]]).astype(np.float32) for k, pts in enumerate(lines)]
    return lines  # the same object when nothing had to move


def mouse_events(lines: list[np.ndarray], rng: np.random.Generator, strength: float) -> list[np.ndarray]:
    """Polylines (canvas pixels) -> int32 mouse positions as the pad receives them.

    Mouse on: the pad gets a mouse event at a steady rate while the hand moves fastest in the
    middle of a stroke and slowest at its ends; so the events are MOUSE_STEP pixels apart at
    full speed, closer at the ends, each moved by a little jitter, then rounded to whole
    pixels. Off: a point every pixel along the line.
    """
    base = rng.uniform(*MOUSE_STEP)
    speed = rng.normal(0, 0.25, len(lines))
    seeds = rng.integers(0, 2**31, len(lines))
    out = []
    for k, pts in enumerate(lines):
        s = _arclength(pts)
        total = s[-1] if len(s) else 0.0
        if total <= 0:
            out.append(np.rint(pts[:1]).astype(np.int32))
            continue
        if strength <= 0:
            where = np.linspace(0, total, max(2, int(np.ceil(total)) + 1))
            out.append(np.rint(_at(pts, s, where)).astype(np.int32))
            continue
        r = np.random.default_rng(seeds[k])
        step = max(1.0, (1 + strength * (base - 1)) * np.exp(speed[k]))  # pixels per event at full speed
        # time along the stroke: dt = ds / v(s), v = 0.35 .. 1.25 (slow ends, fast middle)
        grid = np.linspace(0, total, max(2, int(total) + 2))
        v = 0.35 + 0.9 * np.sin(np.pi * grid / total)
        time = np.concatenate([[0.0], np.cumsum(np.diff(grid) / ((v[1:] + v[:-1]) / 2))])
        n = max(1, int(np.ceil(time[-1] / (step / 1.25))))
        ticks = np.cumsum(np.exp(r.normal(0, 0.15, n)))
        ticks = ticks / ticks[-1] * time[-1]
        where = np.concatenate([[0.0], np.interp(ticks, time, grid)])
        q = _at(pts, s, where)
        q[1:-1] += r.normal(0, MOUSE_JITTER * strength, (len(q) - 2, 2)).astype(np.float32)
        out.append(np.rint(q).astype(np.int32))
    return out


# -- the whole drawing -------------------------------------------------------------------------
@dataclass
class Drawing:
    """A hand drawing before it is inked: the mouse events of each stroke and the pen."""

    strokes: list[np.ndarray]  # int32 (n, 2) canvas positions per stroke, in drawing order
    pen: int
    canvas: int


def hand_drawing(glyph: Glyph, rng: np.random.Generator, style: HandStyle = NORMAL) -> Drawing:
    """The glyph written by a hand of ``style``: mouse events on the pad's canvas."""
    # One random stream per step, drawn in a fixed order: switching a step off leaves the others' draws.
    seeds = rng.integers(0, 2**63 - 1, 10)  # ten draws, as before shape existed: a sample's rng moves on as it did
    streams = [np.random.default_rng(int(s)) for s in seeds]
    r_corners, r_ticks, r_mouse, r_jamo, r_warp, r_slant, r_pen, r_place, r_events, r_cursive = streams
    r_shape = np.random.default_rng(np.random.SeedSequence([int(seeds[-1]), 1]))  # split off the last one
    bias = float(r_mouse.normal(115, 35))  # the hand's habit: hooks flick down-left, more or less
    lines = [s.points.copy() for s in glyph.strokes]
    lines = round_corners(glyph, lines, r_corners, style.corners)
    # Tick lengths depend on the pen (a tick must stick out past the stroke it ends on), so the
    # pen and the drawing's size are chosen first; the pen only gets thinner afterwards.
    place = choose_pen(style, r_pen)
    pen_units = place.pen / max(place.size - place.pen, 1.0) * glyph.size
    lines = vary_ticks(glyph, lines, r_ticks, style.ticks, pen_units)
    lines = move_jamo(glyph, lines, r_jamo, style.jamo)
    lines = reshape_jamo(glyph, lines, r_shape, style.shape)
    lines = mesh_warp(glyph, lines, r_warp, style.warp)
    lines = slant(glyph, lines, r_slant, style.slant)
    place = fit_pen(place, style, clearance(glyph, lines))
    # Between pieces: room for the pen and a visible gap (at the model's 48 px, style.room px);
    # moving pieces apart makes the drawing bigger, and so the pen thicker for it: measured again.
    for _ in range(3):
        allpts = np.concatenate(lines)
        extent = max(float(max(allpts.max(axis=0) - allpts.min(axis=0))), 1.0)
        need = (place.pen / max(place.size - place.pen, 1.0) + style.room / 48.0) * extent
        moved = make_room(glyph, lines, need)
        if moved is lines:
            break
        lines = moved
    lines = mouse_ends(glyph, lines, r_mouse, style.mouse, bias)  # the pen's path, as it moves on the pad
    lines = cursive(glyph, lines, r_cursive, style.cursive)  # last: links between the final paths
    # On the canvas: the ink's longer side is place.size, at a random place, the pen inside.
    allpts = np.concatenate(lines)
    lo, hi = allpts.min(axis=0), allpts.max(axis=0)
    extent = max(float(max(hi - lo)), 1.0)
    scale = max(place.size - place.pen, 1.0) / extent
    room = style.canvas - place.pen - 2 - (hi - lo) * scale
    offset = place.pen / 2 + 1 + r_place.uniform(0, 1, 2) * np.maximum(room, 0) - lo * scale
    lines = [(p * scale + offset).astype(np.float32) for p in lines]
    events = mouse_events(lines, r_events, style.mouse)
    events = [np.clip(e, 0, style.canvas - 1) for e in events]
    return Drawing(events, place.pen, style.canvas)


def ink(drawing: Drawing, crop: bool = True) -> np.ndarray:
    """Draw the mouse events as the pad does (its Canvas); uint8, dark ink on white.

    ``crop``: only a square of the canvas around the drawing (what preprocessing keeps anyway;
    the same result, faster), else the whole canvas.
    """
    x0 = y0 = 0
    side = drawing.canvas
    if crop:
        allpts = np.concatenate(drawing.strokes)
        reach = drawing.pen // 2 + 3
        x0, y0 = (int(v) - reach for v in allpts.min(axis=0))
        side = int(max(allpts.max(axis=0) - allpts.min(axis=0))) + 2 * reach + 1
    canvas = Canvas(size=side, pen_width=drawing.pen)
    for pts in drawing.strokes:
        pts = pts - (x0, y0)
        canvas.begin_stroke(*pts[0])
        for x, y in pts[1:]:
            canvas.extend_stroke(x, y)
        canvas.end_stroke()
    return np.array(canvas.image())


def draw_hand(glyph: Glyph, rng: np.random.Generator, style: HandStyle = NORMAL, crop: bool = True) -> np.ndarray:
    """:func:`hand_drawing` inked as the pad inks it: uint8 canvas, dark on white."""
    return ink(hand_drawing(glyph, rng, style), crop=crop)
