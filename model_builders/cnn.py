"""``cnn``: a small, fast plain CNN, the baseline every comparison includes."""
from __future__ import annotations

import keras
from keras import layers

from .heads import classifier_head
from .layers import front_end
from .registry import register


@register("cnn")
def build_cnn(num_classes, input_shape=(60, 60, 1), width: int = 32, dense: int = 256, dropout: float = 0.3,
              augment: bool = True, binarize_threshold: float | None = 0.4, elastic: bool | float = False,
              head: str = "softmax", squeeze: float = 0.0):
    inputs = keras.Input(input_shape, dtype="uint8", name="image")  # stored images as they are
    x = front_end(inputs, augment, binarize_threshold, elastic, squeeze=squeeze)
    for i, filters in enumerate((width, width * 2, width * 4)):
        x = layers.Conv2D(filters, 3, padding="same", use_bias=False, name=f"conv{i + 1}")(x)
        x = layers.BatchNormalization(momentum=0.9, name=f"bn{i + 1}")(x)
        x = layers.ReLU(name=f"relu{i + 1}")(x)
        x = layers.MaxPooling2D(2, name=f"pool{i + 1}")(x)
    x = layers.Flatten(name="flatten")(x)
    # Batch-normalized head: with thousands of classes a plain Dense+ReLU on the 6272 flattened
    # features dies within the first steps (all ReLUs off, loss stuck at ln(classes)).
    x = layers.Dense(dense, use_bias=False, name="dense")(x)
    x = layers.BatchNormalization(momentum=0.9, name="dense_bn")(x)
    x = layers.ReLU(name="dense_relu")(x)
    x = layers.Dropout(dropout, name="dropout")(x)
    return keras.Model(inputs, classifier_head(x, num_classes, head), name="cnn")
