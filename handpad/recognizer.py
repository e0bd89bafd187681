"""The recognizer: a model file plus its preprocessing, with obvious verbs.

    >>> rec = Recognizer.load("hangul")          # or "digits", or a path to a .keras file
    >>> rec.top_k(image, k=3)                      # any image: canvas, file, dataset sample
    [('가', 0.97), ('각', 0.01), ('기', 0.004)]

Two engines run the same network. When the model file carries its TFLite graph (every model
saved by handpad does) and LiteRT (``ai-edge-litert``) is installed, prediction uses it:
no TensorFlow import, ~0.3 s to load and ~2 ms per image on a CPU. Otherwise the Keras model
(loaded with ``safe_mode``) runs in a traced ``tf.function``. ``engine="keras"`` forces Keras.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from .errors import ModelError
from .modelio import read_metadata, read_tflite, resolve_model_path
from .preprocess import PreprocessConfig, preprocess


class LiteEngine:
    """TFLite graph run by LiteRT; resizes its input when the batch size changes."""

    name = "litert"

    def __init__(self, flatbuffer: bytes, path):
        from ai_edge_litert.interpreter import Interpreter

        try:
            self._it = Interpreter(model_content=flatbuffer, num_threads=2)
            self._it.allocate_tensors()
        except Exception as e:
            raise ModelError(f"{path}: the model's TFLite graph is corrupt ({e}); re-save the model") from None
        self._in = self._it.get_input_details()[0]["index"]
        self._out = self._it.get_output_details()[0]["index"]
        self._batch = 1
        self.num_outputs = int(self._it.get_output_details()[0]["shape"][-1])

    def __call__(self, x: np.ndarray) -> np.ndarray:
        if len(x) != self._batch:
            self._it.resize_tensor_input(self._in, list(x.shape))
            self._it.allocate_tensors()
            self._batch = len(x)
        self._it.set_tensor(self._in, x)
        self._it.invoke()
        return self._it.get_tensor(self._out).copy()


class KerasEngine:
    """The Keras model in a traced tf.function (no per-call Keras overhead)."""

    name = "keras"

    def __init__(self, model, size: int):
        import tensorflow as tf

        self.model = model
        self.num_outputs = int(model.output_shape[-1])
        self._forward = tf.function(
            lambda x: model(x, training=False),
            input_signature=[tf.TensorSpec([None, size, size, 1], tf.float32)],
            reduce_retracing=True,
        )

    def __call__(self, x: np.ndarray) -> np.ndarray:
        return self._forward(x).numpy()


def _lite_available() -> bool:
    try:
        import ai_edge_litert.interpreter  # noqa: F401
    except ImportError:
        return False
    return True


class Recognizer:
    def __init__(self, engine, labels, config: PreprocessConfig, meta: dict | None = None, path=None):
        self.engine = engine
        self.labels = tuple(labels)
        self.config = config
        self.meta = meta or {}
        self.path = Path(path) if path else None
        if engine.num_outputs != len(self.labels):
            raise ModelError(f"{self.path}: the model has {engine.num_outputs} outputs but its file lists "
                             f"{len(self.labels)} labels; the file is inconsistent, retrain or re-save it")

    @classmethod
    def load(cls, name_or_path="hangul", engine: str = "auto", warm_up: bool = True) -> "Recognizer":
        """Load a model by name (``digits``, ``hangul``) or path; ``engine``: auto, litert or keras."""
        if engine not in ("auto", "litert", "keras"):
            raise ValueError(f"engine must be auto, litert or keras, not {engine!r}")
        path = resolve_model_path(name_or_path)
        meta = read_metadata(path)
        if not meta.get("labels"):
            raise ModelError(f"{path}: the model file carries no labels (handpad.json missing); save it with handpad train")
        config = PreprocessConfig.from_dict(meta.get("preprocess"))
        lite = read_tflite(path) if engine != "keras" else None
        if engine == "litert" and (lite is None or not _lite_available()):
            raise ModelError(f"{path}: no TFLite graph in the file or ai-edge-litert not installed; use engine='keras'")
        if lite is not None and _lite_available():
            rec = cls(LiteEngine(lite, path), meta["labels"], config, meta, path)
        else:
            from .modelio import load_model

            model, meta = load_model(path)
            rec = cls(KerasEngine(model, config.size), meta["labels"], config, meta, path)
        if warm_up:
            rec.predict_prepared(np.zeros((1, config.size, config.size), np.float32))
        return rec

    @property
    def model(self):
        """The Keras model (loaded on first use when the LiteRT engine runs predictions)."""
        if isinstance(self.engine, KerasEngine):
            return self.engine.model
        if not hasattr(self, "_keras_model"):
            from .modelio import load_model

            self._keras_model, _ = load_model(self.path)
        return self._keras_model

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
        return self.engine(np.ascontiguousarray(x[..., None]))

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
        return f"Recognizer({self.name!r}, classes={len(self.labels)}, engine={self.engine.name})"
