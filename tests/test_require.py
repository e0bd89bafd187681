"""``require``: a missing requirement skips a test, except in CI (CI=true), where it fails the run."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent

NEEDS_THE_MOON = f"""
import sys
sys.path.insert(0, {str(TESTS)!r})
from conftest import require

def test_needs_the_moon():
    require(False, "the moon (apt install moon)")

def test_has_what_it_needs():
    require(True, "air")
"""


@pytest.mark.parametrize("ci, code, summary", [
    ("true", 1, "1 failed, 1 passed"),
    (None, 0, "1 passed, 1 skipped"),
    ("false", 0, "1 passed, 1 skipped"),
])
def test_missing_requirement_fails_only_in_ci(tmp_path, ci, code, summary):
    (tmp_path / "test_moon.py").write_text(NEEDS_THE_MOON)
    env = {k: v for k, v in os.environ.items() if k != "CI"}
    if ci is not None:
        env["CI"] = ci
    proc = subprocess.run([sys.executable, "-m", "pytest", "-q", "-rfs", "-p", "no:cacheprovider", "-p", "no:xdist",
                           "test_moon.py"], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == code, proc.stdout + proc.stderr
    assert summary in proc.stdout
    expected = "required but missing in CI: the moon (apt install moon)" if ci == "true" else "the moon (apt install moon)"
    assert expected in proc.stdout
