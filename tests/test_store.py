"""The dataset store: round trip, memory-mapped reads, atomic writes, inconsistencies."""
from __future__ import annotations

import os

import numpy as np
import pytest

from handpad.errors import StoreError
from handpad.store import StoreWriter, atomic_save_npy, load_store


def images(n, seed=0):
    return np.random.default_rng(seed).integers(0, 256, (n, 60, 60), dtype=np.uint8)


def test_round_trip_and_memory_mapped(tmp_path):
    w = StoreWriter(tmp_path / "s", ["가", "나", "다"], source="test", shard_size=7)
    a, b = images(10, 1), images(5, 2)
    w.add(a, [0] * 10)
    w.commit("one")
    w.add(b, [2, 1, 2, 1, 2])
    store = w.close()
    assert len(store) == 15 and store.classes == ["가", "나", "다"]
    assert np.array_equal(store.images[:], np.concatenate([a, b]))
    assert np.array_equal(store.images[[14, 0, 8]], np.stack([b[4], a[0], a[8]]))
    assert store.labels.tolist() == [0] * 10 + [2, 1, 2, 1, 2]
    assert all(isinstance(arr, np.memmap) for arr in store.images._arrays)
    assert store.manifest["class_counts"] == {"가": 10, "나": 2, "다": 3}
    w2 = StoreWriter(tmp_path / "s", ["가", "나", "다"], source="test")
    assert w2.is_done("one") and not w2.is_done("two")


def test_interrupted_write_leaves_no_finished_looking_file(tmp_path, monkeypatch):
    target = tmp_path / "images-00000.npy"

    def boom(*a, **k):
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "replace", boom)
    with pytest.raises(KeyboardInterrupt):
        atomic_save_npy(target, images(3))
    assert os.listdir(tmp_path) == []  # neither the target nor a temporary file


def test_uncommitted_shards_are_removed_on_rerun(tmp_path):
    w = StoreWriter(tmp_path / "s", ["0", "1"], source="test", shard_size=4)
    w.add(images(4), [0, 1, 0, 1])  # flushed to a shard, never committed: an interrupted input
    assert (tmp_path / "s" / "images-00000.npy").exists()
    w2 = StoreWriter(tmp_path / "s", ["0", "1"], source="test")
    assert not (tmp_path / "s" / "images-00000.npy").exists() and len(w2.close()) == 0


def test_inconsistent_and_empty_stores(tmp_path):
    w = StoreWriter(tmp_path / "s", ["0", "1", "2"], source="test")
    w.add(images(3), [0, 1, 2])
    w.close()
    with pytest.raises(StoreError, match="other classes"):
        StoreWriter(tmp_path / "s", ["0", "1"], source="test")
    (tmp_path / "s" / "classes.txt").write_text("0\n1\n", "utf-8")
    with pytest.raises(StoreError, match="lists 2 classes but the manifest says 3"):
        load_store(tmp_path / "s")
    StoreWriter(tmp_path / "e", ["0"], source="test").close()
    with pytest.raises(StoreError, match="the store is empty"):
        load_store(tmp_path / "e")
    with pytest.raises(StoreError, match="no such store"):
        load_store(tmp_path / "missing")
