"""``handpad evaluate``: models on a store or a folder of labeled images, through the one evaluation path."""
from __future__ import annotations

from pathlib import Path

from ..errors import HandpadError
from ..evaluation import evaluate, evaluation_data, format_table, write_reports
from .split import add_subset_arguments

DESCRIPTION = """\
Measure one or more models on the same data: top-1 and top-3 accuracy, a per-class CSV,
the most-confused pairs, and (up to 60 classes) a confusion-matrix PNG.

DATA is a dataset store or a folder of labeled images (DATA/<label>/*.png), or a line set
(words or numbers, from `handpad synth words|numbers`): then the lines are read as `handpad read`
reads them and the report gives boxes right (lines whose every character got one box of its
own), boxed (characters with a box of their own: no merge, no split), whole lines right with and
without the language prior, character accuracy and the time per line.
Several --model options (or --compare A B C) put the models side by side in one table.

examples:
  handpad evaluate data/mnist-test --model digits
  handpad evaluate data/phd08 --model hangul --out runs/eval-phd08
  handpad evaluate data/hangul-heldout-pen --compare hangul runs/hangul-cnn/model.keras
  handpad evaluate data/words-pen --model hangul            # a line set: reading words
"""


def configure(p) -> None:
    p.add_argument("data", help="dataset store or folder of labeled images")
    p.add_argument("--model", action="append", default=[], help="model: digits, hangul or a .keras path (repeatable)")
    p.add_argument("--compare", nargs="+", action="extend", default=[], metavar="MODEL",
                   help="more models to put side by side (repeatable)")
    p.add_argument("--out", help="folder for the reports, one subfolder per model: per-class CSV, confused pairs, "
                   "metrics.json and plots (default: runs/eval-<data>)")
    p.add_argument("--top-pairs", type=int, default=10, help="how many confused pairs to list")
    p.add_argument("--limit", type=int, help="evaluate on a random subset of this many samples (seeded)")
    p.add_argument("--strokes", action="store_true",
                   help="line sets: cut lines from their strokes in drawing order (as the pads do), not the image")
    p.add_argument("--verifier", default="shipped", metavar="PATH",
                   help="line sets: the box verifier ('shipped' (default), a .keras file, or 'none')")
    p.add_argument("--true-boxes", action="store_true",
                   help="line sets: also read each character in its true box (an extra row per subset): what "
                        "the reading would give with the cutting right, to tell cutting errors from reading errors")
    add_subset_arguments(p)


def distinct_names(paths) -> list[str]:
    """A name per model file for the table and its report folder: the file's stem, with its folder's name
    in front where stems repeat (runs/a/model.keras and runs/b/model.keras: a-model, b-model)."""
    paths = [Path(p) for p in paths]
    names = [f"{p.parent.name}-{p.stem}" if [q.stem for q in paths].count(p.stem) > 1 else p.stem for p in paths]
    return [n if names.count(n) == 1 else f"{n}-{i + 1}" for i, n in enumerate(names)]


def run(args) -> int:
    from ..model import Model, resolve_model_path

    models = list(dict.fromkeys(resolve_model_path(m) for m in args.model + args.compare))  # each file once
    if not models:
        raise HandpadError("no model given: pass --model digits|hangul|PATH (repeatable) or --compare A B")
    data = Path(args.data)
    out = Path(args.out or Path("runs") / f"eval-{data.name}")
    if (data / "lines.jsonl").exists():
        return _run_lines(args, data, out, models)
    rows = []
    for path, name in zip(models, distinct_names(models)):
        model = Model.load(path)
        images, labels = evaluation_data(data, model, subset=args.subset, val_fraction=args.val_fraction,
                                         test_fraction=args.test_fraction, split_seed=args.split_seed,
                                         limit=args.limit)
        metrics = evaluate(model, images, labels, top_pairs=args.top_pairs)
        write_reports(metrics, out / name, model.labels)  # one subfolder per model, always
        rows.append((name, str(model.path), metrics))
    print(format_table(rows, data))
    for name, _, m in rows:
        if m["confused_pairs"]:
            print(f"\nmost-confused pairs ({name}): " + ", ".join(f"{a}->{b} ({n})" for a, b, n in m["confused_pairs"]))
    print(f"\nreports in {out}")
    return 0


def _run_lines(args, data: Path, out: Path, models) -> int:
    import json

    from ..evaluation import evaluate_reading, format_reading
    from ..recognizer import Recognizer
    from ..sources.lines import read_lines

    lines = read_lines(data)
    for path, name in zip(models, distinct_names(models)):
        rec = Recognizer.load(path)
        if rec.label_space.kind != lines.kind:
            raise HandpadError(f"{data} holds {lines.kind} lines; model {name!r} reads {rec.label_space.kind}")
        metrics = evaluate_reading(rec, lines, use_strokes=args.strokes, limit=args.limit, verifier=args.verifier,
                                   true_boxes=args.true_boxes)
        (out / name).mkdir(parents=True, exist_ok=True)
        (out / name / "reading.json").write_text(json.dumps(metrics, indent=1))
        print(format_reading(metrics, f"{name} on {data} ({'strokes' if args.strokes else 'images'})"))
    print(f"\nreports in {out}")
    return 0
