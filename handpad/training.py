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
from dataclasses import MISSING, asdict, dataclass, field, fields
from pathlib import Path

import numpy as np

from .errors import HandpadError, ModelError
from .preprocess import PRESETS, PreprocessConfig, resolve_config
from .store import Store, load_store

DEFAULT_LR = 1e-3
OPTIMIZERS = ("adam", "nadam", "sgd", "rmsprop", "adamw")
SCHEDULES = ("plateau", "cosine")
PRECISIONS = ("float32", "mixed_bfloat16", "mixed_float16", "auto")
LOGICAL_CPUS_ENV = "HANDPAD_LOGICAL_CPUS"  # split the CPU into N logical devices: --devices N without GPUs (tests)


@dataclass
class TrainConfig:
    """Everything a training run is made of: the one place of its defaults and checks.

    The CLI builds one from its flags; the Python API checks the same way, with the same messages,
    before anything is written.
    """

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
    split_seed: int | None = None  # the train/val/test split's seed (default: seed); keep it fixed to compare runs
    patience: int = 6
    steps_per_epoch: int | None = None
    time_budget_minutes: float | None = None
    preprocess: str | None = None  # digits | hangul | None (from the store's manifest)
    resume: bool = False
    save_to: str | None = None
    force: bool = False
    verbose: int | None = None
    precision: str = "float32"  # float32 | mixed_bfloat16 (CPUs with AVX512-BF16) | mixed_float16 (GPUs) | auto; saved as float32
    devices: int | str = 1  # 1: one device, no strategy | N | "all": MirroredStrategy; batch_size is the global batch
    label_space: str | None = None  # the model's classes (default: the store's; hangul-11172 for the jamo/hybrid heads)
    init_from: str | None = None  # a model file whose weights start the run (layers of the same name and shape)
    teacher: str | None = None  # a model (e.g. an ensemble) whose softened answers on the training images join the targets
    distill: float = 0.7  # with a teacher: its share of each training target (the rest is the true label)
    distill_temperature: float = 3.0  # with a teacher: its probabilities p become p ** (1 / this), renormalized

    def __post_init__(self):
        from . import model_builders

        if self.arch not in model_builders.list_models():
            raise HandpadError(f"unknown architecture {self.arch!r}; choose one of: {', '.join(model_builders.list_models())}")
        if self.optimizer not in OPTIMIZERS:
            raise HandpadError(f"unknown optimizer {self.optimizer!r}; choose one of: {', '.join(OPTIMIZERS)}")
        if self.schedule not in SCHEDULES:
            raise HandpadError(f"unknown schedule {self.schedule!r}; choose plateau or cosine")
        if self.precision not in PRECISIONS:
            raise HandpadError(f"unknown precision {self.precision!r}; choose one of: {', '.join(PRECISIONS)}")
        if isinstance(self.devices, str) and self.devices.strip().isdigit():
            self.devices = int(self.devices)
        if self.devices != "all" and (not isinstance(self.devices, int) or isinstance(self.devices, bool)
                                      or self.devices < 1):
            raise HandpadError(f"--devices must be a number of devices (1 or more) or 'all', got {self.devices!r}")
        if self.preprocess is not None and self.preprocess not in PRESETS:
            raise HandpadError(f"unknown --preprocess {self.preprocess!r}; choose one of: {', '.join(sorted(PRESETS))}")
        if self.learning_rate is not None and not self.learning_rate > 0:
            raise HandpadError(f"--lr must be > 0, got {self.learning_rate}")
        for name, value in (("--epochs", self.epochs), ("--batch-size", self.batch_size), ("--patience", self.patience)):
            if value < 1:
                raise HandpadError(f"{name} must be at least 1, got {value}")
        if self.steps_per_epoch is not None and self.steps_per_epoch < 1:
            raise HandpadError(f"--steps-per-epoch must be at least 1, got {self.steps_per_epoch}")
        for name, value in (("--val-fraction", self.val_fraction), ("--test-fraction", self.test_fraction)):
            if not 0 <= value < 1:
                raise HandpadError(f"{name} must be in [0, 1), got {value}")
        if self.val_fraction + self.test_fraction >= 1:
            raise HandpadError("--val-fraction + --test-fraction must leave samples to train on")
        if self.time_budget_minutes is not None and not self.time_budget_minutes > 0:
            raise HandpadError(f"--time-budget must be > 0 minutes, got {self.time_budget_minutes}")
        if self.head not in model_builders.HEADS:
            raise HandpadError(f"unknown head {self.head!r}; choose one of: {', '.join(model_builders.HEADS)}")
        if self.label_space is not None:
            from .labels import LabelError, label_space

            try:
                label_space(self.label_space)
            except LabelError as e:
                raise HandpadError(f"--label-space: {e}") from None
        if self.head in ("jamo", "hybrid") and (self.label_space or "hangul-11172") != "hangul-11172":
            raise HandpadError(f"the {self.head} head ranks all 11,172 syllables: use --label-space hangul-11172 "
                               "(the default for it)")
        if self.init_from is not None and not Path(self.init_from).is_file() and self.init_from not in ("digits", "hangul"):
            raise HandpadError(f"--init-from {self.init_from}: no such model file (use 'digits', 'hangul' or a .keras path)")
        if self.teacher is not None:
            if not Path(self.teacher).is_file() and self.teacher not in ("digits", "hangul"):
                raise HandpadError(f"--teacher {self.teacher}: no such model file (use 'digits', 'hangul' or a .keras path)")
            if self.head != "softmax":
                raise HandpadError(f"--teacher needs the softmax head; the {self.head} head has no single distribution "
                                   "to learn from")
        if not 0 < self.distill <= 1:
            raise HandpadError(f"--distill must be in (0, 1], got {self.distill}")
        if not self.distill_temperature > 0:
            raise HandpadError(f"--distill-temperature must be > 0, got {self.distill_temperature}")

    @property
    def head(self) -> str:
        return self.arch_options.get("head", "softmax")

    def model_space(self, store_space):
        """The model's label space: given, else hangul-11172 for the jamo head, else the store's."""
        from .labels import label_space

        if self.label_space:
            return label_space(self.label_space)
        return label_space("hangul-11172") if self.head in ("jamo", "hybrid") else store_space

    def runtime(self) -> "Runtime":
        """Where and how this run computes on this machine: the devices (a MirroredStrategy over
        several), the precision (``auto``: mixed_float16 on GPUs, else float32). The one place that
        turns ``devices`` and ``precision`` into TensorFlow objects; call it before TensorFlow runs
        anything (``HANDPAD_LOGICAL_CPUS`` splits the CPU into logical devices first)."""
        import os

        import tensorflow as tf

        split_cpu(os.environ.get(LOGICAL_CPUS_ENV))
        if os.environ.get("TF_CONFIG"):
            print("TF_CONFIG is set, but handpad train trains on this machine only (--devices): multi-worker "
                  "training is not supported (README: Training on several devices)", file=sys.stderr, flush=True)
        gpus = tf.config.list_logical_devices("GPU")
        visible = gpus or tf.config.list_logical_devices("CPU")
        wanted = len(visible) if self.devices == "all" else self.devices
        if wanted > len(visible):
            kind = "GPU" if gpus else "CPU"
            names = ", ".join(d.name.split("device:")[-1] for d in visible)
            raise HandpadError(
                f"--devices {self.devices}: only {len(visible)} {kind} device{'s' * (len(visible) > 1)} visible here "
                f"({names}); ask for at most {len(visible)} or 'all'"
                + ("" if gpus else ", or train on a machine with that many GPUs")
                + " (CUDA_VISIBLE_DEVICES may hide some)")
        if self.batch_size < wanted:
            raise HandpadError(f"--batch-size {self.batch_size} is the global batch, split across the {wanted} "
                               "devices: it must be at least one sample per device")
        precision = ("mixed_float16" if gpus else "float32") if self.precision == "auto" else self.precision
        if precision == "mixed_float16" and not gpus:
            print("--precision mixed_float16 without a GPU: it computes correctly but slower than float32 on a CPU "
                  "(mixed_bfloat16 is the CPU's choice)", file=sys.stderr, flush=True)
        used = [d.name for d in visible[:wanted]]
        strategy = tf.distribute.MirroredStrategy(devices=used) if wanted > 1 else None
        return Runtime(strategy=strategy, devices=used, precision=precision)


@dataclass
class Runtime:
    """A run's devices and precision on this machine (:meth:`TrainConfig.runtime`)."""

    strategy: object = None  # a tf.distribute.MirroredStrategy over several devices, or None (one device)
    devices: list = field(default_factory=list)  # the devices it trains on (TensorFlow names)
    precision: str = "float32"

    @property
    def replicas(self) -> int:
        return self.strategy.num_replicas_in_sync if self.strategy else 1

    def scope(self):
        """Where the model and its optimizer are made: the strategy's scope (its variables mirrored)."""
        import contextlib

        return self.strategy.scope() if self.strategy else contextlib.nullcontext()

    def describe(self, batch_size: int) -> str:
        per = batch_size / self.replicas
        names = ", ".join(d.split("device:")[-1] for d in self.devices)
        return (f"training on {self.replicas} devices ({names}) with MirroredStrategy: global batch {batch_size}, "
                f"{per:g} per device, precision {self.precision}")


def split_cpu(count) -> None:
    """Split the CPU into ``count`` logical devices before TensorFlow starts (``HANDPAD_LOGICAL_CPUS``):
    multi-device training tried, and tested, on a machine without GPUs. The devices share the same
    cores, so it is no faster. Nothing to do for None; an error once TensorFlow has started with
    another number of CPU devices."""
    if count in (None, ""):
        return
    import tensorflow as tf

    try:
        n = int(count)
        assert n >= 1
    except (ValueError, AssertionError):
        raise HandpadError(f"{LOGICAL_CPUS_ENV}={count!r}: expected a number of logical CPU devices (1 or more)") from None
    cpu = tf.config.list_physical_devices("CPU")[0]
    try:
        tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration() for _ in range(n)])
    except RuntimeError:  # TensorFlow has started: fine if it already has them
        if len(tf.config.list_logical_devices("CPU")) != n:
            raise HandpadError(f"{LOGICAL_CPUS_ENV}={n}: TensorFlow had already started in this process; set it "
                               "before anything runs TensorFlow (e.g. in the environment of a new process)") from None


DEFAULTS = {f.name: f.default for f in fields(TrainConfig) if f.default is not MISSING}


def preprocess_config_for(store: Store, preset: str | None) -> PreprocessConfig:
    return resolve_config(preset, (store.manifest.get("options") or {}).get("preprocess"), store.label_space.kind)


def make_optimizer(name: str, lr: float, precision: str = "float32"):
    """The optimizer by name; for mixed_float16, wrapped in loss scaling that holds on several devices."""
    import keras

    if name == "sgd":
        optimizer = keras.optimizers.SGD(lr, momentum=0.9, nesterov=True)
    else:
        optimizer = {"adam": keras.optimizers.Adam, "nadam": keras.optimizers.Nadam,
                     "rmsprop": keras.optimizers.RMSprop, "adamw": keras.optimizers.AdamW}[name](lr)
    return AllReplicasLossScale(optimizer) if precision == "mixed_float16" else optimizer


class AllReplicasLossScale:
    """Keras' dynamic loss scaling for mixed_float16 (``LossScaleOptimizer``), whose step is skipped
    when the gradients of *any* device overflow. Keras 3's checks those of the first device only
    (before they are all-reduced, with a comment saying after), so under MirroredStrategy one
    device's inf went into the weights: on two devices, a NaN first-layer kernel after one epoch."""

    def __new__(cls, optimizer):
        import keras
        import tensorflow as tf

        class _LossScale(keras.optimizers.LossScaleOptimizer):
            def check_finite(self, grads):
                finite = super().check_finite(grads)
                replica = tf.distribute.get_replica_context()
                if replica is not None and replica.num_replicas_in_sync > 1:
                    overflows = replica.all_reduce(tf.distribute.ReduceOp.SUM, tf.cast(tf.logical_not(finite), "float32"))
                    finite = tf.equal(overflows, 0.0)
                return finite

        return _LossScale(optimizer)


RUN_FILES = ("train_config.json", "split.npz", "history.csv", "timing.json", "best.keras", "model.keras",
             "test_metrics.json", "learning_curve.png")


def prepare_run_folder(out: Path, resume: bool) -> bool:
    """Make ``out`` ready for a run; True when there is a checkpoint to continue from.

    A run killed at any moment can be continued (``--resume``) or started again in the same
    folder: one killed before its first checkpoint left nothing worth keeping, so its files are
    cleared whichever way it is restarted (a Colab disconnect in the first epoch is common).
    """
    checkpoint = (out / "backup" / "latest.weights.h5").exists() or (out / "backup" / "latest.weights.h5.bkp").exists()
    if checkpoint:
        if not resume:
            raise HandpadError(f"{out}: a run already exists there; continue it with --resume or choose another --out")
        return True
    if out.exists() and any(out.iterdir()):
        if not (out / "train_config.json").exists():
            raise HandpadError(f"{out}: the folder is not empty and holds no training run; choose another --out")
        print(f"{out}: the run there stopped before its first checkpoint; starting it afresh", file=sys.stderr, flush=True)
        for name in RUN_FILES:
            (out / name).unlink(missing_ok=True)
        shutil.rmtree(out / "backup", ignore_errors=True)
    elif resume:
        print(f"{out}: no checkpoint to resume from; starting a new run", file=sys.stderr, flush=True)
    return False


def train(cfg: TrainConfig) -> dict:
    import keras

    from . import model_builders
    from .data import labels_in, make_dataset, stack_stores, stratified_split, steps_for
    from .model import save_model

    out = Path(cfg.out)
    runtime = cfg.runtime()  # before anything runs TensorFlow; refuses too many devices before a file is written
    resuming = prepare_run_folder(out, cfg.resume)
    rate = cfg.learning_rate or DEFAULT_LR
    history_csv = out / "history.csv"

    # 1. Data: the store, memory-mapped; a stratified split unless explicit stores are given.
    #    Every store counts in one label space, so stores stack and models evaluate with no remapping.
    store = load_store(cfg.store)
    space = cfg.model_space(store.label_space)
    store_labels = labels_in(store, space, store.image_size, f"a model of {space.name}")
    pconfig = preprocess_config_for(store, cfg.preprocess)
    teacher = load_teacher(cfg.teacher, space, store.image_size) if cfg.teacher else None  # before a file is written
    out.mkdir(parents=True, exist_ok=True)
    keras.utils.set_random_seed(cfg.seed)
    val_fraction = 0.0 if cfg.val_store else cfg.val_fraction
    test_fraction = 0.0 if cfg.test_store else cfg.test_fraction
    split_file = out / "split.npz"
    if resuming and split_file.exists():
        saved = np.load(split_file)
        train_idx, val_idx, test_idx = saved["train"], saved["val"], saved["test"]
    else:
        train_idx, val_idx, test_idx = stratified_split(store.labels, val_fraction, test_fraction,
                                                         cfg.seed if cfg.split_seed is None else cfg.split_seed)
        np.savez(split_file, train=train_idx, val=val_idx, test=test_idx)
    val_store, val_labels = store, store_labels
    if cfg.val_store:
        val_store = load_store(cfg.val_store)
        val_labels = labels_in(val_store, space, store.image_size, f"the training store ({store.path})")
        val_idx = np.arange(len(val_store))
    if len(val_idx) == 0:
        raise HandpadError("no validation data: use --val-fraction > 0 or --val-store")
    config_file = out / "train_config.json"
    before = json.loads(config_file.read_text()).get("runtime", {}) if resuming and config_file.exists() else {}
    was = before.get("precision", runtime.precision)
    if was != runtime.precision and "mixed_float16" in (was, runtime.precision):
        print(f"this run trained in {was} and continues in {runtime.precision}: its weights are kept, its optimizer "
              "state starts afresh (loss scaling changes it)", file=sys.stderr, flush=True)
    # What was asked, and what it became on this machine (a resumed run may run on other devices).
    config_file.write_text(json.dumps({**asdict(cfg), "runtime": {
        "precision": runtime.precision, "replicas": runtime.replicas, "devices": runtime.devices}}, indent=1))

    train_images, train_labels = store.images, store_labels
    if cfg.extra_train:
        extras = [load_store(p) for p in cfg.extra_train]
        train_images, train_labels = stack_stores([store, *extras], space, store.image_size,
                                                  f"the training store ({store.path})")
        train_idx = np.concatenate([train_idx, np.arange(len(store), len(train_labels))])
    # A resumed run draws a new order (seed + epochs done), not a replay of the first epochs' samples.
    epochs_done = epochs_logged(history_csv) if resuming else 0
    steps = cfg.steps_per_epoch or steps_for(len(train_idx), cfg.batch_size)
    train_targets = train_labels
    if cfg.teacher:  # distillation: targets mix the true label with the teacher's softened answer
        train_targets = distilled_targets(teacher, train_images, train_labels, train_idx, space,
                                          cfg.distill, cfg.distill_temperature)
        val_labels = np.eye(len(space), dtype=np.float32)[val_labels]
    train_ds = make_dataset(train_images, train_targets, train_idx, cfg.batch_size, shuffle=True,
                            seed=cfg.seed + epochs_done, repeat=True)
    val_ds = make_dataset(val_store.images, val_labels, val_idx, 512, shuffle=False)

    # 2. Model: built by name from the registry, one output per class of the label space (under a
    #    mixed policy the weights stay float32; mixed_float16 scales the loss). On several devices it
    #    is built and compiled in the strategy's scope, and Keras splits each global batch among them.
    shape = (store.image_size, store.image_size, 1)
    if runtime.strategy:
        print(runtime.describe(cfg.batch_size), flush=True)
    with runtime.scope():
        try:
            model = model_builders.build(cfg.arch, len(space), shape, dtype_policy=runtime.precision, **cfg.arch_options)
        except (TypeError, ValueError) as e:  # an option's value of the wrong kind (width=abc): say which
            options = " ".join(f"{k}={v}" for k, v in cfg.arch_options.items())
            raise HandpadError(f"--arch {cfg.arch} --arch-option {options}: {e} (see `handpad train --help`)") from e
        loss, metrics = model_builders.training_objective(cfg.head, soft=bool(cfg.teacher))
        model.compile(optimizer=make_optimizer(cfg.optimizer, rate, runtime.precision), loss=loss, metrics=metrics)
    if cfg.init_from and not resuming:  # a resumed run restores its own weights
        print(init_from(model, cfg.init_from), file=sys.stderr, flush=True)

    # 3. Fit: every epoch logged and backed up; the best epoch kept.
    best_path = out / "best.keras"
    best_so_far = best_val_accuracy(history_csv) if resuming else None
    if cfg.schedule == "cosine":
        # The epoch index is absolute (a resumed run continues the curve where it stopped).
        schedule = keras.callbacks.LearningRateScheduler(
            lambda epoch, lr: rate * (0.01 + 0.99 * 0.5 * (1 + math.cos(math.pi * epoch / max(1, cfg.epochs)))))
    else:
        schedule = keras.callbacks.ReduceLROnPlateau(monitor="val_loss", factor=0.5, patience=2, min_lr=1e-5)
    verbose = cfg.verbose if cfg.verbose is not None else (1 if sys.stdout.isatty() else 2)
    callbacks = [
        LearningRateLogger(),
        schedule,
        keras.callbacks.EarlyStopping(monitor="val_accuracy", mode="max", patience=cfg.patience),
        keras.callbacks.ModelCheckpoint(best_path, monitor="val_accuracy", mode="max", save_best_only=True,
                                        initial_value_threshold=best_so_far),
        keras.callbacks.CSVLogger(history_csv, append=resuming),
        EpochTimer(out / "timing.json"),
        # Kept after the run ends too, so --resume can also extend a finished run with more epochs;
        # double_checkpoint keeps the previous epoch's too, for a kill in the middle of writing one.
        keras.callbacks.BackupAndRestore(str(out / "backup"), delete_checkpoint=False, double_checkpoint=True),
        RestoredReport(out, cfg.epochs, steps, quiet=verbose == 0),
    ]
    if verbose == 2:
        callbacks.append(StepProgress(steps))  # Keras prints nothing within an epoch when not on a terminal
    if resuming and cfg.learning_rate and cfg.schedule == "plateau":
        callbacks.append(SetLearningRate(cfg.learning_rate))  # after BackupAndRestore has restored the old rate
    if cfg.time_budget_minutes:
        callbacks.append(TimeBudget(cfg.time_budget_minutes * 60))
    # shuffle=False: the pipeline shuffles (Keras cannot shuffle a tf.data stream, and says so).
    model.fit(train_ds, epochs=cfg.epochs, steps_per_epoch=steps, validation_data=val_ds, shuffle=False,
              callbacks=callbacks, verbose=verbose)
    timing = read_timing(out, steps * cfg.batch_size)

    # 4. The best epoch becomes model.keras, carrying its label space and preprocessing.
    if best_path.exists():
        model.load_weights(best_path)
    if runtime.precision != "float32" or runtime.strategy:
        # Saved and evaluated as a float32 model on one device: the same weights, no mixed policy
        # or mirrored variables in the file.
        float_model = model_builders.build(cfg.arch, len(space), shape, **cfg.arch_options)
        float_model.set_weights(model.get_weights())
        model = float_model
    plot_learning_curve(history_csv, out / "learning_curve.png")
    meta = {
        "architecture": cfg.arch, "arch_options": cfg.arch_options, "head": cfg.head,
        "params": int(model.count_params()),
        "trained_on": str(cfg.store), "train_samples": int(len(train_idx)),
        "training_seconds": round(timing["seconds"], 1),
        "precision": runtime.precision, "replicas": runtime.replicas,
    }
    if cfg.teacher:
        meta["distilled_from"] = {"teacher": str(cfg.teacher), "share": cfg.distill, "temperature": cfg.distill_temperature}
    model_path = save_model(model, out / "model.keras", space, pconfig, **meta)

    # 5. Calibration: one temperature, fitted on the validation data (pass --val-store with held-out
    #    designs for one that holds on unseen hands), saved in the file; then the test figures.
    meta.update(calibrate(model_path, cfg.val_store or cfg.store, None if cfg.val_store else val_idx,
                          out / "reliability.png"))

    # 6. Test figures: the saved file, on the engine users run, through the one evaluation path.
    test_metrics = {}
    if cfg.test_store:
        test_metrics = measure(model_path, cfg.test_store)
    elif len(test_idx):
        test_metrics = measure(model_path, cfg.store, subset_indices=test_idx)
    if test_metrics:
        from .model import update_metadata

        meta["metrics"] = {k: test_metrics[k] for k in ("n", "top1", "top3", "ece")}
        update_metadata(model_path, metrics=meta["metrics"], test_data=test_metrics["data"])
    result = {"model_path": str(model_path), "test_metrics": test_metrics, "timing": timing, "meta": meta}
    (out / "test_metrics.json").write_text(json.dumps({**test_metrics, **timing}, indent=1, ensure_ascii=False))
    if cfg.save_to:
        result["shipped"] = ship(model_path, Path(cfg.save_to), cfg.force)
    if best_path.exists():
        best_path.unlink()  # model.keras has the same weights; the backup keeps the run resumable
    return result


def load_teacher(teacher, space, image_size: int):
    """The --teacher model, checked against the run: the same classes, the same input size."""
    from .model import Model

    model = Model.load(teacher)
    if model.label_space.labels != space.labels:
        raise HandpadError(f"--teacher {teacher}: its classes ({model.label_space.name}) are not the run's ({space.name})")
    if model.input_size != image_size:
        raise HandpadError(f"--teacher {teacher}: it reads {model.input_size} px images, the store has {image_size} px")
    return model


def distilled_targets(teacher, images, labels, indices, space, share: float, temperature: float) -> np.ndarray:
    """Training targets (n, classes) for a distilled run: ``1 - share`` on the true label, ``share``
    spread as the teacher (a model, or its file) reads the image, its probabilities softened
    (p ** (1 / temperature), renormalized: the runner-up classes carry what the teacher knows of
    likeness). Rows outside ``indices`` stay zero (never trained on). The true label keeps its share
    so that the teacher's mistakes are not all copied."""
    from tqdm.auto import tqdm

    model = teacher if hasattr(teacher, "predict") else load_teacher(teacher, space, images.shape[1])
    order = np.sort(np.asarray(indices))  # memory-mapped stores read fastest in order
    probs = np.empty((len(order), len(space)), np.float32)
    chunk = 4096
    for start in tqdm(range(0, len(order), chunk), desc="teacher", unit="chunk", disable=not sys.stderr.isatty()):
        probs[start:start + chunk] = model.predict(images[order[start:start + chunk]])
    soft = np.power(np.clip(probs, 1e-12, 1.0), 1.0 / temperature)
    soft /= soft.sum(axis=1, keepdims=True)
    targets = np.zeros((len(labels), len(space)), np.float32)
    truth = np.asarray(labels)[order]
    targets[order] = share * soft
    targets[order, truth] += 1.0 - share
    agree = float(np.mean(probs.argmax(1) == truth))
    print(f"teacher {model.name}: agrees with {agree:.2%} of {len(order):,} training labels; "
          f"share {share}, temperature {temperature}", file=sys.stderr, flush=True)
    return targets


def init_from(model, source) -> str:
    """Copy into ``model`` the weights of every layer of the model file ``source`` ('hangul', 'digits'
    or a path) that has the same name and weight shapes: a new head or label space starts from a
    trained network (the shipped 2350-class model's features and syllable softmax for a hybrid head).
    Returns what was copied, in a sentence; nothing copied is an error."""
    from .model import _load_keras, resolve_model_path

    path = resolve_model_path(source)
    old = {layer.name: layer for layer in _load_keras(path).layers}
    copied, skipped = [], []
    for layer in model.layers:
        weights = layer.get_weights()
        if not weights:
            continue
        src = old.get(layer.name)
        if src is not None and [w.shape for w in src.get_weights()] == [w.shape for w in weights]:
            layer.set_weights(src.get_weights())
            copied.append(layer.name)
        else:
            skipped.append(layer.name)
    if not copied:
        raise HandpadError(f"--init-from {path}: no layer of that model matches this architecture by name and shape; "
                           "start from a model of the same --arch and --arch-option values")
    return (f"initialized {len(copied)} of {len(copied) + len(skipped)} weighted layers from {path}"
            + (f"; new: {', '.join(skipped)}" if skipped else ""))


def calibrate(model_path, data, indices=None, plot=None, rare=None, views=None, jamo_mix: bool = False,
              casual=None, rare_weight: float | None = None) -> dict:
    """Fit the saved model's temperature on ``data`` (a store, or some of its samples), save it in
    the file, and return what changed: {"temperature", "calibration": {n, ece_before, ece_after}}.
    ``rare``: a store of syllables outside the 2350 (validation designs) for a hybrid model, whose
    rare weight is fitted first on it and ``data`` (``handpad.calibration.fit_rare_weight``); the
    temperature is then fitted on both: the model answers over all 11,172, and the rarer syllables are
    where it is surest of wrong answers (fitted on ``data`` alone, the held-out hands' calibration error
    was 1.2-2.2 points higher: models/HISTORY.md, third release, recalibrated). ``views``: test-time shears the model reads
    every image at (``Model.views``; the rare weight and temperature are fitted for them); None keeps
    the file's. ``jamo_mix``: for a hybrid head, first fit how much its jamo heads weigh among the 2350
    (``handpad.calibration.fit_jamo_mix``, on ``data``); the rare weight and temperature are fitted with it.
    ``casual``: validation stores of hands as casual as the users' (the same designs, written by the casual
    hand): last, the single images' temperature (``Model.predict_temperature``) is fitted so that the
    highest calibration error over ``data``, ``rare`` and these is lowest
    (``handpad.calibration.fit_predict_temperature``); without them it is 1. ``rare_weight``: a hybrid head's
    rare weight given, not fitted (at every view and at one view alike): two networks compared at one trade-off
    between the 2350 and the rarer syllables (the fit keeps each within half a point of its *own* syllable
    softmax, so a network whose softmax reads the 2350 better gets a smaller weight and reads fewer rarer ones)."""
    from .calibration import expected_calibration_error, fit_jamo_mix, fit_views_below, plot_reliability
    from .evaluation import evaluation_data
    from .model import Model, check_views, update_metadata

    if rare_weight is not None and not 0 < rare_weight <= 10:
        raise HandpadError(f"--rare-weight {rare_weight:g}: give a weight above 0 and at most 10 (1: the jamo heads' own share)")
    model = Model.load(model_path)
    if rare_weight is not None:
        if model.head != "hybrid":
            raise HandpadError(f"{model_path}: --rare-weight is the rare weight of a hybrid head; this model's head is {model.head}")
        model.rare_weight = float(rare_weight)
    model.views_below = None  # fitted below, after the readings at one view and at every view
    # A model calibrated before carries a single images' temperature on top of the others: fitted here
    # without it (and again, last, with --casual), so calibrating a calibrated model gives the same fits.
    model.predict_temperature = 1.0
    common = evaluation_data(Path(data), model, indices=indices)
    casual_sets = {str(store): evaluation_data(Path(store), model) for store in casual or ()}  # checked before any work
    report = {}
    if views is not None:
        model.views = check_views(views)
        report["views"] = list(model.views)
    if rare is not None:
        if model.head != "hybrid":
            raise HandpadError(f"{model_path}: --rare fits the rare weight of a hybrid head; this model's head is {model.head}")
        rare = (rare, evaluation_data(Path(rare), model))
    if jamo_mix:
        if model.head != "hybrid":
            raise HandpadError(f"{model_path}: --jamo-mix fits the jamo heads' say of a hybrid head; this model's head is {model.head}")
        model.jamo_mix, mixes = fit_jamo_mix(model, common)
        report["jamo_mix"] = model.jamo_mix
        report["jamo_mix_fit"] = {"data": str(data), "among": "hangul-ksx1001", "top1": {str(b): round(a, 4) for b, a in mixes.items()}}
    fit_weight = rare_weight is None
    weight, table, temperature, raw, fitted = _fit_confidence(model, common, rare and rare[1], fit_weight)
    if rare_weight is not None:
        report["rare_weight"] = model.rare_weight
        report["rare_weight_fit"] = "given (--rare-weight)"
    if table is not None:
        report["rare_weight"] = weight
        report["rare_weight_fit"] = {"data": [str(data), str(rare[0])],
                                     "top1": {str(w): [round(a, 4), round(b, 4)] for w, (a, b) in table.items()}}
    stores = [data] if rare is None else [data, rare[0]]  # what the temperature is fitted on
    labels = common[1] if rare is None else np.concatenate([common[1], rare[1][1]])
    report["views_below"] = None
    if len(model.views) > 1:  # reading a line reads its many candidate boxes at one view: fitted for that too
        model.views = (0.0,)
        one_weight, one_table, one_temperature, _, one_fitted = _fit_confidence(model, common, rare and rare[1], fit_weight)
        given = one_table is not None or rare_weight is not None
        report["one_view"] = {"temperature": round(one_temperature, 4)} | ({"rare_weight": one_weight} if given else {})
        # ... and single images at every view only where one view leaves the model unsure, if that reads
        # the validation samples as well as every view everywhere
        below, table = fit_views_below(one_fitted, fitted, labels)
        report["views_below"] = below
        report["views_below_fit"] = {"data": " + ".join(map(str, stores)),
                                     "top1_and_share_at_every_view": {str(t): [round(a, 4), round(b, 4)] for t, (a, b) in table.items()},
                                     "top1_every_view": round(float(np.mean(fitted.argmax(1) == labels)), 4)}
        if below is not None:
            unsure = one_fitted.max(axis=1) < below
            report["calibration_views_below"] = round(expected_calibration_error(
                np.where(unsure[:, None], fitted, one_fitted), labels), 4)
    report |= {"temperature": round(temperature, 4), "calibration": {
        "data": " + ".join(map(str, stores)), "n": int(len(labels)),
        "ece_before": round(expected_calibration_error(raw, labels), 4),
        "ece_after": round(expected_calibration_error(fitted, labels), 4)}}
    report["predict_temperature"] = 1.0
    update_metadata(model_path, **report)
    if casual:
        from .calibration import fit_predict_temperature

        fitted_model = Model.load(model_path)
        sets = {str(data): common} | ({str(rare[0]): rare[1]} if rare is not None else {}) | casual_sets
        single, table = fit_predict_temperature({name: (fitted_model.predict(x), y) for name, (x, y) in sets.items()})
        fit = {"predict_temperature": single, "predict_temperature_fit": {str(t): v for t, v in table.items()}}
        update_metadata(model_path, **fit)
        report |= fit
    if plot:
        plot_reliability({"before": (raw, labels), f"after (T = {temperature:.2f})": (fitted, labels)}, plot,
                         title=f"validation: {' + '.join(Path(d).name for d in stores)}")
    return report


def _fit_confidence(model, common, rare=None, fit_weight: bool = True):
    """The rare weight (hybrid heads, with ``rare`` samples; kept as it is without ``fit_weight``) and then the
    temperature of ``model`` as it reads now (its views included), on validation samples (images, labels);
    sets both on ``model``. Returns (rare weight, its table or None, temperature, probabilities before, after)."""
    from .calibration import fit_rare_weight, fit_temperature

    images, labels = common
    weight, table = model.rare_weight, None
    if rare is not None:
        if fit_weight:
            weight, table = fit_rare_weight(model, common, rare)
            model.rare_weight = weight
        images, labels = np.concatenate([images, rare[0]]), np.concatenate([labels, rare[1]])
    model.temperature = 1.0
    raw = model.predict(images)
    model.temperature = fit_temperature(raw, labels)
    return weight, table, model.temperature, raw, model.predict(images)


def measure(model_path, data, subset_indices=None) -> dict:
    """Figures of a saved model on a store (or some of its samples), as ``handpad evaluate`` gives them."""
    from .evaluation import evaluate, evaluation_data, summary
    from .model import Model

    model = Model.load(model_path)
    images, labels = evaluation_data(Path(data), model, indices=subset_indices)
    return {**summary(evaluate(model, images, labels)), "data": str(data), "engine": model.engine.name}


class LearningRateLogger:
    """Puts the optimizer's learning rate into the epoch logs, so CSVLogger records it."""

    def __new__(cls):
        import keras

        class _LR(keras.callbacks.Callback):
            def on_epoch_end(self, epoch, logs=None):
                if logs is not None:
                    logs["learning_rate"] = float(self.model.optimizer.learning_rate.numpy())

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


class RestoredReport:
    """Says what a resumed run restored: from which epoch (and step) it continues."""

    def __new__(cls, out: Path, epochs: int, steps: int, quiet: bool = False):
        import keras

        class _Restored(keras.callbacks.Callback):
            def on_train_begin(self, logs=None):  # runs after BackupAndRestore has restored the checkpoint
                done = int(getattr(self.model, "_initial_epoch", 0) or 0)
                if done and not quiet:
                    print(f"resumed {out} from its checkpoint after epoch {done}: continuing with epoch {done + 1} "
                          f"of {epochs}, step 1 of {steps}", flush=True)

        return _Restored()


class StepProgress:
    """A line every ``every`` seconds within an epoch (Keras prints once per epoch off a terminal)."""

    def __new__(cls, steps: int, every: float = 30.0):
        import keras

        class _Progress(keras.callbacks.Callback):
            def on_epoch_begin(self, epoch, logs=None):
                self.epoch, self.start, self.last = epoch, time.time(), time.time()

            def on_train_batch_end(self, batch, logs=None):
                now = time.time()
                if now - self.last >= every:
                    self.last = now
                    loss = (logs or {}).get("loss")
                    print(f"epoch {self.epoch + 1}: step {batch + 1}/{steps}"
                          + (f", loss {float(loss):.4f}" if loss is not None else "")
                          + f", {now - self.start:.0f} s", flush=True)

        return _Progress()


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
    from .model import read_entries

    new = read_entries(model_path)[0].get("metrics", {}).get("top1")
    if dest.exists() and not force:
        try:
            old = read_entries(dest)[0].get("metrics", {}).get("top1")
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
