"""Grainy photos and dusty scans: line images read as they are and with noise added.

Each line of a line set (`handpad synth words` / `synth numbers`) is read from its image as made, then
with pixel noise on top: Gaussian grain of a given deviation (out of 255, as a phone photo in dim light
or a cheap scanner gives it) and "salt and pepper" (a share of the pixels turned black or white). The
clean reading, in the same process, is the baseline; a noisy line should read as the clean one does.
The one preprocessing (`handpad.preprocess.ink_map`) smooths noise away where it finds some
(`noise_level`, lone pixels); clean images pass through it unchanged.

    python bench/noisy_images.py data/words-val-pen --limit 100
    python bench/noisy_images.py data/numbers-val-pen --model digits --limit 100
    python bench/noisy_images.py data/words-val-pen --pepper 0.0005 0.001 0.002 --singles   # one character alone
    python bench/noisy_images.py data/words-val-pen --gauss --pepper --scan   # scanner borders, punch holes
    python bench/noisy_images.py data/words-val-pen --gauss --pepper --blur 1 1.5 2.5 --unsharpened   # out of focus
"""
from __future__ import annotations

import argparse
import time
from types import SimpleNamespace

import cv2
import numpy as np


def scanned(image: np.ndarray, kind: str) -> np.ndarray:
    """The line on a page (paper all round, a third of its height and 60 px more), and what a scanner or a punch
    leaves there: "strip" a dark band along the left side, "shadow" the page's edge falling dark towards the left,
    "hole" a punch hole in the left margin (a disc 0.6 of the line's height across), "thumb" a photo's thumb over
    the bottom edge, "corner" the top left corner dark (the desk beyond the page)."""
    h = image.shape[0]
    m = 60 + h // 3
    out = np.pad(image, m, constant_values=255).astype(np.float32)
    if kind == "strip":
        out[:, :12] = 30
    elif kind == "shadow":
        out[:, :40] *= np.linspace(0.2, 1.0, 40)[None, :]
    elif kind == "hole":
        cv2.circle(out, (m // 2, out.shape[0] // 2), max(3, int(0.3 * h)), 0, -1)
    elif kind == "thumb":  # a photo's thumb over the page's bottom edge
        H, W = out.shape
        cv2.ellipse(out, (W // 3, H), (int(0.12 * W), int(0.35 * H)), 0, 0, 360, 60, -1)
    elif kind == "corner":  # a dark corner of a photo (the desk beyond the page)
        H, W = out.shape
        yy, xx = np.mgrid[0:H, 0:W]
        out[xx / W + yy / H < 0.25] *= 0.25
    return out.astype(np.uint8)


def noisy(image: np.ndarray, kind: str, level: float, rng) -> np.ndarray:
    """A copy of a uint8 image with Gaussian grain (``level`` = deviation out of 255) or salt and pepper
    (``level`` = share of the pixels turned black, as many turned white); a page's scan marks (:func:`scanned`)."""
    if kind in ("page", "strip", "shadow", "hole", "thumb", "corner"):
        return scanned(image, kind)
    img = image.astype(np.float32)
    if kind == "blur":  # out of focus: a Gaussian of ``level`` px
        return cv2.GaussianBlur(image, (0, 0), level)
    if kind == "gauss":
        img = img + rng.normal(0.0, level, img.shape)
    else:
        u = rng.random(img.shape[:2])
        img[u < level] = 0
        img[u > 1 - level] = 255
    return np.clip(img, 0, 255).astype(np.uint8)


def single(image: np.ndarray, box) -> np.ndarray:
    """One character of a line image: its box's pixels on white paper, a margin of 0.6 of its height all round."""
    x0, y0, x1, y1 = (int(v) for v in box)
    m = int(0.6 * (y1 - y0))
    out = np.full((y1 - y0 + 2 * m, x1 - x0 + 2 * m), 255, np.uint8)
    out[m:m + y1 - y0, m:m + x1 - x0] = image[y0:y1, x0:x1]
    return out


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("lines", help="a line set (folder with lines.jsonl)")
    p.add_argument("--model", default="hangul", help="hangul or digits (the shipped models) or a .keras file")
    p.add_argument("--limit", type=int, default=100, help="lines read (the first N)")
    p.add_argument("--gauss", type=float, nargs="*", default=[10, 20, 30], help="grain deviations, out of 255")
    p.add_argument("--pepper", type=float, nargs="*", default=[0.01, 0.03], help="shares of salt and of pepper")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--scan", action="store_true", help="also what a scanner, a punch or a phone leaves: the line on a page "
                   "with margins, and a dark strip along its left side, the shadow of the page's edge there, a punch "
                   "hole in the left margin, a thumb at the bottom, a dark corner")
    p.add_argument("--blur", type=float, nargs="*", default=[], help="Gaussian blurs (px) of a photo out of focus")
    p.add_argument("--unsharpened", action="store_true", help="each line also read without the stretch of a blurred "
                   "line's ink map (SegmentConfig.sharpen off), in the same process: the column 'unsharpened'")
    p.add_argument("--singles", action="store_true", help="each line's first character alone (its true box pasted on "
                   "paper with a margin of 0.6 of its height, as an uploaded photo of one character), read by top_k")
    args = p.parse_args()

    from handpad.errors import HandpadError
    from handpad.recognizer import Recognizer
    from handpad.sources.lines import read_lines

    rec = Recognizer.load(args.model)
    samples = list(read_lines(args.lines))[:args.limit]
    images = [s.image() for s in samples]
    if args.singles:
        images = [single(im, s.boxes[0]) for im, s in zip(images, samples)]
        samples = [SimpleNamespace(text=s.text[0]) for s in samples]
        read = lambda im: rec.top_k(im, 1)[0][0]  # noqa: E731
    else:
        read = lambda im: rec.read(im).text  # noqa: E731
    from dataclasses import replace

    from handpad import reading

    soft = replace(reading.SEGMENT_CONFIGS[rec.label_space.kind], sharpen=False)
    read_unsharpened = lambda im: reading.read(rec, im, config=soft).text  # noqa: E731
    conditions = [("clean", None, 0.0)] + [(f"grain {g:g}/255", "gauss", g) for g in args.gauss] + \
        [(f"salt and pepper {q * 100:g}% each", "pepper", q) for q in args.pepper] + \
        [(f"blurred {b:g} px", "blur", b) for b in args.blur]
    if args.scan:
        conditions += [("on a page (margins)", "page", 0.0), ("dark strip along its side", "strip", 0.0),
                       ("shadow of the page's edge", "shadow", 0.0), ("punch hole in the margin", "hole", 0.0),
                       ("a thumb at the bottom", "thumb", 0.0), ("a dark corner", "corner", 0.0)]
    rng = np.random.default_rng(args.seed)
    clean = None
    print(f"{args.lines}: {len(samples)} lines, model {args.model}")
    unsharpened = args.unsharpened and not args.singles
    print(f"{'condition':32s} {'text right':>10s} {'as clean':>9s} {'failed':>7s} {'ms/line':>8s}"
          + (f" {'unsharpened':>12s}" if unsharpened else ""))
    for name, kind, level in conditions:
        texts, failed, t0, before = [], 0, time.perf_counter(), []
        for im in images:
            im = im if kind is None else noisy(im, kind, level, rng)
            try:
                texts.append(read(im))
            except HandpadError:
                texts.append(None)
                failed += 1
            if unsharpened:
                try:
                    before.append(read_unsharpened(im))
                except HandpadError:
                    before.append(None)
        ms = (time.perf_counter() - t0) * 1000 / len(images)
        clean = texts if clean is None else clean
        right = np.mean([t == s.text for t, s in zip(texts, samples)]) * 100
        same = np.mean([t == c for t, c in zip(texts, clean)]) * 100
        was = f" {np.mean([t == s.text for t, s in zip(before, samples)]) * 100:11.1f}%" if unsharpened else ""
        print(f"{name:32s} {right:9.1f}% {same:8.1f}% {failed:7d} {ms:8.1f}{was}")


if __name__ == "__main__":
    main()
