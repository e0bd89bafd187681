"""The flags that pick the part of a store `handpad train` split off (evaluate, calibrate)."""
from __future__ import annotations

from ..training import DEFAULTS


def add_subset_arguments(p) -> None:
    p.add_argument("--subset", choices=("train", "val", "test"),
                   help="only this part of the stratified split `handpad train` makes with the same fractions and seed")
    p.add_argument("--val-fraction", type=float, default=DEFAULTS["val_fraction"])
    p.add_argument("--test-fraction", type=float, default=DEFAULTS["test_fraction"])
    p.add_argument("--split-seed", type=int, default=DEFAULTS["seed"],
                   help="the --seed of the training run whose split to follow")


def subset_indices(args, data):
    """The indices of ``args.subset`` in the store at ``data`` (None: no --subset, every sample)."""
    if not args.subset:
        return None
    from ..data import stratified_split
    from ..store import load_store

    parts = stratified_split(load_store(data).labels, args.val_fraction, args.test_fraction, args.split_seed)
    return dict(zip(("train", "val", "test"), parts))[args.subset]
