"""The recognizer: a model file plus its preprocessing, with obvious verbs.

    >>> rec = Recognizer.load("hangul")          # or "digits", or a path to a .keras file
    >>> rec.top_k(image, k=3)                      # any image: canvas, file, dataset sample
    [('가', 0.97), ('각', 0.01), ('기', 0.004)]

Prediction runs a traced ``tf.function`` with a fixed signature on the model's inference
graph (no Keras call overhead per image): one image costs a few milliseconds on a CPU.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from .modelio import load_model
from .preprocess import PreprocessConfig, preprocess


class Recognizer:
    def __init__(self, model, labels, config: PreprocessConfig, meta: dict | None = None, path=None):
        import tensorflow as tf

        self.model = model
        self.labels = tuple(labels)
        self.config = config
        self.meta = meta or {}
        self.path = Path(path) if path else None
        size = config.size
        # reduce_retracing: batch sizes vary; one trace per batch size at most.
        self._forward = tf.function(
            lambda x: model(x, training=False),
            input_signature=[tf.TensorSpec([None, size, size, 1], tf.float32)],
            reduce_retracing=True,
        )

    @classmethod
    def load(cls, name_or_path="hangul", warm_up: bool = True) -> "Recognizer":
        from .modelio import resolve_model_path

        path = resolve_model_path(name_or_path)
        model, meta = load_model(path)
        rec = cls(model, meta["labels"], PreprocessConfig.from_dict(meta.get("preprocess")), meta, path)
        if warm_up:
            rec.predict_prepared(np.zeros((1, rec.config.size, rec.config.size), np.float32))
        return rec

    @property
    def name(self) -> str:
        return self.path.stem if self.path else "model"

    def prepare(self, image, ink: str = "auto") -> np.ndarray:
        """The 60x60 input the model sees for ``image`` (raises NothingDrawnError)."""
        return preprocess(image, config=self.config, ink=ink)

    def predict_prepared(self, x: np.ndarray) -> np.ndarray:
        """Probabilities (N, classes) for preprocessed inputs (N, size, size) in [0, 1]."""
        x = np.asarray(x, np.float32)
        if x.ndim == 2:
            x = x[None]
        return self._forward(x[..., None]).numpy()

    def predict_proba(self, images, batch_size: int = 256) -> np.ndarray:
        xs = np.stack([self.prepare(im) for im in images])
        return np.concatenate([self.predict_prepared(xs[i : i + batch_size]) for i in range(0, len(xs), batch_size)])

    def top_k(self, image, k: int = 3) -> list[tuple[str, float]]:
        """The k most likely labels for one image, best first: [(label, prob), ...]."""
        return self._top(self.predict_prepared(self.prepare(image))[0], k)

    def top_k_batch(self, images, k: int = 3, batch_size: int = 256) -> list[list[tuple[str, float]]]:
        return [self._top(p, k) for p in self.predict_proba(images, batch_size)]

    def top_k_prepared(self, x: np.ndarray, k: int = 3) -> list[list[tuple[str, float]]]:
        return [self._top(p, k) for p in self.predict_prepared(x)]

    def _top(self, probs: np.ndarray, k: int) -> list[tuple[str, float]]:
        if k < 1:
            raise ValueError(f"k must be at least 1, got {k}")
        k = min(k, len(probs))
        idx = np.argpartition(-probs, k - 1)[:k]
        idx = idx[np.argsort(-probs[idx])]
        return [(self.labels[i], float(probs[i])) for i in idx]

    def __repr__(self) -> str:
        return f"Recognizer({self.name!r}, classes={len(self.labels)})"
