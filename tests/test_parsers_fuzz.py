"""Property-based: random bytes and mutations of real files never crash a parser.

Each parser may only raise DataFormatError (file unusable) or yield DataFormatError (bad
sample); every sample it yields has the documented type, shape and label.
"""
from __future__ import annotations

import gzip
import re
import struct

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from handpad.errors import DataFormatError
from handpad.labels import euckr_pair_to_char
from handpad.sources.hgu1 import read_hgu1
from handpad.sources.mnist import IMAGES_MAGIC, LABELS_MAGIC, read_idx
from handpad.sources.phd08 import _NAME_RE, read_phd08

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@st.composite
def mutated(draw, base: bytes):
    """Byte flips, deletions, truncations and line duplications of ``base``."""
    data = bytearray(base)
    for _ in range(draw(st.integers(1, 4))):
        op = draw(st.sampled_from(["flip", "delete", "truncate", "dup_line", "insert"]))
        if not data:
            break
        i = draw(st.integers(0, len(data) - 1))
        if op == "flip":
            data[i] = draw(st.integers(0, 255))
        elif op == "delete":
            del data[i : i + draw(st.integers(1, 40))]
        elif op == "truncate":
            del data[i:]
        elif op == "insert":
            data[i:i] = draw(st.binary(min_size=1, max_size=8))
        else:
            start = data.rfind(b"\n", 0, i) + 1
            end = data.find(b"\n", i)
            end = len(data) if end < 0 else end + 1
            data[start:start] = data[start:end]
    return bytes(data)


def check_phd08(data: bytes) -> None:
    try:
        out = list(read_phd08("가.txt", data=data))
    except DataFormatError:
        return
    lines = data.split(b"\n")
    lf = data.replace(b"\r\n", b"\n")
    for item in out:
        if isinstance(item, DataFormatError):
            assert item.path == "가.txt" and item.line is not None and 1 <= item.line <= len(lines)
            continue
        name, img = item
        assert _NAME_RE.match(name.encode()) and img.dtype == np.bool_ and img.ndim == 2 and img.size
        # never a silently wrong sample: name, 'rows cols' header and exactly these pixel rows are in the data
        rows_text = b"\n".join(b"".join(b"1" if v else b"0" for v in row) for row in img)
        ws = rb"[ \t\r\x0b\x0c]*"
        pattern = re.escape(name.encode()) + ws + rb"\n" + ws + str(img.shape[0]).encode() + rb"[ \t]+" + str(img.shape[1]).encode() + ws + rb"\n" + re.escape(rows_text) + rb"(\n|$)"
        assert re.search(pattern, lf), name


@given(st.data())
@SETTINGS
def test_phd08_mutations(phd08_head, data):
    check_phd08(data.draw(mutated(phd08_head[:6000])))


@given(st.binary(max_size=2000))
@SETTINGS
def test_phd08_random_bytes(data):
    check_phd08(data)


def test_phd08_crlf_and_lf_heads_agree(phd08_head):
    a = [x for x in read_phd08("a.txt", data=phd08_head)]
    b = [x for x in read_phd08("a.txt", data=phd08_head.replace(b"\r\n", b"\n"))]
    assert len(a) == len(b) == 12 and all(np.array_equal(x[1], y[1]) for x, y in zip(a, b))


IDX_LABELS = LABELS_MAGIC.to_bytes(4, "big") + (20).to_bytes(4, "big") + bytes(range(10)) * 2
IDX_IMAGES = IMAGES_MAGIC.to_bytes(4, "big") + struct.pack(">III", 3, 5, 4) + bytes(range(60))


@given(st.data())
@SETTINGS
def test_idx_mutations(tmp_path_factory, data):
    base, magic = data.draw(st.sampled_from([(IDX_LABELS, LABELS_MAGIC), (IDX_IMAGES, IMAGES_MAGIC)]))
    raw = data.draw(st.one_of(mutated(base), st.binary(max_size=100)))
    gz = data.draw(st.booleans())
    path = tmp_path_factory.mktemp("idx") / ("f.idx.gz" if gz else "f.idx")
    path.write_bytes(gzip.compress(raw) if gz else raw)
    try:
        arr = read_idx(path, magic)
    except DataFormatError as e:
        assert e.path == str(path)
        return
    # accepted: the header is exactly what was read, and the data fills it exactly
    dims = struct.unpack(f">{raw[3]}I", raw[4 : 4 + 4 * raw[3]])
    assert int.from_bytes(raw[:4], "big") == magic and arr.shape == dims and arr.dtype == np.uint8
    assert arr.tobytes() == raw[4 + 4 * len(dims) :]


def _hgu1_base() -> bytes:
    rng = np.random.default_rng(0)
    out = b"HGU1    "
    for code, (h, w) in ((b"\xb0\xa1", (7, 5)), (b"\xb3\xaa", (4, 9)), (b"\xc8\xfe", (3, 3))):
        out += code + bytes([w, h, 0, 0]) + rng.integers(0, 256, h * w, dtype=np.uint8).tobytes()
    return out


HGU1 = _hgu1_base()


def check_hgu1(raw: bytes) -> None:
    try:
        out = list(read_hgu1("x.hgu1", data=raw))
    except DataFormatError as e:
        assert e.offset is not None
        return
    pos = 8
    for item in out:
        if isinstance(item, DataFormatError):
            assert item.offset is not None and 0 <= item.offset <= len(raw)
            if item.offset == pos and raw[pos + 4 : pos + 5] == b"\0" and len(raw) - pos >= 6 + raw[pos + 2] * raw[pos + 3]:
                pos += 6 + raw[pos + 2] * raw[pos + 3]  # a skipped sample: the reader moves past it
            continue
        char, img = item
        lead, trail, w, h = raw[pos : pos + 4]
        assert char == euckr_pair_to_char(lead, trail) and img.shape == (h, w) and img.dtype == np.uint8
        assert img.tobytes() == raw[pos + 6 : pos + 6 + w * h]
        pos += 6 + w * h


@given(st.data())
@SETTINGS
def test_hgu1_mutations(data):
    check_hgu1(data.draw(st.one_of(mutated(HGU1), st.binary(max_size=200), st.binary(max_size=200).map(lambda b: b"HGU1    " + b))))
