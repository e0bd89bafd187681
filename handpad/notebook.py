"""The drawing pad inline in Jupyter and Colab, with the model running in the kernel.

    import handpad.notebook
    handpad.notebook.pad("hangul")                     # the shipped Hangul model
    handpad.notebook.pad("runs/mine/model.keras")      # a model just trained in this notebook
    handpad.notebook.pad({"digits": "digits", "hangul": "runs/mine/model.keras"})   # both, with a switch

It is the browser page's pad (``handpad/web/static/pad.js``: canvas, top-3, undo / clear / pen width,
saving a labeled drawing, the word mode for a line) as an `anywidget <https://anywidget.dev>`_ widget:
the canvas sends each drawing as PNG bytes over the widget's comm (the word mode: its strokes), the
kernel answers with the same objects as ``handpad predict --json`` and ``/api/predict`` (``/api/read``),
and saved drawings go into the same sample stores as ``handpad draw`` and ``handpad serve`` (so
``handpad finetune`` learns from them). No server and no port: it works wherever widgets render
(JupyterLab, Notebook 7, VS Code, Colab). Needs the
``notebook`` extra: ``pip install "handpad[notebook]"``.
"""
from __future__ import annotations

from pathlib import Path

import anywidget
import traitlets

from .errors import HandpadError
from .labels import DIGITS
from .pad.canvas import default_store_dir
from .model import read_entries, resolve_model_path
from .recognizer import answer_json
from .web.app import KINDS, STATIC, ApiError, ServedModel, line_strokes

# The widget's module: pad.js (which exports mountPad) and a render() that passes it three calls
# over the comm. Each call carries an id; the kernel's reply with the same id settles its promise.
_GLUE = """
export default {
  render({model, el}) {
    let last = 0;
    const waiting = new Map();
    const onReply = (msg) => {
      const call = waiting.get(msg.id);
      if (!call) return;
      waiting.delete(msg.id);
      if (msg.error) call.reject(new Error(msg.error)); else call.resolve(msg.answer);
    };
    model.on("msg:custom", onReply);
    const call = async (action, blob, kind, label, strokes) => {
      const id = ++last;
      const buffers = blob ? [await blob.arrayBuffer()] : [];
      return new Promise((resolve, reject) => {
        waiting.set(id, {resolve, reject});
        model.send({id, action, kind, label: label ?? null, strokes: strokes ?? null}, undefined, buffers);
      });
    };
    mountPad(el, {
      kinds: model.get("kinds"),
      kind: model.get("kind"),
      predict: (blob, kind) => call("predict", blob, kind),
      save: (blob, kind, label) => call("save", blob, kind, label),
      read: (strokes, kind) => call("read", null, kind, null, strokes),
    });
    return () => model.off("msg:custom", onReply);
  },
};
"""


class Pad(anywidget.AnyWidget):
    """The pad widget. ``models``: kind (``digits``/``hangul``) -> a shipped name or a .keras path;
    ``samples``: the folder of the sample stores (default: where ``handpad draw`` saves)."""

    _esm = (STATIC / "pad.js").read_text("utf-8") + _GLUE
    _css = (STATIC / "pad.css").read_text("utf-8")
    kinds = traitlets.List(traitlets.Unicode()).tag(sync=True)
    kind = traitlets.Unicode().tag(sync=True)

    def __init__(self, models: dict, samples=None, top: int = 3, **kwargs):
        unknown = set(models) - set(KINDS)
        if unknown or not models:
            raise HandpadError(f"pad kinds are {' and '.join(KINDS)}, not {sorted(unknown) or 'none'}")
        folder = Path(samples).expanduser() if samples is not None else None
        self._served = {kind: ServedModel(kind, model, folder / f"{kind}-samples" if folder else default_store_dir(kind))
                        for kind, model in models.items()}
        self.top = top
        kinds = [k for k in KINDS if k in models]
        super().__init__(kinds=kinds, kind=kinds[-1], **kwargs)
        self.on_msg(self._on_message)

    def answer(self, action: str, kind: str, data: bytes, label: str | None = None, strokes=None) -> dict:
        """What the canvas gets back for one call: ``{"answer": ...}`` or ``{"error": message}``
        (``read``: the word mode's strokes -> ``Reading.to_json()``, as ``/api/read``)."""
        try:
            if kind not in self._served:
                raise ApiError(404, f"this pad has no {kind!r} model")
            served = self._served[kind]
            if action == "predict":
                return {"answer": answer_json(served.top_k(data, self.top, None))}
            if action == "read":
                return {"answer": served.read(None, line_strokes(strokes))}
            if action == "save":
                if not label:
                    raise ApiError(400, "type the character the drawing shows first")
                return {"answer": {"saved": served.save(data, label), "label": label, "store": str(served.store)}}
            raise ApiError(400, f"unknown call {action!r}")
        except (ApiError, HandpadError) as e:  # shown in the pad's status line
            return {"error": str(e)}

    def _on_message(self, _widget, content: dict, buffers: list) -> None:
        data = bytes(buffers[0]) if buffers else b""
        reply = self.answer(content.get("action", ""), content.get("kind", ""), data, content.get("label"),
                            content.get("strokes"))
        self.send({"id": content.get("id"), **reply})


def pad(model="hangul", samples=None, top: int = 3) -> Pad:
    """Show the pad in a notebook cell (return it as the cell's value, or ``display()`` it).

    ``model``: ``"hangul"``, ``"digits"``, a .keras path (its kind read from its labels), or a dict
    kind -> model for both kinds with a switch."""
    _enable_colab_widgets()
    if isinstance(model, dict):
        return Pad(model, samples, top)
    name = str(model)
    kind = name if name in KINDS else _kind_of(name)
    return Pad({kind: name}, samples, top)


def _kind_of(model_path: str) -> str:
    """From the file's labels alone: the pad's ServedModel loads the model itself, on first use."""
    meta, _ = read_entries(resolve_model_path(model_path))
    return "digits" if tuple(meta.get("labels", ())) == tuple(DIGITS) else "hangul"


def _enable_colab_widgets() -> None:
    """Colab renders third-party widgets once its custom widget manager is on (a no-op elsewhere)."""
    try:
        from google.colab import output
    except ImportError:
        return
    output.enable_custom_widget_manager()
