"""Property-based: no text or bytes make the parser fail with anything but ``CccdError``."""

from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from kiosk.identity import CccdError, CccdIdentity, parse_cccd

TODAY = dt.date(2026, 6, 1)
FIELD = st.one_of(
    st.text(max_size=20),
    st.from_regex(r"[0-9]{12}", fullmatch=True),
    st.from_regex(r"[0-9]{8}", fullmatch=True),
    st.sampled_from(["Nam", "Nữ", "NỮ", "", "\ufeff", " "]),
)


def check(payload) -> None:
    try:
        result = parse_cccd(payload, today=TODAY)
    except CccdError as err:
        assert err.code and err.message and str(err)
        return
    assert isinstance(result, CccdIdentity)
    assert len(result.id_number) == 12 and result.id_number.isascii() and result.id_number.isdigit()
    assert result.issue_date <= TODAY and result.date_of_birth <= result.issue_date
    assert result.full_name and result.sex in ("male", "female")
    assert result.to_dict()["card"] in ("cccd-2021", "cancuoc-2024")


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=400))
def test_arbitrary_text_never_raises_anything_else(text):
    check(text)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=300))
def test_arbitrary_bytes_never_raise_anything_else(data):
    check(data)


@settings(max_examples=300, deadline=None)
@given(st.lists(FIELD, min_size=5, max_size=13))
def test_payload_shaped_text_never_raises_anything_else(fields):
    check("|".join(fields))
