"""``handpad info``: what is in a dataset store or a model file."""
from __future__ import annotations

import json
from pathlib import Path

from .._words import counted

DESCRIPTION = """\
Show a dataset store (source, counts, classes, options) or a model file (labels,
preprocessing, architecture, parameters, recorded metrics).

examples:
  handpad info data/mnist
  handpad info models/hangul.keras
"""


def configure(p) -> None:
    p.add_argument("path", help="a dataset store folder, a .keras file, or digits/hangul")


def run(args) -> int:
    from ..errors import HandpadError

    path = Path(args.path)
    if path.is_dir():
        from ..store import load_store

        store = load_store(path, require_samples=False)
        m = store.manifest
        counts = m.get("class_counts", {})
        print(f"store {path}: {counted(len(store), 'sample')}, label space {store.label_space.name} ({len(counts)} of its "
              f"{len(store.label_space)} classes present), "
              f"{store.image_size}x{store.image_size}, source {m.get('source')}, complete {m.get('complete')}")
        print(f"options: {json.dumps(m.get('options', {}), ensure_ascii=False)}")
        shown = list(counts.items())[:20]
        print("per class: " + ", ".join(f"{c}:{n}" for c, n in shown) + (" ..." if len(counts) > 20 else ""))
        return 0
    if args.path in ("digits", "hangul") or path.suffix == ".keras":
        from ..model import read_entries, resolve_model_path

        p = resolve_model_path(args.path)
        meta, _ = read_entries(p)
        labels = meta.pop("labels", [])
        if meta.get("role") == "box-verifier":  # handpad.verifier: not a recognizer, no labels
            print(f"box verifier {p} ({p.stat().st_size / 1e6:.1f} MB) for {meta.get('kind')} lines: P(one character) per box")
            print(json.dumps(meta, ensure_ascii=False, indent=1))
            return 0
        print(f"model {p} ({p.stat().st_size / 1e6:.1f} MB): {len(labels)} labels: {''.join(labels[:20]) if all(len(x) == 1 for x in labels) else labels[:20]}"
              + (" ..." if len(labels) > 20 else ""))
        print(json.dumps(meta, ensure_ascii=False, indent=1))
        return 0
    raise HandpadError(f"{path}: not a dataset store or a .keras model file")
