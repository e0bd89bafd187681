"""``handpad finetune``: teach a model the user's own hand from the samples saved in the pad.

Pipeline, top to bottom:

1. check the output path (never the input model, unless --force), open the user's stores,
2. load the model (safe mode) with its label space and preprocessing; the user's stores must
   use the same space (then their labels are the model's classes, no remapping),
3. replay data, so the model does not forget what it knew: a store (--mix-with) or, for
   Hangul models, pen-drawn samples synthesized from the default fonts (random syllables,
   plus the user's syllables drawn by other faces); its amount follows the user's samples,
4. one ``tf.data`` pipeline over both, the user's samples oversampled so each batch holds
   about one user sample per --mix-ratio replay samples,
5. continue training at a low learning rate (optionally only the classifier head),
6. save the new model (same label space and preprocessing) atomically, with what it was
   fine-tuned on and its accuracy before/after on the user's samples and on held-back replay
   samples, measured through the one evaluation path on the saved files.
"""
from __future__ import annotations

import math
import sys
import tempfile
import time
from dataclasses import MISSING, dataclass, field, fields
from pathlib import Path

import numpy as np

from .errors import HandpadError

# Replay samples held back (not trained on) to measure forgetting.
REPLAY_EVAL = 500
# Synthesized replay: extra samples of each of the user's syllables, drawn by other faces.
REPLAY_PER_USER_SYLLABLE = 6


@dataclass
class FinetuneConfig:
    """A fine-tuning run: the one place of its defaults and checks (the CLI builds one from its flags)."""

    model: str
    data: list
    out: str
    mix_with: str | None = None
    mix_ratio: float = 4.0
    epochs: int = 8
    learning_rate: float = 1e-4
    batch_size: int = 64
    replay_samples: int = 3000  # at most this many replay samples per epoch (and synthesized)
    user_repeats: int = 8  # each of your samples is shown this often per epoch: the work grows with your samples
    replay_exclude: list = field(default_factory=list)  # font-face globs left out of synthesized replay
    replay_fonts: list | None = None  # font files/folders for synthesized replay (default: the Debian Korean fonts)
    freeze_features: bool = False
    seed: int = 0
    force: bool = False
    verbose: int | None = None  # Keras fit verbosity (default: progress bar on a terminal)
    progress: bool = True

    def __post_init__(self):
        if self.epochs < 1:
            raise HandpadError(f"--epochs must be >= 1, got {self.epochs}")
        if not self.learning_rate > 0:
            raise HandpadError(f"--lr must be > 0, got {self.learning_rate}")
        if self.mix_ratio < 0 or not math.isfinite(self.mix_ratio):
            raise HandpadError(f"--mix-ratio must be >= 0, got {self.mix_ratio}")
        if self.batch_size < 1 or self.replay_samples < 1 or self.user_repeats < 1:
            raise HandpadError("--batch-size, --replay-samples and --user-repeats must be >= 1")
        if Path(self.out).suffix != ".keras":
            raise HandpadError(f"--out {self.out}: the model file name must end in .keras")
        if not self.data:
            raise HandpadError("no --data store given: pass the store the pad saved your samples to")


DEFAULTS = {f.name: f.default for f in fields(FinetuneConfig) if f.default is not MISSING}


def finetune(cfg: FinetuneConfig) -> dict:
    from .data import make_dataset, stack_stores, steps_for
    from .evaluation import evaluate
    from .model import Model, resolve_model_path, save_model, update_metadata
    from .store import load_store

    # 1. Paths and the user's stores: every cheap check before TensorFlow starts.
    model_path = resolve_model_path(cfg.model)
    out = Path(cfg.out)
    if out.is_dir():
        raise HandpadError(f"--out {out}: is a folder, expected a .keras file name")
    if out.exists() and out.resolve() == model_path.resolve() and not cfg.force:
        raise HandpadError(f"--out {out} is the input model; write the fine-tuned model elsewhere, or pass --force to replace it")
    user_stores = [load_store(p) for p in cfg.data]  # missing or empty: StoreError naming the folder

    # 2. The model, with its label space and preprocessing; the user's samples in the same space.
    import keras

    base = Model.load(model_path)
    space, size = base.label_space, base.input_size
    target = f"the model ({model_path.name})"
    user_images, user_labels = stack_stores(user_stores, space, size, target)
    user_classes = sorted({space.labels[i] for i in np.unique(user_labels)})
    keras.utils.set_random_seed(cfg.seed)

    # 3. Replay samples, so the model keeps what it knew: a store, or synthesized for Hangul models.
    #    The work follows the user's samples: each is shown user_repeats times an epoch, with
    #    mix_ratio replay samples beside each showing (at most replay_samples an epoch).
    n_user = len(user_labels)
    replay_n = min(cfg.replay_samples, round(n_user * cfg.user_repeats * cfg.mix_ratio))
    n_eval = min(REPLAY_EVAL, max(50, replay_n // 4))
    with tempfile.TemporaryDirectory(prefix="handpad-replay-") as tmp:
        replay_store, replay_source = None, None
        if cfg.mix_ratio > 0:
            if cfg.mix_with:
                replay_store, replay_source = load_store(cfg.mix_with), str(cfg.mix_with)
            elif space.kind == "hangul":
                replay_store = synthesize_replay(Path(tmp) / "replay", replay_n + n_eval, user_classes, cfg.replay_exclude,
                                                 cfg.seed, size, cfg.progress, fonts=cfg.replay_fonts)
                replay_source = f"synthesized: {len(replay_store)} pen-drawn samples from the default fonts"
            else:
                raise HandpadError(
                    f"{model_path.name}: its labels are not Hangul syllables, so replay samples cannot be synthesized; "
                    "pass --mix-with STORE with data the model was trained on (e.g. --mix-with data/mnist), "
                    "or --mix-ratio 0 to train on your samples alone (the model may then forget other classes)"
                )
        stores = user_stores + ([replay_store] if replay_store is not None else [])
        images, all_labels = stack_stores(stores, space, size, target)
        user_idx = np.arange(n_user)
        replay_train, replay_eval = _split_replay(len(all_labels) - n_user, n_user, cfg.seed, n_eval)

        # 4. One pipeline: the user's samples oversampled to 1 per mix_ratio replay samples.
        pool, per_epoch = training_pool(user_idx, replay_train, cfg.mix_ratio, max(1, replay_n), cfg.seed,
                                        cfg.user_repeats)
        train_ds = make_dataset(images, all_labels, pool, cfg.batch_size, shuffle=True, seed=cfg.seed, repeat=True)
        steps = steps_for(per_epoch, cfg.batch_size)

        # 5. Continue training at a low learning rate; figures before and after through the one
        #    evaluation path (the model files, on the engine users run).
        def figures(model: Model) -> dict:
            return {part: (round(evaluate(model, images[idx], all_labels[idx])["top1"], 4) if len(idx) else None)
                    for part, idx in (("user", user_idx), ("replay", replay_eval))}

        before = figures(base)
        network = base.keras_model
        head = set_trainable(network, cfg.freeze_features)
        from .training import make_optimizer

        from . import model_builders

        loss, metrics = model_builders.training_objective(base.head)
        network.compile(optimizer=make_optimizer("adam", cfg.learning_rate), loss=loss, metrics=metrics)
        verbose = cfg.verbose if cfg.verbose is not None else (1 if sys.stdout.isatty() else 2)
        if verbose:
            print(f"fine-tuning {model_path.name} on {n_user} sample(s) of {len(user_classes)} class(es) "
                  f"+ {len(replay_train)} replay sample(s) ({replay_source or 'none'}): "
                  f"{cfg.epochs} epoch(s) x {steps} step(s) of {cfg.batch_size}, lr {cfg.learning_rate:g}"
                  + (f", training only {head}" if cfg.freeze_features else ""), file=sys.stderr)
        started = time.time()
        network.fit(train_ds, epochs=cfg.epochs, steps_per_epoch=steps, verbose=verbose, shuffle=False,
                    callbacks=[TimeLeft(cfg.epochs)] if verbose else [])
        seconds = time.time() - started
        for layer in network.layers:
            layer.trainable = True  # the saved file should not carry the freeze

        # 6. The new model: same label space and preprocessing; its metadata says where it came from.
        report = {
            "user_samples": n_user, "user_classes": user_classes,
            "replay": replay_source, "replay_train_samples": int(len(replay_train)),
            "epochs": cfg.epochs, "steps_per_epoch": steps, "learning_rate": cfg.learning_rate,
            "mix_ratio": cfg.mix_ratio, "freeze_features": cfg.freeze_features, "seconds": round(seconds, 1),
            "accuracy_before": before,
        }
        kept = {k: base.meta[k] for k in ("architecture", "arch_options", "head", "params", "trained_on") if k in base.meta}
        new_meta = {**kept, "finetuned_from": str(model_path), "finetune": {
            **report, "user_stores": [str(s.path) for s in user_stores], "seed": cfg.seed,
            "base_metrics": base.meta.get("metrics")}}
        saved = save_model(network, out, space, base.preprocess_config, **new_meta)
        report["accuracy_after"] = figures(Model.load(saved))
        new_meta["finetune"]["accuracy_after"] = report["accuracy_after"]
        update_metadata(saved, finetune=new_meta["finetune"])
    return {"model_path": str(saved), "report": report, "meta": new_meta}


class TimeLeft:
    """After the first epoch, says how long the rest will take (a fine-tuning run is sized by the user's data)."""

    def __new__(cls, epochs: int):
        import keras

        class _Left(keras.callbacks.Callback):
            def on_epoch_begin(self, epoch, logs=None):
                self.start = time.time()

            def on_epoch_end(self, epoch, logs=None):
                # The first epoch includes tracing the graph: the second one tells the pace.
                if epoch == 1 and epochs > 2:
                    took = time.time() - self.start
                    print(f"an epoch takes {took:.1f} s: about {took * (epochs - 2):.0f} s to go",
                          file=sys.stderr, flush=True)

        return _Left()


def _split_replay(n_replay: int, offset: int, seed: int, n_eval: int = REPLAY_EVAL):
    """Replay indices (offset by the user's samples): (train, held back for the forgetting check)."""
    idx = offset + np.random.default_rng(seed).permutation(n_replay)
    n_eval = min(n_eval, n_replay // 5)
    return np.sort(idx[n_eval:]), np.sort(idx[:n_eval])


def training_pool(user_idx: np.ndarray, replay_idx: np.ndarray, mix_ratio: float, replay_per_epoch: int, seed: int = 0,
                  user_repeats: int = 1):
    """Indices for a repeating, shuffled pipeline and the samples per epoch.

    The user's samples are repeated so that the pool holds about one of them per
    ``mix_ratio`` replay samples (each batch has that mix in expectation); an epoch is at
    most ``replay_per_epoch`` replay samples plus their share of user samples, so a large
    replay store is walked through across epochs instead of in each one.
    """
    user_idx, replay_idx = np.asarray(user_idx, np.int64), np.asarray(replay_idx, np.int64)
    if mix_ratio <= 0 or not len(replay_idx):
        return np.tile(user_idx, user_repeats), len(user_idx) * user_repeats
    copies = max(1, round(len(replay_idx) / (mix_ratio * len(user_idx))))
    pool = np.concatenate([np.tile(user_idx, copies), replay_idx])
    replay_n = min(len(replay_idx), replay_per_epoch)
    per_epoch = replay_n + max(1, round(replay_n * copies * len(user_idx) / len(replay_idx)))
    return pool, per_epoch


def set_trainable(model, head_only: bool) -> str:
    """All layers trainable, or only the last layer with weights (the classifier); returns its name."""
    weighted = [layer for layer in model.layers if layer.weights]
    head = weighted[-1]
    for layer in model.layers:
        layer.trainable = (not head_only) or layer is head
    return head.name


def synthesize_replay(out: Path, n: int, user_classes, exclude=None, seed: int = 0, size: int = 60,
                      progress: bool = True, fonts=None):
    """About ``n`` pen-drawn samples of ``size`` px into a new store at ``out``: random (face, syllable)
    pairs from the default fonts, plus each of ``user_classes`` drawn by a few faces. Returns the Store.

    Random pairs cover many syllables with few samples (every face drawing a few syllables
    would cover only a handful of classes).
    """
    from .labels import hangul_syllables
    from .synth.fonts import resolve_fonts
    from .synth.generate import SynthOptions, synthesize_pairs

    faces, _ = resolve_fonts(fonts, None, list(exclude or []) or None)
    if not faces:
        raise HandpadError("no Korean fonts found to synthesize replay samples; install fonts-nanum "
                           "(or the other font packages `handpad synth fonts` lists), or pass --mix-with STORE")
    syllables = hangul_syllables()
    index = {c: i for i, c in enumerate(syllables)}
    rng = np.random.default_rng(np.random.SeedSequence([seed, 11]))
    n_faces = len(faces)
    extra = [(int(f), index[c]) for c in user_classes if c in index  # (replay covers the 2350 only)
             for f in rng.choice(n_faces, min(REPLAY_PER_USER_SYLLABLE, n_faces), replace=False)]
    n_random = max(0, n - len(extra))
    flat = rng.choice(n_faces * len(syllables), min(n_random, n_faces * len(syllables)), replace=False)
    pairs = set(extra) | {(int(k // len(syllables)), int(k % len(syllables))) for k in flat}
    # In this process: TensorFlow is loaded by now, and forking a process that runs its threads is unsafe.
    store = synthesize_pairs(faces, pairs, out, SynthOptions(per_font=1, mix="pen=1", seed=seed, size=size),
                             source="finetune-replay", record={"faces": [f.id for f in faces]}, progress=progress)
    if not len(store):
        raise HandpadError("could not synthesize any replay sample; pass --mix-with STORE")
    return store
