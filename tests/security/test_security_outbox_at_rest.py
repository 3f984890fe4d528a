"""Personal data waiting in the kiosk's outbox is sealed on disk, and gone once delivered.

A dossier (owner's ID number, name, address; a scan whose text holds them too) is queued in a real
outbox; every byte under the kiosk's data folder (the SQLite file, its WAL and shared-memory files, the
attached files) is searched for those values in every spelling a program might write them. Then the
dossier is delivered to the real central service and the search is repeated: the job, its files and
any leftover of them must be gone.
"""

from __future__ import annotations

import io
import json
import unicodedata
from pathlib import Path

import pikepdf
import pytest

from central import embedded, models
from kiosk.api.client import CentralClient
from kiosk.outbox import DeliveryWorker, Outbox, SecretBox, queue_dossier

# An invented citizen; no real person has these details.
OWNER = {"id_number": "034187009911", "full_name": "Trịnh Thị Niêm Phong", "date_of_birth": "1987-09-30",
         "sex": "Nữ", "address": "Ngõ Kín, thôn Mật Mã, xã Hợp Thịnh"}


def spellings(value: str) -> list[bytes]:
    """``value`` as UTF-8 (composed and decomposed), UTF-16, JSON-escaped and without diacritics."""
    folded = "".join(c for c in unicodedata.normalize("NFD", value) if unicodedata.category(c) != "Mn")
    folded = folded.replace("đ", "d").replace("Đ", "D")
    texts = {value, unicodedata.normalize("NFD", value), folded, json.dumps(value)[1:-1]}
    found = set()
    for text in texts:
        found |= {text.encode("utf-8"), text.encode("utf-16-le")}
    return sorted(found)


def leaks(folder: Path) -> list[str]:
    needles = {key: spellings(OWNER[key]) for key in ("id_number", "full_name", "address")}
    found = []
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        data = path.read_bytes()
        for key, variants in needles.items():
            if any(v in data for v in variants):
                found.append(f"{path.relative_to(folder)}: {key}")
    return found


def scan_with_the_owner_on_it() -> bytes:
    pdf = pikepdf.new()
    pdf.add_blank_page(page_size=(595, 842))
    text = f"BT /F1 12 Tf 72 720 Td ({OWNER['id_number']}) Tj ET".encode()
    pdf.pages[0].Contents = pdf.make_stream(text)
    pdf.docinfo["/Title"] = OWNER["full_name"]
    pdf.docinfo["/Subject"] = OWNER["address"]
    out = io.BytesIO()
    pdf.save(out, compress_streams=False)
    data = out.getvalue()
    assert OWNER["id_number"].encode() in data, "the scan must hold the ID number in clear, or the test means nothing"
    return data


@pytest.fixture
def central(tmp_path):
    service = embedded.start(tmp_path / "central")
    yield service
    service.stop()


def test_a_queued_dossier_is_sealed_at_rest_and_deleted_after_delivery(tmp_path, central):
    data_dir = tmp_path / "kiosk"
    outbox = Outbox(data_dir / "outbox.sqlite3", SecretBox.from_file(data_dir / "outbox.key"))
    client = CentralClient(central.url, central.kiosk_token)
    try:
        procedure = client.procedure(client.procedures()[0]["code"])
        body = {"procedure": procedure["code"], "owner": OWNER, "form": {"ghi_chu": OWNER["address"]}}
        document = {"checklist_item": procedure["documents"][0]["id"], "filename": f"{OWNER['full_name']}.pdf",
                    "content_type": "application/pdf", "data": scan_with_the_owner_on_it()}
        job = queue_dossier(outbox, body, [document])
        assert outbox.file(job, 0)[:5] == b"%PDF-", "the kiosk can open its own sealed scan"
        assert any(outbox.files_dir.rglob("*")), "the scan is kept as a file while it waits"

        assert leaks(data_dir) == [], "personal data in clear while the dossier waits"

        worker = DeliveryWorker(outbox, client)
        assert worker.run_until_idle() == 1
        assert outbox.jobs() == [] and outbox.counts().delivered == {"dossier": 1}
        assert not any(p.is_file() for p in outbox.files_dir.rglob("*")), "the sealed scan is deleted"
        outbox.close()
        assert leaks(data_dir) == [], "personal data in clear after delivery"
    finally:
        client.close()
        outbox.close()

    database = central.app.state.central.db
    with database.read() as session:
        [dossier] = session.query(models.Dossier).all()
        assert dossier.owner_id_number == OWNER["id_number"], "the central service got the real data"
