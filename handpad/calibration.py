"""Confidence that means something: temperature scaling, its calibration error, a reliability plot.

A network trained with cross-entropy is usually over-confident on data unlike its training data:
it says 0.99 and is right 85% of the time. Temperature scaling (Guo et al. 2017) fits one number T
on validation data so that ``p ** (1 / T)``, renormalized — the softmax of the logits divided by
T — is as likely as possible; the ranking does not change, only how sure the answer says it is.
The fitted T is saved in the model file and applied by :meth:`handpad.model.Model.predict`.

The expected calibration error (ECE) is the gap between confidence and accuracy of the top-1
answer, averaged over 15 equal-width confidence bins, weighted by how many answers fall in each.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

ECE_BINS = 15
# Below this top-1 probability the pad and `predict --json` say the model is not sure.
UNSURE_BELOW = 0.5
_TINY = 1e-12


def apply_temperature(probs: np.ndarray, temperature: float) -> np.ndarray:
    """normalize(p ** (1 / T)): the softmax of logits / T, computed from probabilities."""
    if temperature == 1.0:
        return probs
    # (p / max p) ** (1 / T): the same as exp(log p / T - max), in one power instead of a log and an
    # exp (reading a word applies it to ~10 rows of 11,172), and no overflow or all-zero row at any T.
    q = np.maximum(np.asarray(probs, np.float32), np.float32(_TINY))
    q /= q.max(axis=1, keepdims=True)
    out = np.power(q, np.float32(1.0 / temperature))
    out /= out.sum(axis=1, keepdims=True)
    return out


def fit_temperature(probs: np.ndarray, labels: np.ndarray) -> float:
    """The T in [0.05, 20] that minimizes the negative log-likelihood of ``labels`` (scipy)."""
    from scipy.optimize import minimize_scalar

    logp = np.log(np.maximum(np.asarray(probs, np.float64), _TINY))
    y = np.asarray(labels, np.int64)
    rows = np.arange(len(y))

    def nll(log_t: float) -> float:
        z = logp / np.exp(log_t)
        z_max = z.max(axis=1)
        log_norm = z_max + np.log(np.exp(z - z_max[:, None]).sum(axis=1))
        return float((log_norm - z[rows, y]).mean())

    best = minimize_scalar(nll, bounds=(np.log(0.05), np.log(20.0)), method="bounded")
    return float(np.exp(best.x))


RARE_WEIGHTS = tuple(float(w) for w in np.round(np.logspace(-3, 1, 17), 6))  # 1e-3 ... 10, 4 a decade
# The 2350 come first (99.7% of the syllables of real Korean text, handpad.prior): the rare weight may
# cost their top-1 at most this much against the syllable softmax alone.
COMMON_TOLERANCE = 0.005


def fit_rare_weight(model, common: tuple, rare: tuple, tolerance: float = COMMON_TOLERANCE) -> tuple[float, dict]:
    """The hybrid head's weight of the rarer syllables (:func:`handpad.model.syllables_from_hybrid`),
    fitted on validation samples of the 2350 (``common``: prepared images, labels) and of syllables
    outside them (``rare``): the weight that reads the rare ones best among those that keep the
    common ones' top-1 within ``tolerance`` of its best (smallest weights: the syllable softmax alone),
    at the model's jamo mix.
    Returns (weight, {weight: (common top-1, rare top-1)})."""
    from .model import syllables_from_hybrid

    if model.head != "hybrid":
        raise ValueError(f"only a hybrid head has a rare weight, not {model.head!r}")
    raw = [(model.outputs(x), np.asarray(y)) for x, y in (common, rare)]
    table = {}
    for w in RARE_WEIGHTS:
        table[w] = tuple(float((syllables_from_hybrid(out, w, model.jamo_mix).argmax(1) == y).mean()) for out, y in raw)
    floor = max(a for a, _ in table.values()) - tolerance
    best = max((w for w in RARE_WEIGHTS if table[w][0] >= floor), key=lambda w: (table[w][1], -w))
    return best, table


JAMO_MIXES = (0.0, 0.1, 0.2, 0.3, 0.4, 0.5)  # the jamo heads' say among the 2350 (syllables_from_hybrid)


def fit_jamo_mix(model, common: tuple) -> tuple[float, dict]:
    """The hybrid head's jamo mix (:func:`handpad.model.syllables_from_hybrid`): the b of JAMO_MIXES
    that reads validation samples of the 2350 (``common``: prepared images, labels in hangul-11172)
    best when the answer is taken among the 2350 — the mix only reorders them, so the rare weight
    (fitted afterwards, at this mix) does not enter; the smaller b on a tie (0: the syllable softmax
    alone). Returns (b, {b: top-1 among the 2350})."""
    from .labels import space_map
    from .model import syllables_from_hybrid

    if model.head != "hybrid":
        raise ValueError(f"only a hybrid head has a jamo mix, not {model.head!r}")
    out, y = model.outputs(common[0]), np.asarray(common[1])
    inside = space_map("hangul-ksx1001", "hangul-11172")
    table = {b: float((inside[syllables_from_hybrid(out, 1.0, b)[:, inside].argmax(1)] == y).mean()) for b in JAMO_MIXES}
    return max(JAMO_MIXES, key=lambda b: (table[b], -b)), table


# The thresholds tried for Model.views_below: the one-view top-1 probability below which an image is read at every view.
VIEWS_BELOW_GRID = (0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.99)


PREDICT_TEMPERATURES = tuple(float(t) for t in np.round(np.arange(0.8, 1.501, 0.05), 2))


def fit_predict_temperature(sets: dict) -> tuple[float, dict]:
    """The single images' temperature (``Model.predict_temperature``, on top of the model's own): of
    PREDICT_TEMPERATURES, the one whose highest expected calibration error over the validation ``sets``
    ({name: (probabilities as predict gives them, labels)}) is lowest; of equals, the nearest to 1.
    A model calibrated on easy validation hands is over-confident on casual ones; fitted over both,
    no set's error is left high. Returns (temperature, {temperature: {name: ECE}})."""
    table = {t: {name: round(expected_calibration_error(apply_temperature(p, t), y), 4) for name, (p, y) in sets.items()}
             for t in PREDICT_TEMPERATURES}
    best = min(table, key=lambda t: (max(table[t].values()), abs(t - 1.0)))
    return best, table


def fit_views_below(one_view: np.ndarray, every_view: np.ndarray, labels: np.ndarray,
                    grid=VIEWS_BELOW_GRID) -> tuple[float | None, dict]:
    """The lowest threshold of ``grid`` at which reading at every view only the samples whose one-view
    top-1 probability lies below it reads ``labels`` as well as reading every sample at every view
    (probabilities of both readings given, each as calibrated); None where no threshold does.
    Returns (threshold, {threshold: (top-1, share read at every view)})."""
    labels = np.asarray(labels)
    sure, first, full = one_view.max(axis=1), one_view.argmax(axis=1), every_view.argmax(axis=1)
    best = float(np.mean(full == labels))
    table, chosen = {}, None
    for t in grid:
        unsure = sure < t
        top1 = float(np.mean(np.where(unsure, full, first) == labels))
        table[t] = (top1, float(unsure.mean()))
        if chosen is None and top1 >= best:
            chosen = t
    return chosen, table


def reliability(probs: np.ndarray, labels: np.ndarray, bins: int = ECE_BINS):
    """(ECE, per-bin rows (low, high, count, mean confidence, accuracy)) of the top-1 answers."""
    confidence = probs.max(axis=1)
    correct = probs.argmax(axis=1) == np.asarray(labels)
    edges = np.linspace(0.0, 1.0, bins + 1)
    which = np.clip(np.digitize(confidence, edges[1:-1], right=True), 0, bins - 1)
    rows, ece = [], 0.0
    for b in range(bins):
        sel = which == b
        n = int(sel.sum())
        conf = float(confidence[sel].mean()) if n else 0.0
        acc = float(correct[sel].mean()) if n else 0.0
        rows.append((float(edges[b]), float(edges[b + 1]), n, conf, acc))
        ece += n / max(1, len(confidence)) * abs(conf - acc)
    return float(ece), rows


def expected_calibration_error(probs: np.ndarray, labels: np.ndarray, bins: int = ECE_BINS) -> float:
    return reliability(probs, labels, bins)[0]


def plot_reliability(curves: dict, png: Path, title: str = "reliability of the top-1 probability") -> None:
    """One reliability diagram with a line per named (probs, labels) pair, e.g. before/after."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(5.5, 5))
    ax.plot([0, 1], [0, 1], color="0.7", lw=1, label="perfectly calibrated")
    for name, (probs, labels) in curves.items():
        ece, rows = reliability(probs, labels)
        pts = [(conf, acc) for _, _, n, conf, acc in rows if n]
        ax.plot(*zip(*pts), "o-", label=f"{name} (ECE {ece * 100:.1f}%)")
    ax.set_xlabel("top-1 probability (mean in bin)")
    ax.set_ylabel("accuracy in bin")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.set_title(title)
    ax.grid(alpha=0.3)
    ax.legend(loc="upper left")
    fig.tight_layout()
    Path(png).parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(png, dpi=100)
    plt.close(fig)
