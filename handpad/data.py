"""From dataset stores to model input: splits and ``tf.data`` pipelines.

Images stay memory-mapped in the store; each batch is gathered from disk (sorted reads)
as it is needed, so training never holds the corpus in RAM. Batches are the stored uint8
images as they are: the model's first layer scales them (``Rescaling``), so nothing here does.
"""
from __future__ import annotations

import math

import numpy as np

from .errors import StoreError
from .store import ShardedImages, Store


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
    try:
        train, rest = train_test_split(idx, test_size=held, stratify=labels, random_state=seed)
        if test_fraction <= 0:
            return np.sort(train), np.sort(rest), idx[:0]
        if val_fraction <= 0:
            return np.sort(train), idx[:0], np.sort(rest)
        val, test = train_test_split(rest, test_size=test_fraction / held, stratify=labels[rest], random_state=seed)
    except ValueError:  # scikit-learn's message lists every class: say what to change instead
        raise StoreError(f"{len(labels)} samples of {len(counts)} classes (the smallest has {counts.min()}) cannot be "
                         f"split by class into validation {val_fraction:g} and test {test_fraction:g}: each part "
                         "needs at least one sample of every class; use larger fractions, more samples, or "
                         "explicit --val-store/--test-store") from None
    return np.sort(train), np.sort(val), np.sort(test)


def labels_in(store: Store, label_space, image_size: int, target: str = "the model") -> np.ndarray:
    """The store's labels as class indices of ``label_space``: the same indices for a store of that
    space, mapped once by :func:`handpad.labels.space_map` for a store of a space inside it (the
    2350 KS X 1001 syllables inside all 11,172). A store of another space or image size is a
    StoreError naming it (``target`` names what it is for)."""
    from .labels import LabelError, space_map

    if store.image_size != image_size:
        raise StoreError(f"{store.path}: {store.image_size}px images, {target} takes {image_size}px")
    if store.label_space is label_space:
        return store.labels
    try:
        return space_map(store.label_space, label_space)[store.labels]
    except LabelError:
        raise StoreError(f"{store.path}: labels in the space {store.label_space.name!r}, "
                         f"{target} uses {label_space.name!r}") from None


def stack_stores(stores: list[Store], label_space, image_size: int, target: str = "the model"):
    """One (images, labels) view over several stores, labels as class indices of ``label_space``
    (see :func:`labels_in`)."""
    labels = [labels_in(s, label_space, image_size, target) for s in stores]
    images = ShardedImages.concat([s.images for s in stores])
    return images, (np.concatenate(labels) if labels else np.zeros(0, np.int32)).astype(np.int32)


def make_dataset(images, labels: np.ndarray, indices: np.ndarray, batch_size: int, shuffle: bool, seed: int = 0,
                 repeat: bool = False):
    """A ``tf.data.Dataset`` of (uint8 image batch, label batch) over ``indices``.

    ``images`` is anything indexable by an index array that gives uint8 (n, s, s) (a store's
    ``images``, or :func:`stack_stores`'). ``labels`` are class indices (n,), or target
    distributions (n, classes) for a distilled run. With ``repeat`` the pipeline runs forever
    (reshuffled each pass): use with steps_per_epoch.
    """
    import tensorflow as tf

    indices = np.asarray(indices, np.int64)
    labels = np.asarray(labels)
    size = int(images.shape[1])
    rng = np.random.default_rng(seed)
    soft = labels.ndim == 2
    label_spec = tf.TensorSpec([None, labels.shape[1]], tf.float32) if soft else tf.TensorSpec([None], tf.int32)

    def batches():
        while True:
            order = rng.permutation(indices) if shuffle else indices
            for start in range(0, len(order), batch_size):
                b = order[start : start + batch_size]
                yield images[b][..., None], labels[b].astype(np.float32 if soft else np.int32)
            if not repeat:
                return

    ds = tf.data.Dataset.from_generator(
        batches,
        output_signature=(
            tf.TensorSpec([None, size, size, 1], tf.uint8),
            label_spec,
        ),
    )
    if not repeat:  # Keras then knows where a pass ends (no "input ran out of data" at the end of one)
        ds = ds.apply(tf.data.experimental.assert_cardinality(steps_for(len(indices), batch_size)))
    return ds.prefetch(tf.data.AUTOTUNE)


def steps_for(n: int, batch_size: int) -> int:
    return max(1, math.ceil(n / batch_size))
