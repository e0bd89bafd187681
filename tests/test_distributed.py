"""Training on several devices: ``handpad train --devices N`` under MirroredStrategy.

A machine without GPUs still shows several devices when ``HANDPAD_LOGICAL_CPUS=2`` splits its CPU
before TensorFlow starts; that can only happen in a fresh process, so every run here is one. GPUs
are hidden (CUDA_VISIBLE_DEVICES=""), so the test is the same on a machine that has some.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import pytest

pytestmark = pytest.mark.slow

TINY = ["--arch", "cnn", "--arch-option", "width=8", "--arch-option", "dense=32", "--epochs", "3",
        "--batch-size", "32", "--val-fraction", "0.15", "--test-fraction", "0.15"]


def two_cpus() -> dict:
    return {**os.environ, "HANDPAD_LOGICAL_CPUS": "2", "CUDA_VISIBLE_DEVICES": "", "TF_CPP_MIN_LOG_LEVEL": "2",
            "PYTHONUNBUFFERED": "1"}


def handpad_train(*args) -> subprocess.CompletedProcess:
    done = subprocess.run([sys.executable, "-m", "handpad", "train", *args], capture_output=True, text=True,
                          env=two_cpus(), timeout=300)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return done


def test_two_devices_train_a_working_model_and_resume_where_they_stopped(small_digits_store, tmp_path):
    from handpad.model import Model

    out = tmp_path / "run"
    run = [str(small_digits_store), *TINY, "--devices", "2", "--out", str(out)]
    first = handpad_train(*run, "--time-budget", "0.0001")  # stops after the first of 3 epochs
    line = "training on 2 devices (CPU:0, CPU:1) with MirroredStrategy: global batch 32, 16 per device"
    assert line in first.stdout
    assert "time budget of 0 min reached after epoch 1" in first.stdout
    assert [r.split(",")[0] for r in (out / "history.csv").read_text().splitlines()[1:]] == ["0"]

    second = handpad_train(*run, "--resume")
    assert line in second.stdout
    assert f"resumed {out} from its checkpoint after epoch 1: continuing with epoch 2 of 3" in second.stdout
    assert "Epoch 1/3" not in second.stdout
    assert [r.split(",")[0] for r in (out / "history.csv").read_text().splitlines()[1:]] == ["0", "1", "2"]

    # The strategy really had two replicas: TensorFlow's own count, recorded by the run and in the model.
    config = json.loads((out / "train_config.json").read_text())
    assert config["devices"] == 2 and config["batch_size"] == 32
    assert config["runtime"]["replicas"] == 2 and config["runtime"]["precision"] == "float32"
    assert [d.rsplit("/", 1)[-1] for d in config["runtime"]["devices"]] == ["device:CPU:0", "device:CPU:1"]
    model = Model.load(out / "model.keras")
    assert model.meta["replicas"] == 2
    # A normal float32 model on one device, run by LiteRT, that learned: held-out test samples of the split.
    assert model.engine.name == "litert"
    assert {layer.dtype_policy.name for layer in model.keras_model.layers} == {"float32"}
    metrics = json.loads((out / "test_metrics.json").read_text())
    assert metrics["n"] == 90 and metrics["engine"] == "litert"
    assert metrics["top1"] > 0.7, metrics  # chance is 0.25; ~0.9 measured
    assert metrics["epochs"] == 3  # both sessions timed


CHILD = textwrap.dedent("""
    import contextlib, io, json, sys
    import numpy as np
    from handpad.cli import main
    from handpad.errors import HandpadError
    from handpad.training import AllReplicasLossScale, TrainConfig

    store, out = sys.argv[1], sys.argv[2]
    report = {}
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        report["status"] = main(["train", store, "--devices", "3", "--out", out])
    report["stderr"] = err.getvalue()

    runtime = TrainConfig(store=store, out=out, devices="all", precision="auto").runtime()
    report["all"] = [runtime.replicas, runtime.precision]
    try:
        TrainConfig(store=store, out=out, devices=2, batch_size=1).runtime()
    except HandpadError as e:
        report["batch"] = str(e)

    # mixed_float16 on two devices: one device's overflow skips the step on every device.
    import keras
    import tensorflow as tf

    strategy = runtime.strategy
    with strategy.scope():
        weights = keras.Variable(np.array([1.0, 2.0], "float32"))
        optimizer = AllReplicasLossScale(keras.optimizers.SGD(0.5))
        optimizer.build([weights])
    start = float(optimizer.dynamic_scale.numpy())

    @tf.function
    def step(overflow_on_second):
        def apply():
            second = tf.distribute.get_replica_context().replica_id_in_sync_group == 1
            bad = tf.logical_and(overflow_on_second, second)
            grad = tf.where(bad, np.inf, 1.0) * optimizer.dynamic_scale * tf.ones(2)
            optimizer.apply([grad], [weights])
        strategy.run(apply)

    step(tf.constant(True))
    report["after_overflow"] = [weights.numpy().tolist(), float(optimizer.dynamic_scale.numpy()) / start]
    step(tf.constant(False))
    report["after_finite"] = weights.numpy().tolist()
    print("REPORT", json.dumps(report))
""")


def test_more_devices_than_visible_are_refused_and_loss_scaling_holds_on_two(small_digits_store, tmp_path):
    out = tmp_path / "refused"
    done = subprocess.run([sys.executable, "-c", CHILD, str(small_digits_store), str(out)], capture_output=True,
                          text=True, env=two_cpus(), timeout=300)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    report = json.loads(done.stdout.split("REPORT ", 1)[1])
    assert report["status"] == 1
    assert report["stderr"] == ("handpad train: error: --devices 3: only 2 CPU devices visible here (CPU:0, CPU:1); "
                                "ask for at most 2 or 'all', or train on a machine with that many GPUs "
                                "(CUDA_VISIBLE_DEVICES may hide some)\n")
    assert not out.exists()  # refused before anything is written
    assert report["all"] == [2, "float32"]  # every visible device; auto is float32 without a GPU
    assert report["batch"] == ("--batch-size 1 is the global batch, split across the 2 devices: it must be at "
                               "least one sample per device")
    # The second device's inf: no device's weights move, the loss scale halves; then a normal step.
    assert report["after_overflow"] == [[1.0, 2.0], 0.5]
    assert report["after_finite"] == pytest.approx([0.0, 1.0])  # the two devices' gradients of 1 summed; lr 0.5


def test_devices_are_checked_with_the_rest_of_the_config(tmp_path):
    from handpad.errors import HandpadError
    from handpad.training import TrainConfig

    assert TrainConfig(store="s", out=str(tmp_path), devices="2").devices == 2  # as the command line gives it
    assert TrainConfig(store="s", out=str(tmp_path), devices="all").devices == "all"
    for bad in (0, "two", -1, True):
        with pytest.raises(HandpadError, match=r"--devices must be a number of devices \(1 or more\) or 'all'"):
            TrainConfig(store="s", out=str(tmp_path), devices=bad)
    with pytest.raises(HandpadError, match="unknown precision 'float16'; choose one of: float32, mixed_bfloat16, "
                                           "mixed_float16, auto"):
        TrainConfig(store="s", out=str(tmp_path), precision="float16")
