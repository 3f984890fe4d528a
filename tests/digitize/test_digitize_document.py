"""The document model and the Digitizer: order, retake, delete, parallel work, progress, cancel."""

import threading

import pytest
from digitize_helpers import LINES, render, scanned
from PIL import Image

from kiosk.digitize.digitizer import Digitizer
from kiosk.digitize.document import Document, PageState


@pytest.fixture(scope="module")
def pictures():
    return [render(LINES[i : i + 3]) for i in range(3)]


def test_pages_can_be_reordered_retaken_and_deleted(pictures):
    doc = Document()
    a, b, c = (doc.add(p, source=f"p{i}") for i, p in enumerate(pictures))
    doc.move(c.id, 0)
    assert [p.id for p in doc.pages] == [c.id, a.id, b.id]
    doc.move(c.id, -1)
    assert [p.id for p in doc.pages] == [a.id, b.id, c.id]
    doc.reorder([b.id, c.id, a.id])
    assert [p.id for p in doc.pages] == [b.id, c.id, a.id]
    with pytest.raises(ValueError):
        doc.reorder([a.id, b.id])
    revision = b.revision
    doc.retake(b.id, pictures[0], source="again")
    assert b.revision == revision + 1 and b.source == "again" and doc.pages[0] is b
    doc.delete(c.id)
    assert [p.id for p in doc.pages] == [b.id, a.id]
    with pytest.raises(KeyError):
        doc.page(c.id)


def test_pages_are_processed_off_the_callers_thread_with_progress(pictures):
    doc = Document()
    for picture in pictures:
        doc.add(scanned(picture))
    doc.add(Image.new("L", (10, 10), 255), source="tiny")  # a page that cannot be read
    seen = []
    caller = threading.get_ident()
    with Digitizer(workers=2) as digitizer:
        job = digitizer.process(doc, lambda done, total, page: seen.append((done, total, threading.get_ident())))
        assert job.wait(120)
    assert sorted(d for d, _t, _th in seen) == [1, 2, 3, 4]
    assert all(total == 4 and thread != caller for _d, total, thread in seen)
    assert doc.ready
    states = [p.state for p in doc.pages]
    assert states == [PageState.DONE] * 3 + [PageState.FAILED]
    assert "too small" in str(doc.pages[3].error)
    assert "Tập trung" in doc.pages[0].text or "Tập trung" in doc.text
    assert doc.text.count("\f") == 2  # the failed page adds no text, the others are kept


def test_cancelled_job_leaves_pages_as_captured(pictures):
    doc = Document()
    for _ in range(4):
        doc.add(pictures[0])
    with Digitizer(workers=1) as digitizer:
        job = digitizer.process(doc)
        job.cancel()
        assert job.wait(60)
    assert job.cancelled
    assert all(p.state == PageState.CAPTURED for p in doc.pages)


def test_retake_during_processing_drops_the_stale_result(pictures):
    doc = Document()
    page = doc.add(pictures[0])
    started = threading.Event()
    with Digitizer(workers=1) as digitizer:
        job = digitizer.process(doc, lambda *a: started.set())
        doc.retake(page.id, pictures[1])
        assert job.wait(60)
    assert page.state == PageState.CAPTURED and page.ocr is None


def test_digitizing_core_runs_without_kivy():
    import subprocess
    import sys

    code = (
        "import sys, kiosk.digitize.digitizer, kiosk.digitize.output, kiosk.digitize.preview, "
        "kiosk.digitize.loading, kiosk.cli.ocr, kiosk.bench.ocr, devices.camera.sim, devices.camera.folder, "
        "devices.camera.opencv, devices.camera.sane; print('kivy' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.stdout.strip() == "False", out.stderr
