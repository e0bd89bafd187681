"""``inception``: the simplified GoogLeNet the original project followed, sized for a 2-core CPU.

Stem (convolution + ReLU, max-pooling, batch normalization), a reduced stack of Inception
modules whose 5x5 branch is two 3x3 convolutions, then average pooling, a 1x1 convolution
(128), a dense layer (1024), dropout and softmax — the shape of the Korean GoogLeNet
handwriting papers, with fewer modules and narrower branches so it trains here in hours.

``depth=N`` adds N residual Inception modules at 7x7 after the last one; each starts as the
identity, so ``--init-from`` a network without them starts from that network's answers.
"""
from __future__ import annotations

import keras
from keras import layers

from .heads import classifier_head
from .layers import front_end
from .registry import register


def conv(x, filters, kernel, name, strides=1):
    x = layers.Conv2D(filters, kernel, strides=strides, padding="same", use_bias=False, name=name)(x)
    x = layers.BatchNormalization(momentum=0.9, name=f"{name}_bn")(x)
    return layers.ReLU(name=f"{name}_relu")(x)


def inception_module(x, f1, f3r, f3, f5r, f5, fp, name):
    """Four branches: 1x1 | 1x1->3x3 | 1x1->3x3->3x3 (the 5x5) | maxpool->1x1, concatenated."""
    b1 = conv(x, f1, 1, f"{name}_1x1")
    b3 = conv(conv(x, f3r, 1, f"{name}_3x3r"), f3, 3, f"{name}_3x3")
    b5 = conv(conv(conv(x, f5r, 1, f"{name}_5x5r"), f5, 3, f"{name}_5x5a"), f5, 3, f"{name}_5x5b")
    bp = layers.MaxPooling2D(3, strides=1, padding="same", name=f"{name}_pool")(x)
    bp = conv(bp, fp, 1, f"{name}_poolproj")
    return layers.Concatenate(name=f"{name}_concat")([b1, b3, b5, bp])


def residual_module(x, f1, f3r, f3, f5r, f5, fp, name):
    """An Inception module added to its input: x + BN(1x1(module(x))), then ReLU.

    The last batch normalization starts with gamma 0, so the block starts as the identity (its
    input is a ReLU's output): a network deepened this way and initialized from a shallower one
    (``--init-from``) answers exactly as that one did before training (zero-init residuals,
    Goyal et al. 2017)."""
    y = inception_module(x, f1, f3r, f3, f5r, f5, fp, name)
    y = layers.Conv2D(x.shape[-1], 1, use_bias=False, name=f"{name}_proj")(y)
    y = layers.BatchNormalization(momentum=0.9, gamma_initializer="zeros", name=f"{name}_proj_bn")(y)
    return layers.ReLU(name=f"{name}_out")(layers.Add(name=f"{name}_add")([x, y]))


@register("inception")
def build_inception(num_classes, input_shape=(60, 60, 1), width: float = 1.0, dense: int = 1024,
                    dropout: float = 0.4, augment: bool = True, binarize_threshold: float | None = 0.4,
                    elastic: bool | float = False, head: str = "softmax", squeeze: float = 0.0, depth: int = 0):
    if isinstance(depth, bool) or not isinstance(depth, (int, float)) or int(depth) != depth or not 0 <= depth <= 8:
        raise ValueError(f"depth must be a whole number from 0 to 8 (residual modules added at 7x7), got {depth!r}")
    w = lambda n: max(8, int(round(n * width)))  # noqa: E731  (width multiplier for every layer)
    inputs = keras.Input(input_shape, dtype="uint8", name="image")  # stored images as they are
    x = front_end(inputs, augment, binarize_threshold, elastic, squeeze=squeeze)
    # Stem: 60 -> 30 -> 15 (80 -> 40 -> 20)
    x = layers.Conv2D(w(32), 3, padding="same", activation="relu", name="stem_conv1")(x)
    x = layers.MaxPooling2D(2, name="stem_pool1")(x)
    x = layers.BatchNormalization(momentum=0.9, name="stem_bn1")(x)
    x = layers.Conv2D(w(64), 3, padding="same", activation="relu", name="stem_conv2")(x)
    x = layers.MaxPooling2D(2, name="stem_pool2")(x)
    x = layers.BatchNormalization(momentum=0.9, name="stem_bn2")(x)
    # Inception stack: two modules at 15x15, one at 7x7
    x = inception_module(x, w(32), w(32), w(48), w(16), w(24), w(16), "inc3a")
    x = inception_module(x, w(48), w(48), w(64), w(16), w(32), w(24), "inc3b")
    x = layers.MaxPooling2D(2, name="pool3")(x)
    x = inception_module(x, w(64), w(64), w(96), w(24), w(48), w(32), "inc4a")
    # depth > 0: more capacity at 7x7, in residual modules that start as the identity
    for i in range(int(depth)):
        x = residual_module(x, w(64), w(64), w(96), w(24), w(48), w(32), f"inc4r{i + 1}")
    # Head: average pooling, 1x1 conv (128), dense (1024), dropout, softmax
    # A 3x3 grid whatever the input size (60 px: 7 -> 3 by 3/2; 80 px: 10 -> 3 by 4/3), so the dense
    # layer's weights fit every size and --init-from carries a 60 px network over to finer input.
    side = int(x.shape[1])
    stride = max(1, side // 3)
    x = layers.AveragePooling2D(side - 2 * stride, strides=stride, name="head_avgpool")(x)
    x = conv(x, 128, 1, "head_1x1")
    x = layers.Flatten(name="flatten")(x)
    x = layers.Dense(dense, activation="relu", name="dense")(x)
    x = layers.Dropout(dropout, name="dropout")(x)
    return keras.Model(inputs, classifier_head(x, num_classes, head), name="inception")
