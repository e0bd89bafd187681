"""Output heads: how the features become class probabilities, and how each head is trained.

``softmax``  one probability per class of the label space (``probs``).
``jamo``     for ``hangul-11172``: three softmaxes, over the 19 initial consonants, the 21 vowels
             and the 28 finals (none + 27), concatenated into one 68-wide output ``jamo``. Every
             (initial, vowel, final) is a syllable, so their product is a distribution over all
             11,172 syllables (see :func:`handpad.labels.jamo_indices`): the network learns 68
             outputs and ranks any syllable, also one it never saw whole in training.
``hybrid``   for ``hangul-11172``: a softmax over the 2350 KS X 1001 syllables (``probs``, as the
             softmax head of a 2350-class model, so its weights can start from one) beside the three
             jamo softmaxes, in one 2418-wide output ``hybrid``. The jamo product says how much
             probability goes to the 8,822 rarer syllables and ranks them; the syllable softmax
             shares the rest among the 2350 (:func:`handpad.model.syllables_from_hybrid`). Trained
             with the syllable cross-entropy (on samples of the 2350) plus the jamo cross-entropies.

Both heads compute in float32 under a mixed policy: bfloat16 cannot resolve many small probabilities.
"""
from __future__ import annotations

from functools import lru_cache

import keras
import numpy as np
from keras import layers, ops

HEADS = ("softmax", "jamo", "hybrid")
JAMO_SIZES = (19, 21, 28)
JAMO_WIDTH = sum(JAMO_SIZES)  # 68
SYLLABLES = 19 * 21 * 28  # 11172
COMMON = 2350  # the KS X 1001 syllables: the hybrid head's syllable softmax
HEAD_WIDTHS = {"jamo": JAMO_WIDTH, "hybrid": COMMON + JAMO_WIDTH}  # other heads: one output per class


@lru_cache(maxsize=None)
def common_index() -> np.ndarray:
    """(11172,) int32: each modern syllable's index among the 2350 KS X 1001 syllables, -1 if it is
    not one. KS X 1001 lists its syllables in Unicode order, so the rank among the encodable ones is
    the index (the same as handpad.labels.space_map, which a test checks)."""
    out = np.full(SYLLABLES, -1, np.int32)
    k = 0
    for i in range(SYLLABLES):
        # Python's euc-kr codec also spells the other syllables as 8-byte jamo sequences; the 2350 take 2 bytes.
        if len(chr(0xAC00 + i).encode("euc-kr")) != 2:
            continue
        out[i] = k
        k += 1
    if k != COMMON:
        raise AssertionError(f"euc-kr codec gave {k} syllables, expected {COMMON}")
    out.flags.writeable = False
    return out


def classifier_head(x, num_classes: int, head: str = "softmax"):
    if head == "softmax":
        return layers.Dense(num_classes, activation="softmax", dtype="float32", name="probs")(x)
    if head in ("jamo", "hybrid"):
        if num_classes != SYLLABLES:
            raise ValueError(f"the {head} head ranks the {SYLLABLES} modern syllables (label space hangul-11172), "
                             f"not {num_classes} classes")
        parts = [layers.Dense(n, activation="softmax", dtype="float32", name=name)(x)
                 for name, n in zip(("initial", "vowel", "final"), JAMO_SIZES)]
        if head == "hybrid":  # named as a 2350-class model's head, so --init-from can copy it
            parts.insert(0, layers.Dense(COMMON, activation="softmax", dtype="float32", name="probs")(x))
        return layers.Concatenate(dtype="float32", name=head)(parts)
    raise ValueError(f"unknown head {head!r}; choose one of: {', '.join(HEADS)}")


def _split(y_true, y_pred):
    """Syllable indices (hangul-11172) -> jamo indices, and the three probability blocks (the last
    68 outputs: the whole output of the jamo head, the end of the hybrid head's)."""
    y = ops.cast(ops.reshape(y_true, (-1,)), "int32")
    targets = (y // (21 * 28), (y // 28) % 21, y % 28)
    jamo = y_pred[:, -JAMO_WIDTH:]
    blocks = (jamo[:, :19], jamo[:, 19:40], jamo[:, 40:])
    return targets, blocks


def _common(y_true):
    """Syllable indices (hangul-11172) -> (index among the 2350 or 0, 1.0 where it is one of them)."""
    y = ops.cast(ops.reshape(y_true, (-1,)), "int32")
    k = ops.take(ops.convert_to_tensor(common_index()), y)
    return ops.maximum(k, 0), ops.cast(k >= 0, "float32")


@keras.saving.register_keras_serializable(package="handpad")
class JamoLoss(keras.losses.Loss):
    """The sum of the three jamo cross-entropies; labels are syllable indices in hangul-11172."""

    def __init__(self, name="jamo_loss", **kwargs):
        super().__init__(name=name, **kwargs)

    def call(self, y_true, y_pred):
        targets, blocks = _split(y_true, y_pred)
        return sum(keras.losses.sparse_categorical_crossentropy(t, b) for t, b in zip(targets, blocks))


@keras.saving.register_keras_serializable(package="handpad")
class JamoAccuracy(keras.metrics.MeanMetricWrapper):
    """Syllable accuracy of a jamo head: all three of initial, vowel and final right."""

    def __init__(self, name="accuracy", dtype=None):
        super().__init__(fn=_jamo_hits, name=name, dtype=dtype)

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype}


def _jamo_hits(y_true, y_pred):
    targets, blocks = _split(y_true, y_pred)
    hits = [ops.equal(ops.cast(ops.argmax(b, axis=-1), "int32"), t) for t, b in zip(targets, blocks)]
    return ops.cast(ops.logical_and(ops.logical_and(hits[0], hits[1]), hits[2]), "float32")


@keras.saving.register_keras_serializable(package="handpad")
class HybridLoss(keras.losses.Loss):
    """The hybrid head's loss: the syllable cross-entropy (samples of the 2350 only; a rarer syllable
    has no output there) plus the three jamo cross-entropies (every sample)."""

    def __init__(self, name="hybrid_loss", **kwargs):
        super().__init__(name=name, **kwargs)

    def call(self, y_true, y_pred):
        k, is_common = _common(y_true)
        syllable = keras.losses.sparse_categorical_crossentropy(k, y_pred[:, :COMMON]) * is_common
        targets, blocks = _split(y_true, y_pred)
        return syllable + sum(keras.losses.sparse_categorical_crossentropy(t, b) for t, b in zip(targets, blocks))


@keras.saving.register_keras_serializable(package="handpad")
class HybridAccuracy(keras.metrics.MeanMetricWrapper):
    """Syllable accuracy of a hybrid head, as training can see it cheaply: the syllable softmax's
    answer for samples of the 2350, all three jamo right for the rarer ones."""

    def __init__(self, name="accuracy", dtype=None):
        super().__init__(fn=_hybrid_hits, name=name, dtype=dtype)

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype}


def _hybrid_hits(y_true, y_pred):
    k, is_common = _common(y_true)
    common_hit = ops.cast(ops.equal(ops.cast(ops.argmax(y_pred[:, :COMMON], axis=-1), "int32"), k), "float32")
    return is_common * common_hit + (1.0 - is_common) * _jamo_hits(y_true, y_pred)


def training_objective(head: str, soft: bool = False):
    """(loss, metrics) to compile a model with this head (labels: class indices of its space; with
    ``soft``, a distribution over them per sample: a distilled softmax head)."""
    if soft:
        if head != "softmax":
            raise ValueError(f"soft targets need the softmax head, not {head!r}")
        return "categorical_crossentropy", [keras.metrics.CategoricalAccuracy(name="accuracy"),
                                            keras.metrics.TopKCategoricalAccuracy(k=3, name="top3")]
    if head == "jamo":
        return JamoLoss(), [JamoAccuracy()]
    if head == "hybrid":
        return HybridLoss(), [HybridAccuracy()]
    return "sparse_categorical_crossentropy", ["accuracy", keras.metrics.SparseTopKCategoricalAccuracy(k=3, name="top3")]
