"""``handpad calibrate``: fit a model's temperature on validation data, so its probabilities mean what they say."""
from __future__ import annotations

import shutil
from pathlib import Path

from ..errors import HandpadError
from .split import add_subset_arguments, subset_indices

DESCRIPTION = """\
Fit the temperature of a model on validation data (a dataset store or a folder of labeled
images the model was not trained on, and that is not your test set): afterwards a top-1
probability of 0.8 is right about 80% of the time. The ranking of the answers does not change.
Writes a new model file (the input is never replaced unless --force) and a reliability plot,
and prints the expected calibration error (ECE, 15 bins) before and after.

examples:
  handpad calibrate runs/hangul/model.keras data/hangul-val-faces --out runs/hangul/calibrated.keras
  handpad calibrate digits data/mnist --subset val --out my-digits.keras   # the training run's validation part
  handpad calibrate runs/hangul-hybrid/model.keras data/val --rare data/val-rare --out hybrid.keras
  handpad calibrate hangul data/val --rare data/val-rare --jamo-mix --out hybrid.keras

A hybrid model (a softmax over the 2350 beside jamo softmaxes) also has a rare weight: how much of
its probability the syllables outside the 2350 get. --rare STORE (such syllables, written by
validation hands) fits it first: the weight that reads STORE best among those that keep the top-1
on DATA (the 2350) within half a point of the syllable softmax alone; the temperature is then fitted
on DATA and STORE together (the model answers over all 11,172 syllables). --jamo-mix, before both,
fits how much the jamo heads weigh among the 2350 as well (their product of experts with the
syllable softmax, 0 to 0.5): the mix that reads DATA best. --rare-weight W keeps the weight at W
instead (the temperature is still fitted on both): that half point is each network's own, so a
network whose softmax reads the 2350 better is given a smaller weight; to compare two networks at
one trade-off, give the new one the shipped file's weight (handpad info hangul shows it).

--casual STORE... (validation designs written by the casual hand, as casual as users write): last,
one more temperature for single images' answers (predict, the pads; reading lines keeps its own) so
that no validation set's calibration error is left high: the one of 0.8, 0.85, ... 1.5 whose highest
ECE over DATA, --rare and these stores is lowest.

--views SHEARS reads every image also slanted by these horizontal shears and averages each head's
answer over them (test-time views: casual hands slant, and reading the same ink at several slants
smooths over it); the views are saved in the model, so every app reads that way, and the rare
weight and temperature are fitted for them. Each view costs one more pass of the network, so a
model with views reads each image at one view first (with its own temperature, fitted too) and at
every view only where that first answer's top-1 probability is below a threshold: the lowest of
0.5, 0.6, ... 0.99 that reads the validation samples as well as every view always (none: every view).
"""


def configure(p) -> None:
    p.add_argument("model", help="digits, hangul or a .keras path")
    p.add_argument("data", help="validation data: a dataset store or a folder of labeled images")
    p.add_argument("--out", required=True, metavar="NEW.keras", help="the calibrated model file")
    p.add_argument("--plot", metavar="PNG", help="reliability plot (default: next to --out, <name>-reliability.png)")
    p.add_argument("--force", action="store_true", help="allow --out to be the input model file")
    p.add_argument("--rare", metavar="STORE", help="hybrid models: validation syllables outside the 2350, to fit the rare weight on")
    p.add_argument("--rare-weight", type=float, metavar="W",
                   help="hybrid models: keep the rare weight at W instead of fitting it (e.g. the shipped file's, "
                   "to compare two networks at one trade-off between the 2350 and the rarer syllables)")
    p.add_argument("--jamo-mix", action="store_true",
                   help="hybrid models: first fit how much the jamo heads weigh among the 2350 (on DATA)")
    p.add_argument("--casual", nargs="+", metavar="STORE",
                   help="validation stores of casual hands (the validation designs written by the casual hand): "
                   "last, the temperature of single images' answers is fitted so that the highest ECE over DATA, "
                   "--rare and these is lowest (without them it is 1)")
    p.add_argument("--views", metavar="SHEARS", type=_shears,
                   help="test-time views, e.g. 0,0.15,-0.15,0.25,-0.25 (0 = the image as it is; 0 alone: no views)")
    add_subset_arguments(p)


def _shears(text: str) -> tuple[float, ...]:
    import argparse

    from ..errors import ModelError
    from ..model import check_views

    try:
        return check_views([v for v in text.split(",") if v.strip()])
    except ModelError as e:
        raise argparse.ArgumentTypeError(str(e)) from None


def run(args) -> int:
    from ..model import resolve_model_path
    from ..training import calibrate

    source, out = resolve_model_path(args.model), Path(args.out)
    if out.suffix != ".keras":
        raise HandpadError(f"--out {out}: the model file name must end in .keras")
    if out.exists() and out.resolve() == source.resolve() and not args.force:
        raise HandpadError(f"--out {out} is the input model; write elsewhere, or pass --force to replace it")
    copied = out.resolve() != source.resolve()
    if copied:
        out.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, out)
    plot = Path(args.plot) if args.plot else out.with_name(f"{out.stem}-reliability.png")
    try:
        report = calibrate(out, args.data, subset_indices(args, args.data), plot=plot, rare=args.rare, views=args.views,
                           jamo_mix=args.jamo_mix, casual=args.casual, rare_weight=args.rare_weight)
    except BaseException:
        if copied:  # no half-made file left: the copy would pass for a calibrated model
            out.unlink(missing_ok=True)
        raise
    c = report["calibration"]
    if "jamo_mix" in report:
        print(f"jamo mix {report['jamo_mix']:g}: top-1 among the 2350 {report['jamo_mix_fit']['top1'][str(report['jamo_mix'])] * 100:.2f}% "
              f"on {args.data} (0: {report['jamo_mix_fit']['top1']['0.0'] * 100:.2f}%)")
    if args.rare_weight is not None:
        print(f"rare weight {report['rare_weight']:g}: given (--rare-weight), not fitted")
    elif "rare_weight" in report:
        a, b = report["rare_weight_fit"]["top1"][str(report["rare_weight"])]
        print(f"rare weight {report['rare_weight']:g}: top-1 {a * 100:.2f}% on {args.data}, {b * 100:.2f}% on {args.rare}")
    if "views" in report:
        print(f"views: shears {', '.join(f'{v:g}' for v in report['views'])}")
    if report.get("views_below_fit"):
        fit = report["views_below_fit"]
        if report["views_below"] is None:
            print("every image read at every view (one view first loses top-1 at every threshold tried)")
        else:
            top1, share = fit["top1_and_share_at_every_view"][str(report["views_below"])]
            print(f"views only below {report['views_below']:g} (one-view top-1 probability): {share * 100:.1f}% of the "
                  f"validation samples read at every view, top-1 {top1 * 100:.2f}% (every view always: "
                  f"{fit['top1_every_view'] * 100:.2f}%)")
    print(f"temperature {report['temperature']:.3f} on {c['n']} samples: ECE {c['ece_before'] * 100:.2f}% -> "
          f"{c['ece_after'] * 100:.2f}%")
    if args.casual:
        fit = report["predict_temperature_fit"][str(report["predict_temperature"])]
        print(f"single images' temperature {report['predict_temperature']:g}: ECE " +
              ", ".join(f"{v * 100:.2f}% on {name}" for name, v in fit.items()) +
              " (1: " + ", ".join(f"{v * 100:.2f}%" for v in report["predict_temperature_fit"]["1.0"].values()) + ")")
    print(f"model: {out}\nplot: {plot}")
    return 0
