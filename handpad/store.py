"""The dataset store: one on-disk format for every source (MNIST, PHD08, HGU1, fonts, the pad).

A store is a folder::

    manifest.json          label space, source, options, counts, per-class counts, shard list, inputs done
    classes.txt            the label space's labels, UTF-8, one per line; label i is line i
    images-00000.npy       uint8 (n, 60, 60), ink bright (255) on dark (0)
    labels-00000.npy       int32 (n,), class indices in the label space (handpad.labels)
    ...

Every store counts in a whole label space (``digits``, ``hangul-ksx1001``, ...), also when it
holds only some of its classes, so label ``i`` is the same class in every store and model of
that space. Stores written before label spaces (format version 1) listed only the classes they
held; they are read as they are, and their labels are mapped onto the smallest space holding
those classes as they are read (in memory; the files are not touched). Adding to such a store
asks for a new folder or --overwrite.

Shards are written to a temporary name and renamed, and the manifest is rewritten
(atomically) only after a whole input is in shards, so an interrupted run never leaves a
store that looks finished with half an input in it; a re-run skips the inputs the
manifest lists as done and removes stray shards from the interrupted input.
Shards are read memory-mapped, so memory stays flat whatever the store's size.
"""
from __future__ import annotations

import json
import os
import re
import tempfile
from collections import Counter
from pathlib import Path
from typing import Iterable, Sequence

import numpy as np

from .errors import StoreError
from .labels import LabelSpace, label_space as resolve_space, space_for_labels

MANIFEST = "manifest.json"
CLASSES = "classes.txt"
FORMAT_VERSION = 2  # 2: labels count in a named label space (1: in the store's own class list)
_SHARD_RE = re.compile(r"^(images|labels|labels_onehot)-(\d{5})\.npy$")


def _atomic_write(path: Path, write) -> None:
    """Call ``write(file)`` on a temporary file in the same folder, then rename it to ``path``."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            write(f)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o644)  # mkstemp makes 0600; stores are shared data
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` via a temporary file in the same folder and a rename."""
    _atomic_write(path, lambda f: f.write(data))


def atomic_save_npy(path: Path, array: np.ndarray) -> None:
    _atomic_write(path, lambda f: np.save(f, array, allow_pickle=False))


class StoreWriter:
    """Append samples to a store; commit them per input so re-runs can skip finished inputs.

    >>> w = StoreWriter("data/phd08", "hangul-ksx1001", source="phd08", options={...})
    >>> if not w.is_done("가.txt"):
    ...     w.add(images_uint8, labels); w.commit("가.txt")
    >>> w.close()
    """

    def __init__(
        self,
        path,
        label_space: LabelSpace | str,
        source: str,
        options: dict | None = None,
        shard_size: int = 20000,
        image_size: int = 60,
        overwrite: bool = False,
        one_hot: bool = False,
    ):
        self.path = Path(path)
        self.one_hot = one_hot  # also write labels_onehot-*.npy (uint8 n x classes), as the original did
        self.label_space = resolve_space(label_space)
        self.classes = list(self.label_space.labels)
        self.shard_size = int(shard_size)
        self.image_size = int(image_size)
        self.path.mkdir(parents=True, exist_ok=True)
        manifest_path = self.path / MANIFEST
        if manifest_path.exists() and not overwrite:
            self.manifest = read_manifest(self.path)
            old_space = self.manifest.get("label_space")
            if old_space is None:
                raise StoreError(
                    f"{self.path} holds a store of format version 1 (its own class list); it can be read but "
                    "not added to: write into another folder, or use --overwrite to start it afresh"
                )
            if old_space != self.label_space.name:
                raise StoreError(
                    f"{self.path} already holds a store of another label space "
                    f"({old_space}, not {self.label_space.name}); use another folder or --overwrite"
                )
            if self.manifest["image_size"] != self.image_size:
                raise StoreError(
                    f"{self.path} holds {self.manifest['image_size']}px images, not {self.image_size}px; "
                    "use another folder or --overwrite"
                )
            self.manifest["options"] = options or self.manifest.get("options", {})
        else:
            if overwrite:
                for f in self.path.iterdir():
                    if f.name in (MANIFEST, CLASSES) or _SHARD_RE.match(f.name) or f.name.endswith(".tmp"):
                        f.unlink()
            self.manifest = {
                "format": "handpad-store",
                "version": FORMAT_VERSION,
                "label_space": self.label_space.name,
                "source": source,
                "options": options or {},
                "image_size": self.image_size,
                "num_classes": len(self.classes),
                "count": 0,
                "class_counts": {},
                "shards": [],
                "inputs_done": [],
                "complete": False,
            }
            atomic_write_bytes(self.path / CLASSES, ("\n".join(self.classes) + "\n").encode("utf-8"))
        self._done = set(self.manifest["inputs_done"])
        self._remove_strays()
        self._images: list[np.ndarray] = []
        self._labels: list[np.ndarray] = []
        self._buffered = 0
        self._pending_shards: list[dict] = []

    # -- writing -------------------------------------------------------------------------
    def is_done(self, input_key: str) -> bool:
        return input_key in self._done

    def add(self, images: np.ndarray, labels) -> None:
        images = np.asarray(images)
        labels = np.asarray(labels, dtype=np.int32).reshape(-1)
        s = self.image_size
        if images.dtype != np.uint8 or images.ndim != 3 or images.shape[1:] != (s, s):
            raise ValueError(f"images must be uint8 (n, {s}, {s}), got {images.dtype} {images.shape}")
        if len(images) != len(labels):
            raise ValueError(f"{len(images)} images but {len(labels)} labels")
        if len(labels) and (labels.min() < 0 or labels.max() >= len(self.classes)):
            raise ValueError(f"labels must be in [0, {len(self.classes)}), got {labels.min()}..{labels.max()}")
        if not len(images):
            return
        self._images.append(images)
        self._labels.append(labels)
        self._buffered += len(images)
        while self._buffered >= self.shard_size:
            self._flush(self.shard_size)

    def commit(self, input_key: str | Sequence[str] | None = None) -> None:
        """Write what is buffered and record ``input_key`` (one or several) as done, atomically."""
        while self._buffered:
            self._flush(min(self._buffered, self.shard_size))
        counts = Counter(self.manifest["class_counts"])
        for shard in self._pending_shards:
            self.manifest["shards"].append({"index": shard["index"], "count": shard["count"]})
            self.manifest["count"] += shard["count"]
            for k, v in shard["class_counts"].items():
                counts[k] += v
        self._pending_shards = []
        self.manifest["class_counts"] = {c: counts[c] for c in self.classes if counts.get(c)}
        keys = [input_key] if isinstance(input_key, str) else list(input_key or [])
        for key in keys:
            if key not in self._done:
                self._done.add(key)
                self.manifest["inputs_done"].append(key)
        self._write_manifest()

    def close(self, complete: bool = True) -> "Store":
        self.commit()
        self.manifest["complete"] = bool(complete)
        self._write_manifest()
        return Store(self.path)

    def discard_pending(self) -> None:
        """Drop samples of an input that failed (strict mode): its shards are removed."""
        for shard in self._pending_shards:
            for kind in ("images", "labels", "labels_onehot"):
                (self.path / f"{kind}-{shard['index']:05d}.npy").unlink(missing_ok=True)
        self._pending_shards = []
        self._images, self._labels, self._buffered = [], [], 0

    def _next_index(self) -> int:
        used = [s["index"] for s in self.manifest["shards"]] + [s["index"] for s in self._pending_shards]
        return max(used) + 1 if used else 0

    def _flush(self, n: int) -> None:
        images = np.concatenate(self._images) if len(self._images) > 1 else self._images[0]
        labels = np.concatenate(self._labels) if len(self._labels) > 1 else self._labels[0]
        head_i, rest_i = images[:n], images[n:]
        head_l, rest_l = labels[:n], labels[n:]
        index = self._next_index()
        atomic_save_npy(self.path / f"images-{index:05d}.npy", np.ascontiguousarray(head_i))
        atomic_save_npy(self.path / f"labels-{index:05d}.npy", np.ascontiguousarray(head_l))
        if self.one_hot:
            onehot = np.zeros((n, len(self.classes)), np.uint8)
            onehot[np.arange(n), head_l] = 1
            atomic_save_npy(self.path / f"labels_onehot-{index:05d}.npy", onehot)
        ids, cnt = np.unique(head_l, return_counts=True)
        self._pending_shards.append(
            {"index": index, "count": int(n), "class_counts": {self.classes[i]: int(c) for i, c in zip(ids, cnt)}}
        )
        self._images = [rest_i] if len(rest_i) else []
        self._labels = [rest_l] if len(rest_l) else []
        self._buffered = len(rest_i)

    def _write_manifest(self) -> None:
        data = json.dumps(self.manifest, ensure_ascii=False, indent=1).encode("utf-8")
        atomic_write_bytes(self.path / MANIFEST, data)

    def _remove_strays(self) -> None:
        known = {s["index"] for s in self.manifest["shards"]}
        for f in self.path.iterdir():
            m = _SHARD_RE.match(f.name)
            if (m and int(m.group(2)) not in known) or (f.name.startswith(".") and f.name.endswith(".tmp")):
                f.unlink(missing_ok=True)


# -- reading -------------------------------------------------------------------------------
def read_manifest(path) -> dict:
    path = Path(path)
    mpath = path / MANIFEST
    if not path.exists():
        raise StoreError(f"{path}: no such store (folder does not exist)")
    if not mpath.exists():
        raise StoreError(f"{path}: not a dataset store (no {MANIFEST}); convert data into it first, e.g. `handpad convert mnist`")
    try:
        manifest = json.loads(mpath.read_text("utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        raise StoreError(f"{mpath}: corrupt manifest ({e})") from None
    if not isinstance(manifest, dict) or manifest.get("format") != "handpad-store":
        raise StoreError(f"{mpath}: not a handpad store manifest")
    return manifest


def read_classes(path) -> list[str]:
    cpath = Path(path) / CLASSES
    if not cpath.exists():
        raise StoreError(f"{cpath}: missing class list")
    return cpath.read_text("utf-8").splitlines()


class ShardedImages:
    """Read-only, memory-mapped view over the image shards, indexable like one array."""

    def __init__(self, arrays: list[np.ndarray]):
        self._arrays = arrays
        self._offsets = np.cumsum([0] + [len(a) for a in arrays])
        first = arrays[0] if arrays else np.zeros((0, 60, 60), np.uint8)
        self.shape = (int(self._offsets[-1]),) + tuple(first.shape[1:])
        self.dtype = np.uint8

    @classmethod
    def concat(cls, views: Sequence["ShardedImages"]) -> "ShardedImages":
        """One view over several (e.g. the images of several stores, in order)."""
        return cls([a for v in views for a in v.shards])

    @property
    def shards(self) -> list[np.ndarray]:
        """The memory-mapped shard arrays, in order."""
        return list(self._arrays)

    def __len__(self) -> int:
        return self.shape[0]

    def __getitem__(self, idx):
        if isinstance(idx, (int, np.integer)):
            i = int(idx)
            if i < 0:
                i += len(self)
            if not 0 <= i < len(self):
                raise IndexError(idx)
            s = int(np.searchsorted(self._offsets, i, side="right") - 1)
            return np.asarray(self._arrays[s][i - self._offsets[s]])
        if isinstance(idx, slice):
            idx = np.arange(len(self))[idx]
        idx = np.asarray(idx)
        if idx.dtype == np.bool_:
            idx = np.flatnonzero(idx)
        idx = idx.astype(np.int64)
        if idx.size and (idx.min() < 0 or idx.max() >= len(self)):
            raise IndexError("index out of range")
        out = np.empty((len(idx),) + self.shape[1:], np.uint8)
        shard = np.searchsorted(self._offsets, idx, side="right") - 1
        for s in np.unique(shard):
            sel = np.flatnonzero(shard == s)
            local = idx[sel] - self._offsets[s]
            order = np.argsort(local)  # sorted reads are sequential on disk
            out[sel[order]] = self._arrays[s][local[order]]
        return out

    def __array__(self, dtype=None, copy=None):
        arr = self[np.arange(len(self))]
        return arr.astype(dtype) if dtype is not None else arr


class Store:
    """A dataset store opened for reading: ``images`` (memory-mapped), ``labels``, ``classes``."""

    def __init__(self, path):
        self.path = Path(path)
        self.manifest = read_manifest(self.path)
        own_classes = read_classes(self.path)
        n_classes = self.manifest.get("num_classes")
        if n_classes is not None and n_classes != len(own_classes):
            raise StoreError(
                f"{self.path}: {CLASSES} lists {len(own_classes)} classes but the manifest says {n_classes}; "
                "the store is inconsistent, re-convert it"
            )
        from .labels import LabelError

        try:
            if self.manifest.get("label_space"):
                self.label_space = resolve_space(self.manifest["label_space"])
            else:  # format version 1: the store's own class list, mapped onto a space as it is read
                self.label_space = space_for_labels(own_classes, str(self.path / CLASSES))
        except LabelError as e:
            raise StoreError(str(e)) from None
        self.classes = list(self.label_space.labels)
        # v1 stores: own index -> space index (identity for v2 stores, which are not remapped)
        to_space = None if self.manifest.get("label_space") else self.label_space.indices(own_classes)
        images, labels = [], []
        for shard in self.manifest["shards"]:
            i = shard["index"]
            ip, lp = self.path / f"images-{i:05d}.npy", self.path / f"labels-{i:05d}.npy"
            try:
                im = np.load(ip, mmap_mode="r", allow_pickle=False)
                lb = np.load(lp, allow_pickle=False)
            except (OSError, ValueError) as e:
                raise StoreError(f"{ip}: missing or corrupt shard ({e}); re-run the conversion to repair") from None
            if len(im) != shard["count"] or len(lb) != shard["count"]:
                raise StoreError(f"{ip}: shard holds {len(im)} images, manifest says {shard['count']}")
            images.append(im)
            labels.append(lb)
        self.images = ShardedImages(images)
        self.labels = np.concatenate(labels).astype(np.int32) if labels else np.zeros(0, np.int32)
        n_own = len(own_classes)
        if len(self.labels) and (self.labels.min() < 0 or self.labels.max() >= n_own):
            raise StoreError(
                f"{self.path}: labels go up to {self.labels.max()} but {CLASSES} has only "
                f"{n_own} classes; the classes file and labels disagree"
            )
        if to_space is not None:
            self.labels = to_space[self.labels]

    def __len__(self) -> int:
        return len(self.labels)

    def __repr__(self) -> str:
        return f"Store({str(self.path)!r}, n={len(self)}, label_space={self.label_space.name!r}, source={self.manifest.get('source')!r})"

    @property
    def image_size(self) -> int:
        return int(self.manifest["image_size"])

    def label_names(self, labels: Iterable[int] | None = None) -> list[str]:
        labels = self.labels if labels is None else labels
        return [self.classes[int(i)] for i in labels]


def load_store(path, require_samples: bool = True) -> Store:
    """Open a store for reading; an empty store is an error unless ``require_samples`` is False."""
    store = Store(path)
    if require_samples and len(store) == 0:
        raise StoreError(f"{store.path}: the store is empty (0 samples); convert or synthesize data into it first")
    return store
