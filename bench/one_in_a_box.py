"""One character in a printed box (a form's box, a cell of 원고지 cut out of a photo): read as without the box?

Each character of a line set is cut out by its true box, placed in the middle of a box 1.15x its size (2 px,
gray 60) and predicted (`Recognizer.top_k`, as `handpad predict` and the browser's upload do), against the same
character without the box under the same transform, in the same process: with paper around the box, cut at the
box's own sides, turned 2 and 4 degrees, with grain and blur, as a cell of a grid whose lines run out
through the photo, cut out of a row of boxes with 12 or 30 px of paper around (the row's rules running on
out through the sides), and on graph paper (a photo 1.6x the character, lines every 24 px light or 40 px darker,
against the same photo without them). Top-1 right per case (`handpad.page.without_box`, `without_rules_across`).

    python bench/one_in_a_box.py data/words-pen --lines 60
    python bench/one_in_a_box.py data/numbers-pen --model digits
"""
from __future__ import annotations

import argparse

import cv2
import numpy as np


def turn(image: np.ndarray, degrees: float) -> np.ndarray:
    h, w = image.shape
    return cv2.warpAffine(image, cv2.getRotationMatrix2D((w / 2, h / 2), degrees, 1.0), (w, h), borderValue=250)


def grain(image: np.ndarray, noise: np.ndarray) -> np.ndarray:
    return cv2.GaussianBlur(np.clip(image + noise, 0, 255).astype(np.uint8), (3, 3), 0)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("lines", help="a line set (handpad synth words / numbers)")
    p.add_argument("--model", default="hangul")
    p.add_argument("--lines", type=int, default=60, dest="count", help="the first N lines")
    p.add_argument("--seed", type=int, default=0)
    args = p.parse_args()

    from handpad.recognizer import Recognizer
    from handpad.sources.lines import read_lines

    rec = Recognizer.load(args.model)
    rng = np.random.default_rng(args.seed)
    right: dict[str, list[int]] = {}

    def score(case: str, image: np.ndarray, truth: str) -> None:
        right.setdefault(case, []).append(rec.top_k(image, 1)[0][0] == truth)

    for line in read_lines(args.lines)[: args.count]:
        image = line.image()
        for truth, (x0, y0, x1, y1) in zip(line.chars, line.boxes):
            char = image[y0:y1, x0:x1]
            h, w = char.shape
            side, m = int(max(h, w) * 1.15), 20
            cell = np.full((side, side), 255, np.uint8)
            cell[(side - h) // 2:(side - h) // 2 + h, (side - w) // 2:(side - w) // 2 + w] = char
            plain = np.pad(cell, m, constant_values=250)
            boxed = plain.copy()
            cv2.rectangle(boxed, (m - 2, m - 2), (m + side + 1, m + side + 1), 60, 2)
            at_sides = cell.copy()
            cv2.rectangle(at_sides, (0, 0), (side - 1, side - 1), 60, 2)
            grid = plain.copy()
            for v in (m - 2, m + side):
                grid[v:v + 2] = np.minimum(grid[v:v + 2], 120)
                grid[:, v:v + 2] = np.minimum(grid[:, v:v + 2], 120)
            score("no box", plain, truth)
            score("in a box, paper around", boxed, truth)
            score("cut at the box's sides", at_sides, truth)
            score("a cell of a grid", grid, truth)
            for degrees in (2, 4):
                d = degrees * float(rng.choice([-1, 1]))
                score(f"no box, turned {degrees} deg", turn(plain, d), truth)
                score(f"in a box, turned {degrees} deg", turn(boxed, d), truth)
            # one box cut out of a row of three (2 px, gray 110) with 12 or 30 px of paper around it: the
            # row's rules run on out through the photo's sides
            row = np.full((side + 200, 3 * side + 200), 250, np.uint8)
            row[100:100 + side, 100 + side:100 + 2 * side] = np.minimum(cell, 250)
            for y in (100, 100 + side):
                row[y:y + 2, 100:102 + 3 * side] = 110
            for k in range(4):
                row[100:102 + side, 100 + k * side:102 + k * side] = 110
            for around in (12, 30):
                score(f"a box cut from a row, {around} px", row[100 - around:102 + side + around,
                                                                100 + side - around:102 + 2 * side + around], truth)
            # on graph paper: a character 1.6x smaller than the photo, the grid's lines through it
            big = int(max(h, w) * 1.6)
            sheet = np.full((big, big), 250, np.uint8)
            sheet[(big - h) // 2:(big - h) // 2 + h, (big - w) // 2:(big - w) // 2 + w] = np.minimum(char, 250)
            score("no grid, 1.6x the character", sheet, truth)
            for pitch, gray in ((24, 190), (40, 150)):
                graph = sheet.copy()
                for v in range(7, big, pitch):
                    graph[v] = np.minimum(graph[v], gray)
                    graph[:, v] = np.minimum(graph[:, v], gray)
                score(f"graph paper, {pitch} px", graph, truth)
            noise = rng.normal(0, 8, plain.shape)
            score("no box, grain + blur", grain(plain, noise), truth)
            score("in a box, grain + blur", grain(boxed, noise), truth)
    print(f"{len(right['no box'])} characters of the first {args.count} lines of {args.lines}, model {rec.name}")
    for case, hits in right.items():
        print(f"  {case:<28} top-1 {100 * np.mean(hits):5.1f}%")


if __name__ == "__main__":
    main()
