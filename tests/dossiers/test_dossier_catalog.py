"""The procedure catalog, forms and the offline office calendar: pure kiosk logic, no service."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pytest

from central import workdays
from central.routes.calendar import working_days
from kiosk.api.errors import CentralUnreachable
from kiosk.dossiers import Catalog, DossierError, autofill, fold, missing, problems
from kiosk.dossiers.calendar import OfficeCalendar
from kiosk.dossiers.catalog import SOURCES
from kiosk.dossiers.forms import MSG_BAD_CHOICE, MSG_BAD_DATE, MSG_BAD_NUMBER, MSG_BAD_PHONE, MSG_REQUIRED, MSG_TOO_LONG
from kiosk.identity.visit import VisitIdentity
from kiosk.i18n import translate

OWNER = "001199012345||Nguyễn Thị Ước|15031999|Nữ|Xóm Ước Lễ, Xã Hợp Thịnh, Tỉnh Bắc Ninh|20052021"
ICON_NAMES = Path("/usr/share/fonts-material-design-icons-iconfont/scss/_variables.scss")


@pytest.fixture(scope="module")
def catalog():
    return Catalog.load()


def codes(found):
    return [p.code for p in found]


def test_fold_drops_diacritics_and_extra_spaces():
    assert fold("  Đăng   KÝ khai Sinh ") == "dang ky khai sinh"
    assert fold("Hộ kinh doanh") == "ho kinh doanh"


@pytest.mark.parametrize("query, language, first", [
    ("khai sinh", "vi", "HT-KS"),
    ("Khai Sinh", "vi", "HT-KS"),
    ("đăng ký khai sinh", "vi", "HT-KS"),
    ("dang ky ket hon", "vi", "HT-KH"),
    ("marriage registration", "en", "HT-KH"),
    ("birth", "en", "HT-KS"),
    ("ht-ks", "vi", "HT-KS"),
    ("giay phep xay dung", "vi", "XD-GPXD"),
])
def test_search_finds_the_procedure_first(catalog, query, language, first):
    found = codes(catalog.search(query, language))
    assert found and found[0] == first, found


def test_search_needs_every_word_and_ranks_name_prefixes_first(catalog):
    assert codes(catalog.search("khai sinh")) == ["HT-KS", "HT-KSL"]
    assert "HT-KT" not in codes(catalog.search("khai sinh"))  # "khai tử" has no word starting "sinh"
    assert catalog.search("xyzzy") == []
    assert catalog.search("   ") == []
    # "Chứng thực ..." names start with "chung", so they come before names that merely contain the word
    found = codes(catalog.search("chung"))
    starts = [c for c in found if fold(catalog.get(c).title("vi")).startswith("chung")]
    assert starts and found[: len(starts)] == starts and len(found) > len(starts)


def test_search_matches_word_prefixes_only(catalog):
    assert "HT-KS" in codes(catalog.search("kha sin"))
    assert "HT-KS" not in codes(catalog.search("hai inh"))  # inside a word is not a match


def test_fields_have_procedures_and_icons_the_font_has(catalog):
    names = set(re.findall(r'"([a-z0-9_]+)":', ICON_NAMES.read_text(encoding="utf-8")))
    fields = catalog.fields()
    assert [f.id for f in fields][:2] == ["civil_status", "residence"]
    assert {f.id for f in fields} == {p.field for p in catalog.procedures}
    for field in fields:
        assert field.icon in names, field.icon
        assert catalog.in_field(field.id)
        assert translate(field.name, "vi") != field.name, f"no Vietnamese for {field.name!r}"


def test_every_procedure_has_a_form_and_a_checklist(catalog):
    for procedure in catalog.procedures:
        assert procedure.documents and procedure.form, procedure.code
        sources = {f.source for f in procedure.form if f.source}
        assert {"full_name", "id_number"} <= sources <= set(SOURCES)
        ids = [f.id for f in procedure.form]
        assert len(ids) == len(set(ids)), procedure.code
        for field in procedure.form:
            assert field.title("vi") and field.title("en")


def test_unknown_procedure_is_a_translated_refusal(catalog):
    with pytest.raises(DossierError) as caught:
        catalog.get("NO-SUCH")
    assert caught.value.code == "unknown_procedure"
    assert translate(caught.value.message, "vi") != caught.value.message


def test_clip_is_the_guide_folder_when_it_exists(tmp_path):
    assets = tmp_path / "assets"
    (assets / "catalog").mkdir(parents=True)
    source = Path(__file__).resolve().parents[2] / "assets" / "catalog" / "procedures.json"
    (assets / "catalog" / "procedures.json").write_bytes(source.read_bytes())
    (assets / "guides" / "HT-KS").mkdir(parents=True)
    catalog = Catalog.load(assets)
    assert catalog.get("HT-KS").clip == assets / "guides" / "HT-KS"
    assert catalog.get("HT-KH").clip is None


class _Answers:
    def __init__(self, answer=None, error=None):
        self.answer, self.error = answer, error

    def procedures(self):
        if self.error:
            raise self.error
        return self.answer


def test_refresh_takes_central_list_keeps_forms_and_survives_failure(tmp_path):
    cache = tmp_path / "procedures.json"
    catalog = Catalog.load(cache=cache)
    bundled_form = catalog.get("HT-KS").form
    entry = {"code": "HT-KS", "field": "civil_status", "service": "A", "processing_days": 2,
             "name": {"vi": "Đăng ký khai sinh", "en": "Birth registration"},
             "fee": {"in_person": 0, "online": 0, "note": {}},
             "documents": [{"id": "giay_chung_sinh", "vi": "Giấy chứng sinh", "en": "Birth certificate",
                            "required": True}]}
    assert catalog.refresh(_Answers([entry]))
    assert codes(catalog.procedures) == ["HT-KS"] and catalog.get("HT-KS").processing_days == 2
    assert catalog.get("HT-KS").form == bundled_form
    assert not catalog.refresh(_Answers(error=CentralUnreachable("down")))
    assert catalog.get("HT-KS").processing_days == 2
    assert not catalog.refresh(_Answers(["not a procedure"]))
    assert Catalog.load(cache=cache).get("HT-KS").processing_days == 2  # the cached copy is used next start


# --- forms --------------------------------------------------------------------------------------------


def test_autofill_takes_the_card_and_leaves_the_rest(catalog):
    procedure = catalog.get("HT-KS")
    identity = VisitIdentity.from_payload(OWNER)
    values = autofill(procedure, identity)
    assert values == {"applicant_name": "Nguyễn Thị Ước", "applicant_birth": "15/03/1999", "applicant_sex": "female",
                      "applicant_id": "001199012345",
                      "applicant_address": "Xóm Ước Lễ, Xã Hợp Thịnh, Tỉnh Bắc Ninh"}
    left = [f.id for f in missing(procedure, values)]
    assert left == ["child_name", "child_birth", "child_sex", "child_birthplace", "relationship", "phone"]
    assert autofill(procedure, None) == {}


def test_problems_name_each_wrong_field(catalog):
    procedure = catalog.get("HT-KS")
    values = autofill(procedure, VisitIdentity.from_payload(OWNER))
    assert problems(procedure, values) == {"child_name": MSG_REQUIRED, "child_birth": MSG_REQUIRED,
                                           "child_sex": MSG_REQUIRED, "child_birthplace": MSG_REQUIRED,
                                           "relationship": MSG_REQUIRED}
    values.update(child_name="A" * 101, child_birth="31/02/2026", child_sex="boy", child_birthplace="Bắc Ninh",
                  relationship="mother", phone="12345")
    assert problems(procedure, values) == {"child_name": MSG_TOO_LONG, "child_birth": MSG_BAD_DATE,
                                           "child_sex": MSG_BAD_CHOICE, "phone": MSG_BAD_PHONE}
    values.update(child_name="Trần Minh Khôi", child_birth="2/11/2026", child_sex="male", phone="0912 345 678")
    assert problems(procedure, values) == {}
    households = catalog.get("XH-HN")
    assert problems(households, {"household_members": "bốn"})["household_members"] == MSG_BAD_NUMBER
    for message in (MSG_REQUIRED, MSG_BAD_DATE, MSG_BAD_NUMBER, MSG_BAD_PHONE, MSG_BAD_CHOICE, MSG_TOO_LONG):
        assert translate(message, "vi") != message


# --- the offline calendar -------------------------------------------------------------------------------


def test_offline_dates_agree_with_the_center():
    """GIVEN the calendar the center sends on a Friday WHEN the kiosk dates dossiers offline over the next days
    THEN every date is the one the center itself computes (office hours 17:00, same-day cutoff 15:00)."""
    calendar = workdays.default_calendar()
    today = dt.date(2026, 4, 24)  # a Friday before the Hùng Kings' day and 30/4–1/5
    answer = {"today": today.isoformat(),
              "working_days": [d.isoformat() for d in working_days(calendar, today)],
              "office_close_hour": 17, "same_day_cutoff_hour": 15}
    office = OfficeCalendar.from_answer(json.loads(json.dumps(answer)))
    checked = 0
    for day_offset in range(0, 12):
        for hour, minute in ((8, 0), (14, 59), (15, 0), (16, 59), (17, 0), (22, 30)):
            received = dt.datetime.combine(today + dt.timedelta(days=day_offset), dt.time(hour, minute))
            for days in (0, 1, 3, 10):
                expected = calendar.expected_result_date(received, days, office_close_hour=17, same_day_cutoff_hour=15)
                assert office.expected_result_date(received, days) == expected, (received, days)
                checked += 1
    assert checked == 12 * 6 * 4


def test_offline_date_unknown_outside_the_calendar():
    office = OfficeCalendar(dt.date(2026, 11, 23), (dt.date(2026, 11, 23), dt.date(2026, 11, 24)))
    assert office.expected_result_date(dt.datetime(2026, 11, 20, 9), 1) is None  # before the list
    assert office.expected_result_date(dt.datetime(2026, 11, 23, 9), 1) == dt.date(2026, 11, 24)
    assert office.expected_result_date(dt.datetime(2026, 11, 23, 9), 2) is None  # beyond its end
    with pytest.raises(ValueError):
        OfficeCalendar.from_answer({"working_days": []})
