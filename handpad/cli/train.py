"""``handpad train``: the flags of a training run -> :class:`handpad.training.TrainConfig` -> ``train``."""
from __future__ import annotations

import json

from ..errors import HandpadError
from ..preprocess import PRESETS
from ..training import DEFAULTS, OPTIMIZERS, PRECISIONS, SCHEDULES, TrainConfig, train

DESCRIPTION = """\
Train a model on a dataset store (made by `handpad convert` or `handpad synth`).

The store is split into train/validation/test (stratified, --split-seed, default --seed), or you pass explicit
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
  handpad train data/hangul-train --arch inception --devices all --precision auto \
      --batch-size 512 --out runs/hangul-gpus     # every GPU of this machine, mixed_float16
  handpad train data/mnist --arch inception --teacher runs/digits-ens/model.keras \
      --out runs/digits-student                   # one network taught by an ensemble's answers
"""


def configure(p) -> None:
    p.add_argument("store", help="dataset store folder to train on")
    p.add_argument("--out", required=True, help="run folder: checkpoints, logs, plots, model.keras")
    p.add_argument("--arch", default=DEFAULTS["arch"], help="architecture from model_builders (cnn, inception); default cnn")
    p.add_argument("--arch-option", action="append", default=[], metavar="KEY=VALUE",
                   help="architecture option, e.g. width=0.75, dense=512, elastic=false (repeatable)")
    p.add_argument("--epochs", type=int, default=DEFAULTS["epochs"])
    p.add_argument("--batch-size", type=int, default=DEFAULTS["batch_size"],
                   help="samples per training step (default 128); with --devices, the global batch of all devices")
    p.add_argument("--optimizer", choices=OPTIMIZERS, default=DEFAULTS["optimizer"])
    p.add_argument("--lr", type=float, dest="learning_rate",
                   help="learning rate (default 1e-3); with --resume it replaces the restored rate from now on, "
                        "e.g. a 10x lower rate for a final phase")
    p.add_argument("--schedule", choices=SCHEDULES, default=DEFAULTS["schedule"],
                   help="learning-rate schedule: plateau halves the rate when val_loss stalls (default); "
                        "cosine decays it from --lr to near 0 over --epochs (plan the whole run)")
    p.add_argument("--val-fraction", type=float, default=DEFAULTS["val_fraction"])
    p.add_argument("--test-fraction", type=float, default=DEFAULTS["test_fraction"])
    p.add_argument("--extra-train", action="append", default=[], metavar="STORE",
                   help="another store added to the training part only, e.g. pen-drawn copies (repeatable)")
    p.add_argument("--val-store", help="explicit validation store (instead of a split)")
    p.add_argument("--test-store", help="explicit test store (instead of a split)")
    p.add_argument("--seed", type=int, default=DEFAULTS["seed"],
                   help="seed of the weights, augmentation and sample order (and of the split, unless --split-seed)")
    p.add_argument("--split-seed", type=int,
                   help="seed of the train/validation/test split (default: --seed); keep it at the seed the other "
                        "stores were made from (e.g. `convert pen --split-seed`) when trying several --seed")
    p.add_argument("--patience", type=int, default=DEFAULTS["patience"], help="early-stopping patience in epochs")
    p.add_argument("--steps-per-epoch", type=int, help="batches per epoch (checkpoint more often on big stores)")
    p.add_argument("--time-budget", type=float, metavar="MINUTES", dest="time_budget_minutes",
                   help="stop after the first epoch that ends past this many minutes (this session); resume later")
    p.add_argument("--precision", choices=PRECISIONS, default=DEFAULTS["precision"],
                   help="float32 (default); mixed_bfloat16 computes in bfloat16 with float32 weights: 1.2-1.4x the "
                        "samples/s on CPUs with AVX512-BF16 (see bench/train_throughput.py); mixed_float16 does the "
                        "same in float16 with loss scaling, for GPUs; auto: mixed_float16 on GPUs, else float32. "
                        "The saved model is float32 in every case")
    p.add_argument("--devices", default=DEFAULTS["devices"], metavar="N|all",
                   help="train on N devices, or all visible ones, with tf.distribute.MirroredStrategy (the GPUs of "
                        "this machine); --batch-size is the global batch, split among them. Default 1: one device")
    p.add_argument("--label-space", help="the model's classes (default: the store's label space; hangul-11172 with "
                   "--arch-option head=jamo, which ranks all 11,172 syllables from 19 + 21 + 28 jamo outputs, and with head=hybrid, "
                   "the jamo outputs beside a softmax over the 2350 common syllables)")
    p.add_argument("--init-from", metavar="MODEL",
                   help="start from the weights of this model ('hangul', 'digits' or a .keras file): every layer of "
                        "the same name and shape is copied, the rest start fresh (e.g. a hybrid head on the shipped "
                        "Hangul model's features); use a lower --lr")
    p.add_argument("--teacher", metavar="MODEL",
                   help="distil this model (e.g. an ensemble from handpad.model.ensemble_models) into the one trained: "
                        "each training target mixes the true label with the teacher's softened probabilities for that "
                        "image (softmax head only). The teacher must not have trained on the validation or test part")
    p.add_argument("--distill", type=float, default=DEFAULTS["distill"], metavar="SHARE",
                   help="with --teacher: the teacher's share of each target (default %(default)s)")
    p.add_argument("--distill-temperature", type=float, default=DEFAULTS["distill_temperature"], metavar="T",
                   help="with --teacher: soften its probabilities as p ** (1/T) (default %(default)s)")
    p.add_argument("--preprocess", choices=sorted(PRESETS), help="preprocessing saved in the model (default: from the store)")
    p.add_argument("--resume", action="store_true", help="continue the interrupted run in --out")
    p.add_argument("--save-to", help="also copy the final model here (e.g. models/digits.keras)")
    p.add_argument("--force", action="store_true", help="with --save-to: replace even a better existing model")


def run(args) -> int:
    cfg = TrainConfig(
        store=args.store, out=args.out, arch=args.arch, arch_options=parse_options(args.arch_option),
        epochs=args.epochs, batch_size=args.batch_size, optimizer=args.optimizer,
        learning_rate=args.learning_rate, schedule=args.schedule, val_fraction=args.val_fraction, test_fraction=args.test_fraction,
        extra_train=args.extra_train, val_store=args.val_store, test_store=args.test_store, seed=args.seed, split_seed=args.split_seed, patience=args.patience,
        steps_per_epoch=args.steps_per_epoch, time_budget_minutes=args.time_budget_minutes, preprocess=args.preprocess, resume=args.resume,
        precision=args.precision, save_to=args.save_to, force=args.force, label_space=args.label_space,
        init_from=args.init_from, devices=args.devices, teacher=args.teacher, distill=args.distill,
        distill_temperature=args.distill_temperature,
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
