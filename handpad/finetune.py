"""``handpad finetune``: teach a model the user's own hand from the samples saved in the pad.

Pipeline, top to bottom:

1. check the output path (never the input model, unless --force), open the user's stores,
2. load the model (safe mode) with its labels and preprocessing,
3. map the user's labels onto the model's labels by text (unknown labels: an error naming them),
4. replay data, so the model does not forget what it knew: a store (--mix-with) or, for
   Hangul models, a few thousand pen-drawn samples synthesized from the default fonts
   (random syllables, plus the user's syllables drawn by other faces),
5. one ``tf.data`` pipeline over both, the user's samples oversampled so each batch holds
   about one user sample per --mix-ratio replay samples,
6. continue training at a low learning rate (optionally only the classifier head),
7. measure before/after on the user's samples and on held-back replay samples, and save the
   new model (same labels and preprocessing) atomically, with what it was fine-tuned on.
"""
from __future__ import annotations

import json
import math
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .errors import HandpadError

DESCRIPTION = """\
Continue training a model on the samples you saved in the drawing pad (`handpad draw ...
--save-to MY_STORE`, keys 1/2/3 then s), so it learns your hand, and write a new model file
that the pad opens with --model.

Your samples are mixed with "replay" samples so the model keeps what it knew: from
--mix-with STORE, or (Hangul models) a few thousand pen-drawn samples synthesized from the
installed Korean fonts. Each of your samples is shown about once per --mix-ratio replay
samples. The input model file is never replaced (unless --force).

examples:
  handpad finetune --model hangul --data ~/.local/share/handpad/samples/hangul --out my-hangul.keras
  handpad draw hangul --model my-hangul.keras
  handpad finetune --model digits --data my-digits --mix-with data/mnist --out my-digits.keras
  handpad finetune --model hangul --data mine --mix-with data/hangul-train --epochs 4 --out mine.keras
"""

# Replay samples held back (not trained on) to measure forgetting.
REPLAY_EVAL = 500
# Synthesized replay: extra samples of each of the user's syllables, drawn by other faces.
REPLAY_PER_USER_SYLLABLE = 6


@dataclass
class FinetuneConfig:
    model: str
    data: list
    out: str
    mix_with: str | None = None
    mix_ratio: float = 4.0
    epochs: int = 8
    learning_rate: float = 1e-4
    batch_size: int = 64
    replay_samples: int = 3000  # replay samples per epoch; also how many are synthesized
    replay_exclude: list = field(default_factory=list)  # font-face globs left out of synthesized replay
    replay_fonts: list | None = None  # font files/folders for synthesized replay (default: the Debian Korean fonts)
    freeze_features: bool = False
    seed: int = 0
    force: bool = False
    verbose: int | None = None  # Keras fit verbosity (default: progress bar on a terminal)
    progress: bool = True


def configure(p) -> None:
    p.add_argument("--model", required=True, metavar="digits|hangul|PATH", help="the model to start from")
    p.add_argument("--data", required=True, action="append", metavar="STORE",
                   help="your samples: a store saved by the pad (repeatable)")
    p.add_argument("--out", required=True, metavar="NEW.keras", help="the new model file")
    p.add_argument("--mix-with", metavar="STORE",
                   help="replay samples from this store (required for non-Hangul models); "
                   "default for Hangul: synthesized pen-drawn samples")
    p.add_argument("--mix-ratio", type=float, default=4.0, metavar="R",
                   help="replay samples per user sample in training (default 4; 0 = no replay)")
    p.add_argument("--epochs", type=int, default=8)
    p.add_argument("--lr", type=float, default=1e-4, dest="learning_rate", help="learning rate (default 1e-4)")
    p.add_argument("--batch-size", type=int, default=64)
    p.add_argument("--replay-samples", type=int, default=3000, metavar="N",
                   help="replay samples per epoch (and how many are synthesized without --mix-with); default 3000")
    p.add_argument("--replay-exclude", nargs="+", default=[], metavar="PATTERN",
                   help="font faces (globs) left out of synthesized replay")
    p.add_argument("--freeze-features", action="store_true",
                   help="train only the final classifier layer (faster, changes the model less)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--force", action="store_true", help="allow --out to be the input model file")
    p.add_argument("--quiet", action="store_true", help="no progress bars")


def run(args) -> int:
    cfg = FinetuneConfig(
        model=args.model, data=list(args.data), out=args.out, mix_with=args.mix_with, mix_ratio=args.mix_ratio,
        epochs=args.epochs, learning_rate=args.learning_rate, batch_size=args.batch_size,
        replay_samples=args.replay_samples, replay_exclude=list(args.replay_exclude),
        freeze_features=args.freeze_features, seed=args.seed, force=args.force,
        verbose=0 if args.quiet else None, progress=not args.quiet,
    )
    result = finetune(cfg)
    print(json.dumps(result["report"], indent=1, ensure_ascii=False))
    print(f"model: {result['model_path']}  (open it with: handpad draw ... --model {result['model_path']})")
    return 0


def finetune(cfg: FinetuneConfig) -> dict:
    from .modelio import load_model, resolve_model_path, save_model
    from .preprocess import PreprocessConfig
    from .store import load_store

    # 1. Paths and the user's stores: every cheap check before TensorFlow starts.
    _check_options(cfg)
    model_path = resolve_model_path(cfg.model)
    out = Path(cfg.out)
    if out.suffix != ".keras":
        raise HandpadError(f"--out {out}: the model file name must end in .keras")
    if out.is_dir():
        raise HandpadError(f"--out {out}: is a folder, expected a .keras file name")
    if out.exists() and out.resolve() == model_path.resolve() and not cfg.force:
        raise HandpadError(f"--out {out} is the input model; write the fine-tuned model elsewhere, or pass --force to replace it")
    if not cfg.data:
        raise HandpadError("no --data store given: pass the store the pad saved your samples to")
    user_stores = [load_store(p) for p in cfg.data]  # missing or empty: StoreError naming the folder

    # 2. The model, with its labels and preprocessing.
    import keras

    model, meta = load_model(model_path)
    labels = list(meta["labels"])
    pconfig = PreprocessConfig.from_dict(meta.get("preprocess"))
    size = int(model.input_shape[1])
    keras.utils.set_random_seed(cfg.seed)

    # 3. The user's samples, labels mapped onto the model's by text.
    from .data import stack_stores

    user_images, user_labels = stack_stores(user_stores, labels, size, target=f"the model ({model_path.name})")
    user_syllables = sorted({labels[i] for i in np.unique(user_labels)})

    # 4. Replay samples: a store, or synthesized for Hangul models.
    with tempfile.TemporaryDirectory(prefix="handpad-replay-") as tmp:
        replay_store, replay_source = None, None
        if cfg.mix_ratio > 0:
            if cfg.mix_with:
                replay_store, replay_source = load_store(cfg.mix_with), str(cfg.mix_with)
            elif _is_hangul(labels):
                n = cfg.replay_samples + REPLAY_EVAL
                replay_store = synthesize_replay(Path(tmp) / "replay", n, user_syllables, cfg.replay_exclude,
                                                 cfg.seed, size, cfg.progress, fonts=cfg.replay_fonts)
                replay_source = f"synthesized: {len(replay_store)} pen-drawn samples from the default fonts"
            else:
                raise HandpadError(
                    f"{model_path.name}: its labels are not Hangul syllables, so replay samples cannot be synthesized; "
                    "pass --mix-with STORE with data the model was trained on (e.g. --mix-with data/mnist), "
                    "or --mix-ratio 0 to train on your samples alone (the model may then forget other classes)"
                )
        stores = user_stores + ([replay_store] if replay_store is not None else [])
        images, all_labels = stack_stores(stores, labels, size, target=f"the model ({model_path.name})")
        n_user = len(user_labels)
        user_idx = np.arange(n_user)
        replay_train, replay_eval = _split_replay(len(all_labels) - n_user, n_user, cfg.seed)

        # 5. One pipeline: the user's samples oversampled to 1 per mix_ratio replay samples.
        pool, per_epoch = training_pool(user_idx, replay_train, cfg.mix_ratio, cfg.replay_samples, cfg.seed)
        from .data import make_dataset, steps_for

        train_ds = make_dataset(images, pool, cfg.batch_size, shuffle=True, seed=cfg.seed, repeat=True, labels=all_labels)
        steps = steps_for(per_epoch, cfg.batch_size)

        # 6. Continue training at a low learning rate.
        before = {"user": accuracy(model, images, all_labels, user_idx),
                  "replay": accuracy(model, images, all_labels, replay_eval)}
        head = set_trainable(model, cfg.freeze_features)
        from .training import make_optimizer

        model.compile(optimizer=make_optimizer("adam", cfg.learning_rate), loss="sparse_categorical_crossentropy",
                      metrics=["accuracy"])
        verbose = cfg.verbose if cfg.verbose is not None else (1 if sys.stdout.isatty() else 2)
        if verbose:
            print(f"fine-tuning {model_path.name} on {n_user} sample(s) of {len(user_syllables)} class(es) "
                  f"+ {len(replay_train)} replay sample(s) ({replay_source or 'none'}): "
                  f"{cfg.epochs} epoch(s) x {steps} step(s), lr {cfg.learning_rate:g}"
                  + (f", training only {head}" if cfg.freeze_features else ""), file=sys.stderr)
        started = time.time()
        model.fit(train_ds, epochs=cfg.epochs, steps_per_epoch=steps, verbose=verbose)
        seconds = time.time() - started
        for layer in model.layers:
            layer.trainable = True  # the saved file should not carry the freeze
        after = {"user": accuracy(model, images, all_labels, user_idx),
                 "replay": accuracy(model, images, all_labels, replay_eval)}

    # 7. The new model: same labels and preprocessing; its metadata says where it came from.
    report = {
        "user_samples": n_user, "user_classes": user_syllables,
        "replay": replay_source, "replay_train_samples": int(len(replay_train)),
        "epochs": cfg.epochs, "steps_per_epoch": steps, "learning_rate": cfg.learning_rate,
        "mix_ratio": cfg.mix_ratio, "freeze_features": cfg.freeze_features, "seconds": round(seconds, 1),
        "accuracy_before": before, "accuracy_after": after,
    }
    base = {k: meta[k] for k in ("architecture", "arch_options", "params", "trained_on") if k in meta}
    new_meta = {**base, "finetuned_from": str(model_path), "finetune": {
        **report, "user_stores": [str(s.path) for s in user_stores], "seed": cfg.seed,
        "base_metrics": meta.get("metrics")}}
    saved = save_model(model, out, labels, pconfig, **new_meta)
    return {"model_path": str(saved), "report": report, "meta": new_meta}


def _check_options(cfg: FinetuneConfig) -> None:
    if cfg.epochs < 1:
        raise HandpadError(f"--epochs must be >= 1, got {cfg.epochs}")
    if not cfg.learning_rate > 0:
        raise HandpadError(f"--lr must be > 0, got {cfg.learning_rate}")
    if cfg.mix_ratio < 0 or not math.isfinite(cfg.mix_ratio):
        raise HandpadError(f"--mix-ratio must be >= 0, got {cfg.mix_ratio}")
    if cfg.batch_size < 1 or cfg.replay_samples < 1:
        raise HandpadError("--batch-size and --replay-samples must be >= 1")


def _is_hangul(labels) -> bool:
    from .labels import is_ksx1001_syllable

    return all(is_ksx1001_syllable(c) for c in labels)


def _split_replay(n_replay: int, offset: int, seed: int):
    """Replay indices (offset by the user's samples): (train, held back for the forgetting check)."""
    idx = offset + np.random.default_rng(seed).permutation(n_replay)
    n_eval = min(REPLAY_EVAL, n_replay // 5)
    return np.sort(idx[n_eval:]), np.sort(idx[:n_eval])


def training_pool(user_idx: np.ndarray, replay_idx: np.ndarray, mix_ratio: float, replay_per_epoch: int, seed: int = 0):
    """Indices for a repeating, shuffled pipeline and the samples per epoch.

    The user's samples are repeated so that the pool holds about one of them per
    ``mix_ratio`` replay samples (each batch has that mix in expectation); an epoch is at
    most ``replay_per_epoch`` replay samples plus their share of user samples, so a large
    replay store is walked through across epochs instead of in each one.
    """
    user_idx, replay_idx = np.asarray(user_idx, np.int64), np.asarray(replay_idx, np.int64)
    if mix_ratio <= 0 or not len(replay_idx):
        return user_idx, len(user_idx)
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


def accuracy(model, images, labels, idx, batch_size: int = 256) -> float | None:
    """Top-1 accuracy of ``model`` on samples ``idx`` (None when there are none)."""
    idx = np.asarray(idx, np.int64)
    if not len(idx):
        return None
    hits = 0
    for i in range(0, len(idx), batch_size):
        b = idx[i : i + batch_size]
        x = images[b].astype(np.float32)[..., None] / 255.0
        hits += int((np.argmax(model.predict(x, verbose=0), axis=1) == labels[b]).sum())
    return round(hits / len(idx), 4)


def synthesize_replay(out: Path, n: int, user_classes, exclude=None, seed: int = 0, size: int = 60,
                      progress: bool = True, fonts=None):
    """About ``n`` pen-drawn samples into a new store at ``out``: random (face, syllable) pairs from
    the default fonts, plus each of ``user_classes`` drawn by a few faces. Returns the Store.

    Random pairs cover many syllables with few samples (every face drawing a few syllables
    would cover only a handful of classes).
    """
    from tqdm.auto import tqdm

    from .errors import NothingDrawnError
    from .labels import hangul_syllables
    from .store import StoreWriter
    from .synth.fonts import resolve_fonts
    from .synth.generate import SynthOptions, make_samples

    faces, _ = resolve_fonts(fonts, None, list(exclude or []) or None)
    if not faces:
        raise HandpadError("no Korean fonts found to synthesize replay samples; install fonts-nanum "
                           "(or the other font packages `handpad synth fonts` lists), or pass --mix-with STORE")
    if size != 60:
        raise HandpadError(f"synthesized replay is 60px, the model takes {size}px; pass --mix-with STORE")
    syllables = hangul_syllables()
    index = {c: i for i, c in enumerate(syllables)}
    rng = np.random.default_rng(np.random.SeedSequence([seed, 11]))
    n_faces = len(faces)
    extra = [(int(f), index[c]) for c in user_classes
             for f in rng.choice(n_faces, min(REPLAY_PER_USER_SYLLABLE, n_faces), replace=False)]
    n_random = max(0, n - len(extra))
    flat = rng.choice(n_faces * len(syllables), min(n_random, n_faces * len(syllables)), replace=False)
    pairs = sorted(set(extra) | {(int(k // len(syllables)), int(k % len(syllables))) for k in flat})  # by face
    options = SynthOptions(per_font=1, mix="pen=1", seed=seed)
    writer = StoreWriter(out, syllables, source="finetune-replay", options={"faces": [f.id for f in faces]})
    images, labels = [], []
    for face_i, label in tqdm(pairs, desc="replay samples", unit="sample", disable=not progress):
        try:
            (_, image, _), = make_samples(faces[face_i], syllables[label], label, options)
        except (ValueError, NothingDrawnError):
            continue  # a glyph that cannot be drawn: one sample fewer
        images.append(image)
        labels.append(label)
    if not images:
        raise HandpadError("could not synthesize any replay sample; pass --mix-with STORE")
    writer.add(np.stack(images), labels)
    return writer.close()
