"""``handpad predict``: image files -> top-k labels, as a table or as JSON lines.

The JSON contract (stable; other tools depend on it), one object per image and line:
    {"file": "<path as given>", "top": [{"label": "7", "prob": 0.9812}, ...], "unsure": false}
    {"file": "<path as given>", "error": "<what went wrong>"}
"unsure" is true when the top-1 probability is below handpad.calibration.UNSURE_BELOW (0.5).
A document's pages (a PDF, a TIFF of pages) are an image each, with "page" (from 1) after "file".
The exit status is 1 if any image failed; the others are still predicted.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

DESCRIPTION = """\
Recognize image files with a model: `digits`, `hangul` (the shipped models) or a .keras path.
Images of any size, polarity and format (PNG, JPEG, BMP, ...) go through the same
preprocessing as the pad; photos are turned upright as their EXIF orientation says, and the
printed lines of ruled or grid paper, or a printed box around the character (a form's
box, a cell of 원고지), are taken away first. Folders are expanded to the image
files in them (sorted). A PDF or a TIFF of several pages (a scanner's) is read page by page,
each page an image ("cards.pdf#page=2"; "page": 2 in its JSON); given so, that page alone.

With --json, one JSON object per image and line:
  {"file": "a.png", "top": [{"label": "7", "prob": 0.9812}, {"label": "1", "prob": 0.0101}, ...]}
  {"file": "b.png", "error": "b.png: nothing drawn: the image has no ink (draw something first)"}
The exit status is 1 if any image failed (the others are still predicted).

examples:
  handpad predict --model digits seven.png
  handpad predict --model hangul --top 5 --json drawings/ > results.jsonl
"""


def configure(p) -> None:
    p.add_argument("files", nargs="+", metavar="FILE_OR_DIR", help="image files, PDF documents, or folders of them")
    p.add_argument("--model", default="hangul", help="digits, hangul, or a path to a .keras model (default hangul)")
    p.add_argument("--top", type=int, default=3, metavar="K", help="how many labels per image (default 3)")
    p.add_argument("--json", action="store_true", help="print JSON lines (the stable contract) instead of a table")
    p.add_argument("--batch-size", type=int, default=64, help="images per model call")
    p.add_argument("--only", metavar="LABEL_SPACE",
                   help="answer only with the labels of this label space inside the model's, e.g. hangul-ksx1001 "
                        "(the 2350 common syllables) with a model of all 11,172")


def expand(inputs, documents: bool = False) -> list[str]:
    """Files as given; folders -> their image files (sorted, recursive), as path strings; ``documents``: and
    their PDFs (``handpad read`` reads each page)."""
    from ..sources.images import IMAGE_EXTENSIONS

    kinds = IMAGE_EXTENSIONS | ({".pdf"} if documents else set())
    out = []
    for given in inputs:
        p = Path(given)
        if p.is_dir():
            out += [str(f) for f in sorted(p.rglob("*")) if f.is_file() and f.suffix.lower() in kinds]
        else:
            out.append(given)
    return out


def checked_inputs(args, documents: bool = False):
    """The files to read (folders expanded; ``documents``: PDFs in them too) and the recognizer of
    ``--model``/``--only``; clear errors."""
    from ..errors import HandpadError
    from ..recognizer import Recognizer

    if args.top < 1:
        raise HandpadError(f"--top must be at least 1, got {args.top}")
    files = expand(args.files, documents)
    if not files:
        raise HandpadError("no image files found in: " + " ".join(args.files))
    return files, Recognizer.load(args.model, only=args.only)


def images_of(files):
    """(file, page number or None, image, error or None) for each image to predict or read: a file's, read when its batch
    comes (image None), or each page of a document (a PDF, a TIFF of pages) with its number."""
    from ..errors import HandpadError
    from ..sources.images import is_document, page_of, read_pages

    for given in files:
        f, only = page_of(given)  # "cards.pdf#page=2", as printed: that page alone
        if not only and not is_document(f):
            yield f, None, None, None
            continue
        try:
            for page, image in read_pages(f, only):
                yield (f, page, None, image) if isinstance(image, HandpadError) else (f, page, image, None)
        except HandpadError as e:  # the document as a whole
            yield f, None, None, e


def predict_files(rec, files, k: int, batch_size: int = 64):
    """Yield (file, page number or None, [(label, prob), ...] or None, error message or None), in input order;
    a document's pages one after another."""
    from itertools import islice

    from ..errors import HandpadError
    from ..sources.images import read_image

    items = images_of(files)
    while chunk := list(islice(items, batch_size)):
        prepared, errors = [], {}
        for n, (f, page, image, error) in enumerate(chunk):
            name = f if page is None else f"{f}#page={page}"
            try:
                if error is not None:
                    raise error
                if image is None and not Path(f).exists():
                    raise HandpadError(f"{f}: no such file or folder")
                prepared.append(rec.prepare(read_image(f) if image is None else image))
            except HandpadError as e:
                msg = str(e)
                errors[n] = msg if f in msg else f"{name}: {msg}"
                prepared.append(None)
        ok = [x for x in prepared if x is not None]
        tops = iter(rec.top_k_batch(ok, k, prepared=True) if ok else [])
        for n, ((f, page, _, _), x) in enumerate(zip(chunk, prepared)):
            yield (f, page, None, errors[n]) if x is None else (f, page, next(tops), None)


def run(args) -> int:
    from ..calibration import UNSURE_BELOW
    from ..recognizer import answer_json

    files, rec = checked_inputs(args, documents=True)
    failed = done = 0
    if not args.json:
        print(f"{'file':<40} top-{args.top} ({rec.name})")
    for f, page, top, error in predict_files(rec, files, args.top, args.batch_size):
        done += 1
        failed += error is not None
        name, where = (f, {"file": f}) if page is None else (f"{f}#page={page}", {"file": f, "page": page})
        if args.json:
            obj = where | ({"error": error} if error else answer_json(top))
            print(json.dumps(obj, ensure_ascii=False), flush=True)
        elif error:  # the file is in the first column already
            print(f"{name:<40} ERROR {error.removeprefix(name + ': ')}")
        else:
            print(f"{name:<40} " + "  ".join(f"{label} {p:.3f}" for label, p in top)
                  + ("  (not sure)" if top[0][1] < UNSURE_BELOW else ""))
    sys.stdout.flush()  # the summary on stderr comes after the table
    if failed:
        print(f"{failed} of {done} image(s) failed", file=sys.stderr)
    return 1 if failed else 0
