"""Read the QR payload of a chip ID card (CCCD, 2021) or an identity card (Căn cước, 2024).

The payload is UTF-8 text, fields separated by ``|``, no labels and no checksum::

    ID(12 digits)|old CMND(9 digits or empty)|full name|birth ddMMyyyy|Nam or Nữ|address|issue ddMMyyyy

2024 cards add four more fields (11 in all) whose order is not confirmed; they are kept as ``extras``.
``parse_cccd`` refuses what cannot be a card (``CccdError`` with a ``code`` and a message for the
citizen) and accepts a well-formed but inconsistent card with ``warnings`` (unknown province code,
sex/century digit or birth year disagreeing with the ID number), so staff can take a look.

Messages are English message ids marked with ``N_``; show them with ``kiosk.i18n.translate``. No
message, ``str()`` or ``repr()`` here carries personal data, so they are safe to log.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field

from kiosk.i18n import N_, translate
from kiosk.identity.provinces import province_name

CARD_2021 = "cccd-2021"
CARD_2024 = "cancuoc-2024"
FIELD_COUNTS = {7: CARD_2021, 11: CARD_2024}

#: What to tell a citizen when no QR code at all could be seen.
NO_QR_MESSAGE = N_("No QR code was found. Please hold the QR code of your ID card inside the frame.")

#: Longest payload considered; real ones are under 300 characters.
MAX_PAYLOAD_CHARS = 2000

_ID = re.compile(r"[0-9]{12}")
_OLD_ID = re.compile(r"[0-9]{9}")
_DATE = re.compile(r"[0-9]{8}")
# A scanner may send the AIM symbology identifier (]Q1 for QR) before the data.
_SYMBOLOGY_ID = re.compile(r"^\][A-Za-z][0-9]")
# A label such as "CCCD:" before the ID number; the ID must not follow another digit.
_PREFIXED_ID = re.compile(r"^(?P<prefix>.*[^0-9])?(?P<id>[0-9]{12})$", re.S)
_SPACES = re.compile(r"\s+")
_SEX = {"nam": "male", "nữ": "female"}
# Sex-and-century digit: (female, first year of the century).
_CENTURY = {
    0: (False, 1900), 1: (True, 1900),
    2: (False, 2000), 3: (True, 2000),
    4: (False, 2100), 5: (True, 2100),
    6: (False, 2200), 7: (True, 2200),
    8: (False, 2300), 9: (True, 2300),
}


class CccdError(ValueError):
    """A payload that is not a valid card payload.

    ``code`` names the problem (``not_cccd``, ``wrong_field_count``, ``bad_id``, ``bad_old_id``,
    ``empty_name``, ``bad_date``, ``future_date``, ``issued_before_birth``, ``bad_sex``);
    ``message`` is a message id for the citizen; ``str(err)`` is a line for the operator.
    """

    def __init__(self, code: str, message: str, detail: str, **values: object):
        super().__init__(f"{code}: {detail}")
        self.code = code
        self.message = message
        self.detail = detail
        self.values = values

    def citizen_message(self, language: str | None = None) -> str:
        return translate(self.message, language, **self.values)


@dataclass(frozen=True)
class IdWarning:
    """A consistency problem that does not stop the card from being read."""

    code: str
    message: str

    def to_dict(self, language: str | None = None) -> dict[str, str]:
        return {"code": self.code, "message": translate(self.message, language)}


@dataclass(frozen=True)
class CccdIdentity:
    """What the card's QR code says about its holder. ``repr`` shows only the masked number."""

    id_number: str
    old_id_number: str | None
    full_name: str
    date_of_birth: dt.date
    sex: str
    address: str
    issue_date: dt.date
    card: str = CARD_2021
    extras: tuple[str, ...] = ()
    warnings: tuple[IdWarning, ...] = field(default=())

    def __repr__(self) -> str:
        return f"CccdIdentity({mask_id(self.id_number)}, card={self.card}, warnings={len(self.warnings)})"

    __str__ = __repr__

    @property
    def masked_id(self) -> str:
        return mask_id(self.id_number)

    @property
    def province_code(self) -> str:
        return self.id_number[:3]

    def age_on(self, today: dt.date) -> int:
        return age_on(self.date_of_birth, today)

    def to_dict(self, language: str | None = "en") -> dict[str, object]:
        """The ``kiosk id parse`` object: ISO dates, warning messages in ``language``."""
        return {
            "id_number": self.id_number,
            "old_id_number": self.old_id_number,
            "full_name": self.full_name,
            "date_of_birth": self.date_of_birth.isoformat(),
            "issue_date": self.issue_date.isoformat(),
            "sex": self.sex,
            "address": self.address,
            "card": self.card,
            "extras": list(self.extras),
            "warnings": [w.to_dict(language) for w in self.warnings],
        }


def mask_id(id_number: str, mask: str = "•") -> str:
    """``001099012345`` -> ``0010•••••345``: the first four and last three digits stay visible."""
    if len(id_number) <= 7:
        return mask * len(id_number)
    return id_number[:4] + mask * (len(id_number) - 7) + id_number[-3:]


def age_on(date_of_birth: dt.date, today: dt.date) -> int:
    """Completed years on ``today`` (someone born on 29 February ages on 1 March in other years)."""
    years = today.year - date_of_birth.year
    if (today.month, today.day) < (date_of_birth.month, date_of_birth.day):
        years -= 1
    return max(years, 0)


def _clean(payload: str) -> str:
    text = unicodedata.normalize("NFC", payload)
    text = text.replace("\ufeff", "").replace("\x00", "").strip()
    return _SYMBOLOGY_ID.sub("", text, count=1).strip()


def _text_field(value: str) -> str:
    return _SPACES.sub(" ", value).strip()


_UNREADABLE_DATE = {
    "date of birth": N_("The date of birth on the card could not be read. Please ask the staff for help."),
    "issue date": N_("The issue date on the card could not be read. Please ask the staff for help."),
}


def _date(value: str, field_name: str) -> dt.date:
    value = value.strip()
    problem = None
    if not _DATE.fullmatch(value):
        problem = "is not 8 digits ddMMyyyy"
    else:
        try:
            return dt.date(int(value[4:]), int(value[2:4]), int(value[:2]))
        except ValueError:
            problem = "is not a real calendar date"
    raise CccdError("bad_date", _UNREADABLE_DATE[field_name], f"{field_name} {problem}")


def parse_cccd(payload: str | bytes, today: dt.date | None = None) -> CccdIdentity:
    """Parse and check one payload; raises ``CccdError``. ``today`` decides what is in the future."""
    today = today or dt.date.today()
    if isinstance(payload, bytes):
        try:
            payload = payload.decode("utf-8")
        except UnicodeDecodeError:
            raise CccdError(
                "not_cccd",
                N_("This QR code is not from an ID card. Please show the QR code on your chip ID card."),
                "payload is not UTF-8 text",
            ) from None
    if not isinstance(payload, str):
        raise TypeError("payload must be str or bytes")
    text = _clean(payload)
    if len(text) > MAX_PAYLOAD_CHARS or "|" not in text:
        raise CccdError(
            "not_cccd",
            N_("This QR code is not from an ID card. Please show the QR code on your chip ID card."),
            "payload has no '|'-separated fields" if "|" not in text else "payload is too long",
        )
    fields = text.split("|")
    if len(fields) not in FIELD_COUNTS:
        raise CccdError(
            "wrong_field_count",
            N_("The QR code could not be read as an ID card. Please try again or ask the staff for help."),
            f"payload has {len(fields)} fields, expected 7 (2021 card) or 11 (2024 card)",
        )
    card = FIELD_COUNTS[len(fields)]
    raw_id, raw_old, raw_name, raw_birth, raw_sex, raw_address, raw_issue = fields[:7]

    match = _PREFIXED_ID.match(raw_id.strip())
    if not match:
        raise CccdError(
            "bad_id",
            N_("The ID number on the card could not be read. Please ask the staff for help."),
            "ID number is not 12 digits",
        )
    id_number = match.group("id")

    old = raw_old.strip()
    if old and not _OLD_ID.fullmatch(old):
        raise CccdError(
            "bad_old_id",
            N_("The old ID number on the card could not be read. Please ask the staff for help."),
            "old ID number is neither empty nor 9 digits",
        )

    full_name = _text_field(raw_name)
    if not full_name:
        raise CccdError(
            "empty_name",
            N_("The card's QR code has no name. Please ask the staff for help."),
            "full name is empty",
        )

    date_of_birth = _date(raw_birth, "date of birth")
    sex = _SEX.get(raw_sex.strip().casefold())
    if sex is None:
        raise CccdError(
            "bad_sex",
            N_("The card's QR code could not be read completely. Please ask the staff for help."),
            "sex is neither 'Nam' nor 'Nữ'",
        )
    issue_date = _date(raw_issue, "issue date")
    if date_of_birth > today or issue_date > today:
        raise CccdError(
            "future_date",
            N_("A date on the card is in the future. Please ask the staff for help."),
            ("date of birth" if date_of_birth > today else "issue date") + " is after today",
        )
    if issue_date < date_of_birth:
        raise CccdError(
            "issued_before_birth",
            N_("The dates on the card do not agree. Please ask the staff for help."),
            "issue date is before the date of birth",
        )

    address = _text_field(raw_address)
    warnings = _consistency(id_number, date_of_birth, sex, address)
    return CccdIdentity(
        id_number=id_number,
        old_id_number=old or None,
        full_name=full_name,
        date_of_birth=date_of_birth,
        sex=sex,
        address=address,
        issue_date=issue_date,
        card=card,
        extras=tuple(_text_field(value) for value in fields[7:]),
        warnings=tuple(warnings),
    )


def _consistency(id_number: str, date_of_birth: dt.date, sex: str, address: str) -> list[IdWarning]:
    warnings = []
    if province_name(id_number[:3]) is None:
        warnings.append(IdWarning(
            "unknown_province",
            N_("The ID number starts with an unknown province code. Please let the staff check your card."),
        ))
    female, century = _CENTURY[int(id_number[3])]
    if female != (sex == "female"):
        warnings.append(IdWarning(
            "sex_mismatch",
            N_("The ID number does not match the sex on the card. Please let the staff check your card."),
        ))
    if not century <= date_of_birth.year < century + 100:
        warnings.append(IdWarning(
            "century_mismatch",
            N_("The ID number does not match the century of birth. Please let the staff check your card."),
        ))
    if id_number[4:6] != f"{date_of_birth.year % 100:02d}":
        warnings.append(IdWarning(
            "year_mismatch",
            N_("The ID number does not match the year of birth. Please let the staff check your card."),
        ))
    if not address:
        warnings.append(IdWarning(
            "no_address",
            N_("The card's QR code has no address. Please let the staff check your card."),
        ))
    return warnings
