"""The pinned catalog of Korean fonts fetched from the npm registry (``handpad synth fetch-fonts``).

Every entry pins one npm package at one version, with the tarball's address and its
``dist.integrity`` (sha512; a download that does not match is refused), the package's
``license`` field as npm gives it, the fonts' own license, and which files to take:

* ``ttf``: ``@expo-google-fonts/*`` ship whole TTFs; ``files`` are their paths in the tarball.
* ``woff2-subsets``: ``@fontsource/*`` ship each weight cut into unicode-range pieces
  (``files/<id>-<piece>-<weight>-normal.woff2``); ``files`` are the weights, and the pieces of
  each weight are merged back into one TTF (:func:`handpad.synth.fetch.merge_subsets`).
* ``woff``: ``@noonnu/*`` (the fonts of noonnu.cc, packaged by skt-t1-byungi/noonnu-fonts) ship
  one whole font as WOFF or WOFF2; ``files`` are their paths, each unpacked into a plain TTF/OTF.
  Their npm ``license`` (MIT) is the packaging's; the fonts' own license is in their name table
  (Cafe24's: SIL OFL 1.1). Only faces whose license is stated in the font are taken: other
  handwriting faces of that scope (777, Uhbee, ylee, Flower Salt, Sangsang) say nothing of theirs.

One or two weights per family: the weights of one family are one design (see design groups in
:mod:`handpad.synth.fonts`), so more weights would add little. Values from
``npm view PKG version license dist.tarball dist.integrity`` (2025-11); every font here is
under the SIL Open Font License 1.1 (the ``license`` of an ``@expo-google-fonts`` package
covers its JavaScript too, hence "MIT AND OFL-1.1" or "MIT").

Reserved families (RESERVED) are never in this catalog, never fetched and never used: they
are kept for the project's independent evaluation.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

NPM = "https://registry.npmjs.org"

# Families kept for independent evaluation: never downloaded, never used for training,
# validation or tuning, from any source (the fetcher and font discovery refuse them).
RESERVED = (
    "Gaegu", "Poor Story", "Hi Melody", "Gamja Flower", "Single Day", "East Sea Dokdo", "Cute Font", "Stylish",
)
# Their Korean names, found anywhere in a name (Korean-named packages and fonts, e.g. noonnu.cc's).
RESERVED_KOREAN = {
    "개구": "Gaegu", "푸어스토리": "Poor Story", "하이멜로디": "Hi Melody", "감자꽃": "Gamja Flower",
    "싱글데이": "Single Day", "동해독도": "East Sea Dokdo", "귀여운폰트": "Cute Font", "큐트폰트": "Cute Font",
    "스타일리시": "Stylish", "스타일리쉬": "Stylish",
}
RESERVED_REASON = "reserved for the project's independent evaluation; never used for training, validation or tuning"


@dataclass(frozen=True)
class CatalogFont:
    name: str  # the package name without its scope: the --only name and the cache subfolder
    family: str  # the family name as published (Google Fonts)
    package: str
    version: str
    integrity: str  # npm's dist.integrity: "sha512-" + base64 digest of the tarball
    license: str  # the package's license field on npm
    kind: str  # "ttf", "woff2-subsets" or "woff"
    files: tuple[str, ...]  # ttf, woff: paths in the tarball; woff2-subsets: weights ("400", "700")
    font_license: str = "OFL-1.1"
    tarball: str = ""  # default: the registry's address for package@version

    def __post_init__(self):
        if not self.tarball:
            object.__setattr__(self, "tarball", f"{NPM}/{self.package}/-/{self.package.split('/')[-1]}-{self.version}.tgz")

    @property
    def pinned(self) -> str:
        return f"{self.package}@{self.version}"


def _expo(name, family, version, integrity, files, license="MIT AND OFL-1.1") -> CatalogFont:
    return CatalogFont(name, family, f"@expo-google-fonts/{name}", version, integrity, license, "ttf", tuple(files))


def _fontsource(name, family, version, integrity, weights, license="OFL-1.1") -> CatalogFont:
    return CatalogFont(name, family, f"@fontsource/{name}", version, integrity, license, "woff2-subsets", tuple(weights))


def _noonnu(name, family, integrity, file, version="0.1.0", license="MIT") -> CatalogFont:
    return CatalogFont(name, family, f"@noonnu/{name}", version, integrity, license, "woff", (f"package/fonts/{file}",))


# In preference order: of two faces with the same glyphs, the earlier one is kept (Debian's
# come before all of these).
CATALOG: tuple[CatalogFont, ...] = (
    _expo("nanum-pen-script", "Nanum Pen Script", "0.4.0",
          "sha512-Gvu4TjorCmhLVN/+xX2OAaX2bNAHbUN5L7qBFOlrk8AYbt/OsUufLCaQn1B8J8NcQg2e166YiTcahFS9Rjg06A==",
          ["package/400Regular/NanumPenScript_400Regular.ttf"]),
    _expo("nanum-brush-script", "Nanum Brush Script", "0.2.3",
          "sha512-g+e10szDlA6iyIuJPyaRPd8TbESZuurQ09Ev3tOamk6Mm64EnJtstCFj6rs6a8smV/LCKJ4kD8gZ/LTnarjvgQ==",
          ["package/NanumBrushScript_400Regular.ttf"], license="MIT"),
    _expo("dokdo", "Dokdo", "0.4.1",
          "sha512-tAZSg3TI9bacJdQ1taXZlJnJxwzi8t06qaMdsFykK2q5zKdUGY1GxgWa2Nc2At9deD9ofGh4S5h9eao4TOePVg==",
          ["package/400Regular/Dokdo_400Regular.ttf"]),
    _expo("song-myung", "Song Myung", "0.4.2",
          "sha512-Bxl205z2/8xv7Ns7BOF7+xHC5PJXQMoBRj6zckF5hLvB/W+OWaZj1fUTIvqoakqGXikbCndBT427Tf1X6fCGNQ==",
          ["package/400Regular/SongMyung_400Regular.ttf"]),
    _expo("sunflower", "Sunflower", "0.4.0",
          "sha512-Mq0vFT+CALUmb4g7GeeeDQWVlz/XPm0Aw5UzIw01eqZwG+Lz/sCIJJx7IvuKwah0xjRXFqzXTFKSiuC/n173dw==",
          ["package/500Medium/Sunflower_500Medium.ttf", "package/700Bold/Sunflower_700Bold.ttf"]),
    _expo("gugi", "Gugi", "0.2.0",
          "sha512-nf2hMxBMz/Y9oQcpknNGP1Xu5qW75IMyNQBH3thO5GpHNlm2Q0TqWB5qBk6Oo2g3o/Z8WyGvGTp++3ZuwQcXFg==",
          ["package/Gugi_400Regular.ttf"], license="MIT"),
    _expo("jua", "Jua", "0.4.1",
          "sha512-I6x3U8BSeMr8m+j7GMcI+3jkfnF6Umrn/moCdB0QrvUX/ecXN0yVse/sznE7uru/4VCDE5/3vsCIS9/zLRsGTQ==",
          ["package/400Regular/Jua_400Regular.ttf"]),
    _expo("do-hyeon", "Do Hyeon", "0.4.1",
          "sha512-Cgtstz6hIoHN05M6HG4KgnwuNqqKnhkqpADjko6BafYhz6MsqoilEUfcxdUIuIUomvES+dQVZiCpOyJQaoMJXA==",
          ["package/400Regular/DoHyeon_400Regular.ttf"]),
    _expo("black-han-sans", "Black Han Sans", "0.4.1",
          "sha512-82C84aqDOb/tzWj7fkfchAg/RreBlWuvl8nLO6FPFgG6bCxeUDWocxoRqzW3p2VLLPPM6mwHJOQGuQMTpyHqNA==",
          ["package/400Regular/BlackHanSans_400Regular.ttf"]),
    _expo("black-and-white-picture", "Black And White Picture", "0.4.1",
          "sha512-lVv6FcwfZgAUisgYewWmyW/xbByQ/aHWt/VQnAKkpyFYrdT+ra+KT4gH2J1UMnxdeFgk5Jfp/12ueg8blIOTow==",
          ["package/400Regular/BlackAndWhitePicture_400Regular.ttf"]),
    _expo("dongle", "Dongle", "0.4.1",
          "sha512-MesenbF6OhDDYXRm0cMac0OXraywePrrYrNOzSs+al+GYfPssCVeOdb5Ded8MUeGnmGliP/qRaO9g3yQXswgUw==",
          ["package/400Regular/Dongle_400Regular.ttf", "package/700Bold/Dongle_700Bold.ttf"]),
    _expo("gowun-dodum", "Gowun Dodum", "0.4.1",
          "sha512-De9v4TRISd9344Nbdikz+sMVVqPyoOQQ4GzXLwQvOh9SjK3HRFpKn5gmaGtG5iGIkMSTs7mv1bDd5k5QXDggzA==",
          ["package/400Regular/GowunDodum_400Regular.ttf"]),
    _expo("gowun-batang", "Gowun Batang", "0.4.1",
          "sha512-d0bdZaGH7Nu3sCW1c5fbtZDufA5RpE+Ph+Laa9xi9QlvHylMKS1lohZ7elhkJSy1hmJket4JeokzS4DzjGfpYg==",
          ["package/400Regular/GowunBatang_400Regular.ttf", "package/700Bold/GowunBatang_700Bold.ttf"]),
    _expo("gothic-a1", "Gothic A1", "0.4.1",
          "sha512-0KyXlxHUyismP2kBQGLs3dQtub+1Ye3QzD/Z/64XZHw7koVRiQl653Pch0u41rZaUtmu+6txjj3wxNPPkJE5jw==",
          ["package/400Regular/GothicA1_400Regular.ttf", "package/700Bold/GothicA1_700Bold.ttf"]),
    _expo("ibm-plex-sans-kr", "IBM Plex Sans KR", "0.2.3",
          "sha512-/EZmJm+tWQTO0C9tbYCk9Ngb/9v6sBkou+Wshui/fQ5wXyCm3pJ0ZdTnq0YeTS0FoUVeUVvvFIDpmHCbLeKqEA==",
          ["package/IBMPlexSansKR_400Regular.ttf", "package/IBMPlexSansKR_700Bold.ttf"], license="MIT"),
    _expo("orbit", "Orbit", "0.4.1",
          "sha512-o9oPbgNTIWI/euvgPGlkqPyz//hibWLK/h1HfT9s5tF3s+P+gbsXikI2H+9UbpmuQ5uZUJzW0FZtAyMKg3J4ag==",
          ["package/400Regular/Orbit_400Regular.ttf"]),
    _expo("gasoek-one", "Gasoek One", "0.4.0",
          "sha512-/DjeSLen7RI/zwwCN4V5YkGy4sfA7VNXaE6tJtgX0nDgYbflmKHVgYti2FIN9i7xXeUCSUjwmMX+70W292+yWA==",
          ["package/400Regular/GasoekOne_400Regular.ttf"]),
    _expo("bagel-fat-one", "Bagel Fat One", "0.4.0",
          "sha512-f7JwE9QxBqReG9CnHzNcpM7mDVT1NErKKvbp06FTUSyDOd28Mu6PwIIfAa7JDLFwuj0r4C1uk9ui4SS+Mzj1aQ==",
          ["package/400Regular/BagelFatOne_400Regular.ttf"]),
    _expo("moirai-one", "Moirai One", "0.4.0",
          "sha512-cZ67MfvgRBLfCYlfFLzJB42P8CQuYwLkxJ5lj1vSZXCg/WgWFP+f0GyEDvV/gQWKwlrD0PcDj9MDUormsTRtxQ==",
          ["package/400Regular/MoiraiOne_400Regular.ttf"]),
    _fontsource("kirang-haerang", "Kirang Haerang", "5.0.7",
                "sha512-a8zDQAVH4o14YFuDQCNkJ2Mbugl3od1n8N7t7hQJigKVOuhCvYWO2XZQZ3MHyz14VkrxApKS3XyXe9pxLrXKGA==",
                ["400"]),
    _fontsource("yeon-sung", "Yeon Sung", "4.5.10",
                "sha512-Yjo7MHFG6dPw9dpoxZUvyqyDI4XJPYmov3ZCAesB6VQP08d7uyW0Bp5mJKPw6piZX9/j1kUpd1MUjex8fkp8MQ==",
                ["400"], license="MIT"),
    _fontsource("hahmlet", "Hahmlet", "5.3.0",
                "sha512-2zUpCMK7RQMu29Zp7bwVh5Z+DaQxsM2IPqcv63xLg0W2LJcMm7nRNSIBkQkrD8HhNsfGO5Y1MEsbWvwlhu6eGw==",
                ["400", "700"]),
    _fontsource("diphylleia", "Diphylleia", "5.2.7",
                "sha512-drxZBgXhZWMvVTx6JV8SNArAcP/Fkt1VMgXFCqnMlNTq345fshSaT88ObgqLpX+jyYuzl6LSen9MQeUPblKjiw==",
                ["400"]),
    _fontsource("grandiflora-one", "Grandiflora One", "5.3.0",
                "sha512-NCCvd6e+SjC25zFqCEQ655ZWS8oxgZmag59mjhSr6UVSY9OmxGchuPdNpih/Fa0i1H6RpK5HN25SnIGSLDkx2A==",
                ["400"]),
    # Cafe24's faces (noonnu.cc pages 340-346, 371, 669-670; versions and integrity: `npm view`, 2026-12).
    # Hand-lettered: Dongdong, Oneprettynight, Shiningstar, Ssukssuk, Syongsyong; designed: the rest.
    _noonnu("cafe24-shiningstar", "Cafe24 Shiningstar",
            "sha512-V/v+/nEAxJPY3peXJ/Wtxl1YG14ILKzxfH8RW8n9Jmol11DQ9fX4R1V11euj7A2YBdF7GUF+BtJMjCsxw2jcyw==",
            "cafe24shiningstar-normal.woff"),
    _noonnu("cafe24-syongsyong", "Cafe24 Syongsyong",
            "sha512-cybWuCudB8pOTVgaOcQ9pV/aRXgSTBo0SZ8SxsbNjdmeZN3fHGWa6hNqgzkCcOF98sQOBiwfkPbskt/7P15+eg==",
            "cafe24syongsyong-normal.woff"),
    _noonnu("cafe24-oneprettynight", "Cafe24 Oneprettynight",
            "sha512-51n6u8nJUz4y+7xNIBadSK9xUs3geB77GqdTkvvD8gfsEVgcsMg3BGOaz91SImmYloggsQMoay7up9T9dgl1aA==",
            "cafe24oneprettynight-normal.woff"),
    _noonnu("cafe24-dongdong", "Cafe24 Dongdong",
            "sha512-5CYWtE4Ipc77T6zJo0lRyDTWn1rg+pfIXO0Xe/rcqM+6/R+XIVHLNuFEUZDU0iTqGQPgcW64XszH+YavDf3XUQ==",
            "cafe24dongdong-normal.woff"),
    _noonnu("cafe24-ssukssuk", "Cafe24 Ssukssuk",
            "sha512-jlK0XNC+eV3wQDfr4LNuT246M04jn949pa7OY/QtWtn8FIzMP+HfkmjHhsM6frJ5ehDmkVl1oVJFilSiaJ6kvQ==",
            "cafe24ssukssuk-normal.woff"),
    _noonnu("cafe24-dangdanghae", "Cafe24 Dangdanghae",
            "sha512-+U0Rqyr5NKt8t0V730rGiJ/G699qn9trivF7E9SpnjizdxKLc7+wk47qt6GXRV0/rODAPiS1fYG9mNJOgHd0GQ==",
            "cafe24dangdanghae-normal.woff"),
    _noonnu("cafe24-danjunghae", "Cafe24 Danjunghae",
            "sha512-6F7AL4Uhpi+dZX/2F4HDk2SSJhmexJq7xqEO2VLIMoNmzX2rTKsIRPHniaf1xvY5fFeHtBs/qsFVJXQGsu7vvQ==",
            "cafe24danjunghae-normal.woff"),
    _noonnu("cafe24-simplehae", "Cafe24 Simplehae",
            "sha512-mmZyl0MmTdRUa/sYD5kVeaSsflLI0mMfLDO4miMlM0h59JNCSIKpc0NVtdEQCfJDdK3uYlsLV6g/nJYO1Uqvlw==",
            "cafe24simplehae-normal.woff"),
    _noonnu("cafe24-ssurround", "Cafe24 Ssurround",
            "sha512-Z1v0EQYxETnkR8YqRZaS+tyqy4rJ6dASyxVkJ/J4GKrAqPdA93CZHT9mMRWC1TmrEIXiXpVpYoV8bqT1kOJDfw==",
            "cafe24ssurround-normal.woff"),
    _noonnu("cafe24-ssurround-air", "Cafe24 Ssurround Air",
            "sha512-i4WanoD6x0HqSGAPH5JDIGteC4jQdWGNWCUtucVQWoTPJJ7xpvrKO5iXX1JWEI6HxiB/W+ZncHktJeMI2uH02Q==",
            "cafe24ssurroundair-normal.woff"),
)


def _key(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.lower())


_RESERVED_KEYS = {_key(name): name for name in RESERVED}


def name_words(text: str) -> list[str]:
    """The words of a name, lower case: "EastSeaDokdo-Regular" and "east_sea dokdo regular"
    -> ["east", "sea", "dokdo", "regular"]; "@fontsource/poor-story" -> ["fontsource", "poor", "story"]."""
    return [w.lower() for w in re.findall(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|[0-9]+", text)]


def reserved_family(text: str) -> str | None:
    """The reserved family that ``text`` (a package, family, face or file name) names, else None.

    Whole names only, whatever the case, spaces, hyphens or scope: "east-sea-dokdo",
    "EastSeaDokdo", "@expo-google-fonts/east-sea-dokdo" and "Gaegu-Bold.ttf" are reserved;
    "Dokdo" (another family) and "Gaegumi" are not. A run of consecutive words is matched,
    so "@fontsource/poor-story" and "PoorStory_400Regular" are found too. Korean names are
    found anywhere, spaces ignored ("동해 독도", "감자꽃체"): a wider net, for a rule never to break.
    """
    compact = re.sub(r"\s+", "", text)
    for korean, family in RESERVED_KOREAN.items():
        if korean in compact:
            return family
    words = name_words(text)
    for i in range(len(words)):
        joined = ""
        for w in words[i:]:
            joined += w
            if joined in _RESERVED_KEYS:
                return _RESERVED_KEYS[joined]
            if len(joined) >= max(map(len, _RESERVED_KEYS)):
                break
    return None
