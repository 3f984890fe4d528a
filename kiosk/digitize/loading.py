"""Reading page images from files: pictures of any common format, multi-page TIFFs and PDFs.

Every failure becomes an ``UnreadableImage`` or ``ImageTooLarge`` with a message for the citizen and
a one-line reason for the operator. Huge pictures are never decoded whole: a JPEG is decoded at a
reduced scale, anything else above ``MAX_DECODE_PIXELS`` is refused. What is decoded is reduced to
at most ``MAX_PAGE_PIXELS``, plenty for an A4 page at 400 dpi.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import warnings
from pathlib import Path

from PIL import Image, ImageOps, ImageSequence, UnidentifiedImageError

from kiosk.digitize.errors import ImageTooLarge, UnreadableImage

#: Pixels a page is reduced to at most (A4 at 400 dpi is 15.6 million).
MAX_PAGE_PIXELS = 16_000_000
#: Pixels the kiosk decodes at full scale; JPEGs above it are decoded at 1/2, 1/4 or 1/8.
MAX_DECODE_PIXELS = 50_000_000
#: Pixels the kiosk will not even try (a JPEG at 1/8 scale would still be too large).
MAX_JPEG_PIXELS = 1_000_000_000
MAX_PDF_PAGES = 30
PDF_PAGE_PX = 3508  # the long side of a PDF page rasterised: A4 at 300 dpi


def load_pages(path: str | os.PathLike) -> list[Image.Image]:
    """The page images in the file at ``path`` (one for a picture, one per page for a PDF or TIFF)."""
    path = Path(path)
    try:
        with open(path, "rb") as fh:
            head = fh.read(8)
    except FileNotFoundError:
        raise UnreadableImage(f"{path.name}: no such file") from None
    except IsADirectoryError:
        raise UnreadableImage(f"{path.name}: is a folder, not a file") from None
    except OSError as err:
        raise UnreadableImage(f"{path.name}: cannot read ({err.strerror})") from None
    if not head:
        raise UnreadableImage(f"{path.name}: the file is empty")
    if head.startswith(b"%PDF"):
        return rasterise_pdf(path)
    return open_picture(path)


def open_picture(source, name: str | None = None) -> list[Image.Image]:
    """Decode a picture (path or binary file object); several pages for a multi-page TIFF."""
    name = name or Path(str(getattr(source, "name", source))).name
    try:
        with warnings.catch_warnings():
            # The pixel count is checked below, before anything is decoded.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image = Image.open(source)
    except UnidentifiedImageError:
        raise UnreadableImage(f"{name}: not a picture or PDF this kiosk can read") from None
    except Image.DecompressionBombError as err:
        raise ImageTooLarge(f"{name}: {err}") from None
    except OSError as err:
        raise UnreadableImage(f"{name}: cannot open ({err})") from None
    with image:
        frames = getattr(image, "n_frames", 1)
        if frames > MAX_PDF_PAGES:
            raise ImageTooLarge(f"{name}: {frames} pages in one file (at most {MAX_PDF_PAGES})")
        pages = []
        for frame in ImageSequence.Iterator(image) if frames > 1 else [image]:
            pages.append(_decode(frame, name))
        return pages


def _decode(image: Image.Image, name: str) -> Image.Image:
    w, h = image.size
    pixels = w * h
    if w < 1 or h < 1:
        raise UnreadableImage(f"{name}: the picture has no pixels")
    if pixels > MAX_DECODE_PIXELS:
        if image.format != "JPEG" or pixels > MAX_JPEG_PIXELS:
            raise ImageTooLarge(
                f"{name}: {w}x{h} is {pixels / 1e6:.0f} megapixels "
                f"(at most {MAX_DECODE_PIXELS / 1e6:.0f} unless it is a JPEG)"
            )
        # JPEG decoders scale by 1/2, 1/4 or 1/8 while decoding: the smallest that stays above the page size.
        image.draft("L" if image.mode == "L" else "RGB", _draft_size(w, h))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image.load()
    except Image.DecompressionBombError as err:
        raise ImageTooLarge(f"{name}: {err}") from None
    except (OSError, SyntaxError, ValueError) as err:
        raise UnreadableImage(f"{name}: damaged or incomplete picture ({err})") from None
    try:
        image = ImageOps.exif_transpose(image)  # always a copy, detached from the file
    except (OSError, ValueError, SyntaxError, KeyError, TypeError):
        image = image.copy()  # a damaged EXIF block only loses the orientation hint
    image = _plain_mode(image)
    if image.width * image.height > MAX_PAGE_PIXELS:
        scale = (MAX_PAGE_PIXELS / (image.width * image.height)) ** 0.5
        image = image.resize((max(1, int(image.width * scale)), max(1, int(image.height * scale))), Image.LANCZOS)
    return image


def _draft_size(w: int, h: int) -> tuple[int, int]:
    scale = (MAX_PAGE_PIXELS / (w * h)) ** 0.5
    return max(1, int(w * scale)), max(1, int(h * scale))


def _plain_mode(image: Image.Image) -> Image.Image:
    """RGB or L: transparency over white paper, 16-bit and bilevel to 8-bit grey, CMYK to RGB."""
    mode = image.mode
    if mode in ("RGB", "L"):
        return image
    if mode in ("RGBA", "LA", "PA") or (mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        paper = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        return Image.alpha_composite(paper, rgba).convert("RGB")
    if mode in ("I;16", "I;16B", "I;16L", "I"):
        return image.point(lambda v: v / 256).convert("L")
    if mode == "1":
        return image.convert("L")
    return image.convert("RGB")


def pdf_page_count(path: Path) -> int | None:
    """The PDF's page count from poppler's ``pdfinfo``; ``None`` when it cannot tell (then pdftoppm,
    which reads no further than the limit, says what is wrong with the file)."""
    tool = shutil.which("pdfinfo")
    if tool is None:
        return None
    try:
        done = subprocess.run([tool, str(path)], capture_output=True, timeout=60)
    except subprocess.TimeoutExpired:
        raise UnreadableImage(f"{path.name}: the PDF took too long to open") from None
    for line in done.stdout.decode("utf-8", "replace").splitlines():
        if line.startswith("Pages:"):
            try:
                return int(line.split(":", 1)[1])
            except ValueError:
                return None
    return None


def rasterise_pdf(path: Path) -> list[Image.Image]:
    """Each page of a PDF as a picture, through poppler's ``pdftoppm``."""
    tool = shutil.which("pdftoppm")
    if tool is None:
        raise UnreadableImage(f"{path.name}: PDF pages need pdftoppm (Debian package poppler-utils)")
    count = pdf_page_count(path)
    if count is not None and count > MAX_PDF_PAGES:
        raise ImageTooLarge(f"{path.name}: {count} pages in one file (at most {MAX_PDF_PAGES})")
    with tempfile.TemporaryDirectory(prefix="kiosk-pdf-") as tmp:
        # Uncompressed PNM: much faster to write and read back than PNG.
        cmd = [tool, "-l", str(MAX_PDF_PAGES), "-scale-to", str(PDF_PAGE_PX), str(path), os.path.join(tmp, "p")]
        try:
            done = subprocess.run(cmd, capture_output=True, timeout=120)
        except subprocess.TimeoutExpired:
            raise UnreadableImage(f"{path.name}: the PDF took too long to open") from None
        outputs = sorted(Path(tmp).glob("p-*.p[bgp]m"))
        if done.returncode != 0 or not outputs:
            reason = done.stderr.decode("utf-8", "replace").strip().splitlines()
            raise UnreadableImage(f"{path.name}: damaged or protected PDF ({reason[-1] if reason else 'no pages'})")
        pages = []
        for page in outputs:
            pages.extend(open_picture(page, name=path.name))
        return pages
