"""The box verifier: is this piece of a line exactly one syllable (or one digit)?

Reading a line (:mod:`handpad.reading`) has to decide where one syllable ends and the next begins.
Shapes leave tightly written lines open (neighbours touch or interleave), and the recognizer does
not settle them: it reads half a syllable, or two squeezed together, with confidence. The verifier
is a small CNN trained for that question alone, on the boxes that the segmentation itself proposes
for synthetic lines of training faces: a box on one character is "one", a half, a pair or a box
straddling two is "not one". Its -log P(one) joins the shape cost and the recognizer's -log(top-1)
when the groupings are decided.

    >>> v = BoxVerifier.load("models/verifier-hangul.keras")
    >>> v.proba(prepared)            # uint8 (n, 60, 60), the model's own preprocessing -> P(one), (n,)

The pipeline, top to bottom: :func:`box_examples` (lines -> proposed boxes -> the one preprocessing
-> labels by overlap with the true boxes), :func:`train_verifier` (the registry's ``cnn``, two
classes, split by line), :func:`save_verifier` (a ``.keras`` file with its LiteRT graph, as every
handpad model), :class:`BoxVerifier` (what reading runs). ``models/train_verifier.py`` runs it all.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .errors import ModelError, NothingDrawnError
from .preprocess import PreprocessConfig, preprocess

ROLE = "box-verifier"
OUTPUTS = ("not one", "one")
POSITIVE_IOU = 0.75  # a proposed box overlapping a true character's box this much is that character
NEGATIVE_IOU = 0.5  # ... and below this with every character it is not one (between: left out)
PROPOSAL_MARGIN = 3.0  # boxes on groupings costing up to this much more than the shapes' best


# -- examples -----------------------------------------------------------------------------------------


def box_examples(lines, kind: str = "hangul", config: PreprocessConfig | None = None, strokes: bool = False,
                 margin: float = PROPOSAL_MARGIN, progress: bool = True):
    """Boxes the segmentation proposes for each line of a line set, preprocessed, with labels.

    ``lines``: a :class:`handpad.sources.lines.LineSet` (or any sequence of its samples);
    ``strokes``: propose from the lines' strokes instead of their images. Returns ``(x, y, line)``:
    uint8 (n, size, size) inputs, 1 = one character / 0 = not one, and each example's line index
    (to split by line, never inside one).
    """
    from tqdm.auto import tqdm

    from . import reading
    from .evaluation import box_iou
    from .preprocess import PRESETS

    config = config or PRESETS[kind]
    xs, ys, where = [], [], []
    for li, sample in enumerate(tqdm(lines, desc="proposed boxes", unit="line", disable=not progress)):
        source = {"strokes": sample.strokes} if strokes else {"image": sample.image()}
        lay = reading.layout(**source, kind=kind)
        for i, j in lay.near(margin):
            box = lay.box(i, j)
            best = max((box_iou(box, t) for t in sample.boxes), default=0.0)
            if NEGATIVE_IOU <= best < POSITIVE_IOU:
                continue
            try:
                xs.append(preprocess(lay.crop(i, j), config=config, ink="auto"))
            except NothingDrawnError:
                continue
            ys.append(int(best >= POSITIVE_IOU))
            where.append(li)
    size = config.size
    return (np.stack(xs) if xs else np.zeros((0, size, size), np.uint8), np.array(ys, np.int64),
            np.array(where, np.int64))


# -- training -----------------------------------------------------------------------------------------


def train_verifier(x, y, groups, out, epochs: int = 8, batch_size: int = 128, val_fraction: float = 0.1,
                   seed: int = 0, width: int = 16, dense: int = 64, kind: str = "hangul",
                   config: PreprocessConfig | None = None, verbose: int = 2, elastic: float = 0.0) -> dict:
    """Train the verifier (the registry's ``cnn``, two outputs) on :func:`box_examples`' output,
    keeping ``val_fraction`` of the lines aside; save the epoch best on them to ``out``. Returns
    the validation figures (accuracy, and the share of "one" / "not one" boxes told right).
    ``elastic``: the front end's smooth warp, in pixels (0: none)."""
    import keras
    import tensorflow as tf
    from sklearn.model_selection import GroupShuffleSplit

    from .model_builders import build
    from .preprocess import PRESETS

    config = config or PRESETS[kind]
    x, y, groups = np.asarray(x), np.asarray(y), np.asarray(groups)
    if len(np.unique(y)) < 2:
        raise ValueError("the examples hold one class only: propose boxes on more (or more tightly spaced) lines")
    train_idx, val_idx = next(GroupShuffleSplit(1, test_size=val_fraction, random_state=seed).split(x, y, groups))
    keras.utils.set_random_seed(seed)
    model = build("cnn", 2, input_shape=(config.size, config.size, 1), width=width, dense=dense, elastic=elastic)
    model.compile(optimizer=keras.optimizers.Adam(1e-3), loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    # Balanced: a line proposes more wrong boxes than right ones.
    counts = np.bincount(y[train_idx], minlength=2)
    class_weight = {c: len(train_idx) / (2.0 * max(counts[c], 1)) for c in (0, 1)}

    def dataset(idx, shuffle):
        ds = tf.data.Dataset.from_tensor_slices((x[idx][..., None], y[idx]))
        if shuffle:
            ds = ds.shuffle(min(len(idx), 50_000), seed=seed)
        return ds.batch(batch_size).prefetch(tf.data.AUTOTUNE)

    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    best = out.with_suffix(".best.weights.h5")
    model.fit(dataset(train_idx, True), validation_data=dataset(val_idx, False), epochs=epochs,
              class_weight=class_weight, verbose=verbose, shuffle=False,  # shuffled by tf.data
              callbacks=[keras.callbacks.ModelCheckpoint(best, monitor="val_accuracy", mode="max",
                                                         save_best_only=True, save_weights_only=True)])
    model.load_weights(best)
    best.unlink(missing_ok=True)
    p = model.predict(x[val_idx][..., None], batch_size=512, verbose=0)[:, 1]
    yv = y[val_idx]
    metrics = {"val_lines": int(len(np.unique(groups[val_idx]))), "val_boxes": int(len(val_idx)),
               "val_accuracy": float(np.mean((p >= 0.5) == yv)),
               "val_one_right": float(np.mean(p[yv == 1] >= 0.5)) if (yv == 1).any() else None,
               "val_not_one_right": float(np.mean(p[yv == 0] < 0.5)) if (yv == 0).any() else None,
               "train_boxes": int(len(train_idx)), "train_one_share": float(np.mean(y[train_idx]))}
    save_verifier(model, out, kind, config, metrics=metrics)
    return metrics


def save_verifier(model, path, kind: str, config: PreprocessConfig, **extra) -> Path:
    """Save the network with its LiteRT graph and what it is (``handpad.json``), atomically."""
    from .model import write_model_file

    meta = {"role": ROLE, "kind": kind, "outputs": list(OUTPUTS), "preprocess": config.to_dict(), "input": "uint8",
            **extra}
    return write_model_file(model, path, meta)


# -- using it ---------------------------------------------------------------------------------------


@dataclass
class BoxVerifier:
    """A trained verifier: P(one character) for boxes prepared with ``preprocess_config``."""

    engine: object
    kind: str
    preprocess_config: PreprocessConfig
    path: Path | None = None

    @classmethod
    def load(cls, path) -> "BoxVerifier":
        from .model import _KerasEngine, _LiteEngine, _lite_available, _load_keras, read_entries

        path = Path(path)
        if not path.is_file():
            raise ModelError(f"{path}: verifier file not found")
        meta, lite = read_entries(path)
        if meta.get("role") != ROLE:
            raise ModelError(f"{path}: not a box verifier (its handpad.json says role={meta.get('role')!r}); "
                             "train one with models/train_verifier.py")
        config = PreprocessConfig.from_dict(meta.get("preprocess"))
        engine = _LiteEngine(lite, path) if lite is not None and _lite_available() else _KerasEngine(_load_keras(path))
        if engine.num_outputs != len(OUTPUTS):
            raise ModelError(f"{path}: a verifier has {len(OUTPUTS)} outputs, this file's network {engine.num_outputs}")
        return cls(engine, meta.get("kind", "hangul"), config, path)

    def prepare(self, image) -> np.ndarray:
        return preprocess(image, config=self.preprocess_config, ink="auto")

    def proba(self, prepared) -> np.ndarray:
        """P(one character) for uint8 inputs (n, size, size) made with :attr:`preprocess_config`."""
        x = np.ascontiguousarray(np.asarray(prepared, np.uint8)[..., None])
        if not len(x):
            return np.zeros(0, np.float32)
        return self.engine(x)[:, 1]


def shipped_verifier_path(kind: str) -> Path | None:
    """``verifier-KIND.keras`` in the shipped models' folders (:func:`handpad.shipped.models_dirs`), or None."""
    from .shipped import models_dirs

    for d in models_dirs():
        path = d / f"verifier-{kind}.keras"
        if path.is_file():
            return path
    return None


@functools.lru_cache(maxsize=4)
def shipped_verifier(kind: str) -> BoxVerifier | None:
    """The shipped verifier of a kind (loaded once), or None where none is shipped."""
    path = shipped_verifier_path(kind)
    return BoxVerifier.load(path) if path is not None else None
