"""``handpad refit``: teach a hybrid Hangul model more syllables outside the 2350, cheaply.

A hybrid model (``model_builders.heads``) ranks the 8,822 rarer syllables by the product of three
small jamo softmaxes (initial, vowel, final) on its features. Those heads learn from whatever the
training data holds, and that is mostly the 2350 common syllables: combinations that occur only
in rarer syllables (ㅒ over ㄼ, …) are seen little. Refitting only the three heads on frozen
features is minutes, not hours, and leaves the network and its syllable softmax as they are (the
2350's answers move only through the rarer syllables' share).

Pipeline, top to bottom:

1. load the model (a hybrid head is required) and the stores, each optionally limited to a
   random sample (``STORE:N``); their labels mapped into ``hangul-11172``,
2. compute the features the heads see (the input of the ``initial`` layer) once, in inference
   mode (no warp, no dropout),
3. fit copies of the three jamo heads on them, starting from their weights (Adam, a few epochs:
   more overfits the features of samples the network has seen),
4. write the new file; its temperature is reset to 1 (the old one was fitted on other heads):
   calibrate it again with ``handpad calibrate ... --rare`` (rare weight, then temperature).
"""
from __future__ import annotations

import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .errors import HandpadError

JAMO_HEADS = ("initial", "vowel", "final")


@dataclass
class RefitConfig:
    """One refit: the one place of its defaults and checks (the CLI builds one from its flags)."""

    model: str
    stores: list[str] = field(default_factory=list)  # "PATH" or "PATH:N" (a random sample of N)
    out: str = ""
    epochs: int = 3
    learning_rate: float = 3e-4
    batch_size: int = 256
    seed: int = 0
    progress: bool = True

    def __post_init__(self):
        if not self.stores:
            raise HandpadError("refit: give at least one training store")
        if not self.out or not str(self.out).endswith(".keras"):
            raise HandpadError(f"--out {self.out!r}: the new model file name must end in .keras")
        if self.epochs < 1 or self.batch_size < 1 or not self.learning_rate > 0:
            raise HandpadError("--epochs and --batch-size must be at least 1, --lr above 0")
        for spec in self.stores:
            parse_store_spec(spec)


def parse_store_spec(spec: str) -> tuple[Path, int | None]:
    """``PATH`` or ``PATH:N`` -> (path, N or None)."""
    path, sep, n = str(spec).rpartition(":")
    if sep and n.isdigit() and path:
        if int(n) < 1:
            raise HandpadError(f"{spec}: the sample size after ':' must be at least 1")
        return Path(path), int(n)
    return Path(spec), None


def refit_jamo_heads(cfg: RefitConfig) -> dict:
    """Refit the three jamo heads of ``cfg.model`` on ``cfg.stores``; write ``cfg.out``; return a report."""
    import keras
    from tqdm.auto import tqdm

    from .evaluation import evaluation_data
    from .model import Model, write_model_file

    model = Model.load(cfg.model, engine="keras")
    if model.head != "hybrid":
        raise HandpadError(f"{model.path}: refit teaches the jamo heads of a hybrid model; this one's head is {model.head}")
    network = model.keras_model
    features = keras.Model(network.input, network.get_layer("initial").input)
    rng = np.random.default_rng(cfg.seed)
    xs, ys, used = [], [], []
    t0 = time.perf_counter()
    for spec in cfg.stores:
        path, limit = parse_store_spec(spec)
        images, labels = evaluation_data(path, model)
        if limit is not None and limit < len(labels):
            keep = np.sort(rng.choice(len(labels), limit, replace=False))
            images, labels = images[keep], labels[keep]
        out = [features(np.ascontiguousarray(images[i : i + 512, ..., None]), training=False).numpy()
               for i in tqdm(range(0, len(labels), 512), desc=f"features of {path.name}", unit="batch",
                             disable=not cfg.progress)]
        xs.append(np.concatenate(out).astype(np.float32))
        ys.append(labels.astype(np.int64))
        used.append({"store": str(path), "samples": int(len(labels))})
    x, y = np.concatenate(xs), np.concatenate(ys)
    targets = [y // (21 * 28), (y // 28) % 21, y % 28]

    inputs = keras.Input((x.shape[1],))
    heads = keras.Model(inputs, [keras.layers.Dense(network.get_layer(n).units, activation="softmax", name=n)(inputs)
                                 for n in JAMO_HEADS])
    for n in JAMO_HEADS:
        heads.get_layer(n).set_weights(network.get_layer(n).get_weights())
    heads.compile(optimizer=keras.optimizers.Adam(cfg.learning_rate), loss=["sparse_categorical_crossentropy"] * 3)
    order = rng.permutation(len(y))
    history = heads.fit(x[order], [t[order] for t in targets], batch_size=cfg.batch_size, epochs=cfg.epochs,
                        verbose=2 if cfg.progress else 0)
    for n in JAMO_HEADS:
        network.get_layer(n).set_weights(heads.get_layer(n).get_weights())

    meta = {k: v for k, v in model.meta.items() if k not in ("calibration", "rare_weight_fit", "one_view")}
    meta["temperature"] = 1.0  # fitted on the old heads: calibrate again
    meta["jamo_heads_refit"] = {"from": str(model.path), "stores": used, "epochs": cfg.epochs,
                                "learning_rate": cfg.learning_rate, "batch_size": cfg.batch_size, "seed": cfg.seed,
                                "loss": round(float(history.history["loss"][-1]), 4)}
    write_model_file(network, cfg.out, meta)
    seconds = time.perf_counter() - t0
    if cfg.progress:
        print(f"refit the jamo heads on {len(y):,} samples in {seconds:.0f} s", file=sys.stderr)
    return {"samples": int(len(y)), "seconds": round(seconds, 1), "out": str(cfg.out), "stores": used}
