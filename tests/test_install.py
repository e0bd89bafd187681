"""Installs that are not editable: a wheel of the working tree and ``pip install git+URL``.

Both must carry the shipped models (package data in ``handpad/models/``) and the architectures
(``handpad.model_builders``, from the repo's top-level ``model_builders/``), and must not install
a generic top-level ``model_builders`` package. Each install goes into a ``--target`` folder that
a subprocess puts first on PYTHONPATH, run from a folder outside the repository; the test venv
provides the dependencies. The git install clones the committed HEAD (in CI: a fresh clone).
"""
from __future__ import annotations

import json
import os
import queue
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from conftest import require

ROOT = Path(__file__).resolve().parents[1]
# Left out of the copy the wheel is built from: ignored or not part of the package.
COPY_IGNORE = shutil.ignore_patterns(".git", ".venv", "build", "*.egg-info", "__pycache__", ".hypothesis",
                                     ".pytest_cache", "test-artifacts", "data", "runs", "checkpoints")

CHECK = r"""
import importlib.util, json
import handpad
from handpad import Recognizer
out = {"handpad": handpad.__file__, "top_level_model_builders": importlib.util.find_spec("model_builders") is not None}
import handpad.model_builders as mb
out["model_builders"] = mb.__file__
out["architectures"] = mb.list_models()
for name in ("hangul", "digits"):
    r = Recognizer.load(name)
    out[name] = [str(r.path), len(r.labels)]
print("RESULT " + json.dumps(out))
"""


def pip(*args, cwd, timeout=120) -> None:
    proc = subprocess.run([sys.executable, "-m", "pip", "--disable-pip-version-check", "-q", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=timeout)
    assert proc.returncode == 0, f"pip {' '.join(args)} failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"


def installed_env(site: Path, home: Path) -> dict:
    """The install first on the path (before the venv's editable handpad), no model-folder override."""
    env = {k: v for k, v in os.environ.items() if k not in ("HANDPAD_MODELS", "PYTHONPATH")}
    return {**env, "PYTHONPATH": str(site), "HOME": str(home), "XDG_DATA_HOME": str(home / "data"),
            "PYTHONUNBUFFERED": "1"}


def check_install(site: Path, outside: Path) -> None:
    env = installed_env(site, outside)
    proc = subprocess.run([sys.executable, "-c", CHECK], cwd=outside, env=env, capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 0, proc.stderr[-3000:]
    out = json.loads(proc.stdout.split("RESULT ", 1)[1])
    assert Path(out["handpad"]).is_relative_to(site), out
    assert Path(out["model_builders"]).is_relative_to(site / "handpad" / "model_builders"), out
    assert not out["top_level_model_builders"], "the install must not provide a top-level model_builders"
    assert {"cnn", "inception"} <= set(out["architectures"])
    for name, classes in (("hangul", 11172), ("digits", 10)):
        path, n = out[name]
        assert Path(path) == site / "handpad" / "models" / f"{name}.keras", out
        assert n == classes
    assert not (site / "model_builders").exists()
    assert not (site / "handpad" / "models" / "baselines").exists()
    assert (site / "handpad" / "models" / "README.md").is_file()

    info = subprocess.run([sys.executable, "-m", "handpad", "info", "hangul"], cwd=outside, env=env,
                          capture_output=True, text=True, timeout=120)
    assert info.returncode == 0, info.stderr[-3000:]
    assert str(site / "handpad" / "models" / "hangul.keras") in info.stdout


@pytest.fixture(scope="module")
def outside(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("outside")
    assert not path.resolve().is_relative_to(ROOT)
    return path


@pytest.fixture(scope="module")
def wheel_site(tmp_path_factory) -> Path:
    """The working tree built into a wheel (from a copy: no build/ left in the repo, no stale files)."""
    tmp = tmp_path_factory.mktemp("wheel")
    src = tmp / "src"
    shutil.copytree(ROOT, src, ignore=COPY_IGNORE)
    pip("wheel", ".", "--no-deps", "--no-build-isolation", "-w", str(tmp / "dist"), cwd=src)
    (wheel,) = (tmp / "dist").glob("handpad-*.whl")
    pip("install", "--no-deps", "--target", str(tmp / "site"), str(wheel), cwd=tmp)
    return tmp / "site"


def test_pyproject_lists_every_handpad_subpackage():
    import tomllib  # Python >= 3.11, which the README's set-up uses

    config = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["tool"]["setuptools"]
    on_disk = {".".join(p.parent.relative_to(ROOT).parts) for p in (ROOT / "handpad").rglob("__init__.py")}
    mapped = set(config["package-dir"])
    assert mapped == {"handpad.model_builders", "handpad.models"}
    missing = on_disk - set(config["packages"])
    assert not missing, f"add {sorted(missing)} to [tool.setuptools] packages in pyproject.toml"
    assert set(config["packages"]) == on_disk | mapped


@pytest.mark.slow
def test_wheel_carries_models_and_architectures(wheel_site, outside):
    check_install(wheel_site, outside)
    # The model card's history (earlier releases, experiments not shipped) travels with it.
    assert (wheel_site / "handpad" / "models" / "HISTORY.md").is_file()


@pytest.mark.slow
def test_pip_install_git_url(tmp_path, outside):
    require(shutil.which("git") is not None and (ROOT / ".git").exists(), "git and a git checkout")
    site = tmp_path / "site"
    pip("install", "--no-deps", "--no-build-isolation", "--target", str(site), f"git+{ROOT.as_uri()}",
        cwd=tmp_path, timeout=180)
    check_install(site, outside)


@pytest.mark.slow
@pytest.mark.gui
def test_draw_hangul_from_the_wheel(wheel_site, outside):
    require(shutil.which("Xvfb") is not None, "the Xvfb program (apt install xvfb)")
    read_fd, write_fd = os.pipe()
    server = subprocess.Popen(["Xvfb", "-displayfd", str(write_fd), "-screen", "0", "1024x768x24", "-nolisten", "tcp"],
                              pass_fds=(write_fd,), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    os.close(write_fd)
    with os.fdopen(read_fd) as f:
        number = f.readline().strip()
    pad = None
    try:
        assert number, "Xvfb did not start"
        env = {**installed_env(wheel_site, outside), "DISPLAY": f":{number}"}
        # The console script pip wrote (its shebang is this venv's python), as a user would run it.
        script = wheel_site / "bin" / "handpad"
        argv = [str(script)] if script.is_file() else [sys.executable, "-m", "handpad"]
        pad = subprocess.Popen([*argv, "draw", "hangul"], cwd=outside, env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True, encoding="utf-8")
        lines: queue.Queue[str] = queue.Queue()
        err: list[str] = []
        threading.Thread(target=lambda: [lines.put(x.rstrip("\n")) for x in pad.stdout], daemon=True).start()
        threading.Thread(target=lambda: [err.append(x) for x in pad.stderr], daemon=True).start()
        seen: list[str] = []
        deadline = time.monotonic() + 90
        while not any(x.startswith("ready:") for x in seen) and time.monotonic() < deadline:
            try:
                seen.append(lines.get(timeout=0.2))
            except queue.Empty:
                if pad.poll() is not None and lines.empty():
                    break
        assert any(x.startswith("window open") for x in seen), f"stdout: {seen}; stderr: {err[-15:]}"
        ready = [x for x in seen if x.startswith("ready:")]
        assert ready and "11172 classes" in ready[0], f"stdout: {seen}; stderr: {err[-15:]}"
    finally:
        if pad is not None:
            pad.terminate()
            try:
                pad.wait(10)
            except subprocess.TimeoutExpired:
                pad.kill()
                pad.wait(10)
        server.terminate()
        server.wait(10)


# Run with TensorFlow and Keras made unimportable: what a base install (no `train` extra) can do.
NO_TENSORFLOW = r"""
import sys
for name in ("tensorflow", "keras", "tf_keras"):
    sys.modules[name] = None  # any `import tensorflow` now raises ImportError
import json, cv2, numpy as np
from handpad import Recognizer
img = np.zeros((300, 300), np.uint8)
cv2.line(img, (150, 40), (150, 260), 255, 14)
cv2.imwrite(sys.argv[1], img)
top = Recognizer.load("digits").top_k(img, 3)
print("TOP " + json.dumps(top))
from handpad.cli import main
sys.exit(main(["predict", "--model", "digits", "--json", sys.argv[1]]))
"""


@pytest.mark.slow
def test_prediction_needs_no_tensorflow(wheel_site, outside):
    """The base install predicts (Recognizer and `handpad predict`) on LiteRT alone."""
    proc = subprocess.run([sys.executable, "-c", NO_TENSORFLOW, str(outside / "one.png")], cwd=outside,
                          env=installed_env(wheel_site, outside), capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-3000:]
    top = json.loads(proc.stdout.split("TOP ", 1)[1].splitlines()[0])
    assert top[0][0] == "1" and top[0][1] > 0.9
    line = json.loads(proc.stdout.strip().splitlines()[-1])
    assert line["top"][0]["label"] == "1"


def test_tensorflow_only_in_the_training_extras(wheel_site):
    """Colab keeps its GPU TensorFlow: the base install requires none, `train` requires it by its own name."""
    (meta,) = wheel_site.glob("handpad-*.dist-info/METADATA")
    requires = [line.split(":", 1)[1].strip() for line in meta.read_text("utf-8").splitlines()
                if line.startswith("Requires-Dist:")]
    base = [r for r in requires if "extra ==" not in r]
    assert base and not [r for r in base if r.lower().startswith(("tensorflow", "keras"))], base
    train = [r.split(";")[0].replace(" ", "") for r in requires if 'extra == "train"' in r]
    assert any(r.startswith("tensorflow>=") for r in train) and not any("tensorflow-cpu" in r for r in train), train
    train_cpu = [r for r in requires if 'extra == "train-cpu"' in r]
    assert any(r.startswith("tensorflow-cpu") for r in train_cpu), train_cpu


def test_training_without_tensorflow_says_which_extra(tmp_path):
    """A base install asked to train: a clear error naming the extra, exit 1, no traceback."""
    script = ("import sys\nfor n in ('tensorflow', 'keras'): sys.modules[n] = None\n"
              "from handpad.cli import main\nsys.exit(main(sys.argv[1:]))")
    proc = subprocess.run([sys.executable, "-c", script, "train", str(tmp_path / "nowhere"), "--out", str(tmp_path / "run")],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 1, proc.stderr[-2000:]
    assert "needs TensorFlow" in proc.stderr and 'handpad[train]' in proc.stderr, proc.stderr
    assert "Traceback" not in proc.stderr
