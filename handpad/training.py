"""``handpad train``: dataset store -> trained model file, resumable, with a learning curve.

Pipeline: open the store (memory-mapped) -> stratified train/validation/test split (or
explicit stores) -> ``tf.data`` batches -> a registered architecture -> fit with callbacks
(CSV log, best checkpoint, BackupAndRestore for ``--resume``, early stopping, LR on plateau)
-> the best model saved with its labels and preprocessing -> test metrics and a plot.
"""
from __future__ import annotations

import csv
import json
import math
import shutil
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from .errors import HandpadError, ModelError, StoreError
from .preprocess import DIGITS_CONFIG, HANGUL_CONFIG, PreprocessConfig
from .store import Store, load_store

DESCRIPTION = """\
Train a model on a dataset store (made by `handpad convert` or `handpad synth`).

The store is split into train/validation/test (stratified, --seed), or you pass explicit
--val-store/--test-store. Every epoch is checkpointed in the run folder (--out): an
interrupted run continues with --resume, in the same or a later session. At the end the
run folder holds model.keras (best epoch, with its labels), history.csv, learning_curve.png
and test_metrics.json.

examples:
  handpad convert mnist ../shared/data/mnist-10k --out data/mnist
  handpad train data/mnist --arch cnn --epochs 15 --out runs/digits-cnn
  handpad train data/mnist --arch inception --arch-option dense=512 --out runs/digits-inc \\
      --save-to models/digits.keras
  handpad train data/hangul-train --arch inception --out runs/hangul --resume
"""

DEFAULT_LR = 1e-3
OPTIMIZERS = ("adam", "nadam", "sgd", "rmsprop", "adamw")
SCHEDULES = ("plateau", "cosine")
PRECISIONS = ("float32", "mixed_bfloat16")
PRESETS = {"digits": DIGITS_CONFIG, "hangul": HANGUL_CONFIG}


@dataclass
class TrainConfig:
    store: str
    out: str
    arch: str = "cnn"
    arch_options: dict = field(default_factory=dict)
    epochs: int = 20
    batch_size: int = 128
    optimizer: str = "adam"
    learning_rate: float | None = None  # None: 1e-3 for a new run; on --resume, keep the restored rate
    schedule: str = "plateau"  # plateau: halve on a stalled val_loss | cosine: decay to ~0 over --epochs
    val_fraction: float = 0.1
    test_fraction: float = 0.1
    extra_train: list = field(default_factory=list)
    val_store: str | None = None
    test_store: str | None = None
    seed: int = 0
    patience: int = 6
    steps_per_epoch: int | None = None
    time_budget_minutes: float | None = None
    preprocess: str | None = None  # digits | hangul | None (from the store's manifest)
    resume: bool = False
    save_to: str | None = None
    force: bool = False
    verbose: int | None = None
    precision: str = "float32"  # float32 | mixed_bfloat16 (faster on CPUs with AVX512-BF16; saved as float32)


def configure(p) -> None:
    p.add_argument("store", help="dataset store folder to train on")
    p.add_argument("--out", required=True, help="run folder: checkpoints, logs, plots, model.keras")
    p.add_argument("--arch", default="cnn", help="architecture from model_builders (cnn, inception); default cnn")
    p.add_argument("--arch-option", action="append", default=[], metavar="KEY=VALUE",
                   help="architecture option, e.g. width=0.75, dense=512, elastic=false (repeatable)")
    p.add_argument("--epochs", type=int, default=20)
    p.add_argument("--batch-size", type=int, default=128)
    p.add_argument("--optimizer", choices=OPTIMIZERS, default="adam")
    p.add_argument("--lr", type=float, dest="learning_rate",
                   help="learning rate (default 1e-3); with --resume it replaces the restored rate from now on, "
                        "e.g. a 10x lower rate for a final phase")
    p.add_argument("--schedule", choices=SCHEDULES, default="plateau",
                   help="learning-rate schedule: plateau halves the rate when val_loss stalls (default); "
                        "cosine decays it from --lr to near 0 over --epochs (plan the whole run)")
    p.add_argument("--val-fraction", type=float, default=0.1)
    p.add_argument("--test-fraction", type=float, default=0.1)
    p.add_argument("--extra-train", action="append", default=[], metavar="STORE",
                   help="another store added to the training part only, e.g. pen-drawn copies (repeatable)")
    p.add_argument("--val-store", help="explicit validation store (instead of a split)")
    p.add_argument("--test-store", help="explicit test store (instead of a split)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--patience", type=int, default=6, help="early-stopping patience in epochs")
    p.add_argument("--steps-per-epoch", type=int, help="batches per epoch (checkpoint more often on big stores)")
    p.add_argument("--time-budget", type=float, metavar="MINUTES", dest="time_budget_minutes",
                   help="stop after the first epoch that ends past this many minutes (this session); resume later")
    p.add_argument("--precision", choices=PRECISIONS, default="float32",
                   help="mixed_bfloat16 computes in bfloat16 with float32 weights: 1.2-1.4x the samples/s "
                        "on CPUs with AVX512-BF16 (see bench/train_throughput.py); the saved model is float32")
    p.add_argument("--preprocess", choices=sorted(PRESETS), help="preprocessing saved in the model (default: from the store)")
    p.add_argument("--resume", action="store_true", help="continue the interrupted run in --out")
    p.add_argument("--save-to", help="also copy the final model here (e.g. models/digits.keras)")
    p.add_argument("--force", action="store_true", help="with --save-to: replace even a better existing model")


def run(args) -> int:
    cfg = TrainConfig(
        store=args.store, out=args.out, arch=args.arch, arch_options=parse_options(args.arch_option),
        epochs=args.epochs, batch_size=args.batch_size, optimizer=args.optimizer,
        learning_rate=args.learning_rate, schedule=args.schedule, val_fraction=args.val_fraction, test_fraction=args.test_fraction,
        extra_train=args.extra_train, val_store=args.val_store, test_store=args.test_store, seed=args.seed, patience=args.patience,
        steps_per_epoch=args.steps_per_epoch, time_budget_minutes=args.time_budget_minutes, preprocess=args.preprocess, resume=args.resume,
        precision=args.precision, save_to=args.save_to, force=args.force,
    )
    result = train(cfg)
    print(json.dumps(result["test_metrics"], indent=1))
    print(f"model: {result['model_path']}")
    if result.get("shipped"):
        print(result["shipped"])
    return 0


def parse_options(pairs) -> dict:
    out = {}
    for pair in pairs or []:
        if "=" not in pair:
            raise HandpadError(f"--arch-option {pair!r}: expected KEY=VALUE")
        k, v = pair.split("=", 1)
        low = v.lower()
        if low in ("true", "false"):
            out[k] = low == "true"
        else:
            try:
                out[k] = int(v)
            except ValueError:
                try:
                    out[k] = float(v)
                except ValueError:
                    out[k] = v
    return out


def preprocess_config_for(store: Store, name: str | None) -> PreprocessConfig:
    if name:
        return PRESETS[name]
    saved = (store.manifest.get("options") or {}).get("preprocess")
    return PreprocessConfig.from_dict(saved) if saved else HANGUL_CONFIG


def label_map(source: Store, classes: list[str], target: str = "the training store") -> np.ndarray:
    """Map ``source`` label indices onto ``classes`` (by label string); unknown labels are an error.

    Only labels that occur in ``source`` must be in ``classes``; ``target`` names ``classes`` in the error.
    """
    index = {c: i for i, c in enumerate(classes)}
    present = set(np.unique(source.labels).tolist())
    missing = [c for i, c in enumerate(source.classes) if i in present and c not in index]
    if missing:
        more = f" (and {len(missing) - 20} more)" if len(missing) > 20 else ""
        raise StoreError(f"{source.path}: has classes {target} lacks: {' '.join(missing[:20])}{more}")
    return np.array([index.get(c, -1) for c in source.classes], np.int64)


def make_optimizer(name: str, lr: float):
    import keras

    if name == "sgd":
        return keras.optimizers.SGD(lr, momentum=0.9, nesterov=True)
    return {"adam": keras.optimizers.Adam, "nadam": keras.optimizers.Nadam,
            "rmsprop": keras.optimizers.RMSprop, "adamw": keras.optimizers.AdamW}[name](lr)


def train(cfg: TrainConfig) -> dict:
    import keras
    import tensorflow as tf

    import model_builders

    from .data import make_dataset, stack_stores, stratified_split, steps_for
    from .modelio import read_metadata, save_model

    out = Path(cfg.out)
    backup_dir = out / "backup"
    if cfg.resume and not backup_dir.exists():
        raise HandpadError(f"{out}: no checkpoint to resume from (no {backup_dir.name}/ folder); start without --resume")
    if not cfg.resume and out.exists() and any(out.iterdir()):
        raise HandpadError(f"{out}: a run already exists there; continue it with --resume or choose another --out")
    if cfg.arch not in model_builders.list_models():
        raise HandpadError(f"unknown architecture {cfg.arch!r}; choose one of: {', '.join(model_builders.list_models())}")
    if cfg.optimizer not in OPTIMIZERS:
        raise HandpadError(f"unknown optimizer {cfg.optimizer!r}; choose one of: {', '.join(OPTIMIZERS)}")
    if cfg.schedule not in SCHEDULES:
        raise HandpadError(f"unknown schedule {cfg.schedule!r}; choose plateau or cosine")
    if cfg.precision not in PRECISIONS:
        raise HandpadError(f"unknown precision {cfg.precision!r}; choose one of: {', '.join(PRECISIONS)}")
    if cfg.learning_rate is not None and not cfg.learning_rate > 0:
        raise HandpadError(f"--lr must be > 0, got {cfg.learning_rate}")
    rate = cfg.learning_rate or DEFAULT_LR
    out.mkdir(parents=True, exist_ok=True)
    keras.utils.set_random_seed(cfg.seed)

    history_csv = out / "history.csv"
    # 1. Data: the store, memory-mapped; a stratified split unless explicit stores are given.
    store = load_store(cfg.store)
    classes = list(store.classes)
    pconfig = preprocess_config_for(store, cfg.preprocess)
    val_fraction = 0.0 if cfg.val_store else cfg.val_fraction
    test_fraction = 0.0 if cfg.test_store else cfg.test_fraction
    split_file = out / "split.npz"
    if cfg.resume and split_file.exists():
        saved = np.load(split_file)
        train_idx, val_idx, test_idx = saved["train"], saved["val"], saved["test"]
    else:
        train_idx, val_idx, test_idx = stratified_split(store.labels, val_fraction, test_fraction, cfg.seed)
        np.savez(split_file, train=train_idx, val=val_idx, test=test_idx)
    val_store, val_map = (load_store(cfg.val_store), None) if cfg.val_store else (store, None)
    if cfg.val_store:
        val_map = label_map(val_store, classes)
        val_idx = np.arange(len(val_store))
    if len(val_idx) == 0:
        raise HandpadError("no validation data: use --val-fraction > 0 or --val-store")
    (out / "train_config.json").write_text(json.dumps(asdict(cfg), indent=1))

    train_images, train_labels = store.images, store.labels
    if cfg.extra_train:
        extras = [load_store(p) for p in cfg.extra_train]
        train_images, train_labels = stack_stores([store, *extras], classes, store.image_size, "the training store")
        train_idx = np.concatenate([train_idx, np.arange(len(store), len(train_labels))])
    # A resumed run draws a new order (seed + epochs done), not a replay of the first epochs' samples.
    epochs_done = epochs_logged(history_csv) if cfg.resume else 0
    train_ds = make_dataset(train_images, train_idx, cfg.batch_size, shuffle=True, seed=cfg.seed + epochs_done,
                            repeat=cfg.steps_per_epoch is not None, labels=train_labels)
    val_ds = make_dataset(val_store, val_idx, 512, shuffle=False, label_map=val_map)
    steps = cfg.steps_per_epoch or steps_for(len(train_idx), cfg.batch_size)

    # 2. Model: built by name from the registry (under a mixed policy the weights stay float32).
    shape = (store.image_size, store.image_size, 1)
    model = model_builders.build(cfg.arch, len(classes), shape, dtype_policy=cfg.precision, **cfg.arch_options)
    model.compile(
        optimizer=make_optimizer(cfg.optimizer, rate),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy", keras.metrics.SparseTopKCategoricalAccuracy(k=3, name="top3")],
    )

    # 3. Fit: every epoch logged and backed up; the best epoch kept.
    best_path = out / "best.keras"
    best_so_far = best_val_accuracy(history_csv) if cfg.resume else None
    if cfg.schedule == "cosine":
        # The epoch index is absolute (a resumed run continues the curve where it stopped).
        schedule = keras.callbacks.LearningRateScheduler(
            lambda epoch, lr: rate * (0.01 + 0.99 * 0.5 * (1 + math.cos(math.pi * epoch / max(1, cfg.epochs)))))
    else:
        schedule = keras.callbacks.ReduceLROnPlateau(monitor="val_loss", factor=0.5, patience=2, min_lr=1e-5)
    callbacks = [
        LearningRateLogger(),
        schedule,
        keras.callbacks.EarlyStopping(monitor="val_accuracy", patience=cfg.patience),
        keras.callbacks.ModelCheckpoint(best_path, monitor="val_accuracy", save_best_only=True,
                                        initial_value_threshold=best_so_far),
        keras.callbacks.CSVLogger(history_csv, append=cfg.resume),
        EpochTimer(out / "timing.json"),
        # Kept after the run ends too, so --resume can also extend a finished run with more epochs.
        keras.callbacks.BackupAndRestore(str(backup_dir), delete_checkpoint=False),
    ]
    if cfg.resume and cfg.learning_rate and cfg.schedule == "plateau":
        callbacks.append(SetLearningRate(cfg.learning_rate))  # after BackupAndRestore has restored the old rate
    if cfg.time_budget_minutes:
        callbacks.append(TimeBudget(cfg.time_budget_minutes * 60))
    verbose = cfg.verbose if cfg.verbose is not None else (1 if sys.stdout.isatty() else 2)
    # steps_per_epoch only with a repeating pipeline: Keras then keeps one iterator across epochs.
    model.fit(train_ds, epochs=cfg.epochs, steps_per_epoch=cfg.steps_per_epoch, validation_data=val_ds,
              callbacks=callbacks, verbose=verbose)
    timing = read_timing(out, steps * cfg.batch_size)

    # 4. The best epoch becomes model.keras, carrying labels and preprocessing.
    if best_path.exists():
        model.load_weights(best_path)
    if cfg.precision != "float32":
        # Saved and evaluated as a float32 model: the same weights, no mixed policy in the file.
        float_model = model_builders.build(cfg.arch, len(classes), shape, **cfg.arch_options)
        float_model.set_weights(model.get_weights())
        model = float_model
    plot_learning_curve(history_csv, out / "learning_curve.png")
    from .evaluation import evaluate_arrays

    test_metrics = {}
    if cfg.test_store:
        tstore = load_store(cfg.test_store)
        test_metrics = evaluate_store_with_model(model, classes, tstore)
    elif len(test_idx):
        test_metrics = evaluate_arrays(lambda x: model.predict(x, batch_size=512, verbose=0),
                                       store, test_idx, classes)
    meta = {
        "architecture": cfg.arch, "arch_options": cfg.arch_options, "params": int(model.count_params()),
        "trained_on": str(cfg.store), "train_samples": int(len(train_idx)),
        "metrics": {k: v for k, v in test_metrics.items() if not isinstance(v, (list, dict))},
        "training_seconds": round(timing["seconds"], 1),
    }
    model_path = save_model(model, out / "model.keras", classes, pconfig, **meta)
    result = {"model_path": str(model_path), "test_metrics": test_metrics, "timing": timing, "meta": meta}
    (out / "test_metrics.json").write_text(json.dumps({**test_metrics, **timing}, indent=1, ensure_ascii=False))
    if cfg.save_to:
        result["shipped"] = ship(model_path, Path(cfg.save_to), cfg.force)
    if best_path.exists():
        best_path.unlink()  # model.keras has the same weights; the backup keeps the run resumable
    return result


class LearningRateLogger:
    """Puts the optimizer's learning rate into the epoch logs, so CSVLogger records it."""

    def __new__(cls):
        import keras

        class _LR(keras.callbacks.Callback):
            def on_epoch_end(self, epoch, logs=None):
                if logs is not None:
                    logs["learning_rate"] = float(keras.ops.convert_to_numpy(self.model.optimizer.learning_rate))

        return _LR()


class SetLearningRate:
    """Sets the optimizer's learning rate when training begins (a resumed run's new rate)."""

    def __new__(cls, rate: float):
        import keras

        class _Set(keras.callbacks.Callback):
            def on_train_begin(self, logs=None):
                self.model.optimizer.learning_rate.assign(rate)
                print(f"learning rate set to {rate:g}", flush=True)

        return _Set()


class TimeBudget:
    """Stops training at the end of the first epoch past ``seconds``: a session-sized run, resumable."""

    def __new__(cls, seconds: float):
        import keras

        class _Budget(keras.callbacks.Callback):
            def on_train_begin(self, logs=None):
                self.start = time.time()

            def on_epoch_end(self, epoch, logs=None):
                if time.time() - self.start > seconds:
                    print(f"time budget of {seconds / 60:.0f} min reached after epoch {epoch + 1}; "
                          "continue later with --resume", flush=True)
                    self.model.stop_training = True

        return _Budget()


def epochs_logged(history_csv: Path) -> int:
    if not history_csv.exists():
        return 0
    return max(0, len(history_csv.read_text().strip().splitlines()) - 1)


def best_val_accuracy(history_csv: Path):
    if not history_csv.exists():
        return None
    with open(history_csv, newline="") as f:
        vals = [float(r["val_accuracy"]) for r in csv.DictReader(f) if r.get("val_accuracy")]
    return max(vals) if vals else None


def read_timing(out: Path, samples_per_epoch: int) -> dict:
    """Training time summed over every session of the run (interrupted ones too), and samples/s."""
    path = out / "timing.json"
    t = json.loads(path.read_text()) if path.exists() else {"seconds": 0.0, "epochs": 0}
    t["samples_per_epoch"] = samples_per_epoch
    t["samples_per_second"] = round(t["epochs"] * samples_per_epoch / t["seconds"], 1) if t["seconds"] else None
    return t


class EpochTimer:
    """Adds each finished epoch's wall time to timing.json, so a killed session still counts."""

    def __new__(cls, path: Path):
        import keras

        class _Timer(keras.callbacks.Callback):
            def on_epoch_begin(self, epoch, logs=None):
                self.start = time.time()

            def on_epoch_end(self, epoch, logs=None):
                t = json.loads(path.read_text()) if path.exists() else {"seconds": 0.0, "epochs": 0}
                t["seconds"] += time.time() - self.start
                t["epochs"] += 1
                path.write_text(json.dumps(t, indent=1))

        return _Timer()


def evaluate_store_with_model(model, classes, store: Store) -> dict:
    from .evaluation import evaluate_arrays

    return evaluate_arrays(lambda x: model.predict(x, batch_size=512, verbose=0), store, np.arange(len(store)), classes)


def plot_learning_curve(history_csv: Path, png: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    with open(history_csv, newline="") as f:
        rows = list(csv.DictReader(f))
    if not rows:
        return
    epochs = [int(r["epoch"]) + 1 for r in rows]
    fig, axes = plt.subplots(1, 2, figsize=(10, 4))
    for ax, metric in zip(axes, ("loss", "accuracy")):
        ax.plot(epochs, [float(r[metric]) for r in rows], "o-", label="train")
        ax.plot(epochs, [float(r[f"val_{metric}"]) for r in rows], "o-", label="validation")
        ax.set_xlabel("epoch")
        ax.set_title(metric)
        ax.grid(alpha=0.3)
        ax.legend()
    fig.tight_layout()
    fig.savefig(png, dpi=100)
    plt.close(fig)


def ship(model_path: Path, dest: Path, force: bool) -> str:
    """Copy the model to ``dest`` unless an existing model there scored better (then only with force)."""
    from .modelio import read_metadata

    new = read_metadata(model_path).get("metrics", {}).get("top1")
    if dest.exists() and not force:
        try:
            old = read_metadata(dest).get("metrics", {}).get("top1")
        except ModelError:
            old = None
        if old is not None and (new is None or new < old):
            return (f"kept {dest}: it scored top-1 {old:.4f}, this run {new if new is None else round(new, 4)}; "
                    "use --force to replace it")
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_name(f".{dest.name}.tmp")
    shutil.copyfile(model_path, tmp)
    tmp.replace(dest)
    return f"saved {dest}"
