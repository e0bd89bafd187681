"""``handpad finetune``: the flags -> :class:`handpad.finetune.FinetuneConfig` -> ``finetune``."""
from __future__ import annotations

import json

from ..finetune import DEFAULTS, FinetuneConfig, finetune

DESCRIPTION = """\
Continue training a model on the samples you saved in the drawing pad (`handpad draw ...
--save-to MY_STORE`, keys 1/2/3 then s), so it learns your hand, and write a new model file
that the pad opens with --model.

Your samples are mixed with "replay" samples so the model keeps what it knew: from
--mix-with STORE, or (Hangul models) a few thousand pen-drawn samples synthesized from the
installed Korean fonts. Each of your samples is shown about once per --mix-ratio replay
samples. The input model file is never replaced (unless --force).

examples:
  handpad finetune --model hangul --data ~/.local/share/handpad/hangul-samples --out my-hangul.keras
  handpad draw hangul --model my-hangul.keras
  handpad finetune --model digits --data my-digits --mix-with data/mnist --out my-digits.keras
  handpad finetune --model hangul --data mine --mix-with data/hangul-train --epochs 4 --out mine.keras
"""


def configure(p) -> None:
    p.add_argument("--model", required=True, metavar="digits|hangul|PATH", help="the model to start from")
    p.add_argument("--data", required=True, action="append", metavar="STORE",
                   help="your samples: a store saved by the pad (repeatable)")
    p.add_argument("--out", required=True, metavar="NEW.keras", help="the new model file")
    p.add_argument("--mix-with", metavar="STORE",
                   help="replay samples from this store (required for non-Hangul models); "
                   "default for Hangul: synthesized pen-drawn samples")
    p.add_argument("--mix-ratio", type=float, default=DEFAULTS["mix_ratio"], metavar="R",
                   help="replay samples per user sample in training (default 4; 0 = no replay)")
    p.add_argument("--epochs", type=int, default=DEFAULTS["epochs"])
    p.add_argument("--lr", type=float, default=DEFAULTS["learning_rate"], dest="learning_rate",
                   help="learning rate (default 1e-4)")
    p.add_argument("--batch-size", type=int, default=DEFAULTS["batch_size"])
    p.add_argument("--user-repeats", type=int, default=DEFAULTS["user_repeats"], metavar="N",
                   help="how often each of your samples is shown per epoch (default 8); with --mix-ratio this "
                        "sets the work, so a few samples take seconds")
    p.add_argument("--replay-samples", type=int, default=DEFAULTS["replay_samples"], metavar="N",
                   help="at most this many replay samples per epoch (and synthesized without --mix-with); default 3000")
    p.add_argument("--replay-exclude", nargs="+", default=[], metavar="PATTERN",
                   help="font faces (globs) left out of synthesized replay")
    p.add_argument("--freeze-features", action="store_true",
                   help="train only the final classifier layer (faster, changes the model less)")
    p.add_argument("--seed", type=int, default=DEFAULTS["seed"])
    p.add_argument("--force", action="store_true", help="allow --out to be the input model file")
    p.add_argument("--quiet", action="store_true", help="no progress bars")


def run(args) -> int:
    cfg = FinetuneConfig(
        model=args.model, data=list(args.data), out=args.out, mix_with=args.mix_with, mix_ratio=args.mix_ratio,
        epochs=args.epochs, learning_rate=args.learning_rate, batch_size=args.batch_size,
        replay_samples=args.replay_samples, user_repeats=args.user_repeats, replay_exclude=list(args.replay_exclude),
        freeze_features=args.freeze_features, seed=args.seed, force=args.force,
        verbose=0 if args.quiet else None, progress=not args.quiet,
    )
    result = finetune(cfg)
    print(json.dumps(result["report"], indent=1, ensure_ascii=False))
    print(f"model: {result['model_path']}  (open it with: handpad draw ... --model {result['model_path']})")
    return 0
