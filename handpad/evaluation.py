"""``handpad evaluate``: top-1/top-3, per-class accuracy, most-confused pairs, side-by-side models.

Data is a dataset store or a folder of labeled images (``DIR/<label>/*.png``). Labels are
matched by their text, so a model can be measured on any store that uses its labels.
"""
from __future__ import annotations

import csv
import json
from collections import Counter
from pathlib import Path

import numpy as np

from .errors import HandpadError
from .store import Store

DESCRIPTION = """\
Measure one or more models on the same data: top-1 and top-3 accuracy, a per-class CSV,
the most-confused pairs, and (up to 60 classes) a confusion-matrix PNG.

DATA is a dataset store or a folder of labeled images (DATA/<label>/*.png).
Several --model options (or --compare A B C) put the models side by side in one table.

examples:
  handpad evaluate data/mnist-test --model digits
  handpad evaluate data/phd08 --model hangul --out runs/eval-phd08
  handpad evaluate data/hangul-heldout-pen --compare hangul runs/hangul-cnn/model.keras
"""

MAX_MATRIX_CLASSES = 60


def configure(p) -> None:
    p.add_argument("data", help="dataset store or folder of labeled images")
    p.add_argument("--model", action="append", default=[], help="model: digits, hangul or a .keras path (repeatable)")
    p.add_argument("--compare", nargs="+", default=[], metavar="MODEL", help="more models to put side by side")
    p.add_argument("--out", help="folder for per-class CSV, confused pairs and plots (default: runs/eval-<data>)")
    p.add_argument("--top-pairs", type=int, default=10, help="how many confused pairs to list")
    p.add_argument("--limit", type=int, help="evaluate on a random subset of this many samples (seeded)")
    p.add_argument("--subset", choices=("train", "val", "test"),
                   help="only this part of the stratified split `handpad train` makes (same fractions and seed)")
    p.add_argument("--val-fraction", type=float, default=0.1)
    p.add_argument("--test-fraction", type=float, default=0.1)
    p.add_argument("--split-seed", type=int, default=0, help="the --seed of the training run whose split to follow")


def run(args) -> int:
    from .recognizer import Recognizer

    models = args.model + args.compare
    if not models:
        raise HandpadError("no model given: pass --model digits|hangul|PATH (repeatable) or --compare A B")
    data = Path(args.data)
    out = Path(args.out or Path("runs") / f"eval-{data.name}")
    images, labels, prepared, store_config = load_eval_data(data)
    if args.subset:
        if not prepared:
            raise HandpadError("--subset works on a dataset store, not on a folder of images")
        from .data import stratified_split
        from .store import load_store

        parts = stratified_split(load_store(data).labels, args.val_fraction, args.test_fraction, args.split_seed)
        pick = dict(zip(("train", "val", "test"), parts))[args.subset]
        images, labels = images[pick], [labels[i] for i in pick]
    if args.limit and args.limit < len(labels):
        pick = np.sort(np.random.default_rng(0).choice(len(labels), args.limit, replace=False))
        images = images[pick] if prepared else [images[i] for i in pick]
        labels = [labels[i] for i in pick]
    rows = []
    for name in models:
        rec = Recognizer.load(name)
        x = to_model_input(rec, images, prepared, store_config)
        probs = np.concatenate([rec.predict_prepared(x[i : i + 512]) for i in range(0, len(x), 512)])
        metrics = metrics_from_probs(probs, labels, rec.labels, top_pairs=args.top_pairs)
        sub = out / rec.name if len(models) > 1 else out
        write_reports(metrics, sub, rec.labels)
        rows.append((rec.name, str(rec.path), metrics))
    print(format_table(rows, data))
    for name, _, m in rows:
        if m["confused_pairs"]:
            print(f"\nmost-confused pairs ({name}): " + ", ".join(f"{a}->{b} ({n})" for a, b, n in m["confused_pairs"]))
    print(f"\nreports in {out}")
    return 0


def load_eval_data(data: Path):
    """-> (images, label strings, already-preprocessed?, store preprocess config or None)."""
    from .preprocess import PreprocessConfig
    from .store import load_store

    if (data / "manifest.json").exists():
        store = load_store(data)
        images = store.images[np.arange(len(store))]
        cfg = (store.manifest.get("options") or {}).get("preprocess")
        return images, store.label_names(), True, PreprocessConfig.from_dict(cfg) if cfg else None
    if data.is_dir():
        from .sources.images import labeled_image_files, read_image

        images, labels = [], []
        for label, f in labeled_image_files(data):
            images.append(read_image(f))
            labels.append(label)
        if not images:
            raise HandpadError(f"{data}: no labeled images found (expected {data}/<label>/<image files>)")
        return images, labels, False, None
    raise HandpadError(f"{data}: not a dataset store or a folder of labeled images")


def to_model_input(rec, images, prepared: bool, store_config) -> np.ndarray:
    """Stored samples are already preprocessed; redo it only if the model wants other settings."""
    if prepared and (store_config is None or store_config == rec.config):
        return images.astype(np.float32) / 255.0
    if prepared:
        return np.stack([rec.prepare(im, ink="bright") for im in images])
    return np.stack([rec.prepare(im) for im in images])


def evaluate_arrays(predict, store: Store, indices, classes) -> dict:
    """Metrics of ``predict`` (float batch -> probs over ``classes``) on store samples ``indices``."""
    indices = np.asarray(indices)
    probs = []
    for i in range(0, len(indices), 2048):
        b = indices[i : i + 2048]
        probs.append(predict(store.images[b].astype(np.float32)[..., None] / 255.0))
    probs = np.concatenate(probs) if probs else np.zeros((0, len(classes)))
    labels = [store.classes[int(i)] for i in store.labels[indices]]
    m = metrics_from_probs(probs, labels, classes)
    return {k: m[k] for k in ("n", "top1", "top3", "confused_pairs")}


def metrics_from_probs(probs: np.ndarray, labels, classes, top_pairs: int = 10) -> dict:
    """Top-1/top-3, per-class accuracy and confused pairs; labels matched by text."""
    index = {c: i for i, c in enumerate(classes)}
    y = np.array([index.get(lab, -1) for lab in labels])
    k = min(3, probs.shape[1])
    top = np.argsort(-probs, axis=1)[:, :k]
    hit1 = top[:, 0] == y
    hit3 = (top == y[:, None]).any(axis=1)
    per_class = {}
    confusions = Counter()
    for lab in sorted(set(labels), key=lambda c: index.get(c, 1 << 30)):
        sel = np.array([la == lab for la in labels])
        wrong = Counter(classes[j] for j in top[sel & ~hit1, 0])
        per_class[lab] = {"n": int(sel.sum()), "top1": float(hit1[sel].mean()), "top3": float(hit3[sel].mean()),
                          "most_confused_with": wrong.most_common(1)[0][0] if wrong else ""}
        for other, n in wrong.items():
            confusions[(lab, other)] += n
    return {
        "n": int(len(y)),
        "top1": float(hit1.mean()) if len(y) else 0.0,
        "top3": float(hit3.mean()) if len(y) else 0.0,
        "unknown_labels": sorted({lab for lab in labels if lab not in index}),
        "confused_pairs": [(a, b, n) for (a, b), n in confusions.most_common(top_pairs)],
        "per_class": per_class,
        "y": y, "pred": top[:, 0],
    }


def write_reports(m: dict, out: Path, classes) -> None:
    out.mkdir(parents=True, exist_ok=True)
    with open(out / "per_class.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["label", "n", "top1", "top3", "most_confused_with"])
        for lab, r in m["per_class"].items():
            w.writerow([lab, r["n"], f"{r['top1']:.4f}", f"{r['top3']:.4f}", r["most_confused_with"]])
    with open(out / "confused_pairs.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["true", "predicted", "count"])
        w.writerows(m["confused_pairs"])
    summary = {k: m[k] for k in ("n", "top1", "top3", "unknown_labels", "confused_pairs")}
    (out / "metrics.json").write_text(json.dumps(summary, ensure_ascii=False, indent=1), encoding="utf-8")
    if len(classes) <= MAX_MATRIX_CLASSES and m["n"]:
        plot_confusion(m["y"], m["pred"], classes, out / "confusion_matrix.png")


def plot_confusion(y, pred, classes, png: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from sklearn.metrics import ConfusionMatrixDisplay

    keep = y >= 0
    fig, ax = plt.subplots(figsize=(7, 6))
    ConfusionMatrixDisplay.from_predictions(y[keep], pred[keep], labels=range(len(classes)),
                                            display_labels=list(classes), ax=ax, colorbar=False)
    ax.set_title("confusion matrix")
    fig.tight_layout()
    fig.savefig(png, dpi=100)
    plt.close(fig)


def format_table(rows, data: Path) -> str:
    lines = [f"data: {data}  ({rows[0][2]['n']} samples)", f"{'model':<28} {'top-1':>8} {'top-3':>8}  file"]
    for name, path, m in rows:
        lines.append(f"{name:<28} {m['top1'] * 100:7.2f}% {m['top3'] * 100:7.2f}%  {path}")
        if m["unknown_labels"]:
            lines.append(f"  (labels the model does not know, counted wrong: {' '.join(m['unknown_labels'][:10])})")
    return "\n".join(lines)
