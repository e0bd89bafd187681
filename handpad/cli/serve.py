"""``handpad serve``: the drawing pad in a web browser, with its JSON API (handpad.web.app)."""
from __future__ import annotations

DESCRIPTION = """\
Serve the drawing pad as a local web page: draw with the mouse, a finger or a pen, switch between
digits and Hangul, and see the three most likely characters after every stroke. Undo, clear and
the pen width are in the toolbar. To keep a drawing for `handpad finetune`, click the right
candidate (or type the label) and press save: it goes into the same sample stores as the desktop
pad's (`handpad draw`), DIR/digits-samples and DIR/hangul-samples of --samples.

Everything is served by handpad itself (no CDN): it works offline. It listens on 127.0.0.1, this
machine only, unless --host says otherwise; there is no login, so a wider --host lets anyone who
reaches the port use the pad and add samples to your stores (a warning says so).

The JSON API (see README, "The browser pad"):
  POST /api/predict?model=digits|hangul&top=3    body: PNG or JPEG bytes
       -> {"top": [{"label": "가", "prob": 0.9731}, ...], "unsure": false}
  POST /api/samples?model=hangul&label=가         body: PNG or JPEG bytes  -> {"saved": 12, ...}
Bodies over 2 MB and images over 16 megapixels are refused (413) before they are read or decoded.

examples:
  handpad serve                                  # then open http://127.0.0.1:8765/
  handpad serve --port 9000 --samples ~/my-samples
  handpad serve --model hangul=mine.keras        # a model from handpad finetune
  curl --data-binary @seven.png 'http://127.0.0.1:8765/api/predict?model=digits'
"""


def configure(p) -> None:
    p.add_argument("--host", default="127.0.0.1",
                   help="the address to listen on (default 127.0.0.1: this machine only; 0.0.0.0: every network)")
    p.add_argument("--port", type=int, default=8765, help="the port (default 8765; 0 picks a free one)")
    p.add_argument("--samples", metavar="DIR",
                   help="where saved drawings go: DIR/digits-samples and DIR/hangul-samples (default: the user "
                        "data folder where `handpad draw` saves, e.g. ~/.local/share/handpad)")
    p.add_argument("--model", action="append", default=[], metavar="KIND=PATH",
                   help="serve another model for digits or hangul, e.g. hangul=mine.keras (repeatable)")


def run(args) -> int:
    import sys

    from ..errors import HandpadError
    from ..model import resolve_model_path
    from ..web.app import KINDS, LOOPBACK_HOSTS, create_app
    from ..web.server import is_loopback, listen, server_for

    models = {}
    for given in args.model:
        kind, _, path = given.partition("=")
        if kind not in KINDS or not path:
            raise HandpadError(f"--model {given!r}: expected KIND=PATH with KIND one of {', '.join(KINDS)}")
        models[kind] = str(resolve_model_path(path))  # a missing file fails now, not at the first drawing
    local = is_loopback(args.host)
    app = create_app(samples=args.samples, models=models, allowed_hosts=LOOPBACK_HOSTS if local else None)
    sock = listen(args.host, args.port)
    port = sock.getsockname()[1]
    if not local:
        print(f"handpad serve: warning: listening on {args.host}, not only on this machine: anyone who can reach "
              f"port {port} can use the pad and add samples to your stores (there is no login); "
              "--host 127.0.0.1 keeps it local", file=sys.stderr, flush=True)
    url_host = {"0.0.0.0": "127.0.0.1", "::": "[::1]"}.get(args.host, f"[{args.host}]" if ":" in args.host else args.host)
    print(f"handpad serve: the pad is at http://{url_host}:{port}/ (Ctrl+C stops it)", flush=True)
    server_for(app).run(sockets=[sock])
    return 0
