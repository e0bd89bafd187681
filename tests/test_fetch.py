"""Fonts from the npm registry: the pinned catalog, the fetcher (offline: fake registry tarballs
served from file:// URLs), woff2 pieces merged into one font, reserved families refused, and one
design from two sources counted once (rendered-glyph fingerprints)."""
from __future__ import annotations

import base64
import hashlib
import io
import json
import re
import shutil
import tarfile
import urllib.error
from pathlib import Path

import pytest
from conftest import require

from handpad.cli import main as handpad_main
from handpad.errors import HandpadError
from handpad.synth import fetch, fonts
from handpad.synth.font_catalog import CATALOG, RESERVED, CatalogFont, reserved_family
from handpad.synth.fonts import discover_fonts, fingerprint_syllables, resolve_fonts

NANUM = Path("/usr/share/fonts/truetype/nanum")
GOTHIC = NANUM / "NanumGothic.ttf"
GOTHIC_BOLD = NANUM / "NanumGothicBold.ttf"
MYEONGJO = NANUM / "NanumMyeongjo.ttf"
SYL = "가나다한글"
CHARS = SYL + "".join(fingerprint_syllables())  # what the small test fonts hold


@pytest.fixture(autouse=True)
def fonts_cache(tmp_path, monkeypatch) -> Path:
    """Every test gets its own fonts cache (fetched fonts, fingerprints): never the user's."""
    cache = tmp_path / "cache"
    monkeypatch.setenv("HANDPAD_FONTS", str(cache))
    return cache


def _needs_nanum(*paths):
    require(all(p.exists() for p in paths or (GOTHIC,)), "fonts-nanum not installed (sudo apt install fonts-nanum)")


def small_font(src: Path, family: str | None = None, chars: str = CHARS, flavor: str | None = None) -> bytes:
    """``src`` cut down to ``chars`` (fast to save and to open), renamed to ``family`` if given."""
    from fontTools import subset
    from fontTools.ttLib import TTFont

    font = TTFont(str(src))
    options = subset.Options()
    options.name_IDs = ["*"]
    options.layout_features = []
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=[ord(c) for c in chars])
    subsetter.subset(font)
    if family:
        style = font["name"].getBestSubFamilyName() or "Regular"
        for record in font["name"].names:
            if record.nameID in (1, 16):
                record.string = family
            elif record.nameID == 4:
                record.string = f"{family} {style}"
            elif record.nameID == 6:
                record.string = family.replace(" ", "") + "-" + style
    font.flavor = flavor
    out = io.BytesIO()
    font.save(out)
    return out.getvalue()


def integrity(data: bytes) -> str:
    return "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode()


def tarball(tmp_path: Path, name: str, files: dict[str, bytes]) -> Path:
    """A registry-style .tgz: everything under package/."""
    path = tmp_path / "registry" / f"{name}-1.0.0.tgz"
    path.parent.mkdir(parents=True, exist_ok=True)
    with tarfile.open(path, "w:gz") as tar:
        for member, blob in {"package/package.json": b'{"name": "x"}', **files}.items():
            info = tarfile.TarInfo(member)
            info.size = len(blob)
            tar.addfile(info, io.BytesIO(blob))
    return path


def entry_for(path: Path, name: str, files, kind="ttf", family="Test Gothic", good=True) -> CatalogFont:
    data = path.read_bytes()
    return CatalogFont(name, family, f"@test-fonts/{name}", "1.0.0", integrity(data if good else data + b"x"),
                       "OFL-1.1", kind, tuple(files), tarball=path.as_uri())


# -- the catalog ---------------------------------------------------------------------------------
def test_catalog_is_pinned_licensed_and_free_of_reserved_families():
    names = [c.name for c in CATALOG]
    assert len(names) == len(set(names)) >= 20
    for c in CATALOG:
        assert re.fullmatch(r"\d+\.\d+\.\d+", c.version), c
        assert c.tarball == f"https://registry.npmjs.org/{c.package}/-/{c.name}-{c.version}.tgz"
        algo, digest = c.integrity.split("-", 1)
        assert algo == "sha512" and len(base64.b64decode(digest)) == 64, c
        assert c.font_license == "OFL-1.1" and "OFL-1.1" in c.license or c.license == "MIT", c
        assert c.package.startswith(("@expo-google-fonts/", "@fontsource/", "@noonnu/")) and c.package.endswith("/" + c.name)
        if c.kind == "ttf":
            assert c.files and all(f.startswith("package/") and f.endswith(".ttf") for f in c.files)
        elif c.kind == "woff":  # noonnu.cc's fonts: only those whose own license (in the font) is the OFL
            assert c.package.startswith("@noonnu/cafe24-") and c.font_license == "OFL-1.1", c
            assert c.files and all(f.startswith("package/fonts/") and f.endswith((".woff", ".woff2")) for f in c.files)
        else:
            assert c.kind == "woff2-subsets" and all(w.isdigit() for w in c.files)
        assert not any(reserved_family(t) for t in (c.name, c.family, c.package, *c.files)), c
    assert {"dokdo", "nanum-pen-script", "kirang-haerang", "hahmlet", "cafe24-shiningstar"} <= set(names)


@pytest.mark.parametrize("name", [
    "east-sea-dokdo", "EastSeaDokdo", "East Sea Dokdo", "@expo-google-fonts/east-sea-dokdo", "@fontsource/poor-story",
    "GAEGU", "gaegu", "Hi Melody", "himelody", "gamja_flower", "SingleDay", "cute-font", "Stylish", "Gaegu-Bold.ttf",
    "PoorStory_400Regular.ttf", "@fontsource/gaegu@5.0.0", "@noonnu/gaegu", "동해 독도", "개구체", "감자꽃",
    "gamja-flower - 감자꽃 - 손글씨", "하이 멜로디", "싱글데이", "푸어 스토리", "귀여운 폰트", "스타일리시",
])
def test_reserved_families_are_found_by_whole_name(name):
    assert reserved_family(name) in RESERVED
    with pytest.raises(HandpadError, match="reserved for the project's independent evaluation"):
        fetch.select([name])


@pytest.mark.parametrize("name", ["Dokdo", "dokdo", "@expo-google-fonts/dokdo", "Dokdo_400Regular.ttf", "Gaegumi", "Stylishly",
                                  "NanumGothic", "SeaDokdo", "대한민국 독도체", "카페24 빛나는별"])
def test_other_names_are_not_reserved(name):
    assert reserved_family(name) is None


def test_select_takes_names_packages_and_families():
    assert [c.name for c in fetch.select(["dokdo"])] == ["dokdo"]
    assert [c.name for c in fetch.select(["@expo-google-fonts/dokdo", "Song Myung", "@fontsource/hahmlet"])] == \
        ["dokdo", "song-myung", "hahmlet"]
    with pytest.raises(HandpadError, match="not in the font catalog"):
        fetch.select(["comic-sans"])


# -- fetching ------------------------------------------------------------------------------------
def test_fetch_verifies_extracts_and_skips_what_is_there(tmp_path):
    _needs_nanum()
    font = small_font(GOTHIC, "Test Gothic")
    tgz = tarball(tmp_path, "test-gothic", {"package/400Regular/TestGothic_400Regular.ttf": font,
                                             "package/LICENSE_FONT": b"SIL Open Font License 1.1"})
    entry = entry_for(tgz, "test-gothic", ["package/400Regular/TestGothic_400Regular.ttf"])
    calls = []

    def download(url, report):
        calls.append(url)
        return fetch._download(url, report)

    dest = tmp_path / "dest"
    [result] = fetch.fetch_fonts(dest, progress=False, catalog=[entry], download=download)
    assert result.status == "fetched" and result.files == ["TestGothic_400Regular.ttf"]
    folder = dest / "test-gothic"
    assert (folder / "TestGothic_400Regular.ttf").read_bytes() == font
    assert "Open Font License" in (folder / "LICENSE.txt").read_text()
    source = json.loads((folder / "SOURCE.json").read_text())
    assert source["package"] == "@test-fonts/test-gothic" and source["version"] == "1.0.0"
    assert source["integrity"] == entry.integrity and source["font_license"] == "OFL-1.1"
    assert [p.name for p in dest.iterdir()] == ["test-gothic"]  # no temporary folder left
    # A re-run downloads nothing.
    [again] = fetch.fetch_fonts(dest, progress=False, catalog=[entry], download=download)
    assert again.status == "present" and len(calls) == 1
    assert "fetched" in fetch.describe_catalog(dest, [entry])


def test_wrong_integrity_is_refused_and_leaves_nothing(tmp_path):
    _needs_nanum()
    tgz = tarball(tmp_path, "tampered", {"package/T_400Regular.ttf": small_font(GOTHIC, "Tampered")})
    entry = entry_for(tgz, "tampered", ["package/T_400Regular.ttf"], good=False)
    dest = tmp_path / "dest"
    [result] = fetch.fetch_fonts(dest, progress=False, catalog=[entry])
    assert result.status == "failed"
    assert "@test-fonts/tampered@1.0.0: integrity check failed" in result.error
    assert f"expected {entry.integrity}" in result.error and "nothing was written" in result.error
    assert list(dest.iterdir()) == []


def test_network_failure_and_bad_tarballs_name_the_package_and_the_others_go_on(tmp_path):
    _needs_nanum()
    good_tgz = tarball(tmp_path, "good", {"package/G_400Regular.ttf": small_font(GOTHIC, "Good Gothic")})
    good = entry_for(good_tgz, "good", ["package/G_400Regular.ttf"])
    junk = tmp_path / "registry" / "junk-1.0.0.tgz"
    junk.write_bytes(b"this is not a gzip file" * 10)
    not_tgz = entry_for(junk, "junk", ["package/J.ttf"])  # its integrity matches: the content is bad
    missing = entry_for(good_tgz, "missing", ["package/Nope_400Regular.ttf"])
    not_font_tgz = tarball(tmp_path, "notfont", {"package/N_400Regular.ttf": b"not a font at all"})
    not_font = entry_for(not_font_tgz, "notfont", ["package/N_400Regular.ttf"])
    offline = CatalogFont("offline", "Offline", "@test-fonts/offline", "1.0.0", good.integrity, "OFL-1.1", "ttf",
                          ("package/G_400Regular.ttf",), tarball="https://registry.npmjs.org/@test-fonts/offline/-/offline-1.0.0.tgz")

    def download(url, report):
        if url.startswith("https:"):
            raise urllib.error.URLError("no network here")
        return fetch._download(url, report)

    dest = tmp_path / "dest"
    results = fetch.fetch_fonts(dest, progress=False, catalog=[offline, not_tgz, missing, not_font, good], download=download)
    by = {r.entry.name: r for r in results}
    assert by["good"].status == "fetched" and (dest / "good" / "G_400Regular.ttf").is_file()
    assert by["offline"].status == "failed" and "@test-fonts/offline@1.0.0: cannot download" in by["offline"].error
    assert "no network here" in by["offline"].error
    assert "@test-fonts/junk@1.0.0: not a readable .tgz tarball" in by["junk"].error
    assert "@test-fonts/missing@1.0.0: the tarball has no package/Nope_400Regular.ttf" in by["missing"].error
    assert "@test-fonts/notfont@1.0.0: N_400Regular.ttf is not a readable font" in by["notfont"].error
    assert sorted(p.name for p in dest.iterdir()) == ["good"]


def test_a_font_whose_family_is_reserved_is_refused_even_under_another_package_name(tmp_path):
    _needs_nanum()
    tgz = tarball(tmp_path, "innocent", {"package/I_400Regular.ttf": small_font(GOTHIC, "Hi Melody")})
    [result] = fetch.fetch_fonts(tmp_path / "dest", progress=False, catalog=[entry_for(tgz, "innocent", ["package/I_400Regular.ttf"])])
    assert result.status == "failed" and "Hi Melody" in result.error and "reserved" in result.error
    assert not (tmp_path / "dest" / "innocent").exists()


def test_a_reserved_catalog_entry_is_refused_before_any_download(tmp_path):
    entry = CatalogFont("gaegu", "Gaegu", "@expo-google-fonts/gaegu", "0.4.0", "sha512-AAAA", "OFL-1.1", "ttf",
                        ("package/400Regular/Gaegu_400Regular.ttf",))

    def download(url, report):  # pragma: no cover - must not be reached
        raise AssertionError("a reserved font was downloaded")

    with pytest.raises(HandpadError, match="Gaegu.*reserved"):
        fetch.fetch_fonts(tmp_path, names=["gaegu"], progress=False, catalog=[entry], download=download)
    with pytest.raises(fetch.FetchError, match="Gaegu is reserved"):
        fetch.fetch_one(entry, tmp_path, download)


def test_woff2_pieces_are_merged_into_one_font_with_the_union_of_their_cmaps(tmp_path):
    _needs_nanum(GOTHIC, GOTHIC_BOLD)
    from fontTools.ttLib import TTFont

    half = len(CHARS) // 2
    pieces = {
        "package/files/test-serif-0-400-normal.woff2": small_font(GOTHIC, "Test Serif", CHARS[:half], "woff2"),
        "package/files/test-serif-1-400-normal.woff2": small_font(GOTHIC, "Test Serif", CHARS[half:], "woff2"),
        "package/files/test-serif-latin-400-normal.woff2": small_font(GOTHIC, "Test Serif", "ABC", "woff2"),
        "package/files/test-serif-0-700-normal.woff2": small_font(GOTHIC_BOLD, "Test Serif", CHARS[:3], "woff2"),
        "package/files/test-serif-0-400-normal.woff": b"not taken: woff2 only",
        "package/LICENSE": b"SIL Open Font License",
    }
    tgz = tarball(tmp_path, "test-serif", pieces)
    entry = entry_for(tgz, "test-serif", ["400"], kind="woff2-subsets", family="Test Serif")
    entry = CatalogFont(entry.name, entry.family, "@fontsource/test-serif", entry.version, entry.integrity, entry.license,
                        entry.kind, entry.files, tarball=entry.tarball)
    [result] = fetch.fetch_fonts(tmp_path / "dest", progress=False, catalog=[entry])
    assert result.status == "fetched" and result.files == ["TestSerif_400Regular.ttf"]
    merged = TTFont(str(tmp_path / "dest" / "test-serif" / "TestSerif_400Regular.ttf"))
    assert merged.flavor is None and "glyf" in merged
    cmap = set(merged.getBestCmap())
    assert cmap == {ord(c) for c in CHARS + "ABC"}  # the union: every piece, nothing of weight 700
    assert merged["name"].getBestFamilyName() == "Test Serif"
    # It renders as the original does (same outlines), and discovery takes it.
    faces, problems = discover_fonts([tmp_path / "dest"], syllables=SYL)
    assert [f.id for f in faces] == ["TestSerif-Regular"] and not problems


def test_a_whole_woff_font_is_unpacked_into_a_plain_font_that_discovery_takes(tmp_path):
    """noonnu.cc's packages (kind "woff"): one whole font as WOFF, taken as a plain TTF with its
    license from the name table (the package has no license file)."""
    _needs_nanum()
    from fontTools.ttLib import TTFont

    woff = small_font(GOTHIC, "Test Hand", flavor="woff")
    assert woff[:4] == b"wOFF"
    tgz = tarball(tmp_path, "test-hand", {"package/fonts/testhand-normal.woff": woff, "package/index.css": b"@font-face {}"})
    entry = entry_for(tgz, "test-hand", ["package/fonts/testhand-normal.woff"], kind="woff", family="Test Hand")
    [result] = fetch.fetch_fonts(tmp_path / "dest", progress=False, catalog=[entry])
    assert result.status == "fetched" and result.files == ["TestHand.ttf"]
    plain = tmp_path / "dest" / "test-hand" / "TestHand.ttf"
    assert plain.read_bytes()[:4] == b"\x00\x01\x00\x00"  # an sfnt, not WOFF
    font = TTFont(str(plain))
    assert font.flavor is None and set(font.getBestCmap()) == {ord(c) for c in CHARS}
    assert "Test Hand" in (tmp_path / "dest" / "test-hand" / "LICENSE.txt").read_text()  # from the name table
    faces, problems = discover_fonts([tmp_path / "dest"], syllables=SYL)
    assert [f.id for f in faces] == ["TestHand-Regular"] and not problems
    # A WOFF that is not a font, or a path the tarball lacks, names the package; nothing written.
    bad_tgz = tarball(tmp_path, "bad-hand", {"package/fonts/bad-normal.woff": b"wOFF but nothing more"})
    bad = entry_for(bad_tgz, "bad-hand", ["package/fonts/bad-normal.woff"], kind="woff", family="Bad Hand")
    gone = entry_for(bad_tgz, "gone-hand", ["package/fonts/gone-normal.woff"], kind="woff", family="Gone Hand")
    results = {r.entry.name: r for r in fetch.fetch_fonts(tmp_path / "dest", progress=False, catalog=[bad, gone])}
    assert "@test-fonts/bad-hand@1.0.0: bad-normal.woff is not a readable font" in results["bad-hand"].error
    assert "@test-fonts/gone-hand@1.0.0: the tarball has no package/fonts/gone-normal.woff" in results["gone-hand"].error
    assert sorted(p.name for p in (tmp_path / "dest").iterdir()) == ["test-hand"]


def test_a_woff_font_named_in_korean_as_a_reserved_family_is_refused(tmp_path):
    _needs_nanum()
    tgz = tarball(tmp_path, "potato", {"package/fonts/p-normal.woff": small_font(GOTHIC, "감자꽃", flavor="woff")})
    [result] = fetch.fetch_fonts(tmp_path / "dest", progress=False,
                                 catalog=[entry_for(tgz, "potato", ["package/fonts/p-normal.woff"], kind="woff", family="Potato")])
    assert result.status == "failed" and "Gamja Flower" in result.error and "reserved" in result.error
    assert not (tmp_path / "dest" / "potato").exists()


# -- discovery: reserved faces, the cache folder, duplicate designs ------------------------------
def test_discovery_refuses_reserved_faces_by_internal_name_and_by_file_name(tmp_path):
    _needs_nanum()
    folder = tmp_path / "fonts"
    folder.mkdir()
    (folder / "innocent.ttf").write_bytes(small_font(GOTHIC, "Gaegu"))
    (folder / "also-innocent.ttf").write_bytes(small_font(MYEONGJO, "East Sea Dokdo"))
    (folder / "PoorStory-Regular.ttf").write_bytes(small_font(GOTHIC_BOLD, "Some Family"))
    (folder / "dokdo.ttf").write_bytes(small_font(MYEONGJO, "Dokdo"))  # a different, allowed family
    try:
        faces, problems = discover_fonts([folder], syllables=SYL)
        assert [f.id for f in faces] == ["Dokdo-Regular"]
        reserved = {Path(p.path).name: p.reason for p in problems if p.kind == "reserved"}
        assert set(reserved) == {"innocent.ttf", "also-innocent.ttf", "PoorStory-Regular.ttf"}
        assert "Gaegu is reserved for the project's independent evaluation; never used for training, validation or tuning" \
            in reserved["innocent.ttf"]
        assert "East Sea Dokdo" in reserved["also-innocent.ttf"] and "Poor Story (by its file name)" in reserved["PoorStory-Regular.ttf"]
        with pytest.raises(HandpadError, match="(?s)no usable font face.*Gaegu is reserved"):
            resolve_fonts([folder / "innocent.ttf"], syllables=SYL)
    finally:
        # These are Nanum subsets wearing reserved names; leave no file named like a reserved family behind.
        shutil.rmtree(folder, ignore_errors=True)


def test_a_renamed_copy_is_a_duplicate_design_and_distinct_designs_stay_apart(tmp_path):
    _needs_nanum(GOTHIC, GOTHIC_BOLD, MYEONGJO)
    copy = tmp_path / "Copy.ttf"
    copy.write_bytes(small_font(GOTHIC, "Copied Gothic"))  # other bytes, other name, same glyphs
    faces, problems = discover_fonts([copy, GOTHIC, MYEONGJO, GOTHIC_BOLD], syllables=SYL)
    by = {f.id: f for f in faces}
    assert sorted(by) == ["NanumGothic-Bold", "NanumGothic-Regular", "NanumMyeongjo-Regular"]  # Debian's is kept
    [dup] = [p for p in problems if p.kind == "duplicate"]
    assert dup.path == str(copy)
    assert re.search(r"CopiedGothic-Regular: duplicate design: draws the same glyphs as NanumGothic-Regular "
                     r"\(debian; similarity (0\.9\d\d|1\.000) >= 0\.85\)", dup.reason), dup.reason
    # Weights of one family: one design, both kept; another family: another design.
    assert by["NanumGothic-Bold"].design == by["NanumGothic-Regular"].design == "NanumGothic"
    assert by["NanumMyeongjo-Regular"].design == "NanumMyeongjo"
    assert {f.source for f in faces} == {"debian"}
    assert list(fonts.design_groups(faces)) == ["NanumGothic", "NanumMyeongjo"]
    # --exclude / --only of one face take its whole design.
    three = [GOTHIC, MYEONGJO, GOTHIC_BOLD]
    assert [f.id for f in discover_fonts(three, exclude=["NanumGothic-Regular"], syllables=SYL)[0]] == ["NanumMyeongjo-Regular"]
    assert [f.id for f in discover_fonts(three, only=["NanumGothic-Bold"], syllables=SYL)[0]] == \
        ["NanumGothic-Bold", "NanumGothic-Regular"]
    assert [f.id for f in discover_fonts(three, only=["NanumMyeongjo"], syllables=SYL)[0]] == ["NanumMyeongjo-Regular"]


def test_similarity_separates_one_design_from_two_different_ones(tmp_path):
    _needs_nanum(GOTHIC, GOTHIC_BOLD, MYEONGJO)
    copy = tmp_path / "copy.ttf"
    copy.write_bytes(small_font(GOTHIC, "Copied Gothic"))
    prints = [fonts.fingerprint(p, 0) for p in (GOTHIC, copy, MYEONGJO, GOTHIC_BOLD)]
    sim = fonts.similarities(prints)
    assert sim[0, 1] > 0.97  # the same glyphs
    assert sim[0, 2] < 0.7 and sim[0, 3] < 0.8  # another design; another weight
    assert fonts.same_weight(prints[0].weight, prints[1].weight) and not fonts.same_weight(prints[0].weight, prints[3].weight)
    # Fingerprints are cached by file hash and face index, in the fonts cache.
    cached = list((fonts.fonts_cache_dir() / ".fingerprints").glob("*.npz"))
    assert len(cached) == 4
    again = fonts.fingerprint(copy, 0)
    assert (again.ink == prints[1].ink).all() and (again.valid == prints[1].valid).all()


def test_default_fonts_include_the_fetched_ones_after_debians(tmp_path, fonts_cache, monkeypatch):
    _needs_nanum(GOTHIC, MYEONGJO)
    root = tmp_path / "usr-share-fonts"
    (root / "truetype" / "nanum").mkdir(parents=True)
    shutil.copy(GOTHIC, root / "truetype" / "nanum" / "NanumGothic.ttf")
    monkeypatch.setattr(fonts, "FONT_ROOT", root)
    # Two fetched packages: a copy of Debian's design (under another name), and a new design.
    (fonts_cache / "gothic-a1").mkdir(parents=True)
    (fonts_cache / "gothic-a1" / "GothicA1_400Regular.ttf").write_bytes(small_font(GOTHIC, "Gothic A1"))
    (fonts_cache / "dokdo").mkdir()
    (fonts_cache / "dokdo" / "Dokdo_400Regular.ttf").write_bytes(small_font(MYEONGJO, "Dokdo"))
    (fonts_cache / ".partial-orbit-123").mkdir()  # a fetch in progress: not looked at
    (fonts_cache / ".partial-orbit-123" / "Orbit.ttf").write_bytes(b"half")
    assert fonts.default_font_dirs() == [root / "truetype" / "nanum", fonts_cache]
    faces, problems = resolve_fonts(None, syllables=SYL)
    assert [(f.id, f.source, f.handwriting) for f in faces] == [
        ("Dokdo-Regular", "npm @expo-google-fonts/dokdo@0.4.1", True),
        ("NanumGothic-Regular", "debian", False),
    ]
    [dup] = problems
    assert dup.kind == "duplicate" and "GothicA1-Regular: duplicate design" in dup.reason and "NanumGothic-Regular (debian" in dup.reason
    text = fonts.describe(faces, problems)
    assert "2 usable face(s) in 2 design(s)" in text and "1 debian, 1 npm" in text


def test_cli_fetch_fonts(tmp_path, capsys, monkeypatch):
    _needs_nanum()
    assert handpad_main(["synth", "fetch-fonts", "--only", "@fontsource/poor-story"]) == 1
    assert "Poor Story is reserved for the project's independent evaluation" in capsys.readouterr().err
    assert handpad_main(["synth", "fetch-fonts", "--list", "--dest", str(tmp_path / "d")]) == 0
    out = capsys.readouterr().out
    assert "@expo-google-fonts/dokdo@0.4.1" in out and "OFL-1.1" in out and "reserved (never fetched or used): Gaegu" in out
    tgz = tarball(tmp_path, "cli-gothic", {"package/C_400Regular.ttf": small_font(GOTHIC, "Cli Gothic")})
    good = entry_for(tgz, "cli-gothic", ["package/C_400Regular.ttf"])
    bad = entry_for(tgz, "cli-bad", ["package/C_400Regular.ttf"], good=False)
    monkeypatch.setattr(fetch, "CATALOG", (good,))
    assert handpad_main(["synth", "fetch-fonts", "--dest", str(tmp_path / "d"), "--quiet"]) == 0
    assert "fetched: C_400Regular.ttf" in capsys.readouterr().out
    monkeypatch.setattr(fetch, "CATALOG", (good, bad))
    assert handpad_main(["synth", "fetch-fonts", "--dest", str(tmp_path / "d"), "--quiet"]) == 1
    captured = capsys.readouterr()
    assert "cli-gothic@1.0.0 (Test Gothic): present" in captured.out
    assert "@test-fonts/cli-bad@1.0.0 (Test Gothic): FAILED: @test-fonts/cli-bad@1.0.0: integrity check failed" in captured.err
    assert "1 package in place, 1 failed" in captured.err


def test_cli_fonts_shows_designs_sources_and_the_most_alike_pairs(capsys):
    _needs_nanum(GOTHIC, GOTHIC_BOLD, MYEONGJO)
    assert handpad_main(["synth", "fonts", "--fonts", str(GOTHIC), str(GOTHIC_BOLD), str(MYEONGJO), "--similar", "5"]) == 0
    out = capsys.readouterr().out
    assert "3 usable face(s) in 2 design(s)" in out and "3 debian" in out
    assert re.search(r"NanumGothic-Bold +designed +NanumGothic +debian +/usr/share", out)
    pairs = out.split("most alike pairs of different designs")[1].strip().splitlines()[1:]
    assert len(pairs) == 2 and all("NanumMyeongjo-Regular" in p for p in pairs)  # never two faces of one design
