"""Image files: one reader for every part that opens a picture (converter, predict, the pad).

``read_image`` decodes through ``np.fromfile`` + ``cv2.imdecode`` (``cv2.imread`` cannot open
non-ASCII paths such as ``샘플/가.png`` on every platform) and falls back to Pillow for formats
OpenCV lacks. A labeled folder is ``ROOT/<label>/<image>``: the subfolder name is the label.
"""
from __future__ import annotations

import io
import unicodedata
from pathlib import Path
from typing import Iterator

import cv2
import numpy as np

from ..errors import DataFormatError

IMAGE_EXTENSIONS = frozenset({".png", ".jpg", ".jpeg", ".bmp", ".gif", ".tif", ".tiff", ".webp", ".pgm", ".ppm", ".pbm", ".pnm"})


def read_image(path) -> np.ndarray:
    """Decode an image file -> uint8 HxW (gray), HxWx3 (BGR) or HxWx4 (BGRA), as OpenCV orders them."""
    path = Path(path)
    try:
        raw = np.fromfile(path, np.uint8)
    except OSError as e:
        raise DataFormatError(path, f"cannot read file ({e.strerror or e})") from None
    if raw.size == 0:
        raise DataFormatError(path, "not a readable image: the file is empty")
    img = cv2.imdecode(raw, cv2.IMREAD_UNCHANGED)
    if img is None:
        img = _decode_with_pillow(raw.tobytes())
    if img is None:
        raise DataFormatError(path, "not a readable image (unknown format or corrupt data)")
    if img.dtype == np.uint16:
        img = (img >> 8).astype(np.uint8)  # 16-bit PNG/TIFF: keep the high byte
    elif img.dtype != np.uint8:
        img = np.clip(img.astype(np.float32) * (255.0 if img.max(initial=0) <= 1.0 else 1.0), 0, 255).astype(np.uint8)
    if img.ndim == 3 and img.shape[2] == 1:
        img = img[:, :, 0]
    if img.ndim not in (2, 3) or img.shape[0] == 0 or img.shape[1] == 0:
        raise DataFormatError(path, f"not a readable image (decoded shape {img.shape})")
    return img


def _decode_with_pillow(data: bytes) -> np.ndarray | None:
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as im:
            im.load()
            has_alpha = im.mode in ("RGBA", "LA", "PA") or "transparency" in im.info
            if im.mode in ("L", "1", "I;16", "I") and not has_alpha:
                return np.asarray(im.convert("L"))
            rgb = np.asarray(im.convert("RGBA" if has_alpha else "RGB"))
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError):
        return None
    return cv2.cvtColor(rgb, cv2.COLOR_RGBA2BGRA if rgb.shape[2] == 4 else cv2.COLOR_RGB2BGR)


def labeled_image_files(root) -> Iterator[tuple[str, Path]]:
    """``(label, path)`` for every image file in ``ROOT/<label>/``, sorted; labels are NFC-normalized
    (macOS stores Hangul folder names decomposed)."""
    root = Path(root)
    if not root.is_dir():
        raise DataFormatError(root, "expected a folder with one subfolder per label (ROOT/<label>/*.png)")
    for sub in sorted(p for p in root.iterdir() if p.is_dir()):
        label = unicodedata.normalize("NFC", sub.name)
        for f in sorted(sub.iterdir()):
            if f.is_file() and f.suffix.lower() in IMAGE_EXTENSIONS:
                yield label, f
