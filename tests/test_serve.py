"""``handpad serve``: the JSON API (answers, errors, limits, the sample store, no cross-origin access)
through Starlette's TestClient, the body limit on a lazy stream, thread safety, and the command itself."""
from __future__ import annotations

import asyncio
import io
import json
import socket
import subprocess
import sys
import threading
import unicodedata
import urllib.request
import warnings
from pathlib import Path

import cv2
import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from conftest import require
from handpad.web.app import MAX_BODY_BYTES, ApiError, create_app, read_body

FONT = Path("/usr/share/fonts/truetype/unfonts-core/UnDotum.ttf")
LOCAL = "http://127.0.0.1:8765"  # the Host the API answers to by default (loopback names only)


def png(image: np.ndarray) -> bytes:
    return cv2.imencode(".png", image)[1].tobytes()


def drawn_digit(digit: str) -> bytes:
    """A digit as the pad draws it: dark 18 px strokes on a white 400x400 canvas."""
    canvas = np.full((400, 400), 255, np.uint8)
    lines = {"1": [((200, 60), (200, 340))], "7": [((100, 80), (300, 80)), ((300, 80), (170, 340))]}[digit]
    for a, b in lines:
        cv2.line(canvas, a, b, 0, 18, cv2.LINE_AA)
    return png(canvas)


def rendered_syllable(syllable: str) -> bytes:
    require(FONT.exists(), "fonts-unfonts-core (UnDotum)")
    image = Image.new("L", (300, 300), 255)
    ImageDraw.Draw(image).text((40, 30), syllable, font=ImageFont.truetype(str(FONT), 200), fill=0)
    return png(np.asarray(image))


def make_client(app):
    # starlette 1.x asks for the `httpx2` package and warns when the TestClient runs on httpx (same API).
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from starlette.testclient import TestClient
    return TestClient(app, base_url=LOCAL)


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    return make_client(create_app(samples=tmp_path_factory.mktemp("samples")))


@pytest.mark.parametrize("model, image, expected", [
    ("digits", lambda: drawn_digit("1"), "1"),
    ("digits", lambda: drawn_digit("7"), "7"),
    ("hangul", lambda: rendered_syllable("가"), "가"),
    ("hangul", lambda: rendered_syllable("그"), "그"),
])
def test_predict_reads_digits_and_syllables(client, model, image, expected):
    r = client.post(f"/api/predict?model={model}&top=3", content=image())
    assert r.status_code == 200, r.text
    answer = r.json()
    assert list(answer) == ["top", "unsure"] and answer["unsure"] is False
    top = answer["top"]
    assert [list(t) for t in top] == [["label", "prob"]] * 3
    assert top[0]["label"] == expected and top[0]["prob"] > 0.9
    probs = [t["prob"] for t in top]
    assert probs == sorted(probs, reverse=True)
    assert sum(probs) <= 1 + 1.5e-4  # each rounded to 4 places


def test_an_iphone_photo_is_read(client):
    """HEIC, an iPhone's photo format (pillow-heif), through the same decoding as every upload."""
    from pillow_heif import register_heif_opener

    register_heif_opener()
    digit = cv2.imdecode(np.frombuffer(drawn_digit("7"), np.uint8), cv2.IMREAD_GRAYSCALE)
    photo = io.BytesIO()
    Image.fromarray(digit).convert("RGB").save(photo, format="HEIF", quality=90)
    r = client.post("/api/predict?model=digits", content=photo.getvalue())
    assert r.status_code == 200, r.text
    assert r.json()["top"][0]["label"] == "7"


def test_top_and_only(client):
    top5 = client.post("/api/predict?model=hangul&top=5", content=rendered_syllable("가")).json()["top"]
    assert len(top5) == 5 and top5[0]["label"] == "가"
    assert len(client.post("/api/predict?model=digits", content=drawn_digit("1")).json()["top"]) == 3  # default 3
    # 똠 is outside the 2350: asked for those only, the model never answers it.
    rare = rendered_syllable("똠")
    assert client.post("/api/predict?model=hangul", content=rare).json()["top"][0]["label"] == "똠"
    common = client.post("/api/predict?model=hangul&only=hangul-ksx1001&top=10", content=rare).json()["top"]
    assert "똠" not in [t["label"] for t in common] and len(common) == 10


def test_the_answer_is_predict_json(client, tmp_path, capsys):
    from handpad.cli import main

    for model, data in (("digits", drawn_digit("7")), ("hangul", rendered_syllable("가"))):
        path = tmp_path / f"{model}.png"
        path.write_bytes(data)
        assert main(["predict", "--model", model, "--json", str(path)]) == 0
        line = json.loads(capsys.readouterr().out.strip())
        assert line.pop("file") == str(path)
        assert client.post(f"/api/predict?model={model}", content=data).json() == line


def bomb(path: Path) -> bytes:
    return path.read_bytes()


@pytest.mark.parametrize("url, body, status, says", [
    ("/api/predict?model=digits", lambda _: png(np.full((300, 300), 255, np.uint8)), 400, "nothing drawn"),
    ("/api/predict?model=digits", lambda _: b"\x89PNG\r\n\x1a\n but not really" * 10, 400, "not a readable image"),
    ("/api/predict?model=digits", lambda _: b"", 400, "empty body"),
    ("/api/predict?model=digits", lambda _: b"this is not an image", 400, "not a readable image (unknown format"),
    ("/api/predict?model=digits", lambda _: b"%PDF-1.7\n1 0 obj", 400, "a PDF document, not an image: export its page"),
    ("/api/predict?model=digits", lambda _: b"\0" * (MAX_BODY_BYTES + 1), 413, "over the limit of 2097152 bytes"),
    ("/api/predict?model=digits", lambda _: png(np.zeros((4097, 4096), np.uint8)), 413, "16.8 megapixels"),
    ("/api/predict?model=digits", bomb, 413, "20000x20000 = 400.0 megapixels"),
    ("/api/predict?model=letters", lambda _: drawn_digit("1"), 404, "unknown model 'letters'"),
    ("/api/predict", lambda _: drawn_digit("1"), 404, "unknown model ''"),
    ("/api/predict?model=digits&top=0", lambda _: drawn_digit("1"), 400, "top must be a whole number from 1 to 100"),
    ("/api/predict?model=digits&top=x", lambda _: drawn_digit("1"), 400, "not 'x'"),
    ("/api/predict?model=digits&top=101", lambda _: drawn_digit("1"), 400, "from 1 to 100"),
    ("/api/predict?model=digits&top=%C2%B2", lambda _: drawn_digit("1"), 400, "not '²'"),  # a digit, not 0-9
    ("/api/predict?model=hangul&only=hangul-2350", lambda _: drawn_digit("1"), 400, "unknown label space 'hangul-2350'"),
    ("/api/samples?model=digits&label=가", lambda _: drawn_digit("1"), 400, "'가' is not one of the digits model's labels"),
    ("/api/samples?model=hangul&label=A", lambda _: drawn_digit("1"), 400, "'A' is not one of the hangul model's labels"),
    ("/api/samples?model=hangul", lambda _: drawn_digit("1"), 400, "label= is required"),
    ("/api/samples?model=hangul&label=가", lambda _: png(np.full((300, 300), 255, np.uint8)), 400, "nothing drawn"),
    ("/api/samples?model=hangul&label=가", bomb, 413, "megapixels"),
])
def test_errors(client, bomb_png, url, body, status, says):
    r = client.post(url, content=body(bomb_png))
    assert r.status_code == status, r.text
    assert says in r.json()["error"]


def test_a_streamed_body_is_cut_off_at_the_limit():
    """Without a Content-Length the body is read chunk by chunk and refused as soon as it passes the limit."""
    chunk, pulled = 64 * 1024, []

    async def receive():
        pulled.append(1)
        return {"type": "http.request", "body": b"\0" * chunk, "more_body": True}  # endless

    from starlette.requests import Request

    request = Request({"type": "http", "method": "POST", "headers": []}, receive)
    with pytest.raises(ApiError) as e:
        asyncio.run(read_body(request))
    assert e.value.status == 413
    assert len(pulled) == MAX_BODY_BYTES // chunk + 1  # nothing read past the first chunk over the limit


def test_a_declared_oversized_body_is_refused_unread():
    from starlette.requests import Request

    async def receive():
        raise AssertionError("the body was read")

    headers = [(b"content-length", str(MAX_BODY_BYTES + 1).encode())]
    with pytest.raises(ApiError) as e:
        asyncio.run(read_body(Request({"type": "http", "method": "POST", "headers": headers}, receive)))
    assert e.value.status == 413


def test_saved_samples_go_into_the_configured_store(tmp_path):
    from handpad.data import stack_stores
    from handpad.model import Model
    from handpad.store import load_store

    client = make_client(create_app(samples=tmp_path))
    for n, label in enumerate(["가", unicodedata.normalize("NFD", "그"), "가"], 1):  # NFD arrives as NFC
        r = client.post(f"/api/samples?model=hangul&label={label}", content=rendered_syllable(unicodedata.normalize("NFC", label)))
        assert r.status_code == 200, r.text
        assert r.json() == {"saved": n, "label": unicodedata.normalize("NFC", label), "model": "hangul",
                            "store": str(tmp_path / "hangul-samples")}
    assert client.post("/api/samples?model=digits&label=7", content=drawn_digit("7")).json()["saved"] == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["digits-samples", "hangul-samples"]

    store = load_store(tmp_path / "hangul-samples")
    assert [store.label_space.labels[i] for i in store.labels] == ["가", "그", "가"]
    # What `handpad finetune --model hangul --data <store>` reads: the model's inputs, labels in its space.
    model = Model.load("hangul")
    assert store.images.shape == (3, model.input_size, model.input_size) and store.images[:].max() == 255
    images, labels = stack_stores([store], model.label_space, model.input_size)
    assert [model.label_space.labels[i] for i in labels] == ["가", "그", "가"]
    digits = load_store(tmp_path / "digits-samples")
    assert digits.label_space.name == "digits" and list(digits.labels) == [7]


def test_a_store_of_another_label_space_is_a_conflict(tmp_path):
    from handpad.store import StoreWriter

    StoreWriter(tmp_path / "hangul-samples", "digits", source="test").close()
    client = make_client(create_app(samples=tmp_path))
    r = client.post("/api/samples?model=hangul&label=가", content=rendered_syllable("가"))
    assert r.status_code == 409 and "another label space" in r.json()["error"]


def test_no_cross_origin_access(client):
    one = drawn_digit("1")
    r = client.post("/api/predict?model=digits", content=one, headers={"Origin": "http://evil.example"})
    assert r.status_code == 403 and "other sites" in r.json()["error"]
    r = client.post("/api/samples?model=digits&label=1", content=one, headers={"Origin": "http://evil.example"})
    assert r.status_code == 403
    r = client.options("/api/predict?model=digits", headers={"Origin": "http://evil.example",
                                                            "Access-Control-Request-Method": "POST"})
    assert r.status_code == 405  # no preflight answered
    r = client.post("/api/predict?model=digits", content=one, headers={"Origin": LOCAL})
    assert r.status_code == 200  # the page itself
    for r in (r, client.get("/"), client.get("/static/pad.js", headers={"Origin": "http://evil.example"})):
        assert not [h for h in r.headers if h.lower().startswith("access-control-")]
    # DNS rebinding: a name that points here but is not a loopback name.
    r = client.post("/api/predict?model=digits", content=one, headers={"Host": "evil.example:8765"})
    assert r.status_code == 403 and "answers only to 127.0.0.1, localhost, ::1" in r.json()["error"]
    for headers in ({"Host": "[::1"}, {"Origin": "http://[::1"}, {"Origin": "null"}):  # unparsable or opaque
        assert client.post("/api/predict?model=digits", content=one, headers=headers).status_code == 403


def test_the_page_is_served_from_here(client):
    page = client.get("/")
    assert page.status_code == 200 and "default-src 'self'" in page.headers["content-security-policy"]
    for asset in ("static/main.js", "static/pad.css"):
        assert f'"{asset}"' in page.text
        assert client.get(f"/{asset}").status_code == 200
    js = client.get("/static/pad.js")
    assert js.headers["content-type"].startswith("text/javascript") and "export function mountPad" in js.text
    assert "touch-action: none" in client.get("/static/pad.css").text
    for name in ("", "static/main.js", "static/pad.js", "static/pad.css"):  # nothing loaded from elsewhere
        text = client.get(f"/{name}").text
        assert "http://" not in text and "https://" not in text, name


def test_each_model_loads_once_and_concurrent_predictions_agree(tmp_path, monkeypatch):
    from handpad.recognizer import Recognizer
    from handpad.web.app import ServedModel

    loads = []
    real_load = Recognizer.load.__func__
    monkeypatch.setattr(Recognizer, "load", classmethod(lambda cls, *a, **k: loads.append(a) or real_load(cls, *a, **k)))
    served = ServedModel("digits", "digits", tmp_path)
    images = {"1": drawn_digit("1"), "7": drawn_digit("7")}
    wrong, barrier = [], threading.Barrier(8)

    def client_thread(i):
        barrier.wait()
        for j in range(15):
            expected = "17"[(i + j) % 2]
            if served.top_k(images[expected], 3, None)[0][0] != expected:
                wrong.append((i, j))

    threads = [threading.Thread(target=client_thread, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert wrong == [] and loads == [("digits",)]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.parametrize("host, warns", [("127.0.0.1", False), ("0.0.0.0", True)])
def test_the_command_serves_and_warns_off_loopback(host, warns, tmp_path):
    from handpad.cli import build_parser

    assert build_parser().parse_args(["serve"]).host == "127.0.0.1"
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "handpad", "serve", "--host", host, "--port", str(port),
                             "--samples", str(tmp_path)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline()
        assert line.startswith(f"handpad serve: the pad is at http://127.0.0.1:{port}/"), (line, proc.stderr.read())
        request = urllib.request.Request(f"http://127.0.0.1:{port}/api/predict?model=digits", data=drawn_digit("7"))
        with urllib.request.urlopen(request, timeout=60) as r:
            assert json.load(r)["top"][0]["label"] == "7"
    finally:
        proc.terminate()
        _, err = proc.communicate(timeout=30)
    assert ("warning: listening on 0.0.0.0, not only on this machine" in err) == warns, err


def test_a_taken_port_is_a_clear_error(capsys):
    from handpad.cli import main

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        assert main(["serve", "--port", str(s.getsockname()[1])]) == 1
    assert "handpad serve: error: cannot listen on 127.0.0.1 port" in capsys.readouterr().err
