"""Font discovery: which font faces can render all 2350 KS X 1001 syllables.

Pipeline: paths (files or folders; default: the folders of the Debian Korean font packages,
then the folder ``handpad synth fetch-fonts`` fills, see :func:`fonts_cache_dir`) -> font
files (.ttf .otf .ttc .otc, folders searched recursively, hidden folders skipped) -> faces
(a .ttc holds several) -> checks -> faces, plus a list of problems naming each file that was
skipped:

* reserved: a family of RESERVED (by the font's internal family names or by the file name),
  kept for the project's independent evaluation: refused wherever it is found, even in --fonts,
* not readable / not a font / corrupt (fontTools or FreeType cannot open it),
* lacks syllables (checked in the face's cmap; a syllable mapped to .notdef is missing),
* renders no ink (a few syllables are rendered with Pillow as a smoke test),
* duplicate: the same file twice (NanumGothicEco.ttf and NanumGothicEcoR.ttf are one file),
  faces of one collection sharing their Hangul glyphs (Noto CJK's JP/SC/TC/HK and Mono
  faces draw Hangul with the KR face's glyphs: only the KR face is kept), or a *duplicate
  design*: two faces whose rendered glyphs are the same (one design from two sources, e.g.
  Debian's NanumPen.ttf and npm's Nanum Pen Script; see :func:`similarities`). The face kept
  is Debian's, then the fetched one earliest in the catalog, then the first given.

Each face gets a stable id, ``Family-Style`` without spaces (e.g. ``NanumPenScript-Regular``),
used by ``--only``/``--exclude`` (globs, case-insensitive), in store keys and in reports;
a ``handwriting`` flag (by name, see HANDWRITING) for held-out evaluation splits; its
``source`` (debian, npm package@version, file); and a ``design`` id shared by the faces of one
design (the weights of a family, and faces whose glyphs are alike): ``--only``/``--exclude``
of a face take its whole design, so a held-out face never has a sibling in training.
"""
from __future__ import annotations

import fnmatch
import hashlib
import logging
import os
import re
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Iterable, Sequence

import numpy as np

from ..errors import HandpadError
from ..labels import hangul_syllables
from .font_catalog import CATALOG, RESERVED_REASON, name_words, reserved_family

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
# ("handwriting"), Un Gungseo (brush calligraphy), Alee's Eunjin faces, the two
# hand-lettered Woowa faces (Kirang Haerang and Yeon Sung, also as fetched from npm), and
# npm's Dokdo (marker handwriting), and Cafe24's five hand-lettered faces (npm's @noonnu). The Un Jamo faces are designed type, not handwriting; so
# are npm's casual display faces (Gugi, Jua, Do Hyeon, Dongle, Song Myung, Sunflower): their
# strokes are regular and geometric (looked at, rendered).
HANDWRITING = (
    "*Pen*", "*Brush*", "*Script*", "*Pilgi*", "UnGungseo-*", "Eunjin*", "BMKIRANGHAERANG-*", "BMYEONSUNG-*",
    "KirangHaerang-*", "YeonSung-*", "Dokdo-*",
    "Cafe24Dongdong-*", "Cafe24Oneprettynight-*", "Cafe24Shiningstar-*", "Cafe24Ssukssuk-*", "Cafe24Syongsyong-*",
)
# Textured faces: dotted "Eco" faces and distressed ones; the pen kind closes them before thinning.
TEXTURED = ("*Eco-*", "BMEuljiro10yearslater-*", "BMEuljirooraeorae-*", "BlackAndWhitePicture-*")
# Skipped by default (still usable with --fonts FILE): their strokes are broken into specks,
# or hollow, so neither a binarized scan nor a skeleton of them looks like the character.
DEFAULT_SKIP = {
    "BMEuljirooraeorae-Regular": "distressed texture: strokes break into specks (pass the file with --fonts to use it)",
    "MoiraiOne-Regular": "hollow (outlined) strokes: its skeleton draws every stroke's outline (pass the file with --fonts to use it)",
}


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
    source: str = "file"  # "debian", "npm @scope/name@version" (fetched), or "file" (given)
    design: str = ""  # shared by the faces of one design (weights of a family, look-alikes)

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class FontProblem:
    """A font file (or face) that was skipped, and why."""

    path: str
    index: int | None
    reason: str
    kind: str  # "reserved", "unreadable", "coverage", "render", "duplicate", "skipped"

    def __str__(self) -> str:
        where = self.path + (f" (face {self.index})" if self.index is not None else "")
        return f"{where}: {self.reason}"


def fonts_cache_dir() -> Path:
    """Where ``handpad synth fetch-fonts`` puts fonts, and where discovery looks for them:
    ``$HANDPAD_FONTS``, else ``$XDG_CACHE_HOME/handpad/fonts`` (``~/.cache/handpad/fonts``)."""
    if os.environ.get("HANDPAD_FONTS"):
        return Path(os.environ["HANDPAD_FONTS"]).expanduser()
    return Path(os.environ.get("XDG_CACHE_HOME") or "~/.cache").expanduser() / "handpad" / "fonts"


def default_font_dirs(root: Path | None = None, cache: Path | None = None) -> list[Path]:
    """The Debian Korean font folders that exist, in a fixed order, then the fetched fonts'
    folder (:func:`fonts_cache_dir`) if it holds any font."""
    root = FONT_ROOT if root is None else Path(root)
    seen: list[Path] = []
    for sub in DEBIAN_PACKAGES.values():
        d = root / sub
        if d not in seen and d.is_dir():
            seen.append(d)
    cache = fonts_cache_dir() if cache is None else Path(cache)
    if cache.is_dir() and fonts_in(cache):
        seen.append(cache)
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
    """The font files in ``folder`` and its subfolders, sorted (none if it does not exist).
    Hidden folders (a download in progress, the fingerprint cache) are skipped."""
    found = []
    for top, dirs, files in os.walk(folder):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        found += [Path(top) / f for f in files if Path(f).suffix.lower() in FONT_SUFFIXES]
    return sorted(found)


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
    """Find the usable faces among ``paths`` (default: the Debian Korean font folders, then the
    fetched fonts' folder).

    ``only``/``exclude`` are globs on face ids or design ids (case-insensitive) and take whole
    designs: ``--exclude NanumGothic-Regular`` drops every NanumGothic weight. ``syllables``
    is what every face must cover (default: all 2350). Returns (faces, problems); raises
    HandpadError if there are no font files at all.
    """
    explicit = paths is not None
    dirs = list(paths) if explicit else default_font_dirs()
    if not dirs:
        raise HandpadError(
            f"no Korean fonts found: none of the Debian font folders exist under {FONT_ROOT} "
            f"(install {' '.join(sorted(DEBIAN_PACKAGES))}), nothing fetched into {fonts_cache_dir()} "
            "(handpad synth fetch-fonts) and no --fonts given"
        )
    files = font_files(dirs)
    logging.getLogger("fontTools").setLevel(logging.ERROR)  # quiet about harmless table quirks
    needed = [ord(c) for c in (syllables or hangul_syllables())]
    faces: list[FontFace] = []
    problems: list[FontProblem] = []
    seen_files: dict[str, str] = {}  # content hash -> first path
    seen_glyphs: dict[tuple, str] = {}  # (file hash, glyph table, Hangul glyph names) -> face id
    ids: set[str] = set()
    prints: dict[str, Fingerprint] = {}  # face id -> its glyphs' fingerprint
    for path in sorted(files, key=_source_rank):  # Debian's first, then the catalog's order
        reserved = reserved_family(path.name)
        if reserved:
            problems.append(FontProblem(str(path), None, f"{reserved} (by its file name) is {RESERVED_REASON}", "reserved"))
            continue
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
        faces += _keep_faces(path, opened, digest, needed, ids, seen_glyphs, problems, explicit, prints)
        _close(opened)
    faces = _designs_and_duplicates(faces, prints, problems)
    chosen = lambda patterns: {f.design for f in faces if matches(f.id, patterns) or matches(f.design, patterns)}  # noqa: E731
    if only:
        keep = chosen(only)
        faces = [f for f in faces if f.design in keep]
    if exclude:
        drop = chosen(exclude)
        faces = [f for f in faces if f.design not in drop]
    faces.sort(key=lambda f: f.id)
    return faces, problems


def _keep_faces(path, opened, digest, needed, ids, seen_glyphs, problems, explicit: bool, prints) -> list[FontFace]:
    """The usable faces of one opened font file; the others are told in ``problems``."""
    faces = []
    # In a collection, prefer the Korean face as the one that names shared glyphs.
    order = sorted(range(len(opened)), key=lambda i: (0 if "KR" in opened[i][0] and "Mono" not in opened[i][0] else 1, i))
    collection = len(opened) > 1 or path.suffix.lower() in (".ttc", ".otc")
    source = font_source(path)
    for i in order:
        family, style, font = opened[i]
        index = i
        where = index if collection else None  # for messages
        fid = face_id(family, style)
        reserved = _reserved_in_names(font)
        if reserved:
            problems.append(FontProblem(str(path), where, f"{fid}: {reserved} is {RESERVED_REASON}", "reserved"))
            continue
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
        prints[fid] = fingerprint(path, index, digest, cmap)
        faces.append(FontFace(fid, str(path), index, family, style, matches(fid, HANDWRITING), matches(fid, TEXTURED), source))
    return faces


def _reserved_in_names(font) -> str | None:
    """The reserved family that the font's name table names (family, full and PostScript names,
    in every language), else None."""
    try:
        records = font["name"].names
    except Exception:
        return None
    for record in records:
        if record.nameID in (1, 4, 6, 16, 21):
            try:
                reserved = reserved_family(record.toUnicode())
            except Exception:
                continue
            if reserved:
                return reserved
    return None


def font_source(path) -> str:
    """Where a font file comes from: "debian" (under /usr/share/fonts), "npm PACKAGE@VERSION"
    (fetched into :func:`fonts_cache_dir`), or "file"."""
    path = Path(path).absolute()
    if path.is_relative_to(FONT_ROOT):
        return "debian"
    entry = _catalog_entry(path)
    return f"npm {entry.pinned}" if entry else "file"


def _catalog_entry(path: Path):
    cache = fonts_cache_dir().absolute()
    if path.is_relative_to(cache) and len(path.relative_to(cache).parts) >= 2:
        folder = path.relative_to(cache).parts[0]
        return next((c for c in CATALOG if c.name == folder), None)
    return None


def _source_rank(path: Path) -> tuple:
    """Sort key of font files: Debian's first, then fetched ones in catalog order, then others
    as given (the sort is stable). Of two faces of one design, the first is kept."""
    path = Path(path).absolute()
    if path.is_relative_to(FONT_ROOT):
        return (0, 0)
    entry = _catalog_entry(path)
    return (1, CATALOG.index(entry)) if entry else (2, 0)


# -- one design from two sources: glyph fingerprints --------------------------------------------
# A face's fingerprint: FINGERPRINT_COUNT syllables spread over the 2350, each rendered at
# 64 px, cropped to its ink's bounding box, scaled to 48 x 48 (so position and size do not
# count) and binarized. Two faces' similarity is the mean intersection-over-union of their
# glyphs (over the syllables both have; at least 8).
FINGERPRINT_COUNT = 24
FINGERPRINT_SIDE = 48
FINGERPRINT_RENDER = 64
FINGERPRINT_VERSION = 1
# The threshold, from measurements on Debian's fonts and the npm catalog (mean glyph IoU):
# one design from two sources scores 0.872 (Yeon Sung: Woowa's BMYEONSUNG vs Google's),
# 0.903 (Do Hyeon), 0.917 (Jua), 0.920 (Nanum Pen: Debian vs npm), 0.932 (Kirang Haerang),
# 0.940 (BM Hanna Pro vs 11yrs), 0.928-0.978 (NanumSquare_ac vs NanumSquare), 0.958-0.975
# (the YetHangul faces vs their originals), 0.976-0.982 (NanumGothicCoding vs NanumGothic),
# 1.000 (Nanum Brush: Debian vs npm); the closest distinct designs score 0.844 (BM Euljiro
# 10yearslater vs BM Euljiro, a distressed remake), 0.833 (IBM Plex Sans KR Bold vs
# NanumSquare_ac ExtraBold), 0.820 (NanumSquareRound vs NanumSquare); Nanum Gothic vs Nanum
# Barun Gothic 0.694, NanumGothic Regular vs Bold 0.697. Weights of one family can reach the
# threshold (Sunflower Medium vs Bold 0.853): a duplicate must also have the same weight.
DUPLICATE_SIMILARITY = 0.85
SAME_WEIGHT = 1.05


@dataclass(frozen=True)
class Fingerprint:
    ink: np.ndarray  # bool (FINGERPRINT_COUNT, SIDE * SIDE)
    valid: np.ndarray  # bool (FINGERPRINT_COUNT,): the face has the syllable and it has ink

    @property
    def weight(self) -> float:
        """The share of ink in the glyphs' boxes: the stroke weight, roughly."""
        return float(self.ink[self.valid].mean()) if self.valid.any() else 0.0


def same_weight(a: float, b: float) -> bool:
    """Ink shares within SAME_WEIGHT of each other (a ratio): one design from two sources differs
    by at most 1.4% (measured on the pairs above), weights of one family by 15% or more
    (Dongle Regular/Bold 1.151, Sunflower Medium/Bold 1.162, NanumGothic Regular/Bold 1.354)."""
    return max(a, b) <= SAME_WEIGHT * max(min(a, b), 1e-9)


def fingerprint_syllables() -> tuple[str, ...]:
    syllables = hangul_syllables()
    n = len(syllables)
    return tuple(syllables[(2 * i + 1) * n // (2 * FINGERPRINT_COUNT)] for i in range(FINGERPRINT_COUNT))


def fingerprint(path, index: int, digest: str | None = None, cmap: dict | None = None) -> Fingerprint:
    """The face's glyph fingerprint, cached in ``fonts_cache_dir()/.fingerprints`` by file hash
    and face index (computing one takes ~30 ms; a cache that cannot be written is skipped)."""
    digest = digest or hashlib.sha1(Path(path).read_bytes()).hexdigest()
    cached = fonts_cache_dir() / ".fingerprints" / f"{digest}-{index}-v{FINGERPRINT_VERSION}.npz"
    try:
        with np.load(cached) as z:
            bits = np.unpackbits(z["ink"], axis=1)[:, : FINGERPRINT_SIDE ** 2].astype(bool)
            return Fingerprint(bits, z["valid"].astype(bool))
    except Exception:  # missing, or unreadable: compute it afresh
        pass
    fp = _compute_fingerprint(path, index, cmap)
    try:
        cached.parent.mkdir(parents=True, exist_ok=True)
        tmp = cached.with_name(f".{cached.name}.{os.getpid()}.tmp.npz")
        np.savez_compressed(tmp, ink=np.packbits(fp.ink, axis=1), valid=fp.valid)
        os.replace(tmp, cached)
    except OSError:
        pass
    return fp


def _compute_fingerprint(path, index: int, cmap: dict | None) -> Fingerprint:
    import cv2
    from PIL import Image, ImageDraw, ImageFont

    chars = fingerprint_syllables()
    ink = np.zeros((len(chars), FINGERPRINT_SIDE ** 2), bool)
    valid = np.zeros(len(chars), bool)
    try:
        font = ImageFont.truetype(str(path), FINGERPRINT_RENDER, index=index)
    except Exception:
        return Fingerprint(ink, valid)  # no syllable in common with any face: never a duplicate
    for k, char in enumerate(chars):
        if cmap is not None and cmap.get(ord(char), ".notdef") == ".notdef":
            continue
        try:
            left, top, right, bottom = font.getbbox(char)
            if right <= left or bottom <= top:
                continue
            image = Image.new("L", (right - left + 8, bottom - top + 8), 0)
            ImageDraw.Draw(image).text((4 - left, 4 - top), char, font=font, fill=255)
        except Exception:
            continue
        a = np.asarray(image) > 127
        rows, cols = np.flatnonzero(a.any(1)), np.flatnonzero(a.any(0))
        if not len(rows):
            continue
        crop = a[rows[0]: rows[-1] + 1, cols[0]: cols[-1] + 1].astype(np.float32)
        small = cv2.resize(crop, (FINGERPRINT_SIDE, FINGERPRINT_SIDE), interpolation=cv2.INTER_AREA)
        ink[k] = (small >= 0.5).ravel()
        valid[k] = True
    return Fingerprint(ink, valid)


def similarities(prints: Sequence[Fingerprint], min_common: int = 8) -> np.ndarray:
    """(n, n) mean glyph IoU of every pair of fingerprints (NaN where fewer than ``min_common``
    syllables are in both); 1 on the diagonal."""
    n = len(prints)
    if n == 0:
        return np.zeros((0, 0))
    ink = np.stack([p.ink for p in prints]).astype(np.float32)  # n, G, D
    valid = np.stack([p.valid for p in prints])  # n, G
    total = np.zeros((n, n))
    count = np.zeros((n, n))
    for g in range(ink.shape[1]):
        x = ink[:, g, :]
        inter = x @ x.T
        area = x.sum(1)
        union = area[:, None] + area[None, :] - inter
        both = valid[:, g][:, None] & valid[:, g][None, :]
        total += np.where(both, inter / np.maximum(union, 1), 0)
        count += both
    sim = np.where(count >= min_common, total / np.maximum(count, 1), np.nan)
    np.fill_diagonal(sim, 1.0)
    return sim


def _designs_and_duplicates(faces: list[FontFace], prints: dict, problems: list) -> list[FontFace]:
    """Group the faces into designs, keep one face of each set of duplicates, and report the others.

    A design joins the faces of one family (weights and Nanum's "Eco" stripped, see
    :func:`family_key`) and faces whose glyphs are alike (similarity >= DUPLICATE_SIMILARITY),
    transitively; it is named after the family of its first face. Duplicates are faces whose
    glyphs are alike at the same weight (:func:`same_weight`; two weights of one family can be
    as alike as 0.853, Sunflower Medium and Bold, but differ in ink by 15% or more). Of
    duplicates, the first is kept: Debian's, then the catalog's order, then the order given; among
    equals the face of the larger family (NanumBarunGothic-Regular, not its YetHangul twin).
    """
    n = len(faces)
    sim = similarities([prints[f.id] for f in faces])
    ink = [prints[f.id].weight for f in faces]
    keys = [family_key(f.family) for f in faces]
    family_size = {k: keys.count(k) for k in keys}
    order = sorted(range(n), key=lambda i: (_source_rank(Path(faces[i].path)), -family_size[keys[i]], i))
    parent = list(range(n))

    def root(i):
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def join(i, j):  # the root stays the earlier face in ``order``
        ri, rj = root(i), root(j)
        if ri != rj:
            first, second = sorted((ri, rj), key=order.index)
            parent[second] = first

    first_of_family: dict[str, int] = {}
    for i in order:
        if keys[i] in first_of_family:
            join(first_of_family[keys[i]], i)
        else:
            first_of_family[keys[i]] = i
    for a in range(n):
        for b in range(a):
            if sim[a, b] >= DUPLICATE_SIMILARITY:
                join(a, b)
    kept: list[int] = []
    for i in order:
        twin = next((k for k in kept if sim[i, k] >= DUPLICATE_SIMILARITY and same_weight(ink[i], ink[k])), None)
        if twin is None:
            kept.append(i)
            continue
        face, other = faces[i], faces[twin]
        index = face.index if face.path.lower().endswith((".ttc", ".otc")) else None
        problems.append(FontProblem(
            face.path, index,
            f"{face.id}: duplicate design: draws the same glyphs as {other.id} ({other.source}; similarity "
            f"{sim[i, twin]:.3f} >= {DUPLICATE_SIMILARITY}); skipped", "duplicate"))
    return [replace(faces[i], design=_design_name(faces[root(i)].family)) for i in sorted(kept)]


WEIGHT_WORDS = {
    "thin", "hairline", "extralight", "ultralight", "light", "regular", "normal", "book", "medium",
    "semibold", "demibold", "bold", "extrabold", "ultrabold", "heavy", "black", "extra", "ultra", "semi", "demi",
}
VARIANT_WORDS = {"eco"}  # Nanum's dotted "Eco" faces: the same design with holes (to save ink)


def family_key(family: str) -> str:
    """The family without trailing weight (and variant) words, lower case: "Sunflower Medium" ->
    "sunflower", "NanumGothicEco" -> "nanumgothic", "Black Han Sans" -> "blackhansans"."""
    words = name_words(family)
    while len(words) > 1 and (words[-1] in WEIGHT_WORDS or words[-1] in VARIANT_WORDS):
        words.pop()
    return "".join(words) or family.lower()


def _design_name(family: str) -> str:
    """"Sunflower Medium" -> "Sunflower", "Nanum Pen Script" -> "NanumPenScript"."""
    words = family.split()
    while len(words) > 1 and words[-1].lower() in WEIGHT_WORDS:
        words.pop()
    return re.sub(r"[^A-Za-z0-9_]", "", "".join(words)) or "Font"


def similar_pairs(faces: Sequence[FontFace], n: int = 20) -> list[tuple[float, FontFace, FontFace]]:
    """The ``n`` most alike pairs of faces of different designs, most alike first (how close the
    nearest distinct designs come to DUPLICATE_SIMILARITY; ``handpad synth fonts --similar N``)."""
    sim = similarities([fingerprint(f.path, f.index) for f in faces])
    pairs = [(float(sim[i, j]), faces[j], faces[i]) for i in range(len(faces)) for j in range(i)
             if faces[i].design != faces[j].design and not np.isnan(sim[i, j])]
    return sorted(pairs, key=lambda p: -p[0])[:n]


def design_groups(faces: Sequence[FontFace]) -> dict[str, list[FontFace]]:
    """Design id -> its faces (as :func:`discover_fonts` set them), in the order given."""
    groups: dict[str, list[FontFace]] = {}
    for f in faces:
        groups.setdefault(f.design or f.id, []).append(f)
    return groups


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
    """Human-readable table of faces (with their design and source) and skipped files
    (``handpad synth fonts``)."""
    kinds = [f.source.split()[0] for f in faces]
    where = ", ".join(f"{kinds.count(k)} {k}" for k in ("debian", "npm", "file") if k in kinds)
    lines = [f"{len(faces)} usable face(s) in {len(design_groups(faces))} design(s) covering all syllables "
             f"({sum(f.handwriting for f in faces)} handwriting-style; {where or 'none'}):"]
    width = max((len(f.id) for f in faces), default=10)
    dwidth = max((len(f.design) for f in faces), default=6)
    swidth = max((len(f.source) for f in faces), default=6)
    for f in faces:
        flags = ("handwriting" if f.handwriting else "designed") + (", textured" if f.textured else "")
        idx = f" #{f.index}" if f.path.lower().endswith((".ttc", ".otc")) else ""
        lines.append(f"  {f.id:<{width}}  {flags:<21} {f.design:<{dwidth}}  {f.source:<{swidth}}  {f.path}{idx}")
    if problems:
        lines.append(f"{len(problems)} file(s)/face(s) skipped:")
        lines += [f"  {p}" for p in problems]
    return "\n".join(lines)
