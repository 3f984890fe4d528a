"""The QR codes the kiosk prints name a ticket or a dossier in one short form, and nothing else is taken for one."""

from __future__ import annotations

import pytest

from kiosk.references import ScannedReference, dossier_code, parse, ticket_code

REFERENCE = "0b0c8f3a-0f3c-4d3e-9c1f-2b8a6b1d2e3f"


def test_a_ticket_code_reads_back_as_the_same_ticket():
    text = ticket_code(REFERENCE)
    assert text == f"MOTCUA:T:{REFERENCE}"
    assert parse(text) == ScannedReference("ticket", REFERENCE)
    assert parse(text.encode("utf-8")) == ScannedReference("ticket", REFERENCE)
    assert parse(text).text == text


def test_a_dossier_code_reads_back_as_a_dossier():
    assert parse(dossier_code("HT01-2611-000123")) == ScannedReference("dossier", "HT01-2611-000123")


@pytest.mark.parametrize("scanned", [
    "001099012345|012345678|Nguyễn Văn An|01011960|Nam|Hà Nội|01032021",  # a CCCD
    "https://dichvucong.gov.vn/",
    "MOTCUA:X:ABC",
    "MOTCUA:T:",
    "MOTCUA:T:has spaces",
    "OTHER:T:abc",
    b"\xff\xfe",
])
def test_codes_that_are_not_the_kiosks_are_not_taken_for_a_ticket(scanned):
    assert parse(scanned) is None


def test_a_reference_that_cannot_be_printed_is_refused():
    with pytest.raises(ValueError):
        ticket_code("two words")
