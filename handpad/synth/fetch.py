"""Fetch the pinned Korean fonts of the npm registry into the fonts cache (``handpad synth fetch-fonts``).

For each entry of :data:`~handpad.synth.font_catalog.CATALOG` (or those named): download the
package's tarball straight from the registry (no Node needed), check it against the pinned
``dist.integrity`` (sha512), take the listed TTFs, unpack the listed WOFF/WOFF2 fonts, or merge
each listed weight's woff2 unicode-range pieces into one TTF, and put them with the license and a ``SOURCE.json`` into
``DEST/<name>/``. The folder is built under a hidden temporary name and renamed when complete,
so an interrupted or failed fetch leaves nothing half-written; a package already there (same
version and integrity) is skipped, so re-runs are cheap. A failure (network, a tarball that
does not match its integrity or cannot be read, a font that does not open) names the package
and the others go on.

Reserved families (:data:`~handpad.synth.font_catalog.RESERVED`) are refused by name, and a
fetched font whose internal family name is reserved is refused too.
"""
from __future__ import annotations

import base64
import hashlib
import io
import json
import os
import re
import shutil
import tarfile
import urllib.error
import urllib.request
import zlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import HandpadError
from .font_catalog import (
    CATALOG,
    RESERVED,
    RESERVED_REASON,
    CatalogFont,
    name_words,
    reserved_family,
)
from .fonts import fonts_cache_dir

TIMEOUT_S = 60
SOURCE_FILE = "SOURCE.json"
# Fontsource's piece of one weight: files/<id>-<piece>-<weight>-normal.woff2, where the piece is
# a number (a unicode range of the Korean subset) or a named subset (latin, latin-ext, korean).
_PIECE = r"package/files/{id}-(?P<piece>[a-z0-9-]+?)-{weight}-normal\.woff2"
WEIGHT_NAMES = {"100": "Thin", "200": "ExtraLight", "300": "Light", "400": "Regular", "500": "Medium",
                "600": "SemiBold", "700": "Bold", "800": "ExtraBold", "900": "Black"}


class FetchError(HandpadError):
    """Fetching one package failed; the message names the package."""


@dataclass
class FetchResult:
    entry: CatalogFont
    status: str  # "fetched", "present" or "failed"
    files: list[str] = field(default_factory=list)
    error: str = ""

    def __str__(self) -> str:
        what = f"{self.entry.pinned} ({self.entry.family})"
        if self.status == "failed":
            return f"{what}: FAILED: {self.error}"
        return f"{what}: {self.status}: {', '.join(self.files)}"


def select(names: Sequence[str] | None, catalog: Sequence[CatalogFont] | None = None) -> list[CatalogFont]:
    """The catalog entries named (by name, package or family, whatever the case, spaces or
    hyphens), or all. A reserved family is refused with a clear message, as is a name that is
    not in the catalog."""
    catalog = CATALOG if catalog is None else catalog
    if not names:
        return list(catalog)
    chosen: list[CatalogFont] = []
    for name in names:
        reserved = reserved_family(name)
        if reserved:
            raise HandpadError(f"{name}: the font family {reserved} is {RESERVED_REASON}: it is never downloaded")
        key = "".join(name_words(name.split("/")[-1].split("@")[0] if name.startswith("@") else name))
        found = [c for c in catalog if key in ("".join(name_words(c.name)), "".join(name_words(c.family)))]
        if not found:
            raise HandpadError(f"{name}: not in the font catalog (handpad synth fetch-fonts --list shows it)")
        chosen += [c for c in found if c not in chosen]
    return chosen


def fetch_fonts(
    dest=None,
    names: Sequence[str] | None = None,
    progress: bool = True,
    catalog: Sequence[CatalogFont] | None = None,
    download: Callable[[str, Callable[[int, int | None], None] | None], bytes] | None = None,
) -> list[FetchResult]:
    """Fetch the catalog's packages (or ``names``) into ``dest`` (default :func:`fonts_cache_dir`).

    Returns one result per package; a failed one does not stop the others. ``download(url,
    report)`` returns a URL's bytes (default: urllib, which reads file:// URLs too).
    """
    entries = select(names, catalog)
    dest = Path(dest) if dest is not None else fonts_cache_dir()
    dest.mkdir(parents=True, exist_ok=True)
    download = download or _download
    from tqdm.auto import tqdm

    results = []
    bar = tqdm(entries, unit="package", disable=not progress, desc="fonts")
    for entry in bar:
        bar.set_postfix_str(entry.name)
        if is_present(dest, entry):
            results.append(FetchResult(entry, "present", _manifest(dest, entry)["files"]))
            continue
        try:
            files = fetch_one(entry, dest, download, progress)
            results.append(FetchResult(entry, "fetched", files))
        except FetchError as e:
            results.append(FetchResult(entry, "failed", error=str(e)))
    bar.close()
    return results


def is_present(dest: Path, entry: CatalogFont) -> bool:
    """True if ``dest/<name>`` holds this exact version, with every font it lists."""
    m = _manifest(dest, entry)
    return bool(m) and m.get("version") == entry.version and m.get("integrity") == entry.integrity and bool(m.get("files")) \
        and all((dest / entry.name / f).is_file() for f in m["files"])


def _manifest(dest: Path, entry: CatalogFont) -> dict:
    try:
        return json.loads((Path(dest) / entry.name / SOURCE_FILE).read_text())
    except (OSError, ValueError):
        return {}


def fetch_one(entry: CatalogFont, dest: Path, download=None, progress: bool = False) -> list[str]:
    """Download, verify and unpack one package into ``dest/<name>``; its font files' names.
    Raises FetchError naming the package; then nothing of it is left in ``dest``."""
    if reserved_family(entry.name) or reserved_family(entry.family) or reserved_family(entry.package):
        raise FetchError(f"{entry.pinned}: {reserved_family(entry.family) or entry.family} is {RESERVED_REASON}")
    data = _get(entry, download or _download, progress)
    check_integrity(entry, data)
    try:
        tar = tarfile.open(fileobj=io.BytesIO(data), mode="r:gz")
        members = {m.name: m for m in tar.getmembers() if m.isfile()}
    except (tarfile.TarError, OSError, EOFError, zlib.error) as e:
        raise FetchError(f"{entry.pinned}: not a readable .tgz tarball ({type(e).__name__}: {e})") from None
    fonts = _extract(entry, tar, members)  # {file name: TTF bytes}
    license_text = _license_text(entry, tar, members, fonts)
    tmp = Path(dest) / f".partial-{entry.name}-{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    try:
        tmp.mkdir(parents=True)
        for name, blob in fonts.items():
            (tmp / name).write_bytes(blob)
        if license_text:
            (tmp / "LICENSE.txt").write_text(license_text, encoding="utf-8")
        manifest = {
            "package": entry.package, "version": entry.version, "tarball": entry.tarball, "integrity": entry.integrity,
            "license": entry.license, "font_license": entry.font_license, "family": entry.family,
            "kind": entry.kind, "taken": list(entry.files), "files": sorted(fonts),
        }
        (tmp / SOURCE_FILE).write_text(json.dumps(manifest, indent=2) + "\n")
        final = Path(dest) / entry.name
        old = Path(dest) / f".old-{entry.name}-{os.getpid()}"
        if final.exists():
            os.replace(final, old)
        os.replace(tmp, final)
        shutil.rmtree(old, ignore_errors=True)
    except OSError as e:
        shutil.rmtree(tmp, ignore_errors=True)
        raise FetchError(f"{entry.pinned}: cannot write into {dest} ({e.strerror or e})") from None
    return sorted(fonts)


def check_integrity(entry: CatalogFont, data: bytes) -> None:
    """Raise FetchError unless ``data`` matches the entry's pinned ``sha512-...`` integrity."""
    algo, _, expected = entry.integrity.partition("-")
    if algo not in ("sha512", "sha384", "sha256") or not expected:
        raise FetchError(f"{entry.pinned}: the catalog's integrity {entry.integrity!r} is not of the form sha512-BASE64")
    got = base64.b64encode(hashlib.new(algo, data).digest()).decode()
    if got != expected:
        raise FetchError(
            f"{entry.pinned}: integrity check failed for {entry.tarball}: expected {entry.integrity}, got {algo}-{got} "
            f"({len(data)} bytes; a corrupted download or a changed package); nothing was written"
        )


def _get(entry: CatalogFont, download, progress: bool) -> bytes:
    bar = None
    report = None
    if progress:
        from tqdm.auto import tqdm

        bar = tqdm(unit="B", unit_scale=True, desc=entry.name, leave=False)

        def report(done: int, total: int | None) -> None:
            if total and bar.total != total:
                bar.total = total
            bar.update(done - bar.n)
    try:
        return download(entry.tarball, report)
    except FetchError:
        raise
    except (urllib.error.URLError, OSError, ValueError) as e:
        reason = getattr(e, "reason", None) or e
        raise FetchError(f"{entry.pinned}: cannot download {entry.tarball} ({type(e).__name__}: {reason})") from None
    finally:
        if bar is not None:
            bar.close()


def _download(url: str, report=None) -> bytes:
    """The bytes at ``url`` (https or file), calling ``report(done, total)`` as they come."""
    with urllib.request.urlopen(url, timeout=TIMEOUT_S) as response:
        total = response.headers.get("Content-Length")
        total = int(total) if total and total.isdigit() else None
        chunks, done = [], 0
        while True:
            chunk = response.read(1 << 16)
            if not chunk:
                break
            chunks.append(chunk)
            done += len(chunk)
            if report:
                report(done, total)
    data = b"".join(chunks)
    if total is not None and len(data) != total:
        raise OSError(f"download cut short: {len(data)} of {total} bytes")
    return data


def _extract(entry: CatalogFont, tar: tarfile.TarFile, members: dict) -> dict[str, bytes]:
    """{output file name: TTF bytes} of the entry's fonts, each checked to open and not reserved."""
    out: dict[str, bytes] = {}
    if entry.kind == "ttf":
        for path in entry.files:
            if path not in members:
                raise FetchError(f"{entry.pinned}: the tarball has no {path}")
            out[Path(path).name] = _read(tar, members[path], entry)
    elif entry.kind == "woff2-subsets":
        ident = entry.package.split("/")[-1]
        for weight in entry.files:
            pattern = re.compile(_PIECE.format(id=re.escape(ident), weight=re.escape(weight)))
            pieces = sorted((m for m in members if pattern.fullmatch(m)), key=lambda m: _piece_order(pattern.fullmatch(m)["piece"]))
            if not pieces:
                raise FetchError(f"{entry.pinned}: the tarball has no woff2 pieces of weight {weight} (files/{ident}-*-{weight}-normal.woff2)")
            try:
                merged = merge_subsets([_read(tar, members[m], entry) for m in pieces])
            except FetchError:
                raise
            except Exception as e:
                raise FetchError(f"{entry.pinned}: cannot merge the {len(pieces)} woff2 pieces of weight {weight} ({type(e).__name__}: {e})") from None
            out[f"{re.sub(r'[^A-Za-z0-9]', '', entry.family)}_{weight}{WEIGHT_NAMES.get(weight, '')}.ttf"] = merged
    elif entry.kind == "woff":
        for path in entry.files:
            if path not in members:
                raise FetchError(f"{entry.pinned}: the tarball has no {path}")
            try:
                name, blob = unpack_font(_read(tar, members[path], entry), entry.family)
            except FetchError:
                raise
            except Exception as e:
                raise FetchError(f"{entry.pinned}: {Path(path).name} is not a readable font ({type(e).__name__}: {e})") from None
            out[name] = blob
    else:
        raise FetchError(f"{entry.pinned}: unknown kind {entry.kind!r} in the catalog")
    for name, blob in out.items():
        _check_font(entry, name, blob)
    return out


def _piece_order(piece: str) -> tuple:
    return (0, int(piece), "") if piece.isdigit() else (1, 0, piece)


def _read(tar: tarfile.TarFile, member: tarfile.TarInfo, entry: CatalogFont) -> bytes:
    try:
        return tar.extractfile(member).read()
    except (tarfile.TarError, OSError, EOFError, zlib.error) as e:
        raise FetchError(f"{entry.pinned}: cannot read {member.name} from the tarball ({type(e).__name__}: {e})") from None


def _check_font(entry: CatalogFont, name: str, blob: bytes) -> None:
    from fontTools.ttLib import TTFont

    from .fonts import _reserved_in_names

    try:
        font = TTFont(io.BytesIO(blob), lazy=True)
        font.getBestCmap()
    except Exception as e:
        raise FetchError(f"{entry.pinned}: {name} is not a readable font ({type(e).__name__}: {e})") from None
    reserved = _reserved_in_names(font)
    if reserved:
        raise FetchError(f"{entry.pinned}: {name} is the family {reserved}, {RESERVED_REASON}; refused")


def unpack_font(blob: bytes, family: str) -> tuple[str, bytes]:
    """A WOFF or WOFF2 font (or a plain one) as a plain TrueType/OpenType file that FreeType and
    the font discovery read like any other: (file name from ``family``, bytes). WOFF2 needs brotli."""
    font, plain = _plain_font(blob)
    suffix = ".otf" if "CFF " in font or "CFF2" in font else ".ttf"
    return re.sub(r"[^A-Za-z0-9]", "", family) + suffix, plain


def _plain_font(blob: bytes, drop: Sequence[str] = ()):
    """(the font, its bytes as a plain sfnt without the ``drop`` tables) from WOFF, WOFF2 or sfnt bytes."""
    from fontTools.ttLib import TTFont

    try:
        font = TTFont(io.BytesIO(blob))
    except ImportError as e:  # woff2 without brotli
        raise FetchError(f"reading woff2 needs the brotli package (pip install brotli): {e}") from None
    for tag in drop:
        if tag in font:
            del font[tag]
    font.flavor = None
    buffer = io.BytesIO()
    font.save(buffer)
    return font, buffer.getvalue()


def merge_subsets(pieces: Iterable[bytes]) -> bytes:
    """One TTF from the woff2 (or woff/TTF) unicode-range pieces of one font: its cmap is the
    union of theirs (the first piece wins a code point two of them map). Layout tables (GSUB,
    GPOS, GDEF) are dropped: rendering precomposed syllables does not use them, and merging
    them piece by piece is fragile. Needs the ``brotli`` package for woff2."""
    from fontTools.merge import Merger, Options

    plain = [io.BytesIO(_plain_font(blob, ("GSUB", "GPOS", "GDEF", "kern", "hdmx", "LTSH", "VDMX"))[1]) for blob in pieces]
    if not plain:
        raise ValueError("no pieces to merge")
    merged = Merger(Options(drop_tables=["GSUB", "GPOS", "GDEF"])).merge(plain)
    out = io.BytesIO()
    merged.save(out)
    return out.getvalue()


def _license_text(entry: CatalogFont, tar: tarfile.TarFile, members: dict, fonts: dict) -> str:
    """The fonts' license: the package's font license file, else the fonts' own license text."""
    # An @expo-google-fonts package's LICENSE is its JavaScript's (MIT); a @fontsource one's is the fonts'.
    candidates = ("package/LICENSE_FONT", "package/OFL.txt") + (("package/LICENSE",) if entry.kind == "woff2-subsets" else ())
    for path in candidates:
        if path in members:
            text = _read(tar, members[path], entry).decode("utf-8", "replace")
            return f"{entry.family} ({entry.pinned}), license {entry.font_license}:\n\n{text}"
    from fontTools.ttLib import TTFont

    font = TTFont(io.BytesIO(next(iter(fonts.values()))), lazy=True)
    names = font["name"]
    text = "\n".join(filter(None, (names.getDebugName(0), names.getDebugName(13), names.getDebugName(14))))
    return f"{entry.family} ({entry.pinned}), license {entry.font_license} (from the font's name table):\n\n{text}\n"


def describe_catalog(dest=None, catalog: Sequence[CatalogFont] | None = None) -> str:
    """The catalog as a table (``fetch-fonts --list``), with what is in ``dest`` already."""
    catalog = CATALOG if catalog is None else catalog
    dest = Path(dest) if dest is not None else fonts_cache_dir()
    lines = [f"{len(catalog)} pinned npm package(s) -> {dest}:"]
    width = max(len(c.pinned) for c in catalog)
    for c in catalog:
        there = "fetched" if is_present(dest, c) else "-"
        taken = ", ".join(Path(f).name if c.kind in ("ttf", "woff") else f"weight {f}" for f in c.files)
        lines.append(f"  {c.pinned:<{width}}  {there:<7}  {c.font_license:<7}  {c.family}: {taken}")
    lines.append("reserved (never fetched or used): " + ", ".join(RESERVED))
    return "\n".join(lines)
