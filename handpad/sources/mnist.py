"""MNIST reader: the IDX files (raw or gzipped), keras' ``mnist.npz``, or a keras download.

IDX (http://yann.lecun.com/exdb/mnist/): a big-endian header -- magic number (2051 for
images, 2049 for labels: two zero bytes, a type byte 0x08 = uint8, a byte with the number
of dimensions), one uint32 per dimension -- then the uint8 data, row-major. MNIST digits are
bright ink (255) on a dark background (0), 28 x 28.
"""
from __future__ import annotations

import gzip
import zlib
from pathlib import Path
from typing import Iterator

import numpy as np

from ..errors import DataFormatError
from ..labels import label_space
from ..preprocess import DIGITS_CONFIG, PreprocessConfig
from . import Input, Reader, read_input

IMAGES_MAGIC = 2051  # uint8, 3 dimensions (count, rows, cols)
LABELS_MAGIC = 2049  # uint8, 1 dimension (count)
SPLITS = {"train": "train", "test": "t10k"}  # file-name prefix of each split
CHUNK = 10000  # samples per input (per commit): a re-run continues at the first unfinished chunk


def read_idx(path, expect_magic: int) -> np.ndarray:
    """Read one IDX file (``.gz`` is gunzipped) into a uint8 array; errors name the byte offset."""
    path = Path(path)
    raw = read_input(path)
    where = ""
    if path.suffix == ".gz":
        try:
            raw = gzip.decompress(raw)
        except (OSError, EOFError, zlib.error) as e:
            raise DataFormatError(path, f"not a valid gzip file ({e})") from None
        where = " (offsets count gunzipped bytes)"
    kind = "images" if expect_magic == IMAGES_MAGIC else "labels"
    if len(raw) < 4:
        raise DataFormatError(path, f"truncated IDX header: {len(raw)} of 4 magic bytes{where}", offset=len(raw))
    magic = int.from_bytes(raw[:4], "big")
    if magic != expect_magic:
        raise DataFormatError(
            path, f"wrong magic number {magic} (0x{magic:08X}), expected {expect_magic} for IDX {kind}{where}", offset=0
        )
    ndim = raw[3]
    header = 4 + 4 * ndim
    if len(raw) < header:
        raise DataFormatError(path, f"truncated IDX header: {len(raw)} of {header} bytes{where}", offset=len(raw))
    dims = [int(d) for d in np.frombuffer(raw, ">u4", ndim, 4)]
    if kind == "images" and (dims[1] == 0 or dims[2] == 0):
        raise DataFormatError(path, f"images of {dims[1]} x {dims[2]} pixels{where}", offset=8)
    need = int(np.prod(dims, dtype=np.int64))
    have = len(raw) - header
    if have < need:
        raise DataFormatError(
            path, f"truncated data: the header announces {need} bytes ({' x '.join(map(str, dims))}), "
            f"the file ends after {have}{where}", offset=len(raw),
        )
    if have > need:
        raise DataFormatError(path, f"{have - need} unexpected bytes after the data{where}", offset=header + need)
    return np.frombuffer(raw, np.uint8, need, header).reshape(dims)


def find_idx_pair(folder, split: str = "train") -> tuple[Path, Path]:
    """The images and labels IDX files of ``split`` in ``folder`` (raw or ``.gz``)."""
    folder = Path(folder)
    prefix = SPLITS[split]
    found = []
    for kind, ndim in (("images", 3), ("labels", 1)):
        names = [f"{prefix}-{kind}-idx{ndim}-ubyte", f"{prefix}-{kind}.idx{ndim}-ubyte"]
        hits = [folder / (n + gz) for n in names for gz in ("", ".gz") if (folder / (n + gz)).is_file()]
        if not hits:
            raise DataFormatError(folder, f"no {prefix}-{kind}-idx{ndim}-ubyte[.gz] in this folder (MNIST {split} split)")
        found.append(hits[0])
    return found[0], found[1]


def read_mnist_idx(folder, split: str = "train") -> tuple[np.ndarray, np.ndarray]:
    """(images uint8 N x 28 x 28, labels uint8 N) from the IDX files of ``split`` in ``folder``."""
    images_path, labels_path = find_idx_pair(folder, split)
    images = read_idx(images_path, IMAGES_MAGIC)
    labels = read_idx(labels_path, LABELS_MAGIC)
    if len(images) != len(labels):
        raise DataFormatError(
            labels_path, f"{len(labels)} labels but {images_path.name} holds {len(images)} images", offset=4
        )
    return images, labels


def read_mnist_npz(path, split: str = "train") -> tuple[np.ndarray, np.ndarray]:
    """(images, labels) of ``split`` from keras' ``mnist.npz`` (x_train, y_train, x_test, y_test)."""
    path = Path(path)
    try:
        with np.load(path, allow_pickle=False) as z:
            images, labels = np.asarray(z[f"x_{split}"]), np.asarray(z[f"y_{split}"])
    except KeyError as e:
        raise DataFormatError(path, f"no array {e} in this .npz (keras mnist.npz has x_train, y_train, x_test, y_test)") from None
    except (OSError, ValueError) as e:
        raise DataFormatError(path, f"not a readable .npz file ({e})") from None
    if images.ndim != 3 or labels.ndim != 1 or len(images) != len(labels):
        raise DataFormatError(path, f"x_{split} {images.shape} and y_{split} {labels.shape} are not N images and N labels")
    return images, labels


def download_mnist(split: str = "train") -> tuple[np.ndarray, np.ndarray]:
    """Fetch MNIST through keras (needs internet once; keras caches it in ~/.keras/datasets).
    Network failures become a :class:`HandpadError` that says what to pass instead."""
    import socket
    import urllib.error

    from keras.datasets import mnist  # heavy import: only for users who ask for the download

    from ..errors import HandpadError

    try:
        (x_train, y_train), (x_test, y_test) = mnist.load_data()
    except Exception as e:  # keras' get_file re-raises URLError/HTTPError as a bare Exception
        reason = str(e) or type(e).__name__
        offline = isinstance(e, (urllib.error.URLError, OSError, socket.error)) or reason.startswith("URL fetch failure")
        raise HandpadError(
            f"could not download MNIST through keras.datasets.mnist ({reason}); "
            + ("you seem to be offline: " if offline else "")
            + "pass a folder of IDX files (train-images-idx3-ubyte[.gz], ...) or an mnist.npz instead"
        ) from None
    return (x_train, y_train) if split == "train" else (x_test, y_test)


def read_mnist(path=None, split: str = "train", download: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """Images and labels from a folder of IDX files, a ``.npz`` file, or (``download``) keras."""
    if split not in SPLITS:
        raise ValueError(f"split must be 'train' or 'test', not {split!r}")
    if download:
        return download_mnist(split)
    if path is None:
        raise DataFormatError(None, "give a folder with the IDX files, an mnist.npz, or --download")
    path = Path(path)
    if path.is_dir():
        return read_mnist_idx(path, split)
    if path.suffix == ".npz":
        return read_mnist_npz(path, split)
    if not path.exists():
        raise DataFormatError(path, "no such file or folder")
    raise DataFormatError(path, "expected a folder of IDX files or an mnist.npz file")


# -- the reader of handpad.convert ------------------------------------------------------------
class MnistReader(Reader):
    """One MNIST split; one input per CHUNK samples. Digits are centered by mass, as MNIST is."""

    name = "mnist"
    ink = "bright"
    unit = "img"
    no_ink = "nothing drawn (blank image)"

    def __init__(self, path=None, split: str = "train", download: bool = False, size: int = 60):
        self.images, self.labels = read_mnist(path, split, download)
        self.split = split
        self.input_name = "keras-download" if download else Path(path).name
        self.where = "keras mnist" if download else str(path)
        self.label_space = label_space("digits")  # label index = the digit
        self.config = PreprocessConfig(size=size, margin=DIGITS_CONFIG.margin, center_mass=DIGITS_CONFIG.center_mass)

    def manifest_options(self) -> dict:
        return {"input": self.input_name, "split": self.split} | super().manifest_options()

    def inputs(self) -> list[Input]:
        n = len(self.images)
        return [Input(f"{self.input_name}:{self.split}[{start}:{min(start + CHUNK, n)}]", start, min(CHUNK, n - start))
                for start in range(0, n, CHUNK)]

    def read(self, input: Input) -> Iterator:
        for i in range(input.ref, input.ref + input.count):
            label = int(self.labels[i])
            if label < 10:
                yield self.images[i], label, (self.where, f"sample {i}")
            else:
                yield DataFormatError(self.where, f"sample {i}: label {label} is not a digit 0-9")
