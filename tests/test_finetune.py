"""``handpad finetune``: a model learns a user's odd way of writing one class, keeps the others.

The "user" writes 7 sideways (pen-redrawn MNIST sevens, thick pen, turned 90 degrees): the
tiny 4-class model of ``tiny_run`` gets few of those right. Thirty of them, fine-tuned in
with replay from the training store, must lift the accuracy on *other* sideways sevens
(held out, another random pen) while 0, 1 and 4 stay recognized.
"""
from __future__ import annotations

import hashlib
import zipfile
import json
from pathlib import Path

import cv2
import numpy as np
import pytest

from conftest import require
from handpad.cli import main as handpad_main
from handpad.errors import HandpadError, ModelError, StoreError
from handpad.preprocess import DIGITS_CONFIG, preprocess
from handpad.store import StoreWriter, load_store
from handpad.synth.pen import PenStyle, pen_redraw

USER_PEN = PenStyle(width=(0.12, 0.14), rotation=3.0)  # one thick pen, held steady
PER_CLASS_IN_TRAINING = 150  # small_digits_store uses the first 150 of each class


def user_hand(images: np.ndarray, seed: int) -> np.ndarray:
    """MNIST digits as this user draws them: redrawn with a thick pen, turned 90 degrees."""
    rng = np.random.default_rng(seed)
    out = []
    for im in images:
        canvas = cv2.rotate(pen_redraw(im, rng, USER_PEN), cv2.ROTATE_90_CLOCKWISE)
        out.append(preprocess(canvas, config=DIGITS_CONFIG))
    return np.stack(out)


def write_store(path: Path, label_space, images, labels) -> Path:
    w = StoreWriter(path, label_space, source="pad", options={"from": "handpad draw"})
    w.add(images, np.asarray(labels, np.int32))
    w.commit("samples")
    w.close()
    return path


@pytest.fixture(scope="module")
def base_model(tiny_run) -> Path:
    return Path(tiny_run[0]["model_path"])


@pytest.fixture(scope="module")
def user_data(mnist_store, tmp_path_factory):
    """(user store of 30 sideways 7s, held-out sideways 7s, held-out 0/1/4 images and labels)."""
    src = load_store(mnist_store)
    sevens = np.flatnonzero(src.labels == 7)[PER_CLASS_IN_TRAINING:]  # none seen in training
    root = tmp_path_factory.mktemp("user")
    # The pad's store: the model's label space (digits), so label 7 is the digit 7.
    user = write_store(root / "mine", "digits", user_hand(src.images[sevens[:30]], seed=1), [7] * 30)
    held_sevens = user_hand(src.images[sevens[30:90]], seed=2)
    others = np.concatenate([np.flatnonzero(src.labels == d)[PER_CLASS_IN_TRAINING:PER_CLASS_IN_TRAINING + 60]
                             for d in (0, 1, 4)])
    return user, held_sevens, src.images[others], [str(d) for d in src.labels[others]]


def top1(model_path: Path, images: np.ndarray, labels) -> float:
    from handpad.recognizer import Recognizer

    rec = Recognizer.load(model_path)
    probs = rec.predict_proba(images, prepared=True)
    return float(np.mean(np.array(rec.labels)[probs.argmax(1)] == np.asarray(labels)))


def sha(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def test_finetune_learns_the_users_hand_and_keeps_the_other_classes(base_model, user_data, small_digits_store, tmp_path):
    user, held_sevens, others, other_labels = user_data
    before_user = top1(base_model, held_sevens, ["7"] * len(held_sevens))
    before_others = top1(base_model, others, other_labels)
    assert before_user < 0.5, f"the base model already reads sideways 7s ({before_user:.2f}): the test proves nothing"
    base_hash = sha(base_model)

    out = tmp_path / "mine.keras"
    code = handpad_main(["finetune", "--model", str(base_model), "--data", str(user), "--out", str(out),
                         "--mix-with", str(small_digits_store), "--epochs", "4", "--lr", "1e-3",
                         "--batch-size", "32", "--replay-samples", "600", "--quiet"])
    assert code == 0

    after_user = top1(out, held_sevens, ["7"] * len(held_sevens))
    after_others = top1(out, others, other_labels)
    print(f"held-out user 7s: {before_user:.3f} -> {after_user:.3f}; other classes {before_others:.3f} -> {after_others:.3f}")
    assert after_user >= 0.75 and after_user >= before_user + 0.4
    assert after_others >= 0.85 and after_others >= before_others - 0.08
    assert sha(base_model) == base_hash  # the input model is untouched

    from handpad.model import read_entries

    meta, base_meta = read_entries(out)[0], read_entries(base_model)[0]
    assert meta["label_space"] == base_meta["label_space"] == "digits" and meta["preprocess"] == base_meta["preprocess"]
    assert meta["finetuned_from"] == str(base_model)
    ft = meta["finetune"]
    assert ft["user_samples"] == 30 and ft["user_classes"] == ["7"] and ft["epochs"] == 4
    assert ft["replay"] == str(small_digits_store) and ft["user_stores"] == [str(user)]
    assert ft["accuracy_after"]["user"] > ft["accuracy_before"]["user"]
    with zipfile.ZipFile(out) as z:  # a clean file: no optimizer state, no leftover temp files
        assert "handpad.json" in z.namelist()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mine.keras"]


def test_freeze_features_trains_only_the_classifier(base_model, user_data, small_digits_store, tmp_path):
    from handpad.finetune import FinetuneConfig, finetune
    from handpad.model import Model

    out = tmp_path / "head.keras"
    finetune(FinetuneConfig(model=str(base_model), data=[str(user_data[0])], out=str(out), mix_with=str(small_digits_store),
                            epochs=1, learning_rate=1e-3, batch_size=32, replay_samples=200, freeze_features=True,
                            verbose=0, progress=False))
    old, new = Model.load(base_model).keras_model, Model.load(out).keras_model
    changed = [a.name for a, b in zip(old.layers, new.layers)
               if any(not np.array_equal(x, y) for x, y in zip(a.get_weights(), b.get_weights()))]
    assert changed == [old.layers[-1].name]
    assert all(layer.trainable for layer in new.layers)  # the file carries no freeze


def test_training_pool_oversamples_the_user_to_the_mix_ratio():
    from handpad.finetune import training_pool

    user, replay = np.arange(30), np.arange(30, 30 + 3000)
    pool, per_epoch = training_pool(user, replay, mix_ratio=4, replay_per_epoch=1000)
    n_user = np.isin(pool, user).sum()
    assert n_user == 30 * 25 and np.isin(replay, pool).all()  # 3000 replay : 750 user = 4 : 1
    assert per_epoch == 1000 + 250
    pool, per_epoch = training_pool(user, replay, mix_ratio=0, replay_per_epoch=1000)
    assert set(pool) == set(user) and per_epoch == 30


# -- bad input -------------------------------------------------------------------------------
def run_cli(*args) -> int:
    return handpad_main(["finetune", *map(str, args), "--quiet"])


def test_a_store_of_another_label_space_is_named(base_model, small_digits_store, tmp_path):
    from handpad.finetune import FinetuneConfig, finetune

    img = load_store(small_digits_store).images[:3]
    store = write_store(tmp_path / "odd", "hangul", img, [0, 1, 2])
    with pytest.raises(StoreError, match=r"labels in the space 'hangul-ksx1001', the model \(model.keras\) uses 'digits'") as e:
        finetune(FinetuneConfig(model=str(base_model), data=[str(store)], out=str(tmp_path / "o.keras"),
                                mix_with=str(small_digits_store), verbose=0, progress=False))
    assert str(store) in str(e.value) and "model" in str(e.value)
    assert not (tmp_path / "o.keras").exists()


def test_missing_or_empty_store_and_missing_model(base_model, tmp_path, capsys):
    assert run_cli("--model", base_model, "--data", tmp_path / "nope", "--out", tmp_path / "o.keras") == 1
    assert "nope: no such store" in capsys.readouterr().err
    empty = tmp_path / "empty"
    StoreWriter(empty, "digits", source="pad").close()
    assert run_cli("--model", base_model, "--data", empty, "--out", tmp_path / "o.keras") == 1
    assert "empty (0 samples)" in capsys.readouterr().err
    from handpad.finetune import FinetuneConfig, finetune

    with pytest.raises(ModelError, match="model file not found"):
        finetune(FinetuneConfig(model=str(tmp_path / "none.keras"), data=[str(empty)], out=str(tmp_path / "o.keras")))
    assert not (tmp_path / "o.keras").exists()


def test_never_overwrites_the_input_model_without_force(base_model, user_data, small_digits_store, tmp_path):
    import shutil

    model = tmp_path / "m.keras"
    shutil.copyfile(base_model, model)
    before = sha(model)
    assert run_cli("--model", model, "--data", user_data[0], "--out", model, "--mix-with", small_digits_store) == 1
    assert sha(model) == before
    assert run_cli("--model", model, "--data", user_data[0], "--out", model, "--mix-with", small_digits_store,
                   "--epochs", "1", "--replay-samples", "64", "--force") == 0
    assert sha(model) != before
    with pytest.raises(HandpadError, match=r"\.keras"):
        from handpad.finetune import FinetuneConfig, finetune

        finetune(FinetuneConfig(model=str(model), data=[str(user_data[0])], out=str(tmp_path / "x.h5")))


def test_digits_models_need_a_replay_store(base_model, user_data, tmp_path, capsys):
    assert run_cli("--model", base_model, "--data", user_data[0], "--out", tmp_path / "o.keras") == 1
    err = capsys.readouterr().err
    assert "--mix-with" in err and "not Hangul" in err
    assert not (tmp_path / "o.keras").exists()


GOTHIC = Path("/usr/share/fonts/truetype/nanum/NanumGothic.ttf")


def test_synthesized_replay_covers_random_syllables_and_the_users(tmp_path):
    require(GOTHIC.exists(), "fonts-nanum not installed")
    from handpad.finetune import synthesize_replay

    store = synthesize_replay(tmp_path / "replay", 40, ["닭", "가"], seed=3, progress=False, fonts=[GOTHIC])
    names = store.label_names()
    assert len(store) == 40 and store.image_size == 60
    assert names.count("닭") == 1 and names.count("가") == 1  # one face: one sample of each user syllable
    assert len(set(names)) == 40  # spread over many syllables
    assert json.loads((tmp_path / "replay" / "manifest.json").read_text())["source"] == "finetune-replay"
    fine = synthesize_replay(tmp_path / "replay-80", 40, ["닭", "가"], seed=3, size=80, progress=False, fonts=[GOTHIC])
    assert fine.image_size == 80 and fine.label_names() == names  # the same draws for a model of finer input
