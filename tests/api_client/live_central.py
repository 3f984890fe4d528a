"""The real central service on loopback, in this process, for the API-client tests.

``LiveCentral`` runs ``central.embedded`` on its own database (SQLite, or PostgreSQL when given a URL). It can be stopped and started
again on the same port with the same kiosk tokens, as a center's server would be after a power cut,
and ``count``/``rows`` look at its database directly to check what it recorded.
"""

from __future__ import annotations

import io
import random
from pathlib import Path

import pikepdf
from sqlalchemy import func, select

from central import accounts, db, embedded
from central.settings import Settings


class LiveCentral:
    def __init__(self, data_dir: Path, db_url: str = ""):
        self.service = embedded.start(settings=Settings(data_dir=Path(data_dir), db_url=db_url))
        self.settings = self.service.settings
        self.url = self.service.url
        self.port = int(self.url.rsplit(":", 1)[1])
        self.kiosk_token = self.service.kiosk_token
        self.staff_token = self.service.staff_token
        self._server = self.service._server
        self._thread = self.service._thread
        self._database: db.Database | None = None

    @property
    def running(self) -> bool:
        return self._server is not None

    def stop(self) -> None:
        if self._server is None:
            return
        self._server.should_exit = True
        self._thread.join(15)
        self._server = self._thread = None

    def start(self) -> None:
        if self._server is None:
            self._server, self._thread, url, _app = embedded.serve_in_thread(self.settings, port=self.port)
            assert url == self.url

    def add_kiosk(self, name: str) -> str:
        database = db.Database(self.settings.db_url)
        try:
            return accounts.add_account(database, "kiosk", name, self.settings.default_center)
        finally:
            database.dispose()

    @property
    def database(self) -> db.Database:
        if self._database is None:
            self._database = db.Database(self.settings.db_url, pool_size=2)
        return self._database

    def count(self, model, *where) -> int:
        with self.database.read() as session:
            return session.scalar(select(func.count()).select_from(model).where(*where))

    def rows(self, model, *where) -> list:
        with self.database.read() as session:
            return list(session.scalars(select(model).where(*where)))

    def close(self) -> None:
        self.stop()
        if self._database is not None:
            self._database.dispose()


def pdf_bytes(text: str, pages: int = 1, padding: int = 0) -> bytes:
    """A small real PDF (``padding`` bytes of incompressible filler make it as large as a scan)."""
    pdf = pikepdf.new()
    for _ in range(pages):
        pdf.add_blank_page(page_size=(595, 842))
    pdf.docinfo["/Title"] = text
    if padding:
        filler = random.Random(1).randbytes(padding)
        pdf.Root["/KioskFiller"] = pdf.make_stream(filler)
    out = io.BytesIO()
    pdf.save(out, compress_streams=False)
    return out.getvalue()

