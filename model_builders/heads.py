"""Output heads: how the features become class probabilities, and how each head is trained.

``softmax``  one probability per class of the label space (``probs``).
``jamo``     for ``hangul-11172``: three softmaxes, over the 19 initial consonants, the 21 vowels
             and the 28 finals (none + 27), concatenated into one 68-wide output ``jamo``. Every
             (initial, vowel, final) is a syllable, so their product is a distribution over all
             11,172 syllables (see :func:`handpad.labels.jamo_indices`): the network learns 68
             outputs and ranks any syllable, also one it never saw whole in training.

Both heads compute in float32 under a mixed policy: bfloat16 cannot resolve many small probabilities.
"""
from __future__ import annotations

import keras
from keras import layers, ops

HEADS = ("softmax", "jamo")
JAMO_SIZES = (19, 21, 28)
JAMO_WIDTH = sum(JAMO_SIZES)  # 68
SYLLABLES = 19 * 21 * 28  # 11172


def classifier_head(x, num_classes: int, head: str = "softmax"):
    if head == "softmax":
        return layers.Dense(num_classes, activation="softmax", dtype="float32", name="probs")(x)
    if head == "jamo":
        if num_classes != SYLLABLES:
            raise ValueError(f"the jamo head ranks the {SYLLABLES} modern syllables (label space hangul-11172), "
                             f"not {num_classes} classes")
        parts = [layers.Dense(n, activation="softmax", dtype="float32", name=name)(x)
                 for name, n in zip(("initial", "vowel", "final"), JAMO_SIZES)]
        return layers.Concatenate(dtype="float32", name="jamo")(parts)
    raise ValueError(f"unknown head {head!r}; choose one of: {', '.join(HEADS)}")


def _split(y_true, y_pred):
    """Syllable indices (hangul-11172) -> jamo indices, and the three probability blocks."""
    y = ops.cast(ops.reshape(y_true, (-1,)), "int32")
    targets = (y // (21 * 28), (y // 28) % 21, y % 28)
    blocks = (y_pred[:, :19], y_pred[:, 19:40], y_pred[:, 40:])
    return targets, blocks


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


def training_objective(head: str):
    """(loss, metrics) to compile a model with this head (labels: class indices of its space)."""
    if head == "jamo":
        return JamoLoss(), [JamoAccuracy()]
    return "sparse_categorical_crossentropy", ["accuracy", keras.metrics.SparseTopKCategoricalAccuracy(k=3, name="top3")]
