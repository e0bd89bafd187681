"""``handpad read``: images of lines of handwriting (several syllables or digits) -> text.

The JSON contract (stable), one object per image:
    {"file": "a.png", "text": "안녕 하세요", "syllables": [{"box": [x0, y0, x1, y1], "label": "안",
     "top": [{"label": "안", "prob": 0.93}, ...], "unsure": false, "space_before": false, "line": 0}, ...]}
    {"file": "b.png", "error": "<what went wrong>"}
A PDF's (or a multi-page TIFF's) pages are read one by one, each object with its "page" (from 1) after "file".
The exit status is 1 if any image failed; the others are still read.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

DESCRIPTION = """\
Read image files that hold a line of handwriting: several Hangul syllables (words, with spaces)
or digits (numbers), written left to right. The ink is cut into syllables (or digits), each is
recognized by the model, and for Hangul a language prior (syllable bigrams from wordfreq's
Korean word list, and a small bonus for words the list holds) picks the most likely text among
each box's 32 best candidates (--top lists fewer; the one the text uses is always listed). An
image of several lines (a photo of a page) is read line by line, where empty rows separate them
(a list of short words too: each line reads as whole syllables): one output line per line of
text, each after its file's name.
Photos are taken as they come: held upright (their EXIF orientation is followed), a sheet lying
on a darker desk, lit unevenly, grainy or dusty,
turned up to 15 degrees, on ruled or grid paper, in a row of boxes (원고지, a form's boxes:
one character to a box) or in one box (a form's field); the printed lines are taken away
first, and so is a line drawn by hand under the writing (underlined). Full stops, commas,
question and exclamation marks among Hangul syllables are read as ".", ",", "?" and "!", a
number's decimal point and thousands' commas as "." and "," with no space after them (3.14,
15,000), a hyphen between characters
(010-1234-5678, 2026-12-07, 서울-부산) and a minus sign before a number (-42) as "-", and a
colon (12:30, 이름: 홍길동) as ":".

With --json, one JSON object per image ("text" holds a newline between lines; "line" says which
line a syllable is on, 0 = the first):
  {"file": "a.png", "text": "안녕 하세요", "syllables": [{"box": [x0, y0, x1, y1], "label": "안",
   "top": [{"label": "안", "prob": 0.93}, ...], "unsure": false, "space_before": false, "line": 0}, ...]}
  {"file": "b.png", "error": "b.png: nothing drawn: the image has no ink (draw something first)"}
A PDF (a scanner app's document) or a TIFF of several pages is read page by page:
"scan.pdf#page=2" before each line of text, and "page": 2 after "file" in its JSON objects;
given so ("scan.pdf#page=2"), that page alone is read.
The exit status is 1 if any image or page failed (the others are still read).

examples:
  handpad read word.png
  handpad read page.jpg                      # a photo of a page: each line of text after the file's name
  handpad read scan.pdf                      # a scanner app's PDF: each page's lines after "scan.pdf#page=N"
  handpad read --model digits --json numbers/ > numbers.jsonl
  handpad read --no-prior --top 5 word.png
  handpad read --verifier none word.png      # cut by shapes and the recognizer alone
"""


def configure(p) -> None:
    p.add_argument("files", nargs="+", metavar="FILE_OR_DIR", help="image files, PDF documents, or folders of them")
    p.add_argument("--model", default="hangul", help="hangul, digits, or a path to a .keras model (default hangul)")
    p.add_argument("--top", type=int, default=3, metavar="K", help="candidates listed per syllable (default 3)")
    p.add_argument("--json", action="store_true", help="print JSON lines (the stable contract) instead of text")
    p.add_argument("--no-prior", action="store_true", help="Hangul: take each box's best candidate, no language prior")
    p.add_argument("--verifier", default="shipped", metavar="PATH",
                   help="the box verifier that helps to cut tight writing: 'shipped' (default; the one of the "
                   "model's kind, where there is one), a .keras file, or 'none'")
    p.add_argument("--only", metavar="LABEL_SPACE",
                   help="answer only with the labels of this label space, e.g. hangul-ksx1001 (the 2350 common syllables)")


def run(args) -> int:
    from ..errors import HandpadError
    from ..reading import TOP_K
    from ..sources.images import read_image
    from .predict import checked_inputs, images_of

    from ..reading import resolve_verifier

    files, rec = checked_inputs(args, documents=True)
    prior = False if args.no_prior else None
    verifier = resolve_verifier(args.verifier, rec.label_space.kind)
    failed = done = 0

    def report(f: str, page: int | None, reading=None, error: HandpadError | None = None) -> None:
        name = f if page is None else f"{f}#page={page}"  # a PDF's page: "scan.pdf#page=2", as viewers name it
        where = {"file": f} | ({} if page is None else {"page": page})
        if error is not None:
            msg = str(error) if f in str(error) else f"{name}: {error}"
            print(json.dumps(where | {"error": msg}, ensure_ascii=False) if args.json else f"{name}\tERROR {msg}",
                  flush=True)
        elif args.json:
            print(json.dumps(where | reading.to_json(f, args.top), ensure_ascii=False), flush=True)
        else:
            for line in reading.lines:
                print(f"{name}\t{line}", flush=True)

    for f, page, image, error in images_of(files):  # a document's pages (a PDF, a TIFF of pages) each alone
        done += 1
        try:
            if error is not None:  # a document that cannot be opened, a page that cannot be drawn
                raise error
            if image is None:
                if not Path(f).exists():
                    raise HandpadError(f"{f}: no such file or folder")
                image = read_image(f)
            reading = rec.read(image, k=max(args.top, TOP_K), prior=prior, verifier=verifier)
        except HandpadError as e:  # this image or page; the others are still read
            failed += 1
            report(f, page, error=e)
        else:
            report(f, page, reading)
    if failed:
        print(f"{failed} of {done} image(s) failed", file=sys.stderr)
    return 1 if failed else 0
