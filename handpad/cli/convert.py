"""``handpad convert``: real datasets -> a dataset store (see handpad.convert and handpad.store)."""
from __future__ import annotations

import argparse

from ..convert import ConvertOptions

DESCRIPTION = """\
Convert a dataset into a dataset store: 60x60 uint8 images (ink bright on dark), integer
labels, classes.txt and manifest.json, written in shards, atomically. Every image goes
through the one shared preprocessing (crop to the ink, keep the aspect ratio, pad, resize).

Sources:
  mnist   MNIST digits: a folder of IDX files, keras' mnist.npz, or --download
  phd08   PHD08 printed Hangul: one text file per syllable (가.txt), 2187 scans each
  hgu1    PE92 / SERI95 handwritten Hangul: .hgu1 files (EUC-KR labels, gray images)
  images  a folder of labeled images: DIR/<label>/*.png|jpg|bmp...
  pen     a store -> the same samples redrawn with a round pen on a large canvas (as the pad sees them)
  lines   line sets (handpad synth words / numbers) -> their characters as `handpad read` cuts them

Bad samples are skipped and counted (--strict stops at the first); a file that cannot be
read is reported and the others are still converted; the exit status is 1 if anything was
skipped or failed (the good output is kept). Re-running into the same --out skips the
inputs already converted, so an interrupted run just continues.

Examples:
  handpad convert mnist ../shared/data/mnist-10k --out data/mnist
  handpad convert mnist --download --split test --out data/mnist-test
  handpad convert phd08 ../shared/data/phd08 --out data/phd08
  handpad convert phd08 phd08/ --preset original --out data/phd08-81   # the original 81 per file
  handpad convert phd08 phd08/ --fonts S,G --rotations 1 --binarize 0.5 --out data/phd08-sg
  handpad convert hgu1 PE92/ --out data/pe92
  handpad convert images my_samples/ --out data/mine
"""


def _int_list(text: str) -> tuple[int, ...]:
    try:
        values = tuple(int(v) for v in text.split(",") if v.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a comma list of 0, 1, 2 (e.g. 0,2), got {text!r}") from None
    if not values or any(v not in (0, 1, 2) for v in values):
        raise argparse.ArgumentTypeError(f"expected a comma list of 0, 1, 2 (e.g. 0,2), got {text!r}")
    return values


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--out", required=True, metavar="DIR", help="the dataset store folder to write (created if needed)")
    p.add_argument("--strict", action="store_true", help="stop at the first bad sample or file (default: skip and count)")
    p.add_argument("--overwrite", action="store_true", help="replace an existing store in --out instead of continuing it")
    p.add_argument("--size", type=int, default=ConvertOptions.size,
                   help=f"side of the square images in the store (default {ConvertOptions.size})")
    p.add_argument("--workers", type=int, help="processes to use (default: one per CPU)")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")


def configure(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="source", metavar="SOURCE", required=True)
    fmt = argparse.RawDescriptionHelpFormatter

    p = sub.add_parser("mnist", help="MNIST digits (IDX folder, mnist.npz or --download)", formatter_class=fmt, description="""\
MNIST -> store. PATH is a folder with train-images-idx3-ubyte[.gz] + train-labels-idx1-ubyte[.gz]
(or t10k-* for --split test), or keras' mnist.npz. With --download, keras fetches MNIST (online).
Digits are centered by mass, as MNIST itself is.

Examples:
  handpad convert mnist ../shared/data/mnist-10k --out data/mnist
  handpad convert mnist ~/.keras/datasets/mnist.npz --split test --out data/mnist-test""")
    p.add_argument("path", nargs="?", metavar="PATH", help="folder of IDX files or an mnist.npz file")
    p.add_argument("--download", action="store_true", help="download through keras.datasets.mnist instead of PATH")
    p.add_argument("--split", choices=("train", "test"), default="train", help="which part of MNIST (default train)")
    _common(p)
    p.set_defaults(_convert=_run_mnist)

    p = sub.add_parser("phd08", help="PHD08 printed Hangul (가.txt ... files)", formatter_class=fmt, description="""\
PHD08 -> store. INPUT: PHD08 .txt files named by their syllable (가.txt) or folders of them.
Labels count in the 2350 KS X 1001 syllables (the label space hangul-ksx1001). Each sample is
named FONT_SIZE_NOISE_RESOLUTION_THRESHOLD_ROTATION (e.g. S_0_0_2_1_0); select samples with a
preset, a regex on that name, and/or per-field lists (all given filters must match).

Examples:
  handpad convert phd08 ../shared/data/phd08 --out data/phd08            # all 2187 per file
  handpad convert phd08 phd08/ --preset original --out data/phd08-81      # [A-Z0-9]+_[0-2]_0_2_1_[0-2]
  handpad convert phd08 phd08/ --fonts S,G,M --noises 0 --rotations 1 --out data/sel
  handpad convert phd08 phd08/ --gaussian-sigma 0.8 --binarize 0.5 --out data/blur""")
    p.add_argument("inputs", nargs="+", metavar="INPUT", help="PHD08 .txt files or folders")
    p.add_argument("--preset", choices=("original", "all"), help="original = what the original project kept (81 per file)")
    p.add_argument("--regex", help="keep samples whose name fully matches this regex, e.g. '[A-Z0-9]+_[0-2]_0_2_1_[0-2]'")
    p.add_argument("--fonts", help="comma list of fonts to keep: S,G,M,N,B,D,Y,H1,H2")
    for fld, plural in (("size", "sizes"), ("noise", "noises"), ("resolution", "resolutions"), ("threshold", "thresholds"), ("rotation", "rotations")):
        p.add_argument(f"--{plural}", type=_int_list, metavar="0,1,2", help=f"keep these {fld} variants (comma list of 0-2)")
    p.add_argument("--gaussian-sigma", type=float, default=0.0, metavar="SIGMA", help="Gaussian blur after resizing (default 0 = none)")
    p.add_argument("--binarize", type=float, metavar="THRESH", help="binarize after resizing: ink where the value > THRESH (0-1)")
    p.add_argument("--width", type=int, help="image width (must equal --height: the store is square)")
    p.add_argument("--height", type=int, help="image height (must equal --width)")
    p.add_argument("--files-per-shard", type=int, default=10, metavar="N", help="files per store shard (and per commit); default 10")
    _common(p)
    p.set_defaults(_convert=_run_phd08)

    p = sub.add_parser("hgu1", help="PE92 / SERI95 handwritten Hangul (.hgu1 files)", formatter_class=fmt, description="""\
HGU1 (PE92, SERI95) -> store. INPUT: .hgu1 files or folders (searched recursively for *.hgu1).
Labels come from each image's EUC-KR code and count in the 2350 KS X 1001 syllables, or in all
11,172 if the files hold others (hangul-ksx1001 or hangul-11172).
Gray images of either polarity are fine.

Example:
  handpad convert hgu1 PE92/ --out data/pe92""")
    p.add_argument("inputs", nargs="+", metavar="FILE_OR_DIR", help=".hgu1 files or folders")
    _common(p)
    p.set_defaults(_convert=_run_hgu1)

    p = sub.add_parser("images", help="a folder of labeled images: DIR/<label>/*.png", formatter_class=fmt, description="""\
Labeled images -> store. DIR holds one subfolder per label (DIR/가/001.png, DIR/7/a.jpg); any
format OpenCV or Pillow reads, any polarity, any size. Labels count in the smallest label space
holding the folder names (digits, hangul-ksx1001, hangul-11172); digits are centered by mass.

Example:
  handpad convert images my_samples/ --out data/mine""")
    p.add_argument("root", metavar="DIR", help="folder with one subfolder per label")
    _common(p)
    p.set_defaults(_convert=_run_images)

    _add_pen(sub, fmt)

    p = sub.add_parser("lines", help="line sets -> their characters as the reading cuts them", formatter_class=fmt,
                       description="""\
Line sets (made by `handpad synth words` / `handpad synth numbers`) -> a store of their characters
as `handpad read` cuts and prepares them: from each line's image and, where it has them, its strokes,
the boxes the segmentation proposes that overlap a true character's box (IoU >= 0.75), each cut to
its own ink (a neighbour's ink reaching into it left out), labeled with that character. A model
trained on them also sees what reading a line gives it: the hand's drift from character to
character, neighbours cut away, now and then a piece of the next one. Use line sets of training
digits or faces only (synth numbers --split train; synth words --exclude the held-out faces).

Example (the digits members trained on number lines, models/README.md):
  handpad synth numbers --out data/numbers-train/pen --split train --style pen --spacing mixed --count 2000 --seed 201
  handpad convert lines data/numbers-train/pen --out data/digits/train-lines""")
    p.add_argument("sets", nargs="+", metavar="SET", help="line set folders, all of one kind (hangul or digits)")
    p.add_argument("--margin", type=float, default=1.0,
                   help="boxes on groupings costing up to this much more than the shapes' best (default 1.0)")
    p.add_argument("--out", required=True, metavar="DIR", help="the dataset store folder to write (created if needed)")
    p.add_argument("--size", type=int, help="side of the store images (default: the kind's preprocessing, 60)")
    p.add_argument("--strict", action="store_true", help="stop at the first bad line (default: skip and count)")
    p.add_argument("--overwrite", action="store_true", help="replace an existing store in --out instead of continuing it")
    p.add_argument("--workers", type=int, help="processes to use (default: one per CPU)")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.set_defaults(_convert=_run_lines)


def _add_pen(sub, fmt) -> None:
    p = sub.add_parser("pen", help="a store -> its samples redrawn with a round pen (mouse-like)", formatter_class=fmt, description="""\
Each sample is thinned to its skeleton and redrawn with a round pen of constant, random width
at a random size and place on a 400x400 canvas, then preprocessed like a drawing from the pad.
--subset picks the train/val/test part of the same stratified split `handpad train` makes with
the same --val-fraction/--test-fraction/--split-seed, so a pen test set holds only held-out samples.

By default the redrawing also gets a hand's wobble, slant and squeeze (for training copies);
--no-jitter keeps only the new size, place and pen width (the definition of a pen test set).
Holes in the ink (the loops of a thick 8) are kept; --fill-holes fills small ones first.
--hand normal|careless writes each sample as a person does with a mouse instead (the Hangul
synthesizer's hand kind: strokes bent, slanted and squeezed, pieces moved, hooks and overshoots,
drawn at mouse-event rate with the pad's pens).

Examples:
  handpad convert pen data/mnist --subset test --no-jitter --out data/mnist-test-pen
  handpad convert pen data/mnist --subset train --copies 2 --out data/mnist-train-pen
  handpad convert pen data/mnist --subset test --hand careless --out data/mnist-test-careless""")
    p.add_argument("source", metavar="STORE", help="the store to redraw")
    p.add_argument("--subset", choices=("train", "val", "test"), help="only this part of the split (default: all)")
    p.add_argument("--val-fraction", type=float, default=0.1)
    p.add_argument("--test-fraction", type=float, default=0.1)
    p.add_argument("--split-seed", type=int, default=0, help="the --seed of the training run whose split to follow")
    p.add_argument("--copies", type=int, default=1, help="pen drawings per sample (default 1)")
    p.add_argument("--seed", type=int, default=0, help="seed of the random pen (deterministic)")
    p.add_argument("--no-jitter", action="store_true", help="no wobble, slant or squeeze: size, place and pen only")
    p.add_argument("--fill-holes", action="store_true", help="fill small holes before thinning (font glyphs)")
    p.add_argument("--hand", choices=("normal", "careless"),
                   help="write each sample with the hand kind (mouse-like strokes) in this style instead of the pen")
    p.add_argument("--workers", type=int, help="processes (default 2)")
    p.add_argument("--out", required=True, metavar="DIR", help="the dataset store folder to write")
    p.add_argument("--overwrite", action="store_true", help="replace an existing store in --out")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.set_defaults(_convert=_run_pen)


def _run_pen(args):
    from ..synth.redraw import redraw_store

    return redraw_store(args.source, args.out, copies=args.copies, subset=args.subset, val_fraction=args.val_fraction,
                        test_fraction=args.test_fraction, split_seed=args.split_seed, seed=args.seed,
                        workers=args.workers, overwrite=args.overwrite, progress=not args.no_progress,
                        jitter=not args.no_jitter, fill_holes=args.fill_holes, hand=args.hand)


def run(args) -> int:
    report = args._convert(args)
    print(report.summary())
    print(f"store: {args.out}")
    return 0 if report.ok else 1


# The library checks every value (with these flags' names in its messages): the CLI only maps
# flags to arguments, and checks what only concerns flags (given together, or not both).
def _run_mnist(args):
    from ..convert import convert_mnist
    from ..errors import HandpadError

    if args.download == (args.path is not None):
        raise HandpadError("give either PATH (IDX folder or mnist.npz) or --download, not both or neither")
    return convert_mnist(
        args.path, args.out, split=args.split, download=args.download, size=args.size,
        strict=args.strict, overwrite=args.overwrite, progress=not args.no_progress, workers=args.workers,
    )


def phd08_options_from_args(args):
    """The PHD08 options the flags ask for (shared with phd08_to_npy.py)."""
    from ..convert import Phd08Options
    from ..errors import HandpadError
    from ..preprocess import HANGUL_CONFIG, PreprocessConfig
    from ..sources.phd08 import PRESETS, Phd08Selection

    width, height = getattr(args, "width", None), getattr(args, "height", None)
    size = args.size if getattr(args, "size", None) else 60
    if width is not None or height is not None:
        if width is None or height is None or width != height:
            raise HandpadError(f"--width and --height must be given together and be equal (the store is square), got {width} x {height}")
        size = width
    regex = getattr(args, "regex", None)
    preset = getattr(args, "preset", None)
    if preset and regex:
        raise HandpadError("give --preset or --regex, not both")
    fonts = None
    if getattr(args, "fonts", None):
        fonts = tuple(f.strip() for f in args.fonts.split(",") if f.strip())
    variants = {}
    for fld, plural in (("size", "sizes"), ("noise", "noises"), ("resolution", "resolutions"), ("threshold", "thresholds"), ("rotation", "rotations")):
        if getattr(args, plural, None):
            variants[fld] = getattr(args, plural)
    return Phd08Options(
        selection=Phd08Selection(fonts=fonts, variants=variants, regex=PRESETS[preset] if preset else regex),
        config=PreprocessConfig(size=size, margin=HANGUL_CONFIG.margin, center_mass=HANGUL_CONFIG.center_mass),
        gaussian_sigma=getattr(args, "gaussian_sigma", 0.0) or 0.0,
        binarize=getattr(args, "binarize", None),
    )


def _run_phd08(args):
    from ..convert import convert_phd08

    return convert_phd08(
        args.inputs, args.out, phd08_options_from_args(args), strict=args.strict, files_per_shard=args.files_per_shard,
        workers=args.workers, overwrite=args.overwrite, progress=not args.no_progress,
    )


def _run_hgu1(args):
    from ..convert import convert_hgu1

    return convert_hgu1(args.inputs, args.out, size=args.size, strict=args.strict, overwrite=args.overwrite,
                        progress=not args.no_progress, workers=args.workers)


def _run_images(args):
    from ..convert import convert_images

    return convert_images(args.root, args.out, size=args.size, strict=args.strict, overwrite=args.overwrite,
                          progress=not args.no_progress, workers=args.workers)



def _run_lines(args):
    from ..convert import convert_lines

    return convert_lines(args.sets, args.out, margin=args.margin, size=args.size, strict=args.strict,
                         overwrite=args.overwrite, progress=not args.no_progress, workers=args.workers)
