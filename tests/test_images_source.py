"""Labeled image folders and read_image: unicode paths, formats, unreadable files."""
from __future__ import annotations

import cv2
import numpy as np
import pytest
from PIL import Image

from handpad.cli import main as handpad_main
from handpad.errors import DataFormatError
from handpad.sources.images import read_image
from handpad.store import load_store


def drawing(text: str, dark_on_light: bool) -> np.ndarray:
    img = np.zeros((120, 100), np.uint8)
    cv2.putText(img, text, (15, 95), cv2.FONT_HERSHEY_SIMPLEX, 3, 255, 8)
    return 255 - img if dark_on_light else img


def test_read_image_unicode_path_and_formats(tmp_path):
    folder = tmp_path / "샘플"
    folder.mkdir()
    gray = drawing("7", True)
    ok, png = cv2.imencode(".png", gray)
    (folder / "가.png").write_bytes(png.tobytes())
    assert np.array_equal(read_image(folder / "가.png"), gray)
    binary = np.where(gray > 127, 255, 0).astype(np.uint8)  # GIF has a palette: exact only for few colors
    rgba = np.dstack([binary, binary, binary, np.full_like(gray, 255)])
    Image.fromarray(rgba, "RGBA").save(folder / "나.gif")  # GIF: Pillow fallback if OpenCV lacks it
    got = read_image(folder / "나.gif")
    assert got.shape[:2] == gray.shape and np.array_equal(got[..., 0], binary)


def test_every_exif_orientation_is_turned_upright_as_viewers_show_it(tmp_path):
    """read_image turns each of the 8 EXIF orientations as Pillow's ImageOps.exif_transpose does (OpenCV's
    decoder ignores the tag); a file without the tag, or with a value out of range, is read as stored."""
    from PIL import ImageOps

    rgb = np.random.default_rng(0).integers(0, 256, (40, 100, 3)).astype(np.uint8)
    for orientation in range(1, 10):
        exif = Image.Exif()
        exif[0x0112] = orientation
        path = tmp_path / f"o{orientation}.png"
        Image.fromarray(rgb).save(path, exif=exif)
        with Image.open(path) as im:
            viewed = np.asarray(ImageOps.exif_transpose(im).convert("RGB"))
        got = read_image(path)[:, :, ::-1]  # BGR, as OpenCV orders it
        assert np.array_equal(got, viewed if orientation <= 8 else rgb), orientation
    assert read_image(tmp_path / "o6.png").shape[:2] == (100, 40)


def test_unreadable_image_names_the_file(tmp_path):
    bad = tmp_path / "깨진.png"
    bad.write_bytes(b"\x89PNG\r\n\x1a\n garbage")
    with pytest.raises(DataFormatError) as e:
        read_image(bad)
    assert str(e.value) == f"{bad}: not a readable image (unknown format or corrupt data)"
    with pytest.raises(DataFormatError, match="cannot read file"):
        read_image(tmp_path / "missing.png")


def test_convert_labeled_folder(tmp_path, capsys):
    root = tmp_path / "samples"
    for label, dark in (("3", True), ("7", False)):
        (root / label).mkdir(parents=True)
        for i in range(3):
            cv2.imencode(".bmp" if i else ".png", drawing(label, dark))[1].tofile(str(root / label / f"{i}.{'bmp' if i else 'png'}"))
    (root / "7" / "broken.jpg").write_bytes(b"not a jpeg")
    (root / "7" / "notes.txt").write_text("ignored")
    out = tmp_path / "s"
    assert handpad_main(["convert", "images", str(root), "--out", str(out), "--no-progress"]) == 1
    text = capsys.readouterr().out
    assert f"{root / '7' / 'broken.jpg'}: not a readable image" in text and "wrote 6 samples from 2 input(s)" in text
    store = load_store(out)
    assert store.label_space.name == "digits" and np.bincount(store.labels).tolist() == [0, 0, 0, 3, 0, 0, 0, 3]
    imgs = store.images[:]
    assert np.array_equal(imgs[0], imgs[1]) and imgs[:, 0].max() == 0  # png and bmp give the same input


def test_decompression_bomb_is_refused_before_decoding(bomb_png):
    import time

    from handpad.sources.images import MAX_IMAGE_PIXELS, decode_image

    assert bomb_png.stat().st_size < 200_000
    start = time.perf_counter()
    with pytest.raises(DataFormatError) as e:
        read_image(bomb_png)
    assert time.perf_counter() - start < 1.0  # decoding it would take seconds and gigabytes
    assert str(e.value) == (
        f"{bomb_png}: image is 20000x20000 = 400.0 megapixels, over the limit of {MAX_IMAGE_PIXELS / 1e6:g} "
        "megapixels (a guard against decompression bombs: small files that decode to huge images); "
        "scale the picture down first"
    )
    with pytest.raises(DataFormatError, match=r"^upload\.png: image is 20000x20000"):  # bytes: the same guard
        decode_image(bomb_png.read_bytes(), "upload.png")


def test_image_size_limit_lets_photos_through(tmp_path):
    from handpad.sources.images import MAX_IMAGE_PIXELS, check_image_size, decode_image

    assert MAX_IMAGE_PIXELS >= 8000 * 6000
    check_image_size(8000, 6000, "photo.jpg")  # a 48-megapixel phone photo passes
    with pytest.raises(DataFormatError, match="over the limit"):
        check_image_size(MAX_IMAGE_PIXELS + 1, 1, "wide.png")
    photo = np.zeros((4000, 4000, 3), np.uint8)
    ok, jpg = cv2.imencode(".jpg", photo)
    assert decode_image(jpg.tobytes(), "photo.jpg").shape == (4000, 4000, 3)
    with pytest.raises(DataFormatError, match="^<memory>: not a readable image: the file is empty"):
        decode_image(b"")


def test_an_iphone_photo_heic_is_read_upright_and_other_documents_are_named(tmp_path):
    """A HEIC photo (an iPhone's default) decodes through pillow-heif, upright as its orientation says (the
    plugin applies it and leaves the tag at 1: not turned twice); a PDF or an SVG is refused with what to do."""
    from pillow_heif import register_heif_opener

    register_heif_opener()  # to write one here (handpad registers it to read)
    gray = drawing("7", True)
    stored = np.ascontiguousarray(np.rot90(gray, 1))  # the sensor's pixels: the phone held sideways
    exif = Image.Exif()
    exif[0x0112] = 6  # "turn 90 degrees clockwise to view"
    Image.fromarray(stored).convert("RGB").save(tmp_path / "IMG_0001.HEIC", quality=95, exif=exif.tobytes())
    got = read_image(tmp_path / "IMG_0001.HEIC")
    got = got if got.ndim == 2 else cv2.cvtColor(got, cv2.COLOR_BGR2GRAY)
    assert got.shape == gray.shape  # upright: as high as the drawing, not as wide
    assert np.abs(got.astype(int) - gray).mean() < 6  # lossy, but the same picture ...
    assert np.abs(np.rot90(got, 2).astype(int) - gray).mean() > 15  # ... not the one turned over

    (tmp_path / "page.pdf").write_bytes(b"%PDF-1.7\n%\xe2\xe3\n1 0 obj")
    (tmp_path / "logo.svg").write_text('<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg"/>')
    (tmp_path / "cut.heic").write_bytes((tmp_path / "IMG_0001.HEIC").read_bytes()[:600])
    for name, why in (("page.pdf", "a PDF document, not an image: export its page as PNG or JPEG"),
                      ("logo.svg", "an SVG drawing (vector), not a picture of pixels: export it as PNG"),
                      ("cut.heic", "a HEIC/HEIF photo that cannot be decoded: corrupt or truncated")):
        with pytest.raises(DataFormatError) as e:
            read_image(tmp_path / name)
        assert str(e.value) == f"{tmp_path / name}: not a readable image ({why})"
