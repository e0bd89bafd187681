"""Lines of handwriting (handpad.synth.lines, handpad.sources.lines, `handpad synth words/numbers`):
held-out faces and real MNIST digits written in a row, with the text, a box per character and the
strokes; and the pen refactor (pen_strokes) that gives them their strokes."""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

import cv2
import numpy as np
import pytest

from conftest import require
from handpad.cli import main as handpad_main
from handpad.data import stratified_split
from handpad.errors import DataFormatError, HandpadError
from handpad.sources.lines import read_lines
from handpad.store import load_store
from handpad.synth import lines as L
from handpad.synth import pen, render
from handpad.synth.fonts import resolve_fonts

PEN_SCRIPT = Path("/usr/share/fonts/truetype/nanum/NanumPen.ttf")  # NanumPenScript-Regular: held out
UN_PEN = Path("/usr/share/fonts/truetype/unfonts-extra/UnPen.ttf")  # UnPen-Regular: held out
# sha256 of draw_skeleton's canvases (see pen_checksum below) computed with pen.py as it was
# before pen_strokes was split out of draw_skeleton (commit 9af511f): the same draws, the same pixels.
PEN_CHECKSUM_BEFORE = "a3466a9942c10aa1e69f2f7c6cd9f76b5309980208b95b5c18d2b455fb0e2b02"


@pytest.fixture(scope="module")
def faces():
    require(PEN_SCRIPT.exists() and UN_PEN.exists(), "fonts-nanum and fonts-unfonts-extra not installed")
    found, _ = resolve_fonts([PEN_SCRIPT, UN_PEN])
    assert [f.id for f in found] == ["NanumPenScript-Regular", "UnPen-Regular"]
    return found


@pytest.fixture(scope="module")
def digits(mnist_store):
    store, test = L.digit_split(mnist_store, "test", 0.1, 0.2, 0)
    return store, test


def seven() -> np.ndarray:
    img = np.zeros((28, 28), np.uint8)
    cv2.line(img, (6, 6), (21, 6), 255, 3)
    cv2.line(img, (21, 6), (11, 23), 255, 3)
    return cv2.GaussianBlur(img, (3, 3), 0)


# -- the pen refactor ----------------------------------------------------------------------------
def test_draw_skeleton_gives_the_pixels_it_gave_before_pen_strokes(faces):
    r = render.GlyphRenderer(PEN_SCRIPT)
    skeletons = [r.skeleton(c) for c in "가힣뷁"] + [pen.skeletonize_ink(seven(), fill_holes=False)]
    h = hashlib.sha256()
    for i, sk in enumerate(skeletons):
        for s, style in enumerate((pen.DEFAULT_PEN, pen.PLAIN_PEN)):
            for crop in (False, True):
                rng = np.random.default_rng(1000 * i + 10 * s + crop)
                a = pen.draw_skeleton(sk, rng, style, crop=crop)
                h.update(np.asarray(a.shape, np.int64).tobytes())
                h.update(a.tobytes())
                h.update(rng.integers(0, 2**31, 1).tobytes())  # the stream is left where it was, too
    assert h.hexdigest() == PEN_CHECKSUM_BEFORE


def test_pen_strokes_are_what_draw_skeleton_draws(faces):
    sk = render.GlyphRenderer(PEN_SCRIPT).skeleton("값")
    lines, width, color = pen.pen_strokes(sk, np.random.default_rng(5))
    assert len(lines) == len(sk) and all(p.shape[1] == 2 for p in lines)
    canvas = np.full((400, 400), 255, np.uint8)
    fixed = [np.rint(p * 16).astype(np.int32) for p in lines]
    cv2.polylines(canvas, fixed, False, color, max(1, round(width)), cv2.LINE_AA, 4)
    assert np.array_equal(canvas, pen.draw_skeleton(sk, np.random.default_rng(5)))


# -- lines ---------------------------------------------------------------------------------------
def hangul_lines(faces, style, spacing, count=12, seed=3, phrases=0.3):
    opts = L.LineSetOptions("hangul", style, spacing, count, seed, (2, 6), phrases)
    return list(L.hangul_records(faces, opts))


def digit_lines(digits, style, spacing, count=12, seed=3):
    store, idx = digits
    opts = L.LineSetOptions("digits", style, spacing, count, seed, (3, 8))
    return list(L.digit_records(store.images, store.labels, idx, opts))


CASES = [("hangul", "pen"), ("hangul", "careless"), ("hangul", "casual"), ("digits", "pen"), ("digits", "scanned")]


@pytest.fixture(scope="module")
def made(faces, digits):
    """{(kind, style, spacing): [(line, record), ...]}"""
    out = {}
    for kind, style in CASES:
        for spacing in ("normal", "tight"):
            out[kind, style, spacing] = (hangul_lines(faces, style, spacing) if kind == "hangul"
                                         else digit_lines(digits, style, spacing))
    return out


@pytest.mark.parametrize("kind,style", CASES)
@pytest.mark.parametrize("spacing", ["normal", "tight"])
def test_a_box_per_character_on_its_ink_and_the_boxes_cover_all_ink(made, kind, style, spacing):
    for line, meta in made[kind, style, spacing]:
        img = line.image
        assert img.dtype == np.uint8 and img.ndim == 2
        assert meta["spacing"] == spacing and meta["style"] == style
        chars = line.text.replace(" ", "")
        assert len(line.boxes) == len(chars) >= (2 if kind == "hangul" else 3)
        assert "  " not in line.text and line.text == line.text.strip()
        if kind == "digits":
            assert chars.isdigit() and 3 <= len(chars) <= 8
        covered = np.zeros(img.shape, bool)
        for x0, y0, x1, y1 in line.boxes:
            assert 0 <= x0 < x1 <= img.shape[1] and 0 <= y0 < y1 <= img.shape[0]
            assert (img[y0:y1, x0:x1] < 128).any()  # real ink in every box
            # ink on all four edges of the box: it is the ink's box, not a loose one
            inked = img[y0:y1, x0:x1] < 255
            assert inked[0].any() and inked[-1].any() and inked[:, 0].any() and inked[:, -1].any()
            covered[y0:y1, x0:x1] = True
        assert not ((img < 255) & ~covered).any()  # every inked pixel (anti-aliasing too) is in a box
        assert img[0].min() == img[-1].min() == img[:, 0].min() == img[:, -1].min() == 255  # a white margin
        centers = [(b[0] + b[2]) / 2 for b in line.boxes]
        assert centers == sorted(centers)  # left to right
        if style == "scanned":
            assert line.strokes is None
        else:
            assert line.strokes and all(s["width"] == line.width >= 2 for s in line.strokes)  # one pen per line
            again = L.render_strokes(line.strokes, img.shape, line.color)
            assert np.array_equal(again, img)  # the strokes are the drawing, exactly


def gaps(line) -> np.ndarray:
    b = np.asarray(line.boxes)
    return (b[1:, 0] - b[:-1, 2]) / line.height


@pytest.mark.parametrize("kind,style", CASES)
def test_normal_spacing_leaves_blank_columns_and_tight_may_touch(made, kind, style):
    for line, _ in made[kind, style, "normal"]:
        img = line.image
        for a, b in zip(line.boxes, line.boxes[1:]):
            assert b[0] > a[2]
            assert (img[:, a[2] : b[0]] == 255).all()  # a blank gap between the characters
        assert gaps(line).min() > 0.05
    tight = np.concatenate([gaps(line) for line, _ in made[kind, style, "tight"] if " " not in line.text])
    normal = np.concatenate([gaps(line) for line, _ in made[kind, style, "normal"] if " " not in line.text])
    assert tight.max() < 0.15 and tight.min() > -0.1
    assert (tight <= 0.01).any()  # some characters touch or overlap
    assert np.median(normal) > 2 * max(np.median(tight), 0.02)


def test_a_casual_hand_joins_strokes_a_careless_one_lifts_the_pen_between(made):
    def strokes_per_syllable(style):
        lines = [line for spacing in ("normal", "tight") for line, _ in made["hangul", style, spacing]]
        return sum(len(line.strokes) for line in lines) / sum(len(line.boxes) for line in lines)

    # the same seeds write the same words; the casual hand (handpad.synth.hand.CASUAL) draws on without lifting
    assert [x.text for x, _ in made["hangul", "casual", "normal"]] == [x.text for x, _ in made["hangul", "careless", "normal"]]
    assert strokes_per_syllable("casual") < 0.8 * strokes_per_syllable("careless")


def test_words_of_a_phrase_are_further_apart_than_their_syllables(made):
    phrases = [line for line, _ in made["hangul", "pen", "normal"] + made["hangul", "careless", "normal"]
               if " " in line.text]
    assert phrases
    for line in phrases:
        g = gaps(line)
        ends = np.cumsum([len(w) for w in line.text.split(" ")])[:-1] - 1
        between = g[ends]
        within = np.delete(g, ends)
        assert between.min() > 0.45
        if len(within):
            assert between.min() > within.max()


def test_sizes_and_baseline_vary_within_limits(made):
    for line, _ in made["hangul", "pen", "normal"]:
        b = np.asarray(line.boxes, float)
        longer = np.maximum(b[:, 2] - b[:, 0], b[:, 3] - b[:, 1])
        assert (longer < 1.25 * line.height).all() and (longer > 0.75 * line.height).all()
        mid = (b[:, 1] + b[:, 3]) / 2
        assert np.ptp(mid) < 0.35 * line.height  # drift (<= 0.15) plus the pen's jitter


def test_the_same_seed_the_same_lines_another_seed_others(faces):
    a = hangul_lines(faces, "careless", "normal", count=3, seed=7)
    b = hangul_lines(faces, "careless", "normal", count=3, seed=7)
    c = hangul_lines(faces, "careless", "normal", count=3, seed=8)
    for (la, ma), (lb, mb) in zip(a, b):
        assert la.text == lb.text and la.boxes == lb.boxes and ma == mb and np.array_equal(la.image, lb.image)
    assert [x.text for x, _ in a] != [x.text for x, _ in c]


def test_a_word_the_face_cannot_draw_is_replaced(faces, monkeypatch):
    real = L.FaceWriter.syllable

    def fussy(self, char, rng):
        if char in "이다":
            raise ValueError(f"glyph {char!r} is empty in this font")
        return real(self, char, rng)

    monkeypatch.setattr(L.FaceWriter, "syllable", fussy)
    monkeypatch.setattr(L, "word_pools", lambda n, s, seed, phrases: {2: ["이다", "사람"]})
    for line, _ in hangul_lines(faces, "pen", "normal", count=4, phrases=0):
        assert line.text == "사람"
    monkeypatch.setattr(L.FaceWriter, "can_draw", lambda self, text: "람" not in text)
    monkeypatch.setattr(L, "word_pools", lambda n, s, seed, phrases: {2: ["이다", "사람", "시간"]})
    assert {line.text for line, _ in hangul_lines(faces, "pen", "normal", count=4, phrases=0)} == {"시간"}


def test_numbers_come_from_the_held_out_split(digits, mnist_store):
    store, test = digits
    labels = load_store(mnist_store).labels
    _, val, test_again = stratified_split(labels, 0.1, 0.2, 0)
    assert np.array_equal(test, test_again) and abs(len(test) - 2000) <= 2 and not set(test.tolist()) & set(val.tolist())
    for line, meta in digit_lines(digits, "pen", "normal", count=6):
        assert set(meta["digits"]) <= set(test.tolist())
        assert line.text == "".join(str(labels[i]) for i in meta["digits"])
    _, val_idx = L.digit_split(mnist_store, "val", 0.1, 0.2, 0)
    assert np.array_equal(val_idx, val)



def _worst_fit_of_a_plain_scaling(line, images):
    """Per digit, the largest distance (px) of the drawn points from the best uniform scaling and shift
    of the digit's skeleton: ~0 when the pen drew the skeleton as it is, pixels when it was bent."""
    drawn = np.concatenate([np.asarray(s["points"], float) for s in line.strokes])
    worst, start = [], 0
    for im in images:
        sk = pen.skeletonize_ink(im, fill_holes=False)
        src = np.concatenate(sk.polylines(sk.points)).astype(float)
        dst, start = drawn[start : start + len(src)], start + len(src)
        one, zero = np.ones(len(src)), np.zeros(len(src))
        a = np.concatenate([np.c_[src[:, 0], one, zero], np.c_[src[:, 1], zero, one]])
        b = np.concatenate([dst[:, 0], dst[:, 1]])
        fit = np.linalg.lstsq(a, b, rcond=None)[0]
        worst.append(float(np.abs(a @ fit - b).max()))
    assert start == len(drawn)
    return max(worst)


def test_plain_pen_numbers_keep_each_digits_skeleton_undistorted(digits):
    store, test = digits
    images = [store.images[i] for i in test[:3]]
    plain = L.digit_line(images, [0, 0, 0], np.random.default_rng(1), "pen", "normal", pen.PLAIN_PEN)
    jittered = L.digit_line(images, [0, 0, 0], np.random.default_rng(1), "pen", "normal", pen.DEFAULT_PEN)
    assert _worst_fit_of_a_plain_scaling(plain, images) < 0.1  # the 1/16 px grid the points are rounded to
    assert _worst_fit_of_a_plain_scaling(jittered, images) > 2.0  # slanted, squeezed and bent


def test_cli_numbers_no_jitter_is_recorded_and_only_for_the_pen(tmp_path, mnist_store, capsys):
    rc = handpad_main(["synth", "numbers", "--out", str(tmp_path / "n"), "--store", str(mnist_store), "--no-jitter",
                       "--count", "2", "--digits", "3", "--quiet"])
    assert rc == 0 and read_lines(tmp_path / "n").manifest["options"]["jitter"] is False
    rc = handpad_main(["synth", "numbers", "--out", str(tmp_path / "s"), "--store", str(mnist_store), "--style", "scanned",
                       "--no-jitter", "--count", "2", "--quiet"])
    assert rc == 1 and "--no-jitter is for --style pen" in capsys.readouterr().err and not (tmp_path / "s").exists()

# -- on disk -------------------------------------------------------------------------------------
def test_a_set_on_disk_round_trips_and_is_deterministic(faces, tmp_path):
    opts = L.LineSetOptions("hangul", "pen", "mixed", 5, 11, (2, 6), 0.4, extra={"faces": [f.id for f in faces]})
    made = list(L.hangul_records(faces, opts))
    L.write_line_set(tmp_path / "a", iter(made), opts, progress=False)
    L.write_line_set(tmp_path / "b", L.hangul_records(faces, opts), opts, progress=False)
    files = sorted(p.name for p in (tmp_path / "a").iterdir())
    assert files == ["00000.png", "00001.png", "00002.png", "00003.png", "00004.png", "lines.jsonl", "manifest.json"]
    for name in files:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()
    manifest = json.loads((tmp_path / "a" / "manifest.json").read_text())
    assert manifest["format"] == "handpad-lines" and manifest["version"] == 1 and manifest["kind"] == "hangul"
    assert manifest["seed"] == 11 and manifest["options"]["faces"] == ["NanumPenScript-Regular", "UnPen-Regular"]
    s = read_lines(tmp_path / "a")
    assert s.kind == "hangul" and len(s) == 5
    for sample, (line, meta) in zip(s, made):
        assert sample.text == line.text and sample.boxes.tolist() == line.boxes
        assert sample.strokes == line.strokes and sample.face == meta["face"] and sample.style == "pen"
        assert sample.spacing == meta["spacing"] and sample.extra["ink"] == line.color
        assert np.array_equal(sample.image(), line.image)
        assert len(sample.boxes) == len(sample.chars)


def test_an_interrupted_run_leaves_whole_files_and_a_full_folder_is_refused(faces, tmp_path):
    opts = L.LineSetOptions("hangul", "pen", "normal", 5, 1)

    def broken():
        for k, item in enumerate(L.hangul_records(faces, opts)):
            if k == 2:
                raise KeyboardInterrupt
            yield item

    with pytest.raises(KeyboardInterrupt):
        L.write_line_set(tmp_path, broken(), opts, progress=False)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["00000.png", "00001.png"]  # no temp files, no index
    assert all(cv2.imread(str(p), 0) is not None for p in tmp_path.iterdir())
    with pytest.raises(DataFormatError, match="manifest.json"):
        read_lines(tmp_path)
    with pytest.raises(HandpadError, match="not empty"):
        L.write_line_set(tmp_path, L.hangul_records(faces, opts), opts, progress=False)
    (tmp_path / "notes.txt").write_text("mine")
    L.write_line_set(tmp_path, L.hangul_records(faces, opts), opts, overwrite=True, progress=False)
    assert len(read_lines(tmp_path)) == 5 and (tmp_path / "notes.txt").read_text() == "mine"


@pytest.fixture(scope="module")
def small_set(faces, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("lines") / "set"
    opts = L.LineSetOptions("hangul", "careless", "normal", 4, 2)
    L.write_line_set(out, L.hangul_records(faces, opts), opts, progress=False)
    return out


def broken_copy(src: Path, dst: Path, line: int, edit) -> Path:
    import shutil

    shutil.copytree(src, dst)
    rows = (dst / "lines.jsonl").read_text(encoding="utf-8").splitlines()
    rows[line - 1] = edit(rows[line - 1])
    (dst / "lines.jsonl").write_text("\n".join(rows) + "\n", encoding="utf-8")
    return dst


def drop_box(row: str) -> str:
    d = json.loads(row)
    d["boxes"] = d["boxes"][:-1]
    return json.dumps(d, ensure_ascii=False)


def drop_text(row: str) -> str:
    d = json.loads(row)
    del d["text"]
    return json.dumps(d, ensure_ascii=False)


@pytest.mark.parametrize("line,edit,why", [
    (3, lambda r: r[:-7], "not valid JSON"),
    (2, drop_text, "missing key\\(s\\): text"),
    (4, drop_box, "box\\(es\\) for the"),
    (1, lambda r: r.replace('"file":"00000.png"', '"file":"nothere.png"'), "not found"),
])
def test_the_reader_names_the_file_and_line_of_a_broken_record(small_set, tmp_path, line, edit, why):
    bad = broken_copy(small_set, tmp_path / "bad", line, edit)
    with pytest.raises(DataFormatError, match=why) as e:
        read_lines(bad)
    assert e.value.path == str(bad / "lines.jsonl") and e.value.line == line
    assert str(e.value).startswith(f"{bad / 'lines.jsonl'}:{line}: ")


def test_the_reader_refuses_a_foreign_manifest(small_set, tmp_path):
    import shutil

    shutil.copytree(small_set, tmp_path / "s")
    (tmp_path / "s" / "manifest.json").write_text('{"format": "handpad-store"}')
    with pytest.raises(DataFormatError, match="not a line set"):
        read_lines(tmp_path / "s")


# -- the CLI -------------------------------------------------------------------------------------
def test_cli_words_and_numbers_write_sets(tmp_path, faces, mnist_store):
    rc = handpad_main(["synth", "words", "--out", str(tmp_path / "w"), "--fonts", str(PEN_SCRIPT), "--style", "careless",
                       "--spacing", "tight", "--count", "3", "--syllables", "3-4", "--phrases", "0", "--seed", "4", "--quiet"])
    assert rc == 0
    s = read_lines(tmp_path / "w")
    assert len(s) == 3 and all(3 <= len(x.text) <= 4 and " " not in x.text and x.spacing == "tight" for x in s)
    assert all(x.face == "NanumPenScript-Regular" and x.style == "careless" and x.strokes for x in s)
    assert s.manifest["options"]["lengths"] == [3, 4]
    rc = handpad_main(["synth", "numbers", "--out", str(tmp_path / "n"), "--store", str(mnist_store), "--split", "val",
                       "--style", "scanned", "--count", "3", "--digits", "4", "--quiet"])
    assert rc == 0
    n = read_lines(tmp_path / "n")
    assert n.kind == "digits" and len(n) == 3 and all(len(x.text) == 4 and x.strokes is None for x in n)
    assert n.manifest["options"]["split"] == "val" and n.manifest["options"]["test_fraction"] == 0.2


def test_cli_refuses_a_bad_range(tmp_path, mnist_store, capsys):
    rc = handpad_main(["synth", "numbers", "--out", str(tmp_path / "x"), "--store", str(mnist_store), "--digits", "8-3"])
    assert rc == 1 and "--digits" in capsys.readouterr().err and not (tmp_path / "x").exists()


def test_convert_lines_stores_each_character_as_the_reading_cuts_and_prepares_it(tmp_path, mnist_store, faces, capsys):
    from handpad import reading
    from handpad.preprocess import PRESETS, preprocess

    for style in ("pen", "scanned"):
        assert handpad_main(["synth", "numbers", "--out", str(tmp_path / style), "--store", str(mnist_store),
                             "--split", "train", "--style", style, "--spacing", "normal", "--count", "4", "--digits", "3-5",
                             "--quiet"]) == 0
    out = tmp_path / "boxes"
    assert handpad_main(["convert", "lines", str(tmp_path / "pen"), str(tmp_path / "scanned"), "--out", str(out),
                         "--no-progress", "--workers", "1"]) == 0
    store = load_store(out)
    pen_lines, scanned_lines = read_lines(tmp_path / "pen"), read_lines(tmp_path / "scanned")
    assert store.manifest["source"] == "lines" and store.manifest["label_space"] == "digits"
    # per pen line its digits from the image, then again from the strokes; per scanned line from the image
    expected = [d for s in pen_lines for d in s.text * 2] + [d for s in scanned_lines for d in s.text]
    got = store.label_names(store.labels)
    assert got == expected  # normal spacing: every digit's box is found (a box the cutting misses is no sample)
    # the first line's digits are, pixel for pixel, what reading that line prepares for the model
    first = pen_lines[0]
    seg = reading.segment(first.image(), kind="digits")
    assert [b for b in seg.boxes] and len(seg.crops) == len(first.text)
    prepared = np.stack([preprocess(c, config=PRESETS["digits"], ink="map") for c in seg.crops])
    assert np.array_equal(np.asarray(store.images[: len(first.text)]), prepared)
    assert got[: len(first.text)] == list(first.text)
    # again into the same store: every input is done already
    assert handpad_main(["convert", "lines", str(tmp_path / "pen"), str(tmp_path / "scanned"), "--out", str(out),
                         "--no-progress"]) == 0
    assert "2 already converted, skipped" in capsys.readouterr().out and len(load_store(out)) == len(got)
    # not a line set; sets of two kinds
    assert handpad_main(["convert", "lines", str(mnist_store), "--out", str(tmp_path / "x")]) == 1
    assert f"{mnist_store / 'manifest.json'}: not a line set manifest" in capsys.readouterr().err
    assert handpad_main(["synth", "words", "--out", str(tmp_path / "w"), "--fonts", str(PEN_SCRIPT), "--count", "1",
                         "--quiet"]) == 0
    assert handpad_main(["convert", "lines", str(tmp_path / "pen"), str(tmp_path / "w"), "--out", str(tmp_path / "y")]) == 1
    err = capsys.readouterr().err
    assert "line sets of different kinds" in err and "convert each kind into its own store" in err
    assert not (tmp_path / "x").exists() and not (tmp_path / "y").exists()
