"""Exceptions raised by device drivers.

Vendor errors (pyusb, pyserial, python-escpos, OpenCV, subprocess) are translated at the driver
boundary into this tree, and use cases decide on it::

    DeviceError                    any device problem
    ├── DriverUnavailable          a configured driver cannot start (missing library, bad URL, no device)
    ├── DeviceTimeout              the device did not answer or nothing was read in time
    ├── DeviceDisconnected         the device went away (unplugged, connection lost), possibly mid-job
    ├── PrinterError               the printer refused or could not finish a job
    │   ├── PaperOut
    │   ├── CoverOpen
    │   └── PrinterOffline
    └── LockerError                a result-locker fault
        ├── LockerJammed           a compartment did not open or did not lock
        └── DoorLeftOpen           a door stayed open past its time limit
"""

from __future__ import annotations


class DeviceError(Exception):
    """Base of every device problem. ``str(err)`` is a message for the operator, never personal data."""


class DriverUnavailable(DeviceError):
    pass


class DeviceTimeout(DeviceError):
    pass


class DeviceDisconnected(DeviceError):
    pass


class PrinterError(DeviceError):
    pass


class PaperOut(PrinterError):
    pass


class CoverOpen(PrinterError):
    pass


class PrinterOffline(PrinterError):
    pass


class LockerError(DeviceError):
    pass


class LockerJammed(LockerError):
    pass


class DoorLeftOpen(LockerError):
    pass
