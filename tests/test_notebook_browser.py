"""The notebook pad's browser side: the widget's own module (``Pad._esm``: pad.js and its comm glue)
rendered in a real headless Chromium, its comm messages carried to the kernel side's real
``Pad._on_message`` and the replies back. Only the notebook host is stood in for: a page plays
anywidget's ``model`` (get / on / off / send), forwarding each ``send`` to this process over HTTP,
as Jupyter or Colab forward it over the kernel's comm."""
from __future__ import annotations

import base64
import importlib.util
from pathlib import Path

import pytest

from conftest import require
from handpad.web.browser import CHROMEDRIVER, CHROMIUM, DRAWINGS

pytestmark = pytest.mark.slow

HOST_PAGE = """<!doctype html><meta charset="utf-8"><link rel="stylesheet" href="widget.css"><div id="pad"></div>
<script type="module">
import widget from "./widget.js";
const handlers = new Set();
const state = {kinds: %(kinds)s, kind: %(kind)s};
const model = {
  get: (key) => state[key],
  on: (event, handler) => { if (event === "msg:custom") handlers.add(handler); },
  off: (event, handler) => handlers.delete(handler),
  send(content, callbacks, buffers) {  // as the notebook's comm: content + binary buffers to the kernel
    const bytes = new Uint8Array(buffers[0]);
    let binary = "";
    for (const b of bytes) binary += String.fromCharCode(b);
    fetch("comm", {method: "POST", headers: {"Content-Type": "application/json"},
                   body: JSON.stringify({content, buffer: btoa(binary)})})
      .then((r) => r.json()).then((replies) => replies.forEach((m) => handlers.forEach((h) => h(m))));
  },
};
widget.render({model, el: document.getElementById("pad")});
</script>"""


@pytest.fixture
def notebook_page(tmp_path):
    require(Path(CHROMIUM).exists() and Path(CHROMEDRIVER).exists(),
            "Debian's chromium and chromium-driver (apt-get install chromium chromium-driver)")
    require(importlib.util.find_spec("selenium") is not None, "selenium (pip install '.[test]')")
    import json

    from starlette.applications import Starlette
    from starlette.responses import HTMLResponse, JSONResponse, Response
    from starlette.routing import Route

    import handpad.notebook as nb
    from handpad.web.browser import PadPage, headless_chromium
    from handpad.web.server import serving_in_thread

    widget = nb.pad({"digits": "digits", "hangul": "hangul"}, samples=tmp_path)
    replies: list[dict] = []
    widget.send = lambda message, buffers=None: replies.append(message)  # the kernel's side of the comm

    async def comm(request):
        body = await request.json()
        replies.clear()
        widget._on_message(widget, body["content"], [memoryview(base64.b64decode(body["buffer"]))])
        return JSONResponse(list(replies))

    page = HOST_PAGE % {"kinds": json.dumps(widget.kinds), "kind": json.dumps(widget.kind)}
    app = Starlette(routes=[
        Route("/", lambda r: HTMLResponse(page)),
        Route("/widget.js", lambda r: Response(widget._esm, media_type="text/javascript")),
        Route("/widget.css", lambda r: Response(widget._css, media_type="text/css")),
        Route("/comm", comm, methods=["POST"]),
    ])
    with serving_in_thread(app) as url, headless_chromium() as driver:
        yield PadPage(driver, url + "/"), tmp_path


def test_the_widget_reads_drawings_through_the_kernel_and_saves(notebook_page):
    from handpad.store import load_store

    page, samples = notebook_page
    for stroke in DRAWINGS["그"]:
        page.stroke(stroke, "pen")
    top = page.top()
    assert top[0][0] == "그" and float(top[0][1].rstrip("%")) > 50, top
    page.press(".hp-candidate")
    page.press(".hp-save-button")
    page._wait(lambda: page.status().startswith("saved"))
    assert [load_store(samples / "hangul-samples").label_names()] == [["그"]]

    page.press(".hp-kind[data-kind=digits]")  # the canvas is empty after saving: nothing to ask yet
    for stroke in DRAWINGS["7"]:
        page.stroke(stroke, "mouse")
    assert page.top()[0][0] == "7", page.top()
