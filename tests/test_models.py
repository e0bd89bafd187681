"""Model registry, training, saved model files, the recognizer and evaluation — on real MNIST digits."""
from __future__ import annotations

import json
import zipfile

import numpy as np
import pytest

pytestmark = pytest.mark.slow


def test_registry_builds_by_name_with_binarize_front_end():
    import model_builders

    assert {"cnn", "inception"} <= set(model_builders.list_models())
    model = model_builders.build("inception", 12, width=0.5, dense=64)
    assert model.output_shape == (None, 12)
    assert model.get_layer("binarize").threshold == pytest.approx(0.4)
    # Augmentation is active in training only: inference is deterministic and binarized.
    x = np.random.default_rng(0).random((2, 60, 60, 1)).astype("float32")
    front = __import__("keras").Model(model.input, model.get_layer("binarize").output)
    out = np.asarray(front(x, training=False))
    np.testing.assert_array_equal(out, (x > 0.4).astype("float32"))
    with pytest.raises(ValueError, match="unknown architecture 'resnet'"):
        model_builders.build("resnet", 10)


def test_tiny_model_learns_far_above_chance(tiny_run):
    result, out = tiny_run
    metrics = result["test_metrics"]
    assert metrics["n"] == 90  # 15% of 600, stratified
    assert metrics["top1"] > 0.75, metrics  # chance is 0.25
    assert metrics["top3"] >= metrics["top1"]
    for name in ("model.keras", "history.csv", "learning_curve.png", "test_metrics.json", "split.npz"):
        assert (out / name).exists(), name
    header = (out / "history.csv").read_text().splitlines()[0].split(",")
    for col in ("epoch", "loss", "accuracy", "val_loss", "val_accuracy", "learning_rate"):
        assert col in header


def test_model_file_carries_labels_and_preprocessing(tiny_run):
    from handpad.modelio import load_model

    _, out = tiny_run
    model, meta = load_model(out / "model.keras")
    assert meta["labels"] == ["0", "1", "4", "7"]
    assert meta["preprocess"]["center_mass"] is True  # digits: from the store's options
    assert meta["architecture"] == "cnn" and meta["params"] == model.count_params()
    with zipfile.ZipFile(out / "model.keras") as z:
        assert not any("optimizer" in n for n in z.namelist())


def test_recognizer_reads_an_inverted_large_drawing(tiny_run, mnist_store):
    import cv2

    from handpad.recognizer import Recognizer
    from handpad.store import load_store

    _, out = tiny_run
    rec = Recognizer.load(out / "model.keras")
    store = load_store(mnist_store)
    hits = 0
    sevens = np.flatnonzero(store.labels == 7)[-20:]  # not among the 150 trained on
    for i in sevens:
        big = cv2.resize(store.images[int(i)], (500, 500), interpolation=cv2.INTER_LINEAR)
        canvas = 255 - big  # dark ink on white, like the pad
        top = rec.top_k(canvas, k=3)
        assert len(top) == 3 and top[0][1] >= top[1][1] >= top[2][1]
        assert abs(sum(p for _, p in rec.top_k(canvas, k=4)) - 1.0) < 1e-4
        hits += top[0][0] == "7"
    assert hits >= 15


def test_resume_without_checkpoint_and_existing_run_are_clear_errors(small_digits_store, tmp_path, tiny_run):
    from handpad.errors import HandpadError
    from handpad.training import TrainConfig, train

    with pytest.raises(HandpadError, match="no checkpoint to resume from"):
        train(TrainConfig(store=str(small_digits_store), out=str(tmp_path / "new"), resume=True))
    _, out = tiny_run
    with pytest.raises(HandpadError, match="a run already exists there; continue it with --resume"):
        train(TrainConfig(store=str(small_digits_store), out=str(out)))


def test_resume_continues_an_interrupted_run(small_digits_store, tmp_path):
    from handpad.training import TrainConfig, train

    out = tmp_path / "run"
    base = dict(store=str(small_digits_store), out=str(out), arch="cnn", arch_options={"width": 8, "dense": 16},
                batch_size=64, verbose=0, patience=10)
    # A time budget stops after the first epoch that ends past it (here: the first one).
    train(TrainConfig(epochs=5, time_budget_minutes=1e-4, **base))
    assert len((out / "history.csv").read_text().splitlines()) == 2
    (out / "model.keras").unlink()
    train(TrainConfig(epochs=3, resume=True, learning_rate=2e-4, **base))
    lines = (out / "history.csv").read_text().splitlines()
    assert [ln.split(",")[0] for ln in lines[1:]] == ["0", "1", "2"]  # epoch 0 kept, 1-2 added
    rate = lines[0].split(",").index("learning_rate")
    # the first session ran at the default rate; --lr on resume replaced it for the new epochs
    assert [round(float(ln.split(",")[rate]), 6) for ln in lines[1:]] == [0.001, 0.0002, 0.0002]
    assert json.loads((out / "timing.json").read_text())["epochs"] == 3  # both sessions timed


def test_shipping_never_replaces_a_better_model(tiny_run, tmp_path):
    import shutil

    from handpad.modelio import read_metadata
    from handpad.training import ship

    _, out = tiny_run
    better, worse = tmp_path / "better.keras", tmp_path / "worse.keras"
    for path, top1 in ((better, 0.9), (worse, 0.5)):  # same weights, recorded scores differ
        shutil.copyfile(out / "model.keras", path)
        meta = read_metadata(path)
        meta["metrics"]["top1"] = top1
        _rewrite_meta(path, meta)
    before = better.read_bytes()
    msg = ship(worse, better, force=False)
    assert msg.startswith("kept") and "use --force" in msg and better.read_bytes() == before
    assert ship(worse, better, force=True).startswith("saved")
    assert read_metadata(better)["metrics"]["top1"] == 0.5
    fresh = tmp_path / "models" / "new.keras"
    assert ship(worse, fresh, force=False).startswith("saved") and fresh.exists()


def _rewrite_meta(path, meta):
    with zipfile.ZipFile(path) as z:
        entries = {n: z.read(n) for n in z.namelist() if n != "handpad.json"}
    with zipfile.ZipFile(path, "w") as z:
        for n, data in entries.items():
            z.writestr(n, data)
        z.writestr("handpad.json", json.dumps(meta))


def test_bad_model_files_give_clear_errors(tiny_run, tmp_path):
    from handpad.errors import ModelError
    from handpad.modelio import load_model, read_metadata

    with pytest.raises(ModelError, match="model file not found"):
        load_model(tmp_path / "nope.keras")
    good = (tiny_run[1] / "model.keras").read_bytes()
    truncated = tmp_path / "truncated.keras"
    truncated.write_bytes(good[: len(good) // 2])
    with pytest.raises(ModelError, match="truncated.keras: not a valid .keras file"):
        load_model(truncated)
    notzip = tmp_path / "text.keras"
    notzip.write_text("hello")
    with pytest.raises(ModelError, match="not a valid .keras file"):
        load_model(notzip)
    wrong = tmp_path / "wrong.keras"
    wrong.write_bytes(good)
    meta = read_metadata(wrong)
    meta["labels"] = meta["labels"][:3]
    _rewrite_meta(wrong, meta)
    with pytest.raises(ModelError, match="has 4 outputs but its file lists 3 labels"):
        load_model(wrong)


def test_store_errors_reach_training(tmp_path, small_digits_store):
    import shutil

    from handpad.errors import StoreError
    from handpad.store import StoreWriter
    from handpad.training import TrainConfig, train

    empty = tmp_path / "empty"
    StoreWriter(empty, ["a", "b"], source="test").close()
    with pytest.raises(StoreError, match="the store is empty"):
        train(TrainConfig(store=str(empty), out=str(tmp_path / "r1")))
    broken = tmp_path / "broken"
    shutil.copytree(small_digits_store, broken)
    (broken / "classes.txt").write_text("0\n1\n", encoding="utf-8")
    with pytest.raises(StoreError, match="classes"):
        train(TrainConfig(store=str(broken), out=str(tmp_path / "r2")))


def test_evaluate_cli_compares_models_and_writes_reports(tiny_run, small_digits_store, tmp_path, capsys):
    from handpad.cli import main

    model = str(tiny_run[1] / "model.keras")
    out = tmp_path / "eval"
    assert main(["evaluate", str(small_digits_store), "--model", model, "--compare", model, "--out", str(out)]) == 0
    text = capsys.readouterr().out
    assert text.count("model.keras") >= 2 and "top-1" in text
    sub = next(p for p in out.iterdir() if p.is_dir())
    metrics = json.loads((sub / "metrics.json").read_text())
    assert metrics["n"] == 600 and metrics["top1"] > 0.75
    per_class = (sub / "per_class.csv").read_text().splitlines()
    assert per_class[0] == "label,n,top1,top3,most_confused_with" and len(per_class) == 5
    assert (sub / "confusion_matrix.png").stat().st_size > 1000


def test_litert_and_keras_engines_agree(tiny_run, small_digits_store):
    from handpad.recognizer import Recognizer
    from handpad.store import load_store

    path = tiny_run[1] / "model.keras"
    lite, keras_ = Recognizer.load(path), Recognizer.load(path, engine="keras")
    assert (lite.engine.name, keras_.engine.name) == ("litert", "keras")
    x = load_store(small_digits_store).images[np.arange(0, 600, 7)].astype("float32") / 255
    pl, pk = lite.predict_prepared(x), keras_.predict_prepared(x)
    # float16 weights in the TFLite graph: close, not identical.
    assert np.abs(pl - pk).mean() < 0.01
    assert (pl.argmax(1) == pk.argmax(1)).mean() >= 0.95


def test_recognizer_rejects_label_count_mismatch(tiny_run, tmp_path):
    from handpad.errors import ModelError
    from handpad.modelio import read_metadata
    from handpad.recognizer import Recognizer

    wrong = tmp_path / "wrong.keras"
    wrong.write_bytes((tiny_run[1] / "model.keras").read_bytes())
    meta = read_metadata(wrong)
    meta["labels"] = meta["labels"] + ["9"]
    _rewrite_meta(wrong, meta)
    for engine in ("auto", "keras"):
        with pytest.raises(ModelError, match="has 4 outputs but its file lists 5 labels"):
            Recognizer.load(wrong, engine=engine)


def test_extra_train_stores_join_the_training_part_only(small_digits_store, tmp_path):
    from handpad.training import TrainConfig, train

    result = train(TrainConfig(store=str(small_digits_store), out=str(tmp_path / "run"), arch="cnn",
                               arch_options={"width": 8, "dense": 16}, epochs=1, batch_size=64, verbose=0,
                               extra_train=[str(small_digits_store)]))
    assert result["meta"]["train_samples"] == 480 + 600  # 80% of the store + the whole extra store
    assert result["test_metrics"]["n"] == 60  # the test part is the main store's 10% only


def test_cosine_schedule_continues_its_curve_across_a_resume(small_digits_store, tmp_path):
    from handpad.training import TrainConfig, train

    out = tmp_path / "run"
    base = dict(store=str(small_digits_store), out=str(out), arch="cnn", arch_options={"width": 8, "dense": 16},
                batch_size=64, verbose=0, patience=10, epochs=3, schedule="cosine", learning_rate=1e-3)
    train(TrainConfig(time_budget_minutes=1e-4, **base))  # stopped after epoch 1 of 3
    train(TrainConfig(resume=True, **base))
    lines = (out / "history.csv").read_text().splitlines()
    rate = lines[0].split(",").index("learning_rate")
    # peak * (0.01 + 0.99 * (1 + cos(pi * epoch / 3)) / 2) for epochs 0, 1, 2
    assert [round(float(ln.split(",")[rate]), 7) for ln in lines[1:]] == [0.001, 0.0007525, 0.0002575]
    with pytest.raises(Exception, match="unknown schedule 'step'"):
        train(TrainConfig(**{**base, "out": str(tmp_path / "other"), "schedule": "step"}))
    with pytest.raises(Exception, match="--lr must be > 0, got -0.1"):
        train(TrainConfig(**{**base, "out": str(tmp_path / "other"), "learning_rate": -0.1}))
    assert not (tmp_path / "other").exists()  # checked before anything is written


def test_mixed_bfloat16_training_learns_and_saves_a_float32_model(small_digits_store, tmp_path):
    import keras

    from handpad.modelio import load_model
    from handpad.recognizer import Recognizer
    from handpad.training import TrainConfig, train

    out = tmp_path / "bf16"
    result = train(TrainConfig(store=str(small_digits_store), out=str(out), arch="cnn",
                               arch_options={"width": 8, "dense": 32}, epochs=6, batch_size=32,
                               val_fraction=0.15, test_fraction=0.15, verbose=0, precision="mixed_bfloat16"))
    assert result["test_metrics"]["top1"] > 0.75, result["test_metrics"]  # chance is 0.25
    assert keras.mixed_precision.global_policy().name == "float32"  # the policy does not leak out of train()
    model, _ = load_model(out / "model.keras")
    assert {layer.dtype_policy.name for layer in model.layers} == {"float32"}
    # The exported TFLite graph answers like the Keras model it was made from.
    from handpad.store import load_store

    x = load_store(small_digits_store).images[np.arange(0, 600, 7)].astype("float32") / 255
    lite = Recognizer.load(out / "model.keras").predict_prepared(x)
    assert (lite.argmax(1) == model.predict(x[..., None], verbose=0).argmax(1)).mean() >= 0.95
    with pytest.raises(Exception, match="unknown precision 'float16'"):
        train(TrainConfig(store=str(small_digits_store), out=str(tmp_path / "other"), precision="float16"))
    assert not (tmp_path / "other").exists()
