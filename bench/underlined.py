"""Lines underlined by hand: read as without the line?

People underline what they write. Each line of a set is read as it is and again with a line drawn under it by
hand (a wavy pen line, 5 px, from just before the first character to just after the last, 12-24 px under the
lowest ink, waving 2-6 px), in the same process (`handpad read`, `Recognizer.read`;
`handpad.page.without_underlines`). Prints whole lines right for both, and how many underlines were found.

    python bench/underlined.py data/words-pen --limit 200
    python bench/underlined.py data/numbers-pen --model digits
"""
from __future__ import annotations

import argparse

import cv2
import numpy as np


def underlined(image: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    ys, xs = np.nonzero(image < 128)
    h, w = image.shape
    out = np.full((h + 60, w), 255, np.uint8)
    out[:h] = image
    below, wave, phase = rng.uniform(12, 24), rng.uniform(2, 6), rng.uniform(0, 2 * np.pi)
    line = np.linspace(max(0, xs.min() - 10), min(w - 1, xs.max() + 10), 40)
    points = np.stack([line, ys.max() + below + wave * np.sin(line / 60.0 + phase)], axis=1)
    cv2.polylines(out, [np.round(points).astype(np.int32)], False, 20, 5, cv2.LINE_AA)
    return out


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("lines", help="a line set (handpad synth words / numbers)")
    p.add_argument("--model", default="hangul")
    p.add_argument("--limit", type=int, default=200, help="the first N lines")
    p.add_argument("--seed", type=int, default=0)
    args = p.parse_args()

    from handpad import page as page_module
    from handpad import reading
    from handpad.preprocess import ink_map
    from handpad.recognizer import Recognizer
    from handpad.sources.lines import read_lines

    rec = Recognizer.load(args.model)
    rng = np.random.default_rng(args.seed)
    plain = under = found = 0
    lines = read_lines(args.lines)[: args.limit]
    for line in lines:
        image = line.image()
        with_line = underlined(image, rng)
        plain += rec.read(image).text == line.text
        under += rec.read(with_line).text == line.text
        if hasattr(reading, "without_underlines"):  # (absent from the code before it: compared in turns)
            ink = ink_map(with_line)
            found += page_module.without_underlines(ink) is not ink
    n = len(lines)
    print(f"{n} lines of {args.lines}, model {rec.name}: whole lines right as written {100 * plain / n:.1f}%, "
          f"underlined by hand {100 * under / n:.1f}% (underline found in {100 * found / n:.1f}%)")


if __name__ == "__main__":
    main()
