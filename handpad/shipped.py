"""Where the shipped models (``digits``, ``hangul``) are found.

The files live in the repository's ``models/`` folder. A wheel (``pip install .`` or
``pip install git+URL``) carries them as package data: setuptools maps the package
``handpad.models`` onto that folder, so they land in ``site-packages/handpad/models/``.
An editable install or a plain checkout finds them in the repo's ``models/``.
``$HANDPAD_MODELS`` (a folder) comes before both.
"""
from __future__ import annotations

import os
from pathlib import Path

from .errors import ModelError

SHIPPED = ("digits", "hangul")


def models_dirs() -> list[Path]:
    """The folders searched for ``NAME.keras``, first match wins: $HANDPAD_MODELS, the installed
    package's ``handpad/models/`` (wheel installs), the repo checkout's ``models/`` (when there)."""
    dirs = []
    if os.environ.get("HANDPAD_MODELS"):
        dirs.append(Path(os.environ["HANDPAD_MODELS"]))
    here = Path(__file__).resolve().parent
    dirs.append(here / "models")
    checkout = here.parent / "models"
    if checkout.is_dir():
        dirs.append(checkout)
    return dirs


def shipped_model_path(name: str) -> Path:
    """``digits``/``hangul`` -> the model file; ModelError (saying where it looked) if none is there."""
    dirs = models_dirs()
    for d in dirs:
        path = d / f"{name}.keras"
        if path.is_file():
            return path
    raise ModelError(
        f"the shipped model {name!r} was not found (looked for {name}.keras in: "
        + ", ".join(str(d) for d in dirs)
        + "); reinstall handpad or pass --model PATH"
    )
