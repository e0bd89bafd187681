"""``handpad serve``'s web app: the browser drawing pad and its JSON API (Starlette, run by uvicorn).

    GET  /                the pad (static/index.html); everything it needs is served from here (no CDN)
    GET  /static/...      pad.js (an ES module: mountPad), main.js (the page's glue), pad.css
    POST /api/predict?model=digits|hangul&top=3[&only=LABEL_SPACE]     body: the image (PNG or JPEG bytes)
         -> 200 {"top": [{"label": "가", "prob": 0.9731}, ...], "unsure": false}   (as `handpad predict --json`)
    POST /api/samples?model=digits|hangul&label=가                      body: the image
         -> 200 {"saved": 12, "label": "가", "model": "hangul", "store": "<the store's folder>"}

Errors answer ``{"error": "..."}``: 400 (no ink, an unreadable image, a bad parameter or label),
403 (a request from another web site or to another host name), 404 (an unknown model), 409 (the
store folder holds another label space's samples), 413 (a body over :data:`MAX_BODY_BYTES`, an
image over :data:`MAX_IMAGE_PIXELS`).

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
import threading
import unicodedata
from pathlib import Path
from urllib.parse import urlsplit

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from ..errors import DataFormatError, HandpadError, NothingDrawnError
from ..pad.canvas import SampleSaver, default_store_dir
from ..recognizer import Recognizer, answer_json
from ..sources.images import decode_image, image_header_size

KINDS = ("digits", "hangul")
MAX_BODY_BYTES = 2 * 1024 * 1024  # a 400x400 canvas is ~10 KB as PNG
MAX_IMAGE_PIXELS = 4096 * 4096  # 16 megapixels
MAX_TOP = 100
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

    def close(self) -> None:
        with self._save_lock:
            if self._saver is not None:
                self._saver.close()
                self._saver = None


def prepare(rec, data: bytes):
    """Image bytes -> the model's input; the pixel count is checked from the header before decoding."""
    if not data:
        raise ApiError(400, "empty body: send the image's bytes (PNG or JPEG) as the request body")
    size = image_header_size(data)
    if size is None:
        raise ApiError(400, "not a readable image (send PNG or JPEG bytes)")
    width, height = size
    if width * height > MAX_IMAGE_PIXELS:
        raise ApiError(413, f"image is {width}x{height} = {width * height / 1e6:.1f} megapixels, over the limit "
                            f"of {MAX_IMAGE_PIXELS / 1e6:.1f} megapixels")
    try:
        return rec.prepare(decode_image(data, "the image"))
    except (DataFormatError, NothingDrawnError) as e:
        raise ApiError(400, str(e)) from None


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

    def check(request: Request) -> ServedModel:
        host = request.headers.get("host", "")
        if allowed_hosts is not None and hostname(f"//{host}") not in allowed_hosts:
            raise ApiError(403, f"this server answers only to {', '.join(allowed_hosts)}, not to host {host!r}")
        origin = request.headers.get("origin")
        if origin is not None and hostname(origin, netloc=True) != host:
            raise ApiError(403, f"requests from other sites ({origin}) are not accepted")
        kind = request.query_params.get("model", "")
        if kind not in served:
            raise ApiError(404, f"unknown model {kind!r}: use model=" + " or model=".join(KINDS))
        return served[kind]

    async def predict(request: Request) -> JSONResponse:
        model = check(request)
        top = request.query_params.get("top", "3")
        k = whole_number(top)
        if k is None or not 1 <= k <= MAX_TOP:
            raise ApiError(400, f"top must be a whole number from 1 to {MAX_TOP}, not {top!r}")
        only = request.query_params.get("only") or None
        data = await read_body(request)
        return JSONResponse(answer_json(await run_in_threadpool(model.top_k, data, k, only)))

    async def save_sample(request: Request) -> JSONResponse:
        model = check(request)
        label = unicodedata.normalize("NFC", request.query_params.get("label", "").strip())
        if not label:
            raise ApiError(400, "label= is required: the character the drawing shows")
        data = await read_body(request)
        count = await run_in_threadpool(model.save, data, label)
        return JSONResponse({"saved": count, "label": label, "model": model.kind, "store": str(model.store)})

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
            Mount("/static", StaticFiles(directory=STATIC), name="static"),
        ],
        exception_handlers={ApiError: api_error, HandpadError: api_error},
    )
