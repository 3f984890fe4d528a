"""Dossier codes cannot be enumerated, and a dossier's details go only to its owner."""

from __future__ import annotations

import datetime as dt
import json

import httpx
import pytest
from security_support import Kiosk, make_pdf

from central import accounts, db, embedded
from central.settings import VIETNAM, Settings

LIMIT = 6
# An invented citizen; no real person has these details.
OWNER = {"id_number": "001199076543", "full_name": "Phan Thị Kiểm Thử", "date_of_birth": "1991-03-04",
         "sex": "Nữ", "address": "Xóm Bảo Mật, xã Hợp Thịnh"}


@pytest.fixture(scope="module")
def central(tmp_path_factory):
    # The window is an hour so it cannot roll over in the middle of a test.
    settings = Settings(data_dir=tmp_path_factory.mktemp("central-lookups"), lookup_limit=LIMIT, lookup_window_s=3600)
    service = embedded.start(settings=settings)
    yield service
    service.stop()


@pytest.fixture
def kiosk(central, request):
    """A kiosk of its own for each test, so each test starts with an empty look-up count."""
    database = db.Database(central.settings.db_url)
    try:
        token = accounts.add_account(database, "kiosk", request.node.name[:60], central.settings.default_center)
    finally:
        database.dispose()
    client = Kiosk(central.url, token)
    yield client
    client.close()


def submit(kiosk: Kiosk) -> str:
    procedure = kiosk.get("/api/v1/procedures").json()[0]["code"]
    detail = kiosk.get(f"/api/v1/procedures/{procedure}").json()
    document = kiosk.upload(make_pdf())
    answer = kiosk.post("/api/v1/dossiers", {
        "procedure": procedure, "owner": OWNER, "form": {},
        "documents": [{"document_id": document, "checklist_item": detail["documents"][0]["id"]}],
        "submitted_at": dt.datetime.now(VIETNAM).isoformat()})
    assert answer.status_code == 201, answer.text
    return answer.json()["code"]


def test_guessing_codes_is_cut_off_whatever_the_route(kiosk, central):
    """GIVEN a kiosk guessing dossier codes one after another, by public view, details and pickup."""
    code = submit(kiosk)
    prefix = code.rsplit("-", 1)[0]
    guesses = [f"{prefix}-{n:06d}" for n in range(1, 40)]
    statuses = []
    for n, guess in enumerate(guesses):
        if n % 3 == 0:
            answer = kiosk.get(f"/api/v1/dossiers/{guess}")
        elif n % 3 == 1:
            answer = kiosk.post(f"/api/v1/dossiers/{guess}/details", {"id_number": OWNER["id_number"]})
        else:
            answer = kiosk.post(f"/api/v1/dossiers/{guess}/pickup",
                                {"id_number": OWNER["id_number"], "kiosk": "k", "compartment": None})
        statuses.append(answer.status_code)
        if answer.status_code == 429:
            assert answer.json()["error"] == "rate_limited"
            assert 1 <= int(answer.headers["Retry-After"]) <= 3600
    assert 429 not in statuses[:LIMIT], "refused before the limit"
    assert set(statuses[LIMIT:]) == {429}, f"THEN every guess past {LIMIT} is refused: {statuses}"
    # The real code is refused too: a guesser learns nothing more past the limit.
    assert kiosk.get(f"/api/v1/dossiers/{code}").status_code == 429


def test_only_a_kiosk_may_ask_for_details(kiosk, central):
    """A staff token cannot ask for details, and no token cannot even ask for the public view."""
    code = submit(kiosk)
    for _ in range(LIMIT):
        kiosk.get(f"/api/v1/dossiers/{code}")
    assert kiosk.get(f"/api/v1/dossiers/{code}").status_code == 429
    staff = Kiosk(central.url, central.staff_token)
    try:
        refused = staff.post(f"/api/v1/dossiers/{code}/details", {"id_number": OWNER["id_number"]})
        assert refused.status_code == 403 and refused.json()["error"] == "kiosk_only"
    finally:
        staff.close()
    with httpx.Client(base_url=central.url, timeout=30) as anonymous:
        assert anonymous.get(f"/api/v1/dossiers/{code}").status_code == 401


def test_details_only_to_the_owner_and_no_personal_data_in_the_public_view(kiosk, central):
    code = submit(kiosk)
    public = kiosk.get(f"/api/v1/dossiers/{code}")
    assert public.status_code == 200
    text = public.text
    for value in (OWNER["id_number"], OWNER["full_name"], OWNER["address"], OWNER["date_of_birth"]):
        assert value not in text and json.dumps(value)[1:-1] not in text
    assert set(public.json()) <= {"code", "status", "expected_result_date", "procedure", "procedure_name",
                                  "kiosk_reference"}

    for wrong in ("001199076544", "", "0" * 12, OWNER["id_number"][:-1], OWNER["id_number"] + " "):
        refused = kiosk.post(f"/api/v1/dossiers/{code}/details", {"id_number": wrong})
        assert refused.status_code in (403, 422), (wrong, refused.status_code)
        assert OWNER["full_name"] not in refused.text and OWNER["address"] not in refused.text
    mine = kiosk.post(f"/api/v1/dossiers/{code}/details", {"id_number": OWNER["id_number"]})
    assert mine.status_code == 200 and mine.json()["code"] == code
