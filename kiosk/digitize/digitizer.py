"""The digitizing use case: clean, check and read every page of a document, off the caller's thread.

``Digitizer.process(document)`` returns a ``Job`` at once; pages are processed in parallel on a pool
sized to the machine's cores (Tesseract itself runs single-threaded), and each page's text is read as
bands on every core at once, so no core idles while the last page is read. Callbacks run on the worker
threads — a screen moves them onto its UI thread — and a job can be cancelled: pages not started are
left as captured, a page being read finishes but its result is dropped.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor

import cv2

from kiosk.digitize import quality as page_quality
from kiosk.digitize.cleaning import clean_page
from kiosk.digitize.document import Document, Page, PageState
from kiosk.digitize.errors import Cancelled, DigitizeError
from kiosk.digitize.ocr import recognize_in_bands

log = logging.getLogger(__name__)

#: ``(done, total, page)`` after each page finishes (successfully or not).
ProgressCallback = Callable[[int, int, Page], None]


def default_workers() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


class Job:
    """The processing of one document's pages."""

    def __init__(self, document: Document, pages: list[Page]) -> None:
        self.document = document
        self.total = len(pages)
        self.done_count = 0
        self.started = time.monotonic()
        self.finished_at: float | None = None
        self._cancel = threading.Event()
        self._finished = threading.Event()
        self._futures: list[Future] = []
        self._lock = threading.Lock()
        if not pages:
            self._finish()

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    @property
    def done(self) -> bool:
        return self._finished.is_set()

    @property
    def seconds(self) -> float:
        return (self.finished_at or time.monotonic()) - self.started

    def cancel(self) -> None:
        self._cancel.set()
        for future in self._futures:
            future.cancel()

    def wait(self, timeout: float | None = None) -> bool:
        """Block until every page is finished or skipped; ``False`` on timeout."""
        return self._finished.wait(timeout)

    def _page_finished(self) -> int:
        with self._lock:
            self.done_count += 1
            if self.done_count >= self.total:
                self._finish()
            return self.done_count

    def _finish(self) -> None:
        self.finished_at = time.monotonic()
        self._finished.set()


class Digitizer:
    """Runs pages through cleaning, the quality check and OCR."""

    def __init__(
        self, language: str = "vie", workers: int | None = None, dpi: int = 300, bands: int | None = None
    ) -> None:
        self.language = language
        self.dpi = dpi
        self.workers = workers or default_workers()
        #: Each page is read as this many bands at once (default: one per core), so the last page of a
        #: document, or a page retaken alone, keeps every core busy.
        self.bands = max(1, bands or self.workers)
        self._pool = ThreadPoolExecutor(max_workers=self.workers, thread_name_prefix="digitize")
        # Pages are cleaned on ``_pool`` and read on ``_readers``: one Tesseract kept loaded per core.
        self._readers = ThreadPoolExecutor(max_workers=self.workers, thread_name_prefix="digitize-ocr")

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)
        self._readers.shutdown(wait=True, cancel_futures=True)

    def __enter__(self) -> Digitizer:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def process(
        self,
        document: Document,
        on_progress: ProgressCallback | None = None,
        *,
        only_pending: bool = True,
    ) -> Job:
        """Start on every page not processed yet (or every page); returns immediately."""
        pages = [p for p in document.pages if not only_pending or p.state in (PageState.CAPTURED, PageState.FAILED)]
        job = Job(document, pages)
        for page in pages:
            page.state = PageState.PROCESSING
            future = self._pool.submit(self._run, job, page, page.revision)
            future.add_done_callback(lambda f, job=job, page=page: self._after(f, job, page, on_progress))
            job._futures.append(future)
        return job

    def process_page(self, page: Page) -> Page:
        """Clean, check and read one page on this thread."""
        started = time.monotonic()
        try:
            clean = clean_page(page.capture)
            checked = page_quality.check(page.capture, clean)
            result = recognize_in_bands(clean.ocr, self.language, self.dpi, parts=self.bands, pool=self._readers)
        except DigitizeError as err:
            page.state, page.error = PageState.FAILED, err
        except (MemoryError, ValueError, OSError, cv2.error) as err:  # a picture the cleaning cannot handle
            log.warning("page %s could not be processed: %s", page.id, type(err).__name__)
            page.state, page.error = PageState.FAILED, DigitizeError(f"processing failed: {type(err).__name__}")
        else:
            page.clean, page.quality, page.ocr = clean, checked, result
            page.state, page.error = PageState.DONE, None
        page.seconds = time.monotonic() - started
        return page

    def _run(self, job: Job, page: Page, revision: int) -> None:
        if job.cancelled:
            raise Cancelled("cancelled before this page started")
        scratch = Page(capture=page.capture, source=page.source, id=page.id)
        self.process_page(scratch)
        if job.cancelled:
            job.document.store_result(page, revision, state=PageState.CAPTURED)
        else:
            job.document.store_result(
                page,
                revision,
                state=scratch.state,
                clean=scratch.clean,
                quality=scratch.quality,
                ocr=scratch.ocr,
                error=scratch.error,
                seconds=scratch.seconds,
            )

    def _after(self, future: Future, job: Job, page: Page, on_progress: ProgressCallback | None) -> None:
        """Every page ends here: finished, failed, cancelled or skipped."""
        error = None if future.cancelled() else future.exception()
        if future.cancelled() or isinstance(error, Cancelled):
            job.document.store_result(page, page.revision, state=PageState.CAPTURED)
        elif error is not None:  # a bug, not a bad picture: keep the page, say so once
            log.error("digitizing page %s failed unexpectedly", page.id, exc_info=error)
            job.document.store_result(
                page, page.revision, state=PageState.FAILED, error=DigitizeError(f"internal error: {type(error).__name__}")
            )
        done = job._page_finished()
        if on_progress is not None:
            try:
                on_progress(done, job.total, page)
            except Exception:  # a broken listener must not stop the other pages
                log.exception("progress callback failed")
