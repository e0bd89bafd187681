"""notebooks/colab_train.ipynb, executed end to end by nbclient on its tiny configuration.

A kernel of this environment's Python runs it twice on the same folder, as on Colab: a first session
cut short after one epoch (SESSION_MINUTES), then a new session, whose run of the same cells skips
the data already made and continues training from epoch 2. Local data instead of the network: the
shared MNIST IDX files and six fonts-nanum faces.
"""
from __future__ import annotations

import json
import os
import re
import sys
from pathlib import Path

import pytest

from conftest import require

pytestmark = pytest.mark.slow

NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "colab_train.ipynb"
NANUM = Path("/usr/share/fonts/truetype/nanum")
# Four training designs; the notebook's HELD_OUT (NanumPenScript, NanumMyeongjo) makes the test set.
FONTS = [NANUM / name for name in ("NanumGothic.ttf", "NanumBarunGothic.ttf", "NanumSquareB.ttf", "NanumBrush.ttf",
                                   "NanumPen.ttf", "NanumMyeongjo.ttf")]


def kernelspec(root: Path) -> str:
    """A kernel that runs this environment's Python (the one with handpad), found through JUPYTER_PATH."""
    folder = root / "kernels" / "handpad-test"
    folder.mkdir(parents=True)
    (folder / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "handpad (test)", "language": "python"}))
    return "handpad-test"


def execute(cwd: Path, kernel: str, **parameters):
    """Run every cell, with ``parameters`` injected after the cell tagged "parameters" (as papermill does)."""
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(NOTEBOOK, as_version=4)
    at = next(i for i, c in enumerate(nb.cells) if "parameters" in c.metadata.get("tags", []))
    source = "\n".join(f"{name} = {value!r}" for name, value in parameters.items())
    nb.cells.insert(at + 1, nbformat.v4.new_code_cell(source, metadata={"tags": ["injected-parameters"]}))
    NotebookClient(nb, kernel_name=kernel, timeout=600, resources={"metadata": {"path": str(cwd)}}).execute()
    return nb


def text(cell) -> str:
    return "".join(o.get("text", "") for o in cell.get("outputs", []) if o.output_type == "stream")


def cell_running(nb, needle: str):
    return next(c for c in nb.cells if c.cell_type == "code" and needle in c.source)


def epochs(run: Path) -> list[str]:
    return [line.split(",")[0] for line in (run / "history.csv").read_text().splitlines()[1:]]


def test_the_colab_notebook_trains_resumes_evaluates_and_opens_the_pad(SHARED_DATA, tmp_path, monkeypatch):
    require(all(f.exists() for f in FONTS), "fonts-nanum (sudo apt install fonts-nanum)")
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path / "jupyter"))
    monkeypatch.setenv("TF_CPP_MIN_LOG_LEVEL", "2")
    kernel = kernelspec(tmp_path / "jupyter")
    work = tmp_path / "drive"
    parameters = dict(TINY=True, WORKDIR=str(work), MNIST=str(SHARED_DATA / "mnist-10k"),
                      FONTS=[str(f) for f in FONTS])

    # Session 1, cut short: each run stops after its first epoch (of 2), a model saved all the same.
    first = execute(tmp_path, kernel, SESSION_MINUTES=1e-4, **parameters)
    assert re.match(r"handpad \S+ from ", text(cell_running(first, "find_spec(\"handpad\")")))  # installed: no pip
    training = text(cell_running(first, "epochs_logged"))
    assert training.count("time budget of 0 min reached after epoch 1") == 2, training
    for kind in ("digits", "hangul"):
        assert epochs(work / "runs" / kind) == ["0"]
    assert (work / "data" / "mnist" / "manifest.json").exists()
    hangul = json.loads((work / "data" / "hangul-train" / "manifest.json").read_text())
    assert hangul["count"] == 8 * 4 * 16  # 8 syllables x the 4 training designs x 16
    assert not {"NanumPenScript-Regular", "NanumMyeongjo-Regular"} & set(hangul["options"]["faces"])

    # Session 2 (a new kernel, as after a disconnect): the same cells continue each run from epoch 2.
    second = execute(tmp_path, kernel, SESSION_MINUTES=None, **parameters)
    assert "1 already converted, skipped" in text(cell_running(second, "\"convert\", \"mnist\""))
    training = text(cell_running(second, "epochs_logged"))
    for kind in ("digits", "hangul"):
        run = work / "runs" / kind
        assert f"resumed {run} from its checkpoint after epoch 1: continuing with epoch 2 of 2" in training
        assert epochs(run) == ["0", "1"]  # each epoch once, in order
        assert (run / "model.keras").exists()

    # The figures the evaluation cell printed are the ones `handpad evaluate` wrote.
    printed = text(cell_running(second, "RESULTS = {}"))
    results = json.loads(re.findall(r"^\{.*\}$", printed, re.M)[-1])
    for kind in ("digits", "hangul"):
        written = json.loads((work / "runs" / f"eval-{kind}" / "model" / "metrics.json").read_text())
        assert results[kind] == {k: written[k] for k in ("n", "top1", "top3")}
    assert results["digits"]["n"] == 1000  # the test tenth of the 10,000 digits
    assert results["digits"]["top1"] > 0.7, results  # chance 0.1
    assert results["hangul"]["n"] == 8 * 2 * 4  # pen-drawn samples of the two held-out designs
    assert results["hangul"]["top1"] > 0.3, results  # chance 1/8, on fonts never seen in training

    # The pad: a widget on both models.
    pad = cell_running(second, "handpad.notebook.pad(MODEL)")
    assert any("application/vnd.jupyter.widget-view+json" in o.get("data", {}) for o in pad.outputs), pad.outputs
