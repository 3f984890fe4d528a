"""Bad input: damaged, truncated, non-pictures, huge pictures, PDFs, TIFFs, EXIF turns, odd modes."""

import io

import pytest
from digitize_helpers import render
from PIL import Image

from kiosk.digitize import loading
from kiosk.digitize.errors import ImageTooLarge, UnreadableImage
from kiosk.digitize.pdf import PdfPage, build_pdf
from kiosk.i18n import catalog


def test_plain_picture_loads(tmp_path):
    path = tmp_path / "p.png"
    render().save(path)
    (image,) = loading.load_pages(path)
    assert image.mode == "L" and image.size == render().size


@pytest.mark.parametrize(
    "content, reason",
    [
        (b"", "empty"),
        (b"hello, this is a text file\n" * 20, "not a picture"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "not a picture|cannot open|damaged"),
    ],
    ids=["empty", "text", "garbage-png"],
)
def test_unreadable_files_are_refused(tmp_path, content, reason):
    path = tmp_path / "bad.png"
    path.write_bytes(content)
    with pytest.raises(UnreadableImage, match=reason) as caught:
        loading.load_pages(path)
    assert catalog("vi").get(caught.value.message)


def test_truncated_jpeg_is_refused(tmp_path):
    buf = io.BytesIO()
    render().save(buf, "JPEG")
    path = tmp_path / "cut.jpg"
    path.write_bytes(buf.getvalue()[: len(buf.getvalue()) // 2])
    with pytest.raises(UnreadableImage, match="damaged or incomplete"):
        loading.load_pages(path)


def test_missing_file_is_refused(tmp_path):
    with pytest.raises(UnreadableImage, match="no such file"):
        loading.load_pages(tmp_path / "nothing.jpg")


def test_hundred_megapixel_png_is_refused_without_decoding(tmp_path):
    path = tmp_path / "huge.png"
    Image.new("1", (10_000, 10_000), 1).save(path)
    with pytest.raises(ImageTooLarge, match="100 megapixels") as caught:
        loading.load_pages(path)
    assert catalog("vi").get(caught.value.message)


def test_hundred_megapixel_jpeg_is_reduced_while_decoding(tmp_path):
    path = tmp_path / "huge.jpg"
    Image.new("L", (12_000, 8_400), 255).save(path, quality=50)
    (image,) = loading.load_pages(path)
    assert image.width * image.height <= loading.MAX_PAGE_PIXELS
    assert image.width / image.height == pytest.approx(12_000 / 8_400, rel=0.01)


def test_pdf_pages_are_rasterised(tmp_path):
    path = tmp_path / "two.pdf"
    path.write_bytes(build_pdf([PdfPage(render(), None), PdfPage(render().rotate(90, expand=True), None)]))
    pages = loading.load_pages(path)
    assert len(pages) == 2
    assert max(pages[0].size) == loading.PDF_PAGE_PX
    assert pages[1].height > pages[1].width


def test_damaged_pdf_is_refused(tmp_path):
    path = tmp_path / "bad.pdf"
    path.write_bytes(b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n")
    with pytest.raises(UnreadableImage, match="PDF"):
        loading.load_pages(path)


def test_multipage_tiff_gives_every_page(tmp_path):
    path = tmp_path / "scan.tif"
    first, second = render(), render().rotate(180)
    first.save(path, save_all=True, append_images=[second])
    assert len(loading.load_pages(path)) == 2


def test_exif_orientation_is_applied(tmp_path):
    path = tmp_path / "phone.jpg"
    exif = Image.Exif()
    exif[0x0112] = 6  # the camera was held turned: show rotated 90 degrees clockwise
    render().save(path, exif=exif)
    (image,) = loading.load_pages(path)
    assert image.height > image.width


def test_transparent_picture_is_put_on_white_paper(tmp_path):
    path = tmp_path / "clear.png"
    Image.new("RGBA", (400, 300), (0, 0, 0, 0)).save(path)
    (image,) = loading.load_pages(path)
    assert image.mode == "RGB" and image.getpixel((10, 10)) == (255, 255, 255)


def test_every_digitizing_error_message_is_translated():
    from kiosk.digitize import errors

    kinds = [errors.DigitizeError, *errors.DigitizeError.__subclasses__()]
    assert len(kinds) == 6
    for kind in kinds:
        assert catalog("vi").get(kind.message), kind.__name__
        assert catalog("en").get(kind.message) == kind.message
