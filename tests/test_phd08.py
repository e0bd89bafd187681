"""PHD08: the reader on the real files and on every kind of damage, and the converter/CLIs."""
from __future__ import annotations

import json
import os
from collections import Counter
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from handpad.cli import main as handpad_main
from handpad.convert import Phd08Options, convert_phd08
from handpad.errors import DataFormatError, HandpadError
from handpad.labels import hangul_syllables
from handpad.sources.phd08 import Phd08Selection, label_from_filename, read_phd08
from handpad.preprocess import PreprocessConfig
from handpad.store import load_store

REPO = Path(__file__).resolve().parents[1]


def items(path, data=None, keep=None):
    return list(read_phd08(path, data=data, keep=keep))


def errors(path, data):
    return [str(e) for e in read_phd08(path, data=data) if isinstance(e, DataFormatError)]


# -- reader on the real files ------------------------------------------------------------------
def test_real_files_have_2187_samples_of_the_documented_shape(phd08_dir):
    for name in ("가.txt", "나.txt"):
        got = items(phd08_dir / name)
        assert len(got) == 2187 and all(isinstance(x, tuple) for x in got)
        names = [n for n, _ in got]
        assert len(set(names)) == 2187
        assert {n.split("_")[0] for n in names} == {"S", "G", "M", "N", "B", "D", "Y", "H1", "H2"}
    # the first sample of 가.txt as printed in the file: 22 x 29, row 3 = 15 ones, 6 zeros, 3 ones, 5 zeros
    name, img = items(phd08_dir / "가.txt")[0]
    assert name == "S_0_0_0_0_1" and img.shape == (22, 29) and img.dtype == np.bool_
    assert "".join("1" if v else "0" for v in img[2]) == "11111111111111100000011100000"


def test_preset_keeps_81_per_file(phd08_dir):
    sel = Phd08Selection.preset("original")
    kept = items(phd08_dir / "나.txt", keep=sel.keeps)
    assert len(kept) == 81
    assert all(n.split("_")[2:5] == ["0", "2", "1"] for n, _ in kept)


def test_selection_by_font_and_field(phd08_dir):
    sel = Phd08Selection(fonts=("S", "H2"), variants={"rotation": (1,), "noise": (0, 2)})
    kept = [n for n, _ in items(phd08_dir / "가.txt", keep=sel.keeps)]
    assert len(kept) == 2 * 3 * 2 * 3 * 3 * 1
    assert all(n.split("_")[0] in ("S", "H2") and n.endswith("_1") and n.split("_")[2] in "02" for n in kept)


def test_lf_crlf_and_missing_blank_line_read_the_same(phd08_head):
    ref = items("가.txt", phd08_head)
    assert len(ref) == 12
    lf = phd08_head.replace(b"\r\n", b"\n")
    no_blank = lf.replace(b"\n\n", b"\n")  # samples follow each other without the blank line
    no_final_newline = lf.rstrip(b"\n")
    for data in (lf, no_blank, no_final_newline):
        got = items("가.txt", data)
        assert [n for n, _ in got] == [n for n, _ in ref]
        assert all(np.array_equal(a, b) for (_, a), (_, b) in zip(got, ref))


# -- bad input: exact messages with file and line --------------------------------------------------
def lines_of(data: bytes) -> list[bytes]:
    return data.replace(b"\r\n", b"\n").split(b"\n")


def test_row_longer_than_header(phd08_head):
    ls = lines_of(phd08_head)
    ls[4] = ls[4] + b"0"  # line 5 = row 3 of the first sample (22 x 29)
    got = items("가.txt", b"\n".join(ls))
    assert str(got[0]) == "가.txt:5: sample S_0_0_0_0_1: row 3 has 30 characters, header says 29"
    assert len([g for g in got if isinstance(g, tuple)]) == 11  # the other samples are still read


def test_fewer_rows_than_header(phd08_head):
    ls = lines_of(phd08_head)
    del ls[10]  # the first sample loses a row: the blank line comes one row early
    got = items("가.txt", b"\n".join(ls))
    assert str(got[0]) == "가.txt:24: sample S_0_0_0_0_1: has 21 rows, header says 22"
    assert sum(isinstance(g, tuple) for g in got) == 11


def test_more_rows_than_header(phd08_head):
    ls = lines_of(phd08_head)
    ls.insert(10, ls[10])
    assert errors("가.txt", b"\n".join(ls)) == ["가.txt:25: sample S_0_0_0_0_1: more rows than the 22 its header says"]


def test_character_other_than_0_or_1(phd08_head):
    ls = lines_of(phd08_head)
    ls[6] = ls[6][:7] + b"2" + ls[6][8:]
    assert errors("가.txt", b"\n".join(ls)) == [
        "가.txt:7: sample S_0_0_0_0_1: character '2' at column 8; only 0 and 1 are allowed"
    ]


def test_bad_header_lines(phd08_head):
    ls = lines_of(phd08_head)
    ls[1] = b"22 x"
    assert errors("가.txt", b"\n".join(ls)) == ["가.txt:2: sample S_0_0_0_0_1: expected 'rows columns', got '22 x'"]
    ls = lines_of(phd08_head)
    ls[0] = b"S-0-0-0-0-1"
    assert errors("가.txt", b"\n".join(ls)) == ["가.txt:1: expected a sample name like S_0_0_0_0_1, got 'S-0-0-0-0-1'"]


def test_truncated_last_sample(phd08_head):
    # cut inside the last sample's 22nd row (sample S_0_0_1_0_2, 37 columns)
    data = phd08_head[: phd08_head.rindex(b"\r\n\r\n") - 200]
    got = items("가.txt", data)
    assert sum(isinstance(g, tuple) for g in got) == 11
    assert str(got[-1]) == "가.txt:308: sample S_0_0_1_0_2: truncated, file ends inside row 22 (32 of 37 characters)"
    # cut at a row boundary: fewer rows than the header says
    data = phd08_head[: phd08_head.rindex(b"\r\n\r\n") - 200]
    data = data[: data.rindex(b"\r\n") + 2]
    assert str(items("가.txt", data)[-1]) == "가.txt:307: sample S_0_0_1_0_2: truncated, file ends after 21 of 27 rows"


def test_empty_file_and_no_samples(tmp_path):
    empty = tmp_path / "가.txt"
    empty.write_bytes(b"\r\n  \n")
    with pytest.raises(DataFormatError, match=r"가\.txt:1: empty file: no PHD08 samples in it"):
        items(empty)
    junk = tmp_path / "나.txt"
    junk.write_bytes(b"hello\n")
    with pytest.raises(DataFormatError, match=r"나\.txt:1: no PHD08 samples found"):
        list(read_phd08(junk))


def test_file_name_must_be_one_syllable():
    assert label_from_filename("x/가.txt") == "가"
    for bad in ("ga.txt", "가나.txt", "ㄱ.txt"):
        with pytest.raises(DataFormatError, match=f"{bad}: file name must be one Hangul syllable"):
            label_from_filename(bad)


# -- converter ----------------------------------------------------------------------------------
def test_convert_both_files_to_4374_samples_in_2_classes(phd08_dir, tmp_path):
    report = convert_phd08([phd08_dir], tmp_path / "s", progress=False, workers=2)
    assert report.ok and report.written == 4374
    store = load_store(tmp_path / "s")
    # labels count in the whole KS X 1001 space, whatever syllables the files hold
    assert store.label_space.name == "hangul-ksx1001" and store.classes == list(hangul_syllables())
    assert (tmp_path / "s" / "classes.txt").read_text("utf-8").splitlines() == list(hangul_syllables())
    images, labels = store.images[:], store.labels
    assert images.shape == (4374, 60, 60) and images.dtype == np.uint8
    assert sorted(Counter(labels).items()) == [(0, 2187), (hangul_syllables().index("나"), 2187)]
    # ink is bright, cropped and centered: every image touches the 48-px box (60 * (1 - 2 * 0.1))
    assert images.max() == 255 and images[:, 0, :].max() == 0 and images[:, :, 0].max() == 0


def test_strict_run_keeps_finished_files_and_rerun_continues(phd08_dir, tmp_path, capsys):
    src = tmp_path / "in"
    src.mkdir()
    shutil.copy(phd08_dir / "가.txt", src / "가.txt")
    bad = (phd08_dir / "나.txt").read_bytes().replace(b"\n0", b"\n2", 1)  # 나.txt is LF; line 3 starts with "2"
    (src / "나.txt").write_bytes(bad)
    out = tmp_path / "s"
    rc = handpad_main(["convert", "phd08", str(src), "--out", str(out), "--strict", "--no-progress", "--workers", "1", "--files-per-shard", "1"])
    assert rc == 1
    assert "나.txt:3: sample S_0_0_0_0_1: character '2' at column 1; only 0 and 1 are allowed" in capsys.readouterr().err
    store = load_store(out)
    assert len(store) == 2187 and store.manifest["inputs_done"] == ["가.txt"]
    # default mode: the bad sample is skipped and counted, exit 1, the rest of 나 is converted
    rc = handpad_main(["convert", "phd08", str(src), "--out", str(out), "--no-progress"])
    text = capsys.readouterr().out
    assert rc == 1 and "wrote 2186 samples from 1 input(s); 1 already converted, skipped" in text
    assert "skipped 1 bad sample(s):" in text and "나.txt:3: sample S_0_0_0_0_1" in text
    assert len(load_store(out)) == 2187 + 2186


def test_one_file_then_both_skips_the_first(phd08_dir, tmp_path):
    out = tmp_path / "s"
    r1 = convert_phd08([phd08_dir / "가.txt"], out, Phd08Options(Phd08Selection.preset("original")), progress=False)
    assert r1.written == 81 and set(load_store(out).label_names()) == {"가"}
    r2 = convert_phd08([phd08_dir], out, Phd08Options(Phd08Selection.preset("original")), progress=False)
    assert (r2.written, r2.inputs_skipped) == (81, 1)
    assert Counter(load_store(out).label_names()) == {"가": 81, "나": 81}


def test_bad_file_name_is_reported_and_others_converted(phd08_dir, tmp_path, capsys):
    src = tmp_path / "in"
    src.mkdir()
    shutil.copy(phd08_dir / "가.txt", src / "가.txt")
    shutil.copy(phd08_dir / "나.txt", src / "na.txt")
    rc = handpad_main(["convert", "phd08", str(src), "--preset", "original", "--out", str(tmp_path / "s"), "--no-progress"])
    out = capsys.readouterr().out
    assert rc == 1
    assert f"{src / 'na.txt'}: file name must be one Hangul syllable (e.g. 가.txt), got 'na'" in out
    store = load_store(tmp_path / "s")
    assert len(store) == 81 and set(store.label_names()) == {"가"}


def test_cli_selection_binarize_and_size_flags(phd08_dir, tmp_path):
    out = tmp_path / "s"
    rc = handpad_main(["convert", "phd08", str(phd08_dir / "가.txt"), "--fonts", "S,G", "--rotations", "1", "--noises", "0",
                       "--binarize", "0.5", "--width", "32", "--height", "32", "--out", str(out), "--no-progress"])
    assert rc == 0
    store = load_store(out)
    assert store.images[:].shape == (2 * 3 * 1 * 3 * 3 * 1, 32, 32)
    assert set(np.unique(store.images[:]).tolist()) == {0, 255}
    assert json.loads((out / "manifest.json").read_text())["options"]["binarize"] == 0.5
    assert handpad_main(["convert", "phd08", str(phd08_dir), "--width", "60", "--height", "40", "--out", str(out)]) == 1


def test_help_explains_itself(capsys):
    with pytest.raises(SystemExit):
        handpad_main(["convert", "phd08", "--help"])
    text = capsys.readouterr().out
    assert "--preset" in text and "--rotations" in text and "Examples:" in text


def test_phd08_to_npy_original_flags(phd08_dir, tmp_path):
    out = tmp_path / "npy"
    proc = subprocess.run(
        [sys.executable, str(REPO / "phd08_to_npy.py"), "--data_dir", str(phd08_dir), "--width", "60", "--height", "60",
         "--batch_size", "1", "--one_hot", "--gaussian_sigma", "0.5", "--out", str(out), "--no-progress"],
        capture_output=True, text=True, timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert "wrote 4374 samples from 2 input(s)" in proc.stdout
    store = load_store(out)
    assert len(store) == 4374 and Counter(store.label_names()) == {"가": 2187, "나": 2187}
    onehot = np.load(out / "labels_onehot-00001.npy")
    assert onehot.shape == (2187, 2350) and (onehot.argmax(1) == np.load(out / "labels-00001.npy")).all()
    assert sorted(os.listdir(out)) == sorted(["classes.txt", "manifest.json"] + [f"{k}-0000{i}.npy" for k in ("images", "labels", "labels_onehot") for i in (0, 1)])


def test_phd08_options_are_checked_in_the_library_with_the_flags_messages(phd08_dir, tmp_path):
    for kwargs, message in ((dict(binarize=1.5), "--binarize must be in [0, 1), not 1.5"),
                            (dict(gaussian_sigma=-1), "--gaussian-sigma must be >= 0, not -1"),
                            (dict(config=PreprocessConfig(size=2000)), "--size must be between 8 and 1024, not 2000")):
        with pytest.raises(HandpadError) as e:
            Phd08Options(**kwargs)
        assert str(e.value) == message
    with pytest.raises(HandpadError, match=r"^unknown PHD08 font\(s\) X; fonts are S,G,"):
        Phd08Selection(fonts=("S", "X"))
    with pytest.raises(HandpadError, match=r"^--regex '\[' is not a valid regular expression"):
        Phd08Selection(regex="[")
    with pytest.raises(HandpadError, match="^--files-per-shard must be at least 1, not 0$"):
        convert_phd08([phd08_dir], tmp_path / "s", files_per_shard=0)


@pytest.mark.parametrize("source", ["phd08", "hgu1", "images"])
def test_a_missing_input_is_named(source, tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert handpad_main(["convert", source, "NO_SUCH_FOLDER", "--out", "s", "--no-progress"]) == 1
    assert capsys.readouterr().err.strip() == "handpad convert: error: NO_SUCH_FOLDER: no such file or folder"
    assert not (tmp_path / "s").exists()
