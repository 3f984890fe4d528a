"""The dossier tests' rig: the real central service on loopback, kiosks on simulators, invented citizens.

``Center`` runs ``central.embedded`` on SQLite in a test folder, can be stopped and started again on the
same port, adds kiosk accounts, and plays the staff over the real HTTP API (mark a dossier ready with a
locker place, read a dossier). ``kiosk_config`` makes a kiosk configuration whose ``kiosk.id`` is the
kiosk's account name at the center (what locker places name). ``pdf_bytes`` makes a small real PDF.
"""

from __future__ import annotations

import io
from pathlib import Path

import pikepdf
from center_rig import LiveCenter

from kiosk import config as config_module

#: Invented people; the ID numbers are consistent with their birth years and sexes.
OWNER = "001199012345||Nguyễn Thị Ước|15031999|Nữ|Xóm Ước Lễ, Xã Hợp Thịnh, Tỉnh Bắc Ninh|20052021"
STRANGER = "079203004512|183456789|Đặng Văn Bình|05032003|Nam|Bản Nà Hẩu, Xã Mường Lống, Tỉnh Nghệ An|17102023"

BIRTH_FIELDS = {"child_name": "Trần Minh Khôi", "child_birth": "02/11/2026", "child_sex": "male",
                "child_birthplace": "Bệnh viện đa khoa tỉnh Bắc Ninh", "relationship": "mother"}


class Center(LiveCenter):
    def dossier(self, code: str) -> dict:
        return self.staff(f"/dossiers/{code}")

    def dossiers(self) -> list[dict]:
        return self.staff("/dossiers?limit=200")

    def mark_ready(self, code: str, kiosk: str | None = None, compartment: str | None = None) -> dict:
        for status in ("processing", "ready_for_pickup"):
            body = {"status": status, "message": "Kết quả đã sẵn sàng." if status == "ready_for_pickup" else ""}
            if status == "ready_for_pickup" and kiosk:
                body["locker"] = {"kiosk": kiosk, "compartment": compartment}
            answer = self.staff(f"/dossiers/{code}/status", "POST", json=body)
        return answer


def kiosk_config(data_dir: Path, center: Center, name: str, token: str, *, prefix: str = "K1",
                 printer: str = "sim://", locker: str = "none://"):
    return kiosk_config_from(data_dir, center.url, name, token, prefix=prefix, printer=printer, locker=locker)


def kiosk_config_from(data_dir: Path, url: str, name: str, token: str, *, prefix: str = "K1",
                      printer: str = "sim://", locker: str = "none://"):
    return config_module.from_dict(
        {
            "kiosk": {"id": name, "data_dir": str(data_dir), "offline_prefix": prefix},
            "central": {"url": url, "token": token, "embedded": False, "connect_timeout_s": 0.5,
                        "read_timeout_s": 5.0},
            "devices": {"printer": printer, "qr_reader": "none://", "camera": "none://", "speaker": "none://",
                        "locker": locker},
        },
        "<dossier tests>",
    )


def config_toml(data_dir: Path, url: str, name: str, token: str, prefix: str = "K1") -> str:
    return f"""[kiosk]
id = "{name}"
data_dir = "{data_dir}"
offline_prefix = "{prefix}"

[central]
url = "{url}"
token = "{token}"
embedded = false
connect_timeout_s = 0.5

[devices]
printer = "sim://"
qr_reader = "none://"
camera = "none://"
speaker = "none://"
locker = "none://"
"""


def pdf_bytes(pages: int = 1) -> bytes:
    pdf = pikepdf.new()
    for _ in range(pages):
        pdf.add_blank_page(page_size=(595, 842))
    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue()


def document(item: str) -> dict:
    return {"checklist_item": item, "filename": f"{item}.pdf", "content_type": "application/pdf", "data": pdf_bytes()}
