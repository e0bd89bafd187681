"""Small writing: lines shrunk to a share of their size, read with and without enlarging them first.

A line whose writing is lower than ``SegmentConfig.min_height`` pixels is cut and read from its ink
map enlarged to that height (the pad's strokes: their coordinates and pen widths, to
``stroke_min_height``); boxes come back in the image's pixels. This reads each line of a line set shrunk (INTER_AREA, as a camera or scanner at
a lower resolution gives it; strokes: points and widths scaled) to each share, once as shipped and
once never enlarged (the setting 0), in the same process, and prints the lines right and the
time per line for both.

    python bench/small_writing.py data/words-val-pen --scales 0.25 0.35 0.5 0.7 1
    python bench/small_writing.py data/words-pen --strokes --limit 300
    python bench/small_writing.py data/words-val-pen --min-height 80 100 130     # other settings beside
"""
from __future__ import annotations

import argparse
import time
from dataclasses import replace

import cv2
import numpy as np


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("lines", help="a line set (folder with lines.jsonl)")
    p.add_argument("--model", default="hangul", help="hangul or digits (the shipped models) or a .keras file")
    p.add_argument("--limit", type=int, default=300, help="lines read (the first N)")
    p.add_argument("--scales", type=float, nargs="+", default=[0.25, 0.35, 0.5, 0.7, 1.0])
    p.add_argument("--strokes", action="store_true", help="read the pad's strokes instead of the image")
    p.add_argument("--min-height", type=float, nargs="*", default=None,
                   help="settings of SegmentConfig.min_height (with --strokes: stroke_min_height) to read with "
                        "(default: 0 and the shipped one)")
    args = p.parse_args()

    from handpad import reading
    from handpad.errors import HandpadError
    from handpad.recognizer import Recognizer
    from handpad.sources.lines import read_lines

    rec = Recognizer.load(args.model)
    shipped = reading.SEGMENT_CONFIGS[rec.label_space.kind]
    field = "stroke_min_height" if args.strokes else "min_height"
    settings = args.min_height if args.min_height is not None else [0.0, getattr(shipped, field)]
    lines = read_lines(args.lines)[: args.limit]
    print(f"{len(lines)} lines of {args.lines} from the {'strokes' if args.strokes else 'image'}, model {rec.name}; "
          f"shipped {field} {getattr(shipped, field):g} px")
    for scale in args.scales:
        cells = []
        for setting in settings:
            cfg = replace(shipped, **{field: setting})
            right, times = 0, []
            for line in lines:
                if args.strokes:
                    source = {"strokes": [(p * scale, w * scale) for p, w in reading.as_strokes(line.strokes)]}
                else:
                    image = line.image()
                    if scale != 1.0:
                        image = cv2.resize(image, None, fx=scale, fy=scale,
                                           interpolation=cv2.INTER_AREA if scale < 1 else cv2.INTER_CUBIC)
                    source = {"image": image}
                t = time.perf_counter()
                try:
                    text = reading.read(rec, config=cfg, **source).text
                except HandpadError:
                    text = None
                times.append(time.perf_counter() - t)
                right += text == line.text
            cells.append(f"{setting:g} px: {100 * right / len(lines):5.1f}% ({np.median(times) * 1000:.1f} ms)")
        print(f"  x{scale:<5g} " + "   ".join(cells), flush=True)


if __name__ == "__main__":
    main()
