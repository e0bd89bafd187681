"""The hand kind: a glyph written as with a mouse on the pad (handpad.synth.hand)."""
from __future__ import annotations

import json
from pathlib import Path

import cv2
import numpy as np
import pytest

from conftest import require
from handpad.errors import HandpadError
from handpad.pad.canvas import PEN_WIDTHS
from handpad.preprocess import preprocess
from handpad.store import load_store
from handpad.synth import hand, pen, render
from handpad.synth.generate import SynthOptions, parse_mix, synthesize

GOTHIC = Path("/usr/share/fonts/truetype/nanum/NanumGothic.ttf")
CHARS = "가몸응해쟤예치"


@pytest.fixture(scope="module")
def gothic():
    require(GOTHIC.exists(), "fonts-nanum not installed (sudo apt install fonts-nanum)")
    return render.GlyphRenderer(GOTHIC)


def components(image: np.ndarray) -> int:
    return cv2.connectedComponents((image > 127).astype(np.uint8), connectivity=8)[0] - 1


def test_same_seed_same_drawing_other_seed_another(gothic):
    a = render.hand_sample(gothic, "해", np.random.default_rng(3))
    b = render.hand_sample(gothic, "해", np.random.default_rng(3))
    c = render.hand_sample(gothic, "해", np.random.default_rng(4))
    assert np.array_equal(a, b)
    assert a.shape != c.shape or not np.array_equal(a, c)


def test_samples_preprocess_like_drawings(gothic):
    for k, c in enumerate(CHARS):
        canvas = render.hand_sample(gothic, c, np.random.default_rng(k))
        assert canvas.dtype == np.uint8 and canvas.max() == 255 and canvas.min() < 128  # dark ink on white
        image = preprocess(canvas)
        assert image.shape == (60, 60) and image.dtype == np.uint8 and image.max() == 255
        # the whole canvas (as the pad has it) preprocesses exactly like the cropped one
        full = hand.ink(hand.hand_drawing(gothic.hand_glyph(c), np.random.default_rng(k)), crop=False)
        assert full.shape == (400, 400)
        assert np.array_equal(preprocess(full), image)


def test_glyph_is_taken_apart_into_pieces_strokes_ticks_and_loops(gothic):
    g = gothic.hand_glyph("가")
    assert g.pieces == 2  # ㄱ and ㅏ
    ticks = [s for s in g.strokes if hand.is_tick(s, g.size)]
    assert len(ticks) == 1 and sorted(ticks[0].ends) == ["free", "joint"]  # ㅏ's bar ends on the vertical
    mom = gothic.hand_glyph("몸")
    loops = [s for s in mom.strokes if s.closed]
    assert len(loops) == 2  # the two ㅁ
    assert all(sum(c[4] for c in s.corners) >= 3 for s in loops)  # square corners on a loop
    eung = gothic.hand_glyph("응")
    assert sum(h.round for h in eung.holes) == 2 and not any(h.round for h in mom.holes)
    chi = gothic.hand_glyph("치")
    assert chi.pieces == 3  # ㅊ's tick, the rest of ㅊ, ㅣ
    assert sum(hand.is_tick(s, chi.size) for s in chi.strokes) >= 1


def test_every_stroke_and_every_piece_survives(gothic):
    same, total = 0, 0
    for c in CHARS:
        g = gothic.hand_glyph(c)
        plain = components(preprocess(gothic.render(c, 64), ink="bright"))
        for seed in range(6):
            drawing = hand.hand_drawing(g, np.random.default_rng(seed))
            assert len(drawing.strokes) == len(g.strokes)  # nothing removed, nothing added
            assert all(len(s) >= 1 for s in drawing.strokes)
            n = components(preprocess(hand.ink(drawing)))
            assert plain - 1 <= n <= plain + 2, (c, seed, n, plain)  # at most two pieces touch
            same += n == plain
            total += 1
    assert same / total >= 0.8, same / total


def test_each_distortion_switched_off_is_the_step_left_out(gothic, monkeypatch):
    """without(X) is the pipeline without X's step, the other steps' random draws unchanged."""
    steps = {"corners": "round_corners", "ticks": "vary_ticks", "jamo": "move_jamo", "warp": "mesh_warp", "slant": "slant",
             "mouse": "mouse_ends"}
    same = lambda a, b: all(x.shape == y.shape and np.array_equal(x, y) for x, y in zip(a.strokes, b.strokes))  # noqa: E731
    changed = dict.fromkeys(steps, False)
    for c in ("몸", "쟤"):
        g = gothic.hand_glyph(c)
        for name, func in steps.items():
            for seed in range(4):
                off = hand.hand_drawing(g, np.random.default_rng(seed), hand.NORMAL.without(name))
                with monkeypatch.context() as m:
                    m.setattr(hand, func, lambda glyph, lines, *args, **kw: lines)
                    if name == "mouse":  # the mouse also samples the events: off, a point every pixel
                        real = hand.mouse_events
                        m.setattr(hand, "mouse_events", lambda lines, rng, strength: real(lines, rng, 0.0))
                    left_out = hand.hand_drawing(g, np.random.default_rng(seed), hand.NORMAL)
                assert off.pen == left_out.pen and same(off, left_out), (c, name, seed)
                changed[name] |= not same(off, hand.hand_drawing(g, np.random.default_rng(seed), hand.NORMAL))
    assert all(changed.values()), changed  # and on, each does something
    assert hand.NORMAL.without("jamo", "warp").jamo == 0 and hand.NORMAL.only("slant").warp == 0
    with pytest.raises(ValueError, match="unknown distortion"):
        hand.NORMAL.without("wobble")


def test_with_every_distortion_off_it_is_the_plain_skeleton_drawing(gothic):
    blur = lambda x: cv2.GaussianBlur(x.astype(np.float32), (0, 0), 2.5).ravel()  # noqa: E731
    for k, c in enumerate(CHARS):
        plain = preprocess(render.hand_sample(gothic, c, np.random.default_rng(k), hand.NORMAL.only()))
        skeleton = preprocess(render.pen_sample(gothic, c, np.random.default_rng(k), pen.PLAIN_PEN))
        assert np.corrcoef(blur(plain), blur(skeleton))[0, 1] > 0.9, c
    # the mouse's events when it is off: a point every pixel, on the skeleton
    events = hand.mouse_events([np.array([[0, 0], [30, 40]], np.float32)], np.random.default_rng(0), 0.0)[0]
    assert len(events) == 51 and np.abs(np.diff(events, axis=0)).max() <= 1


def test_jamo_moves_are_bounded_and_pieces_never_collide(gothic):
    for c in ("가", "해", "쟤", "몸", "치"):
        g = gothic.hand_glyph(c)
        lines = [s.points for s in g.strokes]
        piece_of = [s.piece for s in g.strokes]

        def centers(ls):
            out = []
            for p in range(g.pieces):
                pts = np.concatenate([ls[k] for k in range(len(ls)) if piece_of[k] == p])
                out.append((pts.min(axis=0) + pts.max(axis=0)) / 2)
            return np.array(out)

        before, gaps = centers(lines), hand._piece_gaps(lines, piece_of, g.pieces)
        for strength in (1.0, 2.0):
            for seed in range(10):
                moved = hand.move_jamo(g, lines, np.random.default_rng(seed), strength)
                shift = np.hypot(*(centers(moved) - before).T)
                assert shift.max() <= hand.JAMO_MAX_MOVE * strength * g.size + 1e-3, (c, shift.max() / g.size)
                assert np.all(hand._piece_gaps(moved, piece_of, g.pieces) >= hand.JAMO_MIN_GAP * gaps - 1e-3)
        assert hand.move_jamo(g, lines, np.random.default_rng(0), 0.0) is lines


def test_ticks_vary_but_never_vanish(gothic):
    for c in ("아", "여", "예", "차", "봐", "거", "히"):
        g = gothic.hand_glyph(c)
        ticks = [k for k, s in enumerate(g.strokes) if hand.is_tick(s, g.size)]
        assert ticks, c
        lengths = []
        pen_units = 3.0
        for seed in range(20):
            out = hand.vary_ticks(g, [s.points for s in g.strokes], np.random.default_rng(seed), 1.0, pen_units)
            for k in ticks:
                original, now = g.strokes[k].length, hand._length(out[k])
                floor = min(original, (hand.TICK_MIN_PEN if "joint" in g.strokes[k].ends else 0.5) * pen_units)
                assert now >= floor - 1e-3, (c, now, floor)
                lengths.append(now / original)
        assert min(lengths) < 0.7 and max(lengths) > 1.05  # sometimes short, sometimes long


def test_corners_sometimes_rounded_and_loops_sometimes_squarish(gothic):
    mom = gothic.hand_glyph("몸")
    loop = next(k for k, s in enumerate(mom.strokes) if s.closed)
    corners = [(x, y) for x, y, *_ in mom.strokes[loop].corners]
    rounded = square = 0
    for seed in range(20):
        out = hand.round_corners(mom, [s.points for s in mom.strokes], np.random.default_rng(seed), 1.0)[loop]
        nearest = [np.hypot(out[:, 0] - x, out[:, 1] - y).min() for x, y in corners]
        if min(nearest) > 0.3:
            rounded += 1  # the curve cuts every corner
        elif max(nearest) < 0.05:
            square += 1
    assert rounded >= 4 and square >= 4, (rounded, square)
    eung = gothic.hand_glyph("응")
    hole = next(h for h in eung.holes if h.round)
    ring = next(k for k, s in enumerate(eung.strokes) if s.closed
                and np.hypot(*(s.points.mean(axis=0) - hole.center)) < hole.reach)
    area = lambda p: abs(cv2.contourArea(p.astype(np.float32)))  # noqa: E731
    squarish = [area(hand._squarish(eung.strokes[ring].points, hole, a)) for a in (0.0, 0.4, 1.0)]
    assert squarish[0] < squarish[1] < squarish[2]  # toward the square around the circle


def test_mouse_events_come_at_mouse_rate_with_the_pads_pens(gothic):
    g = gothic.hand_glyph("가")
    for seed in range(5):
        d = hand.hand_drawing(g, np.random.default_rng(seed))
        assert PEN_WIDTHS[0] <= d.pen <= PEN_WIDTHS[1] and d.pen in hand.pad_widths()
        steps = np.concatenate([np.hypot(*np.diff(s, axis=0).T) for s in d.strokes if len(s) > 1])
        assert all(s.dtype == np.int32 for s in d.strokes)  # whole pixels, as the pad's events
        assert 2.0 <= np.median(steps) <= 12.0  # a few pixels apart, not every pixel
        assert steps.max() <= 25.0


def test_careless_is_more_careless_than_normal(gothic):
    def spread(style):
        blur = lambda x: cv2.GaussianBlur(x.astype(np.float32), (0, 0), 2.0)  # noqa: E731
        out = []
        for c in CHARS:
            plain = blur(preprocess(gothic.render(c, 64), ink="bright"))
            out += [np.abs(blur(preprocess(render.hand_sample(gothic, c, np.random.default_rng(s), style))) - plain).mean()
                    for s in range(3)]
        return np.mean(out)

    assert spread(hand.NORMAL.only()) < spread(hand.NORMAL) < spread(hand.CARELESS)


def test_hand_kind_through_synthesize_into_a_store(tmp_path, gothic):
    faces = __import__("handpad.synth.fonts", fromlist=["resolve_fonts"]).resolve_fonts([GOTHIC])[0]
    assert parse_mix("designed=1,pen=1,hand=2") == {"designed": 1, "pen": 1, "hand": 2}
    options = SynthOptions(per_font=2, mix="hand=1", seed=3, syllables=tuple("가몸치"), hand_style="careless")
    report = synthesize(faces, tmp_path / "a", options, workers=1, progress=False)
    synthesize(faces, tmp_path / "b", options, workers=1, progress=False)
    assert report.kinds == {"hand": 6}
    a, b = load_store(tmp_path / "a"), load_store(tmp_path / "b")
    assert np.array_equal(a.images[:], b.images[:]) and np.array_equal(a.labels, b.labels)  # same seed, same store
    images = np.asarray(a.images)
    assert images.shape == (6, 60, 60) and images.dtype == np.uint8 and (images.max(axis=(1, 2)) == 255).all()
    recorded = json.loads((tmp_path / "a" / "manifest.json").read_text())["options"]["hand_style"]
    assert recorded["name"] == "careless" and recorded["jamo"] == hand.CARELESS.jamo and recorded["version"] == hand.VERSION
    assert hand.hand_style(recorded) == hand.CARELESS
    assert "hand_style" not in SynthOptions(mix="pen=1").to_dict()  # stores without the hand kind: as before
    with pytest.raises(HandpadError, match="--hand-style"):
        SynthOptions(hand_style="sloppy")


def test_cli_hand_style_choices_are_the_presets():
    from handpad.cli.synth import configure
    import argparse

    parser = argparse.ArgumentParser()
    configure(parser)
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction)).choices["hangul"]
    action = next(a for a in sub._actions if a.dest == "hand_style")
    assert tuple(action.choices) == tuple(hand.HAND_STYLES) and action.default == "normal"


def test_writing_order_goes_jamo_by_jamo_from_the_top_left(gothic):
    ga = gothic.hand_glyph("가")
    order = hand.writing_order(ga, [s.points for s in ga.strokes])
    pieces = [ga.strokes[k].piece for k in order]
    assert pieces == sorted(pieces, key=pieces.index) and len(set(pieces)) == 2  # ㄱ's strokes, then ㅏ's
    first = ga.strokes[order[0]].points
    assert first[:, 0].mean() < ga.strokes[order[-1]].points[:, 0].mean()  # ㄱ (left) before ㅏ (right)
    mom = gothic.hand_glyph("몸")
    lines = [s.points for s in mom.strokes]
    tops = [float(lines[k][:, 1].mean()) for k in hand.writing_order(mom, lines)]
    loops = [t for k, t in zip(hand.writing_order(mom, lines), tops) if mom.strokes[k].closed]
    assert loops[0] < loops[1]  # the upper ㅁ before the lower one


def test_cursive_joins_consecutive_strokes_with_links_and_keeps_every_stroke(gothic):
    within = across = within_pairs = across_pairs = 0
    for c in ("가", "자", "쉽", "많", "해"):
        g = gothic.hand_glyph(c)
        lines = [s.points for s in g.strokes]
        order = hand.writing_order(g, lines)
        allpts = np.concatenate(lines)
        size = float(max(allpts.max(axis=0) - allpts.min(axis=0)))
        for seed in range(60):
            paths = hand.cursive(g, lines, np.random.default_rng(seed), 1.0)
            assert 1 <= len(paths) <= len(lines)
            joined = np.concatenate(paths)
            assert len(joined) >= sum(len(p) for p in lines)
            def locate(pts):  # (path, offset) where a stroke is drawn
                return next((i, j) for i, p in enumerate(paths) for j in range(len(p) - len(pts) + 1)
                            if np.array_equal(p[j:j + len(pts)], pts))

            for a, b in zip(order, order[1:]):  # a link: the next stroke goes on in the same path, after this one
                span = float(np.hypot(*(lines[b][0] - lines[a][-1])))
                if not 0 < span <= hand.CURSIVE_REACH * size:
                    continue  # touching or too far apart: never linked
                (pa, oa), (pb, ob) = locate(lines[a]), locate(lines[b])
                linked, same = pa == pb and ob >= oa + len(lines[a]), g.strokes[a].piece == g.strokes[b].piece
                within, within_pairs = within + (linked and same), within_pairs + same
                across, across_pairs = across + (linked and not same), across_pairs + (not same)
    assert within_pairs >= 20 and across_pairs >= 20, (within_pairs, across_pairs)
    assert 0.3 < within / within_pairs < 0.9, within / within_pairs  # some links, never all of them
    assert 0 < across / across_pairs < within / within_pairs  # from one jamo to the next: rarer
    assert hand.cursive(g, lines, np.random.default_rng(0), 0.0) is lines  # off: the strokes as they were


def test_cursive_preset_is_the_careless_hand_with_links(gothic):
    assert hand.CURSIVE.cursive == 1 and hand.NORMAL.cursive == 0 and hand.CARELESS.cursive == 0
    assert hand.CURSIVE.without("cursive") == hand.dataclasses.replace(hand.CARELESS, name="cursive-cursive")
    assert "cursive" not in hand.CARELESS.to_dict()  # recorded as before: earlier stores stay continuable
    assert hand.hand_style(hand.CURSIVE.to_dict()) == hand.CURSIVE
    g = gothic.hand_glyph("자")
    fewer = 0
    for seed in range(10):
        a = hand.hand_drawing(g, np.random.default_rng(seed), hand.CARELESS)
        b = hand.hand_drawing(g, np.random.default_rng(seed), hand.CURSIVE)
        assert len(a.strokes) == len(g.strokes) and a.pen == b.pen
        fewer += len(b.strokes) < len(a.strokes)
    assert fewer >= 3  # the pen runs on between strokes in many drawings


def test_shape_gives_every_jamo_its_own_form_bounded_and_never_colliding(gothic):
    def boxes(g, ls):
        piece_of = [s.piece for s in g.strokes]
        out = []
        for p in range(g.pieces):
            pts = np.concatenate([ls[k] for k in range(len(ls)) if piece_of[k] == p])
            out.append(np.concatenate([pts.min(axis=0), pts.max(axis=0)]))
        return np.array(out)

    changed = []
    for c in ("가", "몸", "쟤", "치", "흙"):
        g = gothic.hand_glyph(c)
        lines = [s.points for s in g.strokes]
        piece_of = [s.piece for s in g.strokes]
        before, gaps = boxes(g, lines), hand._piece_gaps(lines, piece_of, g.pieces)
        for seed in range(8):
            shaped = hand.reshape_jamo(g, lines, np.random.default_rng(seed), 2.0)
            assert [len(p) for p in shaped] == [len(p) for p in lines]  # the same strokes, moved point by point
            after = boxes(g, shaped)
            side = np.maximum(before[:, 2:] - before[:, :2], 1.0).max(axis=1)
            centers = lambda b: (b[:, :2] + b[:, 2:]) / 2  # noqa: E731
            # about its own center: a piece stays where it was (the warp's bound, the rotation's reach)
            assert (np.hypot(*(centers(after) - centers(before)).T) <= 0.35 * side).all(), c
            assert np.all(hand._piece_gaps(shaped, piece_of, g.pieces) >= hand.JAMO_MIN_GAP * gaps - 1e-3), c
            ratio = lambda b: (b[:, 2] - b[:, 0] + 1) / (b[:, 3] - b[:, 1] + 1)  # noqa: E731
            changed.append(np.abs(np.log(ratio(after) / ratio(before))).max())
    assert np.median(changed) > 0.1  # the pieces' proportions really change (log aspect)
    g = gothic.hand_glyph("몸")
    lines = [s.points for s in g.strokes]
    assert hand.reshape_jamo(g, lines, np.random.default_rng(0), 0.0) is lines  # off: as they were


def test_casual_preset_is_the_cursive_hand_with_jamo_shapes_and_leaves_the_others_draws(gothic):
    assert hand.CASUAL.shape == 1 and hand.CASUAL.cursive == 1
    assert all(s.shape == 0 for s in (hand.NORMAL, hand.CARELESS, hand.CURSIVE))
    assert hand.CASUAL.without("shape") == hand.dataclasses.replace(hand.CURSIVE, name="casual-shape")
    assert "shape" not in hand.CURSIVE.to_dict() and hand.hand_style(hand.CASUAL.to_dict()) == hand.CASUAL
    assert hand.hand_style("casual") is hand.CASUAL
    g = gothic.hand_glyph("몸")
    same = lambda a, b: len(a.strokes) == len(b.strokes) and all(  # noqa: E731
        x.shape == y.shape and np.array_equal(x, y) for x, y in zip(a.strokes, b.strokes))
    for seed in range(6):
        a = hand.hand_drawing(g, np.random.default_rng(seed), hand.CURSIVE)
        b = hand.hand_drawing(g, np.random.default_rng(seed), hand.CASUAL)
        off = hand.hand_drawing(g, np.random.default_rng(seed), hand.CASUAL.without("shape"))
        assert same(a, off) and not same(a, b)  # its own random stream: the cursive hand's draws unchanged


def test_mix_jamo_puts_another_designs_jamo_into_this_layout(gothic):
    myeongjo = render.GlyphRenderer(GOTHIC.parent / "NanumMyeongjo.ttf")
    mixed_any = 0
    for c in ("가", "자", "차", "응", "고"):
        a, b = gothic.hand_glyph(c), myeongjo.hand_glyph(c)
        order = hand.match_pieces(a, b)
        assert order is not None and sorted(order) == list(range(a.pieces)), c  # a one-to-one match
        for seed in range(4):
            m = hand.mix_jamo(a, b, np.random.default_rng(seed), share=0.0)  # exactly one piece taken
            assert m.pieces == a.pieces
            own = {p for p in range(a.pieces) if any(s.piece == p for s in m.strokes if any(s is t for t in a.strokes))}
            assert len(own) == a.pieces - 1, c  # all but one piece are a's own strokes, untouched
            boxes_a, boxes_m = hand._piece_boxes(a), hand._piece_boxes(m)
            # the taken piece sits in the box of the one it replaces (a bar keeps its own thickness)
            taken = next(p for p in range(a.pieces) if p not in own)
            ca, cm = (boxes_a[taken, :2] + boxes_a[taken, 2:]) / 2, (boxes_m[taken, :2] + boxes_m[taken, 2:]) / 2
            assert np.hypot(*(ca - cm)) < 0.05 * a.size, c
            assert np.all(hand._piece_boxes(m)[[p for p in own]] == boxes_a[[p for p in own]])
            mixed_any += 1
        drawing = hand.hand_drawing(hand.mix_jamo(a, b, np.random.default_rng(0)), np.random.default_rng(0), hand.CARELESS)
        assert drawing.strokes
    assert mixed_any == 20
    one = gothic.hand_glyph("가")
    assert hand.mix_jamo(one, gothic.hand_glyph("몸"), np.random.default_rng(0)) is one  # not taken apart alike
