#!/usr/bin/env python3
"""PHD08 -> numpy, with the original project's flags, over handpad's converter.

    python phd08_to_npy.py --data_dir ../shared/data/phd08 --width 60 --height 60

writes a dataset store (see README, "dataset store") to --out (default ``phd08_npy``, a folder
created in the CURRENT directory, as in the original project; a checkout's .gitignore lists it):
images-*.npy (uint8 n x 60 x 60, ink 255 on 0), labels-*.npy (int32), with --one_hot also
labels_onehot-*.npy (uint8 n x classes), classes.txt and manifest.json. --batch_size is the
number of PHD08 files per shard. Same parser, selection, preprocessing and error handling
as ``handpad convert phd08``; exit status 1 if any sample or file was skipped.
"""
from __future__ import annotations

import argparse
import sys


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="phd08_to_npy.py", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("--data_dir", required=True, help="folder of PHD08 .txt files (가.txt, 나.txt, ...)")
    p.add_argument("--out", default="phd08_npy", help="output store folder (default: phd08_npy in the current directory)")
    p.add_argument("--width", type=int, default=60, help="image width (default 60; must equal --height)")
    p.add_argument("--height", type=int, default=60, help="image height (default 60; must equal --width)")
    p.add_argument("--gaussian_sigma", type=float, default=0.0, help="Gaussian blur sigma after resizing (default 0 = none)")
    p.add_argument("--batch_size", type=int, default=1, help="PHD08 files per output shard (default 1)")
    p.add_argument("--one_hot", action="store_true", help="also write one-hot labels (labels_onehot-*.npy)")
    p.add_argument("--preset", choices=("original", "all"), help="sample selection; original = [A-Z0-9]+_[0-2]_0_2_1_[0-2]")
    p.add_argument("--regex", help="keep samples whose name fully matches this regex")
    p.add_argument("--binarize", type=float, help="binarize after resizing at this threshold (0-1)")
    p.add_argument("--strict", action="store_true", help="stop at the first bad sample or file")
    p.add_argument("--overwrite", action="store_true", help="replace an existing store in --out")
    p.add_argument("--workers", type=int, help="processes to use (default: one per CPU)")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    return p


def main(argv=None) -> int:
    args = build_parser().parse_args(argv)
    from handpad.convert import convert_phd08
    from handpad.cli.convert import phd08_options_from_args
    from handpad.errors import HandpadError

    try:
        if args.batch_size < 1:
            raise HandpadError("--batch_size must be at least 1")
        report = convert_phd08(
            [args.data_dir], args.out, phd08_options_from_args(args), strict=args.strict,
            files_per_shard=args.batch_size, workers=args.workers, overwrite=args.overwrite,
            progress=not args.no_progress, one_hot=args.one_hot,
        )
    except HandpadError as e:
        print(f"phd08_to_npy.py: error: {e}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("phd08_to_npy.py: interrupted; finished files are kept, re-run to continue", file=sys.stderr)
        return 130
    print(report.summary())
    print(f"store: {args.out}")
    return 0 if report.ok else 1


if __name__ == "__main__":
    sys.exit(main())
