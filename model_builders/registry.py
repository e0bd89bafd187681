"""Name -> builder function, as in timm: architectures are built by name with one call."""
from __future__ import annotations

from typing import Callable

_REGISTRY: dict[str, Callable] = {}


def register(name: str):
    """Decorator: ``@register("cnn")`` on ``def build_cnn(num_classes, input_shape, **options)``."""

    def wrap(fn):
        if name in _REGISTRY:
            raise ValueError(f"architecture {name!r} registered twice")
        _REGISTRY[name] = fn
        return fn

    return wrap


def list_models() -> list[str]:
    return sorted(_REGISTRY)


def build(name: str, num_classes: int, input_shape=(60, 60, 1), dtype_policy: str = "float32", **options):
    """Build the architecture ``name`` for ``num_classes`` outputs; options go to its builder.

    ``dtype_policy="mixed_bfloat16"`` (or ``"mixed_float16"``, on GPUs) builds it for mixed-precision
    training (bfloat16 or float16 compute, float32 weights; Keras compiles a mixed_float16 model with
    loss scaling); the global Keras policy is left as it was.
    """
    import keras

    if name not in _REGISTRY:
        raise ValueError(f"unknown architecture {name!r}; choose one of: {', '.join(list_models())}")
    if int(num_classes) < 2:
        raise ValueError(f"num_classes must be at least 2, got {num_classes}")
    previous = keras.mixed_precision.global_policy()
    keras.mixed_precision.set_global_policy(dtype_policy)  # layers take their policy when created
    try:
        return _REGISTRY[name](int(num_classes), tuple(input_shape), **options)
    finally:
        keras.mixed_precision.set_global_policy(previous)
