"""Build complete ESC/POS print jobs as bytes, apart from any transport.

Jobs are composed with python-escpos's ``Dummy`` printer, which records the command bytes, and handed
to a ``Printer`` port's ``send`` as one piece:

* ``raster_job(image)``: the whole receipt drawn beforehand (Pillow), scaled to the printer's width,
  made black-and-white and sent as ``GS v 0`` raster, then fed and cut. This prints Vietnamese on
  every printer, whatever code pages it has.
* ``text_job(lines, code_page="cp1258"|"tcvn3")``: text in the printer's own font through a Vietnamese
  code page (see ``codepages``), with an optional QR code drawn by the printer (``GS ( k``).
"""

from __future__ import annotations

import copy
import logging
import os
import pickle
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from PIL import Image

from devices.printer import codepages

log = logging.getLogger(__name__)

ESC = b"\x1b"
CODE_PAGES = ("cp1258", "tcvn3")


def escpos_cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "motcua-kiosk" / "escpos"


def load_escpos():
    """Import python-escpos, first pointing its capabilities cache at a fixed folder.

    Without ``ESCPOS_CAPABILITIES_PICKLE_DIR`` python-escpos makes a new temporary folder on every import.
    python-escpos writes that cache in place and loads it unchecked, so a kiosk killed (or out of disk)
    while writing it would leave a damaged file that stops every later import: such a file is removed
    first, and python-escpos builds it again.
    """
    if "ESCPOS_CAPABILITIES_PICKLE_DIR" not in os.environ:
        folder = escpos_cache_dir()
        folder.mkdir(parents=True, exist_ok=True)
        os.environ["ESCPOS_CAPABILITIES_PICKLE_DIR"] = str(folder)
    if "escpos.printer" not in sys.modules:
        _drop_damaged_caches(Path(os.environ["ESCPOS_CAPABILITIES_PICKLE_DIR"]))
    import escpos.printer

    return escpos.printer


def _drop_damaged_caches(folder: Path) -> None:
    for cache in folder.glob("*.pickle"):
        try:
            with open(cache, "rb") as fh:
                pickle.load(fh)
        except OSError:
            continue
        except Exception:  # any unpickling failure: empty, truncated or garbled
            log.warning("printer: removing the damaged python-escpos cache %s", cache.name)
            cache.unlink(missing_ok=True)


def escpos_profile(dots: int):
    """python-escpos's default profile with the paper width set to ``dots``."""
    load_escpos()
    from escpos.capabilities import Profile

    profile = Profile()
    data = copy.deepcopy(profile.profile_data)
    data["media"] = {"width": {"pixels": dots, "mm": round(dots / 8)}, "dpi": 203}
    profile.profile_data = data
    profile.features = dict(data.get("features") or {})
    return profile


def dummy(dots: int = 576):
    """A python-escpos ``Dummy`` printer ``dots`` wide; its ``output`` is the job."""
    return load_escpos().Dummy(profile=escpos_profile(dots))


def black_and_white(image: Image.Image, *, dither: bool = False, threshold: int = 128) -> Image.Image:
    """``image`` over white, as pure black (0) and white (255) pixels in an ``L`` image."""
    rgba = image.convert("RGBA")
    flat = Image.new("RGB", rgba.size, (255, 255, 255))
    flat.paste(rgba, mask=rgba.getchannel("A"))
    grey = flat.convert("L")
    if dither:
        return grey.convert("1").convert("L")
    return grey.point(lambda v: 255 if v >= threshold else 0)


def fit_width(image: Image.Image, dots: int) -> Image.Image:
    """``image`` scaled to exactly ``dots`` wide, keeping its proportions."""
    if image.width == dots:
        return image
    height = max(1, round(image.height * dots / image.width))
    return image.resize((dots, height), Image.LANCZOS)


def raster_job(
    image: Image.Image,
    *,
    dots: int = 576,
    cut: bool = True,
    dither: bool = False,
    threshold: int = 128,
) -> bytes:
    """A job printing ``image`` at the printer's full width as ``GS v 0`` raster (then feed and cut).

    Text and QR codes stay sharpest thresholded (the default); photographs look better dithered.
    """
    printer = dummy(dots)
    printer.hw("INIT")
    picture = black_and_white(fit_width(image, dots), dither=dither, threshold=threshold)
    printer.image(picture, impl="bitImageRaster")
    if cut:
        printer.cut()
    return printer.output


@dataclass(frozen=True)
class TextLine:
    """One line of a text-mode job and how it looks."""

    text: str
    align: Literal["left", "center", "right"] = "left"
    bold: bool = False
    width: int = 1  # character width multiplier, 1-8
    height: int = 1  # character height multiplier, 1-8


def _runs(text: str, code_page: str, profile: str) -> list[tuple[int, bytes]]:
    if code_page == "cp1258":
        return [(codepages.page_number("CP1258", profile), codepages.encode_cp1258(text))]
    return [(codepages.page_number(run.table, profile), run.data) for run in codepages.split_tcvn3(text)]


def text_job(
    lines: Iterable[str | TextLine],
    code_page: str = "cp1258",
    *,
    qr: str | None = None,
    qr_size: int = 6,
    dots: int = 576,
    profile: str = codepages.DEFAULT_PROFILE,
    cut: bool = True,
) -> bytes:
    """A job printing ``lines`` in the printer's font through a Vietnamese code page.

    ``code_page`` is ``cp1258`` or ``tcvn3``; the ``ESC t`` numbers come from the printer ``profile``.
    Raises ``codepages.UnprintableText`` for characters the code page lacks and ``ValueError`` for a
    profile without that code page. ``qr`` adds a QR code (printed by the printer itself), centred.
    """
    if code_page not in CODE_PAGES:
        raise ValueError(f"code_page must be one of {', '.join(CODE_PAGES)}, got {code_page!r}")
    printer = dummy(dots)
    printer.hw("INIT")
    page = None
    for line in lines:
        if isinstance(line, str):
            line = TextLine(line)
        printer.set(align=line.align, bold=line.bold, custom_size=True, width=line.width, height=line.height)
        for number, data in _runs(line.text, code_page, profile):
            if number != page:
                printer._raw(ESC + b"t" + bytes([number]))
                page = number
            printer._raw(data)
        printer._raw(b"\n")
    printer.set(align="left", bold=False, custom_size=True, width=1, height=1)
    if qr:
        from escpos.constants import QR_ECLEVEL_M

        printer.set(align="center")
        printer.qr(qr, ec=QR_ECLEVEL_M, size=qr_size, native=True)
        printer._raw(b"\n")
        printer.set(align="left")
    if cut:
        printer.cut()
    return printer.output
