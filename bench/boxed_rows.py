"""Writing in boxes: a line's characters written one to a box (원고지 manuscript paper, a form's boxes).

Each line of a line set (`handpad synth words` / `synth numbers`) is written again one character per box:
each character's own ink (its true box cut out of the line image) set in a box of one pitch (1.3 times the
line's largest character; drawn from its own strokes where the set has them), placed at random within it,
a space as an empty box (as on 원고지), 0-3 empty boxes after the writing and rows of four boxes at least (a
원고지 row has 10-20); the rules and walls printed 1-3 px thick at 40-100% black. The same rows are read
three ways in one process: the characters at the same places without the boxes (the baseline), in their
boxes, and in their boxes with the walls left in (only the rules above and below taken away, as
`handpad read` did before 2026-12-06). `handpad.page.without_rules` takes the walls away.

    python bench/boxed_rows.py data/words-val-pen --limit 100
    python bench/boxed_rows.py data/numbers-val-pen --model digits --limit 100
    python bench/boxed_rows.py data/words-val-pen --rotate 5     # each row photographed turned, up to ±5°
    python bench/boxed_rows.py data/words-val-pen --boxes 2      # rows as short as the writing (two boxes at least)
"""
from __future__ import annotations

import argparse
import time

import cv2
import numpy as np


def own_ink(sample) -> list[np.ndarray]:
    """Each character's own ink (dark on white, its true box): drawn from its own strokes where the line
    has them (each stroke belongs to the box holding most of its points), so no neighbour's ink that
    reaches into the box comes along; else cut out of the line image."""
    image = sample.image()
    if not sample.strokes:
        return [image[y0:y1, x0:x1] for x0, y0, x1, y1 in sample.boxes]
    from handpad.synth.lines import render_strokes

    boxes = sample.boxes
    own: list[list[dict]] = [[] for _ in boxes]
    for stroke in sample.strokes:
        pts = np.asarray(stroke["points"], float).reshape(-1, 2)
        inside = [np.count_nonzero((pts[:, 0] >= x0) & (pts[:, 0] < x1) & (pts[:, 1] >= y0) & (pts[:, 1] < y1))
                  for x0, y0, x1, y1 in boxes]
        own[int(np.argmax(inside))].append(stroke)
    ink = int(sample.extra.get("ink", 0))
    return [render_strokes(strokes, image.shape, ink)[y0:y1, x0:x1] for strokes, (x0, y0, x1, y1) in zip(own, boxes)]


def boxed_row(sample, rng, pitch_ratio: float = 1.3, pad: int = 30, boxes: bool = True,
              min_cells: int = 4) -> np.ndarray:
    """``sample``'s characters, each in its own box of a row of at least ``min_cells`` boxes (dark ink on
    white, uint8)."""
    sizes = sample.boxes[:, 2:] - sample.boxes[:, :2]
    pitch = int(np.ceil(pitch_ratio * sizes.max()))
    cells = max(min_cells, len(sample.text) + int(rng.integers(0, 4)))
    row = np.full((2 * pad + pitch, 2 * pad + cells * pitch), 255, np.uint8)
    chars = iter(own_ink(sample))
    for k, ch in enumerate(sample.text):
        if ch == " ":
            continue
        glyph = next(chars)
        h, w = glyph.shape
        top = pad + int(rng.integers(1, pitch - h)) if pitch - h > 1 else pad
        left = pad + k * pitch + (int(rng.integers(1, pitch - w)) if pitch - w > 1 else 0)
        np.minimum(row[top:top + h, left:left + w], glyph, out=row[top:top + h, left:left + w])
    if boxes:
        thick, gray = int(rng.integers(1, 4)), int(round(255 * (1 - rng.uniform(0.4, 1.0))))
        right = pad + cells * pitch
        for y in (pad, pad + pitch):
            cv2.line(row, (pad, y), (right, y), gray, thick)
        for k in range(cells + 1):
            x = pad + k * pitch
            cv2.line(row, (x, pad), (x, pad + pitch), gray, thick)
    return row


def turned(image: np.ndarray, degrees: float) -> np.ndarray:
    """A dark-on-white image turned by ``degrees`` on white paper, all of it kept (the canvas grows)."""
    h, w = image.shape
    m = cv2.getRotationMatrix2D((w / 2.0, h / 2.0), degrees, 1.0)
    cos, sin = abs(m[0, 0]), abs(m[0, 1])
    size = (int(np.ceil(w * cos + h * sin)), int(np.ceil(h * cos + w * sin)))
    m[:, 2] += (size[0] / 2.0 - w / 2.0, size[1] / 2.0 - h / 2.0)
    return cv2.warpAffine(image, m, size, flags=cv2.INTER_LINEAR, borderValue=255)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("lines", help="a line set (folder with lines.jsonl)")
    p.add_argument("--model", default="hangul", help="hangul or digits (the shipped models) or a .keras file")
    p.add_argument("--limit", type=int, default=100, help="lines read (the first N)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--rotate", type=float, default=0.0, help="turn each row by up to this many degrees, either way")
    p.add_argument("--boxes", type=int, default=4, help="rows of at least this many boxes")
    args = p.parse_args()

    from handpad import page as page_module
    from handpad import reading
    from handpad.errors import HandpadError
    from handpad.recognizer import Recognizer
    from handpad.sources.lines import read_lines

    rec = Recognizer.load(args.model)
    samples = list(read_lines(args.lines))[:args.limit]
    rows = {}
    for name, boxes in (("no boxes (baseline)", False), ("in boxes", True)):  # the same places with and without
        rows[name] = [boxed_row(s, np.random.default_rng([args.seed, k]), boxes=boxes, min_cells=args.boxes)
                      for k, s in enumerate(samples)]
    if args.rotate:
        turns = np.random.default_rng(args.seed + 1).uniform(-args.rotate, args.rotate, len(samples))
        rows = {name: [turned(im, t) for im, t in zip(images, turns)] for name, images in rows.items()}
    rows["in boxes, walls left in"] = rows["in boxes"]
    keep_walls = page_module._without_walls
    print(f"{args.lines}: {len(samples)} lines written one character to a box, model {args.model}"
          + (f", turned up to ±{args.rotate:g}°" if args.rotate else ""))
    print(f"{'condition':28s} {'text right':>10s} {'chars right':>11s} {'failed':>7s} {'ms/line':>8s}")
    for name, images in rows.items():
        page_module._without_walls = (lambda out, ink, rules: out) if name.endswith("left in") else keep_walls
        right = chars = total = failed = 0
        t0 = time.perf_counter()
        for s, im in zip(samples, images):
            total += len(s.chars)
            try:
                text = rec.read(im).text
            except HandpadError:
                failed += 1
                continue
            right += text == s.text
            got = text.replace(" ", "")
            chars += sum(a == b for a, b in zip(got, s.chars)) if len(got) == len(s.chars) else 0
        ms = (time.perf_counter() - t0) * 1000 / len(samples)
        print(f"{name:28s} {right / len(samples) * 100:9.1f}% {chars / total * 100:10.1f}% {failed:7d} {ms:8.1f}")
    page_module._without_walls = keep_walls


if __name__ == "__main__":
    main()
