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


def _find_checkout_model_builders() -> None:
    # handpad.model_builders lives in the repo's top-level model_builders/ folder; pyproject.toml
    # maps it into this package, so wheel installs (handpad/model_builders/) and editable installs
    # (setuptools' finder) both have it. A checkout run without installing (python main2/main2.py,
    # PYTHONPATH=repo) has no such mapping: then let the subpackage be found in the repo root too,
    # only when this handpad/ really sits in a checkout next to model_builders/. find_spec looks
    # for the subpackage without importing it (it would import TensorFlow).
    from importlib.util import find_spec

    if find_spec(__name__ + ".model_builders") is not None:
        return
    root = _os.path.dirname(_os.path.dirname(_os.path.abspath(__file__)))
    if _os.path.isfile(_os.path.join(root, "model_builders", "registry.py")):
        __path__.append(root)


_find_checkout_model_builders()

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
