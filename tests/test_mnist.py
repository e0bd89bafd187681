"""MNIST: the IDX reader on the shared 10k set, its errors, mnist.npz, and the converter."""
from __future__ import annotations

import gzip
import shutil

import numpy as np
import pytest

from handpad.cli import main as handpad_main
from handpad.convert import ConvertOptions, convert_mnist
from handpad.errors import DataFormatError, HandpadError
from handpad.sources.mnist import IMAGES_MAGIC, LABELS_MAGIC, read_idx, read_mnist
from handpad.store import load_store

COUNTS = [1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978]


@pytest.fixture(scope="module")
def mnist(SHARED_DATA):
    return read_mnist(SHARED_DATA / "mnist-10k", "train")


def test_reads_the_shared_idx_files(mnist):
    images, labels = mnist
    assert images.shape == (10000, 28, 28) and images.dtype == np.uint8
    assert np.bincount(labels, minlength=10).tolist() == COUNTS
    assert images.max() == 255 and images[:, 0, :].max() == 0  # bright ink, dark border


def test_npz_gives_the_same_arrays(mnist, tmp_path):
    images, labels = mnist
    np.savez(tmp_path / "mnist.npz", x_train=images[:50], y_train=labels[:50], x_test=images[50:60], y_test=labels[50:60])
    x, y = read_mnist(tmp_path / "mnist.npz", "test")
    assert np.array_equal(x, images[50:60]) and np.array_equal(y, labels[50:60])


def test_wrong_magic_names_file_and_offset(SHARED_DATA, tmp_path):
    raw = gzip.decompress((SHARED_DATA / "mnist-10k" / "train-labels-idx1-ubyte.gz").read_bytes())
    path = tmp_path / "train-images-idx3-ubyte"
    path.write_bytes(raw)  # a labels file where images are expected
    with pytest.raises(DataFormatError) as e:
        read_idx(path, IMAGES_MAGIC)
    assert str(e.value) == f"{path} (byte 0): wrong magic number 2049 (0x00000801), expected 2051 for IDX images"


def test_truncated_data(SHARED_DATA, tmp_path):
    raw = gzip.decompress((SHARED_DATA / "mnist-10k" / "train-images-idx3-ubyte.gz").read_bytes())
    path = tmp_path / "train-images-idx3-ubyte.gz"
    path.write_bytes(gzip.compress(raw[:-100], compresslevel=1))
    with pytest.raises(DataFormatError) as e:
        read_idx(path, IMAGES_MAGIC)
    assert str(e.value) == (
        f"{path} (byte {len(raw) - 100}): truncated data: the header announces 7840000 bytes (10000 x 28 x 28), "
        "the file ends after 7839900 (offsets count gunzipped bytes)"
    )
    path.write_bytes(gzip.compress(raw, compresslevel=1)[:-20])  # a cut gzip stream
    with pytest.raises(DataFormatError, match="not a valid gzip file"):
        read_idx(path, IMAGES_MAGIC)


def test_count_mismatch(SHARED_DATA, tmp_path):
    shutil.copy(SHARED_DATA / "mnist-10k" / "train-images-idx3-ubyte.gz", tmp_path)
    labels = np.zeros(9999, np.uint8)
    header = LABELS_MAGIC.to_bytes(4, "big") + (9999).to_bytes(4, "big")
    (tmp_path / "train-labels-idx1-ubyte").write_bytes(header + labels.tobytes())
    with pytest.raises(DataFormatError) as e:
        read_mnist(tmp_path)
    assert str(e.value) == f"{tmp_path / 'train-labels-idx1-ubyte'} (byte 4): 9999 labels but train-images-idx3-ubyte.gz holds 10000 images"


def test_convert_writes_10000_samples_centered(SHARED_DATA, tmp_path, capsys):
    out = tmp_path / "m"
    assert handpad_main(["convert", "mnist", str(SHARED_DATA / "mnist-10k"), "--out", str(out), "--no-progress"]) == 0
    assert "wrote 10000 samples from 1 input(s)" in capsys.readouterr().out
    store = load_store(out)
    images = store.images[:]
    assert images.shape == (10000, 60, 60) and store.classes == list("0123456789")
    assert np.bincount(store.labels, minlength=10).tolist() == COUNTS
    # centered by mass: the mean image's center of mass is the middle of the 60 x 60 square
    mean = images.astype(np.float64).mean(0)
    ys, xs = np.mgrid[:60, :60]
    assert abs((mean * ys).sum() / mean.sum() - 29.5) < 0.5 and abs((mean * xs).sum() / mean.sum() - 29.5) < 0.5
    # a re-run has nothing left to do
    assert handpad_main(["convert", "mnist", str(SHARED_DATA / "mnist-10k"), "--out", str(out), "--no-progress"]) == 0
    assert "1 already converted, skipped" in capsys.readouterr().out


def test_cli_errors(tmp_path, capsys):
    assert handpad_main(["convert", "mnist", "--out", str(tmp_path / "m")]) == 1
    assert "give either PATH" in capsys.readouterr().err
    assert handpad_main(["convert", "mnist", str(tmp_path), "--out", str(tmp_path / "m")]) == 1
    assert f"{tmp_path}: no train-images-idx3-ubyte[.gz] in this folder" in capsys.readouterr().err


@pytest.mark.parametrize("failure", [
    "urlerror",
    "keras",  # keras' get_file wraps URLError in a bare Exception("URL fetch failure on ...")
])
def test_download_without_network_is_a_clear_error(monkeypatch, tmp_path, capsys, failure):
    import urllib.error

    import keras.datasets.mnist

    def offline(*args, **kwargs):
        if failure == "urlerror":
            raise urllib.error.URLError("[Errno -3] Temporary failure in name resolution")
        raise Exception("URL fetch failure on https://storage.googleapis.com/mnist.npz: None -- [Errno -3] "
                        "Temporary failure in name resolution")

    monkeypatch.setattr(keras.datasets.mnist, "load_data", offline)
    assert handpad_main(["convert", "mnist", "--download", "--out", str(tmp_path / "m")]) == 1
    err = capsys.readouterr().err
    assert "could not download MNIST through keras.datasets.mnist (" in err and "name resolution" in err
    assert "you seem to be offline: pass a folder of IDX files" in err and "mnist.npz instead" in err
    assert "Traceback" not in err


def test_the_library_checks_options_with_the_cli_messages(SHARED_DATA, tmp_path, capsys):
    size = "--size must be between 8 and 1024, not 4"
    with pytest.raises(HandpadError) as e:
        convert_mnist(SHARED_DATA / "mnist-10k", tmp_path / "m", size=4, progress=False)
    assert str(e.value) == size and not (tmp_path / "m").exists()  # checked before anything is written
    assert handpad_main(["convert", "mnist", str(SHARED_DATA / "mnist-10k"), "--size", "4", "--out", str(tmp_path / "m")]) == 1
    assert capsys.readouterr().err.strip() == f"handpad convert: error: {size}"
    with pytest.raises(HandpadError, match="^--workers must be at least 1, not 0$"):
        ConvertOptions(workers=0)
