"""The rarer syllables the shipped Hangul model's jamo heads were fitted on, and a validation set split by them.

The shipped file's jamo heads were refit (``handpad refit``) on rarer syllables written by the training faces:
``train-rare``, ``-b110``, ``-b200`` (seeds 12, 110, 200: the ninth release's refit) and, releases before,
``-b120`` (seed 120), whose heads later rounds started from (model card).
Those stores were not kept, but ``handpad synth`` draws syllables from its seed and its ``--leave-out`` alone
(:func:`handpad.synth.generate.choose_syllables`), so the same syllables are drawn again here, without drawing any
image. A validation set of rarer syllables that shares some of them favours the shipped file over a candidate
whose heads never saw them (other faces wrote them, but whole syllables seen count): leave the list out of new
validation sets (``handpad synth hangul ... --leave-out models/hangul-refit-syllables.txt``), and read older sets
split: by the ninth release's refit (4,600 syllables, the heads' last fit) and by all 7,641.

    python bench/rare_overlap.py --write models/hangul-refit-syllables.txt      # the list (as shipped)
    python bench/rare_overlap.py --lists runs/rare-lists     # each draw's own list, to synthesize its store again
    python bench/rare_overlap.py data/hangul-new80/val-rare --model hangul --model runs/x/candidate.keras
"""
from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

import numpy as np

from handpad.synth.generate import choose_syllables

RARE = dict(space="hangul-11172")


DRAWS = (  # name, syllables, seed, the draws it leaves out besides the 2350 (as the stores were made)
    ("heldout-rare", 500, 1, ()),  # the test set
    ("train-rare", 600, 12, ("heldout-rare",)),
    ("val-rare", 600, 13, ("heldout-rare", "train-rare")),
    ("train-rare-b110", 2000, 110, ("heldout-rare", "val-rare", "train-rare")),
    ("train-rare-b120", 5000, 120, ("heldout-rare", "val-rare", "train-rare", "train-rare-b110")),
    ("train-rare-b200", 2000, 200, ("heldout-rare", "val-rare", "train-rare", "train-rare-b110")),
)


REFIT_DRAWS = ("train-rare", "train-rare-b110", "train-rare-b120", "train-rare-b200")  # the shipped heads' stores


def draw_lists(dest: Path) -> dict[str, set[str]]:
    """Every draw of DRAWS, each as handpad synth makes it with --leave-out hangul-ksx1001 and the draws before
    it, its syllables written to DEST/NAME.txt (a list ``--leave-out`` takes). With these lists, a refit store
    is synthesized again with the same syllables (other faces may write them):
    ``handpad synth hangul ... --leave-out hangul-ksx1001 DEST/heldout-rare.txt DEST/train-rare.txt --seed 12``."""
    drawn = {}
    dest.mkdir(parents=True, exist_ok=True)
    for name, num, seed, after in DRAWS:
        drawn[name] = set(choose_syllables(num=num, seed=seed, leave_out=["hangul-ksx1001", *(dest / f"{a}.txt" for a in after)],
                                           **RARE))
        (dest / f"{name}.txt").write_text("".join(drawn[name]) + "\n", encoding="utf-8")
    return drawn


def refit_syllables() -> dict[str, set[str]]:
    """The rarer syllables of the refit stores in the shipped file's lineage, drawn again with their seeds and
    leave-outs (model card): train-rare (in training since the first hybrid), -b110 and -b200 (the eighth's and
    the ninth's refit) and -b120 (the fourth 2026-12-04 release's refit; later rounds started from its heads)."""
    with tempfile.TemporaryDirectory() as tmp:
        drawn = draw_lists(Path(tmp))
    return {k: drawn[k] for k in REFIT_DRAWS}


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("stores", nargs="*", help="stores of rarer syllables to read split by the list")
    p.add_argument("--model", action="append", help="hangul or a .keras path (repeatable; default hangul)")
    p.add_argument("--write", metavar="TXT", help="write the list of syllables to this file")
    p.add_argument("--lists", metavar="DIR", help="write each draw's syllables to DIR/NAME.txt (to synthesize a "
                   "refit store again: --leave-out hangul-ksx1001 and the lists of the draws before it)")
    args = p.parse_args()
    if args.lists:
        try:
            drawn = draw_lists(Path(args.lists))
        except OSError as e:
            raise SystemExit(f"--lists {args.lists}: cannot write the lists there ({e.strerror})") from None
        for name, syllables in drawn.items():
            print(f"wrote {Path(args.lists) / (name + '.txt')}: {len(syllables):,} syllables")
        parts = {k: drawn[k] for k in REFIT_DRAWS}
    else:
        parts = refit_syllables()
    seen = set().union(*parts.values())
    last = parts["train-rare"] | parts["train-rare-b110"] | parts["train-rare-b200"]
    print(", ".join(f"{k} {len(v):,}" for k, v in parts.items()) + f": {len(seen):,} syllables")
    if args.write:
        from handpad.labels import label_space

        order = label_space("hangul-11172").index
        body = "".join(sorted(seen, key=order))
        lines = [body[i:i + 50] for i in range(0, len(body), 50)]
        Path(args.write).write_text(
            f"# The {len(seen):,} rarer syllables (outside KS X 1001's 2350) the shipped hangul.keras's jamo heads were\n"
            "# fitted on (train-rare, -b110, -b120, -b200), drawn again by bench/rare_overlap.py. Leave them out of\n"
            "# validation sets of rarer syllables: handpad synth hangul ... --leave-out models/hangul-refit-syllables.txt\n"
            + "\n".join(lines) + "\n", encoding="utf-8")
        print(f"wrote {args.write}")

    if not args.stores:
        return
    from handpad.evaluation import evaluation_data
    from handpad.model import Model

    for store in args.stores:
        for name in args.model or ["hangul"]:
            model = Model.load(name)
            x, y = evaluation_data(Path(store), model)
            probs = model.predict(x)
            top = np.argsort(-probs, axis=1)[:, :3]
            right1, right3 = top[:, 0] == y, (top == y[:, None]).any(axis=1)
            labels = [model.label_space.labels[i] for i in y]
            in_last = np.array([c in last for c in labels])  # the ninth release's refit: the heads' last fit
            in_any = np.array([c in seen for c in labels])
            row = [f"{store}  {name}:"]
            for part, mask in (("all", np.ones_like(in_any)), ("not in the last refit", ~in_last),
                               ("in it", in_last), ("in none", ~in_any)):
                if mask.any():
                    row.append(f"{part} ({mask.sum():,}) {100 * right1[mask].mean():.2f} / {100 * right3[mask].mean():.2f}%")
            print("  ".join(row), flush=True)


if __name__ == "__main__":
    main()
