"""Corrupt, huge and hostile pictures and PDFs are refused cleanly by ``kiosk ocr`` and by the uploads.

The files are made here: a decompression bomb (a 20000×20000 PNG of a few kilobytes), a JPEG cut off
in the middle, a PNG whose header promises a billion pixels, a PDF whose page tree lies about its page
count, a PDF of many pages, random bytes, an HTML page and an empty file.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import random
import struct
import subprocess
import sys
import uuid
import zlib
from pathlib import Path

import httpx
import pikepdf
import pytest
from PIL import Image

from central import embedded
from kiosk.digitize.errors import DigitizeError, ImageTooLarge
from kiosk.digitize.loading import MAX_PDF_PAGES, load_pages

ROOT = Path(__file__).resolve().parents[2]


def bomb_png() -> bytes:
    out = io.BytesIO()
    Image.new("1", (20000, 20000)).save(out, format="PNG", optimize=False)
    return out.getvalue()


def lying_png() -> bytes:
    """A PNG header promising 60000×60000 RGBA pixels, followed by a scrap of data."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 60000, 60000, 8, 6, 0, 0, 0)
    scrap = zlib.compress(b"\x00" * 1000)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", scrap) + chunk(b"IEND", b"")


def truncated_jpeg() -> bytes:
    noise = Image.frombytes("RGB", (640, 480), random.Random(3).randbytes(640 * 480 * 3))
    out = io.BytesIO()
    noise.save(out, format="JPEG", quality=90)
    data = out.getvalue()
    return data[: len(data) // 2]


def lying_pdf() -> bytes:
    pdf = pikepdf.new()
    pdf.add_blank_page(page_size=(595, 842))
    pdf.Root.Pages.Count = 1_000_000_000
    out = io.BytesIO()
    pdf.save(out, fix_metadata_version=False)
    return out.getvalue()


def many_pages_pdf(pages: int) -> bytes:
    pdf = pikepdf.new()
    for _ in range(pages):
        pdf.add_blank_page(page_size=(72, 100))
    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue()


HOSTILE = {
    "bomb.png": bomb_png,
    "lying.png": lying_png,
    "cut.jpg": truncated_jpeg,
    "noise.bin": lambda: random.Random(5).randbytes(4096),
    "page.html": lambda: b"<!doctype html><html><body>not a scan</body></html>",
    "empty.jpg": lambda: b"",
    "fake.pdf": lambda: b"%PDF-1.7\n" + random.Random(6).randbytes(2000),
    "lying.pdf": lying_pdf,
}


@pytest.fixture(scope="module")
def hostile(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("hostile")
    files = {}
    for name, make in HOSTILE.items():
        files[name] = folder / name
        files[name].write_bytes(make())
    assert files["bomb.png"].stat().st_size < 200_000, "a bomb: small on disk, huge once decoded"
    return files


def test_the_loader_refuses_each_with_its_own_error(hostile):
    for name, path in hostile.items():
        try:
            pages = load_pages(path)
        except DigitizeError as err:
            assert name.split(".")[0] in str(err) or path.name in str(err), err
            if name in ("bomb.png", "lying.png"):
                assert isinstance(err, ImageTooLarge), f"{name}: {err}"
        else:
            # pdftoppm reads the one real page of a PDF whose page tree lies; nothing else may load.
            assert name == "lying.pdf" and len(pages) == 1, f"{name} was loaded: {len(pages)} pages"


@pytest.mark.slow
def test_kiosk_ocr_refuses_them_in_one_line_each_and_no_traceback(hostile, tmp_path):
    refused = [path for name, path in hostile.items() if name != "lying.pdf"]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    cmd = [sys.executable, "-m", "kiosk", "ocr", *map(str, refused), "--text", str(tmp_path / "out.txt")]
    done = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=240)
    assert done.returncode == 1, done.stderr[-2000:]
    assert "Traceback" not in done.stderr
    summary = json.loads(done.stdout)
    assert summary["pages"] == 0
    assert sorted(e["source"] for e in summary["errors"]) == sorted(p.name for p in refused)
    for line in done.stderr.splitlines():
        assert line.startswith("kiosk ocr: "), line


def test_a_pdf_with_more_pages_than_the_limit_is_refused(tmp_path):
    path = tmp_path / "long.pdf"
    path.write_bytes(many_pages_pdf(MAX_PDF_PAGES + 5))
    with pytest.raises(ImageTooLarge, match=f"{MAX_PDF_PAGES + 5} pages in one file"):
        load_pages(path)
    path.write_bytes(many_pages_pdf(2))
    assert len(load_pages(path)) == 2


@pytest.fixture(scope="module")
def central(tmp_path_factory):
    service = embedded.start(tmp_path_factory.mktemp("central-hostile"))
    yield service
    service.stop()


def upload(http: httpx.Client, data: bytes, content_type: str = "application/pdf", size: int | None = None):
    """Announce, send and complete ``data``; the first answer that is not a success, or the last."""
    body = {"filename": "scan.pdf", "content_type": content_type, "size": len(data) if size is None else size,
            "sha256": hashlib.sha256(data).hexdigest()}
    started = http.post("/api/v1/uploads", json=body, headers={"Idempotency-Key": str(uuid.uuid4())})
    if started.status_code != 201 or not data:
        return started
    upload_id = started.json()["upload_id"]
    sent = http.put(f"/api/v1/uploads/{upload_id}", content=data,
                    headers={"Idempotency-Key": str(uuid.uuid4()), "Content-Type": "application/octet-stream",
                             "Content-Range": f"bytes 0-{len(data) - 1}/{len(data)}"})
    if sent.status_code != 200:
        return sent
    return http.post(f"/api/v1/uploads/{upload_id}/complete", headers={"Idempotency-Key": str(uuid.uuid4())})


def test_the_upload_endpoint_refuses_what_is_not_a_pdf(hostile, central):
    headers = {"Authorization": f"Bearer {central.kiosk_token}"}
    with httpx.Client(base_url=central.url, headers=headers, timeout=60) as http:
        for name, path in hostile.items():
            data = path.read_bytes()
            answer = upload(http, data)
            if name == "lying.pdf":
                assert answer.status_code < 500, answer.text  # one real page: a PDF, whatever its tree claims
                continue
            assert 400 <= answer.status_code < 500, f"{name}: {answer.status_code} {answer.text[:200]}"
            assert answer.json()["error"] in ("not_a_pdf", "bad_request", "validation_failed", "invalid_body"), \
                f"{name}: {answer.text[:200]}"
        too_big = upload(http, b"%PDF-1.7\n", size=10**12)
        assert too_big.status_code in (413, 422) and "error" in too_big.json()
        picture = upload(http, hostile["bomb.png"].read_bytes(), content_type="image/png")
        assert picture.status_code in (415, 422) and "error" in picture.json()
