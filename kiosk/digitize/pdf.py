"""The searchable PDF: each page's cleaned picture with the recognised words as invisible text.

Built with pikepdf. Words are placed from Tesseract's boxes in a glyph-less font (every character
is the same empty glyph, stretched to the word's width), so the text can be searched, selected and
copied while the picture is what a reader sees. The font program is Tesseract's own ``pdf.ttf``;
characters are written as their UTF-16 code units (Identity-H) and mapped back to Unicode with a
ToUnicode table, so ``pdftotext`` gives back exactly the recognised text.

The file carries PDF/A-2b identification (XMP metadata, an sRGB output intent, the font embedded);
it has not been checked with a PDF/A validator here.
"""

from __future__ import annotations

import datetime as dt
import io
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pikepdf
from PIL import Image
from pikepdf import Array, Dictionary, Name, Stream

from kiosk.digitize.ocr import OcrResult

A4_LONG_SIDE_IN = 11.69
#: Advance width of the glyph-less font, in thousandths of the font size.
GLYPH_WIDTH = 500
JPEG_QUALITY = 80


@dataclass
class PdfPage:
    image: Image.Image  # what the reader sees (L or RGB)
    ocr: OcrResult | None  # word boxes in the OCR image's pixels
    ocr_scale: float = 1.0  # OCR image pixels per ``image`` pixel


def glyphless_font_program() -> bytes | None:
    """Tesseract's empty TrueType font, shipped with libtesseract."""
    import glob
    import os

    candidates = []
    if os.environ.get("TESSDATA_PREFIX"):
        candidates.append(Path(os.environ["TESSDATA_PREFIX"]) / "pdf.ttf")
    candidates += [Path(p) for p in sorted(glob.glob("/usr/share/tesseract-ocr/*/tessdata/pdf.ttf"))]
    candidates += [Path("/usr/share/tessdata/pdf.ttf"), Path("/usr/local/share/tessdata/pdf.ttf")]
    for path in candidates:
        if path.is_file():
            return path.read_bytes()
    return None


def _to_unicode_cmap() -> bytes:
    ranges = [f"<{hi:02X}00> <{hi:02X}FF> <{hi:02X}00>" for hi in range(256) if not 0xD8 <= hi <= 0xDF]
    body = []
    for start in range(0, len(ranges), 100):  # at most 100 entries per block
        chunk = ranges[start : start + 100]
        body.append(f"{len(chunk)} beginbfrange\n" + "\n".join(chunk) + "\nendbfrange")
    return (
        "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n"
        "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n"
        "/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n"
        "1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n" + "\n".join(body) + "\n"
        "endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n"
    ).encode("ascii")


def _font(pdf: pikepdf.Pdf) -> pikepdf.Object:
    descriptor = Dictionary(
        Type=Name.FontDescriptor,
        FontName=Name.GlyphLessFont,
        Flags=5,
        FontBBox=Array([0, 0, GLYPH_WIDTH, 1000]),
        ItalicAngle=0,
        Ascent=1000,
        Descent=0,
        CapHeight=1000,
        StemV=80,
    )
    program = glyphless_font_program()
    if program is not None:
        descriptor.FontFile2 = Stream(pdf, program)
    # Every character code draws glyph 1, the font's one empty glyph.
    gid_map = Stream(pdf, zlib.compress(b"\x00\x01" * 65536), Filter=Name.FlateDecode)
    cid_font = Dictionary(
        Type=Name.Font,
        Subtype=Name.CIDFontType2,
        BaseFont=Name.GlyphLessFont,
        CIDSystemInfo=Dictionary(Registry="Adobe", Ordering="Identity", Supplement=0),
        FontDescriptor=pdf.make_indirect(descriptor),
        DW=GLYPH_WIDTH,
        CIDToGIDMap=pdf.make_indirect(gid_map),
    )
    return pdf.make_indirect(
        Dictionary(
            Type=Name.Font,
            Subtype=Name.Type0,
            BaseFont=Name.GlyphLessFont,
            Encoding=Name("/Identity-H"),
            DescendantFonts=Array([pdf.make_indirect(cid_font)]),
            ToUnicode=pdf.make_indirect(Stream(pdf, _to_unicode_cmap())),
        )
    )


def _hex(text: str) -> str:
    units = text.encode("utf-16-be")
    return units.hex().upper()


def text_layer(ocr: OcrResult, ocr_scale: float, pt_per_px: float, page_height_pt: float) -> bytes:
    """Content stream drawing every word invisibly over its box, one baseline and size per line."""
    lines: dict[tuple[int, int, int], list] = {}
    for word in ocr.words:
        if word.box[2] > 0 and word.box[3] > 0:
            lines.setdefault(word.line, []).append(word)
    px_to_pt = pt_per_px / ocr_scale
    ops = ["BT", "3 Tr"]
    for words in lines.values():
        top = min(w.box[1] for w in words)
        bottom = max(w.box[1] + w.box[3] for w in words)
        size = max(1.0, (bottom - top) * px_to_pt)
        y = page_height_pt - bottom * px_to_pt
        for word in words:
            left, _top, width, _height = word.box
            natural = len(word.text) * GLYPH_WIDTH / 1000.0 * size
            stretch = 100.0 * (width * px_to_pt) / natural
            x = left * px_to_pt
            ops.append(f"/F1 {size:.2f} Tf {stretch:.2f} Tz 1 0 0 1 {x:.2f} {y:.2f} Tm <{_hex(word.text + ' ')}> Tj")
    ops.append("ET")
    return "\n".join(ops).encode("ascii")


def _jpeg(image: Image.Image) -> bytes:
    buf = io.BytesIO()
    image.save(buf, "JPEG", quality=JPEG_QUALITY, optimize=True)
    return buf.getvalue()


def _srgb_profile() -> bytes:
    from PIL import ImageCms

    return ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()


def build_pdf(pages: Sequence[PdfPage], title: str = "Hồ sơ số hóa") -> bytes:
    """The whole document as PDF bytes."""
    pdf = pikepdf.new()
    font = _font(pdf)
    for page in pages:
        image = page.image if page.image.mode in ("L", "RGB") else page.image.convert("RGB")
        w_px, h_px = image.size
        dpi = max(72.0, max(w_px, h_px) / A4_LONG_SIDE_IN)
        pt_per_px = 72.0 / dpi
        w_pt, h_pt = w_px * pt_per_px, h_px * pt_per_px
        xobject = Stream(
            pdf,
            _jpeg(image),
            Type=Name.XObject,
            Subtype=Name.Image,
            Width=w_px,
            Height=h_px,
            ColorSpace=Name.DeviceGray if image.mode == "L" else Name.DeviceRGB,
            BitsPerComponent=8,
            Filter=Name.DCTDecode,
        )
        content = f"q {w_pt:.3f} 0 0 {h_pt:.3f} 0 0 cm /Im0 Do Q\n".encode("ascii")
        if page.ocr is not None and page.ocr.words:
            content += text_layer(page.ocr, page.ocr_scale, pt_per_px, h_pt)
        pdf_page = pikepdf.Page(
            Dictionary(
                Type=Name.Page,
                MediaBox=Array([0, 0, round(w_pt, 3), round(h_pt, 3)]),
                Resources=Dictionary(XObject=Dictionary(Im0=xobject), Font=Dictionary(F1=font)),
                Contents=Stream(pdf, content),
            )
        )
        pdf.pages.append(pdf_page)
    _archive_marks(pdf, title)
    buf = io.BytesIO()
    pdf.save(buf, fix_metadata_version=True, deterministic_id=True, min_version="1.7")
    return buf.getvalue()


def _archive_marks(pdf: pikepdf.Pdf, title: str) -> None:
    """PDF/A-2b identification: XMP metadata and an sRGB output intent."""
    now = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
    with pdf.open_metadata(set_pikepdf_as_editor=False) as meta:
        meta["pdfaid:part"] = "2"
        meta["pdfaid:conformance"] = "B"
        meta["dc:title"] = title
        meta["xmp:CreatorTool"] = "Một Cửa Kiosk"
        meta["xmp:CreateDate"] = now.isoformat()
        meta["xmp:ModifyDate"] = now.isoformat()
    icc = Stream(pdf, _srgb_profile())
    icc.N = 3
    pdf.Root.OutputIntents = Array(
        [
            Dictionary(
                Type=Name.OutputIntent,
                S=Name.GTS_PDFA1,
                OutputConditionIdentifier="sRGB",
                Info="sRGB IEC61966-2.1",
                DestOutputProfile=pdf.make_indirect(icc),
            )
        ]
    )
