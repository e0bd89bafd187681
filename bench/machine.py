"""The machine a benchmark ran on, printed with its figures: figures without it cannot be compared.

    python bench/machine.py

prints the CPU model, the SIMD/matrix flags that TensorFlow and XNNPACK use (AVX2, AVX-512,
AVX-512 BF16, AMX, ...; NEON/SVE on ARM), the CPUs this process may use, memory, and the
Python / NumPy / TensorFlow / Keras / LiteRT versions. Cheap: reads /proc and package
metadata, never imports TensorFlow.
"""
from __future__ import annotations

import os
import platform
import subprocess
import sys
from importlib import metadata

# Flags that change inference/training speed, in the order they are printed.
RELEVANT_FLAGS = (
    "sse4_2", "avx", "avx2", "fma", "f16c", "avx512f", "avx512bw", "avx512vl", "avx512_vnni", "avx512_bf16",
    "avx512_fp16", "avx_vnni", "amx_tile", "amx_bf16", "amx_int8", "amx_fp16",
    "asimd", "asimddp", "sve", "sve2", "bf16", "i8mm", "sme",  # ARM (/proc/cpuinfo "Features")
)
PACKAGES = ("numpy", ("tensorflow", "tensorflow-cpu"), "keras", "ai-edge-litert", "opencv-python", "pillow")


def _cpuinfo() -> dict[str, str]:
    """The first processor's fields of /proc/cpuinfo (Linux), lower-case keys."""
    info: dict[str, str] = {}
    try:
        with open("/proc/cpuinfo", encoding="utf-8", errors="replace") as f:
            for line in f:
                if not line.strip():
                    if info:
                        break
                    continue
                key, _, value = line.partition(":")
                info.setdefault(key.strip().lower(), value.strip())
    except OSError:
        pass
    return info


def _cpu_model(info: dict[str, str]) -> str:
    for key in ("model name", "hardware", "cpu model", "processor"):
        value = info.get(key, "")
        if value and not value.isdigit():
            return value
    if sys.platform == "darwin":
        try:
            return subprocess.run(["sysctl", "-n", "machdep.cpu.brand_string"], capture_output=True, text=True,
                                  timeout=5).stdout.strip() or platform.machine()
        except (OSError, subprocess.SubprocessError):
            pass
    return platform.processor() or platform.machine() or "unknown CPU"


def _cpus() -> str:
    total = os.cpu_count() or 0
    text = f"{total} CPUs"
    try:
        usable = len(os.sched_getaffinity(0))
        if usable != total:
            text = f"{usable} usable of {total} CPUs"
    except (AttributeError, OSError):
        pass
    try:  # a container's CPU quota (cgroup v2), which os.cpu_count() does not see
        with open("/sys/fs/cgroup/cpu.max", encoding="ascii") as f:
            quota, period = f.read().split()[:2]
        if quota != "max":
            text += f" (cgroup quota {int(quota) / int(period):g} CPUs)"
    except (OSError, ValueError):
        pass
    return text


def _memory() -> str | None:
    try:
        with open("/proc/meminfo", encoding="ascii") as f:
            for line in f:
                if line.startswith("MemTotal:"):
                    return f"{int(line.split()[1]) / 2**20:.1f} GiB RAM"
    except (OSError, ValueError, IndexError):
        pass
    return None


def _versions() -> list[str]:
    out = [f"Python {platform.python_version()}"]
    for names in PACKAGES:
        for name in (names,) if isinstance(names, str) else names:
            try:
                out.append(f"{name} {metadata.version(name)}")
                break
            except metadata.PackageNotFoundError:
                continue
    return out


def machine_info() -> dict:
    """The parts of :func:`describe_machine`, for JSON output."""
    info = _cpuinfo()
    present = set((info.get("flags") or info.get("features") or "").split())
    return {
        "cpu": _cpu_model(info),
        "flags": [f for f in RELEVANT_FLAGS if f in present],
        "cpus": _cpus(),
        "memory": _memory(),
        "os": f"{platform.system()} {platform.release()} {platform.machine()}",
        "software": _versions(),
    }


def describe_machine() -> str:
    """Two lines: the hardware (CPU model, flags, CPUs, memory, OS) and the software versions."""
    m = machine_info()
    flags = " ".join(m["flags"]) or "none of the tracked ones"
    hardware = [m["cpu"], m["cpus"], f"flags: {flags}", m["memory"], m["os"]]
    return "machine: " + " | ".join(p for p in hardware if p) + "\nsoftware: " + ", ".join(m["software"])


if __name__ == "__main__":
    print(describe_machine())
