"""Font discovery: which font faces can render all 2350 KS X 1001 syllables.

Pipeline: paths (files or folders; default: the folders of the Debian Korean font packages)
-> font files (.ttf .otf .ttc .otc, folders searched recursively) -> faces (a .ttc holds
several) -> checks -> faces, plus a list of problems naming each file that was skipped:

* not readable / not a font / corrupt (fontTools or FreeType cannot open it),
* lacks syllables (checked in the face's cmap; a syllable mapped to .notdef is missing),
* renders no ink (a few syllables are rendered with Pillow as a smoke test),
* duplicate: the same file twice (NanumGothicEco.ttf and NanumGothicEcoR.ttf are one file),
  or faces of one collection sharing their Hangul glyphs (Noto CJK's JP/SC/TC/HK and Mono
  faces draw Hangul with the KR face's glyphs: only the KR face is kept).

Each face gets a stable id, ``Family-Style`` without spaces (e.g. ``NanumPenScript-Regular``),
used by ``--only``/``--exclude`` (globs, case-insensitive), in store keys and in reports,
and a ``handwriting`` flag (by name, see HANDWRITING) for held-out evaluation splits.
"""
from __future__ import annotations

import fnmatch
import hashlib
import logging
import re
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Iterable, Sequence

from ..errors import HandpadError
from ..labels import hangul_syllables

FONT_ROOT = Path("/usr/share/fonts")
# Debian package -> folder it installs its fonts into (under /usr/share/fonts).
DEBIAN_PACKAGES = {
    "fonts-nanum": "truetype/nanum",
    "fonts-nanum-extra": "truetype/nanum",
    "fonts-nanum-eco": "truetype/nanum",
    "fonts-unfonts-core": "truetype/unfonts-core",
    "fonts-unfonts-extra": "truetype/unfonts-extra",
    "fonts-baekmuk": "truetype/baekmuk",
    "fonts-noto-cjk": "opentype/noto",
    "fonts-alee": "truetype/alee",
    "fonts-lexi-gulim": "truetype/lexi",
    "fonts-lexi-saebom": "truetype/lexi",
    "fonts-woowa-bm": "truetype/woowa-bm",
}
FONT_SUFFIXES = (".ttf", ".otf", ".ttc", ".otc")

# Handwriting-style faces (globs on the face id, case-insensitive): pen, brush and script
# faces (Nanum Pen/Brush Script, Nanum Barun Pen, Un Pen, Un Penheulim), Un Pilgi/Pilgia
# ("handwriting"), Un Gungseo (brush calligraphy), Alee's Eunjin faces, and the two
# hand-lettered Woowa faces. The Un Jamo faces are designed type, not handwriting.
HANDWRITING = (
    "*Pen*", "*Brush*", "*Script*", "*Pilgi*", "UnGungseo-*", "Eunjin*", "BMKIRANGHAERANG-*", "BMYEONSUNG-*",
)
# Textured faces: dotted "Eco" faces and distressed ones; the pen kind closes them before thinning.
TEXTURED = ("*Eco-*", "BMEuljiro10yearslater-*", "BMEuljirooraeorae-*")
# Skipped by default (still usable with --fonts FILE): their strokes are broken into specks,
# so neither a binarized scan nor a skeleton of them looks like the character.
DEFAULT_SKIP = {"BMEuljirooraeorae-Regular": "distressed texture: strokes break into specks (pass the file with --fonts to use it)"}


@dataclass(frozen=True)
class FontFace:
    """One usable font face."""

    id: str  # Family-Style, e.g. NanumPenScript-Regular
    path: str
    index: int  # face index inside a .ttc (0 for .ttf/.otf)
    family: str
    style: str
    handwriting: bool
    textured: bool

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class FontProblem:
    """A font file (or face) that was skipped, and why."""

    path: str
    index: int | None
    reason: str
    kind: str  # "unreadable", "coverage", "render", "duplicate", "skipped"

    def __str__(self) -> str:
        where = self.path + (f" (face {self.index})" if self.index is not None else "")
        return f"{where}: {self.reason}"


def default_font_dirs(root: Path = FONT_ROOT) -> list[Path]:
    """The Debian Korean font folders that exist, in a fixed order."""
    seen: list[Path] = []
    for sub in DEBIAN_PACKAGES.values():
        d = root / sub
        if d not in seen and d.is_dir():
            seen.append(d)
    return seen


def font_files(paths: Iterable) -> list[Path]:
    """Expand folders (recursively) into font files, sorted; files are kept as given.

    A folder without any font file, or a path that does not exist, is an error.
    """
    files: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            found = fonts_in(p)
            if not found:
                raise HandpadError(f"{p}: no font files ({', '.join(FONT_SUFFIXES)}) in this folder")
            files += found
        elif p.exists():
            files.append(p)
        else:
            raise HandpadError(f"{p}: no such font file or folder")
    return files


def fonts_in(folder: Path) -> list[Path]:
    """The font files in ``folder`` and its subfolders, sorted (none if it does not exist)."""
    return sorted(q for q in Path(folder).rglob("*") if q.is_file() and q.suffix.lower() in FONT_SUFFIXES)


def covers(path, chars: Sequence[str]) -> bool:
    """True if the font file's first face has a glyph for every one of ``chars`` (the check
    :func:`discover_fonts` makes, without its other checks); False for anything unreadable."""
    try:
        opened = _open_faces(Path(path))
    except Exception:  # fontTools raises many kinds of errors on junk
        return False
    try:
        cmap = opened[0][2].getBestCmap() or {}
    except Exception:
        return False
    finally:
        _close(opened)
    return all(cmap.get(ord(c), ".notdef") != ".notdef" for c in chars)


def _close(opened) -> None:
    """Close the files fontTools keeps open for lazily read fonts."""
    for _, _, font in opened:
        font.close()


def face_id(family: str, style: str) -> str:
    """``Nanum Pen Script`` + ``Regular`` -> ``NanumPenScript-Regular`` (letters, digits, _ only)."""
    clean = lambda s: re.sub(r"[^A-Za-z0-9_]", "", s or "")  # noqa: E731
    return f"{clean(family) or 'Font'}-{clean(style) or 'Regular'}"


def matches(name: str, patterns: Sequence[str] | None) -> bool:
    return any(fnmatch.fnmatchcase(name.lower(), p.lower()) for p in patterns or ())


def discover_fonts(
    paths: Iterable | None = None,
    only: Sequence[str] | None = None,
    exclude: Sequence[str] | None = None,
    syllables: Sequence[str] | None = None,
) -> tuple[list[FontFace], list[FontProblem]]:
    """Find the usable faces among ``paths`` (default: the Debian Korean font folders).

    ``only``/``exclude`` are globs on face ids (case-insensitive); ``syllables`` is what
    every face must cover (default: all 2350). Returns (faces, problems); raises
    HandpadError if there are no font files at all.
    """
    explicit = paths is not None
    dirs = list(paths) if explicit else default_font_dirs()
    if not dirs:
        raise HandpadError(
            f"no Korean fonts found: none of the Debian font folders exist under {FONT_ROOT} "
            f"(install {' '.join(sorted(DEBIAN_PACKAGES))}) and no --fonts given"
        )
    files = font_files(dirs)
    logging.getLogger("fontTools").setLevel(logging.ERROR)  # quiet about harmless table quirks
    needed = [ord(c) for c in (syllables or hangul_syllables())]
    faces: list[FontFace] = []
    problems: list[FontProblem] = []
    seen_files: dict[str, str] = {}  # content hash -> first path
    seen_glyphs: dict[tuple, str] = {}  # (file hash, glyph table, Hangul glyph names) -> face id
    ids: set[str] = set()
    for path in files:
        try:
            digest = hashlib.sha1(path.read_bytes()).hexdigest()
        except OSError as e:
            problems.append(FontProblem(str(path), None, f"cannot read file ({e.strerror or e})", "unreadable"))
            continue
        if digest in seen_files:
            problems.append(FontProblem(str(path), None, f"duplicate: same file as {seen_files[digest]}", "duplicate"))
            continue
        seen_files[digest] = str(path)
        try:
            opened = _open_faces(path)
        except Exception as e:  # fontTools raises many kinds of errors on junk
            problems.append(FontProblem(str(path), None, f"not a font or corrupt font file ({_why(e)})", "unreadable"))
            continue
        faces += _keep_faces(path, opened, digest, needed, ids, seen_glyphs, problems, explicit)
        _close(opened)
    faces = [f for f in faces if (not only or matches(f.id, only)) and not matches(f.id, exclude)]
    faces.sort(key=lambda f: f.id)
    return faces, problems


def _keep_faces(path, opened, digest, needed, ids, seen_glyphs, problems, explicit: bool) -> list[FontFace]:
    """The usable faces of one opened font file; the others are told in ``problems``."""
    faces = []
    # In a collection, prefer the Korean face as the one that names shared glyphs.
    order = sorted(range(len(opened)), key=lambda i: (0 if "KR" in opened[i][0] and "Mono" not in opened[i][0] else 1, i))
    collection = len(opened) > 1 or path.suffix.lower() in (".ttc", ".otc")
    for i in order:
        family, style, font = opened[i]
        index = i
        where = index if collection else None  # for messages
        fid = face_id(family, style)
        if fid in ids:
            fid = f"{fid}-{re.sub(r'[^A-Za-z0-9_]', '', path.stem)}"
        try:
            cmap = font.getBestCmap() or {}
            missing = [n for n in needed if cmap.get(n, ".notdef") == ".notdef"]
            glyph_key = (digest, _glyph_table_offset(font), hash(tuple(cmap.get(n) for n in needed)))
        except Exception as e:
            problems.append(FontProblem(str(path), where, f"corrupt font: cannot read its character map ({_why(e)})", "unreadable"))
            continue
        if missing:
            sample = "".join(chr(n) for n in missing[:10])
            problems.append(FontProblem(
                str(path), where,
                f"{fid} lacks {len(missing)} of the {len(needed)} syllables (e.g. {sample}); skipped", "coverage",
            ))
            continue
        if len(opened) > 1 and glyph_key in seen_glyphs:
            problems.append(FontProblem(str(path), where, f"{fid}: same Hangul glyphs as {seen_glyphs[glyph_key]}; skipped", "duplicate"))
            continue
        error = _render_probe(path, index, [chr(n) for n in (needed[0], needed[len(needed) // 2], needed[-1])])
        if error:
            problems.append(FontProblem(str(path), where, f"{fid}: {error}; skipped", "render"))
            continue
        if not explicit and fid in DEFAULT_SKIP:
            problems.append(FontProblem(str(path), where, f"{fid}: {DEFAULT_SKIP[fid]}", "skipped"))
            continue
        seen_glyphs[glyph_key] = fid
        ids.add(fid)
        faces.append(FontFace(fid, str(path), index, family, style, matches(fid, HANDWRITING), matches(fid, TEXTURED)))
    return faces


def resolve_fonts(paths=None, only=None, exclude=None, syllables=None) -> tuple[list[FontFace], list[FontProblem]]:
    """:func:`discover_fonts`, but no usable face at all is an error that lists the problems."""
    faces, problems = discover_fonts(paths, only, exclude, syllables)
    if not faces:
        detail = "\n".join(f"  {p}" for p in problems[:30])
        if only or exclude:
            detail += f"\n  (--only {' '.join(only or []) or '-'} / --exclude {' '.join(exclude or []) or '-'} left no face)"
        raise HandpadError("no usable font face (covering all the syllables) was found:\n" + detail)
    return faces, problems


def _open_faces(path: Path) -> list[tuple[str, str, object]]:
    """(family, style, TTFont) per face of a font file; raises if it is not a font."""
    from fontTools.ttLib import TTCollection, TTFont

    with open(path, "rb") as f:
        head = f.read(4)
    if head == b"ttcf":
        fonts = list(TTCollection(str(path), lazy=True).fonts)
    else:
        fonts = [TTFont(str(path), lazy=True)]
    out = []
    for font in fonts:
        names = font["name"]
        family = names.getBestFamilyName() or path.stem
        style = names.getBestSubFamilyName() or "Regular"
        out.append((family, style, font))
    if not out:
        raise ValueError("no font face in the file")
    return out


def _glyph_table_offset(font) -> int:
    # Faces of one collection that share their outline table (same offset) share glyphs.
    tables = getattr(font.reader, "tables", {})
    for tag in ("glyf", "CFF ", "CFF2"):
        if tag in tables:
            return int(tables[tag].offset)
    return -1


def _render_probe(path: Path, index: int, chars: Sequence[str]) -> str | None:
    """Render a few syllables with Pillow (FreeType); the error message if that fails."""
    from PIL import ImageFont

    from .render import GlyphRenderer

    try:
        ImageFont.truetype(str(path), 32, index=index)
    except Exception as e:
        return f"FreeType cannot load it ({_why(e)})"
    renderer = GlyphRenderer(path, index)
    for char in chars:
        try:
            renderer.render(char, 48)
        except Exception as e:
            return f"cannot render {char} ({_why(e)})"
    return None


def _why(e: Exception) -> str:
    text = str(e).strip().splitlines()[0] if str(e).strip() else ""
    return f"{type(e).__name__}: {text}" if text else type(e).__name__


def describe(faces: Sequence[FontFace], problems: Sequence[FontProblem]) -> str:
    """Human-readable table of faces and skipped files (``handpad synth fonts``)."""
    lines = [f"{len(faces)} usable face(s) covering all syllables ({sum(f.handwriting for f in faces)} handwriting-style):"]
    width = max((len(f.id) for f in faces), default=10)
    for f in faces:
        flags = ("handwriting" if f.handwriting else "designed") + (", textured" if f.textured else "")
        idx = f" #{f.index}" if f.path.lower().endswith((".ttc", ".otc")) else ""
        lines.append(f"  {f.id:<{width}}  {flags:<22} {f.path}{idx}")
    if problems:
        lines.append(f"{len(problems)} file(s)/face(s) skipped:")
        lines += [f"  {p}" for p in problems]
    return "\n".join(lines)
