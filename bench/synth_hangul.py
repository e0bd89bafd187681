"""Benchmark of Hangul synthesis: samples/s per kind, end to end with workers, vs a naive baseline.

    .venv/bin/python bench/synth_hangul.py [--faces 6] [--syllables 200] [--workers 2]

Prints, all measured in this run on the same faces and syllables:
  * per kind (one process): designed, pen, each through preprocess (uint8 out),
  * end to end: ``synthesize`` into a temporary store with --workers (default 2),
  * a naive single-process baseline: no glyph cache, a fresh Pillow render at 128 px for
    every sample, thinning at that size, and the skeleton drawn pixel by pixel with
    cv2.circle on the 400x400 canvas.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont
from skimage.morphology import skeletonize

from handpad.labels import hangul_syllables
from handpad.preprocess import preprocess
from handpad.synth import generate
from handpad.synth.fonts import resolve_fonts


def per_kind(faces, syllables, kind: str) -> float:
    options = generate.SynthOptions(per_font=1, mix={kind: 1})
    index = {c: i for i, c in enumerate(hangul_syllables())}
    n = 0
    t = time.perf_counter()
    for face in faces:
        for c in syllables:
            n += len(generate.make_samples(face, c, index[c], options))
    return n / (time.perf_counter() - t)


def naive(faces, syllables) -> float:
    rng = np.random.default_rng(0)
    n = 0
    t = time.perf_counter()
    for face in faces:
        for c in syllables:
            font = ImageFont.truetype(face.path, 128, index=face.index)  # no cache
            img = Image.new("L", (192, 192), 0)
            ImageDraw.Draw(img).text((96, 96), c, font=font, fill=255, anchor="mm")
            ink = np.asarray(img, np.float32) / 255
            # designed: rotate, binarize
            m = cv2.getRotationMatrix2D((96, 96), float(rng.choice([-3, 0, 3])), 1.0)
            binary = cv2.warpAffine(ink, m, (192, 192)) > 0.5
            preprocess(binary.astype(np.float32), ink="bright")
            # pen: thin at full size, stamp a disk per skeleton pixel
            ys, xs = np.nonzero(skeletonize(ink > 0.5))
            canvas = np.full((400, 400), 255, np.uint8)
            width = int(rng.integers(4, 14))
            for y, x in zip(ys, xs):
                cv2.circle(canvas, (int(x * 1.8 + 30), int(y * 1.8 + 30)), width // 2, 0, -1, cv2.LINE_AA)
            preprocess(canvas)
            n += 2
    return n / (time.perf_counter() - t)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--faces", type=int, default=6, help="number of default faces (spread over styles)")
    ap.add_argument("--syllables", type=int, default=200)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--per-font", type=int, default=2)
    args = ap.parse_args(argv)
    from machine import describe_machine  # bench/machine.py
    print(describe_machine(), flush=True)

    all_faces, _ = resolve_fonts()
    step = max(1, len(all_faces) // args.faces)
    faces = all_faces[::step][: args.faces]
    syllables = generate.choose_syllables(num=args.syllables, seed=0)
    print(f"faces: {', '.join(f.id for f in faces)}; {len(syllables)} syllables", flush=True)

    rates = {kind: per_kind(faces, syllables, kind) for kind in generate.KINDS}
    for kind, r in rates.items():
        print(f"  {kind:<9} 1 process: {r:7.0f} samples/s", flush=True)
    base = naive(faces[:2], syllables[:100])
    print(f"  naive     1 process: {base:7.0f} samples/s (designed + pen, no cache, pixel-by-pixel pen)", flush=True)

    options = generate.SynthOptions(per_font=args.per_font, syllables=syllables, chunk=100)
    with tempfile.TemporaryDirectory() as tmp:
        report = generate.synthesize(faces, f"{tmp}/store", options, workers=args.workers, progress=False)
    mix = ", ".join(f"{k} {v}" for k, v in sorted(report.kinds.items()))
    print(f"  end to end, {args.workers} worker(s): {report.rate:7.0f} samples/s ({report.written} samples: {mix}; "
          f"{report.rate / base:.1f}x the naive baseline)")
    full = 2350 * len(all_faces) * 3
    print(f"  -> all {len(all_faces)} default faces x 2350 x 3 = {full} samples in ~{full / report.rate / 60:.0f} min")
    return 0


if __name__ == "__main__":
    sys.exit(main())
