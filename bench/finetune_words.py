"""What the lines a user saves in the word mode teach the model about that user's hand (`s` in `handpad draw
--words`, **save** in the browser; then `handpad finetune`).

A simulated user writes in one held-out design (default NanumPenScript, the hand the shipped model reads worst):
that face's lines of each line set (default data/words-pen and data/words-careless, from their strokes) are split
in two at random (seed 0). The first half is written and saved as the word mode saves it: read from the strokes;
on a line whose boxes are right each syllable gets its true label, as the user's picks would give it (a line cut
wrongly cannot be fixed by picks and is not saved); ``Recognizer.samples`` into a store, as the pads do. Then
``handpad finetune`` (replay synthesized from fonts other than the held-out and validation designs). The other
half is read before and after, from the strokes with the prior: whole lines right and characters right (on lines
whose boxes are right), and so are the other held-out designs' lines of the first set: nothing forgotten?

    python bench/finetune_words.py                             # NanumPenScript, words-pen + words-careless
    python bench/finetune_words.py --face NanumBrushScript-Regular --epochs 4

Prints the figures; asserts nothing. The fine-tuned model is a user's, not the shipped one: these held-out lines
are the simulated user's own writing here, so the "after" figures say what adapting to a hand gives, not how
the shipped model reads unseen hands.
"""
from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
HELD = ["NanumPenScript-Regular", "NanumBrushScript-Regular", "UnPen-Regular", "UnShinmun-Regular",
        "BMDoHyeon-Regular", "Bandal-Regular"]
VAL = ["UnPilgia-Regular", "Sunflower-Medium", "GowunDodum-Regular"]


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("sets", nargs="*", default=["data/words-pen", "data/words-careless"])
    p.add_argument("--face", default="NanumPenScript-Regular", help="the user's hand: a face of the line sets")
    p.add_argument("--model", default="hangul")
    p.add_argument("--epochs", type=int, default=8)
    p.add_argument("--replay-samples", type=int, default=3000)
    p.add_argument("--seed", type=int, default=0)
    return p.parse_args(argv)


def measure(rec, lines) -> dict:
    """Whole lines and characters right, read from the strokes with the prior, as the word mode reads them."""
    from handpad.evaluation import evaluate_reading
    from handpad.reading import PRIOR_WEIGHT

    m = evaluate_reading(rec, lines, use_strokes=True, progress=False)["all"]
    return {"lines": len(lines), "lines_right": m[f"prior {PRIOR_WEIGHT:g}"]["text_right"],
            "characters_right": m[f"prior {PRIOR_WEIGHT:g}"]["character_accuracy"], "boxes_right": m["boxes_right"]}


def main(argv=None) -> int:
    args = parse_args(argv)
    sys.path.insert(0, str(ROOT / "bench"))
    from machine import describe_machine  # bench/machine.py

    print(describe_machine(), flush=True)
    from handpad.evaluation import boxes_right
    from handpad.finetune import FinetuneConfig, finetune
    from handpad.pad.canvas import SampleSaver
    from handpad.recognizer import Recognizer
    from handpad.sources.lines import read_lines

    rec = Recognizer.load(args.model)
    rng = np.random.default_rng(args.seed)
    saved_lines, test_lines, others = [], [], []
    for k, line_set in enumerate(args.sets):
        lines = [s for s in read_lines(line_set) if s.strokes]
        mine = [s for s in lines if s.face == args.face]
        if not mine:
            raise SystemExit(f"{line_set}: no lines of {args.face} with strokes")
        order = rng.permutation(len(mine))
        saved_lines += [mine[i] for i in order[: len(mine) // 2]]
        test_lines += [mine[i] for i in order[len(mine) // 2 :]]
        if k == 0:
            others = [s for s in lines if s.face != args.face]

    started = time.time()
    tmp = Path(tempfile.mkdtemp(prefix="finetune-words-"))
    try:
        saver = SampleSaver(tmp / "my-lines", rec.model.label_space)
        kept = count = 0
        for s in saved_lines:
            reading = rec.read(strokes=s.strokes)
            if not boxes_right([r.box for r in reading.syllables], s.boxes):
                continue  # picks cannot mend a wrong cut: the user would write it again
            for i, char in enumerate(s.chars):
                if reading.syllables[i].label != char:
                    reading = reading.choose(i, char)  # the user's pick
            for seen, label in rec.samples(reading):
                count = saver.save(seen, label)
            kept += 1
        saver.close()
        print(f"{args.face}: {kept} of {len(saved_lines)} lines saved ({count} syllables); "
              f"{len(test_lines)} other lines of that hand, {len(others)} lines of other designs", flush=True)

        before = {"hand": measure(rec, test_lines), "others": measure(rec, others)}
        result = finetune(FinetuneConfig(model=args.model, data=[str(tmp / "my-lines")], out=str(tmp / "mine.keras"),
                                         epochs=args.epochs, replay_samples=args.replay_samples,
                                         replay_exclude=HELD + VAL, seed=args.seed, progress=False, verbose=0))
        mine = Recognizer.load(result["model_path"])
        after = {"hand": measure(mine, test_lines), "others": measure(mine, others)}
        print(f"\nhandpad finetune: {args.epochs} epochs, {result['report']['seconds']:.0f} s; "
              f"all {time.time() - started:.0f} s")
        print(f"{'read from the strokes, with the prior':44} {'before':>22} {'after':>22}")
        for key, name in (("hand", f"other lines of {args.face}"), ("others", "lines of the other designs")):
            b, a = before[key], after[key]
            label = f"{name} ({b['lines']})"
            print(f"{label:44} "
                  f"{b['lines_right']:7.1%} lines {b['characters_right']:6.1%} chars "
                  f"{a['lines_right']:7.1%} lines {a['characters_right']:6.1%} chars")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
