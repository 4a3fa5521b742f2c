"""Turning uploaded files into page images, with a clear reason for bad input.

Accepted: PDF (each page rendered at 200 dpi), TIFF (every frame), JPEG, PNG.
Refused with a reason, without stopping the batch: files that are not images or
PDFs, encrypted or corrupt PDFs, images whose pixel count would exhaust memory
(decompression bombs), and pages too large to render.
"""

from __future__ import annotations

import io
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
from PIL import Image, ImageOps, UnidentifiedImageError

MAX_PIXELS = 60_000_000
"""Largest image accepted (about A4 at 900 dpi, or a 60-megapixel photo)."""
MAX_FILE_BYTES = 200_000_000
PDF_DPI = 200.0
MAX_PDF_PAGE_MM = 450.0  # larger than A3: not a form page
MAX_PAGES = 2000

GrayImage = npt.NDArray[np.uint8]


@dataclass(frozen=True, slots=True)
class SourcePage:
    """One page image from a file, or the reason it could not be had."""

    source: str
    index: int  # 0-based page or frame in the file
    image: GrayImage | None
    error: str | None = None


def _pil_to_gray(im: Image.Image) -> GrayImage:
    im = ImageOps.exif_transpose(im) or im
    if im.mode not in ("L", "RGB"):
        if im.mode in ("1", "I;16", "I", "F"):
            im = im.convert("L")
        else:
            im = im.convert("RGB")
    if im.mode == "RGB":
        im = im.convert("L")
    return np.asarray(im, dtype=np.uint8).copy()


def _pages_from_image(data: bytes, name: str) -> Iterator[SourcePage]:
    Image.MAX_IMAGE_PIXELS = MAX_PIXELS
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            im = Image.open(io.BytesIO(data))
            w, h = im.size
            if w * h > MAX_PIXELS:
                yield SourcePage(
                    name,
                    0,
                    None,
                    f"image is too large ({w}x{h} pixels; "
                    f"at most {MAX_PIXELS:,} are read)",
                )
                return
            n = getattr(im, "n_frames", 1)
            for k in range(min(n, MAX_PAGES)):
                try:
                    im.seek(k)
                    fw, fh = im.size
                    if fw * fh > MAX_PIXELS:
                        yield SourcePage(name, k, None, f"page {k + 1} is too large")
                        continue
                    im.load()
                    yield SourcePage(name, k, _pil_to_gray(im))
                except (OSError, ValueError, SyntaxError) as e:
                    yield SourcePage(
                        name, k, None, f"page {k + 1} could not be decoded: {e}"
                    )
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        yield SourcePage(
            name,
            0,
            None,
            "image is too large to read safely (possible decompression bomb)",
        )
    except UnidentifiedImageError:
        yield SourcePage(name, 0, None, "not an image or PDF file that can be read")
    except (OSError, ValueError, SyntaxError) as e:
        yield SourcePage(name, 0, None, f"image could not be decoded: {e}")


def _pages_from_pdf(data: bytes, name: str, dpi: float) -> Iterator[SourcePage]:
    import pypdfium2 as pdfium

    try:
        doc = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as e:
        msg = str(e)
        if "password" in msg.lower():
            yield SourcePage(
                name,
                0,
                None,
                "PDF is encrypted (password protected); "
                "save it without a password and upload again",
            )
        else:
            yield SourcePage(name, 0, None, f"PDF is damaged or not a PDF ({msg})")
        return
    try:
        n = len(doc)
        if n == 0:
            yield SourcePage(name, 0, None, "PDF has no pages")
            return
        for k in range(min(n, MAX_PAGES)):
            try:
                page = doc[k]
                w_pt, h_pt = page.get_size()
                w_mm, h_mm = w_pt * 25.4 / 72, h_pt * 25.4 / 72
                if max(w_mm, h_mm) > MAX_PDF_PAGE_MM:
                    yield SourcePage(
                        name,
                        k,
                        None,
                        f"page {k + 1} is {w_mm:.0f} x {h_mm:.0f} mm; not a form page",
                    )
                    continue
                bitmap = page.render(scale=dpi / 72.0, grayscale=True)
                arr = np.asarray(bitmap.to_numpy())
                if arr.ndim == 3:
                    arr = arr[..., 0] if arr.shape[2] == 1 else arr.mean(axis=2)
                yield SourcePage(name, k, np.ascontiguousarray(arr, dtype=np.uint8))
            except pdfium.PdfiumError as e:
                yield SourcePage(
                    name, k, None, f"page {k + 1} could not be rendered: {e}"
                )
        if n > MAX_PAGES:
            yield SourcePage(
                name, MAX_PAGES, None, f"only the first {MAX_PAGES} pages are read"
            )
    finally:
        doc.close()


def load_pages(
    data: bytes, name: str = "upload", *, pdf_dpi: float = PDF_DPI
) -> Iterator[SourcePage]:
    """Yield each page of an uploaded file (PDF, TIFF, JPEG or PNG) as a grey image,
    or a :class:`SourcePage` with ``error`` saying why it cannot be read."""
    if len(data) > MAX_FILE_BYTES:
        yield SourcePage(
            name, 0, None, f"file is larger than {MAX_FILE_BYTES // 1_000_000} MB"
        )
        return
    if not data:
        yield SourcePage(name, 0, None, "file is empty")
        return
    if data[:5] == b"%PDF-" or data[:1024].find(b"%PDF-") >= 0:
        yield from _pages_from_pdf(data, name, pdf_dpi)
        return
    yield from _pages_from_image(data, name)


def load_file(path: str | Path, *, pdf_dpi: float = PDF_DPI) -> Iterator[SourcePage]:
    """:func:`load_pages` for a file on disk (unreadable files get a reason too)."""
    p = Path(path)
    try:
        if p.stat().st_size > MAX_FILE_BYTES:
            yield SourcePage(
                str(p), 0, None, f"file is larger than {MAX_FILE_BYTES // 1_000_000} MB"
            )
            return
        data = p.read_bytes()
    except OSError as e:
        yield SourcePage(
            str(p), 0, None, f"file could not be opened: {e.strerror or e}"
        )
        return
    yield from load_pages(data, str(p), pdf_dpi=pdf_dpi)
