"""handpad: recognize hand-drawn digits and Hangul syllables, offline, on a CPU.

The package follows the data's path; each idea lives in one place:

    labels.py        label spaces: what class i means, everywhere
    sources/         readers (MNIST, PHD08, HGU1, image folders) -> convert.py -> store.py (dataset store)
    synth/           fonts -> PHD08-style and pen-drawn samples -> store.py; the pen redraw of a store
    preprocess.py    any picture -> the model's uint8 input (training data and every app)
    model_builders/  architectures (the repo's top-level folder, installed as handpad.model_builders)
    training.py      store -> model file;  evaluation.py: the one evaluation path
    model.py         the model object (a file opened once: label space, preprocessing, engine)
    recognizer.py    the user-facing verbs (load, top_k, read) -> cli/ (the command), pad/ (the drawing app)
    reading.py       a line -> boxes (verifier.py: is this box one syllable?) -> candidates -> text (prior.py)

TensorFlow is imported only where a Keras model is needed, so converting data and predicting stay light.
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
from .labels import DIGITS, LabelSpace, hangul_syllables, label_space
from .preprocess import PreprocessConfig, preprocess
from .store import Store, StoreWriter, load_store

__version__ = "0.1.0"


def __getattr__(name):
    # Recognizer pulls in TensorFlow: load it only when asked for.
    if name == "Recognizer":
        from .recognizer import Recognizer

        return Recognizer
    if name == "Model":
        from .model import Model

        return Model
    raise AttributeError(name)


__all__ = [
    "DIGITS", "DataFormatError", "HandpadError", "LabelSpace", "Model", "ModelError", "NothingDrawnError",
    "PreprocessConfig", "Recognizer", "Store", "StoreError", "StoreWriter", "hangul_syllables", "label_space",
    "load_store", "preprocess",
]
