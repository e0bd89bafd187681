"""How much 30 saved samples of a few syllables change their accuracy (issue 5, point 5).

    .venv/bin/python bench/finetune_effect.py [--model hangul|PATH] [--syllables 닭곰...] [--epochs 3]

1. A simulated user's hand: a handwriting face the model never saw in training
   (NanumPenScript by default), redrawn with one steady thick pen and a strong forward slant
   (beyond the training range), like a person who always writes the same way.
2. 30 "saved" samples of 4 syllables from that hand go into a store exactly as the pad saves
   them (:class:`handpad.pad.canvas.SampleSaver`); a separate held-out set of the same
   syllables comes from the same hand with another random seed.
3. Before and after ``handpad finetune`` (default replay: synthesized from the default fonts,
   the user's face excluded): top-1/top-3 on the held-out set; on other syllables (a pen-drawn
   held-out store, the chosen syllables left out) to show nothing was forgotten; and on other
   syllables in the user's hand, with how often they are misread as a fine-tuned syllable.

--model takes a handpad model, or a bare Keras checkpoint of a Hangul model (e.g.
runs/hangul-inception/best.keras): that is wrapped with the 2350 labels first. Prints the
figures, asserts nothing. CPU use is kept small (a few epochs of a few thousand samples).
"""
from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--model", default="hangul", help="hangul (shipped), a handpad .keras model, or a bare Keras checkpoint")
    p.add_argument("--syllables", help="the user's syllables (default: 4 chosen at random with --seed)")
    p.add_argument("--num-syllables", type=int, default=4)
    p.add_argument("--user-samples", type=int, default=30, help="samples the user saved, spread over the syllables")
    p.add_argument("--heldout-per-syllable", type=int, default=25)
    p.add_argument("--user-face", default="NanumPenScript-Regular", help="font face that plays the user's hand")
    p.add_argument("--slant", type=float, default=0.35, help="the hand's forward slant (shear); training pens use +-0.15")
    p.add_argument("--hand-others", type=int, default=200, help="samples of other syllables in the user's hand")
    p.add_argument("--others", default=str(ROOT / "data" / "hangul-heldout-pen"), help="store for the other-syllables check")
    p.add_argument("--others-limit", type=int, default=2000)
    p.add_argument("--epochs", type=int, default=3)
    p.add_argument("--lr", type=float, default=1e-4)
    p.add_argument("--mix-ratio", type=float, default=4.0)
    p.add_argument("--replay-samples", type=int, default=1500)
    p.add_argument("--mix-with", help="replay store instead of synthesized replay")
    p.add_argument("--freeze-features", action="store_true")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--json", help="also write the figures to this file")
    return p.parse_args(argv)


def as_handpad_model(path_or_name: str, tmp: Path) -> Path:
    """A handpad model path; a bare Keras checkpoint is copied and wrapped with the Hangul labels."""
    from handpad.model import read_entries, resolve_model_path, save_model

    path = resolve_model_path(path_or_name)
    if read_entries(path)[0].get("labels"):
        return path
    import keras

    from handpad import model_builders  # noqa: F401  (custom layers)
    from handpad.preprocess import HANGUL_CONFIG

    copy = tmp / "checkpoint.keras"
    shutil.copyfile(path, copy)  # the training run may rewrite its checkpoint at any moment
    model = keras.saving.load_model(copy, compile=False)
    return save_model(model, tmp / "wrapped.keras", "hangul-ksx1001", HANGUL_CONFIG,
                      wrapped_from=str(path), wrapped_at=time.strftime("%Y-%m-%d %H:%M:%S"))


class Hand:
    """One person's way of writing: a face's skeletons, one steady thick pen, a fixed slant."""

    def __init__(self, face_id: str, slant: float):
        from handpad.synth.fonts import resolve_fonts
        from handpad.synth.pen import PenStyle
        from handpad.synth.render import GlyphRenderer

        faces, _ = resolve_fonts(None, only=[face_id])
        self.face = faces[0]
        self.renderer = GlyphRenderer(self.face.path, self.face.index, textured=self.face.textured)
        self.style = PenStyle(size=(0.45, 0.6), width=(0.075, 0.085), rotation=2.0, shear=0.03, aspect=0.05,
                              elastic=(2.0, 4.0))
        self.slant = slant

    def draw(self, char: str, rng) -> np.ndarray:
        """The 60x60 uint8 model input (ink = 255), as the pad would see this drawing."""
        import cv2

        from handpad.preprocess import HANGUL_CONFIG, preprocess
        from handpad.synth.render import pen_sample

        canvas = pen_sample(self.renderer, char, rng, self.style, crop=False)
        h, w = canvas.shape
        shear = np.float32([[1, -self.slant, self.slant * h / 2], [0, 1, 0]])  # top leans right
        canvas = cv2.warpAffine(canvas, shear, (w, h), flags=cv2.INTER_LINEAR, borderValue=255)
        return preprocess(canvas, config=HANGUL_CONFIG)


def measure(model_path: Path, user_x, user_y, other_x, other_y, hand_x, hand_y, syllables) -> dict:
    from handpad.recognizer import Recognizer

    rec = Recognizer.load(model_path)
    labels = np.array(rec.labels)

    def scores(x, y):
        probs = rec.predict_proba(x, prepared=True)
        top3 = labels[np.argsort(-probs, axis=1)[:, :3]]
        return top3, {"n": int(len(y)), "top1": round(float(np.mean(top3[:, 0] == y)), 4),
                      "top3": round(float(np.mean((top3 == y[:, None]).any(1))), 4)}

    top3, user = scores(user_x, user_y)
    user["per_syllable"] = {s: round(float(np.mean(top3[user_y == s, 0] == s)), 3) for s in dict.fromkeys(user_y)}
    _, other = scores(other_x, other_y)
    top3, hand = scores(hand_x, hand_y)
    # Did the model just learn "this hand -> one of the fine-tuned syllables"?
    hand["predicted_as_finetuned_syllables"] = round(float(np.isin(top3[:, 0], syllables).mean()), 4)
    return {"user_heldout": user, "other_syllables": other, "user_hand_other_syllables": hand}


def main(argv=None) -> int:
    args = parse_args(argv)
    from machine import describe_machine  # bench/machine.py
    print(describe_machine(), flush=True)
    from handpad.finetune import FinetuneConfig, finetune
    from handpad.labels import hangul_syllables
    from handpad.pad.canvas import SampleSaver
    from handpad.store import load_store
    from handpad.synth.generate import choose_syllables

    started = time.time()
    tmp = Path(tempfile.mkdtemp(prefix="finetune-effect-"))
    try:
        model = as_handpad_model(args.model, tmp)
        syllables = list(choose_syllables(args.syllables, None if args.syllables else args.num_syllables, args.seed))
        hand = Hand(args.user_face, args.slant)
        print(f"model {model}; the user's hand: {hand.face.id}, slant {args.slant}; syllables {''.join(syllables)}",
              file=sys.stderr)

        # The pad's saves: user_samples drawings, round-robin over the syllables.
        rng = np.random.default_rng([args.seed, 1])
        saver = SampleSaver(tmp / "my-samples", "hangul-ksx1001")
        for i in range(args.user_samples):
            saver.save(hand.draw(syllables[i % len(syllables)], rng), syllables[i % len(syllables)])
        saver.close()
        # Held out: the same hand, another day (another random stream).
        rng = np.random.default_rng([args.seed, 2])
        user_y = np.array([s for s in syllables for _ in range(args.heldout_per_syllable)])
        user_x = np.stack([hand.draw(s, rng) for s in user_y])
        # The same hand writing syllables it saved no samples of.
        rest = [c for c in hangul_syllables() if c not in syllables]
        hand_y = np.array([rest[i] for i in np.random.default_rng([args.seed, 4]).choice(len(rest), args.hand_others, replace=False)])
        hand_x = np.stack([hand.draw(s, rng) for s in hand_y])
        # Other syllables: the pen-drawn held-out store without the user's syllables.
        others = load_store(args.others)
        keep = np.flatnonzero(~np.isin(np.array(others.classes)[others.labels], syllables))
        keep = np.sort(np.random.default_rng([args.seed, 3]).choice(keep, min(args.others_limit, len(keep)), replace=False))
        other_x = others.images[keep]
        other_y = np.array(others.classes)[others.labels[keep]]

        sets = (user_x, user_y, other_x, other_y, hand_x, hand_y, syllables)
        before = measure(model, *sets)
        result = finetune(FinetuneConfig(
            model=str(model), data=[str(tmp / "my-samples")], out=str(tmp / "mine.keras"), mix_with=args.mix_with,
            mix_ratio=args.mix_ratio, epochs=args.epochs, learning_rate=args.lr, replay_samples=args.replay_samples,
            replay_exclude=[args.user_face], freeze_features=args.freeze_features, seed=args.seed))
        after = measure(Path(result["model_path"]), *sets)

        figures = {
            "model": str(args.model), "user_face": hand.face.id, "slant": args.slant, "syllables": "".join(syllables),
            "user_samples": args.user_samples, "finetune": {k: result["report"][k] for k in (
                "epochs", "steps_per_epoch", "learning_rate", "mix_ratio", "replay", "replay_train_samples", "seconds")},
            "before": before, "after": after, "seconds_total": round(time.time() - started, 1),
        }
        print(json.dumps(figures, indent=1, ensure_ascii=False))
        b, a = before["user_heldout"], after["user_heldout"]
        print(f"\n{args.user_samples} saved samples of {''.join(syllables)} ({hand.face.id}, slant {args.slant}), "
              f"{args.epochs} epoch(s):")
        print(f"  held-out samples of those syllables: top-1 {b['top1']:.1%} -> {a['top1']:.1%}, "
              f"top-3 {b['top3']:.1%} -> {a['top3']:.1%}  (n={b['n']})")
        print("  per syllable top-1: " + ", ".join(
            f"{s} {b['per_syllable'][s]:.0%}->{a['per_syllable'][s]:.0%}" for s in b["per_syllable"]))
        bo, ao = before["other_syllables"], after["other_syllables"]
        print(f"  other syllables ({Path(args.others).name}, n={bo['n']}): top-1 {bo['top1']:.1%} -> {ao['top1']:.1%}, "
              f"top-3 {bo['top3']:.1%} -> {ao['top3']:.1%}")
        bh, ah = before["user_hand_other_syllables"], after["user_hand_other_syllables"]
        print(f"  the same hand, {bh['n']} other syllables: top-1 {bh['top1']:.1%} -> {ah['top1']:.1%}; "
              f"read as one of {''.join(syllables)}: {bh['predicted_as_finetuned_syllables']:.1%} -> "
              f"{ah['predicted_as_finetuned_syllables']:.1%}")
        if args.json:
            Path(args.json).write_text(json.dumps(figures, indent=1, ensure_ascii=False))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
