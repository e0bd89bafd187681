"""The pad's keys: one table for the key handler, the window's help bar and ``--help``.

No OpenCV or TensorFlow here, so ``handpad draw --help`` stays instant.
"""
from __future__ import annotations

ESC = 27

# key -> (PadApp method, arguments). One press, one action: nothing has to be held.
KEYMAP: dict[str, tuple] = {
    " ": ("predict",),
    "z": ("undo",),
    "r": ("clear",),
    "[": ("thinner",),
    "]": ("thicker",),
    "l": ("toggle_live",),
    "1": ("choose", 0),
    "2": ("choose", 1),
    "3": ("choose", 2),
    "s": ("save",),
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
    ("s", "save it to your samples"),
    ("p", "screenshot"),
    ("q / Esc", "quit"),
)


def action_for(code: int) -> tuple | None:
    """cv2.waitKey code -> (method, args...) or None. Letters work with Shift/Caps Lock too."""
    if code is None or not 0 <= code < 256:
        return None  # -1: no key; larger codes are arrows, F-keys, ...
    return KEYMAP.get(chr(code).lower())


def help_text(width: int = 78) -> str:
    """The controls as wrapped lines, e.g. for ``--help``."""
    lines, line = [], ""
    for keys, what in HELP:
        item = f"{keys}: {what}"
        if line and len(line) + 3 + len(item) > width:
            lines.append(line)
            line = ""
        line = f"{line}   {item}" if line else item
    return "\n".join(lines + [line])
