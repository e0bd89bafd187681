"""The ``handpad predict`` contract: JSON lines, errors per file, exit status — run as a real command."""
from __future__ import annotations

import json
import subprocess
import sys

import cv2
import numpy as np
import pytest

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def images(tmp_path_factory, mnist_store):
    from handpad.store import load_store

    store = load_store(mnist_store)
    d = tmp_path_factory.mktemp("imgs")
    one = int(np.flatnonzero(store.labels == 1)[-1])
    cv2.imwrite(str(d / "one.png"), 255 - cv2.resize(store.images[one], (300, 300)))  # dark on white
    zero = int(np.flatnonzero(store.labels == 0)[-1])
    cv2.imwrite(str(d / "zero.jpg"), cv2.resize(store.images[zero], (90, 90)))  # bright on dark
    cv2.imwrite(str(d / "blank.png"), np.full((200, 200), 255, np.uint8))
    (d / "notimage.png").write_bytes(b"this is not a png")
    return d


def run_predict(*args):
    return subprocess.run([sys.executable, "-m", "handpad", "predict", *args], capture_output=True, text=True, timeout=300)


def test_json_lines_contract(tiny_run, images):
    model = str(tiny_run[1] / "model.keras")
    files = [str(images / n) for n in ("one.png", "blank.png", "zero.jpg", "notimage.png", "missing.png")]
    proc = run_predict("--model", model, "--top", "2", "--json", *files)
    assert proc.returncode == 1, proc.stderr  # some failed
    lines = [json.loads(line) for line in proc.stdout.splitlines()]
    assert [o["file"] for o in lines] == files  # one per image, in order, path as given
    ok = [lines[0], lines[2]]
    for o in ok:
        assert list(o) == ["file", "top", "unsure"] and len(o["top"]) == 2
        assert all(list(t) == ["label", "prob"] for t in o["top"])
        assert o["top"][0]["prob"] >= o["top"][1]["prob"]
    assert lines[0]["top"][0]["label"] == "1"
    assert lines[2]["top"][0]["label"] == "0"
    assert list(lines[1]) == ["file", "error"] and "nothing drawn" in lines[1]["error"]
    assert "notimage.png" in lines[3]["error"] and "missing.png" in lines[4]["error"]
    assert "3 of 5 image(s) failed" in proc.stderr


def test_folder_and_table_output(tiny_run, images):
    model = str(tiny_run[1] / "model.keras")
    proc = run_predict("--model", model, str(images / "one.png"), str(images / "zero.jpg"))
    assert proc.returncode == 0, proc.stderr
    rows = proc.stdout.splitlines()
    assert rows[0].startswith("file") and rows[1].split()[1] == "1" and rows[2].split()[1] == "0"


def test_missing_model_is_a_clear_error(images, tmp_path):
    proc = run_predict("--model", str(tmp_path / "none.keras"), str(images / "one.png"))
    assert proc.returncode == 1
    assert "none.keras: model file not found" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_decompression_bomb_is_refused_with_a_message(bomb_png):
    proc = run_predict("--model", "digits", str(bomb_png))  # the shipped model: no training needed
    assert proc.returncode == 1, proc.stderr
    row = next(r for r in proc.stdout.splitlines() if r.startswith(str(bomb_png)))
    assert "ERROR image is 20000x20000 = 400.0 megapixels, over the limit of" in row
    assert "decompression bombs" in proc.stdout and "Traceback" not in proc.stderr


def test_a_missing_path_is_named_once_and_litert_stays_quiet(tmp_path):
    proc = run_predict("--model", "digits", str(tmp_path / "no_such_dir"))
    assert proc.returncode == 1
    row = proc.stdout.splitlines()[1]
    assert row.split() == [str(tmp_path / "no_such_dir"), "ERROR", "no", "such", "file", "or", "folder"]
    assert "XNNPACK" not in proc.stderr and proc.stderr.strip() == "1 of 1 image(s) failed"


def test_a_pdf_and_a_tiff_of_pages_are_predicted_page_by_page(mnist_store, tmp_path):
    """A scanner's document of one character a page (real MNIST digits, as index cards): each page of a PDF or a
    multi-page TIFF is an image of its own, "page" after "file" in its JSON, in page order; a blank page fails
    alone. Before, a PDF was refused and a TIFF's later pages were silently not read."""
    from PIL import Image

    from handpad.store import load_store

    store = load_store(mnist_store)
    picks = [int(np.flatnonzero(store.labels == d)[-1]) for d in (3, 8, 5)]
    pages = [Image.fromarray(255 - cv2.resize(store.images[i], (240, 240))) for i in picks]
    pages[0].save(tmp_path / "cards.pdf", "PDF", save_all=True, append_images=pages[1:] + [Image.new("L", (240, 240), 255)],
                  resolution=100)
    tiff = [p.copy() for p in pages]  # (fresh: Pillow keeps the PDF's settings on the pages it appended)
    tiff[0].save(tmp_path / "cards.tif", "TIFF", save_all=True, append_images=tiff[1:])
    proc = run_predict("--model", "digits", "--json", str(tmp_path / "cards.pdf"), str(tmp_path / "cards.tif"))
    assert proc.returncode == 1, proc.stderr  # the blank page
    answers = [json.loads(line) for line in proc.stdout.splitlines()]
    assert [(a["file"].rsplit("/", 1)[-1], a["page"]) for a in answers] == [("cards.pdf", 1), ("cards.pdf", 2),
                                                                            ("cards.pdf", 3), ("cards.pdf", 4),
                                                                            ("cards.tif", 1), ("cards.tif", 2),
                                                                            ("cards.tif", 3)]
    labels = [a["top"][0]["label"] if "top" in a else None for a in answers]
    assert labels == ["3", "8", "5", None, "3", "8", "5"], answers
    assert "nothing drawn" in answers[3]["error"] and "cards.pdf#page=4" in answers[3]["error"]
    assert "1 of 7 image(s) failed" in proc.stderr
