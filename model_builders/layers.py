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


@keras.saving.register_keras_serializable(package="handpad")
class SmoothWarp(layers.Layer):
    """Training only: bend the image smoothly, as a hand bends strokes (an elastic distortion).

    A random displacement (normal, ``amplitude`` pixels) at the points of a ``grid`` x ``grid``
    lattice, interpolated bicubically over the image: strokes bend without kinking; the shifts
    along y and x are drawn independently. Sampling uses ``ops.image.map_coordinates``
    (any backend). ~0.25 ms per 60x60 image on a CPU. (Keras' RandomElasticTransform was tried
    first: at the small scales strokes need it blurs a per-pixel noise that shreds thin strokes,
    and it draws x and y from the same seed.)
    """

    def __init__(self, amplitude: float = 2.0, grid: int = 4, seed: int | None = None, **kwargs):
        super().__init__(**kwargs)
        self.amplitude, self.grid, self.seed = float(amplitude), int(grid), seed
        self.seed_generator = keras.random.SeedGenerator(seed)

    def call(self, inputs, training=None):
        if not training or self.amplitude <= 0:
            return inputs
        b, h, w = ops.shape(inputs)[:3]
        if b is None:  # TensorFlow's traced batch: its dynamic size
            import tensorflow as tf

            b = tf.shape(inputs)[0]
        field = keras.random.normal((b, self.grid, self.grid, 2), stddev=self.amplitude, seed=self.seed_generator,
                                    dtype=inputs.dtype)
        field = ops.image.resize(field, (h, w), interpolation="bicubic")
        ys, xs = ops.meshgrid(ops.arange(h, dtype=inputs.dtype), ops.arange(w, dtype=inputs.dtype), indexing="ij")
        coords = ops.stack([ys[None] + field[..., 0], xs[None] + field[..., 1]], axis=1)  # (b, 2, h, w)

        def one(args):  # per image: map_coordinates wants static shapes, a traced batch has none
            image, where = args
            return ops.image.map_coordinates(image, where, order=1, fill_mode="constant")

        return ops.vectorized_map(one, (inputs[..., 0], coords))[..., None]

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "amplitude": self.amplitude, "grid": self.grid, "seed": self.seed}


def front_end(inputs, augment: bool = True, binarize_threshold: float | None = 0.4, elastic: bool | float = False,
              seed: int = 0, squeeze: float = 0.0):
    """Rescaling (uint8 images, ink 255 -> [0, 1]), augmentation (training only; Keras random layers
    are no-ops at inference), then Binarize.

    The scaling is the model's first layer, so every caller (training pipelines, evaluation, the
    pad, a web upload) feeds the stored uint8 images as they are and none can scale differently.

    ``elastic`` adds :class:`SmoothWarp` (``True``: 2 pixels; a number: that many). Off by default
    (the synthesizers distort offline); the shipped Hangul model since 2026-12-04's third release
    trained with ``elastic=2`` on top.

    ``squeeze`` (0 to 0.5) narrows and flattens independently: each axis shrinks by up to this share
    (RandomZoom with separate height and width factors), so a glyph's width to height ratio varies
    by up to about that much either way — people write narrower and wider than fonts do, while the
    preprocessing keeps every drawing's aspect. Off (0) by default and in the models shipped so far.
    """
    x = layers.Rescaling(1.0 / 255, name="rescale")(inputs)
    if augment:
        x = layers.RandomZoom((-0.15, 0.1), fill_mode="constant", seed=seed, name="aug_zoom")(x)
        x = layers.RandomRotation(0.025, fill_mode="constant", seed=seed + 1, name="aug_rotation")(x)  # about ±9°
        x = layers.RandomTranslation(0.08, 0.08, fill_mode="constant", seed=seed + 2, name="aug_translation")(x)
        if not isinstance(elastic, (bool, int, float)):
            raise ValueError(f"elastic: true, false or a number of pixels, not {elastic!r}")
        if not 0 <= squeeze <= 0.5:
            raise ValueError(f"squeeze: a share between 0 and 0.5, not {squeeze!r}")
        if squeeze:
            x = layers.RandomZoom((0.0, squeeze), (0.0, squeeze), fill_mode="constant", seed=seed + 4, name="aug_squeeze")(x)
        if elastic:
            amplitude = 2.0 if elastic is True else float(elastic)
            x = SmoothWarp(amplitude, seed=seed + 3, dtype="float32", name="aug_elastic")(x)  # float32 under mixed precision too
    if binarize_threshold is not None:
        x = Binarize(binarize_threshold, name="binarize")(x)
    return x
