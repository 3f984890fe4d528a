"""Invented citizens and the real central service on loopback, for the identify and visit tests.

``Central`` runs ``central.embedded`` on SQLite in a folder. It can be stopped and served again on the
same port with the same tokens (the kiosk keeps talking to the same address), and ``alerts()`` reads
what staff see through the staff API.
"""

from __future__ import annotations

from pathlib import Path

import requests

from central import embedded
from central.settings import Settings

# Invented people; their ID numbers agree with sex and birth year unless said otherwise.
NAME = "Trần Thị Ngọc Diễm"
ID_NUMBER = "001190012345"
MASKED_ID = "0011•••••345"
ADDRESS = "Số 7 ngõ 15 phố Hàng Bạc, phường Hoàn Kiếm, Hà Nội"
PAYLOAD = f"{ID_NUMBER}|012345678|{NAME}|14021990|Nữ|{ADDRESS}|01032021"

OTHER_NAME = "Lê Văn Phúc"
OTHER_PAYLOAD = f"027088123456||{OTHER_NAME}|03071988|Nam|Thôn Trung, xã Hợp Thịnh, tỉnh Bắc Ninh|15052022"

#: The ID number's sex digit says "man", the card says "Nữ": read, but staff must check it.
MISMATCH_NAME = "Phạm Thị Hoa"
MISMATCH_ID = "001090054321"
MISMATCH_PAYLOAD = f"{MISMATCH_ID}||{MISMATCH_NAME}|20111990|Nữ|Xóm Đình, xã Hợp Thịnh, tỉnh Bắc Ninh|11062021"


class Central:
    def __init__(self, data_dir: Path):
        service = embedded.start(settings=Settings(data_dir=Path(data_dir)))
        self.settings = service.settings
        self.url = service.url
        self.port = int(self.url.rsplit(":", 1)[1])
        self.kiosk_token = service.kiosk_token
        self.staff_token = service.staff_token
        self._service = service

    @property
    def running(self) -> bool:
        return self._service.running

    def stop(self) -> None:
        self._service.stop()

    def start(self) -> None:
        """Serve again on the same port and database (no new tokens, unlike ``embedded.start``)."""
        self._service.start_again()

    def alerts(self) -> list[dict]:
        """The open alerts, newest first, as the staff's screen lists them."""
        answer = requests.get(
            f"{self.url}/api/v1/staff/alerts",
            headers={"Authorization": f"Bearer {self.staff_token}"},
            timeout=5,
        )
        answer.raise_for_status()
        return answer.json()
