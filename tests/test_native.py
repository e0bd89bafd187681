"""quiet_native_stderr: drops LiteRT's XNNPACK line from fd 2, keeps everything else."""
from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from handpad._native import quiet_native_stderr

ROOT = Path(__file__).resolve().parents[1]
XNNPACK = "INFO: Created TensorFlow Lite XNNPACK delegate for CPU."

SCRIPT = f"""
import os, sys
from handpad._native import quiet_native_stderr
print("python before", file=sys.stderr)
with quiet_native_stderr():
    os.write(2, b"{XNNPACK}\\n")  # what LiteRT's C++ logger does
    os.write(2, b"WARNING: a real native warning\\n")
    print("python inside", file=sys.stderr)
    with quiet_native_stderr():  # nested: a no-op
        os.write(2, b"{XNNPACK}\\n")
try:
    with quiet_native_stderr():
        os.write(2, b"ERROR: kept on the way out\\n{XNNPACK}\\n")
        raise KeyError("boom")
except KeyError:
    pass
os.write(2, b"after\\n")
print("stdout untouched")
"""


def test_only_the_xnnpack_line_is_dropped():
    proc = subprocess.run([sys.executable, "-c", SCRIPT], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr.splitlines() == [
        "python before", "WARNING: a real native warning", "python inside", "ERROR: kept on the way out", "after"]
    assert proc.stdout == "stdout untouched\n"


def test_litert_interpreter_is_quiet(capfd):
    from ai_edge_litert.interpreter import Interpreter

    with zipfile.ZipFile(ROOT / "models" / "digits.keras") as z:
        lite = [n for n in z.namelist() if n.endswith(".tflite")]
        if not lite:
            pytest.fail("models/digits.keras has no .tflite entry")
        flatbuffer = z.read(lite[0])
    capfd.readouterr()
    with quiet_native_stderr():
        interpreter = Interpreter(model_content=flatbuffer, num_threads=1)
        interpreter.allocate_tensors()  # where LiteRT applies XNNPACK and says so
    assert interpreter.get_input_details()
    assert "XNNPACK" not in capfd.readouterr().err
