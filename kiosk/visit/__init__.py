"""The citizen's visit: its personal data and their wipe (``session``, ``files``) and idle handling."""

from kiosk.visit.files import VisitFileError, VisitFiles, shred, shred_tree
from kiosk.visit.idle import ACTIVE, STOPPED, TIMED_OUT, WARNING, IdleTimer
from kiosk.visit.session import END_REASONS, Visit, VisitEnded, Visits, WipeReport, speaker_reset

__all__ = [
    "ACTIVE",
    "END_REASONS",
    "STOPPED",
    "TIMED_OUT",
    "WARNING",
    "IdleTimer",
    "Visit",
    "VisitEnded",
    "VisitFileError",
    "VisitFiles",
    "Visits",
    "WipeReport",
    "shred",
    "shred_tree",
    "speaker_reset",
]
