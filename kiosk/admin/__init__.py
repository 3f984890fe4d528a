"""Admin mode's core: the PIN with its lockout (``pin``) and the lock-after-hours schedule (``hours``)."""

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
