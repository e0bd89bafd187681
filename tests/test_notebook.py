"""The notebook pad (handpad.notebook): the widget's kernel side, as the canvas calls it over the comm."""
from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from conftest import require

import handpad.notebook as nb


def png(image: np.ndarray) -> bytes:
    ok, data = cv2.imencode(".png", image)
    assert ok
    return data.tobytes()


def drawn_one() -> bytes:
    """A "1" as the canvas sends it: 400x400, dark ink on white."""
    img = np.full((400, 400), 255, np.uint8)
    cv2.line(img, (200, 60), (205, 340), 0, 18)
    return png(img)


def written_syllable(text: str) -> bytes:
    font = Path("/usr/share/fonts/truetype/unfonts-core/UnDotum.ttf")
    require(font.exists(), "fonts-unfonts-core (UnDotum)")
    img = Image.new("L", (400, 400), 255)
    ImageDraw.Draw(img).text((60, 40), text, font=ImageFont.truetype(str(font), 280), fill=0)
    return png(np.asarray(img))


def test_pad_answers_like_predict_json(tmp_path):
    from handpad.recognizer import Recognizer, answer_json

    widget = nb.pad("digits", samples=tmp_path)
    assert widget.kinds == ["digits"] and widget.kind == "digits"
    reply = widget.answer("predict", "digits", drawn_one())
    assert reply["answer"]["top"][0]["label"] == "1" and reply["answer"]["top"][0]["prob"] > 0.9
    image = cv2.imdecode(np.frombuffer(drawn_one(), np.uint8), cv2.IMREAD_GRAYSCALE)
    assert reply["answer"] == answer_json(Recognizer.load("digits").top_k(image, 3))


def test_pad_with_both_kinds_reads_a_syllable(tmp_path):
    widget = nb.pad({"digits": "digits", "hangul": "hangul"}, samples=tmp_path)
    assert widget.kinds == ["digits", "hangul"] and widget.kind == "hangul"
    assert widget.answer("predict", "hangul", written_syllable("가"))["answer"]["top"][0]["label"] == "가"


def test_pad_errors_are_messages_not_exceptions(tmp_path):
    widget = nb.pad("digits", samples=tmp_path)
    assert "no 'hangul' model" in widget.answer("predict", "hangul", drawn_one())["error"]
    assert "not a readable image" in widget.answer("predict", "digits", b"garbage")["error"]
    blank = png(np.full((400, 400), 255, np.uint8))
    assert "error" in widget.answer("predict", "digits", blank)
    assert "type the character" in widget.answer("save", "digits", drawn_one(), "")["error"]
    assert "not one of" in widget.answer("save", "digits", drawn_one(), "가")["error"]
    with pytest.raises(Exception, match="pad kinds"):
        nb.pad({"letters": "digits"})


def test_saved_drawings_go_into_the_pads_sample_store(tmp_path):
    from handpad.store import load_store

    widget = nb.pad("digits", samples=tmp_path)
    assert widget.answer("save", "digits", drawn_one(), "1")["answer"]["saved"] == 1
    assert widget.answer("save", "digits", drawn_one(), "1")["answer"]["saved"] == 2
    store = load_store(tmp_path / "digits-samples")
    assert len(store) == 2 and store.label_names() == ["1", "1"]
    assert store.images[0].max() == 255 and store.images[0].shape == (60, 60)  # the model's input: bright ink


def test_comm_message_gets_a_reply_with_its_id(tmp_path):
    widget = nb.pad("digits", samples=tmp_path)
    sent = []
    widget.send = lambda message, buffers=None: sent.append(message)
    widget._on_message(widget, {"id": 7, "action": "predict", "kind": "digits"}, [memoryview(drawn_one())])
    assert sent[0]["id"] == 7 and sent[0]["answer"]["top"][0]["label"] == "1"


def test_a_trained_model_path_is_drawn_against(tmp_path):
    """A .keras path (what a notebook just trained): its kind comes from its labels."""
    from handpad.shipped import shipped_model_path

    widget = nb.pad(str(shipped_model_path("digits")), samples=tmp_path)
    assert widget.kinds == ["digits"]
    assert widget.answer("predict", "digits", drawn_one())["answer"]["top"][0]["label"] == "1"
