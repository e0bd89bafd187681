"""``handpad synth``: synthesize Hangul training data from fonts."""
from __future__ import annotations

import argparse
import sys

from .._words import counted
from ..preprocess import INPUT_SIZE

DESCRIPTION = """\
Synthesize Hangul training data from fonts, as PHD08 did with scans and IBM's
tensorflow-hangul-recognition did with fonts, plus what a mouse drawing looks like.

  handpad synth fonts     list the font faces found, whether they cover all 2350
                          syllables, and which are handwriting-style
  handpad synth hangul    render every syllable from every face into a dataset store
  handpad synth fetch-fonts   download the pinned Korean fonts of the npm registry into
                          the fonts cache (an explicit step; then they are default fonts too)
  handpad synth words     lines of common Korean words and phrases written with a face
                          (pen or careless), with the text and a box per syllable
  handpad synth numbers   lines of 3-8 held-out MNIST digits (pen-redrawn or scanned)

Three kinds of samples (--mix):
  designed  the font's glyph with PHD08's variation grid (3 sizes x 3 noise levels x 3 scan
            resolutions x 3 binarization thresholds x 3 rotations -3/0/+3 degrees), plus
            elastic distortion and thinner/bolder strokes
  pen       the glyph thinned to its skeleton and redrawn with a round pen of constant random
            width, at a random size and place on the pad's 400x400 canvas
  hand      the skeleton taken apart into strokes and written as a person writes with a mouse
            on the pad: jamo drift apart or together, strokes bend, slant and squeeze, mouse-rate
            strokes with the pad's pens, hooks and overshoots, rounded or square corners, short
            strokes of varied length (--hand-style normal, or careless for a test set)
Every sample then goes through the same preprocessing as a drawing (60x60, ink bright).

Default fonts: the Korean fonts of the Debian packages fonts-nanum, fonts-nanum-extra,
fonts-nanum-eco, fonts-unfonts-core, fonts-unfonts-extra, fonts-baekmuk, fonts-noto-cjk,
fonts-alee, fonts-lexi-gulim, fonts-lexi-saebom and fonts-woowa-bm (under /usr/share/fonts),
and the fonts fetched with `handpad synth fetch-fonts` ($HANDPAD_FONTS, else
~/.cache/handpad/fonts). The same design from two sources counts once (Debian's is kept).
The reserved families (Gaegu, Poor Story, Hi Melody, Gamja Flower, Single Day, East Sea
Dokdo, Cute Font, Stylish) are kept for independent evaluation: never fetched or used.

Examples:
  handpad synth fonts
  handpad synth hangul --out data/hangul-train --per-font 2 --mix designed=1,pen=1 \\
      --exclude 'NanumPenScript-*' 'NanumBrushScript-*' 'UnPen-*'
  handpad synth hangul --out data/heldout-pen --only 'NanumPenScript-*' --per-font 1 --mix pen=1
  handpad synth hangul --out /tmp/small --syllables 가나다라 --fonts my_font.ttf fonts_dir/
  handpad synth hangul --out /tmp/s300 --num-syllables 300 --seed 1 --format phd08
  handpad synth hangul --out data/heldout-careless --only 'NanumPenScript-*' --per-font 1 \\
      --mix hand=1 --hand-style careless --seed 1
"""

HANGUL_DESCRIPTION = """\
Render the 2350 KS X 1001 syllables (or --syllables / --num-syllables of them) from every
font face that covers them all, --per-font samples per face and syllable, into a dataset
store (classes: always the full 2350 list, so every Hangul store shares label indices).

Deterministic: the same --seed and options give the same store, whatever --workers is.
Resumable: work is committed per unit (face, chunk of syllables); after Ctrl-C or a full
disk the store is valid, and re-running the same command continues it.

Examples:
  handpad synth hangul --out data/hangul-train --exclude 'NanumPenScript-*' 'UnPilgi-*'
  handpad synth hangul --out data/heldout --only 'NanumPenScript-*' --per-font 1 --mix pen=1
  handpad synth hangul --out /tmp/abc --syllables 가나다 --format phd08   # + PHD08 text files
"""


FETCH_DESCRIPTION = """\
Download the pinned Korean fonts of the npm registry (@expo-google-fonts TTFs, @fontsource
woff2 pieces merged into one TTF; all SIL Open Font License 1.1) straight from the registry
(no Node needed), check each tarball against its pinned sha512 integrity, and put the fonts
into the fonts cache, one folder per package with its license and SOURCE.json. Packages
already there are skipped; a failed one is named and the others go on (exit status 1).
From then on `handpad synth fonts` and `handpad synth hangul` use them by default, next to
Debian's (a design that Debian has too is used once, from Debian).

The reserved families (Gaegu, Poor Story, Hi Melody, Gamja Flower, Single Day, East Sea
Dokdo, Cute Font, Stylish) are kept for the project's independent evaluation: refused here
by name and never used for training, validation or tuning.

Examples:
  handpad synth fetch-fonts                       # everything, into ~/.cache/handpad/fonts
  handpad synth fetch-fonts --list                # the catalog: versions, licenses, what is fetched
  handpad synth fetch-fonts --only dokdo @fontsource/hahmlet --dest /tmp/fonts
"""


def _add_font_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--fonts", nargs="+", metavar="FILE_OR_DIR",
                   help="font files (.ttf .otf .ttc) or folders (searched recursively); default: the Debian Korean font "
                   "folders and the fetched fonts (handpad synth fetch-fonts)")
    p.add_argument("--only", nargs="+", metavar="PATTERN",
                   help="keep only the designs of the faces whose id (or design id) matches a glob (e.g. 'Nanum*' "
                   "'Dokdo-Regular'); a face brings every weight of its design")
    p.add_argument("--exclude", nargs="+", metavar="PATTERN",
                   help="drop the designs of the faces whose id (or design id) matches a glob (held-out fonts: "
                   "--exclude NanumGothic-Regular drops every NanumGothic weight)")


LINES_NOTE = """\
Each line: characters scaled to a size around the line's height (+-15%), a drifting baseline
(up to ~15% of the height), gaps between characters' ink of 0.15-0.4 x the height (normal;
digits 0.1-0.35) or -0.02-0.1 (tight: they may touch; digits -0.02-0.08), 0.6-1.2 between the
words of a phrase, one pen per line. The set: NNNNN.png, lines.jsonl (per line: file, text,
boxes [x0, y0, x1, y1] per non-space character, strokes, face, style, spacing) and
manifest.json; read it with handpad.sources.lines.read_lines. Deterministic for a --seed
(line i depends only on the seed and i: the same seed gives the same words or numbers in
every style).
"""

WORDS_DESCRIPTION = """\
Write lines of common Korean words (and, --phrases of the time, phrases of 2-3 words) of
--syllables syllables with font faces: line i is written by face i mod the number of faces,
as a pen drawing of the glyph's skeleton (--style pen, as the held-out pen-drawn syllables)
or by a careless hand with a mouse (--style careless; --style casual: a hand that also joins
strokes and forms each jamo its own way, as hard to read as the casual held-out designs).
Words come from the shipped frequency list (handpad.prior.common_words / common_phrases): a
length is drawn uniformly, then a word of that length; a word the face cannot draw is
replaced by another.

""" + LINES_NOTE + """
Examples:
  handpad synth words --out data/words-pen --only NanumPenScript-Regular UnPen-Regular \\
      --style pen --spacing mixed --count 600 --seed 1
  handpad synth words --out /tmp/tight --fonts /usr/share/fonts/truetype/nanum/NanumPen.ttf \\
      --style careless --spacing tight --count 20 --syllables 3-4 --phrases 0
"""

NUMBERS_DESCRIPTION = """\
Write numbers of --digits digits from a digits dataset store (default data/mnist): the
digits come from the --split part (test or val; train only to train the box verifier of
models/train_verifier.py, never to measure) of the stratified split `handpad train` makes
with --val-fraction, --test-fraction and --split-seed (as `handpad evaluate --subset`
picks it), redrawn with a round pen through their skeleton (--style pen) or placed as
they are (--style scanned: no strokes). The pen gets a hand's wobble, slant and squeeze as the
Hangul pen-drawn sets do; --no-jitter leaves only the pen, size and place, as the digits' own
pen-drawn test set is defined (`handpad convert pen --no-jitter`).

""" + LINES_NOTE + """
Examples:
  handpad synth numbers --out data/numbers-pen --split test --style pen --count 500 --seed 1
  handpad synth numbers --out data/numbers-val-pen --split val --style pen --count 300 --seed 2
  handpad synth numbers --out data/numbers-plain --split test --style pen --no-jitter --count 500 --seed 1
"""


def _add_line_args(p: argparse.ArgumentParser, lengths: str, what: str) -> None:
    p.add_argument("--out", required=True, metavar="DIR", help="folder of the line set to write")
    p.add_argument("--spacing", choices=("normal", "tight", "mixed"), default="mixed",
                   help="gaps between characters: normal, tight (may touch), or mixed (each line one of them); default mixed")
    p.add_argument("--count", type=int, default=100, metavar="N", help="lines to write (default 100)")
    p.add_argument(f"--{what}", default=lengths, metavar="MIN-MAX", help=f"{what} per line (default {lengths})")
    p.add_argument("--seed", type=int, default=0, help="random seed (default 0); same seed, same set")
    p.add_argument("--overwrite", action="store_true", help="replace the set in a non-empty --out folder")
    p.add_argument("--quiet", action="store_true", help="no progress bar")


def configure(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="synth_command", metavar="WHAT")
    fonts = sub.add_parser("fonts", help="list font faces, coverage and handwriting flag",
                           description="List the font faces found, which cover all 2350 syllables, their design and "
                           "source (debian, npm PACKAGE@VERSION, file), which are handwriting-style, and every file or face "
                           "skipped with the reason (reserved, unreadable, coverage, duplicate design...).\n\nExamples:\n"
                           "  handpad synth fonts --only 'Un*'\n  handpad synth fonts --space hangul-11172 --similar 10",
                           formatter_class=argparse.RawDescriptionHelpFormatter)
    _add_font_args(fonts)
    fonts.add_argument("--ids", action="store_true", help="print only the face ids, one per line")
    fonts.add_argument("--space", choices=("hangul-ksx1001", "hangul-11172"), default="hangul-ksx1001",
                       help="the syllables every face must cover: the 2350 of KS X 1001 (default) or all 11,172")
    fonts.add_argument("--similar", type=int, metavar="N",
                       help="also print the N most alike pairs of faces of different designs (glyph similarity; "
                       "0.85 and the same weight make a duplicate design)")
    fonts.set_defaults(_synth=_run_fonts)

    fetch = sub.add_parser("fetch-fonts", help="download the pinned Korean fonts of the npm registry",
                           description=FETCH_DESCRIPTION, formatter_class=argparse.RawDescriptionHelpFormatter)
    fetch.add_argument("--dest", metavar="DIR", help="fonts cache folder (default: $HANDPAD_FONTS, else "
                       "$XDG_CACHE_HOME/handpad/fonts, i.e. ~/.cache/handpad/fonts); discovery looks only in the default")
    fetch.add_argument("--only", nargs="+", metavar="NAME", help="only these packages (name, package or family: "
                       "dokdo, @expo-google-fonts/dokdo, 'Song Myung')")
    fetch.add_argument("--list", action="store_true", help="list the catalog (versions, licenses, files) and what is fetched; download nothing")
    fetch.add_argument("--quiet", action="store_true", help="no progress bar")
    fetch.set_defaults(_synth=_run_fetch)

    h = sub.add_parser("hangul", help="synthesize a Hangul dataset store from fonts", description=HANGUL_DESCRIPTION,
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    h.add_argument("--out", required=True, metavar="STORE", help="dataset store folder to create or continue")
    _add_font_args(h)
    h.add_argument("--per-font", type=int, default=2, metavar="N", help="samples per face and syllable (default 2)")
    h.add_argument("--mix", default="designed=1,pen=1", metavar="KIND=W,...",
                   help="share of each kind: designed (PHD08-style font rendering), pen (skeleton redrawn with a "
                   "round pen) and hand (written as with a mouse on the pad); default designed=1,pen=1, "
                   "e.g. designed=1,pen=1,hand=2")
    h.add_argument("--hand-style", default="normal", choices=("normal", "careless", "cursive", "casual"),
                   help="how the hand kind writes: normal (training), or careless (stronger jamo drift, bends, "
                   "slant and squeeze, thicker and thinner pens: for a careless-hand test set), or cursive (careless, and the "
                   "pen runs on from one stroke to the next: training), or casual (cursive, and every jamo formed its own "
                   "way: its own squeeze, slant and bend; training); default normal")
    h.add_argument("--mix-designs", type=float, default=0.0, metavar="P",
                   help="share of the hand samples written with some jamo of another design: the same syllable by "
                   "another face of the run, its pieces (≈ jamo) fitted into this face's layout one by one (a hand "
                   "that writes ㅈ one way and ㅏ another; training); default 0")
    h.add_argument("--pen-jitter", type=float, default=1.0, metavar="F",
                   help="scale of the pen samples' hand-like wobble, slant and squeeze (default 1; 0: none; 2: twice)")
    h.add_argument("--size", type=int, default=INPUT_SIZE, metavar="PX",
                   help=f"side of the stored images, the input of a model trained on them (default {INPUT_SIZE}; e.g. 80 "
                   "for finer detail at ~1.6x the training time per sample)")
    h.add_argument("--syllables", metavar="TEXT", help="only these syllables, e.g. 가나다 (default: all 2350)")
    h.add_argument("--num-syllables", type=int, metavar="K", help="a random K of the syllables (chosen with --seed)")
    h.add_argument("--label-space", default="hangul-ksx1001", choices=("hangul-ksx1001", "hangul-11172", "digits"),
                   help="the store's syllables: the 2350 of KS X 1001 (default) or all 11,172 (fonts must cover "
                        "the syllables asked for); digits: the faces' 0-9, preprocessed as the digits model's "
                        "input (centred by mass), more hands for a digits model")
    h.add_argument("--leave-out", nargs="+", metavar="SPACE_STORE_OR_LIST",
                   help="leave out the syllables of these label spaces, dataset stores or syllable lists (text "
                        "files), e.g. --label-space hangul-11172 --leave-out hangul-ksx1001 for the 8,822 rarer "
                        "syllables only; add a test store to keep its syllables out of training, and "
                        "models/hangul-refit-syllables.txt to keep the shipped model's out of a validation set")
    h.add_argument("--seed", type=int, default=0, help="random seed (default 0); same seed, same store")
    h.add_argument("--workers", type=int, default=2, help="worker processes (default 2)")
    h.add_argument("--format", choices=("store", "phd08"), default="store",
                   help="phd08: also write PHD08-format text files (<syllable>.txt) for tools made for PHD08")
    h.add_argument("--phd08-out", metavar="DIR", help="folder for --format phd08 (default: STORE/phd08)")
    h.add_argument("--overwrite", action="store_true", help="start the store afresh instead of continuing it")
    h.add_argument("--quiet", action="store_true", help="no progress bar")
    h.set_defaults(_synth=_run_hangul)

    w = sub.add_parser("words", help="lines of common words written with font faces (test data for reading)",
                       description=WORDS_DESCRIPTION, formatter_class=argparse.RawDescriptionHelpFormatter)
    _add_font_args(w)
    w.add_argument("--style", choices=("pen", "careless", "casual"), default="pen",
                   help="pen: the glyph's skeleton redrawn with a round pen; careless: written by a careless hand with a mouse; "
                        "casual: a careless hand that also joins strokes and forms each jamo its own way (harder)")
    _add_line_args(w, "2-6", "syllables")
    w.add_argument("--phrases", type=float, default=0.2, metavar="P",
                   help="share of lines that are phrases of 2-3 words (default 0.2)")
    w.set_defaults(_synth=_run_words)

    nb = sub.add_parser("numbers", help="lines of held-out MNIST digits (test data for reading numbers)",
                        description=NUMBERS_DESCRIPTION, formatter_class=argparse.RawDescriptionHelpFormatter)
    nb.add_argument("--store", default="data/mnist", metavar="STORE", help="digits dataset store (default data/mnist)")
    nb.add_argument("--split", choices=("test", "val", "train"), default="test",
                    help="which part of the store (default test; train: lines to train a verifier on)")
    nb.add_argument("--val-fraction", type=float, default=0.1, help="the split's validation share (default 0.1)")
    nb.add_argument("--test-fraction", type=float, default=0.2, help="the split's test share (default 0.2)")
    nb.add_argument("--split-seed", type=int, default=0, help="the split's seed (default 0)")
    nb.add_argument("--style", choices=("pen", "scanned"), default="pen",
                    help="pen: redrawn with a round pen through the digit's skeleton; scanned: the digit image itself")
    nb.add_argument("--no-jitter", action="store_true",
                    help="pen: no wobble, slant or squeeze, only the pen, size and place (as `convert pen --no-jitter`)")
    _add_line_args(nb, "3-8", "digits")
    nb.set_defaults(_synth=_run_numbers)
    parser.set_defaults(_synth_parser=parser)


def run(args) -> int:
    if not getattr(args, "_synth", None):
        args._synth_parser.print_help()
        return 2
    return args._synth(args)


def _run_fonts(args) -> int:
    from ..labels import label_space
    from ..synth.fonts import describe, resolve_fonts

    faces, problems = resolve_fonts(args.fonts, args.only, args.exclude, label_space(args.space).labels)
    if args.ids:
        print("\n".join(f.id for f in faces))
    else:
        print(describe(faces, problems))
    if args.similar:
        from ..synth.fonts import similar_pairs

        print(f"the {args.similar} most alike pairs of different designs (mean glyph IoU):")
        for score, a, b in similar_pairs(faces, args.similar):
            print(f"  {score:.3f}  {a.id}  {b.id}")
    return 0


def _run_fetch(args) -> int:
    from ..synth.fetch import describe_catalog, fetch_fonts, select

    if args.list:
        select(args.only)  # a reserved or unknown name is an error here too
        print(describe_catalog(args.dest))
        return 0
    results = fetch_fonts(args.dest, args.only, progress=not args.quiet)
    for r in results:
        print(r, file=sys.stderr if r.status == "failed" else sys.stdout)
    failed = [r for r in results if r.status == "failed"]
    done = len(results) - len(failed)
    print(f"{counted(done, 'package')} in place, {len(failed)} failed", file=sys.stderr)
    return 1 if failed else 0


def _run_hangul(args) -> int:
    from pathlib import Path

    from ..errors import HandpadError
    from ..synth.fonts import describe, resolve_fonts
    from ..synth.generate import SynthOptions, choose_syllables, count_samples, synthesize

    if args.workers < 1:
        raise HandpadError("--workers must be >= 1")
    if args.format == "phd08" and args.label_space == "digits":
        raise HandpadError("--format phd08 holds Hangul syllables only, not --label-space digits")
    syllables = None
    if args.syllables or args.num_syllables or args.leave_out:
        syllables = choose_syllables(args.syllables, args.num_syllables, args.seed, args.label_space, args.leave_out)
    options = SynthOptions(per_font=args.per_font, mix=args.mix, seed=args.seed, syllables=syllables,
                           pen_jitter=args.pen_jitter, hand_style=args.hand_style, label_space=args.label_space,
                           mix_designs=args.mix_designs, size=args.size)
    faces, problems = resolve_fonts(args.fonts, args.only, args.exclude, options.syllable_list)
    print(describe(faces, problems), file=sys.stderr)
    print(f"synthesizing {counted(count_samples(faces, options), 'sample')}: {len(faces)} face(s) x {len(options.syllable_list)} "
          f"syllable(s) x {options.per_font}, mix {options.mix}, seed {options.seed}, {args.workers} worker(s) -> {args.out}",
          file=sys.stderr)
    phd08_dir = None
    if args.format == "phd08":
        phd08_dir = Path(args.phd08_out) if args.phd08_out else Path(args.out) / "phd08"
        phd08_dir.mkdir(parents=True, exist_ok=True)
    report = synthesize(faces, args.out, options, workers=args.workers, phd08_dir=phd08_dir,
                        overwrite=args.overwrite, progress=not args.quiet)
    print(report.summary(), file=sys.stderr)
    return 0  # (face, syllable) pairs that failed are reported above; the store is complete without them


def _run_words(args) -> int:
    from ..synth.fonts import describe, resolve_fonts
    from ..synth.lines import LineSetOptions, hangul_records, parse_range, write_line_set

    lengths = parse_range(args.syllables, "--syllables", 1, 12)
    faces, problems = resolve_fonts(args.fonts, args.only, args.exclude)
    print(describe(faces, problems), file=sys.stderr)
    options = LineSetOptions("hangul", args.style, args.spacing, args.count, args.seed, lengths, args.phrases,
                             extra={"faces": [f.id for f in faces]})
    report = write_line_set(args.out, hangul_records(faces, options), options, args.overwrite, progress=not args.quiet)
    print(report.summary(), file=sys.stderr)
    return 0


def _run_numbers(args) -> int:
    from ..errors import HandpadError
    from ..synth.lines import LineSetOptions, digit_records, digit_split, parse_range, write_line_set
    from ..synth.pen import DEFAULT_PEN, PLAIN_PEN

    if args.no_jitter and args.style != "pen":
        raise HandpadError("--no-jitter is for --style pen (scanned digits are not redrawn)")
    lengths = parse_range(args.digits, "--digits", 1, 64)
    store, indices = digit_split(args.store, args.split, args.val_fraction, args.test_fraction, args.split_seed)
    options = LineSetOptions("digits", args.style, args.spacing, args.count, args.seed, lengths,
                             extra={"store": str(args.store), "split": args.split, "val_fraction": args.val_fraction,
                                    "test_fraction": args.test_fraction, "split_seed": args.split_seed,
                                    "split_size": int(len(indices))} | ({"jitter": False} if args.no_jitter else {}))
    print(f"numbers from {len(indices)} digits of the {args.split} split of {args.store}", file=sys.stderr)
    report = write_line_set(args.out, digit_records(store.images, store.labels, indices, options,
                                                       PLAIN_PEN if args.no_jitter else DEFAULT_PEN), options,
                            args.overwrite, progress=not args.quiet)
    print(report.summary(), file=sys.stderr)
    return 0
