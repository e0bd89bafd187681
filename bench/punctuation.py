"""Sentences: full stops and commas between the syllables, read as marks, not as syllables?

Each line of a Hangul line set is read as it is, with a full stop written after it (a dot of the line's pen,
on the baseline, a quarter of a height after the last character), and, for lines of two words or more, with a
comma after the first word (a short thick tick on the baseline). The texts expected are the line's with "."
at its end / "," after its first word (`handpad.reading._marks`). Whole lines right per case, in one process.

    python bench/punctuation.py data/words-pen --limit 200

With --questions, each line is written again by its own face and style (`handpad.synth.lines.hangul_line`) with a
"?" (even lines) or "!" (odd lines) after its last syllable, as the face draws them, and read as it is and with
the mark's ink taken out (its box made paper where no other character's box reaches); the texts expected are the
line's with the mark (`handpad.reading._end_marks`) and the line's. Needs the line set's faces (`handpad synth
fetch-fonts`).

    python bench/punctuation.py data/words-pen --limit 200 --questions

With --unmarked, the line sets and dataset stores given (none holds a "?" or "!") are looked through for question
and exclamation marks (`_end_marks` on each image's pieces of ink): how many images one is found in; with --model
digits, for full stops and commas (`_marks`: numbers' decimal points and thousands' commas).

With --decimal (a number line set, --model digits), each number is read as it is and with a decimal point after
one of its digits (drawn at random, not the last): the digits after it moved right by 0.35 of the line's height
and a dot of the line's pen in the middle of that gap, on the baseline. --comma: a comma there instead (a
thousands' comma, "15,000": a tick of the line's pen from the baseline down, 0.22 of the line's height).

    python bench/punctuation.py --unmarked data/words-val-pen data/hangul-val-pen-80
    python bench/punctuation.py --unmarked data/words-val-pen --noise sp:0.001      # grain is no dot
    python bench/punctuation.py --unmarked data/words-val-pen data/hangul-val-pen-80 --full-stops   # nor "." / ","
    python bench/punctuation.py data/numbers-val-pen --model digits --decimal
    python bench/punctuation.py data/numbers-val-pen --model digits --comma

With --hyphen, each line is read as it is and with a hyphen (a stroke of the line's pen, 0.35 of its height long
round ends included, at the middle of its rows, 0.15 heights from the characters on either side) after one of its
characters (numbers: drawn at random, not the last, as "010-1234"; Hangul lines of two words or more: in place of
the first space, as "서울-부산"), from the image and, with --strokes, from the strokes (the hyphen a stroke of its
own). --colon: a colon instead (two dots of the line's pen at 0.3 and 0.7 of its rows; Hangul: after the first word,
the space after it kept, "이름: 홍길동"); --minus: the
hyphen's stroke before the first digit, 0.15 heights from it (a negative number, "-42"; numbers only). With
--unmarked --dashes: where a "-" (numbers: or ":") is found in images that hold none.

    python bench/punctuation.py data/numbers-val-pen --model digits --hyphen [--strokes]
    python bench/punctuation.py data/numbers-val-pen --model digits --colon [--strokes]
    python bench/punctuation.py data/words-val-pen --hyphen [--strokes]
    python bench/punctuation.py data/words-val-pen --colon [--strokes]
    python bench/punctuation.py --unmarked --dashes data/words-val-pen data/words-val-careless data/hangul-val-pen-80
"""
from __future__ import annotations

import argparse

import cv2
import numpy as np


def pen_width(image: np.ndarray) -> float:
    """The line's pen: twice the median of the distance to the paper along its strokes' middles."""
    ink = (image < 128).astype(np.uint8)
    dist = cv2.distanceTransform(ink, cv2.DIST_L2, 3)
    ridge = dist[(dist > 0) & (dist >= cv2.dilate(dist, np.ones((3, 3), np.uint8)))]
    return float(2 * np.median(ridge)) if ridge.size else 4.0


def with_mark(image: np.ndarray, after: tuple[int, int, int, int], height: float, mark: str) -> np.ndarray:
    """``image`` with a full stop or a comma written on the baseline just after the box ``after``."""
    out = np.pad(image, ((0, 0), (0, int(height))), constant_values=255)
    pen = max(3.0, pen_width(image))
    x = after[2] + 0.25 * height
    y = after[3] - pen / 2
    if mark == ".":
        cv2.circle(out, (int(x), int(y)), int(round(pen * 0.75)), 20, -1, cv2.LINE_AA)
    else:
        cv2.line(out, (int(x + pen / 2), int(y - pen / 2)), (int(x - pen / 2), int(y + 1.5 * pen)), 20,
                 int(round(pen)), cv2.LINE_AA)
    return out


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("lines", nargs="+", help="a Hangul line set (handpad synth words); with --unmarked, line sets "
                   "and dataset stores")
    p.add_argument("--limit", type=int, default=200, help="the first N lines")
    p.add_argument("--questions", action="store_true", help="question and exclamation marks, written by each line's face")
    p.add_argument("--strokes", action="store_true", help="with --questions: read each line from its strokes (the "
                   "pad's way), the mark's strokes left out for the line without it")
    p.add_argument("--unmarked", action="store_true", help="count images where a ? or ! is found that holds none")
    p.add_argument("--decimal", action="store_true", help="numbers with a decimal point (--model digits)")
    p.add_argument("--comma", action="store_true", help="numbers with a thousands' comma (--model digits)")
    p.add_argument("--hyphen", action="store_true", help="a hyphen between two characters (numbers) or two words")
    p.add_argument("--minus", action="store_true", help="a minus sign before the number (--model digits)")
    p.add_argument("--colon", action="store_true", help="a colon between two digits, or after a Hangul line's first word")
    p.add_argument("--dashes", action="store_true", help="with --unmarked: hyphens found where there are none")
    p.add_argument("--model", default="hangul", choices=["hangul", "digits"])
    p.add_argument("--full-stops", action="store_true", help="with --unmarked for Hangul, full stops and commas too")
    p.add_argument("--noise", default=None, metavar="KIND:LEVEL", help="with --unmarked, line sets with noise added "
                   "as bench/noisy_images.py adds it: gauss:20 (grain, out of 255) or sp:0.002 (salt and pepper)")
    args = p.parse_args()

    from handpad.recognizer import Recognizer
    from handpad.sources.lines import read_lines

    if args.unmarked:
        unmarked(args.lines, args.model, args.noise, args.full_stops, args.dashes)
        return
    if len(args.lines) != 1:
        p.error("one line set (several only with --unmarked)")
    args.lines = args.lines[0]
    if args.decimal or args.comma:
        decimal(Recognizer.load("digits"), read_lines(args.lines)[: args.limit], args.lines, "," if args.comma else ".")
        return
    if args.hyphen or args.colon or args.minus:
        between(Recognizer.load(args.model), read_lines(args.lines)[: args.limit], args.lines, args.strokes,
                ":" if args.colon else "-", lead=args.minus)
        return
    rec = Recognizer.load("hangul")
    if args.questions:
        questions(rec, read_lines(args.lines)[: args.limit], args.lines, args.strokes)
        return
    right = {"as written": [], "with a full stop": [], "as written (lines of 2+ words)": [],
             "with a comma after the first word": []}
    for line in read_lines(args.lines)[: args.limit]:
        image, boxes = line.image(), line.boxes
        height = float(np.median(boxes[:, 3] - boxes[:, 1]))
        right["as written"].append(rec.read(image).text == line.text)
        stop = with_mark(image, tuple(boxes[-1]), height, ".")
        right["with a full stop"].append(rec.read(stop).text == line.text + ".")
        words = line.text.split(" ")
        if len(words) >= 2:
            first = boxes[len(words[0]) - 1]
            comma = image.copy()
            x0 = int(first[2] + 0.05 * height)  # the comma in the space after the first word
            comma[:, x0:x0 + int(height)] = np.minimum(comma[:, x0:x0 + int(height)],
                                                       with_mark(image, tuple(first), height, ",")[:, x0:x0 + int(height)])
            right["as written (lines of 2+ words)"].append(rec.read(image).text == line.text)
            right["with a comma after the first word"].append(
                rec.read(comma).text == words[0] + ", " + " ".join(words[1:]))
    print(f"{len(right['as written'])} lines of {args.lines}")
    for case, hits in right.items():
        print(f"  {case:<36} {100 * np.mean(hits):5.1f}%  ({len(hits)} lines)")


def decimal(rec, lines, name: str, mark: str = ".") -> None:
    """Numbers as written and with a decimal point (or a thousands' comma) between two of their digits: whole
    numbers right."""
    rng = np.random.default_rng(0)
    what = "a decimal point" if mark == "." else "a comma"
    right = {"as written": [], f"with {what}": [], f"a '{mark}' where there is none": []}
    for line in lines:
        image, boxes = line.image(), line.boxes
        height = float(np.median(boxes[:, 3] - boxes[:, 1]))
        k = int(rng.integers(0, len(line.text) - 1))
        # the line parted at its palest column between the two digits (a scan's grey edge reaches past its box:
        # parted at the box, a sliver of it would stand apart like a comma)
        lo, hi = int(boxes[k][2]), max(int(boxes[k + 1][0]), int(boxes[k][2]) + 1)
        gap, x = int(0.35 * height), lo + int(np.argmax(image[:, lo:hi + 1].min(axis=0)))
        wide = np.full((image.shape[0], image.shape[1] + gap), 255, np.uint8)
        wide[:, :x], wide[:, x + gap:] = image[:, :x], image[:, x:]
        if mark == ".":
            point = with_mark(wide, (0, 0, int(x + gap // 2 - 0.25 * height), int(boxes[k][3])), height, mark)
        else:  # a comma's length goes with the writing's size, not the pen's (a fine pen's tick is no dot)
            point, pen, base = wide.copy(), max(3.0, pen_width(image)), float(boxes[k][3])
            cx = x + gap / 2
            cv2.line(point, (int(cx + 0.04 * height), int(base - 0.02 * height - pen / 2)),
                     (int(cx - 0.04 * height), int(base + 0.2 * height)), 20, int(round(pen)), cv2.LINE_AA)
        text = rec.read(image).text
        right["as written"].append(text == line.text)
        right[f"a '{mark}' where there is none"].append(mark in text)
        right[f"with {what}"].append(rec.read(point[:, :wide.shape[1]]).text == line.text[:k + 1] + mark + line.text[k + 1:])
    print(f"{len(lines)} numbers of {name}")
    for case, hits in right.items():
        print(f"  {case:<36} {100 * np.mean(hits):5.1f}%  ({len(hits)} lines)")


def between(rec, lines, name: str, strokes: bool = False, mark: str = "-", lead: bool = False) -> None:
    """Lines as written and with a hyphen (or a colon: two dots of the pen, at 0.3 and 0.7 of the rows) between two
    characters (numbers) or in place of the first space (Hangul lines of 2+ words): whole lines right, from the image
    or the strokes."""
    rng = np.random.default_rng(0)
    right = {"as written": [], f"with a '{mark}'": [], f"a '{mark}' where there is none": []}
    for line in lines:
        boxes = np.asarray(line.boxes)
        height = float(np.median(boxes[:, 3] - boxes[:, 1]))
        if lead:  # a minus sign: before the first digit, which moves right to make room
            k, text = -1, mark + line.text
        elif rec.label_space.kind == "digits":
            k = int(rng.integers(0, len(line.chars) - 1))
            text = line.text[:k + 1] + mark + line.text[k + 1:]
        elif " " in line.text:
            k = len(line.text.split(" ")[0]) - 1
            # a colon after the first word keeps the space after it ("이름: 홍길동"); a hyphen joins ("서울-부산")
            text = line.text.replace(" ", ": " if mark == ":" else mark, 1)
        else:
            continue
        # the hyphen's ink (round ends included) 0.35 heights long, 0.15 heights (a normal gap) after box k; the
        # characters after it moved to start 0.15 heights after it
        pen = (float(np.median([st["width"] for st in line.strokes])) if strokes else max(3.0, pen_width(line.image())))
        if k >= 0:
            start = boxes[k][2]
            shift, cut = int(round(start + 0.65 * height - boxes[k + 1][0])), int(boxes[k][2] + boxes[k + 1][0]) // 2
            if mark == ":" and rec.label_space.kind == "hangul":  # the next word as far from the colon as it was
                shift = int(round(0.5 * height))  # from the first word (its space kept)
        else:  # the minus where the first digit began, every digit moved right
            start = boxes[0][0]
            shift, cut = int(round(0.65 * height)), 0
        x0, x1 = start + 0.15 * height + pen / 2, start + 0.5 * height - pen / 2
        y = float(np.median((boxes[:, 1] + boxes[:, 3]) / 2))
        y0, y1 = float(np.median(boxes[:, 1])), float(np.median(boxes[:, 3]))
        dots = [((x0 + x1) / 2, y0 + f * (y1 - y0)) for f in (0.3, 0.7)]  # a colon's
        if strokes:
            moved = [{"width": st["width"], "points": [[x + (shift if x >= cut else 0), yy] for x, yy in st["points"]]}
                     for st in line.strokes]
            if mark == ":":
                with_dash = moved + [{"width": 1.5 * pen, "points": [[dx, dy]]} for dx, dy in dots]
            else:
                with_dash = moved + [{"width": pen, "points": [[x0 + t * (x1 - x0), y] for t in np.linspace(0, 1, 6)]}]
            plain = rec.read(strokes=line.strokes).text
            read = rec.read(strokes=with_dash).text
        else:
            image = line.image()
            wide = np.full((image.shape[0], image.shape[1] + max(shift, 0)), 255, np.uint8)
            if shift >= 0:
                wide[:, :cut], wide[:, cut + shift:] = image[:, :cut], image[:, cut:]
            else:  # characters further apart than that: moved closer, the paper between them cut out
                wide[:, :cut], wide[:, cut:image.shape[1] + shift] = image[:, :cut], image[:, cut - shift:]
            if mark == ":":
                for dx, dy in dots:
                    cv2.circle(wide, (int(dx), int(dy)), int(round(0.75 * pen)), 20, -1, cv2.LINE_AA)
            else:
                cv2.line(wide, (int(x0), int(y)), (int(x1), int(y)), 20, int(round(pen)), cv2.LINE_AA)
            plain, read = rec.read(image).text, rec.read(wide).text
        right["as written"].append(plain == line.text)
        right[f"a '{mark}' where there is none"].append(mark in plain)
        right[f"with a '{mark}'"].append(read == text)
    print(f"{len(right['as written'])} lines of {name}, from the {'strokes' if strokes else 'image'}")
    for case, hits in right.items():
        print(f"  {case:<36} {100 * np.mean(hits):5.1f}%  ({len(hits)} lines)")


def unmarked(paths, model: str = "hangul", noise: str | None = None, full_stops: bool = False,
             dashes: bool = False) -> None:
    """Images with no "?" or "!" (digits: no "." or ","): where is one found anyway? ``noise``: "gauss:20" or
    "sp:0.002", added to line sets' images (a speck of grain under a stroke is no dot)."""
    from pathlib import Path

    from handpad import reading
    from handpad.preprocess import ink_map
    from handpad.sources.lines import read_lines
    from handpad.store import load_store

    cfg = reading.SEGMENT_CONFIGS[model]

    def marks_in(ink):
        specks = []
        pieces, labels = reading._image_clusters(ink, cfg, specks)
        ends = []
        if model == "hangul":
            pieces, ends = reading._end_marks(pieces, labels, cfg, specks)
            specks = [c for c in specks if not any(reading._inside(c, box) for box, _ in ends)]
            if not full_stops and not dashes:
                return ends
        found = reading._marks(reading._stack(pieces, cfg, reading._line_height(pieces)), labels, specks, dashes,
                               cfg.colons, dashes and cfg.minus)[1]
        return [m for m in found if m[1] in "-:"] if dashes else ends + found

    for path in paths:
        if (Path(path) / "lines.jsonl").exists():
            if noise:
                from noisy_images import noisy

                kind, level = noise.split(":")
                rng = np.random.default_rng(0)
                inks = (ink_map(noisy(s.image(), kind, float(level), rng)) for s in read_lines(path))
            else:
                inks = (ink_map(s.image()) for s in read_lines(path))
        else:
            inks = (im.astype(np.float32) / 255 for im in load_store(path).images)
        found, n = [], 0
        for i, ink in enumerate(inks):
            n += 1
            marks = marks_in(ink)
            if marks:
                found.append(f"{i}:{''.join(m for _, m in marks)}")
        print(f"  {path}: a mark found in {len(found)} of {n} images {' '.join(found[:8])}")


def questions(rec, lines, name: str, strokes: bool = False) -> None:
    """Each line written again by its face with a "?" / "!" after it, and the same image with the mark taken out:
    whole lines right."""
    from handpad.synth.fonts import discover_fonts
    from handpad.synth.lines import FaceWriter, hangul_line, line_rng

    faces, _ = discover_fonts(only=sorted({line.face for line in lines}))
    writers = {}
    right = {"as written again (the mark taken out)": [], "with a ? or ! after it": [], "the mark found (either)": [], "the mark told right": []}
    for i, line in enumerate(lines):
        key = (line.face, line.style)
        if key not in writers:
            writers[key] = FaceWriter(next(f for f in faces if f.id == line.face), line.style)
        mark = "?!"[i % 2]
        marked = hangul_line(writers[key], line.text + mark, line_rng(7, "questions", i), line.spacing or "normal")
        plain = marked.image.copy()  # the same line without its mark: the mark's box made paper, but where
        x0, y0, x1, y1 = marked.boxes[-1]  # another character's box reaches into it (tight writing)
        keep = np.zeros(plain.shape, bool)
        for bx0, by0, bx1, by1 in marked.boxes[:-1]:
            keep[by0:by1, bx0:bx1] = True
        plain[y0:y1, x0:x1] = np.where(keep[y0:y1, x0:x1], plain[y0:y1, x0:x1], 255)
        if strokes:  # the mark's strokes: those wholly inside its box
            def inside(st):
                pts = np.asarray(st["points"], float)
                half = st["width"] / 2
                return (pts[:, 0].min() - half >= x0 - 1 and pts[:, 0].max() + half <= x1 + 1
                        and pts[:, 1].min() - half >= y0 - 1 and pts[:, 1].max() + half <= y1 + 1)
            right["as written again (the mark taken out)"].append(
                rec.read(strokes=[st for st in marked.strokes if not inside(st)]).text == line.text)
            text = rec.read(strokes=marked.strokes).text
        else:
            right["as written again (the mark taken out)"].append(rec.read(plain).text == line.text)
            text = rec.read(marked.image).text
        right["with a ? or ! after it"].append(text == line.text + mark)
        right["the mark found (either)"].append(text[-1:] in "?!" and text[-1:] != "")
        right["the mark told right"].append(text.endswith(mark))
    print(f"{len(lines)} lines of {name}, written again by their faces" + (", read from their strokes" if strokes else ""))
    for case, hits in right.items():
        print(f"  {case:<36} {100 * np.mean(hits):5.1f}%  ({len(hits)} lines)")


if __name__ == "__main__":
    main()
