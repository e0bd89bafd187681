"""models/accelerator_finetune.py: pack stores small, train without handpad, import the weights back."""
from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import numpy as np

from handpad.store import load_store
from handpad.training import measure

SCRIPT = Path(__file__).resolve().parent.parent / "models" / "accelerator_finetune.py"


def load_script():
    spec = importlib.util.spec_from_file_location("accelerator_finetune", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_packed_stores_train_a_network_whose_weights_come_back_as_a_model_file(tiny_run, small_digits_store, tmp_path):
    script = load_script()
    _, run = tiny_run
    pack = tmp_path / "pack"
    script.main(["pack", str(run / "model.keras"), str(small_digits_store), "--val", str(small_digits_store),
                 "--out", str(pack)])

    # The packed images are the store's, binarized where the network binarizes (x / 255 > 0.4).
    store = load_store(small_digits_store)
    meta = json.loads((pack / "pack.json").read_text())
    images, labels = script.read_part(pack, "train", meta)
    original = store.images[np.arange(len(store))]
    assert images.shape == (len(store), store.image_size, store.image_size, 1) and set(np.unique(images)) == {0, 255}
    np.testing.assert_array_equal(images[..., 0] == 255, original > 102)
    np.testing.assert_array_equal(labels, store.labels)
    assert (pack / "train.bits.xz").stat().st_size < original.nbytes / 4

    # Spoil the starting network's last layer: training must win the accuracy back.
    init = np.load(pack / "init_weights.npz")
    weights = [init[f"arr_{i}"] for i in range(len(init.files))]
    weights[-2] = np.zeros_like(weights[-2])
    np.savez(pack / "init_weights.npz", *weights)
    out = tmp_path / "out"
    script.main(["train", str(pack), "--out", str(out), "--minutes", "0.1", "--batch-size", "32",
                 "--precision", "float32", "--lr", "3e-3"])
    result = json.loads((out / "result.json").read_text())
    assert result["start_val_accuracy"] < 0.4  # one class for every sample
    assert result["best_val_accuracy"] > 0.8 and result["epochs"] >= 1
    assert result["samples_seen"] == result["epochs"] * len(store)

    # Imported as a handpad model file, it scores on the gray store what training measured on the bits.
    model_path = tmp_path / "finetuned.keras"
    script.main(["import", str(out / "weights.npz"), "--pack", str(pack), "--out", str(model_path)])
    report = measure(model_path, small_digits_store)
    assert abs(report["top1"] - result["best_val_accuracy"]) < 0.02


def test_the_accelerator_command_trains_two_variants_side_by_side(tiny_run, small_digits_store, tmp_path):
    """models/accelerator_run.sh, as the GPU machine runs it (here with TensorFlow as the backend)."""
    import os
    import subprocess
    import sys

    script = load_script()
    pack, out = tmp_path / "pack", tmp_path / "out"
    script.main(["pack", str(tiny_run[1] / "model.keras"), str(small_digits_store), "--val", str(small_digits_store),
                 "--out", str(pack)])
    init = np.load(pack / "init_weights.npz")
    weights = [init[f"arr_{i}"] for i in range(len(init.files))]
    weights[-2] = np.zeros_like(weights[-2])  # spoiled: both variants must improve on it
    np.savez(pack / "init_weights.npz", *weights)
    env = {**os.environ, "PYTHON": sys.executable, "BACKENDS": "tensorflow", "WHEELS": str(tmp_path / "none")}
    done = subprocess.run(["bash", str(SCRIPT.with_name("accelerator_run.sh")), str(pack), str(out), "0.1",
                           "--batch-size", "32", "--lr", "3e-3", "--precision", "float32"],
                          env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    results = {v: json.loads((out / v / "result.json").read_text()) for v in ("a", "b")}
    assert results["a"]["elastic"] is False and results["b"]["elastic"] is True and results["b"]["seed"] == 1
    for v, r in results.items():
        assert r["backend"] == "tensorflow" and r["best_val_accuracy"] > 0.6, (v, r)
        assert (out / v / "weights.npz").exists() and not list((out / v).glob("*.tmp.npz"))
        assert "best val accuracy" in (out / f"{v}.log").read_text()
