"""HGU1 (PE92 / SERI95): files written byte by byte here, read back with labels and pixels."""
from __future__ import annotations

import struct

import numpy as np
import pytest

from handpad.cli import main as handpad_main
from handpad.errors import DataFormatError
from handpad.sources.hgu1 import read_hgu1
from handpad.store import load_store


def record(code: bytes, image: np.ndarray, kind: int = 0) -> bytes:
    h, w = image.shape
    return code + struct.pack("BBBB", w, h, kind, 0) + image.astype(np.uint8).tobytes()


def glyph(h: int, w: int, dark_ink: bool, seed: int) -> np.ndarray:
    """A gray image with a bar of ink, of either polarity."""
    rng = np.random.default_rng(seed)
    img = np.full((h, w), 30, np.uint8) + rng.integers(0, 10, (h, w), dtype=np.uint8)
    img[h // 4 : h - h // 4, w // 3 : w // 3 + 4] = 220
    img[h // 2 - 2 : h // 2 + 2, 2 : w - 2] = 220
    return 255 - img if dark_ink else img


GA, GAK, HING = b"\xb0\xa1", b"\xb0\xa2", b"\xc8\xfe"


@pytest.fixture
def pe92_file(tmp_path):
    images = [glyph(23, 37, False, 0), glyph(40, 31, True, 1), glyph(64, 64, True, 2)]
    path = tmp_path / "pe92_part.hgu1"
    path.write_bytes(b"HGU1    " + record(GAK, images[0]) + record(GA, images[1]) + record(HING, images[2]))
    return path, images


def test_reads_labels_and_pixels(pe92_file):
    path, images = pe92_file
    got = list(read_hgu1(path))
    assert [c for c, _ in got] == ["각", "가", "힝"]
    for (_, img), ref in zip(got, images):
        assert img.dtype == np.uint8 and np.array_equal(img, ref)
    assert got[0][1].shape == (23, 37)  # height x width from an odd 37 x 23 record


def test_bad_header(tmp_path):
    path = tmp_path / "x.hgu1"
    path.write_bytes(b"HGU2    " + record(GA, glyph(8, 8, False, 0)))
    with pytest.raises(DataFormatError) as e:
        list(read_hgu1(path))
    assert str(e.value) == f"{path} (byte 0): bad header b'HGU2    ', expected b'HGU1    ' (not an HGU1 file)"


def test_truncated_image_undecodable_code_and_unknown_type(tmp_path):
    good = record(GA, glyph(10, 12, False, 0))
    path = tmp_path / "x.hgu1"
    path.write_bytes(b"HGU1    " + good + record(b"\xff\xff", glyph(5, 5, False, 1)) + good + good[:-7])
    got = list(read_hgu1(path))
    assert [type(g).__name__ for g in got] == ["tuple", "DataFormatError", "tuple", "DataFormatError"]
    off = 8 + len(good)
    assert str(got[1]) == f"{path} (byte {off}): character code FF FF is not an EUC-KR character; image skipped"
    off2 = off + 6 + 25 + len(good)
    assert str(got[3]) == f"{path} (byte {off2}): truncated image: 12 x 10 needs 120 bytes, the file ends after 113"
    path.write_bytes(b"HGU1    " + good + record(GA, glyph(4, 4, False, 0), kind=3) + good)
    got = list(read_hgu1(path))
    assert len(got) == 2 and str(got[1]) == (
        f"{path} (byte {8 + len(good) + 4}): image type 3 is not supported (only 0 = 8-bit gray); the rest of the file is skipped"
    )


def test_convert_both_polarities_to_the_same_input(pe92_file, tmp_path, capsys):
    path, _ = pe92_file
    # the same glyph in both polarities, as two samples of one class
    same = glyph(30, 30, False, 5)
    other = tmp_path / "seri.hgu1"
    other.write_bytes(b"HGU1    " + record(GA, same) + record(GA, 255 - same))
    out = tmp_path / "s"
    assert handpad_main(["convert", "hgu1", str(tmp_path), "--out", str(out), "--no-progress"]) == 0
    assert "wrote 5 samples from 2 input(s)" in capsys.readouterr().out
    store = load_store(out)
    assert store.label_space.name == "hangul-ksx1001"
    assert sorted(set(store.labels.tolist())) == [0, 1, 2349]  # 가 각 힝: EUC-KR order
    assert sorted(store.label_names()) == ["가", "가", "가", "각", "힝"]
    imgs = store.images[:]
    seri = imgs[[i for i, n in enumerate(store.label_names()) if n == "가"]][-2:]
    assert np.abs(seri[0].astype(int) - seri[1].astype(int)).mean() < 3  # polarity found per image
    assert all(im[0].max() == 0 and im.max() == 255 for im in imgs)  # ink bright, cropped with a margin


def test_bad_file_reported_others_converted(pe92_file, tmp_path, capsys):
    path, _ = pe92_file
    bad = tmp_path / "bad.hgu1"
    bad.write_bytes(b"not hgu1")
    out = tmp_path / "s"
    assert handpad_main(["convert", "hgu1", str(path), str(bad), "--out", str(out), "--no-progress"]) == 1
    text = capsys.readouterr().out
    assert f"{bad} (byte 0): bad header b'not hgu1'" in text and "wrote 3 samples from 1 input(s)" in text
    assert len(load_store(out)) == 3


def test_a_character_that_is_no_syllable_is_a_bad_sample(tmp_path, capsys):
    path = tmp_path / "odd.hgu1"
    path.write_bytes(b"HGU1    " + record(GA, glyph(20, 20, False, 0)) + record(b"\xa3\xc1", glyph(20, 20, False, 1)))
    out = tmp_path / "s"
    assert handpad_main(["convert", "hgu1", str(path), "--out", str(out), "--no-progress"]) == 1
    text = capsys.readouterr().out
    assert f"{path}: image 2: 'Ａ' is not a Hangul syllable; skipped" in text and "wrote 1 sample from" in text
    assert load_store(out).label_names() == ["가"]
