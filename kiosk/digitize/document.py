"""A citizen's paper document while it is being digitized: pages in order, each with its results.

Pages can be added, retaken, deleted and reordered at any time, also while others are being
processed: every page carries a ``revision`` and a result computed for an older revision is thrown
away. A page whose processing failed keeps its capture, so nothing the citizen handed in is lost.
"""

from __future__ import annotations

import threading
import uuid
from dataclasses import dataclass, field
from enum import Enum

from PIL import Image

from kiosk.digitize.cleaning import CleanPage
from kiosk.digitize.errors import DigitizeError
from kiosk.digitize.ocr import OcrResult
from kiosk.digitize.quality import Quality


class PageState(str, Enum):
    CAPTURED = "captured"
    PROCESSING = "processing"
    DONE = "done"
    FAILED = "failed"


@dataclass
class Page:
    capture: Image.Image
    #: Where the page came from, for the operator (a file name, "camera"); never page content.
    source: str = "camera"
    id: str = field(default_factory=lambda: uuid.uuid4().hex[:12])
    revision: int = 0
    state: PageState = PageState.CAPTURED
    clean: CleanPage | None = None
    ocr: OcrResult | None = None
    quality: Quality | None = None
    error: DigitizeError | None = None
    seconds: float = 0.0

    @property
    def text(self) -> str:
        return self.ocr.text if self.ocr else ""

    @property
    def confidence(self) -> float | None:
        return self.ocr.mean_confidence if self.ocr else None

    @property
    def flags(self) -> list[str]:
        return list(self.quality.flags) if self.quality else []

    def reset(self, capture: Image.Image, source: str) -> None:
        self.capture, self.source = capture, source
        self.revision += 1
        self.state = PageState.CAPTURED
        self.clean = self.ocr = self.quality = self.error = None
        self.seconds = 0.0


class Document:
    """The pages of one paper document, in reading order. Safe to use from several threads."""

    def __init__(self, title: str = "") -> None:
        self.title = title
        self._pages: list[Page] = []
        self._lock = threading.RLock()

    @property
    def pages(self) -> list[Page]:
        with self._lock:
            return list(self._pages)

    def __len__(self) -> int:
        return len(self._pages)

    def page(self, page_id: str) -> Page:
        with self._lock:
            for page in self._pages:
                if page.id == page_id:
                    return page
        raise KeyError(f"no page {page_id!r} in this document")

    def add(self, capture: Image.Image, source: str = "camera") -> Page:
        page = Page(capture=capture, source=source)
        with self._lock:
            self._pages.append(page)
        return page

    def retake(self, page_id: str, capture: Image.Image, source: str = "camera") -> Page:
        """Replace a page's picture in place; its old results are dropped."""
        with self._lock:
            page = self.page(page_id)
            page.reset(capture, source)
            return page

    def delete(self, page_id: str) -> None:
        with self._lock:
            self._pages.remove(self.page(page_id))

    def move(self, page_id: str, index: int) -> None:
        """Put a page at ``index`` (0 is first; negative counts from the end)."""
        with self._lock:
            page = self.page(page_id)
            self._pages.remove(page)
            if index < 0:
                index += len(self._pages) + 1
            self._pages.insert(max(0, min(index, len(self._pages))), page)

    def reorder(self, page_ids: list[str]) -> None:
        """Set the whole order at once; ``page_ids`` must name every page exactly once."""
        with self._lock:
            if sorted(page_ids) != sorted(p.id for p in self._pages):
                raise ValueError("the new order must list every page of the document exactly once")
            by_id = {p.id: p for p in self._pages}
            self._pages = [by_id[i] for i in page_ids]

    @property
    def ready(self) -> bool:
        """Every page processed (successfully or not): ready for review."""
        with self._lock:
            return bool(self._pages) and all(p.state in (PageState.DONE, PageState.FAILED) for p in self._pages)

    @property
    def text(self) -> str:
        """All pages' text, pages separated by a form feed (as ``pdftotext`` does)."""
        return "\f".join(p.text for p in self.pages if p.state == PageState.DONE)

    def store_result(self, page: Page, revision: int, **results) -> bool:
        """Record results computed for ``revision``; ``False`` (and nothing kept) if it is stale."""
        with self._lock:
            if page not in self._pages or page.revision != revision:
                return False
            for key, value in results.items():
                setattr(page, key, value)
            return True
