"""handpad: recognize hand-drawn digits and Hangul syllables, offline, on a CPU.

The package follows the data's path:

    sources/ (MNIST, PHD08, HGU1, images)  -> convert.py -> store.py (dataset store)
    synth/ (fonts -> PHD08-style and pen-drawn samples) -> store.py
    model_builders/ (architectures) -> training.py -> models/*.keras
    recognizer.py (load, predict, top_k) -> cli.py, pad/ (the drawing app)

Everything that turns a picture into model input goes through :func:`preprocess`.
TensorFlow is imported only where a model is needed, so converting data stays light.
"""
import os as _os

# TensorFlow's C++ start-up chatter (oneDNN, CPU features) is noise for users; real errors still show.
_os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from .errors import DataFormatError, HandpadError, ModelError, NothingDrawnError, StoreError
from .labels import DIGITS, hangul_syllables
from .preprocess import PreprocessConfig, preprocess
from .store import Store, StoreWriter, load_store

__version__ = "0.1.0"


def __getattr__(name):
    # Recognizer pulls in TensorFlow: load it only when asked for.
    if name == "Recognizer":
        from .recognizer import Recognizer

        return Recognizer
    raise AttributeError(name)


__all__ = [
    "DIGITS", "DataFormatError", "HandpadError", "ModelError", "NothingDrawnError", "PreprocessConfig",
    "Recognizer", "Store", "StoreError", "StoreWriter", "hangul_syllables", "load_store", "preprocess",
]
