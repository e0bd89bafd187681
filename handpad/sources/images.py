"""Image files: one reader for every part that opens a picture (converter, predict, the pad).

``read_image`` reads the bytes with Python and decodes them with ``cv2.imdecode`` (``cv2.imread``
cannot open non-ASCII paths such as ``샘플/가.png`` on every platform), falling back to Pillow for
formats OpenCV lacks (HEIC/HEIF, an iPhone's photos, through the pillow-heif plugin). A labeled folder
is ``ROOT/<label>/<image>``: the subfolder name is the label.

A document of several pages — a PDF (a scanner app's), a multi-page TIFF (a scanner's, a fax) — is read page by
page by ``handpad read`` (:func:`is_document`, :func:`read_pages`; a PDF's pages drawn with pypdfium2).

Images over :data:`MAX_IMAGE_PIXELS` are refused before any pixel is decoded (their header is
read with Pillow): a decompression bomb -- a 91 KB PNG of 20000 x 20000 pixels -- would otherwise
take seconds and gigabytes. Bytes from elsewhere (a web upload) go through :func:`decode_image`,
the same guard; other readers call :func:`check_image_size` with the size they read.
"""
from __future__ import annotations

import io
import unicodedata
from pathlib import Path
from typing import Iterator

import cv2
import numpy as np

from ..errors import DataFormatError
from ..labels import space_for_labels
from ..preprocess import PreprocessConfig
from . import Input, Reader

IMAGE_EXTENSIONS = frozenset({".png", ".jpg", ".jpeg", ".bmp", ".gif", ".tif", ".tiff", ".webp", ".pgm", ".ppm",
                              ".pbm", ".pnm", ".heic", ".heif"})
MAX_IMAGE_PIXELS = 50_000_000  # width x height; a 48-megapixel phone photo (8000 x 6000) still passes
PDF_DPI = 200  # a PDF's pages are drawn at this many dots per inch (a scan's pages hold 150-300; an A4 page: 3.9 MP)
MAX_PDF_PAGES = 500  # a document of more pages is refused before one is drawn


def check_image_size(width: int, height: int, where=None) -> None:
    """Raise :class:`DataFormatError` (naming ``where``) if ``width x height`` is over :data:`MAX_IMAGE_PIXELS`."""
    pixels = int(width) * int(height)
    if pixels > MAX_IMAGE_PIXELS:
        raise DataFormatError(
            where, f"image is {width}x{height} = {pixels / 1e6:.1f} megapixels, over the limit of "
            f"{MAX_IMAGE_PIXELS / 1e6:g} megapixels (a guard against decompression bombs: small files that "
            "decode to huge images); scale the picture down first",
        )


def image_header_size(data: bytes) -> tuple[int, int] | None:
    """``(width, height)`` from the image's header, without decoding the pixels; None if Pillow cannot
    parse the header. (Pillow's ``Image.open`` would refuse a bomb itself, with its own higher limit
    and without the size: its format openers are called directly instead, as ``Image.open`` does.)"""
    import struct

    Image = _pillow()
    prefix = data[:16]
    for fmt in list(Image.ID):
        factory, accept = Image.OPEN[fmt]
        try:
            ok = not accept or accept(prefix)
            if not ok or isinstance(ok, str):
                continue
            with factory(io.BytesIO(data), "") as im:  # parses the header only; pixels load lazily
                return im.size
        except (SyntaxError, IndexError, TypeError, ValueError, EOFError, OSError, struct.error):
            continue
    return None


def decode_image(data: bytes, where=None) -> np.ndarray:
    """Decode image bytes (a file's, an upload's) -> uint8 HxW (gray), HxWx3 (BGR) or HxWx4 (BGRA),
    as OpenCV orders them; errors name ``where`` (a path, or e.g. the upload's name)."""
    if len(data) == 0:
        raise DataFormatError(where, "not a readable image: the file is empty")
    size = image_header_size(data)
    if size is not None:
        check_image_size(*size, where)
    img = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_UNCHANGED)
    if img is None:
        img = _decode_with_pillow(data)
    if img is None:
        raise DataFormatError(where, "not a readable image (" + what_it_is(data) + ")")
    if size is None and img.ndim >= 2:
        check_image_size(img.shape[1], img.shape[0], where)  # a format only OpenCV knows: same limit
    if img.dtype == np.uint16:
        img = (img >> 8).astype(np.uint8)  # 16-bit PNG/TIFF: keep the high byte
    elif img.dtype != np.uint8:
        img = np.clip(img.astype(np.float32) * (255.0 if img.max(initial=0) <= 1.0 else 1.0), 0, 255).astype(np.uint8)
    if img.ndim == 3 and img.shape[2] == 1:
        img = img[:, :, 0]
    if img.ndim not in (2, 3) or img.shape[0] == 0 or img.shape[1] == 0:
        raise DataFormatError(where, f"not a readable image (decoded shape {img.shape})")
    return upright(img, exif_orientation(data))


# EXIF orientation (tag 0x0112) -> how to turn the stored pixels upright, as a viewer shows them: phones
# store a photo as the sensor saw it and say in this tag how it was held. (Pillow's ImageOps.exif_transpose,
# on the array OpenCV decoded: cv2.IMREAD_UNCHANGED ignores the tag.)
_UPRIGHT = {
    2: lambda a: a[:, ::-1],  # mirrored left to right
    3: lambda a: a[::-1, ::-1],  # turned 180 degrees
    4: lambda a: a[::-1],  # mirrored top to bottom
    5: lambda a: np.swapaxes(a, 0, 1),  # transposed
    6: lambda a: np.rot90(a, -1),  # turned 90 degrees: turn it 90 degrees clockwise
    7: lambda a: np.swapaxes(a, 0, 1)[::-1, ::-1],  # transversed
    8: lambda a: np.rot90(a, 1),  # turned 270 degrees: turn it 90 degrees counter-clockwise
}


def exif_orientation(data: bytes) -> int:
    """The EXIF orientation of image bytes (1-8; 1, upright, where there is none or it cannot be read)."""
    Image = _pillow()
    try:
        with Image.open(io.BytesIO(data)) as im:  # the header only: no pixels decoded
            value = im.getexif().get(0x0112, 1)
    except Exception:  # noqa: BLE001 -- a broken or unknown EXIF block: the pixels as stored, as viewers do
        return 1
    return int(value) if isinstance(value, int) and 1 <= value <= 8 else 1


def upright(img: np.ndarray, orientation: int) -> np.ndarray:
    """A decoded image turned as its EXIF ``orientation`` says (the image itself for 1)."""
    turn = _UPRIGHT.get(orientation)
    return img if turn is None else np.ascontiguousarray(turn(img))


def read_image(path) -> np.ndarray:
    """Decode an image file -> uint8 HxW (gray), HxWx3 (BGR) or HxWx4 (BGRA), as OpenCV orders them.
    Images over :data:`MAX_IMAGE_PIXELS` are refused before decoding (see :func:`decode_image`)."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as e:
        raise DataFormatError(path, f"cannot read file ({e.strerror or e})") from None
    return decode_image(raw, path)


def is_pdf(path) -> bool:
    """Whether the file at ``path`` is a PDF document (by its first bytes, whatever its name)."""
    try:
        with open(path, "rb") as f:
            return f.read(1024).lstrip().startswith(b"%PDF")
    except OSError:
        return False


def is_document(path) -> bool:
    """Whether the file at ``path`` holds several pages to read one by one: a PDF, or a TIFF of more than one
    page (a scanner's or a fax's; :func:`read_image` would read its first page only)."""
    if is_pdf(path):
        return True
    try:
        with open(path, "rb") as f:
            if f.read(4) not in (b"II*\x00", b"MM\x00*"):
                return False
        with _pillow().open(path) as im:
            return getattr(im, "n_frames", 1) > 1
    except Exception:  # noqa: BLE001 -- unreadable: read_image says why, as for any image
        return False


def page_of(name: str) -> tuple[str, int | None]:
    """``"scan.pdf#page=2"`` (as ``handpad read`` names a page) -> ``("scan.pdf", 2)``; any other name -> ``(name,
    None)``. A file whose own name holds "#page=" is taken as it is."""
    base, mark, number = str(name).rpartition("#page=")
    if not mark or not number.isdigit() or Path(name).exists() or not Path(base).exists():
        return str(name), None
    return base, int(number)


def read_pages(path, only: int | None = None) -> Iterator[tuple[int, np.ndarray]]:
    """The pages of a document (:func:`is_document`), one at a time, as ``handpad read`` reads a scanner's:
    ``(page number from 1, uint8 image)``, or ``(page number, DataFormatError)`` for a page that cannot be
    drawn (the others still are). A PDF's pages are drawn as gray images at :data:`PDF_DPI` (fewer where a page
    would be over :data:`MAX_IMAGE_PIXELS`); a TIFF's pages are decoded as :func:`read_image` decodes its
    first. ``only``: that page alone (from 1). Raises :class:`DataFormatError` naming the file for a document
    that cannot be opened, one of more than :data:`MAX_PDF_PAGES` pages, or one without page ``only``."""
    path = Path(path)
    if not is_pdf(path):
        yield from _tiff_pages(path, only)
        return
    import pypdfium2 as pdfium

    try:
        pdf = pdfium.PdfDocument(path.read_bytes())
    except OSError as e:
        raise DataFormatError(path, f"cannot read file ({e.strerror or e})") from None
    except pdfium.PdfiumError as e:
        raise DataFormatError(path, f"not a readable PDF document (corrupt, truncated or encrypted): {e}") from None
    try:
        if len(pdf) > MAX_PDF_PAGES:
            raise DataFormatError(path, f"a PDF of {len(pdf)} pages, over the limit of {MAX_PDF_PAGES}: split it first")
        if not len(pdf):
            raise DataFormatError(path, "a PDF document with no pages")
        for number in _numbers(path, len(pdf), only):
            try:
                page = pdf[number - 1]
                width, height = page.get_size()  # in points, 72 to the inch
                scale = min(PDF_DPI / 72, 0.99 * (MAX_IMAGE_PIXELS / max(width * height, 1.0)) ** 0.5)  # (rounded up)
                image = page.render(scale=scale, grayscale=True).to_numpy()
            except pdfium.PdfiumError as e:  # this page: the others are still read
                yield number, DataFormatError(path, f"page {number}: cannot be drawn ({e})")
                continue
            yield number, np.ascontiguousarray(image.reshape(image.shape[0], image.shape[1]))
    finally:
        pdf.close()


def _numbers(path: Path, pages: int, only: int | None) -> range:
    """The page numbers to read of a document of ``pages`` pages: all, or ``only`` where it has that page."""
    if only is None:
        return range(1, pages + 1)
    if not 1 <= only <= pages:
        raise DataFormatError(path, f"no page {only}: the document has {pages} page{'s' if pages > 1 else ''}")
    return range(only, only + 1)


def _tiff_pages(path: Path, only: int | None = None) -> Iterator[tuple[int, np.ndarray]]:
    """Each page of a multi-page TIFF (or page ``only``), checked against :data:`MAX_IMAGE_PIXELS` before it
    is decoded."""
    try:
        with _pillow().open(path) as im:
            pages = getattr(im, "n_frames", 1)
            if pages > MAX_PDF_PAGES:
                raise DataFormatError(path, f"a TIFF of {pages} pages, over the limit of {MAX_PDF_PAGES}: split it first")
            for number in _numbers(path, pages, only):
                try:
                    im.seek(number - 1)
                    check_image_size(*im.size, f"{path}, page {number}")
                    image = _array_of(im)
                except DataFormatError as e:  # this page: the others are still read
                    yield number, e
                    continue
                except (OSError, ValueError, SyntaxError, EOFError) as e:
                    yield number, DataFormatError(path, f"page {number}: not a readable image ({e})")
                    continue
                orientation = im.getexif().get(0x0112, 1)
                yield number, upright(image, orientation if isinstance(orientation, int) else 1)
    except OSError as e:
        raise DataFormatError(path, f"not a readable TIFF ({e})") from None


def _pillow():
    """PIL.Image with its formats loaded and, where pillow-heif is installed (a dependency), HEIC/HEIF too. The
    plugin turns a photo upright as it decodes it and leaves its orientation tag at 1, so :func:`upright` does
    not turn it twice."""
    from PIL import Image

    global _HEIF
    if _HEIF is None:
        try:
            from pillow_heif import register_heif_opener
        except ImportError:
            _HEIF = False
        else:
            register_heif_opener()
            _HEIF = True
    Image.init()
    return Image


_HEIF: bool | None = None  # whether HEIC/HEIF photos can be decoded (None: not looked yet)


def what_it_is(data: bytes) -> str:
    """Why bytes no decoder took are not an image it reads, with what to do where the kind is known."""
    head = data[:1024].lstrip()
    if data[4:12] in (b"ftypheic", b"ftypheix", b"ftyphevc", b"ftypmif1", b"ftypmsf1", b"ftypheim", b"ftypheis"):
        if not _HEIF:
            return "a HEIC/HEIF photo, and pillow-heif, which decodes them, is not installed: pip install pillow-heif"
        return "a HEIC/HEIF photo that cannot be decoded: corrupt or truncated"
    if head.startswith(b"%PDF"):
        return "a PDF document, not an image: export its page as PNG or JPEG"
    if head.startswith(b"<svg") or head.startswith(b"<?xml") and b"<svg" in head:
        return "an SVG drawing (vector), not a picture of pixels: export it as PNG"
    return "unknown format or corrupt data"


def _decode_with_pillow(data: bytes) -> np.ndarray | None:
    from PIL import UnidentifiedImageError

    Image = _pillow()
    try:
        with Image.open(io.BytesIO(data)) as im:
            return _array_of(im)
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError):
        return None


def _array_of(im) -> np.ndarray:
    """A Pillow image (its current frame) -> uint8 gray, BGR or BGRA, as OpenCV orders them."""
    im.load()
    has_alpha = im.mode in ("RGBA", "LA", "PA") or "transparency" in im.info
    if im.mode in ("L", "1", "I;16", "I") and not has_alpha:
        return np.asarray(im.convert("L"))
    rgb = np.asarray(im.convert("RGBA" if has_alpha else "RGB"))
    return cv2.cvtColor(rgb, cv2.COLOR_RGBA2BGRA if rgb.shape[2] == 4 else cv2.COLOR_RGB2BGR)


def labeled_image_files(root) -> Iterator[tuple[str, Path]]:
    """``(label, path)`` for every image file in ``ROOT/<label>/``, sorted; labels are NFC-normalized
    (macOS stores Hangul folder names decomposed)."""
    root = Path(root)
    if not root.exists():
        raise DataFormatError(root, "no such file or folder")
    if not root.is_dir():
        raise DataFormatError(root, "expected a folder with one subfolder per label (ROOT/<label>/*.png)")
    for sub in sorted(p for p in root.iterdir() if p.is_dir()):
        label = unicodedata.normalize("NFC", sub.name)
        for f in sorted(sub.iterdir()):
            if f.is_file() and f.suffix.lower() in IMAGE_EXTENSIONS:
                yield label, f


# -- the reader of handpad.convert ------------------------------------------------------------
class ImageFolderReader(Reader):
    """``ROOT/<label>/*.png`` -> one input per label folder, any format, size and polarity.

    The label space is the smallest holding the folder names (digits, then Hangul); digits-only
    sets are centered by mass, as MNIST is, unless ``center_mass`` says otherwise.
    """

    name = "images"
    unit = "img"
    no_ink = "nothing drawn (no ink in the image)"

    def __init__(self, root, size: int = 60, center_mass: bool | None = None):
        self.root = Path(root)
        self.by_label: dict[str, list[Path]] = {}
        for label, f in labeled_image_files(root):
            self.by_label.setdefault(label, []).append(f)
        if not self.by_label:
            raise DataFormatError(root, "no images found (expected ROOT/<label>/*.png, .jpg, .bmp, ...)")
        self.label_space = space_for_labels(self.by_label, str(root))
        if center_mass is None:
            center_mass = self.label_space.name == "digits"
        self.config = PreprocessConfig(size=size, center_mass=center_mass)

    def manifest_options(self) -> dict:
        return {"root": str(self.root)} | super().manifest_options()

    def inputs(self) -> list[Input]:
        return [Input(f"{label}/", label, len(paths)) for label, paths in self.by_label.items()]

    def read(self, input: Input) -> Iterator:
        label = self.label_space.index(input.ref)
        for path in self.by_label[input.ref]:
            try:
                yield read_image(path), label, (path, None)
            except DataFormatError as e:
                yield e
