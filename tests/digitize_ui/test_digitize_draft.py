"""The visit's document draft (``kiosk.digitize.session``) without a window: pages sealed in the visit,
the accepted PDF in the dossier draft in the shape the outbox takes, and the wipe at the visit's end."""

from __future__ import annotations

import subprocess

import pytest

from digitize_pages import KEY_WORDS, PAGES, page
from kiosk.digitize.digitizer import Digitizer
from kiosk.digitize.errors import OutputFailed
from kiosk.digitize.session import DocumentDraft, accepted_documents, dossier_documents
from kiosk.outbox.delivery import queue_dossier
from kiosk.visit import Visits


@pytest.fixture(scope="module")
def digitizer():
    with Digitizer(workers=2) as d:
        yield d


@pytest.fixture
def visit(tmp_path):
    visits = Visits(tmp_path)
    yield visits.begin("vi")
    visits.end("done")


def test_pages_are_sealed_as_taken_and_the_accepted_pdf_reads_back(visit, digitizer, tmp_path):
    draft = DocumentDraft(visit, digitizer, checklist_item="to_khai")
    first = draft.add(page(PAGES["first"]))
    second = draft.add(page(PAGES["second"]))
    sealed = visit.files.folder / f"{draft.page_file(first.id)}.sealed"
    assert sealed.exists() and b"PNG" not in sealed.read_bytes()[:64], "the page is sealed, not a plain PNG"
    assert draft.saved_capture(second.id).size == second.capture.size
    assert draft.wait(120)
    draft.move(second.id, 0)
    finished = draft.accept()
    assert finished.pages == 2 and finished.checklist_item == "to_khai"
    assert [d.sha256 for d in accepted_documents(visit)] == [finished.sha256]

    [doc] = dossier_documents(visit)
    pdf = tmp_path / "check.pdf"
    pdf.write_bytes(doc["data"])
    text = subprocess.run(["pdftotext", "-enc", "UTF-8", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert text.index(KEY_WORDS["second"]) < text.index(KEY_WORDS["first"])
    assert visit.files.read(finished.text_file).decode("utf-8") == draft.document.text


def test_the_dossier_documents_go_into_the_outbox_sealed(visit, digitizer, tmp_path):
    from kiosk.outbox import Outbox, SecretBox

    draft = DocumentDraft(visit, digitizer)
    draft.add(page(PAGES["retaken"]))
    assert draft.wait(120)
    draft.accept()
    box = SecretBox.from_file(tmp_path / "outbox.key", create=True)
    outbox = Outbox(tmp_path / "outbox.sqlite3", box)
    try:
        job = queue_dossier(outbox, {"procedure": "demo"}, dossier_documents(visit))
        assert job.file_count == 1
        assert outbox.file(job, 0) == visit.files.read("document-01.pdf")
    finally:
        outbox.close()


def test_deleting_a_page_shreds_its_picture_and_ending_the_visit_wipes_the_draft(visit, digitizer):
    draft = DocumentDraft(visit, digitizer)
    kept = draft.add(page(PAGES["first"]))
    gone = draft.add(page(PAGES["second"]))
    draft.delete(gone.id)
    assert visit.files.names() == [draft.page_file(kept.id)]
    folder = visit.files.folder
    report = visit.end("done")
    assert report.files_shredded >= 1 and not folder.exists()
    assert len(draft.document) == 0
    assert dossier_documents(visit) == []
    with pytest.raises(OutputFailed):
        draft.add(page(PAGES["first"]))
