"""What the citizen is told when the central service refuses or cannot answer a dossier request.

``refusal(err, doing)`` turns every ``kiosk.api.errors.CentralError`` into a ``DossierError``:

=====================================  ======================  ==========================================
central answer                         ``DossierError.code``   the citizen reads
=====================================  ======================  ==========================================
404                                    ``not_found``           no dossier with this code
403 ``owner_mismatch``                 ``owner_mismatch``      this card is not the owner's
401/403 otherwise                      ``not_authorized``      the kiosk cannot reach the records
409 ``already_handed_over``            ``already_handed_over`` the result was already handed over
409 ``not_ready``                      ``not_ready``           not ready yet, come on the expected date
409 ``wrong_kiosk``                    ``wrong_kiosk``         the result waits at another kiosk
429 (``retry_after`` kept)             ``too_many``            wait a minute and try again
unreachable, timeout, 5xx              ``offline``             the records cannot be reached now
anything else                          ``refused``             ask the staff
=====================================  ======================  ==========================================

``detail`` says what was being done and the service's error code, never the ID number or a name.
"""

from __future__ import annotations

from kiosk.api.errors import CentralError, CentralUnavailable, Conflict, NotAuthorized, NotFound, TooManyRequests
from kiosk.dossiers.errors import DossierError
from kiosk.i18n import N_

MSG_NOT_FOUND = N_("No dossier with this code was found. Please check the code on your slip.")
MSG_OWNER_MISMATCH = N_("This card is not the owner's. Only the person who submitted the dossier can see "
                        "its details or collect its result.")
MSG_NOT_AUTHORIZED = N_("The kiosk cannot open the center's records right now. Please ask the staff at the "
                        "reception desk.")
MSG_HANDED_OVER = N_("The result of this dossier has already been handed over.")
MSG_NOT_READY = N_("The result is not ready yet. Please come back on the expected date.")
MSG_WRONG_KIOSK = N_("Your result is waiting in the locker of another kiosk ({kiosk}). Please go there or ask "
                     "the staff.")
MSG_TOO_MANY = N_("Too many look-ups at this kiosk just now. Please wait a minute and try again.")
MSG_OFFLINE = N_("The center's records cannot be reached right now. Please try again in a few minutes or ask "
                 "the staff.")
MSG_REFUSED = N_("Something went wrong with this dossier. Please ask the staff at the reception desk.")


def refusal(err: CentralError, doing: str) -> DossierError:
    code = getattr(err, "code", "")
    detail = f"{doing}: {err}"
    if isinstance(err, NotFound):
        return DossierError(detail, MSG_NOT_FOUND, code="not_found")
    if isinstance(err, NotAuthorized):
        if code == "owner_mismatch":
            return DossierError(detail, MSG_OWNER_MISMATCH, code="owner_mismatch")
        return DossierError(detail, MSG_NOT_AUTHORIZED, code="not_authorized")
    if isinstance(err, Conflict):
        if code == "already_handed_over":
            return DossierError(detail, MSG_HANDED_OVER, code="already_handed_over")
        if code == "not_ready":
            return DossierError(detail, MSG_NOT_READY, code="not_ready")
        if code == "wrong_kiosk":
            place = err.body.get("locker") if isinstance(err.body.get("locker"), dict) else {}
            return DossierError(detail, MSG_WRONG_KIOSK, code="wrong_kiosk", kiosk=str(place.get("kiosk") or "?"))
        return DossierError(detail, MSG_REFUSED, code="refused")
    if isinstance(err, TooManyRequests):
        return DossierError(detail, MSG_TOO_MANY, code="too_many", retry_after=err.retry_after)
    if isinstance(err, CentralUnavailable):
        return DossierError(detail, MSG_OFFLINE, code="offline", retry_after=err.retry_after)
    return DossierError(detail, MSG_REFUSED, code="refused")
