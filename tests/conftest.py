"""Shared fixtures: the real data next to the repository (../shared/data)."""
from __future__ import annotations

from pathlib import Path

import pytest

SHARED_DATA_DIR = Path(__file__).resolve().parents[1].parent / "shared" / "data"


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
    w = StoreWriter(out, [str(d) for d in keep], source="test-subset", options={"preprocess": DIGITS_CONFIG.to_dict()})
    w.add(src.images[idx], np.searchsorted(keep, src.labels[idx]))
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
