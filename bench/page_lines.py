"""Pages of several lines (`handpad.page.page_lines`): are the lines found, and read as alone?

Pages are stacked from line sets (`handpad synth words` / `synth numbers`): 2-4 lines each, picked at
random, as one writer writes them (each line's ink scaled to about the same height, 85-115%), with
empty space between lines of 0.1-0.8 line heights and an indent of up to half a line height. A page is
right when every line's ink lies in one range that `text_lines` found, one range per line. The
sets' lines alone and single syllables (dataset stores of prepared syllables) must not be split into lines. With --read N, the first
N pages are read with the shipped model and each line's text compared with the same line (as placed
on the page) read alone.

    python bench/page_lines.py data/words-val-pen data/words-val-careless data/words-val-tight-pen \\
        --singles data/hangul-jamo-80/val data/hangul-jamo-80/val-rare
    python bench/page_lines.py data/words-pen data/words-careless --read 100
    python bench/page_lines.py data/words-val-pen data/words-val-careless data/words-val-tight-pen --ruled --rotate 5

With --read N --desk each page is also read as a photo of the sheet lying on a darker desk (`on_a_desk`).
With --ruled the pages are ruled paper: a printed line in each gap between lines of writing, one above and
one below (1-3 px, 0.4-1.0 of the ink's strength, turned with the page), taken away before the lines are
found (`handpad.page.without_rules`, as `read` does); the same pages as without --ruled.
"""
from __future__ import annotations

import argparse
import time

import cv2
import numpy as np


def make_pages(line_sets, count: int, seed: int, rotate: float = 0.0, ruled: bool = False):
    """[(page ink map, [(y0, y1) of each line's ink], [each line's sample], [each line's ink as placed])].
    ``ruled``: printed lines across the page, one in the middle of each gap between lines of writing, one
    above the first and one below the last (1-3 px, 0.4-1.0 of the ink's strength), as on ruled paper."""
    from handpad.preprocess import ink_map
    from handpad.sources.lines import read_lines

    rng = np.random.default_rng(seed)
    rule_rng = np.random.default_rng(seed + 10_000)  # the rules drawn apart: the same pages with and without them
    samples = [s for folder in line_sets for s in read_lines(folder)]
    pages = []
    for _ in range(count):
        picked = [samples[i] for i in rng.choice(len(samples), rng.integers(2, 5), replace=False)]
        crops = []
        for s in picked:
            ink = ink_map(s.image())
            rows = np.flatnonzero((ink > 0.25).any(axis=1))
            line = ink[rows[0]:rows[-1] + 1]
            scale = 100 * rng.uniform(0.85, 1.15) / line.shape[0]
            crops.append(np.clip(cv2.resize(line, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA), 0, 1))
        gaps = [int(rng.uniform(0.1, 0.8) * 100) for _ in crops[1:]] + [0]
        indents = [int(rng.uniform(0, 0.5) * 100) for _ in crops]
        page = np.zeros((sum(c.shape[0] for c in crops) + sum(gaps) + 40,
                         max(c.shape[1] + d for c, d in zip(crops, indents)) + 20), np.float32)
        y, spans = 20, []
        for c, d, gap in zip(crops, indents, gaps):
            page[y:y + c.shape[0], d:d + c.shape[1]] = c
            spans.append((y, y + c.shape[0]))
            y += c.shape[0] + gap
        if ruled:
            rows = [spans[0][0] - 10] + [(a[1] + b[0]) // 2 for a, b in zip(spans, spans[1:])] + [spans[-1][1] + 10]
            for r in rows:
                thick = int(rule_rng.integers(1, 4))
                page[r:r + thick] = np.maximum(page[r:r + thick], rule_rng.uniform(0.4, 1.0))
        if rotate:  # a photo taken a little askew: the page turned about its centre
            turn = cv2.getRotationMatrix2D((page.shape[1] / 2, page.shape[0] / 2), rng.uniform(-rotate, rotate), 1.0)
            page = np.clip(cv2.warpAffine(page, turn, page.shape[::-1], flags=cv2.INTER_LINEAR), 0, 1)
        pages.append((page, spans, picked, [np.pad(c, 20) for c in crops]))
    return pages


def on_a_desk(page: np.ndarray, rng) -> np.ndarray:
    """A page's ink map as a phone photo: dark ink on a white sheet (0.9 of full white) lying on a darker
    desk (40-120 of 255, its own grain 4/255), 150 px of desk all round."""
    sheet = 255 * 0.9 - page * (255 * 0.9 - 30)
    photo = rng.uniform(40, 120) + rng.normal(0, 4, (page.shape[0] + 300, page.shape[1] + 300))
    photo[150:150 + page.shape[0], 150:150 + page.shape[1]] = sheet
    return np.clip(photo, 0, 255).astype(np.uint8)


def found(lines, spans, strict: bool = True) -> bool:
    """One range per line, each holding its line's ink (strict) or the line's middle row (turned pages)."""
    if len(lines) != len(spans):
        return False
    if strict:
        return all(a <= s0 and s1 <= b for (a, b), (s0, s1) in zip(lines, spans))
    return all(a <= (s0 + s1) / 2 < b for (a, b), (s0, s1) in zip(lines, spans))


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("lines", nargs="+", help="line sets to stack pages from")
    p.add_argument("--pages", type=int, default=300)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--rotate", type=float, default=0.0, metavar="DEG",
                   help="turn each page by a random angle within +-DEG degrees (lines are then found right "
                        "when each range holds one line's middle row)")
    p.add_argument("--ruled", action="store_true", help="ruled paper: printed lines between the lines of writing, "
                   "taken away first (handpad.page.without_rules)")
    p.add_argument("--desk", action="store_true", help="with --read: each page also read as a phone photo of the "
                   "sheet (dark ink on white) lying on a darker desk, 150 px of desk around it")
    p.add_argument("--singles", nargs="*", default=[], help="stores of single syllables that must stay one line")
    p.add_argument("--read", type=int, default=0, metavar="N", help="read the first N pages with the shipped model")
    p.add_argument("--model", default="hangul")
    p.add_argument("--shapes-only", action="store_true", help="lines by their shapes alone, as before the "
                   "twentieth sitting (no read_apart: short lines are not asked about)")
    args = p.parse_args()

    from handpad.page import page_lines, without_rules
    from handpad.reading import read_apart, resolve_verifier
    from handpad.recognizer import Recognizer
    from handpad.store import load_store

    rec = Recognizer.load(args.model)
    kind = rec.label_space.kind
    apart = None if args.shapes_only else read_apart(rec, resolve_verifier("shipped", kind), kind)
    pages = make_pages(args.lines, args.pages, args.seed, args.rotate, args.ruled)
    t0 = time.perf_counter()
    right = [found(page_lines(without_rules(page), apart)[0], spans, strict=not args.rotate) for page, spans, *_ in pages]
    took = (time.perf_counter() - t0) / len(pages) * 1000
    n_lines = sum(len(spans) for _, spans, *_ in pages)
    print(f"{len(pages)} pages of {n_lines} lines from {', '.join(args.lines)} (seed {args.seed})")
    print(f"  pages whose lines are all found: {np.mean(right) * 100:.1f}% ({took:.1f} ms a page, rules looked for)")
    from handpad.preprocess import ink_map
    from handpad.sources.lines import read_lines

    for folder in args.lines:
        lines = read_lines(folder)
        split = sum(len(page_lines(ink_map(s.image()), apart)[0]) != 1 for s in lines)
        print(f"  {folder}: {split} of {len(lines)} lines split when read alone")
    for store in args.singles:
        images = load_store(store).images
        split = sum(len(page_lines(im.astype(np.float32) / 255, apart)[0]) != 1 for im in images)
        print(f"  {store}: {split} of {len(images)} single characters split into lines ({split / len(images) * 100:.2f}%)")
    if args.read:
        alone = as_page = on_desk = total = 0
        rng = np.random.default_rng(args.seed)
        t0 = time.perf_counter()
        for page, spans, picked, lines in pages[: args.read]:
            texts = rec.read(page).lines
            desk_texts = rec.read(on_a_desk(page, rng)).lines if args.desk else []
            for k, (s, line) in enumerate(zip(picked, lines)):
                total += 1
                as_page += len(texts) == len(picked) and texts[k] == s.text
                on_desk += len(desk_texts) == len(picked) and desk_texts[k] == s.text
                alone += rec.read(line).text == s.text
        print(f"  read {args.read} pages ({time.perf_counter() - t0:.0f} s): lines right read on the page "
              f"{as_page / total * 100:.1f}%, the same lines read alone {alone / total * 100:.1f}% ({total} lines)"
              + (f"; the page photographed on a desk {on_desk / total * 100:.1f}%" if args.desk else ""))


if __name__ == "__main__":
    main()
