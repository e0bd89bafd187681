"""The pad's keys: one table for the key handler, the window's help bar and ``--help``.

No OpenCV or TensorFlow here, so ``handpad draw --help`` stays instant.
"""
from __future__ import annotations

ESC = 27
TAB = 9

# key -> (PadApp method, arguments). One press, one action: nothing has to be held.
KEYMAP: dict[str, tuple] = {
    " ": ("predict",),
    "z": ("undo",),
    "r": ("clear",),
    "[": ("thinner",),
    "]": ("thicker",),
    "l": ("toggle_live",),
    **{str(n): ("choose", n - 1) for n in range(1, 9)},  # 4-8: the word mode's further candidates
    "s": ("save",),
    "w": ("toggle_words",),
    "c": ("copy",),
    ",": ("select_step", -1),
    ".": ("select_step", 1),
    chr(TAB): ("select_step", 1),
    "p": ("screenshot",),
    "q": ("quit",),
    chr(ESC): ("quit",),
}

# What the window and --help show, in reading order.
HELP: tuple[tuple[str, str], ...] = (
    ("left mouse", "draw"),
    ("space", "predict"),
    ("z", "undo stroke"),
    ("r", "clear"),
    ("[ ]", "pen width"),
    ("l", "live mode"),
    ("1 2 3", "pick the right answer"),
    ("s", "save it"),
    ("w", "word mode"),
    ("p", "screenshot"),
    ("q / Esc", "quit"),
)

# The word mode's keys (handpad draw --words, or w): a line of syllables or digits, read after each stroke.
WORD_HELP: tuple[tuple[str, str], ...] = (
    ("left mouse", "write a line"),
    ("click below a syllable (or right-click it)", "next candidate"),
    (", .", "select a syllable"),
    ("1-8", "pick its candidate"),
    ("c", "copy the text"),
    ("s", "save its syllables"),
    ("z", "undo stroke"),
    ("r", "clear"),
    ("[ ]", "pen width"),
    ("w", "one-syllable pad"),
    ("p", "screenshot"),
    ("q / Esc", "quit"),
)


def action_for(code: int) -> tuple | None:
    """cv2.waitKey code -> (method, args...) or None. Letters work with Shift/Caps Lock too."""
    if code is None or not 0 <= code < 256:
        return None  # -1: no key; larger codes are arrows, F-keys, ...
    return KEYMAP.get(chr(code).lower())


def help_text(width: int = 78, table=HELP) -> str:
    """The controls as wrapped lines, e.g. for ``--help`` (``table``: HELP or WORD_HELP)."""
    lines, line = [], ""
    for keys, what in table:
        item = f"{keys}: {what}"
        if line and len(line) + 3 + len(item) > width:
            lines.append(line)
            line = ""
        line = f"{line}   {item}" if line else item
    return "\n".join(lines + [line])
