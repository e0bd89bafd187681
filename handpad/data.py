"""From a dataset store to model input: splits and ``tf.data`` pipelines.

Images stay memory-mapped in the store; each batch is gathered from disk (sorted reads)
as it is needed, so training never holds the corpus in RAM.
"""
from __future__ import annotations

import math

import numpy as np

from .errors import StoreError
from .store import Store


def stratified_split(labels: np.ndarray, val_fraction: float, test_fraction: float, seed: int):
    """Indices (train, val, test), stratified by label, reproducible with ``seed`` (scikit-learn)."""
    from sklearn.model_selection import train_test_split

    idx = np.arange(len(labels))
    labels = np.asarray(labels)
    held = val_fraction + test_fraction
    if held <= 0:
        return idx, idx[:0], idx[:0]
    _, counts = np.unique(labels, return_counts=True)
    if counts.min() < 3:
        raise StoreError("every class needs at least 3 samples for a stratified train/validation/test split; "
                         "add data or pass explicit --val-store/--test-store")
    train, rest = train_test_split(idx, test_size=held, stratify=labels, random_state=seed)
    if test_fraction <= 0:
        return np.sort(train), np.sort(rest), idx[:0]
    if val_fraction <= 0:
        return np.sort(train), idx[:0], np.sort(rest)
    val, test = train_test_split(rest, test_size=test_fraction / held, stratify=labels[rest], random_state=seed)
    return np.sort(train), np.sort(val), np.sort(test)


def gather(store: Store, indices: np.ndarray) -> np.ndarray:
    """Images at ``indices`` as float32 (n, s, s, 1) in [0, 1]."""
    return (store.images[indices].astype(np.float32) * (1.0 / 255.0))[..., None]


def stack_stores(stores: list[Store], classes, image_size: int, target: str = "the model"):
    """One (images, labels) view over several stores, every store's labels mapped onto ``classes``.

    Labels a store uses that ``classes`` lacks, and images of another size, are a StoreError
    naming the store (``target`` names ``classes`` in the message).
    """
    from .store import ShardedImages
    from .training import label_map

    arrays, labels = [], []
    for s in stores:
        if s.image_size != image_size:
            raise StoreError(f"{s.path}: {s.image_size}px images, {target} takes {image_size}px")
        arrays += s.images._arrays
        labels.append(label_map(s, list(classes), target)[s.labels].astype(np.int32))
    return ShardedImages(arrays), (np.concatenate(labels) if labels else np.zeros(0, np.int32))


def make_dataset(store, indices: np.ndarray, batch_size: int, shuffle: bool, seed: int = 0,
                 label_map: np.ndarray | None = None, repeat: bool = False, labels: np.ndarray | None = None):
    """A ``tf.data.Dataset`` of (image batch, label batch) over ``indices`` of the store.

    ``store`` is a Store, or any object with ``images`` (indexable) and ``image_size`` when
    ``labels`` are given (see :func:`stack_stores`).

    ``label_map`` maps store label indices to model output indices (when they differ).
    With ``repeat`` the pipeline runs forever (reshuffled each pass): use with steps_per_epoch.
    """
    import tensorflow as tf

    indices = np.asarray(indices, np.int64)
    if labels is None:
        labels = store.labels if label_map is None else label_map[store.labels]
    images = store.images if hasattr(store, "images") else store
    size = int(images.shape[1])
    rng = np.random.default_rng(seed)

    def batches():
        while True:
            order = rng.permutation(indices) if shuffle else indices
            for start in range(0, len(order), batch_size):
                b = order[start : start + batch_size]
                yield images[b][..., None], labels[b].astype(np.int32)
            if not repeat:
                return

    ds = tf.data.Dataset.from_generator(
        batches,
        output_signature=(
            tf.TensorSpec([None, size, size, 1], tf.uint8),
            tf.TensorSpec([None], tf.int32),
        ),
    )
    ds = ds.map(lambda x, y: (tf.cast(x, tf.float32) / 255.0, y), num_parallel_calls=tf.data.AUTOTUNE)
    return ds.prefetch(tf.data.AUTOTUNE)


def steps_for(n: int, batch_size: int) -> int:
    return max(1, math.ceil(n / batch_size))
