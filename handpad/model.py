"""The model object: one ``.keras`` file, opened once, that carries everything prediction needs.

A handpad model file is a Keras ``.keras`` zip with two more entries:

    handpad.json     label space, labels, preprocessing settings, architecture, metrics, ...
    handpad.tflite   the same network as a LiteRT flatbuffer (int8 or float16 weights): what users run

:meth:`Model.load` reads the zip once and runs the LiteRT graph (no TensorFlow import, ~2 ms
an image); ``engine="keras"`` runs the Keras network instead (it needs TensorFlow), and
:attr:`Model.keras_model` loads it on demand (training, fine-tuning). Every model takes uint8
images (ink 255 on 0) as :func:`handpad.preprocess.preprocess` makes them: its first layer
scales them. Probabilities always come over the model's whole label space.

Files from before label spaces and uint8 inputs are migrated as they load (in memory; the
file is not touched): their label list is mapped onto the smallest space holding it, and
their float input gets the uint8 images scaled once, here.
"""
from __future__ import annotations

import contextlib
import copy
import io
import json
import os
import shutil
import tempfile
import zipfile
from pathlib import Path

import numpy as np

from .errors import ModelError
from .labels import LabelError, LabelSpace, label_space, space_for_labels
from .preprocess import PreprocessConfig, preprocess

META_ENTRY = "handpad.json"
LITE_ENTRY = "handpad.tflite"
ENGINES = ("auto", "litert", "keras")
# The LiteRT graph's weights: int8 (dynamic range: 8-bit weights, activations quantized on the fly)
# ran one Hangul prediction 1.7x faster than float16 at the same top-1 (bench/quantized_latency.py).
LITE_WEIGHTS = ("int8", "float16")


def resolve_model_path(name_or_path) -> Path:
    """``digits``/``hangul`` -> the shipped file; anything else is a path to a .keras file."""
    from .shipped import SHIPPED, shipped_model_path

    s = os.fspath(name_or_path)
    if s in SHIPPED:
        return shipped_model_path(s)
    p = Path(s)
    if not p.exists():
        raise ModelError(f"{p}: model file not found (use 'digits', 'hangul' or a path to a .keras file)")
    if p.is_dir():
        raise ModelError(f"{p}: is a folder, expected a .keras model file")
    return p


def read_entries(path) -> tuple[dict, bytes | None]:
    """(metadata, TFLite flatbuffer or None) from a model file, reading the zip once."""
    path = Path(path)
    try:
        with zipfile.ZipFile(path) as z:
            names = set(z.namelist())
            meta = json.loads(z.read(META_ENTRY).decode("utf-8")) if META_ENTRY in names else {}
            lite = z.read(LITE_ENTRY) if LITE_ENTRY in names else None
    except zipfile.BadZipFile:
        raise ModelError(f"{path}: not a valid .keras file (corrupt or truncated zip); re-download or retrain it") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        raise ModelError(f"{path}: corrupt {META_ENTRY} inside the model file ({e})") from None
    return meta, lite


class _LiteEngine:
    """The TFLite graph run by LiteRT; resizes its input when the batch size changes."""

    name = "litert"

    def __init__(self, flatbuffer: bytes, path):
        from ai_edge_litert.interpreter import Interpreter

        from ._native import quiet_native_stderr

        try:
            with quiet_native_stderr():  # LiteRT announces its XNNPACK delegate on stderr, once
                self._it = Interpreter(model_content=flatbuffer, num_threads=2)
                self._it.allocate_tensors()
        except Exception as e:
            raise ModelError(f"{path}: the model's TFLite graph is corrupt ({e}); re-save the model") from None
        inp, out = self._it.get_input_details()[0], self._it.get_output_details()[0]
        self._in, self._out = inp["index"], out["index"]
        self.input_dtype = np.dtype(inp["dtype"])
        self.num_outputs = int(out["shape"][-1])
        self._batch = 1

    def __call__(self, x: np.ndarray) -> np.ndarray:
        if len(x) != self._batch:
            self._it.resize_tensor_input(self._in, list(x.shape))
            self._it.allocate_tensors()
            self._batch = len(x)
        self._it.set_tensor(self._in, x)
        self._it.invoke()
        return self._it.get_tensor(self._out).copy()


class _KerasEngine:
    """The Keras network in a traced tf.function (no per-call Keras overhead)."""

    name = "keras"

    def __init__(self, model):
        import tensorflow as tf

        self.model = model
        self.input_dtype = np.dtype(model.inputs[0].dtype)
        self.num_outputs = int(model.output_shape[-1])
        size = int(model.input_shape[1])
        self._forward = tf.function(
            lambda x: model(x, training=False),
            input_signature=[tf.TensorSpec([None, size, size, 1], tf.as_dtype(self.input_dtype))],
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


def _load_keras(path, upgrade: bool = True):
    import keras

    from . import model_builders  # noqa: F401  (registers the Binarize layer for deserialization)

    try:
        model = keras.saving.load_model(path, compile=False, safe_mode=True)
    except Exception as e:  # Keras raises many types for a bad file; say it in one sentence
        reason = " ".join(str(e).split())
        if "Lambda" in reason or "safe_mode" in reason:
            reason = "it contains a Lambda layer (code inside a model file), which handpad never loads"
        elif len(reason) > 300:
            reason = reason[:300].rsplit(" ", 1)[0] + " ..."
        raise ModelError(f"{path}: cannot load the model: {reason}. Use a model file saved by handpad train") from None
    if upgrade and model.inputs[0].dtype != "uint8":
        # A file from before uint8 inputs: put the scaling in front, so it trains and predicts like the others.
        inputs = keras.Input(model.input_shape[1:], dtype="uint8", name="image")
        model = keras.Model(inputs, model(keras.layers.Rescaling(1.0 / 255, name="rescale")(inputs)), name=model.name)
    return model


class Model:
    """A trained model: labels over a label space, preprocessing settings and an engine.

    >>> m = Model.load("hangul")
    >>> probs = m.predict(images_uint8)         # (n, 60, 60) -> (n, 2350) over m.label_space
    """

    def __init__(self, engine, label_space: LabelSpace, preprocess_config: PreprocessConfig,
                 meta: dict | None = None, path=None, columns: np.ndarray | None = None):
        self.engine = engine
        self.label_space = label_space
        self.preprocess_config = preprocess_config
        self.meta = meta or {}
        self.path = Path(path) if path else None
        self.head = self.meta.get("head", "softmax")
        # Fitted on validation data by handpad train / handpad calibrate (handpad.calibration); 1 = none.
        self.temperature = float(self.meta.get("temperature", 1.0))
        # The hybrid head's weight of the rarer syllables' share (fitted on validation data; 1 = as the jamo say).
        self.rare_weight = float(self.meta.get("rare_weight", 1.0))
        self.jamo_mix = float(self.meta.get("jamo_mix", 0.0))  # the jamo heads' say among the 2350 (hybrid)
        # Test-time views (handpad calibrate --views): each input is read at these horizontal shears too
        # and every head's softmax averaged over them; (0,) = the input alone.
        self.views = check_views(self.meta.get("views", (0.0,)), self.path)
        # Views only where the first leaves the model unsure (handpad calibrate fits it on validation data):
        # an image whose one-view top-1 probability is at least this is answered from that view alone.
        self.views_below = self.meta.get("views_below")
        # Single images' answers (predict, top_k, the pads) on top of the views' own temperatures, fitted on
        # validation hands as casual as the users' (handpad calibrate --casual); reading lines keeps the
        # views' own (its prior's weight was set with them). 1 = none.
        self.predict_temperature = float(self.meta.get("predict_temperature", 1.0))
        # Old files whose outputs are a part of the space, in their own order: output j is class columns[j].
        self._columns = columns
        expected = len(columns) if columns is not None else len(label_space)
        if self.head in HEAD_WIDTHS:
            expected = HEAD_WIDTHS[self.head]
        if engine.num_outputs != expected:
            raise ModelError(f"{self.path}: the model has {engine.num_outputs} outputs but its file lists "
                             f"{expected} labels; the file is inconsistent, retrain or re-save it")
        # Files from before uint8 inputs take [0, 1] floats: scaled here, once, for them only.
        self._legacy_float_input = engine.input_dtype != np.uint8

    # -- loading --------------------------------------------------------------------------------
    @classmethod
    def load(cls, name_or_path="hangul", engine: str = "auto") -> "Model":
        """Load ``digits``, ``hangul`` (the shipped models) or a .keras path; ``engine``: auto, litert, keras."""
        if engine not in ENGINES:
            raise ValueError(f"engine must be one of {', '.join(ENGINES)}, not {engine!r}")
        path = resolve_model_path(name_or_path)
        meta, lite = read_entries(path)
        labels = meta.get("labels")
        if not labels:
            raise ModelError(f"{path}: the model file carries no labels ({META_ENTRY} missing); save it with handpad train")
        space, columns = _space_of(meta, path)
        config = PreprocessConfig.from_dict(meta.get("preprocess"))
        use_lite = engine != "keras" and lite is not None and _lite_available()
        if engine == "litert" and not use_lite:
            raise ModelError(f"{path}: no TFLite graph in the file or ai-edge-litert not installed; use engine='keras'")
        if use_lite:
            return cls(_LiteEngine(lite, path), space, config, meta, path, columns)
        model = cls(_KerasEngine(_load_keras(path)), space, config, meta, path, columns)
        return model

    # -- what it is -----------------------------------------------------------------------------
    @property
    def labels(self) -> tuple[str, ...]:
        return self.label_space.labels

    @property
    def name(self) -> str:
        return self.path.stem if self.path else "model"

    @property
    def input_size(self) -> int:
        return self.preprocess_config.size

    @property
    def keras_model(self):
        """The Keras network (loaded on first use when the LiteRT engine runs predictions)."""
        if isinstance(self.engine, _KerasEngine):
            return self.engine.model
        if not hasattr(self, "_keras"):
            self._keras = _load_keras(self.path)
        return self._keras

    def __repr__(self) -> str:
        return f"Model({self.name!r}, label_space={self.label_space.name!r}, engine={self.engine.name})"

    def one_view(self) -> "Model":
        """This model reading each image once, with the temperature and rare weight fitted for that
        (``handpad calibrate --views`` fits both): reading a line reads many candidate boxes, one
        view each; the boxes it keeps are read again at every view. Itself when it has one view."""
        if len(self.views) == 1:
            return self
        single = copy.copy(self)
        single.views = (0.0,)
        fit = self.meta.get("one_view") or {}
        single.temperature = float(fit.get("temperature", 1.0))
        single.rare_weight = float(fit.get("rare_weight", 1.0))
        single.predict_temperature = 1.0  # reading lines: the one view's own
        return single

    # -- using it -------------------------------------------------------------------------------
    def prepare(self, image, ink: str = "auto") -> np.ndarray:
        """The uint8 input this model sees for any image (raises NothingDrawnError)."""
        return preprocess(image, config=self.preprocess_config, ink=ink)

    def predict(self, x, batch_size: int = 512) -> np.ndarray:
        """Probabilities (n, len(label_space)) for prepared uint8 inputs (n, size, size) or one (size, size).
        With test-time views and ``views_below``, each image is read at one view first and again at
        every view only where that first answer's top-1 probability is below ``views_below``; then
        ``predict_temperature`` (the single images' calibration) is applied."""
        from .calibration import apply_temperature

        if len(self.views) == 1 or self.views_below is None:
            return apply_temperature(self.probabilities(self.outputs(x, batch_size)), self.predict_temperature)
        x = self._inputs(x)
        single = self.one_view()
        at_zero = single.outputs(x, batch_size)
        probs = single.probabilities(at_zero)
        unsure = np.flatnonzero(probs.max(axis=1) < self.views_below)
        if len(unsure):
            probs[unsure] = self.probabilities(self.every_view(x[unsure], at_zero[unsure], batch_size))
        return apply_temperature(probs, self.predict_temperature)

    def every_view(self, x, at_zero: np.ndarray, batch_size: int = 512) -> np.ndarray:
        """The raw outputs of ``x`` at all of this model's views, given those at shear 0 (``at_zero``):
        only the other views are run, and the mean over all of them is the weighted mean of the two parts."""
        others = tuple(v for v in self.views if v != 0.0)
        if len(others) != len(self.views) - 1:  # no plain view among them: run them all
            return self.outputs(x, batch_size)
        if not others:
            return at_zero
        return (at_zero + len(others) * self.outputs(x, batch_size, views=others)) / len(self.views)

    def _inputs(self, x) -> np.ndarray:
        """Prepared inputs as (n, size, size) uint8, checked."""
        x = np.asarray(x)
        if x.ndim == 2:
            x = x[None]
        if x.ndim == 4:
            x = x[..., 0]
        if x.dtype != np.uint8:
            raise ValueError(f"model inputs are uint8 images as preprocess() makes them, got {x.dtype}")
        if x.shape[1:] != (self.input_size, self.input_size):
            raise ValueError(f"{self.name} reads {self.input_size}x{self.input_size} images, got "
                             f"{'x'.join(map(str, x.shape[1:]))}: prepare them with this model (Model.prepare), "
                             "or synthesize the store again with --size " + str(self.input_size))
        return x

    def outputs(self, x, batch_size: int = 512, views=None) -> np.ndarray:
        """The network's raw outputs for prepared uint8 inputs (for a jamo or hybrid head, its jamo and
        syllable softmaxes side by side), averaged over the views; :meth:`probabilities` turns them into
        :meth:`predict`'s answer. ``views``: other shears than the model's own (e.g. all but 0, to add
        to outputs at one view already in hand: the mean over all is a weighted mean of the two)."""
        views = self.views if views is None else check_views(views, self.path)
        x = self._inputs(x)
        out = []
        n_views = len(views)
        step = max(1, batch_size // n_views)
        for i in range(0, len(x), step):
            b = x[i : i + step]
            if n_views > 1 or views[0] != 0.0:  # all views in one call: (views x images) -> mean over views
                b = np.concatenate([sheared(b, s) for s in views])
            b = np.ascontiguousarray(b[..., None])
            if self._legacy_float_input:
                b = b.astype(np.float32) * np.float32(1.0 / 255.0)
            y = self.engine(b)
            out.append(y.reshape(n_views, -1, y.shape[-1]).mean(axis=0) if n_views > 1 else y)
        return np.concatenate(out) if out else np.zeros((0, self.engine.num_outputs), np.float32)

    def probabilities(self, outputs: np.ndarray) -> np.ndarray:
        """Raw outputs -> probabilities over the label space: the head's combination, then the temperature."""
        probs = outputs
        if self.head == "jamo":
            probs = syllables_from_jamo(outputs)
        elif self.head == "hybrid":
            probs = syllables_from_hybrid(outputs, self.rare_weight, self.jamo_mix)
        if self._columns is not None:
            full = np.zeros((len(probs), len(self.label_space)), np.float32)
            full[:, self._columns] = probs
            probs = full
        if self.temperature != 1.0:
            from .calibration import apply_temperature

            probs = apply_temperature(probs, self.temperature)
        return probs


def top_indices(probs: np.ndarray, k: int) -> np.ndarray:
    """The indices of the ``k`` largest of one row of probabilities, largest first (ties: the lower
    index first). For a few of many classes, ``k`` arg-max passes are ~10x faster than an
    ``argpartition`` of the whole row (reading a word ranks ~20 rows of 11,172)."""
    probs = np.asarray(probs)
    k = min(int(k), len(probs))
    if len(probs) < 64 or k == len(probs):  # few classes (digits): sorting is as fast
        return np.argsort(-probs, kind="stable")[:k]
    if k > 8:  # many wanted: those at least the k-th largest (ties included), sorted, as a full sort ranks them.
        # A row of 11,172 holds few distinct values (the rarer syllables' jamo products repeat), which makes a
        # partition of the whole row slow (~1 ms): the k largest are among those near the largest, found first.
        largest = probs.max()
        for share in (1e-4, 1e-8):
            near = np.flatnonzero(probs >= largest * share)  # ascending, so ties stay in index order
            if len(near) >= k:
                break
        else:
            near = np.arange(len(probs))
        values = probs[near]
        chosen = near[values >= np.partition(values, len(values) - k)[len(values) - k]]
        return chosen[np.argsort(-probs[chosen], kind="stable")][:k]
    rest = np.array(probs, dtype=np.float64)  # a copy: the chosen ones are struck out
    out = np.empty(k, np.intp)
    for i in range(k):
        out[i] = j = int(rest.argmax())
        rest[j] = -np.inf
    return out


MAX_VIEWS = 9
MAX_SHEAR = 0.5


def check_views(views, path=None) -> tuple[float, ...]:
    """Test-time views as a tuple of shears; a clear error for anything else."""
    where = f"{path}: " if path else ""
    try:
        out = tuple(float(v) for v in views)
    except (TypeError, ValueError):
        raise ModelError(f"{where}views must be a list of shears (numbers), got {views!r}") from None
    if not 1 <= len(out) <= MAX_VIEWS or not all(np.isfinite(v) and abs(v) <= MAX_SHEAR for v in out):
        raise ModelError(f"{where}views: 1 to {MAX_VIEWS} shears, each within ±{MAX_SHEAR}, got {views!r}")
    return out


def sheared(x: np.ndarray, shear: float) -> np.ndarray:
    """Images (n, h, w) sheared about their centre, x' = x + shear (y - h/2): a slant to the right
    for positive ``shear``; the images themselves for 0."""
    if shear == 0.0:
        return x
    import cv2

    h, w = x.shape[1:3]
    m = np.float32([[1.0, shear, -shear * h / 2.0], [0.0, 1.0, 0.0]])
    return np.stack([cv2.warpAffine(im, m, (w, h), flags=cv2.INTER_LINEAR, borderValue=0) for im in x])


JAMO_WIDTH = 19 + 21 + 28
COMMON = 2350
# Heads whose outputs are not one per class (model_builders.heads; repeated here so prediction needs no Keras).
HEAD_WIDTHS = {"jamo": JAMO_WIDTH, "hybrid": COMMON + JAMO_WIDTH}


def syllables_from_jamo(jamo: np.ndarray) -> np.ndarray:
    """(n, 68) initial | vowel | final probabilities -> (n, 11172) syllable probabilities in
    hangul-11172 order: p(syllable) = p(initial) p(vowel) p(final), a distribution because every
    combination is a syllable."""
    initial, vowel, final = jamo[:, :19], jamo[:, 19:40], jamo[:, 40:]
    return (initial[:, :, None, None] * vowel[:, None, :, None] * final[:, None, None, :]).reshape(len(jamo), -1)


def syllables_from_hybrid(out: np.ndarray, rare_weight: float = 1.0, jamo_mix: float = 0.0) -> np.ndarray:
    """(n, 2418) syllable softmax over the 2350 | jamo -> (n, 11172) probabilities in hangul-11172
    order. The jamo product ranks all syllables and gives the mass m of the 8,822 rarer ones; the
    syllable softmax shares the rest among the 2350 KS X 1001 syllables:
    p(s) = (1 - m) p_syllable(s) for the 2350, p_jamo(s) for the others; with ``rare_weight`` w
    (fitted on validation data, see :func:`handpad.calibration.fit_rare_weight`) the rarer ones' share
    is weighed by w and the whole renormalized: w m / (w m + 1 - m) goes to them.

    ``jamo_mix`` b (0 to 1; fitted on validation data, :func:`handpad.calibration.fit_jamo_mix`): the
    2350's share follows p_syllable(s)^(1-b) p_jamo(s)^b renormalized over them instead of p_syllable
    alone, so the jamo heads also have a say among the common syllables (a product of experts)."""
    from .labels import space_map

    probs = syllables_from_jamo(out[:, COMMON:])
    common = space_map("hangul-ksx1001", "hangul-11172")
    kept = np.clip(probs[:, common].sum(axis=1, keepdims=True), 0.0, 1.0)  # 1 - m
    syllable = out[:, :COMMON]
    if jamo_mix:
        log = (1.0 - jamo_mix) * np.log(np.maximum(syllable, 1e-30)) + jamo_mix * np.log(np.maximum(probs[:, common], 1e-30))
        syllable = np.exp(log - log.max(axis=1, keepdims=True))
        syllable /= syllable.sum(axis=1, keepdims=True)
    probs *= np.float32(rare_weight)
    probs[:, common] = kept * syllable
    probs /= np.maximum(probs.sum(axis=1, keepdims=True), 1e-30)
    return probs


def _space_of(meta: dict, path) -> tuple[LabelSpace, np.ndarray | None]:
    """The file's label space, and (for files from before label spaces) where its outputs go in it."""
    labels = list(meta["labels"])
    try:
        if meta.get("label_space"):
            space = label_space(meta["label_space"])
            if labels != list(space.labels):
                raise ModelError(f"{path}: its labels are not those of its label space {space.name!r}; re-save it")
            return space, None
        space = space_for_labels(labels, str(path))
    except LabelError as e:
        raise ModelError(str(e)) from None
    columns = space.indices(labels)
    return space, (None if np.array_equal(columns, np.arange(len(space))) else columns)


# -- saving -------------------------------------------------------------------------------------
def save_model(model, path, label_space_or_name, config: PreprocessConfig, **extra) -> Path:
    """Save a Keras ``model`` (weights only, no optimizer state) with its label space, preprocessing
    and its LiteRT graph, atomically. Its outputs must be the whole label space."""
    space = label_space(label_space_or_name)
    path = Path(path)
    width = HEAD_WIDTHS.get(extra.get("head"), len(space))
    if width != model.output_shape[-1]:
        raise ModelError(f"{len(space)} labels in {space.name!r} for a model with {model.output_shape[-1]} outputs")
    meta = {"label_space": space.name, "labels": list(space.labels), "preprocess": config.to_dict(),
            "input": "uint8", **extra}
    return write_model_file(model, path, meta)


def write_model_file(model, path, meta: dict) -> Path:
    """A Keras ``model`` (weights only) with ``meta`` as its handpad.json and its LiteRT graph
    (``meta["lite_weights"]``, default int8), written atomically to ``path``."""
    import keras

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    # A fresh, uncompiled copy keeps optimizer state out of the shipped file (a third of the size).
    clean = keras.models.clone_model(model)
    clean.set_weights(model.get_weights())
    meta = dict(meta)
    meta.setdefault("lite_weights", LITE_WEIGHTS[0])
    lite = to_tflite(clean, meta["lite_weights"])
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.stem}.", suffix=".keras")
    os.close(fd)
    try:
        clean.save(tmp)
        _repack(tmp, path, meta, lite)
    finally:
        Path(tmp).unlink(missing_ok=True)
    return path


def update_metadata(path, **changes) -> None:
    """Rewrite the file's handpad.json with ``changes`` (e.g. metrics measured after saving), atomically."""
    meta, lite = read_entries(path)
    _repack(path, path, {**meta, **changes}, lite)


def _repack(src, dest, meta: dict, lite: bytes | None) -> None:
    # Deflated: Keras stores its HDF5 weights uncompressed, and they are mostly padding for models with
    # many small layers (the digits model shrinks from 8 MB to 3 MB).
    dest = Path(dest)
    fd, packed = tempfile.mkstemp(dir=dest.parent, prefix=f".{dest.stem}.", suffix=".zip")
    os.close(fd)
    try:
        with zipfile.ZipFile(src) as z_in, zipfile.ZipFile(packed, "w", zipfile.ZIP_DEFLATED) as z_out:
            for info in z_in.infolist():
                if info.filename not in (META_ENTRY, LITE_ENTRY):
                    z_out.writestr(info.filename, z_in.read(info.filename))
            z_out.writestr(META_ENTRY, json.dumps(meta, ensure_ascii=False, indent=1))
            if lite is not None:
                z_out.writestr(LITE_ENTRY, lite)
        os.chmod(packed, 0o644)
        os.replace(packed, dest)
    finally:
        Path(packed).unlink(missing_ok=True)


def to_tflite(model, weights: str = LITE_WEIGHTS[0]) -> bytes | None:
    """The inference graph as a TFLite flatbuffer (augmentation layers are no-ops there).

    ``weights``: ``int8`` (default) stores 8-bit weights and LiteRT quantizes activations on the fly
    ("dynamic range"): on the 2-core AVX2 CPU one Hangul prediction took 0.78 ms against float16's
    1.31 ms, top-1 on 2,000 validation samples 84.80% against 84.95% (``bench/quantized_latency.py``).
    ``float16`` stores float16 weights (LiteRT computes in float32); on 1000 pen-drawn digits it
    changed 2 top-1 answers against the float32 Keras model. Every figure handpad reports is
    measured through this graph, as users get it.
    """
    import tensorflow as tf

    if weights not in LITE_WEIGHTS:
        raise ValueError(f"weights must be one of {', '.join(LITE_WEIGHTS)}, not {weights!r}")
    try:
        with contextlib.redirect_stdout(io.StringIO()):  # the converter prints its export summary
            converter = tf.lite.TFLiteConverter.from_keras_model(model)
            converter.optimizations = [tf.lite.Optimize.DEFAULT]
            if weights == "float16":
                converter.target_spec.supported_types = [tf.float16]
            return converter.convert()
    except Exception as e:  # the converter is optional: Keras inference still works
        import warnings

        warnings.warn(f"could not add a TFLite graph to the model file ({type(e).__name__}: {e}); prediction will use Keras")
        return None


def rebuild_graph(src, weights: str = LITE_WEIGHTS[0], dest=None) -> Path:
    """Make a model file's LiteRT graph again from its Keras weights with ``weights`` (int8 or
    float16), metadata kept; written atomically to ``dest`` (default: ``src``). Calibrate after it:
    the temperature belongs to the graph users run."""
    if weights not in LITE_WEIGHTS:  # before loading the network
        raise ValueError(f"weights must be one of {', '.join(LITE_WEIGHTS)}, not {weights!r}")
    src = resolve_model_path(src)
    dest = Path(dest) if dest else src
    meta, _ = read_entries(src)
    lite = to_tflite(_load_keras(src), weights)
    if lite is None:
        raise ModelError(f"{src}: its network could not be converted to a LiteRT graph")
    if dest != src:
        shutil.copyfile(src, dest)
    _repack(dest, dest, {**meta, "lite_weights": weights}, lite)
    return dest


CALIBRATION_KEYS = ("temperature", "calibration", "rare_weight", "rare_weight_fit", "jamo_mix", "jamo_mix_fit", "metrics")


def average_weights(sources, dest) -> Path:
    """A "model soup": one network whose every weight is the mean of the ``sources`` files' (same
    architecture and label space), saved to ``dest`` with the first file's metadata and LiteRT weight
    kind. Worth it for runs fine-tuned from a common start (a run and the one it continued): the
    mean lands between them in weight space and often keeps the strengths of both; weights of
    unrelated runs average to a useless network. Calibration and figures are dropped: calibrate the
    result (:mod:`handpad.calibration`), then measure it."""
    paths = [resolve_model_path(s) for s in sources]
    if len(paths) < 2:
        raise ValueError("average_weights needs at least two model files")
    metas = [read_entries(p)[0] for p in paths]
    same = ("label_space", "architecture", "arch_options", "head")

    def shape_of(meta: dict, key: str):  # the warp and the squeeze act in training only and have no weights
        value = meta.get(key)
        return {k: v for k, v in value.items() if k not in ("elastic", "squeeze")} if key == "arch_options" and value else value

    for p, m in zip(paths[1:], metas[1:]):
        differ = [k for k in same if shape_of(m, k) != shape_of(metas[0], k)]
        if differ:
            raise ModelError(f"{p}: its {', '.join(differ)} differ from {paths[0]}'s; only networks of one "
                             "architecture and label space can be averaged")
    networks = [_load_keras(p) for p in paths]
    weights = [n.get_weights() for n in networks]
    model = networks[0]
    model.set_weights([np.mean(ws, axis=0).astype(ws[0].dtype) for ws in zip(*weights)])
    meta = metas[0]
    extra = {k: v for k, v in meta.items()
             if k not in ("labels", "label_space", "preprocess", "input", *CALIBRATION_KEYS)}
    extra["averaged_from"] = [str(p) for p in paths]
    return save_model(model, dest, meta["label_space"], PreprocessConfig.from_dict(meta.get("preprocess")), **extra)


def ensemble_models(sources, dest) -> Path:
    """One model file whose network runs every ``sources`` network on the same input and answers the
    mean of their probabilities (same label space, input and head; any architectures). Independent
    runs make different mistakes, so the mean is usually right more often than either, at the cost
    of running them all. Metadata of the first file, its calibration dropped (calibrate the result).
    A source that is itself an ensemble gives its members, so every network counts once in the mean
    (adding one network to a five-network file makes six equal members, not a half and five tenths)."""
    import keras

    paths = [resolve_model_path(s) for s in sources]
    if len(paths) < 2:
        raise ValueError("ensemble_models needs at least two model files")
    metas = [read_entries(p)[0] for p in paths]
    for p, m in zip(paths[1:], metas[1:]):
        differ = [k for k in ("label_space", "preprocess", "head") if m.get(k) != metas[0].get(k)]
        if differ:
            raise ModelError(f"{p}: its {', '.join(differ)} differ from {paths[0]}'s; an ensemble's members must "
                             "answer over the same labels from the same input")
    networks, members = [], []
    for p, m in zip(paths, metas):
        network = _load_keras(p)
        if m.get("architecture") == "ensemble":  # its member networks, each with the record it was saved with
            inner = [layer for layer in network.layers if isinstance(layer, keras.Model)]
            if len(inner) != len(m.get("members", [])):
                raise ModelError(f"{p}: an ensemble whose graph holds {len(inner)} networks but whose metadata "
                                 f"names {len(m.get('members', []))}; rebuild it with ensemble_models")
            networks += inner
            members += m["members"]
        else:
            networks.append(network)
            members.append({"file": str(p), "architecture": m.get("architecture"),
                            "arch_options": m.get("arch_options", {}),
                            **{k: m[k] for k in ("train_samples", "training_seconds", "metrics") if k in m}})
    image = keras.Input(networks[0].input_shape[1:], dtype="uint8", name="image")
    answers = []
    for i, network in enumerate(networks):
        network.name = f"member{i}"  # nested models need distinct names
        answers.append(network(image))
    model = keras.Model(image, keras.layers.Average(dtype="float32", name="mean")(answers), name="ensemble")
    meta = metas[0]
    extra = {k: v for k, v in meta.items()
             if k not in ("labels", "label_space", "preprocess", "input", "architecture", "arch_options", "params",
                          "train_samples", "training_seconds", "metrics", *CALIBRATION_KEYS)}
    # what each member was trained on stays with it; the ensemble's own test figures come from evaluating it
    extra.update(architecture="ensemble", members=members, params=int(model.count_params()))
    if all("training_seconds" in m for m in members):
        extra["training_seconds"] = round(sum(float(m["training_seconds"]) for m in members), 1)
    return save_model(model, dest, meta["label_space"], PreprocessConfig.from_dict(meta.get("preprocess")), **extra)


def migrate_model_file(src, dest=None) -> Path:
    """Re-save a model file from before label spaces and uint8 inputs in today's format: the same
    architecture and weights, rebuilt with its ``Rescaling`` first layer, its label space recorded,
    its other metadata (metrics, training time, ...) kept. Returns ``dest`` (default: ``src``)."""
    from . import model_builders

    src = Path(src)
    dest = Path(dest) if dest else src
    meta, _ = read_entries(src)
    space, columns = _space_of(meta, src)
    if columns is not None:
        raise ModelError(f"{src}: its outputs are a part of {space.name!r}; it loads as it is, but cannot be "
                         "re-saved over the whole space without retraining")
    old = _load_keras(src, upgrade=False)
    if old.inputs[0].dtype == "uint8" and meta.get("label_space"):
        return src if dest == src else Path(_copy(src, dest))
    try:
        new = model_builders.build(meta["architecture"], len(space), old.input_shape[1:], **meta.get("arch_options", {}))
        new.set_weights(old.get_weights())
    except (KeyError, ValueError):  # unknown or since-changed architecture: keep the old network, scaled in front
        new = _load_keras(src, upgrade=True)
    extra = {k: v for k, v in meta.items() if k not in ("labels", "label_space", "preprocess", "input")}
    return save_model(new, dest, space, PreprocessConfig.from_dict(meta.get("preprocess")), **extra)


def _copy(src: Path, dest: Path) -> Path:
    import shutil

    shutil.copyfile(src, dest)
    return dest
