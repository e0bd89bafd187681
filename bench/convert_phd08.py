#!/usr/bin/env python3
"""Benchmark: handpad's PHD08 converter vs a plain line-by-line Python parser.

    .venv/bin/python bench/convert_phd08.py [--files 200] [--baseline-files 4]

Copies the two shared PHD08 files (../shared/data/phd08) to --files files named by
syllables (가.txt, 각.txt, ...) in a temporary folder, then
1. converts them all (every sample, no preset) with ``convert_phd08`` in a child process,
   so its peak RSS (and that of its pool workers, RUSAGE_CHILDREN) is its own;
2. converts --baseline-files of them in this process with a plain parser (readline, int per
   character, numpy, cv2.resize) -- the way a straightforward converter is written.
Prints MB/s of PHD08 text, samples/s, peak RSS and the speed ratio.
"""
from __future__ import annotations

import argparse
import json
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import cv2
import numpy as np

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data" / "phd08"

CHILD = r"""
import json, resource, sys, time
from handpad.convert import convert_phd08
t = time.perf_counter()
report = convert_phd08([sys.argv[1]], sys.argv[2], files_per_shard=10, progress=False)
wall = time.perf_counter() - t
me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({"wall": wall, "samples": report.written, "ok": report.ok, "rss_main_mb": me.ru_maxrss / 1024,
                  "rss_worker_mb": kids.ru_maxrss / 1024, "cpu": me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime}))
"""


def plain_parser(path: Path, size: int = 60) -> list[np.ndarray]:
    """The straightforward converter: read line by line, int() per character, resize the page."""
    out = []
    with open(path, encoding="ascii") as f:
        while True:
            name = f.readline()
            if not name:
                break
            if not name.strip():
                continue
            rows, cols = map(int, f.readline().split())
            img = np.array([[int(ch) for ch in f.readline().strip()] for _ in range(rows)], np.float32)
            out.append((cv2.resize(img, (size, size), interpolation=cv2.INTER_AREA) * 255).astype(np.uint8))
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--files", type=int, default=200, help="number of PHD08 files to convert (default 200)")
    ap.add_argument("--baseline-files", type=int, default=4, help="files for the slow plain parser (default 4)")
    ap.add_argument("--data", type=Path, default=SHARED, help="folder with the shared PHD08 files")
    args = ap.parse_args()
    from machine import describe_machine  # bench/machine.py
    print(describe_machine(), flush=True)

    from handpad.labels import hangul_syllables

    sources = sorted(args.data.glob("*.txt"))
    with tempfile.TemporaryDirectory(prefix="handpad-bench-") as tmp:
        src = Path(tmp) / "phd08"
        src.mkdir()
        for i, name in enumerate(hangul_syllables()[: args.files]):
            shutil.copyfile(sources[i % len(sources)], src / f"{name}.txt")
        files = sorted(src.iterdir())
        mb = sum(f.stat().st_size for f in files) / 1e6

        proc = subprocess.run([sys.executable, "-c", CHILD, str(src), str(Path(tmp) / "store")], capture_output=True, text=True)
        if proc.returncode:
            print(proc.stderr, file=sys.stderr)
            return 1
        ours = json.loads(proc.stdout.strip().splitlines()[-1])

        base = files[: args.baseline_files]
        base_mb = sum(f.stat().st_size for f in base) / 1e6
        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        t = time.perf_counter()
        base_samples = sum(len(plain_parser(f)) for f in base)
        base_wall = time.perf_counter() - t
        rss_base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    ours_mbs, base_mbs = mb / ours["wall"], base_mb / base_wall
    print(f"input: {len(files)} PHD08 files, {mb:.0f} MB of text, {ours['samples']} samples (all, no preset)")
    print(f"handpad convert_phd08: {ours['wall']:.2f} s wall, {ours_mbs:.1f} MB/s, {ours['samples'] / ours['wall']:.0f} samples/s, "
          f"CPU {ours['cpu']:.1f} s ({mb / ours['cpu']:.1f} MB per CPU-second); "
          f"peak RSS main {ours['rss_main_mb']:.0f} MB, largest worker {ours['rss_worker_mb']:.0f} MB")
    print(f"plain line-by-line parser ({len(base)} files, this process): {base_wall:.2f} s, {base_mbs:.1f} MB/s, "
          f"{base_samples / base_wall:.0f} samples/s, peak RSS {rss_base:.0f} MB (was {rss_before:.0f} MB before)")
    print(f"speed-up: {ours_mbs / base_mbs:.1f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
