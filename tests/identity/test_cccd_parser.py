"""The CCCD payload parser on generated payloads of invented citizens."""

from __future__ import annotations

import datetime as dt
import random
import unicodedata

import pytest
from identity_cards import payload, person

from kiosk import i18n
from kiosk.identity import (
    CARD_2021,
    CARD_2024,
    NO_QR_MESSAGE,
    PROVINCES,
    CccdError,
    VisitIdentity,
    age_on,
    mask_id,
    parse_cccd,
)

TODAY = dt.date(2026, 6, 1)
BASE = "001199012345|123456789|Nguyễn Thị Ước|15031999|Nữ|Xóm Ước Lễ, Xã Hợp Thịnh, Tỉnh Bắc Ninh|20052021"


def with_field(index: int, value: str, base: str = BASE) -> str:
    fields = base.split("|")
    fields[index] = value
    return "|".join(fields)


@pytest.mark.parametrize("seed", range(40))
def test_generated_citizens_parse_back_exactly(seed):
    rng = random.Random(seed)
    citizen = person(rng)
    card = CARD_2024 if seed % 3 == 0 else CARD_2021
    extras = ("", "", "", "") if seed % 2 else ("012345678901", "Nguyễn Văn Ba", "Lê Thị Tư", "")
    result = parse_cccd(payload(citizen, card=card, extras=extras), today=TODAY)
    assert result.id_number == citizen["id_number"]
    assert result.old_id_number == citizen["old_id_number"]
    assert result.full_name == citizen["full_name"]
    assert result.date_of_birth == citizen["date_of_birth"]
    assert result.issue_date == citizen["issue_date"]
    assert result.sex == citizen["sex"]
    assert result.address == citizen["address"]
    assert result.card == card
    assert result.extras == (extras if card == CARD_2024 else ())
    assert result.warnings == ()


def test_to_dict_has_the_cli_keys_and_iso_dates():
    out = parse_cccd(BASE, today=TODAY).to_dict()
    assert out == {
        "id_number": "001199012345",
        "old_id_number": "123456789",
        "full_name": "Nguyễn Thị Ước",
        "date_of_birth": "1999-03-15",
        "issue_date": "2021-05-20",
        "sex": "female",
        "address": "Xóm Ước Lễ, Xã Hợp Thịnh, Tỉnh Bắc Ninh",
        "card": "cccd-2021",
        "extras": [],
        "warnings": [],
    }


def test_missing_old_id_is_none():
    assert parse_cccd(with_field(1, ""), today=TODAY).old_id_number is None


@pytest.mark.parametrize("wrapped", [
    "\ufeff" + BASE,
    BASE + "  \r\n",
    "  \t" + BASE,
    "]Q1" + BASE,
    "CCCD: " + BASE,
    "\ufeff]Q1" + BASE + "\n",
])
def test_bom_prefix_and_whitespace_are_tolerated(wrapped):
    result = parse_cccd(wrapped, today=TODAY)
    assert result.id_number == "001199012345"
    assert result.issue_date == dt.date(2021, 5, 20)


def test_decomposed_unicode_is_normalised_to_nfc():
    decomposed = unicodedata.normalize("NFD", BASE)
    assert decomposed != BASE
    result = parse_cccd(decomposed, today=TODAY)
    assert result.full_name == "Nguyễn Thị Ước"
    assert unicodedata.is_normalized("NFC", result.address)
    assert result.sex == "female"


def test_bytes_are_read_as_utf8():
    assert parse_cccd(BASE.encode("utf-8"), today=TODAY).full_name == "Nguyễn Thị Ước"


@pytest.mark.parametrize("sex,expected", [("Nam", "male"), ("NAM", "male"), ("nam", "male"),
                                          ("Nữ", "female"), ("NỮ", "female"), ("nữ", "female")])
def test_sex_in_any_case(sex, expected):
    base = with_field(0, "001099012345") if expected == "male" else BASE
    result = parse_cccd(with_field(4, sex, base), today=TODAY)
    assert result.sex == expected
    assert result.warnings == ()


def test_spaces_inside_name_are_collapsed():
    assert parse_cccd(with_field(2, "  Nguyễn   Thị  Ước "), today=TODAY).full_name == "Nguyễn Thị Ước"


def test_minority_names_with_apostrophes_are_kept():
    assert parse_cccd(with_field(2, "H'Hen Niê"), today=TODAY).full_name == "H'Hen Niê"


@pytest.mark.parametrize("text,code", [
    ("https://dichvucong.gov.vn/p/home", "not_cccd"),
    ("WIFI:S:MotCua;T:WPA;P:matkhau123;;", "not_cccd"),
    ("", "not_cccd"),
    ("   ", "not_cccd"),
    ("|".join(BASE.split("|")[:6]), "wrong_field_count"),
    (BASE + "|x", "wrong_field_count"),
    (BASE + "|||||", "wrong_field_count"),
    ("||||||", "bad_id"),
    (with_field(0, "00109901234"), "bad_id"),
    (with_field(0, "0010990123456"), "bad_id"),
    (with_field(0, "00109901234X"), "bad_id"),
    (with_field(0, "٠٠١٠٩٩٠١٢٣٤٥"), "bad_id"),
    (with_field(1, "12345678"), "bad_old_id"),
    (with_field(1, "abcdefghi"), "bad_old_id"),
    (with_field(2, ""), "empty_name"),
    (with_field(2, "   "), "empty_name"),
    (with_field(3, "31021999"), "bad_date"),
    (with_field(3, "15131990"), "bad_date"),
    (with_field(3, "00011990"), "bad_date"),
    (with_field(3, "1503199"), "bad_date"),
    (with_field(3, "1999-03-15"), "bad_date"),
    (with_field(6, "29022023"), "bad_date"),
    (with_field(4, ""), "bad_sex"),
    (with_field(4, "X"), "bad_sex"),
    (with_field(4, "Nu"), "bad_sex"),
    (with_field(6, "01012099"), "future_date"),
    (with_field(3, "01012030"), "future_date"),
    (with_field(6, "01011990"), "issued_before_birth"),
])
def test_invalid_payloads_are_refused_with_a_code(text, code):
    with pytest.raises(CccdError) as caught:
        parse_cccd(text, today=TODAY)
    assert caught.value.code == code
    assert caught.value.message in i18n.catalog("vi")


def test_non_utf8_bytes_are_not_cccd():
    with pytest.raises(CccdError) as caught:
        parse_cccd(b"001199012345|\xc0\xaf|Nguy\xe1n" + b"|" * 4, today=TODAY)
    assert caught.value.code == "not_cccd"


def test_leap_day_is_a_real_date():
    result = parse_cccd(with_field(3, "29022000", with_field(0, "001300012345")), today=TODAY)
    assert result.date_of_birth == dt.date(2000, 2, 29)


def test_issue_date_today_is_accepted():
    assert parse_cccd(with_field(6, TODAY.strftime("%d%m%Y")), today=TODAY).issue_date == TODAY


def codes(text: str) -> list[str]:
    return [w.code for w in parse_cccd(text, today=TODAY).warnings]


def test_unknown_province_is_a_warning():
    assert codes(with_field(0, "003199012345")) == ["unknown_province"]


def test_sex_digit_disagreeing_is_a_warning():
    assert codes(with_field(4, "Nam")) == ["sex_mismatch"]


def test_century_digit_disagreeing_is_a_warning():
    assert codes(with_field(0, "001399012345")) == ["century_mismatch"]


def test_year_digits_disagreeing_is_a_warning():
    assert codes(with_field(0, "001198012345")) == ["year_mismatch"]


def test_empty_address_is_a_warning():
    assert codes(with_field(5, "")) == ["no_address"]


def test_several_warnings_together():
    assert codes(with_field(0, "099288012345")) == [
        "unknown_province", "sex_mismatch", "century_mismatch", "year_mismatch",
    ]


def test_every_message_is_translated_to_vietnamese_and_english():
    texts = {NO_QR_MESSAGE}
    for payload_text in (with_field(0, "099288012345"), with_field(5, "")):
        texts |= {w.message for w in parse_cccd(payload_text, today=TODAY).warnings}
    for bad in (with_field(3, "99999999"), with_field(6, "99999999"), "x", BASE + "|", with_field(0, "1"),
                with_field(1, "1"), with_field(2, ""), with_field(4, ""), with_field(6, "01012099"),
                with_field(6, "01011990")):
        with pytest.raises(CccdError) as caught:
            parse_cccd(bad, today=TODAY)
        texts.add(caught.value.message)
    vi, en = i18n.catalog("vi"), i18n.catalog("en")
    assert len(texts) == 16
    for text in texts:
        assert text in vi and vi[text] != text, text
        assert text in en, text
    warning = parse_cccd(with_field(0, "001198012345"), today=TODAY).warnings[0]
    assert warning.to_dict("vi")["message"] == vi[warning.message]


def test_errors_and_reprs_carry_no_personal_data():
    identity = parse_cccd(BASE, today=TODAY)
    for text in (repr(identity), str(identity), repr(VisitIdentity(identity, dt.datetime(2026, 6, 1)))):
        assert "Ước" not in text and "001199012345" not in text and "1999" not in text
        assert "0011•••••345" in text
    with pytest.raises(CccdError) as caught:
        parse_cccd(with_field(3, "31021999"), today=TODAY)
    assert "31021999" not in str(caught.value) and "Ước" not in str(caught.value)


def test_masking_keeps_first_four_and_last_three():
    assert mask_id("001099012345") == "0010•••••345"
    assert mask_id("001099012345", "*") == "0010*****345"
    assert mask_id("1234567") == "•••••••"


@pytest.mark.parametrize("born,today,age", [
    (dt.date(1950, 6, 1), dt.date(2025, 6, 1), 75),
    (dt.date(1950, 6, 2), dt.date(2025, 6, 1), 74),
    (dt.date(1952, 2, 29), dt.date(2027, 2, 28), 74),
    (dt.date(1952, 2, 29), dt.date(2027, 3, 1), 75),
    (dt.date(2026, 1, 1), dt.date(2025, 1, 1), 0),
])
def test_age_on_a_given_day(born, today, age):
    assert age_on(born, today) == age


def test_visit_identity_priority_and_form_fields():
    text = with_field(0, "001151012345", with_field(3, "01061951", with_field(1, "")))
    visit = VisitIdentity.from_payload(text, source="scanner", now=dt.datetime(2026, 6, 1, 9, 30))
    assert visit.age() == 75
    assert visit.is_priority(75) and not visit.is_priority(76)
    assert visit.masked_id == "0011•••••345"
    assert not visit.needs_staff
    assert visit.form_fields()["old_id_number"] == ""
    assert visit.form_fields()["date_of_birth"] == "1951-06-01"
    warned = VisitIdentity.from_payload(with_field(0, "003199012345"), now=dt.datetime(2026, 6, 1))
    assert warned.needs_staff


def test_province_table_has_the_63_codes():
    assert len(PROVINCES) == 63
    assert PROVINCES["001"] == "Hà Nội" and PROVINCES["096"] == "Cà Mau"
    assert all(len(code) == 3 and code.isdigit() for code in PROVINCES)
