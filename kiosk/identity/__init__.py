"""Who the citizen is: the CCCD QR payload parser, masking, ages and the visit's identity.

Plain Python: no Kivy, no image libraries. Decoding QR codes from camera frames lives in
``devices.qr_reader``; the ``Scanner`` here turns a QR-reader port into identity events.
"""

from kiosk.identity.cccd import (
    CARD_2021,
    CARD_2024,
    NO_QR_MESSAGE,
    CccdError,
    CccdIdentity,
    IdWarning,
    age_on,
    mask_id,
    parse_cccd,
)
from kiosk.identity.provinces import PROVINCES, province_name
from kiosk.identity.visit import VisitIdentity

__all__ = [
    "CARD_2021",
    "CARD_2024",
    "NO_QR_MESSAGE",
    "CccdError",
    "CccdIdentity",
    "IdWarning",
    "PROVINCES",
    "VisitIdentity",
    "age_on",
    "mask_id",
    "parse_cccd",
    "province_name",
]
