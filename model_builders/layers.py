"""Layers shared by all architectures: the scaling, augmenting, binarizing front end."""
from __future__ import annotations

import keras
from keras import layers, ops


@keras.saving.register_keras_serializable(package="handpad")
class Binarize(layers.Layer):
    """x > threshold -> 1.0 else 0.0. Makes resampled gray (from resizing or augmentation) pure ink/paper."""

    def __init__(self, threshold: float = 0.4, **kwargs):
        super().__init__(**kwargs)
        self.threshold = float(threshold)

    def call(self, inputs):
        return ops.cast(ops.greater(inputs, self.threshold), self.compute_dtype)

    def get_config(self):
        return {**super().get_config(), "threshold": self.threshold}


def front_end(inputs, augment: bool = True, binarize_threshold: float | None = 0.4, elastic: bool = False, seed: int = 0):
    """Rescaling (uint8 images, ink 255 -> [0, 1]), augmentation (training only; Keras random layers
    are no-ops at inference), then Binarize.

    The scaling is the model's first layer, so every caller (training pipelines, evaluation, the
    pad, a web upload) feeds the stored uint8 images as they are and none can scale differently.

    ``elastic`` adds RandomElasticTransform. It is off by default: on this CPU it costs about
    6 ms per 60x60 image (the rest of the front end costs 0.2 ms), more than the network itself;
    the Hangul synthesizer applies elastic distortion offline instead.
    """
    x = layers.Rescaling(1.0 / 255, name="rescale")(inputs)
    if augment:
        x = layers.RandomZoom((-0.15, 0.1), fill_mode="constant", seed=seed, name="aug_zoom")(x)
        x = layers.RandomRotation(0.025, fill_mode="constant", seed=seed + 1, name="aug_rotation")(x)  # about ±9°
        x = layers.RandomTranslation(0.08, 0.08, fill_mode="constant", seed=seed + 2, name="aug_translation")(x)
        if elastic:
            x = layers.RandomElasticTransform(factor=0.5, scale=0.1, seed=seed + 3, name="aug_elastic")(x)
    if binarize_threshold is not None:
        x = Binarize(binarize_threshold, name="binarize")(x)
    return x
