"""Writing results: checksums, thumbnails, atomic files, and a disk that fills up mid-way."""

import hashlib
import subprocess
import sys
import textwrap

import pytest
from digitize_helpers import render

from kiosk.digitize.digitizer import Digitizer
from kiosk.digitize.document import Document
from kiosk.digitize.errors import OutputFailed
from kiosk.digitize.output import save_document, write_atomic


@pytest.fixture(scope="module")
def document():
    doc = Document(title="test")
    doc.add(render())
    with Digitizer(workers=1) as digitizer:
        digitizer.process(doc).wait(120)
    return doc


def test_outputs_are_written_with_checksums(document, tmp_path):
    saved = save_document(document, pdf=tmp_path / "d.pdf", text=tmp_path / "d.txt", thumbnails_dir=tmp_path)
    for item in saved.files():
        data = item.path.read_bytes()
        assert hashlib.sha256(data).hexdigest() == item.sha256 and len(data) == item.size
    assert (tmp_path / "d.txt").read_text(encoding="utf-8") == document.text
    assert [t.path.name for t in saved.thumbnails] == ["page-001.jpg"]
    assert not list(tmp_path.glob(".*.part"))


def test_missing_folder_writes_nothing(document, tmp_path):
    with pytest.raises(OutputFailed, match="does not exist"):
        save_document(document, pdf=tmp_path / "d.pdf", text=tmp_path / "no" / "d.txt")
    assert list(tmp_path.iterdir()) == []


def test_failed_rename_leaves_no_partial_file(tmp_path):
    target = tmp_path / "taken"
    (target / "inside").mkdir(parents=True)  # a folder where the file should go: the rename fails
    with pytest.raises(OutputFailed, match="cannot write taken"):
        write_atomic(target, b"data")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["taken"]


def test_disk_filling_up_leaves_nothing_half_written(document, tmp_path):
    """GIVEN pages read WHEN the file size limit (a full disk, at the OS layer) stops the PDF
    THEN no output file is left, the error says why, and the pages are still there to retry."""
    script = textwrap.dedent(
        f"""
        import resource, sys
        sys.path[:0] = {sys.path!r}
        from digitize_helpers import render
        from kiosk.digitize.digitizer import Digitizer
        from kiosk.digitize.document import Document
        from kiosk.digitize.errors import OutputFailed
        from kiosk.digitize.output import save_document
        doc = Document()
        doc.add(render())
        with Digitizer(workers=1) as d:
            d.process(doc).wait(120)
        resource.setrlimit(resource.RLIMIT_FSIZE, (20_000, 20_000))
        try:
            save_document(doc, text={str(tmp_path / "d.txt")!r}, pdf={str(tmp_path / "d.pdf")!r})
        except OutputFailed as err:
            print("FAILED:", err)
            print("PAGES:", len(doc.pages), doc.pages[0].state.value)
        """
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert "FAILED: cannot write d.pdf: the file is larger than this system allows" in out.stdout, out.stderr
    assert "PAGES: 1 done" in out.stdout
    assert list(tmp_path.iterdir()) == []
