"""A procedure's form: what the card fills in, what is left to type, and what is wrong with it.

Values are plain strings keyed by field id, as the on-screen keyboard produces them. Dates read
``dd/mm/yyyy``; a sex is the choice value (``male``/``female``, as the card parser gives it). Problems
are message ids (``N_``) the form screen shows next to the field.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

from kiosk.dossiers.catalog import FormField, Procedure
from kiosk.i18n import N_

MSG_REQUIRED = N_("Please fill in this field.")
MSG_BAD_DATE = N_("Please enter a real date as day/month/year, for example 05/09/2024.")
MSG_BAD_NUMBER = N_("Please enter digits only.")
MSG_BAD_PHONE = N_("Please enter a phone number of 10 digits starting with 0.")
MSG_BAD_CHOICE = N_("Please choose one of the options.")
MSG_TOO_LONG = N_("This is too long. Please shorten it.")

_DATE = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$")
_PHONE = re.compile(r"^(?:\+84|0)(\d{9})$")
EARLIEST_YEAR = 1900


def _identity_value(identity: object, source: str) -> object:
    citizen = getattr(identity, "citizen", identity)
    return getattr(citizen, source, None)


def show_date(value: dt.date) -> str:
    return value.strftime("%d/%m/%Y")


def autofill(procedure: Procedure, identity: object) -> dict[str, str]:
    """Field id -> value for every field the card fills (dates ``dd/mm/yyyy``, sex as the choice value)."""
    values: dict[str, str] = {}
    if identity is None:
        return values
    for field in procedure.form:
        if not field.source:
            continue
        value = _identity_value(identity, field.source)
        if value is None or value == "":
            continue
        if isinstance(value, dt.date):
            text = show_date(value)
        else:
            text = str(value)
        if field.kind == "choice" and text not in {c for c, _ in field.choices}:
            continue
        values[field.id] = text
    return values


def clean(value: object) -> str:
    """A typed value as it is kept: NFC, spaces collapsed, trimmed."""
    return " ".join(unicodedata.normalize("NFC", str(value or "")).split())


def parse_date(text: str) -> dt.date | None:
    match = _DATE.match(clean(text))
    if not match:
        return None
    day, month, year = (int(g) for g in match.groups())
    try:
        value = dt.date(year, month, day)
    except ValueError:
        return None
    return value if value.year >= EARLIEST_YEAR else None


def normalized(procedure: Procedure, values: dict) -> dict[str, str]:
    """The form's values cleaned up for submission (only the procedure's fields; dates as dd/mm/yyyy)."""
    out: dict[str, str] = {}
    for field in procedure.form:
        text = clean(values.get(field.id, ""))
        if not text:
            continue
        if field.kind == "date" and (day := parse_date(text)) is not None:
            text = show_date(day)
        elif field.kind == "phone":
            text = text.replace(" ", "").replace(".", "")
        out[field.id] = text
    return out


def missing(procedure: Procedure, values: dict) -> list[FormField]:
    """Fields with no value yet, in form order: what the citizen still types."""
    return [f for f in procedure.form if not clean(values.get(f.id, ""))]


def problem(field: FormField, value: object) -> str | None:
    """What is wrong with ``value`` for ``field`` (a message id), or ``None``."""
    text = clean(value)
    if not text:
        return MSG_REQUIRED if field.required else None
    if field.kind == "date" and parse_date(text) is None:
        return MSG_BAD_DATE
    if field.kind == "number" and not text.isdigit():
        return MSG_BAD_NUMBER
    if field.kind == "phone" and not _PHONE.match(text.replace(" ", "").replace(".", "")):
        return MSG_BAD_PHONE
    if field.kind == "choice" and text not in {c for c, _ in field.choices}:
        return MSG_BAD_CHOICE
    if len(text) > field.max_length:
        return MSG_TOO_LONG
    return None


def problems(procedure: Procedure, values: dict) -> dict[str, str]:
    """Field id -> message id for every field that is not right yet (empty when the form can be sent)."""
    found = {}
    for field in procedure.form:
        message = problem(field, values.get(field.id, ""))
        if message is not None:
            found[field.id] = message
    return found
