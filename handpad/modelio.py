"""Model files: one ``.keras`` file that carries its class labels and preprocessing settings.

The labels and settings live in a ``handpad.json`` entry inside the ``.keras`` zip, so a
model file is all that prediction needs. Models load with Keras ``safe_mode=True``: a model
file can never run code (no Lambda layers; our only custom layer is registered).
"""
from __future__ import annotations

import json
import os
import tempfile
import zipfile
from pathlib import Path

from .errors import ModelError
from .preprocess import PreprocessConfig

META_ENTRY = "handpad.json"
# The same network as a TensorFlow Lite flatbuffer (data only, no code; float16 weights): prediction
# runs it with LiteRT, which imports in 0.2 s and answers one image in ~2 ms, without TensorFlow.
LITE_ENTRY = "handpad.tflite"
SHIPPED = ("digits", "hangul")


def models_dirs() -> list[Path]:
    """Where shipped models are looked up: $HANDPAD_MODELS, the repo's models/, the installed share dir."""
    import sys

    dirs = []
    if os.environ.get("HANDPAD_MODELS"):
        dirs.append(Path(os.environ["HANDPAD_MODELS"]))
    dirs.append(Path(__file__).resolve().parents[1] / "models")
    dirs.append(Path(sys.prefix) / "share" / "handpad" / "models")
    return dirs


def resolve_model_path(name_or_path) -> Path:
    """``digits``/``hangul`` -> the shipped file; anything else is a path to a .keras file."""
    s = os.fspath(name_or_path)
    if s in SHIPPED:
        for d in models_dirs():
            if (d / f"{s}.keras").exists():
                return d / f"{s}.keras"
        raise ModelError(
            f"the shipped model {s!r} was not found (looked for {s}.keras in: "
            + ", ".join(str(d) for d in models_dirs())
            + "); reinstall handpad or pass --model PATH"
        )
    p = Path(s)
    if not p.exists():
        raise ModelError(f"{p}: model file not found (use 'digits', 'hangul' or a path to a .keras file)")
    if p.is_dir():
        raise ModelError(f"{p}: is a folder, expected a .keras model file")
    return p


def read_metadata(path) -> dict:
    path = Path(path)
    try:
        with zipfile.ZipFile(path) as z:
            if META_ENTRY not in z.namelist():
                return {}
            return json.loads(z.read(META_ENTRY).decode("utf-8"))
    except zipfile.BadZipFile:
        raise ModelError(f"{path}: not a valid .keras file (corrupt or truncated zip); re-download or retrain it") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        raise ModelError(f"{path}: corrupt {META_ENTRY} inside the model file ({e})") from None


def save_model(model, path, labels, config: PreprocessConfig, **extra) -> Path:
    """Save ``model`` (weights only, no optimizer state) with its labels and settings, atomically."""
    import keras

    path = Path(path)
    if len(labels) != model.output_shape[-1]:
        raise ModelError(f"{len(labels)} labels for a model with {model.output_shape[-1]} outputs")
    path.parent.mkdir(parents=True, exist_ok=True)
    # A fresh, uncompiled copy keeps optimizer state out of the shipped file (a third of the size).
    clean = keras.models.clone_model(model)
    clean.set_weights(model.get_weights())
    meta = {"labels": list(labels), "preprocess": config.to_dict(), **extra}
    lite = to_tflite(clean)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.stem}.", suffix=".keras")
    os.close(fd)
    packed = tmp + ".zip"
    try:
        clean.save(tmp)
        # Re-pack deflated: Keras stores its HDF5 weights uncompressed, and they are mostly padding
        # for models with many small layers (the digits model shrinks from 8 MB to 3 MB).
        with zipfile.ZipFile(tmp) as src, zipfile.ZipFile(packed, "w", zipfile.ZIP_DEFLATED) as z:
            for info in src.infolist():
                z.writestr(info.filename, src.read(info.filename))
            z.writestr(META_ENTRY, json.dumps(meta, ensure_ascii=False, indent=1))
            if lite is not None:
                z.writestr(LITE_ENTRY, lite)
        os.chmod(packed, 0o644)
        os.replace(packed, path)
    finally:
        Path(tmp).unlink(missing_ok=True)
        Path(packed).unlink(missing_ok=True)
    return path


def to_tflite(model) -> bytes | None:
    """The inference graph as a TFLite flatbuffer (augmentation layers are no-ops there).

    Weights are stored as float16 (LiteRT computes in float32) to halve the file. On 1000
    pen-drawn digits this changed 2 top-1 answers against the float32 Keras model; every
    accuracy in models/README.md is measured through this graph, as users get it.
    """
    import tensorflow as tf

    import contextlib
    import io

    try:
        with contextlib.redirect_stdout(io.StringIO()):  # the converter prints its export summary
            converter = tf.lite.TFLiteConverter.from_keras_model(model)
            converter.optimizations = [tf.lite.Optimize.DEFAULT]
            converter.target_spec.supported_types = [tf.float16]
            return converter.convert()
    except Exception as e:  # the converter is optional: Keras inference still works
        import warnings

        warnings.warn(f"could not add a TFLite graph to the model file ({type(e).__name__}: {e}); prediction will use Keras")
        return None


def read_tflite(path) -> bytes | None:
    path = Path(path)
    try:
        with zipfile.ZipFile(path) as z:
            return z.read(LITE_ENTRY) if LITE_ENTRY in z.namelist() else None
    except zipfile.BadZipFile:
        raise ModelError(f"{path}: not a valid .keras file (corrupt or truncated zip); re-download or retrain it") from None


def load_model(name_or_path):
    """-> (keras model, metadata dict). Raises ModelError with what to do."""
    path = resolve_model_path(name_or_path)
    meta = read_metadata(path)
    import keras
    import model_builders  # noqa: F401  (registers the Binarize layer for deserialization)

    try:
        model = keras.saving.load_model(path, compile=False, safe_mode=True)
    except Exception as e:  # Keras raises many types for a bad file
        raise ModelError(f"{path}: cannot load the model ({type(e).__name__}: {str(e)[:200]}); the file is corrupt or not a handpad model") from None
    labels = meta.get("labels")
    if not labels:
        raise ModelError(f"{path}: the model file carries no labels ({META_ENTRY} missing); save it with handpad train")
    outputs = model.output_shape[-1]
    if len(labels) != outputs:
        raise ModelError(f"{path}: the model has {outputs} outputs but its file lists {len(labels)} labels; the file is inconsistent, retrain or re-save it")
    return model, meta
