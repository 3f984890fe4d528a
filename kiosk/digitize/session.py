"""The visit's document draft: the pages a citizen is digitizing, kept in the visit's sealed files.

``DocumentDraft(visit, digitizer)`` follows one paper document from the first picture to the finished
searchable PDF. Every captured page is sealed into the visit's files (``page-<id>.png``) as soon as it
is taken and is read in the background at once, so review is ready soon after the last picture.
``accept()`` writes the PDF and its text into the visit's files and records the document in the
visit's dossier draft (``visit.form["documents"]``); all of it is shredded when the visit ends.

The dossier flow takes what was accepted with ``dossier_documents(visit)``: one entry per document in
the shape ``kiosk.outbox.queue_dossier`` expects (``filename``, ``content_type``, ``checklist_item``,
``data``), so submitting sends the PDFs through the outbox.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import asdict, dataclass

from PIL import Image

from kiosk.digitize.digitizer import Digitizer, Job, ProgressCallback
from kiosk.digitize.document import Document, Page, PageState
from kiosk.digitize.errors import OutputFailed
from kiosk.digitize.output import pdf_pages
from kiosk.digitize.pdf import build_pdf

log = logging.getLogger(__name__)

DOCUMENTS_FIELD = "documents"
PDF_TYPE = "application/pdf"


@dataclass(frozen=True)
class FinishedDocument:
    """A document accepted by the citizen, as recorded in the visit's dossier draft."""

    number: int
    pdf_file: str
    text_file: str
    pages: int
    size: int
    sha256: str
    checklist_item: str | None = None
    mean_confidence: float | None = None


def digitizer_for(kiosk) -> Digitizer:
    """The kiosk's one digitizer (made on first use; its language follows ``kiosk.ocr_language``)."""
    digitizer = kiosk.extras.get("digitizer")
    if digitizer is None:
        language = getattr(kiosk.config.kiosk, "ocr_language", None) or "vie"
        digitizer = kiosk.extras["digitizer"] = Digitizer(language=language)
    return digitizer


class DocumentDraft:
    """One document being captured and read, tied to a visit; nothing of it outlives the visit."""

    def __init__(self, visit, digitizer: Digitizer, checklist_item: str | None = None):
        self.visit = visit
        self.digitizer = digitizer
        self.checklist_item = checklist_item
        self.document = Document()
        self.finished: FinishedDocument | None = None
        self._jobs: list[Job] = []
        visit.on_end(self._visit_ended)

    # --- pages -------------------------------------------------------------------------------------

    @property
    def pages(self) -> list[Page]:
        return self.document.pages

    def add(self, capture: Image.Image, on_progress: ProgressCallback | None = None) -> Page:
        """Keep a new page (sealed in the visit) and start reading it."""
        page = self.document.add(capture)
        self._keep(page)
        self._start(on_progress)
        return page

    def retake(self, page_id: str, capture: Image.Image, on_progress: ProgressCallback | None = None) -> Page:
        page = self.document.retake(page_id, capture)
        self._keep(page)
        self._start(on_progress)
        return page

    def delete(self, page_id: str) -> None:
        self.document.delete(page_id)
        self._files().delete(self.page_file(page_id))

    def move(self, page_id: str, index: int) -> None:
        self.document.move(page_id, index)

    @staticmethod
    def page_file(page_id: str) -> str:
        return f"page-{page_id}.png"

    def saved_capture(self, page_id: str) -> Image.Image:
        """The page's picture as sealed in the visit's files."""
        return self._files().read_image(self.page_file(page_id))

    # --- reading -----------------------------------------------------------------------------------

    def process(self, on_progress: ProgressCallback | None = None) -> Job:
        """Read every page not read yet (after a failure too); returns at once."""
        return self._start(on_progress)

    def progress(self) -> tuple[int, int]:
        """(pages read, pages in the document); a failed page counts as read."""
        pages = self.document.pages
        return sum(p.state in (PageState.DONE, PageState.FAILED) for p in pages), len(pages)

    def wait(self, timeout: float | None = None) -> bool:
        """Block until every page started so far has been read; ``False`` on timeout."""
        for job in list(self._jobs):
            if not job.wait(timeout):
                return False
        return self.document.ready

    @property
    def ready(self) -> bool:
        return self.document.ready

    def cancel(self) -> None:
        for job in self._jobs:
            job.cancel()
        self._jobs.clear()

    # --- the finished document ---------------------------------------------------------------------

    def accept(self) -> FinishedDocument:
        """Write the searchable PDF and its text into the visit and add it to the dossier draft."""
        if not self.document.ready:
            raise OutputFailed("the pages are still being read")
        files = self._files()
        documents = list(self.visit.form.get(DOCUMENTS_FIELD, []))
        number = len(documents) + 1
        title = f"Tài liệu {number}"
        self.document.title = title
        try:
            pdf = build_pdf(pdf_pages(self.document), title=title)
        except (OSError, ValueError) as err:
            raise OutputFailed(f"the PDF could not be made: {type(err).__name__}") from err
        pdf_name, text_name = f"document-{number:02d}.pdf", f"document-{number:02d}.txt"
        try:
            files.write(pdf_name, pdf)
            files.write(text_name, self.document.text.encode("utf-8"))
        except Exception as err:
            for name in (pdf_name, text_name):
                try:
                    files.delete(name)
                except Exception:
                    pass
            raise OutputFailed(f"the document could not be kept in the visit: {err}") from err
        confidences = [p.confidence for p in self.document.pages if p.confidence is not None]
        finished = FinishedDocument(
            number=number,
            pdf_file=pdf_name,
            text_file=text_name,
            pages=len(self.document),
            size=len(pdf),
            sha256=hashlib.sha256(pdf).hexdigest(),
            checklist_item=self.checklist_item,
            mean_confidence=round(sum(confidences) / len(confidences), 1) if confidences else None,
        )
        self.visit.form[DOCUMENTS_FIELD] = documents + [asdict(finished)]
        self.finished = finished
        log.info("document %d kept in visit %s: %d pages, %d bytes", number, self.visit.id, finished.pages, finished.size)
        return finished

    # --- inside ------------------------------------------------------------------------------------

    def _files(self):
        files = self.visit.files
        if files is None:
            raise OutputFailed("the visit has ended")
        return files

    def _keep(self, page: Page) -> None:
        try:
            self._files().write_image(self.page_file(page.id), page.capture, "PNG")
        except OutputFailed:
            raise
        except Exception as err:  # the page stays in memory; the operator learns why it was not sealed
            raise OutputFailed(f"a page could not be kept in the visit: {err}") from err

    def _start(self, on_progress: ProgressCallback | None) -> Job:
        job = self.digitizer.process(self.document, on_progress)
        self._jobs = [j for j in self._jobs if not j.done] + [job]
        return job

    def _visit_ended(self, _reason: str) -> None:
        self.cancel()
        self.document = Document()
        self.finished = None


def accepted_documents(visit) -> list[FinishedDocument]:
    """The documents accepted in this visit, in order."""
    return [FinishedDocument(**entry) for entry in visit.form.get(DOCUMENTS_FIELD, [])]


def dossier_documents(visit) -> list[dict]:
    """The accepted documents as ``queue_dossier`` takes them (the PDFs read from the visit's files)."""
    files = visit.files
    if files is None:
        return []
    out = []
    for doc in accepted_documents(visit):
        out.append({
            "checklist_item": doc.checklist_item,
            "filename": doc.pdf_file,
            "content_type": PDF_TYPE,
            "data": files.read(doc.pdf_file),
        })
    return out
