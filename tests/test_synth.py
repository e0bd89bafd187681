"""Hangul synthesis from fonts: discovery, samples, determinism, PHD08 output, bad input."""
from __future__ import annotations

import errno
import shutil
from collections import Counter
from pathlib import Path

import cv2
import numpy as np
import pytest

from conftest import require
from handpad import store as store_module
from handpad.cli import main as handpad_main
from handpad.errors import HandpadError
from handpad.labels import hangul_syllables
from handpad.preprocess import preprocess
from handpad.store import load_store
from handpad.synth import generate, hand, pen, render
from handpad.synth.fonts import discover_fonts, face_id, resolve_fonts
from handpad.synth.generate import SynthOptions, parse_mix, synthesize

NANUM = Path("/usr/share/fonts/truetype/nanum")
GOTHIC = NANUM / "NanumGothic.ttf"
PEN_SCRIPT = NANUM / "NanumPen.ttf"
NO_HANGUL = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")



@pytest.fixture(scope="module", autouse=True)
def _needs_fonts_nanum():
    """Every test here needs NanumGothic and NanumPen (skipped without them; failed in CI)."""
    require(GOTHIC.exists() and PEN_SCRIPT.exists(), "fonts-nanum not installed (sudo apt install fonts-nanum)")

SYL = "가나다괘을"


@pytest.fixture(scope="module")
def gothic():
    faces, _ = resolve_fonts([GOTHIC])
    return faces[0]


def store_bytes(path: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(path.iterdir()) if p.is_file()}


# -- fonts -----------------------------------------------------------------------------------
def test_face_ids_and_handwriting_flag():
    faces, problems = discover_fonts([GOTHIC, PEN_SCRIPT])
    assert not problems
    by_id = {f.id: f for f in faces}
    assert set(by_id) == {"NanumGothic-Regular", "NanumPenScript-Regular"}
    assert by_id["NanumPenScript-Regular"].handwriting and not by_id["NanumGothic-Regular"].handwriting
    assert face_id("Nanum Pen Script", "Regular") == "NanumPenScript-Regular"


def test_only_and_exclude_are_globs_on_face_ids():
    assert [f.id for f in discover_fonts([GOTHIC, PEN_SCRIPT], only=["*pen*"])[0]] == ["NanumPenScript-Regular"]
    assert [f.id for f in discover_fonts([GOTHIC, PEN_SCRIPT], exclude=["NanumPen*"])[0]] == ["NanumGothic-Regular"]
    with pytest.raises(HandpadError, match="no usable font face"):
        resolve_fonts([GOTHIC], only=["Nothing*"])


def test_bad_font_files_are_skipped_with_a_message_naming_them(tmp_path):
    fonts = tmp_path / "fonts"
    fonts.mkdir()
    shutil.copy(GOTHIC, fonts / "good.ttf")
    shutil.copy(GOTHIC, fonts / "same-again.ttf")  # duplicate content
    (fonts / "junk.ttf").write_bytes(np.random.default_rng(0).bytes(5000))  # corrupt
    (fonts / "notes.otf").write_text("this is not a font\n")  # not a font
    data = GOTHIC.read_bytes()
    (fonts / "truncated.ttf").write_bytes(data[: len(data) // 50])  # cut short
    if NO_HANGUL.exists():
        shutil.copy(NO_HANGUL, fonts / "latin.ttf")  # lacks the syllables
    faces, problems = discover_fonts([fonts])
    assert [f.id for f in faces] == ["NanumGothic-Regular"]
    text = {Path(p.path).name: (p.kind, p.reason) for p in problems}
    assert text["junk.ttf"][0] == "unreadable" and "not a font or corrupt" in text["junk.ttf"][1]
    assert text["notes.otf"][0] == "unreadable"
    assert text["truncated.ttf"][0] in ("unreadable", "render")
    assert "same file as" in text["same-again.ttf"][1]
    if NO_HANGUL.exists():
        assert text["latin.ttf"][0] == "coverage" and "lacks 2350 of the 2350 syllables" in text["latin.ttf"][1]


def test_empty_or_missing_fonts_folder_is_a_clear_error(tmp_path):
    (tmp_path / "empty").mkdir()
    (tmp_path / "empty" / "readme.txt").write_text("no fonts here")
    with pytest.raises(HandpadError, match="no font files"):
        discover_fonts([tmp_path / "empty"])
    with pytest.raises(HandpadError, match="no such font file or folder"):
        discover_fonts([tmp_path / "missing"])
    (tmp_path / "junkonly").mkdir()
    (tmp_path / "junkonly" / "bad.ttf").write_bytes(b"\0" * 100)
    with pytest.raises(HandpadError, match=r"(?s)no usable font face.*bad\.ttf"):
        resolve_fonts([tmp_path / "junkonly"])


# -- samples ---------------------------------------------------------------------------------
def test_synthesis_gives_right_labels_and_plausible_centered_images(tmp_path, gothic):
    options = SynthOptions(per_font=4, mix="designed=1,pen=1", seed=1, syllables=tuple(SYL))
    report = synthesize([gothic], tmp_path / "s", options, workers=1, progress=False)
    st = load_store(tmp_path / "s")
    assert st.classes == list(hangul_syllables())  # always the full list: shared label indices
    assert Counter(st.label_names()) == {c: 4 for c in SYL}
    assert report.kinds == {"designed": 10, "pen": 10}
    images = np.asarray(st.images).astype(np.float32) / 255
    for img in images:
        ink = (img > 0.5).mean()
        assert 0.03 < ink < 0.5, ink
        m = cv2.moments(img)
        cx, cy = m["m10"] / m["m00"], m["m01"] / m["m00"]
        assert abs(cx - 29.5) < 8 and abs(cy - 29.5) < 8
        assert img[:3].max() < 0.5 and img[-3:].max() < 0.5  # the 10% margin of the preprocessing
    assert st.manifest["complete"] and st.manifest["options"]["faces"] == ["NanumGothic-Regular"]


def test_digits_of_the_faces_come_as_the_digits_model_reads_them(tmp_path, gothic, capsys):
    # more hands for a digits model: the faces' 0-9, preprocessed as MNIST is (centred by mass, not by box)
    out = tmp_path / "d"
    code = handpad_main(["synth", "hangul", "--fonts", str(GOTHIC), "--label-space", "digits", "--out", str(out),
                         "--per-font", "2", "--mix", "pen=1,hand=1", "--workers", "1", "--quiet"])
    assert code == 0
    st = load_store(out)
    assert st.classes == [str(d) for d in range(10)] and Counter(st.label_names()) == {str(d): 2 for d in range(10)}
    assert st.manifest["options"]["preprocess"] == {"size": 60, "margin": 0.1, "center_mass": True}
    for img in np.asarray(st.images).astype(np.float32) / 255:
        m = cv2.moments(img)
        assert abs(m["m10"] / m["m00"] - 29.5) < 1.5 and abs(m["m01"] / m["m00"] - 29.5) < 1.5  # the ink's centre
    for i in np.flatnonzero(st.labels == 7):  # a bar across the top, a stem below: a 7, not a syllable
        seven = np.asarray(st.images[int(i)]) > 127
        rows, cols = np.flatnonzero(seven.any(1)), np.flatnonzero(seven.any(0))
        width = cols[-1] - cols[0] + 1
        assert seven[rows[0] : rows[0] + 5].any(0).sum() >= 0.9 * width
        assert seven[rows[-1] - 4 : rows[-1] + 1].any(0).sum() <= 0.5 * width
    code = handpad_main(["synth", "hangul", "--fonts", str(GOTHIC), "--label-space", "digits", "--format", "phd08",
                         "--out", str(tmp_path / "p"), "--quiet"])
    assert code == 1 and "Hangul syllables only" in capsys.readouterr().err and not (tmp_path / "p").exists()


def test_same_seed_same_bytes_whatever_the_worker_count(tmp_path, gothic):
    faces = [gothic] + resolve_fonts([PEN_SCRIPT])[0]
    options = SynthOptions(per_font=2, seed=5, syllables=tuple(SYL), chunk=2)  # 3 units per face
    synthesize(faces, tmp_path / "a", options, workers=1, progress=False, commit_every=7)
    synthesize(faces, tmp_path / "b", options, workers=2, progress=False, commit_every=7)
    synthesize(faces, tmp_path / "c", SynthOptions(per_font=2, seed=6, syllables=tuple(SYL), chunk=2), workers=1, progress=False, commit_every=7)
    a, b = store_bytes(tmp_path / "a"), store_bytes(tmp_path / "b")
    assert a == b
    assert not np.array_equal(np.asarray(load_store(tmp_path / "a").images), np.asarray(load_store(tmp_path / "c").images))


def test_mix_controls_the_kinds(tmp_path, gothic):
    assert parse_mix("designed=2,pen=4") == {"designed": 1, "pen": 2}
    for bad in ("designed", "ink=1", "pen=x", "pen=0"):
        with pytest.raises(HandpadError, match="--mix"):
            parse_mix(bad)
    report = synthesize([gothic], tmp_path / "p", SynthOptions(per_font=3, mix="pen=1", syllables=tuple(SYL)), workers=1, progress=False)
    assert report.kinds == {"pen": 15}
    few = generate.choose_syllables(num=7, seed=3)
    assert len(few) == 7 and few == generate.choose_syllables(num=7, seed=3) != generate.choose_syllables(num=7, seed=4)


def test_every_syllable_gets_every_kind_of_the_mix_across_faces():
    faces = [f"Face{i}-Regular" for i in range(12)]
    three = SynthOptions(per_font=2, mix="designed=1,pen=1,hand=2")
    for label in range(40):
        kinds = [k for f in faces for k in generate.sample_kinds(f, label, three)]
        assert set(kinds) == {"designed", "pen", "hand"}, label
    assert three.to_dict()["kinds"] == "by face and syllable"
    # where per_font is a multiple of the cycle, every face gets every kind: as before, nothing recorded
    two = SynthOptions(per_font=2, mix="designed=1,pen=1")
    assert all(generate.sample_kinds(f, label, two) == ["designed", "pen"] for f in faces for label in range(10))
    assert "kinds" not in two.to_dict()


def test_pen_rendering_keeps_the_glyph_recognizable():
    """A tiny classifier trained on plain renders reads pen-redrawn glyphs well above chance."""
    from skimage.feature import hog
    from sklearn.linear_model import LogisticRegression

    chars = "가나다라마바사아자차"
    paths = [GOTHIC, NANUM / "NanumMyeongjo.ttf", NANUM / "NanumBarunpenR.ttf", NANUM / "NanumSquareR.ttf"]
    feat = lambda x: hog(x, orientations=8, pixels_per_cell=(10, 10), cells_per_block=(2, 2))  # noqa: E731
    train_x, train_y, test_x, test_y = [], [], [], []
    for path in (p for p in paths if p.exists()):
        r = render.GlyphRenderer(path)
        for i, c in enumerate(chars):
            train_x.append(feat(preprocess(r.render(c, 64), ink="bright")))
            train_y.append(i)
            for k in range(3):
                drawn = render.pen_sample(r, c, np.random.default_rng(100 * k + i))
                test_x.append(feat(preprocess(drawn)))
                test_y.append(i)
    model = LogisticRegression(max_iter=3000).fit(train_x, train_y)
    accuracy = (model.predict(test_x) == np.array(test_y)).mean()
    assert accuracy >= 0.55, accuracy  # chance is 0.10; about 0.75 when written


# -- PHD08 format -----------------------------------------------------------------------------
def test_phd08_output_rereads_through_the_converter(tmp_path, gothic):
    from handpad.convert import convert_phd08

    options = SynthOptions(per_font=3, syllables=tuple(SYL), seed=2)
    synthesize([gothic], tmp_path / "s", options, workers=1, phd08_dir=tmp_path / "phd08", progress=False)
    files = sorted(p.name for p in (tmp_path / "phd08").glob("*.txt"))
    assert files == sorted(f"{c}.txt" for c in SYL)
    text = (tmp_path / "phd08" / "가.txt").read_text()
    assert text.startswith("NanumGothicRegular_") and "\n\n" in text
    report = convert_phd08([tmp_path / "phd08"], tmp_path / "conv", progress=False, workers=1)
    assert report.ok, report.summary()
    conv, synth = load_store(tmp_path / "conv"), load_store(tmp_path / "s")
    assert Counter(conv.label_names()) == Counter(synth.label_names())  # by label string, not index
    # The converter's picture of a designed sample is the synthesized one (same preprocessing).
    first = np.asarray(conv.images[0]).astype(np.float32)
    same = [np.abs(first - np.asarray(img).astype(np.float32)).mean() for img in synth.images]
    assert min(same) < 10


# -- interruption, full disk, re-runs ----------------------------------------------------------
def test_interrupted_run_leaves_a_valid_store_and_a_rerun_continues(tmp_path, gothic, monkeypatch):
    options = SynthOptions(per_font=2, syllables=tuple(SYL), chunk=2, seed=9)
    synthesize([gothic], tmp_path / "ref", options, workers=1, progress=False, commit_every=1)
    real = generate.run_unit
    calls = {"n": 0}

    def flaky(job):
        calls["n"] += 1
        if calls["n"] == 3:
            raise KeyboardInterrupt
        return real(job)

    monkeypatch.setattr(generate, "run_unit", flaky)
    with pytest.raises(KeyboardInterrupt):
        synthesize([gothic], tmp_path / "s", options, workers=1, progress=False, commit_every=1)
    half = load_store(tmp_path / "s")
    assert len(half) == 8 and not half.manifest["complete"]  # two whole units of 2 syllables x 2
    assert not list((tmp_path / "s").glob(".*tmp"))
    monkeypatch.setattr(generate, "run_unit", real)
    report = synthesize([gothic], tmp_path / "s", options, workers=1, progress=False, commit_every=1)
    assert report.units_skipped == 2 and report.written == 2
    done, ref = load_store(tmp_path / "s"), load_store(tmp_path / "ref")
    assert done.manifest["complete"]
    assert np.array_equal(np.asarray(done.images), np.asarray(ref.images))
    assert np.array_equal(done.labels, ref.labels)


def test_disk_full_is_a_clear_error_and_the_store_stays_valid(tmp_path, gothic, monkeypatch):
    options = SynthOptions(per_font=2, syllables=tuple(SYL), chunk=2)
    real = store_module.atomic_save_npy
    calls = {"n": 0}

    def full_disk(path, array):
        calls["n"] += 1
        if calls["n"] > 2:  # the first unit's shard (images + labels) fits, then the disk is full
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(path, array)

    monkeypatch.setattr(store_module, "atomic_save_npy", full_disk)
    with pytest.raises(HandpadError, match="no space left.*re-run"):
        synthesize([gothic], tmp_path / "s", options, workers=1, progress=False, commit_every=4)
    st = load_store(tmp_path / "s")
    assert len(st) == 4
    assert not [p for p in (tmp_path / "s").iterdir() if p.name.startswith(".") or p.name.endswith(".tmp")]
    monkeypatch.setattr(store_module, "atomic_save_npy", real)
    synthesize([gothic], tmp_path / "s", options, workers=1, progress=False, commit_every=4)
    assert len(load_store(tmp_path / "s")) == 10


def test_not_enough_space_fails_before_writing(tmp_path, gothic, monkeypatch):
    monkeypatch.setattr(generate.shutil, "disk_usage", lambda p: shutil._ntuple_diskusage(10**9, 10**9 - 1000, 1000))
    with pytest.raises(HandpadError, match="not enough disk space"):
        synthesize([gothic], tmp_path / "s", SynthOptions(syllables=tuple(SYL)), workers=1, progress=False)
    assert not (tmp_path / "s").exists()


def test_rerun_with_other_options_is_refused(tmp_path, gothic):
    synthesize([gothic], tmp_path / "s", SynthOptions(per_font=1, syllables=tuple(SYL)), workers=1, progress=False)
    with pytest.raises(HandpadError, match="other options.*per_font"):
        synthesize([gothic], tmp_path / "s", SynthOptions(per_font=2, syllables=tuple(SYL)), workers=1, progress=False)
    report = synthesize([gothic], tmp_path / "s", SynthOptions(per_font=1, syllables=tuple(SYL)), workers=1, progress=False)
    assert report.written == 0 and report.units_skipped == 1


# -- CLI ---------------------------------------------------------------------------------------
def test_cli_fonts_and_hangul(tmp_path, capsys):
    fonts = tmp_path / "fonts"
    fonts.mkdir()
    shutil.copy(GOTHIC, fonts / "NanumGothic.ttf")
    (fonts / "broken.ttf").write_bytes(b"garbage" * 100)
    assert handpad_main(["synth", "fonts", "--fonts", str(fonts)]) == 0
    out = capsys.readouterr().out
    assert "NanumGothic-Regular" in out and "broken.ttf" in out and "not a font or corrupt" in out
    code = handpad_main(["synth", "hangul", "--fonts", str(fonts), "--out", str(tmp_path / "s"), "--syllables", "가나",
                         "--per-font", "1", "--workers", "1", "--quiet", "--format", "phd08"])
    assert code == 0
    err = capsys.readouterr().err
    assert "broken.ttf" in err and "wrote 2 samples" in err
    assert sorted(p.name for p in (tmp_path / "s" / "phd08").glob("*.txt")) == ["가.txt", "나.txt"]
    assert handpad_main(["synth", "hangul", "--fonts", str(tmp_path / "nope"), "--out", str(tmp_path / "t")]) == 1
    assert "no such font file or folder" in capsys.readouterr().err
    with pytest.raises(SystemExit) as e:
        handpad_main(["synth", "hangul", "--help"])
    assert e.value.code == 0 and "Examples" in capsys.readouterr().out


def test_pen_jitter_scales_the_hand_and_is_recorded(tmp_path, gothic):
    assert SynthOptions(pen_jitter=0).pen_style == pen.PLAIN_PEN
    wide = SynthOptions(pen_jitter=2).pen_style
    assert (wide.rotation, wide.shear, wide.elastic) == (16.0, 0.3, (0.0, 10.0))
    with pytest.raises(HandpadError, match="--pen-jitter must be between 0 and 4"):
        SynthOptions(pen_jitter=-1)
    stores = {}
    for jitter in (0.0, 1.0, 2.0):
        out = tmp_path / f"j{jitter}"
        synthesize([gothic], out, SynthOptions(per_font=2, mix="pen=1", syllables=tuple(SYL), pen_jitter=jitter),
                   workers=1, progress=False)
        stores[jitter] = load_store(out)
    assert stores[2.0].manifest["options"]["pen_jitter"] == 2.0
    assert "pen_jitter" not in stores[1.0].manifest["options"]  # stores made before the option still match
    a, b, c = (stores[j].images[:].astype(np.int16) for j in (0.0, 1.0, 2.0))
    assert np.array_equal(stores[0.0].labels, stores[2.0].labels)
    # same seed, same pens and places: only the hand's distortion differs, and it grows with the factor
    assert 0 < np.abs(a - b).mean() < np.abs(a - c).mean()


def test_mix_designs_takes_jamo_from_another_design_and_is_recorded(tmp_path, gothic):
    myeongjo = resolve_fonts([GOTHIC.parent / "NanumMyeongjo.ttf"])[0][0]
    with pytest.raises(HandpadError, match="--mix-designs must be between 0 and 1"):
        SynthOptions(mix_designs=1.5)
    stores = {}
    for share in (0.0, 1.0):
        out = tmp_path / f"m{share}"
        synthesize([gothic, myeongjo], out, SynthOptions(per_font=2, mix="hand=1", syllables=tuple(SYL), seed=4,
                                                         mix_designs=share), workers=1, progress=False)
        stores[share] = load_store(out)
    assert stores[1.0].manifest["options"]["mix_designs"] == 1.0
    assert "mix_designs" not in stores[0.0].manifest["options"]  # stores made before the option still match
    assert np.array_equal(stores[0.0].labels, stores[1.0].labels)
    plain = generate.make_samples(gothic, "가", 0, SynthOptions(per_font=2, mix="hand=1", syllables=tuple(SYL), seed=4))
    assert np.array_equal(stores[0.0].images[0], plain[0][1])  # off: the samples as they were
    a, b = stores[0.0].images[:].astype(np.int16), stores[1.0].images[:].astype(np.int16)
    differ = np.abs(a - b).reshape(len(a), -1).max(axis=1) > 0
    # the pen, place and distortions are drawn as before; the syllables that both designs take apart
    # alike get the other design's jamo (가 and 을; Myeongjo's serifs join 나, 다 and 괘 into one piece)
    renderers = [render.GlyphRenderer(f.path) for f in (gothic, myeongjo)]
    chars = [stores[1.0].classes[k] for k in stores[1.0].labels]
    faces = [k // (2 * len(SYL)) for k in range(len(chars))]  # face by face, 2 samples per syllable
    alike = [hand.match_pieces(renderers[f].hand_glyph(c), renderers[1 - f].hand_glyph(c)) is not None
             for f, c in zip(faces, chars)]
    assert sum(alike) >= 4 and differ.tolist() == alike


def test_size_sets_the_stored_images_and_the_preprocessing_a_model_will_repeat(tmp_path, gothic):
    with pytest.raises(HandpadError, match="--size must be between 28 and 128 pixels, got 20"):
        SynthOptions(size=20)
    stores = {}
    for size in (60, 80):
        out = tmp_path / f"s{size}"
        synthesize([gothic], out, SynthOptions(per_font=2, mix="designed=1,pen=1", syllables=tuple(SYL), seed=2,
                                               size=size), workers=1, progress=False)
        stores[size] = load_store(out)
    fine, plain = stores[80], stores[60]
    assert fine.image_size == 80 and fine.images.shape[1:] == (80, 80)
    assert fine.manifest["options"]["preprocess"]["size"] == 80
    assert plain.manifest["options"]["preprocess"] == generate.PreprocessConfig().to_dict()  # older stores still match
    assert np.array_equal(fine.labels, plain.labels)
    # the same draws at a finer scale: shrunk back to 60 px, each sample is the 60 px one, up to resampling
    shrunk = np.stack([cv2.resize(im, (60, 60), interpolation=cv2.INTER_AREA) for im in fine.images[:]]).astype(np.int16)
    diff = np.abs(shrunk - plain.images[:].astype(np.int16)).reshape(len(shrunk), -1).mean(axis=1)
    other = np.abs(shrunk - np.roll(plain.images[:].astype(np.int16), 1, axis=0)).reshape(len(shrunk), -1).mean(axis=1)
    assert diff.max() < 12 and (diff < other).all(), (diff, other)
    with pytest.raises(HandpadError, match="other options.*preprocess"):  # a re-run must keep the size
        synthesize([gothic], tmp_path / "s80", SynthOptions(per_font=2, mix="designed=1,pen=1", syllables=tuple(SYL),
                                                            seed=2, size=60), workers=1, progress=False)
