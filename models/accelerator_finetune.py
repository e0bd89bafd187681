"""Train a model file's network further on a GPU machine that has Keras but no TensorFlow.

Some accelerator machines (a lent GPU box, a JAX- or PyTorch-only image) cannot run ``handpad
train``, which feeds the network through tf.data, and cannot take a gigabyte of stores along.
This script splits the job in three, and only the middle step runs there:

    pack    here, with handpad: the training stores and the validation store, bit-packed at the
            model's own binarizing threshold and lzma-compressed (~80 bytes a 60x60 sample), plus
            the starting network's weights and its architecture -> one folder of a few dozen MB
    train   there, with keras + numpy + model_builders alone (KERAS_BACKEND=jax or torch): the
            same network (model_builders.build), the same loss, in-model augmentation, Adam on a
            cosine over a time budget; the weights of the best validation epoch -> weights.npz
    import  here: weights.npz into a handpad model file (float32 network, int8 LiteRT graph, the
            starting file's metadata); then calibrate it (handpad calibrate ... --rare ...)

    python models/accelerator_finetune.py pack runs/hangul-hw/model.keras data/hangul-jamo/train \
        data/hangul-jamo/train-careless data/hangul-jamo/train-rare data/hangul-jamo/train-handwriting \
        --val data/hangul-jamo/val --out gpu-pack
    KERAS_BACKEND=jax python models/accelerator_finetune.py train gpu-pack --minutes 7 --out OUT
    python models/accelerator_finetune.py import OUT/weights.npz --pack gpu-pack --out runs/gpu/model.keras

Why the images are stored as bits: the network's first layers rescale and then binarize at 0.4
(model_builders.Binarize), so at inference a packed image gives the network exactly the input the
gray one gives. In training the augmentation (zoom, rotation, shift, and the optional elastic
warp) now resamples binary images instead of gray ones before binarizing: slightly rougher edges.

The same training runs on a CPU (any backend, TensorFlow included) at that CPU's pace: the
recipe in models/HISTORY.md names the samples seen, so a run of equal length can be reproduced.
"""
from __future__ import annotations

import argparse
import csv
import json
import lzma
import math
import os
import sys
import time
from pathlib import Path

import numpy as np

THRESHOLD = 102  # Binarize(0.4) after Rescaling(1/255): ink where the uint8 value is > 0.4 * 255
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # model_builders lives at the repository root (there: no handpad installed)


# -- the packed images ---------------------------------------------------------------------------
def pack_images(images: np.ndarray) -> bytes:
    """(n, s, s) uint8 -> lzma-compressed bits (1 = ink above the threshold)."""
    return lzma.compress(np.packbits(images > THRESHOLD, axis=-1).tobytes(), preset=9)


def unpack_images(blob: bytes, n: int, size: int) -> np.ndarray:
    """The inverse of pack_images: (n, size, size, 1) uint8 of 0 and 255."""
    bits = np.frombuffer(lzma.decompress(blob), np.uint8).reshape(n, size, -1)
    return (np.unpackbits(bits, axis=-1, count=size) * 255).astype(np.uint8)[..., None]


def write_part(folder: Path, name: str, images: np.ndarray, labels: np.ndarray) -> dict:
    (folder / f"{name}.bits.xz").write_bytes(pack_images(images))
    np.save(folder / f"{name}.labels.npy", labels.astype(np.int32))
    return {"n": int(len(labels)), "size": int(images.shape[1])}


def read_part(folder: Path, name: str, meta: dict):
    part = meta["parts"][name]
    images = unpack_images((folder / f"{name}.bits.xz").read_bytes(), part["n"], part["size"])
    return images, np.load(folder / f"{name}.labels.npy")


# -- pack (here) ---------------------------------------------------------------------------------
def pack(args) -> None:
    from handpad.data import labels_in, stack_stores
    from handpad.model import _load_keras, read_entries
    from handpad.labels import label_space
    from handpad.store import load_store

    meta, _ = read_entries(args.model)
    space = label_space(meta["label_space"])
    size = int(meta["preprocess"]["size"])
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    stores = [load_store(p) for p in args.stores]
    images, labels = stack_stores(stores, space, size, f"the model {args.model}")
    parts = {"train": write_part(out, "train", images[np.arange(len(labels))], labels)}
    val = load_store(args.val)
    parts["val"] = write_part(out, "val", val.images[np.arange(len(val))], labels_in(val, space, size, "the model"))
    np.savez(out / "init_weights.npz", *_load_keras(args.model).get_weights())
    (out / "pack.json").write_text(json.dumps({
        "model": str(args.model), "architecture": meta["architecture"], "arch_options": meta["arch_options"],
        "head": meta.get("head", "softmax"), "classes": len(space), "size": size,
        "stores": [str(p) for p in args.stores], "val": str(args.val), "parts": parts}, indent=1))
    total = sum(f.stat().st_size for f in out.iterdir())
    print(f"{out}: {parts['train']['n']} training and {parts['val']['n']} validation samples, {total / 2**20:.1f} MiB")


# -- train (there) -------------------------------------------------------------------------------
def train(args) -> None:
    import keras

    import model_builders

    folder, out = Path(args.pack), Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    meta = json.loads((folder / "pack.json").read_text())
    keras.utils.set_random_seed(args.seed)
    t0 = time.time()
    x, y = read_part(folder, "train", meta)
    xv, yv = read_part(folder, "val", meta)
    print(f"{len(y)} training, {len(yv)} validation samples unpacked in {time.time() - t0:.0f} s; "
          f"backend {keras.backend.backend()}", flush=True)

    options = dict(meta["arch_options"], elastic=args.elastic)
    model = model_builders.build(meta["architecture"], meta["classes"], (meta["size"], meta["size"], 1),
                                 dtype_policy=args.precision, **options)
    init = np.load(folder / "init_weights.npz")
    model.set_weights([init[f"arr_{i}"] for i in range(len(init.files))])
    loss, metrics = model_builders.training_objective(meta["head"])
    model.compile(optimizer=keras.optimizers.Adam(args.lr), loss=loss, metrics=metrics)
    start = model.evaluate(xv, yv, batch_size=1024, verbose=0, return_dict=True)
    print(f"start: val accuracy {start['accuracy']:.4f}", flush=True)

    callbacks = [TimeCosine(args.lr, args.minutes * 60, args.warmup), KeepBest(out / "weights.npz", start["accuracy"]),
                 keras.callbacks.CSVLogger(str(out / "history.csv"))]
    model.fit(x, y, batch_size=args.batch_size, epochs=10_000, validation_data=(xv, yv), validation_batch_size=1024,
              shuffle=True, callbacks=callbacks, verbose=2)
    best = callbacks[1]
    (out / "result.json").write_text(json.dumps({
        "start_val_accuracy": start["accuracy"], "best_val_accuracy": best.best, "best_epoch": best.epoch,
        "epochs": best.epochs, "samples_seen": best.epochs * len(y), "train_seconds": round(callbacks[0].elapsed, 1),
        "samples_per_second": round(best.epochs * len(y) / max(1e-9, callbacks[0].elapsed), 1),
        "backend": keras.backend.backend(), "precision": args.precision, "batch_size": args.batch_size,
        "lr": args.lr, "elastic": args.elastic, "seed": args.seed}, indent=1))
    print(f"best val accuracy {best.best:.4f} (epoch {best.epoch} of {best.epochs}); start {start['accuracy']:.4f}")


class TimeCosine:
    """Learning rate by elapsed training time: a linear warm-up over the first epochs, then a cosine
    from ``peak`` to 1% of it at ``budget`` seconds, when training stops (after that epoch). The
    number of epochs is not known ahead on an unknown machine; the time is."""

    def __new__(cls, *args, **kwargs):  # a keras.callbacks.Callback, imported lazily
        import keras

        class _TimeCosine(keras.callbacks.Callback):
            def __init__(self, peak, budget, warmup):
                super().__init__()
                self.peak, self.budget, self.warmup = peak, budget, warmup
                self.elapsed, self._t = 0.0, None

            def on_epoch_begin(self, epoch, logs=None):
                frac = min(1.0, self.elapsed / self.budget)
                lr = self.peak * (0.01 + 0.99 * 0.5 * (1 + math.cos(math.pi * frac)))
                if epoch < self.warmup:
                    lr = self.peak * (epoch + 1) / (self.warmup + 1)
                self.model.optimizer.learning_rate = lr
                self._t = time.time()

            def on_epoch_end(self, epoch, logs=None):
                self.elapsed += time.time() - self._t
                if logs is not None:
                    logs["lr"] = float(np.asarray(self.model.optimizer.learning_rate))
                    logs["seconds"] = round(self.elapsed, 1)
                if self.elapsed >= self.budget:
                    self.model.stop_training = True

        return _TimeCosine(*args, **kwargs)


class KeepBest:
    """Writes the weights of the best validation epoch so far (atomically: a run killed at its time
    limit leaves the last complete file)."""

    def __new__(cls, *args, **kwargs):
        import keras

        class _KeepBest(keras.callbacks.Callback):
            def __init__(self, path, baseline):
                super().__init__()
                self.path, self.best, self.epoch, self.epochs = Path(path), baseline, 0, 0

            def on_epoch_end(self, epoch, logs=None):
                self.epochs = epoch + 1
                acc = (logs or {}).get("val_accuracy", -1.0)
                if acc > self.best:
                    self.best, self.epoch = float(acc), epoch + 1
                    tmp = self.path.with_suffix(".tmp.npz")
                    np.savez(tmp, *self.model.get_weights())
                    os.replace(tmp, self.path)

        return _KeepBest(*args, **kwargs)


# -- import (here) -------------------------------------------------------------------------------
def import_weights(args) -> None:
    import model_builders
    from handpad.model import read_entries, save_model
    from handpad.preprocess import PreprocessConfig

    folder = Path(args.pack)
    meta = json.loads((folder / "pack.json").read_text())
    init_meta, _ = read_entries(meta["model"])
    weights = np.load(args.weights)
    model = model_builders.build(meta["architecture"], meta["classes"], (meta["size"], meta["size"], 1),
                                 **meta["arch_options"])
    model.set_weights([weights[f"arr_{i}"] for i in range(len(weights.files))])
    extra = {k: v for k, v in init_meta.items()
             if k not in ("label_space", "labels", "preprocess", "input", "temperature", "calibration",
                          "rare_weight", "rare_weight_fit", "metrics")}
    result = Path(args.weights).with_name("result.json")
    if result.exists():
        extra["finetuned"] = {"from": meta["model"], "stores": meta["stores"], **json.loads(result.read_text())}
    path = save_model(model, args.out, init_meta["label_space"], PreprocessConfig.from_dict(init_meta["preprocess"]),
                      **extra)
    print(f"{path}: now calibrate it: handpad calibrate {path} {meta['val']} --out {path} --force")


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="step", required=True)
    p = sub.add_parser("pack", help="stores + model file -> a small folder to take along")
    p.add_argument("model", help="the model file whose network training continues")
    p.add_argument("stores", nargs="+", help="training stores (all their samples are used)")
    p.add_argument("--val", required=True, help="validation store (held-out designs): picks the best epoch")
    p.add_argument("--out", required=True)
    p = sub.add_parser("train", help="on the accelerator: train from a packed folder")
    p.add_argument("pack")
    p.add_argument("--out", required=True)
    p.add_argument("--minutes", type=float, default=7.0, help="training time budget (default 7)")
    p.add_argument("--lr", type=float, default=6e-4, help="peak Adam learning rate (default 6e-4)")
    p.add_argument("--warmup", type=int, default=1, help="epochs of linear warm-up (default 1)")
    p.add_argument("--batch-size", type=int, default=512)
    p.add_argument("--precision", default="mixed_bfloat16", help="Keras dtype policy (default mixed_bfloat16)")
    p.add_argument("--elastic", action="store_true", help="add the elastic warp to the in-model augmentation")
    p.add_argument("--seed", type=int, default=0)
    p = sub.add_parser("import", help="weights.npz -> a handpad model file")
    p.add_argument("weights")
    p.add_argument("--pack", required=True, help="the packed folder the weights were trained from")
    p.add_argument("--out", required=True)
    args = parser.parse_args(argv)
    try:
        {"pack": pack, "train": train, "import": import_weights}[args.step](args)
    except (OSError, ValueError) as e:  # a missing or unreadable file, a store or model that does not fit
        parser.exit(1, f"{parser.prog} {args.step}: error: {e}\n")


if __name__ == "__main__":
    main()
