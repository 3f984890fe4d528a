"""Dossiers: the procedure catalog, forms, submission with its appointment slip, look-up, pickup, rating.

``catalog`` (procedures by field, search), ``forms`` (what the card fills, what is left, problems),
``desk`` (``DossierDesk``: submit through the outbox, slips, look-up, details, rating), ``pickup``
(the result locker), ``calendar`` (expected dates while offline), ``ledger`` (what the kiosk remembers),
``refusals`` (central's refusals as citizen messages). No Kivy here.
"""

from kiosk.dossiers.catalog import Catalog, ChecklistItem, Field, FormField, Procedure, fold
from kiosk.dossiers.desk import RATING_REASONS, STATUS_NAMES, DossierDesk, Receipt
from kiosk.dossiers.errors import DossierError
from kiosk.dossiers.forms import autofill, missing, problems

__all__ = [
    "RATING_REASONS",
    "STATUS_NAMES",
    "Catalog",
    "ChecklistItem",
    "DossierDesk",
    "DossierError",
    "Field",
    "FormField",
    "Procedure",
    "Receipt",
    "autofill",
    "fold",
    "missing",
    "problems",
]
