"""The jamo-aware model: three heads (19 initials, 21 vowels, 28 finals) rank all 11,172 syllables."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from conftest import require

from handpad.labels import jamo_indices, jamo_of, label_space, space_map
from handpad.model import syllables_from_jamo

GOTHIC = Path("/usr/share/fonts/truetype/nanum/NanumGothic.ttf")
MYEONGJO = Path("/usr/share/fonts/truetype/nanum/NanumMyeongjo.ttf")
SYLLABLES = "가나다라마바사아자하각난말밤상"  # 15 of the 2350, every one a different jamo mix
RARE = "똠쌰뷁햏"  # outside KS X 1001: no 2350-class model can ever answer them


def test_jamo_arithmetic_and_spaces():
    every, common = label_space("hangul-11172"), label_space("hangul-ksx1001")
    assert jamo_of("각") == ("ㄱ", "ㅏ", "ㄱ") and jamo_of("뷁") == ("ㅂ", "ㅞ", "ㄺ") and jamo_of("가") == ("ㄱ", "ㅏ", "")
    i, v, f = jamo_indices(np.arange(11172))
    assert (i.max(), v.max(), f.max()) == (18, 20, 27)
    assert len(set(zip(i.tolist(), v.tolist(), f.tolist()))) == 11172  # every combination once
    m = space_map(common, every)
    assert [every.labels[j] for j in m] == list(common.labels)  # the 2350 inside all 11,172
    with pytest.raises(Exception, match="'digits' is not inside 'hangul-11172'"):
        space_map("digits", "hangul-11172")


def test_three_jamo_distributions_make_one_over_all_syllables():
    rng = np.random.default_rng(0)
    parts = [rng.dirichlet(np.ones(n), 4) for n in (19, 21, 28)]
    probs = syllables_from_jamo(np.concatenate(parts, axis=1).astype(np.float32))
    assert probs.shape == (4, 11172) and np.allclose(probs.sum(1), 1, atol=1e-5)
    every = label_space("hangul-11172")
    k = every.index("뷁")
    i, v, f = (int(a) for a in jamo_indices(k))
    assert np.isclose(probs[0, k], parts[0][0, i] * parts[1][0, v] * parts[2][0, f], rtol=1e-5)
    one_hot = np.zeros((1, 68), np.float32)
    one_hot[0, [i, 19 + v, 40 + f]] = 1
    assert syllables_from_jamo(one_hot).argmax() == k  # a syllable no KS X 1001 model can answer


def test_jamo_loss_is_the_sum_of_three_cross_entropies():
    from handpad.model_builders import JamoAccuracy, JamoLoss

    rng = np.random.default_rng(1)
    parts = [rng.dirichlet(np.ones(n), 3).astype(np.float32) for n in (19, 21, 28)]
    y = np.array([label_space("hangul-11172").index(c) for c in "가뷁힣"])
    i, v, f = jamo_indices(y)
    expected = -(np.log(parts[0][range(3), i]) + np.log(parts[1][range(3), v]) + np.log(parts[2][range(3), f])).mean()
    got = float(JamoLoss()(y, np.concatenate(parts, axis=1)))
    assert abs(got - expected) < 1e-4
    acc = JamoAccuracy()
    perfect = np.zeros((3, 68), np.float32)
    perfect[range(3), i] = perfect[range(3), 19 + v] = perfect[range(3), 40 + f] = 1
    perfect[2, 40 + (f[2] + 1) % 28] = 2  # the last one gets its final wrong
    acc.update_state(y, perfect)
    assert abs(float(acc.result()) - 2 / 3) < 1e-6


@pytest.fixture(scope="module")
def jamo_run(tmp_path_factory):
    """A tiny jamo model trained on 15 syllables drawn from two Debian fonts."""
    require(GOTHIC.exists() and MYEONGJO.exists(), "fonts-nanum (NanumGothic, NanumMyeongjo)")
    from handpad.synth.fonts import resolve_fonts
    from handpad.synth.generate import SynthOptions, choose_syllables, synthesize
    from handpad.training import TrainConfig, train

    root = tmp_path_factory.mktemp("jamo")
    faces, _ = resolve_fonts([GOTHIC, MYEONGJO])
    options = SynthOptions(per_font=10, mix={"designed": 1, "pen": 1}, seed=0, syllables=choose_syllables(SYLLABLES))
    synthesize(faces, root / "store", options, workers=1, progress=False)
    # and a few syllables outside the 2350, in a store of hangul-11172, trained on beside it
    rare = SynthOptions(per_font=10, mix={"designed": 1, "pen": 1}, seed=0, label_space="hangul-11172",
                        syllables=choose_syllables(RARE, space="hangul-11172"))
    synthesize(faces, root / "rare", rare, workers=1, progress=False)
    result = train(TrainConfig(store=str(root / "store"), out=str(root / "run"), arch="cnn",
                               arch_options={"width": 16, "dense": 64, "head": "jamo"}, epochs=10, batch_size=32,
                               val_fraction=0.2, test_fraction=0.2, verbose=0, extra_train=[str(root / "rare")]))
    return result, root


def test_a_jamo_model_learns_and_answers_over_all_syllables(jamo_run):
    from handpad.model import Model, read_entries

    result, root = jamo_run
    assert result["test_metrics"]["top1"] > 0.6, result["test_metrics"]  # chance: 1 in 11,172
    meta = read_entries(root / "run" / "model.keras")[0]
    assert meta["label_space"] == "hangul-11172" and meta["head"] == "jamo"
    model = Model.load(root / "run" / "model.keras")
    assert model.engine.name == "litert" and model.engine.num_outputs == 68
    from handpad.store import load_store

    store = load_store(root / "store")  # a hangul-ksx1001 store: its labels map into hangul-11172
    probs = model.predict(store.images[:20])
    assert probs.shape == (20, 11172) and np.allclose(probs.sum(1), 1, atol=1e-4)
    inside = space_map("hangul-ksx1001", "hangul-11172")
    assert (probs.argmax(1) == inside[store.labels[:20]]).mean() > 0.6


def test_only_the_2350_on_request_in_python_and_from_the_command(jamo_run, tmp_path):
    import cv2

    from handpad.recognizer import Recognizer
    from handpad.store import load_store

    path = jamo_run[1] / "run" / "model.keras"
    every, common = Recognizer.load(path), Recognizer.load(path, only="hangul-ksx1001")
    assert len(every.labels) == 11172 and len(common.labels) == 2350
    x = load_store(jamo_run[1] / "store").images[:8]
    p = common.predict_proba(x, prepared=True)
    assert p.shape == (8, 2350) and np.allclose(p.sum(1), 1, atol=1e-4)
    assert all(label in common.label_space for row in common.top_k_batch(x, 5, prepared=True) for label, _ in row)
    png = tmp_path / "s.png"
    cv2.imwrite(str(png), 255 - cv2.resize(x[0], (200, 200)))
    for only, size in ((None, 11172), ("hangul-ksx1001", 2350)):
        args = [sys.executable, "-m", "handpad", "predict", "--model", str(path), "--json", "--top", "3", str(png)]
        proc = subprocess.run(args + (["--only", only] if only else []), capture_output=True, text=True, timeout=120)
        assert proc.returncode == 0, proc.stderr
        top = json.loads(proc.stdout)["top"]
        assert len(top) == 3 and all(label_space(only or "hangul-11172").index(t["label"]) < size for t in top)
    bad = subprocess.run([sys.executable, "-m", "handpad", "predict", "--model", "digits", "--only", "hangul-ksx1001",
                          str(png)], capture_output=True, text=True, timeout=120)
    assert bad.returncode == 1 and "is not inside 'digits'" in bad.stderr


def test_rare_syllables_synthesize_into_hangul_11172_and_are_read(jamo_run):
    from handpad.model import Model
    from handpad.store import load_store

    from handpad.synth.generate import choose_syllables

    rare = load_store(jamo_run[1] / "rare")
    assert rare.label_space.name == "hangul-11172" and set(rare.label_names()) == set(RARE)
    model = Model.load(jamo_run[1] / "run" / "model.keras")
    assert (model.predict(rare.images[:]).argmax(1) == rare.labels).mean() > 0.8  # seen in training, outside 2350
    assert len(choose_syllables(space="hangul-11172", leave_out="hangul-ksx1001")) == 11172 - 2350
    with pytest.raises(Exception, match="'똠' is not in the label space hangul-ksx1001"):
        choose_syllables("가똠")


# -- the hybrid head: a softmax over the 2350 beside the jamo softmaxes ---------------------------------
def test_hybrid_head_combines_syllable_and_jamo_probabilities():
    from handpad.model import syllables_from_hybrid
    from handpad.model_builders.heads import common_index

    every, common = label_space("hangul-11172"), label_space("hangul-ksx1001")
    inside = space_map(common, every)
    assert np.array_equal(np.flatnonzero(common_index() >= 0), inside)  # the heads' own table = the label spaces'
    assert np.array_equal(common_index()[inside], np.arange(2350))
    rng = np.random.default_rng(2)
    syllable = rng.dirichlet(np.ones(2350), 3)
    parts = [rng.dirichlet(np.ones(n), 3) for n in (19, 21, 28)]
    probs = syllables_from_hybrid(np.concatenate([syllable, *parts], axis=1).astype(np.float32))
    assert probs.shape == (3, 11172) and np.allclose(probs.sum(1), 1, atol=1e-4)
    jamo = syllables_from_jamo(np.concatenate(parts, axis=1).astype(np.float32))
    rare = np.setdiff1d(np.arange(11172), inside)
    assert np.allclose(probs[:, rare], jamo[:, rare])  # the jamo product ranks the rarer syllables...
    kept = 1 - jamo[:, rare].sum(1, keepdims=True)  # ...and what it leaves goes to the 2350 as the softmax says
    assert np.allclose(probs[:, inside], kept * syllable, atol=1e-6)
    # a confident 뷁 (outside the 2350) wins over any syllable softmax; a confident 가 stays 가
    k = every.index("뷁")
    i, v, f = (int(a) for a in jamo_indices(k))
    out = np.zeros((2, 2418), np.float32)
    out[:, 0] = 1  # the syllable softmax says 가 for both
    out[0, [2350 + i, 2350 + 19 + v, 2350 + 40 + f]] = 1
    out[1, [2350 + 0, 2350 + 19 + 0, 2350 + 40 + 0]] = 1  # ㄱ ㅏ (no final): 가
    assert [every.labels[j] for j in syllables_from_hybrid(out).argmax(1)] == ["뷁", "가"]
    # the jamo mix: the jamo heads also weigh among the 2350 (a product of experts); the rarer ones keep
    # their share, and mix 0 is the syllable softmax alone
    mix = syllables_from_hybrid(np.concatenate([syllable, *parts], axis=1).astype(np.float32), 1.0, 0.3)
    assert np.allclose(mix.sum(1), 1, atol=1e-4) and np.allclose(mix[:, rare], probs[:, rare], atol=1e-6)
    assert np.allclose(syllables_from_hybrid(np.concatenate([syllable, *parts], axis=1).astype(np.float32), 1.0, 0.0), probs)
    ga, gak = every.index("가"), every.index("각")
    close = np.zeros((1, 2418), np.float32)
    close[0, [common.index("가"), common.index("각")]] = 0.55, 0.45  # the syllable softmax leans to 가 ...
    close[0, 2350 + np.array([0, 19 + 0])] = 1.0
    close[0, 2350 + 40 + np.array([0, 1])] = 0.1, 0.9  # ... the jamo heads say final ㄱ: 각
    assert syllables_from_hybrid(close).argmax(1)[0] == ga
    assert syllables_from_hybrid(close, 1.0, 0.3).argmax(1)[0] == gak


def test_hybrid_loss_and_accuracy():
    from handpad.model_builders import HybridAccuracy, HybridLoss

    rng = np.random.default_rng(3)
    syllable = rng.dirichlet(np.ones(2350), 2).astype(np.float32)
    parts = [rng.dirichlet(np.ones(n), 2).astype(np.float32) for n in (19, 21, 28)]
    every, common = label_space("hangul-11172"), label_space("hangul-ksx1001")
    y = np.array([every.index("각"), every.index("뷁")])  # one of the 2350, one outside
    i, v, f = jamo_indices(y)
    jamo_ce = -(np.log(parts[0][range(2), i]) + np.log(parts[1][range(2), v]) + np.log(parts[2][range(2), f]))
    syllable_ce = np.array([-np.log(syllable[0, common.index("각")]), 0.0])  # no syllable output for 뷁
    got = float(HybridLoss()(y, np.concatenate([syllable, *parts], axis=1)))
    assert abs(got - (jamo_ce + syllable_ce).mean()) < 1e-4
    acc = HybridAccuracy()
    right = np.zeros((2, 2418), np.float32)
    right[0, common.index("각")] = 1  # 각 by its syllable softmax
    right[1, [2350 + i[1], 2350 + 19 + v[1], 2350 + 40 + f[1]]] = 1  # 뷁 by its jamo
    right[0, 2350] = 1  # (the jamo of row 0 do not matter for a syllable of the 2350)
    acc.update_state(y, right)
    assert float(acc.result()) == 1.0
    wrong = right.copy()
    wrong[1, 2350 + 40 + f[1]] = 0
    wrong[1, 2350 + 40 + (f[1] + 1) % 28] = 1
    acc.reset_state()
    acc.update_state(y, wrong)
    assert abs(float(acc.result()) - 0.5) < 1e-6


def test_a_hybrid_model_starts_from_a_softmax_model_and_learns_rare_syllables(jamo_run, tmp_path, capsys):
    """--init-from: the 2350-class model's features and syllable softmax start the hybrid model."""
    from handpad.errors import HandpadError
    from handpad.model import Model, read_entries
    from handpad.store import load_store
    from handpad.training import TrainConfig, train

    root = jamo_run[1]
    common = label_space("hangul-ksx1001")
    base = train(TrainConfig(store=str(root / "store"), out=str(tmp_path / "softmax"), arch="cnn",
                             arch_options={"width": 16, "dense": 64}, epochs=12, batch_size=32, val_fraction=0.2,
                             test_fraction=0.2, verbose=0))
    assert base["test_metrics"]["top1"] > 0.5
    cfg = TrainConfig(store=str(root / "store"), out=str(tmp_path / "hybrid"), arch="cnn",
                      arch_options={"width": 16, "dense": 64, "head": "hybrid"}, epochs=10, batch_size=32,
                      val_fraction=0.2, test_fraction=0.2, verbose=0, extra_train=[str(root / "rare")],
                      init_from=base["model_path"])
    import contextlib
    import io

    said = io.StringIO()
    with contextlib.redirect_stderr(said):
        result = train(cfg)
    assert "initialized" in said.getvalue() and "new: initial, vowel, final" in said.getvalue(), said.getvalue()
    meta = read_entries(result["model_path"])[0]
    assert meta["head"] == "hybrid" and meta["label_space"] == "hangul-11172"
    assert result["test_metrics"]["top1"] > 0.6, result["test_metrics"]
    model = Model.load(result["model_path"])
    assert model.engine.num_outputs == 2418
    store, rare = load_store(root / "store"), load_store(root / "rare")
    probs = model.predict(store.images[:40])
    assert probs.shape == (40, 11172) and np.allclose(probs.sum(1), 1, atol=1e-3)
    inside = space_map(common, "hangul-11172")
    assert (probs.argmax(1) == inside[store.labels[:40]]).mean() > 0.6
    assert (model.predict(rare.images[:]).argmax(1) == rare.labels).mean() > 0.6  # outside the 2350
    # the rare weight, fitted on samples of the 2350 and of the rarer syllables: the mean of the two top-1
    # accuracies is the best of the grid, and the file keeps it (then the temperature)
    from handpad.cli import main as handpad_main

    calibrated = tmp_path / "calibrated.keras"
    assert handpad_main(["calibrate", result["model_path"], str(root / "store"), "--rare", str(root / "rare"),
                         "--out", str(calibrated)]) == 0
    meta = read_entries(calibrated)[0]
    fit = meta["rare_weight_fit"]["top1"]
    assert str(meta["rare_weight"]) in fit and len(fit) == 17
    common_best = max(a for a, _ in fit.values())
    kept = {w: (a, b) for w, (a, b) in fit.items() if a >= common_best - 0.005}  # the 2350 lose at most 0.5 point
    assert fit[str(meta["rare_weight"])][1] == max(b for _, b in kept.values())
    assert fit[str(meta["rare_weight"])][0] >= common_best - 0.005
    assert Model.load(calibrated).rare_weight == meta["rare_weight"]
    # the temperature is fitted on both stores: the model answers over all 11,172
    assert meta["calibration"]["n"] == len(store) + len(rare)
    from handpad.calibration import fit_temperature
    from handpad.data import labels_in

    uncalibrated = Model.load(calibrated)
    uncalibrated.temperature = 1.0
    both = np.concatenate([store.images[:], rare.images[:]])
    both_labels = np.concatenate([labels_in(store, uncalibrated.label_space, store.image_size, "store"), rare.labels])
    assert meta["temperature"] == pytest.approx(fit_temperature(uncalibrated.predict(both), both_labels), abs=1e-3)
    capsys.readouterr()
    assert handpad_main(["calibrate", base["model_path"], str(root / "store"), "--rare", str(root / "rare"),
                         "--out", str(tmp_path / "x.keras")]) == 1
    assert "fits the rare weight of a hybrid head; this model's head is softmax" in capsys.readouterr().err
    assert not (tmp_path / "x.keras").exists()  # the failed calibration leaves no uncalibrated copy behind
    # --jamo-mix: the jamo heads' say among the 2350, the best of its grid on DATA (the smaller on a tie), kept
    mixed = tmp_path / "mixed.keras"
    assert handpad_main(["calibrate", result["model_path"], str(root / "store"), "--rare", str(root / "rare"),
                         "--jamo-mix", "--out", str(mixed)]) == 0
    assert "jamo mix" in capsys.readouterr().out
    meta = read_entries(mixed)[0]
    table = {float(b): a for b, a in meta["jamo_mix_fit"]["top1"].items()}
    assert len(table) == 6 and meta["jamo_mix"] == min(b for b, a in table.items() if a == max(table.values()))
    assert Model.load(mixed).jamo_mix == meta["jamo_mix"] and "rare_weight" in meta and "temperature" in meta
    # --views on a hybrid head with rarer syllables: both readings fitted, and where single images read at
    # every view (a threshold that reads both stores as well as every view always, or none)
    viewed = tmp_path / "viewed.keras"
    assert handpad_main(["calibrate", result["model_path"], str(root / "store"), "--rare", str(root / "rare"),
                         "--jamo-mix", "--views=0,0.15,-0.15", "--out", str(viewed)]) == 0
    meta = read_entries(viewed)[0]
    fit = meta["views_below_fit"]
    assert "rare_weight" in meta["one_view"] and fit["data"] == f"{root / 'store'} + {root / 'rare'}"
    if meta["views_below"] is None:
        assert all(a < fit["top1_every_view"] for a, _ in fit["top1_and_share_at_every_view"].values())
    else:
        assert fit["top1_and_share_at_every_view"][str(meta["views_below"])][0] >= fit["top1_every_view"]
        assert 0 <= meta["calibration_views_below"] <= 1
    assert handpad_main(["calibrate", base["model_path"], str(root / "store"), "--jamo-mix",
                         "--out", str(tmp_path / "y.keras")]) == 1
    assert "--jamo-mix fits the jamo heads' say of a hybrid head" in capsys.readouterr().err
    # --rare-weight: the weight given (at every view and at one view), not fitted; the temperature still is,
    # on both stores; the answers follow the weight (a larger one gives the rarer syllables more)
    given = tmp_path / "given.keras"
    assert handpad_main(["calibrate", result["model_path"], str(root / "store"), "--rare", str(root / "rare"),
                         "--views=0,0.15,-0.15", "--rare-weight", "3", "--out", str(given)]) == 0
    assert "rare weight 3: given (--rare-weight), not fitted" in capsys.readouterr().out
    meta = read_entries(given)[0]
    assert meta["rare_weight"] == 3.0 and meta["one_view"]["rare_weight"] == 3.0
    assert meta["rare_weight_fit"] == "given (--rare-weight)" and meta["calibration"]["n"] == len(store) + len(rare)
    low = tmp_path / "low.keras"
    assert handpad_main(["calibrate", result["model_path"], str(root / "store"), "--rare", str(root / "rare"),
                         "--views=0,0.15,-0.15", "--rare-weight", "0.01", "--out", str(low)]) == 0
    outside = ~np.isin(np.arange(11172), inside)
    heavy, light = Model.load(given).predict(rare.images[:]), Model.load(low).predict(rare.images[:])
    assert heavy[:, outside].sum(1).mean() > light[:, outside].sum(1).mean() + 0.1
    for args, message in (([result["model_path"], "--rare-weight", "0"], "--rare-weight 0: give a weight above 0"),
                          ([base["model_path"], "--rare-weight", "0.5"], "--rare-weight is the rare weight of a hybrid head")):
        assert handpad_main(["calibrate", args[0], str(root / "store"), *args[1:], "--out", str(tmp_path / "z.keras")]) == 1
        assert message in capsys.readouterr().err and not (tmp_path / "z.keras").exists()
    with pytest.raises(HandpadError, match="no layer of that model matches"):
        train(TrainConfig(store=str(root / "store"), out=str(tmp_path / "mismatch"), arch="inception",
                          arch_options={"width": 0.25, "head": "hybrid"}, epochs=1, verbose=0,
                          init_from=base["model_path"]))
    with pytest.raises(HandpadError, match="--init-from nowhere.keras: no such model file"):
        TrainConfig(store="s", out="o", init_from="nowhere.keras")


def test_training_syllables_can_leave_out_a_test_stores(jamo_run):
    from handpad.synth.generate import choose_syllables

    rare_test = jamo_run[1] / "rare"  # holds 똠쌰뷁햏
    chosen = choose_syllables(space="hangul-11172", leave_out=["hangul-ksx1001", str(rare_test)])
    assert len(chosen) == 11172 - 2350 - len(RARE) and not set(RARE) & set(chosen)
    with pytest.raises(Exception, match="--leave-out nowhere/store: neither a label space .* a dataset store folder nor a syllable list file"):
        choose_syllables(space="hangul-11172", leave_out=["hangul-ksx1001", "nowhere/store"])


def test_leave_out_takes_a_syllable_list_and_names_a_bad_line(tmp_path):
    from handpad.errors import HandpadError
    from handpad.synth.generate import choose_syllables

    listed = tmp_path / "seen.txt"
    listed.write_text("# syllables a model saw\n똠, 쌰\n뷁 # and one more\n", encoding="utf-8")
    chosen = choose_syllables(space="hangul-11172", leave_out=["hangul-ksx1001", str(listed)])
    assert len(chosen) == 11172 - 2350 - 3 and not {"똠", "쌰", "뷁"} & set(chosen)
    listed.write_text("똠\n쌰x\n", encoding="utf-8")
    with pytest.raises(HandpadError, match=r"seen.txt, line 2: 'x' is not a Hangul syllable"):
        choose_syllables(space="hangul-11172", leave_out=[str(listed)])


def test_the_shipped_models_refit_syllables_are_drawn_again_and_spare_the_test_set():
    """models/hangul-refit-syllables.txt is what bench/rare_overlap.py draws from the refit stores' seeds; none
    of it is in KS X 1001 or in the held-out rare test set (500 syllables, seed 1), which training left out."""
    import importlib.util

    from handpad.labels import label_space
    from handpad.synth.generate import _syllable_list, choose_syllables

    root = Path(__file__).resolve().parents[1]
    spec = importlib.util.spec_from_file_location("rare_overlap", root / "bench" / "rare_overlap.py")
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    parts = bench.refit_syllables()
    shipped = _syllable_list(root / "models" / "hangul-refit-syllables.txt")
    assert shipped == set().union(*parts.values()) and len(shipped) == 7641
    assert [len(parts[k]) for k in ("train-rare", "train-rare-b110", "train-rare-b120", "train-rare-b200")] == [600, 2000, 5000, 2000]
    assert not shipped & set(label_space("hangul-ksx1001").labels)
    test_set = set(choose_syllables(num=500, seed=1, space="hangul-11172", leave_out="hangul-ksx1001"))
    assert not shipped & test_set


def test_the_refit_draws_lists_let_synth_draw_each_store_again(tmp_path):
    """bench/rare_overlap.py --lists writes each draw's syllables as a list --leave-out reads; with the lists of
    the draws before it, choose_syllables (what handpad synth hangul calls) draws a refit store's syllables again."""
    import importlib.util

    from handpad.synth.generate import _syllable_list, choose_syllables

    root = Path(__file__).resolve().parents[1]
    spec = importlib.util.spec_from_file_location("rare_overlap", root / "bench" / "rare_overlap.py")
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    drawn = bench.draw_lists(tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(f"{name}.txt" for name, *_ in bench.DRAWS)
    assert _syllable_list(tmp_path / "train-rare-b200.txt") == drawn["train-rare-b200"]
    again = choose_syllables(num=2000, seed=200, space="hangul-11172",
                             leave_out=["hangul-ksx1001", *(str(tmp_path / f"{n}.txt") for n in
                                                           ("heldout-rare", "val-rare", "train-rare", "train-rare-b110"))])
    assert set(again) == drawn["train-rare-b200"] and len(again) == 2000
    assert not drawn["train-rare-b200"] & (drawn["heldout-rare"] | drawn["val-rare"] | drawn["train-rare-b110"])

