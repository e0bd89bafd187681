"""Shared fixtures: the real data next to the repository (../shared/data)."""
from __future__ import annotations

from pathlib import Path

import pytest

SHARED_DATA_DIR = Path(__file__).resolve().parents[1].parent / "shared" / "data"


@pytest.fixture(scope="session")
def SHARED_DATA() -> Path:
    if not SHARED_DATA_DIR.is_dir():
        pytest.fail(f"shared data not found at {SHARED_DATA_DIR} (clone the repo next to shared/)")
    return SHARED_DATA_DIR


@pytest.fixture(scope="session")
def phd08_dir(SHARED_DATA) -> Path:
    return SHARED_DATA / "phd08"


@pytest.fixture(scope="session")
def phd08_head(phd08_dir) -> bytes:
    """The first 12 samples of the real 가.txt (CRLF, as distributed), for fast tests."""
    data = (phd08_dir / "가.txt").read_bytes()
    cut = 0
    for _ in range(12):
        cut = data.index(b"\r\n\r\n", cut) + 4
    return data[:cut]
