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
    w = StoreWriter(tmp_path / "s", "hangul", source="test", shard_size=7)
    a, b = images(10, 1), images(5, 2)
    w.add(a, [0] * 10)
    w.commit("one")
    w.add(b, [2, 1, 2, 1, 2])
    store = w.close()
    assert len(store) == 15 and store.label_space.name == "hangul-ksx1001" and store.classes[:3] == ["가", "각", "간"]
    assert np.array_equal(store.images[:], np.concatenate([a, b]))
    assert np.array_equal(store.images[[14, 0, 8]], np.stack([b[4], a[0], a[8]]))
    assert store.labels.tolist() == [0] * 10 + [2, 1, 2, 1, 2]
    assert all(isinstance(arr, np.memmap) for arr in store.images.shards)
    assert store.manifest["class_counts"] == {"가": 10, "각": 2, "간": 3}
    assert store.manifest["label_space"] == "hangul-ksx1001"
    assert (tmp_path / "s" / "classes.txt").read_text("utf-8").splitlines() == list(store.label_space.labels)
    w2 = StoreWriter(tmp_path / "s", "hangul-ksx1001", source="test")
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
    w = StoreWriter(tmp_path / "s", "digits", source="test", shard_size=4)
    w.add(images(4), [0, 1, 0, 1])  # flushed to a shard, never committed: an interrupted input
    assert (tmp_path / "s" / "images-00000.npy").exists()
    w2 = StoreWriter(tmp_path / "s", "digits", source="test")
    assert not (tmp_path / "s" / "images-00000.npy").exists() and len(w2.close()) == 0


def test_inconsistent_and_empty_stores(tmp_path):
    w = StoreWriter(tmp_path / "s", "digits", source="test")
    w.add(images(3), [0, 1, 2])
    with pytest.raises(ValueError, match=r"labels must be in \[0, 10\), got 3..10"):
        w.add(images(2), [3, 10])
    w.close()
    with pytest.raises(StoreError, match="another label space \\(digits, not hangul-ksx1001\\)"):
        StoreWriter(tmp_path / "s", "hangul", source="test")
    (tmp_path / "s" / "classes.txt").write_text("0\n1\n", "utf-8")
    with pytest.raises(StoreError, match="lists 2 classes but the manifest says 10"):
        load_store(tmp_path / "s")
    StoreWriter(tmp_path / "e", "digits", source="test").close()
    with pytest.raises(StoreError, match="the store is empty"):
        load_store(tmp_path / "e")
    with pytest.raises(StoreError, match="no such store"):
        load_store(tmp_path / "missing")


def test_version_1_stores_are_read_in_their_label_space(tmp_path):
    """A store written before label spaces listed only the classes it held (here 나, 가 in its own
    order); it is read with its labels mapped onto the smallest space holding them, and not added to."""
    import json

    from handpad.labels import label_space

    old = tmp_path / "old"
    old.mkdir()
    imgs = images(4)
    np.save(old / "images-00000.npy", imgs)
    np.save(old / "labels-00000.npy", np.array([0, 1, 1, 0], np.int32))
    (old / "classes.txt").write_text("나\n가\n", "utf-8")
    (old / "manifest.json").write_text(json.dumps({
        "format": "handpad-store", "version": 1, "source": "phd08", "options": {}, "image_size": 60,
        "num_classes": 2, "count": 4, "class_counts": {"나": 2, "가": 2}, "shards": [{"index": 0, "count": 4}],
        "inputs_done": ["나.txt", "가.txt"], "complete": True}), "utf-8")
    store = load_store(old)
    hangul = label_space("hangul-ksx1001")
    assert store.label_space is hangul
    assert store.labels.tolist() == [hangul.index("나"), 0, 0, hangul.index("나")]
    assert store.label_names() == ["나", "가", "가", "나"]
    assert np.array_equal(store.images[:], imgs)
    with pytest.raises(StoreError, match="format version 1"):
        StoreWriter(old, "hangul", source="test")
    (old / "classes.txt").write_text("나\nabc\n", "utf-8")
    with pytest.raises(StoreError, match="'abc' are in no label space"):
        load_store(old)


def test_stores_of_one_space_stack_without_remapping(tmp_path):
    from handpad.data import stack_stores
    from handpad.labels import label_space

    a = StoreWriter(tmp_path / "a", "digits", source="test")
    a.add(images(2, 1), [3, 7])
    b = StoreWriter(tmp_path / "b", "digits", source="test")
    b.add(images(1, 2), [7])
    imgs, labels = stack_stores([a.close(), b.close()], label_space("digits"), 60)
    assert labels.tolist() == [3, 7, 7] and np.array_equal(imgs[2], images(1, 2)[0])
    h = StoreWriter(tmp_path / "h", "hangul", source="test")
    h.add(images(1), [5])
    with pytest.raises(StoreError, match="labels in the space 'hangul-ksx1001', the model uses 'digits'"):
        stack_stores([load_store(tmp_path / "a"), h.close()], label_space("digits"), 60)
