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


def _count(path: Path) -> int:
    from .store import load_store

    return len(load_store(path))


def _available_memory() -> int | None:
    """Bytes the system can still give (Linux: MemAvailable), or None where that is not known."""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return None


def _check_memory(n: int, width: int, stores) -> None:
    """Refuse, before minutes of work, a refit whose features cannot fit in memory: they are held
    once, and Keras holds a second copy while fitting (measured: 1.36M samples of 1,024 features
    were killed on a 24 GiB machine)."""
    need = 2 * n * width * 4 + n * 4 * 8
    free = _available_memory()
    if free is not None and need > 0.85 * free:
        raise HandpadError(f"refit: {n:,} samples need about {need / 2**30:.1f} GiB for their features, and "
                           f"{free / 2**30:.1f} GiB are free; take fewer with STORE:N (e.g. {parse_store_spec(stores[0])[0]}:"
                           f"{max(1000, int(n * 0.85 * free / need / len(stores)))})")


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
    t0 = time.perf_counter()
    # First the samples each store gives (STORE:N draws N) and the training order, then the features,
    # written straight to their place in that order: one features array, never a copy of it.
    picks = []
    for spec in cfg.stores:
        path, limit = parse_store_spec(spec)
        count = _count(path)
        keep = np.sort(rng.choice(count, limit, replace=False)) if limit is not None and limit < count else None
        picks.append((path, count, keep))
    n, width = sum(count if keep is None else len(keep) for _, count, keep in picks), int(features.output_shape[-1])
    order = rng.permutation(n)
    _check_memory(n, width, cfg.stores)
    place = np.empty(n, np.int64)
    place[order] = np.arange(n)  # sample j of the stores, one after another, is row place[j] of x
    x = np.empty((n, width), np.float32)
    y = np.empty(n, np.int64)
    used, start = [], 0
    for path, count, keep in picks:
        images, labels = evaluation_data(path, model)
        if len(labels) != count:
            raise HandpadError(f"{path}: {len(labels)} samples where its manifest says {count}; is the store complete?")
        if keep is not None:
            images, labels = images[keep], labels[keep]
        for i in tqdm(range(0, len(labels), 512), desc=f"features of {path.name}", unit="batch", disable=not cfg.progress):
            rows = place[start + i : start + min(i + 512, len(labels))]
            x[rows] = features(np.ascontiguousarray(images[i : i + 512, ..., None]), training=False).numpy()
        y[place[start : start + len(labels)]] = labels
        start += len(labels)
        used.append({"store": str(path), "samples": int(len(labels))})
    targets = [y // (21 * 28), (y // 28) % 21, y % 28]

    inputs = keras.Input((x.shape[1],))
    heads = keras.Model(inputs, [keras.layers.Dense(network.get_layer(n).units, activation="softmax", name=n)(inputs)
                                 for n in JAMO_HEADS])
    for n in JAMO_HEADS:
        heads.get_layer(n).set_weights(network.get_layer(n).get_weights())
    heads.compile(optimizer=keras.optimizers.Adam(cfg.learning_rate), loss=["sparse_categorical_crossentropy"] * 3)
    history = heads.fit(x, targets, batch_size=cfg.batch_size, epochs=cfg.epochs, verbose=2 if cfg.progress else 0)
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
