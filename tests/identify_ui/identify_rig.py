"""Invented citizens and the real central service on loopback, for the identify and visit tests.

``Central`` runs ``central.embedded`` on SQLite in a folder. It can be stopped and served again on the
same port with the same tokens (the kiosk keeps talking to the same address), and ``alerts()`` reads
what staff see through the staff API.
"""

from __future__ import annotations



from center_rig import LiveCenter

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


class Central(LiveCenter):
    """The central service on loopback; ``alerts()`` lists the open alerts as the staff's screen does."""
