"""``handpad serve``'s web app: the browser drawing pad and its JSON API (Starlette, run by uvicorn).

    GET  /                the pad (static/index.html); everything it needs is served from here (no CDN)
    GET  /static/...      pad.js (an ES module: mountPad), main.js (the page's glue), pad.css
    POST /api/predict?model=digits|hangul&top=3[&only=LABEL_SPACE]     body: the image (PNG or JPEG bytes)
         -> 200 {"top": [{"label": "가", "prob": 0.9731}, ...], "unsure": false}   (as `handpad predict --json`)
    POST /api/samples?model=digits|hangul&label=가                      body: the image
         -> 200 {"saved": 12, "label": "가", "model": "hangul", "store": "<the store's folder>"}
    POST /api/samples    body: {"kind": "hangul", "strokes": [...], "labels": ["안", "녕"]} (JSON: a line of the word
         mode, its labels as the text shows them, picks included) -> each character's own ink, as /api/read reads it,
         saved under its label: 200 {"saved": 14, "labels": ["안", "녕"], "model": "hangul", "store": "..."}
    POST /api/read[?model=digits|hangul&top=8]    body: {"kind": "hangul", "strokes": [{"width": 18,
         "points": [[x, y], ...]}, ...]} (JSON, strokes in drawing order), or the image (PNG, JPEG or HEIC:
         a phone's photo of a page, up to :data:`MAX_PHOTO_BYTES`)
         -> 200 Reading.to_json(): {"text": "안녕", "syllables": [{"box", "label", "top", "unsure",
            "space_before", "line"}, ...]}   (as `handpad read --json`, without "file"; an image of several
            lines is read line by line: "text" holds a newline between them)

Errors answer ``{"error": "..."}``: 400 (no ink, an unreadable image, a bad parameter or label,
JSON that is not valid or not strokes), 403 (a request from another web site or to another host
name), 404 (an unknown model), 409 (the store folder holds another label space's samples; a saved
line's labels, one per character, do not match what its strokes read as), 413 (a body over
:data:`MAX_BODY_BYTES` (an image for /api/read: :data:`MAX_PHOTO_BYTES`), an image over
:data:`MAX_IMAGE_PIXELS`, strokes spanning more than that many pixels or more than
:data:`MAX_STROKES` strokes / :data:`MAX_POINTS` points).

Limits come before the work: the declared Content-Length is checked before any byte is read and a
streamed body is cut off past the limit; the image's size is read from its header before its pixels
are decoded (a decompression bomb is refused in about a millisecond). Saved drawings go only into the
stores given to :func:`create_app`; no path ever comes from a request. No CORS headers are sent, and
a POST whose Origin is another site is refused, so other web pages can neither read answers nor add
samples. Each model is loaded once, on first use; its LiteRT interpreter is not thread-safe, so
model calls run under one lock per model (decoding and preprocessing run outside it, in the thread pool).
"""
from __future__ import annotations

import contextlib
import json
import math
import threading
import unicodedata
from pathlib import Path
from urllib.parse import urlsplit

import numpy as np
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from ..errors import DataFormatError, HandpadError, NothingDrawnError
from ..pad.canvas import SampleSaver, default_store_dir
from ..recognizer import Recognizer, answer_json
from ..sources.images import decode_image, image_header_size, what_it_is

KINDS = ("digits", "hangul")
MAX_BODY_BYTES = 2 * 1024 * 1024  # a 400x400 canvas is ~10 KB as PNG
MAX_PHOTO_BYTES = 24 * 1024 * 1024  # /api/read: a phone's 12-megapixel JPEG is 3-6 MB, a PNG of a scan more
MAX_IMAGE_PIXELS = 4096 * 4096  # 16 megapixels
MAX_TOP = 100
MAX_STROKES = 400  # a line of handwriting has a few dozen
MAX_POINTS = 100_000  # all strokes together (a stroke of the pad has tens to hundreds)
MAX_PEN = 256  # pen width in pixels (the pads' widest is 64)
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")
STATIC = Path(__file__).resolve().parent / "static"
# The page loads nothing from elsewhere; the canvas' PNG travels as a Blob.
PAGE_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data: blob:; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
}


class ApiError(Exception):
    """An answer other than 200: its HTTP status and the message for ``{"error": ...}``."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status


class ServedModel:
    """One kind's model, loaded on first use, and the store its labeled drawings go into."""

    def __init__(self, kind: str, model, store: Path):
        self.kind = kind
        self.model = model  # a shipped name or a .keras path, as Recognizer.load takes it
        self.store = Path(store)
        self._recognizers = {}  # only (a label space name, or None) -> Recognizer over the one Model
        self._lock = threading.Lock()  # loading, and every call of the (not thread-safe) interpreter
        self._save_lock = threading.Lock()
        self._saver = None

    def recognizer(self, only: str | None = None):
        with self._lock:
            if None not in self._recognizers:
                self._recognizers[None] = Recognizer.load(self.model)
            if only not in self._recognizers:
                try:
                    self._recognizers[only] = Recognizer(self._recognizers[None].model, only)
                except HandpadError as e:
                    raise ApiError(400, str(e)) from None
            return self._recognizers[only]

    def top_k(self, data: bytes, k: int, only: str | None) -> list[tuple[str, float]]:
        rec = self.recognizer(only)
        seen = prepare(rec, data)
        with self._lock:
            return rec.top_k_batch([seen], k, prepared=True)[0]

    def read(self, k: int | None, strokes=None, data: bytes | None = None) -> dict:
        """Read a line, from the pad's strokes (checked by :func:`line_strokes`) or else an image's bytes:
        ``Reading.to_json()``."""
        rec = self.recognizer()
        image = decode(data) if strokes is None else None
        try:
            with self._lock:  # the whole reading: its model calls are inside it
                reading = rec.read(image=image, strokes=strokes, k=k)
        except (DataFormatError, NothingDrawnError) as e:
            raise ApiError(400, str(e)) from None
        except HandpadError as e:  # a stroke the reader refuses
            raise ApiError(400, str(e)) from None
        return reading.to_json()

    def save(self, data: bytes, label: str) -> int:
        """Add the drawing to the store under ``label``; returns the store's sample count."""
        rec = self.recognizer()
        if label not in rec.model.label_space:
            raise ApiError(400, f"label {label!r} is not one of the {self.kind} model's labels")
        seen = prepare(rec, data)
        with self._save_lock:
            if self._saver is None:  # opened on the first save, as in the desktop pad; each save is committed
                self._saver = SampleSaver(self.store, rec.model.label_space)
            try:
                return self._saver.save(seen, label)
            except (HandpadError, ValueError) as e:  # the folder holds another space's store
                raise ApiError(409, f"not saved: {e}") from None

    def save_line(self, strokes, labels) -> tuple[int, list[str]]:
        """Read the line's strokes again (as /api/read did), read each character as ``labels`` says (marks as
        they are) and save each one's own ink (``Recognizer.samples``); returns the store's count and the labels."""
        rec = self.recognizer()
        try:
            with self._lock:
                reading = rec.read(strokes=strokes)
        except (HandpadError, NothingDrawnError) as e:
            raise ApiError(400, str(e)) from None
        if len(labels) != len(reading.syllables):
            n = len(reading.syllables)
            raise ApiError(409, f"the line reads as {n} character{'' if n == 1 else 's'}, not {len(labels)}: "
                                "read it again (POST /api/read) and send a label for each")
        for i, (syllable, label) in enumerate(zip(reading.syllables, labels)):
            if syllable.ink is None:  # a mark: not saved
                continue
            if label not in rec.model.label_space:
                raise ApiError(400, f"label {label!r} (character {i + 1}) is not one of the {self.kind} model's labels")
            reading = reading.choose(i, label)
        samples = rec.samples(reading)
        if not samples:
            raise ApiError(400, "nothing to save: the line holds only marks")
        with self._save_lock:
            if self._saver is None:
                self._saver = SampleSaver(self.store, rec.model.label_space)
            try:
                for seen, label in samples:
                    count = self._saver.save(seen, label)
            except (HandpadError, ValueError) as e:
                raise ApiError(409, f"not saved: {e}") from None
        return count, [label for _, label in samples]

    def close(self) -> None:
        with self._save_lock:
            if self._saver is not None:
                self._saver.close()
                self._saver = None


def decode(data: bytes):
    """Image bytes -> the decoded image; the pixel count is checked from the header before decoding."""
    if not data:
        raise ApiError(400, "empty body: send the image's bytes (PNG or JPEG) as the request body")
    size = image_header_size(data)
    if size is None:
        raise ApiError(400, f"not a readable image ({what_it_is(data)}; send PNG, JPEG or HEIC bytes)")
    width, height = size
    if width * height > MAX_IMAGE_PIXELS:
        raise ApiError(413, f"image is {width}x{height} = {width * height / 1e6:.1f} megapixels, over the limit "
                            f"of {MAX_IMAGE_PIXELS / 1e6:.1f} megapixels")
    try:
        return decode_image(data, "the image")
    except DataFormatError as e:
        raise ApiError(400, str(e)) from None


def prepare(rec, data: bytes):
    """Image bytes -> the model's input (see :func:`decode`)."""
    image = decode(data)
    try:
        return rec.prepare(image)
    except (DataFormatError, NothingDrawnError) as e:
        raise ApiError(400, str(e)) from None


STROKES_FORM = '{"kind": "hangul", "strokes": [{"width": 18, "points": [[x, y], ...]}, ...]}'


def line_strokes(strokes) -> list[tuple[np.ndarray, float]]:
    """The ``strokes`` of a /api/read body, checked before any work: a list of ``{"width", "points"}``
    (width a number above 0, at most MAX_PEN; points [[x, y], ...] finite numbers), at most MAX_STROKES
    strokes and MAX_POINTS points, spanning at most MAX_IMAGE_PIXELS pixels (the reader draws each
    syllable's strokes). Strokes without points are left out; none left: nothing drawn (400)."""
    if not isinstance(strokes, list):
        raise ApiError(400, f"strokes must be a list of strokes: {STROKES_FORM}")
    if len(strokes) > MAX_STROKES:
        raise ApiError(413, f"{len(strokes)} strokes, over the limit of {MAX_STROKES}")
    out, total = [], 0
    for i, stroke in enumerate(strokes):
        if not isinstance(stroke, dict) or not isinstance(stroke.get("points"), list):
            raise ApiError(400, f"stroke {i} must be an object with points: {{\"width\": 18, \"points\": [[x, y], ...]}}")
        width = stroke.get("width", 18)
        if isinstance(width, bool) or not isinstance(width, (int, float)) or not (0 < width <= MAX_PEN):
            raise ApiError(400, f"stroke {i}: width must be a number above 0 and at most {MAX_PEN}, not {width!r}")
        total += len(stroke["points"])
        if total > MAX_POINTS:
            raise ApiError(413, f"over {MAX_POINTS} points in all, the limit")
        if not stroke["points"]:
            continue
        points = stroke["points"]
        if not all(isinstance(p, list) and len(p) == 2 and all(isinstance(v, (int, float)) and not isinstance(v, bool)
                                                                for v in p) for p in points):
            raise ApiError(400, f"stroke {i}: points must be [[x, y], ...] with numbers x and y")
        pts = np.asarray(points, np.float64)
        if not np.isfinite(pts).all():
            raise ApiError(400, f"stroke {i}: points must be finite numbers")
        out.append((pts.astype(np.float32), float(width)))
    if not out:
        raise ApiError(400, str(NothingDrawnError("nothing drawn: no stroke has points (draw something first)")))
    ink = np.concatenate([p for p, _ in out])
    reach = max(w for _, w in out)
    width, height = (math.ceil(float(v) + reach) + 1 for v in np.ptp(ink, axis=0))
    if width * height > MAX_IMAGE_PIXELS:
        raise ApiError(413, f"the strokes span {width}x{height} = {width * height / 1e6:.1f} megapixels, over the "
                            f"limit of {MAX_IMAGE_PIXELS / 1e6:.1f} megapixels")
    return out


def read_request(body: bytes, content_type: str, kind: str | None):
    """A /api/read body -> (kind, strokes as sent): JSON (by its Content-Type, or a leading "{" or "[")
    gives both, anything else is an image (strokes None) of the query's kind."""
    if not body:
        raise ApiError(400, f"empty body: send the strokes as JSON, {STROKES_FORM}, or the image's bytes (PNG or JPEG)")
    if not (content_type.split(";")[0].strip().lower() == "application/json" or body.lstrip()[:1] in (b"{", b"[")):
        return kind, None
    try:
        payload = json.loads(body)
    except (UnicodeDecodeError, ValueError) as e:
        raise ApiError(400, f"not valid JSON: {e}") from None
    if not isinstance(payload, dict):
        raise ApiError(400, f"the body must be a JSON object: {STROKES_FORM}")
    named = payload.get("kind")
    if named is not None and kind is not None and named != kind:
        raise ApiError(400, f"model={kind} and \"kind\": {json.dumps(named)} disagree")
    if "strokes" not in payload:
        raise ApiError(400, f"no strokes: {STROKES_FORM}")
    return (named if named is not None else kind), payload["strokes"]


def hostname(url: str, netloc: bool = False) -> str | None:
    """The host name (or host:port, with ``netloc``) of a URL; None if it cannot be parsed."""
    try:
        parts = urlsplit(url)
        return parts.netloc if netloc else parts.hostname
    except ValueError:  # e.g. an unclosed [ of an IPv6 address
        return None


def whole_number(text: str) -> int | None:
    return int(text) if text.isascii() and text.isdigit() else None


async def read_body(request: Request, limit: int = MAX_BODY_BYTES) -> bytes:
    """The request body, refused (413) from its Content-Length, or as soon as a stream passes ``limit``."""
    too_big = ApiError(413, f"request body over the limit of {limit} bytes")
    declared = request.headers.get("content-length")
    if declared is not None:
        if whole_number(declared) is None:
            raise ApiError(400, f"bad Content-Length {declared!r}")
        if whole_number(declared) > limit:
            raise too_big
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise too_big
    return bytes(body)


def create_app(samples=None, models=None, allowed_hosts=LOOPBACK_HOSTS) -> Starlette:
    """The app. ``samples``: the folder holding the stores ``digits-samples/`` and ``hangul-samples/``
    (default: the user data folder where ``handpad draw`` saves too); ``models``: kind -> a shipped name or
    a .keras path (default: the shipped models); ``allowed_hosts``: host names the API answers to (the
    Host header; a guard against DNS rebinding), None for any."""
    folder = Path(samples).expanduser() if samples is not None else None
    models = {**{kind: kind for kind in KINDS}, **(models or {})}
    served = {kind: ServedModel(kind, models[kind], (folder / f"{kind}-samples") if folder else default_store_dir(kind))
              for kind in KINDS}

    def guard(request: Request) -> None:
        host = request.headers.get("host", "")
        if allowed_hosts is not None and hostname(f"//{host}") not in allowed_hosts:
            raise ApiError(403, f"this server answers only to {', '.join(allowed_hosts)}, not to host {host!r}")
        origin = request.headers.get("origin")
        if origin is not None and hostname(origin, netloc=True) != host:
            raise ApiError(403, f"requests from other sites ({origin}) are not accepted")

    def model_for(kind) -> ServedModel:
        if not isinstance(kind, str) or kind not in served:
            raise ApiError(404, f"unknown model {kind!r}: use model=" + " or model=".join(KINDS))
        return served[kind]

    def check(request: Request) -> ServedModel:
        guard(request)
        return model_for(request.query_params.get("model", ""))

    def top_param(request: Request, default: int | None) -> int | None:
        top = request.query_params.get("top")
        if top is None:
            return default
        k = whole_number(top)
        if k is None or not 1 <= k <= MAX_TOP:
            raise ApiError(400, f"top must be a whole number from 1 to {MAX_TOP}, not {top!r}")
        return k

    async def predict(request: Request) -> JSONResponse:
        model = check(request)
        k = top_param(request, 3)
        only = request.query_params.get("only") or None
        data = await read_body(request)
        return JSONResponse(answer_json(await run_in_threadpool(model.top_k, data, k, only)))

    async def read(request: Request) -> JSONResponse:
        guard(request)
        kind = request.query_params.get("model")
        if kind is not None:
            model_for(kind)  # an unknown model= is refused before the body is read
        k = top_param(request, None)
        content_type = request.headers.get("content-type", "")
        strokes_sent = content_type.split(";")[0].strip().lower() == "application/json"
        data = await read_body(request, MAX_BODY_BYTES if strokes_sent else MAX_PHOTO_BYTES)
        kind, strokes = read_request(data, content_type, kind)
        if strokes is not None and len(data) > MAX_BODY_BYTES:  # strokes are small; only a photo may be big
            raise ApiError(413, f"request body over the limit of {MAX_BODY_BYTES} bytes for strokes")
        if kind is None:
            raise ApiError(404, 'no model: give "kind": "digits" or "hangul" in the JSON, or model= in the URL')
        model = model_for(kind)
        if strokes is not None:
            strokes = line_strokes(strokes)
        return JSONResponse(await run_in_threadpool(model.read, k, strokes, data if strokes is None else None))

    async def save_sample(request: Request) -> JSONResponse:
        if request.headers.get("content-type", "").split(";")[0].strip().lower() == "application/json":
            return await save_line(request)
        model = check(request)
        label = unicodedata.normalize("NFC", request.query_params.get("label", "").strip())
        if not label:
            raise ApiError(400, "label= is required: the character the drawing shows")
        data = await read_body(request)
        count = await run_in_threadpool(model.save, data, label)
        return JSONResponse({"saved": count, "label": label, "model": model.kind, "store": str(model.store)})

    async def save_line(request: Request) -> JSONResponse:  # the word mode's line, as JSON
        guard(request)
        kind = request.query_params.get("model")
        if kind is not None:
            model_for(kind)
        data = await read_body(request)
        kind, strokes = read_request(data, "application/json", kind)
        labels = json.loads(data).get("labels")
        if not isinstance(labels, list) or not all(isinstance(v, str) for v in labels):
            raise ApiError(400, "labels must be a list of the line's characters as the text shows them: "
                                '{"kind": "hangul", "strokes": [...], "labels": ["안", "녕"]}')
        if kind is None:
            raise ApiError(404, 'no model: give "kind": "digits" or "hangul" in the JSON, or model= in the URL')
        model = model_for(kind)
        labels = [unicodedata.normalize("NFC", v.strip()) for v in labels]
        count, saved = await run_in_threadpool(model.save_line, line_strokes(strokes), labels)
        return JSONResponse({"saved": count, "labels": saved, "model": model.kind, "store": str(model.store)})

    async def page(request: Request) -> FileResponse:
        return FileResponse(STATIC / "index.html", headers=PAGE_HEADERS)

    async def api_error(request: Request, exc: HandpadError) -> JSONResponse:
        # An ApiError has its status; any other HandpadError (a model file that fails to load) is the server's.
        return JSONResponse({"error": str(exc)}, status_code=getattr(exc, "status", 500))

    @contextlib.asynccontextmanager
    async def lifespan(app):
        yield
        for model in served.values():
            model.close()

    return Starlette(
        lifespan=lifespan,
        routes=[
            Route("/", page),
            Route("/api/predict", predict, methods=["POST"]),
            Route("/api/samples", save_sample, methods=["POST"]),
            Route("/api/read", read, methods=["POST"]),
            Mount("/static", StaticFiles(directory=STATIC), name="static"),
        ],
        exception_handlers={ApiError: api_error, HandpadError: api_error},
    )
