"""``handpad refit``: refit a hybrid model's jamo heads on more syllables outside the 2350."""
from __future__ import annotations

from pathlib import Path

from ..errors import HandpadError

DESCRIPTION = """\
Teach a hybrid Hangul model (a softmax over the 2350 common syllables beside three jamo softmaxes)
more of the 8,822 rarer syllables in minutes: only the three jamo heads are fitted again, on the
network's frozen features of the given stores; the network and its syllable softmax stay as they
are. Give stores of rarer syllables (handpad synth hangul --label-space hangul-11172 --leave-out
hangul-ksx1001 ...) and some of the 2350 too (STORE:N takes a random sample of N), so the heads
keep seeing the common combinations. Writes a new model file (never the input) with its
temperature reset: calibrate it again afterwards (handpad calibrate OUT VAL --rare VAL-RARE).

examples:
  handpad refit hangul data/hangul-jamo/train-rare data/hangul-jamo/train-b90:100000 --out runs/refit.keras
  handpad calibrate runs/refit.keras data/hangul-jamo/val --rare data/hangul-jamo/val-rare --out runs/refit.keras --force
"""


def configure(p) -> None:
    p.add_argument("model", help="hangul (the shipped model) or a hybrid .keras path")
    p.add_argument("stores", nargs="+", metavar="STORE[:N]",
                   help="training stores (hangul-11172 or hangul-ksx1001); :N takes a random sample of N")
    p.add_argument("--out", required=True, metavar="NEW.keras", help="the new model file")
    p.add_argument("--epochs", type=int, default=3, help="passes over the features (default 3; more overfits them)")
    p.add_argument("--lr", type=float, default=3e-4, help="Adam's learning rate (default 3e-4)")
    p.add_argument("--batch-size", type=int, default=256)
    p.add_argument("--seed", type=int, default=0, help="the samples drawn for STORE:N and the order (default 0)")
    p.add_argument("--quiet", action="store_true", help="no progress bars")


def run(args) -> int:
    from ..model import resolve_model_path
    from ..refit import RefitConfig, refit_jamo_heads

    source, out = resolve_model_path(args.model), Path(args.out)
    if out.exists() and out.resolve() == source.resolve():
        raise HandpadError(f"--out {out} is the input model; write elsewhere (then calibrate the new file)")
    cfg = RefitConfig(model=str(source), stores=args.stores, out=str(out), epochs=args.epochs,
                      learning_rate=args.lr, batch_size=args.batch_size, seed=args.seed, progress=not args.quiet)
    report = refit_jamo_heads(cfg)
    for s in report["stores"]:
        print(f"  {s['store']}: {s['samples']:,} samples")
    print(f"model: {out} (jamo heads refit on {report['samples']:,} samples in {report['seconds']:.0f} s; "
          f"temperature reset to 1)\nnext: handpad calibrate {out} VAL --rare VAL-RARE --out {out} --force")
    return 0
