"""Admin mode's core: the PIN with its lockout (``pin``), the lock-after-hours schedule (``hours``), staff's
"lock now" / "unlock" over it (``lock``), the hidden gesture (``gesture``) and the maintenance actions
(``maintenance``)."""

from kiosk.admin.hours import HolidayTable, HolidayTableError, OpeningHours, load_holidays
from kiosk.admin.pin import AdminPin, Attempts, PinCheck, PinError, check_new_pin

__all__ = [
    "AdminPin",
    "Attempts",
    "HolidayTable",
    "HolidayTableError",
    "OpeningHours",
    "PinCheck",
    "PinError",
    "check_new_pin",
    "load_holidays",
]
