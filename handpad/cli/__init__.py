"""The ``handpad`` command: one subcommand per step of the pipeline, its front ends together here.

Each subcommand is a thin module of this package with ``DESCRIPTION``, ``configure(parser)`` and
``run(args) -> int``: it turns flags into the library's config object (the one place of defaults
and checks) and calls the library. TensorFlow is imported only inside ``run``, so
``handpad --help`` and the converters start fast.
"""
from __future__ import annotations

import argparse
import importlib
import sys

# name -> (module, one-line help). Order = the pipeline's order.
COMMANDS = {
    "convert": ("handpad.cli.convert", "convert a dataset (mnist, phd08, hgu1, images) into a dataset store"),
    "synth": ("handpad.cli.synth", "synthesize training data from fonts (hangul)"),
    "train": ("handpad.cli.train", "train a model on a dataset store"),
    "evaluate": ("handpad.cli.evaluate", "measure models on a store or a folder of labeled images"),
    "predict": ("handpad.cli.predict", "recognize image files (top-k labels, optional JSON lines)"),
    "read": ("handpad.cli.read", "read lines of handwriting: words and numbers (text, boxes, JSON lines)"),
    "draw": ("handpad.cli.draw", "open the drawing pad (digits or hangul)"),
    "serve": ("handpad.cli.serve", "serve the drawing pad as a local web page, with a JSON API"),
    "finetune": ("handpad.cli.finetune", "continue training a model on samples saved from the pad"),
    "calibrate": ("handpad.cli.calibrate", "fit a model's temperature on validation data (calibrated probabilities)"),
    "refit": ("handpad.cli.refit", "refit a hybrid Hangul model's jamo heads on more syllables outside the 2350"),
    "combine": ("handpad.cli.combine", "combine trained models into one: an ensemble (mean answer) or a soup (mean weights)"),
    "info": ("handpad.cli.info", "show a dataset store or a model file"),
}

DESCRIPTION = """\
handpad: draw a digit, a Hangul syllable or a whole word; get the most likely characters or text.

The pipeline, one subcommand per step:
  convert   real datasets (MNIST, PHD08, PE92/SERI95 HGU1, image folders) -> dataset store
  synth     fonts -> PHD08-style and pen-drawn Hangul samples -> dataset store;
            lines of words and numbers (test data for reading)
  train     dataset store -> model file (.keras, with its labels and preprocessing)
  evaluate  model(s) on a store, labeled images or a line set -> accuracy, confusions, plots
  predict   images -> top-k labels (JSON lines with --json)
  read      images of words or numbers (a line of several characters) -> text
  draw      the drawing pad; finetune: learn your own hand from samples saved in the pad
  calibrate a model's temperature (and a hybrid model's rare weight) on validation data;
            refit: a hybrid model's jamo heads on more syllables outside the 2350
  combine   several trained models -> one (an ensemble, or a soup of their weights)
  serve     the drawing pad in a web browser (and a JSON API), on this machine

Run `handpad COMMAND --help` for the options of each step.
"""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="handpad", description=DESCRIPTION, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    from .. import __version__

    parser.add_argument("--version", action="version", version=f"handpad {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, (module_name, help_text) in COMMANDS.items():
        module = importlib.import_module(module_name)
        p = sub.add_parser(
            name, help=help_text, description=getattr(module, "DESCRIPTION", help_text),
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        module.configure(p)
        p.set_defaults(_run=module.run)
    return parser


TRAINING_MODULES = ("tensorflow", "keras")


def main(argv=None) -> int:
    from ..errors import HandpadError

    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "_run", None):
        parser.print_help()
        return 2
    try:
        return int(args._run(args) or 0)
    except HandpadError as e:
        print(f"handpad {args.command}: error: {e}", file=sys.stderr)
        return 1
    except ModuleNotFoundError as e:
        if e.name not in TRAINING_MODULES:
            raise
        # The base install has no TensorFlow (prediction runs on LiteRT); training needs the extra.
        print(f"handpad {args.command}: error: this step needs TensorFlow ({e.name} is not installed): "
              'pip install "handpad[train]" (keeps an installed TensorFlow, e.g. a GPU build), '
              'or "handpad[train-cpu]" on a machine without one', file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"handpad {args.command}: interrupted; finished work is kept, re-run to continue", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
