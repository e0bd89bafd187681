"""Shared fixtures: the real data next to the repository (../shared/data), and ``require``."""
from __future__ import annotations

import os
import struct
import zlib
from pathlib import Path

import pytest

SHARED_DATA_DIR = Path(__file__).resolve().parents[1].parent / "shared" / "data"


def require(condition: bool, what: str) -> None:
    """Skip the test when ``condition`` is false (``what`` says what is missing) -- except in CI
    (``CI=true``), where a missing requirement fails the test: CI must not pass by skipping."""
    if condition:
        return
    if os.environ.get("CI") == "true":
        pytest.fail(f"required but missing in CI: {what}", pytrace=False)
    pytest.skip(what)


@pytest.fixture(scope="session")
def bomb_png(tmp_path_factory) -> Path:
    """A decompression bomb: a ~50 KB PNG of 20000 x 20000 1-bit pixels (400 megapixels)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    width = height = 20_000
    rows = (b"\0" * (1 + width // 8)) * 1000  # per row: filter byte 0, then width/8 bytes of 1-bit pixels
    z = zlib.compressobj(9)
    idat = b"".join(z.compress(rows) for _ in range(height // 1000)) + z.flush()
    ihdr = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)  # bit depth 1, grayscale
    path = tmp_path_factory.mktemp("bomb") / "bomb.png"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b""))
    return path


@pytest.fixture(scope="session")
def SHARED_DATA() -> Path:
    if not SHARED_DATA_DIR.is_dir():
        pytest.fail(f"shared data not found at {SHARED_DATA_DIR} (clone the repo next to shared/)")
    return SHARED_DATA_DIR


@pytest.fixture(scope="session")
def phd08_dir(SHARED_DATA) -> Path:
    return SHARED_DATA / "phd08"


@pytest.fixture(scope="session")
def phd08_head(phd08_dir) -> bytes:
    """The first 12 samples of the real 가.txt (CRLF, as distributed), for fast tests."""
    data = (phd08_dir / "가.txt").read_bytes()
    cut = 0
    for _ in range(12):
        cut = data.index(b"\r\n\r\n", cut) + 4
    return data[:cut]


@pytest.fixture(scope="session")
def mnist_store(SHARED_DATA, tmp_path_factory) -> Path:
    """The shared 10k MNIST digits converted to a store (once per session)."""
    from handpad.convert import convert_mnist

    out = tmp_path_factory.mktemp("stores") / "mnist"
    report = convert_mnist(SHARED_DATA / "mnist-10k", out, progress=False)
    assert report.ok and report.written == 10_000
    return out


@pytest.fixture(scope="session")
def small_digits_store(mnist_store, tmp_path_factory) -> Path:
    """Four digit classes (0, 1, 4, 7), 150 samples each: enough for a tiny model to learn."""
    import numpy as np

    from handpad.preprocess import DIGITS_CONFIG
    from handpad.store import StoreWriter, load_store

    src = load_store(mnist_store)
    keep = [0, 1, 4, 7]
    idx = np.concatenate([np.flatnonzero(src.labels == d)[:150] for d in keep])
    out = tmp_path_factory.mktemp("stores") / "digits4"
    w = StoreWriter(out, "digits", source="test-subset", options={"preprocess": DIGITS_CONFIG.to_dict()})
    w.add(src.images[idx], src.labels[idx])  # label i is digit i in the digits label space
    w.commit("subset")
    w.close()
    return out


@pytest.fixture(scope="session")
def tiny_run(small_digits_store, tmp_path_factory):
    """A tiny CNN trained for a few epochs on the 4-class store: (result dict, run folder)."""
    from handpad.training import TrainConfig, train

    out = tmp_path_factory.mktemp("runs") / "tiny"
    cfg = TrainConfig(store=str(small_digits_store), out=str(out), arch="cnn",
                      arch_options={"width": 8, "dense": 32}, epochs=6, batch_size=32,
                      val_fraction=0.15, test_fraction=0.15, seed=0, verbose=0)
    return train(cfg), out
