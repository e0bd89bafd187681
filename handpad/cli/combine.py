"""``handpad combine``: several trained model files into one, an ensemble or a soup."""
from __future__ import annotations

from pathlib import Path

from ..errors import HandpadError

DESCRIPTION = """\
Combine trained models of one label space into one model file, then calibrate it:
  ensemble (default)  the new network runs every model on the same input and answers the mean of
                      their probabilities; independent runs misread different images, so the mean is
                      right more often, at the cost of running them all (the shipped digits.keras is
                      five). A model that is itself an ensemble gives its members: each network counts
                      once.
  --soup              one network whose every weight is the mean of the models' (same architecture);
                      for runs continued from a common start, not for independent runs (their
                      weights average to a useless network). Costs no more than one model.
Either way the result's temperature is reset: calibrate it (handpad calibrate OUT VAL --out OUT --force)
before measuring or shipping it.

examples:
  handpad combine runs/digits-v3/model.keras runs/digits-v7/model.keras --out runs/digits-ens/ensemble.keras
  handpad combine digits runs/digits-v8/model.keras --out runs/digits-ens6/ensemble.keras   # five + one = six
  handpad combine runs/a/model.keras runs/a/continued.keras --soup --out runs/a/soup.keras
"""


def configure(p) -> None:
    p.add_argument("models", nargs="+", metavar="MODEL", help="two or more .keras files (or digits / hangul)")
    p.add_argument("--out", required=True, metavar="NEW.keras", help="the combined model file")
    p.add_argument("--soup", action="store_true", help="average the weights (one network) instead of the answers")
    p.add_argument("--force", action="store_true", help="replace --out if it exists")


def run(args) -> int:
    from ..model import average_weights, ensemble_models, read_entries, resolve_model_path

    out = Path(args.out)
    if out.suffix != ".keras":
        raise HandpadError(f"--out {out}: the model file name must end in .keras")
    if len(args.models) < 2:
        raise HandpadError("give at least two models to combine")
    sources = [resolve_model_path(m) for m in args.models]  # a missing file is named before any work
    if out.exists() and any(out.resolve() == s.resolve() for s in sources):
        raise HandpadError(f"--out {out} is one of the models combined; write elsewhere")
    if out.exists() and not args.force:
        raise HandpadError(f"--out {out} exists; pass --force to replace it")
    out.parent.mkdir(parents=True, exist_ok=True)
    (average_weights if args.soup else ensemble_models)(sources, out)  # written atomically: no half file
    meta, _ = read_entries(out)
    if args.soup:
        print(f"model: {out} (the weights of {len(sources)} models averaged; one network, "
              f"{meta.get('params', 0):,} parameters)")
    else:
        print(f"model: {out} (the mean of {len(meta['members'])} networks' answers, {meta.get('params', 0):,} parameters)")
    print(f"next: handpad calibrate {out} VAL --out {out} --force")
    return 0
