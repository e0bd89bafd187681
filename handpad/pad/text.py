"""Text for the pad's panel, drawn with Pillow: ``cv2.putText`` has no Hangul glyphs.

The font is the first that exists of: ``$HANDPAD_FONT``, NanumGothic (Debian/Ubuntu
``fonts-nanum``), then any installed font that covers Hangul (found with ``fc-list``,
else by scanning the usual font folders). Font files are found and checked by the font
discovery of the synthesis (:mod:`handpad.synth.fonts`).
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from functools import lru_cache
from pathlib import Path

from PIL import ImageFont

from ..synth.fonts import covers, fonts_in

HANGUL_PROBE = "가힣"
NANUM_GOTHIC = (
    "/usr/share/fonts/truetype/nanum/NanumGothic.ttf",  # Debian, Ubuntu (fonts-nanum)
    "/usr/share/fonts/nanum/NanumGothic.ttf",  # Fedora, Arch
    "/usr/share/fonts/naver-nanum/NanumGothic.ttf",
    "/Library/Fonts/NanumGothic.ttf",
)
FONT_DIRS = (
    "/usr/share/fonts", "/usr/local/share/fonts", "~/.local/share/fonts", "~/.fonts",
    "/Library/Fonts", "/System/Library/Fonts", "~/Library/Fonts", "C:/Windows/Fonts",
)
NO_FONT_HELP = (
    "no font with Hangul glyphs was found; install one (Debian/Ubuntu: sudo apt install fonts-nanum) "
    "or set HANDPAD_FONT=/path/to/font.ttf"
)


def covers_hangul(path) -> bool:
    """True if the font file has glyphs for Hangul syllables (unreadable files are not candidates)."""
    return covers(path, HANGUL_PROBE)


def _fc_list_hangul() -> list[str]:
    if not shutil.which("fc-list"):
        return []
    try:
        out = subprocess.run(["fc-list", ":lang=ko", "file"], capture_output=True, text=True, timeout=5).stdout
    except (OSError, subprocess.SubprocessError):
        return []
    files = sorted({line.split(":")[0].strip() for line in out.splitlines() if line.strip()})
    # Prefer plain gothic (sans) faces: they read best in a small panel.
    return sorted(files, key=lambda f: ("Gothic" not in f, "Bold" in f, f))


def _scan_font_dirs() -> list[str]:
    return [str(p) for d in FONT_DIRS for p in fonts_in(Path(d).expanduser())]


@lru_cache(maxsize=None)
def find_korean_font() -> Path | None:
    """Path to a font that covers Hangul, or None (see the module doc for the order)."""
    override = os.environ.get("HANDPAD_FONT")
    if override:
        if Path(override).is_file():
            return Path(override)
        print(f"handpad: HANDPAD_FONT={override} does not exist; looking for another font", file=sys.stderr)
    for path in NANUM_GOTHIC:
        if Path(path).is_file():
            return Path(path)
    for path in _fc_list_hangul():
        if covers_hangul(path):
            return Path(path)
    for path in _scan_font_dirs():
        if covers_hangul(path):
            return Path(path)
    return None


class Fonts:
    """Pillow fonts by pixel size, from one font file (cached: loading a font costs ~1 ms)."""

    def __init__(self, path=None):
        self.path = Path(path) if path else None

    @classmethod
    def korean(cls) -> "Fonts":
        """The Korean font, or Pillow's built-in font (no Hangul) if none: check ``has_hangul``."""
        return cls(find_korean_font())

    @property
    def has_hangul(self) -> bool:
        return self.path is not None

    @lru_cache(maxsize=32)
    def __call__(self, size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
        if self.path is None:
            try:
                return ImageFont.load_default(size)
            except TypeError:  # Pillow < 10.1: one fixed size
                return ImageFont.load_default()
        return ImageFont.truetype(str(self.path), size)
