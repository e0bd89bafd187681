"""``handpad draw digits|hangul``: the drawing pad."""
from __future__ import annotations

from ..pad.controls import WORD_HELP, help_text

DESCRIPTION = f"""\
Open the drawing pad: draw a digit or a Hangul syllable with the mouse, press space, and
see the three most likely characters (also printed, one line per prediction:
`top3: 가 0.912 | 각 0.041 | 간 0.012`).

Controls:
{help_text()}

Pick the right answer with 1/2/3 and press s to keep the drawing in your own dataset
store (--save-to); `handpad finetune --data THAT_FOLDER` then learns your hand.

Word mode (--words, or w in the window): write a line of syllables or digits on a wide
canvas; it is read after every stroke (`read: 안녕 하세요` on stdout), with a box over
each syllable and its candidates in a column below it. Keys in word mode:
{help_text(table=WORD_HELP)}
"""


def configure(parser) -> None:
    from ..pad.canvas import PEN_WIDTH

    parser.add_argument("kind", choices=("digits", "hangul"), help="what to draw")
    parser.add_argument("--model", metavar="PATH",
                        help="a .keras model file (default: the shipped model for KIND)")
    parser.add_argument("--save-to", metavar="DIR",
                        help="where s saves your drawings (default: <user data dir>/handpad/KIND-samples)")
    parser.add_argument("--live", action="store_true", help="start in live mode (predict after every stroke)")
    parser.add_argument("--pen", type=int, default=PEN_WIDTH, metavar="PX",
                        help=f"pen width in pixels (default: {PEN_WIDTH}; [ and ] change it)")
    parser.add_argument("--screenshot", metavar="PATH",
                        help="where p saves the window image (default: handpad-KIND.png)")
    parser.add_argument("--words", action="store_true",
                        help="start in word mode: write a line, read as text after every stroke (w switches)")
    parser.add_argument("--text-out", metavar="FILE",
                        help="where the word mode's c appends the text, one line per copy "
                             "(default: <user data dir>/handpad/words.txt, e.g. ~/.local/share/handpad/words.txt)")
    parser.add_argument("--only", metavar="LABEL_SPACE",
                        help="answer only with the labels of this label space inside the model's, e.g. "
                             "hangul-ksx1001 (the 2350 common syllables) with a model of all 11,172")


def check_display(kind: str) -> None:
    """On Linux and other X11/Wayland systems, fail with a clear message when there is no display
    (Qt would abort the process, exit 134). macOS and Windows always have one."""
    import os
    import sys

    from ..errors import HandpadError

    if sys.platform in ("darwin", "win32", "cygwin"):
        return
    if not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        raise HandpadError(
            "no display found (neither DISPLAY nor WAYLAND_DISPLAY is set): the drawing pad opens a window. "
            f"Run it on a desktop, or on a headless machine under a virtual display: xvfb-run handpad draw {kind}"
        )


def run(args) -> int:
    check_display(args.kind)
    from ..model import resolve_model_path
    from ..pad.app import PadApp
    from ..pad.canvas import default_store_dir

    # Fail before opening a window if the model file is missing (cheap: no TensorFlow yet).
    model = resolve_model_path(args.model or args.kind)
    save_to = args.save_to or default_store_dir(args.kind)
    app = PadApp(args.kind, model, save_to, live=args.live, pen_width=args.pen, screenshot=args.screenshot,
                 only=args.only, words=args.words, text_out=args.text_out)
    return app.run()
