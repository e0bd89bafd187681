"""Keras architectures for handpad, in a registry: ``build(name, num_classes, input_shape)``.

    >>> from model_builders import build, list_models
    >>> model = build("inception", num_classes=2350)

``head="jamo"`` gives a model of all 11,172 Hangul syllables from three jamo softmaxes,
``head="hybrid"`` the same beside a softmax over the 2350 common ones (:mod:`.heads`). Every model starts with the same front end (see :func:`front_end`): augmentation layers that
are active only in training, then a :class:`Binarize` layer so interpolation gray never
reaches the convolutions (the original project's main finding).
"""
from .registry import build, list_models, register
from .heads import HEAD_WIDTHS, HEADS, HybridAccuracy, HybridLoss, JamoAccuracy, JamoLoss, training_objective
from .layers import Binarize, front_end
from . import cnn, inception  # noqa: F401  (registers the architectures)

__all__ = ["Binarize", "HEAD_WIDTHS", "HEADS", "HybridAccuracy", "HybridLoss", "JamoAccuracy", "JamoLoss", "build", "front_end", "list_models", "register",
           "training_objective"]
