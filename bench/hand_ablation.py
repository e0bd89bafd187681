"""Ablation of the hand kind: which of its distortions help a model read unseen hands?

    .venv/bin/python bench/hand_ablation.py [--syllables 200] [--epochs 5] [--per-font 1]   # ~25 min on 2 cores

For a subset of syllables (the confusable pairs of models/HISTORY.md, and random ones up to
``--syllables``), one training store per variant is synthesized from the training faces (the
default faces minus the six held out in bench/shipped_models.sh), all with the same seed and
the same number of samples:

  pen            today's pen kind (skeleton redrawn with a round pen)
  hand           the hand kind, every distortion on (normal style)
  hand-<X>       the hand kind with one distortion X switched off (HandStyle.without(X)):
                 corners, ticks, mouse, jamo, warp, slant
  pen+hand       half pen, half hand
  hand+cursive   the hand kind with the cursive links on too (normal style, cursive 1)
  hand+shape     the hand kind with every jamo formed its own way too (normal style, shape 1)

The same small model (``cnn``, width 16, dense 128) is trained on each for the same number of
epochs (cosine schedule, seed 0; validation: 5% of its own store), and each is evaluated on
the six held-out faces, for the same syllables: pen-drawn (today's pen kind, 2 per face and
syllable, seed 1) and careless (the hand kind's careless style, 2 per face, seed 1). The
careless set is made by the same generator as the hand variants' training data (a stronger
setting of it), so it favours them; the pen set favours the pen variant. "pairs" is top-1 on
the confusable syllables of the pen set only.

Prints the machine first, a row per variant as it finishes, then the table. Stores and runs
go to --out (default runs/hand-ablation); they are reused when present (delete to redo).
"""
from __future__ import annotations

import argparse
import dataclasses
import json
import shutil
import sys
import time
import traceback
from pathlib import Path

import numpy as np

HELD = ("NanumPenScript-Regular", "NanumBrushScript-Regular", "UnPen-Regular", "UnShinmun-Regular",
        "BMDoHyeon-Regular", "Bandal-Regular")
# Pairs models/HISTORY.md ("Most-confused pairs") and issue 12 name: one short stroke, or a round/square loop, apart.
CONFUSABLE = "몸옹 이아 에예 자차 이히 오으 가갸 나냐 꽁꼼 냥냠 등듬 팡팜 항함 폐페 뎬덴 응음 모보"
DISTORTIONS = ("corners", "ticks", "mouse", "jamo", "warp", "slant")


def variants(which: list[str] | None):
    from handpad.synth.hand import NORMAL

    all_ = {"pen": ({"pen": 1}, NORMAL), "hand": ({"hand": 1}, NORMAL)}
    for d in DISTORTIONS:
        all_[f"hand-{d}"] = ({"hand": 1}, NORMAL.without(d))
    all_["pen+hand"] = ({"pen": 1, "hand": 1}, NORMAL)  # half of each, the same number of samples
    all_["hand+cursive"] = ({"hand": 1}, dataclasses.replace(NORMAL, name="normal+cursive", cursive=1.0))
    all_["hand+shape"] = ({"hand": 1}, dataclasses.replace(NORMAL, name="normal+shape", shape=1.0))
    if which:
        unknown = [w for w in which if w not in all_]
        if unknown:
            raise SystemExit(f"unknown variant(s) {unknown}; choose from {', '.join(all_)}")
        return {w: all_[w] for w in which}
    return all_


def syllable_set(n: int, seed: int) -> tuple[str, ...]:
    from handpad.synth.generate import choose_syllables

    pairs = choose_syllables(CONFUSABLE)
    rest = [c for c in choose_syllables(num=min(2350, n + len(pairs)), seed=seed) if c not in pairs]
    rng = np.random.default_rng(seed)
    extra = [rest[i] for i in sorted(rng.choice(len(rest), max(0, n - len(pairs)), replace=False))]
    return choose_syllables("".join(pairs) + "".join(extra)), pairs


def synth(faces, out: Path, options, workers: int) -> float:
    from handpad.synth.generate import synthesize

    if (out / "manifest.json").exists():  # made by an earlier run with the same options: reused
        manifest = json.loads((out / "manifest.json").read_text())
        want = options.to_dict() | {"faces": [f.id for f in faces]}
        if manifest.get("complete") and manifest.get("options") == json.loads(json.dumps(want)):
            return 0.0
    t = time.perf_counter()
    synthesize(faces, out, options, workers=workers, progress=False, overwrite=True)
    return time.perf_counter() - t


def train_once(store: Path, run: Path, epochs: int, seed: int = 0):
    from handpad.training import TrainConfig, train

    cfg = TrainConfig(store=str(store), out=str(run), arch="cnn", arch_options={"width": 16, "dense": 128},
                      epochs=epochs, batch_size=128, schedule="cosine", patience=epochs, val_fraction=0.05,
                      test_fraction=0.0, seed=seed, verbose=0, force=True)
    for attempt in range(3):  # the training code may be being edited: wait for the edit, retry
        try:
            if run.exists():
                shutil.rmtree(run)
            t = time.perf_counter()
            result = train(cfg)
            return result, time.perf_counter() - t
        except (ImportError, AttributeError, TypeError, NameError, SyntaxError):
            traceback.print_exc()
            if attempt == 2:
                raise
            print(f"  training failed (attempt {attempt + 1}); retrying in 2 minutes", flush=True)
            time.sleep(120)
            import importlib

            from handpad import data, model, training
            for module in (data, model, training):
                importlib.reload(module)
            from handpad.training import TrainConfig, train


def sample_grid(path: Path, font: str, chars: str = "몸응가해쟤뷁예치", n: int = 4) -> None:
    """A PNG of what the hand kind draws: per syllable, the font's glyph, n normal and n careless
    samples (seeds 0..n-1), each as the model sees it (60x60, shown dark on white)."""
    import cv2

    from handpad.preprocess import preprocess
    from handpad.synth import hand, render

    r = render.GlyphRenderer(font)
    gap = np.full((60, 6), 255, np.uint8)
    rows = []
    for c in chars:
        try:
            cells = [255 - preprocess(r.render(c, 64), ink="bright"), gap]
        except ValueError:
            continue  # not in this font
        for style in (hand.NORMAL, hand.CARELESS):
            cells += [255 - preprocess(render.hand_sample(r, c, np.random.default_rng(k), style)) for k in range(n)]
            cells.append(gap)
        rows.append(np.concatenate([np.pad(x, 1, constant_values=200) for x in cells[:-1]], axis=1))
    cv2.imwrite(str(path), np.concatenate(rows, axis=0), [cv2.IMWRITE_PNG_COMPRESSION, 9])


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--syllables", type=int, default=200, help="syllables in the subset (incl. the confusable pairs)")
    ap.add_argument("--per-font", type=int, default=1, help="training samples per face and syllable")
    ap.add_argument("--epochs", type=int, default=5)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--seed", type=int, default=0, help="seed of the syllable choice and the training data")
    ap.add_argument("--train-seed", type=int, default=0,
                    help="seed of the training run (split, order, weights); other than 0: rows named VARIANT@SEED, "
                    "to see how much the figures move with the training run alone")
    ap.add_argument("--variants", nargs="+", help="only these variants (default: all)")
    ap.add_argument("--faces", type=int, help="only this many training faces (a quick smoke run)")
    ap.add_argument("--out", default="runs/hand-ablation")
    ap.add_argument("--samples-png", metavar="PNG", help="only write a grid of samples (font glyph, 4 normal, 4 careless "
                    "per syllable) to PNG and stop (docs/hand_samples.png)")
    ap.add_argument("--font", default="/usr/share/fonts/truetype/nanum/NanumGothic.ttf", help="the grid's font")
    args = ap.parse_args(argv)
    if args.samples_png:
        sample_grid(Path(args.samples_png), args.font)
        return 0
    sys.path.insert(0, str(Path(__file__).parent))
    from machine import describe_machine  # bench/machine.py

    print(describe_machine(), flush=True)

    from handpad.evaluation import evaluate
    from handpad.model import Model
    from handpad.store import load_store
    from handpad.synth.fonts import resolve_fonts
    from handpad.synth.generate import SynthOptions
    from handpad.synth.hand import CARELESS

    syllables, pairs = syllable_set(args.syllables, args.seed)
    train_faces, _ = resolve_fonts(exclude=list(HELD), syllables=syllables)
    if args.faces:
        train_faces = train_faces[: args.faces]
    held_faces, _ = resolve_fonts(only=list(HELD), syllables=syllables)
    out = Path(args.out)
    print(f"{len(syllables)} syllables ({len(pairs)} from confusable pairs), {len(train_faces)} training faces, "
          f"{len(held_faces)} held-out faces ({', '.join(f.id for f in held_faces)}); {args.per_font} training sample(s) "
          f"per face and syllable, cnn width 16, {args.epochs} epochs", flush=True)

    tests = {
        "pen": SynthOptions(per_font=2, mix={"pen": 1}, seed=1, syllables=syllables),
        "careless": SynthOptions(per_font=2, mix={"hand": 1}, seed=1, syllables=syllables, hand_style=CARELESS),
    }
    test_data = {}
    for name, options in tests.items():
        path = out / f"heldout-{name}"
        secs = synth(held_faces, path, options, args.workers)
        st = load_store(path)
        test_data[name] = (np.asarray(st.images), np.asarray(st.labels))
        print(f"test set {name}: {len(st)} samples ({secs:.0f} s)", flush=True)
    pair_labels = {int(i) for i in np.flatnonzero(np.isin(np.array(load_store(out / "heldout-pen").classes), list(pairs)))}
    pen_x, pen_y = test_data["pen"]
    pair_mask = np.isin(pen_y, list(pair_labels))

    results_path = out / "results.json"  # rows of earlier runs (other --variants) are kept
    rows = json.loads(results_path.read_text()) if results_path.exists() else []
    for name, (mix, style) in variants(args.variants).items():
        options = SynthOptions(per_font=args.per_font, mix=mix, seed=args.seed, syllables=syllables, hand_style=style)
        store = out / "train" / name
        synth_s = synth(train_faces, store, options, args.workers)
        if args.train_seed:
            name = f"{name}@{args.train_seed}"
        result, train_s = train_once(store, out / "models" / name, args.epochs, args.train_seed)
        model = Model.load(result["model_path"])
        row = {"variant": name, "samples": len(load_store(store)), "synth_s": round(synth_s, 1), "train_s": round(train_s, 1)}
        for test, (x, y) in test_data.items():
            row[test] = evaluate(model, x, y)["top1"]
        probs_pairs = evaluate(model, pen_x[pair_mask], pen_y[pair_mask])["top1"] if pair_mask.any() else float("nan")
        row["pairs"] = probs_pairs
        rows = [r for r in rows if r["variant"] != name] + [row]
        print(f"{name:<14} {row['samples']:>7} samples  synth {synth_s:5.0f} s  train {train_s:5.0f} s  "
              f"pen top-1 {row['pen']:.1%}  careless top-1 {row['careless']:.1%}  pairs (pen) {row['pairs']:.1%}", flush=True)
        results_path.write_text(json.dumps(rows, indent=1))

    print("\n| variant | train samples | synth s | train s | held-out pen top-1 | held-out careless top-1 | confusable pairs (pen) top-1 |")
    print("|---|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['variant']} | {r['samples']:,} | {r['synth_s']:.0f} | {r['train_s']:.0f} | {r['pen']:.1%} | "
              f"{r['careless']:.1%} | {r['pairs']:.1%} |")
    n_pen, n_care = len(test_data["pen"][1]), len(test_data["careless"][1])
    print(f"\n(held-out: {n_pen} pen-drawn and {n_care} careless samples; a difference of ~2 points is within "
          f"the noise of {n_pen} samples; pairs: {int(pair_mask.sum())} samples)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
