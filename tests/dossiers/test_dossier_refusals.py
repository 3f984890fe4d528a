"""Every answer of the central service that stops a dossier request becomes a translated DossierError."""

from __future__ import annotations

import pytest

from kiosk.api.errors import (BadAnswer, CentralTimeout, CentralUnreachable, Conflict, NotAuthorized, NotFound,
                              Rejected, ServerError, TooManyRequests)
from kiosk.dossiers.refusals import refusal
from kiosk.i18n import translate


@pytest.mark.parametrize("error, code", [
    (NotFound(404, "dossier_not_found", ""), "not_found"),
    (NotAuthorized(403, "owner_mismatch", ""), "owner_mismatch"),
    (NotAuthorized(401, "invalid_token", ""), "not_authorized"),
    (Conflict(409, "already_handed_over", ""), "already_handed_over"),
    (Conflict(409, "not_ready", ""), "not_ready"),
    (Conflict(409, "wrong_kiosk", "", body={"locker": {"kiosk": "kiosk-7", "compartment": "B1"}}), "wrong_kiosk"),
    (Conflict(409, "document_in_use", ""), "refused"),
    (TooManyRequests(429, "too_many_requests", "", retry_after=42.0), "too_many"),
    (CentralUnreachable("down"), "offline"),
    (CentralTimeout("slow"), "offline"),
    (ServerError(503, "busy", retry_after=5.0), "offline"),
    (Rejected(422, "invalid_body", ""), "refused"),
    (BadAnswer("no code"), "refused"),
])
def test_each_refusal_has_its_code_and_a_vietnamese_message(error, code):
    problem = refusal(error, "look-up of dossier HT01-2611-000001")
    assert problem.code == code
    assert "HT01-2611-000001" in problem.detail
    text = translate(problem.message, "vi", **problem.values)
    assert text and text != problem.message
    if code == "wrong_kiosk":
        assert "kiosk-7" in text
    if isinstance(error, (TooManyRequests, ServerError)):
        assert problem.retry_after == error.retry_after
