"""``handpad evaluate``: top-1/top-3, per-class accuracy, most-confused pairs, side-by-side models.

Data is a dataset store of the model's label space or a folder of labeled images
(``DIR/<label>/*.png``). Every figure goes through :func:`evaluate`, on the engine users run.
"""
from __future__ import annotations

import csv
import json
import warnings
from collections import Counter
from pathlib import Path

import numpy as np

from ._words import counted
from .errors import HandpadError

MAX_MATRIX_CLASSES = 60


# -- the one evaluation path ----------------------------------------------------------------------
def evaluate(model, images, labels, top_pairs: int = 10) -> dict:
    """Metrics of ``model`` (a :class:`handpad.model.Model`, on the engine users run) on prepared uint8
    ``images`` with class indices ``labels`` in the model's label space.

    ``handpad train`` (its test figures), ``handpad evaluate``, shipping and the model card all
    call this, so the figures they show are the same numbers.
    """
    from .calibration import expected_calibration_error

    probs = model.predict(images)
    broken = int((~np.isfinite(probs)).any(axis=1).sum()) if len(probs) else 0
    if broken:
        raise HandpadError(f"{getattr(model, 'name', 'the model')} gives NaN or infinite probabilities for "
                           f"{counted(broken, 'sample')} of {len(probs)}: its weights are broken (a training that "
                           "diverged?); retrain it or take an earlier checkpoint")
    metrics = metrics_from_probs(probs, np.asarray(labels), model.labels, top_pairs=top_pairs)
    metrics["ece"] = expected_calibration_error(probs, labels) if len(probs) else 0.0
    metrics["_probs_for_plot"] = (probs, np.asarray(labels)) if len(probs) <= 20000 else None
    return metrics


def evaluation_data(data: Path, model, subset: str | None = None, val_fraction: float = 0.1,
                    test_fraction: float = 0.1, split_seed: int = 0, limit: int | None = None,
                    indices: np.ndarray | None = None):
    """(uint8 inputs prepared for ``model``, class indices in its label space) from a dataset store
    or a folder of labeled images (DATA/<label>/*.png).

    ``subset`` picks the train/val/test part of the stratified split ``handpad train`` makes with the
    same fractions and seed; ``indices`` given samples of a store; ``limit`` a seeded random subset
    of that many samples.
    """
    from .data import labels_in, stratified_split
    from .labels import LabelError
    from .preprocess import PreprocessConfig
    from .store import MANIFEST, load_store

    data = Path(data)
    if (data / MANIFEST).exists():
        store = load_store(data)
        store_labels = labels_in(store, model.label_space, store.image_size, f"the model ({model.name})")
        pick = np.arange(len(store)) if indices is None else np.asarray(indices)
        if subset:
            parts = stratified_split(store.labels, val_fraction, test_fraction, split_seed)
            pick = dict(zip(("train", "val", "test"), parts))[subset]
        pick = _limit(pick, limit)
        images, labels = store.images[pick], store_labels[pick]
        saved = (store.manifest.get("options") or {}).get("preprocess")
        if saved is not None and PreprocessConfig.from_dict(saved) != model.preprocess_config:
            # Stored samples are preprocessed already; redo it only for a model that wants other settings.
            if store.image_size < model.input_size:
                warnings.warn(f"{store.path}: {store.image_size}px images, enlarged for a model of {model.input_size}px "
                              "input: it reads them without the finer detail it was trained on; synthesize the store "
                              f"again with --size {model.input_size} to measure it", stacklevel=2)
            images = np.stack([model.prepare(im, ink="bright") for im in images])
        return images, labels
    if subset:
        raise HandpadError("--subset works on a dataset store, not on a folder of images")
    if not data.is_dir():
        raise HandpadError(f"{data}: not a dataset store or a folder of labeled images")
    from .sources.images import labeled_image_files, read_image

    files = list(labeled_image_files(data))
    if not files:
        raise HandpadError(f"{data}: no labeled images found (expected {data}/<label>/<image files>)")
    files = [files[i] for i in _limit(np.arange(len(files)), limit)]
    try:
        labels = model.label_space.indices(label for label, _ in files)
    except LabelError as e:
        raise HandpadError(f"{data}: {e}") from None
    return np.stack([model.prepare(read_image(f)) for _, f in files]), labels


def _limit(indices: np.ndarray, limit: int | None) -> np.ndarray:
    if limit and limit < len(indices):
        return np.sort(np.random.default_rng(0).choice(indices, limit, replace=False))
    return indices


def metrics_from_probs(probs: np.ndarray, y: np.ndarray, classes, top_pairs: int = 10) -> dict:
    """Top-1/top-3, per-class accuracy and confused pairs; ``y`` are class indices into ``classes``."""
    y = np.asarray(y, np.int64)
    top = top_indices(probs, 3)
    hit1 = top[:, 0] == y
    hit3 = (top == y[:, None]).any(axis=1)
    per_class = {}
    confusions = Counter()
    for c in np.unique(y):
        sel = y == c
        wrong = Counter(classes[j] for j in top[sel & ~hit1, 0])
        lab = classes[c]
        per_class[lab] = {"n": int(sel.sum()), "top1": float(hit1[sel].mean()), "top3": float(hit3[sel].mean()),
                          "most_confused_with": wrong.most_common(1)[0][0] if wrong else ""}
        for other, n in wrong.items():
            confusions[(lab, other)] += n
    return {
        "n": int(len(y)),
        "top1": float(hit1.mean()) if len(y) else 0.0,
        "top3": float(hit3.mean()) if len(y) else 0.0,
        "confused_pairs": [(a, b, n) for (a, b), n in confusions.most_common(top_pairs)],
        "per_class": per_class,
        "y": y, "pred": top[:, 0],
    }


def top_indices(probs: np.ndarray, k: int) -> np.ndarray:
    """The k most probable columns of each row, best first, ties to the lower index (as a stable sort).
    A partition first: a full sort of 11,172 columns per sample is most of an evaluation's time."""
    k = min(k, probs.shape[1])
    if k == probs.shape[1] or len(probs) == 0:
        return np.argsort(-probs, axis=1, kind="stable")[:, :k]
    kth = -np.partition(-probs, k - 1, axis=1)[:, k - 1 : k]  # the k-th largest value of each row
    rows = []
    for row, cut in zip(probs, kth[:, 0]):
        cand = np.flatnonzero(row >= cut)  # ascending indices, ties included
        rows.append(cand[np.argsort(-row[cand], kind="stable")[:k]])
    return np.stack(rows)


SUMMARY_KEYS = ("n", "top1", "top3", "ece", "confused_pairs")


def summary(metrics: dict) -> dict:
    """The figures worth keeping (in a model file, test_metrics.json, metrics.json)."""
    return {k: metrics[k] for k in SUMMARY_KEYS}


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
    (out / "metrics.json").write_text(json.dumps(summary(m), ensure_ascii=False, indent=1), encoding="utf-8")
    if m.get("_probs_for_plot") is not None:
        from .calibration import plot_reliability

        plot_reliability({"this model": m["_probs_for_plot"]}, out / "reliability.png")
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
    lines = [f"data: {data}  ({counted(rows[0][2]['n'], 'sample')})",
             f"{'model':<28} {'top-1':>8} {'top-3':>8} {'ECE':>6}  file"]
    for name, path, m in rows:
        lines.append(f"{name:<28} {m['top1'] * 100:7.2f}% {m['top3'] * 100:7.2f}% {m['ece'] * 100:5.1f}%  {path}")
    return "\n".join(lines)


# -- reading lines (words, numbers) ------------------------------------------------------------------


def _area(b) -> float:
    return max(0.0, b[2] - b[0]) * max(0.0, b[3] - b[1])


def _inter(a, b) -> float:
    return max(0.0, min(a[2], b[2]) - max(a[0], b[0])) * max(0.0, min(a[3], b[3]) - max(a[1], b[1]))


def box_iou(a, b) -> float:
    inter = _inter(a, b)
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union if union > 0 else 0.0


def boxes_right(found, truth, min_iou: float = 0.5) -> bool:
    """One box per character, no merges or splits: as many boxes, each on its character (IoU)."""
    return len(found) == len(truth) and all(box_iou(f, t) >= min_iou for f, t in zip(found, truth))


def syllables_boxed(found, truth, min_iou: float = 0.5) -> int:
    """How many characters of a line have a box of their own: each found box goes to the character it
    overlaps most; a character is boxed when exactly one box went to it (a split gives it two), on it
    (IoU >= ``min_iou``), holding no other character's ink (a merge: more than half of another's box).
    :func:`boxes_right` is the line's verdict (all boxed, none extra); this counts each character."""
    mine: dict[int, list] = {}
    for f in found:
        overlaps = [_inter(f, t) for t in truth]
        if overlaps and max(overlaps) > 0:
            mine.setdefault(int(np.argmax(overlaps)), []).append(f)
    right = 0
    for k, t in enumerate(truth):
        boxes = mine.get(k, [])
        if len(boxes) != 1 or box_iou(boxes[0], t) < min_iou:
            continue
        if any(_inter(boxes[0], o) > 0.5 * _area(o) for j, o in enumerate(truth) if j != k):
            continue
        right += 1
    return right


def evaluate_reading(recognizer, lines, use_strokes: bool = False, weights=None, limit: int | None = None,
                     progress: bool = True, verifier="shipped", checks=None, config=None,
                     true_boxes: bool = False) -> dict:
    """Read every line of a line set (:func:`handpad.sources.lines.read_lines`) and measure: boxes right
    (one per character), characters right (on lines whose boxes are right), whole lines right with and
    without the language prior (digits: without), and the time per line. ``boxes_right`` and
    ``seconds_p50`` at the top are those of the last weight (the shipped reading).

    ``use_strokes``: cut the line from its strokes in drawing order (as the pads do) instead of the image.
    ``weights``: prior weights to measure (0 = no prior); default 0 and the shipped weight (Hangul).
    ``verifier``, ``checks``, ``config``: as in :func:`handpad.reading.read` (default: the shipped reading).
    ``true_boxes``: read each character in its true box too (the line image cut there, neighbours' ink that
    reaches into the box included) and the words from those, under each weight: what the reading
    would give with the cutting right, so a shortfall shows whether cutting or recognizing it is.
    """
    import time

    from tqdm.auto import tqdm

    from . import reading

    kind = recognizer.label_space.kind
    verifier = reading.resolve_verifier(verifier, kind)
    if weights is None:
        weights = (0.0, reading.PRIOR_WEIGHT) if kind == "hangul" else (0.0,)
    lm = None
    if any(w > 0 for w in weights):
        from .prior import SyllableLM

        lm = SyllableLM.load()
    samples = list(lines)[:limit] if limit else list(lines)
    rows = []
    for sample in tqdm(samples, desc="reading lines", unit="line", disable=not progress):
        if use_strokes and not sample.strokes:
            raise HandpadError(f"{sample.path}: this line has no strokes (read it from the image)")
        source = {"strokes": sample.strokes} if use_strokes else {"image": sample.image()}
        truth_chars = sample.text.replace(" ", "")
        row = {"spacing": sample.spacing, "face": sample.face, "n": len(truth_chars)}
        for w in weights:  # with a prior, boxes and labels are decided together: the boxes may differ
            t0 = time.perf_counter()
            seg = reading.segment(**source, kind=kind, recognizer=recognizer, lm=lm if w > 0 else None, weight=w,
                                  verifier=verifier, checks=checks, config=config)
            if seg.labels is not None:
                labels = seg.labels
            else:
                tops = [recognizer._ranked(p, reading.SEARCH_K) for p in seg.probs]
                labels = reading.best_text(tops, seg.starts, lm, w) if w > 0 else [t[0][0] for t in tops]
            row[f"seconds@{w:g}"] = time.perf_counter() - t0
            text = "".join((" " if s else "") + lab for lab, s in zip(labels, seg.starts))
            row[f"boxes@{w:g}"] = boxes_right(seg.boxes, sample.boxes)
            row[f"boxed@{w:g}"] = syllables_boxed(seg.boxes, sample.boxes)
            row[f"text@{w:g}"] = text == sample.text
            row[f"chars@{w:g}"] = text.replace(" ", "") == truth_chars
            row[f"right@{w:g}"] = (sum(a == b for a, b in zip(labels, truth_chars)) if row[f"boxes@{w:g}"] else 0)
        row["boxes"], row["seconds"] = row[f"boxes@{weights[-1]:g}"], row[f"seconds@{weights[-1]:g}"]
        row["boxed"] = row[f"boxed@{weights[-1]:g}"]
        if true_boxes:
            _read_true_boxes(recognizer, sample, source.get("image"), lm, weights, row)
        rows.append(row)
    return _reading_metrics(rows, weights)


def _read_true_boxes(recognizer, sample, image, lm, weights, row: dict) -> None:
    """Each character of ``sample`` read in its true box (``image``: the line's, when already read);
    the words chosen as the reading chooses them."""
    from . import reading

    image = sample.image() if image is None else image
    crops = [image[y0:y1, x0:x1] for x0, y0, x1, y1 in sample.boxes]
    tops = [recognizer._ranked(p, reading.SEARCH_K) for p in recognizer.predict_proba(crops)]
    starts = [i > 0 and sample.text[i - 1] == " " for i, ch in enumerate(sample.text) if ch != " "]
    truth = sample.text.replace(" ", "")
    for w in weights:
        labels = reading.best_text(tops, starts, lm, w) if w > 0 else [t[0][0] for t in tops]
        row[f"true_right@{w:g}"] = sum(a == b for a, b in zip(labels, truth))
        row[f"true_text@{w:g}"] = "".join((" " if st else "") + lab for lab, st in zip(labels, starts)) == sample.text


def _reading_metrics(rows: list[dict], weights) -> dict:
    def summarize(rs):
        if not rs:
            return {}
        characters = max(sum(r["n"] for r in rs), 1)
        m = {"lines": len(rs), "boxes_right": float(np.mean([r["boxes"] for r in rs])),
             "characters_boxed": float(sum(r["boxed"] for r in rs) / characters),
             "seconds_p50": float(np.median([r["seconds"] for r in rs]))}
        for w in weights:
            boxed = [r for r in rs if r[f"boxes@{w:g}"]]
            m[f"prior {w:g}"] = {
                "boxes_right": float(np.mean([r[f"boxes@{w:g}"] for r in rs])),
                "characters_boxed": float(sum(r[f"boxed@{w:g}"] for r in rs) / characters),
                "text_right": float(np.mean([r[f"text@{w:g}"] for r in rs])),  # spaces included
                "characters_in_order": float(np.mean([r[f"chars@{w:g}"] for r in rs])),  # spaces ignored
                "character_accuracy": float(sum(r[f"right@{w:g}"] for r in boxed) / max(sum(r["n"] for r in boxed), 1)),
            }
            if f"true_text@{w:g}" in rs[0]:  # read in the true boxes (evaluate_reading's true_boxes)
                m[f"prior {w:g}"]["true_boxes"] = {
                    "text_right": float(np.mean([r[f"true_text@{w:g}"] for r in rs])),
                    "character_accuracy": float(sum(r[f"true_right@{w:g}"] for r in rs) / max(sum(r["n"] for r in rs), 1)),
                }
        return m

    out = {"all": summarize(rows)}
    for spacing in sorted({r["spacing"] for r in rows if r["spacing"]}):
        out[spacing] = summarize([r for r in rows if r["spacing"] == spacing])
    faces = sorted({r["face"] for r in rows if r["face"]})
    if len(faces) > 1:  # per hand: where the reading fails
        out["faces"] = {f: summarize([r for r in rows if r["face"] == f]) for f in faces}
    return out


def format_reading(metrics: dict, name: str) -> str:
    lines = [f"{'subset':<24} {'lines':>6} {'boxes':>7} {'boxed':>7}  " + "  ".join(
        f"{k:>22}" for k in metrics["all"] if k.startswith("prior")) + "   p50 ms"]
    subsets = [(k, v) for k, v in metrics.items() if k != "faces"] + list(metrics.get("faces", {}).items())
    for subset, m in subsets:
        cells = "  ".join(f"text {v['text_right']:6.1%} chars {v['character_accuracy']:6.1%}" for k, v in m.items()
                          if k.startswith("prior"))
        lines.append(f"{subset[:24]:<24} {m['lines']:>6} {m['boxes_right']:>7.1%} {m['characters_boxed']:>7.1%}  {cells}   {m['seconds_p50'] * 1000:.1f}")
        if any("true_boxes" in v for k, v in m.items() if k.startswith("prior")):
            cells = "  ".join(f"text {v['true_boxes']['text_right']:6.1%} chars {v['true_boxes']['character_accuracy']:6.1%}"
                              for k, v in m.items() if k.startswith("prior"))
            lines.append(f"{'  in the true boxes':<24} {'':>6} {'':>7} {'':>7}  {cells}")
    return f"{name}\n" + "\n".join(lines)
