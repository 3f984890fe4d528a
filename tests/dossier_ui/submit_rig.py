"""An invented citizen, an invented paper form, and the real central service, for the submission tests.

``Central`` runs ``central.embedded`` on SQLite in a folder; it can be stopped and served again on the
same port with the same tokens, and ``dossiers()`` reads the dossiers the center holds straight from
its database. ``cccd_payload`` writes the text of a CCCD's QR code for an invented person;
``write_form_page`` draws a filled-in paper form on a desk, as the document camera sees it.
"""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pikepdf
import requests
from PIL import Image, ImageDraw, ImageFont
from sqlalchemy import select

from center_rig import LiveCenter
from central.db import Database
from central.models import Document, Dossier

KIOSK_NAME = "submit-kiosk"

# An invented person: the ID number agrees with sex (woman, born in the 1900s: 1) and birth year (92).
NAME = "Nguyễn Thị Bích Ngọc"
ID_NUMBER = "001192034567"
BIRTH = dt.date(1992, 4, 17)
ADDRESS = "Số 12 ngõ 8 phố Đình Ngang, xã Hợp Thịnh, tỉnh Bắc Ninh"


def cccd_payload(id_number: str = ID_NUMBER, name: str = NAME, birth: dt.date = BIRTH, sex: str = "Nữ",
                 address: str = ADDRESS, issued: dt.date = dt.date(2021, 6, 1)) -> str:
    """The text of a chip-ID card's QR code: number|old number|name|birth|sex|address|issue date."""
    return f"{id_number}||{name}|{birth:%d%m%Y}|{sex}|{address}|{issued:%d%m%Y}"


def write_form_page(folder: Path, title: str = "TỜ KHAI CƯ TRÚ") -> Path:
    """One filled-in paper form on a dark desk, as ``01-form.png`` in ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    desk = Image.new("RGB", (900, 1100), (70, 62, 55))
    sheet = Image.new("RGB", (740, 940), (250, 250, 246))
    draw = ImageDraw.Draw(sheet)
    font = ImageFont.truetype("DejaVuSans.ttf", 34)
    for number, line in enumerate((title, "Họ và tên: Nguyễn Thị Bích Ngọc", "Nơi cư trú: xã Hợp Thịnh")):
        draw.text((70, 90 + 70 * number), line, font=font, fill=(20, 20, 20))
    desk.paste(sheet, (80, 80))
    desk.save(folder / "01-form.png")
    return folder


def small_pdf() -> bytes:
    """A real one-page PDF (blank), as the kiosk would upload for a document."""
    pdf = pikepdf.new()
    pdf.add_blank_page(page_size=(595, 842))
    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue()


class Central(LiveCenter):
    """The central service on loopback, its kiosk account named ``KIOSK_NAME``, and its database to
    look into."""

    def __init__(self, data_dir: Path):
        super().__init__(data_dir, kiosk_name=KIOSK_NAME)
        self.db = Database(self.settings.db_url)

    def close(self) -> None:
        super().close()
        self.db.dispose()

    def dossiers(self) -> list[dict]:
        """Every dossier the center holds, oldest first, with its documents' checklist items."""
        with self.db.read() as session:
            rows = session.scalars(select(Dossier).order_by(Dossier.id)).all()
            out = []
            for row in rows:
                items = session.scalars(select(Document.checklist_item).where(Document.dossier_id == row.id)).all()
                out.append({"code": row.code, "kiosk_reference": row.kiosk_reference, "procedure": row.procedure_code,
                            "owner_id": row.owner_id_number, "form": dict(row.form), "documents": list(items)})
            return out

    def alerts(self) -> list[dict]:
        """The open alerts, as the staff's screen lists them."""
        answer = requests.get(f"{self.url}/api/v1/staff/alerts",
                              headers={"Authorization": f"Bearer {self.staff_token}"}, timeout=5)
        answer.raise_for_status()
        return answer.json()
